"""Console writes: browsing and exporting the audit trail are themselves audited."""

from __future__ import annotations

from accounts.domain import SignedInStaff
from accounts.services import actor_of
from audit.domain import Action, AuditEntry, org_partition
from audit.services import audit_record
from console.selectors import AuditFilter
from solace.context import RequestContext


def audit_viewed(
    staff: SignedInStaff, audit_filter: AuditFilter, context: RequestContext, *, exported: bool
) -> AuditEntry:
    """Browsing and exporting the trail are themselves audited, with the filter used."""
    partition = audit_filter.partition or org_partition(staff.organization_id)
    detail = (
        f"from={audit_filter.date_from} to={audit_filter.date_to} actor={audit_filter.actor_id} "
        f"patient={audit_filter.patient_id} action={audit_filter.action}"
    )
    return audit_record(
        hospital_id=partition,
        actor=actor_of(staff, audit_filter.partition),
        action=Action.AUDIT_EXPORTED if exported else Action.AUDIT_BROWSED,
        context=context,
        patient_id=audit_filter.patient_id or None,
        detail=detail,
    )
