"""The rule tables: the clinical content of the engine, as data for a clinician to review.

A rule fires when ALL of its clauses hold; a clause holds when ANY of its conditions holds.
Every condition is "present", "at least" or "at most" (never "absent"), and two-sided vital
signs are read as distance-from-normal bands (a heart rate of 35 and one of 190 are both in the
"critical" band for an adult): so a worse input can only make more conditions true, more rules
fire and the suggested level more urgent. tests/triage/test_monotonicity.py proves it.

Handbook: ESI Implementation Handbook, Version 4, 2020 edition (Emergency Nurses Association);
chapter numbers below are that edition's: ch. 2 overview and decision point A (level 1),
ch. 3 level 2, ch. 4 levels 3-5 and resources, ch. 5 vital signs (decision point D),
ch. 6 pediatric triage. Where the handbook gives no number, the source names the guideline used.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from triage.matcher import read_tsv
from triage.vocabulary import AVPU, LABELS, RESOURCE_LABELS

HANDBOOK = "ESI Implementation Handbook, Version 4, 2020 edition (ENA)"
DAY = 1
YEAR = 365  # days; ages are whole days since birth, thresholds err a few days early
ADULT_RESOURCES_FROM = 12 * YEAR  # adolescents need the adult work-up (labs, CT)

# =================================================================================================
# Vital-sign bands by age. A band is "value < low" or "value > high" (">=" where marked).
# Bands of one vital are nested: every value in a more severe band is in the milder ones too.
# =================================================================================================


@dataclass(frozen=True)
class Band:
    low: float | None  # in the band when the value is below this
    high: float | None  # ... or above this
    high_inclusive: bool = False  # ... or at it

    def contains(self, value: float) -> bool:
        below = self.low is not None and value < self.low
        above = self.high is not None and (
            value >= self.high if self.high_inclusive else value > self.high
        )
        return below or above

    def describe(self, unit: str) -> str:
        parts = []
        if self.low is not None:
            parts.append(f"< {self.low:g}{unit}")
        if self.high is not None:
            parts.append(f"{'≥' if self.high_inclusive else '>'} {self.high:g}{unit}")
        return " or ".join(parts)


@dataclass(frozen=True)
class AgeBand:
    oldest_days: int | None  # inclusive; None = no upper limit
    label: str
    bands: Mapping[str, Band]  # band name -> thresholds, mildest first


@dataclass(frozen=True)
class VitalBands:
    vital: str  # Vitals field name
    name: str  # plain words
    unit: str
    severity: tuple[str, ...]  # band names, mildest first
    ages: tuple[AgeBand, ...]
    source: str

    def age_band(self, age_days: int) -> AgeBand:
        return next(a for a in self.ages if a.oldest_days is None or age_days <= a.oldest_days)

    def severity_of(self, age_days: int, value: float) -> int:
        """0 = normal, 1 = in the mildest band, ... (the distance from normal, in bands)."""
        bands = self.age_band(age_days).bands
        return max(
            (i + 1 for i, n in enumerate(self.severity) if bands[n].contains(value)), default=0
        )


_ESI_AGES = (
    (89, "under 3 months"),
    (3 * YEAR - 1, "3 months to 3 years"),
    (8 * YEAR, "3 to 8 years"),
)


def _esi_age_bands(rows: tuple[tuple[Band, Band], ...], adult: tuple[Band, Band]) -> tuple:
    named = [
        AgeBand(o, label, {"danger": d, "critical": c})
        for (o, label), (d, c) in zip(_ESI_AGES, rows, strict=True)
    ]
    return (*named, AgeBand(None, "over 8 years", {"danger": adult[0], "critical": adult[1]}))


def _systolic_ages() -> tuple[AgeBand, ...]:
    """PALS hypotension: < 60 (0-28 days), < 70 (1-12 months), < 70 + 2 x age in years
    (1-10 years), < 90 (10 years and over). High side: see VITALS["systolic"].source."""
    ages = [
        AgeBand(28, "0 to 28 days", {"abnormal": Band(60, 180, True)}),
        AgeBand(YEAR - 1, "1 to 12 months", {"abnormal": Band(70, 180, True)}),
    ]
    for years in range(1, 10):
        low = 70 + 2 * years
        ages.append(
            AgeBand((years + 1) * YEAR - 1, f"{years} years", {"abnormal": Band(low, 180, True)})
        )
    ages.append(AgeBand(13 * YEAR - 1, "10 to 12 years", {"abnormal": Band(90, 180, True)}))
    ages.append(AgeBand(None, "13 years and over", {"abnormal": Band(90, 220, True)}))
    return tuple(ages)


def _temperature_ages() -> tuple[AgeBand, ...]:
    extreme = Band(35.0, 41.0, True)  # hypothermia; hyperpyrexia
    high = Band(35.0, 39.0)
    return (
        AgeBand(
            90, "0 to 90 days", {"fever": Band(36.5, 38.0, True), "high": high, "extreme": extreme}
        ),
        AgeBand(
            None,
            "over 90 days",
            {"fever": Band(36.0, 38.0, True), "high": high, "extreme": extreme},
        ),
    )


VITALS: dict[str, VitalBands] = {
    band.vital: band
    for band in (
        VitalBands(
            "heart_rate",
            "heart rate",
            "/min",
            ("danger", "critical"),
            _esi_age_bands(
                (
                    (Band(90, 180), Band(60, 220, True)),
                    (Band(80, 160), Band(60, 200, True)),
                    (Band(65, 140), Band(60, 180, True)),
                ),
                (Band(50, 100), Band(40, 140)),
            ),
            f"{HANDBOOK} ch. 5: danger zone, high side (> 180, > 160, > 140, > 100). The handbook"
            " gives no low side: PALS 2020 lower limits of normal sleeping heart rate (danger);"
            " critical = PALS bradycardia with poor perfusion (< 60, children), PALS probable SVT"
            " (infants ≥ 220, children ≥ 180; 200 for 3 months to 3 years is interpolated),"
            " adults: MERIT medical emergency team criteria (< 40, > 140; Hillman, Lancet 2005).",
        ),
        VitalBands(
            "respiratory_rate",
            "respiratory rate",
            "/min",
            ("danger", "critical"),
            _esi_age_bands(
                (
                    (Band(25, 50), Band(10, 70)),
                    (Band(20, 40), Band(10, 60)),
                    (Band(15, 30), Band(10, 60)),
                ),
                (Band(10, 20), Band(6, 36)),
            ),
            f"{HANDBOOK} ch. 5: danger zone, high side (> 50, > 40, > 30, > 20). Low side and"
            " critical: PALS 2020 (a rate < 10 or > 60 is abnormal at any age; 70 for infants"
            " under 3 months so that ordinary bronchiolitis stays at level 2), adults: ch. 2"
            " level-1 example (overdose with a rate < 6) and MERIT criteria (> 36).",
        ),
        VitalBands(
            "systolic",
            "systolic blood pressure",
            " mmHg",
            ("abnormal",),
            _systolic_ages(),
            "PALS 2020 hypotension by age (the handbook names hypotension but gives no number);"
            " adults < 90 mmHg (ATLS). The high side (≥ 180 under 13 years, ≥ 220 from 13 years)"
            " has no handbook number: hypertensive-emergency territory (ACC/AHA 2017 calls"
            " > 180/120 severe) set high so that hypertension alone rarely changes the level.",
        ),
        VitalBands(
            "temperature_c",
            "temperature",
            " °C",
            ("fever", "high", "extreme"),
            _temperature_ages(),
            f"{HANDBOOK} ch. 6 and the algorithm's pediatric fever considerations (≥ 38.0 °C in"
            " infants; > 39.0 °C at 3 to 36 months; infants < 90 days with < 36.5 °C);"
            " < 36.0 °C counts as fever-equivalent as in the SIRS criteria (Bone, Chest 1992);"
            " extreme: hypothermia < 35.0 °C, hyperpyrexia ≥ 41.0 °C (standard definitions).",
        ),
        VitalBands(
            "glucose_mg_dl",
            "glucose",
            " mg/dL",
            ("critical",),
            (AgeBand(None, "any age", {"critical": Band(70, 600)}),),
            "ADA Standards of Care 2024: hypoglycaemia < 70 mg/dL (the handbook's level-1 example"
            " 'hypoglycemia with a change in mental status' has no number); > 600 mg/dL is the"
            " hyperosmolar-state threshold (ADA consensus on hyperglycaemic crises, 2009).",
        ),
    )
}

# =================================================================================================
# Conditions. Each returns the words or values that made it true (empty when false).
# =================================================================================================


@dataclass(frozen=True)
class Evidence:
    """What the engine knows about one patient, in the shape the conditions read."""

    age_days: int
    found: Mapping[str, tuple[str, ...]]  # concept or code -> how it was found
    measured: Mapping[str, float]  # vital name -> value (measured ones only)
    pain: tuple[int, str] | None  # (score, "nurse-recorded" | "self-reported")
    avpu: str | None
    # vital name -> values typed in the complaint ("pulse 35"), each with how it was typed;
    # InBand reads them beside the measured value, so a typed value can only add
    typed: Mapping[str, tuple[tuple[float, str], ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Found:
    """Any of these concepts or codes is present (ticked, observed or written)."""

    concepts: tuple[str, ...]

    def check(self, ev: Evidence) -> tuple[str, ...]:
        return tuple(t for c in self.concepts for t in ev.found.get(c, ()))

    def describe(self) -> str:
        return "; ".join(f'"{concept_label(c)}"' for c in self.concepts)


@dataclass(frozen=True)
class InBand:
    """A two-sided vital sign is at least as far from normal as this band, for the age."""

    vital: str
    band: str

    def check(self, ev: Evidence) -> tuple[str, ...]:
        """The measured value and any typed one ("pulse 35"), each when in the band."""
        table = VITALS[self.vital]
        needed = table.severity.index(self.band) + 1
        values = [(ev.measured[self.vital], "")] if self.vital in ev.measured else []
        values += [(value, f", {how}") for value, how in ev.typed.get(self.vital, ())]
        age = table.age_band(ev.age_days)
        bounds = age.bands[self.band].describe(table.unit)
        return tuple(
            f"{table.name} {value:g}{table.unit}{how} ({self.band} for {age.label}: {bounds})"
            for value, how in values
            if table.severity_of(ev.age_days, value) >= needed
        )

    def describe(self) -> str:
        return f"{VITALS[self.vital].name} in the {self.band} band for age"


@dataclass(frozen=True)
class Below:
    """A one-sided measure is below a threshold (lower is worse)."""

    vital: str
    threshold: float
    name: str
    unit: str

    def check(self, ev: Evidence) -> tuple[str, ...]:
        value = ev.measured.get(self.vital)
        if value is None or not value < self.threshold:
            return ()
        return (f"{self.name} {value:g}{self.unit}",)

    def describe(self) -> str:
        return f"{self.name} < {self.threshold:g}{self.unit}"


@dataclass(frozen=True)
class Above:
    """A one-sided measure is above a threshold (higher is worse)."""

    vital: str
    threshold: float
    name: str
    unit: str

    def check(self, ev: Evidence) -> tuple[str, ...]:
        value = ev.measured.get(self.vital)
        if value is None or not value > self.threshold:
            return ()
        return (f"{self.name} {value:g}{self.unit}",)

    def describe(self) -> str:
        return f"{self.name} > {self.threshold:g}{self.unit}"


@dataclass(frozen=True)
class AvpuAtMost:
    """Responsiveness is this level or lower on A > V > P > U."""

    level: str

    def check(self, ev: Evidence) -> tuple[str, ...]:
        if ev.avpu is None or AVPU.index(ev.avpu) < AVPU.index(self.level):
            return ()
        return (f"AVPU {ev.avpu}",)

    def describe(self) -> str:
        return f"AVPU {'/'.join(AVPU[AVPU.index(self.level) :])}"


@dataclass(frozen=True)
class PainAtLeast:
    """Pain score at least this (the nurse's score when recorded, else the patient's)."""

    score: int

    def check(self, ev: Evidence) -> tuple[str, ...]:
        if ev.pain is None or ev.pain[0] < self.score:
            return ()
        return (f"pain {ev.pain[0]}/10 ({ev.pain[1]})",)

    def describe(self) -> str:
        return f"pain ≥ {self.score}/10"


@dataclass(frozen=True)
class Age:
    """Age in a range (fixed for a patient, so any range keeps the rules monotonic)."""

    youngest_days: int = 0
    oldest_days: int | None = None  # inclusive; None = no upper limit

    def check(self, ev: Evidence) -> tuple[str, ...]:
        too_old = self.oldest_days is not None and ev.age_days > self.oldest_days
        if ev.age_days < self.youngest_days or too_old:
            return ()
        return (f"age {format_age(ev.age_days)}",)

    def describe(self) -> str:
        if self.oldest_days is None:
            return f"age ≥ {format_age(self.youngest_days)}"
        if (self.oldest_days + 1) % YEAR == 0:  # "under 3 years" reads better than "2 years"
            upper = alone = f"under {format_age(self.oldest_days + 1)}"
        else:
            upper, alone = format_age(self.oldest_days), f"≤ {format_age(self.oldest_days)}"
        if self.youngest_days == 0:
            return f"age {alone}"
        return f"age {format_age(self.youngest_days)} to {upper}"


Condition = Found | InBand | Below | Above | AvpuAtMost | PainAtLeast | Age
Clause = tuple[Condition, ...]  # any of


def format_age(days: int) -> str:
    if days <= 90:
        return f"{days} days"
    if days < 2 * YEAR:
        return f"{days // 30} months"
    return f"{days // YEAR} years"


# =================================================================================================
# Rules
# =================================================================================================


class Conjunction:
    """All clauses must hold; a clause holds when any of its conditions does."""

    when: tuple[Clause, ...]

    def fire(self, ev: Evidence) -> tuple[str, ...] | None:
        """The triggers when every clause holds, else None."""
        triggers: list[str] = []
        for clause in self.when:
            found = [t for condition in clause for t in condition.check(ev)]
            if not found:
                return None
            triggers.extend(t for t in found if t not in triggers)
        return tuple(triggers)

    def criteria(self) -> str:
        return " AND ".join(
            "(" + " OR ".join(c.describe() for c in clause) + ")" for clause in self.when
        )


@dataclass(frozen=True)
class Rule(Conjunction):
    id: str
    decision_point: str  # "A" | "B" | "C" | "D"
    level: int  # the level this rule alone suggests (C: see LEVEL_BY_RESOURCE_COUNT)
    text: str  # the reason, one plain-English sentence for clinicians
    when: tuple[Clause, ...]  # all of these clauses
    source: str
    notes: str = ""


def _has(*concepts: str) -> Found:
    return Found(concepts)


FEVER: Clause = (_has("high_fever"), InBand("temperature_c", "fever"))
ALTERED_MENTAL_STATUS: Clause = (
    _has("confusion", "altered_mental_status", "unresponsive"),
    AvpuAtMost("V"),
    Below("gcs", 15, "GCS", ""),
)
POOR_PERFUSION: Clause = (
    _has("pale_cool_clammy", "delayed_capillary_refill", "fainting"),
    *ALTERED_MENTAL_STATUS,
    InBand("heart_rate", "danger"),
)
RESPIRATORY_DISTRESS = (
    "trouble_breathing",
    "breathless_at_rest",
    "severe_breathing",
    "respiratory_distress",
)
SPO2_DANGER = Below("spo2", 92, "SpO2", "%")
HYPOTENSION = InBand("systolic", "abnormal")
A_SOURCE = f"{HANDBOOK} ch. 2, decision point A"
B_SOURCE = f"{HANDBOOK} ch. 3, high-risk situations"
PAIN_SITES = (
    "chest_pain",
    "abdominal_pain",
    "back_pain",
    "flank_pain",
    "testicular_pain",
    "pelvic_pain",
)

RULES: tuple[Rule, ...] = (
    # ---- A: needs an immediate life-saving intervention -> level 1 ----------------------------
    Rule(
        "A.apnoea",
        "A",
        1,
        "Not breathing or agonal breathing: needs airway and ventilation now.",
        ((_has("not_breathing", "agonal_breathing"),),),
        f"{A_SOURCE} (respiratory arrest, agonal or gasping respirations)",
    ),
    Rule(
        "A.unresponsive",
        "A",
        1,
        "Unresponsive or responds only to pain: needs immediate airway and resuscitation.",
        ((_has("unresponsive"), AvpuAtMost("P"), Below("gcs", 9, "GCS", "")),),
        f"{A_SOURCE} (AVPU P or U); GCS ≤ 8 is the usual threshold for airway protection (ATLS)",
    ),
    Rule(
        "A.airway",
        "A",
        1,
        "Airway at risk: needs immediate airway management.",
        ((_has("airway_compromise"),),),
        f"{A_SOURCE} (airway: threatened airway)",
    ),
    Rule(
        "A.severe_respiratory_distress",
        "A",
        1,
        "Severe respiratory distress: needs immediate support of breathing.",
        ((_has("severe_breathing"),),),
        f"{A_SOURCE} (severe respiratory distress)",
    ),
    Rule(
        "A.hypoxia",
        "A",
        1,
        "Oxygen saturation below 90% with respiratory distress or despite oxygen.",
        (
            (Below("spo2", 90, "SpO2", "%"),),
            (
                _has(*RESPIRATORY_DISTRESS),
                InBand("respiratory_rate", "danger"),
                Above("oxygen_l_min", 0, "supplemental oxygen", " l/min"),
            ),
        ),
        f"{A_SOURCE} (SpO2 < 90 with severe respiratory distress)",
    ),
    Rule(
        "A.respiratory_rate",
        "A",
        1,
        "Critically slow or fast breathing for age: impending respiratory failure.",
        ((InBand("respiratory_rate", "critical"),),),
        f"{A_SOURCE} (hypoventilation); thresholds: see the respiratory-rate bands",
    ),
    Rule(
        "A.hypotension",
        "A",
        1,
        "Blood pressure out of range for age with signs of poor perfusion: possible shock.",
        ((HYPOTENSION,), POOR_PERFUSION),
        f"{A_SOURCE} (hypotension with signs of hypoperfusion); ch. 6 table of"
        " pediatric level-1 conditions (shock); PALS hypotension by age",
        "The heart rate counts as a sign of poor perfusion when it is in the danger zone: the"
        " shock index (heart rate above systolic) is not monotonic in a two-sided heart rate.",
    ),
    Rule(
        "A.symptomatic_heart_rate",
        "A",
        1,
        "Critical bradycardia or tachycardia with signs of poor perfusion.",
        (
            (InBand("heart_rate", "critical"),),
            (
                _has("pale_cool_clammy", "delayed_capillary_refill", "fainting", "chest_pain"),
                *ALTERED_MENTAL_STATUS,
                HYPOTENSION,
            ),
        ),
        f"{A_SOURCE} (severe bradycardia or tachycardia with signs of hypoperfusion);"
        " AHA ACLS/PALS 2020 signs of instability",
    ),
    Rule(
        "A.seizure",
        "A",
        1,
        "Seizure now or repeated seizures: needs immediate treatment.",
        ((_has("active_seizure"),),),
        f"{A_SOURCE}; ch. 6 (active seizures)",
    ),
    Rule(
        "A.anaphylaxis",
        "A",
        1,
        "Allergic reaction with airway, breathing or circulation involved: anaphylaxis.",
        (
            (_has("allergy", "allergic_swelling"),),
            (
                _has(
                    "airway_swelling",
                    "airway_compromise",
                    *RESPIRATORY_DISTRESS,
                    "fainting",
                    "pale_cool_clammy",
                ),
                SPO2_DANGER,
                HYPOTENSION,
            ),
        ),
        f"{A_SOURCE}; ch. 6 (anaphylactic reaction with respiratory compromise"
        " or reduced blood pressure)",
    ),
    Rule(
        "A.bleeding_shock",
        "A",
        1,
        "Major bleeding with signs of shock.",
        ((_has("severe_bleeding"),), (*POOR_PERFUSION, HYPOTENSION)),
        f"{A_SOURCE} (trauma or bleeding needing immediate fluid or blood resuscitation)",
    ),
    Rule(
        "A.hypoglycaemia",
        "A",
        1,
        "Abnormal blood glucose with altered mental status: needs treatment now.",
        (
            (
                InBand("glucose_mg_dl", "critical"),
                _has("low_blood_sugar", "glucose_meter_high"),
            ),
            ALTERED_MENTAL_STATUS,
        ),
        f"{A_SOURCE} (hypoglycemia with a change in mental status); glucose thresholds: see"
        " the glucose band",
        "Two-sided like the other measures: > 600 mg/dL with altered mental status"
        " (hyperosmolar state) fires too, and so does a home meter reading 'HI'.",
    ),
    Rule(
        "A.petechial_rash",
        "A",
        1,
        "Non-blanching rash with altered mental status: possible meningococcal sepsis.",
        ((_has("petechial_rash"),), ALTERED_MENTAL_STATUS),
        f"{HANDBOOK} ch. 6 (petechial rash with altered mental status, regardless of vital signs)",
    ),
    # ---- B: high-risk situation; must not wait -> level 2 -------------------------------------
    Rule(
        "B.chest_pain",
        "B",
        2,
        "Chest pain that may be a heart attack (acute coronary syndrome).",
        ((_has("chest_pain"),), (Age(30 * YEAR), _has("cardiac_history", "stimulant"))),
        f"{B_SOURCE} (chest pain suspicious for acute coronary syndrome)",
        "Age 30 and over, or at any age with heart disease or cocaine/stimulant use; below 30"
        " the resource count applies (ECG, labs, imaging: level 3).",
    ),
    Rule(
        "B.stroke_signs",
        "B",
        2,
        "Signs of a stroke: time-critical.",
        ((_has("face_droop", "arm_weakness", "speech_difficulty", "stroke"),),),
        f"{B_SOURCE} (signs of stroke)",
    ),
    Rule(
        "B.altered_mental_status",
        "B",
        2,
        "New confusion, lethargy or disorientation.",
        (
            (
                _has("confusion", "altered_mental_status"),
                AvpuAtMost("V"),
                Below("gcs", 15, "GCS", ""),
            ),
        ),
        f"{HANDBOOK} ch. 3 (new onset confusion, lethargy or disorientation)",
        "GCS 14 or less, or AVPU V, counts; the nurse judges whether it is new.",
    ),
    Rule(
        "B.head_injury",
        "B",
        2,
        "Head injury with a high-risk feature (age, blood thinner, loss of consciousness,"
        " vomiting).",
        (
            (_has("head_injury"),),
            (
                Age(65 * YEAR),
                _has("anticoagulant", "antiplatelet", "bleeding_disorder", "fainting", "vomiting"),
            ),
        ),
        f"{B_SOURCE}; Canadian CT Head Rule high-risk features (age ≥ 65, vomiting,"
        " Stiell, Lancet 2001); anticoagulation or antiplatelet therapy at any age (NICE NG232)",
    ),
    Rule(
        "B.suicidal_homicidal",
        "B",
        2,
        "Thoughts of harming self or others: must not wait unobserved.",
        ((_has("self_harm", "homicidal"),),),
        f"{B_SOURCE} (suicidal or homicidal ideation)",
    ),
    Rule(
        "B.pregnancy",
        "B",
        2,
        "Pregnant with pain or bleeding: possible ectopic pregnancy, miscarriage or abruption.",
        (
            (_has("pregnant_pain_bleeding", "pregnancy"),),
            (
                _has(
                    "pregnant_pain_bleeding",
                    "abdominal_pain",
                    "pelvic_pain",
                    "vaginal_bleeding",
                    "bleeding",
                    "pain",
                    "back_pain",
                    "flank_pain",
                    "fainting",
                ),
            ),
        ),
        f"{B_SOURCE} (possible ectopic pregnancy; pregnancy with vaginal bleeding)",
        "Weeks of pregnancy, when known, are shown with the trigger.",
    ),
    Rule(
        "B.immunocompromised_fever",
        "B",
        2,
        "Fever in an immunocompromised patient: risk of sepsis.",
        ((_has("immunosuppressed"),), FEVER),
        f"{B_SOURCE}; ch. 6 (immunocompromised patients with fever)",
    ),
    Rule(
        "B.fever_newborn",
        "B",
        2,
        "Fever or low temperature in a newborn (28 days or younger).",
        ((Age(0, 28 * DAY),), FEVER),
        f"{HANDBOOK}, algorithm fever considerations: 1 to 28 days, assign at least ESI 2"
        " if > 38.0 °C; ch. 6: infants < 90 days with < 36.5 °C",
        "A reported fever counts: parents' thermometers are trusted at this age.",
    ),
    Rule(
        "B.fever_young_infant",
        "B",
        2,
        "Fever or low temperature in an infant of 29 to 90 days.",
        ((Age(29 * DAY, 90 * DAY),), FEVER),
        f"{HANDBOOK}, algorithm fever considerations: 1 to 3 months, consider ESI 2 if"
        " > 38.0 °C (this engine always suggests 2); ch. 6 (< 36.5 °C under 90 days)",
    ),
    Rule(
        "B.fever_3_to_36_months",
        "B",
        3,
        "Fever above 39 °C, or fever with incomplete immunisations, at 3 to 36 months.",
        (
            (Age(91 * DAY, 3 * YEAR - 1),),
            (InBand("temperature_c", "high"), *FEVER),
            (InBand("temperature_c", "high"), _has("incomplete_immunisation")),
        ),
        f"{HANDBOOK}, algorithm fever considerations: 3 months to 3 years, consider ESI 3 if"
        " > 39.0 °C, incomplete immunisations, or no obvious source",
        "Suggests level 3 as the handbook does (not 2). 'No obvious source' is not used: it is"
        " an absence, which would break monotonicity; the nurse judges it.",
    ),
    Rule(
        "B.severe_pain",
        "B",
        2,
        "Severe pain (7/10 or more) from a site where pain signals a high-risk cause.",
        ((PainAtLeast(7),), (_has(*PAIN_SITES),)),
        f"{HANDBOOK} ch. 3 (severe pain or distress: consider ESI 2 at 7/10 or more)",
        "Limited to chest, abdomen, back, flank, pelvis and testicles: the handbook leaves"
        " severe pain from minor injuries (an ankle sprain at 8/10) or a usual migraine at the"
        " resource level; a sudden worst-ever headache is B.thunderclap_headache.",
    ),
    Rule(
        "B.breathing",
        "B",
        2,
        "Breathless at rest, working hard to breathe, or airway swelling.",
        ((_has("breathless_at_rest", "respiratory_distress", "airway_swelling"),),),
        f"{B_SOURCE} (respiratory distress without immediate need for intervention)",
    ),
    Rule(
        "B.infant_breathing",
        "B",
        2,
        "Breathing difficulty in an infant under 12 months: little reserve, tires quickly.",
        ((Age(0, YEAR - 1),), (_has(*RESPIRATORY_DISTRESS),)),
        f"{HANDBOOK} ch. 6 (pediatric high-risk presentations: an infant in respiratory"
        " distress is ESI 2 at least); AHA PALS 2020 (infants have little respiratory reserve:"
        " increased work of breathing can progress to respiratory failure)",
        "Added from the red-team review: a carer's ticked or typed 'trouble breathing',"
        " 'breathing fast', 'grunting' or 'le cuesta respirar' at under 12 months was level 4"
        " on phone intake (nebuliser only). The carer's report is trusted at this age, as for"
        " fever in newborns; the nurse's count and findings decide afterwards.",
    ),
    Rule(
        "B.allergic_swelling",
        "B",
        2,
        "Allergic swelling of the face, lips or throat.",
        ((_has("allergic_swelling"),),),
        f"{B_SOURCE} (allergic reaction at risk of airway involvement)",
    ),
    Rule(
        "B.overdose",
        "B",
        2,
        "Overdose, poisoning or a dangerous ingestion (button battery, magnets).",
        ((_has("overdose", "dangerous_ingestion"),),),
        f"{B_SOURCE} (overdose or ingestion); button batteries and magnets: NCPC/AAP guidance"
        " (oesophageal battery is an emergency)",
    ),
    Rule(
        "B.severe_bleeding",
        "B",
        2,
        "Heavy bleeding that will not stop.",
        ((_has("severe_bleeding"),),),
        f"{B_SOURCE} (uncontrolled bleeding)",
    ),
    Rule(
        "B.gi_bleeding",
        "B",
        2,
        "Vomiting blood or black stools: possible gastrointestinal bleeding.",
        ((_has("gi_bleeding"),),),
        f"{B_SOURCE} (gastrointestinal bleeding)",
    ),
    Rule(
        "B.seizure",
        "B",
        2,
        "Recent seizure.",
        ((_has("seizure"),),),
        f"{B_SOURCE}; ch. 6 (seizures, prolonged postictal period)",
    ),
    Rule(
        "B.syncope",
        "B",
        2,
        "Fainting with a high-risk feature (age 60+, heart disease, chest pain, palpitations,"
        " slow heart rate, breathlessness, blood thinner or pregnancy).",
        (
            (_has("fainting"),),
            (
                Age(60 * YEAR),
                _has(
                    "cardiac_history",
                    "anticoagulant",
                    "chest_pain",
                    "palpitations",
                    "slow_heart_rate",
                    *RESPIRATORY_DISTRESS,
                    "pregnancy",
                ),
            ),
        ),
        f"{B_SOURCE}; San Francisco Syncope Rule risk factors (Quinn, Ann Emerg Med 2004);"
        " slow heart rate: ACC/AHA/HRS 2017 syncope guideline (bradycardia is a high-risk"
        " feature)",
    ),
    Rule(
        "B.meningitis_signs",
        "B",
        2,
        "Fever with a stiff neck or a non-blanching rash: possible meningitis.",
        ((_has("stiff_neck", "petechial_rash"),), FEVER),
        f"{HANDBOOK} ch. 6 (rule out meningitis: headache, stiff neck, fever, lethargy)",
    ),
    Rule(
        "B.testicular_pain",
        "B",
        2,
        "Testicular pain: possible torsion.",
        ((_has("testicular_pain"),),),
        f"{B_SOURCE} (possible testicular torsion)",
    ),
    Rule(
        "B.sexual_assault",
        "B",
        2,
        "Sexual assault.",
        ((_has("sexual_assault"),),),
        f"{B_SOURCE} (victims of sexual assault)",
    ),
    Rule(
        "B.thunderclap_headache",
        "B",
        2,
        "Sudden, worst-ever headache: possible subarachnoid haemorrhage.",
        ((_has("thunderclap_headache"),),),
        f"{B_SOURCE} (sudden severe headache)",
    ),
    Rule(
        "B.eye_emergency",
        "B",
        2,
        "Sudden loss of vision or a chemical in the eye.",
        ((_has("vision_loss", "chemical_eye"),),),
        f"{B_SOURCE} (sudden vision loss; chemical splash needing immediate irrigation)",
    ),
    Rule(
        "B.penetrating_trauma",
        "B",
        2,
        "Stab or gunshot wound.",
        ((_has("penetrating_trauma"),),),
        f"{B_SOURCE} (high-risk mechanism of injury)",
    ),
    Rule(
        "B.open_fracture",
        "B",
        2,
        "Open fracture (bone through the skin): limb threat, antibiotics within the hour.",
        ((_has("open_fracture"),),),
        f"{B_SOURCE} (high-risk: threatened limb); open fractures need IV antibiotics within"
        " 1 hour of injury (BOAST 4 / BAPRAS-BOA Standards for open fractures, 2017)",
        "Added from the external vignettes (tests/triage/external); a closed deformity stays at"
        " the resource level (3).",
    ),
    Rule(
        "B.high_risk_mechanism",
        "B",
        2,
        "High-risk mechanism of injury (rollover, ejection, pedestrian struck, fall from"
        " height): possible hidden injuries.",
        ((_has("high_risk_mechanism"),),),
        f"{B_SOURCE} (high-risk mechanism of injury); CDC National Guideline for the Field"
        " Triage of Injured Patients 2021 (ejection, pedestrian struck, fall from height)",
        "Added from the external vignettes (tests/triage/external); the phrases name the"
        " mechanism, not a plain 'car accident' or 'fell'.",
    ),
    Rule(
        "B.sickle_cell_crisis",
        "B",
        2,
        "Sickle cell disease with pain, fever or breathing problems.",
        ((_has("sickle_cell"),), (_has("pain", *PAIN_SITES, "high_fever", *RESPIRATORY_DISTRESS),)),
        f"{B_SOURCE} (sickle cell crisis)",
    ),
    Rule(
        "B.bleeding_disorder_injury",
        "B",
        2,
        "Bleeding disorder with an injury, pain or bleeding: possible internal bleed.",
        (
            (_has("bleeding_disorder"),),
            (
                _has(
                    "injury",
                    "fall",
                    "head_injury",
                    "limb_injury",
                    "pain",
                    "severe_bleeding",
                    "nosebleed",
                ),
            ),
        ),
        f"{HANDBOOK} ch. 6 (hemophilia patients with possible acute bleeds)",
    ),
    Rule(
        "B.bilious_vomiting",
        "B",
        2,
        "Green (bilious) vomiting: possible bowel obstruction or malrotation.",
        ((_has("bilious_vomiting"),),),
        f"{B_SOURCE}; ch. 6 (no number: bilious vomiting in an infant is a surgical"
        " emergency until proven otherwise)",
    ),
    Rule(
        "B.severe_hyperglycaemia",
        "B",
        2,
        "Glucose above 600 mg/dL or a meter reading 'HI': possible hyperosmolar state or DKA.",
        ((Above("glucose_mg_dl", 600, "glucose", " mg/dL"), _has("glucose_meter_high")),),
        f"{B_SOURCE} (a high-risk situation: a condition that could easily deteriorate);"
        " > 600 mg/dL is the hyperosmolar-state threshold (ADA consensus on hyperglycaemic"
        " crises, 2009), and home meters show 'HI' above their range (600 mg/dL on most)",
        "Added from the red-team review: 'meter says HI' was level 5. With altered mental"
        " status it is A.hypoglycaemia (level 1). One-sided (high only): a low glucose alone"
        " stays at the resource level, as before.",
    ),
    Rule(
        "B.missed_dialysis",
        "B",
        2,
        "Missed dialysis: risk of high potassium and fluid overload.",
        ((_has("missed_dialysis"),),),
        f"{B_SOURCE} (no handbook number; hyperkalaemia risk, KDIGO)",
    ),
    # ---- D: danger-zone vital signs -> level 2 ------------------------------------------------
    Rule(
        "D.heart_rate",
        "D",
        2,
        "Heart rate in the danger zone for age.",
        ((InBand("heart_rate", "danger"),),),
        f"{HANDBOOK} ch. 5 (danger zone vital signs); see the heart-rate bands",
        "Raises any level 3-5 suggestion to 2 (the handbook applies D to level-3 candidates"
        " only and says 'consider'): a deliberate, stricter choice.",
    ),
    Rule(
        "D.respiratory_rate",
        "D",
        2,
        "Respiratory rate in the danger zone for age.",
        ((InBand("respiratory_rate", "danger"),),),
        f"{HANDBOOK} ch. 5 (danger zone vital signs); see the respiratory-rate bands",
        "Raises any level 3-5 suggestion to 2 (stricter than the handbook).",
    ),
    Rule(
        "D.spo2",
        "D",
        2,
        "Oxygen saturation below 92%.",
        ((SPO2_DANGER,),),
        f"{HANDBOOK} ch. 5 (danger zone: SpO2 < 92%)",
        "Raises any level 3-5 suggestion to 2 (stricter than the handbook).",
    ),
    Rule(
        "D.blood_pressure",
        "D",
        2,
        "Systolic blood pressure out of range for age.",
        ((HYPOTENSION,),),
        "Not in the handbook's danger zone (added, stricter): PALS hypotension by age; see the"
        " systolic bands",
        "Raises any level 3-5 suggestion to 2.",
    ),
    Rule(
        "D.temperature",
        "D",
        2,
        "Temperature below 35 °C or at least 41 °C.",
        ((InBand("temperature_c", "extreme"),),),
        "Not in the handbook's danger zone (added, stricter): hypothermia and hyperpyrexia",
        "Raises any level 3-5 suggestion to 2.",
    ),
    # ---- C: resources --------------------------------------------------------------------------
    Rule(
        "C.resources",
        "C",
        5,
        "Resources expected, counted by type.",
        (),
        f"{HANDBOOK} ch. 4 (resources: none -> 5, one -> 4, two or more -> 3; a complex"
        " procedure counts as two)",
        "Always fires; its level is 5, 4 or 3 from the number of resource types predicted.",
    ),
)
RULE_IDS: frozenset[str] = frozenset(rule.id for rule in RULES)
RESOURCES_RULE = next(rule for rule in RULES if rule.id == "C.resources")
LEVEL_BY_RESOURCE_COUNT = {0: 5, 1: 4}  # two or more: 3
RESOURCE_WEIGHT = {"complex_procedure": 2}

# =================================================================================================
# C: resource predictions. Each row adds its resource types when all its clauses hold.
# =================================================================================================


@dataclass(frozen=True)
class ResourceRule(Conjunction):
    id: str
    what: str  # plain words for the reason
    when: tuple[Clause, ...]
    resources: tuple[str, ...]


ADULT = Age(ADULT_RESOURCES_FROM)
CHILD = Age(0, ADULT_RESOURCES_FROM - 1)
RESOURCE_RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        "resuscitation",
        "resuscitation",
        (
            (
                _has(
                    "not_breathing",
                    "agonal_breathing",
                    "unresponsive",
                    "severe_breathing",
                    "airway_compromise",
                    "active_seizure",
                ),
            ),
        ),
        ("labs", "ecg", "imaging", "iv"),
    ),
    ResourceRule(
        "chest_pain", "chest pain work-up", ((_has("chest_pain"),),), ("labs", "ecg", "imaging")
    ),
    ResourceRule(
        "breathing_adult",
        "breathing problem (12 years and over)",
        ((_has(*RESPIRATORY_DISTRESS),), (ADULT,)),
        ("labs", "imaging", "iv"),
    ),
    ResourceRule(
        "breathing_child",
        "breathing problem in a child (nebuliser)",
        ((_has(*RESPIRATORY_DISTRESS),), (CHILD,)),
        ("iv",),
    ),
    ResourceRule(
        "stroke",
        "stroke work-up",
        ((_has("face_droop", "arm_weakness", "speech_difficulty", "stroke"),),),
        ("labs", "imaging", "consult"),
    ),
    ResourceRule(
        "altered_mental_status",
        "altered mental status work-up",
        (ALTERED_MENTAL_STATUS,),
        ("labs", "imaging"),
    ),
    ResourceRule(
        "severe_bleeding",
        "bleeding control",
        ((_has("severe_bleeding"),),),
        ("labs", "iv", "procedure"),
    ),
    ResourceRule(
        "gi_bleeding", "gastrointestinal bleeding", ((_has("gi_bleeding"),),), ("labs", "iv")
    ),
    ResourceRule("syncope", "fainting work-up", ((_has("fainting"),),), ("labs", "ecg")),
    ResourceRule("palpitations", "palpitations", ((_has("palpitations"),),), ("labs", "ecg")),
    ResourceRule(
        "slow_heart_rate",
        "slow heart rate (ECG, electrolytes)",
        ((_has("slow_heart_rate"),),),
        ("labs", "ecg"),
    ),
    ResourceRule("seizure", "seizure work-up", ((_has("seizure"),),), ("labs", "imaging")),
    ResourceRule(
        "self_harm",
        "mental health assessment with medical clearance",
        ((_has("self_harm", "homicidal"),),),
        ("labs", "consult"),
    ),
    ResourceRule(
        "psychiatric", "mental health assessment", ((_has("psychiatric"),),), ("consult",)
    ),
    ResourceRule("overdose", "overdose work-up", ((_has("overdose"),),), ("labs", "ecg")),
    ResourceRule(
        "allergy",
        "allergic reaction (IM or IV medication)",
        ((_has("allergy", "allergic_swelling", "airway_swelling"),),),
        ("iv",),
    ),
    ResourceRule(
        "pregnancy_pain_bleeding",
        "pregnancy with pain or bleeding (ultrasound, obstetrics)",
        (
            (_has("pregnant_pain_bleeding", "pregnancy"),),
            (
                _has(
                    "pregnant_pain_bleeding",
                    "abdominal_pain",
                    "pelvic_pain",
                    "vaginal_bleeding",
                    "bleeding",
                ),
            ),
        ),
        ("labs", "imaging", "consult"),
    ),
    ResourceRule("vaginal_bleeding", "vaginal bleeding", ((_has("vaginal_bleeding"),),), ("labs",)),
    ResourceRule(
        "heavy_vaginal_bleeding",
        "heavy vaginal bleeding (blood count, pelvic ultrasound)",
        ((_has("heavy_vaginal_bleeding"),),),
        ("labs", "imaging"),
    ),
    ResourceRule(
        "vaginal_bleeding_clots",
        "vaginal bleeding with clots (blood count, pelvic ultrasound)",
        ((_has("vaginal_bleeding"),), (_has("clots"),)),
        ("labs", "imaging"),
    ),
    ResourceRule("pelvic_pain", "pelvic pain", ((_has("pelvic_pain"),),), ("labs", "imaging")),
    ResourceRule(
        "abdominal_pain_adult",
        "abdominal pain (12 years and over)",
        ((_has("abdominal_pain"),), (ADULT,)),
        ("labs", "imaging"),
    ),
    ResourceRule(
        "abdominal_pain_child",
        "abdominal pain in a child (ultrasound)",
        ((_has("abdominal_pain"),), (CHILD,)),
        ("imaging",),
    ),
    ResourceRule(
        "abdominal_pain_unwell",
        "abdominal pain with vomiting or fever",
        ((_has("abdominal_pain"),), (_has("vomiting"), *FEVER)),
        ("labs", "imaging"),
    ),
    ResourceRule(
        "flank_pain",
        "flank pain or kidney stone",
        ((_has("flank_pain"),),),
        ("labs", "imaging", "iv"),
    ),
    ResourceRule(
        "vomiting_adult",
        "vomiting (12 years and over)",
        ((_has("vomiting"),), (ADULT,)),
        ("labs", "iv"),
    ),
    ResourceRule(
        "vomiting_young_infant",
        "vomiting at 90 days or younger",
        ((_has("vomiting"),), (Age(0, 90 * DAY),)),
        ("labs", "iv"),
    ),
    ResourceRule(
        "dehydration",
        "dehydration (electrolytes, IV fluids)",
        ((_has("dehydration"),),),
        ("labs", "iv"),
    ),
    ResourceRule(
        "diarrhea_adult", "diarrhea (12 years and over)", ((_has("diarrhea"),), (ADULT,)), ("labs",)
    ),
    ResourceRule(
        "fever_young_infant",
        "fever at 90 days or younger (blood, urine and spinal fluid tests, antibiotics)",
        (FEVER, (Age(0, 90 * DAY),)),
        ("labs", "iv"),
    ),
    ResourceRule("fever_older_adult", "fever at 65 or over", (FEVER, (Age(65 * YEAR),)), ("labs",)),
    ResourceRule(
        "fever_chest",
        "fever with cough or breathing problem (possible pneumonia)",
        (FEVER, (_has("cough", *RESPIRATORY_DISTRESS),)),
        ("labs", "imaging"),
    ),
    ResourceRule(
        "fever_urinary",
        "fever with urinary, flank or back pain (possible kidney infection)",
        (FEVER, (_has("urinary_pain", "flank_pain", "back_pain"),)),
        ("labs", "iv"),
    ),
    ResourceRule(
        "fever_skin",
        "fever with a skin infection",
        (FEVER, (_has("skin_infection", "abscess"),)),
        ("labs", "iv"),
    ),
    ResourceRule(
        "fever_rash", "fever with a rash", (FEVER, (_has("rash", "petechial_rash"),)), ("labs",)
    ),
    ResourceRule(
        "fever_headache",
        "fever with headache or stiff neck",
        (FEVER, (_has("headache", "stiff_neck"),)),
        ("labs", "imaging"),
    ),
    ResourceRule(
        "fever_immunocompromised",
        "fever when immunocompromised",
        (FEVER, (_has("immunosuppressed"),)),
        ("labs", "iv"),
    ),
    ResourceRule(
        "cough_older_adult",
        "cough at 65 or over (chest X-ray)",
        ((_has("cough"),), (Age(65 * YEAR),)),
        ("imaging",),
    ),
    ResourceRule(
        "cough_smoker",
        "cough for more than a week in a smoker (chest X-ray)",
        ((_has("cough"),), (_has("lasting_over_week"),), (_has("smoker"),)),
        ("imaging",),
    ),
    ResourceRule("hemoptysis", "coughing up blood", ((_has("hemoptysis"),),), ("labs", "imaging")),
    ResourceRule("urinary", "urinary symptoms (urinalysis)", ((_has("urinary_pain"),),), ("labs",)),
    ResourceRule(
        "hematuria",
        "blood in the urine (urinalysis, blood tests)",
        ((_has("hematuria"),),),
        ("labs",),
    ),
    ResourceRule(
        "hematuria_clots",
        "blood in the urine with clots or retention (catheter, bladder irrigation)",
        ((_has("hematuria"),), (_has("clots", "urinary_retention"),)),
        ("labs", "procedure"),
    ),
    ResourceRule(
        "urinary_retention",
        "cannot pass urine (catheter)",
        ((_has("urinary_retention"),),),
        ("labs", "procedure"),
    ),
    ResourceRule(
        "back_pain_injury",
        "back pain after a fall or injury",
        ((_has("back_pain"),), (_has("fall", "injury"),)),
        ("imaging",),
    ),
    ResourceRule(
        "back_pain_older_adult",
        "back pain at 65 or over",
        ((_has("back_pain"),), (Age(65 * YEAR),)),
        ("imaging",),
    ),
    ResourceRule(
        "limb_injury",
        "limb injury (X-ray)",
        ((_has("limb_injury", "sprain", "cannot_bear_weight"),),),
        ("imaging",),
    ),
    ResourceRule(
        "deformity",
        "deformity (X-ray, IV pain relief, reduction under sedation)",
        ((_has("deformity"),),),
        ("imaging", "iv", "complex_procedure"),
    ),
    ResourceRule(
        "hip_older_adult",
        "hip injury at 65 or over",
        ((_has("hip_injury"),), (Age(65 * YEAR),)),
        ("labs", "imaging", "iv"),
    ),
    ResourceRule("hip", "hip pain or injury (X-ray)", ((_has("hip_injury"),),), ("imaging",)),
    ResourceRule(
        "fall_older_adult", "fall at 65 or over", ((_has("fall"),), (Age(65 * YEAR),)), ("imaging",)
    ),
    ResourceRule("head_injury", "head injury (CT)", ((_has("head_injury"),),), ("imaging",)),
    ResourceRule("laceration", "wound that may need stitches", ((_has("wound"),),), ("procedure",)),
    ResourceRule(
        "abscess", "abscess (incision and drainage)", ((_has("abscess"),),), ("procedure",)
    ),
    ResourceRule("nosebleed", "nosebleed (packing)", ((_has("nosebleed"),),), ("procedure",)),
    ResourceRule(
        "bleeding_on_anticoagulant",
        "bleeding or injury on an anticoagulant (clotting tests)",
        (
            (
                _has(
                    "nosebleed",
                    "wound",
                    "severe_bleeding",
                    "gi_bleeding",
                    "head_injury",
                    "vaginal_bleeding",
                    "hematuria",
                ),
            ),
            (_has("anticoagulant"),),
        ),
        ("labs",),
    ),
    ResourceRule(
        "foreign_body",
        "foreign body removal",
        ((_has("foreign_body", "eye_foreign_body"),),),
        ("procedure",),
    ),
    ResourceRule(
        "swallowed_object",
        "swallowed object (X-ray)",
        ((_has("swallowed_object", "dangerous_ingestion"),),),
        ("imaging",),
    ),
    ResourceRule("chemical_eye", "eye irrigation", ((_has("chemical_eye"),),), ("procedure",)),
    ResourceRule(
        "vision_loss", "sudden vision loss", ((_has("vision_loss"),),), ("imaging", "consult")
    ),
    ResourceRule(
        "headache",
        "headache with pain 6/10 or more (IV or IM pain relief)",
        ((_has("headache"),), (PainAtLeast(6),)),
        ("iv",),
    ),
    ResourceRule(
        "headache_high_risk",
        "headache at 50 or over, with vomiting or on an anticoagulant (CT)",
        ((_has("headache"),), (Age(50 * YEAR), _has("vomiting", "anticoagulant"))),
        ("labs", "imaging"),
    ),
    ResourceRule(
        "thunderclap_headache",
        "sudden severe headache",
        ((_has("thunderclap_headache"),),),
        ("labs", "imaging", "iv"),
    ),
    ResourceRule(
        "dizziness_40_and_over",
        "dizziness or weakness at 40 or over",
        ((_has("dizziness", "weakness"),), (Age(40 * YEAR),)),
        ("labs", "ecg"),
    ),
    ResourceRule(
        "dizziness_under_40",
        "dizziness or weakness under 40",
        ((_has("dizziness", "weakness"),), (Age(0, 40 * YEAR - 1),)),
        ("labs",),
    ),
    ResourceRule(
        "leg_swelling",
        "swollen leg (possible clot)",
        ((_has("leg_swelling"),),),
        ("labs", "imaging"),
    ),
    ResourceRule(
        "testicular_pain",
        "testicular pain (ultrasound, urology)",
        ((_has("testicular_pain"),),),
        ("imaging", "consult"),
    ),
    ResourceRule(
        "high_risk_mechanism",
        "trauma work-up after a high-risk mechanism",
        ((_has("high_risk_mechanism"),),),
        ("labs", "imaging"),
    ),
    ResourceRule("sti", "sexually transmitted infection tests", ((_has("sti"),),), ("labs",)),
    ResourceRule(
        "sexual_assault",
        "sexual assault examination",
        ((_has("sexual_assault"),),),
        ("labs", "consult"),
    ),
    ResourceRule(
        "penetrating_trauma",
        "stab or gunshot wound",
        ((_has("penetrating_trauma"),),),
        ("labs", "imaging", "procedure"),
    ),
    ResourceRule(
        "glucose",
        "abnormal blood glucose",
        (
            (
                _has("low_blood_sugar", "high_blood_sugar", "glucose_meter_high"),
                InBand("glucose_mg_dl", "critical"),
            ),
        ),
        ("labs", "iv"),
    ),
    ResourceRule(
        "hypoglycaemic_agent",
        "on insulin or a sulfonylurea and confused or fainted",
        ((_has("hypoglycaemic_agent"),), (*ALTERED_MENTAL_STATUS, _has("fainting"))),
        ("labs", "iv"),
    ),
    ResourceRule("jaundice", "jaundice (bilirubin)", ((_has("jaundice"),),), ("labs",)),
    ResourceRule(
        "bilious_vomiting",
        "green vomiting (labs, imaging, IV fluids)",
        ((_has("bilious_vomiting"),),),
        ("labs", "imaging", "iv"),
    ),
    ResourceRule(
        "missed_dialysis", "missed dialysis", ((_has("missed_dialysis"),),), ("labs", "consult")
    ),
    ResourceRule(
        "sickle_cell_pain",
        "sickle cell pain crisis",
        ((_has("sickle_cell"),), (_has("pain", *PAIN_SITES),)),
        ("labs", "iv"),
    ),
)

# =================================================================================================
# Concept labels (plain words for reasons) and kinds
# =================================================================================================


@cache
def text_concepts() -> dict[str, tuple[str, str]]:
    """Concept -> (kind, label) from data/concepts.tsv."""
    return {concept: (kind, label) for concept, kind, label in read_tsv("concepts.tsv")}


def concept_label(concept: str) -> str:
    if concept in LABELS:
        return LABELS[concept].lower()
    return text_concepts()[concept][1]


def resource_count(resources: tuple[str, ...]) -> int:
    """ESI counts: a complex procedure counts as two (and includes any simple procedure)."""
    types = set(resources)
    if "complex_procedure" in types:
        types.discard("procedure")
    return sum(RESOURCE_WEIGHT.get(t, 1) for t in types)


def resource_words(resources: tuple[str, ...]) -> str:
    """ "lab tests, ECG, imaging": labels in running text (acronyms keep their capitals)."""
    return ", ".join(_in_sentence(RESOURCE_LABELS[r]) for r in resources)


def _in_sentence(label: str) -> str:
    return label if label[:2].isupper() else label[0].lower() + label[1:]
