"""Clinical vignettes and boundary tests for the ESI triage suggestion engine (intake.triage)."""

import django
from django.conf import settings

if not settings.configured:  # lets this file run without the project settings (-p no:django)
    settings.configure(USE_I18N=False)
    django.setup()

import dataclasses

import pytest

from triage import engine as triage
from triage.engine import (
    ENGINE_VERSION,
    RED_FLAG_CODES,
    RESOURCE_TYPES,
    RULE_IDS,
    SYMPTOM_CODES,
    SYMPTOMS,
    Reason,
    Suggestion,
    TriageInput,
    Vitals,
    danger_zone_reasons,
    suggest,
)

DAY = 1
MONTH = 30
YEAR = 365

# The documented set of rule ids (must match triage.RULES; a new rule must be added here too).
DOCUMENTED_RULES = frozenset(
    {
        "A.not_breathing",
        "A.unresponsive",
        "A.severe_breathing",
        "A.spo2",
        "B.chest_pain",
        "B.stroke_signs",
        "B.self_harm",
        "B.pregnancy",
        "B.severe_bleeding",
        "B.seizure",
        "B.allergic_swelling",
        "B.fainting",
        "B.head_injury_elderly",
        "B.infant_fever_reported",
        "B.confusion",
        "B.pain",
        "D.heart_rate",
        "D.respiratory_rate",
        "D.spo2",
        "D.infant_fever",
        "C.resources",
    }
)

REQUIRED_CODES = {
    "chest_pain",
    "trouble_breathing",
    "severe_breathing",
    "unresponsive",
    "face_droop",
    "arm_weakness",
    "speech_difficulty",
    "severe_bleeding",
    "fainting",
    "seizure",
    "self_harm",
    "allergic_swelling",
    "pregnant_pain_bleeding",
    "high_fever",
    "head_injury",
    "confusion",
    "abdominal_pain",
    "vomiting",
    "diarrhea",
    "cough",
    "sore_throat",
    "rash",
    "urinary_pain",
    "back_pain",
    "limb_injury",
    "wound",
    "eye_problem",
    "ear_pain",
    "headache",
    "dizziness",
    "medication_refill",
}

# Normal vitals per age band (none of them in the danger zone).
NORMAL = {
    "infant": Vitals(heart_rate=150, respiratory_rate=40, spo2=98, temperature_c=37.2),
    "toddler": Vitals(heart_rate=120, respiratory_rate=30, spo2=98, temperature_c=37.0),
    "child": Vitals(heart_rate=100, respiratory_rate=22, spo2=99, temperature_c=37.0),
    "adult": Vitals(heart_rate=80, respiratory_rate=16, spo2=98, temperature_c=36.8),
}


def make(age_days, *symptoms, complaint="", pain=None, pregnant=None, vitals=None, sex="unknown"):
    return TriageInput(
        age_days=age_days,
        sex=sex,
        chief_complaint=complaint,
        symptoms=frozenset(symptoms),
        pain_score=pain,
        pregnant=pregnant,
        vitals=vitals,
    )


def rules(suggestion: Suggestion) -> set[str]:
    return {r.rule for r in suggestion.reasons}


C = "C.resources"

# (id, input, expected level, exact set of rule ids that must fire)
VIGNETTES = [
    # ---- Level 1 (A) ----
    ("adult_not_breathing_60y", make(60 * YEAR, "not_breathing"), 1, {"A.not_breathing", C}),
    ("adult_unresponsive_70y", make(70 * YEAR, "unresponsive"), 1, {"A.unresponsive", C}),
    (
        "child_severe_breathing_5y",
        make(5 * YEAR, "severe_breathing"),
        1,
        {"A.severe_breathing", C},
    ),
    (
        "toddler_unresponsive_fast_heart_2y",
        make(2 * YEAR, "unresponsive", vitals=Vitals(heart_rate=170)),
        1,
        {"A.unresponsive", "D.heart_rate", C},
    ),
    (
        "adult_copd_spo2_84_68y",
        make(68 * YEAR, "trouble_breathing", vitals=dataclasses.replace(NORMAL["adult"], spo2=84)),
        1,
        {"A.spo2", "D.spo2", C},
    ),
    (
        "infant_spo2_80_2m",
        make(2 * MONTH, "cough", vitals=dataclasses.replace(NORMAL["infant"], spo2=80)),
        1,
        {"A.spo2", "D.spo2", C},
    ),
    (
        "adult_chest_pain_spo2_82_63y",
        make(63 * YEAR, "chest_pain", vitals=dataclasses.replace(NORMAL["adult"], spo2=82)),
        1,
        {"A.spo2", "B.chest_pain", "D.spo2", C},
    ),
    # ---- Level 2 (B and D) ----
    ("adult_chest_pain_55y", make(55 * YEAR, "chest_pain", sex="male"), 2, {"B.chest_pain", C}),
    ("elderly_face_droop_72y", make(72 * YEAR, "face_droop"), 2, {"B.stroke_signs", C}),
    ("adult_arm_weakness_58y", make(58 * YEAR, "arm_weakness"), 2, {"B.stroke_signs", C}),
    ("adult_speech_difficulty_66y", make(66 * YEAR, "speech_difficulty"), 2, {"B.stroke_signs", C}),
    ("teen_self_harm_16y", make(16 * YEAR, "self_harm"), 2, {"B.self_harm", C}),
    (
        "adult_pregnant_bleeding_29y",
        make(29 * YEAR, "pregnant_pain_bleeding", sex="female", pregnant=True),
        2,
        {"B.pregnancy", C},
    ),
    (
        "adult_pregnant_abdominal_pain_31y",
        make(31 * YEAR, "abdominal_pain", sex="female", pregnant=True, pain=4),
        2,
        {"B.pregnancy", C},
    ),
    ("adult_severe_bleeding_40y", make(40 * YEAR, "severe_bleeding"), 2, {"B.severe_bleeding", C}),
    ("toddler_seizure_2y", make(2 * YEAR, "seizure"), 2, {"B.seizure", C}),
    (
        "child_allergic_swelling_6y",
        make(6 * YEAR, "allergic_swelling"),
        2,
        {"B.allergic_swelling", C},
    ),
    ("adult_fainting_45y", make(45 * YEAR, "fainting"), 2, {"B.fainting", C}),
    ("elderly_confusion_85y", make(85 * YEAR, "confusion"), 2, {"B.confusion", C}),
    ("elderly_head_injury_80y", make(80 * YEAR, "head_injury"), 2, {"B.head_injury_elderly", C}),
    ("newborn_reported_fever_10d", make(10 * DAY, "high_fever"), 2, {"B.infant_fever_reported", C}),
    ("adult_back_pain_7of10_35y", make(35 * YEAR, "back_pain", pain=7), 2, {"B.pain", C}),
    (
        "adult_back_pain_nurse_pain_8_35y",
        make(35 * YEAR, "back_pain", pain=3, vitals=dataclasses.replace(NORMAL["adult"], pain=8)),
        2,
        {"B.pain", C},
    ),
    (
        "adult_limb_injury_tachycardia_30y",
        make(30 * YEAR, "limb_injury", vitals=dataclasses.replace(NORMAL["adult"], heart_rate=101)),
        2,
        {"D.heart_rate", C},
    ),
    (
        "infant_cough_fast_heart_2m",
        make(2 * MONTH, "cough", vitals=dataclasses.replace(NORMAL["infant"], heart_rate=181)),
        2,
        {"D.heart_rate", C},
    ),
    (
        "toddler_cough_fast_breathing_18m",
        make(
            18 * MONTH, "cough", vitals=dataclasses.replace(NORMAL["toddler"], respiratory_rate=41)
        ),
        2,
        {"D.respiratory_rate", C},
    ),
    (
        "newborn_fever_measured_10d",
        make(10 * DAY, "cough", vitals=dataclasses.replace(NORMAL["infant"], temperature_c=38.1)),
        2,
        {"D.infant_fever", C},
    ),
    (
        "child_ear_pain_spo2_91_4y",
        make(4 * YEAR, "ear_pain", vitals=dataclasses.replace(NORMAL["child"], spo2=91)),
        2,
        {"D.spo2", C},
    ),
    # ---- Level 3 (two or more resource types) ----
    ("adult_abdominal_pain_28y", make(28 * YEAR, "abdominal_pain", pain=5), 3, {C}),
    ("adult_vomiting_diarrhea_40y", make(40 * YEAR, "vomiting", "diarrhea"), 3, {C}),
    ("elderly_dizziness_75y", make(75 * YEAR, "dizziness", vitals=NORMAL["adult"]), 3, {C}),
    (
        "adult_head_injury_cut_30y",
        make(30 * YEAR, "head_injury", complaint="cut on forehead"),
        3,
        {C},
    ),
    (
        "child_trouble_breathing_7y",
        make(7 * YEAR, "trouble_breathing", vitals=NORMAL["child"]),
        3,
        {C},
    ),
    # ---- Level 4 (one resource type) ----
    ("adult_limb_injury_30y", make(30 * YEAR, "limb_injury"), 4, {C}),
    (
        "adult_fractured_wrist_keyword_and_symptom_50y",
        make(50 * YEAR, "limb_injury", complaint="I think I fractured my wrist"),
        4,
        {C},
    ),
    ("adult_cut_hand_keyword_only_22y", make(22 * YEAR, complaint="Cut my hand on glass"), 4, {C}),
    (
        "toddler_vomiting_keyword_and_symptom_18m",
        make(18 * MONTH, "vomiting", complaint="vomited all morning", vitals=NORMAL["toddler"]),
        4,
        {C},
    ),
    ("adult_urinary_pain_33y", make(33 * YEAR, "urinary_pain", sex="female"), 4, {C}),
    ("infant_cough_normal_vitals_2m", make(2 * MONTH, "cough", vitals=NORMAL["infant"]), 4, {C}),
    ("adult_head_injury_30y", make(30 * YEAR, "head_injury"), 4, {C}),
    ("older_infant_fever_40d", make(40 * DAY, "high_fever", vitals=NORMAL["infant"]), 4, {C}),
    # ---- Level 5 (no resources) ----
    ("adult_sore_throat_25y", make(25 * YEAR, "sore_throat", pain=3), 5, {C}),
    ("adult_medication_refill_50y", make(50 * YEAR, "medication_refill"), 5, {C}),
    ("child_ear_pain_4y", make(4 * YEAR, "ear_pain", vitals=NORMAL["child"]), 5, {C}),
    ("toddler_rash_1y", make(1 * YEAR, "rash", vitals=NORMAL["toddler"]), 5, {C}),
    ("adult_back_pain_6of10_35y", make(35 * YEAR, "back_pain", pain=6), 5, {C}),
    (
        "adult_back_pain_nurse_pain_6_overrides_self_9_35y",
        make(35 * YEAR, "back_pain", pain=9, vitals=dataclasses.replace(NORMAL["adult"], pain=6)),
        5,
        {C},
    ),
    ("newborn_rash_normal_vitals_5d", make(5 * DAY, "rash", vitals=NORMAL["infant"]), 5, {C}),
]


@pytest.mark.parametrize(
    ("inp", "level", "expected_rules"),
    [pytest.param(inp, level, expected, id=vid) for vid, inp, level, expected in VIGNETTES],
)
def test_vignette(inp, level, expected_rules):
    result = suggest(inp)
    assert result.level == level, result.reasons
    assert rules(result) == expected_rules
    assert result.engine_version == ENGINE_VERSION == "esi-rules-1"


def test_vignettes_cover_all_levels_age_bands_and_rules():
    levels = {level for _, _, level, _ in VIGNETTES}
    assert levels == {1, 2, 3, 4, 5}
    bands = set()
    for _, inp, _, _ in VIGNETTES:
        if inp.age_days < 90:
            bands.add("under 3 months")
        elif inp.age_days < 3 * YEAR:
            bands.add("3 months to 3 years")
        elif inp.age_days <= 8 * YEAR:
            bands.add("3 to 8 years")
        else:
            bands.add("over 8 years")
    assert len(bands) == 4
    fired = set().union(*(expected for _, _, _, expected in VIGNETTES))
    assert fired == DOCUMENTED_RULES


def test_documented_rules_match_engine_table():
    assert frozenset(triage.RULES) == RULE_IDS == DOCUMENTED_RULES


# ---- A -------------------------------------------------------------------------------------


@pytest.mark.parametrize("spo2", [84, 70, 0])
def test_spo2_below_85_is_level_1(spo2):
    result = suggest(make(40 * YEAR, "sore_throat", vitals=Vitals(spo2=spo2)))
    assert result.level == 1
    assert result.reasons[0].rule == "A.spo2"
    assert f"SpO2 {spo2}%" in result.reasons[0].text


def test_spo2_85_is_danger_zone_not_level_1():
    result = suggest(make(40 * YEAR, "sore_throat", vitals=Vitals(spo2=85)))
    assert result.level == 2
    assert rules(result) == {"D.spo2", C}


# ---- B -------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(RED_FLAG_CODES))
def test_every_red_flag_alone_is_level_1_or_2(code):
    result = suggest(make(40 * YEAR, code))
    expected_level = 1 if triage.RED_FLAGS[code][0].startswith("A.") else 2
    assert result.level == expected_level
    assert result.reasons[0].rule == triage.RED_FLAGS[code][0]


@pytest.mark.parametrize("code", sorted(SYMPTOM_CODES - RED_FLAG_CODES))
def test_non_red_flag_alone_in_adult_is_level_3_to_5(code):
    result = suggest(make(40 * YEAR, code))
    assert result.level in (3, 4, 5)
    assert rules(result) == {C}


def test_stroke_signs_are_one_reason_naming_each_sign():
    result = suggest(make(70 * YEAR, "face_droop", "speech_difficulty"))
    stroke = [r for r in result.reasons if r.rule == "B.stroke_signs"]
    assert len(stroke) == 1
    assert stroke[0].text == "Stroke signs reported: face droop, speech difficulty"


@pytest.mark.parametrize(("pain", "level"), [(6, 5), (7, 2), (10, 2), (0, 5)])
def test_self_reported_pain_threshold(pain, level):
    assert suggest(make(30 * YEAR, "rash", pain=pain)).level == level


def test_nurse_pain_is_used_over_self_report():
    low_nurse = make(30 * YEAR, "rash", pain=9, vitals=Vitals(pain=2))
    high_nurse = make(30 * YEAR, "rash", pain=1, vitals=Vitals(pain=7))
    assert suggest(low_nurse).level == 5
    result = suggest(high_nurse)
    assert result.level == 2
    assert "7/10 (nurse-recorded)" in result.reasons[0].text


def test_vitals_without_pain_fall_back_to_self_report():
    assert suggest(make(30 * YEAR, "rash", pain=8, vitals=NORMAL["adult"])).level == 2


@pytest.mark.parametrize(("age_days", "fires"), [(65 * YEAR, True), (65 * YEAR - 1, False)])
def test_head_injury_elderly_boundary(age_days, fires):
    assert ("B.head_injury_elderly" in rules(suggest(make(age_days, "head_injury")))) is fires


def test_pregnancy_flag_without_pain_symptom_is_not_high_risk():
    assert suggest(make(30 * YEAR, "cough", sex="female", pregnant=True)).level == 4


# ---- C -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("inp", "resources", "level"),
    [
        pytest.param(make(30 * YEAR, "rash"), (), 5, id="zero"),
        pytest.param(make(30 * YEAR, "wound"), ("procedure",), 4, id="one"),
        pytest.param(
            make(30 * YEAR, "wound", "limb_injury"), ("imaging", "procedure"), 3, id="two"
        ),
        pytest.param(
            make(30 * YEAR, "limb_injury", "head_injury", complaint="broken arm, fracture"),
            ("imaging",),
            4,
            id="same_type_counts_once",
        ),
        pytest.param(
            make(30 * YEAR, "chest_pain", "fainting", "dizziness"),
            ("labs", "ecg", "imaging"),
            2,
            id="ordered_and_deduplicated",
        ),
        pytest.param(make(30 * YEAR, complaint="Sprained ankle"), ("imaging",), 4, id="keyword"),
        pytest.param(make(30 * YEAR, complaint="feeling unwell"), (), 5, id="no_keyword"),
    ],
)
def test_resources(inp, resources, level):
    result = suggest(inp)
    assert result.resources == resources
    assert result.level == level


def test_level_5_still_explains_why():
    result = suggest(make(30 * YEAR, "medication_refill"))
    assert result.reasons == (Reason(C, "No resources expected: suggests level 5"),)


def test_resources_reason_names_sources():
    result = suggest(make(30 * YEAR, "limb_injury", complaint="cut my leg"))
    assert result.reasons[-1].text == (
        "2 resource types expected (imaging, procedure) from limb injury,"
        " complaint word 'cut': suggests level 3"
    )


def test_symptom_resource_table_is_complete_and_valid():
    assert set(triage.SYMPTOM_RESOURCES) == SYMPTOM_CODES
    for types in triage.SYMPTOM_RESOURCES.values():
        assert set(types) <= set(RESOURCE_TYPES)
    for _, types in triage.COMPLAINT_KEYWORDS:
        assert types and set(types) <= set(RESOURCE_TYPES)
    assert RESOURCE_TYPES == ("labs", "ecg", "imaging", "iv", "consult", "procedure")


# ---- D -------------------------------------------------------------------------------------

# (representative age in days, heart-rate limit, respiratory-rate limit)
BANDS = [
    pytest.param(45, 180, 50, id="under_3_months"),
    pytest.param(18 * MONTH, 160, 40, id="3_months_to_3_years"),
    pytest.param(5 * YEAR, 140, 30, id="3_to_8_years"),
    pytest.param(40 * YEAR, 100, 20, id="over_8_years"),
]


@pytest.mark.parametrize(("age_days", "hr_limit", "rr_limit"), BANDS)
def test_heart_rate_danger_zone_boundary(age_days, hr_limit, rr_limit):
    above = danger_zone_reasons(age_days, Vitals(heart_rate=hr_limit + 1))
    assert [r.rule for r in above] == ["D.heart_rate"]
    assert f"heart rate {hr_limit + 1}/min is above {hr_limit}" in above[0].text
    assert danger_zone_reasons(age_days, Vitals(heart_rate=hr_limit)) == ()


@pytest.mark.parametrize(("age_days", "hr_limit", "rr_limit"), BANDS)
def test_respiratory_rate_danger_zone_boundary(age_days, hr_limit, rr_limit):
    above = danger_zone_reasons(age_days, Vitals(respiratory_rate=rr_limit + 1))
    assert [r.rule for r in above] == ["D.respiratory_rate"]
    assert danger_zone_reasons(age_days, Vitals(respiratory_rate=rr_limit)) == ()


@pytest.mark.parametrize(("age_days", "hr_limit", "rr_limit"), BANDS)
def test_danger_zone_lifts_level_4_to_2_in_every_band(age_days, hr_limit, rr_limit):
    base = make(age_days, "limb_injury")
    assert suggest(base).level == 4
    for vitals in (
        Vitals(heart_rate=hr_limit + 1),
        Vitals(respiratory_rate=rr_limit + 1),
        Vitals(spo2=91),
    ):
        assert suggest(dataclasses.replace(base, vitals=vitals)).level == 2
    at_limits = Vitals(heart_rate=hr_limit, respiratory_rate=rr_limit, spo2=92)
    assert suggest(dataclasses.replace(base, vitals=at_limits)).level == 4


@pytest.mark.parametrize(
    ("age_days", "hr_limit"),
    [
        (89, 180),
        (90, 160),
        (3 * YEAR - 1, 160),
        (3 * YEAR, 140),
        (8 * YEAR, 140),
        (8 * YEAR + 1, 100),
    ],
)
def test_age_band_edges(age_days, hr_limit):
    assert danger_zone_reasons(age_days, Vitals(heart_rate=hr_limit)) == ()
    assert len(danger_zone_reasons(age_days, Vitals(heart_rate=hr_limit + 1))) == 1


@pytest.mark.parametrize(("spo2", "fires"), [(91, True), (92, False), (100, False)])
def test_spo2_danger_zone_boundary(spo2, fires):
    reasons = danger_zone_reasons(40 * YEAR, Vitals(spo2=spo2))
    assert [r.rule for r in reasons] == (["D.spo2"] if fires else [])


@pytest.mark.parametrize(
    ("age_days", "temp", "fires"),
    [
        (10, 38.1, True),
        (10, 38.0, False),
        (40, 38.1, False),
        (40, 39.5, False),
        (28, 38.1, True),
        (29, 38.1, False),
        (0, 38.5, True),
    ],
)
def test_infant_fever(age_days, temp, fires):
    reasons = danger_zone_reasons(age_days, Vitals(temperature_c=temp))
    assert [r.rule for r in reasons] == (["D.infant_fever"] if fires else [])
    assert suggest(make(age_days, "rash", vitals=Vitals(temperature_c=temp))).level == (
        2 if fires else 5
    )


def test_danger_zone_never_makes_level_1_less_urgent():
    base = make(2 * YEAR, "unresponsive")
    assert suggest(base).level == 1
    storm = Vitals(heart_rate=200, respiratory_rate=60, spo2=90, temperature_c=39.0)
    result = suggest(dataclasses.replace(base, vitals=storm))
    assert result.level == 1
    assert [r.rule for r in result.reasons] == [
        "A.unresponsive",
        "D.heart_rate",
        "D.respiratory_rate",
        "D.spo2",
        C,
    ]


def test_danger_zone_keeps_level_2_at_2():
    result = suggest(make(50 * YEAR, "chest_pain", vitals=Vitals(heart_rate=130)))
    assert result.level == 2
    assert [r.rule for r in result.reasons] == ["B.chest_pain", "D.heart_rate", C]


def test_no_vitals_means_no_danger_zone_rules():
    result = suggest(make(2 * MONTH, "cough"))
    assert not any(r.rule.startswith("D.") for r in result.reasons)
    assert result.level == 4


def test_danger_zone_reasons_match_suggest():
    vitals = Vitals(heart_rate=150, respiratory_rate=35, spo2=90)
    alone = danger_zone_reasons(5 * YEAR, vitals)
    full = suggest(make(5 * YEAR, "rash", vitals=vitals))
    assert alone == tuple(r for r in full.reasons if r.rule.startswith("D."))
    assert [r.rule for r in alone] == ["D.heart_rate", "D.respiratory_rate", "D.spo2"]


# ---- Whole-engine properties ---------------------------------------------------------------


def _sweep():
    """Every symptom alone, at several ages, with and without abnormal vitals."""
    vitals_options = (None, Vitals(), Vitals(heart_rate=190, respiratory_rate=55, spo2=80))
    for code in sorted(SYMPTOM_CODES):
        for age_days in (5, 60, 2 * YEAR, 6 * YEAR, 40 * YEAR, 80 * YEAR):
            for vitals in vitals_options:
                yield make(age_days, code, pain=8, pregnant=True, vitals=vitals)


def test_every_reason_uses_a_documented_rule_and_is_ordered():
    order = list(triage.RULES)
    for inp in _sweep():
        result = suggest(inp)
        assert result.reasons, inp
        ids = [r.rule for r in result.reasons]
        assert set(ids) <= DOCUMENTED_RULES
        assert ids == sorted(ids, key=order.index)
        assert ids[-1] == C
        assert len(ids) == len(set(ids))
        for reason in result.reasons:
            assert reason.text and "\n" not in reason.text and "{}" not in reason.text
        assert result.resources == tuple(t for t in RESOURCE_TYPES if t in result.resources)
        assert 1 <= result.level <= 5


def test_level_is_the_most_urgent_rule_that_fired():
    levels = {"A": 1, "B": 2, "D": 2}
    c_levels = {0: 5, 1: 4}
    for inp in _sweep():
        result = suggest(inp)
        c_level = c_levels.get(len(result.resources), 3)
        expected = min(levels.get(r.rule[0], c_level) for r in result.reasons)
        assert result.level == expected


def test_deterministic():
    inp_a = make(
        70 * YEAR,
        "chest_pain",
        "face_droop",
        "vomiting",
        "wound",
        complaint="cut, vomiting",
        vitals=Vitals(heart_rate=120, spo2=90),
    )
    inp_b = make(
        70 * YEAR,
        "wound",
        "vomiting",
        "face_droop",
        "chest_pain",
        complaint="cut, vomiting",
        vitals=Vitals(heart_rate=120, spo2=90),
    )
    first = suggest(inp_a)
    assert all(suggest(inp_a) == first for _ in range(5))
    assert suggest(inp_b) == first
    assert first.resources == ("labs", "ecg", "imaging", "iv", "consult", "procedure")


# ---- Vocabulary and validation -------------------------------------------------------------


def test_vocabulary():
    codes = [code for code, _ in SYMPTOMS]
    assert len(codes) == len(set(codes))
    assert frozenset(codes) == SYMPTOM_CODES
    assert REQUIRED_CODES <= SYMPTOM_CODES
    assert RED_FLAG_CODES <= SYMPTOM_CODES
    assert {"chest_pain", "face_droop", "self_harm", "unresponsive"} <= RED_FLAG_CODES
    assert not RED_FLAG_CODES & {"sore_throat", "rash", "medication_refill", "cough"}
    labels = [str(label) for _, label in SYMPTOMS]
    assert len(labels) == len(set(labels))
    assert all(0 < len(label) <= 60 for label in labels)
    assert dict(SYMPTOMS)["chest_pain"] == "Chest pain or pressure"
    assert dict(SYMPTOMS)["medication_refill"] == "Need a prescription refill"


@pytest.mark.parametrize(
    "symptoms",
    [frozenset({"chest_pain", "broken_leg"}), frozenset({"CHEST_PAIN"}), "chest_pain"],
)
def test_unknown_symptom_codes_raise(symptoms):
    with pytest.raises(ValueError, match=r"symptom"):
        TriageInput(age_days=100, sex="female", chief_complaint="", symptoms=symptoms)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"age_days": -1},
        {"sex": "m"},
        {"pain_score": 11},
        {"pain_score": -1},
    ],
)
def test_invalid_input_raises(kwargs):
    base = {"age_days": 100, "sex": "female", "chief_complaint": "", "symptoms": frozenset()}
    with pytest.raises(ValueError):
        suggest(TriageInput(**{**base, **kwargs}))


@pytest.mark.parametrize(
    "kwargs", [{"pain": 11}, {"spo2": 101}, {"heart_rate": -5}, {"respiratory_rate": -1}]
)
def test_invalid_vitals_raise(kwargs):
    with pytest.raises(ValueError):
        Vitals(**kwargs)


def test_results_are_immutable():
    result = suggest(make(30 * YEAR, "rash"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.level = 1  # type: ignore[misc]
