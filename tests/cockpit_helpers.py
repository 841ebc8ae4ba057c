"""Helpers for cockpit tests: register patients through the real intake path."""

from django.test import Client

from tests.intake_helpers import open_form, patients, submit


def register(hospital, **changes):
    """A patient registers in their own browser; returns the stored patient item."""
    browser = Client()
    before = {p["patient_id"] for p in patients(hospital)}
    response = submit(browser, hospital, open_form(browser, hospital), **changes)
    assert response.status_code == 303, response.content[:300]
    [patient] = [p for p in patients(hospital) if p["patient_id"] not in before]
    return patient


def poll(client, hospital, etag=None):
    headers = {"HX-Request": "true"}
    if etag:
        headers["If-None-Match"] = etag
    return client.get("/cockpit/queue/", {"hospital": hospital.hospital_id}, headers=headers)
