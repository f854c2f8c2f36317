"""Who is who in an article: noun phrases, names, roles, affiliations, and what they refer to.

A speaker is written many ways in one article: "Russian Deputy Foreign Minister
Sergei Ryabkov", then "Ryabkov", "he", "the Russian minister". `Registry` collects
the people, organisations and countries an article introduces (with role and
affiliation from pre-modifiers, appositions and possessives) and resolves later
mentions to them: surnames to the fullest name, pronouns to the most recent
compatible speaker, role nouns to the person introduced with that role.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Literal, TypeVar

from flows.extract.gazetteer import Gazetteer, gazetteer
from flows.extract.text import Token
from flows.lexicon import read_lines, read_table

__all__ = [
    "Entity",
    "NounPhrase",
    "Registry",
    "analyse_np",
    "description_left",
    "is_role_word",
    "np_left",
    "np_right",
    "postmodifier_affiliation",
    "speaker_right",
]

_T = TypeVar("_T")
Kind = Literal["person", "organisation", "country", "group", "pronoun", "unknown"]


def _listed(name: str) -> frozenset[str]:
    return frozenset(read_lines(name))


def _having(name: str, column: str, value: str) -> frozenset[str]:
    """The words of the table `name` whose `column` (one value, or a `|`-separated list) holds `value`."""
    return frozenset(row["word"] for row in read_table(name) if value in row[column].split("|"))


_DETERMINERS = frozenset(row["word"] for row in read_table("determiners.csv"))
_DEFINITE = _having("determiners.csv", "class", "definite")
_INDEFINITE = _having("determiners.csv", "class", "indefinite")
_POSSESSIVE_PRONOUNS = _having("determiners.csv", "class", "possessive")
_PARTICLES = _listed("name_particles.txt")
_CONNECTORS = _having("phrase_connectives.csv", "uses", "joins")
_NAME_SUFFIX = _listed("name_suffixes.txt")
_POSSESSIVE = re.compile(r"^(?P<base>.+?)(?:['’]s|s['’])$")
_PRONOUNS = _listed("subject_pronouns.txt")
_RECENT = 40  # speakers a pronoun may go back to
_WEEKDAY_NAMES = _having("calendar.csv", "kind", "weekday")
_CALENDAR = frozenset(row["word"] for row in read_table("calendar.csv"))
_ROLE_MODIFIERS = _listed("role_modifiers.txt")
_GROUP_HEADS = _listed("group_heads.txt")
_COMPANY_HEADS = _having("institution_words.csv", "uses", "company")
_INSTITUTION_HEADS = _having("institution_words.csv", "uses", "head") | _COMPANY_HEADS


@dataclass(slots=True)
class Entity:
    """A speaker (or someone who might become one) introduced in an article."""

    name: str
    kind: Kind
    role: str | None = None
    affiliation: str | None = None
    gender: str = ""  # 'm', 'f' or '' when unknown
    plural: bool = False
    first_offset: int = 0
    last_offset: int = 0
    tokens: tuple[str, ...] = ()
    weak_role: bool = False
    confirmed: bool = False  # known to be a person (given name, honorific, role, or a speaker)

    @property
    def surname(self) -> str:
        return self.tokens[-1].lower() if self.tokens else self.name.lower()


@dataclass(slots=True)
class NounPhrase:
    """A noun phrase analysed: the name it holds, or what it describes."""

    kind: Kind
    start: int
    end: int
    text: str
    name_tokens: tuple[str, ...] = ()
    role: str | None = None
    affiliation: str | None = None
    head: str | None = None  # head noun of a description ('minister')
    definite: bool = False
    indefinite: bool = False
    gender: str = ""
    plural: bool = False
    canonical: str | None = None  # the canonical name of an organisation or country
    weak_role: bool = False  # the role comes from an honorific only
    confirmed: bool = False  # a given name, honorific or role says this is a person
    titled_gender: str = ""  # the gender an honorific states ('Mr.', 'Mrs.'), never guessed from a name


# Answers that depend on nothing but their words and the gazetteer (read once per process) are
# kept per process, each table forgotten when it grows past _MEMO_LIMIT entries.
_MEMO_LIMIT = 200_000
_UNKNOWN = object()  # (not yet in a table that keeps None answers)


def _remember(memo: dict[str, _T], key: str, value: _T) -> _T:
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[key] = value
    return value


_POSSESSIVES: dict[str, tuple[str, bool]] = {}  # word -> `_strip_possessive`


def _strip_possessive(word: str) -> tuple[str, bool]:
    known = _POSSESSIVES.get(word)
    return known if known is not None else _remember(_POSSESSIVES, word, _strip_possessive_of(word))


def _strip_possessive_of(word: str) -> tuple[str, bool]:
    match = _POSSESSIVE.match(word)
    if match and len(match.group("base")) > 1:
        base = match.group("base")
        return (base + "s" if word.endswith(("s'", "s’")) and not word.endswith(("'s", "’s")) else base), True
    return word, False


# Answers about single words, which depend on nothing but the word and the gazetteer (read once per
# process): kept per process (see `_remember`).
_ROLE_WORDS: dict[str, bool] = {}
_NP_WORDS: dict[str, bool] = {}


def _proper_modifiers(role: str | None) -> frozenset[str]:
    """The capitalised words of a role other than its head and honorifics: 'Republican' in
    'Republican presidential nominee', 'Vermont' in 'the Vermont senator'."""
    if not role:
        return frozenset()
    g = gazetteer()
    return frozenset(w.lower() for w in role.replace("-", " ").split()
                     if w[:1].isupper() and not _is_role_head(w.lower(), g) and w.lower() not in g.honorifics
                     and w.lower() + "." not in g.honorifics and w.lower() not in g.function_words)


def _is_role_word(word: str, g: Gazetteer) -> bool:
    known = _ROLE_WORDS.get(word)
    if known is not None:
        return known
    lower = word.lower().strip(".")
    answer = (_is_role_head(lower, g) or lower in _ROLE_MODIFIERS or lower + "." in g.honorifics
              or lower in g.honorifics
              or ("-" in lower and all(part in _ROLE_MODIFIERS for part in lower.split("-"))))  # 'vice-presidential'
    return _remember(_ROLE_WORDS, word, answer)


def is_role_word(word: str) -> bool:
    """Whether `word` names or modifies a role ('minister', 'deputy', 'Sen.')."""
    return _is_role_word(word, gazetteer())


def _role_suffix(words: list[str], g: Gazetteer) -> bool:
    """Whether the words end with a known multi-word role ('secretary of state', 'chief of defence')."""
    lowered = [w.lower().strip(".") for w in words]
    return any(" ".join(lowered[k:]) in g.roles for k in range(len(lowered) - 1))


def _is_role_head(word: str, g: Gazetteer) -> bool:
    """A noun that names a role ('minister', 'co-leader', 'spokeswoman')."""
    lower = word.lower().strip(".")
    return lower in g.roles or ("-" in lower and lower.rsplit("-", 1)[-1] in g.roles)


def _np_word(token: Token, g: Gazetteer) -> bool:
    """Could `token` be part of a speaker noun phrase?"""
    text = token.text
    known = _NP_WORDS.get(text)
    return known if known is not None else _remember(_NP_WORDS, text, _np_text(text, g))


def _np_text(text: str, g: Gazetteer) -> bool:
    if not text[:1].isalnum():
        return False
    lower = text.lower()
    if text[:1].isupper() or text[:1].isdigit():
        return True
    if _particle_name(text):
        return True  # 'al-Harbi'

    base, _ = _strip_possessive(lower)
    return (
        lower in _DETERMINERS
        or lower in _PARTICLES
        or _is_role_word(base, g)
        or base in _GROUP_HEADS
        or base in _INSTITUTION_HEADS
        or base.rstrip("s") in _INSTITUTION_HEADS
        or _strip_possessive(text)[0] in g.demonyms
    )


def np_left(tokens: list[Token], end: int) -> tuple[int, int] | None:
    """The noun phrase that ends at token index `end` (inclusive), as (first, last) indexes.

    Walks left over name words, role words, demonyms, possessives and determiners; a
    determiner or possessive pronoun closes the phrase. None when tokens[end] cannot end one.
    """
    g = gazetteer()
    if end < 0:
        return None
    lower = tokens[end].lower
    if lower in _PRONOUNS:
        return end, end
    if not _np_word(tokens[end], g):
        return None
    if lower in _DETERMINERS and lower not in _POSSESSIVE_PRONOUNS:
        return None
    start = end
    i = end - 1
    while i >= 0:
        token = tokens[i]
        lower = token.lower
        if not token.capitalised and token.text[:1].isupper():
            break  # a verb of a Title Case headline ('… Christie Calls Hillary Clinton')
        surname_he = lower in _PRONOUNS and token.capitalised and i > 0 and tokens[i - 1].capitalised \
            and tokens[i + 1].capitalised
        if not surname_he and (lower in _PRONOUNS or lower in g.function_words and lower not in _DETERMINERS
                               and lower not in _CONNECTORS and not _is_role_word(lower, g)):
            if token.capitalised and i > 0 and tokens[i - 1].capitalised and _inside_known_name(tokens, i):
                i -= 1  # 'Doctors Without Borders': a word of a name we know
                continue
            break
        if lower == "the" and i - 1 >= 0 and tokens[i - 1].lower == "of" and tokens[i + 1].capitalised \
                and i - 2 >= 0 and (tokens[i - 2].capitalised or _is_role_word(tokens[i - 2].text, g)):
            i -= 2  # 'Under Secretary of the Treasury'
            continue
        if lower in _CONNECTORS:
            # 'Secretary of State', 'Organization for Security': between capitalised words;
            # 'secretary of state', 'chief of staff': between role words.
            if i - 1 >= 0 and (
                (
                    lower in ("of", "for", "and", "on", "&")
                    and tokens[i - 1].capitalised
                    and tokens[i + 1].capitalised
                    and tokens[i - 1].lower not in _GROUP_HEADS  # ('Residents of Khan Younis')
                    and (lower != "and" or _joined_name(tokens, i, end))
                )
                or (lower == "of" and _is_role_word(tokens[i - 1].text, g) and _is_role_word(tokens[i + 1].text, g))
                or (lower == "of" and any(" ".join(t.lower for t in tokens[i - 1 : i + w + 1]) in g.roles
                                          for w in (1, 2)))
            ):
                i -= 1
                continue
            break
        if not _np_word(token, g):
            # 'the U.N. emergency relief coordinator', 'Ukraine's infrastructure minister': up to three
            # plain nouns between a role head and its determiner, possessive or capitalised modifier
            reach = _compound_reach(tokens, i, start, end, g)
            if reach is None:
                break
            i = reach
            continue
        start = i
        if lower in _DETERMINERS:
            break
        i -= 1
    # Never start on a sentence-initial function word ('But', 'Meanwhile').
    while start <= end and tokens[start].lower in g.function_words \
            and tokens[start].lower not in _DETERMINERS and not _is_role_word(tokens[start].text, g):
        start += 1
    return (start, end) if start <= end else None


def _particle_name(word: str) -> bool:
    """'al-Harbi', 'el-Sisi', 'bin-Salman': a name that starts with a lower-case particle."""
    head, _, rest = word.partition("-")
    return bool(rest) and head.lower() in _PARTICLES and rest[:1].isupper()


def _compound_reach(tokens: list[Token], i: int, start: int, end: int, g: Gazetteer) -> int | None:
    """Index left of a run of plain nouns at tokens[i] that sits inside a role description, or None."""
    if not _is_role_head(tokens[end].text, g) or any(tokens[k].capitalised for k in range(start, end + 1)
                                                     if not _is_role_word(tokens[k].text, g)):
        return None
    k = i
    while k >= 0 and i - k < 3:
        word = tokens[k].text
        if not word.isalpha() or not word.islower() or word in g.function_words or word in _PREPOSITIONS_NP:
            break
        k -= 1
    if k == i or k < 0:
        return None
    anchor = tokens[k]
    lower = anchor.lower
    if lower in _DETERMINERS or _POSSESSIVE.match(anchor.text) or (anchor.capitalised and _np_word(anchor, g)):
        return k
    return None


_PREPOSITIONS_NP = _having("phrase_connectives.csv", "uses", "ends_compound")


_INSIDE_KNOWN: dict[tuple[tuple[str, ...], int], bool] = {}


def _joined_name(tokens: list[Token], i: int, end: int | None) -> bool:
    """Whether the 'and' at tokens[i] joins the words of one name rather than two speakers: inside
    a name our gazetteers know ('Bosnia and Herzegovina'), or before the capitalised words of an
    institution's name when the word before names nothing alone ('Food and Drug Administration',
    'Citizenship and Immigration Services'; not 'France and the European Commission'). `end` is the
    last token of the phrase when it is known (read leftwards), else the capitalised run is read."""
    if _inside_known_name(tokens, i):
        return True
    if end is None:
        end = i + 1
        while end + 1 < len(tokens) and tokens[end + 1].capitalised:
            end += 1
    words = [t.text for t in tokens[i + 1 : end + 1]]
    if not words or not all(w[:1].isupper() for w in words) \
            or words[-1].lower().rstrip(".") not in _INSTITUTION_WORDS:
        return False
    g = gazetteer()
    before = tokens[i - 1].text
    return _lookup_place_or_org([before], g) is None and before.lower() not in g.given_names \
        and _lookup_place_or_org(words, g) is None  # ('Dominion and Fox News': two speakers)


def _inside_known_name(tokens: list[Token], i: int) -> bool:
    """Whether tokens[i] lies inside an organisation's or country's name of two to six words
    (it depends on the five words either side only: the answers are kept by those words)."""
    low = max(0, i - 5)
    key = (tuple([t.text for t in tokens[low : i + 6]]), i - low)
    known = _INSIDE_KNOWN.get(key)
    if known is None:
        known = _inside_known_name_uncached(tokens, i)
        if len(_INSIDE_KNOWN) >= _MEMO_LIMIT:
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


def np_right(tokens: list[Token], start: int) -> tuple[int, int] | None:
    """The noun phrase that starts at token index `start`, as (first, last) indexes."""
    g = gazetteer()
    if start >= len(tokens) or not _np_word(tokens[start], g):
        return None
    if tokens[start].lower in _PRONOUNS:
        return start, start
    end = start
    kept = start  # the end of a role of several words ('secretary of state'), never trimmed
    i = start + 1
    while i < len(tokens):
        token = tokens[i]
        lower = token.lower
        if lower in _CONNECTORS:
            if (
                lower in ("of", "for", "and", "&")
                and i + 1 < len(tokens)
                and tokens[i + 1].capitalised
                and tokens[i - 1].capitalised
                and tokens[i - 1].lower not in _GROUP_HEADS
                and (lower != "and" or _joined_name(tokens, i, None))
            ):
                i += 1
                continue
            if lower == "of" and i + 1 < len(tokens):  # 'the secretary of state', 'the chief of staff'
                width = next((w for w in (2, 1) if i + w < len(tokens) and " ".join(
                    t.lower for t in tokens[i - 1 : i + w + 1]) in g.roles), 0)
                if width:
                    end = kept = i + width
                    i += width + 1
                    continue
            break
        if not _np_word(token, g) or lower in _DETERMINERS:
            break
        base = _strip_possessive(lower)[0]  # 'the committee's chairman'
        if not (token.capitalised or _is_role_word(base, g) or lower in _PARTICLES or base in _GROUP_HEADS
                or base in _INSTITUTION_HEADS or token.text in g.demonyms or _particle_name(token.text)):
            break
        end = i
        i += 1
    # a lower-case modifier ends no phrase: 'The Ledger first reported', 'the minister also'
    while end > max(start, kept) and not tokens[end].capitalised and tokens[end].lower in _ROLE_MODIFIERS \
            and not _is_role_head(tokens[end].lower, g):
        end -= 1
    return start, end


_PLACES: dict[str, tuple[str, str] | None] = {}  # phrase -> `_lookup_place_or_org`
_AFFILIATIONS: dict[str, str | None] = {}  # phrase -> `_affiliation_of`


def _lookup_place_or_org(words: list[str], g: Gazetteer) -> tuple[str, str] | None:
    """('country'|'organisation'|'capital', canonical) for a run of words, or None."""
    phrase = " ".join(words)
    known = _PLACES.get(phrase, _UNKNOWN)
    if known is not _UNKNOWN:
        return known  # type: ignore[return-value]
    return _remember(_PLACES, phrase, _place_or_org(phrase, g))


@cache
def _first_words() -> frozenset[str]:
    """First words (lower case) of the names of several words in the demonym, country, organisation
    and capital tables: a phrase of several words whose first word is not one names nothing there."""
    g = gazetteer()
    names: list[str] = []
    for table in (g.demonyms, g.countries, g.organisations, g.capitals):
        names += [*table.exact, *table.folded]
    return frozenset(name.split(" ", 1)[0].lower() for name in names if " " in name)


def _place_or_org(phrase: str, g: Gazetteer) -> tuple[str, str] | None:
    if " " in phrase and phrase.split(" ", 1)[0].lower() not in _first_words():
        return None
    for kind, table in (("country", g.countries), ("organisation", g.organisations), ("capital", g.capitals)):
        found = table.get(phrase)
        if found is not None:
            return kind, (phrase if kind == "capital" else found)
    return None


def _affiliation_of(word_run: list[str], g: Gazetteer) -> str | None:
    if not word_run:
        return None
    phrase = " ".join(word_run)
    known = _AFFILIATIONS.get(phrase, _UNKNOWN)
    if known is not _UNKNOWN:
        return known  # type: ignore[return-value]
    return _remember(_AFFILIATIONS, phrase, _affiliation_of_phrase(word_run, phrase, g))


def _affiliation_of_phrase(word_run: list[str], phrase: str, g: Gazetteer) -> str | None:
    demonym = g.demonyms.get(phrase)
    if demonym is not None:
        return demonym
    found = _lookup_place_or_org(word_run, g)
    if found is None:
        return None
    kind, name = found
    return g.capitals.get(phrase) if kind == "capital" else name


# Analyses of the noun phrases seen so far, by their words (and whether a capitalised word comes
# before: 'Ryan He' is a name, not a pronoun); forgotten when they grow past _MEMO_LIMIT.
_ANALYSED: dict[tuple[tuple[str, ...], bool], NounPhrase] = {}


def analyse_np(tokens: list[Token], first: int, last: int) -> NounPhrase:
    """Say what the noun phrase tokens[first..last] is: a pronoun, a name (with role and
    affiliation from its pre-modifiers), an organisation or country, or a description.

    The answer depends on the words only, so the same words are analysed once; every caller
    gets its own copy (callers refine what they get)."""
    key = (tuple([t.text for t in tokens[first : last + 1]]), first > 0 and tokens[first - 1].capitalised)
    known = _ANALYSED.get(key)
    if known is None:
        known = _analyse_np(tokens, first, last)
        if len(_ANALYSED) >= _MEMO_LIMIT:
            _ANALYSED.clear()
        _ANALYSED[key] = known
    return NounPhrase(  # (positional: the fields in their order)
        known.kind, tokens[first].start, tokens[last].end, known.text, known.name_tokens, known.role,
        known.affiliation, known.head, known.definite, known.indefinite, known.gender, known.plural,
        known.canonical, known.weak_role, known.confirmed, known.titled_gender,
    )


def _analyse_np(tokens: list[Token], first: int, last: int) -> NounPhrase:
    g = gazetteer()
    words = [t.text for t in tokens[first : last + 1]]
    start, end = tokens[first].start, tokens[last].end
    text = " ".join(words)
    lowered = [w.lower() for w in words]
    if len(words) == 1 and lowered[0] in _PRONOUNS and not (words[0][:1].isupper() and first > 0
                                                             and tokens[first - 1].capitalised):
        gender, number = g.pronouns.get(lowered[0], ("", "sg"))
        return NounPhrase("pronoun", start, end, text, gender=gender, plural=number == "pl",
                          head=lowered[0])
    np = NounPhrase("unknown", start, end, text)
    i = 0
    if lowered[0] in _DETERMINERS:
        np.definite = lowered[0] in _DEFINITE or lowered[0] in _POSSESSIVE_PRONOUNS
        np.indefinite = lowered[0] in _INDEFINITE
        i = 1
    # Whole phrase (after the determiner) a known organisation or country?
    rest = words[i:]
    group = " ".join(rest)
    if group.lower() in g.groups or (len(rest) == 1 and group.endswith("s") and group in g.demonyms):
        # 'Republicans', 'the Tories', 'Americans': members speaking as a group
        np.kind, np.plural, np.head = "group", True, group.lower()
        np.canonical = group
        np.affiliation = g.groups.get(group.lower()) or g.demonyms.get(group)
        return np
    if len(rest) == 1 and rest[0].lower() in _GROUP_HEADS:
        # 'Analysts said', 'Critics argue': a group opening its sentence, never a name
        np.kind, np.plural, np.head = "group", True, rest[0].lower()
        return np
    whole = _lookup_place_or_org(rest, g)
    if whole is not None and whole[0] != "capital":
        np.kind = "organisation" if whole[0] == "organisation" else "country"
        np.canonical = whole[1]
        np.plural = rest[-1].lower() in _GROUP_HEADS
        return np
    if whole is not None and len(rest) == 1:
        np.kind, np.canonical = "organisation", rest[0]
        np.affiliation = g.capitals.get(rest[0])
        return np
    # 'Samsung Electronics Co', 'Microsoft Corp.': a company, named without its legal form
    if len(rest) >= 2 and rest[-1].lower().rstrip(".") in _LEGAL_FORMS and all(w[:1].isupper() or w == "&"
                                                                                 for w in rest[:-1]):
        named = rest[:-1]
        while len(named) > 1 and named[-1] in ("&", ","):
            named = named[:-1]
        np.kind, np.canonical = "organisation", " ".join(named)
        return np
    # 'Johnson & Johnson', 'Bailey & Glasser': a firm named with an ampersand
    if len(rest) >= 3 and "&" in rest[1:-1] and all(w[:1].isupper() or w == "&" for w in rest):
        np.kind, np.canonical = "organisation", " ".join(rest)
        return np
    # Trailing name: capitalised words that are neither role words nor places.
    j = len(words)
    name: list[str] = []
    while j > i:
        word = words[j - 1]
        base, possessive = _strip_possessive(word)
        lower = base.lower()
        particle_name = _particle_name(word)
        after_given = j - 2 >= i and words[j - 2].lower() in g.given_names
        # 'Stephen King', 'John Major', 'Peter Singer': a role word as the surname after a given name
        title_surname = after_given and word[:1].isupper() and all(n.lower() in _NAME_SUFFIX for n in name)
        is_name_word = (
            (word[:1].isupper() or (lower in _PARTICLES and name) or particle_name)
            and not possessive
            and (not _is_role_word(lower, g) or title_surname)
            and base not in g.demonyms
            and (lower not in g.function_words or (lower in _PRONOUNS and name and j - 1 > i
                                                   and words[j - 2][:1].isupper()))
            and (base not in g.countries or (after_given and not name))  # 'Chuck Jordan', 'Ann Chad'
        )
        if lower in _NAME_SUFFIX and not name:
            is_name_word = True
        if lower in _CALENDAR and (lower in _WEEKDAY_NAMES or _near_number(words, j - 1)) and not after_given:
            is_name_word = False
        if not is_name_word:
            break
        name.insert(0, word)
        j -= 1
    # A month on its own ('In June, the senator …') is a date, not a person's name.
    if len(name) == 1 and name[0].lower().rstrip(".") in _CALENDAR:
        name = []
        j = len(words)
    # A trailing capitalised run that is a known org or country is not a person's name.
    if name and _lookup_place_or_org(name, g) is not None:
        name = []
        j = len(words)
    # '… of the Treasury Mark Kessler': the name starts at its given name.
    given_at = next((k for k, w in enumerate(name) if w.lower() in g.given_names), -1)
    if given_at > 0 and len(name) - given_at >= 2 and any(
            w.lower().strip(".") in _INSTITUTION_WORDS or _lookup_place_or_org([w], g) is not None
            or _is_role_word(w, g) or w in g.demonyms or w.lower() + "s" in g.groups
            for w in name[:given_at]):  # ('Democrat Hillary Clinton'; not 'José Luis Rodríguez Zapatero')
        j += given_at
        name = name[given_at:]
    # 'The U.S. Chamber of Commerce', 'Northgate Strategies': a capitalised name of an institution.
    lead = 0  # 'the nonpartisan Tax Policy Center': lower-case modifiers before the name
    while lead < len(rest) - 2 and rest[lead] in _ROLE_MODIFIERS:
        lead += 1
    if given_at < 0 and _institution_name(rest[lead:]):
        np.kind = "organisation"
        np.canonical = " ".join(rest[lead:]).strip()
        return np
    modifiers = words[i:j]
    affiliation, role_words = _split_modifiers(modifiers, g, np)
    np.affiliation = affiliation
    if name:
        np.kind = "person"
        np.name_tokens = tuple(n for n in name if n.lower() not in _NAME_SUFFIX)
        honorific = next((w for w in role_words if w.lower() in g.honorifics or w.lower() + "." in g.honorifics), None)
        if honorific is not None:
            key = honorific.lower()
            expansion, gender = g.honorifics.get(key) or g.honorifics.get(key + ".", ("", ""))
            np.gender = np.titled_gender = gender
            role_words = [w for w in role_words if w != honorific]
            if expansion and not role_words and expansion.lower() in g.roles:
                role_words = [expansion]
                np.weak_role = True  # 'Dr.', 'Sen.': an apposition may say more
        np.role = " ".join(role_words) or None
        np.weak_role = np.weak_role or bool(role_words) and all(_is_rank(w, g) for w in role_words)
        given = g.given_names.get(np.name_tokens[0].lower(), "") if np.name_tokens else ""
        # a name alone ('Jordan', 'Kelly') may be a surname: its gender is not the given name's
        # ('u': a given name of either gender, 'Dana', 'Andrea')
        np.gender = np.gender or (given if len(np.name_tokens) > 1 and given in ("m", "f") else "")
        np.confirmed = bool(given or honorific or np.role)
        if lowered[0] in ("the", "a", "an") and len(np.name_tokens) == 1 and not np.confirmed:
            if np.name_tokens[0].isupper() and len(np.name_tokens[0]) > 1:
                np.kind, np.canonical = "organisation", np.name_tokens[0]  # 'the NYPD', 'the FNSEA'
            else:
                np.kind = "unknown"  # 'the Tulsa protest', 'the other Baltic': an adjective, not a person
        return np
    # A description: '(the) (Russian) (deputy) minister', 'a senior State Department official'.
    if role_words:
        head = role_words[-1].lower()
        joined = " ".join(role_words).lower()
        if " of " in joined and joined in g.roles:  # 'secretary of state', 'chief of staff': the head comes first
            head = joined.split(" of ")[0].split()[-1]
        np.head = head
        np.role = " ".join(role_words)
        if head in _GROUP_HEADS or (head.endswith("s") and head[:-1] in g.roles):
            np.kind, np.plural = "group", True
        elif _is_role_head(head, g) or _role_suffix(role_words, g):
            np.kind = "group" if np.indefinite else "unknown"
        elif head in _INSTITUTION_HEADS:
            np.kind = "organisation"
        else:
            np.kind, np.head, np.role = "unknown", None, None  # 'the high', 'the state': no one
        return np
    return np


_INSTITUTION_KINDS: dict[str, tuple[str, ...]] = {
    row["word"]: tuple(row["kinds"].split("|")) for row in read_table("institution_words.csv") if row["kinds"]
}
_INSTITUTION_WORDS = _INSTITUTION_HEADS | _having("institution_words.csv", "uses", "name")


def _institution_name(words: list[str]) -> bool:
    """A capitalised multi-word name with an institution word ('U.S. Chamber of Commerce')."""
    if len(words) < 2 or not words[0][:1].isupper():
        return False
    if not all(w[:1].isupper() or w.lower() in ("of", "for", "and", "the", "on", "&") for w in words):
        return False
    g = gazetteer()
    if len(words) == 2 and words[1].lower() in _INSTITUTION_WORDS and _is_role_word(words[0], g) \
            and not _POSSESSIVE.match(words[0]):
        return True  # 'Premier League', 'General Assembly': a role word naming the institution
    if words[-1].lower() in g.given_names or any(
            _is_role_word(w, g) and w.lower() not in _INSTITUTION_WORDS
            and w.lower().strip(".") not in _ROLE_MODIFIERS
            for w in words):  # 'Fiscal Policy Institute', 'National Security Council': modifiers
        return False
    return any(w.lower().strip(".") in _INSTITUTION_WORDS for w in words)


_POST = _having("phrase_connectives.csv", "uses", "post_modifier")
# words that describe an unnamed source by what it knows, and the nouns they follow (besides _GROUP_HEADS)
_SOURCE_MODIFIERS = _having("source_words.csv", "class", "modifier")
_SOURCE_HEADS = _having("source_words.csv", "class", "head")
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
    return _affiliation_of(words, g) or " ".join(words), span[1]


def speaker_right(tokens: list[Token], start: int) -> tuple[int, int] | None:
    """The speaker phrase starting at `start` after a cue ('said flood survivor Ana Ruiz', 'according to
    veteran late-night radio host Sam Carter'): the noun phrase there, stretched over up to five
    lower-case words or numbers to a capitalised name when the phrase alone names nobody."""
    span = np_right(tokens, start)
    names = span is not None and any(t.capitalised for t in tokens[span[0] : span[1] + 1]
                                     if t.lower not in _DETERMINERS)
    if span is not None and names:
        return span
    k = start
    while k < len(tokens) and k - start < 6:
        token = tokens[k]
        if token.text in (".", ",", ";", ":", "!", "?", "(", ")", "”", '"'):
            return span
        if token.capitalised and token.lower not in _DETERMINERS:
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
        # '… special envoy for the dialogue', 'People familiar with the matter': a post-modifier of
        # plain words after the role or group (never one that ends in a verb: '… said talks')
        verb = g.verbs.get(tokens[end].lower) if end >= 0 else None
        if end < 0 or not tokens[end].text.isalpha() or (verb is not None and verb.lemma != tokens[end].lower
                                                         and not tokens[end].lower.endswith("s")):
            return None  # ('said' is a verb; 'plan' may be a noun)
        for p in range(end - 1, max(end - 5, 0), -1):
            if tokens[p].lower in _POST:
                described = _post_modified(tokens, p, end, g)
                if described is not None:
                    return described
            if tokens[p].text in (",", ".", ";", ":"):
                break
        return None
    k = span[0] - 1
    if k >= 1 and tokens[k].lower == "the":
        k -= 1
    if k >= 1 and tokens[k].lower in ("at", "of", "from", "with") and tokens[k - 1].capitalised \
            and not _is_role_word(tokens[k - 1].text, g):
        named = np_left(tokens, k - 1)  # 'Dan McLaughlin at the National Review'
        if named is not None:
            person = analyse_np(tokens, named[0], named[1])
            if person.kind == "person" and person.confirmed:
                if person.affiliation is None:
                    person.affiliation = postmodifier_affiliation(tokens, k)[0]
                return named[0], span[1], person
    if k >= 1 and tokens[k].lower in _POST:
        described = _post_modified(tokens, k, span[1], g)
        if described is not None:
            return described
    return span[0], span[1], analyse_np(tokens, span[0], span[1])


def _post_modified(tokens: list[Token], k: int, end: int, g: Gazetteer) -> tuple[int, int, NounPhrase] | None:
    """A role or group with the post-modifier that starts at the preposition tokens[k] and ends at
    tokens[end]: 'Britain's ambassador to the U.N.', 'Analysts at Goldman Sachs', 'People familiar
    with the matter' (a group described by what it knows)."""
    known_by = k >= 2 and tokens[k - 1].lower in _SOURCE_MODIFIERS \
        and (tokens[k - 2].lower in _SOURCE_HEADS or tokens[k - 2].lower in _GROUP_HEADS)
    if not (known_by or _is_role_word(tokens[k - 1].text, g) or tokens[k - 1].lower in _GROUP_HEADS):
        return None
    head = np_left(tokens, k - 2 if known_by else k - 1)
    if head is None and known_by:  # 'A source close to …' ('source' opens no phrase of its own)
        head = (k - 3 if k >= 3 and tokens[k - 3].lower in _DETERMINERS else k - 2, k - 2)
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
            known = _affiliation_of(place, gazetteer()) or (" ".join(place) if _institution_name(place) else None)
            person.affiliation = person.affiliation or known  # 'of Oxford University', not 'of Maryland'
            return first, last, person
    return None


_AGED = re.compile(r"^[Tt]he \d{1,3}-year-old$")


def is_age_epithet(text: str) -> bool:
    """'the 62-year-old': a person the article named, referred to by age."""
    return _AGED.match(text) is not None
_NAME_CONNECTORS = _having("phrase_connectives.csv", "uses", "in_name")
_ANY_ORGANISATION_HEADS = _having("institution_words.csv", "uses", "any_organisation")
_OWNED_HEADS = _having("institution_words.csv", "uses", "owned")
_AGENCY_HEADS = _having("institution_words.csv", "uses", "agency_head")
_AGENCY_WORDS = _having("institution_words.csv", "uses", "agency_word")
_SCAN = 100  # persons (the latest named) a fallback looks through: linear in the article
_NEAR = 3_000  # characters: how far back a generic head ('the company') looks for its organisation
_LEGAL_FORMS = _listed("legal_forms.txt")
_SEATS = _having("institution_words.csv", "uses", "seat")
_NAME_SMALL = _having("phrase_connectives.csv", "uses", "small_in_name")


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
    if first == connector or not any(t.lower.strip(".") in _INSTITUTION_WORDS for t in tokens[first:connector]):
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


def _near_number(words: list[str], k: int) -> bool:
    """Whether the word at k stands next to a number ('March 4', '4 March')."""
    return any(0 <= j < len(words) and words[j][:1].isdigit() for j in (k - 1, k + 1))


@cache
def _ranks() -> frozenset[str]:
    g = gazetteer()
    words = {h.strip(".") for h in g.honorifics} | {e.lower() for e, _ in g.honorifics.values()}
    return frozenset(w.lower() for w in words)


def _is_rank(word: str, g: Gazetteer) -> bool:
    """'Captain', 'General', 'Dr.': a rank or honorific, which an apposition may refine."""
    return word.lower().strip(".") in _ranks()


def _split_modifiers(modifiers: list[str], g: Gazetteer, np: NounPhrase) -> tuple[str | None, list[str]]:
    """Split pre-modifiers into an affiliation (demonym, possessive, country, organisation) and role words."""
    affiliation: str | None = None
    role: list[str] = []
    k = 0
    while k < len(modifiers):
        word = modifiers[k]
        base, possessive = _strip_possessive(word)
        if possessive:
            # "Ukraine's", "NATO's", "the EU's": affiliation from everything up to here.
            run = [*role, base] if role and all(w[:1].isupper() for w in role) else [base]
            aff = _affiliation_of(run, g) or _affiliation_of([base], g)
            if aff is None and base[:1].isupper() and base.lower() not in g.function_words:
                aff = " ".join(run)
            if aff is not None:
                affiliation = aff
                role = []
            k += 1
            continue
        if affiliation is None and base in g.demonyms:
            affiliation = g.demonyms.get(base)
            k += 1
            continue
        # Longest known organisation or country starting here ('State Department', 'Foreign Ministry').
        matched = False
        # (a run of several words can name one only if its first word starts a name of several words)
        widest = min(6, len(modifiers) - k) if modifiers[k].lower() in _first_words() else 1
        inside_name = k > 0 and bool(role) and role[-1] == modifiers[k - 1] and _plain_name_word(role[-1], g)
        for width in range(widest, 0, -1):
            run = modifiers[k : k + width]
            if width == 1 and _is_role_word(run[0], g) and run[0] not in g.organisations:
                continue
            if width == 1 and inside_name:
                continue  # 'Morgan Stanley analyst': not Stanley, the Falklands' capital
            found = _affiliation_of(run, g)
            if found is not None:
                if affiliation is None:
                    affiliation = found
                k += width
                matched = True
                break
        if matched:
            continue
        role.append(word)
        k += 1
    # Leading capitalised words before the first role word, not themselves role words, name an
    # organisation ('Wells Fargo CEO'): an affiliation, not part of the role.
    lead = []
    for word in role:
        if word[:1].isupper() and not _is_role_word(word, g) and word.lower() not in g.function_words:
            lead.append(word)
        else:
            break
    # ... but never the first word of a role of several words ('District Attorney Alvin Bragg')
    at = next((j for j in range(len(lead)) if any(" ".join(role[j : j + w]).lower() in g.roles for w in (2, 3))),
              len(lead))
    lead = lead[:at]
    if lead and len(lead) < len(role):
        if affiliation is None:
            affiliation = " ".join(lead)
        role = role[len(lead) :]
    while role and role[0].lower() in g.function_words and not _is_role_word(role[0], g):
        role = role[1:]
    if role and not any(_is_role_head(w, g) or w.lower() in g.honorifics or w.lower() + "." in g.honorifics
                        for w in role):
        role = [] if np.kind == "person" or all(w[:1].isupper() for w in role) else role
    return affiliation, role


@cache
def _name_key(word: str) -> str:
    """A surname as it is looked up: lower case, without diacritics ('Erdogan' is 'Erdoğan') or a
    particle joined by a hyphen ('Sisi' is 'el-Sisi')."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))
    head, joined, rest = folded.partition("-")
    return rest if joined and head in _PARTICLES and rest else folded


def _plain_name_word(word: str, g: Gazetteer) -> bool:
    """A capitalised word of a name we do not know ('Morgan' in 'Morgan Stanley'): no role word, role
    modifier, function word or known place."""
    lower = word.lower().strip(".")
    return word[:1].isupper() and not _is_role_word(word, g) and lower not in _ROLE_MODIFIERS \
        and lower not in g.function_words and _lookup_place_or_org([word], g) is None and word not in g.demonyms


@dataclass(slots=True)
class Registry:
    """The entities of one article, in order of first mention, and their resolution."""

    entities: list[Entity] = field(default_factory=list)
    speakers: list[tuple[int, Entity]] = field(default_factory=list)  # (offset, entity) of past attributions
    body_start: int = 0  # where the body starts: a name only the headline holds is never a fallback
    subjects: list[tuple[int, Entity]] = field(default_factory=list)  # (offset, person) opening a sentence
    answering: Entity | None = None  # the person of the last 'Name:' label, who answers an interview's 'A:'
    authors: dict[str, Entity] = field(default_factory=dict)  # 'statement' -> who issued the last one named
    # Indexes over `entities`, kept up to date by `_add` and `_rename`, so that resolving a name
    # looks at the few entities it may refer to instead of all of them (in the same order):
    _order: dict[int, int] = field(default_factory=dict, repr=False)  # id(entity) -> position in entities
    _persons: list[Entity] = field(default_factory=list, repr=False)
    _surnames: dict[str, list[Entity]] = field(default_factory=dict, repr=False)  # last name word, lower case
    _firsts: dict[str, list[Entity]] = field(default_factory=dict, repr=False)  # first word of two-word names
    _named: dict[tuple[str, str], Entity] = field(default_factory=dict, repr=False)  # (kind, name) -> first
    _spoken: set[int] = field(default_factory=set, repr=False)  # ids of the entities in `speakers`
    _org_last_words: dict[str, list[Entity]] = field(default_factory=dict, repr=False)  # 'Times' -> orgs

    def _add(self, entity: Entity) -> None:
        self._order[id(entity)] = len(self.entities)
        self.entities.append(entity)
        if entity.kind == "person":
            self._persons.append(entity)
            self._index_name(entity)
        else:
            self._named.setdefault((entity.kind, entity.name), entity)
            words = entity.name.split()
            if entity.kind == "organisation" and len(words) > 1:
                self._org_last_words.setdefault(words[-1], []).append(entity)

    def _index_name(self, entity: Entity) -> None:
        if not entity.tokens:
            return
        self._surnames.setdefault(_name_key(entity.tokens[-1]), []).append(entity)
        if len(entity.tokens) in (2, 3):
            self._firsts.setdefault(entity.tokens[0].lower(), []).append(entity)

    def _rename(self, entity: Entity, tokens: tuple[str, ...]) -> None:
        """Give a person a fuller name, and move it in the indexes (keeping their order)."""
        for index, key in ((self._surnames, _name_key(entity.tokens[-1]) if entity.tokens else None),
                           (self._firsts, entity.tokens[0].lower() if len(entity.tokens) in (2, 3) else None)):
            if key is not None:
                index[key] = [e for e in index[key] if e is not entity]
        entity.tokens, entity.name = tokens, " ".join(tokens)
        self._index_name(entity)
        order = self._order
        for index, key in ((self._surnames, _name_key(tokens[-1]) if tokens else None),
                           (self._firsts, tokens[0].lower() if len(tokens) in (2, 3) else None)):
            if key is not None:
                index[key].sort(key=lambda e: order[id(e)])

    def _candidates(self, lowered: list[str], family_first: bool) -> list[Entity]:
        """The persons whose surname is the last of `lowered` or, for a family name written alone
        (`family_first`), whose two-word name starts with it: in order of first mention."""
        found = self._surnames.get(_name_key(lowered[-1]), [])
        if family_first:
            firsts = self._firsts.get(lowered[0])
            if firsts:
                order = self._order
                merged = {id(e): e for e in found}
                merged.update((id(e), e) for e in firsts)
                found = sorted(merged.values(), key=lambda e: order[id(e)])
        return found

    def _by_name(self, tokens: tuple[str, ...], gender: str = "", role: str | None = None) -> Entity | None:
        """The person registered under `tokens` (or a fuller form of it) whose gender, when known,
        is not the other one (`gender` from an honorific: 'Mr. Obama' is not Michelle Obama)."""
        lowered = [t.lower() for t in tokens]
        best: Entity | None = None
        # a family name written alone: 'Zhao' for 'Zhao Ming', 'Kim' for 'Kim Jong Un' (not a given name,
        # or one given to either gender)
        family_first = len(lowered) == 1 and gazetteer().given_names.get(lowered[0], "u") == "u"
        candidates = self._candidates(lowered, family_first)
        names = gazetteer().given_names
        head = role.lower().split()[-1] if role else ""
        best_rank: tuple[bool, bool, int] = (False, False, 0)
        if family_first and any(e.tokens and e.tokens[-1].lower() == lowered[-1] for e in candidates):
            family_first = False  # 'Obama' is 'President Obama', not a 'Obama Speech' read family name first
        for entity in candidates:
            if entity.kind != "person" or not entity.tokens or (gender and entity.gender and entity.gender != gender):
                continue
            ent = [t.lower() for t in entity.tokens]
            if _name_key(ent[-1]) != _name_key(lowered[-1]) \
                    and not (family_first and len(ent) in (2, 3) and ent[0] == lowered[0]):
                continue  # surnames match; 'Zhao' also matches 'Zhao Ming' (family name first)
            # 'De Souza' is 'Ana de Souza'
            if len(lowered) > 1 and ent[0] != lowered[0] and len(ent) > 1 \
                    and not ent[0].startswith(lowered[0][:1]) and ent[-len(lowered):] != lowered:
                continue
            # the same role first ('President Sousa' is the president, not the first lady Ana Sousa), then
            # a given name ('Barack Obama' over 'Star Mom Corners Obama'), then the fullest, then the latest
            rank = (bool(head and entity.role and head in entity.role.lower().split()),
                    entity.tokens[0].lower() in names, len(entity.tokens))
            if best is None or rank > best_rank or (rank == best_rank and entity.last_offset > best.last_offset):
                best, best_rank = entity, rank
        if best is None and len(lowered) == 1:
            best = self._by_inner_name(lowered[0], gender)
        return best

    def _by_inner_name(self, word: str, gender: str) -> Entity | None:
        """'Serena said' after 'Serena Williams', 'Lula said' after 'Luiz Inácio Lula da Silva': a
        word of one person's name before their surname, when it is the only such person."""
        key = _name_key(word)
        found = [e for e in self._persons[-_SCAN:] if e.kind == "person" and len(e.tokens) >= 2
                 and (not gender or not e.gender or e.gender == gender)
                 and any(_name_key(t) == key for t in e.tokens[:-1])]
        return found[0] if len(found) == 1 else None

    def register(self, np: NounPhrase) -> Entity | None:
        """Add or update the entity `np` names; returns it (None for pronouns and bare descriptions)."""
        if np.kind == "person" and np.name_tokens:
            # the gender an honorific states, or a given name's in a plain 'First Last' name
            # ('Michelle Obama' is not the 'Mr. Obama' named before; 'Von der Leyen' may be anyone's)
            gender = np.titled_gender or (np.gender if len(np.name_tokens) == 2 else "")
            entity = self._by_name(np.name_tokens, gender, np.role)
            if entity is None:
                entity = Entity(" ".join(np.name_tokens), "person", first_offset=np.start, tokens=np.name_tokens)
                self._add(entity)
            elif len(np.name_tokens) > len(entity.tokens) or (
                    entity.name.isupper() and not " ".join(np.name_tokens).isupper()
                    and len(np.name_tokens) == len(entity.tokens)):
                self._rename(entity, np.name_tokens)  # (also 'Haley' for a transcript's 'HALEY')
            if np.role and (not entity.role or (entity.weak_role and not np.weak_role)):
                entity.role, entity.weak_role = np.role, np.weak_role
            entity.affiliation = entity.affiliation or np.affiliation
            entity.gender = entity.gender or np.gender
            entity.confirmed = entity.confirmed or np.confirmed
            entity.last_offset = np.end
            return entity
        if np.kind in ("organisation", "country") and np.canonical:
            found = self._named.get((np.kind, np.canonical))
            if found is not None:
                found.last_offset = np.end
                return found
            entity = Entity(np.canonical, np.kind, affiliation=np.affiliation, first_offset=np.start,
                            plural=np.plural, last_offset=np.end)
            self._add(entity)
            return entity
        return None

    def _possessor(self, np: NounPhrase, offset: int) -> None:
        """'its spokeswoman' after 'The United Nations': the affiliation is the organisation or
        country mentioned last before `offset`."""
        words = np.text.split()
        if np.affiliation is not None or not words or words[0].lower() not in ("its", "their"):
            return
        owner = max((e for e in self.entities if e.kind in ("organisation", "country") and e.first_offset < offset),
                    key=lambda e: e.last_offset if e.last_offset <= offset else -1, default=None)
        if owner is not None:
            np.affiliation = owner.name

    def describe(self, entity: Entity, np: NounPhrase) -> None:
        """Give `entity` the role and affiliation an apposition or description states."""
        if entity.kind != "person":
            return
        self._possessor(np, np.start)
        if np.role and (not entity.role or entity.weak_role):
            entity.role, entity.weak_role = np.role, False
        entity.affiliation = entity.affiliation or np.affiliation
        entity.confirmed = entity.confirmed or bool(np.role)

    def resolve(self, np: NounPhrase, offset: int) -> Entity | None:
        """The entity a subject noun phrase refers to, or None when it refers to nobody we know."""
        if np.kind == "pronoun":
            return self._pronoun(np, offset)
        if is_age_epithet(np.text):  # 'the 62-year-old said': the person last named
            return max((e for e in self._persons if e.confirmed and e.first_offset <= offset),
                       key=lambda e: e.last_offset if e.last_offset <= offset else e.first_offset, default=None)
        if np.kind == "person":
            entity = self.register(np)
            return entity
        if np.kind in ("organisation", "country") and np.canonical:
            words = np.text.split()
            if len(words) == 1 and words[0][:1].isupper() and not words[0].isupper():
                person = self._by_name((words[0],))  # 'Jordan said' after 'Police Chief Dana Jordan'
                if person is not None and person.first_offset <= offset:
                    person.last_offset = max(person.last_offset, np.end)
                    return person
            return self.register(np)
        national = self._by_nationality(np, offset)
        if national is not None:
            return national
        if np.head and np.kind == "organisation" and np.definite:
            entity = self._by_institution(np, offset) or self._by_recent_organisation(np, offset)
            if (np.head or "").lower() in _ANY_ORGANISATION_HEADS:
                entity = self._later_unconfirmed(entity, offset)
            if entity is not None:
                return entity
        if np.kind == "unknown" and np.definite and len(np.name_tokens) == 1:
            entity = self._by_last_word(np.name_tokens[0], offset)
            if entity is not None:
                return entity
            word = np.name_tokens[0]
            g = gazetteer()
            if np.text.split()[0] == "The" and word.isalpha() and (word.lower() + "s") not in g.groups \
                    and word not in g.demonyms:  # ('The Democrat said' is a person)
                # 'The Courier reported', 'The Ledger wrote': a title with its capitalised article
                return self.register(NounPhrase("organisation", np.start, np.end, np.text,
                                                canonical=" ".join(np.text.split())))
        if np.head and (np.definite or np.kind == "unknown") and not np.indefinite and not np.plural:
            entity = self._by_role(np, offset) or self._by_unstated_role(np, offset)
            if entity is not None:
                return entity
        if np.text.split()[0].lower() in ("our", "my", "your"):
            return None  # 'our president' as said by someone else: not resolvable here
        self._possessor(np, offset)
        if np.kind == "group" and np.canonical:
            found = self._named.get(("group", np.canonical))
            if found is not None:
                return found
            entity = Entity(np.canonical, "group", affiliation=np.affiliation, plural=True,
                            first_offset=np.start, last_offset=np.end)
            self._add(entity)
            return entity
        if np.kind in ("group", "organisation", "unknown") and np.head:
            words = np.text.split()
            if words and words[0].lower() in _DETERMINERS:
                words = words[1:]
            while len(words) > 1 and words[0] in ("new", "latest", "recent"):  # (not "New York")
                words = words[1:]  # 'a new Washington Post-ABC News poll' is the 'Washington Post-ABC News poll'
            if not words:
                return None
            owned = self._owned(np, words, offset)
            label = owned[0] if owned else " ".join(words)
            kind: Kind = "group" if np.plural or np.indefinite else "organisation"
            if kind == "organisation" and _is_role_head((np.head or "").lower(), gazetteer()):
                kind = "person"  # 'the Ohio governor' nobody named: a person, never 'it'
            entity = Entity(label, kind, role=None if kind == "organisation" else np.role,
                            affiliation=owned[1] if owned else np.affiliation, plural=np.plural, first_offset=np.start,
                            last_offset=np.end)
            return entity
        return None

    def _owned(self, np: NounPhrase, words: list[str], offset: int) -> tuple[str, str] | None:
        """'Her campaign', 'Clinton's campaign', 'the Clinton campaign', 'his office': a person's
        institution, named after the person's fullest name ('Hillary Clinton's campaign') so that
        every way of writing it is one actor: (name, affiliation)."""
        if (np.head or "").lower() not in _OWNED_HEADS or np.plural:
            return None
        first = np.text.split()[0]
        owner: Entity | None = None
        if first.lower() in ("his", "her"):
            owner = self._pronoun(NounPhrase("pronoun", np.start, np.start, first.lower(),
                                             head="he" if first.lower() == "his" else "she"), offset)
            rest = words[1:] if words[0].lower() == first.lower() else words
        elif len(words) < 2:
            return None
        else:
            base, possessive = _strip_possessive(words[0])
            if not base[:1].isupper() or (not possessive and words[0] in gazetteer().demonyms) \
                    or _lookup_place_or_org([base], gazetteer()) is not None or not words[1][:1].islower():
                return None
            owner = self._by_name((base,))
            rest = words[1:]
        if owner is None or owner.kind != "person" or owner.first_offset > offset or not rest \
                or not (owner.confirmed or len(owner.tokens) > 1):
            return None
        return f"{owner.name}'s {' '.join(rest)}", owner.name

    def _by_institution(self, np: NounPhrase, offset: int) -> Entity | None:
        """'the alliance' -> NATO, 'the bloc' -> European Union, 'the ministry' -> the last ministry named."""
        kinds = _INSTITUTION_KINDS.get((np.head or "").lower())
        if not kinds:
            return None
        info = gazetteer().organisation_info
        best: Entity | None = None
        for entity in self.entities:
            if entity.kind != "organisation" or entity.first_offset > offset:
                continue
            org = info.get(entity.name)
            if org is None or org.kind not in kinds:
                continue
            if np.affiliation and org.country and org.country != np.affiliation:
                continue
            if best is None or entity.last_offset >= best.last_offset:
                best = entity
        return best

    def _by_recent_organisation(self, np: NounPhrase, offset: int) -> Entity | None:
        """'Tesla recalled … The company said …', 'The Federal Aviation Administration … The agency
        said …': a generic head refers to the organisation of that sort named last before it, within
        a few paragraphs (a company: one our gazetteers do not list as a public body; an agency: a
        name with an agency word, or a listed ministry or agency)."""
        head = (np.head or "").lower()
        if head not in _COMPANY_HEADS and head not in _AGENCY_HEADS:
            return None
        info = gazetteer().organisation_info
        best: Entity | None = None
        for entity in self.entities:
            if entity.kind != "organisation" or entity.first_offset > offset or offset - entity.last_offset > _NEAR:
                continue
            known = info.get(entity.name)
            words = {w.lower() for w in entity.name.split()}
            g = gazetteer()
            if head in _COMPANY_HEADS:
                fits = (known is None or known.kind == "company") and not words & _AGENCY_WORDS \
                    and entity.name not in g.capitals and entity.name not in g.countries  # ('Lisbon said')
            else:
                fits = bool(words & _AGENCY_WORDS) or (known is not None and known.kind in ("ministry", "government"))
            if fits and (best is None or entity.last_offset >= best.last_offset):
                best = entity
        if head in _COMPANY_HEADS:
            best = self._later_unconfirmed(best, offset)
        return best

    def _later_unconfirmed(self, best: Entity | None, offset: int) -> Entity | None:
        """'Toyota recalled … The automaker said', 'Planned Parenthood welcomed … the organisation
        said': a capitalised name nothing says is a person (no given name, role or gender: an
        honorific gives one), named after `best` and near `offset`, is the organisation meant, and
        becomes one."""
        found: Entity | None = None
        names = gazetteer().given_names
        for entity in self._persons[-_SCAN:]:
            if entity.kind != "person" or entity.role or entity.gender or entity.tokens[0].lower() in names \
                    or entity.last_offset < self.body_start \
                    or entity.first_offset > offset or offset - entity.last_offset > _NEAR:
                continue
            if found is None or entity.last_offset >= found.last_offset:
                found = entity
        if found is None or (best is not None and best.last_offset >= found.last_offset):
            return best
        found.kind = "organisation"
        self._named.setdefault(("organisation", found.name), found)
        return found

    def _by_last_word(self, word: str, offset: int) -> Entity | None:
        """'the Times' after 'The New York Times', 'the Post' after 'The Washington Post': the
        organisation named before whose name ends with the word."""
        best: Entity | None = None
        for entity in self._org_last_words.get(word, ()):
            if entity.first_offset <= offset and (best is None or entity.last_offset >= best.last_offset):
                best = entity
        return best

    def _by_role(self, np: NounPhrase, offset: int) -> Entity | None:
        head = (np.head or "").lower()
        best: Entity | None = None
        covers = gazetteer().role_classes.get(head, ())
        if np.kind == "organisation" and not covers and not _is_role_head(head, gazetteer()):
            return None  # 'the Vance campaign' is not its 'campaign spokeswoman'
        modifiers = [w for w in (np.role or "").lower().replace("-", " ").split() if w != head]
        marks = _proper_modifiers(np.role)
        best_score = -1

        for entity in self._persons:
            if not entity.role or entity.first_offset > offset:
                continue
            role = entity.role.lower()
            role_words = role.replace("-", " ").split()
            if head not in role_words and head not in role and not any(c in role for c in covers):
                continue
            if np.affiliation and entity.affiliation and np.affiliation != entity.affiliation:
                continue
            theirs = _proper_modifiers(entity.role)
            if marks and theirs and not marks & theirs:
                continue  # 'the Republican nominee' is not the 'Democratic vice presidential nominee'
            # 'the independent candidate': of the candidates, the one whose role says so
            score = sum(w in role_words for w in modifiers)
            if best is None or score > best_score \
                    or (score == best_score and entity.last_offset >= best.last_offset):
                best, best_score = entity, score
        return best

    def _by_nationality(self, np: NounPhrase, offset: int) -> Entity | None:
        """'The Serb said', 'the Australian added', 'the Frenchman': a person named by a nationality
        noun (one with a plural in the demonym table: not 'the British') is the last person of that
        country or, when none is known, the person named last (nearby), unless their stated
        country is another."""
        words = np.text.split()
        g = gazetteer()
        if len(words) != 2 or words[0].lower() != "the" or words[1].endswith("s"):
            return None
        country = g.demonyms.get(words[1])
        if country is None or not (words[1] + "s" in g.demonyms or words[1].endswith(("man", "woman"))):
            return None
        named = max((e for e in self._persons[-_SCAN:] if e.kind == "person" and e.affiliation == country
                     and e.first_offset <= offset),
                    key=lambda e: e.last_offset, default=None)
        if named is not None:
            return named
        last = max((e for e in self._persons[-_SCAN:] if e.kind == "person" and (e.confirmed or len(e.tokens) > 1)
                    and self.body_start <= e.last_offset <= offset and offset - e.last_offset <= _NEAR),
                   key=lambda e: e.last_offset, default=None)
        return last if last is not None and (last.affiliation is None or last.affiliation not in g.countries) else None

    def _by_unstated_role(self, np: NounPhrase, offset: int) -> Entity | None:
        """'Sanders said … The Vermont senator added': a definite role description with a proper
        modifier that no one was introduced with refers to the last person who spoke, if their role
        was never stated."""
        words = np.text.split()
        if not np.definite or not _is_role_head((np.head or "").lower(), gazetteer()) \
                or not words or words[-1][:1].isupper():
            return None  # ('The Charlotte Observer found': a name, not a description)
        if not _proper_modifiers(" ".join(words[1:])):
            return None  # an epithet names a place or party ('the Indiana governor'); 'the minister' may be anyone
        for spoke_at, entity in reversed(self.speakers[-_RECENT:]):
            if spoke_at <= offset and entity.kind == "person":
                if entity.role is None and not (np.affiliation and entity.affiliation
                                                and np.affiliation != entity.affiliation):
                    return entity
                return None
        return None

    def _pronoun(self, np: NounPhrase, offset: int) -> Entity | None:
        word = (np.head or "").lower()
        if word in ("i", "we"):
            return None
        want_person = word in ("he", "she")
        gender = "m" if word == "he" else "f" if word == "she" else ""

        def fits(entity: Entity) -> bool:
            if want_person:
                return entity.kind == "person" and (not entity.gender or entity.gender == gender)
            if word == "they":
                return entity.plural or entity.kind in ("organisation", "group")
            return entity.kind in ("organisation", "country")

        for spoke_at, entity in reversed(self.speakers[-_RECENT:]):
            if spoke_at <= offset and fits(entity):
                if want_person:
                    # 'Reyes toured the depot. Later he said …': a person who opened a
                    # later sentence is nearer than the last speaker
                    subject = next((e for at, e in reversed(self.subjects[-_RECENT:])
                                    if spoke_at < at <= offset and fits(e)), None)
                    if subject is not None:
                        entity = subject
                    if not entity.gender:
                        entity.gender = gender
                return entity
        if not want_person:
            return None
        candidates = [e for e in self._persons if e.confirmed and e.first_offset <= offset and fits(e)
                      and (len(e.tokens) > 1 or e.role or id(e) in self._spoken)]  # not 'Florence' the city
        if not candidates:
            return None
        chosen = max(candidates, key=lambda e: e.last_offset if e.last_offset <= offset else e.first_offset)
        chosen.gender = chosen.gender or gender
        return chosen

    def known_person(self, tokens: tuple[str, ...]) -> Entity | None:
        """The person already registered under the name `tokens`, if any (registers nothing)."""
        return self._by_name(tokens)

    def opened(self, entity: Entity, offset: int) -> None:
        """Record that the person `entity` is the subject that opens a sentence at `offset`."""
        self.subjects.append((offset, entity))

    def spoke(self, entity: Entity, offset: int) -> None:
        """Record that `entity` was the speaker of an attribution at `offset`."""
        self.speakers.append((offset, entity))
        self._spoken.add(id(entity))
        entity.confirmed = True
        entity.last_offset = max(entity.last_offset, offset)
