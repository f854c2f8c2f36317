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

The steps live beside this module: `passages` (sentences, quotations, entities),
`cues` (cue words and the verb group), `subjects` (who a cue attributes to),
`attributions` (the cues of one sentence) and `labels` ("Name:" and signatures).
This module assembles the positions of an article from them.
"""

from __future__ import annotations

import bisect
import itertools
import re
from typing import Any

from flows.extract.attributions import find_attributions, participles
from flows.extract.cues import CLOSING, word_class
from flows.extract.gazetteer import gazetteer
from flows.extract.ids import stable_id
from flows.extract.labels import label_of, signature
from flows.extract.mentions import (
    Entity,
    Registry,
)
from flows.extract.passages import (
    Attribution,
    Passage,
    introduce,
    opening_subject,
    prepare,
    title_case,
    title_case_verbs,
)
from flows.extract.text import Quote
from flows.layout import Block

__all__ = ["extract_positions"]

_TITLE_SMALL = word_class("title_small")


def _attribute(passage: Passage, registry: Registry) -> None:
    label = label_of(passage, registry) or signature(passage, registry)
    if label is not None:
        passage.attributions.append(label)
        registry.spoke(label.entity, label.offset)
    for index in range(len(passage.sentences)):
        opening_subject(passage, index, registry)
        for item in find_attributions(passage, index, registry):
            if label is not None and item.entity is not label.entity and not item.cue.speech:
                continue  # 'ALVAREZ: The council never wanted it.': an action in the answer is content
            passage.attributions.append(Attribution(item.entity, item.cue, index, item.offset, item.negated))
            registry.spoke(item.entity, item.offset)
        # a participle clause continues the sentence's speaker
        participles(passage, index, registry)


def _title_like(text: str) -> bool:
    words = [w for w in re.findall(r"[^\W_]+(?:['’\-][^\W_]+)*", text)]
    if not words or len(words) > 8 or text.rstrip().endswith((",", ".", "!")):
        return False
    return all(w[:1].isupper() or w.lower() in _TITLE_SMALL or w[:1].isdigit() for w in words) and \
        words[0][:1].isupper()


def _clean_quote(text: str) -> str:
    text = " ".join(text.split())
    return text.rstrip(" .,;:").strip()


def _quote_owner(quote: Quote, passage: Passage, owners: list[list[Entity]],
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


def _assemble(passage: Passage, text: str, article_id: str, document_id: str) -> list[dict[str, Any]]:
    """The position records of one passage: one per actor, in the order of their first cue."""
    if not passage.attributions:
        return []
    sentences = passage.sentences
    owners = _owners(passage)
    first_of: dict[int, Attribution] = {}  # id(entity) -> its first attribution, in order (by identity:
    for attribution in passage.attributions:  # comparing entities field by field is slow)
        first_of.setdefault(id(attribution.entity), attribution)
    single = len(first_of) == 1
    quotes_of = _quotes_of(passage, owners)
    sentences_of: dict[int, list[int]] = {}
    for index, owned in enumerate(owners):
        for entity in owned:
            sentences_of.setdefault(id(entity), []).append(index)
    records = []
    for first in first_of.values():
        entity = first.entity
        indexes = sentences_of[id(entity)]
        start = passage.block.start if single else sentences[indexes[0]].start
        end = passage.block.end if single else sentences[indexes[-1]].end
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
                "text": text[start:end],
                "quotes": quotes_of.get(id(entity), []),
                "char_start": start,
                "char_end": end,
            }
        )
    return records


def _owners(passage: Passage) -> list[list[Entity]]:
    """The speakers of each sentence of the passage: those it attributes, else those of the
    sentence before it (or, before the first attribution, of the first attributed sentence)."""
    # a description resolved to nobody known makes a new entity each time it is read: the entities
    # with one name and kind are one actor, so that the passage gives them one position
    same: dict[tuple[str, str], Entity] = {}
    for attribution in passage.attributions:
        attribution.entity = same.setdefault((attribution.entity.name, attribution.entity.kind), attribution.entity)
    owners: list[list[Entity]] = [[] for _ in passage.sentences]
    for attribution in passage.attributions:
        if all(e is not attribution.entity for e in owners[attribution.sentence]):
            owners[attribution.sentence].append(attribution.entity)
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
    return owners


def _quotes_of(passage: Passage, owners: list[list[Entity]]) -> dict[int, list[str]]:
    """id(entity) -> the cleaned direct quotations of the passage that are its, in order."""
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
    return quotes_of


def _org_country(entity: Entity) -> str | None:
    if entity.kind == "organisation":
        org = gazetteer().organisation_info.get(entity.name)
        return org.country if org is not None else entity.affiliation
    return None


def _lead_in(records: list[dict[str, Any]], passage: Passage, after: list[Passage], text: str) -> None:
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


def _open_at_end(passage: Passage, text: str) -> bool:
    """Whether the passage ends inside a quotation that the next paragraph goes on with (the
    convention for a quotation over several paragraphs: no closing mark until its last one)."""
    if not passage.quotes:
        return False
    last = passage.quotes[-1]
    end = passage.block.start + len(text[passage.block.start : passage.block.end].rstrip())
    return last.end >= end and text[end - 1] not in CLOSING


def _continue(record: dict[str, Any], passage: Passage, text: str) -> None:
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
    passages: list[Passage] = []
    topic: str | None = None
    for block in blocks:
        if block.kind == "heading":
            topic = " ".join(block.text.split())
            continue
        if block.kind in ("paragraph", "bullet") and block.end > block.start:
            passages.append(prepare(block, text, topic))
            title_case_verbs(passages[-1])  # (a headline pasted as the first paragraph)
    headline = prepare(title, text, None) if title is not None and title.end > title.start else None
    if headline is not None:
        title_case_verbs(headline)
    # a Title Case headline introduces nobody: every word is capitalised, so names cannot be told apart
    for passage in ([headline] if headline is not None and not title_case(headline) else []) + passages:
        introduce(passage, registry)
    in_body = [e for e in registry.entities if headline is not None and e.last_offset > headline.block.end]
    registry.body_start = headline.block.end if headline is not None else 0
    for passage in passages:
        _attribute(passage, registry)
    records: list[dict[str, Any]] = []
    if headline is not None:
        # after the body, so that a person the body quotes is known to be one
        label = label_of(headline, registry)
        known = label is not None and label.entity.kind == "person" and label.entity.confirmed and any(
            label.entity is e for e in in_body)
        if label is not None and known:
            headline.attributions.append(label)
        else:
            # a sentence-case headline may report speech like a sentence of the body
            for item in find_attributions(headline, 0, registry) if headline.sentences else []:
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
