"""A whole shift on the cockpit (issue 13): a queue a charge nurse runs the department from,
honest freshness, a lock that is not a blank page, actions that confirm themselves and can be
undone, remembered context, waiting-room display links, and what all of it costs."""

import json
import logging
import re
from dataclasses import replace
from types import SimpleNamespace
from urllib.parse import unquote

import pytest
from django.test import Client

from accounts import services as accounts_services
from accounts.domain import Role
from audit import repository as audit_repository
from cockpit import selectors
from cockpit import services as cockpit_services
from patients import repository as patients_repository
from patients.domain import EventType, Status
from solace import dynamodb
from solace.context import Actor, RequestContext
from solace.dynamodb import DataStoreError
from solace.tables import DEVICES
from tests.cockpit_helpers import poll, register
from tests.conftest import PASSWORD
from tests.intake_helpers import audit_entries, open_form, stored, submit

CHEST = {"symptoms": ["chest_pain"], "chief_complaint": "Crushing chest pressure"}
SORE = {"symptoms": [], "chief_complaint": "Sore throat for days", "pain_score": "2"}


@pytest.fixture
def nurse(make_staff):
    return make_staff(Role.NURSE)


@pytest.fixture
def nurse_client(nurse, sign_in, client):
    return sign_in(nurse)


def act(browser, patient, action, **data):
    url = f"/cockpit/patients/{patient['patient_id']}/{action}/"
    version = data.pop("version", None) or stored(patient["patient_id"])["version"]
    return browser.post(url, {"version": version, **data})


def rows(body: str) -> list[str]:
    """Check-in codes of the queue rows, top to bottom."""
    table = body[body.index("<tbody>") : body.index("</tbody>")]
    return [
        re.search(r'class="code">([A-Z0-9]{7})<', row).group(1)
        for row in table.split("<tr ")[1:]
        if "data-arrived" in row
    ]


def visible_text(html: str) -> str:
    """What a person reads: no tags, attributes, scripts or styles."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<!--.*?-->", " ", html)
    html = re.sub(r"(?s)<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html.replace("&nbsp;", " "))


# --- A queue a charge nurse can run the department from --------------------------------------
def test_a_row_reads_like_a_nurse_speaks(nurse_client, hospital, make_hospital):
    accounts_services.hospital_update(hospital.slug, timezone="America/New_York")
    spanish = register(hospital, preferred_language="es", allergies="penicillin", **SORE)
    calm = register(hospital, preferred_language="en", allergies="NKDA", **SORE)
    act(nurse_client, spanish, "vitals", heart_rate="128", spo2="97", temperature="38.4")
    act(nurse_client, calm, "isolation", isolation="droplet")
    body = nurse_client.get("/cockpit/").content.decode()
    text = visible_text(body)
    assert "García López, A." in text  # "Last, F." with age and sex
    assert "46 y F" in text
    # Arrival in the hospital's time zone, not UTC.
    arrived = stored(spanish["patient_id"])["created_at"]
    from solace.templatetags.local_time import local_time

    assert local_time(arrived, "America/New_York") in text
    assert "HR 128/min" in text and "38.4 °C" in text and "(danger zone)" in text
    row_spanish = text[
        text.index(spanish["check_in_code"]) - 200 : text.index(spanish["check_in_code"]) + 900
    ]
    assert "Allergy" in row_spanish and "Interpreter: Spanish" in row_spanish
    row_calm = text[
        text.index(calm["check_in_code"]) - 200 : text.index(calm["check_in_code"]) + 300
    ]
    assert "Allergy" not in row_calm and "Interpreter" not in row_calm  # NKDA, English
    assert "Droplet precautions" in row_calm
    assert re.search(r"due in \d+ min|overdue by \d+ min|due now", text)  # reassessment


def test_filters_apply_on_the_server_and_persist_per_workstation(
    nurse, nurse_client, hospital, monkeypatch
):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    roomed, mine, _other, last = (register(hospital, **SORE) for _ in range(4))
    act(nurse_client, roomed, "room", room="B7")
    act(nurse_client, mine, "assign", slot="nurse", staff_id=nurse.staff_id)
    in_room = nurse_client.get("/cockpit/?filter=in_room")
    assert in_room.cookies["solace_queue_filter"].value == "in_room"
    assert rows(in_room.content.decode()) == [roomed["check_in_code"]]
    # The whole queue is filtered, not the first page of it: "last" arrived fourth.
    waiting = rows(nurse_client.get("/cockpit/?filter=waiting_room").content.decode())
    assert roomed["check_in_code"] not in waiting and len(waiting) == 2
    mine_rows = rows(nurse_client.get("/cockpit/?filter=mine").content.decode())
    assert mine_rows == [mine["check_in_code"]]
    # The next visit to the queue on this workstation keeps the filter; polls apply it too.
    again = nurse_client.get("/cockpit/").content.decode()
    assert rows(again) == [mine["check_in_code"]] and 'aria-current="true">My patients' in again
    polled = nurse_client.get(
        "/cockpit/queue/", {"hospital": hospital.hospital_id, "filter": "unassigned"}
    ).content.decode()
    # Unassigned: no nurse or no physician yet (nobody here has a physician).
    assert "Unassigned (4)" in visible_text(polled) and len(rows(polled)) == 2
    assert last["check_in_code"] not in rows(polled)  # page two, by acuity and wait


def test_page_one_holds_every_urgent_patient_however_many(nurse_client, hospital, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    calm = [register(hospital, **SORE) for _ in range(2)]
    urgent = [register(hospital, **CHEST) for _ in range(3)]
    assert {p["suggested_level"] for p in urgent} == {2}
    body = nurse_client.get("/cockpit/").content.decode()
    first = rows(body)
    assert set(first) == {p["check_in_code"] for p in urgent}  # 3 on a page of 2
    cursor = re.search(r'href="\?filter=all&amp;after=([^"]+)">Next page', body).group(1)
    second = rows(
        nurse_client.get(f"/cockpit/?filter=all&after={unquote(cursor)}").content.decode()
    )
    assert second == [p["check_in_code"] for p in calm]  # then by acuity and wait
    tampered = nurse_client.get("/cockpit/?filter=in_room&after=" + unquote(cursor))
    assert tampered.status_code == 400  # a cursor belongs to its own filter


def test_counts_come_from_counters_that_follow_every_change(nurse_client, hospital):
    chest = register(hospital, **CHEST)
    sore = register(hospital, **SORE)
    state = selectors.queue_state(hospital.hospital_id)
    assert (state.total, state.per_level[2], state.per_level[5]) == (2, 1, 1)
    act(nurse_client, sore, "acuity", level="4", reason="worse than it sounds")
    act(nurse_client, chest, "room", room="A1")
    state = selectors.queue_state(hospital.hospital_id)
    assert (state.per_level[4], state.per_level[5], state.in_room) == (1, 0, 1)
    act(nurse_client, chest, "status", status="left_against_advice", confirmed="True")
    state = selectors.queue_state(hospital.hospital_id)
    assert (state.total, state.per_level[2], state.in_room) == (1, 0, 0)
    text = visible_text(nurse_client.get("/cockpit/").content.decode())
    assert "1 in the department" in text and "Level 4: 1" in text and "Level 2: 0" in text
    assert "min median door to triage today (1 triaged)" in text


def test_every_change_moves_the_queue_version_so_polls_see_it(nurse_client, hospital):
    patient = register(hospital, **SORE)
    etag = poll(nurse_client, hospital)["ETag"]
    assert poll(nurse_client, hospital, etag).status_code == 204
    phone = Client()
    submit(phone, hospital, open_form(phone, hospital), born="1990-02-02", **SORE)
    after_registration = poll(nurse_client, hospital, etag)
    assert after_registration.status_code == 200
    etag = after_registration["ETag"]
    phone.post(f"/h/{hospital.slug}/intake/status/worse/")  # "I feel worse": pinned on top
    after_worse = poll(nurse_client, hospital, etag)
    assert after_worse.status_code == 200
    body = after_worse.content.decode()
    assert "Patient reports feeling worse" in body
    assert rows(body)[0] != patient["check_in_code"]  # the worse one is pinned first
    etag = after_worse["ETag"]
    act(nurse_client, patient, "room", room="C3")
    assert poll(nurse_client, hospital, etag).status_code == 200


def test_queue_display_audit_entries_stay_small(nurse, hospital):
    ids = [f"{n:032x}" for n in range(120)]
    context = RequestContext("bounded-audit", "", "")
    cockpit_services.queue_displayed(_signed_in(nurse), hospital.hospital_id, ids, context)
    entries = [
        e
        for e in audit_entries(hospital, "queue.displayed")
        if e.get("request_id") == "bounded-audit"
    ]
    assert len(entries) == 3
    assert sorted(len(e["detail"].split(":", 1)[1].split(",")) for e in entries) == [20, 50, 50]


def test_a_failing_audit_write_still_shows_the_queue_and_logs_an_error(
    nurse_client, hospital, monkeypatch, caplog
):
    register(hospital)

    def refuse(entries):
        raise DataStoreError("ThrottlingException")

    monkeypatch.setattr(audit_repository, "put_many", refuse)
    with caplog.at_level(logging.ERROR):
        response = nurse_client.get("/cockpit/", headers={"X-Request-ID": "audit-down-12345"})
    assert response.status_code == 200 and "García López, A." in response.content.decode()
    [line] = [r for r in caplog.records if r.getMessage() == "queue display not audited"]
    assert line.levelno == logging.ERROR
    # The server's own request id (the client's is kept apart), as on the response.
    assert line.request_id == response["X-Request-ID"] and line.unaudited_ids == 1


def _signed_in(staff):
    from accounts.domain import SignedInStaff

    return SignedInStaff.from_staff(staff)


# --- Honest freshness and a lock that is not a blank page -------------------------------------
def test_an_idle_queue_locks_into_a_de_identified_view_and_unlocks_back(
    nurse, nurse_client, hospital, clock
):
    patient = register(hospital, **SORE)
    assert nurse_client.get("/cockpit/?filter=waiting_room").status_code == 200
    clock.advance(16 * 60)
    locked = nurse_client.get("/cockpit/?filter=waiting_room")
    assert locked.status_code == 303 and locked["Location"].startswith("/locked/?next=")
    page = nurse_client.get(locked["Location"])
    body = page.content.decode()
    text = visible_text(body)
    assert page.status_code == 200 and "Locked after 15 minutes without activity" in text
    assert patient["check_in_code"] in text  # codes, levels and waits only
    assert "García" not in text and "Sore throat" not in text
    assert page["Cache-Control"] == "no-store"
    # Every other page is locked too, and a locked screen's polls keep the locked view.
    record = nurse_client.get(f"/cockpit/patients/{patient['patient_id']}/")
    assert record.status_code == 303 and record["Location"].startswith("/locked/")
    rows_url = re.search(r'hx-get="([^"]+)"', body).group(1).replace("&amp;", "&")
    first = nurse_client.get(rows_url, headers={"HX-Request": "true"})
    assert first.status_code == 200 and patient["check_in_code"] in first.content.decode()
    unchanged = nurse_client.get(
        rows_url, headers={"HX-Request": "true", "If-None-Match": first["ETag"]}
    )
    assert unchanged.status_code == 204
    # A wrong password keeps it locked (and is audited); the right one goes back to the page.
    wrong = nurse_client.post("/accounts/unlock/", {"password": "nope", "next": "/cockpit/"})
    assert "error=wrong" in wrong["Location"]
    assert "That password is not right" in nurse_client.get(wrong["Location"]).content.decode()
    back = "/cockpit/?filter=waiting_room"
    unlocked = nurse_client.post("/accounts/unlock/", {"password": PASSWORD, "next": back})
    assert unlocked.status_code == 303 and unlocked["Location"] == back
    assert nurse_client.get(back).status_code == 200
    unlocked_poll = nurse_client.get(rows_url, headers={"HX-Request": "true"})
    assert unlocked_poll["HX-Redirect"] == back  # unlocked in another tab: back to work here
    actions = {(e["action"], e["outcome"]) for e in _account_entries(nurse)}
    assert ("auth.sign_in_failed", "failed") in actions
    assert ("auth.reauthenticated", "success") in actions


def _account_entries(staff):
    from audit.domain import org_partition
    from solace.tables import AUDIT_LOG

    items, _ = dynamodb.query_all(
        TableName=dynamodb.table_name(AUDIT_LOG),
        KeyConditionExpression="hospital_id = :h",
        FilterExpression="actor_id = :a",
        **dynamodb.Expression(h=org_partition("org-test"), a=staff.staff_id).params(),
    )
    return items


def test_the_lock_keeps_the_session_until_its_end_of_life(nurse_client, hospital, clock):
    clock.advance(16 * 60)
    assert nurse_client.get("/cockpit/")["Location"].startswith("/locked/")
    clock.advance(12 * 3600)
    assert nurse_client.get("/cockpit/")["Location"].startswith("/accounts/login/")


def test_typing_on_a_long_form_keeps_the_screen_open(nurse_client, clock):
    clock.advance(10 * 60)
    kept = nurse_client.post("/accounts/keepalive/")
    assert kept.status_code == 200 and kept.json()["idle_seconds_left"] == 15 * 60
    clock.advance(10 * 60)
    assert nurse_client.get("/cockpit/").status_code == 200


def test_every_staff_page_says_no_store(nurse_client, hospital, make_staff, sign_in):
    patient = register(hospital)
    for url in (
        "/cockpit/",
        f"/cockpit/queue/?hospital={hospital.hospital_id}",
        f"/cockpit/patients/{patient['patient_id']}/",
        "/cockpit/arrivals/new/",
    ):
        response = nurse_client.get(url, headers={"HX-Request": "true"} if "queue/" in url else {})
        assert "no-store" in response["Cache-Control"], url
    charge = sign_in(make_staff(Role.CHARGE_NURSE), browser=Client())
    assert "no-store" in charge.get("/cockpit/displays/")["Cache-Control"]
    admin = sign_in(make_staff(Role.ADMIN), browser=Client())
    assert "no-store" in admin.get(f"/audit/?hospital={hospital.hospital_id}")["Cache-Control"]


# --- Actions that confirm themselves -----------------------------------------------------------
def test_actions_say_what_was_saved(nurse_client, hospital):
    patient = register(hospital)
    room = act(nurse_client, patient, "room", room="B7")
    assert room["Location"].endswith("?saved=room")
    assert "Room B7 saved." in visible_text(nurse_client.get(room["Location"]).content.decode())
    vitals = act(nurse_client, patient, "vitals", heart_rate="88", temperature="37.2")
    text = visible_text(nurse_client.get(vitals["Location"]).content.decode())
    assert "Vital signs saved" in text and "Heart rate 88/min" in text and "37.2 °C" in text


def test_ending_a_visit_asks_first_and_can_be_undone_for_two_minutes(
    make_staff, sign_in, hospital, clock
):
    nurse, other, charge = (
        make_staff(Role.NURSE),
        make_staff(Role.NURSE),
        make_staff(Role.CHARGE_NURSE),
    )
    mine = sign_in(nurse, browser=Client())
    patient = register(hospital, **SORE)
    asked = act(mine, patient, "status", status="discharged")
    assert asked.status_code == 303  # to a page of its own: Back never re-sends the form
    viewed = len(audit_entries(hospital, "patient.viewed"))
    assert (
        "end this visit?" in mine.get(asked["Location"]).content.decode()
        and stored(patient["patient_id"])["status"] == "waiting"
    )
    # The question names the patient: it is a read of the record, in its access report.
    read = audit_entries(hospital, "patient.viewed")
    assert len(read) == viewed + 1
    assert {e["patient_id"] for e in read} == {patient["patient_id"]}
    done = act(mine, patient, "status", status="discharged", confirmed="True")
    queue = visible_text(mine.get(done["Location"]).content.decode())
    assert "Discharged: García López, A." in queue and "Undo" in queue
    # The record now reads as closed, with nothing to edit (and no copy kept by the browser).
    record = mine.get(f"/cockpit/patients/{patient['patient_id']}/")
    assert "This visit has ended: Discharged" in visible_text(record.content.decode())
    assert 'action="/cockpit/patients/' + patient["patient_id"] + '/room/"' not in (
        record.content.decode()
    )
    assert record["Cache-Control"] == "no-store"
    refused = act(sign_in(other, browser=Client()), patient, "reopen")
    assert refused.status_code == 400 and "person who ended it" in refused.content.decode()
    back = mine.get(asked["Location"])  # Back to the question after the visit ended
    assert back.status_code == 303 and back["Location"].endswith(f"{patient['patient_id']}/")
    undone = act(mine, patient, "reopen")
    assert undone.status_code == 303
    item = stored(patient["patient_id"])
    assert item["status"] == "waiting" and item["queue_hospital_id"] == hospital.hospital_id
    types = [e.type for e in patients_repository.events_of_patient(patient["patient_id"])]
    assert types[-2:] == [EventType.DISPOSITION, EventType.REOPENED]  # nothing deleted
    assert "End of visit undone" in visible_text(mine.get(undone["Location"]).content.decode())
    # A charge nurse may undo a colleague's; nobody after two minutes.
    act(mine, patient, "status", status="left_without_being_seen", confirmed="True")
    assert act(sign_in(charge, browser=Client()), patient, "reopen").status_code == 303
    act(mine, patient, "status", status="discharged", confirmed="True")
    clock.advance(121)
    mine = sign_in(nurse, browser=Client())
    assert act(mine, patient, "reopen").status_code == 400


def test_a_possible_duplicate_is_flagged_and_linked_to_the_original(nurse_client, hospital):
    first = register(hospital, date_of_birth="1971-07-07")
    again = register(hospital, date_of_birth="1971-07-07")  # the same person, twice
    assert stored(first["patient_id"]).get("possible_duplicate_of") is None
    assert stored(again["patient_id"])["possible_duplicate_of"] == first["patient_id"]
    text = visible_text(nurse_client.get("/cockpit/").content.decode())
    assert f"Possible duplicate of {first['check_in_code']}" in text
    linked = act(nurse_client, again, "duplicate", keep="other")
    assert linked["Location"].startswith(f"/cockpit/patients/{first['patient_id']}/")
    closed, kept = stored(again["patient_id"]), stored(first["patient_id"])
    assert closed["status"] == "closed_duplicate" and closed["duplicate_of"] == first["patient_id"]
    assert "queue_hospital_id" not in closed and kept["queue_hospital_id"]
    for patient in (first, again):
        actions = [e["action"] for e in audit_repository.entries_for_patient(patient["patient_id"])]
        assert "patient.duplicate_linked" in actions
    assert selectors.queue_state(hospital.hospital_id).total == 1


def test_not_the_same_person_clears_the_flag(nurse_client, hospital):
    register(hospital, date_of_birth="1972-08-08")
    twin = register(hospital, date_of_birth="1972-08-08")
    act(nurse_client, twin, "distinct")
    assert "possible_duplicate_of" not in stored(twin["patient_id"])
    assert stored(twin["patient_id"])["status"] == "waiting"


# --- Remembered context -----------------------------------------------------------------------
def test_the_last_hospital_is_the_default_at_the_next_sign_in(
    make_staff, make_hospital, sign_in, hospital
):
    second = make_hospital(name="Second Site")
    physician = make_staff(Role.PHYSICIAN, hospitals=[hospital, second])
    browser = sign_in(physician, browser=Client())
    assert "Which hospital" in browser.get("/cockpit/").content.decode()
    browser.post("/cockpit/hospital/", {"hospital_id": second.hospital_id})
    browser.post("/accounts/logout/")
    browser = sign_in(physician, browser=Client())
    assert "Second Site · Emergency queue" in browser.get("/cockpit/").content.decode()


# --- Waiting-room displays ---------------------------------------------------------------------
def _make_display(browser, hospital, name="Main waiting room TV"):
    page = browser.post(
        f"/cockpit/displays/?hospital={hospital.hospital_id}",
        {"hospital": hospital.hospital_id, "name": name},
    )
    assert page.status_code == 200, page.content[:400]
    link = re.search(r'href="(http://testserver/h/[^"]+)"', page.content.decode()).group(1)
    return link.replace("http://testserver", "").replace("&amp;", "&")


def test_display_links_work_until_revoked(make_staff, sign_in, hospital, client):
    charge = sign_in(make_staff(Role.CHARGE_NURSE), browser=Client())
    patient = register(hospital, **SORE)
    link = _make_display(charge, hospital)
    board = client.get(link)
    text = visible_text(board.content.decode())
    assert board.status_code == 200
    assert (
        patient["check_in_code"] in text and "Please wait" in text and "Por favor, espere" in text
    )
    assert "García" not in text and "Sore throat" not in text and "5?" not in text
    rows_url = link.replace("/board/?", "/board/rows/?")
    etag = client.get(rows_url)["ETag"]
    assert client.get(rows_url, headers={"If-None-Match": etag}).status_code == 204
    assert client.get(link.replace(link.split("key=")[1][-6:], "AAAAAA")).status_code == 404
    device_id = link.split("key=")[1].split(".")[0]
    assert "Main waiting room TV" in charge.get("/cockpit/displays/").content.decode()
    charge.post("/cockpit/displays/", {"hospital": hospital.hospital_id, "revoke": device_id})
    revoked = client.get(link)
    assert revoked.status_code == 410 and "revoked" in revoked.content.decode()
    polled = client.get(rows_url, headers={"HX-Request": "true"})
    assert polled.status_code == 410 and polled["HX-Refresh"] == "true"
    audited = {e["action"] for e in audit_entries(hospital, "device.created")}
    audited |= {e["action"] for e in audit_entries(hospital, "device.revoked")}
    assert audited == {"device.created", "device.revoked"}


def test_only_charge_nurses_and_admins_manage_displays(make_staff, sign_in, hospital):
    nurse = sign_in(make_staff(Role.NURSE), browser=Client())
    assert nurse.get("/cockpit/displays/").status_code == 403
    admin_staff = make_staff(Role.ADMIN)
    admin = sign_in(admin_staff, browser=Client())
    assert admin.get(f"/cockpit/displays/?hospital={hospital.hospital_id}").status_code == 200
    # Another hospital's displays look like nothing at all, and the attempt is on the record.
    assert admin.get("/cockpit/displays/?hospital=elsewhere-1").status_code == 404
    organization = accounts_services.account_partition(admin_staff.organization_id)
    denied = audit_entries(SimpleNamespace(hospital_id=organization), "access.denied")
    assert any("displays hospital=elsewhere-1" in (e.get("detail") or "") for e in denied)


def test_the_displays_page_cannot_switch_off_a_kiosk(make_staff, sign_in, hospital):
    """Kiosks live in the same devices table; only admins revoke them, in the console."""
    from tests.test_kiosks import new_kiosk_link

    admin = sign_in(make_staff(Role.ADMIN), browser=Client())
    kiosk_id = new_kiosk_link(admin, hospital).rstrip("/").rsplit("/", 1)[1].split(".")[0]
    charge = sign_in(make_staff(Role.CHARGE_NURSE), browser=Client())
    answer = charge.post(
        "/cockpit/displays/", {"hospital": hospital.hospital_id, "revoke": kiosk_id}
    )
    assert answer.status_code == 404
    item = dynamodb.get_item(DEVICES, {"device_id": kiosk_id})
    assert item is not None and "revoked_at" not in item
    assert not audit_entries(hospital, "device.revoked")


def test_the_board_says_where_to_go_in_both_languages(make_staff, sign_in, hospital, client):
    charge_staff = make_staff(Role.CHARGE_NURSE)
    charge = sign_in(charge_staff, browser=Client())
    roomed, called = register(hospital, **SORE), register(hospital, **SORE)
    act(charge, roomed, "room", room="B7")
    act(charge, roomed, "status", status="in_triage")
    patient = patients_repository.patient_get(called["patient_id"], consistent=True)
    patients_repository.patient_update(  # the call action comes with the patient-journey issue
        before=patient,
        after=replace(patient, called_to="Triage 2", called_at="2026-01-01T00:00:00.000000Z"),
        event=_event(patient),
        audit_entry=_audit(patient),
    )
    text = visible_text(client.get(_make_display(charge, hospital)).content.decode())
    assert "Please go to room B7" in text and "Por favor, vaya a la sala B7" in text
    assert "Please go to Triage 2" in text and "Por favor, vaya a Triage 2" in text
    assert text.index(called["check_in_code"]) < text.index(roomed["check_in_code"])


def _event(patient):
    from patients.domain import new_event

    return new_event(
        patient.patient_id, EventType.STATUS_CHANGED, "2026-01-01T00:00:00Z", Actor.system()
    )


def _audit(patient):
    from audit.domain import Action
    from audit.services import audit_entry

    return audit_entry(
        hospital_id=patient.hospital_id,
        actor=Actor.system(),
        action=Action.STATUS_CHANGED,
        context=RequestContext("", "", ""),
        patient_id=patient.patient_id,
    )


# --- Human-readable everywhere ------------------------------------------------------------------
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
CODES = re.compile(r"\bversion \d+\b|\b(?:en|es|zh|vi|ar|fr)\b|\b[a-z]+\.[a-z_]+\b")


def readable_problems(text: str) -> list[str]:
    return ISO_TIME.findall(text) + SNAKE_CASE.findall(text) + CODES.findall(text)


def test_staff_pages_read_as_words_not_codes(make_staff, sign_in, hospital, clock):
    nurse_staff = make_staff(Role.NURSE)
    nurse = sign_in(nurse_staff, browser=Client())
    charge = sign_in(make_staff(Role.CHARGE_NURSE), browser=Client())
    patient = register(hospital, preferred_language="es", symptoms=["arm_weakness"])
    register(hospital, date_of_birth="1966-06-06")
    twin = register(hospital, date_of_birth="1966-06-06")
    act(
        nurse,
        patient,
        "vitals",
        heart_rate="130",
        temperature="38.5",
        systolic="150",
        diastolic="90",
    )
    act(nurse, patient, "findings", findings=["altered_mental_status"])
    act(nurse, patient, "acuity", level="1", reason="looks grey")
    conflict = act(nurse, patient, "room", room="C9", version=1)
    pages = {
        "conflict": conflict.content.decode(),
        "queue": nurse.get("/cockpit/").content.decode(),
        "patient": nurse.get(f"/cockpit/patients/{patient['patient_id']}/").content.decode(),
        "twin": nurse.get(f"/cockpit/patients/{twin['patient_id']}/").content.decode(),
        "arrival": nurse.get("/cockpit/arrivals/new/").content.decode(),
        "confirm": nurse.get(
            act(nurse, patient, "status", status="transferred")["Location"]
        ).content.decode(),
        "displays": charge.get("/cockpit/displays/").content.decode(),
    }
    act(nurse, patient, "status", status="transferred", confirmed="True")
    pages["ended"] = nurse.get(f"/cockpit/patients/{patient['patient_id']}/").content.decode()
    pages["queue after"] = nurse.get(f"/cockpit/?ended={patient['patient_id']}").content.decode()
    clock.advance(16 * 60)
    pages["locked"] = nurse.get(nurse.get("/cockpit/")["Location"]).content.decode()
    problems = {name: readable_problems(visible_text(html)) for name, html in pages.items()}
    assert problems == {name: [] for name in pages}
    assert "Spanish" in visible_text(pages["patient"])


def test_the_scan_catches_what_it_is_meant_to():
    assert readable_problems("arrived 2026-11-27T15:00:12.798035Z") != []
    assert readable_problems("heart_rate 130 · triage_suggested · version 1 · en") != []
    assert readable_problems("patient.viewed") != []
    assert readable_problems("Arrived 14:02 · 38 min ago · Heart rate 130/min · Spanish") == []


def test_update_hospital_takes_a_time_zone_and_reassessment_targets(hospital):
    from django.core.management import call_command

    call_command(
        "update_hospital",
        hospital.slug,
        "--time-zone",
        "Europe/Madrid",
        "--reassessment-targets",
        "5,10,30,60,90",
    )
    changed = accounts_services.repository.hospital_get(hospital.hospital_id)
    assert changed.timezone == "Europe/Madrid" and changed.reassessment_targets == (
        5,
        10,
        30,
        60,
        90,
    )


def test_hx_trigger_names_no_patient(nurse_client, hospital):
    patient = register(hospital, **CHEST)
    acknowledged = nurse_client.post(
        f"/cockpit/patients/{patient['patient_id']}/acknowledge/",
        {"version": stored(patient["patient_id"])["version"]},
        headers={"HX-Request": "true"},
    )
    message = json.loads(acknowledged["HX-Trigger"])["solace-saved"]["message"]
    assert patient["check_in_code"] in message and "García" not in message


def test_status_values_are_labels_on_the_board_and_queue(nurse_client, hospital):
    register(hospital)
    for value in (s.value for s in Status if "_" in s.value):
        assert value not in visible_text(nurse_client.get("/cockpit/").content.decode())


def test_a_transaction_cancelled_by_a_conflict_on_the_hot_item_is_sent_again(monkeypatch):
    from solace.dynamodb import TransactionCancelled

    sent = []

    def conflicted_twice(actions):
        sent.append(actions)
        if len(sent) <= 2:
            raise TransactionCancelled([("None", None), ("TransactionConflict", None)])

    monkeypatch.setattr(dynamodb, "transact_write", conflicted_twice)
    monkeypatch.setattr(patients_repository, "CONFLICT_PAUSE_SECONDS", 0)
    patients_repository.transact_with_retries([("a", {}), ("queue", {})])
    assert len(sent) == 3  # sent again until it went through

    def refused(actions):
        sent.append(actions)
        raise TransactionCancelled([("ConditionalCheckFailed", None), ("None", None)])

    sent.clear()
    monkeypatch.setattr(dynamodb, "transact_write", refused)
    with pytest.raises(TransactionCancelled):
        patients_repository.transact_with_retries([("a", {}), ("queue", {})])
    assert len(sent) == 1  # a real refusal is not retried
