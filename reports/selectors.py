"""Reports reads: who may see which hospital's reports, the dashboard (one Query on the
hospital's rollup partition), its charts, and the call-back list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from accounts import repository as accounts_repository
from accounts.domain import Hospital, Role, SignedInStaff
from patients import repository as patients_repository
from patients.domain import DISPOSITIONS, STATUS_LABELS, Patient, Status
from reports import charts, repository
from reports.domain import (
    AGREEMENT_LABELS,
    ECAT_LABELS,
    LEVELS,
    TILES,
    WEEKDAYS,
    Report,
    build_report,
    language_label,
)
from solace import clock


class Access(StrEnum):
    AGGREGATE = "aggregate"  # numbers only
    CLINICAL = "clinical"  # numbers, the call-back list (names, phones) and override reasons


# Plain nurses have no reports; admins see aggregates only.
REPORT_ACCESS = {
    Role.ADMIN: Access.AGGREGATE,
    Role.CHARGE_NURSE: Access.CLINICAL,
    Role.PHYSICIAN: Access.CLINICAL,
}


def reports_access(staff: SignedInStaff, hospital_id: str) -> Access | None:
    """THE permission check of reports/: what this staff member may see of this hospital's
    reports (None: nothing). Every view goes through it; roles per hospital change it here."""
    if not staff.is_authenticated:
        return None
    for access in (Access.CLINICAL, Access.AGGREGATE):
        roles = [role for role, given in REPORT_ACCESS.items() if given == access]
        if staff.has_role_at(hospital_id, *roles):  # the role at THIS hospital
            return access
    return None


def sees_reports(staff: SignedInStaff) -> bool:
    """Whether to offer the Reports link at all: a reporting role at some hospital."""
    return staff.is_authenticated and bool(staff.hospitals_with(*REPORT_ACCESS))


def reportable_hospitals(staff: SignedInStaff) -> list[Hospital]:
    ids = frozenset(h for h in staff.hospital_ids if reports_access(staff, h))
    hospitals = accounts_repository.hospitals_get_many(ids) if ids else []
    return sorted(hospitals, key=lambda h: h.name.casefold())


def local_today(hospital: Hospital) -> date:
    return clock.now_utc().astimezone(ZoneInfo(hospital.timezone)).date()


def report(hospital: Hospital, start: date, end: date, group: str) -> Report:
    """The dashboard's numbers for a date range and the same length before it (the tiles'
    change): ONE Query on the hospital's rollup partition."""
    length = (end - start).days + 1
    days = repository.days_between(hospital.hospital_id, start - timedelta(days=length), end)
    return build_report(
        [d for d in days if d.day >= start],
        start=start,
        end=end,
        group=group,
        previous_days=[d for d in days if d.day < start],
        wait_targets=hospital.wait_targets,
        now=clock.now_utc(),
        zone=ZoneInfo(hospital.timezone),
    )


def report_charts(result: Report) -> dict[str, charts.Chart]:
    """The dashboard's charts, each drawn from one of its tables."""
    tile_defs = {t.key: t for t in TILES}
    # Short axis labels ("2 Mar"); the full ones are in each bar's title and in the table.
    labels = [f"{p.start.day} {p.start:%b}" for p in result.periods]
    per = [p.visits for p in result.periods]
    full = [p.label for p in result.periods]
    what = "week" if result.group == "week" else "day"
    found: dict[str, charts.Chart] = {}
    found["arrivals"] = charts.columns(
        "arrivals",
        f"Visits per {what}",
        f"Bar chart of visits per {what} from {result.start} to {result.end}.",
        "by_period",
        labels,
        [v.count for v in per],
        "visits",
        titles=full,
    )
    d2p = tile_defs["door_to_provider"].target
    found["door_to_provider"] = charts.columns(
        "door_to_provider",
        f"Door to provider, median per {what}",
        f"Bar chart of the median minutes from arrival to provider per {what}, with the "
        f"target of {d2p.text} drawn as a line; bars over it are darker.",
        "by_period",
        labels,
        [v.stat("to_provider").median for v in per],
        "min",
        target=d2p.value,
        target_text=d2p.text,
        titles=full,
    )
    op18 = tile_defs["op18"].target
    found["op18"] = charts.columns(
        "op18",
        f"Length of stay of discharged patients (OP-18), median per {what}",
        f"Bar chart of the median minutes from arrival to departure of discharged patients per "
        f"{what}, with the target of {op18.text} as a line.",
        "by_period",
        labels,
        [v.op18().median for v in per],
        "min",
        target=op18.value,
        target_text=op18.text,
        titles=full,
    )
    found["ecat_trend"] = charts.columns(
        "ecat_trend",
        f"ECAT: share of departed visits with an access gap, per {what}",
        f"Bar chart of the percentage of departed visits with any of the four CMS access gaps "
        f"per {what}.",
        "by_period",
        labels,
        [v.ecat_share() for v in per],
        "%",
        titles=full,
    )
    hours = result.tables["by_hour"].rows
    found["hourly"] = charts.columns(
        "hourly",
        "Door to provider by hour of arrival, median",
        "Bar chart of the median minutes from arrival to provider for patients arriving in "
        "each hour of the day.",
        "by_hour",
        [f"{h:02d}" for h in range(24)],
        [row[3] for row in hours],
        "min",
        target=d2p.value,
        target_text=d2p.text,
    )
    found["heatmap"] = charts.heatmap(
        "heatmap",
        "Arrivals by hour of day and day of week",
        "Grid of 7 weekdays by 24 hours, shaded by the number of arrivals; the busiest hours "
        "are darkest. The exact counts are in the table below.",
        "arrivals_heatmap",
        list(WEEKDAYS),
        result.heatmap,
    )
    visits = result.visits
    found["acuity_mix"] = charts.bars(
        "acuity_mix",
        "Acuity mix",
        "Horizontal bars of the share of visits at each acuity level.",
        "by_level",
        [f"ESI {lvl}" for lvl in LEVELS],
        [row[2] for row in result.tables["by_level"].rows if row[0].startswith("ESI")],
        "%",
        css=[f"bar lvl-{lvl}" for lvl in LEVELS],
    )
    found["los_by_disposition"] = charts.bars(
        "los_by_disposition",
        "Length of stay by disposition, median",
        "Horizontal bars of the median minutes from arrival to departure for each disposition.",
        "by_disposition",
        [STATUS_LABELS[s] for s in DISPOSITIONS],
        [row[3] for row in result.tables["by_disposition"].rows[: len(DISPOSITIONS)]],
        "min",
    )
    flagged, departed, per_gap = visits.ecat()
    found["ecat"] = charts.bars(
        "ecat",
        "ECAT access gaps",
        "Horizontal bars of the share of departed visits with each access gap, and with any.",
        "ecat",
        [
            "Any of the four",
            "Over 60 min to a room",
            "Left without evaluation",
            "Boarded over 240 min",
            "Stay over 480 min",
        ],
        [
            _pct(flagged, departed),
            *(_pct(per_gap[k], departed) for k in ECAT_LABELS),
        ],
        "%",
        css=["bar over", "bar", "bar", "bar", "bar"],
    )
    by_level = result.tables["agreement_by_level"].rows
    found["agreement"] = charts.stacked(
        "agreement",
        "Triage agreement by nurse-confirmed level",
        "Horizontal bars for each confirmed level, split into the share where the nurse "
        "confirmed the suggested level, chose a more urgent one, or a less urgent one.",
        "agreement_by_level",
        [row[0].replace("Nurse level", "Level") for row in by_level],
        [[row[2], row[4], row[6]] for row in by_level],
        list(AGREEMENT_LABELS.values()),
        ["part agree", "part more", "part less"],
    )
    return found


def _pct(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


# --- The call-back list (clinicians only) -----------------------------------------------------
@dataclass(frozen=True)
class Callback:
    patient_id: str
    name: str
    phone: str
    check_in_code: str
    level: int | None
    language: str
    arrived_at: datetime
    left_at: datetime | None
    complaint: str

    @property
    def arrived_label(self) -> str:
        """ "Mon 2 Mar, 08:10" in the hospital's time zone."""
        return _label(self.arrived_at)

    @property
    def left_label(self) -> str:
        return _label(self.left_at) if self.left_at else ""

    @property
    def waited_minutes(self) -> int | None:
        if self.left_at is None:
            return None
        return int((self.left_at - self.arrived_at).total_seconds() // 60)


def _label(moment: datetime) -> str:
    # Formatted here: the template's date filter would show the server's zone (UTC).
    return f"{moment:%a} {moment.day} {moment:%b, %H:%M}"


def _left_at(patient: Patient, zone: ZoneInfo) -> datetime | None:
    """When the patient left: the disposition, or when they said "I have left" if earlier (as
    the rollup dates the departure)."""
    moments = [t for t in (patient.disposition_at, patient.left_reported_at) if t]
    return clock.parse_iso(min(moments)).astimezone(zone) if moments else None


def callbacks(hospital: Hospital, result: Report) -> list[Callback]:
    """Level 1-3 patients who left without being seen in the range: names and phone numbers
    from their records (one BatchGetItem per 100), most urgent first, then oldest first."""
    ids = [r.patient_id for r in result.visits.rows if r.callback and r.patient_id]
    levels = {r.patient_id: r.level for r in result.visits.rows if r.callback}
    zone = ZoneInfo(hospital.timezone)
    found = []
    for patient in patients_repository.patients_get_many(ids):
        if patient.hospital_id != hospital.hospital_id:
            continue
        if patient.status != Status.LEFT_WITHOUT_BEING_SEEN:
            continue  # the rollup has not caught up with an undo yet
        found.append(
            Callback(
                patient_id=patient.patient_id,
                name=patient.display_name,
                phone=patient.phone,
                check_in_code=patient.check_in_code,
                level=levels.get(patient.patient_id),
                language=language_label(patient.preferred_language),
                arrived_at=clock.parse_iso(patient.created_at).astimezone(zone),
                left_at=_left_at(patient, zone),
                complaint=patient.chief_complaint,
            )
        )
    return sorted(found, key=lambda c: (c.level or 9, c.arrived_at))
