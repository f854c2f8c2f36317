"""Verb cues: who a reporting verb attributes to.

In: the tokens of a sentence, a verb cue found in them and the article's
`Registry`. Out: `Found` candidates, one per speaker: the subject before the verb
(with coordinated subjects, and the author when the subject is a work), the agent
of a passive after "by", or the name after an inverted verb. Guards first reject
the uses of a cue word that report nothing (a noun, a name, an infinitive of an
action, a product recall, a plea in court).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flows.extract.cues import (
    CLAUSE_STARTS,
    CLOSING,
    act_in_context,
    catenative,
    finite_ing,
    first_word,
    is_negated,
    relays,
    word_class,
)
from flows.extract.gazetteer import Cue, gazetteer
from flows.extract.mentions import (
    Entity,
    NounPhrase,
    Registry,
    analyse_np,
    is_role_word,
    person_of_place,
    speaker_right,
)
from flows.extract.passages import Found
from flows.extract.subjects import (
    after_quotation,
    authored_by,
    conjuncts_left,
    group_of,
    inverted_after_comma,
    named_after,
    opens_clause,
    opens_sentence,
    subject_left,
    trails,
    valid_subject,
    writer_for,
)
from flows.extract.text import Token

__all__ = ["by_agent", "verb_attribution"]

_TRAILING_ADVERBIALS = word_class("trailing_adverbial")
_BE = word_class("be")
_ADVERBS = word_class("verb_group_adverb")
_PREPOSITIONS = word_class("preposition")
_NOT_BEFORE_VERB = word_class("not_before_verb")
_SUBORDINATORS = word_class("subordinator")
_NOT_BY_AGENT = word_class("not_by_agent")
_WORKS = word_class("work")
_KEPT_WHEN_NEGATED = word_class("kept_when_negated")
_NO_STATEMENT = word_class("no_statement")
_COMPOUND_HEADS = word_class("compound_head")
_PLEAS = word_class("plea")
_MEDIA = _WORKS | word_class("medium")


@dataclass(slots=True)
class _Speaker:
    """What a verb cue's speaker was read from: the phrase, and what the clause adds to it."""

    np: NounPhrase | None
    apposition: NounPhrase | None = None
    conjuncts: list[tuple[int, NounPhrase]] = field(default_factory=list)
    trailing: bool = False
    new_clause: bool = False
    work_noun: str | None = None  # the work the subject authored, for a later 'The statement added'
    author: Entity | None = None  # the author of a work named as the subject


def verb_attribution(tokens: list[Token], i: int, last: int, cue: Cue, registry: Registry,
                     quoted: list[bool] | None = None) -> list[Found]:
    """The attributions of the verb cue at token i (one per coordinated speaker), or none."""
    head = catenative(tokens, i)  # the verb before 'to' carries the subject
    if _not_a_verb(tokens, i, last, cue, head) or _not_a_statement(tokens, i, last, cue, quoted):
        return []
    negated = _withheld(tokens, i, last, cue, head)
    if _passive(tokens, i):
        return by_agent(tokens, i, last, cue, registry)
    speaker = _subject_before(tokens, i, last, cue, registry, quoted, head, negated)
    if speaker is None or (speaker.np is None and not _speaker_after(tokens, i, last, cue, speaker)):
        return []
    return _found(tokens, i, last, cue, registry, speaker, negated)


def _not_a_verb(tokens: list[Token], i: int, last: int, cue: Cue, head: int | None) -> bool:
    """Whether the cue word at token i is used as something other than a finite verb: a name, an
    infinitive, a noun, a participle of another clause, part of a compound."""
    word = tokens[i].lower
    n = len(tokens)
    if tokens[i].capitalised and first_word(tokens) < i and not (
            i <= 2 and all(t.text in CLOSING for t in tokens[:i])):
        return True  # capitalised inside a sentence: part of a name
    if head is None and i > 0 and (tokens[i - 1].lower in _NOT_BEFORE_VERB or tokens[i - 1].lower in _PREPOSITIONS):
        return True  # after 'to', a determiner or a preposition: an infinitive or a noun
    if word.endswith("ing") and i > 0 and tokens[i - 1].text == ",":
        return True  # a participle: `participles` reads it with the main clause
    if word.endswith("ing") and head is None and i > 0 and tokens[i - 1].capitalised and not finite_ing(tokens, i):
        return True  # an '-ing' word right after a name modifies it unless an auxiliary precedes
    if last + 1 < n and ((tokens[last + 1].lower in _COMPOUND_HEADS and word == cue.lemma)
                         or (cue.lemma == "add" and tokens[last + 1].lower == "up")):
        return True  # a compound noun or a phrasal verb with another sense
    if word.endswith("s") and word != "says" and last + 1 < n:
        following = gazetteer().verbs.get(tokens[last + 1].lower)
        # a speech verb right after it: this word is a plural noun, the subject of that verb
        return following is not None and following.speech and not tokens[last + 1].lower.endswith("ing")
    return False


def _not_a_statement(tokens: list[Token], i: int, last: int, cue: Cue, quoted: list[bool] | None) -> bool:
    """Whether the verb is used in a sense that reports no statement: with an infinitive of an
    action, 'recall' of goods, 'report from' a place, a plea in court."""
    n = len(tokens)
    after = tokens[last + 1].lower if last + 1 < n else ""
    if after == "to" and cue.act not in ("commissive", "directive") \
            and cue.lemma not in ("say", "tell", "write", "explain", "want", "hope", "wish"):
        return True  # an infinitive complement names an action, except after verbs of promising or urging
    if cue.lemma == "recall" and last + 1 < n and after not in CLAUSE_STARTS \
            and after not in _TRAILING_ADVERBIALS and not tokens[last + 1].capitalised \
            and not (quoted is not None and quoted[last + 1]):
        return True  # 'recall' with a direct object is a product recall, not a memory
    if cue.lemma == "report" and after == "from":
        return True  # a reporter's credit line
    return cue.lemma == "plead" and after in _PLEAS


def _withheld(tokens: list[Token], i: int, last: int, cue: Cue, head: int | None) -> bool:
    """Whether the speaker withholds a statement: a negated cue (unless the negation is the stance
    itself, as in ruling something out), or declining to comment."""
    if is_negated(tokens, head if head is not None else i) and cue.lemma not in _KEPT_WHEN_NEGATED:
        return True
    return cue.lemma in ("decline", "refuse") and last + 2 < len(tokens) and tokens[last + 1].lower == "to" \
        and tokens[last + 2].lower in _NO_STATEMENT


def _passive(tokens: list[Token], i: int) -> bool:
    """Whether the (past participle) cue at token i follows a form of 'be': its subject was spoken
    about, and only an agent after 'by' can be the speaker."""
    word = tokens[i].lower
    if word.endswith("ing") or word == "quoted":
        return False
    k = i - 1
    while k >= 0 and tokens[k].lower in _ADVERBS:
        k -= 1
    return k >= 0 and tokens[k].lower in _BE


def _coordinated(tokens: list[Token], first: int, np: NounPhrase) -> tuple[list[tuple[int, NounPhrase]], int]:
    """The subjects coordinated with the one at `first`, and where the coordinated subject starts;
    none when the coordination does not open a clause (then the last name is an object before it)."""
    conjuncts = conjuncts_left(tokens, first, np)
    if not conjuncts:
        return [], first
    opening = conjuncts[0][0]
    if opening >= 1 and tokens[opening - 1].lower in ("both", "neither", "either"):
        opening -= 1
    if not opens_clause(tokens, opening):
        return [], first
    return conjuncts, opening


def _subject_before(tokens: list[Token], i: int, last: int, cue: Cue, registry: Registry,
                    quoted: list[bool] | None, head: int | None, negated: bool) -> _Speaker | None:
    """The speaker read from the subject before the verb; with `np` None when there is no valid
    subject (an inverted cue may still name one after it), or None when the verb reports nothing."""
    subject = subject_left(tokens, head if head is not None else i, quoted)
    if subject is None:
        return _Speaker(None)
    first, np, apposition = subject
    conjuncts, opening = _coordinated(tokens, first, np)
    speaker = _Speaker(np, apposition, conjuncts)
    authored = authored_by(tokens, opening) if not conjuncts else opening
    if authored != opening:  # the subject is a work: its author is the speaker
        speaker.work_noun = next(t.lower for t in tokens[authored:opening] if t.lower in _WORKS)
    opening = authored
    words = np.text.lower().split()
    if len(words) == 2 and words[0] == "the" and words[1] in registry.authors:
        speaker.author = registry.authors[words[1]]  # a work named before speaks for its author
    if tokens[i].lower.endswith("ing") and speaker.author is None and authored == first and np.canonical is None \
            and (np.head or np.text).lower().split()[-1] in _MEDIA:
        return None  # a medium's participle: `participles` gives it to the main clause's subject
    subordinate = opening > 0 and tokens[opening - 1].lower in _SUBORDINATORS and np.kind == "person"
    if not valid_subject(tokens, opening, np, speech=(cue.speech or subordinate) and np.kind == "person"):
        speaker.np = None
        return speaker
    speaker.trailing = trails(tokens, opening, last)
    speaker.new_clause = opens_clause(tokens, opening)
    if not _subject_counts(tokens, i, last, cue, (first, opening), np, speaker.trailing, negated, subordinate):
        return None
    return speaker


def _subject_counts(tokens: list[Token], i: int, last: int, cue: Cue, where: tuple[int, int], np: NounPhrase,
                    trailing: bool, negated: bool, subordinate: bool) -> bool:
    """Whether a valid subject at `where` (its first token, where its clause opens) makes the cue an
    attribution: action verbs need a named subject that opens the sentence, a plural '-s' form needs
    a subject that can be plural, and a cue that ends its sentence needs a person or a trailing one."""
    first, opening = where
    word = tokens[i].lower
    described = tokens[first].lower == "the" and np.kind == "unknown" and is_role_word(np.head or "")
    named = np.kind in ("person", "organisation", "country", "pronoun") \
        or (np.kind == "group" and bool(np.canonical)) or described
    refusal = negated and cue.lemma in ("decline", "refuse")
    if not (cue.speech or refusal) and not ((opens_sentence(tokens, opening) or subordinate) and named):
        return False
    if word.endswith("s") and word != "says":
        if not np.head and np.kind not in ("person", "organisation", "country", "pronoun"):
            return False  # the '-s' word is a plural noun after an adjective
        if np.kind == "person" and not np.confirmed and tokens[first].lower in ("the", "other", "a", "an"):
            return False
    ends = last + 1 >= len(tokens) or tokens[last + 1].text in (".", "!", "?", ";")
    return not (ends and not trailing and np.kind not in ("person", "pronoun"))


def _speaker_after(tokens: list[Token], i: int, last: int, cue: Cue, speaker: _Speaker) -> bool:
    """An inverted cue ('“…,” said X', '…, noted X.', 'Said X: “…”'): fill `speaker` with the name
    after the verb; False when the verb is not inverted or names nobody after it."""
    sentence_first = first_word(tokens) >= i or (tokens[i - 1].text in CLOSING and i <= 2)
    inverted = after_quotation(tokens, i) or (cue.speech and (
        inverted_after_comma(tokens, i, last) or (sentence_first and tokens[i].capitalised)))
    if not inverted:
        return False
    span = speaker_right(tokens, last + 1)
    if span is None or tokens[span[0]].lower in _PREPOSITIONS:
        return False  # a prepositional phrase ('Writing for …') is no speaker
    placed = person_of_place(tokens, span[0], span[1])
    np = writer_for(tokens, span) or (placed[2] if placed else group_of(tokens, span)
                                      or analyse_np(tokens, span[0], span[1]))
    person = named_after(tokens, span[1]) if np.kind not in ("person", "pronoun") else None
    if person is not None:  # a description, then the person's name in apposition
        if np.role or np.affiliation:
            speaker.apposition = np
        np = person
    if np.kind == "pronoun" and np.head not in ("he", "she", "they"):
        return False
    if not valid_subject(tokens, span[0], np):
        return False
    speaker.np = np
    speaker.trailing = speaker.new_clause = True
    return True


def _found(tokens: list[Token], i: int, last: int, cue: Cue, registry: Registry, speaker: _Speaker,
           negated: bool) -> list[Found]:
    """The attributions of a verb cue whose speaker was read: one per coordinated subject, the main
    subject last; none when the speaker resolves to nobody or is an outlet's own caveat."""
    np = speaker.np
    assert np is not None
    entity = speaker.author or registry.resolve(np, np.start)
    if entity is None:
        return []
    if negated and entity.kind == "organisation" and relays(entity.name):
        return []  # an outlet saying it could not verify something states no position
    if speaker.work_noun is not None:
        registry.authors[speaker.work_noun] = entity
    if speaker.apposition is not None:
        registry.describe(entity, speaker.apposition)
    cue = act_in_context(cue, tokens, last)
    offset = tokens[i].start
    found = [Found(other, cue, offset, speaker.trailing, speaker.new_clause, negated)
             for other in (registry.resolve(c, c.start) for _, c in speaker.conjuncts) if other is not None]
    unique = [f for k, f in enumerate(found)
              if all(f.entity is not e.entity for e in found[:k]) and f.entity is not entity]
    return [*unique, Found(entity, cue, offset, speaker.trailing, speaker.new_clause, negated)]


def by_agent(tokens: list[Token], i: int, last: int, cue: Cue, registry: Registry) -> list[Found]:
    """'The proposal was criticised by Lt. Gov. Eleni Kounalakis', 'The plan was welcomed by the
    union': the agent of a passive cue speaks about the subject."""
    if last + 2 >= len(tokens) or tokens[last + 1].lower != "by" or cue.lemma in _NOT_BY_AGENT:
        return []
    span = speaker_right(tokens, last + 2)
    if span is None:
        return []
    np = group_of(tokens, span) or analyse_np(tokens, span[0], span[1])
    if np.kind not in ("person", "organisation", "country", "group") and not (np.definite and np.head):
        return []
    entity = registry.resolve(np, np.start)
    if entity is None:
        return []
    return [Found(entity, act_in_context(cue, tokens, last), tokens[i].start, False, True)]
