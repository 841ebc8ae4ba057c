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


def test_five_failures_for_one_account_lock_it_from_any_address(make_staff, clock):
    staff = make_staff()
    answers = [r.status_code for r in fail(Client(REMOTE_ADDR="192.0.2.1"), staff.email, 4)]
    assert answers == [400, 400, 400, 400]
    fifth = fail(Client(REMOTE_ADDR="192.0.2.2"), staff.email, 1)[0]
    assert fifth.status_code == 429
    elsewhere = Client(REMOTE_ADDR="192.0.2.3")
    right = elsewhere.post("/accounts/login/", {"email": staff.email, "password": PASSWORD})
    assert right.status_code == 429
    assert "Wait 15 minutes" in right.content.decode()
    clock.advance(15 * 60 + 1)
    again = elsewhere.post("/accounts/login/", {"email": staff.email, "password": PASSWORD})
    assert again.status_code == 303


def test_five_failures_from_one_address_lock_that_address(make_staff, client):
    staff = make_staff()
    for n in range(5):
        fail(client, f"someone-{n}@example.org", 1)
    response = client.post("/accounts/login/", {"email": staff.email, "password": PASSWORD})
    assert response.status_code == 429
    other = Client(REMOTE_ADDR="192.0.2.99")
    assert (
        other.post("/accounts/login/", {"email": staff.email, "password": PASSWORD}).status_code
        == 303
    )


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
