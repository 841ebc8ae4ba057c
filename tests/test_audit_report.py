"""The audit trail reads like a report (names, local times, words, links), "All my hospitals"
works, the default is the last used hospital, admins' browsing can be hidden; the patient access
report covers the table and the readable archive and names what it could not read."""

import csv
import io
import json
import re
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client

from accounts import services
from accounts.domain import Role
from audit import archive
from audit.archive_repository import ArchiveConfig, ArchiveStore
from audit.domain import Action
from audit.services import audit_entry, audit_record
from solace import clock
from solace.context import Actor, RequestContext
from tests.cockpit_helpers import register
from tests.conftest import sign_in_with_client
from tests.test_audit import entries_of


@pytest.fixture
def org():
    return f"org-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def east(make_hospital, org):
    hospital = make_hospital(organization_id=org, name="East General")
    return services.hospital_update(hospital.slug, timezone="America/New_York")


@pytest.fixture
def west(make_hospital, org):
    hospital = make_hospital(organization_id=org, name="West General")
    return services.hospital_update(hospital.slug, timezone="America/Los_Angeles")


@pytest.fixture
def admin(make_staff, east, west):
    return make_staff(Role.ADMIN, hospitals=[east, west])


@pytest.fixture
def browser(admin):
    client = Client()
    sign_in_with_client(client, admin)
    return client


def seed(hospital, count, *, start=None, step=2, action=Action.ROOM_ASSIGNED, actor="d" * 32):
    base = start or clock.now_utc()
    for n in range(count):
        audit_record(
            hospital_id=hospital.hospital_id,
            actor=Actor.staff(actor, "nurse"),
            action=action,
            context=RequestContext("req", "127.0.0.1", "test"),
            time=clock.iso(base - timedelta(seconds=step * n)),
        )


def times(response):
    return re.findall(
        r'<td class="when"[^>]*><span class="nowrap">([\d-]+)</span> <span class="nowrap">([\d:]+)',
        response.content.decode(),
    )


def test_all_my_hospitals_merges_them_newest_first_page_by_page(browser, east, west):
    now = clock.now_utc()
    seed(east, 30, start=now)
    seed(west, 30, start=now - timedelta(seconds=1))
    query = {"hospital": "all", "action": "patient.room_assigned"}
    first = browser.get("/audit/", query)
    assert first.status_code == 200
    page1 = first.content.decode()
    assert page1.count("East General") >= 25 and page1.count("West General") >= 25
    cursor = re.search(r'cursor=([^"&]+)"', page1).group(1)
    from urllib.parse import unquote

    second = browser.get("/audit/", {**query, "cursor": unquote(cursor)})
    assert len(times(first)) == 50 and len(times(second)) == 10
    assert 'name="hospital"' in page1 and '<option value="all" selected>' in page1


def test_the_default_hospital_is_the_last_used_one(browser, admin, west):
    assert browser.get("/audit/", {"hospital": west.hospital_id}).status_code == 200
    again = Client()
    sign_in_with_client(again, admin)
    page = again.get("/audit/").content.decode()
    assert f'<option value="{west.hospital_id}" selected>' in page


def test_entries_read_like_a_report(browser, admin, east, make_staff):
    nurse = make_staff(Role.NURSE, hospitals=[east])
    patient = register(east, given_name="Rosa", family_name="Delgado")
    nurse_browser = Client()
    sign_in_with_client(nurse_browser, nurse)
    nurse_browser.get(f"/cockpit/patients/{patient['patient_id']}/")
    page = browser.get("/audit/", {"hospital": east.hospital_id}).content.decode()
    assert "Test nurse" in page and f'title="{nurse.email}"' in page
    assert f"{patient['check_in_code']} · Rosa Delgado" in page
    assert (
        "Opened record" in page and "patient.viewed" not in page.split("<tbody")[1].split("href")[0]
    )
    assert "East General" in page
    assert re.search(r"<abbr class=\"zone\">E[SD]T</abbr>", page)  # New York time
    assert f"actor={nurse.staff_id}" in page and f"patient={patient['patient_id']}" in page
    assert "action=patient.viewed" in page
    # Showing the patient's name is a read of patient data: the browse entry says whose.
    [browsed] = [e for e in entries_of(east.hospital_id) if e["action"] == "audit.browsed"]
    assert patient["patient_id"] in browsed["detail"]


def test_admins_browsing_is_hidden_unless_asked_for(browser, east):
    browser.get("/audit/", {"hospital": east.hospital_id})
    hidden = browser.get("/audit/", {"hospital": east.hospital_id}).content.decode()
    assert "Audit trail browsed" not in hidden.split("<tbody")[1]
    shown = browser.get("/audit/", {"hospital": east.hospital_id, "show_audit_use": "on"})
    assert "Audit trail browsed" in shown.content.decode().split("<tbody")[1]


def test_emails_of_other_organizations_stay_unknown(browser, east, make_hospital, make_staff):
    stranger = make_staff(Role.NURSE, hospitals=[make_hospital(organization_id="org-other")])
    response = browser.get("/audit/", {"hospital": east.hospital_id, "actor": stranger.email})
    assert response.status_code == 400
    assert "No staff member of your organization has that email" in response.content.decode()
    unknown = browser.get("/audit/", {"hospital": east.hospital_id, "actor": "no@one.example"})
    assert unknown.content.decode().count("No staff member of your organization") == 1


# --- Patient access report ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def store():
    call_command("audit_archive_setup")
    return ArchiveStore(ArchiveConfig.from_env())


def archived_entry(hospital, patient_id, days_ago, action=Action.PATIENT_VIEWED, actor="e" * 32):
    moment = clock.now_utc() - timedelta(days=days_ago)
    entry = audit_entry(
        hospital_id=hospital.hospital_id,
        actor=Actor.staff(actor, "physician"),
        action=action,
        context=RequestContext("old", "10.0.0.7", ""),
        patient_id=patient_id,
        time=clock.iso(moment),
    )
    from audit.repository import entry_to_item, public_record

    return public_record(entry_to_item(entry))


def put_archive(store, hospital, entries, *, storage_class="STANDARD"):
    day = entries[0]["time"][:10]
    key = archive.OBJECT_KEY.format(
        hospital=hospital.hospital_id, date=day, first=uuid.uuid4().hex, last="0"
    )
    body = "".join(json.dumps(e) + "\n" for e in entries).encode()
    store.s3.put_object(Bucket=store.config.bucket, Key=key, Body=body, StorageClass=storage_class)


def test_access_report_reads_the_table_and_the_readable_archive(
    store, browser, admin, east, make_staff
):
    nurse = make_staff(Role.NURSE, hospitals=[east])
    patient = register(east)
    pid = patient["patient_id"]
    nurse_browser = Client()
    sign_in_with_client(nurse_browser, nurse)
    nurse_browser.get(f"/cockpit/patients/{pid}/")
    old = archived_entry(east, pid, 100)
    put_archive(store, east, [old, archived_entry(east, "f" * 32, 100)])
    put_archive(store, east, [archived_entry(east, pid, 110)], storage_class="GLACIER")
    date_from = (clock.now_utc() - timedelta(days=120)).date().isoformat()
    url = f"/audit/patients/{pid}/"
    page = browser.get(url, {"date_from": date_from})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Opened record" in body and "Test nurse" in body  # from the table
    assert body.count("Opened record") == 2  # and the readable archive object, once
    glacier_day = (clock.now_utc() - timedelta(days=110)).date().isoformat()
    assert "Not covered" in body and glacier_day in body
    lines = browser.get(url, {"date_from": date_from, "format": "jsonl"}).content.splitlines()
    records = [json.loads(line) for line in lines]
    assert {r["source"] for r in records} == {"table", "archive"}
    assert old["event_id"] in {r["event_id"] for r in records}
    assert all(r["workstation"] for r in records)
    csv_text = browser.get(url, {"date_from": date_from, "format": "csv"}).content.decode()
    table = list(csv.DictReader(line for line in io.StringIO(csv_text) if not line.startswith("#")))
    assert len(table) == len(records) + 1 and table[0]["what"] == "Access report made"
    assert "# not covered" in csv_text
    made = [e for e in entries_of(east.hospital_id) if e["action"] == "audit.access_report"]
    assert len(made) == 3 and {e["patient_id"] for e in made} == {pid}


def test_access_report_is_for_admins_of_the_patients_hospital(
    make_staff, make_hospital, east, sign_in
):
    patient = register(east)
    nurse = make_staff(Role.NURSE, hospitals=[east])
    assert (
        sign_in(nurse, browser=Client())
        .get(f"/audit/patients/{patient['patient_id']}/")
        .status_code
        == 403
    )
    elsewhere = make_staff(Role.ADMIN, hospitals=[make_hospital(organization_id="org-z")])
    other = sign_in(elsewhere, browser=Client())
    assert other.get(f"/audit/patients/{patient['patient_id']}/").status_code == 404


def test_patient_entries_keep_a_keyed_address_hash_and_no_user_agent(east, make_staff):
    from tests.intake_helpers import audit_entries

    browser = Client(REMOTE_ADDR="198.51.100.23", HTTP_USER_AGENT="PhoneBrowser/1.0")
    from tests.intake_helpers import open_form, submit

    submit(browser, east, open_form(browser, east))
    [intake] = audit_entries(east)
    assert "client_address" not in intake and "user_agent" not in intake
    assert len(intake["client_address_key"]) == 16 and "198.51.100.23" not in json.dumps(intake)
    staff = make_staff(Role.NURSE, hospitals=[east])
    nurse = Client(REMOTE_ADDR="198.51.100.23", HTTP_USER_AGENT="Workstation/2.0")
    sign_in_with_client(nurse, staff)
    [signed_in] = [
        e
        for e in entries_of(f"org:{east.organization_id}")
        if e["action"] == "auth.sign_in" and e["actor_id"] == staff.staff_id
    ]
    # Account events keep the address, and the same key lines them up with patient entries.
    assert signed_in["client_address"] == "198.51.100.23"
    assert signed_in["client_address_key"] == intake["client_address_key"]
