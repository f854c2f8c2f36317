"""Noun phrases: where one starts and ends around a token (`np_left`, `np_right`), and what it
holds (`analyse_np`): a pronoun, a person's name with the role and affiliation its pre-modifiers
give, an organisation, a country, a group, or a description of someone unnamed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from flows.extract.gazetteer import Gazetteer, gazetteer
from flows.extract.names import (
    affiliation_of,
    first_words,
    inside_known_name,
    is_institution_name,
    is_plain_name_word,
    joins_one_name,
    place_or_org,
)
from flows.extract.text import Token
from flows.extract.words import (
    CALENDAR,
    CONNECTORS,
    DEFINITE,
    DETERMINERS,
    GROUP_HEADS,
    INDEFINITE,
    INSTITUTION_HEADS,
    INSTITUTION_WORDS,
    MEMO_LIMIT,
    NAME_SUFFIXES,
    PARTICLES,
    POSSESSIVE,
    POSSESSIVE_PRONOUNS,
    PRONOUNS,
    ROLE_MODIFIERS,
    WEEKDAYS,
    ends_with_role,
    is_particle_name,
    is_rank,
    is_role_head,
    is_role_word,
    near_number,
    remember,
    strip_possessive,
    words_having,
    words_listed,
)

__all__ = ["Kind", "NounPhrase", "analyse_np", "np_left", "np_right"]


Kind = Literal["person", "organisation", "country", "group", "pronoun", "unknown"]


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


_NP_WORDS: dict[str, bool] = {}


def _np_word(token: Token, g: Gazetteer) -> bool:
    """Could `token` be part of a speaker noun phrase?"""
    text = token.text
    known = _NP_WORDS.get(text)
    return known if known is not None else remember(_NP_WORDS, text, _np_text(text, g))


def _np_text(text: str, g: Gazetteer) -> bool:
    if not text[:1].isalnum():
        return False
    lower = text.lower()
    if text[:1].isupper() or text[:1].isdigit():
        return True
    if is_particle_name(text):
        return True  # 'al-Harbi'

    base, _ = strip_possessive(lower)
    return (
        lower in DETERMINERS
        or lower in PARTICLES
        or is_role_word(base, g)
        or base in GROUP_HEADS
        or base in INSTITUTION_HEADS
        or base.rstrip("s") in INSTITUTION_HEADS
        or strip_possessive(text)[0] in g.demonyms
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
    if lower in PRONOUNS:
        return end, end
    if not _np_word(tokens[end], g):
        return None
    if lower in DETERMINERS and lower not in POSSESSIVE_PRONOUNS:
        return None
    start = end
    i = end - 1
    while i >= 0:
        token = tokens[i]
        lower = token.lower
        if not token.capitalised and token.text[:1].isupper():
            break  # a verb of a Title Case headline ('… Christie Calls Hillary Clinton')
        surname_he = lower in PRONOUNS and token.capitalised and i > 0 and tokens[i - 1].capitalised \
            and tokens[i + 1].capitalised
        if not surname_he and (lower in PRONOUNS or lower in g.function_words and lower not in DETERMINERS
                               and lower not in CONNECTORS and not is_role_word(lower, g)):
            if token.capitalised and i > 0 and tokens[i - 1].capitalised and inside_known_name(tokens, i):
                i -= 1  # 'Doctors Without Borders': a word of a name we know
                continue
            break
        if lower == "the" and i - 1 >= 0 and tokens[i - 1].lower == "of" and tokens[i + 1].capitalised \
                and i - 2 >= 0 and (tokens[i - 2].capitalised or is_role_word(tokens[i - 2].text, g)):
            i -= 2  # 'Under Secretary of the Treasury'
            continue
        if lower in CONNECTORS:
            if _connector_inside(tokens, i, end, g):
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
        if lower in DETERMINERS:
            break
        i -= 1
    start = _past_function_words(tokens, start, end, g)
    return (start, end) if start <= end else None


def _past_function_words(tokens: list[Token], start: int, end: int, g: Gazetteer) -> int:
    """The first index from `start` that is no function word: a phrase never starts on the
    conjunction or adverb that opens its sentence."""
    while start <= end and tokens[start].lower in g.function_words \
            and tokens[start].lower not in DETERMINERS and not is_role_word(tokens[start].text, g):
        start += 1
    return start


def _connector_inside(tokens: list[Token], i: int, end: int, g: Gazetteer) -> bool:
    """Whether the connective at tokens[i], read leftwards, joins one name or role: between
    capitalised words (unless the word before heads a group), or between role words."""
    lower = tokens[i].lower
    if i - 1 < 0:
        return False
    return (
        (
            lower in ("of", "for", "and", "on", "&")
            and tokens[i - 1].capitalised
            and tokens[i + 1].capitalised
            and tokens[i - 1].lower not in GROUP_HEADS
            and (lower != "and" or joins_one_name(tokens, i, end))
        )
        or (lower == "of" and is_role_word(tokens[i - 1].text, g) and is_role_word(tokens[i + 1].text, g))
        or (lower == "of" and any(" ".join(t.lower for t in tokens[i - 1 : i + w + 1]) in g.roles
                                  for w in (1, 2)))
    )


def _compound_reach(tokens: list[Token], i: int, start: int, end: int, g: Gazetteer) -> int | None:
    """Index left of a run of plain nouns at tokens[i] that sits inside a role description, or None."""
    if not is_role_head(tokens[end].text, g) or any(tokens[k].capitalised for k in range(start, end + 1)
                                                     if not is_role_word(tokens[k].text, g)):
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
    if lower in DETERMINERS or POSSESSIVE.match(anchor.text) or (anchor.capitalised and _np_word(anchor, g)):
        return k
    return None


_PREPOSITIONS_NP = words_having("phrase_connectives.csv", "uses", "ends_compound")


def np_right(tokens: list[Token], start: int) -> tuple[int, int] | None:
    """The noun phrase that starts at token index `start`, as (first, last) indexes."""
    g = gazetteer()
    if start >= len(tokens) or not _np_word(tokens[start], g):
        return None
    if tokens[start].lower in PRONOUNS:
        return start, start
    end = start
    kept = start  # the end of a role of several words ('secretary of state'), never trimmed
    i = start + 1
    while i < len(tokens):
        token = tokens[i]
        lower = token.lower
        if lower in CONNECTORS:
            if (
                lower in ("of", "for", "and", "&")
                and i + 1 < len(tokens)
                and tokens[i + 1].capitalised
                and tokens[i - 1].capitalised
                and tokens[i - 1].lower not in GROUP_HEADS
                and (lower != "and" or joins_one_name(tokens, i, None))
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
        if not _np_word(token, g) or lower in DETERMINERS:
            break
        base = strip_possessive(lower)[0]  # 'the committee's chairman'
        if not (token.capitalised or is_role_word(base, g) or lower in PARTICLES or base in GROUP_HEADS
                or base in INSTITUTION_HEADS or token.text in g.demonyms or is_particle_name(token.text)):
            break
        end = i
        i += 1
    # a lower-case modifier ends no phrase: 'The Ledger first reported', 'the minister also'
    while end > max(start, kept) and not tokens[end].capitalised and tokens[end].lower in ROLE_MODIFIERS \
            and not is_role_head(tokens[end].lower, g):
        end -= 1
    return start, end


# Analyses of the noun phrases seen so far, by their words (and whether a capitalised word comes
# before: 'Ryan He' is a name, not a pronoun); forgotten when they grow past MEMO_LIMIT.
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
        if len(_ANALYSED) >= MEMO_LIMIT:
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
    if len(words) == 1 and lowered[0] in PRONOUNS and not (words[0][:1].isupper() and first > 0
                                                             and tokens[first - 1].capitalised):
        gender, number = g.pronouns.get(lowered[0], ("", "sg"))
        return NounPhrase("pronoun", start, end, text, gender=gender, plural=number == "pl",
                          head=lowered[0])
    np = NounPhrase("unknown", start, end, text)
    i = 0
    if lowered[0] in DETERMINERS:
        np.definite = lowered[0] in DEFINITE or lowered[0] in POSSESSIVE_PRONOUNS
        np.indefinite = lowered[0] in INDEFINITE
        i = 1
    rest = words[i:]
    if _whole_phrase(np, rest, g):
        return np
    name, j, given_at = _trailing_name(words, i, g)
    lead = 0  # lower-case modifiers before the capitalised name of an institution
    while lead < len(rest) - 2 and rest[lead] in ROLE_MODIFIERS:
        lead += 1
    if given_at < 0 and is_institution_name(rest[lead:]):
        np.kind = "organisation"
        np.canonical = " ".join(rest[lead:]).strip()
        return np
    affiliation, role_words = _split_modifiers(words[i:j], g, np)
    np.affiliation = affiliation
    if name:
        _person(np, name, role_words, lowered[0], g)
    elif role_words:
        _description(np, role_words, g)
    return np


def _whole_phrase(np: NounPhrase, rest: list[str], g: Gazetteer) -> bool:
    """Fill `np` when the whole phrase after its determiner names a group, an organisation, a
    country, a capital (its government) or a company; False when it names none of these."""
    group = " ".join(rest)
    if group.lower() in g.groups or (len(rest) == 1 and group.endswith("s") and group in g.demonyms):
        np.kind, np.plural, np.head = "group", True, group.lower()  # members speaking as a group
        np.canonical = group
        np.affiliation = g.groups.get(group.lower()) or g.demonyms.get(group)
        return True
    if len(rest) == 1 and rest[0].lower() in GROUP_HEADS:
        np.kind, np.plural, np.head = "group", True, rest[0].lower()  # a bare plural group noun, never a name
        return True
    whole = place_or_org(rest, g)
    if whole is not None and whole[0] != "capital":
        np.kind = "organisation" if whole[0] == "organisation" else "country"
        np.canonical = whole[1]
        np.plural = rest[-1].lower() in GROUP_HEADS
        return True
    if whole is not None and len(rest) == 1:
        np.kind, np.canonical = "organisation", rest[0]
        np.affiliation = g.capitals.get(rest[0])
        return True
    if len(rest) >= 2 and rest[-1].lower().rstrip(".") in _LEGAL_FORMS and all(w[:1].isupper() or w == "&"
                                                                                 for w in rest[:-1]):
        named = rest[:-1]  # a company is named without its legal form
        while len(named) > 1 and named[-1] in ("&", ","):
            named = named[:-1]
        np.kind, np.canonical = "organisation", " ".join(named)
        return True
    if len(rest) >= 3 and "&" in rest[1:-1] and all(w[:1].isupper() or w == "&" for w in rest):
        np.kind, np.canonical = "organisation", " ".join(rest)  # a firm named with an ampersand
        return True
    return False


def _is_name_word(words: list[str], j: int, i: int, name: list[str], g: Gazetteer) -> bool:
    """Whether words[j - 1] continues, leftwards, the trailing name `name` (words from i on)."""
    word = words[j - 1]
    base, possessive = strip_possessive(word)
    lower = base.lower()
    after_given = j - 2 >= i and words[j - 2].lower() in g.given_names
    if lower in CALENDAR and (lower in WEEKDAYS or near_number(words, j - 1)) and not after_given:
        return False  # a date
    if lower in NAME_SUFFIXES and not name:
        return True
    # a role word can be a surname right after a given name
    title_surname = after_given and word[:1].isupper() and all(n.lower() in NAME_SUFFIXES for n in name)
    return (
        (word[:1].isupper() or (lower in PARTICLES and bool(name)) or is_particle_name(word))
        and not possessive
        and (not is_role_word(lower, g) or title_surname)
        and base not in g.demonyms
        and (lower not in g.function_words or (lower in PRONOUNS and bool(name) and j - 1 > i
                                               and words[j - 2][:1].isupper()))
        and (base not in g.countries or (after_given and not name))  # a country's name as a surname
    )


def _trailing_name(words: list[str], i: int, g: Gazetteer) -> tuple[list[str], int, int]:
    """The person's name that ends the phrase (capitalised words that are neither role words nor
    places), where it starts, and the index of its given name in it (-1 when it has none)."""
    j = len(words)
    name: list[str] = []
    while j > i and _is_name_word(words, j, i, name, g):
        name.insert(0, words[j - 1])
        j -= 1
    # a month alone is a date; a known organisation or country is no person
    if (len(name) == 1 and name[0].lower().rstrip(".") in CALENDAR) or (name and place_or_org(name, g) is not None):
        name = []
        j = len(words)
    given_at = next((k for k, w in enumerate(name) if w.lower() in g.given_names), -1)
    # words before a given name that name an institution, a place, a role or a party are modifiers
    # (but a name of several given names and surnames stays whole)
    if given_at > 0 and len(name) - given_at >= 2 and any(
            w.lower().strip(".") in INSTITUTION_WORDS or place_or_org([w], g) is not None
            or is_role_word(w, g) or w in g.demonyms or w.lower() + "s" in g.groups
            for w in name[:given_at]):
        j += given_at
        name = name[given_at:]
    return name, j, given_at


def _person(np: NounPhrase, name: list[str], role_words: list[str], determiner: str, g: Gazetteer) -> None:
    """Fill `np` as a person named `name` with the role its pre-modifiers give: an honorific gives
    a gender (and a weak role), a given name a gender and confirmation."""
    np.kind = "person"
    np.name_tokens = tuple(n for n in name if n.lower() not in NAME_SUFFIXES)
    honorific = next((w for w in role_words if w.lower() in g.honorifics or w.lower() + "." in g.honorifics), None)
    if honorific is not None:
        key = honorific.lower()
        expansion, gender = g.honorifics.get(key) or g.honorifics.get(key + ".", ("", ""))
        np.gender = np.titled_gender = gender
        role_words = [w for w in role_words if w != honorific]
        if expansion and not role_words and expansion.lower() in g.roles:
            role_words = [expansion]
            np.weak_role = True  # an apposition may name the office more precisely
    np.role = " ".join(role_words) or None
    np.weak_role = np.weak_role or bool(role_words) and all(is_rank(w, g) for w in role_words)
    given = g.given_names.get(np.name_tokens[0].lower(), "") if np.name_tokens else ""
    # a name alone may be a surname: its gender is not the given name's ('u': either gender)
    np.gender = np.gender or (given if len(np.name_tokens) > 1 and given in ("m", "f") else "")
    np.confirmed = bool(given or honorific or np.role)
    if determiner in ("the", "a", "an") and len(np.name_tokens) == 1 and not np.confirmed:
        if np.name_tokens[0].isupper() and len(np.name_tokens[0]) > 1:
            np.kind, np.canonical = "organisation", np.name_tokens[0]  # an acronym after 'the'
        else:
            np.kind = "unknown"  # a capitalised adjective after an article, not a person


def _description(np: NounPhrase, role_words: list[str], g: Gazetteer) -> None:
    """Fill `np` as a description by its head noun: a group, a role holder, an institution, or
    nobody when the head is none of these."""
    head = role_words[-1].lower()
    joined = " ".join(role_words).lower()
    if " of " in joined and joined in g.roles:  # a role 'X of Y' has its head first
        head = joined.split(" of ")[0].split()[-1]
    np.head = head
    np.role = " ".join(role_words)
    if head in GROUP_HEADS or (head.endswith("s") and head[:-1] in g.roles):
        np.kind, np.plural = "group", True
    elif is_role_head(head, g) or ends_with_role(role_words, g):
        np.kind = "group" if np.indefinite else "unknown"
    elif head in INSTITUTION_HEADS:
        np.kind = "organisation"
    else:
        np.kind, np.head, np.role = "unknown", None, None


_LEGAL_FORMS = words_listed("legal_forms.txt")


def _organisation_at(modifiers: list[str], k: int, role: list[str], g: Gazetteer) -> tuple[str, int] | None:
    """The longest known organisation or country among the pre-modifiers starting at k, as (its
    affiliation, the number of words it takes)."""
    # a run of several words can name one only if its first word starts a name of several words
    widest = min(6, len(modifiers) - k) if modifiers[k].lower() in first_words() else 1
    # one word that continues a plain name is part of that name, not a place or body of its own
    inside_name = k > 0 and bool(role) and role[-1] == modifiers[k - 1] and is_plain_name_word(role[-1], g)
    for width in range(widest, 0, -1):
        run = modifiers[k : k + width]
        if width == 1 and (inside_name or (is_role_word(run[0], g) and run[0] not in g.organisations)):
            continue
        found = affiliation_of(run, g)
        if found is not None:
            return found, width
    return None


def _leading_name(role: list[str], g: Gazetteer) -> list[str]:
    """Leading capitalised words before the first role word, not role words themselves: they name
    an organisation, an affiliation rather than part of the role; but never the first word of a
    role of several words."""
    lead = []
    for word in role:
        if word[:1].isupper() and not is_role_word(word, g) and word.lower() not in g.function_words:
            lead.append(word)
        else:
            break
    at = next((j for j in range(len(lead)) if any(" ".join(role[j : j + w]).lower() in g.roles for w in (2, 3))),
              len(lead))
    return lead[:at]


def _split_modifiers(modifiers: list[str], g: Gazetteer, np: NounPhrase) -> tuple[str | None, list[str]]:
    """Split pre-modifiers into an affiliation (demonym, possessive, country, organisation) and role words."""
    affiliation: str | None = None
    role: list[str] = []
    k = 0
    while k < len(modifiers):
        word = modifiers[k]
        base, possessive = strip_possessive(word)
        if possessive:
            # "Ukraine's", "NATO's", "the EU's": affiliation from everything up to here.
            run = [*role, base] if role and all(w[:1].isupper() for w in role) else [base]
            aff = affiliation_of(run, g) or affiliation_of([base], g)
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
        matched = _organisation_at(modifiers, k, role, g)
        if matched is not None:
            if affiliation is None:
                affiliation = matched[0]
            k += matched[1]
            continue
        role.append(word)
        k += 1
    lead = _leading_name(role, g)
    if lead and len(lead) < len(role):
        if affiliation is None:
            affiliation = " ".join(lead)
        role = role[len(lead) :]
    while role and role[0].lower() in g.function_words and not is_role_word(role[0], g):
        role = role[1:]
    if role and not any(is_role_head(w, g) or w.lower() in g.honorifics or w.lower() + "." in g.honorifics
                        for w in role):
        role = [] if np.kind == "person" or all(w[:1].isupper() for w in role) else role
    return affiliation, role
