"""The audit-log table: write-only. This module can put entries, as a single write or as one
action of another transaction, and offers no way to update or delete one."""

from __future__ import annotations

from typing import Any

from audit.domain import AuditEntry
from solace import dynamodb
from solace.tables import AUDIT_LOG

HOT_DAYS = 90

# --- Key formats ------------------------------------------------------------------------------
ENTRY_KEY = "{time}#{event_id}"  # sort key: newest first with ScanIndexForward=False
HOSPITAL_ACTION = "{hospital_id}#{action}"


def entry_to_item(entry: AuditEntry) -> dict[str, Any]:
    return {
        "hospital_id": entry.hospital_id,
        "entry_key": ENTRY_KEY.format(time=entry.time, event_id=entry.event_id),
        "event_id": entry.event_id,
        "time": entry.time,
        "actor_type": entry.actor.type.value,
        "actor_id": entry.actor.id,
        "actor_role": entry.actor.role,
        "action": entry.action.value,
        "hospital_action": HOSPITAL_ACTION.format(
            hospital_id=entry.hospital_id, action=entry.action.value
        ),
        "patient_id": entry.patient_id,
        "outcome": entry.outcome,
        "detail": entry.detail,
        "request_id": entry.context.request_id or None,
        "client_address": entry.context.client_address or None,
        "user_agent": entry.context.user_agent or None,
        "expires_at": dynamodb.now_epoch() + HOT_DAYS * 86400,
    }


def put_action(entry: AuditEntry) -> dict[str, Any]:
    """The entry as a TransactWriteItems action, so it commits with the change it records."""
    return {
        "Put": {
            "TableName": dynamodb.table_name(AUDIT_LOG),
            "Item": dynamodb.serialize(entry_to_item(entry)),
            "ConditionExpression": "attribute_not_exists(entry_key)",
        }
    }


def put(entry: AuditEntry) -> None:
    """Record an entry on its own (reads, sign-ins: nothing else is written with them)."""
    dynamodb.call(
        "put_item",
        TableName=dynamodb.table_name(AUDIT_LOG),
        Item=dynamodb.serialize(entry_to_item(entry)),
        ConditionExpression="attribute_not_exists(entry_key)",
    )


def entries_for_patient(patient_id: str, limit: int = 100) -> list[dict[str, Any]]:
    """A patient's entries, newest first (the by-patient index)."""
    response = dynamodb.call(
        "query",
        TableName=dynamodb.table_name(AUDIT_LOG),
        IndexName="by-patient",
        KeyConditionExpression="patient_id = :pid",
        ExpressionAttributeValues=dynamodb.values(pid=patient_id),
        ScanIndexForward=False,
        Limit=limit,
    )
    return [dynamodb.deserialize(i) for i in response.get("Items", [])]
