"""What users meet, in a real browser: patients register on phones (English and Spanish,
double-tapping), a nurse watches rows appear and works the queue, an admin finds it all in the
audit trail, an idle screen signs itself out. Plus axe-core on every main page."""

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
    row_link,
    sign_in,
)
from tests.intake_helpers import patients

pytestmark = pytest.mark.live


def register_on_phone(
    context_factory, server, site, *, spanish=False, given="Ana", symptoms=("cough",), pain="2"
):
    page = context_factory(**PHONE).new_page()
    page.goto(f"{server.url}/h/{site.slug}/intake/")
    if spanish:
        with page.expect_navigation():
            page.click("button[name=language][value=es]")
        page.wait_for_selector("html[lang=es]")
    fill_about_you(page, given, born=("1", "6", "1975"))
    next_step(page)
    fill_why(page, "Tos desde ayer" if spanish else "Cough since yesterday", symptoms, pain=pain)
    code = register(page, double_tap=True)
    return page, code


def test_patients_register_once_each_and_the_nurse_works_the_queue(
    context_factory, server, site, staff_of
):
    nurse = staff_of(Role.NURSE)
    nurse_page = context_factory(**WORKSTATION).new_page()
    sign_in(nurse_page, server, nurse)
    nurse_page.goto(f"{server.url}/cockpit/")
    navigations = []
    nurse_page.on("framenavigated", lambda frame: navigations.append(frame.url))

    en_page, en_code = register_on_phone(context_factory, server, site, given="Ana")
    assert "Thank you, Ana" in en_page.inner_text("h1")
    nurse_page.wait_for_selector(f"text={en_code}", timeout=(POLL_SECONDS + 3) * 1000)

    es_page, es_code = register_on_phone(
        context_factory,
        server,
        site,
        spanish=True,
        given="Luis",
        symptoms=("abdominal_pain", "vomiting"),
        pain="3",
    )
    assert "Gracias, Luis" in es_page.inner_text("h1")
    nurse_page.wait_for_selector(f"text={es_code}", timeout=(POLL_SECONDS + 3) * 1000)
    assert navigations == []  # rows arrived without a reload
    assert len(patients(site)) == 2

    # Luis (belly pain, vomiting: level 3) sorts above Ana (cough: 4); Ana set to 2 moves up.
    codes = nurse_page.locator("table.queue th.patient > .code").all_inner_texts()
    assert codes.index(es_code) < codes.index(en_code)
    nurse_page.click(row_link(en_code))
    nurse_page.fill("#vitals-heart_rate", "88")
    nurse_page.fill("#vitals-spo2", "97")
    with nurse_page.expect_navigation():
        nurse_page.click("#record-vitals button[type=submit]")
    assert "Vital signs saved" in nurse_page.inner_text("#saved")
    nurse_page.select_option("#acuity-level", "2")
    nurse_page.fill("#acuity-reason", "history of asthma")
    with nurse_page.expect_navigation():
        nurse_page.click("text=Confirm level")
    assert "Level 2 overridden" in nurse_page.inner_text("#saved")
    nurse_page.fill("#room-room", "B7")
    with nurse_page.expect_navigation():
        nurse_page.click("text=Save room")
    assert "Room B7" in nurse_page.inner_text(".patient-head")
    nurse_page.click("text=Back to the queue")
    nurse_page.wait_for_url(re.compile(r"/cockpit/$"))
    codes = nurse_page.locator("table.queue th.patient > .code").all_inner_texts()
    assert codes.index(en_code) < codes.index(es_code)
    nurse_page.click(row_link(en_code))
    nurse_page.select_option("#status-status", "discharged")
    nurse_page.click("button:has-text('Move')")
    nurse_page.click("button:has-text('Yes: Discharged')")  # ending a visit asks first
    nurse_page.wait_for_url(re.compile(r"/cockpit/\?ended="))
    codes = nurse_page.locator("table.queue th.patient > .code").all_inner_texts()
    assert en_code not in codes and es_code in codes

    admin = staff_of(Role.ADMIN)
    admin_page = context_factory(**WORKSTATION).new_page()
    sign_in(admin_page, server, admin)
    admin_page.goto(f"{server.url}/audit/?hospital={site.hospital_id}")
    trail = admin_page.inner_text("table.audit")
    for action in (
        "Checked in",
        "Queue shown",
        "Opened record",
        "Vitals recorded",
        "Acuity overridden",
        "Room assigned",
        "Visit ended",
    ):
        assert action in trail, action
    assert nurse.name in trail and f"{en_code} · Ana Rivera" in trail


def serious(results) -> list[str]:
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_main_pages_have_no_serious_accessibility_violations(
    context_factory, server, site, staff_of
):
    axe = Axe()
    phone = context_factory(**PHONE).new_page()
    phone.goto(f"{server.url}/h/{site.slug}/intake/")
    problems = {"intake form": serious(axe.run(phone))}
    phone.click("#intake-form button[type=submit]")  # empty form: the page with every error shown
    problems["intake errors"] = serious(axe.run(phone))
    _, code = register_on_phone(context_factory, server, site)
    status_page = context_factory(**PHONE).new_page()
    page, _ = register_on_phone(context_factory, server, site, given="Bea")
    problems["status page"] = serious(axe.run(page))
    staff_page = context_factory(**WORKSTATION).new_page()
    staff_page.goto(f"{server.url}/accounts/login/")
    problems["sign-in"] = serious(axe.run(staff_page))
    sign_in(staff_page, server, staff_of(Role.NURSE))
    staff_page.goto(f"{server.url}/cockpit/")
    problems["queue"] = serious(axe.run(staff_page))
    staff_page.click(row_link(code))
    problems["patient detail"] = serious(axe.run(staff_page))
    status_page.close()
    assert problems == {name: [] for name in problems}
