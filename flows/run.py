"""One publishing run, stage by stage: plain Python that the Prefect flow drives.

    ingest ──► plan ──► process (batches) ──► publish ──► catalog

`Run` holds the state between the stages: the output lock, the staging writer and
the counts for the summary. The flow in `flows.flow` calls its methods from thin
tasks; `run_once` calls them directly (tests, benchmarks, and `broadsheet run
--no-prefect`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flows.catalog import output_lock, read_catalog
from flows.errors import BroadsheetError, ConfigError, DuplicateDocument, IngestError
from flows.ingestors.base import RawDocument
from flows.ingestors.files import iter_files
from flows.process import Batch, process_batch, reject_for
from flows.publish import ReleaseWriter, publish_release, release_id_for
from flows.settings import DEFAULT_LIMITS, Limits
from flows.sources import Source
from flows.version import pipeline_fingerprint
from schemas import Reject

__all__ = [
    "Collected",
    "Outcome",
    "Run",
    "batched",
    "collect_files",
    "collect_source",
    "collect_sources",
    "drop_duplicates",
    "run_once",
]

DEFAULT_BATCH_SIZE = 200


@dataclass(slots=True)
class Collected:
    """What the sources delivered: raw documents, and rejects for what they could not read."""

    raws: list[RawDocument] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def extend(self, other: Collected) -> None:
        self.raws += other.raws
        self.rejects += other.rejects
        self.sources += [s for s in other.sources if s not in self.sources]


@dataclass(slots=True)
class Outcome:
    """What a run did, for the summary line, the CLI's exit status and the flow's artifact."""

    published: bool
    message: str
    release_id: str | None = None
    release_path: str | None = None
    rows: dict[str, int] = field(default_factory=dict)
    documents: int = 0
    rejects: list[Reject] = field(default_factory=list)


def collect_files(raw: Path, *, source: str = "files", limits: Limits = Limits()) -> Collected:
    """Ingest every file under `raw`; unreadable files become rejects."""
    collected = Collected(sources=[source])
    for item in iter_files(raw, source=source, limits=limits):
        if isinstance(item, BroadsheetError):
            collected.rejects.append(reject_for(item, source=source, uri=item.uri or str(raw)))
        else:
            collected.raws.append(item)
    return collected


def collect_source(source: Source, *, out: Path, limits: Limits = DEFAULT_LIMITS) -> Collected:
    """Ingest one configured source; whatever it cannot read (or a failure of the whole source)
    becomes a reject, so that the other sources go on."""
    collected = Collected(sources=[source.name])
    for item in source.fetch(out, limits):
        if isinstance(item, BroadsheetError):
            collected.rejects.append(reject_for(item, source=source.name, uri=item.uri or source.location))
        else:
            collected.raws.append(item)
    return collected


def drop_duplicates(collected: Collected) -> Collected:
    """`collected` without documents whose bytes came in already (kept: the first); each one dropped
    becomes a reject that names where its twin came from."""
    seen: dict[str, RawDocument] = {}
    kept = Collected(rejects=list(collected.rejects), sources=list(collected.sources))
    for raw in collected.raws:
        first = seen.setdefault(raw.document_id, raw)
        if first is raw:
            kept.raws.append(raw)
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


def _hints_digest(raw: RawDocument) -> str:
    if not raw.hints:
        return ""
    text = json.dumps(raw.hints, sort_keys=True, default=str, ensure_ascii=False)
    return "\t" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def batched(items: list[RawDocument], size: int) -> Iterator[list[RawDocument]]:
    """`items` in batches of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def input_fingerprint(collected: Collected) -> str:
    """Hash of what the run would publish: inputs (source, uri, bytes, hints), rejects, pipeline version."""
    digest = hashlib.sha256(pipeline_fingerprint().encode())
    for line in sorted(f"{r.source}\t{r.uri}\t{r.document_id}{_hints_digest(r)}" for r in collected.raws):
        digest.update(line.encode("utf-8") + b"\n")
    for line in sorted(f"{r.source}\t{r.uri}\t{r.error}" for r in collected.rejects):
        digest.update(b"reject\t" + line.encode("utf-8") + b"\n")
    return digest.hexdigest()


class Run:
    """One publishing run into `out`. Use as a context manager around `plan`, `add` and `finish`."""

    def __init__(self, out: Path, *, keep: int | None = None, now: datetime | None = None) -> None:
        if keep is not None and keep < 1:
            raise ConfigError(f"--keep {keep}: keep at least 1 release")
        self.out = out
        self.keep = keep
        self.created_at = (now or datetime.now(UTC)).replace(microsecond=0)
        self.collected = Collected()
        self.fingerprint = ""
        self.release_id = ""
        self.rows: dict[str, int] = {}
        self.rejects: list[Reject] = []
        self._stack = ExitStack()
        self._writer: ReleaseWriter | None = None

    def __enter__(self) -> Run:
        self._stack.enter_context(output_lock(self.out))
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._writer is not None:
                self._writer.close()
                shutil.rmtree(self._writer.staging, ignore_errors=True)
        finally:
            self._stack.close()

    def plan(self, collected: Collected) -> Outcome | None:
        """Decide whether to publish; returns the outcome when there is nothing to do."""
        self.collected = collected
        self.fingerprint = input_fingerprint(collected)
        latest = read_catalog(self.out)
        current = next((r for r in latest.releases if r.id == latest.latest), None)
        if current is not None and current.fingerprint == self.fingerprint:
            return Outcome(
                False,
                f"input unchanged since release {current.id}: nothing new to publish",
                release_id=current.id,
                release_path=str(self.out / current.path),
                rows={name: d.rows for name, d in current.datasets.items()},
                documents=len(collected.raws),
            )
        if not collected.raws:
            return Outcome(False, "found no readable input: nothing to publish", rejects=collected.rejects)
        self.release_id = release_id_for(self.created_at, self.fingerprint)
        staging = self.out / ".staging" / self.release_id
        if staging.exists():
            shutil.rmtree(staging)
        self._writer = ReleaseWriter(staging).__enter__()
        self.add(Batch(rejects=list(collected.rejects)))
        return None

    def add(self, batch: Batch) -> None:
        """Write one processed batch into the staged release."""
        if self._writer is None:
            raise BroadsheetError("Run.add called before Run.plan")
        rows = batch.rows()
        self._writer.write(rows)
        for name, records in rows.items():
            self.rows[name] = self.rows.get(name, 0) + len(records)
        self.rejects += batch.rejects

    def finish(self) -> Outcome:
        """Publish the staged release and replace the catalog, unless no document was accepted."""
        if self._writer is None:
            raise BroadsheetError("Run.finish called before Run.plan")
        self._writer.close()
        documents = self.rows.get("documents", 0)
        if documents == 0:
            return Outcome(
                False,
                f"all {len(self.collected.raws)} inputs were rejected: nothing to publish "
                "(the reasons follow; fix the inputs and run again)",
                rejects=self.rejects,
            )
        notes = self._notes()
        release = publish_release(
            self.out,
            self._writer,
            release_id=self.release_id,
            created_at=self.created_at,
            fingerprint=self.fingerprint,
            sources=self.collected.sources,
            notes=notes,
            keep=self.keep,
        )
        self._writer = None
        with contextlib.suppress(OSError):
            (self.out / ".staging").rmdir()
        return Outcome(
            True,
            f"published release {release.id}",
            release_id=release.id,
            release_path=str(self.out / release.path),
            rows={name: d.rows for name, d in release.datasets.items()},
            documents=documents,
            rejects=self.rejects,
        )

    def _notes(self) -> str:
        catalog = read_catalog(self.out)
        previous = next((r for r in catalog.releases if r.id == catalog.latest), None)
        counts = ", ".join(f"{self.rows.get(n, 0):,} {n}" for n in ("documents", "articles", "positions",
                                                                    "comments", "rejects"))
        if previous is None:
            return f"First release: {counts}."
        changes = []
        for name, entry in previous.datasets.items():
            delta = self.rows.get(name, 0) - entry.rows
            if delta:
                changes.append(f"{name} {delta:+,}")
        since = f"since {previous.id}: " + (", ".join(changes) if changes else "same counts, new content")
        return f"{counts}; {since}."


def run_once(
    raw: Path,
    out: Path,
    *,
    limits: Limits = Limits(),
    keep: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    collected: Collected | None = None,
    sources: Iterable[Source] | None = None,
) -> Outcome:
    """Publish `raw` (or the given `sources`) into `out` without Prefect: ingest, plan, process in
    batches, publish."""
    if collected is None:
        collected = (
            collect_sources(sources, out=out, limits=limits) if sources is not None
            else collect_files(raw, limits=limits)
        )
    with Run(out, keep=keep) as run:
        done = run.plan(collected)
        if done is not None:
            return done
        for batch in batched(collected.raws, batch_size):
            run.add(process_batch(batch, limits))
        return run.finish()

