"""The nurse's side of triage: vitals as append-only sets, findings that re-run the engine,
quick registration, and alerts for patients and staff."""

import json
import re
import uuid

import pytest
from django.test import Client

from accounts import services as accounts_services
from accounts.domain import Role
from patients import repository as patients_repository
from tests.cockpit_helpers import poll, register
from tests.intake_helpers import audit_entries, open_form, patients, stored, submit

SPRAIN = {
    "symptoms": ["limb_injury"],
    "chief_complaint": "Twisted my ankle playing football, I can walk on it",
    "pain_score": "4",
    "allergies": "",
    "conditions": "",
}


@pytest.fixture
def nurse_client(make_staff, sign_in):
    return sign_in(make_staff(Role.NURSE))


def act(browser, patient_id, action, **data):
    version = data.pop("version", None) or stored(patient_id)["version"]
    return browser.post(f"/cockpit/patients/{patient_id}/{action}/", {"version": version, **data})


def page(browser, patient_id) -> str:
    response = browser.get(f"/cockpit/patients/{patient_id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_partial_set_never_wipes_a_full_one(nurse_client, hospital):
    patient = register(hospital, **SPRAIN)["patient_id"]
    full = act(
        nurse_client,
        patient,
        "vitals",
        heart_rate="128",
        respiratory_rate="32",
        spo2="84",
        oxygen="room_air",
        systolic="82",
        diastolic="50",
        temperature="38.9",
        temperature_unit="C",
        avpu="V",
    )
    assert full.status_code == 303
    assert stored(patient)["suggested_level"] == 1
    assert act(nurse_client, patient, "vitals", pain="3").status_code == 303
    item = stored(patient)
    assert item["suggested_level"] == 1  # the pain-only set re-ran on the latest of EACH measure
    assert len(item["vitals_sets"]) == 2
    assert item["vitals"]["spo2"] == 84 and item["vitals"]["pain"] == 3
    body = page(nurse_client, patient)
    assert "84 % room air" in body and "82/50 mmHg" in body and "3/10" in body
    assert "38.9 °C" in body and "Responds to voice" in body


def test_the_vitals_table_shows_only_the_measures_recorded(nurse_client, hospital):
    """A column of dashes costs width a laptop at 200 % zoom does not have."""
    patient = register(hospital, **SPRAIN)["patient_id"]
    act(nurse_client, patient, "vitals", heart_rate="88", pain="4")

    def headings():
        table = re.search(r'<table class="vitals">.*?</thead>', page(nurse_client, patient), re.S)
        return re.findall(r'<th scope="col">([^<]+)</th>', table.group(0))

    assert headings() == ["Taken", "Heart rate", "Pain", "By"]
    assert (
        act(nurse_client, patient, "vitals", glucose="140", glucose_unit="mg/dL").status_code == 303
    )
    assert headings() == ["Taken", "Heart rate", "Pain", "Glucose", "By"]


def test_changes_since_the_previous_set_are_marked(nurse_client, hospital):
    patient = register(hospital, **SPRAIN)["patient_id"]
    act(nurse_client, patient, "vitals", heart_rate="90", spo2="98")
    act(nurse_client, patient, "vitals", heart_rate="112", spo2="98")
    body = page(nurse_client, patient)
    assert re.search(r'class="changed up">112 /min.*?\(was 90 /min\)', body, re.S)
    assert "(was 98 %)" not in body


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"gcs": "2"}, "gcs", "greater than or equal to 3"),
        ({"gcs": "16"}, "gcs", "less than or equal to 15"),
        ({"glucose": "5000", "glucose_unit": "mg/dL"}, "glucose", "between 10 and 1500 mg/dL"),
        ({"glucose": "90", "glucose_unit": "mmol/L"}, "glucose", "check the unit"),
        ({"systolic": "80", "diastolic": "95"}, "diastolic", "lower than the systolic"),
        ({"systolic": "120"}, "diastolic", "both numbers"),
        ({"temperature": "98.6", "temperature_unit": "C"}, "temperature", "looks like °F"),
        ({"temperature": "37", "temperature_unit": "F"}, "temperature", "looks like °C"),
        ({"spo2": "101"}, "spo2", "less than or equal to 100"),
        ({"oxygen": "oxygen"}, "oxygen_l_min", "litres per minute"),
        ({"avpu": "X"}, "avpu", "Select a valid choice"),
        ({}, None, "at least one measurement"),
    ],
)
def test_implausible_vitals_are_refused_and_write_nothing(
    nurse_client, hospital, data, field, message
):
    patient = register(hospital, **SPRAIN)["patient_id"]
    response = act(nurse_client, patient, "vitals", **data)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    if field:
        assert f'id="vitals-{field}_error"' in body
    assert "vitals_sets" not in stored(patient) and stored(patient)["version"] == 1


def test_units_are_converted_to_one_stored_unit_and_shown_in_the_hospitals(
    nurse_client, make_hospital, make_staff, sign_in
):
    hospital = make_hospital()
    accounts_services.hospital_update(hospital.slug, {"temperature_unit": "F"})
    browser = sign_in(make_staff(Role.NURSE, hospitals=[hospital]), browser=Client())
    patient = register(hospital, **SPRAIN)["patient_id"]
    act(
        browser,
        patient,
        "vitals",
        temperature="101.3",
        temperature_unit="F",
        glucose="5.5",
        glucose_unit="mmol/L",
    )
    values = stored(patient)["vitals"]
    assert values["temperature_c"] == 38.5 and values["glucose_mg_dl"] == 99
    assert "101.3 °F" in page(browser, patient) and "99 mg/dL" in page(browser, patient)


def test_a_correction_is_a_new_set_and_the_corrected_one_stops_counting(nurse_client, hospital):
    patient = register(hospital, **SPRAIN)["patient_id"]
    act(nurse_client, patient, "vitals", heart_rate="190", spo2="97")  # a typo: 190
    [wrong] = stored(patient)["vitals_sets"]
    assert stored(patient)["suggested_level"] == 2
    prefilled = nurse_client.get(f"/cockpit/patients/{patient}/?correct={wrong['set_id']}")
    assert 'value="190"' in prefilled.content.decode()
    act(nurse_client, patient, "vitals", heart_rate="90", spo2="97", corrects=wrong["set_id"])
    item = stored(patient)
    assert [s["values"]["heart_rate"] for s in item["vitals_sets"]] == [190, 90]  # kept
    assert item["vitals_sets"][1]["corrects"] == wrong["set_id"]
    assert item["vitals"]["heart_rate"] == 90 and item["suggested_level"] > 2
    assert 'class="corrected"' in page(nurse_client, patient)
    refused = act(nurse_client, patient, "vitals", heart_rate="80", corrects="not-a-set")
    assert refused.status_code == 400


def test_a_finding_re_runs_the_engine_and_the_timeline_says_so(nurse_client, hospital):
    patient = register(hospital, **SPRAIN)["patient_id"]
    before = stored(patient)["suggested_level"]
    response = act(nurse_client, patient, "findings", findings=["active_seizure"])
    assert response.status_code == 303
    item = stored(patient)
    assert item["findings"] == ["active_seizure"] and item["suggested_level"] == 1
    assert item["alert"] == "more_urgent"
    body = page(nurse_client, patient)
    added = "added Seizure now, or repeated seizures without recovery"
    assert f"Findings recorded · {added} · suggestion {before} → 1" in body
    actions = [e["action"] for e in audit_entries(hospital, None)]
    assert "patient.findings_recorded" in actions


def test_a_childs_weight_is_asked_once_before_the_acuity_is_confirmed(nurse_client, hospital):
    child = register(hospital, born="2021-03-01", **SPRAIN)["patient_id"]
    body = page(nurse_client, child)
    assert "record the weight" in body and 'id="vitals-weight"' in body
    refused = act(nurse_client, child, "acuity", level=str(stored(child)["suggested_level"]))
    assert refused.status_code == 400 and "weight first" in refused.content.decode()
    act(nurse_client, child, "vitals", weight="40", weight_unit="lb")
    assert stored(child)["vitals"]["weight_kg"] == 18.1
    assert 'id="vitals-weight"' not in page(nurse_client, child)  # not on every set
    level = str(stored(child)["suggested_level"])
    assert act(nurse_client, child, "acuity", level=level).status_code == 303
    adult = register(hospital, **SPRAIN)["patient_id"]
    assert 'id="vitals-weight"' not in page(nurse_client, adult)


def _arrival(browser, **data):
    form = browser.get("/cockpit/arrivals/new/")
    assert form.status_code == 200
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form.content.decode()).group(1)
    fields = {
        "idempotency_key": key,
        "sex": "female",
        "age": "40",
        "age_unit": "years",
        "arrival_mode": "ambulance",
        "chief_complaint": "Found unresponsive at home",
        **data,
    }
    return browser.post("/cockpit/arrivals/new/", fields), fields


def test_quick_registration_of_an_unknown_patient(nurse_client, hospital):
    response, fields = _arrival(
        nurse_client, findings=["agonal_breathing"], avpu="U", heart_rate="40"
    )
    assert response.status_code == 303
    [item] = patients(hospital)
    assert re.fullmatch(r"Unknown Female \d{4}", item["alias"])
    assert item["age_estimated"] and "date_of_birth" not in item and "match_key" not in item
    assert item["age_days"] == 40 * 365 and item["arrival_mode"] == "ambulance"
    assert item["suggested_level"] == 1 and item["alert"] == "urgent_arrival"
    assert response["Location"] == f"/cockpit/patients/{item['patient_id']}/?saved=arrival"
    again = nurse_client.post("/cockpit/arrivals/new/", fields)  # a double submit
    assert again.status_code == 303 and len(patients(hospital)) == 1
    queue = poll(nurse_client, hospital).content.decode()
    assert item["check_in_code"] in queue
    [entry] = audit_entries(hospital, "patient.registered_by_staff")
    assert entry["actor_type"] == "staff" and entry["patient_id"] == item["patient_id"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"age": ""}, "estimated age or a date of birth"),
        ({"sex": ""}, "This field is required"),
        ({"chief_complaint": ""}, "This field is required"),
        ({"given_name": "Ana"}, "last name too"),
        ({"date_of_birth": "2999-01-01"}, "cannot be in the future"),
        ({"spo2": "140"}, "less than or equal to 100"),
        ({"chief_complaint": "hurts\u202eevil"}, "special characters"),
    ],
)
def test_quick_registration_refuses_bad_input_and_writes_nothing(
    nurse_client, hospital, data, message
):
    response, _ = _arrival(nurse_client, **data)
    assert response.status_code == 400 and message in response.content.decode()
    assert patients(hospital) == []


def test_completing_the_name_re_runs_the_match_and_drops_the_alias(nurse_client, hospital):
    earlier = register(hospital, family_name="Okafor", born="1951-02-03")
    _arrival(nurse_client, age="70")
    [unknown] = [p for p in patients(hospital) if p["patient_id"] != earlier["patient_id"]]
    done = act(
        nurse_client,
        unknown["patient_id"],
        "identity",
        given_name="Grace",
        family_name="Okafor",
        date_of_birth="1951-02-03",
    )
    assert done.status_code == 303
    item = stored(unknown["patient_id"])
    assert "alias" not in item and item["match_key"] == "okafor#1951-02-03"
    assert not item.get("age_estimated")
    body = page(nurse_client, unknown["patient_id"])
    assert "Okafor, Grace" in body and earlier["check_in_code"] in body


def test_quick_registration_is_for_clinicians_only(make_staff, sign_in, client):
    sign_in(make_staff(Role.ADMIN))
    assert client.get("/cockpit/arrivals/new/").status_code == 403


def _status_page(browser, hospital, **answers):
    response = submit(browser, hospital, open_form(browser, hospital), **answers)
    assert response.status_code == 303
    return browser.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    "answers",
    [
        {"symptoms": [], "chief_complaint": "My father is not breathing"},
        {"symptoms": ["chest_pain"], "chief_complaint": "pressure"},
        {"symptoms": [], "chief_complaint": "quiero hacerme daño, pensamientos de suicidio"},
        {"symptoms": ["face_droop"], "chief_complaint": "my face feels odd"},
    ],
)
def test_a_red_flag_patient_is_told_to_go_to_the_front_desk_first(client, hospital, answers):
    body = _status_page(client, hospital, **answers)
    assert 'id="front-desk-now"' in body
    assert body.index("front-desk-now") < body.index("check-in-code")
    assert "level" not in body.lower().replace("<html lang", "")  # never a level


def test_a_sprained_ankle_gets_no_front_desk_instruction(client, hospital):
    body = _status_page(client, hospital, **SPRAIN)
    assert 'id="front-desk-now"' not in body


def test_the_front_desk_instruction_is_in_the_patients_language(client, hospital):
    client.cookies["solace_language"] = "es"
    body = _status_page(client, hospital, symptoms=[], chief_complaint="no puede respirar")
    assert "Vaya ahora mismo al mostrador" in body


def test_an_urgent_arrival_is_pinned_until_acknowledged_by_anyone(make_staff, sign_in, hospital):
    ana = sign_in(make_staff(Role.NURSE), browser=Client())
    ben = sign_in(make_staff(Role.NURSE), browser=Client())
    calm = register(hospital, **SPRAIN)
    urgent = register(hospital, symptoms=["chest_pain"], chief_complaint="crushing chest pain")
    for browser in (ana, ben):
        rows = poll(browser, hospital).content.decode()
        assert 'data-alerts="1"' in rows
        assert rows.index(urgent["check_in_code"]) < rows.index(calm["check_in_code"])
        assert "New urgent arrival" in rows
    acknowledged = ana.post(
        f"/cockpit/patients/{urgent['patient_id']}/acknowledge/",
        {"version": stored(urgent["patient_id"])["version"]},
        headers={"HX-Request": "true"},
    )
    assert acknowledged.status_code == 204
    trigger = json.loads(acknowledged["HX-Trigger"])
    assert "queue-changed" in trigger and "Alert acknowledged" in trigger["solace-saved"]["message"]
    rows = poll(ben, hospital).content.decode()  # the other workstation sees it cleared
    assert 'data-alerts="0"' in rows and "New urgent arrival" not in rows
    events = patients_repository.events_of_patient(urgent["patient_id"])
    assert events[-1].type == "alert_acknowledged"
    again = act(ana, urgent["patient_id"], "acknowledge")
    assert again.status_code == 400 and "no alert" in again.content.decode()


def test_a_calm_arrival_raises_no_alert(nurse_client, hospital):
    register(hospital, **SPRAIN)
    assert 'data-alerts="0"' in poll(nurse_client, hospital).content.decode()


def test_feeling_worse_raises_the_same_alert(nurse_client, hospital, client):
    submit(client, hospital, open_form(client, hospital), **SPRAIN)
    client.post(f"/h/{hospital.slug}/intake/status/worse/")
    rows = poll(nurse_client, hospital).content.decode()
    assert 'data-alerts="1"' in rows and "Patient reports feeling worse" in rows


def test_quick_registration_key_is_one_per_form(nurse_client, hospital):
    _, fields = _arrival(nurse_client)
    other = nurse_client.post(
        "/cockpit/arrivals/new/", {**fields, "chief_complaint": "a different patient"}
    )
    assert other.status_code == 422 and len(patients(hospital)) == 1
    fresh = {**fields, "idempotency_key": str(uuid.uuid4())}
    assert nurse_client.post("/cockpit/arrivals/new/", fresh).status_code == 303
    assert len(patients(hospital)) == 2
