"""Browser fixtures: Playwright driving the system Chromium (Debian package `chromium`).

Without a browser these tests are skipped with a message; with SOLACE_E2E_REQUIRED=1 (set by
.ci/run) a missing browser is a failure instead.
"""

import re
import shutil

import pytest

from accounts.domain import Role
from solace.env import env_bool, env_str
from tests.conftest import PASSWORD, totp_code

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


def sign_in(page, server, staff, base_url=None):
    """Email and password, then the second step's `code` form when the account needs it."""
    page.goto(f"{base_url or server.url}/accounts/login/")
    page.fill("input[name=email]", staff.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if "/accounts/login/verify/" in page.url:
        page.fill("input[name=code]", totp_code(staff))
        page.click("main form button[type=submit]")
        page.wait_for_load_state()


@pytest.fixture
def staff_of(live_store, make_staff, site):
    def make(role=Role.NURSE):
        return make_staff(role, hospitals=[site])

    return make


# --- The patient's check-in form: two steps ----------------------------------------------------
TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}
# A laptop at 200% zoom: 1366x768 CSS pixels halved, drawn at twice the density.
LAPTOP_200 = {"viewport": {"width": 683, "height": 384}, "device_scale_factor": 2}


def fill_about_you(page, given, family="Rivera", born=("1", "6", "1975"), sex="female"):
    page.fill("#id_given_name", given)
    page.fill("#id_family_name", family)
    day, month, year = born
    page.fill("input[name=date_of_birth_day]", day)
    page.select_option("select[name=date_of_birth_month]", month)
    page.fill("input[name=date_of_birth_year]", year)
    page.check(f"input[name=sex][value={sex}]")


def next_step(page):
    page.click("#intake-form button.primary")
    page.wait_for_selector("#id_chief_complaint")


def fill_why(page, complaint, symptoms=(), pain=None):
    page.fill("#id_chief_complaint", complaint)
    for code in symptoms:
        page.check(f"input[name=symptoms][value={code}]")
    if pain is not None:
        page.select_option("#id_pain_score", pain)


def register(page, double_tap=False):
    """Press Register (twice, quickly, like a worried thumb) and wait for the status page."""
    if double_tap:
        page.dblclick("#intake-form button[data-register]")
    else:
        page.click("#intake-form button[data-register]")
    page.wait_for_url(re.compile(r"/intake/status/$"))
    return page.inner_text(".check-in-code").strip()


def row_link(code: str) -> str:
    """The name link of the queue row of this check-in code (not a row that only mentions it,
    as a possible duplicate's flag does)."""
    return f"tr:has(th.patient > .code:text-is('{code}')) a.name"
