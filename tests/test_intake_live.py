"""Exactly-once registration under real concurrency: gunicorn, moto over HTTP, 20 threads."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.intake_helpers import VALID, patients

pytestmark = pytest.mark.live


def test_twenty_concurrent_submissions_create_one_patient(app_server, live_store, make_hospital):
    hospital = make_hospital()
    browser = requests.Session()
    page = browser.get(f"{app_server.url}/h/{hospital.slug}/intake/", timeout=10)
    assert page.status_code == 200
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    data = {**VALID, "idempotency_key": key, "csrfmiddlewaretoken": token}
    cookies = browser.cookies.get_dict()

    def post(_):
        return requests.post(
            f"{app_server.url}/h/{hospital.slug}/intake/",
            data=data,
            cookies=cookies,
            allow_redirects=False,
            timeout=30,
        )

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(post, range(20)))

    assert [a.status_code for a in answers] == [303] * 20
    assert {a.headers["Location"] for a in answers} == {f"/h/{hospital.slug}/intake/status/"}
    assert len(patients(hospital)) == 1
    # The cookies are Secure (production settings): send them by hand over plain http.
    status = requests.get(
        f"{app_server.url}/h/{hospital.slug}/intake/status/", cookies=cookies, timeout=10
    )
    assert patients(hospital)[0]["check_in_code"] in status.text


def test_a_concurrent_flood_from_one_address_registers_exactly_the_limit(
    start_app_server, live_store, make_hospital
):
    """Sixteen phones behind one address submit at the same moment (each its own form): the
    limit is part of the registration transaction, so exactly ten register and the rest write
    nothing, while a phone on another address still registers. The server trusts one proxy
    hop, as behind CloudFront, and counts the address it forwards."""
    server = start_app_server(SOLACE_TRUSTED_PROXY_HOPS="1")
    hospital = make_hospital()

    def open_and_submit(address):
        headers = {"X-Forwarded-For": address}
        browser = requests.Session()
        page = browser.get(f"{server.url}/h/{hospital.slug}/intake/", headers=headers, timeout=10)
        key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        data = {**VALID, "idempotency_key": key, "csrfmiddlewaretoken": token}
        return requests.post(
            f"{server.url}/h/{hospital.slug}/intake/",
            data=data,
            headers=headers,
            cookies=browser.cookies.get_dict(),
            allow_redirects=False,
            timeout=30,
        )

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(open_and_submit, ["198.51.100.7"] * 16))
    assert sorted(a.status_code for a in answers) == [303] * 10 + [429] * 6
    assert len(patients(hospital)) == 10
    assert open_and_submit("198.51.100.8").status_code == 303
    assert len(patients(hospital)) == 11
