"""Triage suggestion: ESI decision points A-D over the rule tables of triage/rules.py.

The engine only SUGGESTS a level (1 = most urgent .. 5); the triage nurse always decides.
It is deterministic and explainable: every reason names its rule, the words or values that
triggered it, and the rule's source. The level is the most urgent level of any rule that fired;
decision point C (resources) always fires, so there is always a reason.
"""

import math
from dataclasses import asdict, dataclass, fields
from decimal import Decimal
from typing import Any

from triage import rules
from triage.matcher import HISTORY, PRESENT, find_mentions, find_readings
from triage.rules import RULES, Evidence, Rule
from triage.vocabulary import (
    AVPU,
    FINDING_CODES,
    LABELS,
    ONSETS,
    RESOURCE_TYPES,
    SEXES,
    SYMPTOM_CODES,
)

ENGINE_VERSION = "esi-rules-2"
FREE_TEXT_FIELDS = ("chief_complaint", "medications", "conditions")
_FIELD_NAMES = {
    "chief_complaint": "complaint",
    "medications": "medications",
    "conditions": "conditions",
}
# Concept groups that tell the patient's confirmation page to send them to the front desk now.
EMERGENCY_CONCEPTS = frozenset(
    {
        "not_breathing", "agonal_breathing", "unresponsive",  # not breathing, unresponsive
        "severe_breathing", "breathless_at_rest", "airway_compromise",  # severe breathing trouble
        "severe_bleeding",  # heavy bleeding
        "chest_pain",
        "face_droop", "arm_weakness", "speech_difficulty", "stroke",  # stroke signs
        "self_harm",  # thoughts of self-harm
    }
)  # fmt: skip


@dataclass(frozen=True)
class Vitals:
    """The latest value of each measure (the app merges sets); all optional."""

    heart_rate: int | None = None  # /min
    respiratory_rate: int | None = None  # /min
    spo2: int | None = None  # %
    oxygen_l_min: float | None = None  # None unknown, 0 room air, > 0 supplemental oxygen
    systolic: int | None = None  # mmHg
    diastolic: int | None = None  # mmHg (recorded; no rule uses it)
    temperature_c: float | None = None
    pain: int | None = None  # 0-10, nurse-recorded
    avpu: str | None = None  # one of AVPU
    gcs: int | None = None  # 3-15
    glucose_mg_dl: float | None = None
    weight_kg: float | None = None  # recorded; no rule uses it

    def __post_init__(self) -> None:
        for field in fields(self):
            value = _plain_number(getattr(self, field.name))
            object.__setattr__(self, field.name, value)
            if field.name == "avpu":
                if value is not None and value not in AVPU:
                    raise ValueError(f"avpu must be one of {AVPU}: {value!r}")
                continue
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{field.name} must be a number: {value!r}")
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{field.name} must be a finite number, not negative: {value}")
        _check_range("spo2", self.spo2, 0, 100)
        _check_range("gcs", self.gcs, 3, 15)
        _check_range("pain", self.pain, 0, 10)


@dataclass(frozen=True)
class TriageInput:
    age_days: int  # age at arrival, 0 = newborn
    sex: str  # female | male | other | unknown
    chief_complaint: str = ""  # free text (patient, companion or nurse; English or Spanish)
    symptoms: frozenset[str] = frozenset()  # codes from SYMPTOM_CODES (patient-reported)
    findings: frozenset[str] = frozenset()  # codes from FINDING_CODES (nurse-observed)
    pain_score: int | None = None  # 0-10, self-reported
    pregnant: bool | None = None
    pregnancy_weeks: int | None = None
    medications: str = ""  # free text
    conditions: str = ""  # free text
    onset: str = ""  # "" | under_1h | today | 1_3_days | 4_7_days | over_week
    vitals: Vitals | None = None

    def __post_init__(self) -> None:
        for name in ("age_days", "pain_score", "pregnancy_weeks"):
            object.__setattr__(self, name, _plain_number(getattr(self, name)))
        if isinstance(self.age_days, bool) or not isinstance(self.age_days, int):
            raise ValueError(f"age_days must be a whole number of days: {self.age_days!r}")
        if self.age_days < 0:
            raise ValueError(f"age_days must not be negative: {self.age_days}")
        if self.sex not in SEXES:
            raise ValueError(f"unknown sex {self.sex!r}; expected one of {sorted(SEXES)}")
        for name in FREE_TEXT_FIELDS:
            if not isinstance(getattr(self, name), str):
                raise ValueError(f"{name} must be text")
        object.__setattr__(self, "symptoms", _codes("symptom", self.symptoms, SYMPTOM_CODES))
        object.__setattr__(self, "findings", _codes("finding", self.findings, FINDING_CODES))
        _check_range("pain_score", self.pain_score, 0, 10)
        _check_range("pregnancy_weeks", self.pregnancy_weeks, 0, 45)
        if self.pregnant not in (None, True, False):
            raise ValueError(f"pregnant must be True, False or None: {self.pregnant!r}")
        if self.onset not in ONSETS:
            raise ValueError(f"unknown onset {self.onset!r}; expected one of {sorted(ONSETS)}")
        if self.vitals is not None and not isinstance(self.vitals, Vitals):
            raise ValueError("vitals must be a Vitals")


@dataclass(frozen=True)
class Reason:
    rule: str  # stable id from RULES, e.g. "A.hypotension"
    decision_point: str  # "A" | "B" | "C" | "D"
    level: int  # the level this rule alone suggests
    text: str  # one plain-English sentence for clinicians
    triggers: tuple[str, ...]  # the words or values that made it fire
    source: str  # handbook chapter or guideline


@dataclass(frozen=True)
class Suggestion:
    level: int  # 1 (most urgent) .. 5
    reasons: tuple[Reason, ...]  # every rule that fired, most urgent first; never empty
    engine_version: str
    resources: tuple[str, ...]  # predicted resource types, in RESOURCE_TYPES order
    front_desk_now: bool  # an emergency red flag was ticked or typed: go to the front desk now

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe, for storage; suggestion_from_dict reads it back."""
        data = asdict(self)
        data["reasons"] = [{**r, "triggers": list(r["triggers"])} for r in data["reasons"]]
        data["resources"] = list(self.resources)
        return data


def suggestion_from_dict(data: dict[str, Any]) -> Suggestion:
    """Read a stored suggestion, including those stored by esi-rules-1 (reasons had only a
    rule and a text; the rule's letter gives its decision point and level)."""
    level = int(data["level"])
    reasons = tuple(
        Reason(
            rule=r["rule"],
            decision_point=r.get("decision_point", r["rule"].split(".")[0]),
            level=int(r.get("level", {"A": 1, "B": 2, "D": 2}.get(r["rule"][0], level))),
            text=r["text"],
            triggers=tuple(r.get("triggers", ())),
            source=r.get("source", ""),
        )
        for r in data["reasons"]
    )
    return Suggestion(
        level=level,
        reasons=reasons,
        engine_version=data["engine_version"],
        resources=tuple(data.get("resources", ())),
        front_desk_now=bool(data.get("front_desk_now", False)),
    )


def suggest(inp: TriageInput) -> Suggestion:
    """Suggest an ESI level for one patient, with every reason for it."""
    evidence = _evidence(inp)
    fired = [
        (rule, triggers)
        for rule in RULES
        if rule.decision_point != "C" and (triggers := rule.fire(evidence)) is not None
    ]
    resources, resources_reason = _resources(evidence)
    reasons = [_reason(rule, triggers) for rule, triggers in fired] + [resources_reason]
    reasons.sort(key=lambda r: r.level)  # stable: table order within a level
    return Suggestion(
        level=reasons[0].level,
        reasons=tuple(reasons),
        engine_version=ENGINE_VERSION,
        resources=resources,
        front_desk_now=bool(EMERGENCY_CONCEPTS & evidence.found.keys()),
    )


def danger_zone(age_days: int, vitals: Vitals) -> tuple[Reason, ...]:
    """The D reasons alone (the queue flags danger-zone vitals with them)."""
    evidence = _evidence(TriageInput(age_days=age_days, sex="unknown", vitals=vitals))
    return tuple(
        _reason(rule, triggers)
        for rule in RULES
        if rule.decision_point == "D" and (triggers := rule.fire(evidence)) is not None
    )


def _evidence(inp: TriageInput) -> Evidence:
    found: dict[str, list[str]] = {}

    def add(concept: str, trigger: str) -> None:
        triggers = found.setdefault(concept, [])
        if trigger not in triggers:
            triggers.append(trigger)

    for code in sorted(inp.symptoms):
        add(code, f'ticked: "{LABELS[code]}"')
    for code in sorted(inp.findings):
        add(code, f'nurse: "{LABELS[code]}"')
    for name in FREE_TEXT_FIELDS:
        field = _FIELD_NAMES[name]
        for mention in find_mentions(getattr(inp, name), field):
            kind, _label = rules.text_concepts().get(mention.concept, ("complaint", ""))
            # A current problem counts only from the complaint, and only when neither negated
            # nor past history; a risk factor counts from any field, past history included.
            counts = (
                mention.status in (PRESENT, HISTORY)
                if kind == "risk"
                else mention.status == PRESENT and field == "complaint"
            )
            if counts:
                add(mention.concept, f'"{mention.words}" ({field})')
    # A vital sign typed in the complaint ("pulse 35") can only add: the rules read it beside the
    # measured value (the more abnormal counts), never instead of it.
    typed: dict[str, list[tuple[float, str]]] = {}
    for reading in find_readings(inp.chief_complaint, "complaint"):
        for value in reading.values:
            how = f'typed "{reading.words}" ({reading.field})'
            typed.setdefault(reading.vital, []).append((value, how))
    if inp.onset == "over_week":
        add("lasting_over_week", "onset: over a week")
    if inp.pregnant or inp.pregnancy_weeks:
        weeks = f", {inp.pregnancy_weeks} weeks" if inp.pregnancy_weeks else ""
        add("pregnancy", f"pregnant{weeks}")
    vitals = inp.vitals or Vitals()
    measured = {
        f.name: getattr(vitals, f.name)
        for f in fields(vitals)
        if f.name != "avpu" and getattr(vitals, f.name) is not None
    }
    if vitals.pain is not None:  # the nurse's score, when recorded, replaces the self-report
        pain: tuple[int, str] | None = (vitals.pain, "nurse-recorded")
    elif inp.pain_score is not None:
        pain = (inp.pain_score, "self-reported")
    else:
        pain = None
    return Evidence(
        age_days=inp.age_days,
        found={concept: tuple(triggers) for concept, triggers in found.items()},
        measured=measured,
        pain=pain,
        avpu=vitals.avpu,
        typed={vital: tuple(values) for vital, values in typed.items()},
    )


def _resources(evidence: Evidence) -> tuple[tuple[str, ...], Reason]:
    predicted: set[str] = set()
    triggers: list[str] = []
    for row in rules.RESOURCE_RULES:
        row_triggers = row.fire(evidence)
        if row_triggers is None:
            continue
        predicted.update(row.resources)
        why = "; ".join(row_triggers)
        triggers.append(f"{rules.resource_words(row.resources)}: {row.what} ({why})")
    resources = tuple(t for t in RESOURCE_TYPES if t in predicted)
    count = rules.resource_count(resources)
    level = rules.LEVEL_BY_RESOURCE_COUNT.get(count, 3)
    if count == 0:
        text = "No resources expected beyond examination: level 5."
    else:
        plural = "resource" if count == 1 else "resources"
        text = f"{count} {plural} expected ({rules.resource_words(resources)}): level {level}."
    rule = rules.RESOURCES_RULE
    reason = Reason(rule.id, rule.decision_point, level, text, tuple(triggers), rule.source)
    return resources, reason


def _reason(rule: Rule, triggers: tuple[str, ...]) -> Reason:
    return Reason(rule.id, rule.decision_point, rule.level, rule.text, triggers, rule.source)


def _plain_number(value: Any) -> Any:
    """DynamoDB hands numbers back as Decimal: read them as int when whole, else float."""
    if isinstance(value, Decimal) and value.is_finite():
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _codes(kind: str, codes: Any, known: frozenset[str]) -> frozenset[str]:
    if isinstance(codes, str):
        raise ValueError(f"{kind}s must be a collection of codes, not a single string")
    codes = frozenset(codes)
    unknown = codes - known
    if unknown:
        raise ValueError(f"unknown {kind} codes: {', '.join(sorted(map(str, unknown)))}")
    return codes


def _check_range(name: str, value: int | None, lowest: int, highest: int) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not lowest <= value <= highest:
        raise ValueError(f"{name} must be a whole number from {lowest} to {highest}: {value!r}")
