"""Intake writes: start an intake session, register exactly once, report feeling worse."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

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
    StaffArrival,
    plausible_session_id,
)
from patients import services as patients_services
from patients.domain import (
    EventType,
    Patient,
    Status,
    VitalsSet,
    age_in_days,
    arrival_alert,
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


def payload_hash(normalized: dict[str, Any]) -> str:
    canonical = json.dumps(normalized, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _new_patient(hospital: Hospital, patient_id: str, now_iso: str, **record: Any) -> Patient:
    """The record of a new arrival, with the triage suggestion (and an alert when urgent)."""
    patient = Patient(
        patient_id=patient_id,
        hospital_id=hospital.hospital_id,
        organization_id=hospital.organization_id,
        created_at=now_iso,
        arrival_day=clock.parse_iso(now_iso)
        .astimezone(ZoneInfo(hospital.timezone))
        .date()
        .isoformat(),
        updated_at=now_iso,
        check_in_code=new_check_in_code(),
        status=Status.WAITING,
        version=1,
        suggested_level=5,
        triage={},
        **record,
    )
    suggestion = patient.suggest()
    alert = arrival_alert(suggestion.level)
    return replace(
        patient,
        suggested_level=suggestion.level,
        triage=suggestion.as_dict(),
        alert=alert,
        alert_at=now_iso if alert else None,
    )


def _from_answers(hospital: Hospital, patient_id: str, now_iso: str, answers: IntakeAnswers):
    return _new_patient(
        hospital,
        patient_id,
        now_iso,
        age_days=age_in_days(answers.date_of_birth, clock.parse_iso(now_iso).date()),
        sex=answers.sex,
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


def _from_arrival(
    hospital: Hospital, patient_id: str, now_iso: str, arrival: StaffArrival, staff_name: str
):
    vitals_sets = ()
    if arrival.vitals:
        vitals_sets = (
            VitalsSet(
                set_id=uuid.uuid4().hex[:12],
                taken_at=arrival.vitals_taken_at or now_iso,
                recorded_at=now_iso,
                recorded_by=arrival.staff_id,
                recorded_by_name=staff_name,
                values=dict(arrival.vitals),
            ),
        )
    arrived = clock.parse_iso(now_iso).date()
    return _new_patient(
        hospital,
        patient_id,
        now_iso,
        age_days=(
            age_in_days(arrival.date_of_birth, arrived)
            if arrival.date_of_birth
            else arrival.estimated_age_days
        ),
        age_estimated=arrival.date_of_birth is None,
        sex=arrival.sex,
        given_name=arrival.given_name,
        family_name=arrival.family_name,
        alias="" if arrival.family_name else unknown_alias(arrival.sex),
        date_of_birth=arrival.date_of_birth,
        chief_complaint=arrival.chief_complaint,
        arrival_mode=arrival.arrival_mode,
        findings=tuple(sorted(arrival.findings)),
        vitals_sets=vitals_sets,
        match_key=match_key(arrival.family_name, arrival.date_of_birth),
    )


def _register(
    *,
    hospital: Hospital,
    idempotency_key: str,
    digest: str,
    build: Callable[[str, str], Patient],
    actor: Actor,
    action: Action,
    location: str,
    context: RequestContext,
    session_id: str | None,
) -> Registration:
    """Register exactly once per idempotency key, in one transaction: a retry replays the first
    answer. Raises IdempotencyKeyReused (same key, other answers) or IntakeSessionEnded."""
    for attempt in range(CONFLICT_RETRIES + 1):
        now_iso = clock.utc_now_iso()
        patient = build(uuid.uuid4().hex, now_iso)
        events = [
            new_event(patient.patient_id, EventType.ARRIVED, now_iso, actor),
            new_event(
                patient.patient_id, EventType.TRIAGE_SUGGESTED, now_iso, actor, patient.triage, 1
            ),
        ]
        entry = audit_entry(
            hospital_id=hospital.hospital_id,
            actor=actor,
            action=action,
            context=context,
            patient_id=patient.patient_id,
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
            _flag_possible_duplicate(patient, context)
            return Registration(patient_id=patient.patient_id, location=location)
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


def _flag_possible_duplicate(patient: Patient, context: RequestContext) -> None:
    """After the registration committed: a hint for clinicians, never a failure for the
    patient (their registration stands whatever happens here)."""
    try:
        patients_services.patient_flag_possible_duplicate(patient, context)
    except DataStoreError:
        logger.warning("duplicate check skipped", extra={"request_id": context.request_id})


def intake_register(
    *,
    hospital: Hospital,
    session_id: str,
    idempotency_key: str,
    answers: IntakeAnswers,
    location: str,
    context: RequestContext,
) -> Registration:
    """A patient (or a companion) registers on the public form."""
    if not plausible_session_id(session_id):
        raise IntakeSessionEnded
    return _register(
        hospital=hospital,
        idempotency_key=idempotency_key,
        digest=payload_hash(answers.normalized()),
        build=lambda patient_id, now: _from_answers(hospital, patient_id, now, answers),
        actor=Actor.intake_session(session_id),
        action=Action.INTAKE_SUBMITTED,
        location=location,
        context=context,
        session_id=session_id,
    )


def intake_register_by_staff(
    *,
    hospital: Hospital,
    staff_id: str,
    staff_name: str,
    staff_role: str,
    idempotency_key: str,
    arrival: StaffArrival,
    context: RequestContext,
) -> Registration:
    """Quick registration by a clinician, for a patient who cannot use the form: the same
    exactly-once transaction and audit as the phone form."""
    return _register(
        hospital=hospital,
        idempotency_key=idempotency_key,
        digest=payload_hash(arrival.normalized()),
        build=lambda patient_id, now: _from_arrival(hospital, patient_id, now, arrival, staff_name),
        actor=Actor.staff(staff_id, staff_role),
        action=Action.REGISTERED_BY_STAFF,
        location="",
        context=context,
        session_id=None,
    )


def unknown_alias(sex: str) -> str:
    """ "Unknown Female 0427": tells patients apart until their name is known."""
    word = {"female": "Female", "male": "Male"}.get(sex, "Patient")
    return f"Unknown {word} {secrets.randbelow(10000):04d}"


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
        hospital_id=hospital.hospital_id,
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
