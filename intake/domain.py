"""Intake domain: the intake session a form opens, the answers a patient gives, and what a
registration answers (the first time and on every replay)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

INTAKE_SESSION_SECONDS = 2 * 60 * 60
IDEMPOTENCY_SECONDS = 24 * 60 * 60
WORSE_REPORT_EVERY_SECONDS = 10 * 60


def plausible_session_id(session_id: str | None) -> bool:
    """Cheap shape check before a cookie value is used as a DynamoDB key."""
    return bool(session_id) and len(session_id) <= 64 and session_id.isascii()


@dataclass(frozen=True)
class IntakeSession:
    """What one browser's visit to the form holds: the idempotency key minted once, and after
    registering, who registered (the status page reads it)."""

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

    @property
    def registered(self) -> bool:
        return self.patient_id is not None


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

    def normalized(self) -> dict[str, Any]:
        """The canonical form hashed to tell a true retry from a different registration."""
        return {
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


class WorseReportedRecently(Exception):
    def __init__(self, seconds_ago: int):
        super().__init__(f"reported {seconds_ago}s ago")
        self.seconds_ago = seconds_ago
