"""Text as the later stages match it, and the page furniture every renderer of a page knows.

`clean` is the form lines are compared in (NFKC, no invisible characters, runs of
white space as one space), `fold` the looser one passages are compared in;
`copyright_holder` recognises a copyright line. The HTML
renderer (`flows.decode.html`) and the layout parser (`flows.layout`) both use them,
so that a page rendered from HTML is laid out the way the renderer meant.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["INVISIBLE", "clean", "copyright_holder", "fold", "without_invisible"]

#: Zero-width and bidirectional formatting characters: invisible, but they break matching.
INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"[^\S\n]+")
_FOLD = {"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'",
         "–": "-", "—": "-", "\u00a0": " "}
_COPYRIGHT = re.compile(
    r"^(?:\(c\)|©|copyright\b)\s*(?:©|\(c\))?\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?"
    r"(?P<holder>.*?)\s*(?:\.?\s*all rights reserved)?\s*\.?$",
    re.I,
)


def clean(text: str) -> str:
    """`text` for matching: NFKC, no invisible characters, runs of spaces as one space."""
    text = without_invisible(text)
    if "  " in text or not text.isprintable():
        # (only then can there be a run of spaces or white space other than " ": every white-space
        # character but " " is unprintable; the substitution is slow even where it changes nothing)
        text = _SPACES.sub(" ", text)
    return text.strip()


def without_invisible(text: str) -> str:
    """`text` without invisible characters, NFKC-normalised: `clean` before its spaces are tidied."""
    if text.isascii():
        return text  # (the invisible characters are not ASCII, and NFKC leaves ASCII as it is)
    return unicodedata.normalize("NFKC", INVISIBLE.sub("", text))


def copyright_holder(key: str) -> str | None:
    """The holder in a copyright line ('(c) The Moscow Times' -> 'The Moscow Times'), or None."""
    if len(key) > 200:
        return None
    match = _COPYRIGHT.match(key)
    if not match:
        return None
    holder = match.group("holder").strip(" .,")
    return holder or None


def fold(text: str) -> str:
    """`text` for loose comparison: clean, lower case, straight quotes and dashes, single spaces.

    (`clean`'s tidying of spaces is left out: the runs of white space it shortens are joined into
    single spaces here anyway. The marks folded are replaced one after another, which is faster than
    `str.translate` and the same: none of them is replaced by another.)"""
    text = without_invisible(text)
    if not text.isascii():
        for mark, plain in _FOLD.items():
            if mark in text:
                text = text.replace(mark, plain)
    return " ".join(text.lower().split())
