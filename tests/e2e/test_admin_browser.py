"""The admin console in Chromium: an admin (TOTP) adds a nurse; the nurse opens the set-up link,
chooses a password, enrols a passkey (a CDP virtual authenticator) and later signs in with the
passkey alone; the access report of a patient. axe-core on each new page."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from accounts.domain import Role
from tests.cockpit_helpers import register
from tests.e2e.conftest import WORKSTATION, sign_in
from tests.e2e.test_browser import serious

pytestmark = pytest.mark.live


def localhost(server) -> str:
    """WebAuthn refuses IP addresses: passkeys need the site at localhost."""
    return server.url.replace("127.0.0.1", "localhost")


def virtual_authenticator(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def test_staff_creation_set_up_link_passkey_enrolment_and_passkey_sign_in(
    context_factory, server, site, staff_of
):
    axe = Axe()
    problems = {}
    base = localhost(server)
    admin = staff_of(Role.ADMIN)
    admin_page = context_factory(**WORKSTATION).new_page()
    sign_in(admin_page, server, admin, base_url=base)  # password, then the TOTP code
    admin_page.wait_for_url(re.compile(r"/admin/staff/$"))
    problems["staff list"] = serious(axe.run(admin_page))
    admin_page.click("text=Add a staff member")
    problems["add staff"] = serious(axe.run(admin_page))
    admin_page.fill("#id_name", "Petra Passkey")
    admin_page.fill("#id_email", f"petra-{site.slug}@example.org")
    admin_page.select_option(f"#id_role_{site.hospital_id}", "nurse")
    admin_page.click("main button[type=submit]")
    link = admin_page.inner_text("#setup-link code")
    assert link.startswith(f"{base}/accounts/setup/")
    problems["staff member"] = serious(axe.run(admin_page))

    nurse_page = context_factory(**WORKSTATION).new_page()
    cdp, authenticator_id = virtual_authenticator(nurse_page)
    nurse_page.goto(link)
    problems["set-up: password"] = serious(axe.run(nurse_page))
    nurse_page.fill("#id_password", "aaaaaaaaaaaa")
    nurse_page.fill("#id_password_again", "aaaaaaaaaaaa")
    nurse_page.click("main button[type=submit]")
    assert "in a row" in nurse_page.inner_text("main")
    nurse_page.fill("#id_password", "a ward clerk's long pass phrase")
    nurse_page.fill("#id_password_again", "a ward clerk's long pass phrase")
    nurse_page.click("main button[type=submit]")
    nurse_page.wait_for_url(re.compile(r"/factor/$"))
    problems["set-up: second factor"] = serious(axe.run(nurse_page))
    nurse_page.click("text=Add a passkey")
    nurse_page.wait_for_url(re.compile(r"/accounts/recovery-codes/$"))
    assert len(nurse_page.locator(".codes code").all_inner_texts()) == 10
    problems["recovery codes"] = serious(axe.run(nurse_page))
    [credential] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})[
        "credentials"
    ]
    assert credential["isResidentCredential"]
    nurse_page.click("text=I have kept them")
    nurse_page.wait_for_url(re.compile(r"/cockpit/$"))

    nurse_page.click("text=Sign out")
    nurse_page.wait_for_url(re.compile(r"/accounts/login/"))
    nurse_page.click("text=Sign in with a passkey")  # no email, no password
    nurse_page.wait_for_url(re.compile(r"/cockpit/$"))
    assert "Petra Passkey" in nurse_page.inner_text(".topbar")

    admin_page.goto(f"{base}/admin/staff/")
    assert "Passkey" in admin_page.inner_text("table.staff-list")
    assert problems == {name: [] for name in problems}


def test_totp_sign_in_and_a_wrong_code(context_factory, server, staff_of):
    from tests.conftest import PASSWORD, totp_code

    admin = staff_of(Role.ADMIN)
    page = context_factory(**WORKSTATION).new_page()
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=email]", admin.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/login/verify/$"))
    problems = {"second step": serious(Axe().run(page))}
    page.fill("input[name=code]", "123456")
    page.click("main form button[type=submit]")
    assert "not right" in page.inner_text("main")
    page.fill("input[name=code]", totp_code(admin))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/staff/$"))
    assert problems == {"second step": []}


def test_access_report_from_the_audit_trail(context_factory, server, site, staff_of):
    axe = Axe()
    patient = register(site, given_name="Ines", family_name="Reporte")
    nurse = staff_of(Role.NURSE)
    nurse_page = context_factory(**WORKSTATION).new_page()
    sign_in(nurse_page, server, nurse)
    nurse_page.goto(f"{server.url}/cockpit/patients/{patient['patient_id']}/")
    admin = staff_of(Role.ADMIN)
    page = context_factory(**WORKSTATION).new_page()
    sign_in(page, server, admin)
    page.goto(f"{server.url}/audit/?hospital={site.hospital_id}")
    problems = {"audit trail": serious(axe.run(page))}
    page.click(f"table.audit a:has-text('{patient['check_in_code']} · Ines Reporte') >> nth=0")
    page.click("text=Access report for this patient")
    page.wait_for_url(re.compile(r"/audit/patients/"))
    report = page.inner_text("table.audit")
    assert "Opened record" in report and "Test nurse" in report
    problems["access report"] = serious(axe.run(page))
    with page.expect_download() as download:
        page.click("text=Download CSV")
    assert download.value.suggested_filename.endswith(".csv")
    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible()
    assert problems == {name: [] for name in problems}
