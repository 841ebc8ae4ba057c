"""Cockpit writes. Each action is one transaction (patient + encounter event + audit entry) on
the version the clinician was looking at; a concurrent change raises VersionConflict."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import date
from typing import Any

import triage
from accounts.domain import CLINICAL_ROLES, CallPlace, Hospital, Role, SignedInStaff
from audit import repository as audit_repository
from audit.domain import Action
from audit.services import audit_entry
from cockpit.domain import ActionRefused, PatientRecord
from patients import repository as patients_repository
from patients import services as patients_services
from patients.domain import (
    CALL_CLEARED,
    CLOSURES,
    DISPOSITIONS,
    STATUS_LABELS,
    UNDO_SECONDS,
    AlertReason,
    EventType,
    Patient,
    Status,
    VersionConflict,
    VitalsSet,
    age_in_days,
    match_key,
    new_event,
    next_statuses,
    visit_facts,
)
from solace import clock, metrics
from solace.context import Actor, RequestContext
from solace.dynamodb import DataStoreError, TransactionCancelled

logger = logging.getLogger(__name__)

DANGER_ZONE_FLAG = "danger_zone"


def _actor(staff: SignedInStaff, hospital_id: str) -> Actor:
    role = staff.role_at(hospital_id)
    return Actor.staff(staff.staff_id, role.value if role else "none")


def _apply(
    staff: SignedInStaff,
    patient: Patient,
    expected_version: int,
    *,
    action: Action,
    event_type: EventType,
    changes: dict[str, Any],
    context: RequestContext,
    event_data: dict[str, Any] | None = None,
    detail: str | None = None,
    allow_ended: bool = False,
) -> Patient:
    """One change to one patient: checks, then one transaction. Returns the patient as stored."""
    change = _change(
        staff,
        patient,
        expected_version,
        action=action,
        event_type=event_type,
        changes=changes,
        context=context,
        event_data=event_data,
        detail=detail,
        allow_ended=allow_ended,
    )
    patients_repository.patients_update([change])
    return replace(change.after, version=patient.version + 1)


def _change(
    staff: SignedInStaff,
    patient: Patient,
    expected_version: int,
    *,
    action: Action,
    event_type: EventType,
    changes: dict[str, Any],
    context: RequestContext,
    event_data: dict[str, Any] | None = None,
    detail: str | None = None,
    allow_ended: bool = False,
    now: str | None = None,
) -> patients_repository.PatientChange:
    if staff.role_at(patient.hospital_id) not in CLINICAL_ROLES:
        raise ActionRefused("Only clinicians can change clinical data.")
    if patient.version != expected_version:
        raise VersionConflict(patient)  # the form shows an older state than the record's
    if patient.ended and not allow_ended:
        raise ActionRefused("This visit has ended; its record can no longer be changed.")
    actor = _actor(staff, patient.hospital_id)
    now = now or clock.utc_now_iso()
    after = replace(
        patient, **changes, updated_at=now, updated_by=staff.staff_id, updated_by_name=staff.name
    )
    return patients_repository.PatientChange(
        before=patient,
        after=after,
        event=new_event(patient.patient_id, event_type, now, actor, event_data),
        audit_entry=audit_entry(
            hospital_id=patient.hospital_id,
            actor=actor,
            action=action,
            context=context,
            patient_id=patient.patient_id,
            detail=detail,
            time=now,
        ),
    )


def _flags(patient: Patient, flag: str, present: bool) -> tuple[str, ...]:
    flags = tuple(f for f in patient.flags if f != flag)
    return (*flags, flag) if present else flags


def _rerun(before: Patient, changed: Patient, now: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Re-run the engine on a changed record: the changes that go with it (suggestion, the
    danger-zone flag, an alert when it became more urgent) and the timeline's before → after."""
    suggestion = changed.suggest()
    latest = changed.vitals
    danger = bool(latest) and bool(triage.danger_zone(changed.age_days, triage.Vitals(**latest)))
    changes: dict[str, Any] = {
        "suggested_level": suggestion.level,
        "triage": suggestion.as_dict(),
        "flags": _flags(changed, DANGER_ZONE_FLAG, danger),
    }
    if suggestion.level < before.suggested_level:
        changes.update(alert=AlertReason.MORE_URGENT, alert_at=now)
    return changes, {"level_before": before.suggested_level, "level_after": suggestion.level}


def patient_record_vitals(
    staff: SignedInStaff,
    patient: Patient,
    expected_version: int,
    values: dict[str, Any],
    taken_at: str,
    context: RequestContext,
    corrects: str | None = None,
) -> Patient:
    """Add a set of vital signs (never overwriting one) and re-run the engine on the latest
    value of each measure."""
    now = clock.utc_now_iso()
    vitals_set = VitalsSet(
        set_id=uuid.uuid4().hex[:12],
        taken_at=taken_at,
        recorded_at=now,
        recorded_by=staff.staff_id,
        recorded_by_name=staff.name,
        values=values,
        corrects=corrects,
    )
    changed = replace(patient, vitals_sets=(*patient.vitals_sets, vitals_set))
    changes, levels = _rerun(patient, changed, now)
    return _apply(
        staff,
        patient,
        expected_version,
        action=Action.VITALS_RECORDED,
        event_type=EventType.VITALS_RECORDED,
        changes={"vitals_sets": changed.vitals_sets, **changes},
        event_data={"set_id": vitals_set.set_id, "values": values, "corrects": corrects, **levels},
        context=context,
    )


def patient_record_findings(
    staff: SignedInStaff,
    patient: Patient,
    expected_version: int,
    findings: list[str],
    context: RequestContext,
) -> Patient:
    """Record what the nurse observes (the checklist as it is now) and re-run the engine."""
    now = clock.utc_now_iso()
    changed = replace(patient, findings=tuple(sorted(findings)))
    changes, levels = _rerun(patient, changed, now)
    added = sorted(set(changed.findings) - set(patient.findings))
    removed = sorted(set(patient.findings) - set(changed.findings))
    return _apply(
        staff,
        patient,
        expected_version,
        action=Action.FINDINGS_RECORDED,
        event_type=EventType.FINDINGS_RECORDED,
        changes={"findings": changed.findings, **changes},
        event_data={"added": added, "removed": removed, **levels},
        context=context,
    )


def patient_complete_identity(
    staff: SignedInStaff,
    patient: Patient,
    expected_version: int,
    given_name: str,
    family_name: str,
    date_of_birth: date | None,
    context: RequestContext,
) -> Patient:
    """Name (and birth date) of a patient registered without them. A birth date replaces an
    estimated age, which can change the suggestion; earlier visits are matched again."""
    now = clock.utc_now_iso()
    arrived = clock.parse_iso(patient.created_at).date()
    identity: dict[str, Any] = {
        "given_name": given_name,
        "family_name": family_name,
        "alias": "",
        "date_of_birth": date_of_birth or patient.date_of_birth,
        "match_key": match_key(family_name, date_of_birth or patient.date_of_birth),
    }
    if date_of_birth:
        identity.update(age_days=age_in_days(date_of_birth, arrived), age_estimated=False)
    changed = replace(patient, **identity)
    changes, levels = _rerun(patient, changed, now)
    stored = _apply(
        staff,
        patient,
        expected_version,
        action=Action.IDENTITY_COMPLETED,
        event_type=EventType.IDENTITY_COMPLETED,
        changes={**identity, **changes},
        event_data={
            "date_of_birth_given": bool(date_of_birth),
            **levels,
            **visit_facts(changed.age_days, changed.preferred_language),
        },
        context=context,
    )
    # Now that the name is known, the same person may be registered twice in the department.
    return patients_services.patient_flag_possible_duplicate(stored, context)


def patient_acknowledge_alert(
    staff: SignedInStaff, patient: Patient, expected_version: int, context: RequestContext
) -> Patient:
    """A clinician has seen the alert: it stops pinning the patient, on every workstation."""
    if patient.alert is None:
        raise ActionRefused("There is no alert to acknowledge.")
    return _apply(
        staff,
        patient,
        expected_version,
        action=Action.ALERT_ACKNOWLEDGED,
        event_type=EventType.ALERT_ACKNOWLEDGED,
        changes={"alert": None, "alert_at": None},
        event_data={"alert": patient.alert},
        detail=patient.alert,
        context=context,
    )


def patient_set_acuity(
    staff: SignedInStaff,
    patient: Patient,
    expected_version: int,
    level: int,
    reason: str,
    context: RequestContext,
) -> Patient:
    """Confirm the suggested level, or override it (a reason is required)."""
    overridden = level != patient.suggested_level
    if overridden and not reason.strip():
        raise ActionRefused("Overriding the suggested level needs a reason.")
    if patient.weight_needed and level != 1:
        # Doses for children go by weight; a resuscitation (level 1) does not wait for it.
        raise ActionRefused("Record the child's weight first: doses go by weight.")
    changes: dict[str, Any] = {
        "confirmed_level": level,
        "confirmed_by": staff.staff_id,
        "confirmed_suggestion": patient.suggested_level,
        "override_reason": reason.strip() if overridden else None,
    }
    if not patient.triaged_at:
        changes["triaged_at"] = clock.utc_now_iso()
    return _apply(
        staff,
        patient,
        expected_version,
        action=Action.ACUITY_OVERRIDDEN if overridden else Action.ACUITY_CONFIRMED,
        event_type=EventType.ACUITY_OVERRIDDEN if overridden else EventType.ACUITY_CONFIRMED,
        changes=changes,
        event_data={
            "level": level,
            "suggested_level": patient.suggested_level,
            **({"reason": reason.strip()} if overridden else {}),
            # Triage agreement is monitored by age band and language (reports/).
            **visit_facts(patient.age_days, patient.preferred_language),
        },
        detail=f"level={level}",
        context=context,
    )


def patient_assign_room(
    staff: SignedInStaff,
    patient: Patient,
    expected_version: int,
    room: str,
    context: RequestContext,
) -> Patient:
    return _apply(
        staff,
        patient,
        expected_version,
        action=Action.ROOM_ASSIGNED,
        event_type=EventType.ROOMED,
        changes={"room": room or None},
        event_data={"room": room},
        context=context,
    )


def patient_assign_staff(
    staff: SignedInStaff,
    hospital: Hospital,
    patient: Patient,
    expected_version: int,
    slot: str,
    assignee_id: str,
    context: RequestContext,
) -> Patient:
    """Assign the nurse or physician slot. Anyone may take an empty slot for themselves;
    only a charge nurse assigns a colleague or takes a slot someone else holds."""
    if slot not in ("nurse", "physician"):
        raise ActionRefused("Unknown assignment.")
    assignee = hospital.colleague(assignee_id)
    if assignee is None:
        raise ActionRefused("That person is not on this hospital's staff.")
    wanted_roles = {Role.NURSE, Role.CHARGE_NURSE} if slot == "nurse" else {Role.PHYSICIAN}
    if assignee.role not in wanted_roles:
        raise ActionRefused(f"That person cannot be assigned as {slot}.")
    holder = getattr(patient, f"{slot}_id")
    is_charge = staff.role_at(hospital.hospital_id) == Role.CHARGE_NURSE
    if not is_charge and (assignee_id != staff.staff_id or holder not in (None, staff.staff_id)):
        raise ActionRefused("Only a charge nurse can assign a colleague or reassign.")
    return _apply(
        staff,
        patient,
        expected_version,
        action=Action.STAFF_ASSIGNED,
        event_type=EventType.ASSIGNED,
        changes={f"{slot}_id": assignee.staff_id, f"{slot}_name": assignee.name},
        event_data={"slot": slot, "staff_id": assignee.staff_id},
        detail=f"{slot}={assignee.staff_id}",
        context=context,
    )


def patient_change_status(
    staff: SignedInStaff,
    patient: Patient,
    expected_version: int,
    status: Status,
    context: RequestContext,
) -> Patient:
    """Move through the flow. A disposition takes the patient out of the queue index; it can
    be undone for UNDO_SECONDS by the same person or a charge nurse (`patient_undo_ending`)."""
    if status not in next_statuses(patient.status):
        raise ActionRefused(f"Cannot go from {patient.status_label} to {STATUS_LABELS[status]}.")
    disposition = status in DISPOSITIONS
    # Moving on ends a call (the display stops showing it); an ending remembers where it was.
    changes: dict[str, Any] = {"status": status, **CALL_CLEARED}
    if disposition:
        changes.update(
            disposition_at=clock.utc_now_iso(),
            in_queue=False,
            ended_from=patient.status.value,
            ended_by=staff.staff_id,
        )
    return _apply(
        staff,
        patient,
        expected_version,
        action=Action.DISPOSITION if disposition else Action.STATUS_CHANGED,
        event_type=EventType.DISPOSITION if disposition else EventType.STATUS_CHANGED,
        changes=changes,
        event_data={"from": patient.status.value, "to": status.value},
        detail=status.value,
        context=context,
    )


def can_undo_end(staff: SignedInStaff, patient: Patient) -> bool:
    """The end of a visit can be taken back for UNDO_SECONDS, by whoever ended it or a charge
    nurse: a mis-click on "Discharged" must not lose a patient."""
    if patient.status not in DISPOSITIONS or not patient.disposition_at or not patient.ended_from:
        return False
    if staff.staff_id != patient.ended_by and not staff.has_role_at(
        patient.hospital_id, Role.CHARGE_NURSE
    ):
        return False
    return undo_seconds_left(patient) > 0


def undo_seconds_left(patient: Patient) -> int:
    if not patient.disposition_at:
        return 0
    ended = clock.parse_iso(patient.disposition_at)
    return max(0, int(UNDO_SECONDS - (clock.now_utc() - ended).total_seconds()))


def patient_set_isolation(
    staff: SignedInStaff,
    patient: Patient,
    expected_version: int,
    isolation: str,
    context: RequestContext,
) -> Patient:
    """Contact, droplet or airborne precautions (or none): a flag on every queue row."""
    return _apply(
        staff,
        patient,
        expected_version,
        action=Action.ISOLATION_SET,
        event_type=EventType.ISOLATION_SET,
        changes={"isolation": isolation},
        event_data={"isolation": isolation},
        detail=isolation or "none",
        context=context,
    )


def patient_dismiss_duplicate(
    staff: SignedInStaff, patient: Patient, expected_version: int, context: RequestContext
) -> Patient:
    """Not the same person after all: the possible-duplicate flag goes."""
    if not patient.possible_duplicate_of:
        raise ActionRefused("This visit is not flagged as a possible duplicate.")
    return _apply(
        staff,
        patient,
        expected_version,
        action=Action.DUPLICATE_DISMISSED,
        event_type=EventType.DUPLICATE_DISMISSED,
        changes={"possible_duplicate_of": None, "possible_duplicate_code": None},
        event_data={"other_code": patient.possible_duplicate_code},
        detail=f"other={patient.possible_duplicate_of}",
        context=context,
    )


def patient_link_duplicate(
    staff: SignedInStaff,
    patient: Patient,
    expected_version: int,
    keep_this: bool,
    context: RequestContext,
) -> Patient:
    """The same person registered twice: one visit continues, the other closes as a duplicate
    of it. Both patients, both timelines and both audit entries in ONE transaction. Returns
    the visit that continues."""
    other_id = patient.possible_duplicate_of
    if not other_id:
        raise ActionRefused("This visit is not flagged as a possible duplicate.")
    other = patients_repository.patient_get(other_id, consistent=True)
    if other is None or other.hospital_id != patient.hospital_id or other.ended:
        raise ActionRefused("The other registration has ended already: nothing to link.")
    if patient.ended:
        raise ActionRefused("This visit has ended; its record can no longer be changed.")
    versions = {patient.patient_id: expected_version, other.patient_id: other.version}
    kept, closed = (patient, other) if keep_this else (other, patient)
    now = clock.utc_now_iso()
    closing = _change(
        staff,
        closed,
        versions[closed.patient_id],
        action=Action.DUPLICATE_LINKED,
        event_type=EventType.CLOSED_AS_DUPLICATE,
        changes={
            "status": Status.CLOSED_DUPLICATE,
            "duplicate_of": kept.patient_id,
            "possible_duplicate_of": None,
            "possible_duplicate_code": None,
            "in_queue": False,
            "disposition_at": now,
            **CALL_CLEARED,
            "ended_from": closed.status.value,
            "ended_by": staff.staff_id,
        },
        event_data={
            "from": closed.status.value,
            "to": Status.CLOSED_DUPLICATE.value,  # a closure: the measures leave it out
            "other_code": kept.check_in_code,
            "other_id": kept.patient_id,
        },
        detail=f"closed; continues as {kept.patient_id}",
        context=context,
        now=now,
    )
    keeping = _change(
        staff,
        kept,
        versions[kept.patient_id],
        action=Action.DUPLICATE_LINKED,
        event_type=EventType.DUPLICATE_LINKED,
        changes={"possible_duplicate_of": None, "possible_duplicate_code": None},
        event_data={"other_code": closed.check_in_code, "other_id": closed.patient_id},
        detail=f"continues; closed {closed.patient_id}",
        context=context,
        now=now,
    )
    patients_repository.patients_update([closing, keeping])
    return replace(keeping.after, version=kept.version + 1)


# --- Calling the patient, "not a patient", undo of an ending ----------------------------------
def patient_call(
    staff: SignedInStaff,
    patient: Patient,
    expected_version: int,
    place: CallPlace,
    context: RequestContext,
) -> Patient:
    """ "Please go to <place> now": the waiting-room display and the patient's status page show
    it until the patient moves on. Calling again (the same or another place) is a second call."""
    now = clock.utc_now_iso()
    number = patient.call_count + 1
    return _apply(
        staff,
        patient,
        expected_version,
        action=Action.PATIENT_CALLED,
        event_type=EventType.CALLED,
        changes={
            "called_to": place.name,
            "called_to_es": place.name_es,
            "called_at": now,
            "called_by": staff.staff_id,
            "called_by_name": staff.name,
            "call_count": number,
            "missed_call_at": None,
        },
        event_data={"place": place.name, "call": number},
        detail=f"call={number}",
        context=context,
    )


def patient_call_not_answered(
    staff: SignedInStaff, patient: Patient, expected_version: int, context: RequestContext
) -> Patient:
    """Nobody came: the call ends, and the patient's page asks them to tell the front desk
    they are here."""
    if not patient.called:
        raise ActionRefused("The patient is not being called.")
    missed = patient.no_answer_count + 1
    return _apply(
        staff,
        patient,
        expected_version,
        action=Action.CALL_NOT_ANSWERED,
        event_type=EventType.CALL_NOT_ANSWERED,
        changes={
            **CALL_CLEARED,
            "missed_call_at": clock.utc_now_iso(),
            "no_answer_count": missed,
        },
        event_data={"place": patient.called_to, "call": patient.call_count, "missed": missed},
        detail=f"missed={missed}",
        context=context,
    )


def patient_call_cancel(
    staff: SignedInStaff, patient: Patient, expected_version: int, context: RequestContext
) -> Patient:
    """Take a call back (the wrong patient, or the place changed)."""
    if not patient.called:
        raise ActionRefused("The patient is not being called.")
    return _apply(
        staff,
        patient,
        expected_version,
        action=Action.CALL_CANCELLED,
        event_type=EventType.CALL_CANCELLED,
        changes=dict(CALL_CLEARED),
        event_data={"place": patient.called_to},
        context=context,
    )


def patient_close_not_a_patient(
    staff: SignedInStaff,
    patient: Patient,
    expected_version: int,
    reason: str,
    context: RequestContext,
) -> Patient:
    """Close a registration that is no patient (a test, a prank, a flood), with a reason. It
    leaves the queue and every measure; the record, its timeline and its audit entries stay,
    and `patient_undo_ending` reopens it."""
    if not reason.strip():
        raise ActionRefused("Give a reason for closing this registration.")
    return _apply(
        staff,
        patient,
        expected_version,
        action=Action.CLOSED_NOT_A_PATIENT,
        event_type=EventType.CLOSED,
        changes={
            **CALL_CLEARED,
            "status": Status.NOT_A_PATIENT,
            "closed_reason": reason.strip(),
            "ended_from": patient.status.value,
            "ended_by": staff.staff_id,
            "disposition_at": clock.utc_now_iso(),
            "in_queue": False,
        },
        event_data={
            "from": patient.status.value,
            "to": Status.NOT_A_PATIENT.value,
            "reason": reason.strip(),
        },
        detail=Status.NOT_A_PATIENT.value,
        context=context,
    )


def patient_undo_ending(
    staff: SignedInStaff,
    patient: Patient,
    expected_version: int,
    context: RequestContext,
    *,
    allowed: tuple[Status, ...] = CLOSURES,
) -> Patient:
    """Undo the end of a visit: the patient is back in the department, in the state the visit
    ended from (`ended_from`; waiting when unknown), on every queue at once. Reusable for any
    ending the caller allows (closures by default; dispositions pass `allowed=DISPOSITIONS`).
    A disposition can be taken back only within UNDO_SECONDS, by whoever ended it or a charge
    nurse (`can_undo_end`). Audited and on the timeline; the ending's own entries stay.
    Returns the patient as stored."""
    if patient.status not in allowed:
        raise ActionRefused(f"{patient.status_label} cannot be undone here.")
    if patient.status in DISPOSITIONS and not can_undo_end(staff, patient):
        raise ActionRefused(
            "The end of this visit can no longer be undone: only within 2 minutes, by the "
            "person who ended it or a charge nurse."
        )
    back_to = Status(patient.ended_from) if patient.ended_from else Status.WAITING
    return _apply(
        staff,
        patient,
        expected_version,
        action=Action.REOPENED,
        event_type=EventType.REOPENED,
        changes={
            "status": back_to,
            "in_queue": True,
            "disposition_at": None,
            "closed_reason": "",
            "ended_from": "",
            "ended_by": None,
            "duplicate_of": None,
        },
        event_data={"from": patient.status.value, "to": back_to.value},
        detail=f"{patient.status.value}->{back_to.value}",
        context=context,
        allow_ended=True,
    )


def patients_close_or_reopen(
    staff: SignedInStaff,
    hospital: Hospital,
    seen: dict[str, int],
    *,
    reason: str,
    reopen: bool,
    context: RequestContext,
) -> tuple[int, int]:
    """Close several registrations as not a patient at once (a flood), or reopen them: each on
    the version the clinician saw, each its own transaction, audited one by one. Returns
    (done, skipped): skipped ones changed meanwhile, or are not in that state."""
    done = 0
    for patient in patients_repository.patients_get_many(list(seen), consistent=True):
        if patient.hospital_id != hospital.hospital_id or not staff.is_member(patient.hospital_id):
            continue
        try:
            if reopen:
                patient_undo_ending(staff, patient, seen[patient.patient_id], context)
            else:
                patient_close_not_a_patient(
                    staff, patient, seen[patient.patient_id], reason, context
                )
            done += 1
        except (ActionRefused, VersionConflict):
            continue
    return done, len(seen) - done


def registrations_reviewed(
    staff: SignedInStaff, hospital_id: str, patient_ids: list[str], context: RequestContext
) -> None:
    """The check-in review shows names and complaints: audited like the queue."""
    audit_repository.put(
        audit_entry(
            hospital_id=hospital_id,
            actor=_actor(staff, hospital_id),
            action=Action.REGISTRATIONS_REVIEWED,
            context=context,
            detail=",".join(patient_ids) or "empty",
        )
    )


def patient_action_failed(
    staff: SignedInStaff,
    patient: Patient,
    action: Action,
    outcome: str,
    context: RequestContext,
    record: PatientRecord | None = None,
) -> None:
    """A refused, invalid or conflicting attempt changes nothing, but its page shows the record:
    it is audited with its outcome."""
    if outcome == "conflict":
        metrics.count(metrics.VERSION_CONFLICTS, HospitalId=patient.hospital_id)
    audit_repository.put_many(
        [
            audit_entry(
                hospital_id=patient.hospital_id,
                actor=_actor(staff, patient.hospital_id),
                action=action,
                context=context,
                patient_id=patient.patient_id,
                outcome=outcome,
            ),
            *_earlier_visits_shown(staff, patient, record, context),
        ]
    )


def patient_viewed(
    staff: SignedInStaff,
    patient: Patient,
    context: RequestContext,
    record: PatientRecord | None = None,
) -> None:
    """Reads are audited: who opened which patient's record, when, and what it showed of
    earlier visits (each detailed visit is an entry of that visit's patient too)."""
    audit_repository.put_many(
        [
            audit_entry(
                hospital_id=patient.hospital_id,
                actor=_actor(staff, patient.hospital_id),
                action=Action.PATIENT_VIEWED,
                context=context,
                patient_id=patient.patient_id,
                detail=_earlier_visits_detail(record),
            ),
            *_earlier_visits_shown(staff, patient, record, context),
        ]
    )


def _earlier_visits_detail(record: PatientRecord | None) -> str | None:
    if record is None or not (record.earlier_visits or record.elsewhere_count):
        return None
    return f"earlier_visits={len(record.earlier_visits)} elsewhere={record.elsewhere_count}"


def _earlier_visits_shown(staff, patient, record: PatientRecord | None, context):
    return [
        audit_entry(
            hospital_id=visit.hospital_id,
            actor=_actor(staff, visit.hospital_id),
            action=Action.EARLIER_VISIT_SHOWN,
            context=context,
            patient_id=visit.patient_id,
            detail=f"on={patient.patient_id}",
        )
        for visit in (record.earlier_visits if record else [])
    ]


# Ids per queue-display audit entry: one entry per page of patients, so an entry stays a few
# kilobytes however large the queue grows (DynamoDB refuses items over 400 KB).
AUDIT_IDS_PER_ENTRY = 50


def queue_displayed(
    staff: SignedInStaff,
    hospital_id: str,
    patient_ids: list[str],
    context: RequestContext,
    *,
    view: str = "queue",
) -> None:
    """Entries for a rendered queue (not for an unchanged poll) listing the ids displayed, at
    most AUDIT_IDS_PER_ENTRY per entry. If DynamoDB still refuses after its retries, the queue
    is shown anyway (clinicians must see their patients) and an ERROR line says how many ids
    went unaudited, with the request id to find them by."""
    chunks = [
        patient_ids[start : start + AUDIT_IDS_PER_ENTRY]
        for start in range(0, len(patient_ids), AUDIT_IDS_PER_ENTRY)
    ] or [[]]
    entries = [
        audit_entry(
            hospital_id=hospital_id,
            actor=_actor(staff, hospital_id),
            action=Action.QUEUE_DISPLAYED,
            context=context,
            detail=f"{view}:" + (",".join(chunk) or "empty"),
        )
        for chunk in chunks
    ]
    unaudited = 0
    for start in range(0, len(entries), 100):  # one request for up to 100 pages of ids
        try:
            audit_repository.put_many(entries[start : start + 100])
        except (DataStoreError, TransactionCancelled):
            unaudited += sum(len(c) for c in chunks[start : start + 100])
    if unaudited:
        logger.error(
            "queue display not audited",
            extra={"request_id": context.request_id, "unaudited_ids": unaudited},
        )
