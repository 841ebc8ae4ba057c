import itertools
import os
import secrets
import time
import uuid

import pytest
from django.test import Client

from accounts import selectors as account_selectors
from accounts import services
from accounts.domain import Role
from solace import clock as app_clock
from solace import dynamodb, schema
from solace.env import env_str

OVER_HTTP = bool(env_str("SOLACE_DYNAMODB_ENDPOINT"))
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def aws():
    """The suite's store: moto in-process, or the configured endpoint over HTTP."""
    mock = None
    if not OVER_HTTP:
        from moto import mock_aws

        mock = mock_aws()
        mock.start()
    dynamodb.reset_client()
    yield
    if mock is not None:
        mock.stop()
    dynamodb.reset_client()


@pytest.fixture(scope="module", autouse=True)
def tables(aws):
    """Empty tables for every test module (under this run's prefix), deleted after it.

    moto snapshots every table a transaction writes to, whole, before applying it: with one set
    of tables for the whole run each intake and clinician action got slower as the run went on.
    No test relies on another module's data; the process's hospital cache goes with the tables.
    """
    schema.create_tables()
    yield
    schema.delete_tables()
    account_selectors._hospitals.clear()


class FakeClock:
    """Moves the app's clock (solace.clock) without touching botocore's."""

    def __init__(self):
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    def __getattr__(self, name):
        return getattr(time, name)


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(app_clock, "time", fake)
    return fake


_addresses = itertools.count(1)


@pytest.fixture
def client():
    """A browser from its own address, so throttling in one test never leaks into another."""
    n = next(_addresses)
    return Client(REMOTE_ADDR=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")


@pytest.fixture
def make_hospital():
    def make(slug=None, organization_id="org-test", name="Test General"):
        slug = slug or f"h-{uuid.uuid4().hex[:10]}"
        return services.hospital_create(
            slug=slug, name=name, timezone="UTC", organization_id=organization_id
        )

    return make


@pytest.fixture
def hospital(make_hospital):
    return make_hospital()


# Test staff who need a second factor (admins) get TOTP with this secret.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def enrol_totp(staff, secret=TOTP_SECRET):
    """Turn TOTP on for a staff member, as if they had scanned the QR code a while ago."""
    from accounts import repository

    step = app_clock.now_epoch() // 30
    repository.staff_enable_totp(staff.staff_id, secret, app_clock.utc_now_iso(), step - 10)


def totp_code(staff, secret=TOTP_SECRET):
    """A code the server accepts now: each code works once, so the next unused step (the
    server takes the step before and after the current one too)."""
    from accounts import repository, second_factors

    current = app_clock.now_epoch() // 30
    last = repository.staff_get(staff.staff_id, consistent=True).totp_last_step
    # Not the step before: a 30-second boundary passing meanwhile would make it too old.
    step = max(current, last + 1)
    assert step <= current + 1, "no unused TOTP step left: advance the clock"
    return second_factors.totp_code(secret, step)


@pytest.fixture
def make_staff(hospital):
    def make(role=Role.NURSE, hospitals=None, password=PASSWORD, email=None, roles=None):
        hospitals = hospitals if hospitals is not None else [hospital]
        roles = roles or {h.hospital_id: role for h in hospitals}
        staff, _ = services.staff_create(
            email=email or f"{role.value}-{secrets.token_hex(5)}@example.org",
            name=f"Test {role.label.lower()}",
            roles=roles,
            password=password,
        )
        if services.second_factor_required(staff):
            enrol_totp(staff)
        return staff

    return make


def sign_in_with_client(browser, staff, password=PASSWORD):
    """Password, then (for those who need it) the second step's plain `code` form."""
    response = browser.post("/accounts/login/", {"email": staff.email, "password": password})
    assert response.status_code == 303, response.content[:500]
    if response["Location"] == "/accounts/login/verify/":
        response = browser.post("/accounts/login/verify/", {"code": totp_code(staff)})
        assert response.status_code == 303, response.content[:500]
    return response


@pytest.fixture
def sign_in(client):
    def sign_in_as(staff, password=PASSWORD, browser=None):
        browser = browser or client
        sign_in_with_client(browser, staff, password)
        return browser

    return sign_in_as


class LiveServer:
    def __init__(self, url: str, endpoint: str, process):
        self.url = url
        self.endpoint = endpoint
        self.process = process


@pytest.fixture(scope="session")
def live_endpoint():
    """moto's server over HTTP with this run's tables (or the configured endpoint)."""
    import subprocess
    import sys

    from django.conf import settings

    from solace import embedded

    if OVER_HTTP:
        yield settings.SOLACE_DYNAMODB_ENDPOINT
        return
    store, endpoint = embedded.start_moto_server()
    env = {**os.environ, "SOLACE_DYNAMODB_ENDPOINT": endpoint, "SOLACE_S3_ENDPOINT": endpoint}
    subprocess.run(
        [sys.executable, "manage.py", "dynamodb_create_tables"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield endpoint
    finally:
        embedded.stop(store)


@pytest.fixture(scope="session")
def start_app_server(live_endpoint):
    """Start a real gunicorn on the live store, with extra settings; stopped at the end."""
    from django.conf import settings

    from solace import embedded

    servers = []

    def start(workers: int = 2, **settings_env: str) -> LiveServer:
        env = {
            **os.environ,
            "SOLACE_DYNAMODB_ENDPOINT": live_endpoint,
            "SOLACE_S3_ENDPOINT": live_endpoint,
            "SOLACE_TABLE_PREFIX": settings.SOLACE_TABLE_PREFIX,
            **settings_env,
        }
        process, url = embedded.start_gunicorn(env, workers=workers)
        server = LiveServer(url, live_endpoint, process)
        servers.append(server)
        return server

    yield start
    for server in servers:
        embedded.stop(server.process)


@pytest.fixture(scope="session")
def app_server(start_app_server):
    return start_app_server()


@pytest.fixture
def live_store(live_endpoint, settings):
    """Point this process's repositories at the live servers' store while the test runs."""
    settings.SOLACE_DYNAMODB_ENDPOINT = live_endpoint
    dynamodb.reset_client()
    yield
    dynamodb.reset_client()
