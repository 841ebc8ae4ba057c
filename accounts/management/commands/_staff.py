"""Shared bits of the staff commands: finding people and hospitals, printing set-up links."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import CommandError

from accounts import repository
from accounts.domain import Role, Staff

ROLE_VALUES = [r.value for r in Role]


def staff_by_email(email: str) -> Staff:
    staff = repository.staff_get_by_email(email)
    if staff is None:
        raise CommandError(f"no staff member has the email {email!r}")
    return staff


def hospital_roles(specs: list[str], default_role: str | None) -> dict:
    """`slug` or `slug:role` (repeatable) as {hospital_id: Role}; `slug:none` takes a role away
    (None)."""
    roles = {}
    for spec in specs:
        slug, _, role = spec.strip().partition(":")
        role = role or default_role
        if not role:
            raise CommandError(f"give a role for {slug!r}: --hospital {slug}:nurse, or --role")
        if role not in [*ROLE_VALUES, "none"]:
            raise CommandError(f"unknown role {role!r} (one of {', '.join(ROLE_VALUES)})")
        hospital = repository.hospital_get_by_slug(slug)
        if hospital is None:
            raise CommandError(f"unknown hospital {slug!r}")
        roles[hospital.hospital_id] = None if role == "none" else Role(role)
    return roles


def base_url(option: str | None) -> str:
    if option:
        return option.rstrip("/")
    if settings.SOLACE_DOMAIN:
        return f"https://{settings.SOLACE_DOMAIN}"
    return "http://localhost:8000"


def setup_link(base: str, key: str) -> str:
    return f"{base}/accounts/setup/{key}/"


def add_base_url_argument(parser) -> None:
    parser.add_argument(
        "--base-url",
        help="start of the set-up link (default https://$SOLACE_DOMAIN, or http://localhost:8000)",
    )
