"""Intake sessions and idempotency records in DynamoDB, and the transactions that register a
patient and report feeling worse (patients' items come from patients.repository).

Key formats of the intake-sessions and idempotency tables live here.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from audit import repository as audit_repository
from audit.domain import AuditEntry
from intake.domain import (
    IDEMPOTENCY_SECONDS,
    IntakeSession,
    IntakeSessionEnded,
    WorseReportedRecently,
)
from patients import repository as patients_repository
from patients.domain import AlertReason, EncounterEvent, Patient, counts_delta
from solace import clock, dynamodb
from solace.dynamodb import EXPIRED, LIVE, Expression, TransactionCancelled
from solace.tables import IDEMPOTENCY, INTAKE_SESSIONS, PATIENTS

# --- Key formats ------------------------------------------------------------------------------
IDEMPOTENCY_KEY = "{hospital_id}#{key}"  # idempotency keys are scoped per hospital
SESSION_KEY = "nonce"  # the intake-sessions table's key attribute (its first name)


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
    )


def intake_session_insert(session: IntakeSession) -> None:
    item = asdict(session)
    item[SESSION_KEY] = item.pop("session_id")
    dynamodb.put_item(INTAKE_SESSIONS, item, condition=f"attribute_not_exists({SESSION_KEY})")


def intake_session_get(session_id: str) -> IntakeSession | None:
    """The live session, or None when absent or expired (TTL deletes only eventually)."""
    item = dynamodb.get_item(INTAKE_SESSIONS, _session_key(session_id), consistent=True)
    return None if dynamodb.expired(item, clock.now_epoch()) else _session_from_item(item)


# --- Registration: one transaction ------------------------------------------------------------
class StoredRegistration(Exception):
    """The idempotency key is already taken; `record` is what was stored with it."""

    def __init__(self, record: dict[str, Any]):
        super().__init__("idempotency key already used")
        self.record = record


def register(
    *,
    session_id: str | None,
    idempotency_key: str,
    payload_hash: str,
    location: str,
    patient: Patient,
    events: list[EncounterEvent],
    audit_entry: AuditEntry,
) -> None:
    """Commit a registration in ONE TransactWriteItems, or raise without writing anything. A
    registration from the public form also marks its intake session used (`session_id`); one
    by staff has none.

    StoredRegistration: the key was used before (its record comes back in the cancellation
    reasons: no extra read). IntakeSessionEnded: the intake session is gone or used.
    TransactionCancelled: a concurrent transaction conflicted; the caller retries.
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
                return_old=True,
            ),
        ),
        ("patient", patients_repository.patient_put_action(patient)),
        *[(f"event{i}", patients_repository.event_put_action(e)) for i, e in enumerate(events)],
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
    if session_id is not None:
        actions.append(("session", _session_used_action(session_id, patient, now)))
    try:
        dynamodb.transact_write(actions)
    except TransactionCancelled as exc:
        if exc.failed("idempotency"):
            raise StoredRegistration(exc.item("idempotency") or {}) from exc
        if exc.failed("session"):
            raise IntakeSessionEnded from exc
        raise


def _session_used_action(session_id: str, patient: Patient, now: int) -> dict[str, Any]:
    """The intake session remembers who registered (for its status page), once, while live."""
    front_desk_now = bool(patient.triage.get("front_desk_now"))
    session = Expression(
        pid=patient.patient_id,
        code=patient.check_in_code,
        given=patient.given_name,
        desk=front_desk_now,
        hid=patient.hospital_id,
        now=now,
    )
    return dynamodb.update_action(
        INTAKE_SESSIONS,
        _session_key(session_id),
        session,
        "SET patient_id = :pid, check_in_code = :code, given_name = :given, front_desk_now = :desk",
        condition=f"attribute_exists({SESSION_KEY}) AND hospital_id = :hid "
        f"AND {LIVE} AND attribute_not_exists(patient_id)",
    )


def idempotency_get(hospital_id: str, idempotency_key: str) -> dict[str, Any] | None:
    key = {"idempotency_key": scoped_idempotency_key(hospital_id, idempotency_key)}
    item = dynamodb.get_item(IDEMPOTENCY, key, consistent=True)
    return None if dynamodb.expired(item, clock.now_epoch()) else item


# --- "My symptoms got worse" ------------------------------------------------------------------
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
    patient = Expression(one=1)
    row = patient.name("queue_row")
    alert, alert_at = AlertReason.FEELS_WORSE.value, event.time
    patient_update = (
        patient.update(
            {
                "worse_reported_at": event.time,
                "updated_at": event.time,
                "updated_by": event.actor_id,
                "updated_by_name": "the patient (reported feeling worse)",
                "alert": alert,
                "alert_at": alert_at,
                "queue_rank": f"0#{alert_at}",  # as patients.domain.queue_rank ranks an alert
            }
        )
        + f", {patient.name('version')} = {patient.name('version')} + :one"
        + f", {row}.{patient.name('version')} = {patient.name('version')} + :one"
        + f", {row}.{patient.name('alert')} = {patient.value(alert)}"
        + f", {row}.{patient.name('alert_at')} = {patient.value(alert_at)}"
        + f", {row}.{patient.name('worse')} = {patient.value(True)}"
    )
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
            dynamodb.update_action(
                PATIENTS,
                {"patient_id": patient_id},
                patient,
                patient_update,
                # Only while the patient is still in the department (in the queue).
                condition="attribute_exists(queue_hospital_id) AND attribute_exists(queue_row)",
            ),
        ),
        ("event", patients_repository.event_put_action(event)),
        ("audit", audit_repository.put_action(audit_entry)),
        ("queue", patients_repository.queue_state_action(hospital_id, {}, event.time)),
    ]
    try:
        patients_repository.transact_with_retries(actions)
    except TransactionCancelled as exc:
        reported_at = (exc.item("session") or {}).get("worse_reported_at")
        if exc.failed("session") and reported_at and reported_at > now - every_seconds:
            raise WorseReportedRecently(now - reported_at) from exc
        if exc.failed("session") or exc.failed("patient"):
            raise IntakeSessionEnded from exc
        raise
