"""Descriptions read around a noun phrase: the post-modifier that names an affiliation, the
speaker phrase after a cue, institutions whose names hold a preposition, a named person
followed by where they come from, and epithets of age.
"""

from __future__ import annotations

import re

from flows.extract.gazetteer import Gazetteer, gazetteer
from flows.extract.names import affiliation_of, is_institution_name
from flows.extract.phrases import NounPhrase, analyse_np, np_left, np_right
from flows.extract.text import Token
from flows.extract.words import DETERMINERS, GROUP_HEADS, INSTITUTION_WORDS, is_role_word, words_having

__all__ = ["description_left", "is_age_epithet", "person_of_place", "postmodifier_affiliation", "speaker_right"]


_POST = words_having("phrase_connectives.csv", "uses", "post_modifier")

# words that describe an unnamed source by what it knows, and the nouns they follow (besides GROUP_HEADS)
_SOURCE_MODIFIERS = words_having("source_words.csv", "class", "modifier")
_SOURCE_HEADS = words_having("source_words.csv", "class", "head")
_MAX_POST_WORDS = 5  # words of a group's post-modifier kept in its name ('Officials in Kyiv')


def postmodifier_affiliation(tokens: list[Token], at: int) -> tuple[str | None, int]:
    """'(ambassador) to the U.N.', '(minister) of France', '(spokeswoman) for the State Department':
    the affiliation the phrase starting at token `at` names, and the index of its last token."""
    g = gazetteer()
    if at >= len(tokens) or tokens[at].lower not in _POST:
        return None, at - 1
    k = at + 1
    if k < len(tokens) and tokens[k].lower == "the":
        k += 1
    span = np_right(tokens, k) if k < len(tokens) else None
    if span is None or not tokens[span[0]].capitalised:
        return None, at - 1
    words = [t.text for t in tokens[span[0] : span[1] + 1]]
    return affiliation_of(words, g) or " ".join(words), span[1]


def speaker_right(tokens: list[Token], start: int) -> tuple[int, int] | None:
    """The speaker phrase starting at `start` after a cue ('said flood survivor Ana Ruiz', 'according to
    veteran late-night radio host Sam Carter'): the noun phrase there, stretched over up to five
    lower-case words or numbers to a capitalised name when the phrase alone names nobody."""
    span = np_right(tokens, start)
    names = span is not None and any(t.capitalised for t in tokens[span[0] : span[1] + 1]
                                     if t.lower not in DETERMINERS)
    if span is not None and names:
        return span
    k = start
    while k < len(tokens) and k - start < 6:
        token = tokens[k]
        if token.text in (".", ",", ";", ":", "!", "?", "(", ")", "”", '"'):
            return span
        if token.capitalised and token.lower not in DETERMINERS:
            end = np_right(tokens, k)
            return (start, end[1]) if end is not None else span
        k += 1
    return span


def description_left(tokens: list[Token], end: int) -> tuple[int, int, NounPhrase] | None:
    """The description ending at token `end`, reading a post-modifier: 'Britain's ambassador to the
    U.N.' ends at 'U.N.' but is about an ambassador of Britain."""
    g = gazetteer()
    span = np_left(tokens, end)
    if span is not None and span[0] >= 2 and tokens[span[0] - 1].lower in ("in", "at") \
            and tokens[span[0] - 2].lower in _SEATS:
        seat = np_left(tokens, span[0] - 2)  # 'The Chinese embassy in London': the embassy speaks
        if seat is not None:
            return seat[0], end, analyse_np(tokens, seat[0], seat[1])
    if span is not None:
        titled = _titled_name_left(tokens, span) or person_of_place(tokens, span[0], span[1])
        if titled is not None:
            return titled
    if span is None:
        return _plain_post_modifier(tokens, end, g)
    k = span[0] - 1
    if k >= 1 and tokens[k].lower == "the":
        k -= 1
    person = _person_before_preposition(tokens, k, span[1], g)
    if person is not None:
        return person
    if k >= 1 and tokens[k].lower in _POST:
        described = _post_modified(tokens, k, span[1], g)
        if described is not None:
            return described
    return span[0], span[1], analyse_np(tokens, span[0], span[1])


def _plain_post_modifier(tokens: list[Token], end: int, g: Gazetteer) -> tuple[int, int, NounPhrase] | None:
    """A description whose post-modifier ends in plain (lower-case) words after the role or group,
    read back from `end`; never one that ends in a verb, which starts the predicate."""
    verb = g.verbs.get(tokens[end].lower) if end >= 0 else None
    if end < 0 or not tokens[end].text.isalpha() or (verb is not None and verb.lemma != tokens[end].lower
                                                     and not tokens[end].lower.endswith("s")):
        return None  # (a bare form or a plural may still be a noun)
    for p in range(end - 1, max(end - 5, 0), -1):
        if tokens[p].lower in _POST:
            described = _post_modified(tokens, p, end, g)
            if described is not None:
                return described
        if tokens[p].text in (",", ".", ";", ":"):
            break
    return None


def _person_before_preposition(tokens: list[Token], k: int, end: int, g: Gazetteer
                               ) -> tuple[int, int, NounPhrase] | None:
    """A named person before 'at', 'of', 'from' or 'with' (token k) and the organisation after it:
    the person speaks, with the organisation as affiliation."""
    if not (k >= 1 and tokens[k].lower in ("at", "of", "from", "with") and tokens[k - 1].capitalised
            and not is_role_word(tokens[k - 1].text, g)):
        return None
    named = np_left(tokens, k - 1)
    if named is None:
        return None
    person = analyse_np(tokens, named[0], named[1])
    if person.kind != "person" or not person.confirmed:
        return None
    if person.affiliation is None:
        person.affiliation = postmodifier_affiliation(tokens, k)[0]
    return named[0], end, person


def _post_modified(tokens: list[Token], k: int, end: int, g: Gazetteer) -> tuple[int, int, NounPhrase] | None:
    """A role or group with the post-modifier that starts at the preposition tokens[k] and ends at
    tokens[end]: 'Britain's ambassador to the U.N.', 'Analysts at Goldman Sachs', 'People familiar
    with the matter' (a group described by what it knows)."""
    known_by = k >= 2 and tokens[k - 1].lower in _SOURCE_MODIFIERS \
        and (tokens[k - 2].lower in _SOURCE_HEADS or tokens[k - 2].lower in GROUP_HEADS)
    if not (known_by or is_role_word(tokens[k - 1].text, g) or tokens[k - 1].lower in GROUP_HEADS):
        return None
    head = np_left(tokens, k - 2 if known_by else k - 1)
    if head is None and known_by:  # 'A source close to …' ('source' opens no phrase of its own)
        head = (k - 3 if k >= 3 and tokens[k - 3].lower in DETERMINERS else k - 2, k - 2)
    if head is None:
        return None
    desc = analyse_np(tokens, head[0], head[1])
    if known_by and desc.kind != "group":  # 'A source close to the talks': one unnamed person
        desc.kind, desc.head, desc.plural = "group", tokens[k - 2].lower, False
    if desc.affiliation is None:
        desc.affiliation = postmodifier_affiliation(tokens, k)[0]
    if desc.kind == "group" and desc.canonical is None and (desc.plural or known_by) and end - k <= _MAX_POST_WORDS:
        # 'Analysts at Goldman Sachs', 'Officials in Kyiv', 'Lawyers for the family': a group nobody
        # names is known by its whole description
        desc.text = " ".join(t.text for t in tokens[head[0] : end + 1])
        desc.end = tokens[end].end
    return head[0], end, desc


def person_of_place(tokens: list[Token], first: int, last: int) -> tuple[int, int, NounPhrase] | None:
    """'Rep. Jane Roe of Maryland', 'Senator John Doe from Ohio': a named person, then where they
    come from (the affiliation when it is a country or organisation we know), not a person named
    'Maryland'."""
    for m in range(first + 2, last):
        if tokens[m].lower in ("of", "from") \
                and all(t.capitalised or t.lower == "the" for t in tokens[m + 1 : last + 1]):
            person = analyse_np(tokens, first, m - 1)
            if person.kind != "person" or not person.confirmed or len(person.name_tokens) < 2:
                return None
            place = [t.text for t in tokens[m + 1 : last + 1] if t.lower != "the"]
            known = affiliation_of(place, gazetteer()) or (" ".join(place) if is_institution_name(place) else None)
            person.affiliation = person.affiliation or known  # 'of Oxford University', not 'of Maryland'
            return first, last, person
    return None


_AGED = re.compile(r"^[Tt]he \d{1,3}-year-old$")


def is_age_epithet(text: str) -> bool:
    """'the 62-year-old': a person the article named, referred to by age."""
    return _AGED.match(text) is not None


_NAME_CONNECTORS = words_having("phrase_connectives.csv", "uses", "in_name")
_SEATS = words_having("institution_words.csv", "uses", "seat")
_NAME_SMALL = words_having("phrase_connectives.csv", "uses", "small_in_name")


def _titled_name_left(tokens: list[Token], span: tuple[int, int]) -> tuple[int, int, NounPhrase] | None:
    """The name of an organisation with a preposition inside it, ending with `span`: 'The
    Committee for a Responsible Federal Budget', 'Alliance to Reclaim Our Schools', 'Institute
    for Policy Integrity' (an institution word before the preposition, capitalised words after)."""
    k = span[0]
    if tokens[k].lower in ("a", "an", "the"):
        k += 1
    if k > span[1] or not all(t.capitalised or t.lower in _NAME_SMALL for t in tokens[k : span[1] + 1]):
        return None
    connector = span[0] - 1
    if connector >= 1 and tokens[connector].lower in ("a", "an", "the") and span[0] == k:
        connector -= 1
    if connector < 1 or tokens[connector].lower not in _NAME_CONNECTORS:
        return None
    first = connector
    while first >= 1 and tokens[first - 1].capitalised and tokens[first - 1].is_word:
        first -= 1
    if first == connector or not any(t.lower.strip(".") in INSTITUTION_WORDS for t in tokens[first:connector]):
        return None
    if analyse_np(tokens, span[0], span[1]).kind == "person":
        return None  # 'Director of National Intelligence Jane Roe'
    definite = first >= 1 and tokens[first - 1].lower == "the"
    if tokens[first].lower == "the":
        first, definite = first + 1, True
    name = " ".join(t.text for t in tokens[first : span[1] + 1])
    start = first - 1 if definite and first >= 1 and tokens[first - 1].lower == "the" else first
    text = " ".join(t.text for t in tokens[start : span[1] + 1])
    return start, span[1], NounPhrase("organisation", tokens[start].start, tokens[span[1]].end, text,
                                      definite=definite, canonical=name)
