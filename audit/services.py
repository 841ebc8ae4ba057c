"""Building and recording audit entries."""

from __future__ import annotations

import uuid

from audit import repository
from audit.domain import Action, AuditEntry
from solace.clock import utc_now_iso
from solace.context import Actor, RequestContext


def audit_entry(
    *,
    hospital_id: str,
    actor: Actor,
    action: Action,
    context: RequestContext,
    patient_id: str | None = None,
    outcome: str = "success",
    detail: str | None = None,
    time: str | None = None,
) -> AuditEntry:
    return AuditEntry(
        event_id=uuid.uuid4().hex,
        time=time or utc_now_iso(),
        hospital_id=hospital_id,
        actor=actor,
        action=action,
        outcome=outcome,
        context=context,
        patient_id=patient_id,
        detail=detail,
    )


def audit_record(**kwargs) -> AuditEntry:
    """Build and write one entry on its own."""
    entry = audit_entry(**kwargs)
    repository.put(entry)
    return entry
