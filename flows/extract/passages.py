"""Passages: one paragraph or bullet made ready for attribution.

In: a layout block and the document text. Out: a `Passage` with its sentences,
tokens, quotations and, per token, whether it is quoted; and the entities it
introduces into the article's `Registry` (names with their appositions), before
any cue is read. `Attribution` is what the later steps add to a passage.
"""

from __future__ import annotations

import bisect
import itertools
import operator
from dataclasses import dataclass, field

from flows.extract.cues import cue_index, word_class
from flows.extract.gazetteer import Cue, gazetteer
from flows.extract.mentions import (
    Entity,
    NounPhrase,
    Registry,
    analyse_np,
    description_left,
    np_left,
    np_right,
    person_of_place,
    postmodifier_affiliation,
)
from flows.extract.text import Quote, Sentence, Token, find_quotes, split_sentences, tokenize
from flows.layout import Block

__all__ = [
    "Attribution",
    "Found",
    "POSSESSIVE",
    "Passage",
    "introduce",
    "main_subject",
    "opening_subject",
    "possessor_np",
    "prepare",
    "title_case",
    "title_case_verbs",
]

_SKIPPABLE = word_class("between_subject_and_verb")
_PREPOSITIONS = word_class("preposition")


@dataclass(slots=True)
class Attribution:
    """One reporting cue and its speaker in one sentence."""

    entity: Entity
    cue: Cue
    sentence: int  # index of the sentence in its passage
    offset: int  # where the cue is in the document
    negated: bool = False  # the speaker withheld a statement: 'did not say whether', 'declined to comment'


@dataclass(slots=True)
class Found:
    """A candidate attribution in one sentence, before pruning."""

    entity: Entity
    cue: Cue
    offset: int  # of the cue, in the document
    trailing: bool  # '…, X said.': after what it attributes
    new_clause: bool  # the subject opens the sentence or a coordinated clause
    negated: bool = False  # 'did not say whether', 'declined to comment'


@dataclass(slots=True)
class Passage:
    block: Block
    topic: str | None
    sentences: list[Sentence]
    tokens: list[list[Token]]  # per sentence, tokens outside quotations marked below
    quotes: list[Quote]
    quoted: list[list[bool]]  # per sentence and token: whether the token starts inside a quotation
    cued: list[bool]  # per sentence: whether it holds a word that may start a cue (else no attribution)
    attributions: list[Attribution] = field(default_factory=list)
    led: bool = False  # held by the position of the lead-in before it ('… said:' then a quotation or a list)


_start_of = operator.attrgetter("start")


_lower_of = operator.attrgetter("lower")


_capitalised_of = operator.attrgetter("capitalised")


def _quoted(sentences: list[Sentence], tokens: list[list[Token]], quotes: list[Quote]) -> list[list[bool]]:
    """Whether each token of each sentence starts inside one of `quotes` (sorted, not overlapping):
    per sentence, the tokens of each quotation that overlaps it, found by binary search."""
    flags = [[False] * len(sentence) for sentence in tokens]
    if not quotes:
        return flags
    count = len(quotes)
    for sentence, words, row in zip(sentences, tokens, flags, strict=True):
        k = max(0, bisect.bisect_right(quotes, sentence.start, key=_start_of) - 1)
        starts: list[int] | None = None
        while k < count and quotes[k].start < sentence.end:
            quote = quotes[k]
            if quote.end > sentence.start:
                if starts is None:
                    starts = list(map(_start_of, words))
                first = bisect.bisect_left(starts, quote.start)
                last = bisect.bisect_left(starts, quote.end)
                row[first:last] = [True] * (last - first)
            k += 1
    return flags


def prepare(block: Block, text: str, topic: str | None) -> Passage:
    passage = text[block.start : block.end]
    sentences = split_sentences(passage, block.start)
    quotes = find_quotes(passage, block.start)
    tokens = [tokenize(s.text, s.start) for s in sentences]
    starts = cue_index()[1]
    cued = [not starts.isdisjoint(map(_lower_of, sentence)) for sentence in tokens]
    return Passage(block, topic, sentences, tokens, quotes, _quoted(sentences, tokens, quotes), cued)


def _title_cased(tokens: list[Token]) -> bool:
    words = [t for t in tokens if t.is_word]
    return len(words) >= 3 and sum(t.text[:1].isupper() for t in words) >= 0.7 * len(words)


def title_case(passage: Passage) -> bool:
    """Whether the passage (a headline) is written in Title Case."""
    return bool(passage.tokens) and all(_title_cased(tokens) for tokens in passage.tokens)


def title_case_verbs(passage: Passage) -> None:
    """In a Title Case headline ('Obama Says Museum Will Tell …'), reporting verbs are written with
    a capital: mark them as lower-case words so that they read as verbs, not as part of a name."""
    g = gazetteer()
    for index, tokens in enumerate(passage.tokens):
        if not _title_cased(tokens):
            continue
        passage.tokens[index] = [
            t._replace(capitalised=False) if k > 0 and t.capitalised and t.lower in g.verbs else t
            for k, t in enumerate(tokens)
        ]


def introduce(passage: Passage, registry: Registry) -> None:
    """Register the people, organisations and countries a passage mentions, with appositions."""
    for tokens, quoted in zip(passage.tokens, passage.quoted, strict=True):
        j = 0
        # the capitalised words outside quotations (capitalised > quoted), where a mention may start
        for at in itertools.compress(range(len(tokens)), map(operator.gt, map(_capitalised_of, tokens), quoted)):
            if at < j:
                continue  # inside the phrase just registered
            span = np_right(tokens, at)
            if span is None:
                continue
            first, last = span
            left = np_left(tokens, last)
            if left is not None and left[0] < first:
                first = left[0]
            np = analyse_np(tokens, first, last)
            placed = person_of_place(tokens, first, last) if np.kind == "person" else None
            if placed is not None:
                np = placed[2]  # a person 'of' a place: the place is an affiliation
            if np.kind == "unknown" and last > first and tokens[last].lower.endswith(POSSESSIVE):
                np = possessor_np(tokens, first, last) or np  # a role before a possessive confirms a person
            entity = registry.register(np) if np.kind in ("person", "organisation", "country") else None
            if entity is not None and entity.kind == "person":
                _apposition(tokens, first, last, entity, registry)
            j = last + 1


POSSESSIVE = ("’s", "'s")


def possessor_np(tokens: list[Token], first: int, last: int, *, confirmed: bool = True) -> NounPhrase | None:
    """'Republican presidential nominee Jane Roe’s': the person who owns something, with the role
    their pre-modifiers state (`confirmed`: a given name, title or role says it is a person), or
    with `confirmed` False also an organisation or country ('the ministry’s', 'Russia’s'); None
    when the phrase before the possessive names none of these."""
    owner = tokens[last]
    bare = Token.of(owner.text[:-2], owner.start, owner.end - 2)
    np = analyse_np([*tokens[first:last], bare], 0, last - first)
    if confirmed and (np.kind != "person" or not np.confirmed):
        return None
    if not confirmed and not (np.kind == "person" or (np.kind in ("organisation", "country") and np.canonical)):
        return None
    np.start, np.end = tokens[first].start, bare.end
    return np


def _apposition(tokens: list[Token], first: int, last: int, entity: Entity, registry: Registry) -> None:
    """'Rustem Umerov, Ukraine's chief negotiator,', 'Ukraine's chief negotiator, Rustem Umerov,' and
    'Katrin Vogel, Germany's special envoy for climate action, …' (a description, then anything up
    to the closing comma)."""
    n = len(tokens)
    if last + 2 < n and tokens[last + 1].text == ",":
        span = np_right(tokens, last + 2)
        if span is not None and not _opens_predicate(tokens, span[1] + 1):
            desc = analyse_np(tokens, last + 2, span[1])
            if desc.affiliation is None and desc.role:
                desc.affiliation = postmodifier_affiliation(tokens, span[1] + 1)[0]
            if desc.kind != "person" and (desc.role or desc.affiliation):
                registry.describe(entity, desc)
    if first >= 2 and tokens[first - 1].text == ",":
        found = description_left(tokens, first - 2)
        if found is not None:
            desc = found[2]
            if desc.kind != "person" and (desc.role or desc.affiliation):
                registry.describe(entity, desc)


def _opens_predicate(tokens: list[Token], k: int) -> bool:
    """Whether token k starts a verb phrase ('in Florence, the mayor also said'): the phrase before it
    is then the subject of a new clause, not an apposition."""
    if k >= len(tokens):
        return False
    word = tokens[k].lower
    return (word in _SKIPPABLE and word not in ("himself", "herself", "themselves", "itself")) \
        or (word in gazetteer().verbs and not tokens[k].capitalised)


def opening_subject(passage: Passage, index: int, registry: Registry) -> None:
    """Note the named person that opens sentence `index` ('Mr. Harlow has defended …'), for the
    pronouns of the sentences after it."""
    tokens = passage.tokens[index]
    begin = 0
    comma = next((k for k in range(min(len(tokens) - 1, 12)) if tokens[k].text == ","), None)
    if comma is not None and tokens[0].lower in _PREPOSITIONS | {"on", "at"}:
        begin = comma + 1  # past an introductory prepositional phrase
    if begin >= len(tokens) or passage.quoted[index][begin] or not tokens[begin].capitalised:
        return
    span = np_right(tokens, begin)
    if span is None or span[1] + 1 >= len(tokens) or not tokens[span[1] + 1].text[:1].islower():
        return
    np = analyse_np(tokens, span[0], span[1])
    if np.kind != "person" or not np.name_tokens:
        return
    entity = registry.known_person(np.name_tokens)
    if entity is not None and entity.confirmed:
        registry.opened(entity, np.start)


def main_subject(tokens: list[Token], quoted: list[bool]) -> NounPhrase | None:
    """The subject of a sentence's main clause: the first noun phrase, at its start or after an
    introductory phrase ('During the speech, Trump attacked …'), that a lower-case word follows."""
    commas = [k for k in range(min(len(tokens) - 1, 40)) if tokens[k].text == ","][:3]
    starts = [0] + [comma + 1 for comma in commas]
    for begin in starts:
        while begin < len(tokens) and (not tokens[begin].is_word or quoted[begin]):
            begin += 1
        span = np_right(tokens, begin) if begin < len(tokens) else None
        if span is None:
            continue
        after = span[1] + 1
        if span[0] == span[1] and tokens[span[0]].lower.endswith(("ed", "ing")):
            continue  # an opening participle is no subject
        if after < len(tokens) and tokens[after].text[:1].islower():
            np = analyse_np(tokens, span[0], span[1])
            if np.kind in ("person", "pronoun", "organisation", "country", "group") or np.head:
                return np
    return None
