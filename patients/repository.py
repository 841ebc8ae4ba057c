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
BOARD_ATTRIBUTES = ("patient_id", "created_at", "check_in_code", "status", "version")


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


def patient_put_action(patient: Patient) -> dict[str, Any]:
    """A new patient, as one action of the transaction that registers them."""
    return dynamodb.put_action(
        PATIENTS, patient_to_item(patient), condition="attribute_not_exists(patient_id)"
    )


def event_to_item(event: EncounterEvent) -> dict[str, Any]:
    return {
        "patient_id": event.patient_id,
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


def event_put_action(event: EncounterEvent) -> dict[str, Any]:
    return dynamodb.put_action(
        ENCOUNTERS, event_to_item(event), condition="attribute_not_exists(event_id)"
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
    )


# --- Reads ------------------------------------------------------------------------------------
def patient_get(patient_id: str, *, consistent: bool = False) -> Patient | None:
    item = dynamodb.get_item(PATIENTS, {"patient_id": patient_id}, consistent=consistent)
    return patient_from_item(item) if item else None


def patients_of_hospital(hospital_id: str, limit: int = 100) -> list[Patient]:
    """Arrivals of a hospital, newest first (history and rollup rebuilds; not the live queue)."""
    items = dynamodb.query_key(
        PATIENTS, "hospital_id", hospital_id, index="by-hospital", limit=limit, newest_first=True
    )
    return [patient_from_item(i) for i in items]


def events_of_patient(patient_id: str) -> list[EncounterEvent]:
    items, _ = dynamodb.query_all(
        TableName=dynamodb.table_name(ENCOUNTERS),
        KeyConditionExpression="patient_id = :pid",
        **Expression(pid=patient_id).params(),
    )
    return [event_from_item(i) for i in items]


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
        ("event", event_put_action(event)),
        ("audit", audit_repository.put_action(audit_entry)),
    ]
    try:
        dynamodb.transact_write(actions)
    except TransactionCancelled as exc:
        if exc.failed("patient"):
            current = exc.item("patient")
            raise VersionConflict(patient_from_item(current) if current else None) from exc
        raise
