"""Intake sessions, idempotency records, patients and encounter events in DynamoDB.

Key formats of the intake-nonces, idempotency, patients and encounters tables live here.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from audit import repository as audit_repository
from audit.domain import AuditEntry
from intake.domain import (
    IDEMPOTENCY_SECONDS,
    EncounterEvent,
    IntakeSession,
    IntakeSessionEnded,
    WorseReportedRecently,
)
from solace import dynamodb
from solace.dynamodb import TransactionCancelled, serialize, table_name, values
from solace.tables import ENCOUNTERS, IDEMPOTENCY, INTAKE_NONCES, PATIENTS

# --- Key formats ------------------------------------------------------------------------------
IDEMPOTENCY_KEY = "{hospital_id}#{key}"  # idempotency keys are scoped per hospital
EVENT_ID = "{time}#{suffix}"  # encounter sort key: time-ordered, unique


def scoped_idempotency_key(hospital_id: str, key: str) -> str:
    return IDEMPOTENCY_KEY.format(hospital_id=hospital_id, key=key)


# --- Intake sessions --------------------------------------------------------------------------
def _session_from_item(item: dict[str, Any]) -> IntakeSession:
    return IntakeSession(
        nonce=item["nonce"],
        hospital_id=item["hospital_id"],
        idempotency_key=item["idempotency_key"],
        expires_at=item["expires_at"],
        patient_id=item.get("patient_id"),
        check_in_code=item.get("check_in_code"),
        given_name=item.get("given_name"),
        worse_reported_at=item.get("worse_reported_at"),
    )


def intake_session_insert(session: IntakeSession) -> None:
    dynamodb.call(
        "put_item",
        TableName=table_name(INTAKE_NONCES),
        Item=serialize(asdict(session)),
        ConditionExpression="attribute_not_exists(nonce)",
    )


def intake_session_get(nonce: str) -> IntakeSession | None:
    """The live session, or None when absent or expired (TTL deletes only eventually)."""
    item = dynamodb.get_item(INTAKE_NONCES, {"nonce": nonce}, consistent=True)
    if item is None or item["expires_at"] <= dynamodb.now_epoch():
        return None
    return _session_from_item(item)


# --- Encounter events -------------------------------------------------------------------------
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


def event_put_action(event: EncounterEvent) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": table_name(ENCOUNTERS),
            "Item": serialize(event_to_item(event)),
            "ConditionExpression": "attribute_not_exists(event_id)",
        }
    }


# --- Registration: one transaction ------------------------------------------------------------
class StoredRegistration(Exception):
    """The idempotency key is already taken; `record` is what was stored with it."""

    def __init__(self, record: dict[str, Any]):
        super().__init__("idempotency key already used")
        self.record = record


def register(
    *,
    nonce: str,
    hospital_id: str,
    idempotency_key: str,
    payload_hash: str,
    location: str,
    patient_item: dict[str, Any],
    events: list[EncounterEvent],
    audit_entry: AuditEntry,
) -> None:
    """Commit a registration in ONE TransactWriteItems, or raise without writing anything.

    StoredRegistration: the key was used before (its record comes back in the cancellation
    reasons: no extra read). IntakeSessionEnded: the intake session is gone or used.
    TransactionCancelled: a concurrent transaction conflicted; the caller retries.
    """
    now = dynamodb.now_epoch()
    record = {
        "idempotency_key": scoped_idempotency_key(hospital_id, idempotency_key),
        "payload_hash": payload_hash,
        "patient_id": patient_item["patient_id"],
        "location": location,
        "created_at": now,
        "expires_at": now + IDEMPOTENCY_SECONDS,
    }
    actions = [
        {
            "Put": {
                "TableName": table_name(IDEMPOTENCY),
                "Item": serialize(record),
                # Absent, or left over past its expiry: TTL deletes only eventually.
                "ConditionExpression": "attribute_not_exists(idempotency_key) OR expires_at < :now",
                "ExpressionAttributeValues": values(now=now),
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        },
        {
            "Put": {
                "TableName": table_name(PATIENTS),
                "Item": serialize(patient_item),
                "ConditionExpression": "attribute_not_exists(patient_id)",
            }
        },
        *[event_put_action(event) for event in events],
        audit_repository.put_action(audit_entry),
        {
            "Update": {
                "TableName": table_name(INTAKE_NONCES),
                "Key": serialize({"nonce": nonce}),
                "UpdateExpression": "SET patient_id = :pid, check_in_code = :code, "
                "given_name = :given",
                "ConditionExpression": "attribute_exists(nonce) AND hospital_id = :hid "
                "AND expires_at > :now AND attribute_not_exists(patient_id)",
                "ExpressionAttributeValues": values(
                    pid=patient_item["patient_id"],
                    code=patient_item["check_in_code"],
                    given=patient_item["given_name"],
                    hid=hospital_id,
                    now=now,
                ),
            }
        },
    ]
    try:
        dynamodb.call("transact_write_items", TransactItems=actions)
    except TransactionCancelled as exc:
        idempotency_code, old_record = exc.reasons[0]
        if idempotency_code == "ConditionalCheckFailed":
            raise StoredRegistration(old_record or {}) from exc
        if exc.reasons[-1][0] == "ConditionalCheckFailed":
            raise IntakeSessionEnded from exc
        raise


def idempotency_get(hospital_id: str, idempotency_key: str) -> dict[str, Any] | None:
    key = {"idempotency_key": scoped_idempotency_key(hospital_id, idempotency_key)}
    item = dynamodb.get_item(IDEMPOTENCY, key, consistent=True)
    if item is None or item["expires_at"] < dynamodb.now_epoch():
        return None
    return item


# --- Patients ---------------------------------------------------------------------------------
def patient_get(patient_id: str, *, consistent: bool = False) -> dict[str, Any] | None:
    return dynamodb.get_item(PATIENTS, {"patient_id": patient_id}, consistent=consistent)


def patients_of_hospital(hospital_id: str, limit: int = 100) -> list[dict[str, Any]]:
    """Arrivals of a hospital, newest first (history and metrics; not the live queue)."""
    return dynamodb.query_key(
        PATIENTS, "hospital_id", hospital_id, index="by-hospital", limit=limit, newest_first=True
    )


def events_of_patient(patient_id: str) -> list[dict[str, Any]]:
    items, _ = dynamodb.query_all(
        TableName=table_name(ENCOUNTERS),
        KeyConditionExpression="patient_id = :pid",
        ExpressionAttributeValues=values(pid=patient_id),
    )
    return items


# --- "My symptoms got worse" ------------------------------------------------------------------
def report_worse(
    *,
    nonce: str,
    patient_id: str,
    every_seconds: int,
    event: EncounterEvent,
    audit_entry: AuditEntry,
) -> None:
    """Flag the patient in the queue, at most once per `every_seconds` per intake session."""
    now = dynamodb.now_epoch()
    actions = [
        {
            "Update": {
                "TableName": table_name(INTAKE_NONCES),
                "Key": serialize({"nonce": nonce}),
                "UpdateExpression": "SET worse_reported_at = :now",
                "ConditionExpression": "attribute_exists(nonce) AND expires_at > :now "
                "AND patient_id = :pid AND (attribute_not_exists(worse_reported_at) "
                "OR worse_reported_at <= :cutoff)",
                "ExpressionAttributeValues": values(
                    now=now, pid=patient_id, cutoff=now - every_seconds
                ),
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        },
        {
            "Update": {
                "TableName": table_name(PATIENTS),
                "Key": serialize({"patient_id": patient_id}),
                "UpdateExpression": "SET worse_reported_at = :when, version = version + :one, "
                "updated_at = :when, updated_by = :by, updated_by_name = :by_name",
                # Only while the patient is still in the department (in the queue).
                "ConditionExpression": "attribute_exists(queue_hospital_id)",
                "ExpressionAttributeValues": values(
                    when=event.time,
                    one=1,
                    by=event.actor_id,
                    by_name="the patient (reported feeling worse)",
                ),
            }
        },
        event_put_action(event),
        audit_repository.put_action(audit_entry),
    ]
    try:
        dynamodb.call("transact_write_items", TransactItems=actions)
    except TransactionCancelled as exc:
        code, old = exc.reasons[0]
        reported_at = (old or {}).get("worse_reported_at")
        if code == "ConditionalCheckFailed" and reported_at and reported_at > now - every_seconds:
            raise WorseReportedRecently(now - reported_at) from exc
        if "ConditionalCheckFailed" in (code for code, _ in exc.reasons):
            raise IntakeSessionEnded from exc
        raise
