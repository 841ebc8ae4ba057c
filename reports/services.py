"""Reports writes: the rollup (fed by the encounters stream, rebuilt from the encounters for
backfills) and the audit entries of viewing and exporting reports.

The rollup keeps, per visit, the facts of its events (type, time and the few data the measures
read), added from the stream's new images with SET: a replayed record sets the same value again,
and records commute. After each batch, every visit it touched is derived anew from all its
facts and put into its day, unless a row derived from more events is already there. Replayed,
duplicated, reordered or re-batched records therefore all end in the same rollup, and so does a
rebuild from the encounters. The consumer reads nothing but the hospital (cached).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from accounts.domain import Hospital, SignedInStaff
from accounts.selectors import hospital_cached
from accounts.services import actor_of
from audit import repository as audit_repository
from audit.domain import Action
from audit.services import audit_entry, audit_record
from patients import repository as patients_repository
from patients.domain import EventType
from reports import repository
from reports.domain import (
    UNMEASURED_EVENTS,
    Visit,
    derive_visit,
    event_facts,
    events_from_facts,
)
from solace import clock, dynamodb
from solace.context import RequestContext

logger = logging.getLogger("solace.rollup")


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


def _event(record: dict[str, Any]):
    """(hospital id or None, event) of a stream record worth a look; None for the rest."""
    if record.get("eventName") not in ("INSERT", "MODIFY"):
        return None
    image = dynamodb.deserialize(record.get("dynamodb", {}).get("NewImage")) or {}
    if "patient_id" not in image or image.get("type") not in {t.value for t in EventType}:
        return None
    event = patients_repository.event_from_item(image)
    if event.type in UNMEASURED_EVENTS:
        return None
    return image.get("hospital_id"), event


def _derive(patient_id: str, hospital: Hospital, facts: dict[str, dict]) -> Visit | None:
    """Add facts to the visit and derive it from everything known about it."""
    known = repository.facts_add(patient_id, hospital.hospital_id, facts)
    events = events_from_facts(patient_id, known)
    return derive_visit(patient_id, events, ZoneInfo(hospital.timezone))


def _file(visits: list[tuple[str, Visit]], result: RollupResult) -> None:
    """Put the derived visits into their days: one update per day (per 25 visits)."""
    by_day: dict[tuple[str, date], list[Visit]] = defaultdict(list)
    for hospital_id, visit in visits:
        by_day[(hospital_id, visit.day)].append(visit)
    for (hospital_id, day), day_visits in sorted(by_day.items()):
        repository.visits_put(hospital_id, day, day_visits)
        result.visits += len(day_visits)
        result.days.add((hospital_id, day))


def rollup_apply(records: list[dict[str, Any]]) -> RollupResult:
    """One batch of encounters stream records: one write of facts per visit touched, then one
    conditional write per day touched."""
    result = RollupResult(records=len(records))
    facts: dict[str, dict[str, dict]] = defaultdict(dict)
    hospitals: dict[str, str | None] = {}
    for record in records:
        found = _event(record)
        if found is None:
            result.ignored += 1
            continue
        hospital_id, event = found
        facts[event.patient_id][event.event_id] = event_facts(event)
        hospitals[event.patient_id] = hospitals.get(event.patient_id) or hospital_id
    derived = []
    for patient_id, visit_facts in facts.items():
        hospital_id = hospitals[patient_id] or patients_repository.patient_hospital(patient_id)
        hospital = hospital_cached(hospital_id) if hospital_id else None
        if hospital is None:
            result.ignored += len(visit_facts)
            continue
        visit = _derive(patient_id, hospital, visit_facts)
        if visit is not None:
            derived.append((hospital.hospital_id, visit))
    _file(derived, result)
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
    (the patients' by-hospital index), each visit from its whole timeline (a Query per
    patient). A backfill, never a request path."""
    first, last = local_bounds(hospital, start, end)
    result = RollupResult()
    derived = []
    for arrival in patients_repository.arrivals_between(hospital.hospital_id, first, last):
        patient_id = arrival["patient_id"]
        events = patients_repository.events_of_patient(patient_id, consistent=True)
        facts = {e.event_id: event_facts(e) for e in events if e.type not in UNMEASURED_EVENTS}
        result.records += len(events)
        visit = _derive(patient_id, hospital, facts)
        if visit is not None:
            derived.append((hospital.hospital_id, visit))
    _file(derived, result)
    return result


# --- Audit --------------------------------------------------------------------------------------


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
        actor=actor_of(staff, hospital_id),
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
    """The call-back list shows names and phone numbers: one entry per patient shown, so each
    appears in that patient's access report (one entry saying so when the list is empty)."""
    action = Action.CALLBACKS_EXPORTED if exported else Action.CALLBACKS_VIEWED
    actor = actor_of(staff, hospital_id)
    detail = f"from={start} to={end}"
    audit_repository.put_many(
        [
            audit_entry(
                hospital_id=hospital_id,
                actor=actor,
                action=action,
                context=context,
                patient_id=patient_id,
                detail=detail,
            )
            for patient_id in patient_ids
        ]
        or [
            audit_entry(
                hospital_id=hospital_id,
                actor=actor,
                action=action,
                context=context,
                detail=f"{detail} patients=none",
            )
        ]
    )
