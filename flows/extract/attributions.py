"""Attributions in one sentence: each cue with its speaker, then pruned.

In: a prepared `Passage` and the article's `Registry`. Out: `Found` candidates per
sentence (verb cues, reporting nouns, attitude adjectives, prepositional cues,
relays, passive agents), pruned to what the sentence attributes, and the
participle clauses (", saying …") that continue a speaker.
"""

from __future__ import annotations

import itertools
import re

from flows.extract.cues import (
    ADVERB_LY,
    cue_at,
    cue_index,
    first_word,
    word_class,
)
from flows.extract.gazetteer import Cue, gazetteer
from flows.extract.mentions import (
    Entity,
    NounPhrase,
    Registry,
    analyse_np,
    np_left,
    np_right,
    speaker_right,
)
from flows.extract.passages import POSSESSIVE, Attribution, Found, Passage, main_subject, possessor_np
from flows.extract.subjects import (
    opens_clause,
    subject_left,
    valid_subject,
    work_author,
)
from flows.extract.text import Token
from flows.extract.verbs import verb_attribution

__all__ = ["find_attributions", "participles", "prune", "relay"]

_TRAILING_ADVERBIALS = word_class("trailing_adverbial")
_BE = word_class("be")
_ADVERBS = word_class("verb_group_adverb")
_PREPOSITIONS = word_class("preposition")
_NOT_BEFORE_VERB = word_class("not_before_verb")
_SUBORDINATORS = word_class("subordinator")
_NOT_BY_AGENT = word_class("not_by_agent")
_LINKING = word_class("linking")
_DEGREE = word_class("degree")
_WORKS = word_class("work")
_KEPT_WHEN_NEGATED = word_class("kept_when_negated")
_NO_STATEMENT = word_class("no_statement")
_COMPOUND_HEADS = word_class("compound_head")
_PLEAS = word_class("plea")
_MEDIA = _WORKS | word_class("medium")


_RELAY = re.compile(r"^(?:as\s+)?(?:saying|telling|stating|declaring|adding|writing)$")


def find_attributions(passage: Passage, index: int, registry: Registry) -> list[Found]:
    """Attributions of sentence `index`, pruned to what the sentence attributes."""
    if not passage.cued[index]:
        return []
    tokens = passage.tokens[index]
    quoted = passage.quoted[index]
    starts = cue_index()[1]
    found: list[Found] = []
    n = len(tokens)
    i = 0
    while i < n:
        token = tokens[i]
        if not token.is_word or quoted[i] or token.lower not in starts:
            i += 1  # (a word that starts no cue: `cue_at` would find none)
            continue
        # a relay: the speaker is the one quoted, never the one quoting
        if token.lower == "quoted":
            relayed = relay(tokens, i, registry)
            if relayed is not None:
                found.append(Found(relayed[0], relayed[1], token.start, True, True))
                i = relayed[2] + 1
                continue
        # attitude adjectives and reporting nouns find their speaker in their own way
        g = gazetteer()
        special = _attitude if token.lower in g.attitudes else _noun_cue if token.lower in g.nouns else None
        item = special(tokens, i, registry, quoted) if special is not None else None
        if item is not None:
            found.append(item)
            i += 1
            continue
        hit = cue_at(tokens, i)
        if hit is None:
            i += 1
            continue
        cue, last = hit
        if cue.kind == "relay":
            # 'was quoted by', 'as quoted by': the speaker is the one quoted, not the relay
            at = next((k for k in range(i, last + 1) if tokens[k].lower == "quoted"), None)
            relayed = relay(tokens, at, registry) if at is not None else None
            if relayed is not None and at is not None:
                found.append(Found(relayed[0], relayed[1], tokens[at].start, True, True))
                i = relayed[2] + 1
                continue
            i = last + 1
            continue
        if cue.kind == "prep":
            if cue.lemma == "according to":
                span = speaker_right(tokens, work_author(tokens, last + 1))
                if span is not None:
                    np = analyse_np(tokens, span[0], span[1])
                    valid = np.kind != "pronoun" and valid_subject(tokens, span[0], np, after_preposition=True)
                    entity = registry.resolve(np, np.start) if valid else None
                    if entity is not None and (not np.indefinite or np.head):  # (not "according to some")
                        opens = first_word(tokens) >= i  # 'According to X, …' (else '…, according to X')
                        found.append(Found(entity, cue, token.start, not opens, False))
            else:
                _prep_cue(tokens, i, last, cue, registry, found)
            i = last + 1
            continue
        found += verb_attribution(tokens, i, last, cue, registry, quoted)
        i = last + 1
    return prune(_merge_prep_cues(found))


_POSSESSIVE_PRONOUNS = {"his": "he", "her": "she"}  # ('their', 'its': too often someone else's)


_NOUN_ADJECTIVES = 2  # words between the possessor and the noun: 'Trump's repeated, earlier claim'


def _noun_cue(tokens: list[Token], i: int, registry: Registry, quoted: list[bool]) -> Found | None:
    """'Trump's claim that …', 'the ministry's warning that …', 'her pledge to …': a reporting noun
    with its possessor as the speaker, when a clause or a quotation follows it."""
    cue, complement = gazetteer().nouns[tokens[i].lower]
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    if after is None:
        return None
    follows = after.lower == "that" or after.text == ":" or (i + 1 < len(quoted) and quoted[i + 1])
    if complement in ("to", "for") and after.lower == "to" and i + 2 < len(tokens):
        verb = tokens[i + 2]  # a verb after 'to' is content; a noun is an object
        follows = follows or (verb.is_word and not verb.capitalised and verb.lower not in _NOT_BEFORE_VERB
                              and verb.lower not in gazetteer().function_words)
    if complement == "for":
        follows = follows or after.lower == "for"
    if not follows:
        return None
    p = i - 1
    while p >= 0 and i - p <= _NOUN_ADJECTIVES and tokens[p].is_word and not tokens[p].capitalised \
            and tokens[p].lower not in _POSSESSIVE_PRONOUNS and not tokens[p].lower.endswith(POSSESSIVE):
        p -= 1  # adjectives between the possessor and the noun
    if p < 0 or not tokens[p].is_word:
        return None
    owner = tokens[p]
    if owner.lower in _POSSESSIVE_PRONOUNS:
        np = NounPhrase("pronoun", owner.start, owner.end, owner.text, head=_POSSESSIVE_PRONOUNS[owner.lower])
    elif owner.lower.endswith(POSSESSIVE) and len(owner.text) > 2:
        span = np_left(tokens, p)
        if span is None:
            return None
        named = possessor_np(tokens, span[0], p, confirmed=False)
        if named is None:
            return None
        np = named
    else:
        return None
    entity = registry.resolve(np, np.start)
    if entity is None:
        return None
    return Found(entity, cue, tokens[i].start, False, True)


def _attitude(tokens: list[Token], i: int, registry: Registry, quoted: list[bool]) -> Found | None:
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
    subject = subject_left(tokens, k, quoted)
    if subject is None:
        return None
    first, np, apposition = subject
    subordinate = first > 0 and tokens[first - 1].lower in _SUBORDINATORS
    if not (opens_clause(tokens, first) or subordinate):
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
    return Found(entity, cue, tokens[i].start, False, opens_clause(tokens, first))


def _merge_prep_cues(found: list[Found]) -> list[Found]:
    """'In a statement, X expressed …': the phrase comes first, so it is X's cue."""
    merged: list[Found] = []
    pending: Found | None = None
    verb_at: int | None = None  # the verb whose (coordinated) subjects take the phrase as their cue
    for item in found:
        if item.cue.kind == "prep" and item.cue.lemma != "according to" and not merged:
            pending = item
            continue
        if pending is not None and item.cue.kind == "verb" and verb_at in (None, item.offset):
            verb_at = item.offset  # 'In a joint statement, Germany and France said …': both
            item = Found(item.entity, pending.cue, pending.offset, item.trailing, item.new_clause)
        merged.append(item)
    if pending is not None and verb_at is None:
        merged.insert(0, pending)
    return merged


def _prep_cue(tokens: list[Token], i: int, last: int, cue: Cue, registry: Registry, found: list[Found]) -> None:
    """'In a statement, the Kremlin accused …' / 'In an interview …, Dumont was blunt:': the phrase
    is the cue of the subject that follows its comma, when it opens the sentence."""
    if first_word(tokens) < i:
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
        found.append(Found(entity, cue, tokens[i].start, False, True))


def relay(tokens: list[Token], i: int, registry: Registry) -> tuple[Entity, Cue, int] | None:
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
    while b >= 1 and (tokens[b].lower in _ADVERBS or ADVERB_LY.match(tokens[b].lower)):
        b -= 1
    if i >= 2 and tokens[b].lower in ("was", "were", "is", "been"):
        j = i + 1
        if j < n and tokens[j].lower == "by":
            agency = np_right(tokens, j + 1)
            j = agency[1] + 1 if agency is not None else j + 1
        while j < n and tokens[j].lower not in ("as",) and tokens[j].text != ".":
            j += 1
        if j + 1 < n and _RELAY.match(tokens[j + 1].lower):
            subject = subject_left(tokens, i)  # (past the auxiliary, appositions and parentheses)
            if subject is not None:
                _, np, apposition = subject
                entity = registry.resolve(np, np.start)
                if entity is not None:
                    if apposition is not None:
                        registry.describe(entity, apposition)
                    return entity, say, j + 1
    return None


def prune(found: list[Found]) -> list[Found]:
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


def participles(passage: Passage, index: int, registry: Registry) -> None:
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
        hit = cue_at(tokens, i)
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
        np = main_subject(tokens, quoted)
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
