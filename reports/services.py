"""Reports writes: the rollup (fed by the encounters stream, rebuilt from the encounters for
backfills) and the audit entries of viewing and exporting reports.

The rollup is a function of each visit's whole timeline. A stream record only says "this
patient's timeline changed": the visit is re-derived from its events (one consistent Query on
the patient's encounter partition), its row stored unless a row derived from more events is
already there, and each day it touched recomputed from its visit rows. Replayed, duplicated,
reordered or bisected batches therefore all end in the same rollup, and so does a rebuild.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from accounts import repository as accounts_repository
from accounts.domain import Hospital, SignedInStaff
from audit.domain import Action
from audit.services import audit_record
from patients import repository as patients_repository
from reports import repository
from reports.domain import UNMEASURED_EVENTS, derive_visit
from solace import clock, dynamodb
from solace.context import Actor, RequestContext

logger = logging.getLogger("solace.rollup")

# A day is recomputed from its visit rows and stored unless a computation that counted more
# events got there first; then it is read again. Each pass sees everything written before it,
# so the last writer's pass always lands and holds every visit.
DAY_ATTEMPTS = 5
HOSPITAL_CACHE_SECONDS = 300
_hospitals: dict[str, tuple[float, Hospital]] = {}
_hospitals_lock = threading.Lock()


class RollupConflict(Exception):
    """A day could not be stored after several fresh reads (the batch is retried)."""


@dataclass
class RollupResult:
    records: int = 0
    ignored: int = 0
    visits: int = 0
    days: set[tuple[str, date]] = field(default_factory=set)

    def add(self, other: RollupResult) -> None:
        self.records += other.records
        self.ignored += other.ignored
        self.visits += other.visits
        self.days |= other.days


def _hospital(hospital_id: str) -> Hospital | None:
    now = time.monotonic()
    with _hospitals_lock:
        cached = _hospitals.get(hospital_id)
    if cached and now - cached[0] < HOSPITAL_CACHE_SECONDS:
        return cached[1]
    hospital = accounts_repository.hospital_get(hospital_id)
    if hospital is not None:
        with _hospitals_lock:
            _hospitals[hospital_id] = (now, hospital)
    return hospital


def _touched(record: dict[str, Any]) -> tuple[str, str | None] | None:
    """(patient id, hospital id) of a stream record worth a look; None for the rest."""
    if record.get("eventName") not in ("INSERT", "MODIFY"):
        return None
    image = dynamodb.deserialize(record.get("dynamodb", {}).get("NewImage")) or {}
    if "patient_id" not in image or image.get("type") in UNMEASURED_EVENTS:
        return None
    return image["patient_id"], image.get("hospital_id")


def _refresh_visit(patient_id: str, hospital: Hospital) -> date | None:
    """Derive the visit from its whole timeline and store its row; its day, or None."""
    events = patients_repository.events_of_patient(patient_id, consistent=True)
    visit = derive_visit(patient_id, events, ZoneInfo(hospital.timezone))
    if visit is None:
        return None
    repository.visit_put(hospital.hospital_id, visit)
    return visit.day


def _recompute_day(hospital_id: str, day: date) -> bool:
    """Store the day from its visit rows; False when it has none."""
    for _ in range(DAY_ATTEMPTS):
        items = repository.visit_items_of_day(hospital_id, day)
        if not items:
            return False
        if repository.day_put(repository.day_item(hospital_id, day, items)):
            return True
    raise RollupConflict(f"day {day} kept changing")


def rollup_apply(records: list[dict[str, Any]]) -> RollupResult:
    """One batch of encounters stream records: every visit touched, then every day touched."""
    result = RollupResult(records=len(records))
    touched: dict[str, str | None] = {}
    for record in records:
        found = _touched(record)
        if found is None:
            result.ignored += 1
            continue
        patient_id, hospital_id = found
        touched[patient_id] = touched.get(patient_id) or hospital_id
    for patient_id, hospital_id in touched.items():
        hospital_id = hospital_id or patients_repository.patient_hospital(patient_id)
        hospital = _hospital(hospital_id) if hospital_id else None
        if hospital is None:
            result.ignored += 1
            continue
        day = _refresh_visit(patient_id, hospital)
        if day is not None:
            result.visits += 1
            result.days.add((hospital.hospital_id, day))
    for hospital_id, day in sorted(result.days):
        _recompute_day(hospital_id, day)
    return result


def rollup_drain() -> RollupResult:
    """Apply every new record of the encounters stream, remembering each shard's position in
    the metrics table (the local stand-in for the rollup Lambda's event source)."""
    total = RollupResult()
    stream_arn = repository.encounters_stream()
    positions = repository.checkpoint()
    for shard in repository.shards(stream_arn):
        for records in repository.record_batches(stream_arn, shard, positions.get(shard)):
            total.add(rollup_apply(records))
            positions[shard] = records[-1]["dynamodb"]["SequenceNumber"]
            repository.save_checkpoint(positions)
    return total


def local_bounds(hospital: Hospital, start: date, end: date) -> tuple[str, str]:
    """UTC instants of local midnight before `start` and after `end`."""
    zone = ZoneInfo(hospital.timezone)
    first = datetime(start.year, start.month, start.day, tzinfo=zone)
    after = end + timedelta(days=1)
    last = datetime(after.year, after.month, after.day, tzinfo=zone)
    return clock.iso(first), clock.iso(last)


def rollup_rebuild(hospital: Hospital, start: date, end: date) -> RollupResult:
    """Rebuild a hospital's days from the encounters: every arrival in the local date range
    (the patients' by-hospital index), each visit from its timeline. A backfill, never a
    request path."""
    first, last = local_bounds(hospital, start, end)
    arrivals = patients_repository.arrivals_between(hospital.hospital_id, first, last)
    result = RollupResult(records=0)
    for arrival in arrivals:
        if _refresh_visit(arrival["patient_id"], hospital) is not None:
            result.visits += 1
    day = start
    while day <= end:
        if _recompute_day(hospital.hospital_id, day):
            result.days.add((hospital.hospital_id, day))
        day += timedelta(days=1)
    return result


# --- Audit --------------------------------------------------------------------------------------
def _actor(staff: SignedInStaff) -> Actor:
    return Actor.staff(staff.staff_id, staff.role.value)


def report_viewed(
    staff: SignedInStaff,
    hospital_id: str,
    start: date,
    end: date,
    context: RequestContext,
    *,
    exported: str | None = None,
) -> None:
    """Viewing the dashboard or exporting one of its tables: aggregates, no patient named."""
    detail = f"from={start} to={end}" + (f" table={exported}" if exported else "")
    audit_record(
        hospital_id=hospital_id,
        actor=_actor(staff),
        action=Action.REPORT_EXPORTED if exported else Action.REPORT_VIEWED,
        context=context,
        detail=detail,
    )


def callbacks_viewed(
    staff: SignedInStaff,
    hospital_id: str,
    start: date,
    end: date,
    patient_ids: list[str],
    context: RequestContext,
    *,
    exported: bool = False,
) -> None:
    """The call-back list shows names and phone numbers: which patients were shown, to whom."""
    audit_record(
        hospital_id=hospital_id,
        actor=_actor(staff),
        action=Action.CALLBACKS_EXPORTED if exported else Action.CALLBACKS_VIEWED,
        context=context,
        detail=f"from={start} to={end} patients=" + (",".join(patient_ids) or "none"),
    )
