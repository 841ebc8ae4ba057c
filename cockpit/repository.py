"""Cockpit reads and writes of patients: the live queue, today's arrivals, earlier visits, and
versioned updates. Item and key formats of patients and encounters are intake.repository's."""

from __future__ import annotations

import uuid
from typing import Any

from audit import repository as audit_repository
from audit.domain import AuditEntry
from cockpit.domain import VersionConflict
from intake import repository as intake_repository
from intake.domain import EncounterEvent
from solace import dynamodb
from solace.dynamodb import TransactionCancelled, serialize, table_name, values
from solace.tables import PATIENTS, QUEUE_ROW_ATTRIBUTES

QUEUE_INDEX = "queue"
BOARD_ATTRIBUTES = ("patient_id", "created_at", "check_in_code", "status", "version")


def queue_items(hospital_id: str, attributes: tuple[str, ...] | None = None):
    """Everyone in the department: one Query on the sparse queue index (paged only past 1 MB).

    Returns (items, scanned_count). Discharged patients have no queue_hospital_id, so they are
    not in the index at all: the read never touches history.
    """
    names = ("patient_id", "created_at", *(attributes or QUEUE_ROW_ATTRIBUTES))
    return dynamodb.query_all(
        TableName=table_name(PATIENTS),
        IndexName=QUEUE_INDEX,
        KeyConditionExpression="queue_hospital_id = :hid",
        ExpressionAttributeValues=values(hid=hospital_id),
        ProjectionExpression=", ".join(f"#a{i}" for i in range(len(names))),
        ExpressionAttributeNames={f"#a{i}": name for i, name in enumerate(names)},
    )


def arrivals_since(hospital_id: str, since_iso: str) -> list[dict[str, Any]]:
    """Arrival and triage times of today's arrivals (for the door-to-triage median)."""
    items, _ = dynamodb.query_all(
        TableName=table_name(PATIENTS),
        IndexName="by-hospital",
        KeyConditionExpression="hospital_id = :hid AND created_at >= :since",
        ExpressionAttributeValues=values(hid=hospital_id, since=since_iso),
        ProjectionExpression="created_at, triaged_at",
    )
    return items


def visits_with_match_key(match_key: str, limit: int = 50) -> list[dict[str, Any]]:
    return dynamodb.query_key(
        PATIENTS, "match_key", match_key, index="by-match-key", limit=limit, newest_first=True
    )


def patient_update(
    *,
    patient_id: str,
    expected_version: int,
    set_values: dict[str, Any],
    remove: tuple[str, ...] = (),
    event: EncounterEvent,
    audit_entry: AuditEntry,
) -> None:
    """Patient change + encounter event + audit entry in one transaction, only if the patient
    is still at `expected_version` (optimistic concurrency). VersionConflict otherwise."""
    names = {f"#s{i}": name for i, name in enumerate(set_values)}
    names.update({f"#r{i}": name for i, name in enumerate(remove)})
    assignments = [f"#s{i} = :s{i}" for i in range(len(set_values))]
    expression = "SET " + ", ".join([*assignments, "version = :next"])
    if remove:
        expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(remove)))
    attribute_values = values(expected=expected_version, next=expected_version + 1)
    attribute_values.update(
        {f":s{i}": dynamodb.serialize_value(v) for i, v in enumerate(set_values.values())}
    )
    actions = [
        {
            "Update": {
                "TableName": table_name(PATIENTS),
                "Key": serialize({"patient_id": patient_id}),
                "UpdateExpression": expression,
                "ConditionExpression": "version = :expected",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": attribute_values,
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        },
        intake_repository.event_put_action(event),
        audit_repository.put_action(audit_entry),
    ]
    try:
        # The token makes botocore's retry of a commit whose answer was lost a no-op, not a
        # conflict with the clinician's own write.
        dynamodb.call(
            "transact_write_items", TransactItems=actions, ClientRequestToken=uuid.uuid4().hex
        )
    except TransactionCancelled as exc:
        code, current = exc.reasons[0]
        if code == "ConditionalCheckFailed":
            raise VersionConflict(current) from exc
        raise
