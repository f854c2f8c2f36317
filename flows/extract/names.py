"""Runs of words that name something: the countries, capitals and organisations the gazetteer
knows, affiliations, and the capitalised names of institutions it does not know.
"""

from __future__ import annotations

from functools import cache

from flows.extract.gazetteer import Gazetteer, gazetteer
from flows.extract.text import Token
from flows.extract.words import (
    INSTITUTION_WORDS,
    MEMO_LIMIT,
    POSSESSIVE,
    ROLE_MODIFIERS,
    UNKNOWN,
    is_role_word,
    remember,
)

__all__ = [
    "affiliation_of",
    "first_words",
    "inside_known_name",
    "is_institution_name",
    "is_plain_name_word",
    "joins_one_name",
    "place_or_org",
]


_INSIDE_KNOWN: dict[tuple[tuple[str, ...], int], bool] = {}


def joins_one_name(tokens: list[Token], i: int, end: int | None) -> bool:
    """Whether the 'and' at tokens[i] joins the words of one name rather than two speakers: inside
    a name our gazetteers know ('Bosnia and Herzegovina'), or before the capitalised words of an
    institution's name when the word before names nothing alone ('Food and Drug Administration',
    'Citizenship and Immigration Services'; not 'France and the European Commission'). `end` is the
    last token of the phrase when it is known (read leftwards), else the capitalised run is read."""
    if inside_known_name(tokens, i):
        return True
    if end is None:
        end = i + 1
        while end + 1 < len(tokens) and tokens[end + 1].capitalised:
            end += 1
    words = [t.text for t in tokens[i + 1 : end + 1]]
    if not words or not all(w[:1].isupper() for w in words) \
            or words[-1].lower().rstrip(".") not in INSTITUTION_WORDS:
        return False
    g = gazetteer()
    before = tokens[i - 1].text
    return place_or_org([before], g) is None and before.lower() not in g.given_names \
        and place_or_org(words, g) is None  # ('Dominion and Fox News': two speakers)


def inside_known_name(tokens: list[Token], i: int) -> bool:
    """Whether tokens[i] lies inside an organisation's or country's name of two to six words
    (it depends on the five words either side only: the answers are kept by those words)."""
    low = max(0, i - 5)
    key = (tuple([t.text for t in tokens[low : i + 6]]), i - low)
    known = _INSIDE_KNOWN.get(key)
    if known is None:
        known = _inside_known_name_uncached(tokens, i)
        if len(_INSIDE_KNOWN) >= MEMO_LIMIT:
            _INSIDE_KNOWN.clear()
        _INSIDE_KNOWN[key] = known
    return known


def _inside_known_name_uncached(tokens: list[Token], i: int) -> bool:
    g = gazetteer()
    for width in range(2, 7):
        for left in range(max(0, i - width + 1), i + 1):
            right = left + width
            if right > len(tokens):
                continue
            phrase = " ".join(t.text for t in tokens[left:right])
            if phrase in g.organisations or phrase in g.countries:
                return True
    return False


_PLACES: dict[str, tuple[str, str] | None] = {}  # phrase -> `place_or_org`
_AFFILIATIONS: dict[str, str | None] = {}  # phrase -> `affiliation_of`


def place_or_org(words: list[str], g: Gazetteer) -> tuple[str, str] | None:
    """('country'|'organisation'|'capital', canonical) for a run of words, or None."""
    phrase = " ".join(words)
    known = _PLACES.get(phrase, UNKNOWN)
    if known is not UNKNOWN:
        return known  # type: ignore[return-value]
    return remember(_PLACES, phrase, _place_or_org_of(phrase, g))


@cache
def first_words() -> frozenset[str]:
    """First words (lower case) of the names of several words in the demonym, country, organisation
    and capital tables: a phrase of several words whose first word is not one names nothing there."""
    g = gazetteer()
    names: list[str] = []
    for table in (g.demonyms, g.countries, g.organisations, g.capitals):
        names += [*table.exact, *table.folded]
    return frozenset(name.split(" ", 1)[0].lower() for name in names if " " in name)


def _place_or_org_of(phrase: str, g: Gazetteer) -> tuple[str, str] | None:
    if " " in phrase and phrase.split(" ", 1)[0].lower() not in first_words():
        return None
    for kind, table in (("country", g.countries), ("organisation", g.organisations), ("capital", g.capitals)):
        found = table.get(phrase)
        if found is not None:
            return kind, (phrase if kind == "capital" else found)
    return None


def affiliation_of(word_run: list[str], g: Gazetteer) -> str | None:
    if not word_run:
        return None
    phrase = " ".join(word_run)
    known = _AFFILIATIONS.get(phrase, UNKNOWN)
    if known is not UNKNOWN:
        return known  # type: ignore[return-value]
    return remember(_AFFILIATIONS, phrase, _affiliation_of_phrase(word_run, phrase, g))


def _affiliation_of_phrase(word_run: list[str], phrase: str, g: Gazetteer) -> str | None:
    demonym = g.demonyms.get(phrase)
    if demonym is not None:
        return demonym
    found = place_or_org(word_run, g)
    if found is None:
        return None
    kind, name = found
    return g.capitals.get(phrase) if kind == "capital" else name


def is_institution_name(words: list[str]) -> bool:
    """A capitalised multi-word name with an institution word ('U.S. Chamber of Commerce')."""
    if len(words) < 2 or not words[0][:1].isupper():
        return False
    if not all(w[:1].isupper() or w.lower() in ("of", "for", "and", "the", "on", "&") for w in words):
        return False
    g = gazetteer()
    if len(words) == 2 and words[1].lower() in INSTITUTION_WORDS and is_role_word(words[0], g) \
            and not POSSESSIVE.match(words[0]):
        return True  # 'Premier League', 'General Assembly': a role word naming the institution
    if words[-1].lower() in g.given_names or any(
            is_role_word(w, g) and w.lower() not in INSTITUTION_WORDS
            and w.lower().strip(".") not in ROLE_MODIFIERS
            for w in words):  # 'Fiscal Policy Institute', 'National Security Council': modifiers
        return False
    return any(w.lower().strip(".") in INSTITUTION_WORDS for w in words)


def is_plain_name_word(word: str, g: Gazetteer) -> bool:
    """A capitalised word of a name we do not know ('Morgan' in 'Morgan Stanley'): no role word, role
    modifier, function word or known place."""
    lower = word.lower().strip(".")
    return word[:1].isupper() and not is_role_word(word, g) and lower not in ROLE_MODIFIERS \
        and lower not in g.function_words and place_or_org([word], g) is None and word not in g.demonyms
