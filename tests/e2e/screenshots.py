"""`make screenshots`: PNGs of the main pages in docs/screenshots/, from a real Chromium against
a real gunicorn on the embedded store, with a few demo patients."""

from __future__ import annotations

import re
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
            for role, name in ((Role.NURSE, "queue"), (Role.ADMIN, "audit")):
                page = browser.new_context(**WORKSTATION).new_page()
                page.goto(f"{app.url}/accounts/login/")
                page.fill("input[name=email]", staff[role].email)
                page.fill("input[name=password]", PASSWORD)
                page.click("main button[type=submit]")
                page.wait_for_load_state()
                if role == Role.ADMIN:
                    page.goto(f"{app.url}/audit/?hospital={hospital.hospital_id}")
                page.screenshot(path=OUT / f"{name}.png", full_page=True)
                if role == Role.NURSE:
                    board = page.get_attribute("text=Waiting-room display", "href")
                    page.click("table.queue a.code >> nth=0")
                    page.screenshot(path=OUT / "patient.png", full_page=True)
                    page.goto(app.url + board)
                    page.screenshot(path=OUT / "board.png")
            browser.close()
    finally:
        app.stop()
    for png in sorted(OUT.glob("*.png")):
        print(png.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
