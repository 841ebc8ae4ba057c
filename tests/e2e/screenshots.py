"""`make screenshots`: PNGs of the main pages in docs/screenshots/, from a real Chromium against
a real gunicorn on the embedded store, with a few demo patients and a simulated shift."""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.run import PASSWORD, App, seed_hospital  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
LAPTOP_200 = {"viewport": {"width": 683, "height": 384}, "device_scale_factor": 2}
TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}
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
        session = services.intake_session_start(hospital)
        services.intake_register(
            hospital=hospital,
            session_id=session.session_id,
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
                role=role,
                hospital_ids=[hospital.hospital_id],
                password=PASSWORD,
            )
            for role, name in (
                (Role.NURSE, "Nora Nurse"),
                (Role.ADMIN, "Ada Admin"),
                (Role.CHARGE_NURSE, "Chandra Charge"),
            )
        }
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            phone = browser.new_context(**PHONE).new_page()
            phone.goto(f"{app.url}/h/{hospital.slug}/intake/")
            phone.screenshot(path=OUT / "intake-form.png", full_page=True)
            phone.click("#intake-form button[type=submit]")
            phone.screenshot(path=OUT / "intake-errors.png")
            with phone.expect_navigation():
                phone.click("button[name=language][value=es]")
            phone.screenshot(path=OUT / "intake-form-es.png")
            phone.fill("#id_given_name", "Ana")
            phone.fill("#id_family_name", "Rivera")
            phone.fill("#id_date_of_birth", "1988-09-02")
            phone.check("#id_sex_0")
            phone.fill("#id_chief_complaint", "Me duele mucho la cabeza")
            phone.check("input[name=symptoms][value=headache]")
            phone.click("#intake-form button[type=submit]")
            phone.wait_for_url(re.compile(r"/status/$"))
            phone.screenshot(path=OUT / "status-es.png", full_page=True)

            desk = browser.new_context(**WORKSTATION).new_page()
            desk.goto(f"{app.url}/accounts/login/")
            desk.screenshot(path=OUT / "sign-in.png")

            def signed_in(role, **options):
                page = browser.new_context(**{**WORKSTATION, **options}).new_page()
                page.goto(f"{app.url}/accounts/login/")
                page.fill("input[name=email]", staff[role].email)
                page.fill("input[name=password]", PASSWORD)
                page.click("main button[type=submit]")
                page.wait_for_load_state()
                return page

            admin = signed_in(Role.ADMIN)
            admin.goto(f"{app.url}/audit/?hospital={hospital.hospital_id}")
            admin.screenshot(path=OUT / "audit.png", full_page=True)

            nurse = signed_in(Role.NURSE)
            nurse.goto(f"{app.url}/cockpit/")
            nurse.screenshot(path=OUT / "queue.png", full_page=True)
            nurse.click("table.queue tr:not(.alerted) a.name >> nth=1")  # seen, with vital signs
            nurse.screenshot(path=OUT / "patient.png", full_page=True)
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
                idle.goto(f"{idle_app.url}/accounts/login/")
                idle.fill("input[name=email]", staff[Role.NURSE].email)
                idle.fill("input[name=password]", PASSWORD)
                idle.click("main button[type=submit]")
                idle.wait_for_load_state()
                idle.goto(f"{idle_app.url}/cockpit/")
                idle.wait_for_url(re.compile(r"/locked/"), timeout=30_000)
                idle.wait_for_selector("table.locked-queue")
                idle.screenshot(path=OUT / "locked.png", full_page=True)
            finally:
                idle_app.stop_server()
            browser.close()
    finally:
        app.stop()
    for png in sorted(OUT.glob("*.png")):
        print(png.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
