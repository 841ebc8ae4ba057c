"""The engine: each A/B/D threshold at, just below and just above its boundary; resources;
reasons; the front-desk flag; storage; input validation; the rule table and vocabulary."""

import dataclasses
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

import triage
from triage import (
    COMPANION_SYMPTOMS,
    ENGINE_VERSION,
    FINDING_CODES,
    NURSE_FINDINGS,
    RESOURCE_TYPES,
    RULE_IDS,
    RULES,
    SYMPTOM_CODES,
    SYMPTOMS,
    Reason,
    TriageInput,
    Vitals,
    danger_zone,
    suggest,
    suggestion_from_dict,
)
from triage.rules import HANDBOOK, VITALS, Found, resource_count

DAY, MONTH, YEAR = 1, 30, 365
ADULT = 40 * YEAR


def make(age_days=ADULT, complaint="", *, symptoms=(), findings=(), vitals=None, **kwargs):
    return TriageInput(
        age_days=age_days,
        sex=kwargs.pop("sex", "unknown"),
        chief_complaint=complaint,
        symptoms=frozenset(symptoms),
        findings=frozenset(findings),
        vitals=vitals,
        **kwargs,
    )


def fired(inp: TriageInput) -> set[str]:
    return {reason.rule for reason in suggest(inp).reasons}


# ---- A: level 1 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("inp", "rule"),
    [
        (make(complaint="he stopped breathing"), "A.apnoea"),
        (make(findings={"agonal_breathing"}), "A.apnoea"),
        (make(symptoms={"not_breathing"}), "A.apnoea"),
        (make(symptoms={"unresponsive"}), "A.unresponsive"),
        (make(findings={"airway_compromise"}), "A.airway"),
        (make(symptoms={"severe_breathing"}), "A.severe_respiratory_distress"),
        (make(complaint="está convulsionando"), "A.seizure"),
        (make(findings={"active_seizure"}), "A.seizure"),
        (make(complaint="allergic reaction, throat is closing"), "A.anaphylaxis"),
        (make(complaint="hives", vitals=Vitals(systolic=80)), "A.anaphylaxis"),
        (make(symptoms={"severe_bleeding"}, findings={"pale_cool_clammy"}), "A.bleeding_shock"),
        (make(complaint="petechiae", vitals=Vitals(avpu="V")), "A.petechial_rash"),
    ],
)
def test_level_1_criteria(inp, rule):
    result = suggest(inp)
    assert result.level == 1
    assert rule in {r.rule for r in result.reasons if r.level == 1}


@pytest.mark.parametrize(("spo2", "level_1"), [(89, True), (90, False), (91, False)])
def test_hypoxia_boundary_with_distress(spo2, level_1):
    inp = make(symptoms={"trouble_breathing"}, vitals=Vitals(spo2=spo2))
    assert ("A.hypoxia" in fired(inp)) is level_1
    assert suggest(inp).level == (1 if level_1 else 2)  # below 92 is the danger zone


@pytest.mark.parametrize(("oxygen", "level_1"), [(0, False), (0.5, True), (15, True)])
def test_hypoxia_despite_oxygen_needs_no_other_sign(oxygen, level_1):
    assert ("A.hypoxia" in fired(make(vitals=Vitals(spo2=88, oxygen_l_min=oxygen)))) is level_1


@pytest.mark.parametrize(("gcs", "rule"), [(7, "A.unresponsive"), (8, "A.unresponsive"), (9, None)])
def test_gcs_8_or_less_is_level_1(gcs, rule):
    assert ("A.unresponsive" in fired(make(vitals=Vitals(gcs=gcs)))) is (rule is not None)


@pytest.mark.parametrize(("avpu", "level"), [("U", 1), ("P", 1), ("V", 2), ("A", 5)])
def test_avpu(avpu, level):
    assert suggest(make(vitals=Vitals(avpu=avpu))).level == level


@pytest.mark.parametrize(
    ("age_days", "hr", "critical"),
    [
        (ADULT, 39, True),
        (ADULT, 40, False),
        (ADULT, 140, False),
        (ADULT, 141, True),
        (5 * YEAR, 59, True),
        (5 * YEAR, 60, False),
        (5 * YEAR, 179, False),
        (5 * YEAR, 180, True),
        (2 * MONTH, 219, False),
        (2 * MONTH, 220, True),
    ],
)
def test_symptomatic_heart_rate_boundary(age_days, hr, critical):
    inp = make(age_days, findings={"pale_cool_clammy"}, vitals=Vitals(heart_rate=hr))
    assert ("A.symptomatic_heart_rate" in fired(inp)) is critical


def test_critical_heart_rate_without_poor_perfusion_is_level_2():
    result = suggest(make(vitals=Vitals(heart_rate=150)))
    assert result.level == 2
    assert "A.symptomatic_heart_rate" not in {r.rule for r in result.reasons}


@pytest.mark.parametrize(
    ("age_days", "rr", "critical"),
    [(ADULT, 5, True), (ADULT, 6, False), (ADULT, 36, False), (ADULT, 37, True),
     (2 * MONTH, 70, False), (2 * MONTH, 71, True), (2 * YEAR, 9, True), (2 * YEAR, 10, False)],
)  # fmt: skip
def test_critical_respiratory_rate_alone_is_level_1(age_days, rr, critical):
    assert (
        "A.respiratory_rate" in fired(make(age_days, vitals=Vitals(respiratory_rate=rr)))
    ) is critical


@pytest.mark.parametrize(
    ("age_days", "systolic", "low"),
    [
        (10 * DAY, 59, True),
        (10 * DAY, 60, False),
        (6 * MONTH, 69, True),
        (6 * MONTH, 70, False),
        (5 * YEAR, 79, True),  # PALS: 70 + 2 x 5 years
        (5 * YEAR, 80, False),
        (ADULT, 89, True),
        (ADULT, 90, False),
        (ADULT, 219, False),
        (ADULT, 220, True),
    ],
)
def test_blood_pressure_out_of_range_by_age(age_days, systolic, low):
    plain = make(age_days, vitals=Vitals(systolic=systolic))
    assert ("D.blood_pressure" in fired(plain)) is low
    shocked = make(age_days, findings={"pale_cool_clammy"}, vitals=Vitals(systolic=systolic))
    assert ("A.hypotension" in fired(shocked)) is low
    assert suggest(shocked).level == (1 if low else 5)


def test_tachycardia_with_hypotension_is_shock():
    assert suggest(make(vitals=Vitals(heart_rate=101, systolic=88))).level == 1
    assert suggest(make(vitals=Vitals(heart_rate=100, systolic=88))).level == 2


@pytest.mark.parametrize(
    ("glucose", "level_1"), [(69, True), (70, False), (600, False), (601, True)]
)
def test_abnormal_glucose_with_altered_mental_status(glucose, level_1):
    inp = make(symptoms={"confusion"}, vitals=Vitals(glucose_mg_dl=glucose))
    assert ("A.hypoglycaemia" in fired(inp)) is level_1
    assert suggest(make(vitals=Vitals(glucose_mg_dl=glucose))).level > 1  # alert: not A


@pytest.mark.parametrize(
    ("glucose", "high_risk"), [(40, False), (69, False), (600, False), (601, True)]
)
def test_severe_hyperglycaemia_alone_is_level_2_and_low_glucose_alone_is_not(glucose, high_risk):
    inp = make(vitals=Vitals(glucose_mg_dl=glucose))
    assert ("B.severe_hyperglycaemia" in fired(inp)) is high_risk
    assert (suggest(inp).level == 2) is high_risk


@pytest.mark.parametrize(
    "complaint", ["meter says HI", "glucometer says high", "el aparato dice HI", "me sale HI"]
)
def test_a_meter_reading_hi_is_severe_hyperglycaemia(complaint):
    assert suggest(make(complaint=complaint)).level == 2
    assert suggest(make(complaint=complaint, symptoms={"confusion"})).level == 1


@pytest.mark.parametrize(
    ("complaint", "measured", "fires"),
    [
        ("pulse 35", None, True),
        ("pulse 35", 80, True),  # a typed value adds to a normal measured one
        ("pulse 80", 35, True),  # ... and never hides an abnormal one
        ("pulse 80", 80, False),
        ("heart rate in the 40s", None, True),  # 40-49: danger for an adult (< 50)
        ("pulse ox 88", None, False),
    ],
)
def test_a_typed_heart_rate_can_only_raise(complaint, measured, fires):
    inp = make(complaint=complaint, vitals=Vitals(heart_rate=measured) if measured else None)
    assert ("D.heart_rate" in fired(inp)) is fires


def test_a_typed_critical_heart_rate_with_fainting_is_level_1():
    inp = make(complaint="heart rate in the 30s and she passed out")
    assert "A.symptomatic_heart_rate" in fired(inp)
    assert any(
        "typed" in t
        for t in next(
            r for r in suggest(inp).reasons if r.rule == "A.symptomatic_heart_rate"
        ).triggers
    )


# ---- B: level 2 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("inp", "rule"),
    [
        (make(symptoms={"face_droop"}), "B.stroke_signs"),
        (make(complaint="slurred speech"), "B.stroke_signs"),
        (make(findings={"altered_mental_status"}), "B.altered_mental_status"),
        (make(complaint="I want to kill myself"), "B.suicidal_homicidal"),
        (make(complaint="bleeding", pregnant=True, pregnancy_weeks=9), "B.pregnancy"),
        (make(symptoms={"pregnant_pain_bleeding"}), "B.pregnancy"),
        (make(complaint="fever", conditions="kidney transplant"), "B.immunocompromised_fever"),
        (make(complaint="overdosed on my pills"), "B.overdose"),
        (make(complaint="testicle pain"), "B.testicular_pain"),
        (make(complaint="sexual assault"), "B.sexual_assault"),
        (make(complaint="thunderclap headache"), "B.thunderclap_headache"),
        (make(complaint="no puedo respirar"), "B.breathing"),
        (make(symptoms={"allergic_swelling"}), "B.allergic_swelling"),
        (make(symptoms={"severe_bleeding"}), "B.severe_bleeding"),
        (make(complaint="black stools"), "B.gi_bleeding"),
        (make(symptoms={"seizure"}), "B.seizure"),
        (make(complaint="fever and stiff neck"), "B.meningitis_signs"),
        (make(complaint="chemical in my eye"), "B.eye_emergency"),
        (make(complaint="stabbed"), "B.penetrating_trauma"),
        (make(complaint="pain crisis", conditions="sickle cell"), "B.sickle_cell_crisis"),
        (make(complaint="fell", conditions="hemophilia"), "B.bleeding_disorder_injury"),
        (make(complaint="missed dialysis"), "B.missed_dialysis"),
        (make(120, symptoms={"trouble_breathing"}), "B.infant_breathing"),
        (make(200, complaint="le cuesta respirar"), "B.infant_breathing"),
    ],
)
def test_level_2_criteria(inp, rule):
    result = suggest(inp)
    assert result.level == 2
    assert rule in {r.rule for r in result.reasons}


@pytest.mark.parametrize(("age_days", "rule_fires"), [(YEAR - 1, True), (YEAR, False)])
def test_infant_breathing_difficulty_under_12_months(age_days, rule_fires):
    inp = make(age_days, symptoms={"trouble_breathing"})
    assert ("B.infant_breathing" in fired(inp)) is rule_fires


@pytest.mark.parametrize(("age_days", "rule_fires"), [(30 * YEAR - 1, False), (30 * YEAR, True)])
def test_chest_pain_acs_from_30(age_days, rule_fires):
    assert ("B.chest_pain" in fired(make(age_days, symptoms={"chest_pain"}))) is rule_fires


def test_chest_pain_with_cocaine_at_any_age():
    assert "B.chest_pain" in fired(make(20 * YEAR, "chest pain after cocaine"))


@pytest.mark.parametrize(
    ("age_days", "medications", "rule_fires"),
    [
        (65 * YEAR - 1, "", False),
        (65 * YEAR, "", True),
        (20 * YEAR, "Xarelto", True),
        (20 * YEAR, "Plavix", True),
        (20 * YEAR, "not on any blood thinners", False),
    ],
)
def test_head_injury_at_65_or_on_a_blood_thinner(age_days, medications, rule_fires):
    inp = make(age_days, symptoms={"head_injury"}, medications=medications)
    assert ("B.head_injury" in fired(inp)) is rule_fires


@pytest.mark.parametrize(
    ("age_days", "temperature", "rule"),
    [
        (10 * DAY, 37.9, None),
        (10 * DAY, 38.0, "B.fever_newborn"),
        (28 * DAY, 38.1, "B.fever_newborn"),
        (28 * DAY, 36.5, None),
        (28 * DAY, 36.4, "B.fever_newborn"),
        (29 * DAY, 38.0, "B.fever_young_infant"),
        (90 * DAY, 38.0, "B.fever_young_infant"),
        (91 * DAY, 38.0, None),
        (91 * DAY, 39.0, None),
        (91 * DAY, 39.1, "B.fever_3_to_36_months"),
        (3 * YEAR - 1, 39.1, "B.fever_3_to_36_months"),
        (3 * YEAR, 39.1, None),
    ],
)
def test_fever_by_age_band(age_days, temperature, rule):
    rules = fired(make(age_days, vitals=Vitals(temperature_c=temperature)))
    assert {r for r in rules if r.startswith("B.fever")} == ({rule} if rule else set())


def test_fever_3_to_36_months_suggests_level_3_as_the_handbook_does():
    assert suggest(make(2 * YEAR, vitals=Vitals(temperature_c=39.5))).level == 3
    unvaccinated = make(2 * YEAR, "fever", conditions="unvaccinated")
    assert suggest(unvaccinated).level == 3


def test_reported_fever_counts_in_young_infants():
    assert suggest(make(6 * 7 * DAY, symptoms={"high_fever"})).level == 2
    assert suggest(make(ADULT, symptoms={"high_fever"})).level == 5


@pytest.mark.parametrize(("pain", "level"), [(6, 3), (7, 2)])
def test_severe_pain_boundary(pain, level):
    assert suggest(make(symptoms={"abdominal_pain"}, pain_score=pain)).level == level


def test_nurse_pain_replaces_the_self_report():
    inp = make(symptoms={"abdominal_pain"}, pain_score=9, vitals=Vitals(pain=4))
    assert suggest(inp).level == 3
    raised = dataclasses.replace(inp, vitals=Vitals(pain=8))
    reason = next(r for r in suggest(raised).reasons if r.rule == "B.severe_pain")
    assert "pain 8/10 (nurse-recorded)" in reason.triggers


def test_severe_pain_from_a_sprain_stays_at_the_resource_level():
    assert suggest(make(complaint="sprained ankle", pain_score=9)).level == 4


def test_history_and_negation_do_not_fire_current_problem_rules():
    assert suggest(make(complaint="had a seizure last year, refill please")).level == 5
    assert suggest(make(complaint="no chest pain, no shortness of breath")).level == 5
    assert suggest(make(complaint="niega dolor de pecho")).level == 5


def test_ticked_observed_and_typed_fire_the_same_rule():
    for inp in (
        make(symptoms={"chest_pain"}),
        make(findings={"chest_pain"}),
        make(complaint="dolor de pecho"),
    ):
        assert suggest(inp).reasons[0].rule == "B.chest_pain"


# ---- D: danger zone ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age_days", "hr_limit", "rr_limit"),
    [(45, 180, 50), (18 * MONTH, 160, 40), (5 * YEAR, 140, 30), (ADULT, 100, 20)],
)
def test_danger_zone_high_side_by_esi_age_band(age_days, hr_limit, rr_limit):
    assert [r.rule for r in danger_zone(age_days, Vitals(heart_rate=hr_limit + 1))] == [
        "D.heart_rate"
    ]
    assert danger_zone(age_days, Vitals(heart_rate=hr_limit)) == ()
    assert [r.rule for r in danger_zone(age_days, Vitals(respiratory_rate=rr_limit + 1))] == [
        "D.respiratory_rate"
    ]
    assert danger_zone(age_days, Vitals(respiratory_rate=rr_limit)) == ()


@pytest.mark.parametrize(("spo2", "fires"), [(91, True), (92, False)])
def test_danger_zone_spo2(spo2, fires):
    assert bool(danger_zone(ADULT, Vitals(spo2=spo2))) is fires


@pytest.mark.parametrize(
    ("temperature", "fires"), [(34.9, True), (35.0, False), (40.9, False), (41.0, True)]
)
def test_danger_zone_temperature_extremes(temperature, fires):
    assert bool(danger_zone(ADULT, Vitals(temperature_c=temperature))) is fires


@pytest.mark.parametrize("complaint", ["ear infection", "sprained ankle", "abdominal pain"])
def test_danger_zone_raises_any_level_3_to_5_to_2(complaint):
    assert suggest(make(complaint=complaint)).level in (3, 4, 5)
    assert suggest(make(complaint=complaint, vitals=Vitals(heart_rate=120))).level == 2


def test_danger_zone_reasons_are_those_of_suggest():
    vitals = Vitals(heart_rate=150, respiratory_rate=35, spo2=90, systolic=70)
    alone = danger_zone(5 * YEAR, vitals)
    full = suggest(make(5 * YEAR, vitals=vitals))
    assert alone == tuple(r for r in full.reasons if r.decision_point == "D")
    assert [r.rule for r in alone] == [
        "D.heart_rate",
        "D.respiratory_rate",
        "D.spo2",
        "D.blood_pressure",
    ]


# ---- C: resources -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("inp", "resources", "level"),
    [
        (make(complaint="I have a cold"), (), 5),
        (make(symptoms={"medication_refill"}), (), 5),
        (make(symptoms={"cough"}), (), 5),
        (make(complaint="small cut on my hand"), (), 5),
        (make(symptoms={"wound"}), ("procedure",), 4),
        (make(complaint="sprained my wrist, I can move it"), ("imaging",), 4),
        (make(symptoms={"urinary_pain"}), ("labs",), 4),
        (make(symptoms={"abdominal_pain"}), ("labs", "imaging"), 3),
        (make(6 * YEAR, symptoms={"abdominal_pain"}), ("imaging",), 4),
        (make(complaint="cough and fever"), ("labs", "imaging"), 3),
        (make(70 * YEAR, symptoms={"cough"}), ("imaging",), 4),
        (make(complaint="dislocated my shoulder"), ("imaging", "iv", "complex_procedure"), 3),
        (make(complaint="cut my leg", medications="warfarin"), ("labs", "procedure"), 3),
    ],
)
def test_resources(inp, resources, level):
    result = suggest(inp)
    assert result.resources == resources
    assert result.level == level


def test_resource_count_counts_a_complex_procedure_as_two():
    assert resource_count(("complex_procedure",)) == 2
    assert resource_count(("procedure", "complex_procedure")) == 2
    assert resource_count(("labs", "imaging")) == 2
    assert resource_count(()) == 0


def test_resources_reason_names_what_predicted_them():
    reason = suggest(make(complaint="dolor de barriga")).reasons[-1]
    assert reason.rule == "C.resources"
    assert reason.text == "2 resources expected (lab tests, imaging): level 3."
    assert any('"dolor de barriga" (complaint)' in trigger for trigger in reason.triggers)


# ---- Reasons and the front-desk flag ----------------------------------------------------------


def test_reasons_name_their_triggers_and_source():
    inp = make(
        70 * YEAR,
        "my husband won't wake up",
        vitals=Vitals(systolic=78),
        findings={"pale_cool_clammy"},
    )
    reasons = {r.rule: r for r in suggest(inp).reasons}
    assert reasons["A.unresponsive"].triggers == ('"won\'t wake up" (complaint)',)
    assert reasons["A.hypotension"].triggers[0].startswith("systolic blood pressure 78 mmHg")
    assert reasons["A.unresponsive"].source.startswith(HANDBOOK)


def test_reason_texts_are_plain_sentences():
    for rule in RULES:
        assert rule.text.endswith(".") and rule.text[0].isupper(), rule.id
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", rule.text), rule.id


@pytest.mark.parametrize(
    "inp",
    [
        make(symptoms={"not_breathing"}),
        make(complaint="no respira"),
        make(complaint="won't wake up"),
        make(complaint="I can't breathe"),
        make(complaint="bleeding a lot"),
        make(symptoms={"chest_pain"}),
        make(complaint="dolor de pecho"),
        make(symptoms={"face_droop"}),
        make(complaint="quiero morirme"),
    ],
)
def test_front_desk_now_for_emergency_red_flags(inp):
    assert suggest(inp).front_desk_now


@pytest.mark.parametrize(
    "inp", [make(complaint="no chest pain"), make(complaint="cold"), make(vitals=Vitals(spo2=80))]
)
def test_no_front_desk_flag_otherwise(inp):
    assert not suggest(inp).front_desk_now


# ---- Storage, determinism, validation ---------------------------------------------------------


def test_as_dict_is_json_safe_and_reads_back():
    result = suggest(make(complaint="dolor de pecho, on Eliquis", vitals=Vitals(heart_rate=120)))
    stored = json.loads(json.dumps(result.as_dict()))
    assert suggestion_from_dict(stored) == result
    assert stored["engine_version"] == ENGINE_VERSION == "esi-rules-2"


def test_reads_suggestions_stored_by_the_previous_engine():
    old = {
        "level": 4,
        "reasons": [{"rule": "C.resources", "text": "1 resource type expected"}],
        "engine_version": "esi-rules-1",
        "resources": ["imaging"],
    }
    result = suggestion_from_dict(old)
    assert result.reasons == (Reason("C.resources", "C", 4, "1 resource type expected", (), ""),)
    assert not result.front_desk_now


def test_deterministic_whatever_the_order_of_codes():
    first = make(symptoms=["cough", "chest_pain", "vomiting"], complaint="x", pain_score=5)
    second = make(symptoms=["vomiting", "chest_pain", "cough"], complaint="x", pain_score=5)
    assert suggest(first) == suggest(second) == suggest(first)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"age_days": -1},
        {"age_days": 1.5},
        {"sex": "m"},
        {"symptoms": frozenset({"broken_leg"})},
        {"symptoms": "chest_pain"},
        {"findings": frozenset({"nonsense"})},
        {"pain_score": 11},
        {"pain_score": -1},
        {"pregnancy_weeks": 50},
        {"onset": "yesterday"},
        {"chief_complaint": None},
        {"medications": 3},
    ],
)
def test_invalid_input_is_refused(kwargs):
    with pytest.raises(ValueError):
        TriageInput(**{"age_days": 100, "sex": "female", **kwargs})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"heart_rate": -5},
        {"spo2": 101},
        {"gcs": 2},
        {"gcs": 16},
        {"avpu": "X"},
        {"pain": 11},
        {"temperature_c": float("nan")},
        {"oxygen_l_min": -1.0},
        {"systolic": "120"},
    ],
)
def test_impossible_vitals_are_refused(kwargs):
    with pytest.raises(ValueError):
        Vitals(**kwargs)


def test_numbers_read_back_from_dynamodb_are_accepted():
    stored = Vitals(heart_rate=Decimal("120"), temperature_c=Decimal("38.5"), spo2=Decimal("97"))
    assert stored == Vitals(heart_rate=120, temperature_c=38.5, spo2=97)
    assert make(Decimal("14600"), pain_score=Decimal("7")) == make(14600, pain_score=7)


def test_results_are_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        suggest(make()).level = 1  # type: ignore[misc]


# ---- The rule table and the vocabulary --------------------------------------------------------


def test_every_rule_row_has_a_decision_point_level_criteria_and_source():
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids)) == len(RULE_IDS)
    for rule in RULES:
        assert rule.id.startswith(f"{rule.decision_point}.")
        assert rule.decision_point in "ABCD"
        assert rule.level == {"A": 1, "B": rule.level, "C": 5, "D": 2}[rule.decision_point]
        assert rule.level in (2, 3) or rule.decision_point != "B"
        assert rule.source and (
            HANDBOOK in rule.source
            or "no handbook number" in rule.source
            or "Not in the handbook" in rule.source
        ), rule.id
        assert rule.criteria() or rule.decision_point == "C"


def test_every_concept_a_rule_reads_can_be_found():
    known = FINDING_CODES | triage.rules.text_concepts().keys()
    for rule in (*RULES, *triage.RESOURCE_RULES):
        for clause in rule.when:
            for condition in clause:
                if isinstance(condition, Found):
                    assert set(condition.concepts) <= known, rule.id
    for rule in triage.RESOURCE_RULES:
        assert rule.resources and set(rule.resources) <= set(RESOURCE_TYPES), rule.id


def test_vital_bands_are_nested_and_cover_every_age():
    for table in VITALS.values():
        assert table.ages[-1].oldest_days is None
        for age in table.ages:
            for milder, severer in zip(table.severity, table.severity[1:], strict=False):
                mild, severe = age.bands[milder], age.bands[severer]
                assert severe.low is None or (mild.low is not None and severe.low <= mild.low)
                assert severe.high is None or (mild.high is not None and severe.high >= mild.high)


def test_vocabulary():
    codes = [code for code, _ in SYMPTOMS]
    assert 20 <= len(codes) <= 25
    assert {c for c, _ in COMPANION_SYMPTOMS} == {
        "not_breathing",
        "unresponsive",
        "severe_breathing",
    }
    assert {"active_seizure", "airway_compromise", "pale_cool_clammy", "altered_mental_status",
            "respiratory_distress"} <= {c for c, _ in NURSE_FINDINGS}  # fmt: skip
    stored_codes = {
        "chest_pain", "trouble_breathing", "face_droop", "arm_weakness", "speech_difficulty",
        "severe_bleeding", "fainting", "seizure", "self_harm", "allergic_swelling",
        "pregnant_pain_bleeding", "high_fever", "head_injury", "confusion", "abdominal_pain",
        "vomiting", "diarrhea", "cough", "sore_throat", "rash", "urinary_pain", "back_pain",
        "limb_injury", "wound", "eye_problem", "ear_pain", "headache", "dizziness",
        "medication_refill", "not_breathing", "unresponsive", "severe_breathing",
    }  # fmt: skip
    assert stored_codes <= SYMPTOM_CODES <= FINDING_CODES
    labels = [
        label for _, label in triage.vocabulary.SYMPTOMS + NURSE_FINDINGS + COMPANION_SYMPTOMS
    ]
    assert len(labels) == len(set(labels)) and all(0 < len(label) <= 60 for label in labels)
    assert dict(SYMPTOMS)["chest_pain"] == "Chest pain or pressure"  # existing translation


def test_the_package_never_imports_django():
    for path in Path(triage.__file__).parent.glob("*.py"):
        assert not re.search(r"^\s*(from|import) django", path.read_text(encoding="utf-8"), re.M)


@pytest.mark.parametrize(
    ("complaint", "onset", "conditions", "x_ray"),
    [
        ("cough for 3 weeks, I smoke", "", "", True),
        ("tos desde hace 2 semanas, fumo", "", "", True),
        ("cough", "over_week", "smoker", True),
        ("cough for 2 days, I smoke", "1_3_days", "", False),
        ("cough for 3 weeks", "", "", False),
        ("cough", "over_week", "non smoker", False),
    ],
)
def test_a_cough_over_a_week_in_a_smoker_predicts_a_chest_x_ray(
    complaint, onset, conditions, x_ray
):
    inp = make(complaint=complaint, onset=onset, conditions=conditions)
    assert ("imaging" in suggest(inp).resources) is x_ray
