"""Audit reads for admins: each filter is served by a key or index Query, newest first."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from accounts.domain import Role, SignedInStaff
from audit import repository
from audit.domain import org_partition
from solace import cursors

PAGE_SIZE = 50
EXPORT_PAGE_SIZE = 500


@dataclass(frozen=True)
class AuditFilter:
    partition: str | None  # a hospital id or an organization's account partition
    date_from: date
    date_to: date
    actor_id: str = ""
    patient_id: str = ""
    action: str = ""

    def scope(self, staff: SignedInStaff) -> str:
        """What a cursor is bound to: this admin and exactly this filter."""
        return "|".join(
            [
                staff.staff_id,
                self.partition or "",
                self.date_from.isoformat(),
                self.date_to.isoformat(),
                self.actor_id,
                self.patient_id,
                self.action,
            ]
        )


def visible_partitions(staff: SignedInStaff) -> list[str]:
    """An admin sees the hospitals they administer and their organizations' account events."""
    return [*sorted(staff.hospitals_with(Role.ADMIN)), org_partition(staff.organization_id)]


def _query(staff: SignedInStaff, audit_filter: AuditFilter, limit: int, start_key):
    """The most selective key serves the query (patient, actor, action, else hospital); the
    other filters narrow that key's entries."""
    wanted = {"actor_id": audit_filter.actor_id, "action": audit_filter.action}
    if audit_filter.patient_id:
        index, key_name, key_value = "by-patient", "patient_id", audit_filter.patient_id
    elif audit_filter.actor_id:
        index, key_name, key_value = "by-actor", "actor_id", audit_filter.actor_id
    elif audit_filter.action:
        index, key_name = "by-action", "hospital_action"
        key_value = repository.HOSPITAL_ACTION.format(
            hospital_id=audit_filter.partition, action=audit_filter.action
        )
        wanted["action"] = ""
    else:
        index, key_name, key_value = None, "hospital_id", audit_filter.partition
    extra: dict[str, str | list[str]] = {
        name: value for name, value in wanted.items() if value and name != key_name
    }
    if index in ("by-patient", "by-actor"):  # keys that span hospitals: keep to the admin's
        extra["hospital_id"] = audit_filter.partition or visible_partitions(staff)
    return repository.query_page(
        index=index,
        key_name=key_name,
        key_value=key_value,
        entry_from=audit_filter.date_from.isoformat(),
        entry_to=audit_filter.date_to.isoformat() + "~",  # "~" sorts after any time of that day
        filters=extra,
        limit=limit,
        start_key=start_key,
    )


def audit_page(
    staff: SignedInStaff, audit_filter: AuditFilter, cursor: str | None
) -> tuple[list[dict], str | None]:
    """One page of entries and the signed cursor for the next (older) page."""
    start_key = cursors.decode(cursor, audit_filter.scope(staff))
    entries, last_key = _query(staff, audit_filter, PAGE_SIZE, start_key)
    return entries, cursors.encode(last_key, audit_filter.scope(staff))


def audit_all(staff: SignedInStaff, audit_filter: AuditFilter) -> Iterator[dict]:
    """Every entry of the filter, newest first, read page by page as the export streams."""
    start_key = None
    while True:
        entries, start_key = _query(staff, audit_filter, EXPORT_PAGE_SIZE, start_key)
        yield from entries
        if start_key is None:
            return
