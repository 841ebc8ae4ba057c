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
    Organization,
    Passkey,
    Role,
    RosterEntry,
    Staff,
)
from accounts.hospital_settings import HOSPITAL_SETTINGS, SETTINGS_BY_NAME
from solace import clock, dynamodb
from solace.dynamodb import LIVE, ConditionFailed, Expression, TransactionCancelled
from solace.tables import (
    DEVICES,
    HOSPITALS,
    LOGIN_THROTTLE,
    ORGANIZATIONS,
    SESSIONS,
    STAFF,
    TableDef,
)

# --- Key formats -------------------------------------------------------------------------------
SLUG_CLAIM = "slug#{}"  # hospitals: claim item that makes a slug unique
EMAIL_CLAIM = "email#{}"  # staff: claim item that makes an email unique


def normalize_email(email: str) -> str:
    return email.strip().lower()


# --- Organizations -----------------------------------------------------------------------------
def _organization_from_item(item: dict[str, Any]) -> Organization:
    return Organization(
        organization_id=item["organization_id"],
        name=item.get("name") or item["organization_id"],
        clinicians_need_second_factor=bool(item.get("clinicians_need_second_factor", False)),
        hospital_defaults={
            name: SETTINGS_BY_NAME[name].from_item(value)
            for name, value in (item.get("hospital_defaults") or {}).items()
            if name in SETTINGS_BY_NAME
        },
    )


def organization_get(organization_id: str) -> Organization | None:
    item = dynamodb.get_item(ORGANIZATIONS, {"organization_id": organization_id})
    return _organization_from_item(item) if item else None


def organization_put(organization: Organization, *, must_be_new: bool = False) -> None:
    """Create or overwrite the organization item (its settings are all it holds)."""
    item = {
        "organization_id": organization.organization_id,
        "name": organization.name,
        "clinicians_need_second_factor": organization.clinicians_need_second_factor,
        "hospital_defaults": {
            name: SETTINGS_BY_NAME[name].to_item(value)
            for name, value in organization.hospital_defaults.items()
        },
    }
    condition = "attribute_not_exists(organization_id)" if must_be_new else None
    try:
        dynamodb.put_item(ORGANIZATIONS, item, condition=condition)
    except ConditionFailed as exc:
        raise DuplicateError(organization.organization_id) from exc


# --- Hospitals ---------------------------------------------------------------------------------
def _hospital_from_item(item: dict[str, Any]) -> Hospital:
    settings = {
        s.name: s.from_item(item[s.name]) if item.get(s.name) is not None else s.default
        for s in HOSPITAL_SETTINGS
    }
    return Hospital(
        hospital_id=item["hospital_id"],
        slug=item["slug"],
        name=settings["name"],
        timezone=settings["timezone"],
        organization_id=item["organization_id"],
        wait_targets=settings["wait_targets"],
        roster=tuple(
            sorted(
                (
                    RosterEntry(staff_id=sid, name=entry["name"], role=Role(entry["role"]))
                    for sid, entry in (item.get("roster") or {}).items()
                ),
                key=lambda r: r.name,
            )
        ),
        settings=settings,
    )


def hospital_insert(hospital: Hospital) -> None:
    """Create a hospital; the slug claim makes a second hospital with the same slug fail."""
    item = {
        "hospital_id": hospital.hospital_id,
        "slug": hospital.slug,
        "organization_id": hospital.organization_id,
        **{s.name: s.to_item(hospital.settings[s.name]) for s in HOSPITAL_SETTINGS},
        "roster": {},
    }
    claim = {"hospital_id": SLUG_CLAIM.format(hospital.slug), "owner_id": hospital.hospital_id}
    try:
        _put_with_claim(HOSPITALS, "hospital_id", item, claim)
    except TransactionCancelled as exc:
        raise DuplicateError(f"slug {hospital.slug!r} is taken") from exc


def hospital_update(hospital_id: str, values: dict[str, Any]) -> None:
    """Change settings (by name) of an existing hospital; the slug never changes."""
    expression = Expression()
    update = expression.update(
        {name: SETTINGS_BY_NAME[name].to_item(value) for name, value in values.items()}
    )
    dynamodb.update_item(
        HOSPITALS,
        {"hospital_id": hospital_id},
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
def _passkeys_from_item(value: dict[str, Any] | None) -> tuple[Passkey, ...]:
    return tuple(
        sorted(
            (
                Passkey(
                    credential_id=credential_id,
                    public_key=entry["public_key"],
                    sign_count=int(entry.get("sign_count", 0)),
                    created_at=entry["created_at"],
                    last_used_at=entry.get("last_used_at"),
                )
                for credential_id, entry in (value or {}).items()
            ),
            key=lambda p: p.created_at,
        )
    )


def _roles_from_item(item: dict[str, Any]) -> dict[str, Role]:
    if "roles" in item:
        return {h: Role(r) for h, r in (item["roles"] or {}).items()}
    # Written before roles per hospital: one role at every hospital.
    return {h: Role(item["role"]) for h in item.get("hospital_ids") or ()}


def _organization_of_item(item: dict[str, Any]) -> str:
    if item.get("organization_id"):
        return item["organization_id"]
    return min(item.get("organization_ids") or {""})  # written before one organization per staff


def _staff_from_item(item: dict[str, Any]) -> Staff:
    return Staff(
        staff_id=item["staff_id"],
        email=item["email"],
        name=item["name"],
        organization_id=_organization_of_item(item),
        roles=_roles_from_item(item),
        password_hash=item.get("password_hash"),
        active=bool(item.get("active", True)),
        last_sign_in_at=item.get("last_sign_in_at"),
        totp_secret=item.get("totp_secret"),
        totp_enabled_at=item.get("totp_enabled_at"),
        totp_last_step=int(item.get("totp_last_step", 0)),
        recovery_codes=frozenset(item.get("recovery_codes") or ()),
        passkeys=_passkeys_from_item(item.get("passkeys")),
        setup_token_hash=item.get("setup_token_hash"),
        setup_expires_at=item.get("setup_expires_at"),
        last_hospital_id=item.get("last_hospital_id"),
    )


def staff_summary_from_item(item: dict[str, Any]) -> dict[str, Any]:
    """A row of the organization's staff list (the by-organization index's projection)."""
    return {
        "staff_id": item["staff_id"],
        "email": item["email"],
        "name": item["name"],
        "roles": {h: Role(r) for h, r in (item.get("roles") or {}).items()},
        "active": bool(item.get("active", True)),
        "last_sign_in_at": item.get("last_sign_in_at"),
        "totp": bool(item.get("totp_enabled_at")),
        "passkeys": len(item.get("passkeys") or {}),
        "setup_expires_at": item.get("setup_expires_at"),
    }


def _roster_entry(staff: Staff, hospital_id: str) -> dict[str, str]:
    return {"name": staff.name, "role": staff.roles[hospital_id].value}


def staff_insert(staff: Staff) -> None:
    """Create a staff member and put them on their hospitals' rosters; the email claim makes a
    second account with that email fail."""
    claim = {"staff_id": EMAIL_CLAIM.format(staff.email), "owner_id": staff.staff_id}
    item = {
        "staff_id": staff.staff_id,
        "email": staff.email,
        "name": staff.name,
        "organization_id": staff.organization_id,
        "roles": {h: r.value for h, r in staff.roles.items()},
        "password_hash": staff.password_hash,
        "active": staff.active,
        "passkeys": {},
        "setup_token_hash": staff.setup_token_hash,
        "setup_expires_at": staff.setup_expires_at,
        "last_hospital_id": staff.last_hospital_id,
    }
    roster_updates = [
        _roster_action(hospital_id, staff.staff_id, _roster_entry(staff, hospital_id))
        for hospital_id in sorted(staff.roles)
    ]
    try:
        _put_with_claim(STAFF, "staff_id", item, claim, extra=roster_updates)
    except TransactionCancelled as exc:
        raise DuplicateError(f"email {staff.email!r} is taken") from exc


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


def _staff_action(staff_id: str, set_values=None, remove=(), condition: str = "", **values):
    expression = Expression(**values)
    update = expression.update(set_values, remove)
    return "staff", dynamodb.update_action(
        STAFF,
        {"staff_id": staff_id},
        expression,
        update,
        condition=" AND ".join(filter(None, ["attribute_exists(email)", condition])),
    )


def staff_change(staff: Staff, changed: Staff) -> None:
    """Store new roles and/or active state, and make the hospitals' rosters agree: an active
    member is on the roster of each hospital with their role there, an inactive one on none.
    One transaction."""
    before = staff.roles if staff.active else {}
    after = changed.roles if changed.active else {}
    actions = [
        _staff_action(
            staff.staff_id,
            {"roles": {h: r.value for h, r in changed.roles.items()}, "active": changed.active},
        )
    ]
    for hospital_id in sorted(set(before) | set(after)):
        if hospital_id not in after:
            actions.append(_roster_action(hospital_id, staff.staff_id, None))
        elif before.get(hospital_id) != after[hospital_id] or not staff.active:
            actions.append(
                _roster_action(hospital_id, staff.staff_id, _roster_entry(changed, hospital_id))
            )
    dynamodb.transact_write(actions)


def staff_start_setup(staff_id: str, token_hash: str, expires_at: int) -> None:
    """A new set-up link: the old link, password and second factors are gone."""
    expression = Expression()
    update = expression.update(
        {"setup_token_hash": token_hash, "setup_expires_at": expires_at, "passkeys": {}},
        remove=(
            "password_hash",
            "totp_secret",
            "totp_enabled_at",
            "totp_last_step",
            "recovery_codes",
        ),
    )
    dynamodb.update_item(
        STAFF, {"staff_id": staff_id}, expression, update, condition="attribute_exists(email)"
    )


def staff_finish_setup(staff_id: str, token_hash: str) -> bool:
    """Use up the set-up link (only if it is still this one). False when it was used already."""
    expression = Expression(token=token_hash)
    update = expression.update(remove=("setup_token_hash", "setup_expires_at"))
    try:
        dynamodb.update_item(
            STAFF,
            {"staff_id": staff_id},
            expression,
            update,
            condition="setup_token_hash = :token",
        )
    except ConditionFailed:
        return False
    return True


def staff_set_password(staff_id: str, password_hash: str) -> None:
    expression = Expression()
    update = expression.update({"password_hash": password_hash})
    dynamodb.update_item(
        STAFF, {"staff_id": staff_id}, expression, update, condition="attribute_exists(email)"
    )


def staff_enable_totp(staff_id: str, secret: str, enabled_at: str, step: int) -> None:
    expression = Expression()
    update = expression.update(
        {"totp_secret": secret, "totp_enabled_at": enabled_at, "totp_last_step": step}
    )
    dynamodb.update_item(
        STAFF, {"staff_id": staff_id}, expression, update, condition="attribute_exists(email)"
    )


def staff_disable_totp(staff_id: str) -> None:
    expression = Expression()
    update = expression.update(remove=("totp_secret", "totp_enabled_at", "totp_last_step"))
    dynamodb.update_item(STAFF, {"staff_id": staff_id}, expression, update)


def staff_use_totp_step(staff_id: str, step: int) -> bool:
    """Record the time step of an accepted code; False when it (or a later one) was used
    already: a code works once."""
    expression = Expression(step=step)
    update = expression.update({"totp_last_step": step})
    try:
        dynamodb.update_item(
            STAFF,
            {"staff_id": staff_id},
            expression,
            update,
            condition="attribute_exists(totp_secret) AND "
            "(attribute_not_exists(totp_last_step) OR totp_last_step < :step)",
        )
    except ConditionFailed:
        return False
    return True


def staff_set_recovery_codes(staff_id: str, code_hashes: set[str]) -> None:
    expression = Expression()
    update = expression.update({"recovery_codes": set(code_hashes)})
    dynamodb.update_item(
        STAFF, {"staff_id": staff_id}, expression, update, condition="attribute_exists(email)"
    )


def staff_use_recovery_code(staff_id: str, code_hash: str) -> bool:
    """Remove one recovery code if it is there (each works once)."""
    expression = Expression(code=code_hash, codes={code_hash})
    try:
        dynamodb.update_item(
            STAFF,
            {"staff_id": staff_id},
            expression,
            "DELETE recovery_codes :codes",
            condition="contains(recovery_codes, :code)",
        )
    except ConditionFailed:
        return False
    return True


def staff_add_passkey(staff_id: str, passkey: Passkey) -> None:
    expression = Expression()
    member = f"passkeys.{expression.name(passkey.credential_id)}"
    entry = {
        "public_key": passkey.public_key,
        "sign_count": passkey.sign_count,
        "created_at": passkey.created_at,
    }
    dynamodb.update_item(
        STAFF,
        {"staff_id": staff_id},
        expression,
        f"SET {member} = {expression.value(entry)}",
        condition="attribute_exists(passkeys)",
    )


def staff_passkey_used(staff_id: str, credential_id: str, sign_count: int, at: str) -> bool:
    """Move the passkey's signature counter on (a counter that goes back means a cloned key:
    refused). Authenticators that keep no counter report 0 every time."""
    expression = Expression(count=sign_count, at=at)
    member = f"passkeys.{expression.name(credential_id)}"
    update = f"SET {member}.sign_count = :count, {member}.last_used_at = :at"
    condition = f"attribute_exists({member})"
    if sign_count:
        condition += f" AND {member}.sign_count < :count"
    try:
        dynamodb.update_item(STAFF, {"staff_id": staff_id}, expression, update, condition=condition)
    except ConditionFailed:
        return False
    return True


def staff_remove_passkey(staff_id: str, credential_id: str) -> None:
    expression = Expression()
    dynamodb.update_item(
        STAFF,
        {"staff_id": staff_id},
        expression,
        f"REMOVE passkeys.{expression.name(credential_id)}",
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


def staff_signed_in(staff_id: str, at: str) -> None:
    expression = Expression()
    update = expression.update({"last_sign_in_at": at})
    dynamodb.update_item(STAFF, {"staff_id": staff_id}, expression, update)


def staff_set_preference(staff_id: str, name: str, value: str) -> None:
    """Small per-person preferences (the admin's last audit hospital, say)."""
    expression = Expression()
    update = expression.update({f"pref_{name}": value})
    dynamodb.update_item(
        STAFF, {"staff_id": staff_id}, expression, update, condition="attribute_exists(email)"
    )


def staff_preference(staff_id: str, name: str) -> str | None:
    item = dynamodb.get_item(STAFF, {"staff_id": staff_id})
    return (item or {}).get(f"pref_{name}")


def staff_get(staff_id: str, *, consistent: bool = False) -> Staff | None:
    item = dynamodb.get_item(STAFF, {"staff_id": staff_id}, consistent=consistent)
    return _staff_from_item(item) if item and "email" in item else None


def staff_get_by_email(email: str) -> Staff | None:
    items = dynamodb.query_key(STAFF, "email", normalize_email(email), index="by-email", limit=1)
    return _staff_from_item(items[0]) if items else None


def staff_get_many(staff_ids: set[str] | frozenset[str]) -> dict[str, Staff]:
    keys = [{"staff_id": s} for s in sorted(staff_ids)]
    items = dynamodb.batch_get({STAFF: keys})[STAFF.name] if keys else []
    return {staff.staff_id: staff for staff in map(_staff_from_item, items)}


def staff_of_organization(organization_id: str) -> list[dict[str, Any]]:
    """Everyone of an organization, active or not (the by-organization index)."""
    items, _ = dynamodb.query_all(
        TableName=dynamodb.table_name(STAFF),
        IndexName="by-organization",
        KeyConditionExpression="organization_id = :org",
        **Expression(org=organization_id).params(),
    )
    return sorted(map(staff_summary_from_item, items), key=lambda s: s["name"].lower())


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
THROTTLE_PAIR = "pair#{}"  # one account from one address
THROTTLE_ACCOUNT = "account#{}"
THROTTLE_ADDRESS = "address#{}"
THROTTLE_FACTOR = "factor#{}"  # second-factor codes of one staff member


def throttle_counts(keys: list[str]) -> dict[str, dict[str, int]]:
    """Live counters by key (failures, expires_at, locked_until); expired ones read as absent."""
    items = dynamodb.batch_get(
        {LOGIN_THROTTLE: [{"throttle_key": k} for k in keys]}, consistent=True
    )[LOGIN_THROTTLE.name]
    now = clock.now_epoch()
    return {i["throttle_key"]: i for i in items if not dynamodb.expired(i, now)}


def throttle_add_failure(key: str, window_seconds: int) -> dict[str, int]:
    """Count one failed attempt in the key's window (a new window when none is live); the
    counter after the change."""
    now = clock.now_epoch()
    expression = Expression(now=now)
    update = expression.update(add={"failures": 1})
    try:
        return dynamodb.update_item(
            LOGIN_THROTTLE,
            {"throttle_key": key},
            expression,
            update,
            condition=LIVE,
            return_new=True,
        )
    except ConditionFailed:
        pass
    item = {"throttle_key": key, "failures": 1, "expires_at": now + window_seconds}
    dynamodb.put_item(LOGIN_THROTTLE, item)
    return item


def throttle_lock(key: str, until: int, expires_at: int) -> None:
    """Hold the key back until `until`; the counter lives at least as long."""
    expression = Expression()
    update = expression.update({"locked_until": until, "expires_at": max(until, expires_at)})
    dynamodb.update_item(LOGIN_THROTTLE, {"throttle_key": key}, expression, update)


def throttle_clear(key: str) -> None:
    dynamodb.delete_item(LOGIN_THROTTLE, {"throttle_key": key})


# Registrations through the public form, counted in fixed windows (the window's start is part of
# the key, so a key is never reused after its window; TTL removes it). The address is a keyed
# hash, never the address itself.
THROTTLE_REGISTRATIONS_ADDRESS = "register#address#{hospital_id}#{address_hash}#{window}"
THROTTLE_REGISTRATIONS_HOSPITAL = "register#hospital#{hospital_id}#{window}"
THROTTLE_WRONG_CODES = "register#code#{hospital_id}#{address_hash}#{window}"


def throttle_count_action(key: str, *, limit: int, expires_at: int) -> dict[str, Any]:
    """One more event on a window's counter, as an action of the transaction that does the
    counted thing: its condition fails once the window holds `limit` events, so the whole
    transaction is cancelled and nothing at all is written beyond the limit."""
    expression = Expression(limit=limit, one=1, exp=expires_at)
    return dynamodb.update_action(
        LOGIN_THROTTLE,
        {"throttle_key": key},
        expression,
        "SET expires_at = if_not_exists(expires_at, :exp) ADD events :one",
        condition="attribute_not_exists(events) OR events < :limit",
    )


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


def device_from_item(item: dict[str, Any]) -> Device | None:
    """A device link; None for another kind of device in the table (kiosks: intake's)."""
    if item.get("kind") not in DeviceKind._value2member_map_:
        return None
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


def device_revoke(
    device_id: str, hospital_id: str, kind: DeviceKind, when: str, by_name: str
) -> Device | None:
    """Revoke a device of this hospital and kind, once: None when there is no such live
    device (a kiosk is not a display: a display's page cannot switch one off)."""
    expression = Expression(hid=hospital_id, kind=kind.value)
    update = expression.update({"revoked_at": when, "revoked_by_name": by_name})
    kind_name = expression.name("kind")
    try:
        item = dynamodb.update_item(
            DEVICES,
            {"device_id": device_id},
            expression,
            update,
            condition=(
                f"hospital_id = :hid AND {kind_name} = :kind AND attribute_not_exists(revoked_at)"
            ),
            return_new=True,
        )
    except ConditionFailed:
        return None
    return device_from_item(item)
