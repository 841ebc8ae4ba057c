"""Staff sign-in and sign-out, session rotation, timeouts and throttling."""

from django.test import Client, override_settings

from accounts import services
from accounts.domain import Role
from solace.clock import now_epoch
from tests.conftest import PASSWORD
from tests.test_sessions import raw_item


def session_key(browser):
    cookie = browser.cookies.get("solace_session")
    return cookie.value if cookie else None


def test_sign_in_page_has_the_form(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="email"' in body and 'name="password"' in body
    assert 'name="csrfmiddlewaretoken"' in body


def test_sign_in_rotates_the_session_key_and_stores_who_signed_in(client, make_staff):
    staff = make_staff(Role.NURSE)
    client.get("/accounts/login/")
    session = client.session  # an anonymous session with a key, as an attacker could plant
    session["planted"] = True
    session.save()
    planted = session.session_key
    response = client.post("/accounts/login/", {"email": staff.email, "password": PASSWORD})
    assert response.status_code == 303
    key = session_key(client)
    assert key and key != planted
    assert raw_item(planted) is None
    item = raw_item(key)
    assert item["staff_id"] == staff.staff_id
    assert item["expires_at"] > now_epoch()
    assert client.get("/")["Location"] == "/cockpit/"


def test_sign_in_accepts_the_email_in_any_case(client, make_staff):
    staff = make_staff()
    response = client.post("/accounts/login/", {"email": staff.email.upper(), "password": PASSWORD})
    assert response.status_code == 303


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_staff):
    staff = make_staff()
    wrong = client.post("/accounts/login/", {"email": staff.email, "password": "nope-nope"})
    unknown = client.post(
        "/accounts/login/", {"email": "nobody@example.org", "password": "nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 400
    message = "do not match an active account"
    assert message in wrong.content.decode() and message in unknown.content.decode()
    assert session_key(client) is None


def test_next_parameter_is_followed_only_within_the_site(client, make_staff):
    staff = make_staff()
    ok = client.post("/accounts/login/?next=/healthz", {"email": staff.email, "password": PASSWORD})
    assert ok["Location"] == "/healthz"
    other = Client(REMOTE_ADDR="192.0.2.77")
    evil = other.post(
        "/accounts/login/?next=https://evil.example/", {"email": staff.email, "password": PASSWORD}
    )
    assert evil["Location"] == "/"


def test_sign_out_ends_the_session_item(sign_in, make_staff, client):
    sign_in(make_staff())
    key = session_key(client)
    response = client.post("/accounts/logout/")
    assert response.status_code == 303
    assert raw_item(key) is None
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_sign_out_needs_post(sign_in, make_staff, client):
    sign_in(make_staff())
    assert client.get("/accounts/logout/").status_code == 405


def test_sign_out_needs_the_csrf_token(make_staff):
    browser = Client(enforce_csrf_checks=True, REMOTE_ADDR="192.0.2.10")
    browser.get("/accounts/login/")
    token = browser.cookies["csrftoken"].value
    staff = make_staff()
    browser.post(
        "/accounts/login/",
        {"email": staff.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert browser.post("/accounts/logout/").status_code == 403
    assert browser.get("/cockpit/").status_code == 200


def test_idle_timeout_locks_the_screen(sign_in, make_staff, client, clock):
    sign_in(make_staff())
    clock.advance(14 * 60)
    assert client.get("/cockpit/").status_code == 200  # activity moves the deadline
    clock.advance(14 * 60)
    assert client.get("/cockpit/").status_code == 200
    clock.advance(15 * 60 + 1)
    assert client.get("/cockpit/")["Location"].startswith("/locked/?next=")


def test_absolute_lifetime_signs_out_even_when_active(sign_in, make_staff, client, clock):
    with override_settings(SOLACE_SESSION_ABSOLUTE_SECONDS=30 * 60):
        sign_in(make_staff())
        for _ in range(3):
            clock.advance(10 * 60)
            client.get("/")
        assert client.get("/")["Location"].startswith("/accounts/login/")


def test_a_deactivated_account_is_signed_out_everywhere_and_cannot_sign_in(
    sign_in, make_staff, client
):
    staff = make_staff()
    sign_in(staff)
    services.staff_deactivate(staff.staff_id)
    assert client.get("/")["Location"].startswith("/accounts/login/")
    response = client.post("/accounts/login/", {"email": staff.email, "password": PASSWORD})
    assert response.status_code == 400


def fail(browser, email, times):
    return [
        browser.post("/accounts/login/", {"email": email, "password": "wrong-password"})
        for _ in range(times)
    ]


def sign_in_answer(browser, staff, password=PASSWORD):
    return browser.post("/accounts/login/", {"email": staff.email, "password": password})


def test_failures_from_one_address_delay_that_pair_progressively(make_staff, clock):
    staff = make_staff()
    attacker = Client(REMOTE_ADDR="192.0.2.1")
    answers = [r.status_code for r in fail(attacker, staff.email, 5)]
    assert answers == [400, 400, 400, 400, 429]  # the fifth starts a 30 s delay
    held = sign_in_answer(attacker, staff)
    assert held.status_code == 429 and "Wait 1 minutes" in held.content.decode()
    clock.advance(31)
    assert fail(attacker, staff.email, 1)[0].status_code == 429  # the sixth: 60 s
    clock.advance(31)
    assert sign_in_answer(attacker, staff).status_code == 429  # still held back
    clock.advance(30)
    assert sign_in_answer(attacker, staff).status_code == 303


def test_a_weaponised_lock_out_does_not_stop_the_real_user_from_another_address(make_staff, clock):
    staff = make_staff()
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    fail(attacker, staff.email, 5)
    for _ in range(6):  # and keeps going, every minute
        clock.advance(60)
        fail(attacker, staff.email, 1)
    assert sign_in_answer(attacker, staff).status_code == 429
    real_user = Client(REMOTE_ADDR="192.0.2.200")
    assert sign_in_answer(real_user, staff).status_code == 303


def test_many_accounts_behind_one_address_are_not_locked_together(make_staff):
    """A hospital NAT or a shared workstation: one person's typos never lock the others."""
    ward = Client(REMOTE_ADDR="198.51.100.80")
    for n in range(8):
        fail(ward, f"colleague-{n}@example.org", 5)
    staff = make_staff()
    assert sign_in_answer(ward, staff).status_code == 303


def test_the_address_ceiling_holds_back_a_spraying_address(make_staff, settings):
    settings.SOLACE_LOGIN_ADDRESS_MAX_FAILURES = 6
    sprayer = Client(REMOTE_ADDR="198.51.100.81")
    for n in range(6):
        fail(sprayer, f"sprayed-{n}@example.org", 1)
    staff = make_staff()
    assert sign_in_answer(sprayer, staff).status_code == 429
    assert sign_in_answer(Client(REMOTE_ADDR="198.51.100.82"), staff).status_code == 303


def test_the_account_ceiling_holds_passwords_but_never_passkeys(make_staff, settings, sign_in):
    from tests.webauthn_helpers import SoftPasskey, passkey_sign_in, register_passkey

    staff = make_staff()
    passkey = SoftPasskey()
    register_passkey(sign_in(staff, browser=Client(REMOTE_ADDR="192.0.2.150")), passkey)
    settings.SOLACE_LOGIN_ACCOUNT_MAX_FAILURES = 8
    for n in range(8):  # a botnet: each address stays under its own limit
        fail(Client(REMOTE_ADDR=f"203.0.113.{n + 1}"), staff.email, 1)
    real_user = Client(REMOTE_ADDR="192.0.2.201")
    held = sign_in_answer(real_user, staff)
    assert held.status_code == 429 and "passkey" in held.content.decode()
    answer = passkey_sign_in(real_user, passkey)
    assert answer.status_code == 200, answer.content
    assert real_user.get("/cockpit/").status_code == 200


def test_throttling_an_unknown_account_looks_the_same(client):
    answers = fail(client, "ghost@example.org", 6)
    assert [r.status_code for r in answers] == [400, 400, 400, 400, 429, 429]


def test_failures_spread_beyond_the_window_do_not_lock(make_staff, clock):
    staff = make_staff()
    fail(Client(REMOTE_ADDR="192.0.2.50"), staff.email, 4)
    clock.advance(15 * 60 + 1)
    fail(Client(REMOTE_ADDR="192.0.2.51"), staff.email, 4)
    ok = Client(REMOTE_ADDR="192.0.2.52").post(
        "/accounts/login/", {"email": staff.email, "password": PASSWORD}
    )
    assert ok.status_code == 303


def test_the_csrf_token_changes_at_sign_in_and_at_sign_out(make_staff):
    browser = Client(REMOTE_ADDR="192.0.2.11")
    browser.get("/accounts/login/")
    before = browser.cookies["csrftoken"].value
    sign_in_answer(browser, make_staff())
    signed_in = browser.cookies["csrftoken"].value
    assert signed_in != before
    browser.post("/accounts/logout/")
    assert browser.cookies["csrftoken"].value not in (before, signed_in)


def test_an_old_csrf_token_is_refused_after_sign_in(make_staff):
    browser = Client(enforce_csrf_checks=True, REMOTE_ADDR="192.0.2.12")
    browser.get("/accounts/login/")
    old_token = browser.cookies["csrftoken"].value
    staff = make_staff()
    browser.post(
        "/accounts/login/",
        {"email": staff.email, "password": PASSWORD, "csrfmiddlewaretoken": old_token},
    )
    assert browser.post("/accounts/logout/", {"csrfmiddlewaretoken": old_token}).status_code == 403


def test_production_hashes_passwords_with_argon2_and_the_tests_change_nothing_else(make_staff):
    """The suite hashes with MD5 (tests/settings.py): here production's hashers run for real."""
    from solace import settings as production
    from tests import settings as under_test

    changed = {
        name
        for name in dir(production)
        if name.isupper() and getattr(production, name) != getattr(under_test, name)
    }
    assert changed == {"PASSWORD_HASHERS"}
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        staff = make_staff(role=Role.NURSE)
        assert staff.password_hash.startswith("argon2$argon2id$")
        browser = Client(REMOTE_ADDR="10.255.0.1")
        response = browser.post("/accounts/login/", {"email": staff.email, "password": PASSWORD})
        assert response.status_code == 303
        wrong = Client(REMOTE_ADDR="10.255.0.2").post(
            "/accounts/login/", {"email": staff.email, "password": PASSWORD + "x"}
        )
        assert wrong.status_code == 400


def test_an_unknown_account_costs_one_password_hash_like_a_known_one(client, monkeypatch):
    """Timing must not tell which emails have accounts: an unknown one still hashes the
    password (as long as verifying a real hash takes)."""
    hashed = []
    real = services.make_password
    monkeypatch.setattr(services, "make_password", lambda pw: hashed.append(pw) or real(pw))
    client.post("/accounts/login/", {"email": "nobody@example.org", "password": "guess-1234"})
    assert hashed == ["guess-1234"]
