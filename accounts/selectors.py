"""Account reads: hospitals by slug (cached briefly), a staff member's hospitals."""

from __future__ import annotations

import threading
import time

from accounts import repository
from accounts.domain import Hospital, Organization, SignedInStaff, Staff

# Hospitals almost never change, and every intake request needs one by slug: a short
# process-local cache spares a DynamoDB read per request (so a duplicate submission costs one).
HOSPITAL_CACHE_SECONDS = 60
_hospitals: dict[str, tuple[float, Hospital]] = {}
_hospitals_lock = threading.Lock()


def hospital_by_slug(slug: str) -> Hospital | None:
    now = time.monotonic()
    with _hospitals_lock:
        cached = _hospitals.get(slug)
    if cached and now - cached[0] < HOSPITAL_CACHE_SECONDS:
        return cached[1]
    hospital = repository.hospital_get_by_slug(slug)
    if hospital is not None:  # unknown slugs are not cached: a new hospital shows up at once
        with _hospitals_lock:
            _hospitals[slug] = (now, hospital)
    return hospital


def hospital_by_id(hospital_id: str) -> Hospital | None:
    return repository.hospital_get(hospital_id)


_by_id: dict[str, tuple[float, Hospital]] = {}


def hospital_cached(hospital_id: str) -> Hospital | None:
    """A hospital by id, cached briefly in this process: the queue's polls re-render often and
    need its time zone and targets, which almost never change (a change shows within a minute)."""
    now = time.monotonic()
    with _hospitals_lock:
        cached = _by_id.get(hospital_id)
    if cached and now - cached[0] < HOSPITAL_CACHE_SECONDS:
        return cached[1]
    hospital = repository.hospital_get(hospital_id)
    if hospital is not None:
        with _hospitals_lock:
            _by_id[hospital_id] = (now, hospital)
    return hospital


def forget_hospital(slug: str) -> None:
    """Drop a changed hospital from this process's cache (other processes within a minute)."""
    with _hospitals_lock:
        _hospitals.pop(slug, None)
        for hospital_id, (_, hospital) in list(_by_id.items()):
            if hospital.slug == slug:
                del _by_id[hospital_id]


def staff_hospitals(staff: SignedInStaff, roles=None) -> list[Hospital]:
    """The staff member's hospitals (where they have one of `roles`, when given)."""
    hospital_ids = staff.hospitals_with(*roles) if roles is not None else staff.hospital_ids
    return repository.hospitals_get_many(hospital_ids)


def staff_by_id(staff_id: str) -> Staff | None:
    """The stored staff member as of now (a consistent read: after a change, the change)."""
    return repository.staff_get(staff_id, consistent=True)


def organization(organization_id: str) -> Organization:
    return repository.organization_get(organization_id) or Organization(
        organization_id=organization_id, name=organization_id
    )


def organization_staff(organization_id: str) -> list[dict]:
    return repository.staff_of_organization(organization_id)


def hospitals_by_id(hospital_ids) -> list[Hospital]:
    return repository.hospitals_get_many(frozenset(hospital_ids))


def hospital_by_slug_fresh(slug: str) -> Hospital | None:
    """Not from the intake cache: an admin sees the settings as stored now."""
    return repository.hospital_get_by_slug(slug) if len(slug) <= 100 else None
