"""Lines of a document with their offsets and indentation."""

from __future__ import annotations

from typing import NamedTuple

from flows.decode.text import INVISIBLE, clean, without_invisible

__all__ = ["Line", "clean", "split_lines", "without_invisible"]

_TAB = 4


class Line(NamedTuple):
    """One line of a document (a named tuple: pages have tens of thousands of lines).

    Attributes:
        number: 0-based line number.
        start: offset of the first visible character (after the indentation).
        end: offset after the last visible character.
        indent: indentation in columns (a tab counts 4).
        text: the raw text between `start` and `end`.
        key: `clean(text)`, for matching.
    """

    number: int
    start: int
    end: int
    indent: int
    text: str
    key: str

    @property
    def blank(self) -> bool:
        return not self.key


def _indent_of(raw: str) -> int:
    """Columns of indentation at the start of `raw`: a tab to the next multiple of 4, other white
    space one column, invisible characters none (no invisible character is white space)."""
    columns = 0
    for char in raw:
        if char == "\t":
            columns += _TAB - columns % _TAB
        elif char.isspace():
            columns += 1
        elif not INVISIBLE.match(char):
            break
    return columns


def split_lines(text: str) -> list[Line]:
    """Split `text` (with `\\n` line endings) into `Line`s with offsets into `text`."""
    lines: list[Line] = []
    append = lines.append
    make = tuple.__new__  # (Line's own constructor, without its Python wrapper)
    pos = 0
    for number, raw in enumerate(text.split("\n")):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            start = pos + lead
            # (without indentation, `_indent_of` reads one visible or invisible character: 0)
            indent = _indent_of(raw[: lead + 1]) if lead else 0
            append(make(Line, (number, start, start + len(stripped), indent, stripped, clean(stripped))))
        else:
            append(make(Line, (number, pos, pos, 0, "", "")))
        pos += len(raw) + 1
    return lines
