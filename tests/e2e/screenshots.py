"""`make screenshots`: PNGs of the main pages in docs/screenshots/, from a real Chromium against
a real gunicorn on the embedded store, with a few demo patients."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.run import PASSWORD, App, seed_hospital  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PATIENTS = [
    ("Maya", ("chest_pain",), "Pressure in my chest and left arm", 7),
    ("Omar", ("abdominal_pain", "vomiting"), "Belly pain since last night", 6),
    ("Lena", ("limb_injury",), "Twisted my ankle playing football", 4),
    ("Tom", (), "Sore throat for three days", 2),
]


def seed(hospital):
    from intake import services
    from intake.domain import IntakeAnswers
    from solace.context import RequestContext

    for n, (name, symptoms, complaint, pain) in enumerate(PATIENTS):
        services.intake_register(
            hospital=hospital,
            ticket=services.new_ticket(hospital),
            idempotency_key=f"00000000-0000-4000-8000-00000000000{n}",
            answers=IntakeAnswers(
                given_name=name,
                family_name="Example",
                date_of_birth=date(1960 + 9 * n, 3, 14),
                sex="female" if n % 2 == 0 else "male",
                chief_complaint=complaint,
                symptoms=symptoms,
                pain_score=pain,
                allergies="penicillin" if n == 1 else "",
            ),
            location="/",
            context=RequestContext("screenshots", "", ""),
        )


def sign_in(page, app, staff) -> None:
    page.goto(f"{app.url}/accounts/login/")
    page.fill("input[name=email]", staff.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def journey(browser, app, hospital, staff) -> None:
    """The patient's side: the two steps, errors, Spanish, the status page as a nurse calls and
    closes the visit, the front-desk page of a limited registration, a kiosk's warning; on a
    phone, and the form and the call also on a tablet and on a laptop at 200% zoom."""
    from accounts import services as accounts_services
    from accounts.domain import Role
    from tests.e2e.conftest import (
        LAPTOP_200,
        PHONE,
        TABLET,
        WORKSTATION,
        fill_about_you,
        fill_why,
        next_step,
        register,
    )

    form_url = f"{app.url}/h/{hospital.slug}/intake/"
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(form_url)
    phone.screenshot(path=OUT / "intake-form.png", full_page=True)
    phone.click("#intake-form button.primary")
    phone.wait_for_selector("#error-summary")
    phone.screenshot(path=OUT / "intake-errors.png")
    fill_about_you(phone, "Ana", family="Rivera", born=("2", "9", "1988"))
    with phone.expect_navigation():
        phone.click("button[name=language][value=es]")
    phone.screenshot(path=OUT / "intake-form-es.png")
    next_step(phone)
    phone.screenshot(path=OUT / "intake-step-2-es.png", full_page=True)
    fill_why(phone, "Me duele mucho la cabeza", ("headache",), pain="6")
    register(phone)
    phone.screenshot(path=OUT / "status-es.png", full_page=True)

    english = browser.new_context(**PHONE).new_page()
    english.goto(form_url)
    fill_about_you(english, "Sam", family="Lee", born=("11", "2", "1968"), sex="male")
    next_step(english)
    english.screenshot(path=OUT / "intake-step-2.png", full_page=True)
    fill_why(english, "Cut my hand on a glass", ("wound",), pain="4")
    code = register(english)
    english.screenshot(path=OUT / "status-waiting.png", full_page=True)
    for name, options in (("tablet", TABLET), ("laptop-200", LAPTOP_200)):
        page = browser.new_context(**options).new_page()
        page.goto(form_url)
        page.screenshot(path=OUT / f"intake-form-{name}.png")

    nurse = browser.new_context(**WORKSTATION).new_page()
    sign_in(nurse, app, staff[Role.NURSE])
    nurse.click(f"text={code}")
    nurse.select_option("#call-place", "0")
    nurse.click("#call button.primary")
    nurse.wait_for_selector("#call-state")
    nurse.screenshot(path=OUT / "patient-called.png", full_page=True)
    english.reload()
    english.screenshot(path=OUT / "status-called.png", full_page=True)
    for name, options in (("tablet", TABLET), ("laptop-200", LAPTOP_200)):
        other = browser.new_context(**options)
        other.add_cookies(english.context.cookies())
        page = other.new_page()
        page.goto(english.url)
        page.screenshot(path=OUT / f"status-called-{name}.png")
    nurse.select_option("#status-status", "left_without_being_seen")
    nurse.click("button:has-text('Move')")
    nurse.wait_for_load_state()
    english.reload()
    english.screenshot(path=OUT / "status-closed.png", full_page=True)

    limited = seed_hospital("Solace Demo East")
    accounts_services.hospital_update(limited.slug, registrations_per_hospital=1)
    full = browser.new_context(**PHONE).new_page()
    for given in ("Lena", "Tom"):
        full.goto(f"{app.url}/h/{limited.slug}/intake/")
        fill_about_you(full, given)
        next_step(full)
        fill_why(full, "Sore throat")
        full.click("#intake-form button[data-register]")
        full.wait_for_load_state()
        full.context.clear_cookies()
    full.screenshot(path=OUT / "intake-limited.png", full_page=True)

    admin = browser.new_context(**WORKSTATION).new_page()
    sign_in(admin, app, staff[Role.ADMIN])
    admin.goto(f"{app.url}/admin/kiosks/")
    admin.select_option("#id_hospital", hospital.hospital_id)
    admin.fill("#id_name", "Lobby kiosk 1")
    admin.click("text=Make a kiosk and its link")
    link = admin.inner_text("#new-kiosk-link code").strip()
    kiosk = browser.new_context(**TABLET).new_page()
    kiosk.clock.install()
    kiosk.goto(link)
    kiosk.click("text=Make this device the kiosk")
    kiosk.wait_for_selector("#intake-form")
    kiosk.fill("#id_given_name", "Maya")
    kiosk.clock.fast_forward(77_000)
    kiosk.wait_for_selector("#kiosk-idle")
    kiosk.screenshot(path=OUT / "kiosk-warning.png")


def main() -> int:
    from playwright.sync_api import sync_playwright

    app = App()  # sets up Django before anything below reads settings
    from accounts import services
    from accounts.domain import Role
    from tests.e2e.conftest import CHROMIUM_ARGS, WORKSTATION, chromium_path

    path = chromium_path()
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        if path is None:
            print("Chromium not found (apt-get install chromium)", file=sys.stderr)
            return 1
        hospital = seed_hospital("Solace Demo General")
        seed(hospital)
        staff = {
            role: services.staff_create(
                email=f"{role.value}@screenshots.example",
                name=name,
                role=role,
                hospital_ids=[hospital.hospital_id],
                password=PASSWORD,
            )
            for role, name in ((Role.NURSE, "Nora Nurse"), (Role.ADMIN, "Ada Admin"))
        }
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            journey(browser, app, hospital, staff)
            desk = browser.new_context(**WORKSTATION).new_page()
            desk.goto(f"{app.url}/accounts/login/")
            desk.screenshot(path=OUT / "sign-in.png")
            for role, name in ((Role.NURSE, "queue"), (Role.ADMIN, "audit")):
                page = browser.new_context(**WORKSTATION).new_page()
                sign_in(page, app, staff[role])
                if role == Role.ADMIN:
                    page.goto(f"{app.url}/audit/?hospital={hospital.hospital_id}")
                page.screenshot(path=OUT / f"{name}.png", full_page=True)
                if role == Role.NURSE:
                    board = page.get_attribute("text=Waiting-room display", "href")
                    page.click("table.queue a.code >> nth=0")
                    page.screenshot(path=OUT / "patient.png", full_page=True)
                    page.goto(f"{app.url}/cockpit/check-ins/")
                    page.screenshot(path=OUT / "check-ins.png", full_page=True)
                    page.goto(app.url + board)
                    page.screenshot(path=OUT / "board.png")
                else:
                    page.goto(f"{app.url}/admin/kiosks/")
                    page.screenshot(path=OUT / "kiosks.png", full_page=True)
                    page.goto(f"{app.url}/admin/hospitals/{hospital.slug}/poster/")
                    page.screenshot(path=OUT / "poster.png", full_page=True)
                    page.emulate_media(media="print")
                    page.screenshot(path=OUT / "poster-print.png", full_page=True)
            browser.close()
    finally:
        app.stop()
    for png in sorted(OUT.glob("*.png")):
        print(png.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
