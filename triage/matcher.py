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
   end of the sentence;
5. combine a body part with a pain or injury word in the same sentence ("dolor fuerte en el
   pecho" -> chest pain).

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
class _Entry:
    concepts: frozenset[str] = frozenset()
    trigger: str = ""  # negation_pre, negation_post, history_pre, history_post, pseudo, termination
    with_pain: str = ""  # body parts: concept with a pain word
    with_injury: str = ""  # body parts: concept with an injury word


@dataclass(frozen=True)
class _Item:
    entry: _Entry | None  # None: a word matching nothing
    words: str
    is_comma: bool = False


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
    """Greedy longest-first phrase matching, left to right."""
    folded = [lexicon.correct(token) for token, _raw in sentence]
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
        items.append(_Item(entry, words))
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
    clashes = (set(concepts) | set(body_parts)) & set(triggers)
    if clashes:  # a phrase must be either a trigger or a term: never both
        raise ValueError(f"phrases both trigger and term: {sorted(clashes)}")
    phrases: dict[tuple[str, ...], _Entry] = {}
    for phrase in set(concepts) | set(body_parts):
        with_pain, with_injury = body_parts.get(phrase, ("", ""))
        phrases[phrase] = _Entry(frozenset(concepts.get(phrase, ())), "", with_pain, with_injury)
    for phrase, kind in triggers.items():
        phrases[phrase] = _Entry(trigger=kind)
    return Lexicon(phrases)


def read_tsv(name: str) -> list[list[str]]:
    """Rows of a data file, without comments, blank lines and the header comment."""
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [row for row in rows if row and not row[0].startswith("#")]
