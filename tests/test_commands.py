"""Operator commands: create hospitals and staff, change hospital settings, seed the demo."""

import io
import uuid

import pytest
from django.core.management import CommandError, call_command

from accounts import repository
from accounts.domain import Role
from tests.conftest import PASSWORD


def run(*args, stdin: str | None = None, monkeypatch=None) -> str:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_hospital_and_staff_then_sign_in(monkeypatch, client):
    slug = f"cmd-{uuid.uuid4().hex[:8]}"
    out = run(
        "create_hospital",
        "--slug",
        slug,
        "--name",
        "Command General",
        "--timezone",
        "America/Chicago",
        "--organization",
        "org-cmd",
    )
    assert f"created hospital {slug}" in out
    hospital = repository.hospital_get_by_slug(slug)
    assert hospital.timezone == "America/Chicago"
    email = f"admin-{uuid.uuid4().hex[:6]}@example.org"
    out = run(
        "create_staff",
        "--email",
        email,
        "--name",
        "First Admin",
        "--role",
        "admin",
        "--hospital",
        slug,
        "--password-stdin",
        stdin=PASSWORD + "\n",
        monkeypatch=monkeypatch,
    )
    assert f"created admin {email}" in out
    staff = repository.staff_get_by_email(email)
    assert staff.roles == {hospital.hospital_id: Role.ADMIN}
    assert PASSWORD not in staff.password_hash
    assert [r.staff_id for r in repository.hospital_get(hospital.hospital_id).roster] == [
        staff.staff_id
    ]
    response = client.post("/accounts/login/", {"email": email, "password": PASSWORD})
    # An admin needs a second factor: without one, signing in means enrolling one first.
    assert response.status_code == 303 and response["Location"] == "/accounts/login/enrol/"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--timezone", "Mars/Olympus"], "unknown time zone"),
        (["--slug", "Not A Slug"], "slug must look like"),
    ],
)
def test_create_hospital_refuses_bad_values(args, message):
    base = {
        "--slug": f"ok-{uuid.uuid4().hex[:6]}",
        "--name": "X",
        "--timezone": "UTC",
        "--organization": "o",
    }
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    with pytest.raises(CommandError, match=message):
        run("create_hospital", *[x for pair in base.items() for x in pair])


def test_duplicate_slug_and_email_are_refused(monkeypatch, hospital, make_staff):
    with pytest.raises(CommandError, match="taken"):
        run(
            "create_hospital",
            "--slug",
            hospital.slug,
            "--name",
            "Again",
            "--timezone",
            "UTC",
            "--organization",
            "o",
        )
    existing = make_staff()
    with pytest.raises(CommandError, match="taken"):
        run(
            "create_staff",
            "--email",
            existing.email,
            "--name",
            "Twin",
            "--role",
            "nurse",
            "--hospital",
            hospital.slug,
            "--password-stdin",
            stdin=PASSWORD + "\n",
            monkeypatch=monkeypatch,
        )


def test_short_password_and_unknown_hospital_are_refused(monkeypatch, hospital):
    with pytest.raises(CommandError, match="12 characters"):
        run(
            "create_staff",
            "--email",
            "short@example.org",
            "--name",
            "S",
            "--role",
            "nurse",
            "--hospital",
            hospital.slug,
            "--password-stdin",
            stdin="short\n",
            monkeypatch=monkeypatch,
        )
    with pytest.raises(CommandError, match="unknown hospital"):
        run(
            "create_staff",
            "--email",
            "nohosp@example.org",
            "--name",
            "S",
            "--role",
            "nurse",
            "--hospital",
            "no-such-place",
            "--password-stdin",
            stdin=PASSWORD + "\n",
            monkeypatch=monkeypatch,
        )


def test_update_hospital_sets_wait_targets(hospital):
    out = run("update_hospital", hospital.slug, "--wait-targets", "0,5,20,45,90")
    assert "[0, 5, 20, 45, 90]" in out
    assert repository.hospital_get(hospital.hospital_id).wait_targets == (0, 5, 20, 45, 90)
    with pytest.raises(CommandError, match="five whole numbers"):
        run("update_hospital", hospital.slug, "--wait-targets", "1,2,3")


def test_seed_demo_is_idempotent(settings):
    settings.SOLACE_DEMO_PASSWORD = PASSWORD
    first = run("seed_demo")
    second = run("seed_demo")
    assert "demo data already present" in second
    assert "created" not in second
    demo = repository.hospital_get_by_slug("demo")
    north = repository.hospital_get_by_slug("demo-north")
    assert demo.organization_id == north.organization_id
    nurse = repository.staff_get_by_email("nurse@example.com")
    physician = repository.staff_get_by_email("physician@example.com")
    admin = repository.staff_get_by_email("admin@example.com")
    assert nurse.hospital_ids == {demo.hospital_id}
    assert physician.hospital_ids == admin.hospital_ids == {demo.hospital_id, north.hospital_id}
    charge = repository.staff_get_by_email("charge@example.com")
    assert charge.roles == {demo.hospital_id: Role.CHARGE_NURSE, north.hospital_id: Role.NURSE}
    assert "created hospital demo" in first or "already present" in first
    # The admin needs a second factor: TOTP with the demo secret (printed when generated).
    assert admin.totp_secret and admin.totp_enabled_at and not nurse.totp_secret
    if "created staff admin@example.com" in first:
        assert f"demo TOTP secret (SOLACE_DEMO_TOTP_SECRET unset): {admin.totp_secret}" in first
