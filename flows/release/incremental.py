"""Incremental publishing: parse only new or changed inputs, carry the others forward.

The state is the previous release itself. Its `documents` dataset says which input
(source and URI) had which bytes (`document_id`, the SHA-256 of the bytes); an input
whose bytes are the same, published by the same pipeline (`pipeline_fingerprint`),
is not parsed again: its records in `documents`, `articles`, `positions` and
`comments` are copied into the new release as they were, Parquet row groups and
JSON lines alike, so their ids do not change. Inputs no longer present are dropped.
The previous release is read batch by batch, never whole.

    plan_inputs ──► parse (new, changed) ──┐
         └──────► carry_forward (unchanged) ┴──► the new release
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Generic, Protocol, TypeVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from flows.errors import PublishError
from flows.release.storage import Storage
from schemas.catalog import CatalogRelease, ReleaseChanges

if TYPE_CHECKING:  # (flows.release.publish reads the inputs of releases through this module)
    from flows.release.publish import ReleaseWriter

__all__ = [
    "CARRIED_DATASETS",
    "Input",
    "InputPlan",
    "PreviousInputs",
    "carry_forward",
    "iter_lines",
    "plan_inputs",
    "previous_inputs",
    "read_inputs",
]

#: The datasets whose records belong to one document (they have a `document_id`) and are carried forward.
CARRIED_DATASETS = ("documents", "articles", "positions", "comments")
_BATCH_ROWS = 2_048
_CHUNK = 1 << 20


@dataclass(slots=True)
class PreviousInputs:
    """What the previous release was made from."""

    #: (source, uri) -> document_id of every input it read, published or rejected.
    inputs: dict[tuple[str, str], str] = field(default_factory=dict)
    #: The documents it published (their records can be carried forward).
    published: set[str] = field(default_factory=set)


class Input(Protocol):
    """What planning needs of an input (a `RawDocument`, or a `DocumentRef` without the bytes)."""

    @property
    def source(self) -> str: ...

    @property
    def uri(self) -> str: ...

    @property
    def document_id(self) -> str: ...


_I = TypeVar("_I", bound=Input)


@dataclass(slots=True)
class InputPlan(Generic[_I]):
    """Which inputs to parse and which documents to carry forward, and what changed."""

    parse: list[_I]
    carry: set[str]
    changes: ReleaseChanges


def iter_lines(handle: IO[bytes]) -> Iterator[bytes]:
    """The lines of a stream, each with its newline, read in chunks of a megabyte."""
    rest = b""
    while chunk := handle.read(_CHUNK):
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        for line in lines:
            yield line + b"\n"
    if rest:
        yield rest


def previous_inputs(storage: Storage, release: CatalogRelease) -> PreviousInputs:
    """The inputs of `release`: its documents (three columns, batch by batch) and its rejects."""
    return read_inputs(storage, release.path, rejects="rejects" in release.datasets)


def read_inputs(storage: Storage, prefix: str, *, rejects: bool = True) -> PreviousInputs:
    """The inputs of the release whose files are under `prefix` (published or staged): its
    documents and, with `rejects`, the inputs it rejected after reading their bytes."""
    found = PreviousInputs()
    with storage.open_arrow(f"{prefix}/documents.parquet") as handle:
        parquet = pq.ParquetFile(handle)
        for batch in parquet.iter_batches(
            batch_size=_BATCH_ROWS * 8, columns=["source", "uri", "document_id"]
        ):
            for source, uri, document_id in zip(
                *(batch.column(i).to_pylist() for i in range(3)), strict=True
            ):
                found.inputs[(source, uri)] = document_id
                found.published.add(document_id)
    if rejects and storage.size(f"{prefix}/rejects.jsonl") is not None:
        with storage.open_reader(f"{prefix}/rejects.jsonl") as handle:
            for line in iter_lines(handle):
                reject = json.loads(line)
                if reject.get("document_id"):
                    found.inputs.setdefault((reject["source"], reject["uri"]), reject["document_id"])
    return found


def plan_inputs(
    raws: Iterable[_I],
    previous: PreviousInputs | None,
    *,
    previous_id: str | None = None,
    reparse: str | None = None,
) -> InputPlan[_I]:
    """Split `raws` into inputs to parse and documents to carry forward from the previous release.

    Args:
        raws: the inputs of this run.
        previous: what the previous release was made from (None: there is none).
        previous_id: the previous release's id, for the notes.
        reparse: why nothing may be carried forward (e.g. the pipeline changed), if so.
    """
    known = previous.inputs if previous else {}
    carryable = previous.published if previous and reparse is None else set()
    parse: list[_I] = []
    carry: set[str] = set()
    added = changed = unchanged = 0
    seen: set[tuple[str, str]] = set()
    for raw in raws:
        key = (raw.source, raw.uri)
        seen.add(key)
        old = known.get(key)
        if old is None:
            added += 1
        elif old != raw.document_id:
            changed += 1
        else:
            unchanged += 1
        if old == raw.document_id and raw.document_id in carryable and raw.document_id not in carry:
            carry.add(raw.document_id)
        else:
            parse.append(raw)
    changes = ReleaseChanges(
        previous=previous_id,
        documents_added=added,
        documents_changed=changed,
        documents_removed=len(set(known) - seen),
        documents_unchanged=unchanged,
        documents_parsed=len(parse),
        reparsed=reparse if previous is not None else None,
    )
    return InputPlan(parse, carry, changes)


def carry_forward(
    storage: Storage, release: CatalogRelease, document_ids: set[str], writer: ReleaseWriter
) -> dict[str, int]:
    """Copy the records of `document_ids` from `release` into `writer`, dataset by dataset.

    The Parquet rows and the JSON lines are copied as they are (no re-encoding), in
    step: row i of a Parquet file is line i of its JSON Lines file. The JSON Lines
    file is checked against its SHA-256 in the catalog as it is read.

    Returns:
        The rows carried forward, per dataset.

    Raises:
        PublishError: a file of the previous release is not what the catalog says.
    """
    wanted = pa.array(sorted(document_ids), pa.string())
    carried: dict[str, int] = {}
    for name in CARRIED_DATASETS:
        entry = release.datasets.get(name)
        if entry is None:
            continue
        jsonl = next(f for f in entry.files if f.format == "jsonl")
        digest = hashlib.sha256()
        before = writer.datasets[name].rows
        with (
            storage.open_arrow(f"{release.path}/{name}.parquet") as parquet_handle,
            storage.open_reader(jsonl.path) as jsonl_handle,
        ):
            lines = iter_lines(jsonl_handle)
            for batch in pq.ParquetFile(parquet_handle).iter_batches(batch_size=_BATCH_ROWS):
                ids = batch.column("document_id")
                mask = pc.is_in(ids, value_set=wanted)
                kept: list[bytes] = []
                for keep, document_id in zip(mask.to_pylist(), ids.to_pylist(), strict=True):
                    line = next(lines, b"")
                    digest.update(line)
                    if keep:
                        if f'"document_id":"{document_id}"'.encode() not in line:
                            raise _mismatch(
                                storage, jsonl.path, "its lines are not in step with the Parquet rows"
                            )
                        kept.append(line)
                writer.carry(name, batch.filter(mask), kept)
            for line in lines:
                digest.update(line)
        if digest.hexdigest() != jsonl.sha256:
            raise _mismatch(storage, jsonl.path, "its SHA-256 differs from the catalog's")
        carried[name] = writer.datasets[name].rows - before
    return carried


def _mismatch(storage: Storage, path: str, why: str) -> PublishError:
    return PublishError(
        f"cannot carry records forward from {path}: {why}; run with --full to parse every input again",
        uri=storage.url,
    )
