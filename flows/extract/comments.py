"""Comment records from the comment blocks of a page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flows.dates import parse_when
from flows.errors import LimitExceeded
from flows.extract.ids import stable_id
from flows.layout import CommentBlock
from flows.settings import DEFAULT_LIMITS, Limits

__all__ = ["extract_comments"]


def extract_comments(
    comments: list[CommentBlock], *, article_id: str, document_id: str, fetched_at: datetime, uri: str,
    limits: Limits = DEFAULT_LIMITS,
) -> list[dict[str, Any]]:
    """One comment record per comment block, parents before children.

    Raises:
        LimitExceeded: more comments, or deeper threads, than `limits` allow.
    """
    if len(comments) > limits.max_comments:
        raise LimitExceeded(
            f"holds {len(comments):,} comments, over the limit of {limits.max_comments:,}: "
            "raise it with --max-comments",
            uri=uri,
        )
    deepest = max((c.depth for c in comments), default=0)
    if deepest > limits.max_depth:
        raise LimitExceeded(
            f"has a comment thread {deepest:,} replies deep, over the limit of {limits.max_depth:,}: "
            "raise it with --max-depth",
            uri=uri,
        )
    ids = [stable_id("comment", article_id, c.start) for c in comments]
    posted: dict[str, datetime | None] = {}  # times as written -> UTC (threads repeat '2 hours ago')
    records = []
    for ordinal, (comment, comment_id) in enumerate(zip(comments, ids, strict=True), start=1):
        quotes = [p for p in comment.parts if p.kind == "quote"]
        when = comment.posted_text
        if when and when not in posted:
            posted[when] = parse_when(when, now=fetched_at)
        records.append(
            {
                "comment_id": comment_id,
                "article_id": article_id,
                "document_id": document_id,
                "parent_id": ids[comment.parent] if comment.parent is not None else None,
                "depth": comment.depth,
                "ordinal": ordinal,
                "author": comment.author,
                "posted_at": posted[when] if when else None,
                "posted_at_text": comment.posted_text,
                "text": "\n\n".join(p.text for p in comment.parts if p.kind == "text"),
                "quotes": [p.text for p in quotes],
                "quotes_article": [p.article for p in quotes],
                "likes": comment.likes,
                "char_start": comment.start,
                "char_end": max(comment.end, comment.start + 1),
            }
        )
    return records
