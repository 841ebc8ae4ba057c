"""Audit reads for admins: each filter is served by key or index Queries (one per hospital for
"All my hospitals", merged newest first), and the entries are shown as a report: names, local
times, words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from accounts import repository as accounts_repository
from accounts.domain import Role, SignedInStaff
from audit import repository
from audit.domain import AUDIT_USE_ACTIONS, ORG_PARTITION, Action, org_partition
from patients import repository as patients_repository
from solace import clock, cursors

PAGE_SIZE = 50
EXPORT_PAGE_SIZE = 500
ALL = "all"

OUTCOME_LABELS = {
    "success": "Done",
    "failed": "Failed",
    "denied": "Refused",
    "forbidden": "Refused (not allowed)",
    "not_found": "Refused (not found)",
    "conflict": "Conflict",
    "replayed": "Repeated",
    "throttled": "Held back",
    "invalid": "Invalid input",
}
_ID = re.compile(r"\b[0-9a-f]{32}\b")


@dataclass(frozen=True)
class AuditFilter:
    partition: str  # a hospital id, an organization's account partition, or ALL
    date_from: date
    date_to: date
    zone: str = "UTC"  # the dates are days of this time zone
    actor_id: str = ""
    patient_id: str = ""
    action: str = ""
    hide_audit_use: bool = True

    def bounds(self) -> tuple[str, str]:
        """Entry-key bounds: local midnight of the first day to local midnight after the last."""
        zone = ZoneInfo(self.zone)
        start = datetime.combine(self.date_from, time(), zone)
        end = datetime.combine(self.date_to + timedelta(days=1), time(), zone)
        return clock.iso(start), clock.iso(end)

    def scope(self, staff: SignedInStaff) -> str:
        """What a cursor is bound to: this admin and exactly this filter."""
        return "|".join(
            [
                staff.staff_id,
                self.partition,
                self.date_from.isoformat(),
                self.date_to.isoformat(),
                self.zone,
                self.actor_id,
                self.patient_id,
                self.action,
                str(self.hide_audit_use),
            ]
        )


def visible_partitions(staff: SignedInStaff) -> list[str]:
    """An admin sees the hospitals they administer and their organization's account events."""
    return [*sorted(staff.hospitals_with(Role.ADMIN)), org_partition(staff.organization_id)]


@dataclass(frozen=True)
class _Plan:
    index: str | None
    key_name: str
    key_value: str
    filters: dict


_KEY_NAMES = {
    None: ("hospital_id", "entry_key"),
    "by-patient": ("patient_id", "entry_key", "hospital_id"),
    "by-actor": ("actor_id", "entry_key", "hospital_id"),
    "by-action": ("hospital_action", "entry_key", "hospital_id"),
}


def _plans(staff: SignedInStaff, f: AuditFilter) -> list[_Plan]:
    """The most selective key serves the query (patient, actor, action, else hospital); the
    other filters narrow that key's entries. Keys that span hospitals keep to the admin's."""
    partitions = visible_partitions(staff) if f.partition == ALL else [f.partition]
    wanted = {"actor_id": f.actor_id, "action": f.action}
    if f.patient_id or f.actor_id:
        index = "by-patient" if f.patient_id else "by-actor"
        key_name = "patient_id" if f.patient_id else "actor_id"
        filters = {k: v for k, v in wanted.items() if v and k != key_name}
        filters["hospital_id"] = partitions
        return [_Plan(index, key_name, f.patient_id or f.actor_id, filters)]
    if f.action:
        return [
            _Plan(
                "by-action",
                "hospital_action",
                repository.HOSPITAL_ACTION.format(hospital_id=p, action=f.action),
                {},
            )
            for p in partitions
        ]
    return [_Plan(None, "hospital_id", p, {}) for p in partitions]


def _start_key(plan: _Plan, entry: dict) -> dict:
    return {name: {"S": entry[name]} for name in _KEY_NAMES[plan.index]}


def _page(staff: SignedInStaff, f: AuditFilter, limit: int, state: dict | None):
    """Up to `limit` entries newest first across the plans, and where each plan goes on from
    (None when every plan is read to its end)."""
    plans = _plans(staff, f)
    state = state or {}
    exclude = (
        {"action": sorted(a.value for a in AUDIT_USE_ACTIONS)}
        if f.hide_audit_use and f.action not in {a.value for a in AUDIT_USE_ACTIONS}
        else None
    )
    entry_from, entry_to = f.bounds()
    fetched = {}
    for n, plan in enumerate(plans):
        start = state.get(str(n))
        if start == "done":
            continue
        fetched[n] = repository.query_page(
            index=plan.index,
            key_name=plan.key_name,
            key_value=plan.key_value,
            entry_from=entry_from,
            entry_to=entry_to,
            filters=plan.filters,
            exclude=exclude,
            limit=limit,
            start_key=start,
        )
    candidates = sorted(
        (
            (entry["entry_key"], n, i)
            for n, (entries, _) in fetched.items()
            for i, entry in enumerate(entries)
        ),
        reverse=True,
    )[:limit]
    consumed: dict[int, int] = {}
    for _, n, i in candidates:
        consumed[n] = max(consumed.get(n, -1), i)
    new_state = {k: v for k, v in state.items() if v == "done"}
    for n, (entries, last_key) in fetched.items():
        used = consumed.get(n, -1)
        if used == len(entries) - 1 and last_key is None:
            new_state[str(n)] = "done"
        elif used >= 0:
            new_state[str(n)] = _start_key(plans[n], entries[used])
        else:
            new_state[str(n)] = state.get(str(n))
    chosen = [fetched[n][0][i] for _, n, i in candidates]
    if all(new_state.get(str(n)) == "done" for n in range(len(plans))):
        return chosen, None
    return chosen, new_state


def audit_page(
    staff: SignedInStaff, audit_filter: AuditFilter, cursor: str | None
) -> tuple[list[dict], str | None]:
    """One page of entries and the signed cursor for the next (older) page."""
    state = cursors.decode(cursor, audit_filter.scope(staff))
    entries, state = _page(staff, audit_filter, PAGE_SIZE, state)
    return entries, cursors.encode(state, audit_filter.scope(staff))


def audit_all(staff: SignedInStaff, audit_filter: AuditFilter) -> Iterator[dict]:
    """Every entry of the filter, newest first, read page by page as the export streams."""
    state = None
    while True:
        entries, state = _page(staff, audit_filter, EXPORT_PAGE_SIZE, state)
        yield from entries
        if state is None:
            return


# --- Reading like a report ---------------------------------------------------------------------
@dataclass(frozen=True)
class Names:
    """What the entries' ids stand for, as far as this admin may know."""

    hospitals: dict[str, tuple[str, str]]  # id -> (name, time zone)
    staff: dict[str, tuple[str, str]]  # id -> (name, email), this organization's only
    patients: dict[str, str]  # id -> "CODE · Given Family", this admin's hospitals only
    zone: str  # for account events

    def hospital(self, hospital_id: str) -> str:
        if hospital_id.startswith(ORG_PARTITION.format("")):
            return "Account events"
        return self.hospitals.get(hospital_id, ("Another hospital", ""))[0]

    def zone_of(self, hospital_id: str) -> str:
        return self.hospitals.get(hospital_id, ("", self.zone))[1] or self.zone

    def text(self, detail: str | None) -> str:
        """Ids in a detail replaced by names where known."""

        def name(match: re.Match) -> str:
            value = match.group(0)
            if value in self.staff:
                return self.staff[value][0]
            if value in self.patients:
                return self.patients[value]
            if value in self.hospitals:
                return self.hospitals[value][0]
            return value[:8] + "…"

        # "a,b" lists read as "a, b" (and can wrap between items, never inside one).
        return re.sub(r",(?=\S)", ", ", _ID.sub(name, detail or ""))


def names_for(staff: SignedInStaff, entries: list[dict]) -> Names:
    """Names of the hospitals, staff and patients on these entries: a BatchGetItem each."""
    mine = staff.hospitals_with(Role.ADMIN)
    ids = set()
    for e in entries:
        ids.update(_ID.findall(e.get("detail") or ""))
    hospital_ids = set(mine) | {e["hospital_id"] for e in entries} | ids
    hospital_ids = {h for h in hospital_ids if not h.startswith("org:")}
    hospitals = {
        h.hospital_id: (h.name, h.timezone)
        for h in accounts_repository.hospitals_get_many(frozenset(hospital_ids))
        if h.organization_id == staff.organization_id
    }
    staff_ids = {e["actor_id"] for e in entries if e.get("actor_type") == "staff"} | ids
    people = {
        s.staff_id: (s.name, s.email)
        for s in accounts_repository.staff_get_many(frozenset(staff_ids - set(hospitals))).values()
        if s.organization_id == staff.organization_id
    }
    patient_ids = {e["patient_id"] for e in entries if e.get("patient_id")} | (
        ids - set(hospitals) - set(people)
    )
    patients = {
        pid: _patient_label(p)
        for pid, p in patients_repository.patient_summaries(frozenset(patient_ids)).items()
        if p.get("hospital_id") in mine
    }
    zone = next((hospitals[h][1] for h in sorted(mine) if h in hospitals), "UTC")
    return Names(hospitals=hospitals, staff=people, patients=patients, zone=zone)


def _patient_label(summary: dict) -> str:
    name = " ".join(filter(None, [summary.get("given_name"), summary.get("family_name")]))
    return f"{summary.get('check_in_code') or '?'} · {name}" if name else summary["check_in_code"]


def _actor(entry: dict, names: Names) -> tuple[str, str]:
    kind, actor_id = entry.get("actor_type"), entry.get("actor_id", "")
    if kind == "staff" and actor_id in names.staff:
        return names.staff[actor_id]
    if kind == "patient":
        return "Patient (check-in)", ""
    if kind == "system":
        return "System (operator)", ""
    if actor_id == "unknown-account":
        return "Unknown account", ""
    return f"Staff {actor_id[:8]}…", ""


def present(entry: dict, names: Names) -> dict:
    """One row: local time, people and patients by name, actions and outcomes as words."""
    actor_name, actor_email = _actor(entry, names)
    zone = names.zone_of(entry["hospital_id"])
    moment = clock.parse_iso(entry["time"]).astimezone(ZoneInfo(zone))
    patient_id = entry.get("patient_id") or ""
    try:
        action_label = Action(entry["action"]).label
    except ValueError:
        action_label = entry["action"]
    role = (entry.get("actor_role") or "").replace("_", " ").replace("+", ", ")
    return {
        "entry": entry,
        "date": moment.strftime("%Y-%m-%d"),
        "clock": moment.strftime("%H:%M:%S"),
        "zone": moment.strftime("%Z"),
        "actor_id": entry.get("actor_id", ""),
        "actor_name": actor_name,
        "actor_email": actor_email,
        "actor_role": role,
        "patient_id": patient_id,
        "patient": names.patients.get(patient_id)
        or (f"Patient {patient_id[:8]}…" if patient_id else ""),
        "action": entry["action"],
        "action_label": action_label,
        "outcome": OUTCOME_LABELS.get(entry.get("outcome", ""), entry.get("outcome", "")),
        "failed": entry.get("outcome") not in (None, "success"),
        "detail": names.text(entry.get("detail")),
        "hospital": names.hospital(entry["hospital_id"]),
        "workstation": (entry.get("client_address_key") or "")[:8],
    }


def patient_names_shown(rows: list[dict], names: Names) -> list[str]:
    return sorted({r["patient_id"] for r in rows if r["patient_id"] in names.patients})


# --- Patient access report --------------------------------------------------------------
REPORT_MAX_ENTRIES = 10_000
REPORT_MAX_ARCHIVE_OBJECTS = 400


@dataclass(frozen=True)
class AccessReport:
    patient_id: str
    patient: str  # code and name
    hospital_name: str
    zone: str
    date_from: date
    date_to: date
    rows: list[dict]
    hot_since: str  # local date from which the table answered
    archive_days: int  # days looked up in the archive
    uncovered: list[tuple[str, str]]  # (first, last) UTC days it could not read
    truncated: bool


def _periods(days: list[str]) -> list[tuple[str, str]]:
    periods: list[tuple[str, str]] = []
    for day in sorted(days):
        if periods and date.fromisoformat(day) - date.fromisoformat(periods[-1][1]) == timedelta(1):
            periods[-1] = (periods[-1][0], day)
        else:
            periods.append((day, day))
    return periods


def access_report(
    staff: SignedInStaff, patient, hospital, date_from: date, date_to: date, store=None
) -> AccessReport:
    """Every access to one patient's record between two local dates: the by-patient index for
    the 90 days the table keeps, the S3 archive (readable storage classes only, a bounded
    number of objects) before that; the periods it could not read are named, not guessed."""
    zone = ZoneInfo(hospital.timezone)
    start = clock.iso(datetime.combine(date_from, time(), zone))
    end = clock.iso(datetime.combine(date_to + timedelta(days=1), time(), zone))
    hot_since = clock.iso(clock.now_utc() - timedelta(days=repository.HOT_DAYS))
    visible = visible_partitions(staff)
    entries: list[dict] = []
    start_key = None
    truncated = False
    if end > hot_since:
        while True:
            page, start_key = repository.query_page(
                index="by-patient",
                key_name="patient_id",
                key_value=patient.patient_id,
                entry_from=max(start, hot_since),
                entry_to=end,
                filters={"hospital_id": visible},
                limit=1000,
                start_key=start_key,
            )
            entries += page
            if start_key is None:
                break
            if len(entries) >= REPORT_MAX_ENTRIES:
                truncated = True
                break
    days: list[str] = []
    uncovered: list[str] = []
    if start < hot_since:
        first = clock.parse_iso(start).date()
        last = min(clock.parse_iso(end) - timedelta(microseconds=1), clock.parse_iso(hot_since))
        day = first
        while day <= last.date():
            days.append(day.isoformat())
            day += timedelta(days=1)
        if store is None:
            from audit.archive_repository import ArchiveConfig, ArchiveStore

            store = ArchiveStore(ArchiveConfig.from_env())
        from audit import archive

        read = archive.patient_entries(
            store, hospital.hospital_id, patient.patient_id, days, REPORT_MAX_ARCHIVE_OBJECTS
        )
        uncovered = read.unread_days
        seen = {e["event_id"] for e in entries}
        for entry in read.entries:
            if start <= entry["time"] < end and entry["event_id"] not in seen:
                seen.add(entry["event_id"])
                entries.append({**entry, "source": "archive"})
    entries.sort(key=lambda e: e["time"], reverse=True)
    names = names_for(staff, entries)
    summary = patients_repository.patient_summaries(frozenset({patient.patient_id}))
    label = _patient_label(summary[patient.patient_id]) if summary else patient.patient_id
    return AccessReport(
        patient_id=patient.patient_id,
        patient=label,
        hospital_name=hospital.name,
        zone=hospital.timezone,
        date_from=date_from,
        date_to=date_to,
        rows=[present(e, names) for e in entries],
        hot_since=clock.parse_iso(max(start, hot_since)).astimezone(zone).date().isoformat(),
        archive_days=len(days),
        uncovered=_periods(uncovered),
        truncated=truncated,
    )


REPORT_FIELDS = (
    "time_local",
    "time_utc",
    "who",
    "who_email",
    "who_id",
    "role",
    "what",
    "action",
    "outcome",
    "hospital",
    "workstation",
    "detail",
    "event_id",
    "source",
)


def report_record(row: dict) -> dict:
    """One line of the CSV / JSONL download: readable, with the ids beside the names."""
    entry = row["entry"]
    return {
        "time_local": f"{row['date']} {row['clock']} {row['zone']}",
        "time_utc": entry["time"],
        "who": row["actor_name"],
        "who_email": row["actor_email"],
        "who_id": entry.get("actor_id"),
        "role": row["actor_role"],
        "what": row["action_label"],
        "action": entry["action"],
        "outcome": row["outcome"],
        "hospital": row["hospital"],
        "workstation": entry.get("client_address_key") or "",
        "detail": row["detail"],
        "event_id": entry["event_id"],
        "source": entry.get("source", "table"),
    }
