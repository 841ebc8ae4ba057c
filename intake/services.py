"""Intake writes: register exactly once (within the registration limits), report feeling
worse or having left, end an intake session; enrol and revoke kiosks."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.crypto import salted_hmac

from accounts import repository as accounts_repository
from accounts.domain import Hospital, SignedInStaff
from accounts.services import actor_of
from audit.domain import Action
from audit.services import audit_entry
from intake import repository
from intake.domain import (
    INTAKE_FORM_SECONDS,
    INTAKE_SESSION_SECONDS,
    KIOSK_LINK_SECONDS,
    KIOSK_SESSION_SECONDS,
    WORSE_REPORT_EVERY_SECONDS,
    WRONG_CODES_PER_WINDOW,
    FormTicket,
    IdempotencyKeyReused,
    IntakeAnswers,
    IntakeSession,
    IntakeSessionEnded,
    Kiosk,
    KioskLinkInvalid,
    Registration,
    RegistrationLimited,
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
    visit_facts,
)
from solace import clock, metrics
from solace.context import Actor, ActorType, RequestContext
from solace.dynamodb import DataStoreError, TransactionCancelled

logger = logging.getLogger(__name__)

# A concurrent duplicate can make DynamoDB cancel a transaction with TransactionConflict.
# Retry a few times with a short, jittered pause; the winner's record is then there to replay.
CONFLICT_RETRIES = 4
CONFLICT_PAUSE_SECONDS = 0.05


def new_ticket(hospital: Hospital, kiosk_id: str | None = None) -> FormTicket:
    """A fresh intake session for a form being opened: only the browser's signed cookie holds
    it until the first POST (nothing is written)."""
    return FormTicket(
        session_id=secrets.token_urlsafe(32),
        hospital_id=hospital.hospital_id,
        idempotency_key=str(uuid.uuid4()),
        expires_at=clock.now_epoch() + INTAKE_FORM_SECONDS,
        kiosk_id=kiosk_id,
    )


def client_hash(address: str) -> str:
    """A keyed hash of a client address: registrations from one address group together (to
    close a flood at once) and are counted together, and the address itself is never stored."""
    return salted_hmac("solace.intake.client-address", address or "unknown").hexdigest()[:20]


def _window(hospital: Hospital, now: int) -> tuple[int, int]:
    """The current fixed window's number and when its counters expire."""
    size = hospital.registration_window_minutes * 60
    window = now // size
    return window, (window + 1) * size + 60


def _limits(hospital: Hospital, address_hash: str, now: int):
    """(scope, counter key, limit, expiry) of each registration limit the hospital has on."""
    window, expires_at = _window(hospital, now)
    limits = []
    if hospital.registrations_per_address:
        key = accounts_repository.THROTTLE_REGISTRATIONS_ADDRESS.format(
            hospital_id=hospital.hospital_id, address_hash=address_hash, window=window
        )
        limits.append(("address", key, hospital.registrations_per_address, expires_at))
    if hospital.registrations_per_hospital:
        key = accounts_repository.THROTTLE_REGISTRATIONS_HOSPITAL.format(
            hospital_id=hospital.hospital_id, window=window
        )
        limits.append(("hospital", key, hospital.registrations_per_hospital, expires_at))
    return tuple(limits)


def intake_wrong_code(hospital: Hospital, address_hash: str) -> None:
    """Count a wrong waiting-room code from this address; RegistrationLimited once the window
    holds WRONG_CODES_PER_WINDOW of them (nothing more is written then)."""
    window, expires_at = _window(hospital, clock.now_epoch())
    key = accounts_repository.THROTTLE_WRONG_CODES.format(
        hospital_id=hospital.hospital_id, address_hash=address_hash, window=window
    )
    if not repository.count_attempt(key, limit=WRONG_CODES_PER_WINDOW, expires_at=expires_at):
        metrics.count(metrics.REGISTRATIONS_LIMITED, HospitalId=hospital.hospital_id)
        raise RegistrationLimited("code")


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


def _from_answers(
    hospital: Hospital, patient_id: str, now_iso: str, answers: IntakeAnswers, address_hash: str
):
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
        companion=answers.companion,
        client_hash=address_hash,
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
    session_for: Callable[[Patient], IntakeSession] | None = None,
    limits: tuple[tuple[str, str, int, int], ...] = (),
    detail: str | None = None,
) -> Registration:
    """Register exactly once per idempotency key, in one transaction: a retry replays the first
    answer. Raises IdempotencyKeyReused (same key, other answers), IntakeSessionEnded (this
    intake session registered someone already) or RegistrationLimited (nothing written)."""
    for attempt in range(CONFLICT_RETRIES + 1):
        now_iso = clock.utc_now_iso()
        patient = build(uuid.uuid4().hex, now_iso)
        events = [
            new_event(
                patient.patient_id,
                EventType.ARRIVED,
                now_iso,
                actor,
                visit_facts(patient.age_days, patient.preferred_language),
            ),
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
            detail=detail,
            time=now_iso,
        )
        try:
            repository.register(
                session=session_for(patient) if session_for else None,
                idempotency_key=idempotency_key,
                payload_hash=digest,
                location=location,
                patient=patient,
                events=events,
                audit_entry=entry,
                limits=limits,
            )
            metrics.count(metrics.REGISTRATIONS, HospitalId=hospital.hospital_id)
            _flag_possible_duplicate(patient, context)
            return Registration(patient_id=patient.patient_id, location=location)
        except repository.StoredRegistration as stored:
            return _replay(stored.record, digest, hospital)
        except RegistrationLimited as limited:
            metrics.count(metrics.REGISTRATIONS_LIMITED, HospitalId=hospital.hospital_id)
            logger.warning("registration limited", extra={"scope": limited.scope})
            raise
        except TransactionCancelled as cancelled:
            if not cancelled.only_conflicts:
                raise DataStoreError("registration transaction cancelled") from cancelled
            if attempt == CONFLICT_RETRIES:
                break
            time.sleep(
                CONFLICT_PAUSE_SECONDS * (attempt + 1) * (0.5 + secrets.randbelow(100) / 100)
            )
    # Still conflicting: the concurrent winner has committed by now; replay it. Without one,
    # the conflicts came from elsewhere (a busy counter): "please try again", nothing written.
    record = repository.idempotency_get(hospital.hospital_id, idempotency_key)
    if record is None:
        raise DataStoreError("registration kept conflicting")
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
    ticket: FormTicket,
    idempotency_key: str,
    answers: IntakeAnswers,
    location: str,
    context: RequestContext,
    address_hash: str = "",
) -> Registration:
    """A patient (or a companion) registers on the public form. The same transaction creates
    the intake session the browser's cookie names (its status page) and counts the
    registration against the hospital's limits: per address and for the whole hospital."""
    if not plausible_session_id(ticket.session_id) or ticket.hospital_id != hospital.hospital_id:
        raise IntakeSessionEnded
    lifetime = KIOSK_SESSION_SECONDS if ticket.kiosk_id else INTAKE_SESSION_SECONDS

    def session_for(patient: Patient) -> IntakeSession:
        return IntakeSession(
            session_id=ticket.session_id,
            hospital_id=hospital.hospital_id,
            idempotency_key=idempotency_key,
            expires_at=clock.now_epoch() + lifetime,
            patient_id=patient.patient_id,
            check_in_code=patient.check_in_code,
            given_name=patient.given_name,
            front_desk_now=bool(patient.triage.get("front_desk_now")),
            kiosk_id=ticket.kiosk_id,
        )

    return _register(
        hospital=hospital,
        idempotency_key=idempotency_key,
        digest=payload_hash(answers.normalized()),
        build=lambda patient_id, now: _from_answers(
            hospital, patient_id, now, answers, address_hash
        ),
        actor=Actor.intake_session(ticket.session_id),
        action=Action.INTAKE_SUBMITTED,
        location=location,
        context=context,
        session_for=session_for,
        # A kiosk stands in the waiting room: the hospital's cap counts it, the address's not.
        limits=tuple(
            limit
            for limit in _limits(hospital, address_hash, clock.now_epoch())
            if not (ticket.kiosk_id and limit[0] == "address")
        ),
        detail=f"kiosk={ticket.kiosk_id}" if ticket.kiosk_id else None,
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


def _patient_actor_entry(hospital: Hospital, session: IntakeSession, action, context, now_iso):
    return audit_entry(
        hospital_id=hospital.hospital_id,
        actor=Actor.intake_session(session.session_id),
        action=action,
        context=context,
        patient_id=session.patient_id,
        time=now_iso,
    )


def intake_report_left(
    *, hospital: Hospital, session: IntakeSession, context: RequestContext
) -> bool:
    """The patient says they have left. A flag for staff, who decide (it ends nothing).
    False when already reported; IntakeSessionEnded when the visit is closed."""
    if not session.registered:
        raise IntakeSessionEnded
    actor = Actor.intake_session(session.session_id)
    now_iso = clock.utc_now_iso()
    return repository.report_left(
        session_id=session.session_id,
        hospital_id=hospital.hospital_id,
        patient_id=session.patient_id,
        event=new_event(session.patient_id, EventType.LEFT_REPORTED, now_iso, actor),
        audit_entry=_patient_actor_entry(hospital, session, Action.LEFT_REPORTED, context, now_iso),
    )


def intake_finish(*, hospital: Hospital, session: IntakeSession, context: RequestContext) -> None:
    """ "Done": the intake session ends on the server, not only in this browser. A copied cookie
    or the next person on a shared device can no longer open this status page."""
    now_iso = clock.utc_now_iso()
    repository.intake_session_end(
        session.session_id,
        _patient_actor_entry(hospital, session, Action.INTAKE_FINISHED, context, now_iso),
    )


# --- Kiosks -----------------------------------------------------------------------------------
def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _admin_entry(staff: SignedInStaff, hospital_id: str, action: Action, context, detail):
    return audit_entry(
        hospital_id=hospital_id,
        actor=actor_of(staff, hospital_id),
        action=action,
        context=context,
        detail=detail,
    )


def kiosk_create(
    *, staff: SignedInStaff, hospital: Hospital, name: str, context: RequestContext
) -> tuple[Kiosk, str]:
    """A new kiosk and its one-time enrolment link's token (shown once; only its digest is
    stored). Audited."""
    secret = secrets.token_urlsafe(24)
    kiosk = Kiosk(
        device_id=uuid.uuid4().hex,
        hospital_id=hospital.hospital_id,
        name=name,
        created_at=clock.utc_now_iso(),
        created_by=staff.staff_id,
        link_expires_at=clock.now_epoch() + KIOSK_LINK_SECONDS,
        link_hash=_digest(secret),
    )
    entry = _admin_entry(
        staff, hospital.hospital_id, Action.KIOSK_CREATED, context, f"kiosk={kiosk.device_id}"
    )
    repository.kiosk_insert(kiosk, entry)
    return kiosk, f"{kiosk.device_id}.{secret}"


def _split_token(token: str) -> tuple[str, str]:
    device_id, _, secret = token.partition(".")
    if len(device_id) != 32 or not secret or len(secret) > 64 or not token.isascii():
        raise KioskLinkInvalid
    return device_id, secret


def kiosk_for_link(hospital: Hospital, token: str) -> Kiosk:
    """The kiosk an enrolment link is for, while the link still works (nothing written)."""
    device_id, secret = _split_token(token)
    kiosk = repository.kiosk_get(device_id)
    if (
        kiosk is None
        or kiosk.hospital_id != hospital.hospital_id
        or kiosk.enrolled_at
        or kiosk.revoked_at
        or kiosk.link_expires_at <= clock.now_epoch()
        or not hmac.compare_digest(kiosk.link_hash, _digest(secret))
    ):
        raise KioskLinkInvalid
    return kiosk


def kiosk_enrol(*, hospital: Hospital, token: str, context: RequestContext) -> tuple[Kiosk, str]:
    """This device becomes the kiosk: the link is used up and the device gets its own secret
    (for its cookie). Audited. KioskLinkInvalid when the link no longer works."""
    kiosk = kiosk_for_link(hospital, token)
    _, secret = _split_token(token)
    device_secret = secrets.token_urlsafe(32)
    repository.kiosk_enrol(
        kiosk.device_id,
        link_hash=_digest(secret),
        device_hash=_digest(device_secret),
        now_iso=clock.utc_now_iso(),
        audit_entry=audit_entry(
            hospital_id=hospital.hospital_id,
            actor=Actor(ActorType.SYSTEM, f"device:{kiosk.device_id}"),
            action=Action.KIOSK_ENROLLED,
            context=context,
            detail=f"kiosk={kiosk.device_id}",
        ),
    )
    return kiosk, device_secret


def kiosk_revoke(*, staff: SignedInStaff, kiosk: Kiosk, context: RequestContext) -> bool:
    """Revoke a kiosk: its link and its cookie stop working at once. Audited."""
    return repository.kiosk_revoke(
        kiosk.device_id,
        staff_id=staff.staff_id,
        now_iso=clock.utc_now_iso(),
        audit_entry=_admin_entry(
            staff, kiosk.hospital_id, Action.KIOSK_REVOKED, context, f"kiosk={kiosk.device_id}"
        ),
    )
