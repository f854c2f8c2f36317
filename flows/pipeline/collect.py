"""Collecting a run's inputs: every source ingested, each document kept as a small reference.

    sources ─► ingestors (flows.ingest) ─► RawDocument ─► DocumentRef (bytes stay on disk) ─► Collected
                                  └──► IngestError ─► Reject

`Collected` is what a run plans and parses from: the refs in the order the sources
yielded them, and the rejects of what could not be read. Documents whose bytes came
in twice (from two sources, or twice from one) are dropped with a reject that names
the twin that is kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from flows.errors import BroadsheetError, DuplicateDocument
from flows.ingest.base import RawDocument
from flows.ingest.files import iter_files
from flows.ingest.sources import Source
from flows.pipeline.document import reject_for
from flows.pipeline.inputs import DocumentRef, RawDocuments, Spool
from flows.release.storage import Storage
from flows.settings import DEFAULT_LIMITS, Limits
from schemas import Reject

__all__ = ["Collected", "collect_files", "collect_source", "collect_sources", "drop_duplicates", "state_root"]


@dataclass(slots=True)
class Collected:
    """What the sources delivered: a `DocumentRef` per document (its bytes stay on disk), and
    rejects for what they could not read.

    Attributes:
        refs: the documents, without their bytes, in the order the sources yielded them.
        rejects: what could not be read.
        sources: the names of the sources that were ingested.
        spools: where the bytes of documents that no file holds are kept (see `add`).
    """

    refs: list[DocumentRef] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    spools: list[Spool] = field(default_factory=lambda: [Spool()])

    @property
    def raws(self) -> Sequence[RawDocument]:
        """The documents with their bytes, each read back from disk when it is looked at."""
        return RawDocuments(self.refs)

    def add(self, raw: RawDocument) -> None:
        """Keep the ref of `raw`: where its bytes are (`raw.stored_at`), or a copy in the spool."""
        self.refs.append(DocumentRef.of(raw, self.spools[0]))

    def extend(self, other: Collected) -> None:
        self.refs += other.refs
        self.rejects += other.rejects
        self.sources += [s for s in other.sources if s not in self.sources]
        self.spools += [spool for spool in other.spools if spool not in self.spools]

    def close(self) -> None:
        """Remove the spooled bytes (the refs that point there can no longer be read)."""
        for spool in self.spools:
            spool.close()


def collect_files(raw: Path, *, source: str = "files", limits: Limits = DEFAULT_LIMITS) -> Collected:
    """Ingest every file under `raw`; unreadable files become rejects."""
    collected = Collected(sources=[source])
    for item in iter_files(raw, source=source, limits=limits):
        if isinstance(item, BroadsheetError):
            collected.rejects.append(reject_for(item, source=source, uri=item.uri or str(raw)))
        else:
            collected.add(item)
    return collected


def collect_source(source: Source, *, out: Path, limits: Limits = DEFAULT_LIMITS) -> Collected:
    """Ingest one configured source; whatever it cannot read (or a failure of the whole source)
    becomes a reject, so that the other sources go on."""
    collected = Collected(sources=[source.name])
    for item in source.fetch(out, limits):
        if isinstance(item, BroadsheetError):
            collected.rejects.append(reject_for(item, source=source.name, uri=item.uri or source.location))
        else:
            collected.add(item)
    return collected


def drop_duplicates(collected: Collected) -> Collected:
    """`collected` without documents whose bytes came in already (kept: the first); each one dropped
    becomes a reject that names where its twin came from."""
    seen: dict[str, DocumentRef] = {}
    kept = Collected(rejects=list(collected.rejects), sources=list(collected.sources),
                     spools=list(collected.spools))
    for raw in collected.refs:
        first = seen.setdefault(raw.document_id, raw)
        if first is raw:
            kept.refs.append(raw)
            continue
        error = DuplicateDocument(
            f"has the same bytes as {first.uri} (source {first.source!r}), which is kept: remove one of "
            "the two from the sources",
            uri=raw.uri,
        )
        kept.rejects.append(reject_for(error, source=raw.source, uri=raw.uri, document_id=raw.document_id))
    return kept


def collect_sources(sources: Iterable[Source], *, out: Path, limits: Limits = DEFAULT_LIMITS) -> Collected:
    """Ingest every source in turn (see `collect_source`); duplicates across them are dropped."""
    collected = Collected()
    for source in sources:
        collected.extend(collect_source(source, out=out, limits=limits))
    return drop_duplicates(collected)


def state_root(out: Path | str | Storage) -> Path:
    """Where sources keep their state between runs: `<out>/.state/` for a folder; for an object
    store, a local folder named after the URL under `.broadsheet/state/` (state is per machine)."""
    url = out.url if isinstance(out, Storage) else str(out)
    if "://" not in url:
        return Path(url)
    if url.startswith("file://"):
        return Path(url.removeprefix("file://"))
    safe = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
    return Path(".broadsheet") / "state" / safe
