"""Weeks of plausible ED history for a demo dashboard and the benchmark: visits with their whole
encounter timelines, written straight to the patients and encounters tables (no audit entries,
no idempotency records: nobody registered them). Deterministic for a given seed.

The stream carries these events like any others, so the rollup (the Lambda, `rollup_drain`)
picks them up; `rollup_rebuild` does too.
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from accounts.domain import Hospital
from patients import repository as patients_repository
from patients.domain import (
    EncounterEvent,
    EventType,
    Patient,
    Status,
    age_band,
    new_check_in_code,
)
from reports import repository as reports_repository
from reports.domain import derive_visit
from solace import clock

# Share of a day's arrivals in each local hour (a typical ED: quiet at 5, busy 10-20).
HOURLY = (
    2.2, 1.8, 1.5, 1.3, 1.2, 1.2, 1.8, 2.8, 4.2, 5.6, 6.3, 6.4,
    6.2, 6.0, 5.9, 5.8, 5.8, 5.7, 5.5, 5.2, 4.6, 4.0, 3.3, 2.7,
)  # fmt: skip
WEEKDAY_FACTOR = (1.12, 1.02, 0.98, 0.97, 1.0, 0.93, 0.98)  # Mondays are busiest
LEVEL_MIX = ((1, 0.01), (2, 0.13), (3, 0.45), (4, 0.30), (5, 0.11))
LANGUAGES = (("en", 0.72), ("es", 0.2), ("zh", 0.03), ("vi", 0.02), ("other", 0.03))
OVERRIDE_REASONS = {
    "more": ("Looks unwell, pale and clammy", "Severe pain despite score", "Worried about sepsis",
             "Elderly, fall on anticoagulant"),
    "less": ("Vitals normal on recheck", "Minor injury, walking normally",
             "Symptoms resolved in the waiting room"),
}  # fmt: skip
NAMES = ("Avery", "Jordan", "Sam", "Alex", "Riley", "Morgan", "Casey", "Taylor", "Jamie", "Drew")
FAMILIES = ("Garcia", "Nguyen", "Smith", "Okafor", "Kowalski", "Haddad", "Lopez", "Chen")


@dataclass
class History:
    patients: list[Patient] = field(default_factory=list)
    events: list[EncounterEvent] = field(default_factory=list)


def _pick(rng: random.Random, weighted) -> object:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def _minutes(rng: random.Random, median: float, spread: float = 0.6) -> float:
    return median * math.exp(rng.gauss(0, spread))


class _Timeline:
    def __init__(self, patient_id: str, rng: random.Random):
        self.patient_id, self.rng = patient_id, rng
        self.events: list[EncounterEvent] = []

    def add(self, at: datetime, type_: EventType, data: dict | None = None, seq: int = 0) -> None:
        time = clock.iso(at)
        self.events.append(
            EncounterEvent(
                patient_id=self.patient_id,
                event_id=f"{time}#{seq}{self.rng.getrandbits(32):08x}",
                type=type_,
                time=time,
                actor_id="demo-history",
                actor_role="nurse",
                data=data or {},
            )
        )


def _visit(rng: random.Random, hospital: Hospital, arrival: datetime, history: History) -> None:
    pid = uuid.UUID(int=rng.getrandbits(128), version=4).hex
    line = _Timeline(pid, rng)
    pediatric = rng.random() < 0.17
    age_days = int((rng.uniform(0, 17.9) if pediatric else rng.uniform(18, 95)) * 365.25)
    language = str(_pick(rng, LANGUAGES))
    facts = {"age_band": age_band(age_days), "language": language}
    nurse_level = int(_pick(rng, LEVEL_MIX))
    roll = rng.random()
    suggested = nurse_level
    reason = ""
    if roll < 0.09 and nurse_level < 5:
        suggested, reason = nurse_level + 1, rng.choice(OVERRIDE_REASONS["more"])
    elif roll < 0.15 and nurse_level > 1:
        suggested, reason = nurse_level - 1, rng.choice(OVERRIDE_REASONS["less"])
    line.add(arrival, EventType.ARRIVED, facts)
    line.add(arrival, EventType.TRIAGE_SUGGESTED, {"level": suggested}, seq=1)
    if rng.random() < 0.01:  # a duplicate registration, closed
        closed = arrival + timedelta(minutes=_minutes(rng, 6))
        line.add(closed, EventType.CLOSED, {"from": "waiting", "to": "closed_duplicate"})
        _store(history, hospital, line, pid, arrival, age_days, language, suggested, None,
               Status.CLOSED_DUPLICATE, closed)  # fmt: skip
        return
    busy = 1 + 0.6 * HOURLY[arrival.astimezone(ZoneInfo(hospital.timezone)).hour] / 6.4
    triage = arrival + timedelta(minutes=1 if nurse_level == 1 else _minutes(rng, 6 * busy, 0.5))
    acuity = {"level": nurse_level, "suggested_level": suggested, **facts}
    if reason:
        acuity["reason"] = reason
    kind = EventType.ACUITY_OVERRIDDEN if reason else EventType.ACUITY_CONFIRMED
    line.add(triage, kind, acuity)
    wait = {1: 1, 2: 4, 3: 11, 4: 14, 5: 15}[nurse_level] * busy
    left_waiting = nurse_level >= 3 and rng.random() < 0.02 * busy
    if left_waiting:
        gone = triage + timedelta(minutes=_minutes(rng, 100, 0.4))
        line.add(gone, EventType.DISPOSITION, {"from": "waiting", "to": "left_without_being_seen"})
        _store(history, hospital, line, pid, arrival, age_days, language, suggested, nurse_level,
               Status.LEFT_WITHOUT_BEING_SEEN, gone)  # fmt: skip
        return
    roomed = rng.random() < (0.98 if nurse_level <= 3 else 0.55)
    room_at = triage + timedelta(minutes=_minutes(rng, wait, 0.8))
    if roomed:
        line.add(room_at, EventType.ROOMED, {"room": f"R{rng.randint(1, 24)}"})
    provider = room_at + timedelta(minutes=_minutes(rng, 2 if nurse_level == 1 else 10, 0.6))
    line.add(provider, EventType.ASSIGNED, {"slot": "physician", "staff_id": "demo-physician"})
    line.add(provider + timedelta(seconds=30), EventType.STATUS_CHANGED,
             {"from": "waiting_for_provider", "to": "with_provider"})  # fmt: skip
    admit_share = {1: 0.7, 2: 0.5, 3: 0.25, 4: 0.04, 5: 0.01}[nurse_level]
    roll = rng.random()
    if roll < admit_share:
        decided = provider + timedelta(minutes=_minutes(rng, 120, 0.5))
        line.add(
            decided, EventType.STATUS_CHANGED, {"from": "with_provider", "to": "admit_decided"}
        )
        leaves = decided + timedelta(minutes=_minutes(rng, 140, 0.7))
        outcome = Status.DIED if nurse_level == 1 and rng.random() < 0.08 else Status.ADMITTED
        before = "admit_decided"
    else:
        leaves = provider + timedelta(minutes=_minutes(rng, 110 if nurse_level <= 3 else 50, 0.6))
        outcome = (
            Status.TRANSFERRED if rng.random() < 0.025
            else Status.LEFT_AGAINST_ADVICE if rng.random() < 0.012
            else Status.DISCHARGED
        )  # fmt: skip
        before = "with_provider"
    line.add(leaves, EventType.DISPOSITION, {"from": before, "to": outcome.value})
    _store(history, hospital, line, pid, arrival, age_days, language, suggested, nurse_level,
           outcome, leaves)  # fmt: skip


def _store(history, hospital, line, pid, arrival, age_days, language, suggested, level, status,
           ended) -> None:  # fmt: skip
    rng = random.Random(pid)  # noqa: S311 (demo data, deterministic on purpose)
    history.patients.append(
        Patient(
            patient_id=pid,
            hospital_id=hospital.hospital_id,
            organization_id=hospital.organization_id,
            created_at=clock.iso(arrival),
            check_in_code=new_check_in_code(),
            status=status,
            version=len(line.events),
            age_days=age_days,
            sex=rng.choice(("female", "male")),
            suggested_level=suggested,
            triage={"level": suggested, "reasons": [], "resources": []},
            given_name=rng.choice(NAMES),
            family_name=rng.choice(FAMILIES),
            chief_complaint="Demo history visit",
            phone=f"+1 555 01{rng.randint(0, 99):02d}",
            preferred_language=language,
            confirmed_level=level,
            confirmed_suggestion=suggested if level else None,
            disposition_at=clock.iso(ended),
            in_queue=False,
        )
    )
    history.events += line.events


def make_history(
    hospital: Hospital, start: date, end: date, per_day: int, seed: int = 16
) -> History:
    """Visits arriving from start to end (local dates), about `per_day` a day, only those that
    would have left by now. Each day is the same whatever the range (its own seeded generator,
    ids included), so writing a day again rewrites the same items."""
    zone = ZoneInfo(hospital.timezone)
    history = History()
    day = start
    while day <= end:
        # demo data, deterministic on purpose
        rng = random.Random(f"{seed}:{hospital.hospital_id}:{day}")  # noqa: S311
        count = round(per_day * WEEKDAY_FACTOR[day.weekday()] * rng.uniform(0.9, 1.1))
        for _ in range(count):
            hour = int(_pick(rng, list(enumerate(HOURLY))))
            arrival = datetime(day.year, day.month, day.day, hour, tzinfo=zone) + timedelta(
                seconds=rng.randrange(3600)
            )
            if arrival <= clock.now_utc() - timedelta(hours=16):  # only what has happened
                _visit(rng, hospital, arrival, history)
        day += timedelta(days=1)
    return history


def write_history(history: History) -> None:
    patients_repository.put_history(history.patients, history.events)


def roll_up_history(hospital: Hospital, history: History) -> int:
    """Put the history's visits into their days at once (one update per day per 25 visits), as
    the stream's rollup would; the rollup finds the same rows when it gets to those records."""
    zone = ZoneInfo(hospital.timezone)
    timelines: dict[str, list[EncounterEvent]] = {}
    for event in history.events:
        timelines.setdefault(event.patient_id, []).append(event)
    by_day: dict[date, list] = {}
    for patient_id, events in timelines.items():
        visit = derive_visit(patient_id, events, zone)
        if visit is not None:
            by_day.setdefault(visit.day, []).append(visit)
    for day, visits in sorted(by_day.items()):
        reports_repository.visits_put(hospital.hospital_id, day, visits)
    return sum(len(v) for v in by_day.values())
