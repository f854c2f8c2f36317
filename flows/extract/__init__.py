"""Extract stage: records (article, positions, comments) from a laid-out page.

Records come out as plain dicts with every field of their schema; the validate
step in `flows.pipeline.document` turns them into models.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flows.extract.article import body_blocks, extract_article
from flows.extract.comments import extract_comments
from flows.extract.ids import stable_id
from flows.extract.positions import extract_positions
from flows.layout import Page
from flows.settings import DEFAULT_LIMITS, Limits
from schemas import Document

__all__ = ["Extracted", "apply_hints", "extract_document", "stable_id"]


@dataclass(slots=True)
class Extracted:
    """The records extracted from one document."""

    articles: list[dict[str, Any]] = field(default_factory=list)
    positions: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)


def apply_hints(article: dict[str, Any], hints: Mapping[str, Any]) -> None:
    """Let what the source already knows (a title or date from an API or a feed) override what the
    layout found. Hints of the wrong type are ignored."""
    for key in ("title", "publisher", "language"):
        value = hints.get(key)
        if isinstance(value, str) and value.strip():
            article[key] = " ".join(value.split())
    published = hints.get("published_at")
    if isinstance(published, datetime) and published.tzinfo is not None:
        article["published_at"] = published
    credits = hints.get("credits")
    if isinstance(credits, list) and credits and all(isinstance(c, str) and c.strip() for c in credits):
        article["credits"] = list(dict.fromkeys(c.strip() for c in credits))


def extract_document(
    page: Page, document: Document, limits: Limits = DEFAULT_LIMITS, hints: Mapping[str, Any] | None = None
) -> Extracted:
    """Extract the article of `page`, its positions and its comments.

    `hints` (see `flows.ingest.HINT_TYPES`) override the article's title, date,
    publisher, credits or language when the source knows them.

    Raises:
        NoArticleFound: the page holds no article.
        LimitExceeded: the page has more comments, or deeper threads, than `limits` allow.
    """
    article = extract_article(page, uri=document.uri)
    if hints:
        apply_hints(article, hints)
    article_id = stable_id("article", document.document_id, 0)
    title = next((b for b in page.blocks if b.kind == "title"), None)
    positions = extract_positions(
        body_blocks(page), page.text, article_id=article_id, document_id=document.document_id, title=title
    )
    comments = extract_comments(
        page.comments,
        article_id=article_id,
        document_id=document.document_id,
        fetched_at=document.fetched_at,
        uri=document.uri,
        limits=limits,
    )
    article.update(
        article_id=article_id,
        document_id=document.document_id,
        source=document.source,
        uri=document.uri,
        position_count=len(positions),
        comment_count=len(comments),
    )
    return Extracted([article], positions, comments)
