"""Subjects and speakers: the noun phrase a cue attributes to.

Before a verb, the subject is found by walking back over adverbs, auxiliaries
and parentheticals between commas to the phrase that opens the clause; after a
verb (an inverted or trailing attribution) it is the name that follows. These
functions also say whether the subject opens its clause, which decides whether
an action verb counts as a cue.
"""

from __future__ import annotations

from flows.extract.cues import CLOSING, skip_left, word_class
from flows.extract.gazetteer import gazetteer
from flows.extract.mentions import (
    NounPhrase,
    analyse_np,
    description_left,
    is_age_epithet,
    np_left,
    np_right,
    person_of_place,
    postmodifier_affiliation,
)
from flows.extract.text import Token

__all__ = [
    "after_quotation",
    "authored_by",
    "conjuncts_left",
    "group_of",
    "inverted_after_comma",
    "named_after",
    "opens_clause",
    "opens_sentence",
    "subject_left",
    "trails",
    "valid_subject",
    "work_author",
    "writer_for",
]

_TRAILING_ADVERBIALS = word_class("trailing_adverbial")
_TELL = word_class("tell")
_PREPOSITIONS = word_class("preposition")
_CONJUNCTIONS = word_class("conjunction")
_WH = word_class("wh")
_GROUP_WORDS = word_class("group_noun")
_RELATIVES = word_class("relative")
_COORDINATORS = word_class("coordinator")
_WORKS = word_class("work")
_NOBODY = word_class("nobody")


def subject_left(tokens: list[Token], i: int, quoted: list[bool] | None = None
                  ) -> tuple[int, NounPhrase, NounPhrase | None] | None:
    """The subject noun phrase before the cue at token i: (first token, phrase, apposition).

    Walks back over parentheticals between commas ('Lavrov, for his part, warned'; 'Kuleba, who
    …, thanked'; 'Dupont, the foreign minister of Belgium, a founding member of the alliance,
    said') to the phrase that opens the clause; an apposition that names the speaker
    ('The EU's chief, Kaja Kallas, said') wins over the description before it."""
    k = skip_left(tokens, i - 1)
    if k < 0:
        return None
    if tokens[k].text != ",":
        left = description_left(tokens, k)
        if left is None:
            return None
        return left[0], left[2], None
    apposition: NounPhrase | None = None
    right = k  # the comma closing the current segment
    for _ in range(4):
        c = _segment_start(tokens, right, quoted)
        if c is None:
            return None
        inner = (c + 1, right - 1)
        if inner[0] <= inner[1]:
            span = np_right(tokens, inner[0])
            if span is not None and span[1] == inner[1]:
                segment = analyse_np(tokens, inner[0], inner[1])
                if segment.kind == "person" or (segment.kind == "organisation" and segment.canonical):
                    described = description_left(tokens, skip_left(tokens, c - 1))
                    return inner[0], segment, described[2] if described is not None else None
                if apposition is None and (segment.role or segment.affiliation):
                    apposition = segment
                    if segment.role and segment.affiliation is None:
                        segment.affiliation = postmodifier_affiliation(tokens, span[1] + 1)[0]
        phrase = np_left(tokens, skip_left(tokens, c - 1))
        if phrase is None:
            return None
        if phrase[0] == phrase[1] == c - 1 and tokens[c - 1].text.isdigit() and c - 2 >= 0 \
                and tokens[c - 2].text == ",":
            right = c  # an age between commas is part of the apposition
            continue
        before = tokens[phrase[0] - 1].lower if phrase[0] > 0 else ""
        if before in _PREPOSITIONS and before not in ("as",):
            right = c  # the phrase before is inside a post-modifier ('… of France,'): go further back
            continue
        placed = person_of_place(tokens, phrase[0], phrase[1])
        return phrase[0], placed[2] if placed else analyse_np(tokens, phrase[0], phrase[1]), apposition
    return None


def _segment_start(tokens: list[Token], right: int, quoted: list[bool] | None) -> int | None:
    """The comma that opens the segment closed by the comma at `right`, or None when the segment
    cannot be a parenthetical: too long, crossing a clause boundary or the end of a quotation, or
    holding a reporting verb outside a relative clause (then it is a clause of its own)."""
    c = right - 1
    reports = False
    while c >= 0 and (tokens[c].text != "," or (quoted is not None and quoted[c])):
        if right - c > _MAX_PARENTHETICAL:
            return None
        quote_end = tokens[c].text in ("”", '"') and c + 1 < len(tokens) and tokens[c + 1].text == ","
        if tokens[c].text in (";", ":") or quote_end:
            return None
        reports = reports or tokens[c].lower in ("said", "says")
        c -= 1
    if c < 1 or (reports and tokens[c + 1].lower not in _RELATIVES):
        return None
    return c


def valid_subject(tokens: list[Token], first: int, np: NounPhrase, *, after_preposition: bool = False,
                   speech: bool = False) -> bool:
    if first > 0 and not after_preposition:
        before = tokens[first - 1].lower
        if (before in _PREPOSITIONS and not (before in _CONJUNCTIONS and speech)) \
                or (before in _WH and not speech):
            return False
    if np.kind == "pronoun":
        return np.head in ("he", "she", "they", "it")
    if np.text.lower() in _NOBODY:
        return False  # a quantifier names no speaker
    if " " not in np.text and np.kind in ("person", "unknown") and not np.confirmed \
            and any(form in _WORKS for form in (np.text.lower(), np.text.lower().removesuffix("s"),
                                                  np.text.lower().removesuffix("ies") + "y")):
        return False  # a bare work noun names no one
    if is_age_epithet(np.text):
        return True
    if np.kind in ("person", "organisation", "country", "group"):
        return True
    # an unknown capitalised name ('Interfax', 'PolitiFact') or a role description ('the minister')
    return bool(np.head) or all(w[:1].isupper() for w in np.text.split() if w.lower() not in ("the",))


def opens_sentence(tokens: list[Token], first: int) -> bool:
    """Whether the subject starting at token `first` opens its sentence (or follows an
    introductory phrase ending in a comma, or a closing quotation)."""
    if first == 0:
        return True
    before = tokens[first - 1].text
    return before in (",", "—", "–", "―", "--", "-", ":") or before in CLOSING  # ("-": a spaced hyphen as a dash)


def trails(tokens: list[Token], first: int, last_cue: int) -> bool:
    """'…, Sherman said.' / '“…,” he told reporters.': an attribution after its content."""
    if first == 0:
        return False
    before = tokens[first - 1].text
    if before not in (",",) and before not in CLOSING:
        return False
    rest = [t.lower for t in tokens[last_cue + 1 :]]
    if len(rest) > 12:
        return False
    if not rest or rest[0] in (".", ",", "!", "?", ";", ":", "”", '"') or rest[0] in _TRAILING_ADVERBIALS:
        return True
    # a verb of telling with its hearer and no content clause after it
    return tokens[last_cue].lower in _TELL and not any(t in ("that",) for t in rest)


_MAX_PARENTHETICAL = 60  # tokens: a longer stretch between commas is not an apposition


_MAX_CONJUNCTS = 4  # names coordinated before a subject ('France, Germany, Italy and Spain said')


def opens_clause(tokens: list[Token], first: int) -> bool:
    """Whether the subject at `first` opens the sentence or a coordinated main clause."""
    if opens_sentence(tokens, first):
        return True
    before = tokens[first - 1].lower
    if before == ";":
        return True
    return before in _COORDINATORS and first >= 2 and (tokens[first - 2].text in (",", ";")
                                                         or tokens[first - 2].text in CLOSING)


_MAX_WORK_WORDS = 5  # 'A 2014 study', 'a new independent analysis'


def work_author(tokens: list[Token], start: int) -> int:
    """'according to figures from the Office for National Statistics', 'according to a study by
    Jane Roe': where the work's author starts (else `start`)."""
    for k in range(start, min(start + _MAX_WORK_WORDS + 1, len(tokens) - 1)):
        if tokens[k].lower in ("by", "from") and k > start and tokens[k - 1].lower in _WORKS:
            return k + 1
        if not tokens[k].is_word or tokens[k].capitalised:
            break
    return start


def authored_by(tokens: list[Token], first: int) -> int:
    """Where the sentence's subject starts when the speaker at `first` is the author of a work that
    opens the sentence ('A 2014 study by Jane Roe found …', 'A statement from the White House
    said …'): what the work says is the author's. Otherwise `first`."""
    by = first - 1
    if tokens[by].lower == "the" and by >= 1:
        by -= 1
    if by < 1 or tokens[by].lower not in ("by", "from") or tokens[by - 1].lower not in _WORKS:
        return first
    k = by - 1
    verbs = gazetteer().verbs
    while k > 0 and by - k < _MAX_WORK_WORDS and tokens[k - 1].is_word \
            and tokens[k - 1].lower not in _PREPOSITIONS and tokens[k - 1].lower not in verbs:
        k -= 1
    return k if opens_sentence(tokens, k) else first


def _coordinable(np: NounPhrase) -> bool:
    """A speaker that can be coordinated: a name, or a definite description ('the ministry'), not
    a bare noun ('In a joint statement, Germany and France said': not the statement)."""
    return np.kind in ("person", "country") or (np.kind == "group" and bool(np.canonical)) \
        or (np.kind == "organisation" and (bool(np.canonical) or np.definite))


def conjuncts_left(tokens: list[Token], first: int, np: NounPhrase) -> list[tuple[int, NounPhrase]]:
    """The names coordinated before the subject at `first`, leftmost first: 'China and Russia
    support …', 'France, Germany and Italy called for …'. Each is a speaker of its own."""
    if first < 2 or tokens[first - 1].lower not in ("and", "nor") or not _coordinable(np):
        return []
    conjuncts: list[tuple[int, NounPhrase]] = []
    end = first - 2
    for _ in range(_MAX_CONJUNCTS):
        left = description_left(tokens, end)
        if left is None or left[1] != end or not _coordinable(left[2]):
            break
        conjuncts.insert(0, (left[0], left[2]))
        if left[0] < 2 or tokens[left[0] - 1].text != ",":
            break
        end = left[0] - 2  # commas between the names of a list
    return conjuncts


def group_of(tokens: list[Token], span: tuple[int, int]) -> NounPhrase | None:
    """'said the family of Ahmed Khalil', 'said lawyers for the victims': a group known by its
    post-modifier, not the person or thing the post-modifier names."""
    if not any(tokens[k].lower in _GROUP_WORDS and tokens[k + 1].lower in ("of", "for", "at", "in")
               for k in range(span[0], span[1])):
        return None
    described = description_left(tokens, span[1])
    if described is None or described[0] != span[0] or described[2].kind != "group":
        return None
    return described[2]


def named_after(tokens: list[Token], last: int) -> NounPhrase | None:
    """The person named in an apposition after the description ending at token `last`: '…, said
    the campaign's manager, Jane Roe.' (the name ends the sentence or its clause)."""
    if last + 2 >= len(tokens) or tokens[last + 1].text != ",":
        return None
    span = np_right(tokens, last + 2)
    if span is None or (span[1] + 1 < len(tokens) and tokens[span[1] + 1].text not in (",", ".", ";", "!", "?")):
        return None
    person = analyse_np(tokens, span[0], span[1])
    return person if person.kind == "person" else None


def writer_for(tokens: list[Token], span: tuple[int, int]) -> NounPhrase | None:
    """'wrote Jane Roe for The Daily Planet': the person before 'for'/'at', with the outlet as
    affiliation."""
    for k in range(span[0] + 1, span[1]):
        if tokens[k].lower in ("for", "at"):
            person = analyse_np(tokens, span[0], k - 1)
            if person.kind == "person" and person.confirmed:
                outlet = analyse_np(tokens, k + 1, span[1])
                person.affiliation = person.affiliation or outlet.canonical or outlet.text
                return person
            return None
    return None


def inverted_after_comma(tokens: list[Token], i: int, last: int) -> bool:
    """'…, noted NBC's Dante Chinni.': a cue after a comma whose named subject ends the sentence."""
    if i < 1 or tokens[i - 1].text != ",":
        return False
    span = np_right(tokens, last + 1)
    if span is None or not tokens[span[0]].capitalised:
        return False
    after = span[1] + 1
    return after >= len(tokens) or tokens[after].text in (".", ",", "!", "?", "”", '"')


def after_quotation(tokens: list[Token], i: int) -> bool:
    """Whether the cue at token i follows a quotation that ends with a comma, '?' or '!'
    ('“…,” said X'; '“…?” asked X'; '…,” said X')."""
    k = i - 1
    while k >= 1 and tokens[k].text in CLOSING and tokens[k - 1].text in CLOSING:
        k -= 1  # two apostrophes written as one quote mark
    if k < 1:
        return False
    before, prior = tokens[k].text, tokens[k - 1].text
    if before in CLOSING and prior in (",", "?", "!"):
        return True
    return before == "," and prior in CLOSING
