"""Hospitals, staff, sessions and the sign-in throttle in DynamoDB.

The only module of accounts that issues DynamoDB requests. Key formats of these tables live here.
"""

from __future__ import annotations

import contextlib
from typing import Any

from accounts.domain import DuplicateError, Hospital, Role, RosterEntry, Staff
from solace import clock, dynamodb
from solace.dynamodb import LIVE, ConditionFailed, Expression, TransactionCancelled
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


def session_touch(session_key: str, expires_at: int, touched_at: int) -> None:
    """Move a live session's idle expiry forward without rewriting its data."""
    expression = Expression(now=clock.now_epoch())
    update = expression.update({"expires_at": expires_at, "touched_at": touched_at})
    # ConditionFailed: expired or signed out meanwhile, so there is nothing to extend.
    with contextlib.suppress(ConditionFailed):
        dynamodb.update_item(
            SESSIONS,
            {"session_key": session_key},
            expression,
            update,
            condition=f"attribute_exists(session_key) AND {LIVE}",
        )


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
