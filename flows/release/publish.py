"""Publish stage: write a release (Parquet + JSON Lines), its datapackage.json, card and page.

    stage files ──► seal ────────────────► promote ──► catalog ──► retain ──► index of releases
    .staging/<id>/   actors, changes.json,  releases/<id>/ catalog.json  drop releases  <out>/index.html
    (batch by batch) index.html, datapackage (rename/copy)  (atomic)      past --keep    (atomic)
                     .json, README.md

A release is written into a staging folder (`<out>/.staging/<id>/`) batch by batch:
each batch of records becomes a Parquet row group and a run of JSON lines, so the
corpus is never held in memory; sizes and SHA-256 are computed as the bytes are
written. When every file is closed, the staged Parquet files are read back column by
column for what is derived from them (the actors dataset, the release page's facts,
and the diff against the previous release: `flows.release.actors`, `flows.release.facts`,
`flows.release.diff`); then the descriptor, card and page are written, the folder
is moved into `<out>/releases/<id>/`, and only then is the catalog replaced; older
releases beyond `keep` are removed after that, and the index of releases at the root
is rewritten (a stale one is only a page: the catalog is what readers follow). A crash or kill at any point leaves
the previous release and catalog as they were: the catalog names only complete
releases, and the next run clears what a killed run left behind (`clear_leftovers`).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pyarrow as pa
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from flows.errors import CatalogError, PublishError
from flows.faults import fault_point
from flows.release.card import render_card
from flows.release.catalog import RELEASES, add_release, read_catalog, write_catalog
from flows.release.diff import ReleaseFiles, diff_releases
from flows.release.facts import ReleaseFacts, article_titles, gather_facts
from flows.release.page import PAGE, ReleasePage, render_release_page, render_releases_index
from flows.release.storage import HashingWriter, OutputLock, Storage
from flows.version import pipeline_fingerprint, pipeline_version
from schemas import CONTRACT_VERSION, DATASETS, Actor, Record, arrow_schema, table_schema
from schemas.catalog import (
    Catalog,
    CatalogFile,
    CatalogRelease,
    DatasetEntry,
    FileFormat,
    ReleaseChanges,
    ReleaseDiff,
)

__all__ = [
    "DATAPACKAGE_PROFILE",
    "MEDIA_TYPES",
    "STAGING",
    "EncodedRows",
    "ReleaseWriter",
    "changes_bytes",
    "clear_leftovers",
    "datapackage",
    "encode_rows",
    "publish_release",
    "release_id_for",
    "write_releases_index",
]

JSONL_ONLY = frozenset({"rejects"})
#: Media types of the published files, by format.
MEDIA_TYPES = {
    "parquet": "application/vnd.apache.parquet",
    "jsonl": "application/jsonl",
    "json": "application/json",
    "markdown": "text/markdown",
    "html": "text/html",
}
#: What changed since the previous release, record by record (contract v2), in each release folder.
CHANGES = "changes.json"
_ACTOR_BATCH = 10_000
DATAPACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
#: The folder (under the output) where releases are written before they are published.
STAGING = ".staging"


def release_id_for(created_at: datetime, fingerprint: str) -> str:
    """Release ids sort by time and name their inputs: `20260127T101500Z-1a2b3c4d`."""
    return f"{created_at.astimezone(UTC):%Y%m%dT%H%M%SZ}-{fingerprint[:8]}"


@cache
def _schema(name: str) -> pa.Schema:
    return arrow_schema(name)


@dataclass(frozen=True, slots=True)
class EncodedRows:
    """A batch of records of one dataset, encoded as they are published: JSON lines, and an Arrow
    table for the Parquet file (None for datasets published as JSON Lines only).

    Encoding is most of the cost of writing a release, and it needs no file: it runs where the
    records are made (in the parse workers), and the writer only appends the results.
    """

    rows: int
    jsonl: bytes
    table: pa.Table | None


def _table(name: str, records: list[Record], jsonl: bytes) -> pa.Table:
    """The Arrow table of `records`, read from their JSON lines by Arrow's JSON reader: four times
    faster than building it from Python dicts, with the same values (the same Parquet bytes)."""
    schema = _schema(name)
    try:
        table = pa_json.read_json(
            io.BytesIO(jsonl),
            read_options=pa_json.ReadOptions(block_size=len(jsonl) + 1, use_threads=False),
            parse_options=pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error"),
        )
        return table.cast(schema)  # (the reader makes every field nullable)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return pa.Table.from_pylist([r.model_dump() for r in records], schema=schema)


def encode_rows(rows: dict[str, list[Record]]) -> dict[str, EncodedRows]:
    """Records by dataset name, encoded for `ReleaseWriter.write_encoded` (empty datasets left out)."""
    encoded = {}
    for name, records in rows.items():
        if not records:
            continue
        jsonl = b"".join(r.model_dump_json().encode("utf-8") + b"\n" for r in records)
        table = None if name in JSONL_ONLY else _table(name, records, jsonl)
        encoded[name] = EncodedRows(len(records), jsonl, table)
    return encoded


@dataclass(slots=True)
class _Dataset:
    name: str
    schema: pa.Schema
    jsonl: HashingWriter
    parquet_sink: HashingWriter | None
    parquet: pq.ParquetWriter | None
    rows: int = 0


@dataclass(slots=True)
class ReleaseWriter:
    """Streams batches of records into the files of one release in a staging folder.

    Use as a context manager; `write` (parsed records) and `carry` (records carried
    forward from the previous release) as many batches as there are, then `close`.

    Attributes:
        storage: the output location.
        staging: the staging folder, relative to the output (`.staging/<id>`).
    """

    storage: Storage
    staging: str
    datasets: dict[str, _Dataset] = field(default_factory=dict)
    closed: bool = False

    def __enter__(self) -> ReleaseWriter:
        for name, model in DATASETS.items():
            if not model.derived:
                self._open(name)
        return self

    def _open(self, name: str) -> _Dataset:
        schema = arrow_schema(name)
        parquet = sink = None
        if name not in JSONL_ONLY:
            sink = HashingWriter(self.storage.open_writer(f"{self.staging}/{name}.parquet"))
            parquet = pq.ParquetWriter(sink, schema, compression="zstd", write_statistics=True)
        jsonl = HashingWriter(self.storage.open_writer(f"{self.staging}/{name}.jsonl"))
        self.datasets[name] = dataset = _Dataset(name, schema, jsonl, sink, parquet)
        return dataset

    def write_derived(self, name: str, records: list[Record]) -> None:
        """Write a dataset computed from the others once they are closed (`Record.derived`): its
        Parquet and JSON Lines files, in batches, closed at once."""
        dataset = self._open(name)
        try:
            for start in range(0, len(records), _ACTOR_BATCH):
                part = encode_rows({name: records[start : start + _ACTOR_BATCH]}).get(name)
                if part is None:
                    continue
                dataset.jsonl.write(part.jsonl)
                if dataset.parquet is not None and part.table is not None:
                    dataset.parquet.write_table(part.table)
                dataset.rows += part.rows
        finally:
            dataset.jsonl.close()
            if dataset.parquet is not None and dataset.parquet_sink is not None:
                dataset.parquet.close()
                dataset.parquet_sink.close()

    def write(self, rows: dict[str, list[Record]]) -> None:
        """Append one batch: `rows` maps dataset names to records."""
        self.write_encoded(encode_rows(rows))

    def write_encoded(self, encoded: dict[str, EncodedRows]) -> None:
        """Append one batch encoded by `encode_rows`: a run of JSON lines and a Parquet row group
        per dataset."""
        for name, part in encoded.items():
            dataset = self.datasets[name]
            dataset.jsonl.write(part.jsonl)
            if dataset.parquet is not None and part.table is not None:
                dataset.parquet.write_table(part.table)
            dataset.rows += part.rows
        fault_point("after-batch")

    def carry(self, name: str, batch: pa.RecordBatch, lines: list[bytes]) -> None:
        """Append records of the previous release as they were: Parquet rows and their JSON lines.

        Raises:
            PublishError: the two forms of the records disagree in number.
        """
        dataset = self.datasets[name]
        if batch.num_rows != len(lines):
            raise PublishError(
                f"the previous release's {name}.parquet and {name}.jsonl disagree ({batch.num_rows} rows "
                f"against {len(lines)} lines): run with --full to parse every input again",
                uri=self.storage.url,
            )
        if not lines:
            return
        dataset.jsonl.write(b"".join(lines))
        if dataset.parquet is not None:
            dataset.parquet.write_batch(
                batch.cast(dataset.schema) if batch.schema != dataset.schema else batch
            )
        dataset.rows += len(lines)

    def close(self) -> None:
        """Close every file (idempotent)."""
        if self.closed:
            return
        self.closed = True
        for dataset in self.datasets.values():
            dataset.jsonl.close()
            if dataset.parquet is not None and dataset.parquet_sink is not None:
                dataset.parquet.close()
                dataset.parquet_sink.close()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def files(self, prefix: str) -> dict[str, DatasetEntry]:
        """Rows and files (with size and SHA-256) of each dataset; paths start with `prefix`."""
        entries = {}
        order = list(DATASETS)
        for name, dataset in sorted(self.datasets.items(), key=lambda item: order.index(item[0])):
            files = []
            sinks: list[tuple[FileFormat, HashingWriter]] = [("jsonl", dataset.jsonl)]
            if dataset.parquet_sink is not None:
                sinks.insert(0, ("parquet", dataset.parquet_sink))
            for fmt, sink in sinks:
                files.append(
                    CatalogFile(
                        path=f"{prefix}/{name}.{fmt}",
                        format=fmt,
                        bytes=sink.bytes,
                        sha256=sink.sha256,
                    )
                )
            entries[name] = DatasetEntry(rows=dataset.rows, files=files)
        return entries

    def add_file(self, name: str, data: bytes, fmt: FileFormat, prefix: str) -> CatalogFile:
        """Write one more file (the descriptor, the card) into the staging folder."""
        sink = HashingWriter(self.storage.open_writer(f"{self.staging}/{name}"))
        with sink:
            sink.write(data)
        return CatalogFile(
            path=f"{prefix}/{name}",
            format=fmt,
            bytes=sink.bytes,
            sha256=sink.sha256,
        )


def datapackage(
    release_id: str,
    created_at: datetime,
    datasets: dict[str, DatasetEntry],
    sources: list[str],
    *,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The Frictionless Data Package (v2) descriptor of a release.

    `$schema` names the v2 profile at the root only: in v2 it belongs to root-level
    descriptors, and the resources and Table Schemas inside inherit the version.

    Args:
        release_id: the release.
        created_at: when its run started.
        datasets: its datasets and files.
        sources: names of the sources that fed it.
        extra: broadsheet's own facts (fingerprints, notes, changes), kept under `broadsheet`
            so that `broadsheet catalog --rebuild` can restore them.
    """
    resources = []
    for name, entry in datasets.items():
        model = DATASETS[name]
        for file in entry.files:
            schema = {k: v for k, v in table_schema(name).items() if k != "$schema"}  # root-level only
            resources.append(
                {
                    "name": name if file.format == "jsonl" else f"{name}-{file.format}",
                    "title": f"{name} ({'JSON Lines' if file.format == 'jsonl' else 'Parquet'})",
                    "description": model.about,
                    "path": file.path.rsplit("/", 1)[-1],
                    "type": "table",
                    "format": file.format,
                    "mediatype": MEDIA_TYPES[file.format],
                    **({"encoding": "utf-8"} if file.format == "jsonl" else {}),
                    "bytes": file.bytes,
                    "hash": f"sha256:{file.sha256}",
                    "schema": schema,
                }
            )
    package: dict[str, Any] = {
        "$schema": DATAPACKAGE_PROFILE,
        "name": f"broadsheet-{release_id.lower()}",
        "id": release_id,
        "title": "broadsheet release " + release_id,
        "description": "Articles, attributed positions (who said what), the actors who said it and reader "
        "comments extracted from news text by broadsheet, with the documents they came from.",
        "version": release_id,
        "created": created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "sources": [{"title": s} for s in sources],
        "contributors": [{"title": "broadsheet " + pipeline_version(), "roles": ["producer"]}],
        "resources": resources,
    }
    if extra:
        package["broadsheet"] = extra
    return package


def clear_leftovers(storage: Storage) -> list[str]:
    """Remove what killed runs left behind; the caller holds the output's lock.

    That is the staging folder, a temporary catalog file from a write cut short, and
    release folders that the catalog does not name
    (moved into place by a run killed before it replaced the catalog, or dropped by
    `--keep` from a catalog whose run was killed before it removed them).

    Returns:
        The folders removed, relative to the output.

    Raises:
        CatalogError: releases exist but catalog.json does not: rebuild it first, so
            that no release is mistaken for a leftover.
    """
    removed = []
    for name in storage.list_dir(STAGING):
        storage.remove_tree(f"{STAGING}/{name}")
        removed.append(f"{STAGING}/{name}")
    for name in storage.list_dir(""):
        if name.startswith(".catalog.json.") and name.endswith(".tmp"):  # a catalog write cut short
            storage.remove_tree(name)
            removed.append(name)
    on_disk = storage.list_dir(RELEASES)
    if not on_disk:
        return removed
    if storage.size("catalog.json") is None:
        raise CatalogError(
            f"is missing while {RELEASES}/ holds {len(on_disk)} release folder(s): rebuild it with "
            "`broadsheet catalog --rebuild --out DIR` before publishing again",
            uri=f"{storage.url.rstrip('/')}/catalog.json",
        )
    named = {release.path for release in read_catalog(storage).releases}
    for name in on_disk:
        if f"{RELEASES}/{name}" not in named:
            storage.remove_tree(f"{RELEASES}/{name}")
            removed.append(f"{RELEASES}/{name}")
    return removed


def _previous(catalog: Catalog, changes: ReleaseChanges | None) -> CatalogRelease | None:
    if changes is None or changes.previous is None:
        return None
    return next((r for r in catalog.releases if r.id == changes.previous), None)


def _row_changes(
    changes: ReleaseChanges | None, previous: CatalogRelease | None, datasets: dict[str, DatasetEntry],
    diff: ReleaseDiff,
) -> ReleaseChanges | None:
    """`changes` with the records' changes and the rows of the derived datasets (the run counted
    only what it wrote)."""
    if changes is None:
        return None
    rows = dict(changes.rows)
    if previous is not None:
        for name, model in DATASETS.items():
            if model.derived and name in datasets:
                before = previous.datasets[name].rows if name in previous.datasets else 0
                rows[name] = datasets[name].rows - before
    records = {name: records.counts() for name, records in diff.datasets.items()} if diff.previous else {}
    return changes.model_copy(update={"rows": rows, "records": records})


def _derive(
    storage: Storage, writer: ReleaseWriter, release_id: str, previous: CatalogRelease | None,
    changes: ReleaseChanges | None,
) -> tuple[ReleaseFacts, ReleaseDiff, dict[str, str]]:
    """Write the actors dataset and work out the page's facts, the diff and the titles of the articles
    it lists, from the staged files."""
    rows = {name: dataset.rows for name, dataset in writer.datasets.items()}
    facts, actors = gather_facts(storage, writer.staging, rows)
    writer.write_derived(Actor.dataset, list(actors))
    del actors
    staged = ReleaseFiles(storage, writer.staging)
    before = ReleaseFiles(storage, previous.path) if previous is not None else None
    diff = diff_releases(
        before, staged, release=release_id, previous=previous.id if previous else None,
        inputs=changes.model_copy(update={"rows": {}}) if changes is not None else None,
    )
    titles: dict[str, str] = {}
    articles = diff.datasets.get("articles")
    if articles is not None:
        titles = article_titles(staged, {*articles.added_ids[:50], *(r.id for r in articles.changed_ids[:50])})
        if before is not None:
            titles |= article_titles(before, set(articles.removed_ids[:50]))
    return facts, diff, titles


def publish_release(
    storage: Storage,
    writer: ReleaseWriter,
    *,
    release_id: str,
    created_at: datetime,
    fingerprint: str,
    sources: list[str],
    notes: str,
    changes: ReleaseChanges | None = None,
    keep: int | None = None,
    lock: OutputLock | None = None,
) -> CatalogRelease:
    """Seal the staged release, move it into `releases/`, then replace the catalog.

    Sealing writes what is derived from the staged records (the actors dataset, `changes.json`
    against the previous release, the release page), then the descriptor and the card.

    Args:
        storage: the output location.
        writer: the writer that staged the release (closed here).
        release_id: its id.
        created_at: when the run started.
        fingerprint: hash of the inputs and pipeline version (unchanged input, same fingerprint).
        sources: names of the sources that fed it.
        notes: what changed since the previous release, in a sentence or two.
        changes: the same, in numbers (`previous` names the release to compare with).
        keep: after the catalog is in place, keep only this many newest releases.
        lock: the output's lock, checked just before the catalog is replaced.
    """
    writer.close()
    fault_point("after-parquet")
    prefix = f"{RELEASES}/{release_id}"
    catalog = read_catalog(storage)
    previous = _previous(catalog, changes)
    facts, diff, titles = _derive(storage, writer, release_id, previous, changes)
    datasets = writer.files(prefix)
    changes = _row_changes(changes, previous, datasets, diff)
    extra = {
        "fingerprint": fingerprint,
        "pipeline_version": pipeline_version(),
        "pipeline_fingerprint": pipeline_fingerprint(),
        "contract_version": CONTRACT_VERSION,
        "notes": notes,
        **({"changes": changes.model_dump(mode="json", exclude_none=True)} if changes else {}),
    }
    package = datapackage(release_id, created_at, datasets, sources, extra=extra)
    card = render_card(release_id, created_at, datasets, sources=sources, notes=notes)
    page = ReleasePage(
        release_id=release_id, created_at=created_at, pipeline_version=pipeline_version(),
        contract_version=CONTRACT_VERSION, sources=sources, notes=notes, datasets=datasets, facts=facts,
        diff=diff, titles=titles,
    )
    metadata = [
        writer.add_file(
            "datapackage.json",
            (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
            "json",
            prefix,
        ),
        writer.add_file("README.md", card.encode("utf-8"), "markdown", prefix),
        writer.add_file(PAGE, render_release_page(page), "html", prefix),
        writer.add_file(CHANGES, changes_bytes(diff), "json", prefix),
    ]
    fault_point("after-staging")
    storage.promote(writer.staging, prefix)
    fault_point("after-move")
    release = CatalogRelease(
        id=release_id,
        created_at=created_at,
        path=prefix,
        datasets=datasets,
        fingerprint=fingerprint,
        pipeline_version=pipeline_version(),
        contract_version=CONTRACT_VERSION,
        pipeline_fingerprint=pipeline_fingerprint(),
        notes=notes,
        changes=changes,
        sources=sources,
        metadata=metadata,
    )
    catalog = add_release(catalog, release)
    dropped = []
    if keep is not None and len(catalog.releases) > keep:
        dropped = catalog.releases[keep:]
        catalog = catalog.model_copy(update={"releases": catalog.releases[:keep]})
    if lock is not None:
        lock.check()
    fault_point("before-catalog")
    write_catalog(storage, catalog)
    fault_point("after-catalog")
    for old in dropped:
        storage.remove_tree(old.path)
    write_releases_index(storage, catalog)
    return release


def changes_bytes(diff: ReleaseDiff) -> bytes:
    """The published form of `changes.json` (the inputs' row counts are the catalog's business)."""
    return (diff.model_dump_json(indent=2, exclude={"inputs": {"rows", "records"}}) + "\n").encode("utf-8")


def write_releases_index(storage: Storage, catalog: Catalog) -> None:
    """Replace `<out>/index.html`, the index of the releases `catalog` names (atomically)."""
    storage.write_atomic(PAGE, render_releases_index(catalog))
