"""Words, sentences and quotations of a passage, with offsets into it.

Everything here scans left to right once: regular expressions without nested
quantifiers and loops that never step back, so a long paragraph costs linear time.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache, partial
from itertools import accumulate
from operator import itemgetter
from typing import NamedTuple

from flows.lexicon import read_lines

__all__ = ["Quote", "Sentence", "Token", "find_quotes", "split_sentences", "tokenize"]

# Initialisms (U.S., a.m.), words with inner apostrophes or hyphens (don't, al-Assad), numbers, or one symbol.
_OPEN = {"“": "”", "„": "“", "«": "»", "‹": "›", "‚": "‘", "「": "」"}
_ALT_CLOSE = {"„": "”", "‚": "’", "“": '"'}  # pasted text mixes curly and straight marks
_MAX_SINGLE_QUOTE = 1000  # characters a ‘…’ or '…' quotation may span
_LAST_WORD = re.compile(r"(\S+)$")
_LOWER_INITIALISM = re.compile(r"(?:[a-z]\.){2,}")
_CAPITAL = re.compile(r"[A-Z]")
_OPEN_INITIALISM = re.compile(r"(?:[A-Za-z]\.){1,}[A-Za-z]")
_NEXT_WORD = re.compile(r"\s*[“‘\"'«(\[]?(\S+)")
_SENTENCE_END = re.compile(r"[.!?]+[”’\"'»)\]]*(?=\s+[“‘\"'«(\[]?[^\W_])|[.!?]+[”’\"'»)\]]*$")


class Token(NamedTuple):
    """A word or symbol and its offsets in the passage, with the flags the extractors test.

    Build one with `Token.of(text, start, end)`, which fills in the flags; `tokenize` does.
    """

    text: str
    start: int
    end: int
    lower: str  # `text` in lower case
    is_word: bool  # starts with a letter or digit
    capitalised: bool  # starts with an upper-case letter

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Token:
        first = text[:1]
        return _new_token(cls, (text, start, end, text.lower(), first.isalnum(), first.isupper()))


_new_token = tuple.__new__


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


# The token pattern, one alternative a line: initialisms (U.S. U.K. a.m.), an abbreviation with its
# period (Mr. Sen. Jan.), an initial before a capitalised word ('John D. Podesta'), words with inner
# apostrophes or hyphens, one symbol. The regex engine tries the abbreviations' alternation at every
# position, which is most of the cost of tokenising; `tokenize` scans with the pattern without it and
# tries the abbreviations only where one can match: at a word right before a period.
_INITIALISM = r"(?:[^\W\d_]\.){2,}"
_INITIAL = r"\b[A-Z]\.(?=\s+[A-Z])"
_WORD = r"[^\W_]+(?:['’\-][^\W_]+)*(?:&[A-Z][^\W_]*)*"  # ('AT&T', 'S&P': one word)


@cache
def _abbreviation_pattern() -> re.Pattern[str]:
    """Abbreviations with their period ('Mr.', 'Sen.', 'Jan.') before a space or the end."""
    dotted = sorted((a[:-1] for a in _abbreviations() if "." not in a[:-1]), key=len, reverse=True)
    words = "|".join(re.escape(a) for a in dotted)
    return re.compile(rf"(?i:\b(?:{words})\.)(?=\s|$)")


@cache
def _token_pattern() -> re.Pattern[str]:
    """Tokens: initialisms, abbreviations with their period ('Sen.', 'Mr.'), an initial before a
    capitalised word ('John D. Podesta'), words with inner apostrophes or hyphens, one symbol."""
    return re.compile("|".join((_INITIALISM, _abbreviation_pattern().pattern, _INITIAL, _WORD, _SYMBOL)))


@cache
def _scan_pattern() -> re.Pattern[str]:
    """`_token_pattern` without its abbreviations, as one group (for `re.split`). Initialisms and
    initials both start with a letter and a period: a look-ahead for those two characters spares
    trying them anywhere else (where both fail, the word and symbol alternatives are tried as before)."""
    return re.compile(rf"((?=[^\W\d_]\.)(?:{_INITIALISM}|{_INITIAL})|{_WORD}|{_SYMBOL})")


# One symbol, never an invisible one (zero-width and bidirectional formatting characters).
_SYMBOL = r"[^\s\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
# Where an abbreviation may stand: letters, then a period before a space or the end.
_ABBREVIATION_AT = re.compile(r"\b[^\W\d_]+\.(?=\s|$)")
_first = itemgetter(0)


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """The tokens of `text`; offsets are shifted by `offset`.

    The same tokens as `_token_pattern().finditer(text)`, made without a Python loop over the
    tokens: splitting on the scan pattern (without the abbreviations) gives the tokens and the
    spaces between them, whose lengths add up to the offsets. The abbreviation alternative, which
    the full pattern tries before the word alternatives, is tried only where it can match; where
    it does, and the scan found a word there (not an initialism, whose match takes the period),
    the word and the period after it become one token.
    """
    parts = _scan_pattern().split(text)  # spaces, token, spaces, token, …, spaces
    words = parts[1::2]
    offsets = list(accumulate(map(len, parts), initial=offset))
    starts = offsets[1:-1:2]
    firsts = list(map(_first, words))
    columns = zip(words, starts, offsets[2::2], map(str.lower, words), map(str.isalnum, firsts),
                  map(str.isupper, firsts), strict=True)
    tokens = list(map(partial(_new_token, Token), columns))
    merges: list[tuple[int, re.Match[str]]] = []
    for candidate in _ABBREVIATION_AT.finditer(text):
        at = candidate.start()
        i = bisect.bisect_left(starts, at + offset)
        if i < len(starts) and starts[i] == at + offset and words[i][-1] != ".":
            abbreviation = _abbreviation_pattern().match(text, at)
            if abbreviation is not None:
                if i + 1 >= len(tokens) or tokens[i + 1].end != abbreviation.end() + offset:
                    return _tokenize_slowly(text, offset)  # (never seen) the word and period do not line up
                merges.append((i, abbreviation))
    for i, abbreviation in reversed(merges):
        start, end = abbreviation.span()
        tokens[i : i + 2] = [Token.of(abbreviation.group(), start + offset, end + offset)]
    return tokens


def _tokenize_slowly(text: str, offset: int) -> list[Token]:
    matches = _token_pattern().finditer(text)
    return [Token.of(m.group(), m.start() + offset, m.end() + offset) for m in matches]


@cache
def _abbreviations() -> frozenset[str]:
    return frozenset(line.lower() for line in read_lines("abbreviations.txt"))


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    """Whether the period(s) matched at `match` end a sentence (not 'Mr.', 'U.S. officials', 'Jan. 10')."""
    if text[match.start()] != ".":
        # '“Why should we pay?” asked Reid.': a question or exclamation quoted, then its cue
        if match.group().endswith(("”", "’", '"', "'", "»")):
            nxt = _NEXT_WORD.match(text, match.end())
            return not (nxt and nxt.group(1)[:1].islower())
        return True
    word_match = _LAST_WORD.search(text, max(0, match.start() - 64), match.start())  # a bounded look back
    word = (word_match.group(1) if word_match else "").lstrip("“‘\"'«(")
    nxt = _NEXT_WORD.match(text, match.end())  # the next word, after spaces and an opening mark
    next_word = nxt.group(1) if nxt else ""
    if match.group().endswith(("”", "’", '"', "'", "»")):
        return True  # a period inside closing quotes ends the sentence
    lowered = word.lower() + "."
    if lowered in _abbreviations():
        # 'Mr.', 'Jan.' never end a sentence; 'U.S.' does when a sentence-like word follows.
        if _LOWER_INITIALISM.fullmatch(lowered) and next_word[:1].isupper():
            return next_word.lower().strip(",.") in _sentence_starters()
        return False
    if _CAPITAL.fullmatch(word):  # an initial: 'John F. Kennedy'
        return False
    if _OPEN_INITIALISM.fullmatch(word):  # initialism without its final period matched
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


# Characters that may open a quotation, and those that may close one (or stop a single-quoted one).
_OPENING = re.compile("[" + re.escape("".join(_OPEN)) + "\"‘']")
_CLOSINGS: dict[str, re.Pattern[str]] = {}


def _closing(char: str, close: tuple[str, ...]) -> re.Pattern[str]:
    """The characters the scan for the end of a quotation opened by `char` has to look at."""
    key = char + "".join(close)
    pattern = _CLOSINGS.get(key)
    if pattern is None:
        stops = "".join(close) + ("\n" if char in "‘'" else "")
        pattern = _CLOSINGS[key] = re.compile("[" + re.escape(stops) + "]")
    return pattern


def find_quotes(text: str, offset: int = 0) -> list[Quote]:
    """Direct quotations in `text`: “…”, "…", ‘…’, '…', «…», „…“ and „…”.

    Apostrophes (don't, Russia's) are not quote marks. A quotation still open at the
    end of the passage runs to its end (the convention for quotes that go on in the
    next paragraph). Quotations nested in another are part of it, not listed apart.

    The scan jumps from one character that matters to the next: quote marks, and for
    single quotes the end of the line and the limit of `_MAX_SINGLE_QUOTE` characters.
    """
    quotes: list[Quote] = []
    n = len(text)
    opening = _OPENING.search
    i = 0
    while True:
        found = opening(text, i)
        if found is None:
            break
        i = found.start()
        char = text[i]
        close: tuple[str, ...] | None = None
        if char in _OPEN:
            close = (_OPEN[char], _ALT_CLOSE[char]) if char in _ALT_CLOSE else (_OPEN[char],)
        elif char == '"' and _opens(text, i):
            close = ('"', "”")
        elif char in "‘'" and _opens(text, i) and not _is_apostrophe(text, i):
            close = ("’", "'") if char == "‘" else ("'",)
        if close is None:
            i += 1
            continue
        single = char in "‘'"
        # single quotes do not run over lines or very far: the last character looked at
        limit = min(n, i + _MAX_SINGLE_QUOTE + 2) if single else n
        search = _closing(char, close).search
        end = -1
        j = i + 1
        while True:
            stop = search(text, j, limit)
            if stop is None:
                break
            j = stop.start()
            c = text[j]
            if (
                c in close
                and (c not in "’'" or (_closes(text, j) and not _is_apostrophe(text, j)))
                and (c != '"' or _closes(text, j) or j + 1 == n)
            ):
                end = j
                break
            if single and (c == "\n" or j - i > _MAX_SINGLE_QUOTE):
                break
            j += 1
        if end < 0:
            if single:
                i += 1
                continue
            end = n
        inner = text[i + 1 : end].strip()
        if inner and any(ch.isalnum() for ch in inner):
            stop_at = end + 1 if end < n else n
            quotes.append(Quote(i + offset, stop_at + offset, inner))
        i = end + 1
    return quotes
