"""Helpers for cockpit tests: register patients through the real intake path."""

import itertools
from datetime import date, timedelta

from django.test import Client

from tests.intake_helpers import open_form, patients, submit

# Each test patient is born on a different day of early 1980 (the same adult age band): the
# same name and birth date would make every registration a possible duplicate of the first.
_birthdays = itertools.count()


def register(hospital, **changes):
    """A patient registers in their own browser; returns the stored patient item."""
    if "date_of_birth" in changes:  # the form asks for day, month and year
        changes["born"] = changes.pop("date_of_birth")
    if "born" not in changes:
        born = date(1980, 1, 1) + timedelta(days=next(_birthdays) % 100)
        changes["born"] = born.isoformat()
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
