"""Patients and their encounter events in DynamoDB: the only owner of the stored patient item.

Key formats and derived attributes live here: `queue_hospital_id` (present while the patient is
in the department, which puts them in the sparse queue index), `match_key` (earlier visits) and
`version` (every change is conditional on the version the writer saw).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from enum import StrEnum
from typing import Any

from audit import repository as audit_repository
from audit.domain import AuditEntry
from patients.domain import (
    PATIENT_FIELDS,
    EncounterEvent,
    EventType,
    Patient,
    QueueRow,
    Status,
    VersionConflict,
    VitalsSet,
)
from solace import dynamodb
from solace.dynamodb import Expression, TransactionCancelled
from solace.tables import ENCOUNTERS, PATIENTS, QUEUE_ROW_ATTRIBUTES

QUEUE_INDEX = "queue"
BOARD_ATTRIBUTES = (
    "patient_id",
    "created_at",
    "check_in_code",
    "status",
    "version",
    "called_to",
    "called_to_es",
    "called_at",
)


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


def patient_to_item(patient: Patient) -> dict[str, Any]:
    """The stored item, with the attributes derived from the record: `queue_hospital_id`
    (sparse queue index) and `vitals` (the latest value of each measure, for queue rows)."""
    item = {name: _stored_value(getattr(patient, name)) for name in PATIENT_FIELDS}
    del item["in_queue"]
    item["queue_hospital_id"] = patient.hospital_id if patient.in_queue else None
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


def event_to_item(event: EncounterEvent, hospital_id: str | None = None) -> dict[str, Any]:
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


def event_put_action(event: EncounterEvent, hospital_id: str | None = None) -> dict[str, Any]:
    return dynamodb.put_action(
        ENCOUNTERS, event_to_item(event, hospital_id), condition="attribute_not_exists(event_id)"
    )


def queue_row_from_item(item: dict[str, Any]) -> QueueRow:
    return QueueRow(
        patient_id=item["patient_id"],
        created_at=item["created_at"],
        check_in_code=item.get("check_in_code", ""),
        age_days=item.get("age_days"),
        sex=item.get("sex", "unknown"),
        chief_complaint=item.get("chief_complaint", ""),
        status=Status(item.get("status", Status.WAITING.value)),
        room=item.get("room"),
        nurse_name=item.get("nurse_name"),
        physician_name=item.get("physician_name"),
        suggested_level=item.get("suggested_level", 5),
        confirmed_level=item.get("confirmed_level"),
        confirmed_suggestion=item.get("confirmed_suggestion"),
        flags=tuple(item.get("flags") or ()),
        worse=bool(item.get("worse_reported_at")),
        version=item.get("version", 1),
        alert=item.get("alert"),
        alert_at=item.get("alert_at"),
        called_to=item.get("called_to", ""),
        called_to_es=item.get("called_to_es", ""),
        called_at=item.get("called_at"),
        call_count=item.get("call_count", 0),
        missed_call_at=item.get("missed_call_at"),
        left_reported_at=item.get("left_reported_at"),
    )


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


def queue_items(hospital_id: str, attributes: tuple[str, ...] | None = None):
    """Everyone in the department: one Query on the sparse queue index (paged only past 1 MB).

    Returns (items, scanned_count). Discharged patients have no queue_hospital_id, so they are
    not in the index at all: the read never touches history.
    """
    expression = Expression(hid=hospital_id)
    names = ("patient_id", "created_at", *(attributes or QUEUE_ROW_ATTRIBUTES))
    return dynamodb.query_all(
        TableName=dynamodb.table_name(PATIENTS),
        IndexName=QUEUE_INDEX,
        KeyConditionExpression="queue_hospital_id = :hid",
        ProjectionExpression=", ".join(expression.name(n) for n in names),
        **expression.params(),
    )


def arrivals_since(hospital_id: str, since_iso: str) -> list[dict[str, Any]]:
    """Arrival and triage times of the arrivals since a moment (door-to-triage median)."""
    items, _ = dynamodb.query_all(
        TableName=dynamodb.table_name(PATIENTS),
        IndexName="by-hospital",
        KeyConditionExpression="hospital_id = :hid AND created_at >= :since",
        ProjectionExpression="created_at, triaged_at",
        **Expression(hid=hospital_id, since=since_iso).params(),
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


# --- Versioned change -------------------------------------------------------------------------
# Lists that only ever grow: a change appends to them and never rewrites what is stored.
APPEND_ONLY = ("vitals_sets",)


def patient_update(
    *, before: Patient, after: Patient, event: EncounterEvent, audit_entry: AuditEntry
) -> None:
    """Store `after` over `before` + encounter event + audit entry in one transaction, only if
    the patient is still at the version the writer saw (`before.version`). VersionConflict
    otherwise. Only what changed is written; vitals sets are appended, never rewritten."""
    old, new = patient_to_item(before), patient_to_item(after)
    expression = Expression(expected=before.version)
    set_values = {
        name: value
        for name, value in new.items()
        if old.get(name) != value and name not in APPEND_ONLY and name != "version"
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
    actions = [
        (
            "patient",
            dynamodb.update_action(
                PATIENTS,
                {"patient_id": before.patient_id},
                expression,
                update,
                condition="version = :expected",
                return_old=True,
            ),
        ),
        ("event", event_put_action(event, before.hospital_id)),
        ("audit", audit_repository.put_action(audit_entry)),
    ]
    try:
        dynamodb.transact_write(actions)
    except TransactionCancelled as exc:
        if exc.failed("patient"):
            current = exc.item("patient")
            raise VersionConflict(patient_from_item(current) if current else None) from exc
        raise


def patient_summaries(patient_ids: set[str] | frozenset[str]) -> dict[str, dict[str, Any]]:
    """Check-in code, name and hospital of each patient, by id (the admin's audit trail names
    the patients it shows); unknown ids are left out."""
    keys = [{"patient_id": p} for p in sorted(patient_ids) if len(p) <= 64]
    if not keys:
        return {}
    items = dynamodb.batch_get({PATIENTS: keys})[PATIENTS.name]
    fields = ("hospital_id", "check_in_code", "given_name", "family_name")
    return {i["patient_id"]: {k: i.get(k) for k in fields} for i in items}
