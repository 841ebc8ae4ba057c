"""The admin console: staff lifecycle with roles per hospital, organization and hospital
settings, and the same operations as operator commands."""

import io
import re
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from accounts import repository, services
from accounts.domain import Refused, Role
from accounts.hospital_settings import HOSPITAL_SETTINGS
from audit.domain import org_partition
from tests.conftest import PASSWORD, sign_in_with_client
from tests.test_audit import entries_of


@pytest.fixture
def org():
    return f"org-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def site(make_hospital, org):
    return make_hospital(organization_id=org, name="Site General")


@pytest.fixture
def sister(make_hospital, org):
    return make_hospital(organization_id=org, name="Sister General")


@pytest.fixture
def admin(make_staff, site):
    return make_staff(Role.ADMIN, hospitals=[site])


@pytest.fixture
def admin_browser(admin):
    browser = Client()
    sign_in_with_client(browser, admin)
    return browser


def setup_link(response):
    return re.search(r"https?://[^<\s]+/accounts/setup/[^<\s]+/", response.content.decode())


def test_create_a_staff_member_and_the_link_is_shown_once(admin_browser, admin, site, org):
    response = admin_browser.post(
        "/admin/staff/new/",
        {"name": "Nina New", "email": "nina.new@example.org", f"role_{site.hospital_id}": "nurse"},
    )
    assert response.status_code == 303
    page = admin_browser.get(response["Location"])
    link = setup_link(page)
    assert link, page.content.decode()[:2000]
    assert setup_link(admin_browser.get(response["Location"])) is None  # shown once
    path = link.group(0).split("testserver", 1)[1]
    assert Client().get(path).status_code == 200
    staff = repository.staff_get_by_email("nina.new@example.org")
    assert staff.roles == {site.hospital_id: Role.NURSE} and staff.password_hash is None
    [created] = [
        e
        for e in entries_of(org_partition(org))
        if e["action"] == "admin.staff_created" and e["actor_id"] == admin.staff_id
    ]
    assert created["actor_id"] == admin.staff_id
    assert created["detail"] == f"staff={staff.staff_id} roles={site.hospital_id}:nurse"


def test_bad_input_gets_a_clear_error_and_writes_nothing(admin_browser, site):
    response = admin_browser.post(
        "/admin/staff/new/",
        {"name": "No Role", "email": "not-an-email", f"role_{site.hospital_id}": ""},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a valid email address" in body and "Choose a role" in body
    assert repository.staff_get_by_email("not-an-email") is None


def test_an_admin_cannot_grant_a_hospital_they_do_not_administer(
    admin_browser, admin, sister, make_staff, site
):
    # The form has no field for it: a forged one is ignored, and nothing else was chosen.
    forged = admin_browser.post(
        "/admin/staff/new/",
        {"name": "Sly", "email": "sly@example.org", f"role_{sister.hospital_id}": "admin"},
    )
    assert forged.status_code == 400
    assert repository.staff_get_by_email("sly@example.org") is None
    signed_in = services.SignedInStaff.from_staff(admin)
    with pytest.raises(Refused):
        services.staff_create(
            email="sly2@example.org",
            name="Sly",
            roles={sister.hospital_id: Role.ADMIN},
            actor=signed_in,
        )
    nurse = make_staff(Role.NURSE, hospitals=[site])
    with pytest.raises(Refused):
        services.staff_change_roles(
            nurse.staff_id, {sister.hospital_id: Role.NURSE}, actor=signed_in
        )
    assert repository.staff_get(nurse.staff_id).roles == {site.hospital_id: Role.NURSE}


def test_roles_are_per_hospital_and_a_change_ends_open_sessions(
    admin_browser, admin, site, sister, make_staff
):
    both = make_staff(Role.NURSE, hospitals=[site, sister])
    nurse_browser = Client()
    sign_in_with_client(nurse_browser, both)
    assert nurse_browser.get("/cockpit/").status_code == 200
    response = admin_browser.post(
        f"/admin/staff/{both.staff_id}/roles/", {f"role_{site.hospital_id}": "charge_nurse"}
    )
    assert response.status_code == 303
    changed = repository.staff_get(both.staff_id)
    # The sister hospital (not this admin's) keeps its role.
    assert changed.roles == {site.hospital_id: Role.CHARGE_NURSE, sister.hospital_id: Role.NURSE}
    assert repository.hospital_get(site.hospital_id).colleague(both.staff_id).role == (
        Role.CHARGE_NURSE
    )
    assert repository.hospital_get(sister.hospital_id).colleague(both.staff_id).role == Role.NURSE
    assert nurse_browser.get("/cockpit/")["Location"].startswith("/accounts/login/")
    page = admin_browser.get(f"/admin/staff/{both.staff_id}/").content.decode()
    assert "At Sister General" in page and "not yours to change" in page


def test_an_admin_cannot_change_their_own_roles_or_account(admin_browser, admin, site):
    own = admin_browser.post(f"/admin/staff/{admin.staff_id}/roles/", {})
    assert own.status_code == 400 and "your own account" in own.content.decode()
    assert admin_browser.post(f"/admin/staff/{admin.staff_id}/deactivate/").status_code == 400
    assert repository.staff_get(admin.staff_id).active


def test_the_last_admin_of_an_organization_stays(admin, make_staff, site):
    second = make_staff(Role.ADMIN, hospitals=[site])
    services.staff_change_roles(
        second.staff_id,
        {site.hospital_id: Role.NURSE},
        actor=services.SignedInStaff.from_staff(admin),
    )
    with pytest.raises(Refused, match="last active admin"):
        services.staff_deactivate(admin.staff_id)
    with pytest.raises(Refused, match="last active admin"):
        services.staff_change_roles(admin.staff_id, {site.hospital_id: Role.NURSE})


def test_deactivate_ends_the_session_at_once_and_reactivate_restores(
    admin_browser, make_staff, site
):
    nurse = make_staff(Role.NURSE, hospitals=[site])
    nurse_browser = Client()
    sign_in_with_client(nurse_browser, nurse)
    assert admin_browser.post(f"/admin/staff/{nurse.staff_id}/deactivate/").status_code == 303
    assert nurse_browser.get("/cockpit/")["Location"].startswith("/accounts/login/")
    refused = nurse_browser.post("/accounts/login/", {"email": nurse.email, "password": PASSWORD})
    assert refused.status_code == 400
    assert repository.hospital_get(site.hospital_id).colleague(nurse.staff_id) is None
    assert admin_browser.post(f"/admin/staff/{nurse.staff_id}/reactivate/").status_code == 303
    sign_in_with_client(Client(), nurse)
    assert repository.hospital_get(site.hospital_id).colleague(nurse.staff_id)


def test_reset_gives_a_new_link_and_ends_the_old_password(admin_browser, make_staff, site):
    nurse = make_staff(Role.NURSE, hospitals=[site])
    nurse_browser = Client()
    sign_in_with_client(nurse_browser, nurse)
    response = admin_browser.post(f"/admin/staff/{nurse.staff_id}/reset/")
    assert setup_link(admin_browser.get(response["Location"]))
    assert nurse_browser.get("/cockpit/")["Location"].startswith("/accounts/login/")
    old = Client().post("/accounts/login/", {"email": nurse.email, "password": PASSWORD})
    assert old.status_code == 400


def test_the_list_shows_the_organization_with_roles_status_and_factors(
    admin_browser, admin, site, make_staff, make_hospital
):
    nurse = make_staff(Role.NURSE, hospitals=[site])
    services.staff_deactivate(nurse.staff_id)
    stranger = make_staff(Role.NURSE, hospitals=[make_hospital(organization_id="org-x")])
    body = admin_browser.get("/admin/staff/").content.decode()
    assert admin.email in body and nurse.email in body and stranger.email not in body
    assert "Admin at Site General" in body and "Deactivated" in body
    assert "Authenticator app" in body
    assert admin_browser.get(f"/admin/staff/{stranger.staff_id}/").status_code == 404


def test_organization_and_hospital_settings(admin_browser, admin, site, org):
    response = admin_browser.post(
        "/admin/organization/",
        {
            "name": "Test Health",
            "clinicians_need_second_factor": "on",
            "default_timezone": "Europe/Madrid",
            "default_wait_targets": "0,15,30,60,120",
        },
    )
    assert response.status_code == 303
    organization = repository.organization_get(org)
    assert organization.clinicians_need_second_factor
    assert organization.hospital_defaults == {
        "timezone": "Europe/Madrid",
        "wait_targets": (0, 15, 30, 60, 120),
    }
    new = services.hospital_create(
        slug=f"h-{uuid.uuid4().hex[:8]}", name="New", organization_id=org
    )
    assert new.timezone == "Europe/Madrid" and new.wait_targets == (0, 15, 30, 60, 120)
    # What the page shows filled in: every setting as it is now.
    current = {s.name: s.as_text(site.settings[s.name]) for s in HOSPITAL_SETTINGS}
    bad = admin_browser.post(
        f"/admin/hospitals/{site.slug}/",
        {**current, "name": "Renamed", "timezone": "Mars/Olympus", "wait_targets": "1,2"},
    )
    assert bad.status_code == 400
    assert repository.hospital_get(site.hospital_id).name == "Site General"  # nothing written
    good = admin_browser.post(
        f"/admin/hospitals/{site.slug}/",
        {
            **current,
            "name": "Renamed General",
            "timezone": "America/Chicago",
            "wait_targets": "0,5,20,45,90",
            "temperature_unit": "F",
        },
    )
    assert good.status_code == 303
    changed = repository.hospital_get(site.hospital_id)
    assert (changed.name, changed.timezone, changed.wait_targets) == (
        "Renamed General",
        "America/Chicago",
        (0, 5, 20, 45, 90),
    )
    assert changed.temperature_unit == "F"
    # Not this admin's hospital: it looks absent (and the look is audited).
    other = services.hospital_create(
        slug=f"o-{uuid.uuid4().hex[:8]}", name="O", organization_id=org
    )
    assert admin_browser.get(f"/admin/hospitals/{other.slug}/").status_code == 404


def run(*args, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_operator_commands_run_the_same_lifecycle(site, sister, admin):
    email = f"op-{uuid.uuid4().hex[:6]}@example.org"
    out = run(
        "create_staff",
        "--email",
        email,
        "--name",
        "Operator Made",
        "--hospital",
        f"{site.slug}:nurse",
        "--hospital",
        f"{sister.slug}:charge_nurse",
    )
    assert "set-up link (valid 24 hours, shown once): http://localhost:8000/accounts/setup/" in out
    staff = repository.staff_get_by_email(email)
    assert staff.roles == {site.hospital_id: Role.NURSE, sister.hospital_id: Role.CHARGE_NURSE}
    run(
        "staff_roles",
        email,
        "--hospital",
        f"{sister.slug}:none",
        "--hospital",
        f"{site.slug}:physician",
    )
    assert repository.staff_get(staff.staff_id).roles == {site.hospital_id: Role.PHYSICIAN}
    assert "deactivated" in run("staff_deactivate", email)
    assert not repository.staff_get(staff.staff_id).active
    assert "reactivated" in run("staff_reactivate", email)
    out = run("staff_reset", email, "--base-url", "https://solace.example.org")
    assert "https://solace.example.org/accounts/setup/" in out
    with pytest.raises(CommandError, match="last active admin"):
        run("staff_deactivate", admin.email)
    with pytest.raises(CommandError, match="no staff member"):
        run("staff_deactivate", "nobody@example.org")


def test_first_admin_of_an_organization_from_create_staff_admin(make_hospital):
    hospital = make_hospital(organization_id=f"org-{uuid.uuid4().hex[:8]}")
    email = f"first-{uuid.uuid4().hex[:6]}@example.org"
    out = run(
        "create_staff",
        "--admin",
        "--email",
        email,
        "--name",
        "First Admin",
        "--hospital",
        hospital.slug,
    )
    assert "created admin" in out and "/accounts/setup/" in out
    assert repository.staff_get_by_email(email).roles == {hospital.hospital_id: Role.ADMIN}


def test_update_hospital_flags_come_from_the_settings_list(site):
    out = run("update_hospital", site.slug, "--name", "Flag General", "--timezone", "Asia/Tokyo")
    assert "name='Flag General'" in out and "timezone='Asia/Tokyo'" in out
    with pytest.raises(CommandError, match="--timezone"):
        run("update_hospital", site.slug, "--timezone", "Mars/Olympus")
