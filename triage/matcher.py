"""A small table-driven matcher for free text in English and Spanish (no NLP stack: cold start).

What it does, in order, for each sentence (split at . ! ? ; : and line breaks):
1. tokenise the text as written; fold each token (NFKD, drop accents, casefold, drop
   apostrophes: "Won't" -> "wont", "cannot" -> "cant");
2. correct a token that is not a known word and is one edit from exactly one clinical word of
   7+ letters (typos such as "siezure", "unconsious"): it can only add a match, never a negation;
3. match phrases longest-first from the lexicon (clinical terms, body parts and the NegEx /
   ConText triggers of data/context_triggers.tsv), so a term that contains a negation word
   ("not breathing", "no puede respirar") is a term and never negates itself;
4. mark terms in the scope of a negation or history trigger: at most SCOPE_WINDOW items, ended
   early by a comma, a termination word ("but", "pero", "and", "y"), another trigger or the
   end of the sentence (a year is looked up as "yyyy": "heart attack in 2019" is history);
5. combine a body part with a pain or injury word in the same sentence ("dolor fuerte en el
   pecho" -> chest pain);
6. combine an ingestion verb, a quantity and a medication or pill word in the same sentence
   ("took like 30 of my xanax", "se tomó todas las pastillas") -> overdose (see _overdose).

`find_readings` reads heart rates typed in the text ("pulse 35", "heart rate in the 30s"); the
engine lets such a reading make a suggestion more urgent, never less (see triage/README.md).

Sentences never affect each other, so adding a sentence can only add mentions: the engine's
monotonicity relies on that. Work is linear in the text length; text is only ever read.
"""

import csv
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"

PRESENT, NEGATED, HISTORY = "present", "negated", "history"
SCOPE_WINDOW = 5  # items (a matched phrase counts as one) a trigger reaches; NegEx uses 5 words
TYPO_MIN_LENGTH = 7  # shorter words have too many real-word neighbours ("fewer" / "fever")
NO_CONCEPT = "-"  # a known word with no meaning here (blocks typo correction)

PAIN_CONCEPT, INJURY_CONCEPT, FALL_CONCEPT = "pain", "injury", "fall"
OVERDOSE_CONCEPT = "overdose"
# Roles of data/combination_terms.tsv: words that mean something only together with others.
INGEST, QUANTITY, COUNT, MEDICINE, UNIT, PER_DAY = (
    "ingest", "quantity", "count", "medicine", "unit", "per_day"
)  # fmt: skip
HEART_RATE, HEART_RATE_UNIT, OTHER_VITAL = "heart_rate", "heart_rate_unit", "other_vital"
ROLES = frozenset(
    {INGEST, QUANTITY, COUNT, MEDICINE, UNIT, PER_DAY, HEART_RATE, HEART_RATE_UNIT, OTHER_VITAL}
)
COUNT_MIN = 5  # a written number of pills from which an ingestion is an overdose
COUNT_REACH = 4  # a count or quantity must be at most this many items before the medicine word
READING_REACH = 5  # items after a heart-rate word in which a typed number is read
HEART_RATE_RANGE = (20, 300)  # typed numbers outside it are not read as a heart rate
_DECADE = re.compile(r"([1-9]\d?)0s")  # "30s" ("30's" once the apostrophe is dropped)
YEAR = "yyyy"  # a year (1900-2099) is looked up as this: "in yyyy" is a history trigger
_YEARS = re.compile(r"(19|20)\d\d")
_SENTENCE_END = frozenset(".!?;:\n¿¡")
_APOSTROPHES = "'\u2019`"  # straight, typographic (as phones type it) and backtick
_TOKEN = re.compile(rf"[^\W_]+(?:[{_APOSTROPHES}][^\W_]+)*|[,.!?;:\n¿¡]")
_TOKEN_SYNONYMS = {"cannot": "cant"}  # one spelling for the terms to use


@dataclass(frozen=True)
class Mention:
    concept: str
    status: str  # PRESENT | NEGATED | HISTORY
    field: str  # which input field: "complaint", "medications", "conditions"
    words: str  # the words as written


@dataclass(frozen=True)
class Reading:
    """A vital sign typed in free text ("pulse 35"); "in the 30s" reads as (30, 39)."""

    vital: str  # a Vitals field name
    values: tuple[int, ...]
    field: str
    words: str  # the words as written


@dataclass(frozen=True)
class _Entry:
    concepts: frozenset[str] = frozenset()
    trigger: str = ""  # negation_pre, negation_post, history_pre, history_post, pseudo, termination
    with_pain: str = ""  # body parts: concept with a pain word
    with_injury: str = ""  # body parts: concept with an injury word
    roles: frozenset[str] = frozenset()  # combination roles (data/combination_terms.tsv)


@dataclass(frozen=True)
class _Item:
    entry: _Entry | None  # None: a word matching nothing
    words: str
    is_comma: bool = False
    token: str = ""  # the folded token of an unmatched word (numbers are read from it)

    def has(self, role: str) -> bool:
        return self.entry is not None and role in self.entry.roles

    @property
    def is_trigger(self) -> bool:
        return self.entry is not None and self.entry.trigger not in ("", "pseudo")


class Lexicon:
    """Phrases (token tuples) -> what they mean, plus the index for typo correction."""

    def __init__(self, phrases: dict[tuple[str, ...], _Entry]) -> None:
        self.phrases = phrases
        self.longest = max(len(p) for p in phrases)
        self.known_words = frozenset(token for phrase in phrases for token in phrase)
        clinical_words = {
            token
            for phrase, entry in phrases.items()
            if not entry.trigger and (entry.concepts - {NO_CONCEPT} or entry.with_pain)
            for token in phrase
            if len(token) >= TYPO_MIN_LENGTH
        }
        index: dict[str, set[str]] = {}
        for word in clinical_words:
            for key in _edit_keys(word):
                index.setdefault(key, set()).add(word)
        self._typo_index = index

    def correct(self, token: str) -> str:
        """The one clinical word a typo is one edit (or one swap) from, else the token."""
        if token in self.known_words or len(token) < TYPO_MIN_LENGTH - 1:
            return token
        candidates = {
            word
            for key in _edit_keys(token)
            for word in self._typo_index.get(key, ())
            if abs(len(word) - len(token)) <= 1
        }
        return candidates.pop() if len(candidates) == 1 else token


def fold(text: str) -> str:
    """Accent- and case-insensitive form: NFKD, combining marks dropped, casefolded."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def tokens(text: str) -> tuple[str, ...]:
    """Folded tokens of a phrase, as the lexicon stores them."""
    return tuple(_fold_token(t) for t in _TOKEN.findall(text))


def find_mentions(text: str, field: str) -> tuple[Mention, ...]:
    """Every concept mentioned in `text`, with its status, in text order."""
    lexicon = load_lexicon()
    mentions: list[Mention] = []
    for sentence in _sentences(text):
        items = _match(lexicon, sentence)
        statuses = _statuses(items)
        mentions.extend(_mentions(items, statuses, field))
    return tuple(mentions)


def find_readings(text: str, field: str) -> tuple[Reading, ...]:
    """Heart rates typed in `text`: a number at most READING_REACH items after a heart-rate
    word ("pulse 35", "heart rate has been in the 30s") or right before "bpm" ("35 bpm").
    Not read: a number followed by a unit ("pulse up for 30 minutes"), past a comma, a trigger
    or another vital's word ("pulse ox 88", "pulse 80, temp 39"), or negated or past history."""
    lexicon = load_lexicon()
    readings: list[Reading] = []
    for sentence in _sentences(text):
        items = _match(lexicon, sentence)
        statuses = _statuses(items)

        def present(index: int) -> bool:
            return statuses.get(index, PRESENT) == PRESENT  # noqa: B023 (used in this loop)

        for index, item in enumerate(items):
            if not present(index):
                continue
            if item.has(HEART_RATE):
                for after in range(index + 1, min(index + 1 + READING_REACH, len(items))):
                    other = items[after]
                    if other.is_comma or other.is_trigger or other.has(OTHER_VITAL):
                        break
                    if other.has(HEART_RATE):
                        break
                    values = _heart_rate_values(items, after)
                    if values and present(after):
                        words = " ".join(i.words for i in items[index : after + 1])
                        readings.append(Reading(HEART_RATE, values, field, words))
            elif item.has(HEART_RATE_UNIT) and index > 0 and present(index - 1):
                values = _number_values(items[index - 1].token)
                if values and _in_heart_rate_range(values):
                    words = f"{items[index - 1].words} {item.words}"
                    readings.append(Reading(HEART_RATE, values, field, words))
    return tuple(readings)


def _number_values(token: str) -> tuple[int, ...]:
    """A written number: "35" -> (35,); a decade "30s" -> (30, 39); anything else -> ()."""
    if token.isdigit() and len(token) <= 4:
        return (int(token),)
    decade = _DECADE.fullmatch(token)
    if decade:
        low = int(decade.group(1)) * 10
        return (low, low + 9)
    return ()


def _in_heart_rate_range(values: tuple[int, ...]) -> bool:
    low, high = HEART_RATE_RANGE
    return all(low <= v <= high for v in values)


def _heart_rate_values(items: list[_Item], index: int) -> tuple[int, ...]:
    values = _number_values(items[index].token)
    followed_by_unit = index + 1 < len(items) and items[index + 1].has(UNIT)
    if not values or followed_by_unit or not _in_heart_rate_range(values):
        return ()
    return values


def _fold_token(token: str) -> str:
    folded = re.sub(f"[{_APOSTROPHES}]", "", fold(token))
    return _TOKEN_SYNONYMS.get(folded, folded)


def _edit_keys(word: str) -> set[str]:
    """The word and each single-letter deletion of it: two words sharing a key are at most one
    insertion, deletion, substitution or adjacent swap apart (with lengths within one)."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _sentences(text: str) -> Iterator[list[tuple[str, str]]]:
    """Sentences as lists of (folded token, token as written); commas stay as ","."""
    sentence: list[tuple[str, str]] = []
    for raw in _TOKEN.findall(text):
        if raw in _SENTENCE_END:
            if sentence:
                yield sentence
            sentence = []
        else:
            sentence.append((_fold_token(raw), raw))
    if sentence:
        yield sentence


def _match(lexicon: Lexicon, sentence: list[tuple[str, str]]) -> list[_Item]:
    """Greedy longest-first phrase matching, left to right. A year is looked up as YEAR, so
    that "in 2019" / "en el 2019" match the history triggers "in yyyy" / "en el yyyy"."""
    folded = [
        YEAR if _YEARS.fullmatch(token) else lexicon.correct(token) for token, _raw in sentence
    ]
    items: list[_Item] = []
    i = 0
    while i < len(folded):
        if folded[i] == ",":
            items.append(_Item(None, ",", is_comma=True))
            i += 1
            continue
        for length in range(min(lexicon.longest, len(folded) - i), 0, -1):
            entry = lexicon.phrases.get(tuple(folded[i : i + length]))
            if entry is not None:
                break
        else:
            entry, length = None, 1
        words = " ".join(raw for _token, raw in sentence[i : i + length])
        items.append(_Item(entry, words, token=sentence[i][0] if entry is None else ""))
        i += length
    return items


def _statuses(items: list[_Item]) -> dict[int, str]:
    """Item index -> NEGATED or HISTORY for terms in a trigger's scope (negation wins)."""
    statuses: dict[int, str] = {}
    for index, item in enumerate(items):
        trigger = item.entry.trigger if item.entry else ""
        if trigger in ("negation_pre", "history_pre"):
            scope = _scope(items, range(index + 1, len(items)))
        elif trigger in ("negation_post", "history_post"):
            scope = _scope(items, range(index - 1, -1, -1))
        else:
            continue
        status = NEGATED if trigger.startswith("negation") else HISTORY
        for position in scope:
            if statuses.get(position) != NEGATED:
                statuses[position] = status
    return statuses


def _scope(items: list[_Item], positions: range) -> list[int]:
    scope: list[int] = []
    for position in positions:
        item = items[position]
        trigger = item.entry.trigger if item.entry else ""
        ends_scope = item.is_comma or (trigger not in ("", "pseudo"))
        if ends_scope or len(scope) == SCOPE_WINDOW:
            break
        scope.append(position)
    return scope


def _mentions(items: list[_Item], statuses: dict[int, str], field: str) -> Iterator[Mention]:
    pain_words = []
    injury_words = []
    for index, item in enumerate(items):
        if item.entry is None or statuses.get(index, PRESENT) != PRESENT:
            continue
        if PAIN_CONCEPT in item.entry.concepts:
            pain_words.append(item.words)
        if item.entry.concepts & {INJURY_CONCEPT, FALL_CONCEPT}:
            injury_words.append(item.words)
    for index, item in enumerate(items):
        if item.entry is None:
            continue
        status = statuses.get(index, PRESENT)
        for concept in sorted(item.entry.concepts - {NO_CONCEPT}):
            yield Mention(concept, status, field, item.words)
        if status != PRESENT:
            continue
        for combined, partners in (
            (item.entry.with_pain, pain_words),
            (item.entry.with_injury, injury_words),
        ):
            if combined and partners:
                yield Mention(combined, PRESENT, field, f"{item.words} … {partners[0]}")
    overdose = _overdose(items, statuses)
    if overdose:
        yield Mention(OVERDOSE_CONCEPT, PRESENT, field, overdose)


def _overdose(items: list[_Item], statuses: dict[int, str]) -> str:
    """The words of an ingestion by quantity, or "": in one sentence, all neither negated nor
    past history, an ingestion verb ("took", "se tomó"), then a medicine word (any name of
    data/medications.tsv, or "pills", "pastillas"...) counted by what comes at most
    COUNT_REACH items before it, with no comma, trigger, clinical term, verb or other number
    in between:
    - a quantity word ("a handful of", "whole bottle of", "todas las"), or
    - a number of at least COUNT_MIN ("30 of my xanax", "veinte pastillas") that comes after
      the verb (not an age: "my 6 yo took his tylenol"), is no measure ("500 mg", "6 hours")
      and is no daily dose ("tomo 8 pastillas al día").
    Only words present in the sentence make it: an added word can only add the concept."""

    def present(index: int) -> bool:
        return statuses.get(index, PRESENT) == PRESENT

    verbs = [i for i, item in enumerate(items) if item.has(INGEST) and present(i)]
    if not verbs:
        return ""
    for medicine, item in enumerate(items):
        if not (item.has(MEDICINE) and present(medicine)):
            continue
        for before in range(medicine - 1, max(medicine - 1 - COUNT_REACH, -1), -1):
            counter = items[before]
            if counter.is_comma or counter.is_trigger or not present(before):
                break
            if counter.has(INGEST) or (counter.entry and counter.entry.concepts - {NO_CONCEPT}):
                break
            is_number = counter.has(COUNT) or bool(_number_values(counter.token))
            if counter.has(QUANTITY) or (
                is_number
                and _is_pill_count(items, before, medicine)
                and any(verb < before for verb in verbs)
            ):
                verb = items[verbs[0]].words
                return f"{verb} … {counter.words} … {item.words}"
            if is_number:  # the number nearest the medicine is the one that counts it
                break
    return ""


def _is_pill_count(items: list[_Item], index: int, medicine: int) -> bool:
    counter = items[index]
    values = _number_values(counter.token)
    if not counter.has(COUNT) and (not values or min(values) < COUNT_MIN):
        return False
    if index + 1 < len(items) and items[index + 1].has(UNIT):
        return False
    for after in range(medicine + 1, min(medicine + 1 + COUNT_REACH, len(items))):
        if items[after].is_comma or items[after].is_trigger:
            break
        if items[after].has(PER_DAY):
            return False
    return True


@cache
def load_lexicon() -> Lexicon:
    """All phrase tables of triage/data, merged; read once per process."""
    concepts: dict[tuple[str, ...], set[str]] = {}
    triggers: dict[tuple[str, ...], str] = {}
    body_parts: dict[tuple[str, ...], tuple[str, str]] = {}
    for phrase, _language, concept in read_tsv("complaint_terms.tsv"):
        concepts.setdefault(tokens(phrase), set()).add(concept)
    for name, risk_class, _kind in read_tsv("medications.tsv"):
        concepts.setdefault(tokens(name), set()).add(risk_class)
    for phrase, _language, risk_class in read_tsv("conditions.tsv"):
        concepts.setdefault(tokens(phrase), set()).add(risk_class)
    for phrase, _language, kind, _source in read_tsv("context_triggers.tsv"):
        triggers[tokens(phrase)] = kind
    for part, _language, with_pain, with_injury in read_tsv("body_parts.tsv"):
        body_parts[tokens(part)] = (
            "" if with_pain == NO_CONCEPT else with_pain,
            "" if with_injury == NO_CONCEPT else with_injury,
        )
    roles: dict[tuple[str, ...], set[str]] = {}
    for name, _risk_class, _kind in read_tsv("medications.tsv"):
        roles.setdefault(tokens(name), set()).add(MEDICINE)
    for phrase, _language, role in read_tsv("combination_terms.tsv"):
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r} for {phrase!r}")
        roles.setdefault(tokens(phrase), set()).add(role)
    # A complaint phrase containing a heart-rate word is one too ("heart rate is low, 38",
    # "pulso bajo 38"), unless it names another vital ("pulse ox") or a negation ("no pulse").
    heart_rate_words = [phrase for phrase, r in roles.items() if HEART_RATE in r]
    negations = [t for t, kind in triggers.items() if kind.startswith("negation")]
    for phrase in set(concepts):
        if (
            OTHER_VITAL not in roles.get(phrase, ())
            and any(_contains(phrase, word) for word in heart_rate_words)
            and not any(_contains(phrase, word) for word in negations)
        ):
            roles.setdefault(phrase, set()).add(HEART_RATE)
    terms = set(concepts) | set(body_parts) | set(roles)
    clashes = terms & set(triggers)
    if clashes:  # a phrase must be either a trigger or a term: never both
        raise ValueError(f"phrases both trigger and term: {sorted(clashes)}")
    phrases: dict[tuple[str, ...], _Entry] = {}
    for phrase in terms:
        with_pain, with_injury = body_parts.get(phrase, ("", ""))
        phrases[phrase] = _Entry(
            frozenset(concepts.get(phrase, ())),
            "",
            with_pain,
            with_injury,
            frozenset(roles.get(phrase, ())),
        )
    for phrase, kind in triggers.items():
        phrases[phrase] = _Entry(trigger=kind)
    return Lexicon(phrases)


def _contains(phrase: tuple[str, ...], part: tuple[str, ...]) -> bool:
    return any(phrase[i : i + len(part)] == part for i in range(len(phrase) - len(part) + 1))


def read_tsv(name: str) -> list[list[str]]:
    """Rows of a data file, without comments, blank lines and the header comment."""
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [row for row in rows if row and not row[0].startswith("#")]
