"""The free-text matcher: negation and history (English, Spanish), terms that contain negation
words, companions' text, accents, typos, brand names, body parts, and its data files."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage import FINDING_CODES
from triage.matcher import (
    HISTORY,
    NEGATED,
    PRESENT,
    find_mentions,
    find_readings,
    load_lexicon,
    read_tsv,
    tokens,
)
from triage.rules import text_concepts


def statuses(text: str, field: str = "complaint") -> dict[str, str]:
    """concept -> status (the first mention of each concept)."""
    found: dict[str, str] = {}
    for mention in find_mentions(text, field):
        found.setdefault(mention.concept, mention.status)
    return found


@pytest.mark.parametrize(
    ("text", "concept", "status"),
    [
        ("no chest pain", "chest_pain", NEGATED),
        ("denies chest pain", "chest_pain", NEGATED),
        ("I don't have a fever", "high_fever", NEGATED),
        ("without vomiting", "vomiting", NEGATED),
        ("sin fiebre", "high_fever", NEGATED),
        ("niega dolor de pecho", "chest_pain", NEGATED),
        ("no tengo fiebre ni tos", "cough", NEGATED),
        ("chest pain", "chest_pain", PRESENT),
        ("DOLOR DE PECHO", "chest_pain", PRESENT),
        ("dolor toracico", "chest_pain", PRESENT),  # accent left out
        ("dolor torácico", "chest_pain", PRESENT),
    ],
)
def test_negation_in_english_and_spanish(text, concept, status):
    assert statuses(text)[concept] == status


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("no fever but chest pain", "chest_pain"),
        ("sin fiebre pero con dolor de pecho", "chest_pain"),
        ("no fever, chest pain since noon", "chest_pain"),
        ("denies fever and has chest pain", "chest_pain"),
        ("no fever. Chest pain.", "chest_pain"),
        ("no me duele nada y tengo dolor de pecho", "chest_pain"),
        ("no cold hands or tired feet or sore eyes or chest pain", "chest_pain"),  # past window
    ],
)
def test_negation_scope_ends_at_punctuation_conjunctions_and_window(text, concept):
    assert statuses(text)[concept] == PRESENT


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("had a seizure last year", "seizure"),
        ("history of stroke", "stroke"),
        ("seizures as a child", "seizure"),
        ("antecedentes de infarto", "chest_pain"),
        ("convulsiones previas", "seizure"),
        ("tuvo un derrame hace años", "stroke"),
    ],
)
def test_history_is_not_a_current_problem(text, concept):
    assert statuses(text)[concept] == HISTORY


def test_history_scope_ends_so_a_new_problem_counts():
    found = statuses("history of stroke, now his face is drooping")
    assert found == {"stroke": HISTORY, "face_droop": PRESENT}


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("my father is not breathing", "not_breathing"),
        ("he isn't breathing", "not_breathing"),
        ("my son won't wake up", "unresponsive"),
        ("she won\u2019t wake up", "unresponsive"),  # typographic apostrophe
        ("wont wake up", "unresponsive"),
        ("mi papá no respira", "not_breathing"),
        ("mi hijo no puede respirar", "breathless_at_rest"),
        ("I can't breathe", "breathless_at_rest"),
        ("I cannot breathe", "breathless_at_rest"),
        ("she is not making sense", "confusion"),
        ("no wet diapers since this morning", "dehydration"),
        ("el bebé no responde", "unresponsive"),
    ],
)
def test_terms_containing_negation_words_are_terms_not_negations(text, concept):
    assert statuses(text)[concept] == PRESENT


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("not breathing well since this morning", "trouble_breathing"),  # longer phrase wins
        ("my cut won't stop bleeding", "severe_bleeding"),
        ("the bleeding doesn't stop", "bleeding"),  # "doesn't stop" is no negation
        ("no puedo dormir por el dolor de pecho", "chest_pain"),  # "no puedo" is no negation
        ("not sure if it is chest pain", "chest_pain"),
        ("never had chest pain like this before", "chest_pain"),
        ("nunca había tenido un dolor de pecho así", "chest_pain"),
        ("I'm not feeling well and have chest pain", "chest_pain"),
    ],
)
def test_pseudo_triggers_do_not_negate(text, concept):
    assert statuses(text)[concept] == PRESENT


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("dolor fuerte en el pecho", "chest_pain"),
        ("my chest really hurts", "chest_pain"),
        ("me duele mucho la barriga", "abdominal_pain"),
        ("fell on my wrist", "limb_injury"),
        ("me golpeé la cabeza contra la puerta", "head_injury"),
    ],
)
def test_body_part_with_pain_or_injury_word(text, concept):
    assert statuses(text)[concept] == PRESENT


def test_body_part_without_pain_word_means_nothing():
    assert "chest_pain" not in statuses("itchy rash on my chest")
    assert "chest_pain" not in statuses("no pain in my chest")


@pytest.mark.parametrize(
    ("text", "concept"),
    [("siezure this morning", "seizure"), ("he is unconsious", "unresponsive")],
)
def test_typos_of_long_clinical_words_are_tolerated(text, concept):
    assert statuses(text)[concept] == PRESENT


@pytest.mark.parametrize("text", ["I painted my room", "fewer cookies", "stubbed my toe"])
def test_real_words_are_not_read_as_typos(text):
    assert not {"fainting", "high_fever", "penetrating_trauma"} & statuses(text).keys()


@pytest.mark.parametrize(
    ("text", "risk_class"),
    [
        ("Eliquis 5 mg", "anticoagulant"),
        ("apixaban", "anticoagulant"),
        ("XARELTO", "anticoagulant"),
        ("rivaroxaban", "anticoagulant"),
        ("warfarin", "anticoagulant"),
        ("Coumadin", "anticoagulant"),
        ("Pradaxa", "anticoagulant"),
        ("Lovenox injections", "anticoagulant"),
        ("enoxaparin", "anticoagulant"),
        ("heparin", "anticoagulant"),
        ("Sintrom", "anticoagulant"),
        ("blood thinners", "anticoagulant"),
        ("Plavix", "antiplatelet"),
        ("clopidogrel", "antiplatelet"),
        ("Brilinta", "antiplatelet"),
        ("Effient", "antiplatelet"),
        ("baby aspirin daily", "antiplatelet"),
        ("aspirina", "antiplatelet"),
        ("methotrexate weekly", "immunosuppressed"),
        ("prednisone 20 mg for a year", "immunosuppressed"),
        ("tacrolimus", "immunosuppressed"),
        ("chemo every two weeks", "immunosuppressed"),
        ("quimioterapia", "immunosuppressed"),
        ("insulin glargine", "hypoglycaemic_agent"),
        ("glipizide", "hypoglycaemic_agent"),
    ],
)
def test_medications_by_generic_and_brand_name(text, risk_class):
    assert statuses(text, "medications")[risk_class] == PRESENT


@pytest.mark.parametrize(
    ("text", "risk_class"),
    [
        ("breast cancer on chemotherapy", "immunosuppressed"),
        ("kidney transplant 2019", "immunosuppressed"),
        ("HIV", "immunosuppressed"),
        ("sickle cell disease", "sickle_cell"),
        ("sickle cell disease", "immunosuppressed"),
        ("on dialysis three times a week", "immunosuppressed"),
        ("immunosuppressed", "immunosuppressed"),
        ("trasplante de riñón", "immunosuppressed"),
        ("hemophilia A", "bleeding_disorder"),
        ("atrial fibrillation", "cardiac_history"),
        ("not vaccinated", "incomplete_immunisation"),
    ],
)
def test_conditions_map_to_risk_classes(text, risk_class):
    assert risk_class in statuses(text, "conditions")


def test_negated_medication_is_negated():
    assert statuses("not on blood thinners", "medications")["anticoagulant"] == NEGATED


def test_mentions_keep_the_words_as_written():
    (mention,) = find_mentions("Mi papá NO RESPIRA!", "complaint")
    assert (mention.concept, mention.words, mention.field) == (
        "not_breathing",
        "NO RESPIRA",
        "complaint",
    )


@pytest.mark.parametrize(
    "text",
    ["", "   ", "....", "<script>alert(1)</script>", "\x00\x01", "🙂🙂", "中文 胸痛", "a" * 5000],
)
def test_untrusted_text_is_only_read(text):
    assert all(m.concept for m in find_mentions(text, "complaint"))


SENTENCES = st.lists(
    st.sampled_from(
        sorted(
            {r[0] for r in read_tsv("complaint_terms.tsv")}
            | {r[0] for r in read_tsv("context_triggers.tsv")}
        )
    ),
    min_size=1,
    max_size=6,
).map(" ".join)


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(SENTENCES, SENTENCES)
def test_an_added_sentence_never_changes_the_earlier_ones(first, second):
    before = find_mentions(first, "complaint")
    after = find_mentions(f"{first}. {second}", "complaint")
    assert after[: len(before)] == before


def test_data_files_are_well_formed():
    trigger_kinds = {
        "negation_pre",
        "negation_post",
        "history_pre",
        "history_post",
        "pseudo",
        "termination",
    }
    triggers = read_tsv("context_triggers.tsv")
    assert all(
        len(row) == 4 and row[2] in trigger_kinds and row[1] in ("en", "es") for row in triggers
    )
    assert all(row[3] in ("NegEx", "NegEx-ML", "ConText", "Solace") for row in triggers)
    known = FINDING_CODES | text_concepts().keys()
    for name, concept_column in (
        ("complaint_terms.tsv", 2),
        ("conditions.tsv", 2),
        ("medications.tsv", 1),
    ):
        rows = read_tsv(name)
        assert all(len(row) == 3 for row in rows), name
        assert {row[concept_column] for row in rows} - {"-"} <= known, name
    body_parts = read_tsv("body_parts.tsv")
    assert {c for row in body_parts for c in row[2:]} - {"-"} <= known
    assert all(kind in ("complaint", "risk") for _concept, kind, _label in read_tsv("concepts.tsv"))
    assert load_lexicon().phrases  # loading also refuses a phrase that is both trigger and term


@pytest.mark.parametrize(
    "text",
    [
        "took like 30 of my xanax",
        "swallowed a whole bottle of pills",
        "se tomó todas las pastillas de su mamá",
        "took 20 tylenol",
        "took twenty tylenol",
        "se tragó como 15 pastillas para dormir",
        "me tomé un montón de pastillas",
        "my 2 year old ate a handful of his grandma's heart pills",
        "mi hijo tomo veinte pastillas de su abuela",
    ],
)
def test_ingestion_verb_quantity_and_medicine_make_an_overdose(text):
    assert statuses(text)["overdose"] == PRESENT


@pytest.mark.parametrize(
    "text",
    [
        "took 2 tylenol 6 hours ago",  # a usual dose; a time is no count
        "took 500 mg of tylenol",  # a measure is no count
        "my 6 yo took his tylenol",  # an age before the verb is no count
        "tomo 8 pastillas al dia",  # a daily dose
        "took tylenol at 10 and 2 advil",  # the count is past a conjunction
        "ate a lot of candy then took vitamins",  # the quantity counts the candy
        "denies that she took 20 pills",  # negated
        "took 10 days of antibiotics",
    ],
)
def test_no_overdose_without_a_count_of_medicine_taken(text):
    assert "overdose" not in statuses(text)


def test_a_count_of_pills_in_another_sentence_does_not_combine():
    assert "overdose" not in statuses("He found 30 of my xanax. Then he took some")


def test_combination_phrases_hide_no_longer_term():
    """Longest-first matching takes a phrase of combination_terms.tsv whole: it must not start
    inside another table's longer term ("se tomó" would hide "tomó cloro"), nor contain a
    shorter term whose meaning it drops."""
    others: dict[tuple[str, ...], set[str]] = {}
    for name, column in (("complaint_terms.tsv", 2), ("conditions.tsv", 2)):
        for row in read_tsv(name):
            others.setdefault(tokens(row[0]), set()).add(row[column])
    for row in read_tsv("context_triggers.tsv") + read_tsv("body_parts.tsv"):
        others.setdefault(tokens(row[0]), set()).add(row[2])
    lexicon = load_lexicon()
    for row in read_tsv("combination_terms.tsv"):
        phrase = tokens(row[0])
        if phrase in others:  # a term already: the role adds no new segmentation
            continue
        for other, meanings in others.items():
            for start in range(1, len(phrase)):
                overlap = phrase[start:]
                assert not (other[: len(overlap)] == overlap and len(other) > len(overlap)), (
                    row[0],
                    other,
                )
            for start in range(len(phrase)):
                inside = phrase[start : start + len(other)] == other and other != phrase
                kept = meanings <= lexicon.phrases[phrase].concepts | {"-"}
                assert not inside or kept, (row[0], other)


@pytest.mark.parametrize(
    "text",
    [
        "I want to hurt myself",
        "going to hurt myself",
        "hurt myself on purpose",
        "I keep hurting myself",
        "thoughts of hurting myself",
        "cut myself on purpose",
        "quiero hacerme daño",
        "me quiero hacer daño",
        "tengo ganas de lastimarme",
    ],
)
def test_self_harm_needs_intent(text):
    assert statuses(text)["self_harm"] == PRESENT


@pytest.mark.parametrize(
    "text", ["hurt myself playing soccer", "I hurt myself shaving", "me hice daño jugando"]
)
def test_an_accidental_hurt_is_an_injury_not_self_harm(text):
    found = statuses(text)
    assert "self_harm" not in found
    assert found["injury"] == PRESENT


@pytest.mark.parametrize(
    "text",
    [
        "not feeling well",
        "burned my hand cooking",
        "no response to tylenol",
        "gaping cut",
        "estaba en la cocina",
        "tengo un síntoma raro",
        "estoy agotado",
        "the instructions were confusing",
    ],
)
def test_common_words_are_not_read_as_clinical_typos(text):
    found = statuses(text)
    assert not {
        "dehydration", "severe_breathing", "unresponsive", "stimulant", "anticoagulant",
        "psychiatric", "confusion",
    } & found.keys(), found  # fmt: skip


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("pulse 35", (35,)),
        ("heart rate in the 30s", (30, 39)),
        ("my heart rate has been in the 30's", (30, 39)),
        ("35 bpm", (35,)),
        ("mi pulso está en 38", (38,)),
        ("heart rate is low at 38", (38,)),
        ("heart rate went from 80 to 35", (80, 35)),
    ],
)
def test_typed_heart_rates_are_read(text, values):
    readings = find_readings(text, "complaint")
    assert tuple(v for r in readings for v in r.values) == values
    assert all(r.vital == "heart_rate" for r in readings)


@pytest.mark.parametrize(
    "text",
    [
        "pulse ox 88",  # oxygen saturation
        "pulse up for 30 minutes",  # a duration
        "heart rate normal, temp 39",  # past a comma, another vital
        "no pulse 35",  # negated
        "heart rate was 35 last year",  # past history
        "my 6 yo has a fever of 39",
    ],
)
def test_numbers_that_are_no_heart_rate_are_not_read(text):
    assert find_readings(text, "complaint") == ()


@pytest.mark.parametrize(
    "text",
    [
        "dolor de pecho peor que mi infarto hace 2 años",
        "chest pain worse than my heart attack 2 years ago",
        "chest pain different from my heart attack last year",
    ],
)
def test_a_comparison_ends_a_history_trigger_s_reach(text):
    assert statuses(text)["chest_pain"] == PRESENT


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("had a heart attack in 2019", HISTORY),
        ("infarto en el 2018", HISTORY),
        ("derrame del 2015", HISTORY),
        ("chest pain since 2019", PRESENT),  # ongoing, not past
        ("chest pain like my heart attack in 2019", PRESENT),  # "like" ends the reach
    ],
)
def test_a_dated_event_is_past_history(text, status):
    concept = "stroke" if "derrame" in text else "chest_pain"
    assert statuses(text)[concept] == status
