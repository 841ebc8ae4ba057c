"""Triage suggestion engine: Emergency Severity Index (ESI) decision points A-D as plain rules.

The engine only SUGGESTS a level (1 = most urgent .. 5); the triage nurse always decides.
It is deterministic (same input, same output) and explainable (every reason names its rule).

How to review: the rule tables at the top are the clinical content; the logic below is small.

    A  immediate life-saving intervention needed ............ level 1
    B  high-risk situation, new confusion, pain >= 7/10 ..... level 2
    C  number of distinct resource TYPES expected ........... 0 -> 5, 1 -> 4, 2+ -> 3
    D  danger-zone vitals (only once a nurse records them) .. a level 3-5 becomes 2

The final level is the most urgent rule that fired. Reasons are listed most urgent first,
in the order of the RULES table. C.resources always fires, so there is always a reason.
"""

import re
from dataclasses import dataclass


def _(text: str) -> str:
    """Marks a label for translation (makemessages finds it); the app translates at render."""
    return text


ENGINE_VERSION = "esi-rules-1"

# =================================================================================================
# RULE TABLES (clinical content: review these)
# =================================================================================================

# --- Symptom vocabulary --------------------------------------------------------------------------
# Shown to patients in English and Spanish: short, plain, calm. Most urgent first, so that someone
# registering on behalf of a very sick patient sees those choices at the top.
SYMPTOMS: tuple[tuple[str, str], ...] = (
    # For someone registering on behalf of the patient.
    ("not_breathing", _("Not breathing")),
    ("unresponsive", _("Very hard to wake or not responding")),
    ("severe_breathing", _("Struggling to breathe, cannot speak in full sentences")),
    # Red flags the patient can report themselves.
    ("chest_pain", _("Chest pain or pressure")),
    ("trouble_breathing", _("Trouble breathing")),
    ("face_droop", _("One side of the face is drooping")),
    ("arm_weakness", _("Sudden weakness in an arm or leg")),
    ("speech_difficulty", _("Sudden trouble speaking")),
    ("severe_bleeding", _("Heavy bleeding that will not stop")),
    ("fainting", _("Fainted or passed out")),
    ("seizure", _("Had a seizure")),
    ("self_harm", _("Thoughts of harming yourself")),
    ("allergic_swelling", _("Allergic reaction with swelling of the face, lips or throat")),
    ("pregnant_pain_bleeding", _("Pregnant with pain or bleeding")),
    ("high_fever", _("High fever")),
    ("head_injury", _("Head injury")),
    ("confusion", _("New confusion or unusual drowsiness")),
    # Common problems.
    ("abdominal_pain", _("Stomach or belly pain")),
    ("vomiting", _("Vomiting")),
    ("diarrhea", _("Diarrhea")),
    ("cough", _("Cough")),
    ("sore_throat", _("Sore throat")),
    ("rash", _("Rash")),
    ("urinary_pain", _("Pain when passing urine")),
    ("back_pain", _("Back pain")),
    ("limb_injury", _("Injury to an arm or leg")),
    ("wound", _("A cut or wound that may need stitches")),
    ("eye_problem", _("Eye problem")),
    ("ear_pain", _("Ear pain")),
    ("headache", _("Headache")),
    ("dizziness", _("Dizziness")),
    ("medication_refill", _("Need a prescription refill")),
)
SYMPTOM_CODES: frozenset[str] = frozenset(dict(SYMPTOMS))

# --- Rules: id -> reason sentence ("{}" is filled with the details) ------------------------------
# This is the complete, documented set of rule ids, most urgent first; reasons follow this order.
RULES: dict[str, str] = {
    # A: needs an immediate life-saving intervention (airway, breathing, circulation) -> level 1
    "A.not_breathing": "Needs an immediate life-saving intervention: {}",
    "A.unresponsive": "Needs an immediate life-saving intervention: {}",
    "A.severe_breathing": "Needs an immediate life-saving intervention: {}",
    "A.spo2": "Needs an immediate life-saving intervention: {}",
    # B: high-risk situation; time-critical even when the patient looks stable -> level 2
    "B.chest_pain": "High-risk situation: {}",
    "B.stroke_signs": "Stroke signs reported: {}",
    "B.self_harm": "High-risk situation: {}",
    "B.pregnancy": "High-risk situation: {}",
    "B.severe_bleeding": "High-risk situation: {}",
    "B.seizure": "High-risk situation: {}",
    "B.allergic_swelling": "High-risk situation: {}",
    "B.fainting": "High-risk situation: {}",
    "B.head_injury_elderly": "High-risk situation: {}",
    "B.infant_fever_reported": "High-risk situation: {}",
    "B.confusion": "High-risk situation: {}",
    "B.pain": "Severe pain or distress: {}",
    # D: danger-zone vitals -> a level 3-5 becomes 2 (listed before C: it is more urgent)
    "D.heart_rate": "Danger-zone vital sign: {}",
    "D.respiratory_rate": "Danger-zone vital sign: {}",
    "D.spo2": "Danger-zone vital sign: {}",
    "D.infant_fever": "Fever in a newborn: {}",
    # C: resources expected -> level 3, 4 or 5
    "C.resources": "{}",
}
RULE_IDS: frozenset[str] = frozenset(RULES)

# --- Red flags: symptom code -> (rule id, wording in the reason) ---------------------------------
# Each of these alone makes the suggestion level 1 (A.*) or 2 (B.*).
RED_FLAGS: dict[str, tuple[str, str]] = {
    "not_breathing": ("A.not_breathing", "not breathing"),
    "unresponsive": ("A.unresponsive", "unresponsive or very hard to wake"),
    "severe_breathing": ("A.severe_breathing", "severe breathing difficulty, cannot speak"),
    "chest_pain": ("B.chest_pain", "chest pain or pressure, possible heart attack"),
    "face_droop": ("B.stroke_signs", "face droop"),  # stroke: every minute of delay costs brain
    "arm_weakness": ("B.stroke_signs", "arm weakness"),
    "speech_difficulty": ("B.stroke_signs", "speech difficulty"),
    "self_harm": ("B.self_harm", "thoughts of self-harm"),  # must not wait unobserved
    "pregnant_pain_bleeding": ("B.pregnancy", "pregnant with pain or bleeding"),  # ectopic?
    "severe_bleeding": ("B.severe_bleeding", "severe bleeding"),
    "seizure": ("B.seizure", "seizure"),
    "allergic_swelling": ("B.allergic_swelling", "allergic swelling of face, lips or throat"),
    "fainting": ("B.fainting", "fainting"),  # may be an arrhythmia or internal bleeding
    "confusion": ("B.confusion", "new confusion or lethargy"),
}
RED_FLAG_CODES: frozenset[str] = frozenset(RED_FLAGS)
# Not red flags on their own: "trouble_breathing" (the severe form is "severe_breathing"; low SpO2
# is caught by A/D), "head_injury" and "high_fever" (high-risk only at the ages below).

# --- Age- and context-dependent high-risk rules (B) ----------------------------------------------
ELDERLY_AGE_DAYS = 65 * 365  # head injury at 65+: bleeding in the brain is easy to miss
NEWBORN_MAX_AGE_DAYS = 28  # fever in the first 28 days: risk of serious bacterial infection
PREGNANCY_PAIN_CODES = ("abdominal_pain", "back_pain")  # with pregnant=True: ectopic, abruption
SEVERE_PAIN_AT_LEAST = 7  # pain 7/10 or more counts as severe pain or distress

# --- Oxygen and temperature thresholds -----------------------------------------------------------
SPO2_IMMEDIATE_BELOW = 85  # A: critically low oxygen, needs oxygen/airway support now
SPO2_DANGER_BELOW = 92  # D: danger zone at any age
NEWBORN_FEVER_ABOVE_C = 38.0  # D: fever in a newborn is always at least level 2

# --- Danger-zone heart and respiratory rates by age (ESI handbook) -------------------------------
# (oldest age in days in the band, band name, heart rate above, respiratory rate above)
# Rates EQUAL to the limit are not danger (e.g. adult heart rate 100 is fine, 101 is danger).
DANGER_ZONE_BANDS: tuple[tuple[int | None, str, int, int], ...] = (
    (89, "under 3 months", 180, 50),
    (3 * 365 - 1, "3 months to 3 years", 160, 40),
    (8 * 365, "3 to 8 years", 140, 30),
    (None, "over 8 years", 100, 20),
)

# --- Resource types (C) --------------------------------------------------------------------------
# ESI counts TYPES of resources: two blood tests are still one "labs". Not resources: history and
# examination, oral medication, tetanus shot, simple dressing, splint or sling, prescription refill.
RESOURCE_TYPES = ("labs", "ecg", "imaging", "iv", "consult", "procedure")
# iv = IV fluids or IV/IM/nebulised medication; procedure = e.g. stitches, catheter, sedation.

# Symptom code -> resource types usually needed (every symptom has a row; () means none).
SYMPTOM_RESOURCES: dict[str, tuple[str, ...]] = {
    "not_breathing": ("labs", "ecg", "imaging", "iv", "procedure"),
    "unresponsive": ("labs", "ecg", "imaging", "iv"),
    "severe_breathing": ("labs", "imaging", "iv"),
    "chest_pain": ("labs", "ecg", "imaging"),  # troponin, ECG, chest X-ray
    "trouble_breathing": ("labs", "imaging", "iv"),  # blood gas, chest X-ray, nebuliser
    "face_droop": ("labs", "imaging", "consult"),  # CT head, stroke team
    "arm_weakness": ("labs", "imaging", "consult"),
    "speech_difficulty": ("labs", "imaging", "consult"),
    "severe_bleeding": ("labs", "iv", "procedure"),
    "fainting": ("labs", "ecg"),
    "seizure": ("labs", "iv"),
    "self_harm": ("labs", "consult"),  # medical clearance, mental-health team
    "allergic_swelling": ("iv",),
    "pregnant_pain_bleeding": ("labs", "imaging", "consult"),  # ultrasound, obstetrics
    "high_fever": ("labs",),
    "head_injury": ("imaging",),  # CT head
    "confusion": ("labs", "imaging"),
    "abdominal_pain": ("labs", "imaging"),
    "vomiting": ("iv",),  # IV fluids or anti-sickness injection
    "diarrhea": ("labs",),
    "cough": ("imaging",),  # chest X-ray
    "sore_throat": (),  # rapid strep test is point-of-care, not a resource
    "rash": (),
    "urinary_pain": ("labs",),  # urinalysis
    "back_pain": (),
    "limb_injury": ("imaging",),  # X-ray
    "wound": ("procedure",),  # stitches
    "eye_problem": (),  # slit-lamp examination is part of the exam
    "ear_pain": (),
    "headache": ("iv",),  # IV/IM pain medication
    "dizziness": ("labs", "ecg"),
    "medication_refill": (),
}

# Words in the free-text chief complaint -> resource types. Matched at the start of a word
# ("vomit" matches "vomiting"), no negation handling, so it can only over-predict (safer).
COMPLAINT_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("fracture", ("imaging",)),
    ("broke", ("imaging",)),
    ("sprain", ("imaging",)),
    ("cut", ("procedure",)),
    ("laceration", ("procedure",)),
    ("stitch", ("procedure",)),
    ("vomit", ("iv",)),
)

# Level suggested by decision point C, by number of distinct resource types (2 or more -> 3).
LEVEL_BY_RESOURCE_COUNT = {0: 5, 1: 4}
LEVEL_FOR_MANY_RESOURCES = 3

SEXES = frozenset({"female", "male", "other", "unknown"})

# =================================================================================================
# DATA
# =================================================================================================


@dataclass(frozen=True)
class Vitals:
    heart_rate: int | None = None  # beats per minute
    respiratory_rate: int | None = None  # breaths per minute
    spo2: int | None = None  # percent
    systolic: int | None = None  # mmHg (not used by ESI v4 danger zone; kept for the record)
    diastolic: int | None = None
    temperature_c: float | None = None
    pain: int | None = None  # 0-10, when a nurse records it

    def __post_init__(self) -> None:
        for name in ("heart_rate", "respiratory_rate", "spo2", "systolic", "diastolic"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must not be negative: {value}")
        if self.spo2 is not None and self.spo2 > 100:
            raise ValueError(f"spo2 must be 0-100: {self.spo2}")
        _check_pain("pain", self.pain)


@dataclass(frozen=True)
class TriageInput:
    age_days: int  # age in days at arrival (0 = newborn)
    sex: str  # female | male | other | unknown
    chief_complaint: str  # free text from the patient
    symptoms: frozenset[str]  # codes from SYMPTOM_CODES
    pain_score: int | None = None  # 0-10, self-reported
    pregnant: bool | None = None
    vitals: Vitals | None = None

    def __post_init__(self) -> None:
        if self.age_days < 0:
            raise ValueError(f"age_days must not be negative: {self.age_days}")
        if self.sex not in SEXES:
            raise ValueError(f"unknown sex {self.sex!r}; expected one of {sorted(SEXES)}")
        if isinstance(self.symptoms, str):
            raise ValueError("symptoms must be a collection of codes, not a single string")
        symptoms = frozenset(self.symptoms)
        unknown = symptoms - SYMPTOM_CODES
        if unknown:
            raise ValueError(f"unknown symptom codes: {', '.join(sorted(map(str, unknown)))}")
        object.__setattr__(self, "symptoms", symptoms)
        _check_pain("pain_score", self.pain_score)


@dataclass(frozen=True)
class Reason:
    rule: str  # stable rule id from RULES, e.g. "B.stroke_signs"
    text: str  # one plain English sentence for clinicians


@dataclass(frozen=True)
class Suggestion:
    level: int  # 1 (most urgent) .. 5
    reasons: tuple[Reason, ...]  # every rule that fired, most urgent first; never empty
    engine_version: str
    resources: tuple[str, ...]  # predicted resource types, in RESOURCE_TYPES order

    def as_dict(self) -> dict:
        return {
            "level": self.level,
            "reasons": [{"rule": r.rule, "text": r.text} for r in self.reasons],
            "engine_version": self.engine_version,
            "resources": list(self.resources),
        }


# =================================================================================================
# LOGIC
# =================================================================================================


def suggest(inp: TriageInput) -> Suggestion:
    """Suggest an ESI level for one patient, with the reasons for it."""
    fired: dict[str, list[str]] = {}  # rule id -> details, filled in decision-point order

    def fire(rule: str, detail: str) -> None:
        fired.setdefault(rule, []).append(detail)

    # A and B: red-flag symptoms, in table order.
    for code, (rule, wording) in RED_FLAGS.items():
        if code in inp.symptoms:
            fire(rule, wording)
    vitals = inp.vitals
    if vitals is not None and vitals.spo2 is not None and vitals.spo2 < SPO2_IMMEDIATE_BELOW:
        fire("A.spo2", f"SpO2 {vitals.spo2}% is below {SPO2_IMMEDIATE_BELOW}%")

    # B: high-risk only in context.
    if "head_injury" in inp.symptoms and inp.age_days >= ELDERLY_AGE_DAYS:
        fire("B.head_injury_elderly", f"head injury at age {inp.age_days // 365} years")
    if "high_fever" in inp.symptoms and inp.age_days <= NEWBORN_MAX_AGE_DAYS:
        fire("B.infant_fever_reported", f"fever reported at age {inp.age_days} days")
    pregnancy_pain = [c for c in PREGNANCY_PAIN_CODES if c in inp.symptoms]
    if inp.pregnant and pregnancy_pain and "B.pregnancy" not in fired:
        fire("B.pregnancy", f"pregnant with {pregnancy_pain[0].replace('_', ' ')}")
    pain, source = _pain(inp)
    if pain is not None and pain >= SEVERE_PAIN_AT_LEAST:
        fire("B.pain", f"pain {pain}/10 ({source}) is {SEVERE_PAIN_AT_LEAST}/10 or more")

    # D: danger-zone vitals, only once recorded.
    if vitals is not None:
        for rule, detail in _danger_zone_details(inp.age_days, vitals).items():
            fire(rule, detail)

    # C: resources.
    resources, sources = _predict_resources(inp.symptoms, inp.chief_complaint or "")
    c_level = LEVEL_BY_RESOURCE_COUNT.get(len(resources), LEVEL_FOR_MANY_RESOURCES)
    fire("C.resources", _resources_text(resources, sources, c_level))

    level = min(_rule_level(rule, c_level) for rule in fired)
    reasons = tuple(Reason(rule, _text(rule, fired[rule])) for rule in RULES if rule in fired)
    return Suggestion(
        level=level, reasons=reasons, engine_version=ENGINE_VERSION, resources=resources
    )


def danger_zone_reasons(age_days: int, vitals: Vitals) -> tuple[Reason, ...]:
    """The D reasons alone (used by the queue to flag danger-zone vitals)."""
    if age_days < 0:
        raise ValueError(f"age_days must not be negative: {age_days}")
    details = _danger_zone_details(age_days, vitals)
    return tuple(Reason(rule, _text(rule, [detail])) for rule, detail in details.items())


def _danger_zone_details(age_days: int, vitals: Vitals) -> dict[str, str]:
    """D rule id -> detail, in RULES order."""
    band, hr_above, rr_above = _danger_zone_band(age_days)
    details: dict[str, str] = {}
    if vitals.heart_rate is not None and vitals.heart_rate > hr_above:
        details["D.heart_rate"] = (
            f"heart rate {vitals.heart_rate}/min is above {hr_above} for age {band}"
        )
    if vitals.respiratory_rate is not None and vitals.respiratory_rate > rr_above:
        details["D.respiratory_rate"] = (
            f"respiratory rate {vitals.respiratory_rate}/min is above {rr_above} for age {band}"
        )
    if vitals.spo2 is not None and vitals.spo2 < SPO2_DANGER_BELOW:
        details["D.spo2"] = f"SpO2 {vitals.spo2}% is below {SPO2_DANGER_BELOW}%"
    if (
        vitals.temperature_c is not None
        and age_days <= NEWBORN_MAX_AGE_DAYS
        and vitals.temperature_c > NEWBORN_FEVER_ABOVE_C
    ):
        details["D.infant_fever"] = (
            f"temperature {vitals.temperature_c:g} °C is above {NEWBORN_FEVER_ABOVE_C:.1f} °C"
            f" at age {age_days} days"
        )
    return details


def _danger_zone_band(age_days: int) -> tuple[str, int, int]:
    for oldest, band, hr_above, rr_above in DANGER_ZONE_BANDS:
        if oldest is None or age_days <= oldest:
            return band, hr_above, rr_above
    raise AssertionError("DANGER_ZONE_BANDS must end with an open band")  # pragma: no cover


def _predict_resources(
    symptoms: frozenset[str], complaint: str
) -> tuple[tuple[str, ...], list[str]]:
    """Distinct resource types (in RESOURCE_TYPES order) and what predicted them."""
    found: set[str] = set()
    sources: list[str] = []
    for code, _label in SYMPTOMS:  # display order, so the explanation is stable
        if code in symptoms and SYMPTOM_RESOURCES[code]:
            found.update(SYMPTOM_RESOURCES[code])
            sources.append(code.replace("_", " "))
    words = re.findall(r"[a-z]+", complaint.lower())
    for stem, types in COMPLAINT_KEYWORDS:
        if any(word.startswith(stem) for word in words):
            found.update(types)
            sources.append(f"complaint word '{stem}'")
    return tuple(t for t in RESOURCE_TYPES if t in found), sources


def _resources_text(resources: tuple[str, ...], sources: list[str], c_level: int) -> str:
    if not resources:
        return f"No resources expected: suggests level {c_level}"
    count = "1 resource type" if len(resources) == 1 else f"{len(resources)} resource types"
    return (
        f"{count} expected ({', '.join(resources)}) from {', '.join(sources)}:"
        f" suggests level {c_level}"
    )


def _pain(inp: TriageInput) -> tuple[int | None, str]:
    """Nurse-recorded pain wins over the patient's self-report."""
    if inp.vitals is not None and inp.vitals.pain is not None:
        return inp.vitals.pain, "nurse-recorded"
    return inp.pain_score, "self-reported"


def _rule_level(rule: str, c_level: int) -> int:
    return {"A": 1, "B": 2, "D": 2}.get(rule[0], c_level)


def _text(rule: str, details: list[str]) -> str:
    return RULES[rule].format(", ".join(details))


def _check_pain(name: str, value: int | None) -> None:
    if value is not None and not 0 <= value <= 10:
        raise ValueError(f"{name} must be 0-10: {value}")
