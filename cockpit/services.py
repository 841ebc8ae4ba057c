"""Cockpit writes. Each action is one transaction (patient + encounter event + audit entry) on
the version the clinician was looking at; a concurrent change raises VersionConflict."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import triage
from accounts.domain import CLINICAL_ROLES, Hospital, Role, SignedInStaff
from audit import repository as audit_repository
from audit.domain import Action
from audit.services import audit_entry
from cockpit.domain import ActionRefused
from patients import repository as patients_repository
from patients.domain import (
    DISPOSITIONS,
    STATUS_LABELS,
    EventType,
    Patient,
    Status,
    VersionConflict,
    new_event,
    next_statuses,
)
from solace import clock, metrics
from solace.context import Actor, RequestContext

DANGER_ZONE_FLAG = "danger_zone"


def _actor(staff: SignedInStaff) -> Actor:
    return Actor.staff(staff.staff_id, staff.role.value)


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
) -> None:
    if staff.role not in CLINICAL_ROLES:
        raise ActionRefused("Only clinicians can change clinical data.")
    if patient.version != expected_version:
        raise VersionConflict(patient)  # the form shows an older state than the record's
    if patient.ended:
        raise ActionRefused("This visit has ended; its record can no longer be changed.")
    actor = _actor(staff)
    now = clock.utc_now_iso()
    patients_repository.patient_update(
        patient=patient,
        changes={
            **changes,
            "updated_at": now,
            "updated_by": staff.staff_id,
            "updated_by_name": staff.name,
        },
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


def patient_record_vitals(
    staff: SignedInStaff,
    patient: Patient,
    expected_version: int,
    vitals: triage.Vitals,
    context: RequestContext,
) -> triage.Suggestion:
    """Store the vitals and rerun the triage engine with them."""
    suggestion = triage.suggest(patient.triage_input(vitals))
    danger = bool(triage.danger_zone_reasons(patient.age_days, vitals))
    recorded = {k: v for k, v in asdict(vitals).items() if v is not None}
    _apply(
        staff,
        patient,
        expected_version,
        action=Action.VITALS_RECORDED,
        event_type=EventType.VITALS_RECORDED,
        changes={
            "vitals": recorded,
            "suggested_level": suggestion.level,
            "triage": suggestion.as_dict(),
            "flags": _flags(patient, DANGER_ZONE_FLAG, danger),
        },
        event_data={"vitals": recorded, "suggestion": suggestion.as_dict()},
        context=context,
    )
    return suggestion


def patient_set_acuity(
    staff: SignedInStaff,
    patient: Patient,
    expected_version: int,
    level: int,
    reason: str,
    context: RequestContext,
) -> None:
    """Confirm the suggested level, or override it (a reason is required)."""
    overridden = level != patient.suggested_level
    if overridden and not reason.strip():
        raise ActionRefused("Overriding the suggested level needs a reason.")
    changes: dict[str, Any] = {
        "confirmed_level": level,
        "confirmed_by": staff.staff_id,
        "confirmed_suggestion": patient.suggested_level,
        "override_reason": reason.strip() if overridden else None,
    }
    if not patient.triaged_at:
        changes["triaged_at"] = clock.utc_now_iso()
    _apply(
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
) -> None:
    _apply(
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
) -> None:
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
    is_charge = staff.role == Role.CHARGE_NURSE
    if not is_charge and (assignee_id != staff.staff_id or holder not in (None, staff.staff_id)):
        raise ActionRefused("Only a charge nurse can assign a colleague or reassign.")
    _apply(
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
) -> None:
    """Move through the flow. A disposition takes the patient out of the queue index."""
    if status not in next_statuses(patient.status):
        raise ActionRefused(f"Cannot go from {patient.status_label} to {STATUS_LABELS[status]}.")
    disposition = status in DISPOSITIONS
    changes: dict[str, Any] = {"status": status}
    if disposition:
        changes.update(disposition_at=clock.utc_now_iso(), in_queue=False)
    _apply(
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


def patient_action_failed(
    staff: SignedInStaff,
    patient: Patient,
    action: Action,
    outcome: str,
    context: RequestContext,
) -> None:
    """A refused, invalid or conflicting attempt changes nothing, but its page shows the record:
    it is audited with its outcome."""
    if outcome == "conflict":
        metrics.count(metrics.VERSION_CONFLICTS, HospitalId=patient.hospital_id)
    audit_repository.put(
        audit_entry(
            hospital_id=patient.hospital_id,
            actor=_actor(staff),
            action=action,
            context=context,
            patient_id=patient.patient_id,
            outcome=outcome,
        )
    )


def patient_viewed(staff: SignedInStaff, patient: Patient, context: RequestContext) -> None:
    """Reads are audited: who opened which patient's record, when."""
    audit_repository.put(
        audit_entry(
            hospital_id=patient.hospital_id,
            actor=_actor(staff),
            action=Action.PATIENT_VIEWED,
            context=context,
            patient_id=patient.patient_id,
        )
    )


def queue_displayed(
    staff: SignedInStaff, hospital_id: str, patient_ids: list[str], context: RequestContext
) -> None:
    """One entry per rendered queue (not per unchanged poll), listing the ids displayed."""
    audit_repository.put(
        audit_entry(
            hospital_id=hospital_id,
            actor=_actor(staff),
            action=Action.QUEUE_DISPLAYED,
            context=context,
            detail=",".join(patient_ids) or "empty",
        )
    )
