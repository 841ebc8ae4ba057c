"""Intake sessions, idempotency records and kiosks in DynamoDB, and the transactions that
register a patient, report feeling worse or having left, and end an intake session (patients'
items come from patients.repository, counters from accounts.repository).

Key formats of the intake-sessions and idempotency tables live here, and the kiosk items of the
devices table. The devices table holds every device that works without a staff session; each
item says its `kind`, and each kind's owner reads and writes only its own kind:

    device_id        S   key: 32 random hex digits
    kind             S   "kiosk" (this module) | "display" (waiting-room displays, cockpit)
    hospital_id      S   by-hospital index partition key
    created_at       S   ISO-8601 UTC; by-hospital index sort key
    name             S   what staff call the device ("Lobby kiosk 1")
    created_by       S   staff id of the admin who made it
  kiosk only:
    link_hash        S   SHA-256 of the one-time enrolment link's secret (removed once used)
    link_expires_at  N   epoch seconds: the link works until then, and once
    enrolled_at      S   when the device opened its link (then it is the kiosk)
    device_hash      S   SHA-256 of the secret the kiosk's cookie holds
    revoked_at       S   set when an admin revokes it: the cookie stops working at once
    revoked_by       S   staff id
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from accounts import repository as accounts_repository
from audit import repository as audit_repository
from audit.domain import AuditEntry
from intake.domain import (
    IDEMPOTENCY_SECONDS,
    IntakeSession,
    IntakeSessionEnded,
    Kiosk,
    KioskLinkInvalid,
    RegistrationLimited,
    WorseReportedRecently,
)
from patients import repository as patients_repository
from patients.domain import AlertReason, EncounterEvent, Patient, counts_delta
from solace import clock, dynamodb
from solace.dynamodb import EXPIRED, LIVE, Expression, TransactionCancelled
from solace.tables import DEVICES, IDEMPOTENCY, INTAKE_SESSIONS

# --- Key formats ------------------------------------------------------------------------------
IDEMPOTENCY_KEY = "{hospital_id}#{key}"  # idempotency keys are scoped per hospital
SESSION_KEY = "nonce"  # the intake-sessions table's key attribute (its first name)
KIOSK = "kiosk"  # the devices table's `kind` of a kiosk


def scoped_idempotency_key(hospital_id: str, key: str) -> str:
    return IDEMPOTENCY_KEY.format(hospital_id=hospital_id, key=key)


def _session_key(session_id: str) -> dict[str, str]:
    return {SESSION_KEY: session_id}


# --- Intake sessions --------------------------------------------------------------------------
def _session_from_item(item: dict[str, Any]) -> IntakeSession:
    return IntakeSession(
        session_id=item[SESSION_KEY],
        hospital_id=item["hospital_id"],
        idempotency_key=item["idempotency_key"],
        expires_at=item["expires_at"],
        patient_id=item.get("patient_id"),
        check_in_code=item.get("check_in_code"),
        given_name=item.get("given_name"),
        worse_reported_at=item.get("worse_reported_at"),
        front_desk_now=bool(item.get("front_desk_now")),
        kiosk_id=item.get("kiosk_id"),
    )


def _session_to_item(session: IntakeSession) -> dict[str, Any]:
    item = asdict(session)
    item[SESSION_KEY] = item.pop("session_id")
    return item


def intake_session_get(session_id: str) -> IntakeSession | None:
    """The live session, or None when absent or expired (TTL deletes only eventually)."""
    item = dynamodb.get_item(INTAKE_SESSIONS, _session_key(session_id), consistent=True)
    return None if dynamodb.expired(item, clock.now_epoch()) else _session_from_item(item)


def intake_session_and_patient(
    session_id: str, patient_id: str
) -> tuple[IntakeSession | None, Patient | None]:
    """The live session and the patient's record in ONE BatchGetItem (the status page and its
    every poll). A session is None when absent or expired (ended with "Done")."""
    table, patient_key = patients_repository.patient_get_action(patient_id)
    found = dynamodb.batch_get(
        {INTAKE_SESSIONS: [_session_key(session_id)], table: [patient_key]}, consistent=True
    )
    sessions = found[INTAKE_SESSIONS.name]
    patients = found[table.name]
    session_item = sessions[0] if sessions else None
    session = (
        None
        if dynamodb.expired(session_item, clock.now_epoch())
        else _session_from_item(session_item)
    )
    patient = patients_repository.patient_from_item(patients[0]) if patients else None
    return session, patient


def intake_session_end(session_id: str, audit_entry: AuditEntry) -> bool:
    """End a live session now ("Done"): its cookie no longer opens the status page or reports
    anything, on this device or any other. False when it had already ended."""
    now = clock.now_epoch()
    expression = Expression(now=now)
    try:
        dynamodb.transact_write(
            [
                (
                    "session",
                    dynamodb.update_action(
                        INTAKE_SESSIONS,
                        _session_key(session_id),
                        expression,
                        "SET expires_at = :now, ended_at = :now",
                        condition=f"attribute_exists({SESSION_KEY}) AND {LIVE}",
                    ),
                ),
                ("audit", audit_repository.put_action(audit_entry)),
            ]
        )
    except TransactionCancelled as exc:
        if exc.failed("session"):
            return False
        raise
    return True


# --- Registration: one transaction ------------------------------------------------------------
class StoredRegistration(Exception):
    """The idempotency key is already taken; `record` is what was stored with it."""

    def __init__(self, record: dict[str, Any]):
        super().__init__("idempotency key already used")
        self.record = record


def register(
    *,
    session: IntakeSession | None,
    idempotency_key: str,
    payload_hash: str,
    location: str,
    patient: Patient,
    events: list[EncounterEvent],
    audit_entry: AuditEntry,
    limits: tuple[tuple[str, str, int, int], ...] = (),
) -> None:
    """Commit a registration in ONE TransactWriteItems, or raise without writing anything. A
    registration from the public form also creates its intake session (`session`: once per
    session id) and counts itself in the window's counters (`limits`: scope, key, limit, expiry
    of each; a counter at its limit cancels the whole transaction). One by staff has neither.

    StoredRegistration: the key was used before (its record comes back in the cancellation
    reasons: no extra read). IntakeSessionEnded: this intake session already registered.
    RegistrationLimited: a counter is at its limit. TransactionCancelled: a concurrent
    transaction conflicted; the caller retries.
    """
    now = clock.now_epoch()
    record = {
        "idempotency_key": scoped_idempotency_key(patient.hospital_id, idempotency_key),
        "payload_hash": payload_hash,
        "patient_id": patient.patient_id,
        "location": location,
        "created_at": now,
        "expires_at": now + IDEMPOTENCY_SECONDS,
    }
    actions = [
        (
            "idempotency",
            dynamodb.put_action(
                IDEMPOTENCY,
                record,
                # Absent, or left over past its expiry: TTL deletes only eventually.
                condition=f"attribute_not_exists(idempotency_key) OR {EXPIRED}",
                expression=Expression(now=now),
            ),
        ),
        ("patient", patients_repository.patient_put_action(patient)),
        *[
            (f"event{i}", patients_repository.event_put_action(e, patient.hospital_id))
            for i, e in enumerate(events)
        ],
        ("audit", audit_repository.put_action(audit_entry)),
        # The hospital's queue version and counters move with the arrival (a hot item: a
        # concurrent registration can cancel this with TransactionConflict; the caller retries).
        (
            "queue",
            patients_repository.queue_state_action(
                patient.hospital_id, counts_delta(None, patient), patient.created_at
            ),
        ),
    ]
    if session is not None:
        actions.append(
            (
                "session",
                # One intake session registers one patient, ever.
                dynamodb.put_action(
                    INTAKE_SESSIONS,
                    _session_to_item(session),
                    condition=f"attribute_not_exists({SESSION_KEY})",
                ),
            )
        )
    for scope, key, limit, expires_at in limits:
        actions.append(
            (
                f"limit:{scope}",
                accounts_repository.throttle_count_action(key, limit=limit, expires_at=expires_at),
            )
        )
    try:
        dynamodb.transact_write(actions)
    except TransactionCancelled as exc:
        if exc.failed("idempotency"):
            raise StoredRegistration(exc.item("idempotency") or {}) from exc
        if exc.failed("session"):
            raise IntakeSessionEnded from exc
        for scope, *_ in limits:
            if exc.failed(f"limit:{scope}"):
                raise RegistrationLimited(scope) from exc
        raise


def idempotency_get(hospital_id: str, idempotency_key: str) -> dict[str, Any] | None:
    key = {"idempotency_key": scoped_idempotency_key(hospital_id, idempotency_key)}
    item = dynamodb.get_item(IDEMPOTENCY, key, consistent=True)
    return None if dynamodb.expired(item, clock.now_epoch()) else item


def count_attempt(key: str, *, limit: int, expires_at: int) -> bool:
    """Count one attempt (a wrong waiting-room code) in a window's counter; False, writing
    nothing, once the window holds `limit`."""
    action = accounts_repository.throttle_count_action(key, limit=limit, expires_at=expires_at)
    try:
        dynamodb.transact_write([("counter", action)])
    except TransactionCancelled as exc:
        if exc.failed("counter"):
            return False
        raise
    return True


# --- What the patient reports from the status page --------------------------------------------
def _patient_report(
    patient_id: str,
    event: EncounterEvent,
    set_values: dict,
    condition: str,
    *,
    row: dict[str, Any],
    alert_at: str | None = None,
):
    """The patient item's side of a report, without reading the patient first: new version,
    the queue row's copy of what changed (`row`), a pinned rank for an alert; only while in the
    department. The caller's transaction also advances the hospital's queue state."""
    return patients_repository.patient_report_action(
        patient_id,
        {**set_values, "updated_at": event.time, "updated_by": event.actor_id},
        row=row,
        alert_at=alert_at,
        condition=condition,
    )


def report_worse(
    *,
    session_id: str,
    hospital_id: str,
    patient_id: str,
    every_seconds: int,
    event: EncounterEvent,
    audit_entry: AuditEntry,
) -> None:
    """Flag the patient in the queue, at most once per `every_seconds` per intake session.
    The alert pins them on top of the queue (its rank and row change with it) and advances
    the hospital's queue version, without reading the patient first."""
    now = clock.now_epoch()
    session = Expression(now=now, pid=patient_id, cutoff=now - every_seconds)
    actions = [
        (
            "session",
            dynamodb.update_action(
                INTAKE_SESSIONS,
                _session_key(session_id),
                session,
                "SET worse_reported_at = :now",
                condition=f"attribute_exists({SESSION_KEY}) AND {LIVE} AND patient_id = :pid "
                "AND (attribute_not_exists(worse_reported_at) OR worse_reported_at <= :cutoff)",
                return_old=True,
            ),
        ),
        (
            "patient",
            # Only while the patient is still in the department (in the queue). The alert pins
            # them on top of the queue: its rank and row change with it.
            _patient_report(
                patient_id,
                event,
                {
                    "worse_reported_at": event.time,
                    "updated_by_name": "the patient (reported feeling worse)",
                    "alert": AlertReason.FEELS_WORSE.value,
                    "alert_at": event.time,
                },
                "",
                row={"alert": AlertReason.FEELS_WORSE.value, "alert_at": event.time, "worse": True},
                alert_at=event.time,
            ),
        ),
        *_report_record(hospital_id, event, audit_entry),
    ]
    try:
        patients_repository.transact_with_retries(actions)
    except TransactionCancelled as exc:
        # A closed visit first: "the team knows you feel worse" would be wrong then.
        if exc.failed("patient"):
            raise IntakeSessionEnded from exc
        reported_at = (exc.item("session") or {}).get("worse_reported_at")
        if exc.failed("session") and reported_at and reported_at > now - every_seconds:
            raise WorseReportedRecently(now - reported_at) from exc
        if exc.failed("session"):
            raise IntakeSessionEnded from exc
        raise


def _report_record(hospital_id: str, event: EncounterEvent, audit_entry: AuditEntry):
    """What every report from a status page writes besides the session and the patient: the
    timeline event, the audit entry, and the hospital's queue version (screens re-render)."""
    return [
        ("event", patients_repository.event_put_action(event, hospital_id)),
        ("audit", audit_repository.put_action(audit_entry)),
        ("queue", patients_repository.queue_state_action(hospital_id, {}, event.time)),
    ]


def report_left(
    *,
    session_id: str,
    hospital_id: str,
    patient_id: str,
    event: EncounterEvent,
    audit_entry: AuditEntry,
) -> bool:
    """The patient says they have left: a flag on the queue row (staff decide what it means),
    and the hospital's queue version advances. False when it was already reported;
    IntakeSessionEnded when the session ended or the visit is closed."""
    now = clock.now_epoch()
    session = Expression(now=now, pid=patient_id)
    actions = [
        (
            "session",
            dynamodb.update_action(
                INTAKE_SESSIONS,
                _session_key(session_id),
                session,
                "SET left_reported_at = :now",
                condition=f"attribute_exists({SESSION_KEY}) AND {LIVE} AND patient_id = :pid",
            ),
        ),
        (
            "patient",
            _patient_report(
                patient_id,
                event,
                {
                    "left_reported_at": event.time,
                    "updated_by_name": "the patient (said they have left)",
                },
                " AND attribute_not_exists(left_reported_at)",
                row={"left_reported_at": event.time},
            ),
        ),
        *_report_record(hospital_id, event, audit_entry),
    ]
    try:
        patients_repository.transact_with_retries(actions)
    except TransactionCancelled as exc:
        if exc.failed("session"):
            raise IntakeSessionEnded from exc
        if exc.failed("patient"):
            current = patients_repository.patient_get(patient_id, consistent=True)
            if current is not None and current.in_queue and current.left_reported_at:
                return False
            raise IntakeSessionEnded from exc
        raise
    return True


# --- Kiosks (devices of kind "kiosk") ---------------------------------------------------------
def _kiosk_from_item(item: dict[str, Any]) -> Kiosk:
    return Kiosk(
        device_id=item["device_id"],
        hospital_id=item["hospital_id"],
        name=item["name"],
        created_at=item["created_at"],
        created_by=item["created_by"],
        link_expires_at=item.get("link_expires_at", 0),
        enrolled_at=item.get("enrolled_at"),
        revoked_at=item.get("revoked_at"),
        link_hash=item.get("link_hash", ""),
        device_hash=item.get("device_hash", ""),
    )


_NEW_DEVICE = "attribute_not_exists(device_id)"


def kiosk_insert(kiosk: Kiosk, audit_entry: AuditEntry) -> None:
    item = {
        "device_id": kiosk.device_id,
        "kind": KIOSK,
        "hospital_id": kiosk.hospital_id,
        "name": kiosk.name,
        "created_at": kiosk.created_at,
        "created_by": kiosk.created_by,
        "link_hash": kiosk.link_hash,
        "link_expires_at": kiosk.link_expires_at,
    }
    dynamodb.transact_write(
        [
            ("kiosk", dynamodb.put_action(DEVICES, item, condition=_NEW_DEVICE)),
            ("audit", audit_repository.put_action(audit_entry)),
        ]
    )


def kiosk_get(device_id: str) -> Kiosk | None:
    item = dynamodb.get_item(DEVICES, {"device_id": device_id})
    return _kiosk_from_item(item) if item and item.get("kind") == KIOSK else None


def kiosks_of_hospital(hospital_id: str) -> list[Kiosk]:
    """A hospital's kiosks, newest first (devices of other kinds share the index: few items)."""
    items, _ = dynamodb.query_all(
        TableName=dynamodb.table_name(DEVICES),
        IndexName="by-hospital",
        KeyConditionExpression="hospital_id = :h",
        ScanIndexForward=False,
        **Expression(h=hospital_id).params(),
    )
    return [_kiosk_from_item(i) for i in items if i.get("kind") == KIOSK]


def kiosk_enrol(
    device_id: str, *, link_hash: str, device_hash: str, now_iso: str, audit_entry: AuditEntry
) -> None:
    """The link is used: the device's secret replaces it. KioskLinkInvalid when the link is
    wrong, used, expired or revoked."""
    expression = Expression(
        kind=KIOSK, link=link_hash, device=device_hash, at=now_iso, now=clock.now_epoch()
    )
    try:
        dynamodb.transact_write(
            [
                (
                    "kiosk",
                    dynamodb.update_action(
                        DEVICES,
                        {"device_id": device_id},
                        expression,
                        "SET enrolled_at = :at, device_hash = :device REMOVE link_hash",
                        condition="kind = :kind AND link_hash = :link "
                        "AND link_expires_at > :now AND attribute_not_exists(enrolled_at) "
                        "AND attribute_not_exists(revoked_at)",
                    ),
                ),
                ("audit", audit_repository.put_action(audit_entry)),
            ]
        )
    except TransactionCancelled as exc:
        if exc.failed("kiosk"):
            raise KioskLinkInvalid from exc
        raise


def kiosk_revoke(device_id: str, *, staff_id: str, now_iso: str, audit_entry: AuditEntry) -> bool:
    """Revoke a kiosk (its link and its cookie stop working). False when already revoked."""
    expression = Expression(kind=KIOSK, at=now_iso, by=staff_id)
    try:
        dynamodb.transact_write(
            [
                (
                    "kiosk",
                    dynamodb.update_action(
                        DEVICES,
                        {"device_id": device_id},
                        expression,
                        "SET revoked_at = :at, revoked_by = :by REMOVE link_hash",
                        condition="kind = :kind AND attribute_not_exists(revoked_at)",
                    ),
                ),
                ("audit", audit_repository.put_action(audit_entry)),
            ]
        )
    except TransactionCancelled as exc:
        if exc.failed("kiosk"):
            return False
        raise
    return True
