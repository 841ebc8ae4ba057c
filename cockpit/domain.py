"""Cockpit domain: the queue as a clinician sees it, and a patient's record page."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import triage
from patients.domain import (
    ALERT_LABELS,
    AVPU_LABELS,
    ISOLATION_LABELS,
    STATUS_LABELS,
    AlertReason,
    EncounterEvent,
    EventType,
    Patient,
    QueueRow,
    Status,
    counting_sets,
)

# Server-side filters of the queue (patients.repository.QUEUE_FILTERS), as the page names them.
QUEUE_FILTER_LABELS = {
    "all": "All",
    "waiting_room": "Waiting room",
    "in_room": "In a room",
    "mine": "My patients",
    "unassigned": "Unassigned",
}
QUEUE_FILTER_HINTS = {
    "waiting_room": "No room yet",
    "in_room": "A room is assigned",
    "mine": "You are their nurse or physician",
    "unassigned": "No nurse or no physician yet",
}


@dataclass(frozen=True)
class VitalCell:
    """One latest vital sign on a queue row: short label, its full name, value with unit."""

    label: str
    title: str
    text: str
    danger: bool = False


@dataclass(frozen=True)
class RowView:
    """A queue row with what it is measured against: the wait and reassessment targets."""

    row: QueueRow
    waited: int  # minutes since arrival
    wait_target: int  # minutes (the acuity's long-wait target)
    reassess_due_at: str | None  # ISO time, None when not reassessed in this status
    reassess_minutes: int | None  # the acuity's reassessment interval
    vitals: tuple[VitalCell, ...]
    language: str  # the language an interpreter is needed for, in words

    @property
    def waiting(self) -> bool:
        """Not yet seen by a provider: the wait counts against the acuity's target."""
        return self.row.reassessed

    @property
    def overdue(self) -> bool:
        return self.waiting and self.waited > self.wait_target


@dataclass(frozen=True)
class QueueSummary:
    in_department: int
    per_level: dict[int, int]
    waiting_room: int
    in_room: int
    unassigned: int
    longest_wait_since: str | None  # arrival of the longest-waiting patient (ISO)
    median_door_to_triage_minutes: int | None
    triaged_today: int


@dataclass(frozen=True)
class QueueSnapshot:
    """One page of the queue as a clinician sees it."""

    rows: tuple[RowView, ...]
    etag: str
    queue_filter: str
    next_cursor: str | None  # the next page, when there is one
    first_page: bool
    alert_count: int  # pinned alerts (all on page one, whatever the filter)
    scanned_count: int
    summary: QueueSummary


@dataclass(frozen=True)
class BoardEntry:
    check_in_code: str
    created_at: str
    room: str
    called_to: str
    called_at: str
    called_to_es: str = ""

    def called_to_label(self, language: str = "en") -> str:
        return self.called_to_es if language == "es" and self.called_to_es else self.called_to


@dataclass(frozen=True)
class BoardSnapshot:
    entries: tuple[BoardEntry, ...]
    more: int  # waiting but not shown (the screen is full)


def vital_cells(vitals: dict[str, Any], age_days: int | None, temperature_unit: str):
    """The latest vital signs of a row, short, with units, danger-zone values marked."""
    if not vitals:
        return ()
    known = {k: v for k, v in vitals.items() if k in triage.Vitals.__dataclass_fields__}
    try:
        rules = {r.rule for r in triage.danger_zone(age_days or 0, triage.Vitals(**known))}
    except ValueError:
        rules = set()
    cells = []
    if vitals.get("heart_rate") is not None:
        danger = "D.heart_rate" in rules
        cells.append(VitalCell("HR", "Heart rate", f"{vitals['heart_rate']:g}/min", danger))
    if vitals.get("respiratory_rate") is not None:
        danger = "D.respiratory_rate" in rules
        text = f"{vitals['respiratory_rate']:g}/min"
        cells.append(VitalCell("RR", "Respiratory rate", text, danger))
    if vitals.get("spo2") is not None:
        oxygen = vitals.get("oxygen_l_min")
        on = f" on {oxygen:g} l/min" if oxygen else ""
        cells.append(
            VitalCell("SpO₂", "Oxygen saturation", f"{vitals['spo2']:g} %{on}", "D.spo2" in rules)
        )
    if vitals.get("systolic") is not None:
        text = f"{vitals['systolic']:g}/{vitals.get('diastolic', 0):g} mmHg"
        cells.append(VitalCell("BP", "Blood pressure", text, "D.blood_pressure" in rules))
    if vitals.get("temperature_c") is not None:
        text = temperature_text(vitals["temperature_c"], temperature_unit)
        cells.append(VitalCell("T", "Temperature", text, "D.temperature" in rules))
    if vitals.get("pain") is not None:
        cells.append(VitalCell("Pain", "Pain", f"{vitals['pain']:g}/10"))
    return tuple(cells)


@dataclass(frozen=True)
class EarlierVisit:
    patient_id: str
    created_at: str
    hospital_name: str
    hospital_id: str
    status: str
    check_in_code: str

    @property
    def status_label(self) -> str:
        if not self.status:
            return ""
        try:
            return STATUS_LABELS[Status(self.status)]
        except ValueError:
            return "Unknown status"


@dataclass(frozen=True)
class PatientRecord:
    patient: Patient
    events: list[EncounterEvent]
    # Detailed: only visits at hospitals the viewer belongs to.
    earlier_visits: list[EarlierVisit] = field(default_factory=list)
    # Elsewhere in the organization: a count, and whether one was within the last 72 hours.
    elsewhere_count: int = 0
    elsewhere_recent: bool = False


@dataclass(frozen=True)
class CheckInGroup:
    """Self check-ins from one client address (known only as a keyed hash)."""

    client_hash: str
    patients: tuple[Patient, ...]

    @property
    def label(self) -> str:
        return f"Address {self.client_hash[:6]}" if self.client_hash else "Address not recorded"

    @property
    def open_count(self) -> int:
        return sum(1 for p in self.patients if not p.ended)


@dataclass(frozen=True)
class CheckInReview:
    since: str
    hours: int
    groups: tuple[CheckInGroup, ...]
    truncated: bool


class ActionRefused(Exception):
    """The action is not allowed in this state or for this role (message says why)."""


# --- What staff pages show: labels and units, never codes -------------------------------------
@dataclass(frozen=True)
class Cell:
    text: str
    changed: str = ""  # "up" | "down" | "changed" | "" against the previous set
    previous: str = ""


@dataclass(frozen=True)
class VitalsRow:
    set_id: str
    taken_at: str
    recorded_by_name: str
    cells: tuple[Cell, ...]
    corrected: bool  # replaced by a later correction: no longer counts
    corrects: str | None


VITALS_COLUMNS = (
    "Heart rate",
    "Resp. rate",
    "SpO₂",
    "Blood pressure",
    "Temperature",
    "Pain",
    "Mental status",
    "Glucose",
    "Weight",
)


def temperature_text(celsius: float, unit: str) -> str:
    if unit == "F":
        return f"{celsius * 9 / 5 + 32:.1f} °F"
    return f"{celsius:.1f} °C"


def _column_values(values: dict[str, Any], temperature_unit: str) -> list[tuple[str, Any]]:
    """(text, comparable value) per column; ("", None) where the set has no value."""
    spo2 = values.get("spo2")
    oxygen = values.get("oxygen_l_min")
    breathing = "" if oxygen is None else ("room air" if oxygen == 0 else f"on {oxygen:g} l/min O₂")
    spo2_text = " ".join(t for t in (f"{spo2} %" if spo2 is not None else "", breathing) if t)
    systolic, diastolic = values.get("systolic"), values.get("diastolic")
    avpu, gcs = values.get("avpu"), values.get("gcs")
    mental = ", ".join(t for t in (AVPU_LABELS.get(avpu, ""), f"GCS {gcs}" if gcs else "") if t)
    temperature = values.get("temperature_c")
    glucose, weight, pain = values.get("glucose_mg_dl"), values.get("weight_kg"), values.get("pain")

    def number(value, unit):
        return (f"{value:g} {unit}", value) if value is not None else ("", None)

    return [
        number(values.get("heart_rate"), "/min"),
        number(values.get("respiratory_rate"), "/min"),
        (spo2_text, spo2),
        (f"{systolic}/{diastolic} mmHg", systolic) if systolic is not None else ("", None),
        (temperature_text(temperature, temperature_unit), temperature)
        if temperature is not None
        else ("", None),
        (f"{pain}/10", pain) if pain is not None else ("", None),
        (mental, (-"AVPU".index(avpu) if avpu else None, gcs)) if mental else ("", None),
        number(glucose, "mg/dL"),
        number(weight, "kg"),
    ]


def vitals_rows(patient: Patient, temperature_unit: str) -> list[VitalsRow]:
    """Every set, newest first, each value marked where it changed since the previous set
    that counts (corrected sets are shown, struck through, and compared with nothing)."""
    counting = {s.set_id for s in counting_sets(patient.vitals_sets)}
    previous: dict[int, tuple[str, Any]] = {}
    rows = []
    for vitals_set in sorted(patient.vitals_sets, key=lambda s: (s.taken_at, s.recorded_at)):
        columns = _column_values(vitals_set.values, temperature_unit)
        cells = []
        for i, (text, value) in enumerate(columns):
            before = previous.get(i) if vitals_set.set_id in counting else None
            changed = ""
            if text and before and before[0] != text:
                if isinstance(value, int | float) and isinstance(before[1], int | float):
                    changed = "up" if value > before[1] else "down"
                else:
                    changed = "changed"
            cells.append(Cell(text, changed, before[0] if changed else ""))
            if text and vitals_set.set_id in counting:
                previous[i] = (text, value)
        rows.append(
            VitalsRow(
                set_id=vitals_set.set_id,
                taken_at=vitals_set.taken_at,
                recorded_by_name=vitals_set.recorded_by_name,
                cells=tuple(cells),
                corrected=vitals_set.set_id not in counting,
                corrects=vitals_set.corrects,
            )
        )
    return rows[::-1]


EVENT_LABELS = {
    EventType.ARRIVED: "Arrived",
    EventType.TRIAGE_SUGGESTED: "Triage suggested",
    EventType.WORSE_REPORTED: "Patient reported feeling worse",
    EventType.VITALS_RECORDED: "Vital signs recorded",
    EventType.FINDINGS_RECORDED: "Findings recorded",
    EventType.IDENTITY_COMPLETED: "Name and date of birth completed",
    EventType.ALERT_ACKNOWLEDGED: "Alert acknowledged",
    EventType.ACUITY_CONFIRMED: "Acuity confirmed",
    EventType.ACUITY_OVERRIDDEN: "Acuity overridden",
    EventType.ROOMED: "Room assigned",
    EventType.ASSIGNED: "Assigned",
    EventType.STATUS_CHANGED: "Moved",
    EventType.DISPOSITION: "Visit ended",
    EventType.CALLED: "Called",
    EventType.CALL_NOT_ANSWERED: "Did not answer the call",
    EventType.CALL_CANCELLED: "Call cancelled",
    EventType.LEFT_REPORTED: "Patient said they have left",
    EventType.CLOSED: "Closed: not a patient",
    EventType.REOPENED: "Reopened (undo)",
    EventType.ISOLATION_SET: "Isolation",
    EventType.POSSIBLE_DUPLICATE: "Possible duplicate registration",
    EventType.DUPLICATE_DISMISSED: "Not a duplicate",
    EventType.CLOSED_AS_DUPLICATE: "Closed as a duplicate registration",
    EventType.DUPLICATE_LINKED: "Duplicate registration linked",
}


def finding_label(code: str) -> str:
    return triage.LABELS.get(code, code.replace("_", " "))


def event_summary(event: EncounterEvent, roster_names: dict[str, str]) -> str:
    """One line a clinician reads: what happened, with the values, in words."""
    data = event.data
    parts = [EVENT_LABELS.get(event.type, event.type.value.replace("_", " ").capitalize())]
    if "level" in data and event.type in (
        EventType.TRIAGE_SUGGESTED,
        EventType.ACUITY_CONFIRMED,
        EventType.ACUITY_OVERRIDDEN,
    ):
        parts.append(f"level {data['level']}")
    if data.get("place"):
        parts.append(f"to {data['place']}")
    if data.get("call", 0) > 1 and event.type == EventType.CALLED:
        parts.append(f"call {data['call']}")
    if data.get("reason"):
        parts.append(f"reason: {data['reason']}")
    if data.get("added"):
        parts.append("added " + ", ".join(finding_label(c) for c in data["added"]))
    if data.get("removed"):
        parts.append("removed " + ", ".join(finding_label(c) for c in data["removed"]))
    if data.get("corrects"):
        parts.append("a correction of an earlier set")
    if "level_before" in data:
        before, after = data["level_before"], data["level_after"]
        parts.append(f"suggestion {before} → {after}" if before != after else f"level {after}")
    if "room" in data:
        parts.append(f"room {data['room']}" if data["room"] else "room cleared")
    if data.get("slot"):
        who = roster_names.get(data.get("staff_id", ""), "a colleague")
        parts.append(f"{data['slot']}: {who}")
    if "to" in data:
        parts.append(f"{STATUS_LABELS[Status(data['from'])]} → {STATUS_LABELS[Status(data['to'])]}")
    if data.get("alert"):
        parts.append(ALERT_LABELS.get(AlertReason(data["alert"]), ""))
    if "isolation" in data:
        parts.append(
            ISOLATION_LABELS.get(data["isolation"], "none") if data["isolation"] else "none"
        )
    if data.get("other_code"):
        parts.append(f"check-in code {data['other_code']}")
    if event.actor_id == "system" and event.type == EventType.POSSIBLE_DUPLICATE:
        parts.append("same family name and date of birth")
    return " · ".join(p for p in parts if p)


def vitals_table(patient: Patient, temperature_unit: str) -> tuple[list[str], list[VitalsRow]]:
    """The vital-signs table: only the measures some set recorded (a column of dashes is
    width a laptop at 200 % zoom does not have), and the rows of `vitals_rows`."""
    rows = vitals_rows(patient, temperature_unit)
    used = [i for i in range(len(VITALS_COLUMNS)) if any(r.cells[i].text for r in rows)]
    return [VITALS_COLUMNS[i] for i in used], [
        replace(r, cells=tuple(r.cells[i] for i in used)) for r in rows
    ]
