"""Patient writes shared by intake and the cockpit."""

from __future__ import annotations

from dataclasses import replace

from audit.domain import Action
from audit.services import audit_entry
from patients import repository
from patients.domain import ENDED, EventType, Patient, Status, VersionConflict, new_event
from solace import clock
from solace.context import Actor, RequestContext


def patient_flag_possible_duplicate(patient: Patient, context: RequestContext) -> Patient:
    """Flag a visit whose family name and birth date match another visit still in the same
    department (the same person registered twice, on a phone and at the desk, say). One Query
    on the match-key index; a write only when there is a match. Returns the patient as stored.
    The flag is a hint for a clinician, who links the two or dismisses it."""
    if not patient.match_key or patient.possible_duplicate_of or patient.ended:
        return patient
    others = [
        visit
        for visit in repository.visits_with_match_key(patient.match_key)
        if visit["patient_id"] != patient.patient_id
        and visit.get("hospital_id") == patient.hospital_id
        and Status(visit.get("status", Status.WAITING.value)) not in ENDED
    ]
    if not others:
        return patient
    original = min(others, key=lambda visit: visit["created_at"])  # the first registration
    now = clock.utc_now_iso()
    actor = Actor.system()
    flagged = replace(
        patient,
        possible_duplicate_of=original["patient_id"],
        possible_duplicate_code=original.get("check_in_code", ""),
    )
    try:
        repository.patient_update(
            before=patient,
            after=flagged,
            event=new_event(
                patient.patient_id,
                EventType.POSSIBLE_DUPLICATE,
                now,
                actor,
                {"other_id": original["patient_id"], "other_code": original.get("check_in_code")},
            ),
            audit_entry=audit_entry(
                hospital_id=patient.hospital_id,
                actor=actor,
                action=Action.DUPLICATE_FLAGGED,
                context=context,
                patient_id=patient.patient_id,
                detail=f"other={original['patient_id']}",
                time=now,
            ),
        )
    except VersionConflict:
        return patient  # changed meanwhile (a clinician is on it): no flag rather than a retry
    return replace(flagged, version=patient.version + 1)
