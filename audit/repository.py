"""The audit-log table: write-only. This module can put entries, as a single write or as one
action of another transaction, and offers no way to update or delete one."""

from __future__ import annotations

from typing import Any

from audit.domain import AuditEntry
from solace import clock, dynamodb
from solace.dynamodb import Expression
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
    "client_request_id",
    "client_address",
    "client_address_key",
    "user_agent",
)


def public_record(item: dict[str, Any]) -> dict[str, Any]:
    return {field: item.get(field) for field in PUBLIC_FIELDS}


# --- Key formats ------------------------------------------------------------------------------
ENTRY_KEY = "{time}#{event_id}"  # sort key: newest first with ScanIndexForward=False
HOSPITAL_ACTION = "{hospital_id}#{action}"


def entry_to_item(entry: AuditEntry) -> dict[str, Any]:
    private = entry.about_patients
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
        "client_request_id": entry.context.client_request_id or None,
        # Entries about patients keep only the keyed hash of the address and no user agent;
        # account events keep the address too (and the same key, to line them up).
        "client_address": None if private else entry.context.client_address or None,
        "client_address_key": entry.context.client_address_key or None,
        "user_agent": None if private else entry.context.user_agent or None,
        "expires_at": clock.now_epoch() + HOT_DAYS * 86400,
    }


# An entry is written once and never over another: even a retried write cannot replace one.
_NEW_ENTRY = "attribute_not_exists(entry_key)"


def put_action(entry: AuditEntry) -> dict[str, Any]:
    """The entry as a TransactWriteItems action, so it commits with the change it records."""
    return dynamodb.put_action(AUDIT_LOG, entry_to_item(entry), condition=_NEW_ENTRY)


def put(entry: AuditEntry) -> None:
    """Record an entry on its own (reads, sign-ins: nothing else is written with them)."""
    dynamodb.put_item(AUDIT_LOG, entry_to_item(entry), condition=_NEW_ENTRY)


def put_many(entries: list[AuditEntry]) -> None:
    """Record entries of one read together (a record and what it showed): one request."""
    if len(entries) == 1:
        put(entries[0])
        return
    for start in range(0, len(entries), 100):
        chunk = entries[start : start + 100]
        dynamodb.transact_write([(f"entry{n}", put_action(e)) for n, e in enumerate(chunk)])


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
    exclude: dict[str, list[str]] | None = None,
) -> tuple[list[dict[str, Any]], dict | None]:
    """Up to `limit` entries newest first from one partition of the table or an index, between
    two entry keys; secondary filters (and exclusions) apply to that partition's entries only
    (never a Scan). Returns the entries and the key to continue from (None at the end)."""
    expression = Expression(pk=key_value, entry_from=entry_from, entry_to=entry_to)
    conditions = []
    for attribute, wanted in sorted(filters.items()):
        name = expression.name(attribute)
        if isinstance(wanted, list):
            conditions.append(f"{name} IN ({', '.join(expression.value(v) for v in wanted)})")
        else:
            conditions.append(f"{name} = {expression.value(wanted)}")
    for attribute, unwanted in sorted((exclude or {}).items()):
        values = ", ".join(expression.value(v) for v in unwanted)
        conditions.append(f"NOT ({expression.name(attribute)} IN ({values}))")
    key_condition = (
        f"{expression.name(key_name)} = :pk AND "
        f"{expression.name('entry_key')} BETWEEN :entry_from AND :entry_to"
    )
    kwargs: dict[str, Any] = {
        "TableName": dynamodb.table_name(AUDIT_LOG),
        "KeyConditionExpression": key_condition,
        "ScanIndexForward": False,
        **expression.params(),
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
        now = clock.now_epoch()
        entries += [
            entry
            for entry in (dynamodb.deserialize(i) for i in response.get("Items", []))
            if not dynamodb.expired(entry, now)  # past its 90 days: TTL deletes it eventually
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
