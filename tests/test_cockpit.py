"""Clinician cockpit: the live queue, cheap polling, patient detail, actions and permissions."""

import logging

import pytest
from django.test import Client

from accounts.domain import Role
from audit import repository as audit_repository
from cockpit import selectors
from patients import repository as patients_repository
from solace import dynamodb
from solace.tables import PATIENTS
from tests.cockpit_helpers import poll, register
from tests.intake_helpers import audit_entries, stored


@pytest.fixture
def nurse(make_staff):
    return make_staff(Role.NURSE)


@pytest.fixture
def nurse_client(nurse, sign_in, client):
    return sign_in(nurse)


def act(browser, patient, action, **data):
    url = f"/cockpit/patients/{patient['patient_id']}/{action}/"
    return browser.post(url, {"version": data.pop("version", None) or version_of(patient), **data})


def version_of(patient):
    return stored(patient["patient_id"])["version"]


def test_queue_lists_patients_by_acuity_then_arrival(nurse_client, hospital):
    sore = register(hospital, symptoms=[], chief_complaint="sore throat", pain_score="2")
    chest = register(hospital, symptoms=["chest_pain"], chief_complaint="chest pressure")
    cut = register(
        hospital, symptoms=["wound"], chief_complaint="deep cut on my hand", pain_score="3"
    )
    assert (chest["suggested_level"], cut["suggested_level"], sore["suggested_level"]) == (2, 4, 5)
    body = nurse_client.get("/cockpit/").content.decode()
    positions = [body.index(p["check_in_code"]) for p in (chest, cut, sore)]
    assert positions == sorted(positions)
    assert "suggested" in body and "Nobody is waiting" not in body


def test_poll_answers_200_then_204_until_something_changes(nurse_client, hospital):
    patient = register(hospital)
    first = poll(nurse_client, hospital)
    assert first.status_code == 200 and first["ETag"]
    unchanged = poll(nurse_client, hospital, first["ETag"])
    assert unchanged.status_code == 204 and unchanged.content == b""
    register(hospital)  # an intake changes the queue
    after_intake = poll(nurse_client, hospital, first["ETag"])
    assert after_intake.status_code == 200
    assert poll(nurse_client, hospital, after_intake["ETag"]).status_code == 204
    act(nurse_client, patient, "room", room="A4")  # an action changes it too
    after_action = poll(nurse_client, hospital, after_intake["ETag"])
    assert after_action.status_code == 200 and "A4" in after_action.content.decode()


def test_an_unchanged_poll_costs_one_request_and_writes_nothing(
    nurse_client, hospital, caplog, monkeypatch
):
    register(hospital)
    etag = poll(nurse_client, hospital)["ETag"]
    calls = []
    real_call = dynamodb.call
    monkeypatch.setattr(
        dynamodb, "call", lambda op, **kw: calls.append((op, kw)) or real_call(op, **kw)
    )
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="solace.request"):
        response = poll(nurse_client, hospital, etag)
    assert response.status_code == 204 and response.content == b""
    # The session and the hospital's queue state, in one BatchGetItem: no Query, no write.
    [(operation, request)] = calls
    assert operation == "batch_get_item"
    assert {name.removeprefix(dynamodb.table_name("")) for name in request["RequestItems"]} == {
        "sessions",
        "queue-state",
    }
    [line] = [r for r in caplog.records if r.name == "solace.request"]
    assert line.dynamodb_requests == 1


def test_polls_do_not_extend_the_idle_timer(nurse_client, hospital, clock):
    etag = poll(nurse_client, hospital)["ETag"]
    for _ in range(3):
        clock.advance(4 * 60)
        response = poll(nurse_client, hospital, etag)  # 200 at most every 15 minutes
        assert response.status_code in (200, 204)
        etag = response["ETag"]
    clock.advance(4 * 60)  # 16 minutes of polling alone: locked, not signed out
    locked = poll(nurse_client, hospital, etag)
    assert locked.status_code == 401 and locked["HX-Redirect"].startswith("/locked/")
    clock.advance(12 * 3600)  # past the session's whole life: signed out
    expired = poll(nurse_client, hospital, etag)
    assert expired.status_code == 401 and expired["HX-Redirect"] == "/accounts/login/"


def test_interaction_keeps_the_session_alive(nurse_client, clock):
    for _ in range(4):
        clock.advance(10 * 60)
        assert nurse_client.get("/cockpit/").status_code == 200


def test_reading_the_queue_never_touches_discharged_patients(hospital):
    active = [register(hospital) for _ in range(3)]
    history = [
        {
            "PutRequest": {
                "Item": dynamodb.serialize(
                    {
                        "patient_id": f"old-{hospital.hospital_id}-{n}",
                        "hospital_id": hospital.hospital_id,
                        "created_at": f"2026-01-01T00:00:{n % 60:02d}.{n:06d}Z",
                        "status": "discharged",
                        "check_in_code": "OLDCODE",
                        "version": 3,
                    }
                )
            }
        }
        for n in range(2000)
    ]
    for start in range(0, len(history), 25):
        dynamodb.call(
            "batch_write_item",
            RequestItems={dynamodb.table_name(PATIENTS): history[start : start + 25]},
        )
    state = selectors.queue_state(hospital.hospital_id)
    snapshot = selectors.queue(
        hospital, state, queue_filter="all", staff_id="", cursor=None, etag="x"
    )
    assert len(snapshot.rows) == 3
    assert snapshot.scanned_count == 3
    assert {r.row.patient_id for r in snapshot.rows} == {p["patient_id"] for p in active}


def test_patient_detail_shows_reasons_timeline_and_audits_the_read(nurse_client, nurse, hospital):
    patient = register(hospital, symptoms=["face_droop"], chief_complaint="face feels odd")
    response = nurse_client.get(f"/cockpit/patients/{patient['patient_id']}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "B.stroke_signs" in body and "García López" in body and "arrived" in body
    views = [
        e
        for e in audit_repository.entries_for_patient(patient["patient_id"])
        if e["action"] == "patient.viewed"
    ]
    assert len(views) == 1 and views[0]["actor_id"] == nurse.staff_id


def test_earlier_visits_are_detailed_only_at_the_viewers_hospitals(
    make_hospital, make_staff, sign_in, client
):
    here = make_hospital(organization_id="org-a")
    sister = make_hospital(organization_id="org-a", name="Sister General")
    also_mine = make_hospital(organization_id="org-a", name="Also Mine General")
    stranger = make_hospital(organization_id="org-b", name="Other Org Hospital")
    sign_in(make_staff(Role.NURSE, hospitals=[here, also_mine]))
    family = f"Visit{here.slug.replace('-', '')}"
    at_sister = register(sister, family_name=family, date_of_birth="1980-04-23")
    register(stranger, family_name=family, date_of_birth="1980-04-23")
    at_mine = register(also_mine, family_name=family, date_of_birth="1980-04-23")
    patient = register(here, family_name=family, date_of_birth="1980-04-23")
    body = client.get(f"/cockpit/patients/{patient['patient_id']}/").content.decode()
    assert "Also Mine General" in body and at_mine["check_in_code"] in body
    # The sister hospital's visit: a count only, no hospital, date, status or code.
    assert "Sister General" not in body and at_sister["check_in_code"] not in body
    assert at_sister["created_at"] not in body
    assert "1 possible visit at other hospitals of the organization" in body
    assert "within the last 72 hours" in body
    assert "Other Org Hospital" not in body
    # What was shown is audited: the record, and the detailed visit under its own patient.
    [viewed] = audit_entries(here, "patient.viewed")
    assert viewed["detail"] == "earlier_visits=1 elsewhere=1"
    shown = audit_repository.entries_for_patient(at_mine["patient_id"])
    assert [(e["action"], e["detail"]) for e in shown if e["action"].endswith("shown")] == [
        ("patient.earlier_visit_shown", f"on={patient['patient_id']}")
    ]
    assert not [
        e
        for e in audit_repository.entries_for_patient(at_sister["patient_id"])
        if e["action"] == "patient.earlier_visit_shown"
    ]


def test_an_older_visit_elsewhere_is_counted_without_within_72_hours(
    make_hospital, make_staff, sign_in, client, clock
):
    here = make_hospital(organization_id="org-c")
    sister = make_hospital(organization_id="org-c", name="Sister General")
    sign_in(make_staff(Role.NURSE, hospitals=[here]))
    family = f"Old{here.slug.replace('-', '')}"
    register(sister, family_name=family, date_of_birth="1980-04-23")
    clock.advance(4 * 86400)
    sign_in(make_staff(Role.NURSE, hospitals=[here]))
    patient = register(here, family_name=family, date_of_birth="1980-04-23")
    body = client.get(f"/cockpit/patients/{patient['patient_id']}/").content.decode()
    assert "1 possible visit at other hospitals" in body
    assert "72 hours" not in body


def test_vitals_rerun_triage_and_flag_danger_zone(nurse_client, hospital):
    patient = register(hospital, symptoms=["cough"], chief_complaint="cough", pain_score="2")
    assert patient["suggested_level"] >= 4
    response = act(nurse_client, patient, "vitals", heart_rate="130", spo2="97")
    assert response.status_code == 303
    item = stored(patient["patient_id"])
    assert item["suggested_level"] == 2
    assert "danger_zone" in item["flags"]
    assert item["vitals"]["heart_rate"] == 130
    assert "D.heart_rate" in {r["rule"] for r in item["triage"]["reasons"]}


def test_confirm_and_override_acuity(nurse_client, hospital):
    patient = register(hospital)
    assert (
        act(nurse_client, patient, "acuity", level=str(patient["suggested_level"])).status_code
        == 303
    )
    item = stored(patient["patient_id"])
    assert item["confirmed_level"] == patient["suggested_level"] and item["triaged_at"]
    refused = act(nurse_client, patient, "acuity", level="1", reason="")
    assert refused.status_code == 400 and "needs a reason" in refused.content.decode()
    assert act(nurse_client, patient, "acuity", level="1", reason="looks grey").status_code == 303
    item = stored(patient["patient_id"])
    assert item["confirmed_level"] == 1 and item["override_reason"] == "looks grey"
    actions = [e["action"] for e in audit_repository.entries_for_patient(patient["patient_id"])]
    assert "patient.acuity_confirmed" in actions and "patient.acuity_overridden" in actions


def test_confirmed_level_re_sorts_the_queue(nurse_client, hospital):
    first = register(hospital, symptoms=["cough"], chief_complaint="cough", pain_score="1")
    second = register(hospital, symptoms=["cough"], chief_complaint="cough", pain_score="1")
    body = nurse_client.get("/cockpit/").content.decode()
    assert body.index(first["check_in_code"]) < body.index(second["check_in_code"])
    act(nurse_client, second, "acuity", level="1", reason="deteriorating")
    body = nurse_client.get("/cockpit/").content.decode()
    assert body.index(second["check_in_code"]) < body.index(first["check_in_code"])


def test_flow_and_disposition_removes_the_patient_from_the_queue(nurse_client, hospital):
    patient = register(hospital)
    for status in ("in_triage", "waiting_for_provider", "with_provider"):
        assert act(nurse_client, patient, "status", status=status).status_code == 303
    skipped = act(nurse_client, patient, "status", status="waiting")
    assert skipped.status_code == 400
    asked = act(nurse_client, patient, "status", status="discharged")
    assert asked.status_code == 303
    assert "end this visit?" in nurse_client.get(asked["Location"]).content.decode()
    assert stored(patient["patient_id"])["status"] == "with_provider"  # nothing written yet
    done = act(nurse_client, patient, "status", status="discharged", confirmed="True")
    assert done.status_code == 303
    assert done["Location"] == f"/cockpit/?ended={patient['patient_id']}"
    item = stored(patient["patient_id"])
    assert "queue_hospital_id" not in item and item["status"] == "discharged"
    assert patient["check_in_code"] not in poll(nurse_client, hospital).content.decode()
    events = [e.type for e in patients_repository.events_of_patient(patient["patient_id"])]
    assert events.count("status_changed") == 3 and events[-1] == "disposition"


def test_a_concurrent_edit_is_reported_not_lost(make_staff, sign_in, hospital):
    patient = register(hospital)
    ana = sign_in(make_staff(Role.NURSE), browser=Client())
    colleague = make_staff(Role.NURSE)
    ben = sign_in(colleague, browser=Client())
    assert act(ana, patient, "room", room="B1", version=1).status_code == 303
    conflict = act(ben, patient, "room", room="C9", version=1)
    assert conflict.status_code == 409
    body = conflict.content.decode()
    assert "changed this patient first" in body and "Test nurse" in body
    assert "Room B1" in body
    item = stored(patient["patient_id"])
    assert item["room"] == "B1" and item["version"] == 2


def test_assignment_rules(make_staff, sign_in, hospital):
    patient = register(hospital)
    nurse = make_staff(Role.NURSE)
    other_nurse = make_staff(Role.NURSE)
    charge = make_staff(Role.CHARGE_NURSE)
    physician = make_staff(Role.PHYSICIAN)
    nurse_browser = sign_in(nurse, browser=Client())
    ok = act(nurse_browser, patient, "assign", slot="nurse", staff_id=nurse.staff_id)
    assert ok.status_code == 303
    grab = act(
        sign_in(other_nurse, browser=Client()),
        patient,
        "assign",
        slot="nurse",
        staff_id=other_nurse.staff_id,
    )
    assert grab.status_code == 400 and "charge nurse" in grab.content.decode()
    charge_browser = sign_in(charge, browser=Client())
    moved = act(charge_browser, patient, "assign", slot="nurse", staff_id=other_nurse.staff_id)
    assert moved.status_code == 303
    wrong_role = act(charge_browser, patient, "assign", slot="physician", staff_id=nurse.staff_id)
    assert wrong_role.status_code == 400
    doc = act(charge_browser, patient, "assign", slot="physician", staff_id=physician.staff_id)
    assert doc.status_code == 303
    item = stored(patient["patient_id"])
    assert item["nurse_id"] == other_nurse.staff_id
    assert item["physician_name"] == "Test physician"


@pytest.mark.parametrize(
    "url",
    ["/cockpit/", "/cockpit/queue/?hospital={hid}", "/cockpit/patients/{pid}/"],
)
@pytest.mark.parametrize(
    ("role", "home", "expected"),
    [
        (Role.NURSE, True, 200),
        (Role.PHYSICIAN, True, 200),
        (Role.CHARGE_NURSE, True, 200),
        (Role.ADMIN, True, 403),
        (Role.NURSE, False, None),  # another hospital's staff
    ],
)
def test_read_permissions(url, role, home, expected, make_staff, make_hospital, sign_in, hospital):
    patient = register(hospital)
    hospitals = [hospital] if home else [make_hospital()]
    browser = sign_in(make_staff(role, hospitals=hospitals), browser=Client())
    response = browser.get(url.format(pid=patient["patient_id"], hid=hospital.hospital_id))
    if expected is None:  # another hospital's queue and patients do not exist for them
        if url != "/cockpit/":
            assert response.status_code == 404
        else:
            assert patient["check_in_code"] not in response.content.decode()
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("action", ["vitals", "acuity", "room", "assign", "status"])
@pytest.mark.parametrize(
    ("role", "home", "expected"), [(Role.ADMIN, True, 403), (Role.PHYSICIAN, False, 404)]
)
def test_action_permissions(
    action, role, home, expected, make_staff, make_hospital, sign_in, hospital
):
    patient = register(hospital)
    hospitals = [hospital] if home else [make_hospital()]
    browser = sign_in(make_staff(role, hospitals=hospitals), browser=Client())
    response = act(
        browser,
        patient,
        action,
        room="X",
        level="3",
        status="in_triage",
        slot="nurse",
        staff_id="x",
        heart_rate="80",
    )
    assert response.status_code == expected
    assert stored(patient["patient_id"])["version"] == 1


def test_anonymous_gets_sign_in_everywhere(client, hospital):
    patient = register(hospital)
    for url in ("/cockpit/", f"/cockpit/patients/{patient['patient_id']}/"):
        assert client.get(url)["Location"].startswith("/accounts/login/")
    assert (
        client.post(
            f"/cockpit/patients/{patient['patient_id']}/room/", {"version": 1, "room": "Z"}
        ).status_code
        == 302
    )


def test_queue_audits_renders_not_unchanged_polls(nurse_client, nurse, hospital):
    register(hospital)
    etag = poll(nurse_client, hospital)["ETag"]
    before = audit_entries(hospital, "queue.displayed")
    for _ in range(3):
        poll(nurse_client, hospital, etag)
    after = audit_entries(hospital, "queue.displayed")
    assert len(before) == len(after) == 1
    assert after[0]["actor_id"] == nurse.staff_id


def test_long_wait_alert(nurse, sign_in, client, hospital, clock):
    register(hospital, symptoms=["cough"], chief_complaint="cough", pain_score="1")
    sign_in(nurse)
    assert "long wait" not in client.get("/cockpit/").content.decode()
    clock.advance(3 * 3600)  # past the level-5 target of 120 minutes (and the idle timeout)
    sign_in(nurse)
    assert "long wait" in client.get("/cockpit/").content.decode()


def test_staff_of_several_hospitals_pick_one(make_staff, make_hospital, sign_in, hospital):
    second = make_hospital(name="Second Site")
    browser = sign_in(make_staff(Role.PHYSICIAN, hospitals=[hospital, second]), browser=Client())
    assert "Which hospital" in browser.get("/cockpit/").content.decode()
    browser.post("/cockpit/hospital/", {"hospital_id": second.hospital_id})
    assert "Second Site" in browser.get("/cockpit/").content.decode()
    refused = browser.post("/cockpit/hospital/", {"hospital_id": make_hospital().hospital_id})
    assert refused.status_code == 404


def test_failed_attempts_are_audited_with_their_outcome(nurse_client, hospital):
    patient = register(hospital)
    invalid = act(nurse_client, patient, "vitals", heart_rate="999")
    assert invalid.status_code == 400
    stale = act(nurse_client, patient, "room", room="C2", version=7)
    assert stale.status_code == 409
    outcomes = {
        (e["action"], e["outcome"])
        for e in audit_repository.entries_for_patient(patient["patient_id"])
    }
    assert ("patient.vitals_recorded", "invalid") in outcomes
    assert ("patient.room_assigned", "conflict") in outcomes


def test_an_ended_visit_cannot_be_changed(nurse_client, hospital):
    patient = register(hospital)
    act(nurse_client, patient, "status", status="left_without_being_seen", confirmed="True")
    response = act(nurse_client, patient, "room", room="D1")
    assert response.status_code == 400 and "visit has ended" in response.content.decode()


def test_the_poll_shows_the_pages_hospital_only(make_staff, make_hospital, sign_in, hospital):
    other = make_hospital(name="Other Site")
    patient = register(hospital)
    elsewhere = register(other)
    browser = sign_in(make_staff(Role.PHYSICIAN, hospitals=[hospital, other]), browser=Client())
    browser.post("/cockpit/hospital/", {"hospital_id": other.hospital_id})  # another tab
    body = poll(browser, hospital).content.decode()
    assert patient["check_in_code"] in body and elsewhere["check_in_code"] not in body
    first, second = poll(browser, hospital), poll(browser, other)
    assert first["ETag"] != second["ETag"]


def test_a_worse_report_is_named_in_a_conflict(nurse_client, hospital):
    from tests.intake_helpers import open_form, submit

    phone = Client()
    submit(phone, hospital, open_form(phone, hospital))
    from tests.intake_helpers import patients

    [patient] = patients(hospital)
    phone.post(f"/h/{hospital.slug}/intake/status/worse/")
    conflict = act(nurse_client, patient, "room", room="A1", version=1)
    assert conflict.status_code == 409
    assert "the patient (reported feeling worse)" in conflict.content.decode()
