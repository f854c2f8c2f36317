"""Cues: the words that report speech, and the verb group around them.

A cue is a reporting verb ("said", "warned"), a multi-word phrase ("made clear",
"according to"), a reporting noun or an attitude adjective, looked up in the cue
lexicon (`gazetteer`). This module finds a cue at a token, reads the verb group
around it (auxiliaries, adverbs, negation, a catenative verb before it) and
adjusts the act to its complement. The closed-class words these rules test for
are one data file, `flows/data/attribution_words.csv`, read once.
"""

from __future__ import annotations

import re
from functools import cache

from flows.extract.gazetteer import Cue, gazetteer
from flows.extract.mentions import (
    np_left,
)
from flows.extract.text import Token
from flows.lexicon import read_table

__all__ = [
    "ADVERB_LY",
    "CLAUSE_STARTS",
    "CLOSING",
    "act_in_context",
    "catenative",
    "cue_at",
    "cue_index",
    "finite_ing",
    "first_word",
    "is_negated",
    "relays",
    "skip_left",
    "word_class",
]


@cache
def _word_classes() -> dict[str, frozenset[str]]:
    classes: dict[str, set[str]] = {}
    for row in read_table("attribution_words.csv"):
        for name in row["classes"].split("|"):
            classes.setdefault(name, set()).add(row["word"])
    return {name: frozenset(words) for name, words in classes.items()}


def word_class(name: str) -> frozenset[str]:
    """The words of class `name` in flows/data/attribution_words.csv (a KeyError names a class
    the file lacks, so a typo fails at import, not silently)."""
    return _word_classes()[name]


_SKIPPABLE = word_class("between_subject_and_verb")
_LY_NOUNS = word_class("ly_noun")
_BE = word_class("be")
_TIME_NOUNS = word_class("time_noun")
_WEEKDAYS = word_class("weekday")
_NOT_BEFORE_VERB = word_class("not_before_verb")
_WARNINGS = word_class("warning")
_SENTIMENTS = word_class("sentiment")
_CATENATIVES = word_class("catenative")
_GO_ON = word_class("go_on")


ADVERB_LY = re.compile(r"^[a-z]{3,}ly$")  # a manner adverb between a subject and its verb


CLOSING = frozenset({"”", '"', "’", "'", "»", "“"})


@cache
def cue_index() -> tuple[frozenset[str], frozenset[str]]:
    """(first words of the multi-word cue phrases, every word that may start a cue or a relay)."""
    g = gazetteer()
    phrase_starts = frozenset(words[0] for words in g.phrases if len(words) >= 2)
    return phrase_starts, phrase_starts | frozenset(g.verbs) | frozenset(g.nouns) | frozenset(g.attitudes) | {"quoted"}


def first_word(tokens: list[Token]) -> int:
    """Index of the first word of a sentence (after opening quotes and dashes)."""
    for k, token in enumerate(tokens):
        if token.is_word:
            return k
    return len(tokens)


def cue_at(tokens: list[Token], i: int) -> tuple[Cue, int] | None:
    """The cue starting at token i and the index of its last token, longest phrase first."""
    if i >= len(tokens):
        return None
    g = gazetteer()
    word = tokens[i].lower
    if word in cue_index()[0]:
        words = [t.lower for t in tokens[i : i + g.max_phrase]]
        for width in range(len(words), 1, -1):
            cue = g.phrases.get(tuple(words[:width]))
            if cue is not None:
                return cue, i + width - 1
    cue = g.verbs.get(word)
    return (cue, i) if cue is not None else None


def skip_left(tokens: list[Token], k: int) -> int:
    """Step left over adverbs, auxiliaries, weekdays and parentheses ('(R-S.C.)') before a verb."""
    while k >= 0:
        word = tokens[k].lower
        if tokens[k].capitalised and word in _SKIPPABLE and k > 0:
            break  # 'Julia May said': a name, not a modal
        adverb = ADVERB_LY.match(word) is not None and not tokens[k].capitalised and word not in _LY_NOUNS
        negated = word.replace("’", "'").endswith("n't") or word == "neither"  # a negated auxiliary
        floating = word in ("both", "all", "each") and k > 0 and tokens[k - 1].is_word  # a floating quantifier
        if word in _SKIPPABLE or floating or word in _WEEKDAYS or adverb or negated \
                or word == "on" and k + 1 < len(tokens) and tokens[k + 1].lower in _WEEKDAYS:
            k -= 1
        elif word in _TIME_NOUNS and k >= 1 and tokens[k - 1].lower in ("this", "last", "next", "that", "each"):
            k -= 2
        elif word == ")":
            depth, k = 1, k - 1
            while k >= 0 and depth:
                depth += {")": 1, "(": -1}.get(tokens[k].text, 0)
                k -= 1
        else:
            break
    return k


def is_negated(tokens: list[Token], i: int) -> bool:
    """Whether the verb at token i is negated ('did not say', 'never said', 'won't confirm', 'Neither
    Roe nor Doe commented')."""
    k = i - 1
    while k >= 0:
        word = tokens[k].lower
        if word in ("not", "never", "cannot", "nor", "neither") or word.replace("’", "'").endswith("n't"):
            return True
        if word in _SKIPPABLE or ADVERB_LY.match(word):
            k -= 1
            continue
        break
    if k >= 0:  # the subject itself may carry the negation
        span = np_left(tokens, k)
        if span is not None and span[0] >= 1 and tokens[span[0] - 1].lower in ("nor", "neither"):
            return True
    return False


CLAUSE_STARTS = word_class("clause_start") | frozenset({":", ",", ".", "!", "?", ";", "”", '"', "’", "'", "—", "–",
                                                        "-"})


def act_in_context(cue: Cue, tokens: list[Token], last: int) -> Cue:
    """The act a cue has with what follows it: 'warned Russia not to escalate' directs (a warning that
    something is so asserts); 'offered condolences' expresses (an offer of help commits)."""
    after = [t.lower for t in tokens[last + 1 : last + 7]]
    if cue.lemma in _WARNINGS and cue.act != "directive":
        for k, word in enumerate(after):
            if word in ("that", ",", ".", ";", ":"):
                break
            if word == "to" and k > 0 and k + 1 < len(after) and after[k + 1].isalpha() \
                    and after[k + 1] not in _NOT_BEFORE_VERB:
                return Cue(cue.lemma, "directive", cue.kind, cue.speech)
    if cue.lemma == "offer" and any(word in _SENTIMENTS for word in after[:3]):
        return Cue(cue.lemma, "expressive", cue.kind, cue.speech)
    return cue


def finite_ing(tokens: list[Token], i: int) -> bool:
    """Whether the '-ing' word at i has an auxiliary ('is planning', 'are calling for') before
    the name that precedes it ('Is Trump planning …'), i.e. can be a finite verb phrase."""
    return any(t.lower in _BE for t in tokens[max(0, i - 4) : i])


def relays(name: str) -> bool:
    """Whether the organisation `name` is a news agency or outlet (it relays what others say)."""
    info = gazetteer().organisation_info.get(name)
    return info is not None and info.kind == "agency_news"


def catenative(tokens: list[Token], i: int) -> int | None:
    """The verb that a cue at token i is the infinitive of, when it carries the subject:
    'X continued to call for …', 'X seemed to think …', 'X went on to explain …'."""
    if i < 2 or tokens[i - 1].lower != "to":
        return None
    k = i - 2
    if tokens[k].lower in _CATENATIVES:
        return k
    if tokens[k].lower == "on" and k >= 1 and tokens[k - 1].lower in _GO_ON:
        return k - 1
    return None
