"""Account writes: sign-in with throttling, sign-out, hospitals, staff, demo data."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.http import HttpRequest

from accounts import repository
from accounts.domain import (
    Device,
    DeviceKind,
    DuplicateError,
    Hospital,
    NotFound,
    Role,
    SignedInStaff,
    Staff,
)
from accounts.session_backend import STAFF_SESSION_KEY
from audit.domain import NO_HOSPITAL, Action, org_partition
from audit.services import audit_record
from solace.clock import now_epoch, utc_now_iso
from solace.context import SYSTEM_CONTEXT, Actor, ActorType, RequestContext


class SignInFailed(Exception):
    """Wrong email or password, or an inactive account: callers cannot tell which."""


class SignInThrottled(Exception):
    """Too many failed attempts for this account or from this address."""


@dataclass(frozen=True)
class SignInAttempt:
    email: str
    password: str
    context: RequestContext


def _account_partition(organization_ids) -> str:
    """Where an account's events are filed: its (first) organization's audit partition."""
    return org_partition(min(organization_ids)) if organization_ids else NO_HOSPITAL


def _audit_account(action: Action, staff: Staff | SignedInStaff | None, context, outcome):
    actor = (
        Actor.staff(staff.staff_id, staff.role.value)
        if staff is not None
        else Actor(ActorType.STAFF, "unknown-account")
    )
    audit_record(
        hospital_id=_account_partition(staff.organization_ids if staff else ()),
        actor=actor,
        action=action,
        context=context,
        outcome=outcome,
    )


def _throttle_keys(attempt: SignInAttempt) -> list[str]:
    # The email is hashed: the throttle table needs no readable account names.
    digest = hashlib.sha256(repository.normalize_email(attempt.email).encode()).hexdigest()
    return [
        repository.THROTTLE_ACCOUNT.format(digest),
        repository.THROTTLE_ADDRESS.format(attempt.context.client_address or "unknown"),
    ]


# Verifying against this keeps the time of a failed attempt the same whether or not the account
# exists, so timing does not reveal which emails have accounts.
_DUMMY_HASH = make_password(secrets.token_urlsafe(16))


def staff_authenticate(attempt: SignInAttempt) -> Staff:
    """The staff member for these credentials, or SignInFailed / SignInThrottled."""
    return _password_checked(
        attempt, lambda: repository.staff_get_by_email(attempt.email), Action.SIGN_IN_FAILED
    )


def staff_reauthenticate(staff_id: str, password: str, context: RequestContext) -> Staff:
    """The signed-in staff member proves it is still them (unlocking a locked screen): their
    password, throttled and audited like a sign-in. SignInFailed / SignInThrottled otherwise.
    (Passkeys come later: this is the one place that checks a returning staff member.)"""
    staff = repository.staff_get(staff_id)
    if staff is None:
        raise SignInFailed
    attempt = SignInAttempt(email=staff.email, password=password, context=context)
    checked = _password_checked(attempt, lambda: staff, Action.UNLOCK_FAILED)
    _audit_account(Action.UNLOCKED, checked, context, "success")
    return checked


def _password_checked(attempt: SignInAttempt, find_staff, failed_action: Action) -> Staff:
    keys = _throttle_keys(attempt)
    limit = settings.SOLACE_LOGIN_MAX_FAILURES
    counters = repository.throttle_counts(keys)
    if any(c["failures"] >= limit for c in counters.values()):
        _audit_account(Action.SIGN_IN_THROTTLED, None, attempt.context, "throttled")
        raise SignInThrottled

    staff = find_staff()
    password_ok = check_password(attempt.password, staff.password_hash if staff else _DUMMY_HASH)
    if staff is not None and staff.active and password_ok:
        if keys[0] in counters:
            repository.throttle_clear(keys[0])
        return staff
    _audit_account(failed_action, staff, attempt.context, "failed")

    locked = False
    for key in keys:
        failures = repository.throttle_add_failure(key, settings.SOLACE_LOGIN_WINDOW_SECONDS)
        if failures >= limit:
            repository.throttle_lock(key, now_epoch() + settings.SOLACE_LOGIN_LOCKOUT_SECONDS)
            locked = True
    if locked:
        raise SignInThrottled
    raise SignInFailed


def staff_sign_in(request: HttpRequest, staff: Staff) -> SignedInStaff:
    """Start a fresh session holding who is signed in.

    flush() drops the old item and key, so the response's save creates a new key (no session
    fixation) in one conditional write.
    """
    request.session.flush()
    signed_in = SignedInStaff.from_staff(staff)
    request.session[STAFF_SESSION_KEY] = signed_in.to_session()
    request.staff = signed_in
    _audit_account(Action.SIGN_IN, staff, RequestContext.from_request(request), "success")
    return signed_in


def staff_unlock(request: HttpRequest, password: str) -> None:
    """Open the locked session of the staff member signed in, after re-checking who it is.
    SignInFailed / SignInThrottled when the password is refused (the session stays locked)."""
    context = RequestContext.from_request(request)
    staff_reauthenticate(request.staff.staff_id, password, context)
    if not request.session.unlock():
        raise SignInFailed  # signed out or expired meanwhile


def staff_choose_hospital(staff: SignedInStaff, hospital_id: str) -> None:
    """Remember the hospital a staff member works at: the default at their next sign-in."""
    if staff.last_hospital_id != hospital_id:
        repository.staff_remember_hospital(staff.staff_id, hospital_id)


def staff_sign_out(request: HttpRequest) -> None:
    if request.staff.is_authenticated:
        context = RequestContext.from_request(request)
        _audit_account(Action.SIGN_OUT, request.staff, context, "success")
    request.session.flush()


# --- Hospitals and staff (management commands, demo data) -----------------------------------
def _audit_admin_change(action: Action, partition: str, detail: str) -> None:
    """Operator changes run from management commands: the actor is the system."""
    audit_record(
        hospital_id=partition,
        actor=Actor.system(),
        action=action,
        context=SYSTEM_CONTEXT,
        detail=detail,
    )


def hospital_create(
    *, slug: str, name: str, timezone: str, organization_id: str, hospital_id: str | None = None
) -> Hospital:
    hospital = Hospital(
        hospital_id=hospital_id or uuid.uuid4().hex,
        slug=slug,
        name=name,
        timezone=timezone,
        organization_id=organization_id,
    )
    repository.hospital_insert(hospital)
    _audit_admin_change(Action.HOSPITAL_CREATED, hospital.hospital_id, hospital.slug)
    return hospital


def hospital_update(
    slug: str,
    *,
    name: str | None = None,
    timezone: str | None = None,
    wait_targets=None,
    temperature_unit: str | None = None,
    reassessment_targets=None,
) -> Hospital:
    """Change a hospital's name, time zone, long-wait or reassessment targets (minutes for
    levels 1..5) or temperature unit."""
    hospital = repository.hospital_get_by_slug(slug)
    if hospital is None:
        raise NotFound(slug)
    changed = replace(
        hospital,
        name=name or hospital.name,
        timezone=timezone or hospital.timezone,
        wait_targets=tuple(wait_targets) if wait_targets else hospital.wait_targets,
        temperature_unit=temperature_unit or hospital.temperature_unit,
        reassessment_targets=(
            tuple(reassessment_targets) if reassessment_targets else hospital.reassessment_targets
        ),
    )
    repository.hospital_update(changed)
    _audit_admin_change(Action.HOSPITAL_CHANGED, hospital.hospital_id, hospital.slug)
    return changed


def staff_create(
    *,
    email: str,
    name: str,
    role: Role,
    hospital_ids: list[str],
    password: str,
    staff_id: str | None = None,
) -> Staff:
    hospitals = repository.hospitals_get_many(set(hospital_ids))
    missing = set(hospital_ids) - {h.hospital_id for h in hospitals}
    if missing:
        raise NotFound(f"unknown hospital ids: {', '.join(sorted(missing))}")
    staff = Staff(
        staff_id=staff_id or uuid.uuid4().hex,
        email=repository.normalize_email(email),
        name=name,
        role=role,
        hospital_ids=frozenset(hospital_ids),
        organization_ids=frozenset(h.organization_id for h in hospitals),
        password_hash=make_password(password),
    )
    repository.staff_insert(staff)
    _audit_admin_change(
        Action.STAFF_CREATED,
        _account_partition(staff.organization_ids),
        f"staff={staff.staff_id} role={staff.role.value}",
    )
    return staff


def staff_deactivate(staff_id: str) -> None:
    """Disable an account and end every session it has open."""
    staff = repository.staff_get(staff_id)
    if staff is None:
        raise NotFound(staff_id)
    repository.staff_replace(replace(staff, active=False))
    repository.roster_remove(staff.hospital_ids, staff_id)
    _audit_admin_change(
        Action.STAFF_CHANGED,
        _account_partition(staff.organization_ids),
        f"staff={staff_id} deactivated",
    )
    for session_key in repository.session_keys_of_staff(staff_id):
        repository.session_delete(session_key)


DEMO_ORGANIZATION = "demo-health"
DEMO_HOSPITALS = (
    ("demo", "Solace Demo General", "America/New_York"),
    ("demo-north", "Solace Demo North", "America/New_York"),
)
DEMO_STAFF = (
    ("nurse@example.com", "Nora Nurse", Role.NURSE, ("demo",)),
    ("physician@example.com", "Phil Physician", Role.PHYSICIAN, ("demo", "demo-north")),
    ("charge@example.com", "Chandra Charge", Role.CHARGE_NURSE, ("demo",)),
    ("admin@example.com", "Ada Admin", Role.ADMIN, ("demo", "demo-north")),
)


def seed_demo(password: str) -> list[str]:
    """Create the demo hospitals and staff when missing. Idempotent; returns what it created."""
    created = []
    hospital_ids = {}
    for slug, name, timezone in DEMO_HOSPITALS:
        hospital = repository.hospital_get_by_slug(slug)
        if hospital is None:
            try:
                hospital = hospital_create(
                    slug=slug, name=name, timezone=timezone, organization_id=DEMO_ORGANIZATION
                )
                created.append(f"hospital {slug}")
            except DuplicateError:  # created concurrently; the index catches up
                hospital = _wait_for_slug(slug)
        hospital_ids[slug] = hospital.hospital_id
    for email, name, role, slugs in DEMO_STAFF:
        if repository.staff_get_by_email(email) is None:
            try:
                staff_create(
                    email=email,
                    name=name,
                    role=role,
                    hospital_ids=[hospital_ids[s] for s in slugs],
                    password=password,
                )
                created.append(f"staff {email}")
            except DuplicateError:
                pass
    return created


def _wait_for_slug(slug: str) -> Hospital:
    for _ in range(50):
        hospital = repository.hospital_get_by_slug(slug)
        if hospital is not None:
            return hospital
        time.sleep(0.1)
    raise NotFound(slug)


# --- Devices: waiting-room displays -------------------------------------------------------
DEVICE_SECRET_BYTES = 24


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def device_create(
    *, hospital: Hospital, kind: DeviceKind, name: str, staff: SignedInStaff, context
) -> tuple[Device, str]:
    """A named device link of a hospital; returns the device and its secret (shown once in
    the link, stored only as a digest). Audited."""
    secret = secrets.token_urlsafe(DEVICE_SECRET_BYTES)
    device = Device(
        device_id=uuid.uuid4().hex,
        hospital_id=hospital.hospital_id,
        kind=kind,
        name=name,
        created_at=utc_now_iso(),
        created_by=staff.staff_id,
        created_by_name=staff.name,
        secret_digest=_digest(secret),
    )
    repository.device_insert(device)
    audit_record(
        hospital_id=hospital.hospital_id,
        actor=Actor.staff(staff.staff_id, staff.role.value),
        action=Action.DEVICE_CREATED,
        context=context,
        detail=f"{kind.value}={device.device_id}",
    )
    return device, secret


def device_revoke(
    *, hospital: Hospital, device_id: str, staff: SignedInStaff, context
) -> Device | None:
    """Revoke a device link at once (None: no live device of this hospital). Audited."""
    device = repository.device_revoke(device_id, hospital.hospital_id, utc_now_iso(), staff.name)
    if device is not None:
        audit_record(
            hospital_id=hospital.hospital_id,
            actor=Actor.staff(staff.staff_id, staff.role.value),
            action=Action.DEVICE_REVOKED,
            context=context,
            detail=f"{device.kind.value}={device.device_id}",
        )
    return device


def device_secret_matches(device: Device, secret: str) -> bool:
    return secrets.compare_digest(device.secret_digest, _digest(secret))
