"""Cockpit reads: the queue (with its ETag), the summary strip, a patient's record."""

from __future__ import annotations

import hashlib
import json
import statistics
from datetime import datetime, time
from zoneinfo import ZoneInfo

import triage
from accounts import repository as accounts_repository
from accounts.domain import Hospital, SignedInStaff
from cockpit.domain import (
    VITALS_COLUMNS,
    EarlierVisit,
    PatientRecord,
    QueueSnapshot,
    QueueSummary,
    event_summary,
    finding_label,
    vitals_rows,
)
from intake.domain import ARRIVAL_MODES
from intake.forms import LANGUAGE_LABELS, ONSET_LABELS, PREGNANT_LABELS, SEX_LABELS
from patients import repository as patients_repository
from patients.domain import ALERT_LABELS, AlertReason, Patient
from solace import clock

# Bump when the rows fragment changes shape, so screens holding an old ETag re-render.
FRAGMENT_VERSION = "q2"


def _etag(kind: str, items: list[dict]) -> str:
    canonical = json.dumps(
        sorted(items, key=lambda i: i["patient_id"]), sort_keys=True, default=str
    )
    digest = hashlib.sha256(f"{FRAGMENT_VERSION}:{kind}:{canonical}".encode()).hexdigest()
    return f'"{digest[:32]}"'


def _snapshot(kind: str, items: list[dict], scanned: int) -> QueueSnapshot:
    # Alerts are pinned on top (oldest alert first) until acknowledged; then acuity, then wait.
    rows = sorted(
        (patients_repository.queue_row_from_item(i) for i in items),
        key=lambda r: (r.alert is None, r.alert_at or "", r.level, r.created_at),
    )
    return QueueSnapshot(rows=tuple(rows), etag=_etag(kind, items), scanned_count=scanned)


def queue(hospital_id: str) -> QueueSnapshot:
    """The live queue, sorted by working acuity, then arrival."""
    items, scanned = patients_repository.queue_items(hospital_id)
    return _snapshot(f"queue:{hospital_id}", items, scanned)


def board(hospital_id: str) -> QueueSnapshot:
    """The same Query for the waiting-room display, projected down to code and status."""
    items, scanned = patients_repository.queue_items(
        hospital_id, patients_repository.BOARD_ATTRIBUTES
    )
    return _snapshot(f"board:{hospital_id}", items, scanned)


def summary(hospital: Hospital, snapshot: QueueSnapshot, now: datetime) -> QueueSummary:
    per_level = {level: 0 for level in range(1, 6)}
    for row in snapshot.rows:
        per_level[row.level] += 1
    zone = ZoneInfo(hospital.timezone)
    local_midnight = datetime.combine(now.astimezone(zone).date(), time(), zone)
    arrivals = patients_repository.arrivals_since(hospital.hospital_id, clock.iso(local_midnight))
    door_to_triage = [
        (clock.parse_iso(a["triaged_at"]) - clock.parse_iso(a["created_at"])).total_seconds() / 60
        for a in arrivals
        if a.get("triaged_at")
    ]
    return QueueSummary(
        waiting=len(snapshot.rows),
        per_level=per_level,
        longest_wait_minutes=max((r.waited_minutes(now) for r in snapshot.rows), default=0),
        median_door_to_triage_minutes=(
            round(statistics.median(door_to_triage)) if door_to_triage else None
        ),
    )


def patient_for(staff: SignedInStaff, patient_id: str) -> Patient | None:
    """The patient as of now (a consistent read: clinicians act on what they see), only when
    they belong to one of this staff member's hospitals."""
    if len(patient_id) > 64:
        return None
    patient = patients_repository.patient_get(patient_id, consistent=True)
    if patient is None or not staff.is_member(patient.hospital_id):
        return None
    return patient


def patient_record(staff: SignedInStaff, patient: Patient) -> PatientRecord:
    """Events and possible earlier visits (this staff member's organizations only)."""
    events = patients_repository.events_of_patient(patient.patient_id)
    candidates = (
        patients_repository.visits_with_match_key(patient.match_key) if patient.match_key else []
    )
    visits = [
        v
        for v in candidates
        if v["patient_id"] != patient.patient_id
        and v.get("organization_id") in staff.organization_ids
    ]
    names = {
        h.hospital_id: h.name
        for h in accounts_repository.hospitals_get_many({v["hospital_id"] for v in visits})
    }
    earlier = [
        EarlierVisit(
            patient_id=v["patient_id"],
            created_at=v["created_at"],
            hospital_name=names.get(v["hospital_id"], "another hospital"),
            status=v.get("status", ""),
            check_in_code=v.get("check_in_code", ""),
        )
        for v in visits
    ]
    return PatientRecord(patient=patient, events=events, earlier_visits=earlier)


def patient_page(record: PatientRecord, hospital: Hospital) -> dict:
    """What the patient page shows, in words and units: never codes."""
    patient = record.patient
    suggestion = triage.suggestion_from_dict(patient.triage)
    names = {member.staff_id: member.name for member in hospital.roster}
    return {
        "suggestion": suggestion,
        "resources": [triage.RESOURCE_LABELS.get(r, r) for r in suggestion.resources],
        "alert_label": ALERT_LABELS.get(AlertReason(patient.alert)) if patient.alert else "",
        "sex_label": SEX_LABELS.get(patient.sex, patient.sex),
        "arrival_mode": ARRIVAL_MODES.get(patient.arrival_mode, ""),
        "vitals_columns": VITALS_COLUMNS,
        "vitals_rows": vitals_rows(patient, hospital.temperature_unit),
        "findings": [finding_label(code) for code in patient.findings],
        "symptoms": [finding_label(code) for code in patient.symptoms],
        "language": LANGUAGE_LABELS.get(patient.preferred_language, patient.preferred_language),
        "onset": ONSET_LABELS.get(patient.onset, ""),
        "pregnant": PREGNANT_LABELS.get(patient.pregnant, ""),
        "timeline": [(e.time, event_summary(e, names)) for e in record.events],
    }
