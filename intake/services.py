"""Intake writes: start an intake session, register exactly once, report feeling worse."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
import uuid
from dataclasses import replace
from typing import Any

import triage
from accounts.domain import Hospital
from audit.domain import Action
from audit.services import audit_entry
from intake import repository
from intake.domain import (
    INTAKE_SESSION_SECONDS,
    WORSE_REPORT_EVERY_SECONDS,
    IdempotencyKeyReused,
    IntakeAnswers,
    IntakeSession,
    IntakeSessionEnded,
    Registration,
    plausible_session_id,
)
from patients.domain import (
    EventType,
    Patient,
    Status,
    age_in_days,
    match_key,
    new_check_in_code,
    new_event,
)
from solace import clock, metrics
from solace.context import Actor, RequestContext
from solace.dynamodb import DataStoreError, TransactionCancelled

logger = logging.getLogger(__name__)

# A concurrent duplicate can make DynamoDB cancel a transaction with TransactionConflict.
# Retry a few times with a short, jittered pause; the winner's record is then there to replay.
CONFLICT_RETRIES = 4
CONFLICT_PAUSE_SECONDS = 0.05


def intake_session_start(hospital: Hospital) -> IntakeSession:
    session = IntakeSession(
        session_id=secrets.token_urlsafe(32),
        hospital_id=hospital.hospital_id,
        idempotency_key=str(uuid.uuid4()),
        expires_at=clock.now_epoch() + INTAKE_SESSION_SECONDS,
    )
    repository.intake_session_insert(session)
    return session


def payload_hash(answers: IntakeAnswers) -> str:
    canonical = json.dumps(answers.normalized(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _new_patient(
    hospital: Hospital, patient_id: str, answers: IntakeAnswers, now_iso: str
) -> Patient:
    """The record of a new arrival, with the triage suggestion for what the patient said."""
    patient = Patient(
        patient_id=patient_id,
        hospital_id=hospital.hospital_id,
        organization_id=hospital.organization_id,
        created_at=now_iso,
        updated_at=now_iso,
        check_in_code=new_check_in_code(),
        status=Status.WAITING,
        version=1,
        age_days=age_in_days(answers.date_of_birth, clock.parse_iso(now_iso).date()),
        sex=answers.sex,
        suggested_level=5,
        triage={},
        given_name=answers.given_name,
        family_name=answers.family_name,
        date_of_birth=answers.date_of_birth,
        chief_complaint=answers.chief_complaint,
        symptoms=tuple(sorted(answers.symptoms)),
        pain_score=answers.pain_score,
        phone=answers.phone,
        onset=answers.onset,
        pregnant=answers.pregnant,
        allergies=answers.allergies,
        medications=answers.medications,
        conditions=answers.conditions,
        preferred_language=answers.preferred_language,
        flags=("allergies",) if answers.allergies.strip() else (),
        match_key=match_key(answers.family_name, answers.date_of_birth),
    )
    suggestion = triage.suggest(patient.triage_input())
    return replace(patient, suggested_level=suggestion.level, triage=suggestion.as_dict())


def intake_register(
    *,
    hospital: Hospital,
    session_id: str,
    idempotency_key: str,
    answers: IntakeAnswers,
    location: str,
    context: RequestContext,
) -> Registration:
    """Register exactly once per idempotency key: a retry replays the first answer.

    Raises IdempotencyKeyReused (same key, other answers) or IntakeSessionEnded.
    """
    if not plausible_session_id(session_id):
        raise IntakeSessionEnded
    digest = payload_hash(answers)
    actor = Actor.intake_session(session_id)
    for attempt in range(CONFLICT_RETRIES + 1):
        now_iso = clock.utc_now_iso()
        patient_id = uuid.uuid4().hex
        patient = _new_patient(hospital, patient_id, answers, now_iso)
        events = [
            new_event(patient_id, EventType.ARRIVED, now_iso, actor),
            new_event(patient_id, EventType.TRIAGE_SUGGESTED, now_iso, actor, patient.triage, 1),
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
                session_id=session_id,
                idempotency_key=idempotency_key,
                payload_hash=digest,
                location=location,
                patient=patient,
                events=events,
                audit_entry=entry,
            )
            metrics.count(metrics.REGISTRATIONS, HospitalId=hospital.hospital_id)
            return Registration(patient_id=patient_id, location=location)
        except repository.StoredRegistration as stored:
            return _replay(stored.record, digest, hospital)
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
    return _replay(record, digest, hospital)


def _replay(record: dict[str, Any], digest: str, hospital: Hospital) -> Registration:
    if record.get("payload_hash") != digest:
        raise IdempotencyKeyReused
    metrics.count(metrics.DUPLICATE_REPLAYS, HospitalId=hospital.hospital_id)
    return Registration(patient_id=record["patient_id"], location=record["location"], replayed=True)


def intake_report_worse(
    *, hospital: Hospital, session: IntakeSession, context: RequestContext
) -> None:
    """Flag the patient as feeling worse (at most once per 10 minutes). Audited."""
    if not session.registered:
        raise IntakeSessionEnded
    actor = Actor.intake_session(session.session_id)
    now_iso = clock.utc_now_iso()
    repository.report_worse(
        session_id=session.session_id,
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
