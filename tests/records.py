"""Records built by hand and published as a release through the real writer, for the tests of what
publishing derives from them (actors, the page, diffs) where the extractor's output is not the point."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flows.release.publish import STAGING, ReleaseWriter, publish_release, release_id_for
from flows.release.storage import storage_for
from schemas import Article, Comment, Document, Position, Record
from schemas.catalog import CatalogRelease, ReleaseChanges

FETCHED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def hex_id(*parts: object, length: int = 32) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:length]


def document(name: str, text: str = "A text.", *, fetched_at: datetime = FETCHED) -> Document:
    return Document(document_id=hex_id("doc", name, length=64), source="test", uri=f"file:///{name}.txt",
                    media_type="text/plain", fetched_at=fetched_at, encoding="utf-8", size_bytes=len(text),
                    text=text)


def article(doc: Document, title: str, *, published_at: datetime | None = None, positions: int = 0,
            comments: int = 0) -> Article:
    return Article(article_id=hex_id("article", doc.document_id), document_id=doc.document_id, source=doc.source,
                   uri=doc.uri, title=title, published_at=published_at, lede="A lede.", body="A body.",
                   position_count=positions, comment_count=comments, char_start=0, char_end=1)


def position(art: Article, ordinal: int, actor: str, text: str, **fields: Any) -> Position:
    values: dict[str, Any] = {"cue": "say", "act": "assertive"} | fields
    return Position(position_id=hex_id("position", art.article_id, ordinal), article_id=art.article_id,
                    document_id=art.document_id, ordinal=ordinal, actor=actor, text=text,
                    char_start=ordinal, char_end=ordinal + 1, **values)


def comment(art: Article, ordinal: int, text: str, *, depth: int = 0, parent: Comment | None = None,
            author: str | None = None) -> Comment:
    return Comment(comment_id=hex_id("comment", art.article_id, ordinal), article_id=art.article_id,
                   document_id=art.document_id, parent_id=parent.comment_id if parent else None, depth=depth,
                   ordinal=ordinal, author=author, text=text, char_start=ordinal, char_end=ordinal + 1)


def publish_records(out: Path, batches: Iterable[dict[str, list[Record]]], *, now: datetime,
                    previous: str | None = None) -> CatalogRelease:
    """Publish `batches` of records (by dataset name) as one release into `out`, as a run would."""
    storage = storage_for(out)
    release_id = release_id_for(now, hex_id("release", now.isoformat(), length=64))
    with storage.lock():
        writer = ReleaseWriter(storage, f"{STAGING}/{release_id}").__enter__()
        for batch in batches:
            writer.write(batch)
        return publish_release(storage, writer, release_id=release_id, created_at=now, fingerprint="0" * 64,
                               sources=["test"], notes="Records built by a test.",
                               changes=ReleaseChanges(previous=previous))
