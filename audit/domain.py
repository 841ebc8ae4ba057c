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
    EARLIER_VISIT_SHOWN = "patient.earlier_visit_shown"
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
    ACCESS_DENIED = "access.denied"
    PATIENT_CALLED = "patient.called"
    CALL_NOT_ANSWERED = "patient.call_not_answered"
    CALL_CANCELLED = "patient.call_cancelled"
    LEFT_REPORTED = "intake.left_reported"  # the patient pressed "I have left"
    INTAKE_FINISHED = "intake.finished"  # "Done": the intake session ended on this device
    CLOSED_NOT_A_PATIENT = "patient.closed_not_a_patient"
    REOPENED = "patient.reopened"  # an ended visit undone
    REGISTRATIONS_REVIEWED = "registrations.reviewed"  # the check-in review page displayed
    KIOSK_CREATED = "admin.kiosk_created"
    KIOSK_ENROLLED = "kiosk.enrolled"  # the device opened its link and became the kiosk
    KIOSK_REVOKED = "admin.kiosk_revoked"
    POSTER_VIEWED = "admin.poster_viewed"
    SIGN_IN = "auth.sign_in"
    SIGN_OUT = "auth.sign_out"
    SIGN_IN_FAILED = "auth.sign_in_failed"
    SIGN_IN_THROTTLED = "auth.sign_in_throttled"
    SECOND_FACTOR_FAILED = "auth.second_factor_failed"
    REAUTHENTICATED = "auth.reauthenticated"
    FACTOR_ADDED = "auth.factor_added"
    FACTOR_REMOVED = "auth.factor_removed"
    RECOVERY_CODES_CREATED = "auth.recovery_codes_created"
    SETUP_COMPLETED = "auth.setup_completed"
    STAFF_CREATED = "admin.staff_created"
    STAFF_CHANGED = "admin.staff_changed"
    STAFF_DEACTIVATED = "admin.staff_deactivated"
    STAFF_REACTIVATED = "admin.staff_reactivated"
    STAFF_RESET = "admin.staff_reset"
    HOSPITAL_CREATED = "admin.hospital_created"
    HOSPITAL_CHANGED = "admin.hospital_changed"
    ORGANIZATION_CHANGED = "admin.organization_changed"
    AUDIT_BROWSED = "audit.browsed"
    AUDIT_EXPORTED = "audit.exported"
    # Cockpit shift (issue 13): displays, isolation, duplicates (an ending's undo is REOPENED).
    DEVICE_CREATED = "device.created"
    DEVICE_REVOKED = "device.revoked"
    ISOLATION_SET = "patient.isolation_set"
    DUPLICATE_FLAGGED = "patient.duplicate_flagged"
    DUPLICATE_DISMISSED = "patient.duplicate_dismissed"
    DUPLICATE_LINKED = "patient.duplicate_linked"
    ACCESS_REPORT = "audit.access_report"
    REPORT_VIEWED = "report.viewed"
    REPORT_EXPORTED = "report.exported"
    CALLBACKS_VIEWED = "report.callbacks_viewed"
    CALLBACKS_EXPORTED = "report.callbacks_exported"

    @property
    def label(self) -> str:
        return ACTION_LABELS.get(self, self.value)


ACTION_LABELS = {
    Action.INTAKE_SUBMITTED: "Checked in",
    Action.WORSE_REPORTED: "Reported feeling worse",
    Action.PATIENT_VIEWED: "Opened record",
    Action.EARLIER_VISIT_SHOWN: "Shown as earlier visit",
    Action.QUEUE_DISPLAYED: "Queue shown",
    Action.VITALS_RECORDED: "Vitals recorded",
    Action.ACUITY_CONFIRMED: "Acuity confirmed",
    Action.ACUITY_OVERRIDDEN: "Acuity overridden",
    Action.ROOM_ASSIGNED: "Room assigned",
    Action.STAFF_ASSIGNED: "Clinician assigned",
    Action.STATUS_CHANGED: "Status changed",
    Action.DISPOSITION: "Visit ended",
    Action.ACCESS_DENIED: "Access refused",
    Action.SIGN_IN: "Signed in",
    Action.SIGN_OUT: "Signed out",
    Action.SIGN_IN_FAILED: "Sign-in failed",
    Action.SIGN_IN_THROTTLED: "Sign-in held back",
    Action.SECOND_FACTOR_FAILED: "Second factor failed",
    Action.REAUTHENTICATED: "Confirmed identity",
    Action.FACTOR_ADDED: "Second factor added",
    Action.FACTOR_REMOVED: "Second factor removed",
    Action.RECOVERY_CODES_CREATED: "Recovery codes made",
    Action.SETUP_COMPLETED: "Account set up",
    Action.STAFF_CREATED: "Staff added",
    Action.STAFF_CHANGED: "Roles changed",
    Action.STAFF_DEACTIVATED: "Staff deactivated",
    Action.STAFF_REACTIVATED: "Staff reactivated",
    Action.STAFF_RESET: "Set-up link renewed",
    Action.HOSPITAL_CREATED: "Hospital added",
    Action.HOSPITAL_CHANGED: "Hospital settings changed",
    Action.ORGANIZATION_CHANGED: "Organization settings changed",
    Action.AUDIT_BROWSED: "Audit trail browsed",
    Action.AUDIT_EXPORTED: "Audit trail exported",
    Action.ACCESS_REPORT: "Access report made",
    Action.REPORT_VIEWED: "ED report viewed",
    Action.REPORT_EXPORTED: "ED report exported",
    Action.CALLBACKS_VIEWED: "Call-back list viewed",
    Action.CALLBACKS_EXPORTED: "Call-back list exported",
    Action.FINDINGS_RECORDED: "Findings recorded",
    Action.IDENTITY_COMPLETED: "Name and date of birth completed",
    Action.ALERT_ACKNOWLEDGED: "Alert acknowledged",
    Action.REGISTERED_BY_STAFF: "Registered by staff",
    Action.PATIENT_CALLED: "Called to a place",
    Action.CALL_NOT_ANSWERED: "Call not answered",
    Action.CALL_CANCELLED: "Call cancelled",
    Action.LEFT_REPORTED: "Patient said they left",
    Action.INTAKE_FINISHED: "Check-in device cleared",
    Action.CLOSED_NOT_A_PATIENT: "Closed: not a patient",
    Action.REOPENED: "Visit reopened",
    Action.REGISTRATIONS_REVIEWED: "Check-ins reviewed",
    Action.KIOSK_CREATED: "Kiosk added",
    Action.KIOSK_ENROLLED: "Kiosk enrolled",
    Action.KIOSK_REVOKED: "Kiosk revoked",
    Action.POSTER_VIEWED: "QR poster opened",
    Action.DEVICE_CREATED: "Display link made",
    Action.DEVICE_REVOKED: "Display link revoked",
    Action.ISOLATION_SET: "Isolation set",
    Action.DUPLICATE_FLAGGED: "Flagged as a possible duplicate",
    Action.DUPLICATE_DISMISSED: "Not a duplicate",
    Action.DUPLICATE_LINKED: "Duplicate registrations linked",
}

# The trail's own use (hidden from the admin's view on request; always recorded).
AUDIT_USE_ACTIONS = frozenset({Action.AUDIT_BROWSED, Action.AUDIT_EXPORTED, Action.ACCESS_REPORT})
# Entries about patients keep no client address or user agent, only a keyed hash.
_PATIENT_NAMESPACES = ("patient.", "intake.", "queue.")


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

    @property
    def about_patients(self) -> bool:
        return self.patient_id is not None or self.action.value.startswith(_PATIENT_NAMESPACES)
