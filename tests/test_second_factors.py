"""Second factors and set-up links: TOTP and recovery codes (each works once), passkeys on their
own and as the second step, set-up links (one use, 24 hours), password rules, the organization's
rule for clinicians, re-authentication for the locked view."""

import json
import re

import pytest
from django.test import Client, RequestFactory

from accounts import repository, second_factors, services
from accounts.domain import Role
from tests.conftest import PASSWORD, TOTP_SECRET, totp_code
from tests.webauthn_helpers import SoftPasskey, passkey_sign_in, register_passkey


def password_step(browser, staff, password=PASSWORD):
    return browser.post("/accounts/login/", {"email": staff.email, "password": password})


def test_an_admins_password_alone_does_not_sign_in(make_staff):
    admin = make_staff(Role.ADMIN)
    browser = Client()
    first = password_step(browser, admin)
    assert first.status_code == 303 and first["Location"] == "/accounts/login/verify/"
    assert browser.get("/audit/").status_code == 302  # not signed in yet
    page = browser.get("/accounts/login/verify/").content.decode()
    assert 'name="code"' in page
    assert browser.post("/accounts/login/verify/", {"code": "000000"}).status_code == 400
    code = totp_code(admin)
    assert browser.post("/accounts/login/verify/", {"code": code}).status_code == 303
    assert browser.get("/audit/").status_code == 200
    # The same code cannot be used twice.
    again = Client()
    password_step(again, admin)
    assert again.post("/accounts/login/verify/", {"code": code}).status_code == 400


def test_a_recovery_code_signs_in_once(make_staff):
    admin = make_staff(Role.ADMIN)
    [code, *_] = services.recovery_codes_create(
        repository.staff_get(admin.staff_id), services.SYSTEM_CONTEXT
    )
    browser = Client()
    password_step(browser, admin)
    assert browser.post("/accounts/login/verify/", {"code": code.upper()}).status_code == 303
    other = Client()
    password_step(other, admin)
    assert other.post("/accounts/login/verify/", {"code": code}).status_code == 400


def test_guessing_codes_is_held_back_but_the_passkey_still_works(make_staff, sign_in):
    admin = make_staff(Role.ADMIN)
    passkey = SoftPasskey()
    register_passkey(sign_in(admin, browser=Client()), passkey)
    for n in range(services.FACTOR_MAX_FAILURES):
        guesser = Client(REMOTE_ADDR=f"203.0.113.{n + 1}")
        password_step(guesser, admin)
        guesser.post("/accounts/login/verify/", {"code": f"{n:06d}"})
    real = Client(REMOTE_ADDR="192.0.2.99")
    password_step(real, admin)
    held = real.post("/accounts/login/verify/", {"code": totp_code(admin)})
    assert held.status_code == 429
    answer = passkey_sign_in(real, passkey, purpose="second_factor")
    assert answer.status_code == 200 and answer.json()["redirect"] == "/"
    assert real.get("/audit/").status_code == 200


def test_a_passkey_signs_in_on_its_own_and_only_as_its_owner(make_staff, sign_in):
    nurse = make_staff(Role.NURSE)
    passkey = SoftPasskey()
    register_passkey(sign_in(nurse, browser=Client()), passkey)
    browser = Client()
    answer = passkey_sign_in(browser, passkey)
    assert answer.status_code == 200
    assert browser.get("/cockpit/").status_code == 200
    # An answer naming another account (a forged userHandle) is refused.
    other = make_staff(Role.NURSE)
    forger = Client()
    options = forger.post("/accounts/passkeys/options/", {"purpose": "sign_in"}).json()
    forged = passkey.get(options, user_handle=other.staff_id.encode())
    refused = forger.post(
        "/accounts/passkeys/verify/", {"purpose": "sign_in", "credential": forged}
    )
    assert refused.status_code == 400
    # A replayed answer (its challenge is used up) is refused too.
    assert (
        forger.post(
            "/accounts/passkeys/verify/",
            {"purpose": "sign_in", "credential": passkey.get(options)},
        ).status_code
        == 400
    )
    services.staff_deactivate(nurse.staff_id)
    assert passkey_sign_in(Client(), passkey).status_code == 400


def set_up(browser, key, password="a long and unusual pass phrase"):
    return browser.post(
        f"/accounts/setup/{key}/", {"password": password, "password_again": password}
    )


def test_set_up_link_password_then_passkey_then_recovery_codes(hospital):
    staff, key = services.staff_create(
        email="new.admin@example.org",
        name="New Admin",
        roles={hospital.hospital_id: Role.ADMIN},
    )
    browser = Client()
    page = browser.get(f"/accounts/setup/{key}/")
    assert page.status_code == 200 and "new.admin@example.org" in page.content.decode()
    weak = set_up(browser, key, "aaaaaaaaaaaa")
    assert weak.status_code == 400 and "in a row" in weak.content.decode()
    assert repository.staff_get(staff.staff_id).password_hash is None  # nothing written
    done = set_up(browser, key)
    assert done["Location"] == f"/accounts/setup/{key}/factor/"
    factor_page = browser.get(done["Location"]).content.decode()
    assert "Add a passkey" in factor_page and "Skip for now" not in factor_page  # admins must
    passkey = SoftPasskey()
    assert register_passkey(browser, passkey) == {"redirect": "/accounts/recovery-codes/"}
    codes_page = browser.get("/accounts/recovery-codes/").content.decode()
    assert len(re.findall(r"<code>[a-z0-9]{5}-[a-z0-9]{5}</code>", codes_page)) == 10
    assert browser.get("/accounts/recovery-codes/").status_code == 302  # shown once
    assert browser.get("/audit/").status_code == 200  # signed in
    # The link worked once.
    assert Client().get(f"/accounts/setup/{key}/").status_code == 404
    assert passkey_sign_in(Client(), passkey).status_code == 200


def test_set_up_link_with_an_authenticator_app(hospital):
    staff, key = services.staff_create(
        email="app.user@example.org", name="App User", roles={hospital.hospital_id: Role.ADMIN}
    )
    browser = Client()
    set_up(browser, key)
    page = browser.get("/accounts/totp/").content.decode()
    assert 'src="data:image/svg+xml' in page
    secret = browser.session[services.TOTP_PENDING_KEY]
    code = second_factors.totp_code(secret, services.clock.now_epoch() // 30)
    answer = browser.post("/accounts/totp/", {"code": code})
    assert answer["Location"] == "/accounts/recovery-codes/"
    assert repository.staff_get(staff.staff_id).totp_enabled_at


def test_set_up_link_expires_after_24_hours_and_clinicians_may_skip(hospital, clock):
    _, key = services.staff_create(
        email="late@example.org", name="Late Nurse", roles={hospital.hospital_id: Role.NURSE}
    )
    clock.advance(24 * 3600 + 1)
    assert Client().get(f"/accounts/setup/{key}/").status_code == 404
    _, key = services.staff_create(
        email="skip@example.org", name="Skip Nurse", roles={hospital.hospital_id: Role.NURSE}
    )
    browser = Client()
    set_up(browser, key)
    assert "Skip for now" in browser.get(f"/accounts/setup/{key}/factor/").content.decode()
    assert browser.post(f"/accounts/setup/{key}/factor/").status_code == 303
    assert browser.get("/cockpit/").status_code == 200


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("aaaaaaaaaaaa", "in a row"),
        ("short1", "too short"),
        ("password1234", "too common"),
        ("839201746583920", "entirely numeric"),
        ("firstname.lastname@example.org", "too similar"),
    ],
)
def test_password_rules(password, message):
    from django.core.exceptions import ValidationError

    from accounts.passwords import validate_password

    with pytest.raises(ValidationError) as exc:
        validate_password(
            password, name="Firstname Lastname", email="firstname.lastname@example.org"
        )
    assert message in " ".join(exc.value.messages)


def test_clinicians_need_a_second_factor_when_the_organization_says_so(make_staff, hospital):
    nurse = make_staff(Role.NURSE)
    services.organization_update(
        hospital.organization_id,
        name="Test Org",
        clinicians_need_second_factor=True,
        hospital_defaults_values={},
    )
    browser = Client()
    first = password_step(browser, nurse)
    assert first["Location"] == "/accounts/login/enrol/"
    assert browser.get("/cockpit/").status_code == 302
    browser.get("/accounts/totp/")
    secret = browser.session[services.TOTP_PENDING_KEY]
    code = second_factors.totp_code(secret, services.clock.now_epoch() // 30)
    assert (
        browser.post("/accounts/totp/", {"code": code})["Location"] == "/accounts/recovery-codes/"
    )
    assert browser.get("/cockpit/").status_code == 200
    services.organization_update(
        hospital.organization_id,
        name="Test Org",
        clinicians_need_second_factor=False,
        hospital_defaults_values={},
    )


def test_reauthenticate_with_password_or_passkey(make_staff, sign_in):
    nurse = make_staff(Role.NURSE)
    browser = sign_in(nurse, browser=Client())
    passkey = SoftPasskey()
    register_passkey(browser, passkey)
    answer = passkey_sign_in(browser, passkey, purpose="reauthenticate")
    assert answer.json() == {"ok": True}
    assert browser.session[services.REAUTHENTICATED_KEY]
    request = RequestFactory().post("/")
    request.session = browser.session
    request.staff = services.SignedInStaff.from_staff(repository.staff_get(nurse.staff_id))
    request.client_address = "192.0.2.5"
    assert services.staff_reauthenticate(request, password=PASSWORD)
    assert not services.staff_reauthenticate(request, password="not the password")


def test_security_page_keeps_the_last_required_factor(make_staff, sign_in):
    admin = make_staff(Role.ADMIN)
    browser = sign_in(admin, browser=Client())
    page = browser.get("/accounts/security/")
    assert page.status_code == 200 and "Authenticator app" in page.content.decode()
    refused = browser.post("/accounts/security/", {"disable_totp": "1"})
    assert refused.status_code == 400
    assert repository.staff_get(admin.staff_id).totp_enabled_at
    new_codes = browser.post("/accounts/security/", {"new_codes": "1"})
    assert new_codes["Location"] == "/accounts/recovery-codes/"
    assert len(repository.staff_get(admin.staff_id).recovery_codes) == 10


def test_secrets_never_reach_the_audit_trail_or_the_staff_list(make_staff, hospital):
    admin = make_staff(Role.ADMIN)
    [row] = [
        s
        for s in repository.staff_of_organization(hospital.organization_id)
        if s["staff_id"] == admin.staff_id
    ]
    assert row["totp"] is True
    assert TOTP_SECRET not in json.dumps(row, default=str)
