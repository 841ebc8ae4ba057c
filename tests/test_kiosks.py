"""Kiosks (enrolled by an admin with a one-time, revocable link; never the previous person's
page) and the QR poster."""

import itertools
import re

import pytest
from django.test import Client

from accounts.domain import Role
from intake import repository as intake_repository
from intake import tickets
from intake.views import INTAKE_COOKIE
from solace import dynamodb
from tests.intake_helpers import form_key, open_form, patients, submit

_addresses = itertools.count(1)
WRITES = {"put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item"}


def device() -> Client:
    n = next(_addresses)
    return Client(REMOTE_ADDR=f"10.202.{n // 256 % 256}.{n % 256}")


@pytest.fixture
def admin(make_staff, sign_in):
    return sign_in(make_staff(Role.ADMIN), browser=device())


def new_kiosk_link(admin, hospital, name="Lobby kiosk 1") -> str:
    response = admin.post("/admin/kiosks/", {"hospital": hospital.hospital_id, "name": name})
    assert response.status_code == 303
    page = admin.get("/admin/kiosks/").content.decode()
    link = re.search(r"(https?://[^<\s]+/kiosk/enrol/[^<\s]+/)", page).group(1)
    # Shown once: the page does not show it again.
    assert "/kiosk/enrol/" not in admin.get("/admin/kiosks/").content.decode()
    return link.split("testserver", 1)[1]


@pytest.fixture
def kiosk(admin, hospital):
    """An enrolled kiosk browser."""
    link = new_kiosk_link(admin, hospital)
    browser = device()
    assert browser.post(link).status_code == 303
    return browser


def entries(hospital, action):
    response = dynamodb.call(
        "query",
        TableName=dynamodb.table_name("audit-log"),
        KeyConditionExpression="hospital_id = :h",
        ExpressionAttributeValues={":h": {"S": hospital.hospital_id}},
        ConsistentRead=True,
    )
    return [
        dynamodb.deserialize(i)
        for i in response["Items"]
        if dynamodb.deserialize(i)["action"] == action
    ]


def test_an_admin_enrols_a_kiosk_with_a_one_time_link(admin, hospital, monkeypatch):
    link = new_kiosk_link(admin, hospital)
    assert entries(hospital, "admin.kiosk_created")
    calls = []
    original = dynamodb.call
    monkeypatch.setattr(dynamodb, "call", lambda op, **kw: calls.append(op) or original(op, **kw))
    browser = device()
    confirm = browser.get(link)
    assert confirm.status_code == 200 and "Lobby kiosk 1" in confirm.content.decode()
    assert not WRITES & set(calls)  # opening the link changes nothing
    enrolled = browser.post(link)
    assert enrolled.status_code == 303 and enrolled["Location"].endswith("/intake/?fresh=1")
    cookie = enrolled.cookies[tickets.KIOSK_COOKIE]
    assert cookie["httponly"] and cookie["path"] == f"/h/{hospital.slug}/"
    assert entries(hospital, "kiosk.enrolled")
    assert 'class="patient kiosk"' in browser.get(f"/h/{hospital.slug}/intake/").content.decode()
    # The link worked once.
    assert device().post(link).status_code == 404
    assert device().get(link).status_code == 404
    page = admin.get("/admin/kiosks/").content.decode()
    assert "enrolled" in page and "Lobby kiosk 1" in page


def test_a_typed_in_flag_or_a_forged_cookie_is_no_kiosk(hospital):
    browser = device()
    page = browser.get(f"/h/{hospital.slug}/intake/?kiosk=1&fresh=1").content.decode()
    assert 'class="patient"' in page and 'id="kiosk-idle"' not in page
    browser.cookies[tickets.KIOSK_COOKIE] = "d" * 40
    assert 'class="patient"' in browser.get(f"/h/{hospital.slug}/intake/").content.decode()
    assert device().get(f"/h/{hospital.slug}/kiosk/enrol/{'a' * 32}.nope/").status_code == 404


def test_a_kiosk_never_shows_the_previous_persons_page(kiosk, hospital, clock):
    form = kiosk.get(f"/h/{hospital.slug}/intake/").content.decode()
    assert 'id="kiosk-idle"' in form and 'data-idle="90"' in form and 'data-warning="15"' in form
    response = submit(kiosk, hospital, form_key(kiosk.get(f"/h/{hospital.slug}/intake/")))
    assert response.status_code == 303
    status = kiosk.get(f"/h/{hospital.slug}/intake/status/").content.decode()
    assert "Thank you, Ana" in status and 'data-seconds="30"' in status
    assert 'id="left-button"' not in status
    # Whatever the browser does, the server keeps a kiosk's page for a minute at most.
    clock.advance(61)
    later = kiosk.get(f"/h/{hospital.slug}/intake/status/")
    assert later.status_code == 303 and later["Location"].endswith("/intake/?fresh=1")
    # The next person opens the form: a fresh one, never Ana's page, even within that minute.
    submit(kiosk, hospital, open_form(kiosk, hospital), given_name="Bea")
    again = kiosk.get(f"/h/{hospital.slug}/intake/")
    assert again.status_code == 200 and "Bea" not in again.content.decode()
    assert not tickets.decode(kiosk.cookies[INTAKE_COOKIE].value, hospital).registered
    back = kiosk.get(f"/h/{hospital.slug}/intake/status/")
    assert back.status_code == 302 and "Bea" not in back.content.decode()


def test_done_on_a_kiosk_ends_the_session_and_starts_a_fresh_form(kiosk, hospital):
    submit(kiosk, hospital, open_form(kiosk, hospital))
    ticket = tickets.decode(kiosk.cookies[INTAKE_COOKIE].value, hospital)
    done = kiosk.post(f"/h/{hospital.slug}/intake/finish/")
    assert done["Location"].endswith("/intake/?fresh=1")
    assert intake_repository.intake_session_get(ticket.session_id) is None
    page = kiosk.get(done["Location"]).content.decode()
    assert "Ana" not in page and 'name="given_name"' in page


def test_a_kiosk_is_counted_by_the_hospital_not_by_its_address(kiosk, hospital):
    from accounts import services

    services.hospital_update(hospital.slug, registrations_per_address=1)
    for n in range(3):
        response = submit(kiosk, hospital, open_form(kiosk, hospital), given_name=f"P{n}")
        assert response.status_code == 303
        kiosk.post(f"/h/{hospital.slug}/intake/finish/")
    assert len(patients(hospital)) == 3
    [entry] = [e for e in entries(hospital, "intake.submitted")][:1]
    assert entry["detail"].startswith("kiosk=")


def test_a_revoked_kiosk_switches_off_at_once(admin, kiosk, hospital):
    page = admin.get("/admin/kiosks/").content.decode()
    device_id = re.search(r"/admin/kiosks/([0-9a-f]{32})/revoke/", page).group(1)
    assert admin.post(f"/admin/kiosks/{device_id}/revoke/").status_code == 303
    assert entries(hospital, "admin.kiosk_revoked")
    off = kiosk.get(f"/h/{hospital.slug}/intake/")
    assert off.status_code == 403 and "switched off" in off.content.decode()
    assert kiosk.post(f"/h/{hospital.slug}/intake/", {}).status_code == 403
    assert "revoked" in admin.get("/admin/kiosks/").content.decode()


def test_kiosk_pages_are_for_admins_of_that_hospital(
    make_staff, make_hospital, sign_in, hospital, admin
):
    nurse = sign_in(make_staff(Role.NURSE), browser=device())
    assert nurse.get("/admin/kiosks/").status_code == 403
    new_kiosk_link(admin, hospital)
    page = admin.get("/admin/kiosks/").content.decode()
    device_id = re.search(r"/admin/kiosks/([0-9a-f]{32})/revoke/", page).group(1)
    elsewhere = make_hospital()
    other_admin = sign_in(make_staff(Role.ADMIN, hospitals=[elsewhere]), browser=device())
    assert other_admin.post(f"/admin/kiosks/{device_id}/revoke/").status_code == 404
    refused = admin.post("/admin/kiosks/", {"hospital": "someone-elses", "name": "X"})
    assert refused.status_code == 400


def test_the_poster_opens_the_form_for_admins_of_the_hospital(
    admin, hospital, make_staff, make_hospital, sign_in
):
    response = admin.get(f"/admin/hospitals/{hospital.slug}/poster/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body and 'class="qr-line"' in body
    assert f"http://testserver/h/{hospital.slug}/intake/" in body
    assert "Registro en urgencias" in body and "Emergency check-in" in body
    assert 'lang="es"' in body and "@media print" not in body  # print styles live in the CSS
    assert entries(hospital, "admin.poster_viewed")
    nurse = sign_in(make_staff(Role.NURSE), browser=device())
    assert nurse.get(f"/admin/hospitals/{hospital.slug}/poster/").status_code == 403
    stranger = sign_in(make_staff(Role.ADMIN, hospitals=[make_hospital()]), browser=device())
    assert stranger.get(f"/admin/hospitals/{hospital.slug}/poster/").status_code == 404


def test_the_poster_qr_code_encodes_the_public_form_address(admin, hospital, settings):
    settings.SOLACE_DOMAIN = "er.example.org"
    body = admin.get(f"/admin/hospitals/{hospital.slug}/poster/").content.decode()
    assert f"https://er.example.org/h/{hospital.slug}/intake/" in body
    import segno

    expected = segno.make(f"https://er.example.org/h/{hospital.slug}/intake/", error="m")
    assert expected.svg_inline(scale=1, omitsize=True, border=2, lineclass="qr-line") in body
