"""Audit entries: who touched which patient's data, when, from where. Ids only, never names or
clinical text."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from solace.context import Actor, RequestContext


class Action(StrEnum):
    INTAKE_SUBMITTED = "intake.submitted"
    WORSE_REPORTED = "intake.worse_reported"
    PATIENT_VIEWED = "patient.viewed"
    QUEUE_DISPLAYED = "queue.displayed"
    VITALS_RECORDED = "patient.vitals_recorded"
    FINDINGS_RECORDED = "patient.findings_recorded"
    IDENTITY_COMPLETED = "patient.identity_completed"
    ALERT_ACKNOWLEDGED = "patient.alert_acknowledged"
    REGISTERED_BY_STAFF = "patient.registered_by_staff"
    ACUITY_CONFIRMED = "patient.acuity_confirmed"
    ACUITY_OVERRIDDEN = "patient.acuity_overridden"
    ROOM_ASSIGNED = "patient.room_assigned"
    STAFF_ASSIGNED = "patient.staff_assigned"
    STATUS_CHANGED = "patient.status_changed"
    DISPOSITION = "patient.disposition"
    SIGN_IN = "auth.sign_in"
    SIGN_OUT = "auth.sign_out"
    SIGN_IN_FAILED = "auth.sign_in_failed"
    SIGN_IN_THROTTLED = "auth.sign_in_throttled"
    UNLOCKED = "auth.unlocked"  # a locked screen opened again with the password
    UNLOCK_FAILED = "auth.unlock_failed"
    STAFF_CREATED = "admin.staff_created"
    STAFF_CHANGED = "admin.staff_changed"
    HOSPITAL_CREATED = "admin.hospital_created"
    HOSPITAL_CHANGED = "admin.hospital_changed"
    AUDIT_BROWSED = "audit.browsed"
    AUDIT_EXPORTED = "audit.exported"
    # Cockpit shift (issue 13): displays, isolation, duplicates, undo of a visit's end.
    DEVICE_CREATED = "device.created"
    DEVICE_REVOKED = "device.revoked"
    ISOLATION_SET = "patient.isolation_set"
    DUPLICATE_FLAGGED = "patient.duplicate_flagged"
    DUPLICATE_DISMISSED = "patient.duplicate_dismissed"
    DUPLICATE_LINKED = "patient.duplicate_linked"
    END_UNDONE = "patient.end_undone"


# Entries about no single hospital (a failed sign-in of an unknown account, say).
NO_HOSPITAL = "-"
# Account events (sign-in, staff changes) belong to the staff member's organization.
ORG_PARTITION = "org:{}"


def org_partition(organization_id: str) -> str:
    return ORG_PARTITION.format(organization_id)


@dataclass(frozen=True)
class AuditEntry:
    event_id: str
    time: str  # ISO-8601 UTC, microseconds: sorts as text
    hospital_id: str
    actor: Actor
    action: Action
    outcome: str  # success | denied | failed | conflict | replayed
    context: RequestContext
    patient_id: str | None = None
    detail: str | None = None  # ids or codes only (a status name, a staff id)
