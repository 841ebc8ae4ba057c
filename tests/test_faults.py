"""DynamoDB failing, against a real gunicorn: throttling and 5xx are retried within a bounded
budget; when it is spent the user sees a clear "please try again" and nothing is half-written;
a lost response or a killed worker never makes two patients."""

import os
import re
import signal
import time

import pytest
import requests

from solace import embedded
from tests.conftest import PASSWORD
from tests.fault_proxy import ERRORS, FaultProxy
from tests.intake_helpers import VALID, idempotency_records, patients

pytestmark = pytest.mark.live
ATTEMPTS = 3


@pytest.fixture(scope="module")
def proxy(live_endpoint):
    with FaultProxy(live_endpoint) as running:
        yield running


@pytest.fixture(scope="module")
def faulty_server(start_app_server, proxy):
    return start_app_server(
        workers=1,
        SOLACE_DYNAMODB_ENDPOINT=proxy.url,
        SOLACE_DYNAMODB_MAX_ATTEMPTS=str(ATTEMPTS),
    )


class Patient:
    """A phone with the intake form open: cookies, CSRF token, idempotency key."""

    def __init__(self, server, hospital):
        self.url = f"{server.url}/h/{hospital.slug}/intake/"
        page = requests.get(self.url, timeout=10)
        self.cookies = page.cookies.get_dict()
        self.data = {
            **VALID,
            "idempotency_key": re.search(
                r'name="idempotency_key" value="([^"]+)"', page.text
            ).group(1),
            "csrfmiddlewaretoken": re.search(
                r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text
            ).group(1),
        }

    def submit(self):
        return requests.post(
            self.url, data=self.data, cookies=self.cookies, allow_redirects=False, timeout=30
        )


@pytest.mark.parametrize("error", sorted(ERRORS))
def test_a_passing_fault_is_retried_and_lands_once(
    faulty_server, proxy, live_store, make_hospital, error
):
    hospital = make_hospital()
    patient = Patient(faulty_server, hospital)
    proxy.arm("reject", times=ATTEMPTS - 1, error=error)
    response = patient.submit()
    assert response.status_code == 303
    assert proxy.seen == ATTEMPTS - 1
    assert len(patients(hospital)) == 1


@pytest.mark.parametrize("error", sorted(ERRORS))
def test_a_spent_budget_asks_to_try_again_and_writes_nothing(
    faulty_server, proxy, live_store, make_hospital, error
):
    hospital = make_hospital()
    patient = Patient(faulty_server, hospital)
    proxy.arm("reject", times=100, error=error)
    response = patient.submit()
    assert response.status_code == 503
    assert "Please try again" in response.text and response.headers["Retry-After"]
    assert proxy.seen == ATTEMPTS  # bounded
    assert patients(hospital) == [] and idempotency_records(hospital) == []
    proxy.arm("reject", times=0)
    assert patient.submit().status_code == 303  # DynamoDB is back: the same form lands once
    assert len(patients(hospital)) == 1


def test_a_lost_response_is_retried_into_a_replay_not_a_second_patient(
    faulty_server, proxy, live_store, make_hospital
):
    hospital = make_hospital()
    patient = Patient(faulty_server, hospital)
    proxy.arm("lose", times=1, error="server error")  # committed, but the app hears a 500
    response = patient.submit()
    assert response.status_code == 303
    assert len(patients(hospital)) == 1


def _workers(master_pid: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master_pid:
                children.append(int(entry))
    return children


@pytest.mark.parametrize("moment", ["hold_before", "hold_after"])
def test_a_worker_killed_mid_intake_then_a_resubmit_makes_one_patient(
    faulty_server, proxy, live_store, make_hospital, moment
):
    hospital = make_hospital()
    patient = Patient(faulty_server, hospital)
    proxy.arm(moment, times=1)
    import threading

    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(r=_try(patient.submit)))
    thread.start()
    assert proxy.reached.wait(20)  # the transaction is in flight (committed, for hold_after)
    workers = _workers(faulty_server.process.pid)
    assert workers
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    proxy.release.set()
    thread.join(30)
    assert not isinstance(outcome.get("r"), requests.Response) or outcome["r"].status_code >= 500
    deadline = time.monotonic() + 30
    while not _workers(faulty_server.process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    embedded.wait_for_http(faulty_server.url + "/healthz")
    assert patient.submit().status_code == 303  # the patient taps "Register" again
    assert len(patients(hospital)) == 1


def _try(call):
    try:
        return call()
    except requests.RequestException as exc:
        return exc


def test_opening_the_form_sends_no_write_through_the_proxy(
    faulty_server, proxy, live_store, make_hospital
):
    """The form's GET writes nothing (its intake session travels in a signed cookie): with
    every write refused by the proxy, the form still opens, and no write was even tried."""
    hospital = make_hospital()
    try:
        for operation in ("PutItem", "UpdateItem", "TransactWriteItems", "DeleteItem"):
            proxy.operation = operation
            proxy.arm("reject", times=100, error="server error")
            page = requests.get(f"{faulty_server.url}/h/{hospital.slug}/intake/", timeout=10)
            assert page.status_code == 200 and 'name="idempotency_key"' in page.text
            assert proxy.seen == 0, operation
    finally:
        proxy.arm("reject", times=0)
        proxy.operation = "TransactWriteItems"


def test_a_conditional_put_retried_after_it_landed_is_not_an_error(
    faulty_server, proxy, live_store, make_staff
):
    """Signing in writes the audit entry and the session with conditions (never over another).
    When the store commits such a put but the answer is lost, botocore's retry finds the item
    there: the write recognises its own item and the person is signed in, not shown a 500.
    (Opening the intake form used to be this test's put; it writes nothing now.)"""
    staff = make_staff()
    browser = requests.Session()
    login = browser.get(f"{faulty_server.url}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    proxy.operation = "PutItem"
    try:
        proxy.arm("lose", times=1, error="server error")
        response = requests.post(
            f"{faulty_server.url}/accounts/login/",
            data={"email": staff.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
            cookies=browser.cookies.get_dict(),
            headers={"Referer": f"{faulty_server.url}/accounts/login/"},
            allow_redirects=False,
            timeout=10,
        )
        assert proxy.seen == 1
    finally:
        proxy.operation = "TransactWriteItems"
    assert response.status_code == 303, response.text[:300]
