"""The free-text matcher: negation and history (English, Spanish), terms that contain negation
words, companions' text, accents, typos, brand names, body parts, and its data files."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage import FINDING_CODES
from triage.matcher import HISTORY, NEGATED, PRESENT, find_mentions, load_lexicon, read_tsv
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
