"""A corpus of bad input at the intake form: every case is a clear 4xx and writes nothing;
text that is stored always renders escaped."""

import uuid

import pytest
from django.test import Client

from accounts.domain import Role
from tests.cockpit_helpers import register
from tests.intake_helpers import VALID, idempotency_records, open_form, patients, submit

TEXT_FIELDS = (
    "given_name",
    "family_name",
    "phone",
    "chief_complaint",
    "allergies",
    "medications",
    "conditions",
)

CASES = [
    *[(f"oversized {f}", {f: "x" * 10_000}) for f in TEXT_FIELDS],
    *[(f"right-to-left override in {f}", {f: "abc\u202edef"}) for f in TEXT_FIELDS],
    *[(f"NUL in {f}", {f: "abc\x00def"}) for f in TEXT_FIELDS],
    *[(f"replacement char in {f}", {f: "abc\ufffddef"}) for f in TEXT_FIELDS],
    ("zero-width space in a name", {"given_name": "A\u200bna"}),
    ("noncharacter", {"chief_complaint": "pain \uffff"}),
    ("escape character", {"allergies": "\x1b[31mred"}),
    ("markup in a name", {"family_name": "<b>Rivera</b>"}),
    ("template syntax in a name", {"given_name": "{{ secret }}"}),
    ("only digits as a name", {"given_name": "1234"}),
    ("date 13th month", {"date_of_birth_month": "13"}),
    ("date 30 February", {"date_of_birth_day": "30", "date_of_birth_month": "2"}),
    ("date zero", {f"date_of_birth_{p}": "0" for p in ("day", "month", "year")}),
    ("date as one number", {"date_of_birth_year": "19800423"}),
    ("date US style in the day", {"date_of_birth_day": "04/23"}),
    ("date month in words", {"date_of_birth_month": "April"}),
    ("date in the future", {"date_of_birth_year": "2999"}),
    ("date 130 years ago", {"date_of_birth_year": "1890"}),
    ("date injection", {"date_of_birth_year": "1980' OR '1'='1"}),
    ("date in one field", {"date_of_birth": "1980-04-23"}),
    ("pain decimal", {"pain_score": "7.5"}),
    ("pain exponent", {"pain_score": "1e1"}),
    ("pain negative", {"pain_score": "-3"}),
    ("pain words", {"pain_score": "a lot"}),
    ("sex unknown value", {"sex": "robot"}),
    ("symptoms comma string", {"symptoms": ["chest_pain,cough"]}),
    ("symptom not in the vocabulary", {"symptoms": ["alien_probe"]}),
    ("onset free text", {"onset": "yesterday"}),
    ("pregnant free text", {"pregnant": "perhaps"}),
    ("language free text", {"preferred_language": "<script>"}),
    ("phone letters", {"phone": "call me"}),
    ("missing complaint", {"chief_complaint": None}),
    ("missing date", {f"date_of_birth_{p}": None for p in ("day", "month", "year")}),
    ("half a date", {"date_of_birth_day": None}),
    ("unknown field", {"insurance_id": "123"}),
    ("payment field", {"card_number": "4111111111111111"}),
]


@pytest.mark.parametrize(("name", "changes"), CASES, ids=[c[0] for c in CASES])
def test_bad_form_input_is_a_clear_400_and_writes_nothing(client, hospital, name, changes):
    key = open_form(client, hospital)
    response = submit(client, hospital, key, **changes)
    assert response.status_code == 400, name
    body = response.content.decode()
    assert 'role="alert"' in body  # the summary that says what to fix
    assert patients(hospital) == [] and idempotency_records(hospital) == []


@pytest.mark.parametrize(
    "key", ["", "not-a-uuid", "x" * 5000, "00000000-0000-0000-0000-00000000000g"]
)
def test_bad_idempotency_key_is_400(client, hospital, key):
    open_form(client, hospital)
    data = {**VALID, "idempotency_key": key}
    response = client.post(f"/h/{hospital.slug}/intake/", data)
    assert response.status_code == 400
    assert "registration key" in response.content.decode()
    assert patients(hospital) == []


def test_json_body_instead_of_a_form_is_400(client, hospital):
    open_form(client, hospital)
    response = client.post(
        f"/h/{hospital.slug}/intake/",
        data={**VALID, "idempotency_key": str(uuid.uuid4())},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert patients(hospital) == []


def test_too_many_fields_is_400(client, hospital):
    key = open_form(client, hospital)
    data = {**VALID, "idempotency_key": key, **{f"f{n}": "x" for n in range(300)}}
    assert client.post(f"/h/{hospital.slug}/intake/", data).status_code == 400
    assert patients(hospital) == []


def test_garbage_session_cookie_is_handled(client, hospital):
    key = open_form(client, hospital)
    client.cookies["solace_intake"] = "\u00e9" * 3 + "x" * 4000
    client.cookies["solace_intake"]["path"] = f"/h/{hospital.slug}/"
    response = submit(client, hospital, key)
    assert response.status_code == 400
    assert "timed out" in response.content.decode()
    assert patients(hospital) == []


def test_missing_csrf_token_is_403_and_writes_nothing(hospital):
    browser = Client(enforce_csrf_checks=True)
    key = open_form(browser, hospital)
    response = submit(browser, hospital, key)
    assert response.status_code == 403
    assert "expired" in response.content.decode()
    assert patients(hospital) == []


SCRIPT = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def test_markup_in_free_text_is_stored_as_text_and_always_rendered_escaped(
    hospital, make_staff, sign_in, client
):
    fields = {f: SCRIPT for f in ("chief_complaint", "allergies", "medications", "conditions")}
    patient = register(hospital, **fields)
    assert patient["chief_complaint"] == SCRIPT
    sign_in(make_staff(Role.NURSE))
    pages = [
        client.get("/cockpit/"),
        client.get(f"/cockpit/patients/{patient['patient_id']}/"),
    ]
    for page in pages:
        body = page.content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body
        assert "&lt;script&gt;" in body
