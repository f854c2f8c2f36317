"""The inputs of a run, without their bytes: what a run keeps of each document between ingest
and parse, so that memory does not grow with the corpus.

    source ──► RawDocument ──► DocumentRef ────────────────► load() ──► RawDocument ──► parse
               (bytes, once)   (source, uri, sha256, hints,   (bytes read back when
                                where the bytes are kept)      its batch is parsed)

A `DocumentRef` is a few hundred bytes: the document's source, URI, SHA-256 (its
`document_id`), media type, fetch time, charset, hints and size, and the local file
that holds its bytes: the file the `files` ingestor read, a web ingestor's cached
copy under the source's state (`RawDocument.stored_at`), or, for documents that an
ingestor built in memory, a file in the run's `Spool`. The input fingerprint and the
incremental plan are computed from refs alone; the bytes of a batch are read when
that batch is parsed, and checked against the SHA-256 taken at ingest: an input that
changed in between becomes a reject (the next run picks up its new content).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, overload

from flows.errors import BroadsheetError, IngestError
from flows.ingest.base import RawDocument

__all__ = ["DocumentRef", "RawDocuments", "Spool", "hints_digest", "load_documents"]


def hints_digest(hints: Mapping[str, Any] | None) -> str:
    """What the input fingerprint records of a document's hints: empty without hints, else a tab
    and the SHA-256 of their canonical JSON."""
    if not hints:
        return ""
    text = json.dumps(hints, sort_keys=True, default=str, ensure_ascii=False)
    return "\t" + hashlib.sha256(text.encode("utf-8")).hexdigest()


class Spool:
    """A temporary folder for the bytes of documents that no file of their own holds.

    Created on first use, one file per distinct SHA-256, removed by `close` (or when the spool
    is garbage-collected, or at exit).
    """

    def __init__(self) -> None:
        self._folder: str | None = None
        self._finalizer: weakref.finalize[Any, Spool] | None = None

    def keep(self, raw: RawDocument) -> str:
        """Write the bytes of `raw` into the spool (once per SHA-256); returns the file's path."""
        if self._folder is None:
            self._folder = tempfile.mkdtemp(prefix="broadsheet-spool-")
            self._finalizer = weakref.finalize(self, shutil.rmtree, self._folder, True)
        path = os.path.join(self._folder, raw.document_id)
        if not os.path.exists(path):
            with open(path, "wb") as handle:
                handle.write(raw.data)
        return path

    def close(self) -> None:
        """Remove the spooled bytes."""
        if self._finalizer is not None:
            self._finalizer()
        self._folder = self._finalizer = None


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """One input of a run, without its bytes.

    Attributes:
        source: name of the source that produced it.
        uri: where it came from.
        document_id: SHA-256 (hex) of its bytes, taken at ingest.
        media_type: its media type.
        fetched_at: when it was read or fetched (UTC).
        charset: a character encoding named by the source, if any.
        hints: structured facts the source already knows (None: none).
        size: its size in bytes.
        path: the local file that holds its bytes.
    """

    source: str
    uri: str
    document_id: str
    media_type: str
    fetched_at: datetime
    charset: str | None
    hints: Mapping[str, Any] | None
    size: int
    path: str

    @classmethod
    def of(cls, raw: RawDocument, spool: Spool) -> DocumentRef:
        """The ref of `raw`: its bytes stay where `raw.stored_at` says, or go to `spool`."""
        path = raw.stored_at if raw.stored_at is not None else spool.keep(raw)
        return cls(raw.source, raw.uri, raw.document_id, raw.media_type, raw.fetched_at, raw.charset,
                   dict(raw.hints) if raw.hints else None, len(raw.data), path)

    def load(self) -> RawDocument:
        """The document with its bytes, read back from `path`.

        Raises:
            IngestError: the bytes are gone, cannot be read, or are not those taken at ingest.
        """
        try:
            with open(self.path, "rb") as handle:
                data = handle.read(self.size + 1)
        except FileNotFoundError:
            raise IngestError("vanished while the run was going on: run again once it is in place",
                              uri=self.uri) from None
        except OSError as exc:
            raise IngestError(f"cannot be read again ({exc.strerror or exc}): check it and run again",
                              uri=self.uri) from None
        raw = RawDocument(self.source, self.uri, data, self.media_type, self.fetched_at, self.charset,
                          dict(self.hints) if self.hints else {}, stored_at=self.path)
        if raw.document_id != self.document_id:
            raise IngestError("changed while the run was reading it: run again to publish its new content",
                              uri=self.uri)
        return raw


def load_documents(
    refs: Iterable[DocumentRef],
) -> tuple[list[RawDocument], list[tuple[DocumentRef, BroadsheetError]]]:
    """The documents of `refs` with their bytes, and the refs that could not be read back with why."""
    raws: list[RawDocument] = []
    failed: list[tuple[DocumentRef, BroadsheetError]] = []
    for ref in refs:
        try:
            raws.append(ref.load())
        except BroadsheetError as error:
            failed.append((ref, error))
    return raws, failed


class RawDocuments(Sequence[RawDocument]):
    """The documents of a list of refs as a read-only sequence of `RawDocument`s, each read from
    disk when it is looked at (nothing is kept).

    Raises:
        IngestError: (on access) a document's bytes cannot be read back.
    """

    def __init__(self, refs: Sequence[DocumentRef]) -> None:
        self._refs = refs

    def __len__(self) -> int:
        return len(self._refs)

    @overload
    def __getitem__(self, index: int) -> RawDocument: ...

    @overload
    def __getitem__(self, index: slice) -> list[RawDocument]: ...

    def __getitem__(self, index: int | slice) -> RawDocument | list[RawDocument]:
        if isinstance(index, slice):
            return [ref.load() for ref in self._refs[index]]
        return self._refs[index].load()

    def __iter__(self) -> Iterator[RawDocument]:
        for ref in self._refs:
            yield ref.load()
