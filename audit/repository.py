"""The audit-log table: write-only. This module can put entries, as a single write or as one
action of another transaction, and offers no way to update or delete one."""

from __future__ import annotations

from typing import Any

from audit.domain import AuditEntry
from solace import dynamodb
from solace.tables import AUDIT_LOG

HOT_DAYS = 90
# What an entry looks like outside DynamoDB (export and archive): ids and codes only.
PUBLIC_FIELDS = (
    "event_id",
    "time",
    "hospital_id",
    "actor_type",
    "actor_id",
    "actor_role",
    "action",
    "patient_id",
    "outcome",
    "detail",
    "request_id",
    "client_address",
    "user_agent",
)


def public_record(item: dict[str, Any]) -> dict[str, Any]:
    return {field: item.get(field) for field in PUBLIC_FIELDS}


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
    """A patient's most recent entries, newest first (the by-patient index)."""
    entries, _ = query_page(
        index="by-patient",
        key_name="patient_id",
        key_value=patient_id,
        entry_from="0",
        entry_to="~",
        filters={},
        limit=limit,
        start_key=None,
    )
    return entries


# --- Browsing: every filter is a key or index Query ------------------------------------------
def query_page(
    *,
    index: str | None,
    key_name: str,
    key_value: str,
    entry_from: str,
    entry_to: str,
    filters: dict[str, str | list[str]],
    limit: int,
    start_key: dict | None,
) -> tuple[list[dict[str, Any]], dict | None]:
    """Up to `limit` entries newest first from one partition of the table or an index, between
    two entry keys; secondary filters apply to that partition's entries only (never a Scan).
    Returns the entries and the key to continue from (None at the end)."""
    names = {"#pk": key_name, "#ek": "entry_key"}
    expression_values = {":pk": key_value, ":from": entry_from, ":to": entry_to}
    conditions = []
    for i, (attribute, wanted) in enumerate(sorted(filters.items())):
        names[f"#f{i}"] = attribute
        if isinstance(wanted, list):
            placeholders = []
            for j, value in enumerate(wanted):
                expression_values[f":f{i}_{j}"] = value
                placeholders.append(f":f{i}_{j}")
            conditions.append(f"#f{i} IN ({', '.join(placeholders)})")
        else:
            expression_values[f":f{i}"] = wanted
            conditions.append(f"#f{i} = :f{i}")
    kwargs: dict[str, Any] = {
        "TableName": dynamodb.table_name(AUDIT_LOG),
        "KeyConditionExpression": "#pk = :pk AND #ek BETWEEN :from AND :to",
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": dynamodb.values(
            **{k.lstrip(":"): v for k, v in expression_values.items()}
        ),
        "ScanIndexForward": False,
    }
    if index:
        kwargs["IndexName"] = index
    if conditions:
        kwargs["FilterExpression"] = " AND ".join(conditions)
    entries: list[dict[str, Any]] = []
    last_key = start_key
    # A filter can make a page come back short: keep reading this partition until the page is
    # full (Limit counts evaluated items, so nothing is ever skipped).
    for _ in range(20):
        if last_key:
            kwargs["ExclusiveStartKey"] = last_key
        kwargs["Limit"] = limit - len(entries)
        response = dynamodb.call("query", **kwargs)
        now = dynamodb.now_epoch()
        entries += [
            entry
            for entry in (dynamodb.deserialize(i) for i in response.get("Items", []))
            if entry["expires_at"] > now  # past its 90 days: TTL deletes it eventually
        ]
        last_key = response.get("LastEvaluatedKey")
        if last_key is None or len(entries) >= limit:
            break
    return entries, last_key


def event_ids_of_day(hospital_id: str, day: str) -> list[str]:
    """Every event id of one partition and UTC day (for archive verification)."""
    ids: list[str] = []
    start_key = None
    while True:
        entries, start_key = query_page(
            index=None,
            key_name="hospital_id",
            key_value=hospital_id,
            entry_from=day,
            entry_to=day + "~",
            filters={},
            limit=1000,
            start_key=start_key,
        )
        ids += [e["event_id"] for e in entries]
        if start_key is None:
            return ids
