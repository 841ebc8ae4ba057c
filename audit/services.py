"""Building and recording audit entries."""

from __future__ import annotations

import uuid

from audit import repository
from audit.domain import Action, Actor, AuditEntry, RequestContext, org_partition
from solace.clock import utc_now_iso


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


def audit_viewed(staff, audit_filter, context: RequestContext, *, exported: bool) -> AuditEntry:
    """Browsing and exporting the trail are themselves audited, with the filter used."""
    partition = audit_filter.partition or org_partition(min(staff.organization_ids))
    detail = (
        f"from={audit_filter.date_from} to={audit_filter.date_to} actor={audit_filter.actor_id} "
        f"patient={audit_filter.patient_id} action={audit_filter.action}"
    )
    return audit_record(
        hospital_id=partition,
        actor=Actor.staff(staff.staff_id, staff.role.value),
        action=Action.AUDIT_EXPORTED if exported else Action.AUDIT_BROWSED,
        context=context,
        patient_id=audit_filter.patient_id or None,
        detail=detail,
    )
