"""Cockpit domain: the queue as a clinician sees it, and a patient's record page."""

from __future__ import annotations

from dataclasses import dataclass, field

from patients.domain import EncounterEvent, Patient, QueueRow


@dataclass(frozen=True)
class QueueSnapshot:
    rows: tuple[QueueRow, ...]
    etag: str
    scanned_count: int


@dataclass(frozen=True)
class QueueSummary:
    waiting: int
    per_level: dict[int, int]
    longest_wait_minutes: int
    median_door_to_triage_minutes: int | None


@dataclass(frozen=True)
class EarlierVisit:
    patient_id: str
    created_at: str
    hospital_name: str
    hospital_id: str
    status: str
    check_in_code: str


@dataclass(frozen=True)
class PatientRecord:
    patient: Patient
    events: list[EncounterEvent]
    # Detailed: only visits at hospitals the viewer belongs to.
    earlier_visits: list[EarlierVisit] = field(default_factory=list)
    # Elsewhere in the organization: a count, and whether one was within the last 72 hours.
    elsewhere_count: int = 0
    elsewhere_recent: bool = False


class ActionRefused(Exception):
    """The action is not allowed in this state or for this role (message says why)."""
