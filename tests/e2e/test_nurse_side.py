"""The nurse's side of triage in a real browser: two vitals sets that both stay, a finding that
raises the level, a quick registration, the front-desk instruction, shared alerts."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from accounts.domain import Role
from tests.e2e.conftest import (
    PHONE,
    POLL_SECONDS,
    WORKSTATION,
    fill_about_you,
    fill_why,
    next_step,
    register,
    sign_in,
)
from tests.intake_helpers import patients

pytestmark = pytest.mark.live
WAIT_MS = (POLL_SECONDS + 4) * 1000


def _serious(page) -> list[str]:
    results = Axe().run(page)
    return [
        v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")
    ]


def _phone_registration(context_factory, server, site, complaint, symptoms=()):
    page = context_factory(**PHONE).new_page()
    page.goto(f"{server.url}/h/{site.slug}/intake/")
    fill_about_you(page, "Sam", family="Lee", born=("11", "2", "1968"), sex="male")
    next_step(page)
    fill_why(page, complaint, symptoms)
    register(page)
    return page


def test_two_sets_stay_visible_and_a_finding_raises_the_level(
    context_factory, server, site, staff_of
):
    _phone_registration(
        context_factory, server, site, "Twisted my ankle, I can walk on it", ("limb_injury",)
    )
    [patient] = patients(site)
    page = context_factory(**WORKSTATION).new_page()
    sign_in(page, server, staff_of(Role.NURSE))
    page.goto(f"{server.url}/cockpit/patients/{patient['patient_id']}/")
    page.fill("#vitals-heart_rate", "135")
    page.fill("#vitals-respiratory_rate", "34")
    page.fill("#vitals-spo2", "86")
    page.select_option("#vitals-oxygen", "room_air")
    page.fill("#vitals-systolic", "84")
    page.fill("#vitals-diastolic", "52")
    page.select_option("#vitals-avpu", "V")
    page.click("#record-vitals button[type=submit]")
    page.wait_for_selector("table.vitals")
    assert "Triage suggestion: level 1" in page.inner_text("main")
    page.fill("#vitals-pain", "3")
    page.click("#record-vitals button[type=submit]")
    page.wait_for_function("document.querySelectorAll('table.vitals tbody tr').length === 2")
    table = page.inner_text("table.vitals")
    assert "86 % room air" in table and "84/52 mmHg" in table and "3/10" in table
    assert "Triage suggestion: level 1" in page.inner_text("main")  # unchanged by the pain set
    assert _serious(page) == []
    page.screenshot(path="/tmp/solace-patient-vitals.png", full_page=True)

    _phone_registration(context_factory, server, site, "Cut my finger slicing bread", ("wound",))
    [second] = [p for p in patients(site) if p["patient_id"] != patient["patient_id"]]
    page.goto(f"{server.url}/cockpit/patients/{second['patient_id']}/")
    before = page.inner_text("h2:has-text('Triage suggestion')")
    page.click("text=Observed findings")
    page.check("input[name=findings][value=active_seizure]")
    page.click("button:has-text('Save findings')")
    page.wait_for_selector("text=Triage suggestion: level 1")
    timeline = page.inner_text("ol.timeline")
    assert re.search(r"Findings recorded · added Seizure now.* · suggestion \d → 1", timeline)
    assert before != "Triage suggestion: level 1"


def test_quick_registration_without_a_name_joins_the_queue(context_factory, server, site, staff_of):
    page = context_factory(**WORKSTATION).new_page()
    sign_in(page, server, staff_of(Role.CHARGE_NURSE))
    page.goto(f"{server.url}/cockpit/")
    page.click("text=New arrival")
    page.check("#arrival-sex_1")
    page.fill("#arrival-age", "60")
    page.select_option("#arrival-arrival_mode", "ambulance")
    page.fill("#arrival-chief_complaint", "Collapsed at the bus stop")
    assert _serious(page) == []
    page.click("button:has-text('Register and open the patient')")
    page.wait_for_url(re.compile(r"/cockpit/patients/\w+/\?saved=arrival$"))
    alias = page.inner_text("h1")
    assert re.search(r"Unknown Male \d{4}", alias)
    page.goto(f"{server.url}/cockpit/")
    [item] = patients(site)
    assert page.is_visible(f"text={item['check_in_code']}")


def test_the_front_desk_instruction_comes_first_for_a_red_flag_only(context_factory, server, site):
    urgent = _phone_registration(
        context_factory, server, site, "My husband is not breathing properly, he won't wake up"
    )
    assert urgent.is_visible("#front-desk-now")
    box = urgent.locator("#front-desk-now").bounding_box()
    code = urgent.locator(".check-in-code").bounding_box()
    assert box["y"] < code["y"]
    assert _serious(urgent) == []
    calm = _phone_registration(
        context_factory, server, site, "Sprained my ankle, I can walk", ("limb_injury",)
    )
    assert not calm.is_visible("#front-desk-now")


def test_an_alert_shows_on_two_workstations_and_clears_for_both(
    context_factory, server, site, staff_of
):
    pages = []
    for _ in range(2):
        page = context_factory(**WORKSTATION).new_page()
        sign_in(page, server, staff_of(Role.NURSE))
        page.goto(f"{server.url}/cockpit/")
        pages.append(page)
    _phone_registration(
        context_factory, server, site, "Crushing chest pain going to my left arm", ("chest_pain",)
    )
    for page in pages:
        page.wait_for_selector("tr.alerted", timeout=WAIT_MS)
        page.wait_for_function("document.title.startsWith('(1)')", timeout=WAIT_MS)
    pages[0].click("tr.alerted button:has-text('Acknowledge')")
    for page in pages:
        page.wait_for_selector("tr.alerted", state="detached", timeout=WAIT_MS)
        page.wait_for_function("!document.title.startsWith('(')", timeout=WAIT_MS)
    assert _serious(pages[1]) == []
