"""Parsing in parallel: batches of documents parsed in worker processes, published in order.

    refs ─► batch ─► read its bytes ─► submit ─► worker: decode, layout, extract, validate, encode
                     (here)             │                                                 │
                                        └─ at most `in_flight` batches at a time ◄────────┘
                                           results written in input order

Layout and extraction are pure Python and CPU-bound, so they run in processes, not
threads: `local_parser` starts a `ProcessPoolExecutor` with one process per core
(`--workers N`; `--workers 1` parses in this process). `parse_in_order` reads the
bytes of one batch at a time, keeps a bounded number of batches in flight and hands
back their results in input order as they complete, so that the release is written
while the corpus is parsed and memory stays flat however many documents there are.
The same driver submits batches to other executors (the Prefect flow's Dask task
runner): anything that takes a list of documents and returns something with a
`result()`.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Protocol

from flows.errors import ParseError
from flows.ingest.base import RawDocument
from flows.pipeline.document import Batch, EncodedBatch, process_encoded, reject_for
from flows.pipeline.inputs import DocumentRef, load_documents
from flows.settings import Limits

__all__ = ["Pending", "Submit", "batch_size_for", "default_workers", "local_parser", "parse_in_order"]


_PR_SET_PDEATHSIG = 1


class Pending(Protocol):
    """A batch being parsed somewhere: `result()` waits for it."""

    def result(self) -> EncodedBatch:
        """The parsed, encoded batch (raises what the parsing raised)."""
        ...


#: Starts parsing a batch of documents; the batch's result comes from the returned `Pending`.
Submit = Callable[[list[RawDocument]], Pending]


def default_workers() -> int:
    """How many parse processes to start by default: one per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class _Done:
    value: EncodedBatch

    def result(self) -> EncodedBatch:
        return self.value


def batch_size_for(pending: int, batch_size: int, workers: int) -> int:
    """Documents per batch: `batch_size`, but smaller when there are fewer than four batches per
    worker, so that no worker idles while another parses the last big batch."""
    if workers <= 1:
        return max(1, batch_size)
    return max(1, min(batch_size, -(-pending // (4 * workers))))


def _end_with_parent(parent: int) -> None:
    """Have the kernel kill this worker when the process that started it (`parent`) ends (Linux),
    so that a run killed with SIGKILL leaves no workers behind."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended while this worker was starting
        os._exit(1)


@contextlib.contextmanager
def local_parser(workers: int, limits: Limits) -> Iterator[Submit]:
    """A way to parse batches on this machine: in `workers` processes, or in this one.

    The processes are new interpreters (`spawn`), not forks: they inherit no threads or locks
    from this process (Prefect's, pyarrow's). Each imports the parser once (under a second) and
    then parses batch after batch; they end when the context exits, or with this process when
    it is killed.

    Args:
        workers: how many processes (1: parse in this process, one batch at a time).
        limits: the bounds on one document.
    """
    if workers <= 1:
        yield lambda raws: _Done(process_encoded(raws, limits))
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_end_with_parent,
                             initargs=(os.getpid(),)) as pool:
        yield lambda raws: pool.submit(process_encoded, raws, limits)


def _batches(refs: Sequence[DocumentRef], size: int) -> Iterator[Sequence[DocumentRef]]:
    for start in range(0, len(refs), max(1, size)):
        yield refs[start : start + size]


def _finish(pending: Pending | None, uri: str) -> EncodedBatch:
    if pending is None:
        return EncodedBatch()
    try:
        return pending.result()
    except BrokenProcessPool as exc:
        raise ParseError(
            f"a parse worker process died ({exc}), perhaps out of memory: run again with fewer "
            "--workers or a smaller --batch-size; the previous release is untouched",
            uri=uri,
        ) from exc


def parse_in_order(
    refs: Sequence[DocumentRef], submit: Submit, *, batch_size: int, in_flight: int
) -> Iterator[tuple[int, EncodedBatch]]:
    """Parse `refs` in batches through `submit`; yields `(inputs, batch)` in input order.

    The bytes of each batch are read here just before it is submitted; documents whose bytes
    cannot be read back become rejects (yielded as a batch of their own, just before the batch's
    result, so that the release is the same whatever runs the batches). At most `in_flight`
    batches are submitted and not yet yielded.

    Args:
        refs: the inputs to parse.
        submit: starts parsing one batch (see `local_parser`).
        batch_size: documents per batch.
        in_flight: most batches submitted at once (at least 1).

    Yields:
        How many of `refs` the batch covers, and the parsed batch.

    Raises:
        ParseError: a worker process died.
    """
    queue: deque[tuple[Sequence[DocumentRef], EncodedBatch | None, Pending | None]] = deque()

    def finish() -> Iterator[tuple[int, EncodedBatch]]:
        chunk, unread, pending = queue.popleft()
        if unread is not None:
            yield 0, unread
        yield len(chunk), _finish(pending, chunk[0].uri)

    for chunk in _batches(refs, batch_size):
        raws, failed = load_documents(chunk)
        unread = None
        if failed:
            unread = EncodedBatch.of(Batch(rejects=[
                reject_for(error, source=ref.source, uri=ref.uri, document_id=ref.document_id)
                for ref, error in failed
            ]))
        queue.append((chunk, unread, submit(raws) if raws else None))
        while len(queue) >= max(1, in_flight):
            yield from finish()
    while queue:
        yield from finish()
