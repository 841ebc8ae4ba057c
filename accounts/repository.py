"""Hospitals, staff, sessions and the sign-in throttle in DynamoDB.

The only module of accounts that issues DynamoDB requests. Key formats of these tables live here.
"""

from __future__ import annotations

from typing import Any

from accounts.domain import (
    Device,
    DeviceKind,
    DuplicateError,
    Hospital,
    Role,
    RosterEntry,
    Staff,
)
from solace import clock, dynamodb
from solace.dynamodb import LIVE, ConditionFailed, Expression, TransactionCancelled
from solace.tables import DEVICES, HOSPITALS, LOGIN_THROTTLE, SESSIONS, STAFF, TableDef

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
        reassessment_targets=tuple(item.get("reassessment_targets") or (5, 15, 30, 60, 120)),
        temperature_unit=item.get("temperature_unit", "C"),
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
        "reassessment_targets": list(hospital.reassessment_targets),
        "temperature_unit": hospital.temperature_unit,
        "roster": {},
    }
    claim = {"hospital_id": SLUG_CLAIM.format(hospital.slug), "owner_id": hospital.hospital_id}
    try:
        _put_with_claim(HOSPITALS, "hospital_id", item, claim)
    except TransactionCancelled as exc:
        raise DuplicateError(f"slug {hospital.slug!r} is taken") from exc


def hospital_update(hospital: Hospital) -> None:
    """Change name, timezone or wait targets of an existing hospital (the slug never changes)."""
    expression = Expression()
    update = expression.update(
        {
            "name": hospital.name,
            "timezone": hospital.timezone,
            "wait_targets": list(hospital.wait_targets),
            "reassessment_targets": list(hospital.reassessment_targets),
            "temperature_unit": hospital.temperature_unit,
        }
    )
    dynamodb.update_item(
        HOSPITALS,
        {"hospital_id": hospital.hospital_id},
        expression,
        update,
        condition="attribute_exists(hospital_id)",
    )


def hospital_get(hospital_id: str) -> Hospital | None:
    item = dynamodb.get_item(HOSPITALS, {"hospital_id": hospital_id})
    return _hospital_from_item(item) if item and "slug" in item else None


def hospital_get_by_slug(slug: str) -> Hospital | None:
    items = dynamodb.query_key(HOSPITALS, "slug", slug, index="by-slug", limit=1)
    return _hospital_from_item(items[0]) if items else None


def hospitals_all() -> list[Hospital]:
    """Every hospital (operator commands only: a Scan of a small table, never on a request)."""
    expression = Expression()
    items, _ = _scan_all(
        TableName=dynamodb.table_name(HOSPITALS),
        FilterExpression=f"attribute_exists({expression.name('slug')})",
        **expression.params(),
    )
    return sorted((_hospital_from_item(i) for i in items), key=lambda h: h.name)


def _scan_all(**kwargs) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    while True:
        response = dynamodb.call("scan", **kwargs)
        items += [dynamodb.deserialize(i) for i in response.get("Items", [])]
        if "LastEvaluatedKey" not in response:
            return items, len(items)
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def hospitals_get_many(hospital_ids: set[str] | frozenset[str]) -> list[Hospital]:
    """The given hospitals in one BatchGetItem (a staff member belongs to a handful)."""
    if not hospital_ids:
        return []
    keys = [{"hospital_id": h} for h in sorted(hospital_ids)]
    items = dynamodb.batch_get({HOSPITALS: keys})[HOSPITALS.name]
    return sorted((_hospital_from_item(i) for i in items), key=lambda h: h.name)


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
        last_hospital_id=item.get("last_hospital_id"),
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
        "last_hospital_id": staff.last_hospital_id,
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
        _put_with_claim(STAFF, "staff_id", _staff_to_item(staff), claim, extra=roster_updates)
    except TransactionCancelled as exc:
        raise DuplicateError(f"email {staff.email!r} is taken") from exc


def roster_remove(hospital_ids: frozenset[str], staff_id: str) -> None:
    actions = [_roster_action(h, staff_id, None) for h in sorted(hospital_ids)]
    if actions:
        dynamodb.transact_write(actions)


def _roster_action(hospital_id: str, staff_id: str, entry: dict | None) -> tuple[str, dict]:
    """Add, change (entry) or remove (None) one staff member on a hospital's roster."""
    expression = Expression()
    member = f"roster.{expression.name(staff_id)}"
    update = f"REMOVE {member}" if entry is None else f"SET {member} = {expression.value(entry)}"
    action = dynamodb.update_action(
        HOSPITALS,
        {"hospital_id": hospital_id},
        expression,
        update,
        condition="attribute_exists(hospital_id)",
    )
    return f"roster:{hospital_id}", action


def staff_replace(staff: Staff) -> None:
    """Overwrite an existing staff member (the email never changes; it is the sign-in name)."""
    dynamodb.put_item(
        STAFF,
        _staff_to_item(staff),
        condition="attribute_exists(staff_id) AND email = :email",
        expression=Expression(email=staff.email),
    )


def staff_remember_hospital(staff_id: str, hospital_id: str) -> None:
    """The hospital a staff member chose last: the default at their next sign-in."""
    expression = Expression()
    update = expression.update({"last_hospital_id": hospital_id})
    dynamodb.update_item(
        STAFF,
        {"staff_id": staff_id},
        expression,
        update,
        condition="attribute_exists(staff_id) AND attribute_exists(email)",
    )


def staff_get(staff_id: str) -> Staff | None:
    item = dynamodb.get_item(STAFF, {"staff_id": staff_id})
    return _staff_from_item(item) if item and "email" in item else None


def staff_get_by_email(email: str) -> Staff | None:
    items = dynamodb.query_key(STAFF, "email", normalize_email(email), index="by-email", limit=1)
    return _staff_from_item(items[0]) if items else None


def staff_get_many(staff_ids: set[str] | frozenset[str]) -> dict[str, Staff]:
    keys = [{"staff_id": s} for s in sorted(staff_ids)]
    items = dynamodb.batch_get({STAFF: keys})[STAFF.name] if keys else []
    return {staff.staff_id: staff for staff in map(_staff_from_item, items)}


def _put_with_claim(table, key_name: str, item: dict, claim: dict, extra=()) -> None:
    """The item and a claim item for its unique value, both only if new: one transaction."""
    new = f"attribute_not_exists({key_name})"
    dynamodb.transact_write(
        [
            *extra,
            ("item", dynamodb.put_action(table, item, condition=new)),
            ("claim", dynamodb.put_action(table, claim, condition=new)),
        ]
    )


# --- Sessions ------------------------------------------------------------------------------
def session_get(session_key: str) -> dict[str, Any] | None:
    """The session item, or None when absent or expired (TTL deletes only eventually)."""
    item = dynamodb.get_item(SESSIONS, {"session_key": session_key}, consistent=True)
    return None if dynamodb.expired(item, clock.now_epoch()) else item


def session_lookup(session_key: str) -> tuple[TableDef, dict[str, str]]:
    """Table and key of a session, for a caller that reads it in one BatchGetItem with its own
    items (a poll); `session_live` then applies the expiry rule session_get applies."""
    return SESSIONS, {"session_key": session_key}


def session_live(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    item = items[0] if items else None
    return None if dynamodb.expired(item, clock.now_epoch()) else item


def session_put(item: dict[str, Any], *, must_be_new: bool) -> bool:
    """Write a session item: a new one only where no live one has the key, an update only where
    the session still lives (a sign-out or deactivation meanwhile must not be undone).
    False when the condition fails."""
    condition = (
        f"attribute_not_exists(session_key) OR {dynamodb.EXPIRED}"
        if must_be_new
        else f"attribute_exists(session_key) AND {LIVE}"
    )
    try:
        dynamodb.put_item(
            SESSIONS, item, condition=condition, expression=Expression(now=clock.now_epoch())
        )
    except ConditionFailed:
        return False
    return True


def session_touch(session_key: str, deadline: str, value: int, touched_at: int) -> bool:
    """Move a live session's idle deadline (`expires_at` of a session without staff,
    `idle_deadline` of a staff session) forward without rewriting its data. A staff session
    that is locked stays locked: only an unlock moves its deadline. False when nothing moved."""
    expression = Expression(now=clock.now_epoch())
    update = expression.update({deadline: value, "touched_at": touched_at})
    condition = f"attribute_exists(session_key) AND {LIVE}"
    if deadline == "idle_deadline":
        condition += " AND idle_deadline > :now"
    # ConditionFailed: expired, locked or signed out meanwhile, so there is nothing to extend.
    try:
        dynamodb.update_item(
            SESSIONS, {"session_key": session_key}, expression, update, condition=condition
        )
    except ConditionFailed:
        return False
    return True


def session_unlock(session_key: str, idle_deadline: int, touched_at: int) -> bool:
    """A locked staff session opens again (its staff member re-entered the password)."""
    expression = Expression(now=clock.now_epoch())
    update = expression.update({"idle_deadline": idle_deadline, "touched_at": touched_at})
    try:
        dynamodb.update_item(
            SESSIONS,
            {"session_key": session_key},
            expression,
            update,
            condition=f"attribute_exists(session_key) AND {LIVE}",
        )
    except ConditionFailed:
        return False
    return True


def session_delete(session_key: str) -> None:
    dynamodb.delete_item(SESSIONS, {"session_key": session_key})


def session_keys_of_staff(staff_id: str) -> list[str]:
    items, _ = dynamodb.query_all(
        TableName=dynamodb.table_name(SESSIONS),
        IndexName="by-staff",
        KeyConditionExpression="staff_id = :sid",
        **Expression(sid=staff_id).params(),
    )
    return [item["session_key"] for item in items]


# --- Login throttle ------------------------------------------------------------------------
THROTTLE_ACCOUNT = "account#{}"
THROTTLE_ADDRESS = "address#{}"


def throttle_counts(keys: list[str]) -> dict[str, dict[str, int]]:
    """Live counters by key (failures, expires_at); expired counters read as absent."""
    items = dynamodb.batch_get(
        {LOGIN_THROTTLE: [{"throttle_key": k} for k in keys]}, consistent=True
    )[LOGIN_THROTTLE.name]
    now = clock.now_epoch()
    return {i["throttle_key"]: i for i in items if not dynamodb.expired(i, now)}


def throttle_add_failure(key: str, window_seconds: int) -> int:
    """Count one failed attempt in the key's window (a new window when none is live)."""
    now = clock.now_epoch()
    expression = Expression(now=now)
    update = expression.update(add={"failures": 1})
    try:
        counted = dynamodb.update_item(
            LOGIN_THROTTLE,
            {"throttle_key": key},
            expression,
            update,
            condition=LIVE,
            return_new=True,
        )
        return int(counted["failures"])
    except ConditionFailed:
        pass
    dynamodb.put_item(
        LOGIN_THROTTLE, {"throttle_key": key, "failures": 1, "expires_at": now + window_seconds}
    )
    return 1


def throttle_lock(key: str, until: int) -> None:
    expression = Expression()
    update = expression.update({"expires_at": until})
    dynamodb.update_item(LOGIN_THROTTLE, {"throttle_key": key}, expression, update)


def throttle_clear(key: str) -> None:
    dynamodb.delete_item(LOGIN_THROTTLE, {"throttle_key": key})


# --- Devices (waiting-room displays) ----------------------------------------------------------
def _device_to_item(device: Device) -> dict[str, Any]:
    return {
        "device_id": device.device_id,
        "hospital_id": device.hospital_id,
        "kind": device.kind.value,
        "name": device.name,
        "created_at": device.created_at,
        "created_by": device.created_by,
        "created_by_name": device.created_by_name,
        "secret_digest": device.secret_digest,
        "revoked_at": device.revoked_at,
        "revoked_by_name": device.revoked_by_name,
    }


def device_from_item(item: dict[str, Any]) -> Device:
    return Device(
        device_id=item["device_id"],
        hospital_id=item["hospital_id"],
        kind=DeviceKind(item["kind"]),
        name=item["name"],
        created_at=item["created_at"],
        created_by=item["created_by"],
        created_by_name=item.get("created_by_name", ""),
        secret_digest=item["secret_digest"],
        revoked_at=item.get("revoked_at"),
        revoked_by_name=item.get("revoked_by_name"),
    )


def device_insert(device: Device) -> None:
    dynamodb.put_item(DEVICES, _device_to_item(device), condition="attribute_not_exists(device_id)")


def device_get(device_id: str) -> Device | None:
    item = dynamodb.get_item(DEVICES, {"device_id": device_id}, consistent=True)
    return device_from_item(item) if item else None


def device_lookup(device_id: str) -> tuple[TableDef, dict[str, str]]:
    """Table and key of a device, for a caller that reads it in one BatchGetItem."""
    return DEVICES, {"device_id": device_id}


def devices_of_hospital(hospital_id: str, kind: DeviceKind, limit: int = 200) -> list[Device]:
    """A hospital's devices of one kind, newest first (revoked ones too: the list says so)."""
    items = dynamodb.query_key(
        DEVICES, "hospital_id", hospital_id, index="by-hospital", limit=limit, newest_first=True
    )
    return [device_from_item(i) for i in items if i.get("kind") == kind.value]


def device_revoke(device_id: str, hospital_id: str, when: str, by_name: str) -> Device | None:
    """Revoke a device of this hospital, once: None when there is no such live device."""
    expression = Expression(hid=hospital_id)
    update = expression.update({"revoked_at": when, "revoked_by_name": by_name})
    try:
        item = dynamodb.update_item(
            DEVICES,
            {"device_id": device_id},
            expression,
            update,
            condition="hospital_id = :hid AND attribute_not_exists(revoked_at)",
            return_new=True,
        )
    except ConditionFailed:
        return None
    return device_from_item(item)
