"""Patients, their encounter events and the per-hospital queue state in DynamoDB: the only owner
of the stored patient item.

Key formats and derived attributes live here: `queue_hospital_id` (present while the patient is
in the department, which puts them in the sparse queue index), `queue_rank` (the index's sort
key: alerts, then acuity, then arrival), `queue_row` (the one map the index projects: what a
queue row shows), `vitals` (latest of each measure), `match_key` (earlier visits) and `version`
(every change is conditional on the version the writer saw). Every change to who is in the
department, or how they show, advances the hospital's queue-state item in the same transaction.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from accounts import repository as accounts_repository
from audit import repository as audit_repository
from audit.domain import AuditEntry
from patients.domain import (
    PATIENT_FIELDS,
    URGENT_LEVELS,
    DayFigures,
    EncounterEvent,
    EventType,
    Patient,
    QueueRow,
    QueueState,
    Status,
    VersionConflict,
    VitalsSet,
    counting_sets,
    counts_delta,
    has_allergy,
    interpreter_language,
    queue_rank,
)
from solace import clock, dynamodb
from solace.dynamodb import Expression, TransactionCancelled
from solace.tables import ENCOUNTERS, PATIENTS, QUEUE_STATE

QUEUE_INDEX = "queue-rank"
COMPLAINT_CHARS = 120  # a row shows the start of the complaint; the record has all of it
DAY_FIGURES_DAYS = 35  # a day's figures item expires after this many days

# A transaction that touches the hot queue-state item can be cancelled by a concurrent one
# (TransactionConflict): sent again after a short, growing, jittered pause.
CONFLICT_RETRIES = 5
CONFLICT_PAUSE_SECONDS = 0.03


# --- Key formats ------------------------------------------------------------------------------
def _state_key(hospital_id: str) -> dict[str, str]:
    return {"state_id": hospital_id}


def _day_key(hospital_id: str, day: str) -> dict[str, str]:
    return {"state_id": f"{hospital_id}#{day}"}


# --- Item mapping -----------------------------------------------------------------------------
def _stored_value(value: Any) -> Any:
    """A Patient field's value as stored (None, "" and empty collections are left out)."""
    if value in ("", (), [], {}):
        return None
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, VitalsSet):
        return asdict(value)
    if isinstance(value, tuple):
        return [_stored_value(v) for v in value]
    return value


def _queue_row(patient: Patient) -> dict[str, Any]:
    """Everything one queue row (and the waiting-room board) shows, as one map: the queue index
    projects only this, so a new column never needs a new index."""
    sets = counting_sets(patient.vitals_sets)
    row = {
        "created_at": patient.created_at,
        "check_in_code": patient.check_in_code,
        "name": patient.short_name,
        "age_days": patient.age_days,
        "sex": patient.sex,
        "chief_complaint": patient.chief_complaint[:COMPLAINT_CHARS],
        "status": patient.status,
        "room": patient.room,
        "nurse_id": patient.nurse_id,
        "nurse_name": patient.nurse_name,
        "physician_id": patient.physician_id,
        "physician_name": patient.physician_name,
        "suggested_level": patient.suggested_level,
        "confirmed_level": patient.confirmed_level,
        "confirmed_suggestion": patient.confirmed_suggestion,
        "flags": patient.flags,
        "worse": bool(patient.worse_reported_at) or None,
        "version": patient.version,
        "alert": patient.alert,
        "alert_at": patient.alert_at,
        "allergy": has_allergy(patient.allergies) or None,
        "language": interpreter_language(patient.preferred_language),
        "isolation": patient.isolation,
        "possible_duplicate_code": patient.possible_duplicate_code,
        "vitals": patient.vitals,
        "vitals_at": sets[-1].taken_at if sets else None,
        "called_to": patient.called_to,
        "called_to_es": patient.called_to_es,
        "called_at": patient.called_at,
        "call_count": patient.call_count or None,
        "missed_call_at": patient.missed_call_at,
        "left_reported_at": patient.left_reported_at,
    }
    stored = {name: _stored_value(value) for name, value in row.items()}
    return {name: value for name, value in stored.items() if value is not None}


def patient_to_item(patient: Patient) -> dict[str, Any]:
    """The stored item, with the attributes derived from the record: `queue_hospital_id`,
    `queue_rank` and `queue_row` while in the department (the sparse queue index), and `vitals`
    (the latest value of each measure)."""
    item = {name: _stored_value(getattr(patient, name)) for name in PATIENT_FIELDS}
    del item["in_queue"]
    in_queue = patient.in_queue and not patient.ended
    item["queue_hospital_id"] = patient.hospital_id if in_queue else None
    item["queue_rank"] = queue_rank(patient) if in_queue else None
    item["queue_row"] = _queue_row(patient) if in_queue else None
    item["vitals"] = patient.vitals or None
    return {name: value for name, value in item.items() if value is not None}


def patient_from_item(item: dict[str, Any]) -> Patient:
    values = {name: item[name] for name in PATIENT_FIELDS if name in item}
    values["status"] = Status(item["status"])
    values["in_queue"] = "queue_hospital_id" in item
    if "date_of_birth" in values:
        values["date_of_birth"] = date.fromisoformat(values["date_of_birth"])
    for name in ("symptoms", "flags", "findings"):
        if name in values:
            values[name] = tuple(values[name])
    values["vitals_sets"] = tuple(VitalsSet(**s) for s in item.get("vitals_sets") or ())
    return Patient(**values)


def patient_get_action(patient_id: str) -> tuple[Any, dict[str, str]]:
    """The table and key of a patient, for a BatchGetItem with other items."""
    return PATIENTS, {"patient_id": patient_id}


def patient_put_action(patient: Patient) -> dict[str, Any]:
    """A new patient, as one action of the transaction that registers them."""
    return dynamodb.put_action(
        PATIENTS, patient_to_item(patient), condition="attribute_not_exists(patient_id)"
    )


def event_to_item(event: EncounterEvent, hospital_id: str | None) -> dict[str, Any]:
    """The stored event. `hospital_id` routes the stream record to the hospital's rollups."""
    return {
        "patient_id": event.patient_id,
        "hospital_id": hospital_id,
        "event_id": event.event_id,
        "type": event.type.value,
        "time": event.time,
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "data": event.data or None,
    }


def event_from_item(item: dict[str, Any]) -> EncounterEvent:
    return EncounterEvent(
        patient_id=item["patient_id"],
        event_id=item["event_id"],
        type=EventType(item["type"]),
        time=item["time"],
        actor_id=item["actor_id"],
        actor_role=item.get("actor_role"),
        data=item.get("data") or {},
    )


def event_put_action(event: EncounterEvent, hospital_id: str) -> dict[str, Any]:
    return dynamodb.put_action(
        ENCOUNTERS, event_to_item(event, hospital_id), condition="attribute_not_exists(event_id)"
    )


def queue_row_from_item(item: dict[str, Any]) -> QueueRow:
    row = item.get("queue_row") or {}
    return QueueRow(
        patient_id=item["patient_id"],
        created_at=row.get("created_at") or item.get("created_at", ""),
        check_in_code=row.get("check_in_code", ""),
        name=row.get("name", ""),
        age_days=row.get("age_days"),
        sex=row.get("sex", "unknown"),
        chief_complaint=row.get("chief_complaint", ""),
        status=Status(row.get("status", Status.WAITING.value)),
        room=row.get("room"),
        nurse_id=row.get("nurse_id"),
        nurse_name=row.get("nurse_name"),
        physician_id=row.get("physician_id"),
        physician_name=row.get("physician_name"),
        suggested_level=row.get("suggested_level", 5),
        confirmed_level=row.get("confirmed_level"),
        confirmed_suggestion=row.get("confirmed_suggestion"),
        flags=tuple(row.get("flags") or ()),
        worse=bool(row.get("worse")),
        version=row.get("version", 1),
        alert=row.get("alert"),
        alert_at=row.get("alert_at"),
        allergy=bool(row.get("allergy")),
        language=row.get("language", ""),
        isolation=row.get("isolation", ""),
        possible_duplicate_code=row.get("possible_duplicate_code"),
        vitals=row.get("vitals") or {},
        vitals_at=row.get("vitals_at"),
        called_to=row.get("called_to", ""),
        called_to_es=row.get("called_to_es", ""),
        called_at=row.get("called_at"),
        call_count=int(row.get("call_count", 0)),
        missed_call_at=row.get("missed_call_at"),
        left_reported_at=row.get("left_reported_at"),
    )


# --- Queue state: version and counters, one item per hospital ---------------------------------
def _state_from_item(hospital_id: str, item: dict[str, Any] | None) -> QueueState:
    item = item or {}
    return QueueState(
        hospital_id=hospital_id,
        version=int(item.get("version", 0)),
        total=max(0, int(item.get("total", 0))),
        per_level={level: max(0, int(item.get(f"level_{level}", 0))) for level in range(1, 6)},
        in_room=max(0, int(item.get("in_room", 0))),
        unassigned=max(0, int(item.get("unassigned", 0))),
    )


def queue_state_action(hospital_id: str, delta: dict[str, int], now: str) -> dict[str, Any]:
    """Advance the hospital's queue version and move its counters, in a caller's transaction."""
    expression = Expression()
    update = expression.update({"updated_at": now}, add={"version": 1, **delta})
    return dynamodb.update_action(QUEUE_STATE, _state_key(hospital_id), expression, update)


def _day_action(hospital_id: str, day: str, counts: dict[int, int]) -> dict[str, Any]:
    """Count patients' door-to-triage minutes (minutes -> patients) on their arrival's local
    day."""
    expression = Expression()
    expires = clock.now_epoch() + DAY_FIGURES_DAYS * 86400
    added = {f"dtt_{minutes}": count for minutes, count in counts.items()}
    update = expression.update({"expires_at": expires}, add=added)
    return dynamodb.update_action(QUEUE_STATE, _day_key(hospital_id, day), expression, update)


def queue_state_get(hospital_id: str) -> QueueState:
    item = dynamodb.get_item(QUEUE_STATE, _state_key(hospital_id), consistent=True)
    return _state_from_item(hospital_id, item)


def queue_state_with_session(
    hospital_id: str, session_key: str
) -> tuple[QueueState, dict[str, Any] | None]:
    """The queue state and the staff session in ONE BatchGetItem: an unchanged poll's only
    request. The session comes back as accounts.repository.session_get would return it."""
    session_table, session_key_item = accounts_repository.session_lookup(session_key)
    found = dynamodb.batch_get(
        {QUEUE_STATE: [_state_key(hospital_id)], session_table: [session_key_item]},
        consistent=True,
    )
    state = found[QUEUE_STATE.name][0] if found[QUEUE_STATE.name] else None
    session = accounts_repository.session_live(found[session_table.name])
    return _state_from_item(hospital_id, state), session


def queue_state_with_device(
    hospital_id: str, device_id: str
) -> tuple[QueueState, dict[str, Any] | None]:
    """The queue state and a waiting-room display's device item in ONE BatchGetItem."""
    device_table, device_key = accounts_repository.device_lookup(device_id)
    found = dynamodb.batch_get(
        {QUEUE_STATE: [_state_key(hospital_id)], device_table: [device_key]}, consistent=True
    )
    state = found[QUEUE_STATE.name][0] if found[QUEUE_STATE.name] else None
    device = found[device_table.name][0] if found[device_table.name] else None
    return _state_from_item(hospital_id, state), device


def day_figures_get(hospital_id: str, day: str) -> DayFigures:
    item = dynamodb.get_item(QUEUE_STATE, _day_key(hospital_id, day)) or {}
    histogram = {
        int(name.removeprefix("dtt_")): int(count)
        for name, count in item.items()
        if name.startswith("dtt_")
    }
    return DayFigures(day=day, door_to_triage=histogram)


def queue_state_rebuild(
    hospital_id: str, patients: list[Patient], expected_version: int
) -> QueueState | None:
    """Set the counters to what the given patients (everyone in the department) add up to,
    advancing the version (backfill and repair; never on a request path). Only if the queue
    is still at `expected_version` (read before the patients were): None when something
    changed meanwhile (read again and retry)."""
    totals: dict[str, int] = {
        "total": 0,
        "in_room": 0,
        "unassigned": 0,
        **{f"level_{n}": 0 for n in range(1, 6)},
    }
    for patient in patients:
        for name, count in counts_delta(None, patient).items():
            totals[name] += count
    expression = Expression(expected=expected_version)
    update = expression.update({**totals, "updated_at": clock.utc_now_iso()}, add={"version": 1})
    try:
        item = dynamodb.update_item(
            QUEUE_STATE,
            _state_key(hospital_id),
            expression,
            update,
            condition="attribute_not_exists(version) OR version = :expected",
            return_new=True,
        )
    except dynamodb.ConditionFailed:
        return None
    return _state_from_item(hospital_id, item)


# --- Reads ------------------------------------------------------------------------------------
def patient_get(patient_id: str, *, consistent: bool = False) -> Patient | None:
    item = dynamodb.get_item(PATIENTS, {"patient_id": patient_id}, consistent=consistent)
    return patient_from_item(item) if item else None


def patients_get_many(patient_ids: list[str], *, consistent: bool = False) -> list[Patient]:
    """Several patients by id in as few BatchGetItem requests as the 100-key limit allows."""
    if not patient_ids:
        return []
    keys = [{"patient_id": pid} for pid in sorted(set(patient_ids))]
    items = dynamodb.batch_get({PATIENTS: keys}, consistent=consistent)[PATIENTS.name]
    return [patient_from_item(i) for i in items]


def arrivals_with_records_since(hospital_id: str, since_iso: str, limit: int) -> list[Patient]:
    """A hospital's arrivals since a moment, newest first, as records (the check-in review:
    a bounded window, never the history)."""
    response = dynamodb.call(
        "query",
        TableName=dynamodb.table_name(PATIENTS),
        IndexName="by-hospital",
        KeyConditionExpression="hospital_id = :hid AND created_at >= :since",
        ScanIndexForward=False,
        Limit=limit,
        **Expression(hid=hospital_id, since=since_iso).params(),
    )
    return [patient_from_item(dynamodb.deserialize(i)) for i in response.get("Items", [])]


def patients_of_hospital(hospital_id: str, limit: int = 100) -> list[Patient]:
    """Arrivals of a hospital, newest first (history and rollup rebuilds; not the live queue)."""
    items = dynamodb.query_key(
        PATIENTS, "hospital_id", hospital_id, index="by-hospital", limit=limit, newest_first=True
    )
    return [patient_from_item(i) for i in items]


def patients_in_department(hospital_id: str) -> list[Patient]:
    """Everyone in the department, whole records (backfill and repair; not a request path).
    The by-hospital index (ALL) with a filter: it reads the hospital's history too."""
    expression = Expression(hid=hospital_id)
    items, _ = dynamodb.query_all(
        TableName=dynamodb.table_name(PATIENTS),
        IndexName="by-hospital",
        KeyConditionExpression="hospital_id = :hid",
        FilterExpression="attribute_exists(queue_hospital_id)",
        **expression.params(),
    )
    return [patient_from_item(i) for i in items]


def events_of_patient(patient_id: str, *, consistent: bool = False) -> list[EncounterEvent]:
    items, _ = dynamodb.query_all(
        TableName=dynamodb.table_name(ENCOUNTERS),
        KeyConditionExpression="patient_id = :pid",
        ConsistentRead=consistent,
        **Expression(pid=patient_id).params(),
    )
    return [event_from_item(i) for i in items]


def arrivals_between(hospital_id: str, start_iso: str, end_iso: str) -> list[dict[str, Any]]:
    """Ids and arrival times of a hospital's arrivals in [start, end) (rollup rebuilds only:
    a backfill, never a request path)."""
    items, _ = dynamodb.query_all(
        TableName=dynamodb.table_name(PATIENTS),
        IndexName="by-hospital",
        KeyConditionExpression="hospital_id = :hid AND created_at BETWEEN :start AND :end",
        ProjectionExpression="patient_id, created_at",
        **Expression(hid=hospital_id, start=start_iso, end=end_iso).params(),
    )
    return [i for i in items if i["created_at"] < end_iso]


def patient_hospital(patient_id: str) -> str | None:
    """The hospital of a patient (events written before events carried it)."""
    item = dynamodb.get_item(PATIENTS, {"patient_id": patient_id})
    return item["hospital_id"] if item else None


@dataclass(frozen=True)
class QueuePage:
    items: list[dict[str, Any]]
    next_key: dict[str, Any] | None  # where the next page starts (None: this is the last)
    scanned: int  # index entries read (ScannedCount)
    requests: int


def _urgent(item: dict[str, Any]) -> bool:
    """Pinned alerts and levels 1 and 2: page one always holds every one of them."""
    return item["queue_rank"][0] in ("0", *(str(level) for level in URGENT_LEVELS))


def _index_key(item: dict[str, Any]) -> dict[str, Any]:
    return {name: item[name] for name in ("patient_id", "queue_hospital_id", "queue_rank")}


# Filters apply on the server across the whole queue (alerts always pass: they stay pinned).
QUEUE_FILTERS = {
    "all": None,
    "waiting_room": "attribute_not_exists(queue_row.room)",
    "in_room": "attribute_exists(queue_row.room)",
    "mine": "(queue_row.nurse_id = :me OR queue_row.physician_id = :me)",
    "unassigned": (
        "(attribute_not_exists(queue_row.nurse_id) OR attribute_not_exists(queue_row.physician_id))"
    ),
}


def queue_page(
    hospital_id: str,
    *,
    page_size: int,
    queue_filter: str = "all",
    staff_id: str = "",
    start_key: dict[str, Any] | None = None,
) -> QueuePage:
    """One page of the live queue from the queue-rank index: alerts, then acuity, then arrival.

    The first page holds every pinned alert and every level-1 and level-2 patient, however
    many, then fills up to `page_size` by acuity and wait; later pages hold `page_size` each.
    Only index entries up to the end of the page are read (plus, with a filter, the ones the
    filter skips), so the cost does not grow with the rest of the queue."""
    expression = Expression(hid=hospital_id)
    kwargs: dict[str, Any] = {
        "TableName": dynamodb.table_name(PATIENTS),
        "IndexName": QUEUE_INDEX,
        "KeyConditionExpression": "queue_hospital_id = :hid",
    }
    condition = QUEUE_FILTERS[queue_filter]
    if condition:
        expression.values[":pinned"] = "0#"
        if ":me" in condition:
            expression.values[":me"] = staff_id
        kwargs["FilterExpression"] = f"begins_with(queue_rank, :pinned) OR {condition}"
    kwargs.update(expression.params())
    first_page = start_key is None
    items: list[dict[str, Any]] = []
    scanned = requests = 0
    last_key = start_key
    while True:
        if last_key:
            kwargs["ExclusiveStartKey"] = dynamodb.serialize(last_key)
        # One more than a page tells whether another follows; a filter skips entries, so read
        # further per request then (each entry is a small map: well under 1 MB).
        kwargs["Limit"] = page_size + 1 if not condition else 4 * page_size
        response = dynamodb.call("query", **kwargs)
        requests += 1
        scanned += response.get("ScannedCount", 0)
        items += [dynamodb.deserialize(i) for i in response.get("Items", [])]
        raw_last = response.get("LastEvaluatedKey")
        last_key = dynamodb.deserialize(raw_last) if raw_last else None
        urgent = sum(1 for i in items if _urgent(i)) if first_page else 0
        wanted = max(page_size, urgent)
        past_urgent = not first_page or any(not _urgent(i) for i in items)
        if last_key is None or (len(items) > wanted and past_urgent):
            break
    keep = max(page_size, sum(1 for i in items if _urgent(i)) if first_page else 0)
    page, rest = items[:keep], items[keep:]
    more = bool(rest) or last_key is not None
    next_key = _index_key(page[-1]) if page and more else None
    return QueuePage(items=page, next_key=next_key, scanned=scanned, requests=requests)


def oldest_at_level(hospital_id: str, level: int) -> str | None:
    """Arrival of the longest-waiting patient at a level (alerts aside): one index entry."""
    expression = Expression(hid=hospital_id, prefix=f"{level}#")
    response = dynamodb.call(
        "query",
        TableName=dynamodb.table_name(PATIENTS),
        IndexName=QUEUE_INDEX,
        KeyConditionExpression="queue_hospital_id = :hid AND begins_with(queue_rank, :prefix)",
        Limit=1,
        **expression.params(),
    )
    items = response.get("Items") or []
    return dynamodb.deserialize(items[0])["queue_rank"].split("#", 1)[1] if items else None


BOARD_FIELDS = (
    "created_at",
    "check_in_code",
    "status",
    "room",
    "called_to",
    "called_to_es",
    "called_at",
)


def board_items(hospital_id: str) -> list[dict[str, Any]]:
    """Everyone in the department as the waiting-room board needs them: the check-in code,
    status, room and call (no name, no acuity), read from the queue index."""
    expression = Expression(hid=hospital_id)
    row = expression.name("queue_row")
    names = [expression.name("patient_id"), expression.name("queue_rank")]
    names += [f"{row}.{expression.name(field)}" for field in BOARD_FIELDS]
    items, _ = dynamodb.query_all(
        TableName=dynamodb.table_name(PATIENTS),
        IndexName=QUEUE_INDEX,
        KeyConditionExpression="queue_hospital_id = :hid",
        ProjectionExpression=", ".join(names),
        **expression.params(),
    )
    return items


def visits_with_match_key(match_key: str, limit: int = 50) -> list[dict[str, Any]]:
    """Visits of possibly the same person (the match-key index projects a summary)."""
    return dynamodb.query_key(
        PATIENTS, "match_key", match_key, index="by-match-key", limit=limit, newest_first=True
    )


# --- History (demo data and benchmarks only) ---------------------------------------------------
def put_history(patients: list[Patient], events: list[EncounterEvent]) -> None:
    """Write finished visits and their timelines as they are, 25 items a request (BatchWriteItem:
    no conditions, no audit). For seeding demo and benchmark history, never for live visits."""
    hospital_of = {p.patient_id: p.hospital_id for p in patients}
    requests = [(PATIENTS, patient_to_item(p)) for p in patients] + [
        (ENCOUNTERS, event_to_item(e, hospital_of.get(e.patient_id))) for e in events
    ]
    for start in range(0, len(requests), 25):
        batch: dict[str, list] = {}
        for table, item in requests[start : start + 25]:
            entry = {"PutRequest": {"Item": dynamodb.serialize(item)}}
            batch.setdefault(dynamodb.table_name(table), []).append(entry)
        for _ in range(10):
            batch = dynamodb.call("batch_write_item", RequestItems=batch).get("UnprocessedItems")
            if not batch:
                break
        else:
            raise dynamodb.DataStoreError("BatchWriteItem left items unprocessed")


def patient_report_action(
    patient_id: str,
    set_values: dict[str, Any],
    *,
    row: dict[str, Any],
    alert_at: str | None = None,
    condition: str = "",
) -> dict[str, Any]:
    """What a patient reports from their status page, as one action of the caller's transaction
    (which also advances the hospital's queue state): `set_values` on the record, `row` on its
    queue row, a new version on both, and with an alert the pinned rank (as
    patients.domain.queue_rank ranks one). No read first; only while in the department."""
    expression = Expression(one=1)
    row_name = expression.name("queue_row")
    version = expression.name("version")
    values = dict(set_values)
    if alert_at:
        values["queue_rank"] = f"0#{alert_at}"
    update = (
        expression.update(values)
        + f", {version} = {version} + :one"
        + f", {row_name}.{version} = {version} + :one"
        + "".join(
            f", {row_name}.{expression.name(name)} = {expression.value(value)}"
            for name, value in row.items()
        )
    )
    return dynamodb.update_action(
        PATIENTS,
        {"patient_id": patient_id},
        expression,
        update,
        condition="attribute_exists(queue_hospital_id) AND attribute_exists(queue_row)" + condition,
    )


# --- Versioned change -------------------------------------------------------------------------
# Lists that only ever grow: a change appends to them and never rewrites what is stored.
APPEND_ONLY = ("vitals_sets",)
# Derived from the whole record: written with every change while in the department, so an item
# an older release wrote is made whole by the next change.
ALWAYS_WRITTEN = ("queue_rank", "queue_row")


@dataclass(frozen=True)
class PatientChange:
    before: Patient
    after: Patient
    event: EncounterEvent
    audit_entry: AuditEntry


def _update_action(change: PatientChange) -> dict[str, Any]:
    before = change.before
    after = replace(change.after, version=before.version + 1)  # the row shows the new version
    old, new = patient_to_item(before), patient_to_item(after)
    expression = Expression(expected=before.version)
    set_values = {
        name: value
        for name, value in new.items()
        if (old.get(name) != value or name in ALWAYS_WRITTEN)
        and name not in APPEND_ONLY
        and name != "version"
    }
    set_values["version"] = before.version + 1
    removed = [name for name in old if name not in new]
    appended = {}
    for name in APPEND_ONLY:
        kept, grown = old.get(name) or [], new.get(name) or []
        if grown[: len(kept)] != kept:
            raise ValueError(f"{name} is append-only: stored entries cannot change")
        if len(grown) > len(kept):
            appended[name] = grown[len(kept) :]
    update = expression.update(set_values, remove=removed, append=appended)
    return dynamodb.update_action(
        PATIENTS,
        {"patient_id": before.patient_id},
        expression,
        update,
        condition="version = :expected",
        return_old=True,
    )


def _door_to_triage(change: PatientChange) -> tuple[str, int] | None:
    """(local day of arrival, minutes) when this change records the first triage."""
    before, after = change.before, change.after
    if before.triaged_at or not after.triaged_at:
        return None
    waited = clock.parse_iso(after.triaged_at) - clock.parse_iso(after.created_at)
    minutes = min(24 * 60, max(0, int(waited.total_seconds() // 60)))
    return after.arrival_day or after.created_at[:10], minutes


def transact_with_retries(actions: list[tuple[str, dict[str, Any]]]) -> None:
    """One transaction, sent again while it is cancelled by conflicts alone (concurrent
    transactions on the same queue-state item); any other cancellation is raised at once."""
    for attempt in range(CONFLICT_RETRIES + 1):
        try:
            dynamodb.transact_write(actions)
            return
        except TransactionCancelled as exc:
            if not exc.only_conflicts or attempt == CONFLICT_RETRIES:
                raise
        jitter = 0.5 + secrets.randbelow(100) / 100
        time.sleep(CONFLICT_PAUSE_SECONDS * (attempt + 1) * jitter)


def patients_update(changes: list[PatientChange]) -> None:
    """Store each `after` over its `before` + encounter event + audit entry, and advance the
    hospital's queue state, in ONE transaction, only if every patient is still at the version
    the writer saw. VersionConflict (naming the patient as it is now) otherwise. Only what
    changed is written; vitals sets are appended, never rewritten."""
    hospital_id = changes[0].before.hospital_id
    now = changes[0].event.time
    actions: list[tuple[str, dict[str, Any]]] = []
    delta: dict[str, int] = {}
    triaged: dict[tuple[str, int], int] = {}  # (day, minutes) -> patients: one action per item
    for n, change in enumerate(changes):
        if change.before.hospital_id != hospital_id:
            raise ValueError("one transaction changes patients of one hospital")
        suffix = str(n) if n else ""
        actions += [
            (f"patient{suffix}", _update_action(change)),
            (f"event{suffix}", event_put_action(change.event, hospital_id)),
            (f"audit{suffix}", audit_repository.put_action(change.audit_entry)),
        ]
        for name, count in counts_delta(change.before, change.after).items():
            delta[name] = delta.get(name, 0) + count
        triage = _door_to_triage(change)
        if triage:
            triaged[triage] = triaged.get(triage, 0) + 1
    days = sorted({day for day, _ in triaged})
    for n, day in enumerate(days):
        counts = {minutes: k for (d, minutes), k in triaged.items() if d == day}
        actions.append((f"day{n}", _day_action(hospital_id, day, counts)))
    actions.append(("queue", queue_state_action(hospital_id, delta, now)))
    try:
        transact_with_retries(actions)
    except TransactionCancelled as exc:
        for n in range(len(changes)):
            name = f"patient{n}" if n else "patient"
            if exc.failed(name):
                current = exc.item(name)
                raise VersionConflict(patient_from_item(current) if current else None) from exc
        raise


def patient_update(
    *, before: Patient, after: Patient, event: EncounterEvent, audit_entry: AuditEntry
) -> None:
    """One patient's change (see patients_update)."""
    patients_update([PatientChange(before, after, event, audit_entry)])


def patient_rewrite_derived(patient: Patient) -> bool:
    """Rewrite the derived attributes of a stored patient (backfill), only if the record is
    still at this version; the version does not move (nothing about the visit changed).
    False when the patient changed meanwhile (read it again and retry)."""
    item = patient_to_item(patient)
    derived = {name: item.get(name) for name in (*ALWAYS_WRITTEN, "queue_hospital_id", "vitals")}
    expression = Expression(expected=patient.version)
    update = expression.update(
        {name: value for name, value in derived.items() if value is not None},
        remove=[name for name, value in derived.items() if value is None],
    )
    try:
        dynamodb.update_item(
            PATIENTS,
            {"patient_id": patient.patient_id},
            expression,
            update,
            condition="version = :expected",
        )
    except dynamodb.ConditionFailed:
        return False
    return True


def patient_summaries(patient_ids: set[str] | frozenset[str]) -> dict[str, dict[str, Any]]:
    """Check-in code, name and hospital of each patient, by id (the admin's audit trail names
    the patients it shows); unknown ids are left out."""
    keys = [{"patient_id": p} for p in sorted(patient_ids) if len(p) <= 64]
    if not keys:
        return {}
    items = dynamodb.batch_get({PATIENTS: keys})[PATIENTS.name]
    fields = ("hospital_id", "check_in_code", "given_name", "family_name")
    return {i["patient_id"]: {k: i.get(k) for k in fields} for i in items}
