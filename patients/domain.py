"""The patient record: one visit to one emergency department, from arrival to departure.

This module owns what a patient is (`Patient`), the states a visit moves through, the events on
its timeline, and how a record becomes the triage engine's input. Intake creates records, the
cockpit changes them; both go through `patients.repository`, which owns the stored form.
"""

from __future__ import annotations

import secrets
import unicodedata
import uuid
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import triage
from solace import clock
from solace.context import Actor

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: codes are read aloud across a noisy waiting room.
CHECK_IN_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CHECK_IN_LENGTH = 7


def new_check_in_code() -> str:
    return "".join(secrets.choice(CHECK_IN_ALPHABET) for _ in range(CHECK_IN_LENGTH))


class Status(StrEnum):
    WAITING = "waiting"
    IN_TRIAGE = "in_triage"
    WAITING_FOR_PROVIDER = "waiting_for_provider"
    WITH_PROVIDER = "with_provider"
    ADMIT_DECIDED = "admit_decided"  # boarding: stays on the board until it leaves for a bed
    DISCHARGED = "discharged"
    ADMITTED = "admitted"  # left the department for a bed
    TRANSFERRED = "transferred"
    LEFT_WITHOUT_BEING_SEEN = "left_without_being_seen"
    LEFT_AGAINST_ADVICE = "left_against_advice"
    DIED = "died"
    # Registrations closed without being a visit (excluded from every measure).
    CLOSED_DUPLICATE = "closed_duplicate"
    NOT_A_PATIENT = "not_a_patient"


STATUS_LABELS = {
    Status.WAITING: "Waiting",
    Status.IN_TRIAGE: "In triage",
    Status.WAITING_FOR_PROVIDER: "Waiting for provider",
    Status.WITH_PROVIDER: "With provider",
    Status.ADMIT_DECIDED: "Admitted, boarding",
    Status.DISCHARGED: "Discharged",
    Status.ADMITTED: "Admitted",
    Status.TRANSFERRED: "Transferred",
    Status.LEFT_WITHOUT_BEING_SEEN: "Left without being seen",
    Status.LEFT_AGAINST_ADVICE: "Left against advice",
    Status.DIED: "Died in the department",
    Status.CLOSED_DUPLICATE: "Closed: duplicate registration",
    Status.NOT_A_PATIENT: "Closed: not a patient",
}
# The ends of a visit, in the order a clinician reads them.
DISPOSITIONS = (
    Status.DISCHARGED,
    Status.ADMITTED,
    Status.TRANSFERRED,
    Status.LEFT_WITHOUT_BEING_SEEN,
    Status.LEFT_AGAINST_ADVICE,
    Status.DIED,
)
# Registrations closed by their own actions (link to the original; not a patient).
CLOSURES = (Status.CLOSED_DUPLICATE, Status.NOT_A_PATIENT)
ENDED = DISPOSITIONS + CLOSURES
# Forward moves through the department; a disposition may end any active visit.
FLOW: dict[Status, tuple[Status, ...]] = {
    Status.WAITING: (Status.IN_TRIAGE,),
    Status.IN_TRIAGE: (Status.WAITING_FOR_PROVIDER,),
    Status.WAITING_FOR_PROVIDER: (Status.WITH_PROVIDER,),
    Status.WITH_PROVIDER: (Status.ADMIT_DECIDED,),
    Status.ADMIT_DECIDED: (),
}


def next_statuses(current: Status) -> tuple[Status, ...]:
    if current in ENDED:
        return ()
    return FLOW[current] + DISPOSITIONS


class EventType(StrEnum):
    ARRIVED = "arrived"
    TRIAGE_SUGGESTED = "triage_suggested"
    WORSE_REPORTED = "worse_reported"
    VITALS_RECORDED = "vitals_recorded"
    FINDINGS_RECORDED = "findings_recorded"
    IDENTITY_COMPLETED = "identity_completed"
    ALERT_ACKNOWLEDGED = "alert_acknowledged"
    ACUITY_CONFIRMED = "acuity_confirmed"
    ACUITY_OVERRIDDEN = "acuity_overridden"
    ROOMED = "roomed"
    ASSIGNED = "assigned"
    STATUS_CHANGED = "status_changed"
    DISPOSITION = "disposition"
    CALLED = "called"  # "please go to <place>": the board and the patient's page show it
    CALL_NOT_ANSWERED = "call_not_answered"
    CALL_CANCELLED = "call_cancelled"
    LEFT_REPORTED = "left_reported"  # the patient pressed "I have left"
    CLOSED = "closed"  # a registration closed as not a patient (with a reason)
    # An ended visit (disposition or closure) back where it was (undo): data {"from": <the
    # status undone>, "to": <the status the visit returns to>, optionally "undone_event_id":
    # <the DISPOSITION, STATUS_CHANGED or CLOSED event that ended it>}. The measures (reports/)
    # treat the undone ending as never having happened; without `undone_event_id` the latest
    # ending before the undo is the one undone.
    REOPENED = "reopened"
    ISOLATION_SET = "isolation_set"
    POSSIBLE_DUPLICATE = "possible_duplicate"  # same name and birth date as a visit in the dept
    DUPLICATE_DISMISSED = "duplicate_dismissed"  # a clinician says: not the same person
    CLOSED_AS_DUPLICATE = "closed_as_duplicate"  # this registration closed, linked to the other
    DUPLICATE_LINKED = "duplicate_linked"  # on the visit that continues


@dataclass(frozen=True)
class EncounterEvent:
    patient_id: str
    event_id: str
    type: EventType
    time: str
    actor_id: str
    actor_role: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def new_event(
    patient_id: str,
    type_: EventType,
    time: str,
    actor: Actor,
    data: dict | None = None,
    seq: int = 0,
) -> EncounterEvent:
    """An encounter event; `seq` orders events written in one transaction at the same time."""
    return EncounterEvent(
        patient_id=patient_id,
        event_id=f"{time}#{seq}{uuid.uuid4().hex[:8]}",  # time-ordered, unique
        type=type_,
        time=time,
        actor_id=actor.id,
        actor_role=actor.role,
        data=data or {},
    )


# --- What the ED measures need on the events (reports/) -----------------------------------------
# Age bands for the triage-agreement and ECAT strata: coarse on purpose (no birth dates in the
# rollups). Upper bounds in whole years, exclusive.
AGE_BANDS = (
    ("under_1", 1, "Under 1 year"),
    ("1_4", 5, "1–4 years"),
    ("5_17", 18, "5–17 years"),
    ("18_64", 65, "18–64 years"),
    ("65_79", 80, "65–79 years"),
    ("80_plus", 1000, "80 years and over"),
)
AGE_BAND_LABELS = {code: label for code, _, label in AGE_BANDS}
PEDIATRIC_BANDS = frozenset({"under_1", "1_4", "5_17"})


def age_band(age_days: int | None) -> str | None:
    if age_days is None:
        return None
    years = age_days * 100 // 36525
    return next(code for code, below, _ in AGE_BANDS if years < below)


def visit_facts(age_days: int | None, preferred_language: str) -> dict[str, Any]:
    """The patient's age band and preferred language, carried on the events the measures read
    (arrival, identity, acuity): never race or ethnicity, never a birth date."""
    facts = {"age_band": age_band(age_days), "language": preferred_language or None}
    return {k: v for k, v in facts.items() if v is not None}


# --- Vital signs: append-only sets ------------------------------------------------------------
@dataclass(frozen=True)
class Measure:
    name: str  # as triage.Vitals names it
    label: str
    unit: str  # the stored unit


# Display order. Stored units: temperature in °C, glucose in mg/dL, weight in kg.
MEASURES = (
    Measure("heart_rate", "Heart rate", "/min"),
    Measure("respiratory_rate", "Respiratory rate", "/min"),
    Measure("spo2", "SpO₂", "%"),
    Measure("oxygen_l_min", "Oxygen", "l/min"),
    Measure("systolic", "Systolic BP", "mmHg"),
    Measure("diastolic", "Diastolic BP", "mmHg"),
    Measure("temperature_c", "Temperature", "°C"),
    Measure("pain", "Pain", "/10"),
    Measure("avpu", "Responsiveness (AVPU)", ""),
    Measure("gcs", "GCS", "/15"),
    Measure("glucose_mg_dl", "Glucose", "mg/dL"),
    Measure("weight_kg", "Weight", "kg"),
)
MEASURE_NAMES = tuple(m.name for m in MEASURES)
AVPU_LABELS = {"A": "Alert", "V": "Responds to voice", "P": "Responds to pain", "U": "Unresponsive"}
WEIGHT_NEEDED_UNDER_DAYS = 12 * 365  # children's doses go by weight: asked once per visit


@dataclass(frozen=True)
class VitalsSet:
    """One set of measurements as taken at the bedside. Sets are never changed or deleted: a
    correction is a new set naming the one it corrects (which then no longer counts)."""

    set_id: str
    taken_at: str  # when measured (ISO-8601 UTC)
    recorded_at: str  # when entered
    recorded_by: str  # staff id
    recorded_by_name: str
    values: dict[str, Any]  # measure name -> value in the stored unit
    corrects: str | None = None


def counting_sets(sets: tuple[VitalsSet, ...]) -> list[VitalsSet]:
    """The sets that count, oldest first (corrected sets are left out)."""
    corrected = {s.corrects for s in sets if s.corrects}
    return sorted(
        (s for s in sets if s.set_id not in corrected), key=lambda s: (s.taken_at, s.recorded_at)
    )


def latest_vitals(sets: tuple[VitalsSet, ...]) -> dict[str, Any]:
    """The most recent value of each measure across the sets that count."""
    latest: dict[str, Any] = {}
    for vitals_set in counting_sets(sets):
        latest.update({k: v for k, v in vitals_set.values.items() if v is not None})
    return latest


# --- Ages and identity ------------------------------------------------------------------------
def age_in_days(date_of_birth: date, on: date) -> int:
    return (on - date_of_birth).days


def age_in_years(date_of_birth: date, on: date) -> int:
    before_birthday = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - before_birthday


def age_label(age_days: int | None) -> str:
    """Short age for a queue row: days for newborns, months for infants, else years."""
    if age_days is None:
        return "?"
    if age_days < 31:
        return f"{age_days} d"
    if age_days < 2 * 365:
        return f"{age_days * 12 // 365} mo"
    return f"{int(age_days // 365.25)} y"


def short_name(family_name: str, given_name: str, alias: str = "") -> str:
    """ "García López, A." for a queue row; the alias of an unknown patient."""
    if alias:
        return alias
    if family_name and given_name:
        return f"{family_name}, {given_name[0].upper()}."
    return family_name or given_name or "Name not given"


# What an allergies answer says when there is none to flag.
NO_ALLERGY_ANSWERS = frozenset(
    {
        "",
        "none",
        "no",
        "nil",
        "nkda",
        "nka",
        "n/a",
        "na",
        "-",
        "no known allergies",
        "no known drug allergies",
        "no allergies",
        "ninguna",
        "ninguno",
        "nada",
        "no tengo",
    }
)


def has_allergy(allergies: str) -> bool:
    """An allergy worth a flag: anything but an empty, "none" or "NKDA" answer."""
    answer = " ".join(allergies.casefold().replace(".", " ").split())
    return answer not in NO_ALLERGY_ANSWERS


def interpreter_language(preferred_language: str) -> str:
    """The language an interpreter is needed for ("" when English or not given)."""
    return "" if preferred_language in ("", "en") else preferred_language


class Isolation(StrEnum):
    CONTACT = "contact"
    DROPLET = "droplet"
    AIRBORNE = "airborne"


ISOLATION_LABELS = {
    Isolation.CONTACT: "Contact precautions",
    Isolation.DROPLET: "Droplet precautions",
    Isolation.AIRBORNE: "Airborne precautions",
}


# Marks a spelling may drop without naming someone else: the accents of the shared combining
# blocks (García, Garcia; Nguyễn, Nguyen), Hebrew points and Arabic harakat. Every other mark
# is part of its script's spelling and counts: Devanagari vowel signs (राम and रमा are two
# names), viramas, Thai vowels and tones, the kana voicing mark.
_OPTIONAL_MARKS = (
    (0x0300, 0x036F),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
    (0x0591, 0x05C7),
    (0x064B, 0x065F),
    (0x0670, 0x0670),
)


def _counts_for_matching(ch: str) -> bool:
    if ch.isalpha():
        return True
    if unicodedata.category(ch)[0] != "M":
        return False  # punctuation, spaces, digits, joiners
    return not any(low <= ord(ch) <= high for low, high in _OPTIONAL_MARKS)


def match_key(family_name: str, date_of_birth: date | None) -> str | None:
    """Same person, earlier visits: family name (in any script, compatibility-normalized,
    without accents, case, punctuation or joiners) + birth date. None when there is no birth
    date or the name has no letters: no match is better than matching everyone born that day.

    The folding (NFKD, casefold) is for this key only; the name itself is stored as typed, NFC.
    """
    if date_of_birth is None:
        return None
    decomposed = unicodedata.normalize("NFKD", family_name.casefold())
    letters = "".join(filter(_counts_for_matching, decomposed))
    if not any(ch.isalpha() for ch in letters):
        return None
    return f"{letters}#{date_of_birth.isoformat()}"


# --- The record -------------------------------------------------------------------------------
def reconfirm_needed(suggested: int, confirmed: int | None, confirmed_against: int | None) -> bool:
    """A re-run made the suggestion more urgent than what a nurse confirmed (and than the
    suggestion the nurse saw then): it shows through until a nurse confirms again."""
    if confirmed is None:
        return False
    return suggested < confirmed and (confirmed_against is None or suggested < confirmed_against)


def working_level(suggested: int, confirmed: int | None, confirmed_against: int | None) -> int:
    """The level the department works by: the nurse's, unless a newer suggestion is more urgent."""
    if confirmed is None or reconfirm_needed(suggested, confirmed, confirmed_against):
        return suggested
    return confirmed


class _Acuity:
    """Suggested, confirmed and working level of a record or a queue row."""

    suggested_level: int
    confirmed_level: int | None
    confirmed_suggestion: int | None

    @property
    def reconfirm_needed(self) -> bool:
        return reconfirm_needed(
            self.suggested_level, self.confirmed_level, self.confirmed_suggestion
        )

    @property
    def level(self) -> int:
        return working_level(self.suggested_level, self.confirmed_level, self.confirmed_suggestion)


@dataclass(frozen=True)
class Patient(_Acuity):
    """One visit. `version` rises with every change: writes are conditional on it."""

    patient_id: str
    hospital_id: str
    organization_id: str
    created_at: str  # arrival, ISO-8601 UTC
    check_in_code: str
    status: Status
    version: int
    age_days: int
    sex: str
    suggested_level: int
    triage: dict[str, Any]  # the current suggestion (triage.Suggestion.as_dict form)
    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    chief_complaint: str = ""
    symptoms: tuple[str, ...] = ()
    pain_score: int | None = None
    phone: str = ""
    onset: str = ""
    pregnant: str = ""  # yes | no | unsure | ""
    allergies: str = ""
    medications: str = ""
    conditions: str = ""
    preferred_language: str = ""
    alias: str = ""  # "Unknown Female 0427" until the name is known
    arrival_mode: str = ""  # walk_in | ambulance | police | transfer | other ("" = self check-in)
    age_estimated: bool = False  # registered by staff with an estimated age, no date of birth
    vitals_sets: tuple[VitalsSet, ...] = ()
    findings: tuple[str, ...] = ()  # observed by a nurse (triage.FINDING_CODES)
    # An alert pins the patient on top of every queue until a clinician acknowledges it.
    alert: str | None = None  # an AlertReason
    alert_at: str | None = None
    confirmed_level: int | None = None
    confirmed_by: str | None = None
    # The suggestion a nurse confirmed against: a later, more urgent suggestion shows through.
    confirmed_suggestion: int | None = None
    override_reason: str | None = None
    triaged_at: str | None = None
    room: str | None = None
    nurse_id: str | None = None
    nurse_name: str | None = None
    physician_id: str | None = None
    physician_name: str | None = None
    flags: tuple[str, ...] = ()
    worse_reported_at: str | None = None
    disposition_at: str | None = None
    updated_at: str | None = None
    updated_by: str | None = None
    updated_by_name: str | None = None
    in_queue: bool = True  # in the department: on the live queue until a disposition
    match_key: str | None = None
    # Calling the patient: where to (the place's words in English and Spanish), when, by whom.
    # The waiting-room display and the patient's status page read called_to / called_at.
    called_to: str = ""  # "" when not called
    called_to_es: str = ""
    called_at: str | None = None
    called_by: str | None = None
    called_by_name: str | None = None
    call_count: int = 0  # calls this visit (a second call is the second)
    missed_call_at: str | None = None  # the latest call was not answered
    no_answer_count: int = 0
    left_reported_at: str | None = None  # the patient says they have left: staff decide
    closed_reason: str = ""  # why a registration was closed as not a patient
    ended_from: str = ""  # the status the visit was in when it ended (undo goes back to it)
    ended_by: str | None = None  # who ended it (a disposition's undo: them or a charge nurse)
    client_hash: str = ""  # keyed hash of the registering client's address, never the address
    companion: bool = False  # registered on the patient's behalf by someone else
    isolation: str = ""  # an Isolation set by a nurse ("" = none)
    # Another visit in the department with the same family name and birth date (its id and
    # check-in code), until a clinician links the two or says they are different people.
    possible_duplicate_of: str | None = None
    possible_duplicate_code: str | None = None
    duplicate_of: str | None = None  # closed as a duplicate of this visit
    arrival_day: str = ""  # the hospital's local date of arrival (daily figures)

    @property
    def short_name(self) -> str:
        return short_name(self.family_name, self.given_name, self.alias)

    @property
    def display_name(self) -> str:
        """ "Last, First" as clinicians file names, or the alias of an unknown patient."""
        if self.alias:
            return self.alias
        return ", ".join(n for n in (self.family_name, self.given_name) if n) or "Name not given"

    @property
    def vitals(self) -> dict[str, Any]:
        """The latest value of each measure."""
        return latest_vitals(self.vitals_sets)

    @property
    def weight_needed(self) -> bool:
        """A child's weight is asked for once per visit, before the acuity is confirmed."""
        return self.age_days < WEIGHT_NEEDED_UNDER_DAYS and "weight_kg" not in self.vitals

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    @property
    def called(self) -> bool:
        return bool(self.called_to)

    def called_to_label(self, language: str = "en") -> str:
        return self.called_to_es if language == "es" and self.called_to_es else self.called_to

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def age_label(self) -> str:
        return age_label(self.age_days)

    @property
    def age_years(self) -> int:
        return self.age_days * 100 // 36525

    def triage_input(self) -> triage.TriageInput:
        """What the engine sees: the answers, the nurse's findings and the latest vitals."""
        latest = self.vitals
        return triage.TriageInput(
            age_days=self.age_days,
            sex=self.sex,
            chief_complaint=self.chief_complaint,
            symptoms=frozenset(self.symptoms),
            findings=frozenset(self.findings),
            pain_score=self.pain_score,
            pregnant={"yes": True, "no": False}.get(self.pregnant),
            medications=self.medications,
            conditions=self.conditions,
            onset=self.onset,
            vitals=triage.Vitals(**latest) if latest else None,
        )

    def suggest(self) -> triage.Suggestion:
        return triage.suggest(self.triage_input())


PATIENT_FIELDS = tuple(f.name for f in fields(Patient))

# A call ends when the patient moves on (or the visit ends): the display stops showing it.
CALL_CLEARED: dict[str, Any] = {
    "called_to": "",
    "called_to_es": "",
    "called_at": None,
    "called_by": None,
    "called_by_name": None,
}


class AlertReason(StrEnum):
    URGENT_ARRIVAL = "urgent_arrival"  # arrived with a level 1 or 2 suggestion
    MORE_URGENT = "more_urgent"  # a re-run made the suggestion more urgent
    FEELS_WORSE = "feels_worse"  # the patient reported feeling worse


ALERT_LABELS = {
    AlertReason.URGENT_ARRIVAL: "New urgent arrival",
    AlertReason.MORE_URGENT: "Suggestion became more urgent",
    AlertReason.FEELS_WORSE: "Patient reports feeling worse",
}
ALERT_LEVELS = (1, 2)  # arrivals suggested at these levels raise an alert


def arrival_alert(suggested_level: int) -> AlertReason | None:
    return AlertReason.URGENT_ARRIVAL if suggested_level in ALERT_LEVELS else None


class VersionConflict(Exception):
    """Someone changed the patient first; `current` is the patient as it is now."""

    def __init__(self, current: Patient | None):
        super().__init__("the patient was changed by someone else")
        self.current = current


# --- The live queue ----------------------------------------------------------------------------
UNDO_SECONDS = (
    120  # a visit's end can be taken back this long, by the same person or a charge nurse
)
# Before a provider sees them, patients are reassessed at their acuity's interval.
REASSESSED_STATUSES = (Status.WAITING, Status.IN_TRIAGE, Status.WAITING_FOR_PROVIDER)
URGENT_LEVELS = (1, 2)  # page one of the queue always holds every one of these


def queue_rank(patient: Patient) -> str:
    """The queue index's sort key: pinned alerts first (oldest alert first), then
    the working level, then arrival. Text that sorts: levels are one digit, times ISO-8601."""
    if patient.alert:
        return f"0#{patient.alert_at or patient.created_at}"
    return f"{patient.level}#{patient.created_at}"


def queue_counts(patient: Patient) -> dict[str, int]:
    """What one patient adds to their hospital's queue counters (nothing once they left)."""
    if not patient.in_queue or patient.ended:
        return {}
    counts = {"total": 1, f"level_{patient.level}": 1}
    if patient.room:
        counts["in_room"] = 1
    if not patient.nurse_id or not patient.physician_id:
        counts["unassigned"] = 1
    return counts


def counts_delta(before: Patient | None, after: Patient | None) -> dict[str, int]:
    """How a change moves the counters (only the ones that change)."""
    old = queue_counts(before) if before else {}
    new = queue_counts(after) if after else {}
    delta = {name: new.get(name, 0) - old.get(name, 0) for name in {*old, *new}}
    return {name: n for name, n in sorted(delta.items()) if n}


@dataclass(frozen=True)
class QueueState:
    """A hospital's live queue at a glance: a version every change to the queue advances, and
    counters kept in the same transactions (never counted by reading the patients)."""

    hospital_id: str
    version: int = 0
    total: int = 0
    per_level: dict[int, int] = field(default_factory=dict)
    in_room: int = 0
    unassigned: int = 0

    @property
    def waiting_room(self) -> int:
        return max(0, self.total - self.in_room)


@dataclass(frozen=True)
class DayFigures:
    """A hospital's figures for one local day: door-to-triage minutes as a histogram."""

    day: str
    door_to_triage: dict[int, int] = field(default_factory=dict)  # minutes -> patients

    @property
    def triaged(self) -> int:
        return sum(self.door_to_triage.values())

    @property
    def median_door_to_triage(self) -> int | None:
        """The median in whole minutes (the lower middle one of an even count)."""
        if not self.door_to_triage:
            return None
        middle, seen = (self.triaged + 1) // 2, 0
        for minutes in sorted(self.door_to_triage):
            seen += self.door_to_triage[minutes]
            if seen >= middle:
                return minutes
        return None


@dataclass(frozen=True)
class QueueRow(_Acuity):
    """A patient as one row of the live queue (the queue index's `queue_row`)."""

    patient_id: str
    created_at: str
    check_in_code: str
    name: str
    age_days: int | None
    sex: str
    chief_complaint: str
    status: Status
    room: str | None
    nurse_id: str | None
    nurse_name: str | None
    physician_id: str | None
    physician_name: str | None
    suggested_level: int
    confirmed_level: int | None
    confirmed_suggestion: int | None
    flags: tuple[str, ...]
    worse: bool
    version: int
    alert: str | None = None
    alert_at: str | None = None
    allergy: bool = False
    language: str = ""  # an interpreter is needed for this language
    isolation: str = ""
    possible_duplicate_code: str | None = None
    vitals: dict[str, Any] = field(default_factory=dict)
    vitals_at: str | None = None
    called_to: str = ""
    called_to_es: str = ""
    called_at: str | None = None
    call_count: int = 0
    missed_call_at: str | None = None
    left_reported_at: str | None = None

    @property
    def alert_label(self) -> str:
        return ALERT_LABELS[AlertReason(self.alert)] if self.alert else ""

    @property
    def age(self) -> str:
        return age_label(self.age_days)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def isolation_label(self) -> str:
        return ISOLATION_LABELS.get(self.isolation, "") if self.isolation else ""

    @property
    def danger_zone(self) -> bool:
        return "danger_zone" in self.flags

    @property
    def reassessed(self) -> bool:
        return self.status in REASSESSED_STATUSES

    @property
    def last_assessed_at(self) -> str:
        """The latest vital signs, or the arrival when none were taken."""
        return self.vitals_at or self.created_at

    def waited_minutes(self, now: datetime) -> int:
        return max(0, int((now - clock.parse_iso(self.created_at)).total_seconds() // 60))


# Preferred languages as English-speaking staff name them (the form offers native names).
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "zh": "Chinese",
    "vi": "Vietnamese",
    "ar": "Arabic",
    "fr": "French",
    "other": "Another language",
}


def language_name(code: str | None) -> str:
    """A preferred language in words ("" when none was given)."""
    return LANGUAGE_NAMES.get(code, "Another language") if code else ""
