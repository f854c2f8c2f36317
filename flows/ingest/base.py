"""The extension point: an ingestor turns one configured source into raw documents.

An ingestor is a class with a `name`, a pydantic `Config` model for its settings in
sources.toml, and one method, `fetch`, that yields `RawDocument`s (bytes plus where
and when they came from) and, for inputs it could not read, `IngestError`s (or
another `BroadsheetError`, such as `DocumentTooLarge`): yielded, not raised, so that
one bad input does not stop the others. The run turns each error into a reject.

    class MyIngestor:
        name: ClassVar[str] = "mine"
        Config: ClassVar[type[BaseModel]] = MyConfig

        def __init__(self, source: str, config: MyConfig) -> None: ...
        def fetch(self, context: IngestContext) -> Iterator[RawDocument | BroadsheetError]: ...
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel

from flows.errors import BroadsheetError
from flows.settings import Limits

__all__ = ["HINT_TYPES", "IngestContext", "Ingestor", "RawDocument"]

#: Structured facts a source may already know about a document, and their types.
#: They override what the layout finds in the text (e.g. a title from a feed entry).
HINT_TYPES: dict[str, type] = {
    "title": str,
    "published_at": datetime,
    "publisher": str,
    "credits": list,
    "language": str,
}


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One raw input, as a source delivered it.

    Attributes:
        source: name of the source that produced it.
        uri: where it came from (file:// or http(s)://).
        data: the raw bytes.
        media_type: e.g. `text/plain` or `text/html`, without parameters.
        fetched_at: when it was read or fetched (UTC).
        charset: a character encoding named by the source (e.g. an HTTP header), if any.
        hints: structured facts the source already knows (see `HINT_TYPES`).
        stored_at: a local file that holds exactly these bytes (the file that was read, a
            cached copy under the source's state), if any. A run keeps only a small key per
            document and reads the bytes back from there when the document is parsed; without
            it, the run spools the bytes to a temporary file of its own.
        document_id: the SHA-256 (hex) of `data`, computed on creation.
    """

    source: str
    uri: str
    data: bytes
    media_type: str
    fetched_at: datetime
    charset: str | None = None
    hints: dict[str, Any] = field(default_factory=dict)
    stored_at: str | None = field(default=None, compare=False, repr=False)
    document_id: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "document_id", hashlib.sha256(self.data).hexdigest())


@dataclass(frozen=True, slots=True)
class IngestContext:
    """What a run hands an ingestor's `fetch`.

    Attributes:
        state: a folder that belongs to this source, kept between runs under the
            output folder (`<out>/.state/<source>/`): HTTP validators, cached bodies,
            cursors. Created on first use by whoever writes into it.
        limits: the bounds on one document (`max_document_bytes`, ...).
    """

    state: Path
    limits: Limits = field(default_factory=Limits)


@runtime_checkable
class Ingestor(Protocol):
    """A kind of source: files in a folder, web pages, a WordPress site, a feed, ...

    Attributes:
        name: the name sources.toml uses in `ingestor = "..."`.
        Config: the pydantic model of its settings (unknown keys should be forbidden).
    """

    name: ClassVar[str]
    Config: ClassVar[type[BaseModel]]

    def __init__(self, source: str, config: Any) -> None: ...

    def fetch(self, context: IngestContext) -> Iterator[RawDocument | BroadsheetError]:
        """Yield every document of the source, and an `IngestError` for each input it cannot read.

        Raise only when the whole source cannot be read at all (a `BroadsheetError`
        that says how to fix it); the run turns that into a reject too.
        """
        ...
