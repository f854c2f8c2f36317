"""Layout stage: the text of a page as article blocks and reader comments.

`parse_layout(text, now)` finds where the comments begin, turns the article part
into `Block`s (title, byline, date, heading, paragraph, bullet, credit, copyright,
chrome) and the comment part into `CommentBlock`s with depth and parent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flows.decode.text import fold
from flows.layout.blocks import Block, BlockKind, parse_article_blocks
from flows.layout.lines import Line, clean, split_lines
from flows.layout.threads import CommentBlock, Part, find_comments_start, parse_threads

__all__ = [
    "Block",
    "BlockKind",
    "CommentBlock",
    "Line",
    "Page",
    "Part",
    "clean",
    "fold",
    "parse_layout",
    "split_lines",
]

BODY_KINDS = frozenset({"heading", "paragraph", "bullet"})


@dataclass(slots=True)
class Page:
    """A document's text as laid out: article blocks and reader comments."""

    text: str
    blocks: list[Block]
    comments: list[CommentBlock]
    comments_start: int | None


def parse_layout(text: str, now: datetime) -> Page:
    """Lay out `text`: the article as blocks, the comment section as threaded comments.

    Args:
        text: the decoded document text (`\\n` line endings).
        now: the document's fetch time, to resolve relative dates in comments.
    """
    lines = split_lines(text)
    content = [i for i, line in enumerate(lines) if not line.blank]
    after = content[1] + 1 if len(content) > 1 else len(lines)
    start = find_comments_start(lines, after, now)
    article_lines = lines if start is None else lines[:start]
    blocks = parse_article_blocks(article_lines, now)
    comments: list[CommentBlock] = []
    if start is not None:
        article = fold(" ".join(b.text for b in blocks if b.kind in BODY_KINDS))

        def in_article(passage: str) -> bool:
            folded = fold(passage)
            return len(folded) >= 30 and folded in article

        comments = parse_threads(lines[start:], now, in_article)
    return Page(text, blocks, comments, lines[start].start if start is not None else None)
