"""The ED operations report in a real browser: a charge nurse reads the hand-computed shift's
numbers, opens the call-back list and downloads a table; an admin sees aggregates only; axe
finds nothing serious; screenshots at phone, laptop-at-200 % and tablet sizes (looked at)."""

import csv
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from reports import services
from solace import dynamodb
from tests.e2e.conftest import PHONE, WORKSTATION, sign_in
from tests.e2e.test_browser import serious
from tests.reports_shift import NEXT_DAY, SHIFT_DAY, play_shift

pytestmark = pytest.mark.live

LAPTOP_200 = {"viewport": {"width": 683, "height": 384}, "device_scale_factor": 2}
TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}
SHOTS = Path(os.environ.get("SOLACE_E2E_SCREENSHOTS", "/tmp/solace-e2e-screenshots"))


@pytest.fixture(scope="module")
def shift(live_endpoint):
    """The shift, played once for the module on the store the browser's server uses."""
    from django.conf import settings

    saved = settings.SOLACE_DYNAMODB_ENDPOINT
    settings.SOLACE_DYNAMODB_ENDPOINT = live_endpoint
    dynamodb.reset_client()
    try:
        played = play_shift()
        services.rollup_rebuild(played.hospital, SHIFT_DAY, NEXT_DAY)
        yield played
    finally:
        settings.SOLACE_DYNAMODB_ENDPOINT = saved
        dynamodb.reset_client()


def report_url(server, shift) -> str:
    return (
        f"{server.url}/reports/?hospital={shift.hospital.hospital_id}"
        f"&date_from={SHIFT_DAY}&date_to={NEXT_DAY}&group=day"
    )


def watch_csp(page) -> list[str]:
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return refused


def test_a_charge_nurse_reads_the_report_and_calls_patients_back(
    context_factory, server, shift, tmp_path
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = context_factory(**WORKSTATION, accept_downloads=True).new_page()
    refused = watch_csp(page)
    sign_in(page, server, shift.charge)
    page.click("header >> text=Reports")
    page.wait_for_selector("h1:has-text('ED operations')")
    page.fill("#id_date_from", str(SHIFT_DAY))
    page.fill("#id_date_to", str(NEXT_DAY))
    page.click("form.report-filters button[type=submit]")
    page.wait_for_selector("#tile-door_to_provider")
    tile = page.locator("article.tile", has=page.locator("#tile-door_to_provider"))
    assert "30 min" in tile.inner_text() and "Target ≤ 30 min" in tile.inner_text()
    assert "13 visits arriving" in page.inner_text(".report-meta")
    assert page.locator("svg.chart[role=img]").count() >= 10
    assert "Shift, Patient C" not in page.content()  # names only on the call-back list
    page.screenshot(path=SHOTS / "reports-workstation.png", full_page=True)
    for section in ("tiles", "trend", "acuity", "stay", "left", "arrivals", "agreement"):
        page.locator(f"#{section}").screenshot(path=SHOTS / f"reports-section-{section}.png")
    assert serious(Axe().run(page)) == []

    # The numbers behind a chart are a table away, and download as CSV.
    page.click("summary:has-text('Table: By day')")
    assert page.locator("#table-by_period tbody tr").count() == 2
    with page.expect_download() as download:
        page.click("text=Download “By acuity level (acuity mix and long waits)” (CSV)")
    path = tmp_path / "by_level.csv"
    download.value.save_as(path)
    rows = list(csv.reader(path.open()))
    assert rows[0][:3] == ["Level", "Visits", "Share of visits (%)"]
    assert [r[1] for r in rows[1:6]] == ["2", "1", "4", "3", "3"]  # N (level 5) on the 3rd

    page.click("text=Open the call-back list")
    page.wait_for_selector("h1:has-text('Call-back list')")
    row = page.locator("table.callbacks tbody tr")
    assert row.count() == 1 and "Shift, Patient C" in row.inner_text()
    assert page.get_attribute("table.callbacks a[href^='tel:']", "href") == "tel:+1 555 0103"
    page.screenshot(path=SHOTS / "reports-callbacks.png", full_page=True)
    assert serious(Axe().run(page)) == []
    assert refused == []


@pytest.mark.parametrize(
    ("name", "device"), [("phone", PHONE), ("laptop-200", LAPTOP_200), ("tablet", TABLET)]
)
def test_the_report_fits_phones_zoomed_laptops_and_tablets(
    context_factory, server, shift, name, device
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = context_factory(**device).new_page()
    sign_in(page, server, shift.physician)
    page.goto(report_url(server, shift))
    page.wait_for_selector("#tile-door_to_provider")
    width = page.evaluate("document.documentElement.clientWidth")
    # Only the chart and table boxes scroll sideways, never the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=SHOTS / f"reports-{name}.png")
    page.locator("#ecat").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / f"reports-{name}-ecat.png")


def test_an_admin_sees_aggregates_only(context_factory, server, shift):
    page = context_factory(**WORKSTATION).new_page()
    refused = watch_csp(page)
    sign_in(page, server, shift.admin)
    page.goto(report_url(server, shift))
    page.wait_for_selector("#tile-door_to_provider")
    text = page.inner_text("main")
    assert "The call-back list names patients and is for clinicians" in text
    assert "Open the call-back list" not in text and "Grey and sweaty" not in text
    response = page.goto(f"{server.url}/reports/callbacks/?hospital={shift.hospital.hospital_id}")
    assert response.status == 403
    assert "You do not have access to this page." in page.inner_text("main")
    assert refused == []
