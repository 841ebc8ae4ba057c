"""Patient intake: intake sessions, exactly-once registration, validation, status page."""

import logging
import re
import uuid

import pytest

from audit import repository as audit_repository
from intake import repository, tickets
from intake.views import INTAKE_COOKIE
from patients import repository as patients_repository
from solace import dynamodb
from solace.clock import now_epoch
from solace.tables import IDEMPOTENCY
from tests.intake_helpers import (
    VALID,
    audit_entries,
    form_key,
    idempotency_records,
    open_form,
    patients,
    submit,
)


def test_unknown_hospital_is_404(client):
    assert client.get("/h/no-such-hospital/intake/").status_code == 404


WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}


@pytest.fixture
def dynamodb_calls(monkeypatch):
    """The names of the DynamoDB API calls made while the test runs."""
    calls = []
    original = dynamodb.call

    def spy(operation, **kwargs):
        calls.append("".join(part.capitalize() for part in operation.split("_")))
        return original(operation, **kwargs)

    monkeypatch.setattr(dynamodb, "call", spy)
    return calls


def test_opening_the_form_writes_nothing_the_cookie_carries_the_session(
    client, hospital, dynamodb_calls
):
    response = client.get(f"/h/{hospital.slug}/intake/")
    assert response.status_code == 200
    assert not WRITES & set(dynamodb_calls), dynamodb_calls
    cookie = response.cookies[INTAKE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["path"] == f"/h/{hospital.slug}/"
    ticket = tickets.decode(cookie.value, hospital)
    assert ticket.hospital_id == hospital.hospital_id
    assert ticket.idempotency_key == form_key(response)
    assert ticket.expires_at == pytest.approx(now_epoch() + 2 * 3600, abs=5)
    assert repository.intake_session_get(ticket.session_id) is None  # nothing stored yet
    # Signed: a cookie changed by hand is no session at all.
    assert tickets.decode(cookie.value[:-2] + "xx", hospital) is None
    # The registration creates it, for the whole visit (24 hours at most).
    assert submit(client, hospital, form_key(response)).status_code == 303
    session = repository.intake_session_get(ticket.session_id)
    assert session.hospital_id == hospital.hospital_id and session.registered
    assert session.expires_at == pytest.approx(now_epoch() + 24 * 3600, abs=5)


def test_reloading_keeps_the_same_session_and_key(client, hospital):
    first = client.get(f"/h/{hospital.slug}/intake/")
    second = client.get(f"/h/{hospital.slug}/intake/")
    assert form_key(first) == form_key(second)
    assert client.cookies[INTAKE_COOKIE].value == first.cookies[INTAKE_COOKIE].value


def _input_names(response) -> set[str]:
    body = response.content.decode()
    form = body[body.index('id="intake-form"') :]
    return set(re.findall(r'name="([^"]+)"', form))


def test_the_form_asks_no_payment_questions_and_loads_nothing_from_elsewhere(client, hospital):
    response = client.get(f"/h/{hospital.slug}/intake/")
    step_one = _input_names(response)
    body = response.content.decode()
    assert "http://" not in body and "https://" not in body
    assert len(response.content) < 40_000
    second = client.post(f"/h/{hospital.slug}/intake/", {**VALID, "step": "1"})
    assert second.status_code == 200 and 'name="chief_complaint"' in second.content.decode()
    assert len(second.content) < 40_000
    names = step_one | _input_names(second)
    controls = {"csrfmiddlewaretoken", "idempotency_key", "step", "back"}
    assert names == {*VALID, "registering_for", *controls}
    assert not {n for n in names if re.search("insur|pay|card|ssn|bank", n)}
    # What only a companion can report is asked of a companion only.
    assert "Not breathing" not in second.content.decode()
    data = {**VALID, "step": "1", "registering_for": "someone_else"}
    companion = client.post(f"/h/{hospital.slug}/intake/", data)
    assert "companion_symptoms" in _input_names(companion)
    assert "Not breathing" in companion.content.decode()


def test_registration_writes_patient_events_audit_and_shows_status(client, hospital):
    key = open_form(client, hospital)
    response = submit(client, hospital, key)
    assert response.status_code == 303
    assert response["Location"] == f"/h/{hospital.slug}/intake/status/"
    [patient] = patients(hospital)
    assert patient["queue_hospital_id"] == hospital.hospital_id
    assert patient["status"] == "waiting" and patient["version"] == 1
    assert patient["match_key"] == "garcialopez#1980-04-23"
    assert patient["suggested_level"] == 2
    assert "B.chest_pain" in {r["rule"] for r in patient["triage"]["reasons"]}
    assert patient["flags"] == ["allergies"]
    assert len(patient["check_in_code"]) == 7
    events = patients_repository.events_of_patient(patient["patient_id"])
    assert [e.type for e in events] == ["arrived", "triage_suggested"]
    assert events[1].data["level"] == 2
    [entry] = audit_entries(hospital)
    assert entry["action"] == "intake.submitted" and entry["patient_id"] == patient["patient_id"]
    assert entry["actor_type"] == "patient" and entry["actor_id"].startswith("intake:")
    assert "Ana" not in str(entry) and "chest" not in str(entry).lower()
    status = client.get(response["Location"])
    body = status.content.decode()
    assert patient["check_in_code"] in body and "Ana" in body
    assert "García" not in body and "chest" not in body.lower()


def test_double_post_creates_one_patient_and_the_duplicate_costs_one_request(
    client, hospital, caplog
):
    key = open_form(client, hospital)
    first = submit(client, hospital, key)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="solace.request"):
        second = submit(client, hospital, key)
    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]
    assert len(patients(hospital)) == 1
    assert len(audit_entries(hospital)) == 1
    [record] = [r for r in caplog.records if r.name == "solace.request"]
    assert record.dynamodb_requests == 1


def test_reload_then_submit_registers_once(client, hospital):
    open_form(client, hospital)
    key = open_form(client, hospital)
    assert submit(client, hospital, key).status_code == 303
    assert submit(client, hospital, key).status_code == 303
    assert len(patients(hospital)) == 1
    # Back to the form after registering: the status page, not a blank form.
    again = client.get(f"/h/{hospital.slug}/intake/")
    assert again.status_code == 303 and again["Location"].endswith("/intake/status/")


def test_key_in_the_header_works_too(client, hospital):
    open_form(client, hospital)
    data = {k: v for k, v in VALID.items()}
    key = str(uuid.uuid4())
    response = client.post(f"/h/{hospital.slug}/intake/", data, headers={"Idempotency-Key": key})
    assert response.status_code == 303
    [record] = idempotency_records(hospital)
    assert record["idempotency_key"] == f"{hospital.hospital_id}#{key}"


def test_same_key_with_a_different_payload_is_422_and_writes_nothing(client, hospital):
    key = open_form(client, hospital)
    submit(client, hospital, key)
    response = submit(client, hospital, key, chief_complaint="Something else entirely")
    assert response.status_code == 422
    assert "differ" in response.content.decode()
    assert len(patients(hospital)) == 1


def test_missing_key_is_400_and_writes_nothing(client, hospital):
    open_form(client, hospital)
    data = dict(VALID)
    response = client.post(f"/h/{hospital.slug}/intake/", data)
    assert response.status_code == 400
    assert patients(hospital) == []


def test_an_expired_key_whose_item_still_exists_does_not_block(client, hospital):
    key = open_form(client, hospital)
    stale = {
        "idempotency_key": f"{hospital.hospital_id}#{key}",
        "payload_hash": "something-else",
        "patient_id": "old-patient",
        "location": "/old/",
        "created_at": now_epoch() - 90000,
        "expires_at": now_epoch() - 10,
    }
    dynamodb.call(
        "put_item", TableName=dynamodb.table_name(IDEMPOTENCY), Item=dynamodb.serialize(stale)
    )
    response = submit(client, hospital, key)
    assert response.status_code == 303
    [patient] = patients(hospital)
    [record] = idempotency_records(hospital)
    assert record["patient_id"] == patient["patient_id"]


def test_an_expired_intake_session_writes_nothing_and_keeps_the_answers(client, hospital, clock):
    key = open_form(client, hospital)
    clock.advance(2 * 3600 + 1)
    response = submit(client, hospital, key)
    assert response.status_code == 400
    assert "timed out" in response.content.decode()
    assert "Pressure in my chest" in response.content.decode()
    assert patients(hospital) == []
    assert idempotency_records(hospital) == []
    assert audit_entries(hospital) == []
    # The fresh session it started registers fine.
    assert submit(client, hospital, form_key(response)).status_code == 303
    assert len(patients(hospital)) == 1


def test_a_session_of_another_hospital_does_not_register_here(client, hospital, make_hospital):
    other = make_hospital()
    open_form(client, other)
    nonce = client.cookies[INTAKE_COOKIE].value
    client.cookies[INTAKE_COOKIE] = nonce  # presented at the wrong hospital
    client.cookies[INTAKE_COOKIE]["path"] = "/"
    response = submit(client, hospital, str(uuid.uuid4()))
    assert response.status_code == 400
    assert patients(hospital) == [] and patients(other) == []


def test_one_intake_session_registers_one_patient(client, hospital):
    key = open_form(client, hospital)
    submit(client, hospital, key)
    other_key = str(uuid.uuid4())
    response = submit(client, hospital, other_key, given_name="Someone", family_name="Else")
    assert response.status_code == 303  # back to the existing status page
    assert len(patients(hospital)) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"given_name": ""}, "given_name"),
        ({"given_name": "x" * 81}, "given_name"),
        ({"given_name": "12345"}, "given_name"),
        ({"family_name": "Ro\x07ss"}, "family_name"),
        ({"given_name": "Ana\u202e"}, "given_name"),
        ({"chief_complaint": ""}, "chief_complaint"),
        ({"chief_complaint": "a" * 501}, "chief_complaint"),
        ({"chief_complaint": "pain\x00"}, "chief_complaint"),
        ({"date_of_birth_year": "2999"}, "date_of_birth"),
        ({"date_of_birth_year": "1850"}, "date_of_birth"),
        ({"date_of_birth_day": "23/04"}, "date_of_birth"),
        ({"date_of_birth_day": "30", "date_of_birth_month": "2"}, "date_of_birth"),
        ({"date_of_birth_month": ""}, "date_of_birth"),
        ({"sex": "robot"}, "sex"),
        ({"pain_score": "11"}, "pain_score"),
        ({"pain_score": "-1"}, "pain_score"),
        ({"pain_score": "seven"}, "pain_score"),
        ({"symptoms": ["chest_pain", "made_up"]}, "symptoms"),
        ({"phone": "call me maybe"}, "phone"),
        ({"onset": "yesterday-ish"}, "onset"),
        ({"pregnant": "maybe"}, "pregnant"),
        ({"preferred_language": "klingon"}, "preferred_language"),
    ],
)
def test_invalid_input_is_400_with_a_message_on_the_field_and_writes_nothing(
    client, hospital, changes, field
):
    key = open_form(client, hospital)
    response = submit(client, hospital, key, **changes)
    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body or f'id="id_{field}_0_error"' in body
    assert 'aria-invalid="true"' in body
    assert patients(hospital) == []
    assert idempotency_records(hospital) == []


def test_unknown_fields_are_refused(client, hospital):
    key = open_form(client, hospital)
    response = submit(client, hospital, key, insurance_number="123")
    assert response.status_code == 400
    assert "unexpected fields" in response.content.decode()
    assert patients(hospital) == []


def test_oversized_body_is_refused(client, hospital):
    key = open_form(client, hospital)
    response = submit(client, hospital, key, chief_complaint="a" * 100_000)
    assert response.status_code == 400
    assert patients(hospital) == []


def test_stored_text_renders_escaped(client, hospital):
    key = open_form(client, hospital)
    submit(client, hospital, key, given_name='Ana & "Bo" O\'Neil')
    body = client.get(f"/h/{hospital.slug}/intake/status/").content.decode()
    assert "Ana &amp; &quot;Bo&quot; O&#x27;Neil" in body


def test_status_page_only_in_the_browser_holding_the_session(client, hospital, clock):
    from django.test import Client

    key = open_form(client, hospital)
    submit(client, hospital, key)
    stranger = Client()
    response = stranger.get(f"/h/{hospital.slug}/intake/status/")
    assert "This page has expired" in response.content.decode()
    assert "Ana" not in response.content.decode()
    # The session lasts the visit: long after the form's two hours it still works...
    clock.advance(6 * 3600)
    later = client.get(f"/h/{hospital.slug}/intake/status/")
    assert "Please stay in the waiting room" in later.content.decode()
    # ...up to its absolute cap.
    clock.advance(18 * 3600 + 1)
    capped = client.get(f"/h/{hospital.slug}/intake/status/")
    assert "This page has expired" in capped.content.decode()


def test_worse_flags_the_patient_once_per_ten_minutes(client, hospital, clock):
    key = open_form(client, hospital)
    submit(client, hospital, key)
    response = client.post(f"/h/{hospital.slug}/intake/status/worse/")
    assert response.status_code == 303 and response["Location"].endswith("?worse=sent")
    [patient] = patients(hospital)
    assert patient["worse_reported_at"] and patient["version"] == 2
    again = client.post(f"/h/{hospital.slug}/intake/status/worse/")
    assert again["Location"].endswith("?worse=recent")
    events = patients_repository.events_of_patient(patient["patient_id"])
    assert [e.type for e in events].count("worse_reported") == 1
    clock.advance(10 * 60 + 1)
    third = client.post(f"/h/{hospital.slug}/intake/status/worse/")
    assert third["Location"].endswith("?worse=sent")
    actions = [e["action"] for e in audit_repository.entries_for_patient(patient["patient_id"])]
    assert actions.count("intake.worse_reported") == 2


def test_worse_needs_a_registered_session(client, hospital):
    response = client.post(f"/h/{hospital.slug}/intake/status/worse/")
    assert response.status_code == 410


def test_finish_clears_the_device_for_the_next_person(client, hospital):
    from django.test import Client

    key = open_form(client, hospital)
    submit(client, hospital, key)
    cookie = client.cookies[INTAKE_COOKIE].value
    client.post(f"/h/{hospital.slug}/intake/finish/")
    response = client.get(f"/h/{hospital.slug}/intake/")
    assert response.status_code == 200
    assert form_key(response) != key
    # "Done" ended the session on the server: the old cookie opens nothing any more.
    copy = Client()
    copy.cookies[INTAKE_COOKIE] = cookie
    page = copy.get(f"/h/{hospital.slug}/intake/status/").content.decode()
    assert "This page has expired" in page and "Ana" not in page
    assert copy.post(f"/h/{hospital.slug}/intake/status/worse/").status_code == 303
    [patient] = patients(hospital)
    assert "worse_reported_at" not in patient


def test_missing_csrf_token_is_refused_and_writes_nothing(hospital):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    key = open_form(browser, hospital)
    response = submit(browser, hospital, key)
    assert response.status_code == 403
    assert patients(hospital) == []


def test_the_form_is_offered_in_spanish(client, hospital):
    client.cookies["solace_language"] = "es"
    response = client.get(f"/h/{hospital.slug}/intake/")
    body = response.content.decode()
    assert 'lang="es"' in body
    assert "Siguiente" in body and "Fecha de nacimiento" in body


@pytest.mark.parametrize(
    ("family", "key"),
    [
        ("García López", "garcialopez"),
        ("王", "王"),
        ("Иванов", "иванов"),
        ("O'Neil-Smith", "oneilsmith"),
    ],
)
def test_match_key_keeps_letters_of_every_script(family, key):
    from datetime import date

    from patients.domain import match_key

    assert match_key(family, date(1980, 1, 1)) == f"{key}#1980-01-01"


def test_match_key_is_absent_without_letters():
    from datetime import date

    from patients.domain import match_key

    assert match_key("---", date(1980, 1, 1)) is None
