"""One publishing run, stage by stage: plain Python that the Prefect flow drives.

    ingest ──► plan ──► process (batches of new or changed inputs) ──► publish ──► catalog
                └──► carry forward (unchanged inputs, from the previous release) ──┘

`Run` holds the state between the stages: the output lock, the staging writer and
the counts for the summary. The flow in `flows.orchestrate.flow` calls its methods from thin
tasks; `run_once` calls them directly (tests, benchmarks, and `broadsheet run
--no-prefect`). `Run.plan` decides what to parse (`Run.pending`); see
`flows.release.incremental`.

Memory does not grow with the corpus: ingesting keeps a small `DocumentRef` per
document (`Collected.refs`, see `flows.pipeline.inputs`), the bytes of a batch are read again
when it is parsed (`flows.pipeline.parallel`), and each parsed batch is appended to the
staged release's files as it arrives.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from flows.errors import BroadsheetError, ConfigError, PublishError
from flows.ingest.sources import Source
from flows.pipeline.collect import Collected, collect_files, collect_sources, state_root
from flows.pipeline.document import Batch, EncodedBatch
from flows.pipeline.inputs import DocumentRef, hints_digest
from flows.pipeline.parallel import Submit, batch_size_for, default_workers, local_parser, parse_in_order
from flows.pipeline.progress import report
from flows.release.catalog import read_catalog
from flows.release.incremental import carry_forward, plan_inputs, previous_inputs
from flows.release.publish import STAGING, ReleaseWriter, clear_leftovers, publish_release, release_id_for
from flows.release.storage import OutputLock, Storage, storage_for
from flows.settings import DEFAULT_LIMITS, Limits
from flows.version import pipeline_fingerprint
from schemas import DATASETS, Reject
from schemas.catalog import CatalogRelease, ReleaseChanges

__all__ = [
    "Outcome",
    "Run",
    "batched",
    "input_fingerprint",
    "parse_workers",
    "release_notes",
    "run_once",
]

DEFAULT_BATCH_SIZE = 200
_T = TypeVar("_T")


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
    #: Inputs parsed by this run, and documents whose records were carried forward.
    parsed: int = 0
    carried: int = 0

    def summary(self) -> dict[str, Any]:
        """The outcome as plain data (the flow's return value, the command line's summary)."""
        return {
            "published": self.published,
            "message": self.message,
            "release_id": self.release_id,
            "release_path": self.release_path,
            "rows": self.rows,
            "documents": self.documents,
            "parsed": self.parsed,
            "carried": self.carried,
            "rejects": [r.model_dump(mode="json") for r in self.rejects],
        }


@contextlib.contextmanager
def publishing_errors(where: str) -> Iterator[None]:
    """Turn an operating-system error while writing a release into a `PublishError` that says what
    happened and that the previous release is untouched (the staging area is cleared on exit)."""
    try:
        yield
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            what = "the disk is full: free some space (or publish elsewhere with --out)"
        elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            what = f"permission denied ({exc.filename or where}): make the output folder writable"
        else:
            what = f"writing failed ({exc.strerror or exc})"
        raise PublishError(f"{what}; the previous release and catalog are untouched", uri=where) from exc


def batched(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    """`items` in batches of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def input_fingerprint(collected: Collected) -> str:
    """Hash of what the run would publish: inputs (source, uri, bytes, hints), rejects, pipeline version."""
    digest = hashlib.sha256(pipeline_fingerprint().encode())
    lines = sorted(f"{r.source}\t{r.uri}\t{r.document_id}{hints_digest(r.hints)}" for r in collected.refs)
    for line in lines:
        digest.update(line.encode("utf-8") + b"\n")
    del lines
    for line in sorted(f"{r.source}\t{r.uri}\t{r.error}" for r in collected.rejects):
        digest.update(b"reject\t" + line.encode("utf-8") + b"\n")
    return digest.hexdigest()


class Run:
    """One publishing run into `out`. Use as a context manager around `plan`, `add` and `finish`.

    Args:
        out: the output location: a folder, or an `s3://bucket/prefix` URL.
        keep: after publishing, keep only this many newest releases.
        now: the time of the run (default: now).
        wait: seconds to wait for another run that holds the output's lock.
        full: parse every input, carrying nothing forward from the previous release.
    """

    def __init__(self, out: Path | str | Storage, *, keep: int | None = None, now: datetime | None = None,
                 wait: float = 0.0, full: bool = False) -> None:
        if keep is not None and keep < 1:
            raise ConfigError(f"--keep {keep}: keep at least 1 release")
        self.storage = storage_for(out)
        self.keep = keep
        self.wait = wait
        self.full = full
        self.created_at = now or datetime.now(UTC)  # microseconds order releases made within one second
        self.collected = Collected()
        self.fingerprint = ""
        self.release_id = ""
        self.rows: dict[str, int] = {}
        self.rejects: list[Reject] = []
        #: The inputs this run must parse (the others are carried forward); set by `plan`.
        self.pending: list[DocumentRef] = []
        self.changes: ReleaseChanges | None = None
        self._carried = 0
        self._previous: CatalogRelease | None = None
        self._stack = ExitStack()
        self._writer: ReleaseWriter | None = None
        self._lock: OutputLock | None = None

    def __enter__(self) -> Run:
        self._lock = self._stack.enter_context(self.storage.lock(self.wait))
        try:
            clear_leftovers(self.storage)
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._writer is not None:
                self._writer.close()
                self.storage.remove_tree(self._writer.staging)
        finally:
            self._stack.close()

    def _where(self, release: CatalogRelease) -> str:
        return f"{self.storage.url.rstrip('/')}/{release.path}"

    def plan(self, collected: Collected) -> Outcome | None:
        """Decide what to publish; returns the outcome when there is nothing to do.

        Otherwise opens the staged release, writes the ingest rejects and the records
        carried forward from the previous release, and sets `pending` to the inputs
        that must be parsed (all of them with `full`, or when the pipeline changed).
        """
        self.collected = collected
        self.fingerprint = input_fingerprint(collected)
        latest = read_catalog(self.storage)
        current = next((r for r in latest.releases if r.id == latest.latest), None)
        if current is not None and current.fingerprint == self.fingerprint:
            return Outcome(
                False,
                f"input unchanged since release {current.id}: nothing new to publish",
                release_id=current.id,
                release_path=self._where(current),
                rows={name: d.rows for name, d in current.datasets.items()},
                documents=len(collected.refs),
            )
        if not collected.refs:
            return Outcome(False, "found no readable input: nothing to publish", rejects=collected.rejects)
        self._previous = current
        reparse = None
        if self.full:
            reparse = "asked to parse every input (--full)"
        elif current is not None and current.pipeline_fingerprint != pipeline_fingerprint():
            reparse = f"the pipeline changed since {current.pipeline_version or 'that release'}"
        previous = previous_inputs(self.storage, current) if current is not None else None
        plan = plan_inputs(collected.refs, previous, previous_id=current.id if current else None,
                           reparse=reparse)
        self.pending = plan.parse
        self.changes = plan.changes
        self.release_id = release_id_for(self.created_at, self.fingerprint)
        staging = f"{STAGING}/{self.release_id}"
        self.storage.remove_tree(staging)
        self._writer = ReleaseWriter(self.storage, staging).__enter__()
        self.add(Batch(rejects=list(collected.rejects)))
        if current is not None and plan.carry:
            for name, rows in carry_forward(self.storage, current, plan.carry, self._writer).items():
                self.rows[name] = self.rows.get(name, 0) + rows
        self._carried = len(plan.carry)
        return None

    def add(self, batch: Batch | EncodedBatch) -> None:
        """Write one processed batch into the staged release."""
        if self._writer is None:
            raise BroadsheetError("Run.add called before Run.plan")
        encoded = batch if isinstance(batch, EncodedBatch) else EncodedBatch.of(batch)
        with publishing_errors(self.storage.url):
            self._writer.write_encoded(encoded.datasets)
        for name, rows in encoded.rows().items():
            self.rows[name] = self.rows.get(name, 0) + rows
        self.rejects += encoded.rejects

    def parse(self, submit: Submit, *, batch_size: int = DEFAULT_BATCH_SIZE, workers: int = 1) -> None:
        """Parse the pending inputs in batches through `submit` (which runs them on `workers`
        workers) and write each batch as it comes back, in input order, with twice as many batches
        in flight as there are workers (see `flows.pipeline.parallel`); reports progress."""
        done = 0
        size = batch_size_for(len(self.pending), batch_size, workers)
        in_flight = 2 * workers if workers > 1 else 1
        for count, batch in parse_in_order(self.pending, submit, batch_size=size, in_flight=in_flight):
            self.add(batch)
            done += count
            report("parse", done, len(self.pending))

    def finish(self) -> Outcome:
        """Publish the staged release and replace the catalog, unless no document was accepted."""
        if self._writer is None:
            raise BroadsheetError("Run.finish called before Run.plan")
        with publishing_errors(self.storage.url):
            self._writer.close()
        documents = self.rows.get("documents", 0)
        if documents == 0:
            return Outcome(
                False,
                f"all {len(self.collected.refs)} inputs were rejected: nothing to publish "
                "(the reasons follow; fix the inputs and run again)",
                rejects=self.rejects,
            )
        changes = self._changes()
        with publishing_errors(self.storage.url):
            release = self._publish(changes)
        self._writer = None
        return Outcome(
            True,
            f"published release {release.id}",
            release_id=release.id,
            release_path=self._where(release),
            rows={name: d.rows for name, d in release.datasets.items()},
            documents=documents,
            rejects=self.rejects,
            parsed=len(self.pending),
            carried=self._carried,
        )

    def _publish(self, changes: ReleaseChanges | None) -> CatalogRelease:
        assert self._writer is not None
        return publish_release(
            self.storage,
            self._writer,
            release_id=self.release_id,
            created_at=self.created_at,
            fingerprint=self.fingerprint,
            sources=self.collected.sources,
            notes=release_notes(self.rows, changes),
            changes=changes,
            keep=self.keep,
            lock=self._lock,
        )

    def _changes(self) -> ReleaseChanges | None:
        if self.changes is None:
            return None
        previous = self._previous
        if previous is None:
            return self.changes
        # (datasets derived at publish time are not counted here: publishing adds their change)
        names = [n for n in dict.fromkeys([*self.rows, *previous.datasets])
                 if not (n in DATASETS and DATASETS[n].derived)]
        before = {name: entry.rows for name, entry in previous.datasets.items()}
        rows = {name: self.rows.get(name, 0) - before.get(name, 0) for name in names}
        return self.changes.model_copy(update={"rows": rows})


def release_notes(rows: dict[str, int], changes: ReleaseChanges | None) -> str:
    """What a release holds and what changed since the previous one, in a sentence or two."""
    counts = ", ".join(f"{rows.get(n, 0):,} {n}" for n in ("documents", "articles", "positions", "comments",
                                                           "rejects"))
    if changes is None or changes.previous is None:
        return f"First release: {counts}."
    inputs = (f"{changes.documents_added:,} documents added, {changes.documents_changed:,} changed, "
              f"{changes.documents_removed:,} removed, {changes.documents_unchanged:,} unchanged")
    deltas = ", ".join(f"{name} {delta:+,}" for name, delta in changes.rows.items() if delta)
    deltas = deltas or "same row counts"
    parsed = (f"every input parsed again ({changes.reparsed})" if changes.reparsed
              else f"{changes.documents_parsed:,} inputs parsed, the rest carried forward")
    return f"{counts}. Since {changes.previous}: {inputs}; rows: {deltas}; {parsed}."


def run_once(
    raw: Path,
    out: Path | str | Storage,
    *,
    limits: Limits = DEFAULT_LIMITS,
    keep: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    collected: Collected | None = None,
    wait: float = 0.0,
    full: bool = False,
    sources: Iterable[Source] | None = None,
    workers: int | None = None,
) -> Outcome:
    """Publish `raw` (or the given `sources`) into `out` without Prefect: ingest, plan, parse in
    batches (in `workers` processes; default one per core, 1 for this process alone), publish.

    `out` is a folder or an `s3://bucket/prefix` URL; see `Run` for the other options.
    """
    ours = collected is None
    if collected is None:
        collected = (
            collect_sources(sources, out=state_root(out), limits=limits) if sources is not None
            else collect_files(raw, limits=limits)
        )
    try:
        with Run(out, keep=keep, wait=wait, full=full) as run:
            done = run.plan(collected)
            if done is not None:
                return done
            processes = parse_workers(workers, len(run.pending), batch_size)
            with local_parser(processes, limits) as submit:
                run.parse(submit, batch_size=batch_size, workers=processes)
            return run.finish()
    finally:
        if ours:
            collected.close()


def parse_workers(workers: int | None, pending: int, batch_size: int) -> int:
    """How many parse processes a run of `pending` inputs starts: `workers` (default: one per
    core), but no more than there are batches (a single batch is parsed in this process)."""
    wanted = default_workers() if workers is None else workers
    if wanted < 1:
        raise ConfigError(f"--workers {wanted}: parse with at least 1 worker (1: in this process)")
    batches = -(-pending // max(1, batch_size))
    return max(1, min(wanted, batches))
