"""One document through decode, layout, extract and validate: plain Python, no Prefect.

    RawDocument ─► decode (flows.decode) ─► layout (flows.layout) ─► extract (flows.extract) ─► validate ─► Batch

`process_batch` is what the flow's parse task runs (on a batch of documents, in a
worker process when there are several cores) and what the benchmark and the tests
call directly. Every failure of one document becomes a `Reject`; nothing raises.
`process_encoded` also encodes the batch for publication (`EncodedBatch`), so that a
worker process hands back JSON lines and Arrow tables, cheap to pass between
processes and to append to the release.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from flows.decode import decode_document
from flows.errors import BroadsheetError, LimitExceeded, RecordInvalid
from flows.extract import extract_document
from flows.ingest.base import RawDocument
from flows.layout import parse_layout
from flows.release.publish import EncodedRows, encode_rows
from flows.settings import DEFAULT_LIMITS, Limits
from schemas import Article, Comment, Document, Position, Record, Reject

__all__ = [
    "Batch",
    "EncodedBatch",
    "process_batch",
    "process_document",
    "process_encoded",
    "reject_for",
]

@dataclass(slots=True)
class Batch:
    """Validated records of a batch of documents, by dataset, and the rejects."""

    documents: list[Document] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)

    def extend(self, other: Batch) -> None:
        self.documents += other.documents
        self.articles += other.articles
        self.positions += other.positions
        self.comments += other.comments
        self.rejects += other.rejects

    def rows(self) -> dict[str, list[Record]]:
        """Records by dataset name, in publication order."""
        return {
            "documents": list(self.documents),
            "articles": list(self.articles),
            "positions": list(self.positions),
            "comments": list(self.comments),
            "rejects": list(self.rejects),
        }


@dataclass(slots=True)
class EncodedBatch:
    """A processed batch as it is published: each dataset's records encoded (`EncodedRows`), and
    the rejects as records too (for the run's summary).

    Attributes:
        datasets: the encoded records by dataset name (empty datasets left out).
        rejects: the batch's rejects.
        documents: how many documents the batch published.
    """

    datasets: dict[str, EncodedRows] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    documents: int = 0

    @classmethod
    def of(cls, batch: Batch) -> EncodedBatch:
        """`batch`, encoded."""
        return cls(encode_rows(batch.rows()), list(batch.rejects), len(batch.documents))

    def rows(self) -> dict[str, int]:
        """Rows per dataset."""
        return {name: part.rows for name, part in self.datasets.items()}


def reject_for(error: BroadsheetError, *, source: str, uri: str, document_id: str | None = None) -> Reject:
    """The reject record for `error`."""
    return Reject(
        document_id=document_id,
        source=source,
        uri=error.uri or uri,
        stage=error.stage,
        error=type(error).__name__,
        message=error.message,
    )


@cache
def _list_adapter(model: type[Record]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def _validate(model: type[Record], rows: Iterable[dict[str, Any]], uri: str) -> list[Any]:
    """Every row as a `model`, fully validated: the whole list in one call; when a row is invalid,
    row by row again to name the first invalid one."""
    rows = list(rows)
    if not rows:
        return []
    try:
        validated: list[Any] = _list_adapter(model).validate_python(rows)
        return validated
    except ValidationError:
        pass
    out = []
    for row in rows:
        try:
            out.append(model.model_validate(row))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or model.__name__
            raise RecordInvalid(
                f"extracted a {model.__name__.lower()} that breaks its schema ({where}: {first['msg']}); "
                "please report this with the input file",
                uri=uri,
            ) from None
    return out


def _check_lines(text: str, uri: str, limits: Limits) -> None:
    """Reject a text with a line longer than `limits.max_line_chars` (a pasted blob, not a page)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if end - start > limits.max_line_chars:
            raise LimitExceeded(
                f"has a line of {end - start:,} characters, over the limit of {limits.max_line_chars:,}: "
                "break it into paragraphs, or raise the limit with --max-line-chars",
                uri=uri,
            )
        start = end + 1


def process_document(raw: RawDocument, limits: Limits = DEFAULT_LIMITS) -> Batch:
    """Decode, lay out, extract and validate one raw document."""
    batch = Batch()
    try:
        text, encoding = decode_document(raw, limits)
        document = Document(
            document_id=raw.document_id,
            source=raw.source,
            uri=raw.uri,
            media_type=raw.media_type,
            fetched_at=raw.fetched_at,
            encoding=encoding,
            size_bytes=len(raw.data),
            text=text,
        )
        _check_lines(text, raw.uri, limits)
        page = parse_layout(text, raw.fetched_at)
        extracted = extract_document(page, document, limits=limits, hints=raw.hints)
        batch.documents.append(document)
        batch.articles += _validate(Article, extracted.articles, raw.uri)
        batch.positions += _validate(Position, extracted.positions, raw.uri)
        batch.comments += _validate(Comment, extracted.comments, raw.uri)
    except BroadsheetError as error:
        return Batch(rejects=[reject_for(error, source=raw.source, uri=raw.uri, document_id=raw.document_id)])
    except Exception as error:  # a bug must not cost the rest of the run its release
        return Batch(
            rejects=[
                Reject(
                    document_id=raw.document_id,
                    source=raw.source,
                    uri=raw.uri,
                    stage="parse",
                    error=type(error).__name__,
                    message=f"broadsheet failed on this input ({error}); please report it with the file",
                )
            ]
        )
    return batch


def process_batch(raws: Iterable[RawDocument], limits: Limits = DEFAULT_LIMITS) -> Batch:
    """`process_document` over a batch, merged.

    The cyclic garbage collector is paused while the batch runs (and restored as it was after):
    parsing allocates hundreds of thousands of small objects (tokens, lines, records), none of
    them in reference cycles, and the collector's passes over them cost a fifth of the time.
    """
    batch = Batch()
    with _collector_paused():
        for raw in raws:
            batch.extend(process_document(raw, limits))
    return batch


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def process_encoded(raws: Iterable[RawDocument], limits: Limits = DEFAULT_LIMITS) -> EncodedBatch:
    """`process_batch`, encoded for publication: what a parse worker returns."""
    with _collector_paused():
        return EncodedBatch.of(process_batch(raws, limits))
