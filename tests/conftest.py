import itertools
import os
import secrets
import time
import uuid

import pytest
from django.test import Client

from solace import clock as app_clock
from solace import dynamodb, schema, services
from solace.domain import Role

OVER_HTTP = bool(os.environ.get("SOLACE_DYNAMODB_ENDPOINT"))
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session", autouse=True)
def tables():
    """The suite's tables: in-process moto, or the configured endpoint under a unique prefix."""
    mock = None
    if not OVER_HTTP:
        from moto import mock_aws

        mock = mock_aws()
        mock.start()
    dynamodb.reset_client()
    schema.create_tables()
    yield
    if OVER_HTTP:
        schema.delete_tables()
    if mock is not None:
        mock.stop()
    dynamodb.reset_client()


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


@pytest.fixture
def make_staff(hospital):
    def make(role=Role.NURSE, hospitals=None, password=PASSWORD, email=None):
        hospitals = hospitals if hospitals is not None else [hospital]
        return services.staff_create(
            email=email or f"{role.value}-{secrets.token_hex(5)}@example.org",
            name=f"Test {role.value}",
            role=role,
            hospital_ids=[h.hospital_id for h in hospitals],
            password=password,
        )

    return make


@pytest.fixture
def sign_in(client):
    def sign_in_as(staff, password=PASSWORD, browser=None):
        browser = browser or client
        response = browser.post("/accounts/login/", {"email": staff.email, "password": password})
        assert response.status_code == 303, response.content[:500]
        return browser

    return sign_in_as


class LiveServer:
    def __init__(self, url: str, endpoint: str):
        self.url = url
        self.endpoint = endpoint


@pytest.fixture(scope="session")
def app_server():
    """A real gunicorn serving the app against moto's server over HTTP.

    In-process runs start their own moto server (with its own tables); over-HTTP runs use the
    configured endpoint and this run's tables.
    """
    import subprocess
    import sys

    from django.conf import settings

    from solace import embedded

    store = None
    if OVER_HTTP:
        endpoint = settings.SOLACE_DYNAMODB_ENDPOINT
    else:
        store, endpoint = embedded.start_moto_server()
    env = {
        **os.environ,
        "SOLACE_DYNAMODB_ENDPOINT": endpoint,
        "SOLACE_TABLE_PREFIX": settings.SOLACE_TABLE_PREFIX,
    }
    if not OVER_HTTP:
        subprocess.run(
            [sys.executable, "manage.py", "dynamodb_create_tables"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    port = embedded.free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "solace.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "8",
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        embedded.wait_for_http(url + "/healthz")
        yield LiveServer(url, endpoint)
    finally:
        embedded.stop(server)
        if store is not None:
            embedded.stop(store)


@pytest.fixture
def live_store(app_server, settings):
    """Point this process's repositories at the live server's store while the test runs."""
    settings.SOLACE_DYNAMODB_ENDPOINT = app_server.endpoint
    dynamodb.reset_client()
    yield
    dynamodb.reset_client()
