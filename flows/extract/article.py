"""The article record of a page: title, credits, publisher, dates, lede, sections, body."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flows.errors import NoArticleFound
from flows.layout import Block, Page

__all__ = ["body_blocks", "extract_article"]

_BODY = ("heading", "paragraph", "bullet")


def body_blocks(page: Page) -> list[Block]:
    """The blocks that make up the article's body, in order (after the title)."""
    blocks = page.blocks
    start = next((i for i, b in enumerate(blocks) if b.kind == "title"), -1) + 1
    return [b for b in blocks[start:] if b.kind in _BODY]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _render(block: Block) -> str:
    if block.kind == "bullet" and block.marker:
        return f"{block.marker} {block.text}"
    return block.text


def _published(page: Page) -> datetime | None:
    dated = [b for b in page.blocks if b.when is not None and b.kind in ("byline", "date")]
    first_published = [b for b in dated if not b.text.lower().lstrip().startswith(("updated", "last updated"))]
    chosen = first_published or dated
    return chosen[0].when if chosen else None


def extract_article(page: Page, *, uri: str) -> dict[str, Any]:
    """Article fields of `page` (ids, counts and lineage are added by the caller).

    Raises:
        NoArticleFound: the page has no title or no body.
    """
    title = next((b for b in page.blocks if b.kind == "title"), None)
    body = body_blocks(page)
    if title is None:
        raise NoArticleFound(
            "found no title line: an article needs a headline on its first line, then its paragraphs",
            uri=uri,
        )
    if not any(b.kind in ("paragraph", "bullet") for b in body):
        raise NoArticleFound(
            f"found a title ({_flat(title.text)[:60]!r}) but no body paragraphs after it: "
            "separate the headline from the text with a blank line",
            uri=uri,
        )
    credits: list[str] = []
    for block in page.blocks:
        if block.kind in ("byline", "credit"):
            credits.extend(n for n in block.names if n not in credits)
    publisher = next((b.holder for b in page.blocks if b.kind == "copyright" and b.holder), None)
    lede = next((b for b in body if b.kind == "paragraph"), None) or next(b for b in body if b.kind == "bullet")
    return {
        "title": _flat(title.text),
        "publisher": publisher,
        "credits": credits,
        "published_at": _published(page),
        "language": None,
        "lede": _flat(lede.text),
        "sections": [_flat(b.text) for b in body if b.kind == "heading"],
        "body": "\n\n".join(_render(b) for b in body),
        "char_start": title.start,
        "char_end": max(b.end for b in body),
    }
