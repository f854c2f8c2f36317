"""Positions: who said what, in which words, with which speech act.

The model (see the README, "Positions"):

- An *attribution* is a reporting cue in a sentence with its speaker: a subject
  before a reporting verb ("Sherman threatened", "Lavrov, for his part, warned",
  "…, a senior official said"), after it ("“…,” said Peskov"), a prepositional cue
  ("according to X"), a relay ("the AP quoted him as saying": the speaker is
  "him", never the agency), or a label ("Baerbock: …", "• Name, role: “…”").
- Verbs that only report speech ("say", "tell", "warn") count in any clause;
  verbs that also name actions ("offer", "seek", "reject") count only as the main
  verb of a sentence whose subject opens it, so "Sherman said Russia offered no
  proof" is Sherman's position, not Russia's.
- The speaker is resolved within the article (`mentions.Registry`).
- A *position* gathers one actor's attributions in one paragraph or bullet: its
  passage runs over that actor's sentences (and the unattributed sentences that
  follow them), its cue is the actor's first, its quotes are every direct quotation
  in those sentences. Passages by nobody are not positions.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from flows.extract.gazetteer import Cue, gazetteer
from flows.extract.ids import stable_id
from flows.extract.mentions import (
    Entity,
    NounPhrase,
    Registry,
    analyse_np,
    description_left,
    is_age_epithet,
    is_role_word,
    np_left,
    np_right,
    person_of_place,
    postmodifier_affiliation,
    speaker_right,
)
from flows.extract.text import Quote, Sentence, Token, find_quotes, split_sentences, tokenize
from flows.layout import Block

__all__ = ["Attribution", "extract_positions"]

_SKIPPABLE = frozenset({
    "also", "later", "previously", "repeatedly", "reportedly", "had", "has", "have", "will", "would", "could",
    "should", "may", "might", "must", "did", "does", "do", "was", "is", "were", "are", "not", "never", "then",
    "again", "once", "recently", "publicly", "privately", "earlier", "quickly", "further", "already", "still",
    "just", "even", "flatly", "bluntly", "openly", "separately", "directly", "angrily", "strongly", "sharply",
    "firmly", "immediately", "initially", "subsequently", "now", "finally", "meanwhile",
    "himself", "herself", "themselves", "itself",
    "frequently", "often", "always", "famously", "curtly", "simply", "explicitly", "clearly",
    "n't", "allegedly", "yesterday", "today", "tonight", "twice", "formally", "officially", "long",
})
_ADVERB_LY = re.compile(r"^[a-z]{3,}ly$")  # 'swiftly dismissed', 'quietly conceded'
_LY_NOUNS = frozenset({"family", "ally", "rally", "assembly", "supply", "reply", "monopoly", "anomaly",
                       "bully", "daily", "weekly", "monthly", "quarterly", "elderly"})
_TRAILING_ADVERBIALS = frozenset({
    "on", "in", "at", "to", "during", "after", "before", "from", "with", "via", "by", "last", "this", "next",
    "yesterday", "today", "tonight", "afterwards", "afterward", "later", "earlier", "recently", "separately",
    "repeatedly", "again", "publicly", "privately", "then", "also", "too", "as", "while", "when", "outside",
})
_TELL = frozenset({"told", "tells", "tell", "telling", "asked", "asks", "warned", "warns", "assured", "urged"})
_BE = frozenset({"is", "was", "were", "are", "be", "been", "being", "'s", "’s"})
_ADVERBS = frozenset({"also", "first", "later", "widely", "previously", "repeatedly", "reportedly", "often",
                      "never", "not", "already", "once", "recently", "publicly", "formally", "officially"})
_TIME_NOUNS = frozenset({"week", "month", "year", "morning", "afternoon", "evening", "night", "weekend",
                         "spring", "summer", "autumn", "fall", "winter", "time"})
_WEEKDAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
_PREPOSITIONS = frozenset({
    "of", "in", "for", "to", "with", "from", "by", "on", "at", "about", "against", "between", "than", "like",
    "over", "under", "into", "toward", "towards", "after", "before", "during", "among", "upon", "without",
    "including", "via", "per", "as", "whom", "whose",
})
_NOT_BEFORE_VERB = frozenset({"to", "the", "a", "an", "his", "her", "its", "their", "our", "my", "your",
                              "this", "that", "these", "those", "no", "any", "every", "each"})
_CONJUNCTIONS = frozenset({"as", "after", "before", "since", "until"})  # also subordinators: 'after X said …'
_SUBORDINATORS = frozenset({"when", "after", "because", "while", "as", "since", "before", "although",
                            "though"})
_WH = frozenset({"what", "how", "whether", "why", "where", "when"})
_CLOSING = frozenset({"”", '"', "’", "'", "»", "“"})
_RELAY = re.compile(r"^(?:as\s+)?(?:saying|telling|stating|declaring|adding|writing)$")
_LABEL = re.compile(
    r"^(?:[\"“”]\s*)?(?:(?:\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?|[A-Z][a-z]+\s+\d{1,2})\s*[—–-]+\s*)?"
    r"(?P<who>[A-ZÀ-Þ][\w.’'\- ]{1,60}?(?:,\s*[^:,]{2,60}?)?)\s*:\s+(?=\S)"
)
_TITLE_SMALL = frozenset({"a", "an", "the", "of", "and", "or", "in", "on", "for", "to", "at", "by", "with", "de"})


@dataclass(slots=True)
class Attribution:
    """One reporting cue and its speaker in one sentence."""

    entity: Entity
    cue: Cue
    sentence: int  # index of the sentence in its passage
    offset: int  # where the cue is in the document
    negated: bool = False  # the speaker withheld a statement: 'did not say whether', 'declined to comment'


@dataclass(slots=True)
class _Passage:
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


@cache
def _cue_index() -> tuple[frozenset[str], frozenset[str]]:
    """(first words of the multi-word cue phrases, every word that may start a cue or a relay)."""
    g = gazetteer()
    phrase_starts = frozenset(words[0] for words in g.phrases if len(words) >= 2)
    return phrase_starts, phrase_starts | frozenset(g.verbs) | frozenset(g.nouns) | frozenset(g.attitudes) | {"quoted"}


def _first_word(tokens: list[Token]) -> int:
    """Index of the first word of a sentence (after opening quotes and dashes)."""
    for k, token in enumerate(tokens):
        if token.is_word:
            return k
    return len(tokens)


def _prepare(block: Block, text: str, topic: str | None) -> _Passage:
    passage = text[block.start : block.end]
    sentences = split_sentences(passage, block.start)
    quotes = find_quotes(passage, block.start)
    tokens = [tokenize(s.text, s.start) for s in sentences]
    starts = _cue_index()[1]
    cued = [not starts.isdisjoint(map(_lower_of, sentence)) for sentence in tokens]
    return _Passage(block, topic, sentences, tokens, quotes, _quoted(sentences, tokens, quotes), cued)


def _title_cased(tokens: list[Token]) -> bool:
    words = [t for t in tokens if t.is_word]
    return len(words) >= 3 and sum(t.text[:1].isupper() for t in words) >= 0.7 * len(words)


def _title_case(passage: _Passage) -> bool:
    """Whether the passage (a headline) is written in Title Case."""
    return bool(passage.tokens) and all(_title_cased(tokens) for tokens in passage.tokens)


def _title_case_verbs(passage: _Passage) -> None:
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


# --- entities ---------------------------------------------------------------


def _introduce(passage: _Passage, registry: Registry) -> None:
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
                np = placed[2]  # 'Rep. Jane Roe of Maryland'
            if np.kind == "unknown" and last > first and tokens[last].lower.endswith(_POSSESSIVE):
                np = _possessor_np(tokens, first, last) or np  # 'nominee Jane Roe’s tax returns'
            entity = registry.register(np) if np.kind in ("person", "organisation", "country") else None
            if entity is not None and entity.kind == "person":
                _apposition(tokens, first, last, entity, registry)
            j = last + 1


_POSSESSIVE = ("’s", "'s")


def _possessor_np(tokens: list[Token], first: int, last: int, *, confirmed: bool = True) -> NounPhrase | None:
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


# --- attributions -----------------------------------------------------------


def _cue_at(tokens: list[Token], i: int) -> tuple[Cue, int] | None:
    """The cue starting at token i and the index of its last token, longest phrase first."""
    if i >= len(tokens):
        return None
    g = gazetteer()
    word = tokens[i].lower
    if word in _cue_index()[0]:
        words = [t.lower for t in tokens[i : i + g.max_phrase]]
        for width in range(len(words), 1, -1):
            cue = g.phrases.get(tuple(words[:width]))
            if cue is not None:
                return cue, i + width - 1
    cue = g.verbs.get(word)
    return (cue, i) if cue is not None else None


def _skip_left(tokens: list[Token], k: int) -> int:
    """Step left over adverbs, auxiliaries, weekdays and parentheses ('(R-S.C.)') before a verb."""
    while k >= 0:
        word = tokens[k].lower
        if tokens[k].capitalised and word in _SKIPPABLE and k > 0:
            break  # 'Julia May said': a name, not a modal
        adverb = _ADVERB_LY.match(word) is not None and not tokens[k].capitalised and word not in _LY_NOUNS
        negated = word.replace("’", "'").endswith("n't") or word == "neither"  # 'isn’t saying', 'neither confirmed'
        floating = word in ("both", "all", "each") and k > 0 and tokens[k - 1].is_word  # 'Boeing and Airbus both said'
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


def _subject_left(tokens: list[Token], i: int, quoted: list[bool] | None = None
                  ) -> tuple[int, NounPhrase, NounPhrase | None] | None:
    """The subject noun phrase before the cue at token i: (first token, phrase, apposition).

    Walks back over parentheticals between commas ('Lavrov, for his part, warned'; 'Kuleba, who
    …, thanked'; 'Dupont, the foreign minister of Belgium, a founding member of the alliance,
    said') to the phrase that opens the clause; an apposition that names the speaker
    ('The EU's chief, Kaja Kallas, said') wins over the description before it."""
    k = _skip_left(tokens, i - 1)
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
        c = right - 1
        reports = False  # a reporting verb inside the segment: only in a relative clause ('who said …')
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
        inner = (c + 1, right - 1)
        if inner[0] <= inner[1]:
            span = np_right(tokens, inner[0])
            if span is not None and span[1] == inner[1]:
                segment = analyse_np(tokens, inner[0], inner[1])
                if segment.kind == "person" or (segment.kind == "organisation" and segment.canonical):
                    described = description_left(tokens, _skip_left(tokens, c - 1))
                    return inner[0], segment, described[2] if described is not None else None
                if apposition is None and (segment.role or segment.affiliation):
                    apposition = segment
                    if segment.role and segment.affiliation is None:
                        segment.affiliation = postmodifier_affiliation(tokens, span[1] + 1)[0]
        phrase = np_left(tokens, _skip_left(tokens, c - 1))
        if phrase is None:
            return None
        if phrase[0] == phrase[1] == c - 1 and tokens[c - 1].text.isdigit() and c - 2 >= 0 \
                and tokens[c - 2].text == ",":
            right = c  # 'Maria Lopez, 34, a nurse …, said': an age between commas
            continue
        before = tokens[phrase[0] - 1].lower if phrase[0] > 0 else ""
        if before in _PREPOSITIONS and before not in ("as",):
            right = c  # the phrase before is inside a post-modifier ('… of France,'): go further back
            continue
        placed = person_of_place(tokens, phrase[0], phrase[1])  # 'Rep. Jane Roe of Maryland, the …,'
        return phrase[0], placed[2] if placed else analyse_np(tokens, phrase[0], phrase[1]), apposition
    return None


def _np_len(tokens: list[Token], start: int) -> int:
    span = np_right(tokens, start)
    return span[1] - start if span is not None else 0


def _valid_subject(tokens: list[Token], first: int, np: NounPhrase, *, after_preposition: bool = False,
                   speech: bool = False) -> bool:
    if first > 0 and not after_preposition:
        before = tokens[first - 1].lower
        if (before in _PREPOSITIONS and not (before in _CONJUNCTIONS and speech)) \
                or (before in _WH and not speech):
            return False
    if np.kind == "pronoun":
        return np.head in ("he", "she", "they", "it")
    if np.text.lower() in _NOBODY:
        return False  # 'Nobody expects …'
    if " " not in np.text and np.kind in ("person", "unknown") and not np.confirmed \
            and any(form in _WORKS for form in (np.text.lower(), np.text.lower().removesuffix("s"),
                                                  np.text.lower().removesuffix("ies") + "y")):
        return False  # 'Reports said …', 'Studies show …': no one named
    if is_age_epithet(np.text):
        return True
    if np.kind in ("person", "organisation", "country", "group"):
        return True
    # an unknown capitalised name ('Interfax', 'PolitiFact') or a role description ('the minister')
    return bool(np.head) or all(w[:1].isupper() for w in np.text.split() if w.lower() not in ("the",))


def _opens_sentence(tokens: list[Token], first: int) -> bool:
    """Whether the subject starting at token `first` opens its sentence (or follows an
    introductory phrase ending in a comma, or a closing quotation)."""
    if first == 0:
        return True
    before = tokens[first - 1].text
    return before in (",", "—", "–", "―", "--", "-", ":") or before in _CLOSING  # ("-": a spaced hyphen as a dash)


def _trailing(tokens: list[Token], first: int, last_cue: int) -> bool:
    """'…, Sherman said.' / '“…,” he told reporters.': an attribution after its content."""
    if first == 0:
        return False
    before = tokens[first - 1].text
    if before not in (",",) and before not in _CLOSING:
        return False
    rest = [t.lower for t in tokens[last_cue + 1 :]]
    if len(rest) > 12:
        return False
    if not rest or rest[0] in (".", ",", "!", "?", ";", ":", "”", '"') or rest[0] in _TRAILING_ADVERBIALS:
        return True
    # 'he told reporters', 'she told the BBC': a hearer, then nothing reported
    return tokens[last_cue].lower in _TELL and not any(t in ("that",) for t in rest)


@dataclass(slots=True)
class _Found:
    """A candidate attribution in one sentence, before pruning."""

    entity: Entity
    cue: Cue
    offset: int  # of the cue, in the document
    trailing: bool  # '…, X said.': after what it attributes
    new_clause: bool  # the subject opens the sentence or a coordinated clause
    negated: bool = False  # 'did not say whether', 'declined to comment'


_NOT_BY_AGENT = frozenset({"quote", "cite", "report", "write", "publish", "post", "release", "find"})  # works, relays
_GROUP_WORDS = frozenset({"family", "families", "relatives", "lawyers", "attorneys", "friends", "supporters",
                          "officials", "residents", "members", "analysts", "representatives", "spokesmen"})
_RELATIVES = frozenset({"who", "whom", "whose", "which"})
_MAX_PARENTHETICAL = 60  # tokens: a longer stretch between commas is not an apposition
_MAX_CONJUNCTS = 4  # names coordinated before a subject ('France, Germany, Italy and Spain said')
_COORDINATORS = frozenset({"and", "but", "while", "whereas", "although", "though", "yet"})


def _opens_clause(tokens: list[Token], first: int) -> bool:
    """Whether the subject at `first` opens the sentence or a coordinated main clause."""
    if _opens_sentence(tokens, first):
        return True
    before = tokens[first - 1].lower
    if before == ";":
        return True
    return before in _COORDINATORS and first >= 2 and (tokens[first - 2].text in (",", ";")
                                                         or tokens[first - 2].text in _CLOSING)


def _find(passage: _Passage, index: int, registry: Registry) -> list[_Found]:
    """Attributions of sentence `index`, pruned to what the sentence attributes."""
    if not passage.cued[index]:
        return []
    tokens = passage.tokens[index]
    quoted = passage.quoted[index]
    starts = _cue_index()[1]
    found: list[_Found] = []
    n = len(tokens)
    i = 0
    while i < n:
        token = tokens[i]
        if not token.is_word or quoted[i] or token.lower not in starts:
            i += 1  # (a word that starts no cue: `_cue_at` would find none)
            continue
        # relay: 'X quoted him as saying', 'X was quoted by Interfax as saying'
        if token.lower == "quoted":
            relayed = _relay(tokens, i, registry)
            if relayed is not None:
                found.append(_Found(relayed[0], relayed[1], token.start, True, True))
                i = relayed[2] + 1
                continue
        # 'X was incensed that …' (an attitude adjective), 'X's claim that …' (a reporting noun)
        g = gazetteer()
        special = _attitude if token.lower in g.attitudes else _noun_cue if token.lower in g.nouns else None
        item = special(tokens, i, registry, quoted) if special is not None else None
        if item is not None:
            found.append(item)
            i += 1
            continue
        hit = _cue_at(tokens, i)
        if hit is None:
            i += 1
            continue
        cue, last = hit
        if cue.kind == "relay":
            # 'was quoted by', 'as quoted by': the speaker is the one quoted, not the relay
            at = next((k for k in range(i, last + 1) if tokens[k].lower == "quoted"), None)
            relayed = _relay(tokens, at, registry) if at is not None else None
            if relayed is not None and at is not None:
                found.append(_Found(relayed[0], relayed[1], tokens[at].start, True, True))
                i = relayed[2] + 1
                continue
            i = last + 1
            continue
        if cue.kind == "prep":
            if cue.lemma == "according to":
                span = speaker_right(tokens, _work_author(tokens, last + 1))
                if span is not None:
                    np = analyse_np(tokens, span[0], span[1])
                    valid = np.kind != "pronoun" and _valid_subject(tokens, span[0], np, after_preposition=True)
                    entity = registry.resolve(np, np.start) if valid else None
                    if entity is not None and (not np.indefinite or np.head):  # (not "according to some")
                        opens = _first_word(tokens) >= i  # 'According to X, …' (else '…, according to X')
                        found.append(_Found(entity, cue, token.start, not opens, False))
            else:
                _prep_cue(tokens, i, last, cue, registry, found)
            i = last + 1
            continue
        found += _verb_attribution(tokens, i, last, cue, registry, quoted)
        i = last + 1
    return _prune(_merge_prep_cues(found))


_POSSESSIVE_PRONOUNS = {"his": "he", "her": "she"}  # ('their', 'its': too often someone else's)
_NOUN_ADJECTIVES = 2  # words between the possessor and the noun: 'Trump's repeated, earlier claim'


def _noun_cue(tokens: list[Token], i: int, registry: Registry, quoted: list[bool]) -> _Found | None:
    """'Trump's claim that …', 'the ministry's warning that …', 'her pledge to …': a reporting noun
    with its possessor as the speaker, when a clause or a quotation follows it."""
    cue, complement = gazetteer().nouns[tokens[i].lower]
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    if after is None:
        return None
    follows = after.lower == "that" or after.text == ":" or (i + 1 < len(quoted) and quoted[i + 1])
    if complement in ("to", "for") and after.lower == "to" and i + 2 < len(tokens):
        verb = tokens[i + 2]  # 'his promise to cut taxes', not 'Putin's threat to Europe'
        follows = follows or (verb.is_word and not verb.capitalised and verb.lower not in _NOT_BEFORE_VERB
                              and verb.lower not in gazetteer().function_words)
    if complement == "for":
        follows = follows or after.lower == "for"
    if not follows:
        return None
    p = i - 1
    while p >= 0 and i - p <= _NOUN_ADJECTIVES and tokens[p].is_word and not tokens[p].capitalised \
            and tokens[p].lower not in _POSSESSIVE_PRONOUNS and not tokens[p].lower.endswith(_POSSESSIVE):
        p -= 1  # 'repeated', 'earlier', 'own'
    if p < 0 or not tokens[p].is_word:
        return None
    owner = tokens[p]
    if owner.lower in _POSSESSIVE_PRONOUNS:
        np = NounPhrase("pronoun", owner.start, owner.end, owner.text, head=_POSSESSIVE_PRONOUNS[owner.lower])
    elif owner.lower.endswith(_POSSESSIVE) and len(owner.text) > 2:
        span = np_left(tokens, p)
        if span is None:
            return None
        named = _possessor_np(tokens, span[0], p, confirmed=False)
        if named is None:
            return None
        np = named
    else:
        return None
    entity = registry.resolve(np, np.start)
    if entity is None:
        return None
    return _Found(entity, cue, tokens[i].start, False, True)


_LINKING = frozenset({"is", "are", "was", "were", "be", "been", "being", "remain", "remains", "remained", "seem",
                      "seems", "seemed", "appear", "appears", "appeared", "grew", "grown", "became", "become",
                      "feel", "feels", "felt"})
_DEGREE = frozenset({"very", "so", "too", "deeply", "increasingly", "particularly", "quite", "fairly", "less", "more",
                     "most", "clearly", "visibly", "not", "also", "still", "equally", "all"})


def _attitude(tokens: list[Token], i: int, registry: Registry, quoted: list[bool]) -> _Found | None:
    """'Republicans were incensed that …', 'the minister is confident that …', 'Kyiv is willing to …':
    an attitude adjective after a form of 'be' (or 'remain', 'seem', 'feel'), with its complement,
    for a named subject that opens the sentence or clause."""
    cue, complements = gazetteer().attitudes[tokens[i].lower]
    if i + 1 >= len(tokens) or tokens[i + 1].lower not in complements:
        return None
    k = i - 1
    while k >= 0 and (tokens[k].lower in _DEGREE or tokens[k].lower.replace("’", "'").endswith("n't")):
        k -= 1
    if k < 1 or tokens[k].lower not in _LINKING:
        return None
    subject = _subject_left(tokens, k, quoted)
    if subject is None:
        return None
    first, np, apposition = subject
    subordinate = first > 0 and tokens[first - 1].lower in _SUBORDINATORS
    if not (_opens_clause(tokens, first) or subordinate):
        return None
    named = np.kind in ("person", "organisation", "country", "group") \
        or (np.kind == "pronoun" and np.head in ("he", "she", "they"))
    if not named:  # ('Protesters were frustrated that …': a group, named or described)
        return None
    entity = registry.resolve(np, np.start)
    if entity is None:
        return None
    if apposition is not None:
        registry.describe(entity, apposition)
    return _Found(entity, cue, tokens[i].start, False, _opens_clause(tokens, first))


def _merge_prep_cues(found: list[_Found]) -> list[_Found]:
    """'In a statement, X expressed …': the phrase comes first, so it is X's cue."""
    merged: list[_Found] = []
    pending: _Found | None = None
    verb_at: int | None = None  # the verb whose (coordinated) subjects take the phrase as their cue
    for item in found:
        if item.cue.kind == "prep" and item.cue.lemma != "according to" and not merged:
            pending = item
            continue
        if pending is not None and item.cue.kind == "verb" and verb_at in (None, item.offset):
            verb_at = item.offset  # 'In a joint statement, Germany and France said …': both
            item = _Found(item.entity, pending.cue, pending.offset, item.trailing, item.new_clause)
        merged.append(item)
    if pending is not None and verb_at is None:
        merged.insert(0, pending)
    return merged


def _prep_cue(tokens: list[Token], i: int, last: int, cue: Cue, registry: Registry, found: list[_Found]) -> None:
    """'In a statement, the Kremlin accused …' / 'In an interview …, Dumont was blunt:': the phrase
    is the cue of the subject that follows its comma, when it opens the sentence."""
    if _first_word(tokens) < i:
        return
    comma = next((k for k in range(last + 1, min(len(tokens), last + 40)) if tokens[k].text == ","), None)
    if comma is None or comma + 1 >= len(tokens):
        return
    span = np_right(tokens, comma + 1)
    if span is None:
        return
    np = analyse_np(tokens, span[0], span[1])
    after = span[1] + 1
    if np.kind != "person" and after + 1 < len(tokens) and tokens[after].text == ",":
        named = np_right(tokens, after + 1)  # 'Colombia's environment minister, Lucía Restrepo, was blunt'
        if named is not None:
            person = analyse_np(tokens, named[0], named[1])
            if person.kind == "person":
                person.role = person.role or np.role
                person.affiliation = person.affiliation or np.affiliation
                np = person
    if np.kind == "pronoun" and np.head not in ("he", "she", "they", "it"):
        return
    if np.kind not in ("person", "organisation", "country", "group", "pronoun") and not np.head:
        return
    entity = registry.resolve(np, np.start)
    if entity is not None:
        found.append(_Found(entity, cue, tokens[i].start, False, True))


_WORKS = frozenset({"study", "report", "survey", "poll", "analysis", "review", "paper", "audit", "investigation",
                    "figures", "data", "estimates", "statistics", "records", "documents", "research", "forecast",
                    "assessment", "estimate", "memo", "letter", "filing", "complaint", "brief", "ruling",
                    "statement", "email", "message", "post", "tweet", "video", "communique", "communiqué"})
_MAX_WORK_WORDS = 5  # 'A 2014 study', 'a new independent analysis'


def _work_author(tokens: list[Token], start: int) -> int:
    """'according to figures from the Office for National Statistics', 'according to a study by
    Jane Roe': where the work's author starts (else `start`)."""
    for k in range(start, min(start + _MAX_WORK_WORDS + 1, len(tokens) - 1)):
        if tokens[k].lower in ("by", "from") and k > start and tokens[k - 1].lower in _WORKS:
            return k + 1
        if not tokens[k].is_word or tokens[k].capitalised:
            break
    return start


def _authored_by(tokens: list[Token], first: int) -> int:
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
    return k if _opens_sentence(tokens, k) else first


_NOBODY = frozenset({"nobody", "no one", "none", "everyone", "everybody", "anyone", "anybody", "someone",
                     "somebody", "no", "few"})
_KEPT_WHEN_NEGATED = frozenset({"rule out", "exclude", "hide", "mince"})  # 'would not rule out a run'
_NO_STATEMENT = frozenset({  # 'declined to comment'; not 'refused to disclose …', a stance of its own
    "comment", "say", "answer", "discuss", "elaborate", "confirm", "respond", "speculate", "specify", "be",
    "talk",
})


def _negated(tokens: list[Token], i: int) -> bool:
    """Whether the verb at token i is negated ('did not say', 'never said', 'won't confirm', 'Neither
    Roe nor Doe commented')."""
    k = i - 1
    while k >= 0:
        word = tokens[k].lower
        if word in ("not", "never", "cannot", "nor", "neither") or word.replace("’", "'").endswith("n't"):
            return True
        if word in _SKIPPABLE or _ADVERB_LY.match(word):
            k -= 1
            continue
        break
    if k >= 0:  # 'Neither Roe nor Doe commented': the subject's own negation
        span = np_left(tokens, k)
        if span is not None and span[0] >= 1 and tokens[span[0] - 1].lower in ("nor", "neither"):
            return True
    return False


_CLAUSE_STARTS = frozenset({"that", "how", "when", "what", "why", "where", "whether", "being", ":", ",", ".", "!", "?",
                            ";", "”", '"', "’", "'", "—", "–", "-"})
_WARNINGS = frozenset({"warn", "caution", "advise"})
_SENTIMENTS = frozenset({"condolences", "condolence", "sympathy", "sympathies", "thanks", "congratulations",
                         "apologies", "apology", "prayers", "gratitude", "praise"})


def _act_in_context(cue: Cue, tokens: list[Token], last: int) -> Cue:
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


def _coordinable(np: NounPhrase) -> bool:
    """A speaker that can be coordinated: a name, or a definite description ('the ministry'), not
    a bare noun ('In a joint statement, Germany and France said': not the statement)."""
    return np.kind in ("person", "country") or (np.kind == "group" and bool(np.canonical)) \
        or (np.kind == "organisation" and (bool(np.canonical) or np.definite))


def _conjuncts_left(tokens: list[Token], first: int, np: NounPhrase) -> list[tuple[int, NounPhrase]]:
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
        end = left[0] - 2  # 'France, Germany and …'
    return conjuncts


def _verb_attribution(tokens: list[Token], i: int, last: int, cue: Cue, registry: Registry,
                      quoted: list[bool] | None = None) -> list[_Found]:
    """The attributions of the verb cue at token i (one per coordinated speaker), or none."""
    n = len(tokens)
    word = tokens[i].lower
    work_noun: str | None = None
    author: Entity | None = None
    if tokens[i].capitalised and _first_word(tokens) < i and not (
            i <= 2 and all(t.text in _CLOSING for t in tokens[:i])):
        return []  # a capitalised word inside a sentence is a name ('the United States')
    head = _catenative(tokens, i)  # 'continued to call for', 'went on to explain': the verb before 'to'
    if head is None and i > 0 and (tokens[i - 1].lower in _NOT_BEFORE_VERB
                                   or tokens[i - 1].lower in _PREPOSITIONS):
        return []  # an infinitive or a noun ('to admit', 'the warning', 'secretary of state')
    if last + 1 < n and tokens[last + 1].lower == "to" and cue.act not in ("commissive", "directive") \
            and cue.lemma not in ("say", "tell", "write", "explain", "want", "hope", "wish"):
        return []  # 'agreed to keep working', 'expected to dominate' (but 'offered to host')
    if word.endswith("ing") and i > 0 and tokens[i - 1].text == ",":
        return []  # a participle: handled with the main clause
    if word.endswith("ing") and head is None and i > 0 and tokens[i - 1].capitalised and not _finite_ing(tokens, i):
        return []  # 'Faster planning decisions': an '-ing' word right after a name is no verb
    if cue.lemma == "recall" and last + 1 < n and tokens[last + 1].lower not in _CLAUSE_STARTS \
            and tokens[last + 1].lower not in _TRAILING_ADVERBIALS and not tokens[last + 1].capitalised \
            and not (quoted is not None and quoted[last + 1]):
        return []  # 'Tesla recalled 2 million vehicles': not 'recalled that …' / '…, she recalled.'
    # 'Alvarez did not say whether …', 'never said', 'declined to comment': a statement withheld
    negated = (_negated(tokens, head if head is not None else i) and cue.lemma not in _KEPT_WHEN_NEGATED) or (
        cue.lemma in ("decline", "refuse") and last + 2 < n and tokens[last + 1].lower == "to"
        and tokens[last + 2].lower in _NO_STATEMENT)
    if cue.lemma == "report" and last + 1 < n and tokens[last + 1].lower == "from":
        return []  # 'Jane Roe reported from Kyiv': a credit line, not a statement
    if last + 1 < n and ((tokens[last + 1].lower in _COMPOUND_HEADS and word == cue.lemma)
                         or (cue.lemma == "add" and tokens[last + 1].lower == "up")):
        return []  # 'press secretary', 'figures may not add up': a noun, a phrasal verb
    if cue.lemma == "plead" and last + 1 < n and tokens[last + 1].lower in _PLEAS:
        return []  # 'pleaded guilty', 'pleaded no contest': a plea in court, not a statement
    if word.endswith("s") and word != "says" and last + 1 < n:
        following = gazetteer().verbs.get(tokens[last + 1].lower)
        if following is not None and following.speech and not tokens[last + 1].lower.endswith("ing"):
            return []  # 'Weather forecasts say …', 'Reports said …': a plural noun before the verb
    if not word.endswith("ing") and word not in ("quoted",):
        k = i - 1
        while k >= 0 and tokens[k].lower in _ADVERBS:
            k -= 1
        if k >= 0 and tokens[k].lower in _BE:
            # a passive: 'was dubbed the winner' is nobody's; 'was criticised by the union' is the union's
            return _by_agent(tokens, i, last, cue, registry)
    ends = last + 1 >= n or tokens[last + 1].text in (".", "!", "?", ";")
    subject = _subject_left(tokens, head if head is not None else i, quoted)
    trailing = False
    new_clause = False
    np: NounPhrase | None = None
    apposition: NounPhrase | None = None
    conjuncts: list[tuple[int, NounPhrase]] = []
    if subject is not None:
        first, np, apposition = subject
        conjuncts = _conjuncts_left(tokens, first, np)
        opening = conjuncts[0][0] if conjuncts else first  # where the (coordinated) subject starts
        if conjuncts and opening >= 1 and tokens[opening - 1].lower in ("both", "neither", "either"):
            opening -= 1
        if conjuncts and not _opens_clause(tokens, opening):
            conjuncts, opening = [], first  # 'Sherman met Lavrov and Ryabkov said': not coordinated
        authored = _authored_by(tokens, opening) if not conjuncts else opening
        if authored != opening:  # 'A statement from the White House said': the work it names
            work_noun = next(t.lower for t in tokens[authored:opening] if t.lower in _WORKS)
        opening = authored
        words = np.text.lower().split()
        if len(words) == 2 and words[0] == "the" and words[1] in registry.authors:
            author = registry.authors[words[1]]  # 'The statement added …': its author adds
        if word.endswith("ing") and author is None and authored == first and np.canonical is None \
                and (np.head or np.text).lower().split()[-1] in _MEDIA:
            return []  # 'The ministry issued a statement calling for calm': the ministry's (see _participles)
        subordinate = opening > 0 and tokens[opening - 1].lower in _SUBORDINATORS and np.kind == "person"
        if not _valid_subject(tokens, opening, np, speech=(cue.speech or subordinate) and np.kind == "person"):
            np = None
        else:
            trailing = _trailing(tokens, opening, last)
            new_clause = _opens_clause(tokens, opening)
            described = tokens[first].lower == "the" and np.kind == "unknown" and is_role_word(np.head or "")
            named = np.kind in ("person", "organisation", "country", "pronoun") \
                or (np.kind == "group" and np.canonical) or described  # 'The mayor agreed …'
            refusal = negated and cue.lemma in ("decline", "refuse")  # 'A Boeing spokesman declined to comment'
            if not (cue.speech or refusal) and not ((_opens_sentence(tokens, opening) or subordinate) and named):
                return []  # action verbs count only for a named subject that opens the sentence
            if word.endswith("s") and word != "says" and not np.head and np.kind not in (
                    "person", "organisation", "country", "pronoun"):
                return []  # 'the other Baltic states', 'the new claims': a plural noun
            if word.endswith("s") and word != "says" and np.kind == "person" and not np.confirmed \
                    and tokens[first].lower in ("the", "other", "a", "an"):
                return []
            if ends and not trailing and np.kind not in ("person", "pronoun"):
                return []  # a reporting verb with nothing reported
    if np is None:
        # inverted: '“…,” said Peskov' / '“…,” said the minister'
        sentence_first = _first_word(tokens) >= i or (tokens[i - 1].text in _CLOSING and i <= 2)
        # ('“…,” fumed X': after a quotation any cue reports it)
        if _after_quotation(tokens, i) or (cue.speech and (_inverted_after_comma(tokens, i, last)
                                                           or (sentence_first and tokens[i].capitalised))):
            # '“…,” said Peskov'; '…, noted X.'; 'Said Ellis: “…”'
            span = speaker_right(tokens, last + 1)
            if span is None or tokens[span[0]].lower in _PREPOSITIONS:
                return []  # 'Writing for the Ledger, X noted': not the speaker
            placed = person_of_place(tokens, span[0], span[1])  # 'said Prof. Helen Marsh of Oxford University'
            np = _writer_for(tokens, span) or (placed[2] if placed else _group_of(tokens, span)
                                               or analyse_np(tokens, span[0], span[1]))
            person = _named_after(tokens, span[1]) if np.kind not in ("person", "pronoun") else None
            if person is not None:  # 'said the campaign's manager, Jane Roe.'
                if np.role or np.affiliation:
                    apposition = np
                np = person
            if np.kind == "pronoun" and np.head not in ("he", "she", "they"):
                return []
            if not _valid_subject(tokens, span[0], np):
                return []
            trailing = new_clause = True
        else:
            return []
    entity = author or registry.resolve(np, np.start)
    if entity is None:
        return []
    if negated and entity.kind == "organisation" and _relays(entity.name):
        return []  # 'Reuters could not independently verify the claim': the outlet's own caveat
    if work_noun is not None:
        registry.authors[work_noun] = entity
    if apposition is not None:
        registry.describe(entity, apposition)
    cue = _act_in_context(cue, tokens, last)
    found = [_Found(other, cue, tokens[i].start, trailing, new_clause, negated)
             for other in (registry.resolve(c, c.start) for _, c in conjuncts) if other is not None]
    return [f for k, f in enumerate(found) if all(f.entity is not e.entity for e in found[:k])
            and f.entity is not entity] + [_Found(entity, cue, tokens[i].start, trailing, new_clause, negated)]


def _finite_ing(tokens: list[Token], i: int) -> bool:
    """Whether the '-ing' word at i has an auxiliary ('is planning', 'are calling for') before
    the name that precedes it ('Is Trump planning …'), i.e. can be a finite verb phrase."""
    return any(t.lower in _BE for t in tokens[max(0, i - 4) : i])


def _by_agent(tokens: list[Token], i: int, last: int, cue: Cue, registry: Registry) -> list[_Found]:
    """'The proposal was criticised by Lt. Gov. Eleni Kounalakis', 'The plan was welcomed by the
    union': the agent of a passive cue speaks about the subject."""
    if last + 2 >= len(tokens) or tokens[last + 1].lower != "by" or cue.lemma in _NOT_BY_AGENT:
        return []
    span = speaker_right(tokens, last + 2)
    if span is None:
        return []
    np = _group_of(tokens, span) or analyse_np(tokens, span[0], span[1])
    if np.kind not in ("person", "organisation", "country", "group") and not (np.definite and np.head):
        return []
    entity = registry.resolve(np, np.start)
    if entity is None:
        return []
    return [_Found(entity, _act_in_context(cue, tokens, last), tokens[i].start, False, True)]


def _group_of(tokens: list[Token], span: tuple[int, int]) -> NounPhrase | None:
    """'said the family of Ahmed Khalil', 'said lawyers for the victims': a group known by its
    post-modifier, not the person or thing the post-modifier names."""
    if not any(tokens[k].lower in _GROUP_WORDS and tokens[k + 1].lower in ("of", "for", "at", "in")
               for k in range(span[0], span[1])):
        return None
    described = description_left(tokens, span[1])
    if described is None or described[0] != span[0] or described[2].kind != "group":
        return None
    return described[2]


def _relays(name: str) -> bool:
    """Whether the organisation `name` is a news agency or outlet (it relays what others say)."""
    info = gazetteer().organisation_info.get(name)
    return info is not None and info.kind == "agency_news"


def _named_after(tokens: list[Token], last: int) -> NounPhrase | None:
    """The person named in an apposition after the description ending at token `last`: '…, said
    the campaign's manager, Jane Roe.' (the name ends the sentence or its clause)."""
    if last + 2 >= len(tokens) or tokens[last + 1].text != ",":
        return None
    span = np_right(tokens, last + 2)
    if span is None or (span[1] + 1 < len(tokens) and tokens[span[1] + 1].text not in (",", ".", ";", "!", "?")):
        return None
    person = analyse_np(tokens, span[0], span[1])
    return person if person.kind == "person" else None


def _writer_for(tokens: list[Token], span: tuple[int, int]) -> NounPhrase | None:
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


# nouns that make a compound with a cue's bare form: 'press secretary', 'report card'
_COMPOUND_HEADS = frozenset({"secretary", "release", "releases", "conference", "office", "briefing", "aide", "officer",
                             "corps", "gallery", "card", "freedom", "agency"})
_PLEAS = frozenset({"guilty", "innocent", "not", "no", "nolo", "the"})
_CATENATIVES = frozenset({"continue", "continues", "continued", "seem", "seems", "seemed", "appear",
                          "appears", "appeared"})
_GO_ON = frozenset({"go", "goes", "went", "gone"})


def _catenative(tokens: list[Token], i: int) -> int | None:
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


def _inverted_after_comma(tokens: list[Token], i: int, last: int) -> bool:
    """'…, noted NBC's Dante Chinni.': a cue after a comma whose named subject ends the sentence."""
    if i < 1 or tokens[i - 1].text != ",":
        return False
    span = np_right(tokens, last + 1)
    if span is None or not tokens[span[0]].capitalised:
        return False
    after = span[1] + 1
    return after >= len(tokens) or tokens[after].text in (".", ",", "!", "?", "”", '"')


def _after_quotation(tokens: list[Token], i: int) -> bool:
    """Whether the cue at token i follows a quotation that ends with a comma, '?' or '!'
    ('“…,” said X'; '“…?” asked X'; '…,” said X')."""
    k = i - 1
    while k >= 1 and tokens[k].text in _CLOSING and tokens[k - 1].text in _CLOSING:
        k -= 1  # ''…,'' (two apostrophes as a quote mark)
    if k < 1:
        return False
    before, prior = tokens[k].text, tokens[k - 1].text
    if before in _CLOSING and prior in (",", "?", "!"):
        return True
    return before == "," and prior in _CLOSING


def _relay(tokens: list[Token], i: int, registry: Registry) -> tuple[Entity, Cue, int] | None:
    """'… quoted him as saying' -> him; 'X was quoted (by Y) as saying' -> X."""
    say = Cue("say", "assertive", "relay", True)
    n = len(tokens)
    # active: 'quoted <NP> as saying'
    span = np_right(tokens, i + 1) if i + 1 < n else None
    if span is not None and span[1] + 2 < n and tokens[span[1] + 1].lower == "as" \
            and _RELAY.match(tokens[span[1] + 2].lower):
        np = analyse_np(tokens, span[0], span[1])
        entity = registry.resolve(np, np.start)
        if entity is not None:
            return entity, say, span[1] + 2
    # passive: '<NP> was (later) quoted (by <agency>) as saying'
    b = i - 1
    while b >= 1 and (tokens[b].lower in _ADVERBS or _ADVERB_LY.match(tokens[b].lower)):
        b -= 1
    if i >= 2 and tokens[b].lower in ("was", "were", "is", "been"):
        j = i + 1
        if j < n and tokens[j].lower == "by":
            agency = np_right(tokens, j + 1)
            j = agency[1] + 1 if agency is not None else j + 1
        while j < n and tokens[j].lower not in ("as",) and tokens[j].text != ".":
            j += 1
        if j + 1 < n and _RELAY.match(tokens[j + 1].lower):
            subject = _subject_left(tokens, i)  # skips 'was', appositions and parentheses
            if subject is not None:
                _, np, apposition = subject
                entity = registry.resolve(np, np.start)
                if entity is not None:
                    if apposition is not None:
                        registry.describe(entity, apposition)
                    return entity, say, j + 1
    return None


def _prune(found: list[_Found]) -> list[_Found]:
    """Keep what a sentence attributes: its first attribution, later ones by the same speaker,
    trailing ones ('…, X said.') and those of a coordinated clause ('…, while Y said …'). A clause
    reported by a later attribution is content, not an attribution of its own: 'X told Y that
    Britain would announce …' is X's, and 'Russia offered no proof, Sherman said' is Sherman's.
    A reporting noun ('NATO's accusation that …') counts only in a sentence with no other cue."""
    if not found:
        return found
    if any(f.cue.kind != "noun" for f in found):
        # 'The Kremlin rejected NATO's accusation that …': the sentence is the Kremlin's
        found = [f for f in found if f.cue.kind != "noun"]
    if found[0].cue.lemma == "according to" and not found[0].trailing:
        # 'According to Schlein, the government had ignored …': an action in the content is not a
        # cue ('According to Yahoo News, Lehrich said …' stays Lehrich's: the outlet relays)
        found = [f for f in found if f is found[0] or f.cue.speech]
    if any(f.cue.kind != "prep" for f in found):
        # 'X said, according to the Interfax news agency': the speaker is X; the agency relays
        found = [f for f in found if f.cue.lemma != "according to"]
    if any(f.trailing for f in found):
        found = [f for f in found if f.trailing or (f.cue.speech and f.new_clause)]
    kept = found[:1]
    for item in found[1:]:
        if item.trailing or item.new_clause or any(k.entity is item.entity for k in kept):
            kept.append(item)
    return kept


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 4 and all(w[:1].isupper() for w in words) and not any(is_role_word(w) for w in words)


_ANSWER = re.compile(r"^[\"“]?\s*(?:A|Answer|ANSWER)\s*:\s+\S")


def _answer(passage: _Passage, registry: Registry) -> Attribution | None:
    """'A: …' in an interview: the person of the last 'Name:' label, or else the first person the
    article introduced (the interviewee, in a Q&A's introduction)."""
    offset = passage.sentences[0].start
    answering = registry.answering or next(
        (e for e in registry.entities if e.kind == "person" and e.confirmed and e.first_offset < offset), None)
    if answering is None:
        return None
    return Attribution(answering, Cue("say", "assertive", "label", True), 0, offset)


def _label(passage: _Passage, registry: Registry) -> Attribution | None:
    """'Baerbock: …', '• EU foreign policy chief Lena Hofstad: “…”', '9:40 a.m. — Name: “…”'."""
    if passage.sentences and _ANSWER.match(passage.sentences[0].text):
        return _answer(passage, registry)
    match = None
    first = None
    for k, sentence in enumerate(passage.sentences):
        match = _LABEL.match(sentence.text)
        if match is not None and (k == 0 or sentence.text[match.end():].lstrip()[:1] in "“\"«„‘'"):
            first = sentence
            break
        match = None
    if match is None or first is None:
        return None
    who = match.group("who").strip()
    offset = first.start + match.start("who")
    name_part, _, role_part = who.partition(",")
    if role_part.strip() and name_part.strip()[:1].isupper() and _looks_like_name(role_part.strip()) \
            and not _looks_like_name(name_part.strip()):
        name_part, role_part = role_part, name_part  # 'Moldova's prime minister, Dorin Lupu:'
    if name_part.strip().lower().rstrip(".").replace("’", "'") in gazetteer().not_labels \
            or len(name_part.split()) > 7:
        return None
    tokens = tokenize(name_part.strip(), offset)
    if not tokens or not tokens[-1].capitalised or not all(
        t.capitalised or t.lower in ("of", "de", "van", "von", "al") or is_role_word(t.text)
        for t in tokens if t.is_word
    ):
        return None
    if name_part.isupper():  # 'BONDAR:' / 'RACHEL OWENS, HOST:'
        tokens = [Token.of(t.text.title() if t.is_word else t.text, t.start, t.end) for t in tokens]
        if role_part.strip().lower() in ("host", "anchor", "interviewer", "moderator"):
            return None
    g = gazetteer()
    if name_part.strip() in g.countries or name_part.strip() in g.capitals or name_part.strip().title() in g.capitals:
        return None  # a dateline ('GENEVA, Jan. 10 -'), not a speaker
    np = analyse_np(tokens, 0, len(tokens) - 1)
    if np.kind not in ("person", "organisation", "country"):
        return None
    if np.kind == "person" and len(np.name_tokens) >= 3 and not any(
            t.lower() in g.given_names for t in np.name_tokens):
        return None  # a Title Case heading ('Veto Power Impedes Peace Efforts:'), not a name
    if role_part.strip():
        desc_tokens = tokenize(role_part.strip(), offset)
        desc = analyse_np(desc_tokens, 0, len(desc_tokens) - 1) if desc_tokens else None
        if desc is None or not (desc.role or desc.affiliation) or len(desc_tokens) > 10:
            return None  # 'Name, role:' needs a role
        np.role = np.role or desc.role
        np.affiliation = np.affiliation or desc.affiliation
    if np.kind == "organisation" and _relays(np.canonical or ""):
        return None  # 'POLITICO: Why did the deal fail?': the interviewer asks
    entity = registry.resolve(np, np.start)
    if entity is None:
        return None
    if np.role or np.affiliation:
        registry.describe(entity, np)
    if entity.kind == "person":
        registry.answering = entity
    return Attribution(entity, Cue("say", "assertive", "label", True), passage.sentences.index(first), offset)


_SIGNED = re.compile(r"[”\"’»]\s*[―—–-]{1,2}\s*(?P<who>[A-ZÀ-Þ][\w.’'\- ]{1,60}?(?:,\s*[^,]{2,80}?)?)\s*\.?\s*$")


def _signature(passage: _Passage, registry: Registry) -> Attribution | None:
    """'“…” ― Sonya Herr': a quotation signed with a dash and a name."""
    if not passage.sentences or not (passage.quotes or passage.sentences[0].text[:1] in _CLOSING):
        return None  # (a quotation, or a paragraph opened with a stray mark: '”We deserve better.” ― Name')
    begin = passage.sentences[0].start
    body = "".join(
        " " * (s.start - (passage.sentences[k - 1].end if k else begin)) + s.text
        for k, s in enumerate(passage.sentences)
    )
    match = _SIGNED.search(body[-200:])
    if match is None:
        return None
    who = match.group("who").strip()
    name_part = who.split(",")[0].strip()
    offset = begin + max(0, len(body) - 200) + match.start("who")
    tokens = tokenize(name_part, offset)
    if not tokens or len(tokens) > 6 or not all(t.capitalised or not t.is_word for t in tokens):
        return None
    np = analyse_np(tokens, 0, len(tokens) - 1)
    if np.kind not in ("person", "organisation", "country", "unknown"):
        return None
    if np.kind == "unknown":
        np.kind = "person"
        np.name_tokens = tuple(t.text for t in tokens if t.is_word)
    entity = registry.resolve(np, np.start)
    if entity is None:
        return None
    index = next((k for k, sen in enumerate(passage.sentences) if sen.start <= offset < sen.end),
                 len(passage.sentences) - 1)
    return Attribution(entity, Cue("say", "assertive", "label", True), index, offset)


def _attribute(passage: _Passage, registry: Registry) -> None:
    label = _label(passage, registry) or _signature(passage, registry)
    if label is not None:
        passage.attributions.append(label)
        registry.spoke(label.entity, label.offset)
    for index in range(len(passage.sentences)):
        _opening_subject(passage, index, registry)
        for item in _find(passage, index, registry):
            if label is not None and item.entity is not label.entity and not item.cue.speech:
                continue  # 'ALVAREZ: The council never wanted it.': an action in the answer is content
            passage.attributions.append(Attribution(item.entity, item.cue, index, item.offset, item.negated))
            registry.spoke(item.entity, item.offset)
        # ', saying …' / ', adding …': the sentence's speaker goes on speaking
        _participles(passage, index, registry)


def _opening_subject(passage: _Passage, index: int, registry: Registry) -> None:
    """Note the named person that opens sentence `index` ('Mr. Harlow has defended …'), for the
    pronouns of the sentences after it."""
    tokens = passage.tokens[index]
    begin = 0
    comma = next((k for k in range(min(len(tokens) - 1, 12)) if tokens[k].text == ","), None)
    if comma is not None and tokens[0].lower in _PREPOSITIONS | {"on", "at"}:
        begin = comma + 1  # 'At the briefing, Vance called …'
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


def _main_subject(tokens: list[Token], quoted: list[bool]) -> NounPhrase | None:
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
            continue  # 'Frustrated by the delays, Vance revised …': a participle, not the subject
        if after < len(tokens) and tokens[after].text[:1].islower():
            np = analyse_np(tokens, span[0], span[1])
            if np.kind in ("person", "pronoun", "organisation", "country", "group") or np.head:
                return np
    return None


_MEDIA = _WORKS | frozenset({"tweets", "posts", "statements", "letters", "messages", "videos", "emails", "ad",
                              "ads", "release", "note", "notes", "remarks", "speech", "interview", "op-ed"})
_MEDIUM_REACH = 4  # words between the medium and its participle: 'a series of tweets early Friday saying'


def _medium_before(tokens: list[Token], i: int) -> bool:
    """'Trump posted a video saying …', 'The ministry issued a statement calling for …': a speech
    participle after the medium the main clause's subject used."""
    if tokens[i].lower not in ("saying", "stating", "arguing", "claiming", "calling", "urging", "warning",
                               "accusing", "insisting", "announcing", "denying"):
        return False
    for k in range(i - 1, max(i - 1 - _MEDIUM_REACH, 0), -1):
        if tokens[k].lower in _MEDIA:
            return True
        if not tokens[k].is_word:
            return False
    return False


def _participles(passage: _Passage, index: int, registry: Registry) -> None:
    """', saying …', 'by saying …', '… and asked …': the main clause's subject goes on speaking."""
    if not passage.cued[index]:
        return  # no word in the sentence starts a cue
    tokens = passage.tokens[index]
    quoted = passage.quoted[index]
    own = list(itertools.takewhile(lambda a: a.sentence == index, reversed(passage.attributions)))
    for i, token in enumerate(tokens):
        if i == 0 or quoted[i]:
            continue
        before = tokens[i - 1].lower
        participle = (before in (",", "by") and token.lower.endswith("ing")) or _medium_before(tokens, i)
        coordinated = before in ("and", "but") and not token.lower.endswith("ing")
        named = tokens[i - 1].capitalised and token.lower.endswith("ing") and not participle
        if not (participle or coordinated or named):
            continue
        hit = _cue_at(tokens, i)
        if hit is None or hit[0].kind != "verb":
            continue
        if named:
            # 'footage of Hillary Clinton asking, “…”': a named speaker right before a speech participle
            span = np_left(tokens, i - 1)
            speaker = analyse_np(tokens, span[0], span[1]) if span is not None and hit[0].speech else None
            entity = registry.resolve(speaker, speaker.start) if speaker and speaker.kind == "person" else None
            if entity is not None and not any(a.entity is entity for a in own):
                passage.attributions.append(Attribution(entity, hit[0], index, token.start))
                registry.spoke(entity, token.start)
                own = [*own, passage.attributions[-1]]
            continue
        if coordinated and (own or hit[1] + 1 >= len(tokens) or tokens[hit[1] + 1].text in (".", ",")):
            continue  # '… called for a ceasefire and said …': the main clause already names the speaker
        np = _main_subject(tokens, quoted)
        if np is None:
            continue
        entity = registry.resolve(np, np.start)
        if entity is None:
            continue
        if participle and own:
            continue  # the main clause already names the speaker
        if coordinated and any(a.entity is entity for a in own):
            continue
        passage.attributions.append(Attribution(entity, hit[0], index, token.start))
        registry.spoke(entity, token.start)
        own = [*own, passage.attributions[-1]]


# --- positions ---------------------------------------------------------------


def _title_like(text: str) -> bool:
    words = [w for w in re.findall(r"[^\W_]+(?:['’\-][^\W_]+)*", text)]
    if not words or len(words) > 8 or text.rstrip().endswith((",", ".", "!")):
        return False
    return all(w[:1].isupper() or w.lower() in _TITLE_SMALL or w[:1].isdigit() for w in words) and \
        words[0][:1].isupper()


def _clean_quote(text: str) -> str:
    text = " ".join(text.split())
    return text.rstrip(" .,;:").strip()


def _quote_owner(quote: Quote, passage: _Passage, owners: list[list[Entity]],
                 cues: dict[int, list[tuple[int, Entity]]]) -> Entity | None:
    """Whose quotation this is: the sentence's speaker; in a sentence with several, the one whose
    cue comes last before it (or, for '“…,” said X', the first after it)."""
    index = bisect.bisect_right(passage.sentences, quote.start, key=lambda s: s.start) - 1
    if index < 0 or quote.start >= passage.sentences[index].end or not owners[index]:
        return None
    if len(owners[index]) == 1:
        return owners[index][0]
    here = cues.get(index, [])
    before = [entity for offset, entity in here if offset <= quote.start]
    if before:
        return before[-1]
    return here[0][1] if here else owners[index][0]


def _assemble(passage: _Passage, text: str, article_id: str, document_id: str) -> list[dict[str, Any]]:
    if not passage.attributions:
        return []
    sentences = passage.sentences
    # one position per actor: a description resolved to nobody we know ('the envoy', 'Officials in
    # Kyiv') makes a new entity each time it is read; the same actor's are one
    same: dict[tuple[str, str], Entity] = {}
    for attribution in passage.attributions:
        attribution.entity = same.setdefault((attribution.entity.name, attribution.entity.kind), attribution.entity)
    owners: list[list[Entity]] = [[] for _ in sentences]
    for attribution in passage.attributions:
        if all(e is not attribution.entity for e in owners[attribution.sentence]):
            owners[attribution.sentence].append(attribution.entity)
    # unattributed sentences belong to the speaker before them (or, at the start, after them)
    current: list[Entity] = []
    for index, owned in enumerate(owners):
        if owned:
            current = owned
        elif current:
            owners[index] = list(current)
    first_owned = next((o for o in owners if o), [])
    for index, owned in enumerate(owners):
        if owned:
            break
        owners[index] = list(first_owned)
    records = []
    first_of: dict[int, Attribution] = {}  # id(entity) -> its first attribution, in order (by identity:
    for attribution in passage.attributions:  # comparing entities field by field is slow)
        first_of.setdefault(id(attribution.entity), attribution)
    single = len(first_of) == 1
    cues: dict[int, list[tuple[int, Entity]]] = {}
    for attribution in passage.attributions:
        cues.setdefault(attribution.sentence, []).append((attribution.offset, attribution.entity))
    for listed in cues.values():
        listed.sort(key=lambda c: c[0])
    quotes_of: dict[int, list[str]] = {}
    for quote in passage.quotes:
        owner = _quote_owner(quote, passage, owners, cues)
        cleaned = _clean_quote(quote.text)
        if owner is not None and cleaned and not _title_like(quote.text):
            quotes_of.setdefault(id(owner), []).append(cleaned)
    sentences_of: dict[int, list[int]] = {}
    for index, owned in enumerate(owners):
        for entity in owned:
            sentences_of.setdefault(id(entity), []).append(index)
    for first in first_of.values():
        entity = first.entity
        indexes = sentences_of[id(entity)]
        start = passage.block.start if single else sentences[indexes[0]].start
        end = passage.block.end if single else sentences[indexes[-1]].end
        quotes = quotes_of.get(id(entity), [])
        passage_text = text[start:end]
        records.append(
            {
                "position_id": stable_id("position", article_id, start, end, entity.name),
                "article_id": article_id,
                "document_id": document_id,
                "ordinal": 0,
                "topic": passage.topic,
                "actor": entity.name,
                "actor_role": entity.role if entity.kind == "person" else None,
                "actor_affiliation": entity.affiliation if entity.kind in ("person", "group") else _org_country(entity),
                "cue": first.cue.lemma,
                "act": first.cue.act,
                "negated": first.negated,
                "text": passage_text,
                "quotes": quotes,
                "char_start": start,
                "char_end": end,
            }
        )
    return records


def _org_country(entity: Entity) -> str | None:
    if entity.kind == "organisation":
        org = gazetteer().organisation_info.get(entity.name)
        return org.country if org is not None else entity.affiliation
    return None


def _lead_in(records: list[dict[str, Any]], passage: _Passage, after: list[_Passage], text: str) -> None:
    """'Caddell continued:' followed by a quotation paragraph, 'Reeves outlined these priorities:'
    followed by bullets: the quotation, or the list, is the lead-in's position's."""
    following = after[0] if after else None
    if following is None or following.attributions or not records:
        return
    if not text[passage.block.start : passage.block.end].rstrip().endswith(":"):
        return
    last = passage.sentences[-1] if passage.sentences else None
    if last is None or not any(a.sentence == len(passage.sentences) - 1 for a in passage.attributions):
        return  # the colon must close the attributing sentence ('Limbaugh added:')
    record = max(records, key=lambda r: r["char_end"])
    listed = [following]
    if following.block.kind == "bullet":  # the whole list, up to its first attributed bullet
        listed = list(itertools.takewhile(lambda p: p.block.kind == "bullet" and not p.attributions, after))
    for item in listed:
        item.led = True
        record["quotes"] += [q for q in (_clean_quote(q.text) for q in item.quotes) if q]
    record["char_end"] = listed[-1].block.end
    record["text"] = text[record["char_start"] : record["char_end"]]
    record["position_id"] = stable_id("position", record["article_id"], record["char_start"], record["char_end"],
                                      record["actor"])


_MAX_LED = 50  # bullets a lead-in ('… made these pledges:') holds at most
_OPENING_MARKS = ("“", '"', "«", "„")


def start_of_words(text: str, at: int) -> int:
    """Index of the first non-space character at or after `at`."""
    while at < len(text) - 1 and text[at].isspace():
        at += 1
    return at


def _open_at_end(passage: _Passage, text: str) -> bool:
    """Whether the passage ends inside a quotation that the next paragraph goes on with (the
    convention for a quotation over several paragraphs: no closing mark until its last one)."""
    if not passage.quotes:
        return False
    last = passage.quotes[-1]
    end = passage.block.start + len(text[passage.block.start : passage.block.end].rstrip())
    return last.end >= end and text[end - 1] not in _CLOSING


def _continue(record: dict[str, Any], passage: _Passage, text: str) -> None:
    """A paragraph that opens with a quote mark, attributes nothing itself and follows a paragraph
    whose quotation was left open goes on with that quotation: the position runs over it too."""
    record["char_end"] = passage.block.end
    record["text"] = text[record["char_start"] : record["char_end"]]
    record["quotes"] = record["quotes"] + [q for q in (_clean_quote(q.text) for q in passage.quotes) if q]
    record["position_id"] = stable_id("position", record["article_id"], record["char_start"], record["char_end"],
                                      record["actor"])


def extract_positions(
    blocks: list[Block], text: str, *, article_id: str, document_id: str, title: Block | None = None
) -> list[dict[str, Any]]:
    """Position records of an article's body blocks, in document order.

    Args:
        blocks: the body blocks (headings, paragraphs, bullets) in order.
        text: the document text the blocks' offsets point into.
        article_id: id of the article.
        document_id: id of the document.
        title: the headline block; a headline of the form "Name: statement" is a position.
    """
    registry = Registry()
    passages: list[_Passage] = []
    topic: str | None = None
    for block in blocks:
        if block.kind == "heading":
            topic = " ".join(block.text.split())
            continue
        if block.kind in ("paragraph", "bullet") and block.end > block.start:
            passages.append(_prepare(block, text, topic))
            _title_case_verbs(passages[-1])  # (a headline pasted as the first paragraph)
    headline = _prepare(title, text, None) if title is not None and title.end > title.start else None
    if headline is not None:
        _title_case_verbs(headline)
    # (a Title Case headline introduces nobody: 'Gold Star Mom Corners Obama On …' names no 'Corners Obama')
    for passage in ([headline] if headline is not None and not _title_case(headline) else []) + passages:
        _introduce(passage, registry)
    in_body = [e for e in registry.entities if headline is not None and e.last_offset > headline.block.end]
    registry.body_start = headline.block.end if headline is not None else 0
    for passage in passages:
        _attribute(passage, registry)
    records: list[dict[str, Any]] = []
    if headline is not None:
        # after the body, so that a person the body quotes is known to be one
        label = _label(headline, registry)
        known = label is not None and label.entity.kind == "person" and label.entity.confirmed and any(
            label.entity is e for e in in_body)
        if label is not None and known:
            headline.attributions.append(label)
        else:
            # a sentence-case headline that reports speech: 'Bill Clinton calls Obamacare a crazy system'
            for item in _find(headline, 0, registry) if headline.sentences else []:
                if item.entity.kind == "person" and item.entity.confirmed and any(item.entity is e for e in in_body):
                    headline.attributions.append(Attribution(item.entity, item.cue, 0, item.offset))
        records += _assemble(headline, text, article_id, document_id)
    carried: dict[str, Any] | None = None  # the position whose quotation goes on in the next paragraph
    for index, passage in enumerate(passages):
        own = _assemble(passage, text, article_id, document_id)
        if passage.led:
            continue  # a bullet of a list a lead-in's position holds
        _lead_in(own, passage, passages[index + 1 : index + 1 + _MAX_LED], text)
        if not own and carried is not None and carried["char_end"] < passage.block.end \
                and text[start_of_words(text, passage.block.start)] in _OPENING_MARKS:
            _continue(carried, passage, text)
            own = [carried]
        else:
            records += own
        last = max(own, key=lambda r: r["char_end"]) if own else None
        carried = last if last is not None and _open_at_end(passage, text) else None
    records.sort(key=lambda r: (r["char_start"], r["char_end"]))
    for ordinal, record in enumerate(records, start=1):
        record["ordinal"] = ordinal
    return records
