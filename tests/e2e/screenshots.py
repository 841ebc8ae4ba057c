"""`make screenshots`: PNGs of the main pages in docs/screenshots/, from a real Chromium against
a real gunicorn on the embedded store, with a few demo patients and a simulated shift."""

from __future__ import annotations

import re
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.run import PASSWORD, App, seed_hospital  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
LAPTOP_200 = {"viewport": {"width": 683, "height": 384}, "device_scale_factor": 2}
TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}
SIZES = OUT / "sizes"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def sign_in(page, url, staff, code_shot=None):
    """Password, then the TOTP code where the account needs one."""
    from accounts import second_factors
    from solace import clock

    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=email]", staff.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if "/login/verify/" in page.url:
        if code_shot:
            page.screenshot(path=code_shot)
        sign_in.step = max(getattr(sign_in, "step", 0) + 1, clock.now_epoch() // 30)
        while sign_in.step > clock.now_epoch() // 30 + 1:  # each code works once
            time.sleep(1)
        page.fill("input[name=code]", second_factors.totp_code(TOTP_SECRET, sign_in.step))
        page.click("main form button[type=submit]")
        page.wait_for_load_state()


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


def seed_report_history(hospital):
    """Four weeks of finished visits for the ED operations report; returns its date range."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from reports import demo
    from solace import clock

    today = clock.now_utc().astimezone(ZoneInfo(hospital.timezone)).date()
    start, end = today - timedelta(days=28), today - timedelta(days=1)
    history = demo.make_history(hospital, start, end, 40)
    demo.write_history(history)
    demo.roll_up_history(hospital, history)
    return start, end


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
        row_link,
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
    sign_in(nurse, app.url, staff[Role.NURSE])
    nurse.click(row_link(code))
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
    nurse.click("button:has-text('Yes: ')")  # ending a visit asks first
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
    sign_in(admin, app.url, staff[Role.ADMIN])
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
    from tests.e2e.conftest import CHROMIUM_ARGS, PHONE, WORKSTATION, chromium_path

    path = chromium_path()
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        if path is None:
            print("Chromium not found (apt-get install chromium)", file=sys.stderr)
            return 1
        hospital = seed_hospital("Solace Demo General")
        from cockpit.simulation import simulate_shift

        simulate_shift(hospital, hours=3, seed=13, rate=1.5)
        seed(hospital)
        staff = {
            role: services.staff_create(
                email=f"{role.value}@screenshots.example",
                name=name,
                roles={hospital.hospital_id: role},
                password=PASSWORD,
            )[0]
            for role, name in (
                (Role.NURSE, "Nora Nurse"),
                (Role.ADMIN, "Ada Admin"),
                (Role.CHARGE_NURSE, "Chandra Charge"),
            )
        }
        from accounts import repository
        from solace import clock

        repository.staff_enable_totp(
            staff[Role.ADMIN].staff_id,
            TOTP_SECRET,
            clock.utc_now_iso(),
            clock.now_epoch() // 30 - 5,
        )
        report_range = seed_report_history(hospital)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            journey(browser, app, hospital, staff)
            desk = browser.new_context(**WORKSTATION).new_page()
            desk.goto(f"{app.url}/accounts/login/")
            desk.screenshot(path=OUT / "sign-in.png")

            def signed_in(role, **options):
                page = browser.new_context(**{**WORKSTATION, **options}).new_page()
                sign_in(page, app.url, staff[role])
                return page

            nurse = signed_in(Role.NURSE)
            nurse.goto(f"{app.url}/cockpit/")
            nurse.screenshot(path=OUT / "queue.png", full_page=True)
            nurse.click("table.queue tr:not(.alerted) a.name >> nth=1")  # seen, with vital signs
            patient_url = nurse.url
            nurse.screenshot(path=OUT / "patient.png", full_page=True)
            nurse.goto(f"{app.url}/cockpit/check-ins/")
            nurse.screenshot(path=OUT / "check-ins.png", full_page=True)
            for name, options in (("laptop-200", LAPTOP_200), ("tablet", TABLET)):
                page = signed_in(Role.NURSE, **options)
                page.goto(f"{app.url}/cockpit/")
                page.screenshot(path=OUT / f"queue-{name}.png")

            charge = signed_in(Role.CHARGE_NURSE)
            charge.goto(f"{app.url}/cockpit/displays/")
            charge.fill("#id_name", "Main waiting room TV")
            charge.click("text=Make a display link")
            charge.screenshot(path=OUT / "displays.png", full_page=True)
            board = charge.get_attribute("a.display-link", "href")
            tv = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
            tv.goto(board)
            tv.screenshot(path=OUT / "board.png")

            # The locked view: what an idle queue turns into (a short idle limit on its own app).
            locked = signed_in(Role.NURSE)
            locked.goto(f"{app.url}/cockpit/")
            idle_app = App.sibling(app, SOLACE_SESSION_IDLE_SECONDS="2")
            try:
                idle = browser.new_context(**WORKSTATION).new_page()
                sign_in(idle, idle_app.url, staff[Role.NURSE])
                idle.goto(f"{idle_app.url}/cockpit/")
                idle.wait_for_url(re.compile(r"/locked/"), timeout=30_000)
                idle.wait_for_selector("table.locked-queue")
                idle.screenshot(path=OUT / "locked.png", full_page=True)
            finally:
                idle_app.stop_server()

            # The admin console (localhost: passkeys refuse IP addresses).
            site = app.url.replace("127.0.0.1", "localhost")
            admin = browser.new_context(**WORKSTATION).new_page()
            sign_in(admin, site, staff[Role.ADMIN], code_shot=OUT / "sign-in-code.png")
            admin.screenshot(path=OUT / "admin-staff.png", full_page=True)
            admin.goto(f"{site}/audit/?hospital={hospital.hospital_id}")
            admin.screenshot(path=OUT / "audit.png", full_page=True)
            patient_id = patient_url.rstrip("/").rsplit("/", 1)[1]
            admin.goto(f"{site}/audit/patients/{patient_id}/")
            admin.screenshot(path=OUT / "access-report.png", full_page=True)
            admin.goto(f"{site}/admin/organization/")
            admin.screenshot(path=OUT / "admin-organization.png", full_page=True)
            admin.goto(f"{site}/admin/hospitals/{hospital.slug}/")
            admin.screenshot(path=OUT / "admin-hospital.png", full_page=True)
            admin.goto(f"{site}/admin/staff/new/")
            admin.fill("#id_name", "Sam Setup")
            admin.fill("#id_email", "sam@screenshots.example")
            admin.select_option(f"#id_role_{hospital.hospital_id}", "charge_nurse")
            admin.screenshot(path=OUT / "admin-staff-new.png", full_page=True)
            admin.click("main button[type=submit]")
            admin.screenshot(path=OUT / "admin-staff-member.png", full_page=True)
            link = admin.inner_text("#setup-link code")

            newcomer = browser.new_context(**WORKSTATION).new_page()
            newcomer.goto(link)
            newcomer.screenshot(path=OUT / "setup-password.png", full_page=True)
            newcomer.fill("#id_password", "a charge nurse's long pass phrase")
            newcomer.fill("#id_password_again", "a charge nurse's long pass phrase")
            newcomer.click("main button[type=submit]")
            newcomer.wait_for_url(re.compile(r"/factor/$"))
            newcomer.screenshot(path=OUT / "setup-factor.png", full_page=True)
            newcomer.click("text=Use an authenticator app")
            newcomer.screenshot(path=OUT / "setup-totp.png", full_page=True)

            # The console at other sizes: phone, tablet, and a laptop at 200 % zoom.
            sizes = {
                "phone": PHONE,
                "tablet": {"viewport": {"width": 820, "height": 1180}, "has_touch": True},
                "laptop-200": {"viewport": {"width": 683, "height": 384}, "device_scale_factor": 2},
            }
            SIZES.mkdir(parents=True, exist_ok=True)
            for size, options in sizes.items():
                small = browser.new_context(**options).new_page()
                sign_in(small, site, staff[Role.ADMIN])
                for name, path_ in (
                    ("staff", "/admin/staff/"),
                    ("audit", f"/audit/?hospital={hospital.hospital_id}"),
                    ("access-report", f"/audit/patients/{patient_id}/"),
                ):
                    small.goto(site + path_)
                    # The first three screens: enough to judge the layout, and a long audit
                    # trail at 200 % zoom stays a reasonable file.
                    view = small.viewport_size
                    clip = {"x": 0, "y": 0, "width": view["width"], "height": 3 * view["height"]}
                    small.screenshot(path=SIZES / f"{name}-{size}.png", full_page=True, clip=clip)
            admin.goto(f"{site}/admin/kiosks/")
            admin.screenshot(path=OUT / "kiosks.png", full_page=True)
            admin.goto(f"{site}/admin/hospitals/{hospital.slug}/poster/")
            admin.screenshot(path=OUT / "poster.png", full_page=True)
            admin.emulate_media(media="print")
            admin.screenshot(path=OUT / "poster-print.png", full_page=True)

            # The ED operations report, as a charge nurse (clinical access) sees it.
            page = browser.new_context(**WORKSTATION).new_page()
            page.set_default_timeout(60_000)
            sign_in(page, app.url, staff[Role.CHARGE_NURSE])
            start, end = report_range
            page.goto(
                f"{app.url}/reports/?hospital={hospital.hospital_id}&date_from={start}"
                f"&date_to={end}&group=week"
            )
            page.screenshot(path=OUT / "reports.png")
            for section in ("trend", "arrivals", "agreement"):
                page.locator(f"#{section}").screenshot(path=OUT / f"reports-{section}.png")
            page.click("text=Open the call-back list")
            page.wait_for_selector("table.callbacks")
            page.screenshot(path=OUT / "reports-callbacks.png")
            browser.close()
    finally:
        app.stop()
    for png in sorted(OUT.glob("**/*.png")):
        print(png.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
