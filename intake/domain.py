"""Intake domain: intake sessions, registrations, patients and their encounter events."""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

INTAKE_SESSION_SECONDS = 2 * 60 * 60
IDEMPOTENCY_SECONDS = 24 * 60 * 60
WORSE_REPORT_EVERY_SECONDS = 10 * 60

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: codes are read aloud across a noisy waiting room.
CHECK_IN_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CHECK_IN_LENGTH = 7


def new_check_in_code() -> str:
    return "".join(secrets.choice(CHECK_IN_ALPHABET) for _ in range(CHECK_IN_LENGTH))


class Status(StrEnum):
    WAITING = "waiting"
    IN_TRIAGE = "in_triage"
    WAITING_FOR_PROVIDER = "waiting_for_provider"
    WITH_PROVIDER = "with_provider"
    DISCHARGED = "discharged"
    ADMITTED = "admitted"
    TRANSFERRED = "transferred"
    LEFT_WITHOUT_BEING_SEEN = "left_without_being_seen"
    LEFT_AGAINST_ADVICE = "left_against_advice"


DISPOSITIONS = frozenset(
    {
        Status.DISCHARGED,
        Status.ADMITTED,
        Status.TRANSFERRED,
        Status.LEFT_WITHOUT_BEING_SEEN,
        Status.LEFT_AGAINST_ADVICE,
    }
)


class EventType(StrEnum):
    ARRIVED = "arrived"
    TRIAGE_SUGGESTED = "triage_suggested"
    WORSE_REPORTED = "worse_reported"
    VITALS_RECORDED = "vitals_recorded"
    ACUITY_CONFIRMED = "acuity_confirmed"
    ACUITY_OVERRIDDEN = "acuity_overridden"
    ROOMED = "roomed"
    ASSIGNED = "assigned"
    STATUS_CHANGED = "status_changed"
    DISPOSITION = "disposition"


def plausible_nonce(nonce: str | None) -> bool:
    """Cheap shape check before a cookie value is used as a DynamoDB key."""
    return bool(nonce) and len(nonce) <= 64 and nonce.isascii()


def age_in_days(date_of_birth: date, on: date) -> int:
    return (on - date_of_birth).days


def age_in_years(date_of_birth: date, on: date) -> int:
    before_birthday = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - before_birthday


def match_key(family_name: str, date_of_birth: date) -> str | None:
    """Same person, earlier visits: family name (in any script, without accents, case or
    punctuation) + birth date. None when the name has no letters: no match is better than
    matching everyone born that day."""
    decomposed = unicodedata.normalize("NFKD", family_name.casefold())
    letters = "".join(c for c in decomposed if c.isalpha() and not unicodedata.combining(c))
    return f"{letters}#{date_of_birth.isoformat()}" if letters else None


@dataclass(frozen=True)
class IntakeSession:
    nonce: str
    hospital_id: str
    idempotency_key: str
    expires_at: int
    patient_id: str | None = None
    check_in_code: str | None = None
    given_name: str | None = None
    worse_reported_at: int | None = None

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


@dataclass(frozen=True)
class Registration:
    """What a registration answers, and what a replay answers again."""

    patient_id: str
    location: str
    replayed: bool = False


@dataclass(frozen=True)
class EncounterEvent:
    patient_id: str
    event_id: str
    type: EventType
    time: str
    actor_id: str
    actor_role: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


class IntakeSessionEnded(Exception):
    """The intake session is missing, expired, for another hospital, or already used."""


class IdempotencyKeyReused(Exception):
    """The same idempotency key came with a different registration."""


class WorseReportedRecently(Exception):
    def __init__(self, seconds_ago: int):
        super().__init__(f"reported {seconds_ago}s ago")
        self.seconds_ago = seconds_ago
