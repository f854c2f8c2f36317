"""Words, sentences and quotations of a passage, with offsets into it.

Everything here scans left to right once: regular expressions without nested
quantifiers and loops that never step back, so a long paragraph costs linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from flows.lexicon import read_lines

__all__ = ["Quote", "Sentence", "Token", "find_quotes", "split_sentences", "tokenize"]

# Initialisms (U.S., a.m.), words with inner apostrophes or hyphens (don't, al-Assad), numbers, or one symbol.
_OPEN = {"“": "”", "„": "“", "«": "»", "‹": "›", "‚": "‘", "「": "」"}
_ALT_CLOSE = {"„": "”", "‚": "’"}
_MAX_SINGLE_QUOTE = 1000  # characters a ‘…’ or '…' quotation may span
_SENTENCE_END = re.compile(r"[.!?]+[”’\"'»)\]]*(?=\s+[“‘\"'«(\[]?[^\W_])|[.!?]+[”’\"'»)\]]*$")


@dataclass(frozen=True, slots=True)
class Token:
    """A word or symbol and its offsets in the passage."""

    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def is_word(self) -> bool:
        return self.text[:1].isalnum()

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quotation: `start`/`end` include the quote marks, `text` does not."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a passage and its offsets."""

    start: int
    end: int
    text: str


@cache
def _token_pattern() -> re.Pattern[str]:
    """Tokens: initialisms, abbreviations with their period ('Sen.', 'Mr.'), an initial before a
    capitalised word ('John D. Podesta'), words with inner apostrophes or hyphens, one symbol."""
    dotted = sorted((a[:-1] for a in _abbreviations() if "." not in a[:-1]), key=len, reverse=True)
    words = "|".join(re.escape(a) for a in dotted)
    return re.compile(
        r"(?:[^\W\d_]\.){2,}"  # U.S. U.K. a.m.
        rf"|(?i:\b(?:{words})\.)(?=\s|$)"  # Mr. Sen. Jan.
        r"|\b[A-Z]\.(?=\s+[A-Z])"  # an initial
        r"|[^\W_]+(?:['’\-][^\W_]+)*"  # words
        r"|[^\s\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"  # one symbol; never an invisible one
    )


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """The tokens of `text`; offsets are shifted by `offset`."""
    return [Token(m.group(), m.start() + offset, m.end() + offset) for m in _token_pattern().finditer(text)]


@cache
def _abbreviations() -> frozenset[str]:
    return frozenset(line.lower() for line in read_lines("abbreviations.txt"))


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    """Whether the period(s) matched at `match` end a sentence (not 'Mr.', 'U.S. officials', 'Jan. 10')."""
    if text[match.start()] != ".":
        return True
    before = text[max(0, match.start() - 64) : match.start()]  # a bounded look back: linear time
    word_match = re.search(r"(\S+)$", before)
    word = (word_match.group(1) if word_match else "").lstrip("“‘\"'«(")
    after = text[match.end() :].lstrip()
    nxt = re.match(r"[“‘\"'«(\[]?(\S+)", after)
    next_word = nxt.group(1) if nxt else ""
    if match.group().endswith(("”", "’", '"', "'", "»")):
        return True  # a period inside closing quotes ends the sentence
    lowered = word.lower() + "."
    if lowered in _abbreviations():
        # 'Mr.', 'Jan.' never end a sentence; 'U.S.' does when a sentence-like word follows.
        if re.fullmatch(r"(?:[a-z]\.){2,}", lowered) and next_word[:1].isupper():
            return next_word.lower().strip(",.") in _sentence_starters()
        return False
    if re.fullmatch(r"[A-Z]", word):  # an initial: 'John F. Kennedy'
        return False
    if re.fullmatch(r"(?:[A-Za-z]\.){1,}[A-Za-z]", word):  # initialism without its final period matched
        return next_word.lower() in _sentence_starters()
    return not next_word[:1].islower()


@cache
def _sentence_starters() -> frozenset[str]:
    return frozenset(line.lower() for line in read_lines("function_words.txt"))


def split_sentences(text: str, offset: int = 0) -> list[Sentence]:
    """Sentences of `text` (a paragraph), offsets shifted by `offset`.

    Survives 'U.S.', 'Mr.', 'Jan. 10', 'a.m.' and quotations that end with '.”'.
    """
    sentences: list[Sentence] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if not _ends_sentence(text, match):
            continue
        end = match.end()
        chunk = text[start:end]
        lead = len(chunk) - len(chunk.lstrip())
        if chunk.strip():
            sentences.append(Sentence(start + lead + offset, end + offset, chunk.strip()))
        start = end
    rest = text[start:]
    if rest.strip():
        lead = len(rest) - len(rest.lstrip())
        sentences.append(Sentence(start + lead + offset, start + lead + len(rest.strip()) + offset, rest.strip()))
    return sentences


def _is_apostrophe(text: str, i: int) -> bool:
    """A ’ or ' between letters (don't, Russia's) or after a plural s (the allies' demands)."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if before.isalnum() and after.isalnum():
        return True
    return bool(before.isalpha() and after.isalpha())


def _opens(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([{—–-:/“‘\"'«") and not after.isspace()


def _closes(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isspace() and (after.isspace() or not after.isalnum())


def find_quotes(text: str, offset: int = 0) -> list[Quote]:
    """Direct quotations in `text`: “…”, "…", ‘…’, '…', «…», „…“ and „…”.

    Apostrophes (don't, Russia's) are not quote marks. A quotation still open at the
    end of the passage runs to its end (the convention for quotes that go on in the
    next paragraph). Quotations nested in another are part of it, not listed apart.
    """
    quotes: list[Quote] = []
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        close: tuple[str, ...] | None = None
        if char in _OPEN:
            close = (_OPEN[char], _ALT_CLOSE[char]) if char in _ALT_CLOSE else (_OPEN[char],)
        elif char == '"' and _opens(text, i):
            close = ('"',)
        elif char in "‘'" and _opens(text, i) and not _is_apostrophe(text, i):
            close = ("’", "'") if char == "‘" else ("'",)
        if close is None:
            i += 1
            continue
        j = i + 1
        end = -1
        while j < n:
            c = text[j]
            if c in close and (c not in "’'" or (_closes(text, j) and not _is_apostrophe(text, j))):
                if c != '"' or _closes(text, j) or j + 1 == n:
                    end = j
                    break
            if char in "‘'" and (c == "\n" or j - i > _MAX_SINGLE_QUOTE):
                break  # single quotes do not run over lines or very far
            j += 1
        if end < 0:
            if char in "‘'":
                i += 1
                continue
            end = n
        inner = text[i + 1 : end].strip()
        if inner and any(ch.isalnum() for ch in inner):
            stop = end + 1 if end < n else n
            quotes.append(Quote(i + offset, stop + offset, inner))
        i = end + 1
    return quotes
