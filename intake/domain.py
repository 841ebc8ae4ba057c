"""Intake domain: the intake session a form opens, the answers a patient gives, and what a
registration answers (the first time and on every replay)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from patients.domain import Patient, Status

# Until the first POST the intake session lives only in a signed cookie (the form's GET writes
# nothing); it times out after this long, and a reload keeps the same idempotency key.
INTAKE_FORM_SECONDS = 2 * 60 * 60
# The registration creates the intake-session item. The status page checks the visit's state
# at every read, so this is only an absolute cap: ED waits are often longer than two hours.
INTAKE_SESSION_SECONDS = 24 * 60 * 60
IDEMPOTENCY_SECONDS = 24 * 60 * 60
WORSE_REPORT_EVERY_SECONDS = 10 * 60

# Kiosks: a half-filled form is cleared after this long without input (with a warning first);
# the status page goes back to a fresh form after KIOSK_STATUS_SECONDS or "Done". On the
# server a kiosk's status session lives KIOSK_SESSION_SECONDS at most, whatever the browser does.
KIOSK_IDLE_SECONDS = 90
KIOSK_WARNING_SECONDS = 15
KIOSK_STATUS_SECONDS = 30
KIOSK_SESSION_SECONDS = 60
KIOSK_LINK_SECONDS = 24 * 60 * 60  # an enrolment link is good for a day, and once

# Wrong waiting-room codes allowed from one address per registration window.
WRONG_CODES_PER_WINDOW = 10


def plausible_session_id(session_id: str | None) -> bool:
    """Cheap shape check before a cookie value is used as a DynamoDB key."""
    return bool(session_id) and len(session_id) <= 64 and session_id.isascii()


@dataclass(frozen=True)
class FormTicket:
    """What the signed intake cookie carries: the intake session id and the idempotency key
    minted when the form was first opened, the hospital, when it expires and, once registered,
    the patient (so the status page reads session and visit in one request)."""

    session_id: str
    hospital_id: str
    idempotency_key: str
    expires_at: int
    patient_id: str | None = None
    kiosk_id: str | None = None

    @property
    def registered(self) -> bool:
        return self.patient_id is not None


@dataclass(frozen=True)
class IntakeSession:
    """The stored intake session, created by the registration transaction: who registered
    (the status page reads it) and when they last reported feeling worse."""

    session_id: str
    hospital_id: str
    idempotency_key: str
    expires_at: int
    patient_id: str | None = None
    check_in_code: str | None = None
    given_name: str | None = None
    worse_reported_at: int | None = None
    # An emergency red flag was ticked or typed: the status page says, first, to go to the
    # front desk now (the patient never sees a level or a reason).
    front_desk_now: bool = False
    kiosk_id: str | None = None

    @property
    def registered(self) -> bool:
        return self.patient_id is not None


class VisitState(StrEnum):
    """What the patient's status page says (never an acuity, a position or a count ahead)."""

    WAITING = "waiting"  # please stay in the waiting room
    CALLED = "called"  # please go to <place> now
    IN_CARE = "in_care"  # you are being cared for; follow the staff's directions
    CLOSED = "closed"  # your visit is closed


@dataclass(frozen=True)
class PatientVisit:
    """The patient's own view of their visit, derived from the record at read time."""

    state: VisitState
    check_in_code: str
    given_name: str
    place: str = ""  # where to go, in the reader's language (CALLED)
    called_at: str | None = None
    call_count: int = 0
    missed_call: bool = False  # called, did not answer: tell the front desk you are here
    left_reported_at: str | None = None
    front_desk_now: bool = False

    @property
    def open(self) -> bool:
        return self.state != VisitState.CLOSED

    def fingerprint(self) -> tuple:
        """Everything the status fragment shows: the poll's ETag is made from it."""
        return (
            self.state.value,
            self.check_in_code,
            self.given_name,
            self.place,
            self.called_at,
            self.call_count,
            self.missed_call,
            self.left_reported_at,
            self.front_desk_now,
        )


@dataclass(frozen=True)
class Kiosk:
    """A shared check-in device in a waiting room, enrolled by an admin with a one-time link;
    stored in the devices table with kind "kiosk" (see intake.repository)."""

    device_id: str
    hospital_id: str
    name: str
    created_at: str
    created_by: str
    link_expires_at: int
    enrolled_at: str | None = None
    revoked_at: str | None = None
    # SHA-256 digests of the one-time link's secret and of the enrolled device's secret.
    link_hash: str = field(default="", repr=False)
    device_hash: str = field(default="", repr=False)

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "revoked"
        return "enrolled" if self.enrolled_at else "waiting for its link"


@dataclass(frozen=True)
class IntakeAnswers:
    """What the patient entered, normalized by the form."""

    given_name: str
    family_name: str
    date_of_birth: date
    sex: str
    chief_complaint: str
    symptoms: tuple[str, ...]
    pain_score: int | None = None
    phone: str = ""
    onset: str = ""
    pregnant: str = ""
    allergies: str = ""
    medications: str = ""
    conditions: str = ""
    preferred_language: str = ""
    companion: bool = False  # someone registering on the patient's behalf

    def normalized(self) -> dict[str, Any]:
        """The canonical form hashed to tell a true retry from a different registration."""
        return {
            # Only when set: hashes of answers sent before this field existed stay the same.
            **({"companion": True} if self.companion else {}),
            "given_name": self.given_name,
            "family_name": self.family_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "sex": self.sex,
            "chief_complaint": self.chief_complaint,
            "symptoms": sorted(self.symptoms),
            "pain_score": self.pain_score,
            "phone": self.phone,
            "onset": self.onset,
            "pregnant": self.pregnant,
            "allergies": self.allergies,
            "medications": self.medications,
            "conditions": self.conditions,
            "preferred_language": self.preferred_language,
        }


ARRIVAL_MODES = {
    "walk_in": "Walk-in",
    "ambulance": "Ambulance",
    "police": "Police",
    "transfer": "Transfer from another facility",
    "other": "Other",
}


@dataclass(frozen=True)
class StaffArrival:
    """A patient registered by a clinician: what is known on arrival."""

    staff_id: str
    sex: str
    arrival_mode: str
    chief_complaint: str
    date_of_birth: date | None = None
    estimated_age_days: int = 0  # when the birth date is unknown
    given_name: str = ""
    family_name: str = ""
    findings: tuple[str, ...] = ()
    vitals: tuple[tuple[str, Any], ...] = ()  # a first set, in stored units
    vitals_taken_at: str | None = None

    def normalized(self) -> dict[str, Any]:
        return {
            "sex": self.sex,
            "arrival_mode": self.arrival_mode,
            "chief_complaint": self.chief_complaint,
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else None,
            "estimated_age_days": self.estimated_age_days,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "findings": sorted(self.findings),
            "vitals": sorted(self.vitals),
        }


@dataclass(frozen=True)
class Registration:
    """What a registration answers, and what a replay answers again."""

    patient_id: str
    location: str
    replayed: bool = False


class IntakeSessionEnded(Exception):
    """The intake session is missing, expired, for another hospital, or already used."""


class IdempotencyKeyReused(Exception):
    """The same idempotency key came with a different registration."""


class RegistrationLimited(Exception):
    """Too many registrations from this address, or at this hospital, in the current window:
    nothing was written. `scope` is "address", "hospital" or "code" (wrong waiting-room codes)."""

    def __init__(self, scope: str):
        super().__init__(f"registration limit reached ({scope})")
        self.scope = scope


class KioskLinkInvalid(Exception):
    """The enrolment link is unknown, used, expired or revoked."""


class WorseReportedRecently(Exception):
    def __init__(self, seconds_ago: int):
        super().__init__(f"reported {seconds_ago}s ago")
        self.seconds_ago = seconds_ago


def patient_visit(session: IntakeSession, patient: Patient | None, language: str) -> PatientVisit:
    """What the patient reads, from the visit as it is now (None: the record is gone)."""
    code = session.check_in_code or ""
    name = session.given_name or ""
    if patient is None or patient.ended:
        return PatientVisit(VisitState.CLOSED, code, name)
    common = {
        "call_count": patient.call_count,
        "left_reported_at": patient.left_reported_at,
        "front_desk_now": session.front_desk_now,
    }
    if patient.called_to:
        return PatientVisit(
            VisitState.CALLED,
            code,
            name,
            place=patient.called_to_label(language),
            called_at=patient.called_at,
            **common,
        )
    missed = bool(patient.missed_call_at)
    state = VisitState.WAITING if patient.status == Status.WAITING else VisitState.IN_CARE
    return PatientVisit(state, code, name, missed_call=missed, **common)
