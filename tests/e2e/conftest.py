"""Browser fixtures: Playwright driving the system Chromium (Debian package `chromium`).

Without a browser these tests are skipped with a message; with SOLACE_E2E_REQUIRED=1 (set by
.ci/run) a missing browser is a failure instead.
"""

import shutil

import pytest

from accounts.domain import Role
from solace.env import env_bool, env_str
from tests.conftest import PASSWORD

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
WORKSTATION = {"viewport": {"width": 1440, "height": 900}}
POLL_SECONDS = 2


def chromium_path() -> str | None:
    return (
        env_str("SOLACE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "Chromium not found: browser tests skipped (apt-get install chromium)"
        if env_bool("SOLACE_E2E_REQUIRED", False):
            pytest.fail(message + ", but SOLACE_E2E_REQUIRED=1")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def server(start_app_server):
    return start_app_server(SOLACE_QUEUE_POLL_SECONDS=str(POLL_SECONDS))


@pytest.fixture
def site(live_store, make_hospital):
    return make_hospital(name="E2E General")


@pytest.fixture
def context_factory(browser):
    contexts = []

    def make(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def sign_in(page, server, staff):
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=email]", staff.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def staff_of(live_store, make_staff, site):
    def make(role=Role.NURSE):
        return make_staff(role, hospitals=[site])

    return make
