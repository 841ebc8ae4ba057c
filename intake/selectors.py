"""Intake reads."""

from __future__ import annotations

from accounts.domain import Hospital
from intake import repository
from intake.domain import IntakeSession, plausible_session_id


def intake_session(session_id: str | None, hospital: Hospital) -> IntakeSession | None:
    """The browser's live intake session at this hospital, if any."""
    if not plausible_session_id(session_id):
        return None
    session = repository.intake_session_get(session_id)
    if session is None or session.hospital_id != hospital.hospital_id:
        return None
    return session
