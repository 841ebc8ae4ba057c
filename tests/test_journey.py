"""The patient's journey after check-in: calling, a status page that follows the visit (polled
cheaply), "I have left", "not a patient" closures and their undo, the check-in review."""

import itertools
import json
import re

import pytest
from django.test import Client

from accounts import services as accounts_services
from accounts.domain import Role
from audit import repository as audit_repository
from intake import repository as intake_repository
from intake import tickets
from intake.views import INTAKE_COOKIE
from patients import repository as patients_repository
from solace import dynamodb
from tests.cockpit_helpers import poll
from tests.intake_helpers import open_form, stored, submit

_addresses = itertools.count(1)


def browser() -> Client:
    n = next(_addresses)
    return Client(REMOTE_ADDR=f"10.200.{n // 256 % 256}.{n % 256}")


@pytest.fixture
def nurse(make_staff, sign_in):
    return sign_in(make_staff(Role.NURSE), browser=browser())


def check_in(hospital, **changes):
    """A patient registers on their phone; returns (their browser, the stored patient)."""
    phone = browser()
    response = submit(phone, hospital, open_form(phone, hospital), **changes)
    assert response.status_code == 303, response.content[:300]
    ticket = tickets.decode(phone.cookies[INTAKE_COOKIE].value, hospital)
    return phone, stored(ticket.patient_id)


def act(nurse, patient_id, action, **data):
    version = stored(patient_id)["version"]
    return nurse.post(f"/cockpit/patients/{patient_id}/{action}/", {"version": version, **data})


def status(phone, hospital, **params) -> str:
    response = phone.get(f"/h/{hospital.slug}/intake/status/", params)
    assert response.status_code == 200
    return response.content.decode()


def actions_for(patient_id):
    return [e["action"] for e in audit_repository.entries_for_patient(patient_id)]


def test_the_status_page_follows_the_visit_from_waiting_to_closed(nurse, hospital):
    phone, patient = check_in(hospital)
    pid = patient["patient_id"]
    page = status(phone, hospital)
    assert "Please stay in the waiting room" in page and 'id="worse-button"' in page

    assert act(nurse, pid, "call", place="0").status_code == 303
    page = status(phone, hospital)
    assert "Please go to <strong>Triage desk</strong> now" in page
    phone.cookies["solace_language"] = "es"
    assert "vaya ahora a <strong>Mesa de triaje</strong>" in status(phone, hospital)
    phone.cookies["solace_language"] = "en"

    assert act(nurse, pid, "status", status="in_triage").status_code == 303
    assert "called_to" not in stored(pid)  # moving on ends the call
    page = status(phone, hospital)
    assert "You are being cared for" in page and "Please go to" not in page

    ended = act(nurse, pid, "status", status="discharged", confirmed="True")  # asked first
    assert ended.status_code == 303
    page = status(phone, hospital)
    assert "Your visit is closed" in page
    assert 'id="worse-button"' not in page and 'id="left-button"' not in page
    # A stale page's button answers the truth, not "the team knows you feel worse".
    answer = phone.post(f"/h/{hospital.slug}/intake/status/worse/")
    assert answer["Location"].endswith("?worse=closed")
    assert "worse_reported_at" not in stored(pid)


def test_the_status_page_never_shows_an_acuity_a_position_or_a_count(nurse, hospital):
    for _ in range(3):
        check_in(hospital)
    phone, _ = check_in(hospital, symptoms=["chest_pain"])
    page = re.sub(r"<[^>]+>", " ", status(phone, hospital)).lower()
    for word in ("level", "esi", "acuity", "urgent level", "position", "ahead of you", "in line:"):
        assert word not in page, word
    assert not re.search(r"\b\d+ (people|patients|persons)\b", page)


def test_the_status_poll_is_one_read_and_204_when_nothing_changed(
    nurse, hospital, caplog, monkeypatch
):
    phone, patient = check_in(hospital)
    url = f"/h/{hospital.slug}/intake/status/visit/"
    first = phone.get(url)
    assert first.status_code == 200 and first["ETag"]
    assert "Please stay in the waiting room" in first.content.decode()
    assert "no-store" in first["Cache-Control"]

    calls = []
    original = dynamodb.call
    monkeypatch.setattr(dynamodb, "call", lambda op, **kw: calls.append(op) or original(op, **kw))
    again = phone.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 204 and again.content == b""
    assert calls == ["batch_get_item"]  # the session and the visit, in one request

    act(nurse, patient["patient_id"], "call", place="1")
    changed = phone.get(url, headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert "Registration desk" in changed.content.decode()
    # The fragment carries what a screen reader announces (the script reads it).
    assert 'data-headline="Please go to Registration desk now."' in changed.content.decode()


def test_the_poll_of_an_ended_session_is_410(hospital):
    phone, _ = check_in(hospital)
    phone.post(f"/h/{hospital.slug}/intake/finish/")
    stranger = Client()
    assert stranger.get(f"/h/{hospital.slug}/intake/status/visit/").status_code == 410


def test_a_second_call_and_did_not_answer_are_recorded(nurse, hospital):
    phone, patient = check_in(hospital)
    pid = patient["patient_id"]
    act(nurse, pid, "call", place="0")
    act(nurse, pid, "call", place="room", room="12")
    item = stored(pid)
    assert item["called_to"] == "Room 12" and item["called_to_es"] == "Sala 12"
    assert item["call_count"] == 2 and item["called_by_name"] == "Test nurse"
    assert "We are calling you again" in status(phone, hospital)

    assert act(nurse, pid, "call_no_answer").status_code == 303
    item = stored(pid)
    assert "called_to" not in item and item["missed_call_at"] and item["no_answer_count"] == 1
    assert "could not find you" in status(phone, hospital)
    events = [e.type for e in patients_repository.events_of_patient(pid)]
    assert events.count("called") == 2 and "call_not_answered" in events
    actions = actions_for(pid)
    assert actions.count("patient.called") == 2 and "patient.call_not_answered" in actions
    page = nurse.get(f"/cockpit/patients/{pid}/").content.decode()
    assert "Did not answer at" in page and "Called · to Room 12 · call 2" in page


def test_a_room_call_needs_the_room_and_a_refused_call_writes_nothing(nurse, hospital):
    _, patient = check_in(hospital)
    pid = patient["patient_id"]
    response = act(nurse, pid, "call", place="room", room="")
    assert response.status_code == 400 and "Enter the room" in response.content.decode()
    assert act(nurse, pid, "call", place="7").status_code == 400  # not a place of this hospital
    assert act(nurse, pid, "call_no_answer").status_code == 400  # not being called
    assert stored(pid)["version"] == 1


def test_the_call_places_are_a_hospital_setting(nurse, hospital):
    from django.core.management import call_command

    call_command(
        "update_hospital",
        hospital.slug,
        "--call-places",
        "Fast track|Vía rápida;X-ray|Rayos X",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    phone, patient = check_in(hospital)
    act(nurse, patient["patient_id"], "call", place="1")
    assert stored(patient["patient_id"])["called_to"] == "X-ray"
    phone.cookies["solace_language"] = "es"
    assert "Rayos X" in status(phone, hospital)


def test_calls_from_the_queue_row_and_the_waiting_room_board(nurse, hospital, make_staff, sign_in):
    _, patient = check_in(hospital)
    pid = patient["patient_id"]
    queue = nurse.get("/cockpit/").content.decode()
    assert "Call…" in queue and "Triage desk" in queue
    quick = nurse.post(
        f"/cockpit/patients/{pid}/call/",
        {"version": 1, "place": "0", "return_to": "queue"},
        headers={"HX-Request": "true"},
    )
    assert quick.status_code == 204 and "queue-changed" in json.loads(quick["HX-Trigger"])
    rows = poll(nurse, hospital).content.decode()
    assert "Called to Triage desk" in rows
    plain = nurse.post(
        f"/cockpit/patients/{pid}/call/", {"version": 2, "place": "1", "return_to": "queue"}
    )
    assert plain.status_code == 303 and plain["Location"] == "/cockpit/"
    # The waiting-room TV opens a display link a charge nurse made (issue 13).
    charge = sign_in(make_staff(Role.CHARGE_NURSE), browser=Client())
    made = charge.post("/cockpit/displays/", {"hospital": hospital.hospital_id, "name": "Lobby"})
    board = re.search(
        r'href="http://testserver(/h/[^"]+/board/\?key=[^"]+)"', made.content.decode()
    )
    page = Client().get(board.group(1).replace("&amp;", "&")).content.decode()
    assert "Please go to Registration desk" in page and "Por favor, vaya a Mesa de registro" in page


def test_i_have_left_is_a_flag_for_staff(nurse, hospital):
    phone, patient = check_in(hospital)
    pid = patient["patient_id"]
    answer = phone.post(f"/h/{hospital.slug}/intake/status/left/")
    assert answer["Location"].endswith("?left=sent")
    item = stored(pid)
    assert item["left_reported_at"] and item["version"] == 2
    assert item["status"] == "waiting" and item["queue_hospital_id"]  # staff decide
    assert "intake.left_reported" in actions_for(pid)
    assert "left_reported" in [e.type for e in patients_repository.events_of_patient(pid)]
    assert "says they left" in poll(nurse, hospital).content.decode()
    assert "said at" in nurse.get(f"/cockpit/patients/{pid}/").content.decode()
    page = status(phone, hospital, left="sent")
    assert "The team will no longer call you" in page and 'id="left-button"' not in page
    again = phone.post(f"/h/{hospital.slug}/intake/status/left/")
    assert again["Location"].endswith("?left=already") and stored(pid)["version"] == 2


def test_not_a_patient_needs_a_reason_closes_and_is_undone(nurse, hospital):
    _, patient = check_in(hospital)
    pid = patient["patient_id"]
    refused = act(nurse, pid, "close", reason="  ")
    assert refused.status_code == 400 and stored(pid)["version"] == 1

    assert act(nurse, pid, "close", reason="test entry").status_code == 303
    item = stored(pid)
    assert item["status"] == "not_a_patient" and "queue_hospital_id" not in item
    assert item["closed_reason"] == "test entry" and item["ended_from"] == "waiting"
    page = nurse.get(f"/cockpit/patients/{pid}/").content.decode()
    assert "Closed as not a patient" in page and "Reopen (undo)" in page
    assert pid not in poll(nurse, hospital).content.decode()

    assert act(nurse, pid, "reopen").status_code == 303
    item = stored(pid)
    assert item["status"] == "waiting" and item["queue_hospital_id"] == hospital.hospital_id
    assert "closed_reason" not in item and "ended_from" not in item
    actions = actions_for(pid)
    assert "patient.closed_not_a_patient" in actions and "patient.reopened" in actions
    assert act(nurse, pid, "reopen").status_code == 400  # nothing to undo


def test_a_flood_is_grouped_by_address_and_closed_at_once(nurse, hospital, make_hospital):
    accounts_services.hospital_update(hospital.slug, registrations_per_address=50)
    flood = browser()
    flooded = []
    for n in range(6):
        submit(flood, hospital, open_form(flood, hospital), given_name=f"Fake{n}")
        flooded.append(tickets.decode(flood.cookies[INTAKE_COOKIE].value, hospital).patient_id)
        flood.post(f"/h/{hospital.slug}/intake/finish/")
    _, real = check_in(hospital)
    assert len({stored(p)["client_hash"] for p in flooded}) == 1
    assert stored(real["patient_id"])["client_hash"] != stored(flooded[0])["client_hash"]
    assert "10.200." not in str(stored(flooded[0]))  # never the address itself

    page = nurse.get("/cockpit/check-ins/").content.decode()
    assert "6 check-ins" in page and "1 check-in" in page
    assert "registrations.reviewed" in [
        e["action"] for e in _hospital_entries(hospital, "registrations.reviewed")
    ]
    versions = {p: stored(p)["version"] for p in flooded}
    act(nurse, flooded[0], "acuity", level="3", reason="seen")  # changed meanwhile
    picked = [f"{p}:{v}" for p, v in versions.items()]
    response = nurse.post(
        "/cockpit/check-ins/change/", {"patients": picked, "reason": "flood", "do": "close"}
    )
    assert response.status_code == 303 and "done=5&skipped=1" in response["Location"]
    assert {stored(p)["status"] for p in flooded[1:]} == {"not_a_patient"}
    assert stored(flooded[0])["status"] == "waiting"
    assert stored(real["patient_id"])["status"] == "waiting"

    reopen = [f"{p}:{stored(p)['version']}" for p in flooded[1:3]]
    nurse.post("/cockpit/check-ins/change/", {"patients": reopen, "do": "reopen"})
    assert [stored(p)["status"] for p in flooded[1:4]] == ["waiting", "waiting", "not_a_patient"]
    missing_reason = nurse.post(
        "/cockpit/check-ins/change/", {"patients": picked[4:], "do": "close"}
    )
    assert missing_reason.status_code == 400


def test_the_check_in_review_is_for_clinicians_of_that_hospital(make_staff, sign_in, hospital):
    admin = sign_in(make_staff(Role.ADMIN), browser=browser())
    assert admin.get("/cockpit/check-ins/").status_code == 403
    assert admin.post("/cockpit/check-ins/change/", {"do": "close"}).status_code == 403


def _hospital_entries(hospital, action):
    response = dynamodb.call(
        "query",
        TableName=dynamodb.table_name("audit-log"),
        KeyConditionExpression="hospital_id = :h",
        ExpressionAttributeValues={":h": {"S": hospital.hospital_id}},
        ConsistentRead=True,
    )
    entries = [dynamodb.deserialize(i) for i in response["Items"]]
    return [e for e in entries if e["action"] == action]


def test_done_ends_the_session_on_the_server(hospital):
    phone, patient = check_in(hospital)
    ticket = tickets.decode(phone.cookies[INTAKE_COOKIE].value, hospital)
    phone.post(f"/h/{hospital.slug}/intake/finish/")
    assert intake_repository.intake_session_get(ticket.session_id) is None
    assert "intake.finished" in actions_for(patient["patient_id"])


def test_patient_pages_never_link_to_the_staff_sign_in(hospital):
    phone = browser()
    pages = [phone.get(f"/h/{hospital.slug}/intake/")]
    key = open_form(phone, hospital)
    pages.append(submit(phone, hospital, key, given_name=""))  # errors
    submit(phone, hospital, key)
    pages.append(phone.get(f"/h/{hospital.slug}/intake/status/"))
    pages.append(submit(phone, hospital, key, chief_complaint="Other answers"))  # 422
    pages.append(Client().get(f"/h/{hospital.slug}/intake/status/"))  # expired
    pages.append(Client().get(f"/h/{hospital.slug}/no-such-page/"))  # 404 under the hospital
    for page in pages:
        body = page.content.decode()
        assert "/accounts/login" not in body, page.status_code
        assert 'href="/"' not in body, page.status_code
        assert f'href="/h/{hospital.slug}/intake/' in body, page.status_code
