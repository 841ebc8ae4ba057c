"""ED operations measures, in two steps, both pure functions:

1. `derive_visit`: one visit's encounter timeline -> its `VisitRow` (the time stamps the
   measures need, as durations, plus the tags they are split by). A function of the whole
   timeline, so it does not matter in which order, or how often, the stream delivered it.
2. `build_report`: the rows of a range of days -> every measure on the dashboard.

Time stamps follow the Emergency Department Benchmarking Alliance's definitions: arrival is the
first recorded request for care (the registration), the provider is the earlier of the first
physician assignment and "with provider", the disposition decision is the admit decision for
admitted patients and the departure for everyone else. Every definition and exclusion is in
README.md, "ED operations reports".
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from patients.domain import (
    AGE_BAND_LABELS,
    CLOSURES,
    DISPOSITIONS,
    PEDIATRIC_BANDS,
    STATUS_LABELS,
    EncounterEvent,
    EventType,
    Status,
    language_name,
    working_level,
)

LEVELS = (1, 2, 3, 4, 5)
ACUITY_EVENTS = (EventType.ACUITY_CONFIRMED, EventType.ACUITY_OVERRIDDEN)
RERUN_EVENTS = (
    EventType.VITALS_RECORDED,
    EventType.FINDINGS_RECORDED,
    EventType.IDENTITY_COMPLETED,
)
# Events that change nothing measured: the rollup need not look at the visit again for them.
# Calls are not a treatment space (ECAT's first component counts a room, `roomed`).
UNMEASURED_EVENTS = frozenset(
    {
        EventType.WORSE_REPORTED,
        EventType.ALERT_ACKNOWLEDGED,
        EventType.CALLED,
        EventType.CALL_NOT_ANSWERED,
        EventType.CALL_CANCELLED,
    }
)
# A patient who said "I have left" (the status page, issue 14) and whom staff then recorded as
# having left: the departure is when the patient said so, if that was earlier.
LEFT_DISPOSITIONS = frozenset({Status.LEFT_WITHOUT_BEING_SEEN, Status.LEFT_AGAINST_ADVICE})

# CMS Emergency Care Access & Timeliness thresholds, in seconds.
ECAT_ROOM_SECONDS = 60 * 60
ECAT_BOARDING_SECONDS = 240 * 60
ECAT_LOS_SECONDS = 480 * 60
# A visit with no recorded departure a day after arrival: its departure was not documented.
UNDOCUMENTED_AFTER = timedelta(hours=24)

# Dispositions as one letter in the stored rows (a day item holds hundreds of rows).
DISPOSITION_CODES = {
    Status.DISCHARGED: "D",
    Status.ADMITTED: "A",
    Status.TRANSFERRED: "T",
    Status.LEFT_WITHOUT_BEING_SEEN: "W",
    Status.LEFT_AGAINST_ADVICE: "L",
    Status.DIED: "X",
}
DISPOSITION_BY_CODE = {code: status for status, code in DISPOSITION_CODES.items()}
CALLBACK_LEVELS = (1, 2, 3)


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- 1. One visit ---------------------------------------------------------------------------
@dataclass(frozen=True)
class VisitRow:
    """What one visit contributes to the measures. Durations are whole seconds from arrival
    (or between the two named moments); None where the moment was never recorded."""

    hour: int  # local hour of arrival
    level: int | None  # the working level when the visit ended (or now)
    disposition: Status | None = None  # None: still in the department
    age_band: str | None = None
    language: str | None = None
    to_triage: int | None = None  # arrival -> first nurse-confirmed level
    to_room: int | None = None  # arrival -> first treatment space
    to_provider: int | None = None  # arrival -> first physician assignment or "with provider"
    provider_to_decision: int | None = None  # provider -> admit decision, else departure
    boarding: int | None = None  # admit decision -> departure
    los: int | None = None  # arrival -> departure
    admit_decided: bool = False
    # Triage agreement, at the first confirmation: the suggestion then and the nurse's level.
    suggested: int | None = None
    nurse_level: int | None = None
    override_reason: str | None = None
    agreement_age_band: str | None = None
    agreement_language: str | None = None
    # Only for the call-back list (left without being seen at level 1-3).
    patient_id: str | None = None

    @property
    def departed(self) -> bool:
        return self.disposition is not None

    @property
    def pediatric(self) -> bool | None:
        return None if self.age_band is None else self.age_band in PEDIATRIC_BANDS

    @property
    def callback(self) -> bool:
        return self.disposition == Status.LEFT_WITHOUT_BEING_SEEN and self.level in CALLBACK_LEVELS


@dataclass(frozen=True)
class Visit:
    """A visit as the rollup files it: under its hospital's local arrival day."""

    patient_id: str
    arrived_at: datetime
    day: date
    events: int  # how many events it was derived from (they only ever grow)
    row: VisitRow | None  # None: closed as a duplicate or "not a patient"
    closed: Status | None = None


def _seconds(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    seconds = int((end - start).total_seconds())
    return seconds if seconds >= 0 else None


def _undone(events: list[EncounterEvent]) -> set[str]:
    """Ids of the visit endings an undo took back."""
    undone: set[str] = set()
    for index, event in enumerate(events):
        if event.type != EventType.REOPENED:
            continue
        target = event.data.get("undone_event_id")
        if not target:
            endings = [
                e.event_id
                for e in events[:index]
                if e.data.get("to") in (*DISPOSITIONS, *CLOSURES)
                and e.type != EventType.REOPENED
                and e.event_id not in undone
            ]
            target = endings[-1] if endings else None
        if target:
            undone.add(target)
    return undone


def derive_visit(patient_id: str, events: Iterable[EncounterEvent], zone: ZoneInfo) -> Visit | None:
    """The visit's row from its timeline (any order in, time order used); None until its
    arrival is known."""
    timeline = sorted(events, key=lambda e: e.event_id)
    if not timeline:
        return None
    undone = _undone(timeline)
    arrival: datetime | None = None
    triage = room = physician = with_provider = admit = departure = left_reported = None
    suggested: int | None = None
    confirmed: int | None = None
    confirmed_against: int | None = None
    first_acuity: EncounterEvent | None = None
    age_band: str | None = None
    language: str | None = None
    disposition: Status | None = None
    closed: Status | None = None
    for event in timeline:
        if event.event_id in undone or event.type == EventType.REOPENED:
            continue
        at, data = parse_time(event.time), event.data
        if event.type == EventType.ARRIVED:
            arrival = arrival or at
            age_band = data.get("age_band", age_band)
            language = data.get("language", language)
        elif event.type == EventType.TRIAGE_SUGGESTED and "level" in data:
            suggested = int(data["level"])
        elif event.type in RERUN_EVENTS:
            if "level_after" in data:
                suggested = int(data["level_after"])
            age_band = data.get("age_band", age_band)
        elif event.type in ACUITY_EVENTS:
            confirmed = int(data["level"])
            confirmed_against = data.get("suggested_level")
            if first_acuity is None:
                first_acuity, triage = event, at
        elif event.type == EventType.ROOMED and data.get("room") and room is None:
            room = at
        elif event.type == EventType.ASSIGNED and data.get("slot") == "physician":
            physician = physician or at
        elif event.type == EventType.LEFT_REPORTED:
            left_reported = left_reported or at
        to = data.get("to")
        if to == Status.WITH_PROVIDER:
            with_provider = with_provider or at
        elif to == Status.ADMIT_DECIDED:
            admit = admit or at
        elif to in CLOSURES:
            closed = Status(to)
        elif to in DISPOSITIONS:
            departure, disposition = at, Status(to)
    if arrival is None:
        return None  # its arrival has not reached the rollup yet: nothing to file it under
    providers = [t for t in (physician, with_provider) if t is not None]
    provider = min(providers) if providers else None
    if (
        disposition in LEFT_DISPOSITIONS
        and left_reported is not None
        and departure is not None
        and (provider or arrival) <= left_reported < departure
    ):
        departure = left_reported  # the patient said so before staff recorded it
    local = arrival.astimezone(zone)
    visit = {"patient_id": patient_id, "arrived_at": arrival, "day": local.date()}
    if closed is not None:
        return Visit(**visit, events=len(timeline), row=None, closed=closed)
    decision = admit or departure
    level = (
        working_level(suggested, confirmed, confirmed_against)
        if suggested is not None
        else confirmed
    )
    row = VisitRow(
        hour=local.hour,
        level=level,
        disposition=disposition,
        age_band=age_band,
        language=language,
        to_triage=_seconds(arrival, triage),
        to_room=_seconds(arrival, room),
        to_provider=_seconds(arrival, provider),
        provider_to_decision=_seconds(provider, decision),
        boarding=_seconds(admit, departure),
        los=_seconds(arrival, departure),
        admit_decided=admit is not None,
    )
    if first_acuity is not None:
        data = first_acuity.data
        row = _replace(
            row,
            suggested=data.get("suggested_level"),
            nurse_level=int(data["level"]),
            override_reason=(data.get("reason") or None)
            if first_acuity.type == EventType.ACUITY_OVERRIDDEN
            else None,
            agreement_age_band=data.get("age_band", age_band),
            agreement_language=data.get("language", language),
        )
    if row.callback:
        row = _replace(row, patient_id=patient_id)
    return Visit(**visit, events=len(timeline), row=row)


# What the rollup keeps of each event (the stream's new image carries the whole event): the type,
# the time and the data keys the derivation reads; never the suggestion's reasons or vitals.
FACT_KEYS = (
    "level",
    "level_after",
    "suggested_level",
    "reason",
    "age_band",
    "language",
    "room",
    "slot",
    "from",
    "to",
    "undone_event_id",
)


def event_facts(event: EncounterEvent) -> dict[str, Any]:
    data = {k: event.data[k] for k in FACT_KEYS if event.data.get(k) not in (None, "")}
    if event.type == EventType.ROOMED and "room" in event.data:
        data["room"] = bool(event.data["room"])  # whether a room was given, not which
    return {"type": event.type.value, "time": event.time, "data": data}


def events_from_facts(patient_id: str, facts: dict[str, dict[str, Any]]) -> list[EncounterEvent]:
    """The events a visit's facts stand for (unknown event types are left out)."""
    known = {t.value for t in EventType}
    return [
        EncounterEvent(
            patient_id=patient_id,
            event_id=event_id,
            type=EventType(fact["type"]),
            time=fact["time"],
            actor_id="",
            data=dict(fact.get("data") or {}),
        )
        for event_id, fact in facts.items()
        if fact.get("type") in known
    ]


def _replace(row: VisitRow, **changes: Any) -> VisitRow:
    return VisitRow(**{**{f.name: getattr(row, f.name) for f in fields(row)}, **changes})


# Stored form of a row: one short line of "|"-separated values in this order (empty: none), the
# free-text override reason last (it may itself contain "|"). A day item holds hundreds of
# these; flat strings keep it small and quick to read.
ROW_FIELDS = (
    "hour",
    "level",
    "disposition",
    "age_band",
    "language",
    "to_triage",
    "to_room",
    "to_provider",
    "provider_to_decision",
    "boarding",
    "los",
    "admit_decided",
    "suggested",
    "nurse_level",
    "agreement_age_band",
    "agreement_language",
    "patient_id",
    "override_reason",
)
_INTEGERS = frozenset(
    {
        "hour",
        "level",
        "to_triage",
        "to_room",
        "to_provider",
        "provider_to_decision",
        "boarding",
        "los",
        "suggested",
        "nurse_level",
    }
)
CLOSED_PREFIX = "closed:"


def row_to_text(row: VisitRow) -> str:
    values = []
    for name in ROW_FIELDS:
        value = getattr(row, name)
        if name == "disposition":
            value = DISPOSITION_CODES[value] if value else None
        elif name == "admit_decided":
            value = "1" if value else None
        elif (name == "agreement_age_band" and value == row.age_band) or (
            name == "agreement_language" and value == row.language
        ):
            value = None  # the same as the visit's: stored once
        values.append("" if value is None else str(value))
    return "|".join(values)


def row_from_text(text: str) -> VisitRow:
    parts = text.split("|", len(ROW_FIELDS) - 1)
    values: dict[str, Any] = {}
    for name, part in zip(ROW_FIELDS, parts, strict=True):
        if part == "":
            continue
        if name in _INTEGERS:
            values[name] = int(part)
        elif name == "disposition":
            values[name] = DISPOSITION_BY_CODE[part]
        elif name == "admit_decided":
            values[name] = True
        else:
            values[name] = part
    if values.get("nurse_level") is not None:
        values.setdefault("agreement_age_band", values.get("age_band"))
        values.setdefault("agreement_language", values.get("language"))
    return VisitRow(**{"level": None, **values})


# --- 2. A range of days ---------------------------------------------------------------------
@dataclass(frozen=True)
class Day:
    """One local arrival day of a hospital, as the rollup stores it."""

    day: date
    rows: tuple[VisitRow, ...]
    closed: dict[str, int] = field(default_factory=dict)  # closures by status (excluded)
    updated_at: str | None = None


class Stat(NamedTuple):
    """Count, median and 90th percentile of durations (minutes)."""

    n: int
    median: float | None
    p90: float | None


def p90(values: list[float]) -> float | None:
    """The 90th percentile by nearest rank: the smallest value with at least 90 % of the values
    at or below it (always an observed value)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def stat(seconds: Iterable[int | None]) -> Stat:
    minutes = [s / 60 for s in seconds if s is not None]
    if not minutes:
        return Stat(0, None, None)
    return Stat(len(minutes), statistics.median(minutes), p90(minutes))


def share(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


def ecat_components(row: VisitRow) -> dict[str, bool]:
    """CMS ECAT's four access gaps for a departed visit."""
    waited_for_room = row.to_room if row.to_room is not None else row.los
    return {
        "room": waited_for_room is not None and waited_for_room > ECAT_ROOM_SECONDS,
        "lwbe": row.disposition == Status.LEFT_WITHOUT_BEING_SEEN,
        "boarding": row.boarding is not None and row.boarding > ECAT_BOARDING_SECONDS,
        "los": row.los is not None and row.los > ECAT_LOS_SECONDS,
    }


ECAT_LABELS = {
    "room": "More than 60 min from arrival to a treatment space",
    "lwbe": "Left without being evaluated",
    "boarding": "Boarded more than 240 min (admit decision to departure)",
    "los": "Length of stay over 480 min",
}


def agreement(row: VisitRow) -> str | None:
    """The nurse's first confirmed level against the suggestion current then."""
    if row.nurse_level is None or row.suggested is None:
        return None
    if row.nurse_level == row.suggested:
        return "agree"
    return "more_urgent" if row.nurse_level < row.suggested else "less_urgent"


AGREEMENT_LABELS = {
    "agree": "Same level",
    "more_urgent": "Nurse more urgent",
    "less_urgent": "Nurse less urgent",
}


@dataclass(frozen=True)
class Visits:
    """The rows of a set of days, with the counts every table starts from."""

    rows: tuple[VisitRow, ...]
    closed: dict[str, int]

    @classmethod
    def of(cls, days: Iterable[Day]) -> Visits:
        rows: list[VisitRow] = []
        closed: Counter[str] = Counter()
        for day in days:
            rows += day.rows
            closed.update(day.closed)
        return cls(tuple(rows), dict(closed))

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def departed(self) -> list[VisitRow]:
        return [r for r in self.rows if r.departed]

    def with_disposition(self, *statuses: Status) -> list[VisitRow]:
        return [r for r in self.rows if r.disposition in statuses]

    def stat(self, name: str, rows: Iterable[VisitRow] | None = None) -> Stat:
        return stat(getattr(r, name) for r in (self.rows if rows is None else rows))

    def op18(self) -> Stat:
        """OP-18 style: arrival to departure of patients discharged home."""
        return self.stat("los", self.with_disposition(Status.DISCHARGED))

    def boarding(self) -> Stat:
        return self.stat("boarding")

    def rate(self, status: Status) -> float | None:
        return share(len(self.with_disposition(status)), self.count)

    def ecat(self) -> tuple[int, int, dict[str, int]]:
        """(visits with any gap, departed visits, visits per component)."""
        return self._ecat

    @cached_property
    def _ecat(self) -> tuple[int, int, dict[str, int]]:
        per = dict.fromkeys(ECAT_LABELS, 0)
        flagged = departed = 0
        for row in self.rows:
            if row.disposition is None:
                continue
            departed += 1
            gaps = [k for k, gap in ecat_components(row).items() if gap]
            for k in gaps:
                per[k] += 1
            flagged += bool(gaps)
        return flagged, departed, per

    def ecat_share(self) -> float | None:
        flagged, departed, _ = self.ecat()
        return share(flagged, departed)


# --- Tiles: the headline numbers, with a target and the change from the previous period ---
@dataclass(frozen=True)
class Target:
    value: float
    text: str


@dataclass(frozen=True)
class TileDef:
    key: str
    label: str
    unit: str  # "min" | "%"
    target: Target | None
    definition: str


# Solace's default targets (README, "ED operations reports"): lower is better for every tile.
TILES = (
    TileDef(
        "door_to_provider",
        "Door to provider, median",
        "min",
        Target(30, "≤ 30 min"),
        "Arrival to the earlier of the first physician assignment and “with provider”.",
    ),
    TileDef(
        "door_to_triage",
        "Door to triage, median",
        "min",
        Target(15, "≤ 15 min"),
        "Arrival to the first nurse-confirmed acuity level.",
    ),
    TileDef(
        "op18",
        "Length of stay, discharged (OP-18), median",
        "min",
        Target(180, "≤ 180 min"),
        "Arrival to departure of patients discharged home (exclusions under Definitions).",
    ),
    TileDef(
        "boarding",
        "Boarding, median",
        "min",
        Target(120, "≤ 120 min"),
        "Admit decision to departure, for visits with an admit decision that have left.",
    ),
    TileDef(
        "lwbs",
        "Left without being seen",
        "%",
        Target(2, "≤ 2 %"),
        "Visits that left before a provider saw them, of all visits.",
    ),
    TileDef(
        "ecat",
        "ECAT: visits with an access gap",
        "%",
        None,
        "Departed visits with any of the four CMS access gaps (no national target yet).",
    ),
)


def tile_value(key: str, visits: Visits) -> tuple[float | None, int]:
    """A tile's value and the number of visits behind it."""
    if key == "door_to_provider":
        s = visits.stat("to_provider")
        return s.median, s.n
    if key == "door_to_triage":
        s = visits.stat("to_triage")
        return s.median, s.n
    if key == "op18":
        s = visits.op18()
        return s.median, s.n
    if key == "boarding":
        s = visits.boarding()
        return s.median, s.n
    if key == "lwbs":
        return visits.rate(Status.LEFT_WITHOUT_BEING_SEEN), visits.count
    if key == "ecat":
        flagged, departed, _ = visits.ecat()
        return share(flagged, departed), departed
    raise KeyError(key)


@dataclass(frozen=True)
class Tile:
    definition: TileDef
    value: float | None
    n: int
    previous: float | None

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def trend(self) -> str:
        """better | worse | same | none (lower is better for every tile)."""
        change = self.change
        if change is None:
            return "none"
        if round(change, 1) == 0:
            return "same"
        return "better" if change < 0 else "worse"

    @property
    def met(self) -> bool | None:
        target = self.definition.target
        if target is None or self.value is None:
            return None
        return self.value <= target.value


def tiles(current: Visits, previous: Visits) -> list[Tile]:
    result = []
    for definition in TILES:
        value, n = tile_value(definition.key, current)
        before, _ = tile_value(definition.key, previous)
        result.append(Tile(definition, value, n, before))
    return result


# --- Tables ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    label: str
    unit: str = ""  # "min" | "%" | "visits" | "" (text)

    @property
    def unit_shown(self) -> str:
        """The unit for the heading ("" for text, or when the label already says it)."""
        if self.unit in ("", "text") or self.label.lower().startswith(self.unit):
            return ""
        return self.unit

    @property
    def heading(self) -> str:
        return f"{self.label} ({self.unit_shown})" if self.unit_shown else self.label


@dataclass(frozen=True)
class Table:
    key: str  # the CSV export's name
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    note: str = ""

    @property
    def cells(self) -> list[list[tuple[Any, str]]]:
        """Each row's values paired with their column's unit (for the template)."""
        return [
            [(value, column.unit) for value, column in zip(row, self.columns, strict=True)]
            for row in self.rows
        ]


def _m(s: Stat) -> tuple[float | None, float | None]:
    return s.median, s.p90


def weekday_label(day: date) -> str:
    return day.strftime("%a %d %b")


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


class Period(NamedTuple):
    label: str  # "Mon 02 Mar", "Week of Mon 02 Mar"
    start: date
    visits: Visits


def periods(days: list[Day], start: date, end: date, group: str) -> list[Period]:
    """The range cut into days or ISO weeks (Monday first), every period present even when
    nobody came."""
    by_day = {d.day: d for d in days}
    buckets: dict[date, list[Day]] = {}
    current = start
    while current <= end:
        key = week_start(current) if group == "week" else current
        buckets.setdefault(key, [])
        if current in by_day:
            buckets[key].append(by_day[current])
        current += timedelta(days=1)
    return [
        Period(
            f"Week of {weekday_label(key)}" if group == "week" else weekday_label(key),
            key,
            Visits.of(group_days),
        )
        for key, group_days in buckets.items()
    ]


def by_period_table(periods_: list[Period], group: str) -> Table:
    rows = []
    for label, _, v in periods_:
        flagged, departed, _ = v.ecat()
        rows.append(
            (
                label,
                v.count,
                v.stat("to_triage").median,
                *_m(v.stat("to_provider")),
                v.stat("provider_to_decision").median,
                v.boarding().median,
                v.stat("los", v.departed).median,
                v.op18().median,
                len(v.with_disposition(Status.LEFT_WITHOUT_BEING_SEEN)),
                v.rate(Status.LEFT_WITHOUT_BEING_SEEN),
                len(v.with_disposition(Status.LEFT_AGAINST_ADVICE)),
                share(flagged, departed),
            )
        )
    return Table(
        "by_period",
        "By week" if group == "week" else "By day",
        (
            Column("Week" if group == "week" else "Day", "text"),
            Column("Visits", "visits"),
            Column("Door to triage, median", "min"),
            Column("Door to provider, median", "min"),
            Column("Door to provider, 90th percentile", "min"),
            Column("Provider to decision, median", "min"),
            Column("Boarding, median", "min"),
            Column("Length of stay, median", "min"),
            Column("OP-18 discharged, median", "min"),
            Column("Left without being seen", "visits"),
            Column("Left without being seen", "%"),
            Column("Left against advice", "visits"),
            Column("ECAT access gap", "%"),
        ),
        tuple(rows),
    )


def long_wait(row: VisitRow, targets: tuple[int, ...]) -> bool | None:
    """Waited longer than the hospital's target for the level: arrival to provider, or to
    departure for a visit that left without one. None while still waiting."""
    if row.level is None:
        return None
    waited = row.to_provider if row.to_provider is not None else row.los
    if waited is None:
        return None
    return waited > targets[row.level - 1] * 60


def by_level_table(visits: Visits, targets: tuple[int, ...]) -> Table:
    rows = []
    groups: dict[int | None, list[VisitRow]] = defaultdict(list)
    for row in visits.rows:
        groups[row.level].append(row)
    for level in (*LEVELS, None):
        group = groups.get(level, [])
        if level is None and not group:
            continue
        waits = [long_wait(r, targets) for r in group]
        rows.append(
            (
                f"ESI {level}" if level else "No level",
                len(group),
                share(len(group), visits.count),
                visits.stat("to_triage", group).median,
                *_m(visits.stat("to_provider", group)),
                *_m(visits.stat("los", [r for r in group if r.departed])),
                targets[level - 1] if level else None,
                sum(1 for w in waits if w),
                share(sum(1 for w in waits if w), sum(1 for w in waits if w is not None)),
                sum(1 for r in group if r.disposition == Status.LEFT_WITHOUT_BEING_SEEN),
            )
        )
    return Table(
        "by_level",
        "By acuity level (acuity mix and long waits)",
        (
            Column("Level", "text"),
            Column("Visits", "visits"),
            Column("Share of visits", "%"),
            Column("Door to triage, median", "min"),
            Column("Door to provider, median", "min"),
            Column("Door to provider, 90th percentile", "min"),
            Column("Length of stay, median", "min"),
            Column("Length of stay, 90th percentile", "min"),
            Column("Wait target", "min"),
            Column("Long waits", "visits"),
            Column("Long waits", "%"),
            Column("Left without being seen", "visits"),
        ),
        tuple(rows),
        note="Level: the nurse-confirmed level, or the suggestion when none was confirmed (or "
        "a newer, more urgent suggestion). A long wait is arrival to provider (or to departure "
        "for visits that left without one) over the hospital's target for the level.",
    )


def by_disposition_table(visits: Visits) -> Table:
    rows = []
    departed = visits.departed
    for status in DISPOSITIONS:
        group = [r for r in departed if r.disposition == status]
        rows.append(
            (
                STATUS_LABELS[status],
                len(group),
                share(len(group), len(departed)),
                *_m(visits.stat("los", group)),
                visits.stat("provider_to_decision", group).median,
            )
        )
    active = [r for r in visits.rows if not r.departed]
    rows.append(
        ("Not departed (in the department or not documented)", len(active), None, None, None, None)
    )
    return Table(
        "by_disposition",
        "Length of stay by disposition",
        (
            Column("Disposition", "text"),
            Column("Visits", "visits"),
            Column("Share of departures", "%"),
            Column("Length of stay, median", "min"),
            Column("Length of stay, 90th percentile", "min"),
            Column("Provider to decision, median", "min"),
        ),
        tuple(rows),
    )


def by_hour_table(visits: Visits, day_count: int) -> Table:
    groups: dict[int, list[VisitRow]] = defaultdict(list)
    for row in visits.rows:
        groups[row.hour].append(row)
    rows = []
    for hour in range(24):
        group = groups.get(hour, [])
        rows.append(
            (
                f"{hour:02d}:00–{hour:02d}:59",
                len(group),
                len(group) / day_count if day_count else None,
                *_m(visits.stat("to_provider", group)),
                sum(1 for r in group if r.disposition == Status.LEFT_WITHOUT_BEING_SEEN),
            )
        )
    return Table(
        "by_hour",
        "By hour of arrival",
        (
            Column("Hour of arrival", "text"),
            Column("Visits", "visits"),
            Column("Visits per day, average", "visits"),
            Column("Door to provider, median", "min"),
            Column("Door to provider, 90th percentile", "min"),
            Column("Left without being seen", "visits"),
        ),
        tuple(rows),
    )


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def heatmap_counts(days: list[Day]) -> list[list[int]]:
    """Arrivals by weekday (Monday first) x local hour."""
    grid = [[0] * 24 for _ in WEEKDAYS]
    for day in days:
        for row in day.rows:
            grid[day.day.weekday()][row.hour] += 1
    return grid


def heatmap_table(grid: list[list[int]]) -> Table:
    return Table(
        "arrivals_heatmap",
        "Arrivals by hour of day and day of week",
        (Column("Day of week", "text"), *(Column(f"{h:02d}", "visits") for h in range(24))),
        tuple((WEEKDAYS[d], *grid[d]) for d in range(7)),
    )


def ecat_table(visits: Visits) -> Table:
    flagged, departed, per = visits.ecat()
    rows = [("Any of the four (the measure)", flagged, share(flagged, departed))]
    rows += [(ECAT_LABELS[k], n, share(n, departed)) for k, n in per.items()]
    for label, pediatric in (("Stratum: under 18", True), ("Stratum: 18 and over", False)):
        group = Visits(tuple(r for r in visits.rows if r.pediatric is pediatric), {})
        g_flagged, g_departed, _ = group.ecat()
        rows.append((f"{label} ({g_departed} departed)", g_flagged, share(g_flagged, g_departed)))
    return Table(
        "ecat",
        "CMS Emergency Care Access & Timeliness (ECAT)",
        (
            Column("Access gap", "text"),
            Column("Visits", "visits"),
            Column("Share of departed visits", "%"),
        ),
        tuple(rows),
        note=f"Denominator: {departed} departed visits. Solace cannot apply the observation-stay "
        "exclusion or the mental-health strata of the CMS specification (README).",
    )


def op18_table(visits: Visits, undocumented: int) -> Table:
    discharged = visits.op18()
    transferred = visits.stat("los", visits.with_disposition(Status.TRANSFERRED))
    admitted = visits.stat("los", visits.with_disposition(Status.ADMITTED))
    excluded = [
        ("Excluded: died in the department", len(visits.with_disposition(Status.DIED))),
        ("Excluded: left against advice", len(visits.with_disposition(Status.LEFT_AGAINST_ADVICE))),
        (
            "Excluded: left without being seen",
            len(visits.with_disposition(Status.LEFT_WITHOUT_BEING_SEEN)),
        ),
        ("Excluded: departure not documented (no departure 24 h after arrival)", undocumented),
    ]
    rows = [
        ("Discharged home (OP-18)", discharged.n, discharged.median, discharged.p90),
        (
            "Transferred (reported apart, as OP-18d)",
            transferred.n,
            transferred.median,
            transferred.p90,
        ),
        ("Admitted (not part of OP-18)", admitted.n, admitted.median, admitted.p90),
        *((label, n, None, None) for label, n in excluded),
    ]
    return Table(
        "op18",
        "Arrival to departure, discharged patients (OP-18 style)",
        (
            Column("Patients", "text"),
            Column("Visits", "visits"),
            Column("Median", "min"),
            Column("90th percentile", "min"),
        ),
        tuple(rows),
    )


def left_table(visits: Visits) -> Table:
    rows = []
    for status, when in (
        (Status.LEFT_WITHOUT_BEING_SEEN, "before a provider"),
        (Status.LEFT_AGAINST_ADVICE, "after a provider"),
    ):
        group = visits.with_disposition(status)
        rows.append(
            (
                f"{STATUS_LABELS[status]} ({when})",
                len(group),
                share(len(group), visits.count),
                *(sum(1 for r in group if r.level == level) for level in LEVELS),
            )
        )
    return Table(
        "left",
        "Left without being seen and left against advice",
        (
            Column("Departure", "text"),
            Column("Visits", "visits"),
            Column("Share of visits", "%"),
            *(Column(f"ESI {level}", "visits") for level in LEVELS),
        ),
        tuple(rows),
    )


def _agreement_rows(groups: list[tuple[str, list[VisitRow]]]) -> tuple[tuple[Any, ...], ...]:
    rows = []
    for label, group in groups:
        kinds = Counter(agreement(r) for r in group)
        n = sum(kinds[k] for k in AGREEMENT_LABELS)
        rows.append(
            (
                label,
                n,
                *(value for k in AGREEMENT_LABELS for value in (kinds[k], share(kinds[k], n))),
            )
        )
    return tuple(rows)


AGREEMENT_COLUMNS = (
    Column("Confirmations", "visits"),
    *(
        column
        for label in AGREEMENT_LABELS.values()
        for column in (Column(label, "visits"), Column(label, "%"))
    ),
)


def agreement_tables(visits: Visits) -> list[Table]:
    confirmed = [r for r in visits.rows if agreement(r) is not None]
    by_level = [
        (f"Nurse level {lvl}", [r for r in confirmed if r.nurse_level == lvl]) for lvl in LEVELS
    ]
    bands = sorted({r.agreement_age_band for r in confirmed}, key=_band_order)
    by_age = [
        (
            AGE_BAND_LABELS.get(b, "Age not recorded"),
            [r for r in confirmed if r.agreement_age_band == b],
        )
        for b in bands
    ]
    languages = sorted(
        {r.agreement_language for r in confirmed}, key=lambda x: (x is None, x or "")
    )
    by_language = [
        (language_label(lang), [r for r in confirmed if r.agreement_language == lang])
        for lang in languages
    ]
    note = (
        "The suggestion current at the first confirmation against the level the nurse confirmed. "
        "“Nurse more urgent”: the suggestion under-triaged by the nurse's judgement."
    )
    return [
        Table(
            "agreement_overall",
            "Triage agreement",
            (Column("Visits", "text"), *AGREEMENT_COLUMNS),
            _agreement_rows([("All confirmed visits", confirmed)]),
            note=note,
        ),
        Table(
            "agreement_by_level",
            "Triage agreement by nurse-confirmed level",
            (Column("Level", "text"), *AGREEMENT_COLUMNS),
            _agreement_rows(by_level),
        ),
        Table(
            "agreement_by_age",
            "Triage agreement by age band",
            (Column("Age band", "text"), *AGREEMENT_COLUMNS),
            _agreement_rows(by_age),
        ),
        Table(
            "agreement_by_language",
            "Triage agreement by preferred language",
            (Column("Preferred language", "text"), *AGREEMENT_COLUMNS),
            _agreement_rows(by_language),
        ),
    ]


def _band_order(band: str | None) -> int:
    codes = list(AGE_BAND_LABELS)
    return codes.index(band) if band in codes else len(codes)


def language_label(code: str | None) -> str:
    if not code:
        return "Not given"
    return language_name(code)


def overrides_table(visits: Visits) -> Table:
    counted: Counter[tuple[int, int, str]] = Counter()
    for row in visits.rows:
        if row.override_reason and row.suggested is not None and row.nurse_level is not None:
            counted[(row.suggested, row.nurse_level, " ".join(row.override_reason.split()))] += 1
    rows = sorted(
        ((f"{s} → {n}", reason, count) for (s, n, reason), count in counted.items()),
        key=lambda r: (-r[2], r[0], r[1].casefold()),
    )
    return Table(
        "override_reasons",
        "Override reasons (first confirmation)",
        (
            Column("Suggested → nurse level", "text"),
            Column("Reason given", "text"),
            Column("Visits", "visits"),
        ),
        tuple(rows),
    )


def undocumented_departures(days: list[Day], now: datetime, zone: ZoneInfo) -> int:
    """Visits with no recorded departure a day after they arrived."""
    count = 0
    for day in days:
        for row in day.rows:
            if row.departed:
                continue
            arrived = datetime(day.day.year, day.day.month, day.day.day, row.hour, tzinfo=zone)
            if arrived.astimezone(UTC) + timedelta(hours=1) + UNDOCUMENTED_AFTER <= now:
                count += 1
    return count


@dataclass(frozen=True)
class Report:
    start: date
    end: date
    group: str
    visits: Visits
    previous: Visits
    tiles: list[Tile]
    periods: list[Period]
    tables: dict[str, Table]
    heatmap: list[list[int]]
    callbacks: int
    updated_at: str | None


def build_report(
    days: list[Day],
    *,
    start: date,
    end: date,
    group: str,
    previous_days: list[Day],
    wait_targets: tuple[int, ...],
    now: datetime,
    zone: ZoneInfo,
) -> Report:
    in_range = [d for d in days if start <= d.day <= end]
    visits = Visits.of(in_range)
    previous = Visits.of(previous_days)
    periods_ = periods(in_range, start, end, group)
    grid = heatmap_counts(in_range)
    day_count = (end - start).days + 1
    tables = [
        by_period_table(periods_, group),
        by_level_table(visits, wait_targets),
        by_disposition_table(visits),
        by_hour_table(visits, day_count),
        heatmap_table(grid),
        ecat_table(visits),
        op18_table(visits, undocumented_departures(in_range, now, zone)),
        left_table(visits),
        *agreement_tables(visits),
        overrides_table(visits),
    ]
    updated = [d.updated_at for d in in_range if d.updated_at]
    return Report(
        start=start,
        end=end,
        group=group,
        visits=visits,
        previous=previous,
        tiles=tiles(visits, previous),
        periods=periods_,
        tables={t.key: t for t in tables},
        heatmap=grid,
        callbacks=sum(1 for r in visits.rows if r.callback),
        updated_at=max(updated) if updated else None,
    )
