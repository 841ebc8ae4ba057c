"""Sign-in, role and hospital-membership checks, and signed cursors."""

import pytest
from django.test import Client

from accounts.domain import Role
from solace import cursors

pytestmark = pytest.mark.urls("tests.urls")


def test_anonymous_is_sent_to_sign_in_with_next(client):
    response = client.get("/probe/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fprobe%2Fadmin%2F"


def test_anonymous_htmx_request_redirects_the_whole_page(client):
    response = client.get("/probe/admin/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/accounts/login/"


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.NURSE, 403), (Role.PHYSICIAN, 403), (Role.CHARGE_NURSE, 403), (Role.ADMIN, 200)],
)
def test_role_required(role, status, make_staff, sign_in, client):
    sign_in(make_staff(role))
    assert client.get("/probe/admin/").status_code == status


def test_membership_required_and_other_hospitals_look_absent(
    make_staff, make_hospital, sign_in, client, hospital
):
    other = make_hospital()
    sign_in(make_staff(Role.NURSE, hospitals=[hospital]))
    assert client.get(f"/probe/hospital/{hospital.hospital_id}/").content == b"member ok"
    assert client.get(f"/probe/hospital/{other.hospital_id}/").status_code == 404


def test_a_member_of_two_hospitals_reaches_both(make_staff, make_hospital, sign_in, client):
    first, second = make_hospital(), make_hospital()
    sign_in(make_staff(Role.PHYSICIAN, hospitals=[first, second]))
    for h in (first, second):
        assert client.get(f"/probe/hospital/{h.hospital_id}/").status_code == 200


def test_admin_role_cannot_open_clinical_pages(make_staff, sign_in, client, hospital):
    sign_in(make_staff(Role.ADMIN, hospitals=[hospital]))
    assert client.get(f"/probe/hospital/{hospital.hospital_id}/").status_code == 403


def test_cursor_round_trip(client):
    key = {"hospital_id": {"S": "h1"}, "entry_key": {"S": "2026-01-01T00:00:00Z#e1"}}
    cursor = cursors.encode(key, scope="probe")
    assert cursors.decode(cursor, scope="probe") == key
    response = client.get("/probe/paged/", {"cursor": cursor})
    assert response.status_code == 200


def test_tampered_cursor_is_a_400(client):
    cursor = cursors.encode({"k": {"S": "v"}}, scope="probe")
    tampered = cursor[:-3] + ("AAA" if not cursor.endswith("AAA") else "BBB")
    response = client.get("/probe/paged/", {"cursor": tampered})
    assert response.status_code == 400
    assert client.get("/probe/paged/", {"cursor": "garbage"}).status_code == 400


def test_cursor_from_another_query_is_a_400(client):
    foreign = cursors.encode({"k": {"S": "v"}}, scope="other-hospital")
    assert client.get("/probe/paged/", {"cursor": foreign}).status_code == 400


def test_no_cursor_for_the_last_page():
    assert cursors.encode(None, scope="probe") is None
    assert cursors.decode("", scope="probe") is None


# --- Every denied attempt is on record, under the actor's organization ------------------------
def denied_entries(staff):
    from audit import repository
    from audit.domain import org_partition

    entries, _ = repository.query_page(
        index=None,
        key_name="hospital_id",
        key_value=org_partition(staff.organization_id),
        entry_from="0",
        entry_to="~",
        filters={"actor_id": staff.staff_id, "action": "access.denied"},
        limit=100,
        start_key=None,
    )
    return entries


def test_a_nurse_on_the_audit_trail_and_an_admin_on_clinical_pages_are_audited(
    make_staff, sign_in, client, hospital
):
    nurse = make_staff(Role.NURSE)
    sign_in(nurse)
    assert client.get("/audit/").status_code == 403
    assert client.get("/admin/staff/").status_code == 403
    [audit_page, staff_page] = sorted(denied_entries(nurse), key=lambda e: e["time"])
    assert audit_page["outcome"] == "forbidden" and "console:audit" in audit_page["detail"]
    assert staff_page["detail"] == "page=console:staff"
    admin = make_staff(Role.ADMIN)
    admin_browser = sign_in(admin, browser=Client())
    patient_id = "9" * 32
    assert admin_browser.get(f"/cockpit/patients/{patient_id}/").status_code == 403
    [entry] = denied_entries(admin)
    assert entry["patient_id"] == patient_id and entry["outcome"] == "forbidden"


def test_another_hospitals_patient_is_a_404_on_record(make_staff, make_hospital, sign_in, client):
    from tests.cockpit_helpers import register

    other = make_hospital(organization_id="org-elsewhere")
    patient = register(other)
    nurse = make_staff(Role.NURSE)
    sign_in(nurse)
    response = client.get(f"/cockpit/patients/{patient['patient_id']}/")
    assert response.status_code == 404
    unknown = "0" * 32
    assert client.get(f"/cockpit/patients/{unknown}/").status_code == 404
    entries = denied_entries(nurse)
    assert {e["patient_id"] for e in entries} == {patient["patient_id"], unknown}
    assert {e["outcome"] for e in entries} == {"not_found"}
    # Filed under the nurse's organization, and found by patient id.
    from audit import repository

    by_patient = repository.entries_for_patient(patient["patient_id"])
    assert any(e["action"] == "access.denied" for e in by_patient)
