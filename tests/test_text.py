# ruff: noqa: RUF001 (names in other scripts and full-width letters are the point here)
"""Text people type is stored in NFC; invisible, control, bidi-control, tag and filler
characters are refused with a clear message and nothing is written; ZWNJ/ZWJ stay inside words
(Persian, Indic); compatibility folding (NFKD, casefold) is for matching earlier visits only."""

import unicodedata
from datetime import date

import pytest
from django.test import Client

from accounts.domain import Role
from audit import repository as audit_repository
from patients import repository as patients_repository
from patients.domain import match_key
from solace.forms import unsafe_characters
from tests.cockpit_helpers import register
from tests.intake_helpers import idempotency_records, open_form, patients, stored, submit

MESSAGE = "Please remove the special characters from this answer."

REFUSED = {
    "Hangul filler U+3164": "\u3164",
    "halfwidth Hangul filler U+FFA0": "\uffa0",
    "line separator U+2028": "\u2028",
    "paragraph separator U+2029": "\u2029",
    "right-to-left override U+202E": "\u202e",
    "left-to-right embedding U+202A": "\u202a",
    "first-strong isolate U+2068": "\u2068",
    "right-to-left mark U+200F": "\u200f",
    "Arabic letter mark U+061C": "\u061c",
    "byte-order mark U+FEFF": "\ufeff",
    "zero-width space U+200B": "\u200b",
    "tag latin capital A U+E0041": "\U000e0041",
    "cancel tag U+E007F": "\U000e007f",
    "NUL": "\x00",
    "escape": "\x1b",
    "next line U+0085": "\u0085",
    "private use U+E000": "\ue000",
    "joiner between spaces": " \u200d ",
}
FIELDS = ("given_name", "family_name", "chief_complaint", "allergies")

PERSIAN = "علی\u200cزاده"  # Alizadeh, with the ZWNJ Persian spelling needs
DEVANAGARI = "अर्\u200dजुन"  # Arjun with the eyelash RA (RA, virama, ZWJ)
MALAYALAM = "അരുണ്\u200d"  # Arun, chillu written as NNA, virama, ZWJ at the end of the word


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("name", REFUSED, ids=list(REFUSED))
def test_the_intake_form_refuses_invisible_and_control_characters(client, hospital, field, name):
    key = open_form(client, hospital)
    response = submit(client, hospital, key, **{field: "Ro" + REFUSED[name] + "sa"})
    assert response.status_code == 400
    body = response.content.decode()
    assert MESSAGE in body and 'role="alert"' in body
    assert patients(hospital) == [] and idempotency_records(hospital) == []


@pytest.mark.parametrize(
    ("changes", "stored_as"),
    [
        ({"family_name": PERSIAN}, {"family_name": PERSIAN}),
        ({"given_name": DEVANAGARI}, {"given_name": DEVANAGARI}),
        ({"given_name": MALAYALAM + " കുമാർ"}, {"given_name": MALAYALAM + " കുമാർ"}),
        ({"given_name": "Jose\u0301"}, {"given_name": "Jos\u00e9"}),  # decomposed: stored composed
        (
            {"chief_complaint": "Dolor en el cora\u0301zon\nsince 6am\ttoday"},
            {"chief_complaint": "Dolor en el cor\u00e1zon\nsince 6am\ttoday"},
        ),
        (
            {"given_name": "An\u0303a\u00a0María"},
            {"given_name": "A\u00f1a María"},
        ),  # NBSP: one space
    ],
)
def test_the_intake_form_stores_words_with_joiners_in_nfc(client, hospital, changes, stored_as):
    key = open_form(client, hospital)
    response = submit(client, hospital, key, **changes)
    assert response.status_code == 303, response.content.decode()[-2000:]
    [patient] = patients(hospital)
    for field, expected in stored_as.items():
        assert patient[field] == expected
        assert unicodedata.is_normalized("NFC", patient[field])


def test_fullwidth_letters_are_stored_as_typed_and_matched_folded(client, hospital):
    fullwidth = "Ｇａｒｃíａ"  # a phone keyboard in full-width mode
    submit(client, hospital, open_form(client, hospital), family_name=fullwidth)
    [patient] = patients(hospital)
    assert patient["family_name"] == fullwidth  # NFC keeps it: only matching folds it
    assert patient["match_key"] == "garcia#1980-04-23"


@pytest.mark.parametrize(
    ("typed", "same_as"),
    [
        (PERSIAN, "علیزاده"),
        ("Ｇａｒｃｉａ", "GARCIA"),
        ("Garci\u0301a", "García"),
        (DEVANAGARI, "अर्जुन"),
        ("مُحَمَّد", "محمد"),  # optional Arabic vowel marks
        ("Nguyễn", "NGUYEN"),
    ],
)
def test_earlier_visits_match_across_joiners_width_case_and_composition(typed, same_as):
    born = date(1980, 1, 1)
    assert match_key(typed, born) == match_key(same_as, born) is not None


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("राम", "रमा"),  # Ram, Rama: the vowel signs are the difference
        ("रीमा", "रमा"),
        ("さとう", "さどう"),  # Sato, Sado: the voicing mark
        ("ปา", "ป\u0e48า"),  # Thai: the tone mark
    ],
)
def test_marks_that_spell_a_different_name_are_kept_for_matching(one, other):
    born = date(1980, 1, 1)
    assert match_key(one, born) != match_key(other, born)


def test_joiners_are_kept_inside_words_only():
    for word in (PERSIAN, DEVANAGARI, MALAYALAM, "क्\u200dष"):
        assert unsafe_characters(word) == [], word
    for text in ("\u200cabc", "abc\u200c", "a\u200d\u200db", "a \u200c b", "\u200d"):
        assert unsafe_characters(text), repr(text)


@pytest.fixture
def nurse_client(make_staff, sign_in):
    return sign_in(make_staff(Role.NURSE))


@pytest.mark.parametrize("name", REFUSED, ids=list(REFUSED))
def test_the_acuity_override_reason_refuses_them_and_writes_nothing(nurse_client, hospital, name):
    patient = register(hospital)
    before = stored(patient["patient_id"])
    response = nurse_client.post(
        f"/cockpit/patients/{patient['patient_id']}/acuity/",
        {"version": before["version"], "level": "1", "reason": "looks" + REFUSED[name] + "grey"},
    )
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    assert stored(patient["patient_id"]) == before
    events = patients_repository.events_of_patient(patient["patient_id"])
    assert [e.type for e in events] == ["arrived", "triage_suggested"]


def test_the_acuity_override_reason_is_stored_in_nfc(nurse_client, hospital):
    patient = register(hospital)
    response = nurse_client.post(
        f"/cockpit/patients/{patient['patient_id']}/acuity/",
        {"version": stored(patient["patient_id"])["version"], "level": "1", "reason": "pa\u0301le"},
    )
    assert response.status_code == 303
    assert stored(patient["patient_id"])["override_reason"] == "p\u00e1le"


@pytest.mark.parametrize("field", ["actor", "patient"])
def test_the_audit_filter_refuses_them_and_records_no_search(make_staff, sign_in, hospital, field):
    admin = make_staff(Role.ADMIN, hospitals=[hospital])
    browser = sign_in(admin, browser=Client())
    response = browser.get(
        "/audit/", {"hospital": hospital.hospital_id, field: "a" * 16 + "\u202e" + "b" * 15}
    )
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    entries, _ = audit_repository.query_page(
        index=None,
        key_name="hospital_id",
        key_value=hospital.hospital_id,
        entry_from="0",
        entry_to="~",
        filters={},
        limit=1000,
        start_key=None,
    )
    assert [e for e in entries if e["action"] == "audit.browsed"] == []
