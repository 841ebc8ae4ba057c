"""Intake writes: start an intake session, register exactly once, report feeling worse."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
import uuid
from dataclasses import asdict
from typing import Any

from audit.domain import Action, Actor, RequestContext
from audit.services import audit_entry
from intake import repository, triage
from intake.domain import (
    INTAKE_SESSION_SECONDS,
    WORSE_REPORT_EVERY_SECONDS,
    EncounterEvent,
    EventType,
    IdempotencyKeyReused,
    IntakeAnswers,
    IntakeSession,
    IntakeSessionEnded,
    Registration,
    Status,
    age_in_days,
    age_in_years,
    match_key,
    new_check_in_code,
    plausible_nonce,
)
from solace import clock
from solace.domain import Hospital
from solace.dynamodb import DataStoreError, TransactionCancelled

logger = logging.getLogger(__name__)

# A concurrent duplicate can make DynamoDB cancel a transaction with TransactionConflict.
# Retry a few times with a short, jittered pause; the winner's record is then there to replay.
CONFLICT_RETRIES = 4
CONFLICT_PAUSE_SECONDS = 0.05


def intake_session_start(hospital: Hospital) -> IntakeSession:
    session = IntakeSession(
        nonce=secrets.token_urlsafe(32),
        hospital_id=hospital.hospital_id,
        idempotency_key=str(uuid.uuid4()),
        expires_at=clock.now_epoch() + INTAKE_SESSION_SECONDS,
    )
    repository.intake_session_insert(session)
    return session


def payload_hash(answers: IntakeAnswers) -> str:
    canonical = json.dumps(answers.normalized(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def new_event(
    patient_id: str,
    type_: EventType,
    time: str,
    actor: Actor,
    data: dict | None = None,
    seq: int = 0,
) -> EncounterEvent:
    """An encounter event; `seq` orders events written in one transaction at the same time."""
    return EncounterEvent(
        patient_id=patient_id,
        event_id=repository.EVENT_ID.format(time=time, suffix=f"{seq}{uuid.uuid4().hex[:8]}"),
        type=type_,
        time=time,
        actor_id=actor.id,
        actor_role=actor.role,
        data=data or {},
    )


def suggestion_to_data(suggestion: triage.Suggestion) -> dict[str, Any]:
    return {
        "level": suggestion.level,
        "reasons": [asdict(r) for r in suggestion.reasons],
        "engine_version": suggestion.engine_version,
        "resources": list(suggestion.resources),
    }


def triage_input(answers: IntakeAnswers, age_days: int, vitals=None) -> triage.TriageInput:
    return triage.TriageInput(
        age_days=age_days,
        sex=answers.sex,
        chief_complaint=answers.chief_complaint,
        symptoms=frozenset(answers.symptoms),
        pain_score=answers.pain_score,
        pregnant={"yes": True, "no": False}.get(answers.pregnant),
        vitals=vitals,
    )


def _patient_item(
    hospital: Hospital, patient_id: str, answers: IntakeAnswers, suggestion, now_iso: str
) -> dict[str, Any]:
    today = clock.parse_iso(now_iso).date()
    flags = ["allergies"] if answers.allergies.strip() else []
    return {
        "patient_id": patient_id,
        "hospital_id": hospital.hospital_id,
        "organization_id": hospital.organization_id,
        "queue_hospital_id": hospital.hospital_id,  # in the live queue until disposition
        "created_at": now_iso,
        "updated_at": now_iso,
        "status": Status.WAITING.value,
        "check_in_code": new_check_in_code(),
        "match_key": match_key(answers.family_name, answers.date_of_birth),
        "age_days": age_in_days(answers.date_of_birth, today),
        "age_years": age_in_years(answers.date_of_birth, today),
        **{k: v for k, v in answers.normalized().items() if v not in ("", None, [])},
        "suggested_level": suggestion.level,
        "triage": suggestion_to_data(suggestion),
        "flags": flags or None,
        "version": 1,
    }


def intake_register(
    *,
    hospital: Hospital,
    nonce: str,
    idempotency_key: str,
    answers: IntakeAnswers,
    location: str,
    context: RequestContext,
) -> Registration:
    """Register exactly once per idempotency key: a retry replays the first answer.

    Raises IdempotencyKeyReused (same key, other answers) or IntakeSessionEnded.
    """
    if not plausible_nonce(nonce):
        raise IntakeSessionEnded
    digest = payload_hash(answers)
    actor = Actor.intake_session(nonce)
    for attempt in range(CONFLICT_RETRIES + 1):
        now_iso = clock.utc_now_iso()
        patient_id = uuid.uuid4().hex
        age_days = age_in_days(answers.date_of_birth, clock.parse_iso(now_iso).date())
        suggestion = triage.suggest(triage_input(answers, age_days))
        item = _patient_item(hospital, patient_id, answers, suggestion, now_iso)
        events = [
            new_event(patient_id, EventType.ARRIVED, now_iso, actor),
            new_event(
                patient_id,
                EventType.TRIAGE_SUGGESTED,
                now_iso,
                actor,
                suggestion_to_data(suggestion),
                seq=1,
            ),
        ]
        entry = audit_entry(
            hospital_id=hospital.hospital_id,
            actor=actor,
            action=Action.INTAKE_SUBMITTED,
            context=context,
            patient_id=patient_id,
            time=now_iso,
        )
        try:
            repository.register(
                nonce=nonce,
                hospital_id=hospital.hospital_id,
                idempotency_key=idempotency_key,
                payload_hash=digest,
                location=location,
                patient_item=item,
                events=events,
                audit_entry=entry,
            )
            return Registration(patient_id=patient_id, location=location)
        except repository.StoredRegistration as stored:
            return _replay(stored.record, digest)
        except TransactionCancelled as cancelled:
            if not cancelled.only_conflicts:
                raise DataStoreError("registration transaction cancelled") from cancelled
            if attempt == CONFLICT_RETRIES:
                break
            time.sleep(
                CONFLICT_PAUSE_SECONDS * (attempt + 1) * (0.5 + secrets.randbelow(100) / 100)
            )
    # Still conflicting: the concurrent winner has committed by now; replay it.
    record = repository.idempotency_get(hospital.hospital_id, idempotency_key)
    if record is None:
        raise IntakeSessionEnded
    return _replay(record, digest)


def _replay(record: dict[str, Any], digest: str) -> Registration:
    if record.get("payload_hash") != digest:
        raise IdempotencyKeyReused
    return Registration(patient_id=record["patient_id"], location=record["location"], replayed=True)


def intake_report_worse(
    *, hospital: Hospital, session: IntakeSession, context: RequestContext
) -> None:
    """Flag the patient as feeling worse (at most once per 10 minutes). Audited."""
    if not session.registered:
        raise IntakeSessionEnded
    actor = Actor.intake_session(session.nonce)
    now_iso = clock.utc_now_iso()
    repository.report_worse(
        nonce=session.nonce,
        patient_id=session.patient_id,
        every_seconds=WORSE_REPORT_EVERY_SECONDS,
        event=new_event(session.patient_id, EventType.WORSE_REPORTED, now_iso, actor),
        audit_entry=audit_entry(
            hospital_id=hospital.hospital_id,
            actor=actor,
            action=Action.WORSE_REPORTED,
            context=context,
            patient_id=session.patient_id,
            time=now_iso,
        ),
    )
