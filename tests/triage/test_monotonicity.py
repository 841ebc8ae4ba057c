"""Property tests over the whole input space: a worse input never gets a less urgent suggestion.

"Worse" means one of: a two-sided vital sign further from its age band's normal range (further
out on the same side, out of the normal range on either side, or into a more severe band on the
other side), a lower SpO2, GCS or AVPU, a higher pain score or oxygen flow, an added symptom or
finding code, an added phrase as a separate sentence of the complaint, an added medication or
condition word, or pregnancy. Beyond the level, the rules that fired, the predicted resources
and the front-desk flag may only grow: the structural reason the level cannot drop.
"""

import dataclasses
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage import (
    AVPU,
    FINDING_CODES,
    RESOURCE_TYPES,
    RULE_IDS,
    SYMPTOM_CODES,
    Suggestion,
    TriageInput,
    Vitals,
    suggest,
)
from triage.matcher import read_tsv
from triage.rules import VITALS

# Deterministic for CI (derandomize); about 40 examples per kind of worsening keeps the file
# under ~15 s on two cores.
PROPERTY = settings(max_examples=40, derandomize=True, deadline=None, database=None)

COMPLAINT_PHRASES = sorted(
    {row[0] for row in read_tsv("complaint_terms.tsv")}
    | {row[0] for row in read_tsv("combination_terms.tsv")}
    | {"3", "5", "20", "35", "2019"}  # numbers the combinations read
)
BODY_PARTS = sorted({row[0] for row in read_tsv("body_parts.tsv")})
TRIGGERS = sorted({row[0] for row in read_tsv("context_triggers.tsv")})
RISK_WORDS = sorted({row[0] for row in read_tsv("medications.tsv")} | {
    row[0] for row in read_tsv("conditions.tsv")
})  # fmt: skip
SEPARATORS = (" ", ", ", ". ", " and ", " but ", " y ", " pero ", "; ", "\n", " no ")

TWO_SIDED = ("heart_rate", "respiratory_rate", "systolic", "temperature_c", "glucose_mg_dl")


def _words(pool):
    return st.lists(st.sampled_from(pool), max_size=6)


@st.composite
def free_text(draw, pool):
    """Text built from the lexicon, triggers and separators, or any text at all."""
    if draw(st.booleans()):
        return draw(st.text(max_size=60))
    parts = draw(_words(pool + TRIGGERS + BODY_PARTS))
    separators = draw(
        st.lists(st.sampled_from(SEPARATORS), min_size=len(parts), max_size=len(parts))
    )
    return "".join(p + s for p, s in zip(parts, separators, strict=True))


@st.composite
def vitals(draw):
    def maybe(strategy):
        return draw(st.none() | strategy)

    return Vitals(
        heart_rate=maybe(_between("heart_rate", *VITAL_LIMITS["heart_rate"])),
        respiratory_rate=maybe(_between("respiratory_rate", *VITAL_LIMITS["respiratory_rate"])),
        spo2=maybe(st.integers(0, 100)),
        oxygen_l_min=maybe(st.floats(0.0, 15.0)),
        systolic=maybe(_between("systolic", *VITAL_LIMITS["systolic"])),
        diastolic=maybe(_between("diastolic", *VITAL_LIMITS["diastolic"])),
        temperature_c=maybe(_between("temperature_c", *VITAL_LIMITS["temperature_c"])),
        pain=maybe(st.integers(0, 10)),
        avpu=maybe(st.sampled_from(AVPU)),
        gcs=maybe(st.integers(3, 15)),
        glucose_mg_dl=maybe(_between("glucose_mg_dl", *VITAL_LIMITS["glucose_mg_dl"])),
        weight_kg=maybe(st.floats(0.5, 250.0)),
    )


@st.composite
def inputs(draw):
    return TriageInput(
        age_days=draw(st.integers(0, 110 * 365)),
        sex=draw(st.sampled_from(("female", "male", "other", "unknown"))),
        chief_complaint=draw(free_text(COMPLAINT_PHRASES)),
        symptoms=draw(st.frozensets(st.sampled_from(sorted(SYMPTOM_CODES)), max_size=4)),
        findings=draw(st.frozensets(st.sampled_from(sorted(FINDING_CODES)), max_size=3)),
        pain_score=draw(st.none() | st.integers(0, 10)),
        pregnant=draw(st.sampled_from((None, False, True))),
        pregnancy_weeks=draw(st.none() | st.integers(0, 42)),
        medications=draw(free_text(RISK_WORDS)),
        conditions=draw(free_text(RISK_WORDS)),
        onset=draw(st.sampled_from(("", "under_1h", "today", "1_3_days", "4_7_days", "over_week"))),
        vitals=draw(st.none() | vitals()),
    )


# Broad, physiologically possible ranges (deliberately wider than anything plausible at triage).
VITAL_LIMITS = {
    "heart_rate": (0, 300),
    "respiratory_rate": (0, 90),
    "systolic": (0, 320),
    "diastolic": (0, 220),
    "temperature_c": (20.0, 46.0),
    "glucose_mg_dl": (0.0, 2000.0),
}


def _between(name: str, low: float, high: float):
    if isinstance(VITAL_LIMITS[name][0], int):
        return st.integers(math.ceil(low), math.floor(high))
    return st.floats(low, high)


def _further_from_normal(age_days: int, name: str, old: float):
    """Values further from the age band's normal range than `old`: further out on the same
    side, anywhere outside the range when `old` is inside it, or into a more severe band on
    the other side."""
    table = VITALS[name]
    normal = table.age_band(age_days).bands[table.severity[0]]
    lowest, highest = VITAL_LIMITS[name]
    low = normal.low if normal.low is not None else lowest
    high = normal.high if normal.high is not None else highest
    if low <= old <= high:
        outside = [_between(name, lowest, low - 0.01)] if low > lowest else []
        return st.one_of(*outside, _between(name, high + 0.01, highest))
    same_side = _between(name, lowest, old) if old < low else _between(name, old, highest)
    if table.severity_of(age_days, old) == len(table.severity):
        return same_side
    severity = table.severity_of(age_days, old)
    other_side = _between(name, high, highest) if old < low else _between(name, lowest, low)
    more_severe = other_side.filter(lambda x: table.severity_of(age_days, x) > severity)
    return same_side | more_severe


VITAL_MOVES = (*TWO_SIDED, "diastolic", "spo2", "gcs", "avpu", "pain", "oxygen_l_min")
MOVES = (
    "symptom", "finding", "phrase", "medication", "condition", "pregnant", "self_pain", *VITAL_MOVES
)  # fmt: skip
TEXT_MOVES = {"phrase": "chief_complaint", "medication": "medications", "condition": "conditions"}
MEASURED = {  # a value for a vital the move needs, when the drawn input lacks one
    **{name: _between(name, *limits) for name, limits in VITAL_LIMITS.items()},
    "spo2": st.integers(0, 100),
    "gcs": st.integers(3, 15),
    "avpu": st.sampled_from(AVPU),
    "pain": st.integers(0, 10),
    "oxygen_l_min": st.floats(0.0, 15.0),
}


@st.composite
def base_for(draw, move):
    """Any input; for a vital-sign move, one where that vital is measured; for a text move,
    often one whose text ends in a negation or history trigger (it must not reach the added
    sentence)."""
    base = draw(inputs())
    text_field = TEXT_MOVES.get(move)
    if text_field and draw(st.booleans()):
        ending = f"{getattr(base, text_field)} {draw(st.sampled_from(TRIGGERS))}"
        base = dataclasses.replace(base, **{text_field: ending})
    if move not in VITAL_MOVES or (base.vitals and getattr(base.vitals, move) is not None):
        return base
    vitals = dataclasses.replace(base.vitals or Vitals(), **{move: draw(MEASURED[move])})
    return dataclasses.replace(base, vitals=vitals)


@st.composite
def made_worse(draw, base, move):
    """`base` made worse in one way (see the module docstring)."""
    v = base.vitals
    if move == "symptom":
        return dataclasses.replace(
            base, symptoms=base.symptoms | {draw(st.sampled_from(sorted(SYMPTOM_CODES)))}
        )
    if move == "finding":
        return dataclasses.replace(
            base, findings=base.findings | {draw(st.sampled_from(sorted(FINDING_CODES)))}
        )
    if move == "phrase":
        sentence = draw(
            st.sampled_from(COMPLAINT_PHRASES + TRIGGERS) | free_text(COMPLAINT_PHRASES)
        )
        return dataclasses.replace(base, chief_complaint=f"{base.chief_complaint}. {sentence}")
    if move in ("medication", "condition"):
        field = "medications" if move == "medication" else "conditions"
        word = draw(st.sampled_from(RISK_WORDS + TRIGGERS))
        return dataclasses.replace(base, **{field: f"{getattr(base, field)}. {word}"})
    if move == "pregnant":
        return dataclasses.replace(base, pregnant=True)
    if move == "self_pain":
        return dataclasses.replace(base, pain_score=draw(st.integers(base.pain_score or 0, 10)))
    old = getattr(v, move)
    if move in TWO_SIDED:
        new = draw(_further_from_normal(base.age_days, move, old))
    elif move == "diastolic":  # recorded, used by no rule: any other value
        new = draw(MEASURED["diastolic"])
    elif move == "avpu":
        new = draw(st.sampled_from(AVPU[AVPU.index(old) :]))
    elif move in ("spo2", "gcs"):
        new = draw(st.integers(0 if move == "spo2" else 3, old))
    elif move == "pain":
        new = draw(st.integers(old, 10))
    else:  # oxygen flow
        new = draw(st.floats(old, 15.0))
    return dataclasses.replace(base, vitals=dataclasses.replace(v, **{move: new}))


def _fired(suggestion: Suggestion) -> set[str]:
    return {reason.rule for reason in suggestion.reasons if reason.decision_point != "C"}


@pytest.mark.parametrize("move", MOVES)
@PROPERTY
@given(data=st.data())
def test_a_worse_input_is_never_less_urgent(move, data):
    base = data.draw(base_for(move), label="base")
    worse = data.draw(made_worse(base, move), label="worse")
    before, after = suggest(base), suggest(worse)
    assert after.level <= before.level, (move, before.reasons, after.reasons)
    assert _fired(before) <= _fired(after), move
    assert set(before.resources) <= set(after.resources), move
    assert after.front_desk_now >= before.front_desk_now, move


@settings(max_examples=100, derandomize=True, deadline=None, database=None)
@given(inputs())
def test_every_suggestion_is_well_formed_and_deterministic(inp):
    result = suggest(inp)
    assert result == suggest(inp)
    assert result.reasons, "reasons are never empty"
    assert {reason.rule for reason in result.reasons} <= RULE_IDS
    assert [r.rule for r in result.reasons].count("C.resources") == 1
    assert result.level == min(reason.level for reason in result.reasons)
    assert [r.level for r in result.reasons] == sorted(r.level for r in result.reasons)
    assert result.resources == tuple(t for t in RESOURCE_TYPES if t in result.resources)
    for reason in result.reasons:
        assert reason.text and reason.source
        assert reason.triggers or reason.decision_point == "C"
