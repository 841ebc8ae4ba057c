"""Intake reads."""

from __future__ import annotations

import threading
import time

from intake import repository
from intake.domain import IntakeSession, plausible_nonce
from solace import repository as solace_repository
from solace.domain import Hospital

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
    hospital = solace_repository.hospital_get_by_slug(slug)
    if hospital is not None:  # unknown slugs are not cached: a new hospital shows up at once
        with _hospitals_lock:
            _hospitals[slug] = (now, hospital)
    return hospital


def intake_session(nonce: str | None, hospital: Hospital) -> IntakeSession | None:
    """The browser's live intake session at this hospital, if any."""
    if not plausible_nonce(nonce):
        return None
    session = repository.intake_session_get(nonce)
    if session is None or session.hospital_id != hospital.hospital_id:
        return None
    return session
