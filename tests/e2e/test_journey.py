"""The patient's journey in real browsers on a phone viewport: the status page follows what a
nurse does in another browser; the language switch keeps answers; errors take the focus; a
kiosk clears itself and never shows the previous person. Plus axe-core on the new pages."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from accounts import services as accounts_services
from accounts.domain import Role
from intake import services as intake_services
from solace.context import RequestContext
from tests.e2e.conftest import (
    LAPTOP_200,
    PHONE,
    POLL_SECONDS,
    TABLET,
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
WAIT_MS = (POLL_SECONDS + 6) * 1000


def _serious(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture(scope="module")
def server(start_app_server):
    return start_app_server(
        SOLACE_QUEUE_POLL_SECONDS=str(POLL_SECONDS), SOLACE_STATUS_POLL_SECONDS="1"
    )


def _check_in(context_factory, server, site, given="Maya", **context):
    page = context_factory(**(context or PHONE)).new_page()
    page.goto(f"{server.url}/h/{site.slug}/intake/")
    fill_about_you(page, given)
    next_step(page)
    fill_why(page, "Cough and fever since yesterday", ("cough", "high_fever"), pain="3")
    code = register(page)
    return page, code


def _patient_page(context_factory, server, site, staff_of, code):
    nurse = context_factory(**WORKSTATION).new_page()
    sign_in(nurse, server, staff_of(Role.NURSE))
    nurse.goto(f"{server.url}/cockpit/")
    nurse.click(row_link(code))
    nurse.wait_for_selector("#call")
    return nurse


def test_the_status_page_follows_a_nurse_in_another_browser(
    context_factory, server, site, staff_of
):
    phone, code = _check_in(context_factory, server, site)
    assert "Please stay in the waiting room" in phone.inner_text(".visit-state")
    assert phone.is_visible("#worse-button")
    navigations = []
    phone.on("framenavigated", lambda frame: navigations.append(frame.url))

    nurse = _patient_page(context_factory, server, site, staff_of, code)
    nurse.select_option("#call-place", "0")
    nurse.click("#call button.primary")
    nurse.wait_for_selector("#call-state")

    phone.wait_for_selector("#called-now", timeout=WAIT_MS)
    assert "Please go to Triage desk now" in phone.inner_text("#called-now")
    # Screen readers hear it: the live region says where to go.
    phone.wait_for_function(
        "document.getElementById('visit-announce').textContent.includes('Triage desk')"
    )
    assert "Triage desk" in phone.title()

    nurse.select_option("#status-status", "discharged")
    nurse.click("button:has-text('Move')")
    nurse.click("button:has-text('Yes: Discharged')")  # ending a visit asks first
    nurse.wait_for_url(re.compile(r"/cockpit/\?ended="))

    phone.wait_for_selector(".state-box.closed", timeout=WAIT_MS)
    assert "Your visit is closed" in phone.inner_text(".visit-state")
    assert not phone.is_visible("#worse-button")
    assert phone.inner_text("#visit-announce") == "Your visit is closed."
    assert navigations == []  # it all arrived without a reload


def test_i_have_left_reaches_the_queue(context_factory, server, site, staff_of):
    phone, code = _check_in(context_factory, server, site, given="Omar")
    nurse = context_factory(**WORKSTATION).new_page()
    sign_in(nurse, server, staff_of(Role.NURSE))
    nurse.goto(f"{server.url}/cockpit/")
    nurse.wait_for_selector(f"text={code}")
    phone.click("details.left summary")
    phone.click("#left-button")
    phone.wait_for_selector("text=The team will no longer call you")
    nurse.wait_for_selector("text=says they left", timeout=WAIT_MS)


def test_the_language_switch_keeps_the_answers(context_factory, server, site):
    page = context_factory(**PHONE).new_page()
    page.goto(f"{server.url}/h/{site.slug}/intake/")
    fill_about_you(page, "Lucía", family="Pérez", born=("23", "4", "1980"))
    with page.expect_navigation():
        page.click("button[name=language][value=es]")
    page.wait_for_selector("html[lang=es]")
    assert page.input_value("#id_given_name") == "Lucía"
    assert page.input_value("#id_family_name") == "Pérez"
    assert page.input_value("input[name=date_of_birth_day]") == "23"
    assert page.input_value("select[name=date_of_birth_month]") == "4"
    assert page.is_checked("input[name=sex][value=female]")
    assert "Paso 1 de 2" in page.inner_text("main")
    next_step(page)
    fill_why(page, "Me duele la garganta", ("cough",))
    with page.expect_navigation():
        page.click("button[name=language][value=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.input_value("#id_chief_complaint") == "Me duele la garganta"
    assert page.is_checked("input[name=symptoms][value=cough]")
    register(page)
    assert "Thank you, Lucía" in page.inner_text("h1")
    assert len(patients(site)) == 1


def test_enter_in_a_field_goes_on_and_never_switches_language(context_factory, server, site):
    page = context_factory(**PHONE).new_page()
    page.goto(f"{server.url}/h/{site.slug}/intake/")
    fill_about_you(page, "Ana")
    with page.expect_navigation():
        page.press("#id_family_name", "Enter")
    assert page.locator("html").get_attribute("lang") == "en"
    page.wait_for_selector("#id_chief_complaint")


def test_errors_take_the_focus_and_link_to_their_fields(context_factory, server, site):
    page = context_factory(**PHONE).new_page()
    page.goto(f"{server.url}/h/{site.slug}/intake/")
    page.fill("#id_given_name", "Ana")
    page.click("#intake-form button.primary")
    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    links = page.locator("#error-summary a").all_inner_texts()
    assert any(text.startswith("Last name") for text in links)
    assert any(text.startswith("Date of birth") for text in links)
    assert page.input_value("#id_given_name") == "Ana"
    page.click("#error-summary a:has-text('Last name')")
    assert page.evaluate("document.activeElement.id") == "id_family_name"
    page.click("#error-summary a:has-text('Sex')")
    assert page.evaluate("document.activeElement.id") == "id_sex_0"
    assert page.title().startswith("Please check your answers")


def _enrolled_kiosk(context_factory, server, site, staff_of):
    admin = context_factory(**WORKSTATION).new_page()
    sign_in(admin, server, staff_of(Role.ADMIN))
    admin.goto(f"{server.url}/admin/kiosks/")
    admin.select_option("#id_hospital", site.hospital_id)
    admin.fill("#id_name", "Lobby kiosk")
    admin.click("text=Make a kiosk and its link")
    link = admin.inner_text("#new-kiosk-link code").strip()
    context = context_factory(**TABLET)
    kiosk = context.new_page()
    kiosk.clock.install()
    kiosk.goto(link)
    kiosk.click("text=Make this device the kiosk")
    kiosk.wait_for_selector("#intake-form")
    return kiosk


def test_a_kiosk_clears_a_half_filled_form_after_a_warning(context_factory, server, site, staff_of):
    kiosk = _enrolled_kiosk(context_factory, server, site, staff_of)
    kiosk.fill("#id_given_name", "Previous")
    kiosk.fill("#id_family_name", "Person")
    kiosk.clock.fast_forward(60_000)
    assert not kiosk.is_visible("#kiosk-idle")
    kiosk.clock.fast_forward(16_000)  # 76 s without input: 14 s left
    kiosk.wait_for_selector("#kiosk-idle")
    assert kiosk.evaluate("document.activeElement.hasAttribute('data-still-here')")
    kiosk.click("[data-still-here]")  # still here: the answers stay
    assert not kiosk.is_visible("#kiosk-idle")
    assert kiosk.input_value("#id_given_name") == "Previous"
    kiosk.clock.fast_forward(76_000)
    kiosk.wait_for_selector("#kiosk-idle")
    with kiosk.expect_navigation():
        kiosk.clock.fast_forward(15_000)
    kiosk.wait_for_selector("#id_given_name")
    assert kiosk.input_value("#id_given_name") == ""
    assert "Previous" not in kiosk.content()


def test_a_kiosk_status_page_clears_itself_and_never_comes_back(
    context_factory, server, site, staff_of
):
    kiosk = _enrolled_kiosk(context_factory, server, site, staff_of)
    fill_about_you(kiosk, "Previous", family="Person")
    next_step(kiosk)
    fill_why(kiosk, "Headache since this morning", ("headache",))
    register(kiosk)
    assert "Thank you, Previous" in kiosk.inner_text("h1")
    assert kiosk.is_visible("#kiosk-reset")
    with kiosk.expect_navigation():
        kiosk.clock.fast_forward(31_000)
    kiosk.wait_for_selector("#intake-form")
    assert "Previous" not in kiosk.content()
    # The next person presses Back: never the previous person's page.
    kiosk.go_back()
    kiosk.wait_for_load_state()
    assert "Previous" not in kiosk.content()
    kiosk.goto(f"{server.url}/h/{site.slug}/intake/status/")
    assert "Previous" not in kiosk.content()


def test_new_pages_have_no_serious_accessibility_violations(
    context_factory, server, site, staff_of, make_hospital
):
    problems = {}
    phone = context_factory(**PHONE).new_page()
    phone.goto(f"{server.url}/h/{site.slug}/intake/")
    fill_about_you(phone, "Ana")
    next_step(phone)
    problems["form step 2"] = _serious(phone)
    phone.click("#intake-form button[data-register]")  # no complaint: errors on step 2
    phone.wait_for_selector("#error-summary")
    problems["form step 2 errors"] = _serious(phone)
    fill_why(phone, "Cough", ("cough",))
    register(phone)
    problems["status waiting"] = _serious(phone)
    code = phone.inner_text(".check-in-code").strip()
    nurse = _patient_page(context_factory, server, site, staff_of, code)
    problems["patient page with calling"] = _serious(nurse)
    nurse.click("#call button.primary")
    nurse.wait_for_selector("#call-state")
    phone.wait_for_selector("#called-now", timeout=WAIT_MS)
    problems["status called"] = _serious(phone)
    nurse.goto(f"{server.url}/cockpit/")
    problems["queue with calls"] = _serious(nurse)
    nurse.goto(f"{server.url}/cockpit/check-ins/")
    problems["check-in review"] = _serious(nurse)
    nurse.goto(f"{server.url}/cockpit/")
    nurse.click(row_link(code))
    nurse.click("summary:has-text('Close as not a patient')")
    nurse.fill("#close-reason", "test entry")
    nurse.click("text=Close: not a patient")
    phone.wait_for_selector(".state-box.closed", timeout=WAIT_MS)
    problems["status closed"] = _serious(phone)

    limited_site = make_hospital(name="Limited General")
    accounts_services.hospital_update(limited_site.slug, registrations_per_hospital=1)
    intake_services.intake_register(
        hospital=limited_site,
        ticket=intake_services.new_ticket(limited_site),
        idempotency_key="00000000-0000-4000-8000-000000000001",
        answers=_answers(),
        location="/",
        context=RequestContext("e2e", "", ""),
    )
    limited = context_factory(**PHONE).new_page()
    limited.goto(f"{server.url}/h/{limited_site.slug}/intake/")
    fill_about_you(limited, "Bea")
    next_step(limited)
    fill_why(limited, "Cough")
    limited.click("#intake-form button[data-register]")
    limited.wait_for_selector("text=Please go to the front desk now")
    problems["limited"] = _serious(limited)

    admin = context_factory(**WORKSTATION).new_page()
    sign_in(admin, server, staff_of(Role.ADMIN))
    admin.goto(f"{server.url}/admin/kiosks/")
    problems["kiosks"] = _serious(admin)
    admin.goto(f"{server.url}/admin/hospitals/{site.slug}/poster/")
    problems["poster"] = _serious(admin)
    for name, options in (("phone", PHONE), ("tablet", TABLET), ("laptop 200%", LAPTOP_200)):
        page = context_factory(**options).new_page()
        page.goto(f"{server.url}/h/{site.slug}/intake/")
        problems[f"form on {name}"] = _serious(page)
    assert problems == {name: [] for name in problems}


def _answers():
    from datetime import date

    from intake.domain import IntakeAnswers

    return IntakeAnswers(
        given_name="Seed",
        family_name="Example",
        date_of_birth=date(1970, 1, 1),
        sex="male",
        chief_complaint="cough",
        symptoms=("cough",),
    )
