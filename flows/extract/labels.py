"""Labels: speakers named outside a sentence.

A "Name:" or "Name, role:" label before a statement, an "A:" answer in an
interview (the last labelled person), and a quotation signed with a dash and a
name. Each yields one `Attribution` for its passage, or none when the label is a
dateline, a heading or an interviewer.
"""

from __future__ import annotations

import re

from flows.extract.cues import CLOSING, relays, word_class
from flows.extract.gazetteer import Cue, gazetteer
from flows.extract.mentions import (
    NounPhrase,
    Registry,
    analyse_np,
    is_role_word,
)
from flows.extract.passages import Attribution, Passage
from flows.extract.text import Token, tokenize

_LABEL = re.compile(
    r"^(?:[\"“”]\s*)?(?:(?:\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?|[A-Z][a-z]+\s+\d{1,2})\s*[—–-]+\s*)?"
    r"(?P<who>[A-ZÀ-Þ][\w.’'\- ]{1,60}?(?:,\s*[^:,]{2,60}?)?)\s*:\s+(?=\S)"
)

__all__ = ["label_of", "signature"]

_INTERVIEWERS = word_class("interviewer")


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 4 and all(w[:1].isupper() for w in words) and not any(is_role_word(w) for w in words)


_ANSWER = re.compile(r"^[\"“]?\s*(?:A|Answer|ANSWER)\s*:\s+\S")


def _answer(passage: Passage, registry: Registry) -> Attribution | None:
    """'A: …' in an interview: the person of the last 'Name:' label, or else the first person the
    article introduced (the interviewee, in a Q&A's introduction)."""
    offset = passage.sentences[0].start
    answering = registry.answering or next(
        (e for e in registry.entities if e.kind == "person" and e.confirmed and e.first_offset < offset), None)
    if answering is None:
        return None
    return Attribution(answering, Cue("say", "assertive", "label", True), 0, offset)


def label_of(passage: Passage, registry: Registry) -> Attribution | None:
    """'Baerbock: …', '• EU foreign policy chief Lena Hofstad: “…”', '9:40 a.m. — Name: “…”'."""
    if passage.sentences and _ANSWER.match(passage.sentences[0].text):
        return _answer(passage, registry)
    found = _label_match(passage)
    if found is None:
        return None
    index, who, offset = found
    np = _label_speaker(who, offset)
    if np is None or (np.kind == "organisation" and relays(np.canonical or "")):
        return None  # (an outlet's label introduces the interviewer's question)
    entity = registry.resolve(np, np.start)
    if entity is None:
        return None
    if np.role or np.affiliation:
        registry.describe(entity, np)
    if entity.kind == "person":
        registry.answering = entity
    return Attribution(entity, Cue("say", "assertive", "label", True), index, offset)


def _label_match(passage: Passage) -> tuple[int, str, int] | None:
    """(sentence index, label text, its offset) of the passage's label: at its start, or later when
    a quotation follows the label (a timestamp or a dash may come before the name)."""
    for k, sentence in enumerate(passage.sentences):
        match = _LABEL.match(sentence.text)
        if match is not None and (k == 0 or sentence.text[match.end():].lstrip()[:1] in "“\"«„‘'"):
            return k, match.group("who").strip(), sentence.start + match.start("who")
    return None


def _label_speaker(who: str, offset: int) -> NounPhrase | None:
    """The person or organisation a label names ('Name' or 'Name, role', in either order), or None
    when the label is something else: a heading, a dateline, an interviewer, a known non-speaker."""
    name_part, _, role_part = who.partition(",")
    if role_part.strip() and name_part.strip()[:1].isupper() and _looks_like_name(role_part.strip()) \
            and not _looks_like_name(name_part.strip()):
        name_part, role_part = role_part, name_part  # the role came first
    if name_part.strip().lower().rstrip(".").replace("’", "'") in gazetteer().not_labels \
            or len(name_part.split()) > 7:
        return None
    tokens = _name_tokens(name_part, role_part, offset)
    g = gazetteer()
    name = name_part.strip()
    if tokens is None or name in g.countries or name in g.capitals or name.title() in g.capitals:
        return None  # a place before a colon or dash is a dateline
    np = analyse_np(tokens, 0, len(tokens) - 1)
    if np.kind not in ("person", "organisation", "country"):
        return None
    if np.kind == "person" and len(np.name_tokens) >= 3 and not any(
            t.lower() in g.given_names for t in np.name_tokens):
        return None  # three capitalised words and no given name: a Title Case heading
    if role_part.strip():
        desc_tokens = tokenize(role_part.strip(), offset)
        desc = analyse_np(desc_tokens, 0, len(desc_tokens) - 1) if desc_tokens else None
        if desc is None or not (desc.role or desc.affiliation) or len(desc_tokens) > 10:
            return None  # what follows the comma must be a role
        np.role = np.role or desc.role
        np.affiliation = np.affiliation or desc.affiliation
    return np


def _name_tokens(name_part: str, role_part: str, offset: int) -> list[Token] | None:
    """The tokens of a label's name, title-cased when the transcript writes names in capitals;
    None when it is not written as a name or names the interviewer."""
    tokens = tokenize(name_part.strip(), offset)
    if not tokens or not tokens[-1].capitalised or not all(
        t.capitalised or t.lower in ("of", "de", "van", "von", "al") or is_role_word(t.text)
        for t in tokens if t.is_word
    ):
        return None
    if name_part.isupper():
        tokens = [Token.of(t.text.title() if t.is_word else t.text, t.start, t.end) for t in tokens]
        if role_part.strip().lower() in _INTERVIEWERS:
            return None
    return tokens


_SIGNED = re.compile(r"[”\"’»]\s*[―—–-]{1,2}\s*(?P<who>[A-ZÀ-Þ][\w.’'\- ]{1,60}?(?:,\s*[^,]{2,80}?)?)\s*\.?\s*$")


def signature(passage: Passage, registry: Registry) -> Attribution | None:
    """'“…” ― Sonya Herr': a quotation signed with a dash and a name."""
    if not passage.sentences or not (passage.quotes or passage.sentences[0].text[:1] in CLOSING):
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
