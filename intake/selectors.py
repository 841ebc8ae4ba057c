"""Intake reads: the browser's intake session and visit, the waiting-room code, kiosks."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.crypto import salted_hmac

from accounts.domain import Hospital
from intake import repository
from intake.domain import (
    FormTicket,
    IntakeSession,
    Kiosk,
    PatientVisit,
    patient_visit,
    plausible_session_id,
)
from solace import clock


def intake_session(session_id: str | None, hospital: Hospital) -> IntakeSession | None:
    """The browser's live intake session at this hospital, if any."""
    if not plausible_session_id(session_id):
        return None
    session = repository.intake_session_get(session_id)
    if session is None or session.hospital_id != hospital.hospital_id:
        return None
    return session


def visit_of(
    ticket: FormTicket, hospital: Hospital, language: str
) -> tuple[IntakeSession, PatientVisit] | None:
    """The session and the patient's view of their visit as it is now, in one BatchGetItem;
    None when the session ended ("Done", the 24-hour cap) or is not this hospital's."""
    if not ticket.registered:
        return None
    session, patient = repository.intake_session_and_patient(ticket.session_id, ticket.patient_id)
    if (
        session is None
        or session.hospital_id != hospital.hospital_id
        or session.patient_id != ticket.patient_id
    ):
        return None
    return session, patient_visit(session, patient, language)


# --- The waiting-room code --------------------------------------------------------------------
def local_day(hospital: Hospital, moment: datetime | None = None) -> date:
    return (moment or clock.now_utc()).astimezone(ZoneInfo(hospital.timezone)).date()


def waiting_room_code(hospital: Hospital, day: date | None = None) -> str | None:
    """The hospital's code of the (local) day, shown on the waiting-room display, or None when
    the hospital does not ask for one. Four digits, derived with the secret key: nothing stored,
    every instance agrees, and it changes at local midnight."""
    if not hospital.waiting_room_code:
        return None
    day = day or local_day(hospital)
    digest = salted_hmac(
        "solace.intake.waiting-room-code", f"{hospital.hospital_id}:{day.isoformat()}"
    ).digest()
    return f"{int.from_bytes(digest[:4], 'big') % 10000:04d}"


def waiting_room_code_accepted(hospital: Hospital, code: str) -> bool:
    """Today's code, or yesterday's (a form opened just before midnight)."""
    today = local_day(hospital)
    return any(
        hmac.compare_digest(code, waiting_room_code(hospital, day) or "")
        for day in (today, today - timedelta(days=1))
    )


# --- Kiosks -----------------------------------------------------------------------------------
def kiosk_of_device(hospital: Hospital, device_id: str, device_secret: str) -> Kiosk | None:
    """The enrolled kiosk a kiosk cookie names, or None (unknown, another hospital's, never
    enrolled, or a wrong secret). A revoked kiosk is returned: the page says it is off."""
    if len(device_id) != 32 or not device_id.isascii() or len(device_secret) > 64:
        return None
    kiosk = repository.kiosk_get(device_id)
    digest = hashlib.sha256(device_secret.encode()).hexdigest()
    if (
        kiosk is None
        or kiosk.hospital_id != hospital.hospital_id
        or not kiosk.enrolled_at
        or not hmac.compare_digest(kiosk.device_hash or "-", digest)
    ):
        return None
    return kiosk


def kiosks(hospital_ids: list[str]) -> list[Kiosk]:
    """The kiosks of these hospitals, newest first (one Query per hospital: admins have few)."""
    found = [k for hospital_id in hospital_ids for k in repository.kiosks_of_hospital(hospital_id)]
    return sorted(found, key=lambda k: k.created_at, reverse=True)


def kiosk(device_id: str) -> Kiosk | None:
    if len(device_id) > 64:
        return None
    return repository.kiosk_get(device_id)
