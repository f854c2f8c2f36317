"""Publish stage: write a release (Parquet + JSON Lines), its datapackage.json and dataset card.

A release is written into a staging folder (`<out>/.staging/<id>/`) batch by batch:
each batch of records becomes a Parquet row group and a run of JSON lines, so the
corpus is never held in memory. When every file is closed, their sizes and SHA-256
are recorded, the descriptor and card are written, the folder is renamed into
`<out>/releases/<id>/`, and only then is the catalog replaced. A crash at any
point leaves the previous release and catalog as they were.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from flows.card import render_card
from flows.catalog import add_release, read_catalog, write_catalog
from flows.errors import PublishError
from flows.version import pipeline_version
from schemas import DATASETS, Record, arrow_schema, table_schema
from schemas.catalog import CatalogFile, CatalogRelease, DatasetEntry

__all__ = ["ReleaseWriter", "publish_release", "release_id_for"]

PARQUET_ONLY: frozenset[str] = frozenset()
JSONL_ONLY = frozenset({"rejects"})
MEDIA_TYPES = {"parquet": "application/vnd.apache.parquet", "jsonl": "application/jsonl"}
DATAPACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
DATARESOURCE_PROFILE = "https://datapackage.org/profiles/2.0/dataresource.json"
_CHUNK = 1 << 20


def release_id_for(created_at: datetime, fingerprint: str) -> str:
    """Release ids sort by time and name their inputs: `20260127T101500Z-1a2b3c4d`."""
    return f"{created_at.astimezone(UTC):%Y%m%dT%H%M%SZ}-{fingerprint[:8]}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(slots=True)
class _Dataset:
    name: str
    schema: pa.Schema
    jsonl: IO[bytes]
    parquet: pq.ParquetWriter | None
    rows: int = 0


@dataclass(slots=True)
class ReleaseWriter:
    """Streams batches of records into the files of one release in a staging folder.

    Use as a context manager; `write` as many batches as there are, then `finish`.
    """

    staging: Path
    datasets: dict[str, _Dataset] = field(default_factory=dict)

    def __enter__(self) -> ReleaseWriter:
        self.staging.mkdir(parents=True, exist_ok=False)
        for name in DATASETS:
            schema = arrow_schema(name)
            parquet = None
            if name not in JSONL_ONLY:
                parquet = pq.ParquetWriter(
                    self.staging / f"{name}.parquet", schema, compression="zstd", write_statistics=True
                )
            jsonl = (self.staging / f"{name}.jsonl").open("wb")
            self.datasets[name] = _Dataset(name, schema, jsonl, parquet)
        return self

    def write(self, rows: dict[str, list[Record]]) -> None:
        """Append one batch: `rows` maps dataset names to records."""
        for name, records in rows.items():
            if not records:
                continue
            dataset = self.datasets[name]
            dataset.jsonl.write(b"".join(r.model_dump_json().encode("utf-8") + b"\n" for r in records))
            if dataset.parquet is not None:
                table = pa.Table.from_pylist([r.model_dump() for r in records], schema=dataset.schema)
                dataset.parquet.write_table(table)
            dataset.rows += len(records)

    def close(self) -> None:
        for dataset in self.datasets.values():
            dataset.jsonl.close()
            if dataset.parquet is not None:
                dataset.parquet.close()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def files(self, prefix: str) -> dict[str, DatasetEntry]:
        """Rows and files (with size and SHA-256) of each dataset; paths start with `prefix`."""
        entries = {}
        for name, dataset in self.datasets.items():
            formats = ["jsonl"] if dataset.parquet is None else ["parquet", "jsonl"]
            files = []
            for fmt in formats:
                path = self.staging / f"{name}.{fmt}"
                files.append(
                    CatalogFile(
                        path=f"{prefix}/{path.name}", format=fmt, bytes=path.stat().st_size, sha256=_sha256(path)
                    )
                )
            entries[name] = DatasetEntry(rows=dataset.rows, files=files)
        return entries


def datapackage(release_id: str, created_at: datetime, datasets: dict[str, DatasetEntry],
                sources: list[str]) -> dict[str, Any]:
    """The Frictionless Data Package (v2) descriptor of a release."""
    resources = []
    for name, entry in datasets.items():
        model = DATASETS[name]
        for file in entry.files:
            resources.append(
                {
                    "$schema": DATARESOURCE_PROFILE,
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
                    "schema": table_schema(name),
                }
            )
    return {
        "$schema": DATAPACKAGE_PROFILE,
        "name": f"broadsheet-{release_id.lower()}",
        "id": release_id,
        "title": "broadsheet release " + release_id,
        "description": "Articles, attributed positions (who said what) and reader comments extracted "
        "from news text by broadsheet, with the documents they came from.",
        "version": release_id,
        "created": created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "sources": [{"title": s} for s in sources],
        "contributors": [{"title": "broadsheet " + pipeline_version(), "roles": ["producer"]}],
        "resources": resources,
    }


def publish_release(
    out: Path,
    writer: ReleaseWriter,
    *,
    release_id: str,
    created_at: datetime,
    fingerprint: str,
    sources: list[str],
    notes: str,
    keep: int | None = None,
) -> CatalogRelease:
    """Seal the staged release, move it into `out/releases/`, then replace the catalog.

    Args:
        out: the output location.
        writer: the closed writer that staged the release.
        release_id: its id.
        created_at: when the run started.
        fingerprint: hash of the inputs and pipeline version (unchanged input, same fingerprint).
        sources: names of the sources that fed it.
        notes: what changed since the previous release, in a sentence or two.
        keep: after the catalog is in place, keep only this many newest releases.
    """
    prefix = f"releases/{release_id}"
    datasets = writer.files(prefix)
    package = datapackage(release_id, created_at, datasets, sources)
    card = render_card(release_id, created_at, datasets, sources=sources, notes=notes)
    staging = writer.staging
    (staging / "datapackage.json").write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", "utf-8")
    (staging / "README.md").write_text(card, "utf-8")
    metadata = [
        CatalogFile(path=f"{prefix}/{name}", format=fmt, bytes=(staging / name).stat().st_size,
                    sha256=_sha256(staging / name))
        for name, fmt in (("datapackage.json", "json"), ("README.md", "markdown"))
    ]
    _fsync_tree(staging)
    final = out / prefix
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        raise PublishError(f"release folder {final} already exists: remove it or run again", uri=str(out))
    os.replace(staging, final)
    release = CatalogRelease(
        id=release_id,
        created_at=created_at,
        path=prefix,
        datasets=datasets,
        fingerprint=fingerprint,
        pipeline_version=pipeline_version(),
        notes=notes,
        sources=sources,
        metadata=metadata,
    )
    catalog = add_release(read_catalog(out), release)
    write_catalog(out, catalog)
    if keep is not None:
        _retain(out, keep)
    return release


def _retain(out: Path, keep: int) -> None:
    catalog = read_catalog(out)
    kept, dropped = catalog.releases[:keep], catalog.releases[keep:]
    if not dropped:
        return
    write_catalog(out, catalog.model_copy(update={"releases": kept}))
    for release in dropped:
        shutil.rmtree(out / release.path, ignore_errors=True)


def _fsync_tree(folder: Path) -> None:
    for path in folder.iterdir():
        with path.open("rb") as handle:
            os.fsync(handle.fileno())
