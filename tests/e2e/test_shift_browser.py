"""A whole shift in a real browser: a queue that says when it is stale, locks without going
blank, undoes a discharge, fits a laptop at 200 % zoom and a tablet, and a waiting-room TV whose
link stops working when revoked. axe-core on every new page."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from accounts.domain import Role
from tests.cockpit_helpers import register
from tests.conftest import PASSWORD
from tests.e2e.conftest import POLL_SECONDS, WORKSTATION, sign_in
from tests.test_shift import readable_problems

pytestmark = pytest.mark.live
LAPTOP_200 = {"viewport": {"width": 683, "height": 384}, "device_scale_factor": 2}
TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}
WAIT_MS = (POLL_SECONDS * 3 + 6) * 1000
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def serious(page) -> list[str]:
    return [
        f"{v['id']}: {v['help']} {[(n['target'], n.get('failureSummary')) for n in v['nodes']][:2]}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def wait_until(page, check, timeout_ms: int) -> None:
    """Poll from the test (the app's CSP forbids the eval wait_for_function would need)."""
    for _ in range(timeout_ms // 250):
        if check():
            return
        page.wait_for_timeout(250)
    raise AssertionError("timed out")


def busy(site, count=4):
    """A few patients with everything a row can show: alerts, allergies, interpreters."""
    made = [
        register(
            site,
            symptoms=["chest_pain"],
            chief_complaint="Crushing chest pressure going to the left arm and jaw since an hour",
            preferred_language="es",
            allergies="penicillin, sulfa drugs and latex",
        )
    ]
    for n in range(count - 1):
        made.append(
            register(
                site, symptoms=["cough"], chief_complaint=f"Cough for {n + 2} days", pain_score="2"
            )
        )
    return made


def test_a_queue_whose_polls_fail_says_it_is_not_current_and_recovers(
    context_factory, server, site, staff_of
):
    busy(site, 2)
    page = context_factory(**WORKSTATION).new_page()
    sign_in(page, server, staff_of(Role.NURSE))
    page.goto(f"{server.url}/cockpit/")
    first_stamp = page.inner_text("#last-updated")
    assert re.fullmatch(r"\d{2}:\d{2}:\d{2}", first_stamp)
    assert page.is_hidden("#stale")
    # An unchanged poll (204) still counts as fresh: the stamp moves on.
    wait_until(page, lambda: page.inner_text("#last-updated") != first_stamp, WAIT_MS)
    blocked = re.compile(r"/cockpit/queue/")
    page.route(blocked, lambda route: route.abort())
    page.wait_for_selector("#stale", state="visible", timeout=WAIT_MS)
    assert "not current" in page.inner_text("#stale")
    assert readable_problems(page.inner_text("#stale")) == []
    page.unroute(blocked)
    page.wait_for_selector("#stale", state="hidden", timeout=40_000)  # back-off, then fresh


def test_an_idle_queue_locks_de_identified_keeps_polling_and_unlocks_to_the_same_page(
    context_factory, start_app_server, site, staff_of
):
    server = start_app_server(SOLACE_SESSION_IDLE_SECONDS="8", SOLACE_QUEUE_POLL_SECONDS="1")
    first = busy(site, 1)[0]
    nurse = staff_of(Role.NURSE)
    page = context_factory(**WORKSTATION).new_page()
    sign_in(page, server, nurse)
    page.goto(f"{server.url}/cockpit/?filter=waiting_room")
    assert "García López, A." in page.inner_text("table.queue")
    page.wait_for_url(re.compile(r"/locked/\?next="), timeout=20_000)
    text = page.inner_text("main")
    assert "Screen locked" in text and "without activity" in text
    assert first["check_in_code"] in text and "García" not in text and "Crushing" not in text
    assert serious(page) == []
    # Still polling: a new arrival shows up on the locked screen (by code only).
    later = register(site, symptoms=["cough"], chief_complaint="Cough", given_name="Zoe")
    page.wait_for_selector(f"text={later['check_in_code']}", timeout=10_000)
    assert "Zoe" not in page.inner_text("main")
    page.fill("#unlock-password", "not the password")
    page.click("button:has-text('Unlock')")
    assert "not right" in page.inner_text("#unlock-error")
    page.fill("#unlock-password", PASSWORD)
    page.click("button:has-text('Unlock')")
    page.wait_for_url(re.compile(r"/cockpit/\?filter=waiting_room$"))
    assert "García López, A." in page.inner_text("table.queue")
    # A page that does not poll (a patient's record) locks itself too, and comes back to it.
    record = f"/cockpit/patients/{first['patient_id']}/"
    page.goto(server.url + record)
    page.wait_for_url(re.compile(r"/locked/\?next="), timeout=20_000)
    page.fill("#unlock-password", PASSWORD)
    page.click("button:has-text('Unlock')")
    page.wait_for_url(re.compile(re.escape(record) + "$"))


def test_a_discharge_asks_first_and_is_undone_from_the_queue(
    context_factory, server, site, staff_of
):
    patient = busy(site, 1)[0]
    page = context_factory(**WORKSTATION).new_page()
    sign_in(page, server, staff_of(Role.NURSE))
    page.goto(f"{server.url}/cockpit/patients/{patient['patient_id']}/")
    page.select_option("#status-status", "discharged")
    page.click("button:has-text('Move')")
    page.wait_for_url(re.compile(r"/end/\?"))
    assert "Discharged: end this visit?" in page.inner_text("h1")
    assert serious(page) == []
    page.click("button:has-text('Yes: Discharged')")
    page.wait_for_url(re.compile(r"/cockpit/\?ended="))
    notice = page.inner_text("#ended-notice")
    assert "Discharged: García López, A." in notice
    assert patient["check_in_code"] not in page.inner_text("table.queue")
    # Back to the record: it reads as ended and read-only, never as a live "Waiting" visit.
    page.go_back()
    page.wait_for_selector("#ended")
    assert "This visit has ended: Discharged" in page.inner_text("#ended")
    assert page.locator("#record-vitals").count() == 0
    page.go_forward()
    page.wait_for_selector("#ended-notice")
    page.click("#ended-notice button:has-text('Undo')")
    page.wait_for_url(re.compile(r"saved=reopen"))
    assert "End of visit undone" in page.inner_text("#saved")
    assert "Waiting" in page.inner_text(".patient-head")
    assert "Reopened (undo)" in page.inner_text("ol.timeline")
    page.goto(f"{server.url}/cockpit/")
    assert patient["check_in_code"] in page.inner_text("table.queue")


@pytest.mark.parametrize("device", [LAPTOP_200, TABLET], ids=["laptop-200-percent", "tablet"])
def test_the_queue_fits_without_sideways_scrolling(device, context_factory, server, site, staff_of):
    patients = busy(site, 3)
    page = context_factory(**device).new_page()
    sign_in(page, server, staff_of(Role.CHARGE_NURSE))
    page.goto(f"{server.url}/cockpit/")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the queue scrolls sideways"
    # The alert and its "feels worse"-style flags are next to the name, on screen, not off it.
    alert = page.locator("tr.alerted .flag.alerted").first
    box = alert.bounding_box()
    assert box and box["x"] + box["width"] <= device["viewport"]["width"]
    assert serious(page) == []
    for path in (
        f"/cockpit/patients/{patients[0]['patient_id']}/",
        "/cockpit/displays/",
        "/cockpit/arrivals/new/",
    ):
        page.goto(server.url + path)
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{path} scrolls sideways"


def test_a_waiting_room_display_works_until_its_link_is_revoked(
    context_factory, server, site, staff_of
):
    patient = busy(site, 2)[1]
    charge = context_factory(**WORKSTATION).new_page()
    sign_in(charge, server, staff_of(Role.CHARGE_NURSE))
    charge.goto(f"{server.url}/cockpit/displays/")
    charge.fill("#id_name", "Main waiting room TV")
    charge.click("text=Make a display link")
    assert "Main waiting room TV" in charge.inner_text("#display-created")
    assert serious(charge) == []
    link = charge.get_attribute("a.display-link", "href")
    tv = context_factory(viewport={"width": 1920, "height": 1080}).new_page()
    tv.goto(link)
    board = tv.inner_text("main")
    assert patient["check_in_code"] in board and "Please wait" in board
    assert "Por favor, espere" in board and "Sala de espera" in board
    assert "García" not in board and "Cough" not in board
    assert serious(tv) == []
    charge.goto(f"{server.url}/cockpit/displays/")
    charge.click("button:has-text('Revoke')")
    assert "Revoked" in charge.inner_text("main")
    tv.wait_for_selector("#board-revoked", timeout=WAIT_MS)
    assert "revoked" in tv.inner_text("h1")
    assert serious(tv) == []


def test_staff_pages_show_words_in_the_browser_too(context_factory, server, site, staff_of):
    patient = busy(site, 2)[0]
    page = context_factory(**WORKSTATION).new_page()
    sign_in(page, server, staff_of(Role.NURSE))
    for path in ("/cockpit/", f"/cockpit/patients/{patient['patient_id']}/"):
        page.goto(server.url + path)
        assert readable_problems(page.inner_text("body")) == [], path
