"""Audit entries: who touched which patient's data, when, from where. Ids only, never names or
clinical text."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    INTAKE_SUBMITTED = "intake.submitted"
    WORSE_REPORTED = "intake.worse_reported"
    PATIENT_VIEWED = "patient.viewed"
    QUEUE_DISPLAYED = "queue.displayed"
    VITALS_RECORDED = "patient.vitals_recorded"
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
    STAFF_CREATED = "admin.staff_created"
    STAFF_CHANGED = "admin.staff_changed"
    HOSPITAL_CREATED = "admin.hospital_created"
    HOSPITAL_CHANGED = "admin.hospital_changed"
    AUDIT_BROWSED = "audit.browsed"
    AUDIT_EXPORTED = "audit.exported"


class ActorType(StrEnum):
    STAFF = "staff"
    PATIENT = "patient"  # a patient's intake session
    SYSTEM = "system"


# Entries about no single hospital (a failed sign-in of an unknown account, say).
NO_HOSPITAL = "-"
# Account events (sign-in, staff changes) belong to the staff member's organization.
ORG_PARTITION = "org:{}"


def org_partition(organization_id: str) -> str:
    return ORG_PARTITION.format(organization_id)


USER_AGENT_MAX = 200


@dataclass(frozen=True)
class Actor:
    type: ActorType
    id: str
    role: str | None = None

    @classmethod
    def staff(cls, staff_id: str, role: str) -> Actor:
        return cls(ActorType.STAFF, staff_id, role)

    @classmethod
    def intake_session(cls, nonce: str) -> Actor:
        # The nonce is a bearer secret: the audit trail keeps a digest that identifies it.
        digest = hashlib.sha256(nonce.encode()).hexdigest()[:24]
        return cls(ActorType.PATIENT, f"intake:{digest}")

    @classmethod
    def system(cls) -> Actor:
        return cls(ActorType.SYSTEM, "system")


@dataclass(frozen=True)
class RequestContext:
    """Where an action came from; built by views, carried by services into audit entries."""

    request_id: str
    client_address: str
    user_agent: str

    @classmethod
    def from_request(cls, request) -> RequestContext:
        return cls(
            request_id=getattr(request, "request_id", ""),
            client_address=getattr(request, "client_address", ""),
            user_agent=request.headers.get("User-Agent", "")[:USER_AGENT_MAX],
        )


SYSTEM_CONTEXT = RequestContext(request_id="", client_address="", user_agent="")


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
