"""Cockpit domain: queue rows, the patient record, and the rules of patient flow."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from intake.domain import DISPOSITIONS, Status
from solace import clock

# Forward moves through the department; a disposition may end any active visit.
FLOW: dict[Status, tuple[Status, ...]] = {
    Status.WAITING: (Status.IN_TRIAGE,),
    Status.IN_TRIAGE: (Status.WAITING_FOR_PROVIDER,),
    Status.WAITING_FOR_PROVIDER: (Status.WITH_PROVIDER,),
    Status.WITH_PROVIDER: (),
}
STATUS_LABELS = {
    Status.WAITING: "Waiting",
    Status.IN_TRIAGE: "In triage",
    Status.WAITING_FOR_PROVIDER: "Waiting for provider",
    Status.WITH_PROVIDER: "With provider",
    Status.DISCHARGED: "Discharged",
    Status.ADMITTED: "Admitted",
    Status.TRANSFERRED: "Transferred",
    Status.LEFT_WITHOUT_BEING_SEEN: "Left without being seen",
    Status.LEFT_AGAINST_ADVICE: "Left against advice",
}
# Sorted for display: the order a clinician reads them in.
ORDERED_DISPOSITIONS = (
    Status.DISCHARGED,
    Status.ADMITTED,
    Status.TRANSFERRED,
    Status.LEFT_WITHOUT_BEING_SEEN,
    Status.LEFT_AGAINST_ADVICE,
)


def next_statuses(current: Status) -> tuple[Status, ...]:
    if current in DISPOSITIONS:
        return ()
    return FLOW[current] + ORDERED_DISPOSITIONS


def age_label(age_days: int | None, age_years: int | None) -> str:
    if age_days is None:
        return "?"
    if age_days < 31:
        return f"{age_days} d"
    if age_years is None or age_years < 2:
        return f"{age_days * 12 // 365} mo"
    return f"{age_years} y"


@dataclass(frozen=True)
class QueueRow:
    patient_id: str
    created_at: str
    check_in_code: str
    age: str
    sex: str
    chief_complaint: str
    status: Status
    room: str | None
    nurse_name: str | None
    physician_name: str | None
    suggested_level: int
    confirmed_level: int | None
    flags: tuple[str, ...]
    worse: bool
    version: int

    @property
    def level(self) -> int:
        return self.confirmed_level or self.suggested_level

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def waited_minutes(self, now: datetime) -> int:
        return max(0, int((now - clock.parse_iso(self.created_at)).total_seconds() // 60))

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> QueueRow:
        return cls(
            patient_id=item["patient_id"],
            created_at=item["created_at"],
            check_in_code=item.get("check_in_code", ""),
            age=age_label(item.get("age_days"), item.get("age_years")),
            sex=item.get("sex", "unknown"),
            chief_complaint=item.get("chief_complaint", ""),
            status=Status(item.get("status", "waiting")),
            room=item.get("room"),
            nurse_name=item.get("nurse_name"),
            physician_name=item.get("physician_name"),
            suggested_level=item.get("suggested_level", 5),
            confirmed_level=item.get("confirmed_level"),
            flags=tuple(item.get("flags") or ()),
            worse=bool(item.get("worse_reported_at")),
            version=item.get("version", 1),
        )


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
    status: str
    check_in_code: str


@dataclass(frozen=True)
class PatientRecord:
    item: dict[str, Any]
    events: list[dict[str, Any]]
    earlier_visits: list[EarlierVisit] = field(default_factory=list)

    @property
    def patient_id(self) -> str:
        return self.item["patient_id"]

    @property
    def hospital_id(self) -> str:
        return self.item["hospital_id"]

    @property
    def status(self) -> Status:
        return Status(self.item["status"])

    @property
    def version(self) -> int:
        return self.item["version"]

    @property
    def level(self) -> int:
        return self.item.get("confirmed_level") or self.item["suggested_level"]


class VersionConflict(Exception):
    """Someone changed the patient first; `current` is the patient as it is now."""

    def __init__(self, current: dict[str, Any] | None):
        super().__init__("the patient was changed by someone else")
        self.current = current


class ActionRefused(Exception):
    """The action is not allowed in this state or for this role (message says why)."""
