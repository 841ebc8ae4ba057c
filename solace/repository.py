"""Repositories of the shared layer: hospitals, staff, sessions, login throttle.

The only module of this package that issues DynamoDB requests (through solace.dynamodb.call).
Key formats of these tables live here.
"""

from __future__ import annotations

import contextlib
from typing import Any

from solace import dynamodb
from solace.domain import DuplicateError, Hospital, Role, RosterEntry, Staff
from solace.dynamodb import ConditionFailed, TransactionCancelled, table_name, values
from solace.tables import HOSPITALS, LOGIN_THROTTLE, SESSIONS, STAFF

# --- Key formats -------------------------------------------------------------------------------
SLUG_CLAIM = "slug#{}"  # hospitals: claim item that makes a slug unique
EMAIL_CLAIM = "email#{}"  # staff: claim item that makes an email unique


def normalize_email(email: str) -> str:
    return email.strip().lower()


# --- Hospitals ---------------------------------------------------------------------------------
def _hospital_from_item(item: dict[str, Any]) -> Hospital:
    return Hospital(
        hospital_id=item["hospital_id"],
        slug=item["slug"],
        name=item["name"],
        timezone=item["timezone"],
        organization_id=item["organization_id"],
        wait_targets=tuple(item.get("wait_targets") or (0, 10, 30, 60, 120)),
        roster=tuple(
            sorted(
                (
                    RosterEntry(staff_id=sid, name=entry["name"], role=Role(entry["role"]))
                    for sid, entry in (item.get("roster") or {}).items()
                ),
                key=lambda r: r.name,
            )
        ),
    )


def hospital_insert(hospital: Hospital) -> None:
    """Create a hospital; the slug claim makes a second hospital with the same slug fail."""
    item = {
        "hospital_id": hospital.hospital_id,
        "slug": hospital.slug,
        "name": hospital.name,
        "timezone": hospital.timezone,
        "organization_id": hospital.organization_id,
        "wait_targets": list(hospital.wait_targets),
        "roster": {},
    }
    claim = {"hospital_id": SLUG_CLAIM.format(hospital.slug), "owner_id": hospital.hospital_id}
    try:
        _put_with_claim(table_name(HOSPITALS), "hospital_id", item, claim)
    except TransactionCancelled as exc:
        raise DuplicateError(f"slug {hospital.slug!r} is taken") from exc


def hospital_update(hospital: Hospital) -> None:
    """Change name, timezone or wait targets of an existing hospital (the slug never changes)."""
    dynamodb.call(
        "update_item",
        TableName=table_name(HOSPITALS),
        Key=dynamodb.serialize({"hospital_id": hospital.hospital_id}),
        UpdateExpression="SET #n = :name, #tz = :tz, wait_targets = :targets",
        ConditionExpression="attribute_exists(hospital_id)",
        ExpressionAttributeNames={"#n": "name", "#tz": "timezone"},
        ExpressionAttributeValues=values(
            name=hospital.name, tz=hospital.timezone, targets=list(hospital.wait_targets)
        ),
    )


def hospital_get(hospital_id: str) -> Hospital | None:
    item = dynamodb.get_item(HOSPITALS, {"hospital_id": hospital_id})
    return _hospital_from_item(item) if item and "slug" in item else None


def hospital_get_by_slug(slug: str) -> Hospital | None:
    items = dynamodb.query_key(HOSPITALS, "slug", slug, index="by-slug", limit=1)
    return _hospital_from_item(items[0]) if items else None


def hospitals_get_many(hospital_ids: set[str] | frozenset[str]) -> list[Hospital]:
    """The given hospitals in one BatchGetItem (a staff member belongs to a handful)."""
    if not hospital_ids:
        return []
    name = table_name(HOSPITALS)
    request = {name: {"Keys": [dynamodb.serialize({"hospital_id": h}) for h in hospital_ids]}}
    found: list[Hospital] = []
    while request:
        response = dynamodb.call("batch_get_item", RequestItems=request)
        found += [_hospital_from_item(dynamodb.deserialize(i)) for i in response["Responses"][name]]
        request = response.get("UnprocessedKeys") or {}
    return sorted(found, key=lambda h: h.name)


# --- Staff ---------------------------------------------------------------------------------
def _staff_from_item(item: dict[str, Any]) -> Staff:
    return Staff(
        staff_id=item["staff_id"],
        email=item["email"],
        name=item["name"],
        role=Role(item["role"]),
        hospital_ids=frozenset(item.get("hospital_ids") or ()),
        organization_ids=frozenset(item.get("organization_ids") or ()),
        password_hash=item["password_hash"],
        active=bool(item.get("active", True)),
    )


def _staff_to_item(staff: Staff) -> dict[str, Any]:
    return {
        "staff_id": staff.staff_id,
        "email": staff.email,
        "name": staff.name,
        "role": staff.role.value,
        "hospital_ids": set(staff.hospital_ids) or None,
        "organization_ids": set(staff.organization_ids) or None,
        "password_hash": staff.password_hash,
        "active": staff.active,
    }


def staff_insert(staff: Staff) -> None:
    """Create a staff member; the email claim makes a second account with that email fail."""
    claim = {"staff_id": EMAIL_CLAIM.format(staff.email), "owner_id": staff.staff_id}
    roster_entry = {"name": staff.name, "role": staff.role.value}
    roster_updates = [
        _roster_action(hospital_id, staff.staff_id, roster_entry)
        for hospital_id in sorted(staff.hospital_ids)
    ]
    try:
        _put_with_claim(
            table_name(STAFF), "staff_id", _staff_to_item(staff), claim, extra=roster_updates
        )
    except TransactionCancelled as exc:
        raise DuplicateError(f"email {staff.email!r} is taken") from exc


def roster_remove(hospital_ids: frozenset[str], staff_id: str) -> None:
    actions = [_roster_action(h, staff_id, None) for h in sorted(hospital_ids)]
    if actions:
        dynamodb.call("transact_write_items", TransactItems=actions)


def _roster_action(hospital_id: str, staff_id: str, entry: dict | None) -> dict[str, Any]:
    update: dict[str, Any] = {
        "TableName": table_name(HOSPITALS),
        "Key": dynamodb.serialize({"hospital_id": hospital_id}),
        "ConditionExpression": "attribute_exists(hospital_id)",
        "ExpressionAttributeNames": {"#sid": staff_id},
    }
    if entry is None:
        update["UpdateExpression"] = "REMOVE roster.#sid"
    else:
        update["UpdateExpression"] = "SET roster.#sid = :entry"
        update["ExpressionAttributeValues"] = values(entry=entry)
    return {"Update": update}


def staff_replace(staff: Staff) -> None:
    """Overwrite an existing staff member (the email never changes; it is the sign-in name)."""
    dynamodb.call(
        "put_item",
        TableName=table_name(STAFF),
        Item=dynamodb.serialize(_staff_to_item(staff)),
        ConditionExpression="attribute_exists(staff_id) AND email = :email",
        ExpressionAttributeValues=values(email=staff.email),
    )


def staff_get(staff_id: str) -> Staff | None:
    item = dynamodb.get_item(STAFF, {"staff_id": staff_id})
    return _staff_from_item(item) if item and "email" in item else None


def staff_get_by_email(email: str) -> Staff | None:
    items = dynamodb.query_key(STAFF, "email", normalize_email(email), index="by-email", limit=1)
    return _staff_from_item(items[0]) if items else None


def staff_get_many(staff_ids: set[str] | frozenset[str]) -> dict[str, Staff]:
    if not staff_ids:
        return {}
    name = table_name(STAFF)
    request = {name: {"Keys": [dynamodb.serialize({"staff_id": s}) for s in staff_ids]}}
    found: dict[str, Staff] = {}
    while request:
        response = dynamodb.call("batch_get_item", RequestItems=request)
        for raw in response["Responses"][name]:
            staff = _staff_from_item(dynamodb.deserialize(raw))
            found[staff.staff_id] = staff
        request = response.get("UnprocessedKeys") or {}
    return found


def _put_with_claim(
    table: str, key_name: str, item: dict, claim: dict, extra: list | None = None
) -> None:
    dynamodb.call(
        "transact_write_items",
        TransactItems=[
            *(extra or []),
            {
                "Put": {
                    "TableName": table,
                    "Item": dynamodb.serialize(item),
                    "ConditionExpression": f"attribute_not_exists({key_name})",
                }
            },
            {
                "Put": {
                    "TableName": table,
                    "Item": dynamodb.serialize(claim),
                    "ConditionExpression": f"attribute_not_exists({key_name})",
                }
            },
        ],
    )


# --- Sessions ------------------------------------------------------------------------------
def session_get(session_key: str) -> dict[str, Any] | None:
    """The session item, or None when absent or past its expiry (TTL deletes only eventually)."""
    item = dynamodb.get_item(SESSIONS, {"session_key": session_key}, consistent=True)
    if item is None or item["expires_at"] <= dynamodb.now_epoch():
        return None
    return item


def session_put(item: dict[str, Any], *, must_be_new: bool) -> bool:
    """Write a session item: a new one only where no live one has the key, an update only where
    the session still lives (a sign-out or deactivation meanwhile must not be undone).
    False when the condition fails."""
    condition = (
        "attribute_not_exists(session_key) OR expires_at <= :now"
        if must_be_new
        else "attribute_exists(session_key) AND expires_at > :now"
    )
    kwargs = {
        "ConditionExpression": condition,
        "ExpressionAttributeValues": values(now=dynamodb.now_epoch()),
    }
    try:
        dynamodb.call(
            "put_item", TableName=table_name(SESSIONS), Item=dynamodb.serialize(item), **kwargs
        )
    except ConditionFailed:
        return False
    return True


def session_touch(session_key: str, expires_at: int, touched_at: int) -> None:
    """Move a live session's idle expiry forward without rewriting its data."""
    # ConditionFailed: expired or signed out meanwhile, so there is nothing to extend.
    with contextlib.suppress(ConditionFailed):
        dynamodb.call(
            "update_item",
            TableName=table_name(SESSIONS),
            Key=dynamodb.serialize({"session_key": session_key}),
            UpdateExpression="SET expires_at = :exp, touched_at = :touched",
            ConditionExpression="attribute_exists(session_key) AND expires_at > :now",
            ExpressionAttributeValues=values(
                exp=expires_at, touched=touched_at, now=dynamodb.now_epoch()
            ),
        )


def session_delete(session_key: str) -> None:
    dynamodb.call(
        "delete_item",
        TableName=table_name(SESSIONS),
        Key=dynamodb.serialize({"session_key": session_key}),
    )


def session_keys_of_staff(staff_id: str) -> list[str]:
    items, _ = dynamodb.query_all(
        TableName=table_name(SESSIONS),
        IndexName="by-staff",
        KeyConditionExpression="staff_id = :sid",
        ExpressionAttributeValues=values(sid=staff_id),
    )
    return [item["session_key"] for item in items]


# --- Login throttle ------------------------------------------------------------------------
THROTTLE_ACCOUNT = "account#{}"
THROTTLE_ADDRESS = "address#{}"


def throttle_counts(keys: list[str]) -> dict[str, dict[str, int]]:
    """Live counters by key (failures, expires_at); expired counters read as absent."""
    name = table_name(LOGIN_THROTTLE)
    request = {
        name: {
            "Keys": [dynamodb.serialize({"throttle_key": k}) for k in keys],
            "ConsistentRead": True,
        }
    }
    now = dynamodb.now_epoch()
    found: dict[str, dict[str, int]] = {}
    while request:
        response = dynamodb.call("batch_get_item", RequestItems=request)
        for raw in response["Responses"][name]:
            item = dynamodb.deserialize(raw)
            if item["expires_at"] > now:
                found[item["throttle_key"]] = item
        request = response.get("UnprocessedKeys") or {}
    return found


def throttle_add_failure(key: str, window_seconds: int) -> int:
    """Count one failed attempt in the key's window (a new window when none is live)."""
    now = dynamodb.now_epoch()
    key_value = dynamodb.serialize({"throttle_key": key})
    try:
        response = dynamodb.call(
            "update_item",
            TableName=table_name(LOGIN_THROTTLE),
            Key=key_value,
            UpdateExpression="ADD failures :one",
            ConditionExpression="expires_at > :now",
            ExpressionAttributeValues=values(one=1, now=now),
            ReturnValues="UPDATED_NEW",
        )
        return int(dynamodb.deserialize(response["Attributes"])["failures"])
    except ConditionFailed:
        pass
    dynamodb.call(
        "put_item",
        TableName=table_name(LOGIN_THROTTLE),
        Item=dynamodb.serialize(
            {"throttle_key": key, "failures": 1, "expires_at": now + window_seconds}
        ),
    )
    return 1


def throttle_lock(key: str, until: int) -> None:
    dynamodb.call(
        "update_item",
        TableName=table_name(LOGIN_THROTTLE),
        Key=dynamodb.serialize({"throttle_key": key}),
        UpdateExpression="SET expires_at = :until",
        ExpressionAttributeValues=values(until=until),
    )


def throttle_clear(key: str) -> None:
    dynamodb.call(
        "delete_item",
        TableName=table_name(LOGIN_THROTTLE),
        Key=dynamodb.serialize({"throttle_key": key}),
    )
