"""Console writes: browsing and exporting the audit trail, and access reports, are themselves
audited; the admin's hospital of choice is remembered."""

from __future__ import annotations

from accounts import repository as accounts_repository
from accounts.domain import SignedInStaff
from accounts.services import actor_of
from audit.domain import Action, AuditEntry, org_partition
from audit.services import audit_record
from console.selectors import ALL, AuditFilter
from solace.context import RequestContext

PARTITION_SESSION_KEY = "audit_partition"


def audit_viewed(
    staff: SignedInStaff,
    audit_filter: AuditFilter,
    context: RequestContext,
    *,
    exported: bool,
    names_shown: list[str] = (),
) -> AuditEntry:
    """Browsing and exporting the trail are themselves audited, with the filter used (and the
    patients whose names the page showed)."""
    partition = (
        audit_filter.partition
        if audit_filter.partition != ALL
        else org_partition(staff.organization_id)
    )
    detail = (
        f"hospital={audit_filter.partition} from={audit_filter.date_from} "
        f"to={audit_filter.date_to} actor={audit_filter.actor_id} "
        f"patient={audit_filter.patient_id} action={audit_filter.action}"
    )
    if names_shown:
        detail += " names_shown=" + ",".join(names_shown)
    return audit_record(
        hospital_id=partition,
        actor=actor_of(staff, audit_filter.partition),
        action=Action.AUDIT_EXPORTED if exported else Action.AUDIT_BROWSED,
        context=context,
        patient_id=audit_filter.patient_id or None,
        detail=detail,
    )


def access_report_made(
    staff: SignedInStaff, patient, report, context: RequestContext, output: str
) -> AuditEntry:
    return audit_record(
        hospital_id=patient.hospital_id,
        actor=actor_of(staff, patient.hospital_id),
        action=Action.ACCESS_REPORT,
        context=context,
        patient_id=patient.patient_id,
        detail=f"from={report.date_from} to={report.date_to} format={output} "
        f"entries={len(report.rows)} uncovered_periods={len(report.uncovered)}",
    )


def remember_partition(request, partition: str) -> None:
    """The admin's last used hospital becomes the trail's default (kept on the staff item)."""
    if request.session.get(PARTITION_SESSION_KEY) != partition:
        request.session[PARTITION_SESSION_KEY] = partition
        accounts_repository.staff_set_preference(
            request.staff.staff_id, "audit_partition", partition
        )


def remembered_partition(request) -> str | None:
    partition = request.session.get(PARTITION_SESSION_KEY)
    if partition is None:
        partition = accounts_repository.staff_preference(request.staff.staff_id, "audit_partition")
        if partition:
            request.session[PARTITION_SESSION_KEY] = partition
    return partition
