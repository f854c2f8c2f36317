"""The article part of a page as blocks: title, metadata lines, headings, paragraphs, bullets."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from flows.dates import looks_like_date, parse_when
from flows.layout.lines import Line
from flows.layout.patterns import (
    BULLET,
    byline_names,
    copyright_holder,
    credit_names,
    is_chrome,
    is_list_heading,
    is_menu,
)

__all__ = ["Block", "BlockKind", "group_lines", "parse_article_blocks"]

BlockKind = Literal[
    "title", "heading", "paragraph", "bullet", "byline", "date", "credit", "copyright", "chrome"
]
_TERMINAL = (".", "!", "?", ":", ";", ",", "”", '"', "’", "'", "»", ")", "…")
_QUOTE_START = ("“", '"', "‘", "'", "«", "„", "‹")
# 'Q: …', 'OWENS: …', 'RACHEL OWENS, HOST: …': a transcript line, not a heading
_SPEAKER_LABEL = re.compile(r"^(?:[QA]|[A-Z][A-Z.'’\- ]{1,40}(?:,\s*[A-Z][A-Z .'’\-]{1,30})?):\s")


@dataclass(slots=True)
class Block:
    """A run of lines that belong together.

    Attributes:
        kind: what the block is.
        start: offset of its content (after a list marker) in the document text.
        end: offset after its content.
        text: the content, its lines joined by `\\n` without their indentation.
        indent: indentation of its first line.
        marker: the list marker of a bullet ("–", "•", "1.").
        names: people or agencies named by a byline or credit line.
        when: the time a date line or byline names.
        holder: the holder named by a copyright line.
    """

    kind: BlockKind
    start: int
    end: int
    text: str
    indent: int = 0
    marker: str | None = None
    names: list[str] = field(default_factory=list)
    when: datetime | None = None
    holder: str | None = None
    lines: list[Line] = field(default_factory=list, repr=False)


def _standalone(line: Line) -> bool:
    """Lines that never continue a paragraph: list items and metadata."""
    key = line.key
    return bool(BULLET.match(key)) or byline_names(key) is not None or credit_names(key) is not None


def group_lines(lines: list[Line]) -> list[list[Line]]:
    """Group non-blank lines into paragraphs.

    A blank line ends a paragraph; a list item or a metadata line stands alone; a line
    continues the previous one only when that one looks hard-wrapped (40 to 100
    characters, not ending a sentence).
    """
    groups: list[list[Line]] = []
    current: list[Line] = []
    for line in lines:
        if line.blank:
            if current:
                groups.append(current)
                current = []
            continue
        if current:
            prev = current[-1]
            wrapped = (
                40 <= len(prev.key) <= 100  # hard-wrapped text breaks lines at 60-80 columns
                and not prev.key.endswith(_TERMINAL)
                and not _standalone(line)
                and line.indent <= prev.indent + 1
                and line.key != prev.key  # a line repeated (a title twice) is not a continuation
                and bool(groups)  # the first line of a page (its title) stands alone
            )
            if not wrapped or _standalone(prev):
                groups.append(current)
                current = []
        current.append(line)
    if current:
        groups.append(current)
    return groups


def _block(kind: BlockKind, group: list[Line]) -> Block:
    first, last = group[0], group[-1]
    texts = [line.text for line in group]
    start, marker = first.start, None
    if kind == "bullet":
        match = BULLET.match(first.text)
        if match:
            marker = match.group("marker")
            start = first.start + match.end()
            texts[0] = first.text[match.end() :]
    return Block(kind, start, last.end, "\n".join(texts), first.indent, marker, lines=group)


def _is_heading(group: list[Line], next_group: list[Line] | None) -> bool:
    if len(group) != 1 or next_group is None:
        return False
    key = group[0].key
    words = key.split()
    if not words or len(words) > 12 or len(key) > 100:
        return False
    if key.startswith(_QUOTE_START) or BULLET.match(key) or _SPEAKER_LABEL.match(key):
        return False
    if key.endswith(_TERMINAL) and not key.endswith("?"):
        return False
    if not (key[0].isupper() or key[0].isdigit()):
        return False
    # A heading introduces something longer than itself.
    return len(next_group) > 1 or len(next_group[0].key) > len(key)


def classify(group: list[Line], next_group: list[Line] | None, now: datetime) -> Block:
    """Say what one group of lines is."""
    first = group[0]
    key = " ".join(line.key for line in group)
    if len(group) == 1:
        if is_chrome(key) or is_menu(first.text):
            return _block("chrome", group)
        names = byline_names(key)
        if names is not None:
            block = _block("byline", group)
            block.names = names
            for part in re.split(r"\s*\|\s*|\s+[-–—]\s+", key)[1:]:
                when = parse_when(part, now=now)
                if when is not None:
                    block.when = when
                    break
            return block
        names = credit_names(key)
        if names is not None:
            block = _block("credit", group)
            block.names = names
            return block
        holder = copyright_holder(key)
        if holder is not None:
            block = _block("copyright", group)
            block.holder = holder
            return block
        if looks_like_date(key):
            block = _block("date", group)
            block.when = parse_when(key, now=now)
            return block
        if _is_heading(group, next_group):
            return _block("heading", group)
    if BULLET.match(first.key):
        return _block("bullet", group)
    return _block("paragraph", group)


def _title_like(block: Block) -> bool:
    words = block.text.split()
    return 1 <= len(words) <= 30 and not block.text.endswith((".", "!", ":", ";", ","))


def _link_line(line: Line) -> bool:
    words = line.key.split()
    return 1 <= len(words) <= 16 and not line.key.endswith((".", "!", ";", ",", "”", '"'))


def _drop_link_lists(blocks: list[Block]) -> None:
    """The title lines after a 'Related articles' heading are links, not body text."""
    in_list = False
    for block in blocks:
        if block.kind == "chrome" and is_list_heading(block.text):
            in_list = True
            continue
        if in_list and block.kind in ("heading", "paragraph", "bullet") and all(_link_line(ln) for ln in block.lines):
            block.kind = "chrome"
            continue
        in_list = False


def parse_article_blocks(lines: list[Line], now: datetime) -> list[Block]:
    """Blocks of the article part of a page; the headline becomes the `title` block.

    Page chrome before the title (skip links, menus, a site name, a date line, the
    title repeated) is kept as `chrome`/`date` blocks so that nothing is silently lost.
    The headline is the first title-like line of four words or more before the first
    body paragraph (a shorter line before it is a site name), else the first such line.
    """
    groups = group_lines(lines)
    blocks = [classify(g, groups[i + 1] if i + 1 < len(groups) else None, now) for i, g in enumerate(groups)]
    _drop_link_lists(blocks)
    candidates: list[int] = []
    for i, block in enumerate(blocks):
        if block.kind in ("chrome", "date", "byline", "credit", "copyright"):
            continue
        if block.kind == "bullet" or not _title_like(block) or len(block.lines) > 1:
            if not candidates:
                candidates.append(i)  # no headline-like line before the body: the first block is it
            break
        candidates.append(i)
    if not candidates:
        return blocks
    title_at = next((i for i in candidates if len(blocks[i].text.split()) >= 4), candidates[0])
    for i in candidates:
        if i < title_at:
            blocks[i].kind = "chrome"  # a site name or section label above the headline
    title = blocks[title_at]
    title.kind = "title"
    if title.marker:
        title.start, title.text, title.marker = title.lines[0].start, title.lines[0].text, None
    for block in blocks[title_at + 1 :]:
        if block.kind in ("heading", "paragraph") and block.text == title.text:
            block.kind = "chrome"  # the title repeated
        elif block.kind == "heading" and block is blocks[-1]:
            block.kind = "paragraph"
    return blocks
