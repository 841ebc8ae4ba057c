"""A public form bots cannot flood, that never leaves a real patient stranded: registration
limits per address and per hospital (TTL'd counters; nothing written past a limit), the
waiting-room code, and a form that is kind to a person in pain (language switch keeps the
answers, errors take the focus)."""

import itertools
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client

from accounts import services as accounts_services
from accounts.repository import hospital_get
from intake import selectors as intake_selectors
from intake import tickets
from intake.views import INTAKE_COOKIE
from solace import dynamodb
from solace.dynamodb import Expression
from solace.tables import INTAKE_SESSIONS, LOGIN_THROTTLE
from tests.intake_helpers import (
    VALID,
    audit_entries,
    form_key,
    idempotency_records,
    open_form,
    patients,
    submit,
)

_addresses = itertools.count(1)


def from_address(address: str | None = None) -> Client:
    n = next(_addresses)
    return Client(REMOTE_ADDR=address or f"10.201.{n // 256 % 256}.{n % 256}")


def register_from(browser, hospital, **changes):
    """One new registration from this browser (a new intake session each time)."""
    response = submit(browser, hospital, open_form(browser, hospital), **changes)
    browser.cookies.pop(INTAKE_COOKIE, None)
    return response


def counters(prefix: str):
    # Tests only: a Scan of the counters table to see what was written.
    response = dynamodb.call(
        "scan",
        TableName=dynamodb.table_name(LOGIN_THROTTLE),
        FilterExpression="begins_with(throttle_key, :p)",
        **Expression(p=prefix).params(),
        ConsistentRead=True,
    )
    return [dynamodb.deserialize(i) for i in response["Items"]]


def sessions_of(hospital):
    response = dynamodb.call(
        "scan",
        TableName=dynamodb.table_name(INTAKE_SESSIONS),
        FilterExpression="hospital_id = :h",
        **Expression(h=hospital.hospital_id).params(),
        ConsistentRead=True,
    )
    return response["Items"]


def test_a_flood_from_one_address_is_limited_and_writes_nothing_past_the_limit(hospital):
    flood = from_address("203.0.113.7")
    answers = [register_from(flood, hospital, given_name=f"Bot{n}") for n in range(14)]
    assert [a.status_code for a in answers] == [303] * 10 + [429] * 4
    limited = answers[-1].content.decode()
    assert "Please go to the front desk now" in limited and 'class="front-desk"' in limited
    assert answers[-1]["Retry-After"] == "600"
    assert len(patients(hospital)) == 10
    assert len(idempotency_records(hospital)) == 10
    assert len(audit_entries(hospital)) == 10
    assert len(sessions_of(hospital)) == 10
    [address_counter] = counters(f"register#address#{hospital.hospital_id}#")
    [hospital_counter] = counters(f"register#hospital#{hospital.hospital_id}#")
    assert address_counter["events"] == 10 and hospital_counter["events"] == 10
    assert "203.0.113.7" not in str(address_counter)  # a keyed hash, never the address
    # Someone else on another address still registers.
    assert register_from(from_address(), hospital).status_code == 303
    assert len(patients(hospital)) == 11


def test_a_limited_browser_can_still_replay_what_it_already_sent(hospital):
    accounts_services.hospital_update(hospital.slug, registrations_per_address=1)
    phone = from_address()
    key = open_form(phone, hospital)
    assert submit(phone, hospital, key).status_code == 303
    # Bad Wi-Fi: the same submission again is answered from its record, never limited.
    assert submit(phone, hospital, key).status_code == 303
    other = from_address(phone.defaults["REMOTE_ADDR"])
    assert register_from(other, hospital).status_code == 429
    assert len(patients(hospital)) == 1


def test_the_hospital_cap_holds_across_addresses_and_windows_reopen(hospital, clock):
    accounts_services.hospital_update(
        hospital.slug,
        registrations_per_address=0,
        registrations_per_hospital=3,
        registration_window_minutes=5,
    )
    answers = [register_from(from_address(), hospital).status_code for _ in range(5)]
    assert answers == [303, 303, 303, 429, 429]
    assert len(patients(hospital)) == 3
    clock.advance(5 * 60)
    assert register_from(from_address(), hospital).status_code == 303


def test_a_limit_of_zero_is_no_limit(hospital):
    accounts_services.hospital_update(
        hospital.slug, registrations_per_address=0, registrations_per_hospital=0
    )
    flood = from_address()
    assert {register_from(flood, hospital).status_code for _ in range(12)} == {303}
    assert counters(f"register#address#{hospital.hospital_id}#") == []


def test_staff_quick_registration_is_never_limited(make_staff, sign_in, hospital):
    from accounts.domain import Role

    accounts_services.hospital_update(hospital.slug, registrations_per_hospital=1)
    assert register_from(from_address(), hospital).status_code == 303
    assert register_from(from_address(), hospital).status_code == 429
    nurse = sign_in(make_staff(Role.NURSE), browser=from_address())
    page = nurse.get("/cockpit/arrivals/new/").content.decode()
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    data = {
        "idempotency_key": key,
        "sex": "female",
        "age": "40",
        "age_unit": "years",
        "arrival_mode": "walk_in",
        "chief_complaint": "sent to the desk by the form",
    }
    assert nurse.post("/cockpit/arrivals/new/", data).status_code == 303
    assert len(patients(hospital)) == 2


def test_the_limits_are_settings_changed_with_update_hospital(hospital):
    call_command(
        "update_hospital",
        hospital.slug,
        "--registrations-per-address",
        "4",
        "--registrations-per-hospital",
        "40",
        "--registration-window-minutes",
        "15",
        "--waiting-room-code",
        "on",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    changed = hospital_get(hospital.hospital_id)
    assert (
        changed.registrations_per_address,
        changed.registrations_per_hospital,
        changed.registration_window_minutes,
        changed.waiting_room_code,
    ) == (4, 40, 15, True)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("update_hospital", hospital.slug, "--registration-window-minutes", "0")
    with pytest.raises(CommandError):
        call_command("update_hospital", hospital.slug, "--call-places", ";")


# --- The waiting-room code --------------------------------------------------------------------
@pytest.fixture
def coded(hospital):
    accounts_services.hospital_update(hospital.slug, waiting_room_code=True)
    return hospital_get(hospital.hospital_id)


def test_the_form_asks_for_the_code_of_the_day_shown_on_the_board(coded):
    code = intake_selectors.waiting_room_code(coded)
    assert re.fullmatch(r"\d{4}", code)
    phone = from_address()
    assert 'name="waiting_room_code"' in phone.get(f"/h/{coded.slug}/intake/").content.decode()
    wrong = f"{(int(code) + 1) % 10000:04d}"
    response = register_from(phone, coded, waiting_room_code=wrong)
    assert response.status_code == 400
    assert "does not match the screen" in response.content.decode()
    assert patients(coded) == [] and idempotency_records(coded) == []
    assert register_from(phone, coded, waiting_room_code=code).status_code == 303


def test_the_code_changes_daily_and_yesterdays_still_works_after_midnight(coded, clock):
    today = intake_selectors.local_day(coded)
    yesterday = intake_selectors.waiting_room_code(coded, today - timedelta(days=1))
    before = intake_selectors.waiting_room_code(coded, today - timedelta(days=2))
    assert len({yesterday, before, intake_selectors.waiting_room_code(coded)}) == 3
    assert intake_selectors.waiting_room_code_accepted(coded, yesterday)
    assert not intake_selectors.waiting_room_code_accepted(coded, before)


def test_wrong_codes_are_counted_and_past_the_limit_nothing_more_is_written(coded):
    bot = from_address()
    answers = [
        register_from(bot, coded, waiting_room_code=f"{n:04d}X").status_code for n in range(12)
    ]
    assert answers == [400] * 10 + [429] * 2
    [counter] = counters(f"register#code#{coded.hospital_id}#")
    assert counter["events"] == 10
    assert patients(coded) == []


def test_the_board_shows_the_code(make_staff, sign_in, coded):
    from accounts.domain import Role

    # The waiting-room TV opens a display link a charge nurse made (issue 13).
    charge = sign_in(make_staff(Role.CHARGE_NURSE, hospitals=[coded]), browser=from_address())
    made = charge.post("/cockpit/displays/", {"hospital": coded.hospital_id, "name": "Lobby"})
    board = re.search(
        r'href="http://testserver(/h/[^"]+/board/\?key=[^"]+)"', made.content.decode()
    )
    page = Client().get(board.group(1).replace("&amp;", "&")).content.decode()
    assert intake_selectors.waiting_room_code(coded) in page and "Check-in code for today" in page


# --- The form: steps, language, errors --------------------------------------------------------
def test_next_checks_only_the_first_step_and_writes_nothing(hospital):
    phone = from_address()
    key = open_form(phone, hospital)
    step_one = {k: v for k, v in VALID.items() if k not in ("chief_complaint", "symptoms")}
    response = phone.post(
        f"/h/{hospital.slug}/intake/", {**step_one, "step": "1", "idempotency_key": key}
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'name="chief_complaint"' in body
    assert 'aria-current="step"' in body and "Step 2 of 2" in body
    assert 'type="hidden" name="given_name" value="Ana"' in body
    assert form_key(response) == key
    assert patients(hospital) == []
    # "Back" keeps the second step's answers too.
    back = phone.post(
        f"/h/{hospital.slug}/intake/",
        {**VALID, "step": "2", "back": "1", "idempotency_key": key},
    ).content.decode()
    assert 'name="given_name" value="Ana"' in back and "Step 1 of 2" in back
    assert 'type="hidden" name="chief_complaint" value="Pressure in my chest' in back


def test_the_language_switch_keeps_every_answer_and_writes_nothing(hospital):
    phone = from_address()
    key = open_form(phone, hospital)
    data = {**VALID, "step": "2", "language": "es", "idempotency_key": key}
    response = phone.post(f"/h/{hospital.slug}/intake/", data)
    body = response.content.decode()
    assert response.status_code == 200 and 'lang="es"' in body
    assert "Pressure in my chest since this morning</textarea>" in body
    assert re.search(r'value="chest_pain"[^>]*checked', body)
    assert 'type="hidden" name="family_name" value="García López"' in body
    assert response.cookies["solace_language"].value == "es"
    assert form_key(response) == key and patients(hospital) == []
    # Step 1 in Spanish: the date's fields in Spanish order, the answers there.
    first = phone.post(
        f"/h/{hospital.slug}/intake/",
        {**VALID, "step": "1", "language": "es", "idempotency_key": key},
    ).content.decode()
    assert first.index("Día") < first.index("Mes") < first.index("Año")
    assert 'name="date_of_birth_day" value="23"' in first.replace(' class="date-part"', "")


def test_a_failed_submit_summarises_and_links_each_error_and_takes_the_focus(hospital):
    phone = from_address()
    key = open_form(phone, hospital)
    response = submit(phone, hospital, key, given_name="", sex=None, date_of_birth_year="")
    body = response.content.decode()
    assert response.status_code == 400
    start = body.index('<div class="error-summary"')
    summary = body[start : body.index("</div>", start)]
    assert "autofocus" in summary[: summary.index(">")]
    for anchor in ("#id_given_name", "#id_sex_0", "#id_date_of_birth_1"):
        assert f'href="{anchor}"' in summary, anchor
    assert re.search(r'id="id_sex_0"', body) and 'id="id_date_of_birth_1"' in body
    assert "<title>Please check your answers" in body


def test_every_required_field_is_marked(hospital):
    body = from_address().get(f"/h/{hospital.slug}/intake/").content.decode()
    for label in ("First name", "Last name", "Date of birth", "Sex"):
        assert re.search(label + r'\s*<span class="req">\(required\)</span>', body), label
    assert not re.search(r'Mobile phone\s*<span class="req">', body)


def test_the_date_help_matches_the_fields_in_both_languages(hospital):
    english = from_address().get(f"/h/{hospital.slug}/intake/").content.decode()
    assert "Month, day and year" in english
    assert english.index(">Month<") < english.index(">Day<") < english.index(">Year<")
    phone = from_address()
    phone.cookies["solace_language"] = "es"
    spanish = phone.get(f"/h/{hospital.slug}/intake/").content.decode()
    assert "Día, mes y año" in spanish
    assert spanish.index(">Día<") < spanish.index(">Mes<") < spanish.index(">Año<")


def test_companion_items_register_and_tell_the_patient_to_go_to_the_desk(hospital):
    phone = from_address()
    answer = submit(
        phone,
        hospital,
        open_form(phone, hospital),
        registering_for="someone_else",
        companion_symptoms=["not_breathing"],
    )
    assert answer.status_code == 303
    [patient] = patients(hospital)
    assert "not_breathing" in patient["symptoms"] and patient["companion"] is True
    assert patient["suggested_level"] == 1
    page = phone.get(f"/h/{hospital.slug}/intake/status/").content.decode()
    assert "Go to the front desk now" in page
    # Without "someone else", the companion's items are refused.
    other = from_address()
    refused = submit(
        other, hospital, open_form(other, hospital), companion_symptoms=["unresponsive"]
    )
    assert refused.status_code == 400 and len(patients(hospital)) == 1


def test_the_cookie_is_bound_to_its_hospital_and_signed(hospital, make_hospital):
    phone = from_address()
    open_form(phone, hospital)
    value = phone.cookies[INTAKE_COOKIE].value
    assert tickets.decode(value, hospital) is not None
    assert tickets.decode(value, make_hospital()) is None
    assert tickets.decode("x" * 2000, hospital) is None
