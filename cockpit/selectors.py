"""Cockpit reads: the queue (with its ETag), the summary strip, a patient's record."""

from __future__ import annotations

import hashlib
import json
import statistics
from datetime import datetime, time
from zoneinfo import ZoneInfo

from cockpit import repository
from cockpit.domain import EarlierVisit, PatientRecord, QueueRow, QueueSnapshot, QueueSummary
from intake import repository as intake_repository
from solace import clock
from solace import repository as solace_repository
from solace.domain import Hospital, SignedInStaff

# Bump when the rows fragment changes shape, so screens holding an old ETag re-render.
FRAGMENT_VERSION = "q1"


def _etag(kind: str, items: list[dict]) -> str:
    canonical = json.dumps(
        sorted(items, key=lambda i: i["patient_id"]), sort_keys=True, default=str
    )
    digest = hashlib.sha256(f"{FRAGMENT_VERSION}:{kind}:{canonical}".encode()).hexdigest()
    return f'"{digest[:32]}"'


def _snapshot(kind: str, items: list[dict], scanned: int) -> QueueSnapshot:
    rows = sorted((QueueRow.from_item(i) for i in items), key=lambda r: (r.level, r.created_at))
    return QueueSnapshot(rows=tuple(rows), etag=_etag(kind, items), scanned_count=scanned)


def queue(hospital_id: str) -> QueueSnapshot:
    """The live queue, sorted by acuity (confirmed, else suggested), then arrival."""
    items, scanned = repository.queue_items(hospital_id)
    return _snapshot(f"queue:{hospital_id}", items, scanned)


def board(hospital_id: str) -> QueueSnapshot:
    """The same Query for the waiting-room display, projected down to code and status."""
    items, scanned = repository.queue_items(hospital_id, repository.BOARD_ATTRIBUTES)
    return _snapshot(f"board:{hospital_id}", items, scanned)


def summary(hospital: Hospital, snapshot: QueueSnapshot, now: datetime) -> QueueSummary:
    per_level = {level: 0 for level in range(1, 6)}
    for row in snapshot.rows:
        per_level[row.level] += 1
    local_midnight = datetime.combine(
        now.astimezone(ZoneInfo(hospital.timezone)).date(), time(), ZoneInfo(hospital.timezone)
    )
    arrivals = repository.arrivals_since(hospital.hospital_id, clock.iso(local_midnight))
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


def staff_hospitals(staff: SignedInStaff) -> list[Hospital]:
    return solace_repository.hospitals_get_many(staff.hospital_ids)


def patient_item_for(staff: SignedInStaff, patient_id: str) -> dict | None:
    """The patient as of now (a consistent read: clinicians act on what they see), only when
    they belong to one of this staff member's hospitals."""
    if len(patient_id) > 64:
        return None
    item = intake_repository.patient_get(patient_id, consistent=True)
    if item is None or not staff.is_member(item["hospital_id"]):
        return None
    return item


def patient_record(staff: SignedInStaff, item: dict) -> PatientRecord:
    """Events and possible earlier visits (this staff member's organizations only)."""
    events = intake_repository.events_of_patient(item["patient_id"])
    candidates = (
        repository.visits_with_match_key(item["match_key"]) if item.get("match_key") else []
    )
    visits = [
        v
        for v in candidates
        if v["patient_id"] != item["patient_id"]
        and v.get("organization_id") in staff.organization_ids
    ]
    names = {
        h.hospital_id: h.name
        for h in solace_repository.hospitals_get_many({v["hospital_id"] for v in visits})
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
    return PatientRecord(item=item, events=events, earlier_visits=earlier)
