"""Catalog stage: `catalog.json`, the one file that says which releases exist.

It is written last, atomically (on disk: a temporary file in the same folder,
flushed, then renamed over the old one; on S3: one PUT), so a reader sees either
the old catalog or the new one, never half of either. Releases it does not name
do not exist for readers. When it is lost or damaged, `rebuild_catalog` writes it
anew from the releases on disk, after checking every file against its release's
`datapackage.json`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from pydantic import ValidationError

from flows.errors import CatalogError
from flows.release.storage import Storage, storage_for
from schemas.catalog import (
    RELEASE_ID_PATTERN,
    Catalog,
    CatalogFile,
    CatalogRelease,
    DatasetEntry,
    FileFormat,
    ReleaseChanges,
    safe_relative_path,
)

__all__ = [
    "CATALOG",
    "METADATA",
    "RELEASES",
    "Rebuilt",
    "add_release",
    "catalog_bytes",
    "file_digest",
    "parse_catalog",
    "read_catalog",
    "rebuild_catalog",
    "write_catalog",
]

CATALOG = "catalog.json"
RELEASES = "releases"
_CHUNK = 1 << 20
_FORMATS: dict[str, FileFormat] = {
    ".parquet": "parquet",
    ".jsonl": "jsonl",
    ".json": "json",
    ".md": "markdown",
    ".html": "html",
}
#: The files of a release besides its datasets, in catalog order (`index.html` and `changes.json`: v2).
METADATA = ("datapackage.json", "README.md", "index.html", "changes.json")


def read_catalog(out: Storage | str | os.PathLike[str]) -> Catalog:
    """The catalog of `out`; an empty one when nothing was published there yet.

    Raises:
        CatalogError: catalog.json exists but cannot be read as a catalog.
    """
    storage = storage_for(out)
    try:
        raw = storage.read_bytes(CATALOG)
    except FileNotFoundError:
        return Catalog(latest=None, releases=[])
    return parse_catalog(raw, uri=f"{storage.url.rstrip('/')}/{CATALOG}")


def parse_catalog(raw: bytes, *, uri: str) -> Catalog:
    """The catalog in `raw`.

    Raises:
        CatalogError: `raw` is not a valid catalog.
    """
    try:
        return Catalog.model_validate_json(raw)
    except ValidationError as exc:
        raise CatalogError(
            f"is not a valid catalog ({exc.errors()[0]['msg']}): rebuild it from the releases on disk "
            "with `broadsheet catalog --rebuild --out DIR`",
            uri=uri,
        ) from None


def catalog_bytes(catalog: Catalog) -> bytes:
    """The published form of `catalog`: indented JSON, UTF-8, final newline."""
    text = json.dumps(catalog.model_dump(mode="json", exclude_none=True), indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def write_catalog(out: Storage | str | os.PathLike[str], catalog: Catalog) -> None:
    """Replace `out/catalog.json` atomically."""
    storage_for(out).write_atomic(CATALOG, catalog_bytes(catalog))


def add_release(catalog: Catalog, release: CatalogRelease) -> Catalog:
    """`catalog` with `release` added and named latest (newest first)."""
    others = [r for r in catalog.releases if r.id != release.id]
    return Catalog(latest=release.id, releases=[release, *others])


def file_digest(storage: Storage, path: str) -> tuple[int, str, int]:
    """Size, SHA-256 and number of newline characters of the file `path`, read once as a stream."""
    digest = hashlib.sha256()
    size = lines = 0
    with storage.open_reader(path) as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            lines += chunk.count(b"\n")
    return size, digest.hexdigest(), lines


@dataclass(slots=True)
class Rebuilt:
    """A catalog rebuilt from the releases on disk, and the folders left out with the reason."""

    catalog: Catalog
    skipped: dict[str, str] = field(default_factory=dict)


def rebuild_catalog(out: Storage | str | os.PathLike[str], *, write: bool = True) -> Rebuilt:
    """Rebuild `catalog.json` from each release's `datapackage.json`, checking every file.

    A release folder is left out (with the reason) when its descriptor is missing or
    unreadable, or a file is missing or differs in size or SHA-256 from what the
    descriptor says. The newest release left in becomes `latest`.

    Args:
        out: the output location.
        write: replace catalog.json (the caller holds the output's lock).
    """
    storage = storage_for(out)
    releases: list[CatalogRelease] = []
    skipped: dict[str, str] = {}
    for name in storage.list_dir(RELEASES):
        if not re.match(RELEASE_ID_PATTERN, name):
            skipped[name] = "not a release id"
            continue
        try:
            releases.append(_release_from_disk(storage, name))
        except CatalogError as error:
            skipped[name] = error.message
    releases.sort(key=lambda r: (r.created_at, r.id), reverse=True)  # newest first, to the microsecond
    catalog = Catalog(latest=releases[0].id if releases else None, releases=releases)
    if write:
        write_catalog(storage, catalog)
    return Rebuilt(catalog, skipped)


def _release_from_disk(storage: Storage, release_id: str) -> CatalogRelease:
    prefix = f"{RELEASES}/{release_id}"
    uri = f"{storage.url.rstrip('/')}/{prefix}"
    try:
        package_raw = storage.read_bytes(f"{prefix}/datapackage.json")
        package: dict[str, Any] = json.loads(package_raw)
    except FileNotFoundError:
        raise CatalogError("has no datapackage.json: it was never finished", uri=uri) from None
    except ValueError as exc:
        raise CatalogError(f"datapackage.json is not JSON ({exc})", uri=uri) from None
    datasets: dict[str, DatasetEntry] = {}
    try:
        for resource in package["resources"]:
            relative = safe_relative_path(str(resource["path"]))
            path = f"{prefix}/{relative}"
            fmt = str(resource["format"])
            if storage.size(path) is None:
                raise CatalogError(f"{relative} is missing", uri=uri)
            size, sha256, lines = file_digest(storage, path)
            if size != resource["bytes"] or f"sha256:{sha256}" != resource["hash"]:
                raise CatalogError(
                    f"{relative} differs from its size or SHA-256 in datapackage.json", uri=uri
                )
            if fmt == "parquet":
                with storage.open_arrow(path) as handle:
                    rows = pq.ParquetFile(handle).metadata.num_rows
            else:
                rows = lines
            name = str(resource["name"]).removesuffix(f"-{fmt}")
            entry = datasets.get(name)
            file = CatalogFile.model_validate({"path": path, "format": fmt, "bytes": size, "sha256": sha256})
            if entry is None:
                datasets[name] = DatasetEntry(rows=rows, files=[file])
            else:
                datasets[name] = DatasetEntry(rows=entry.rows, files=[*entry.files, file])
        metadata = []
        for name in METADATA:
            if storage.size(f"{prefix}/{name}") is None:
                continue
            size, sha256, _ = file_digest(storage, f"{prefix}/{name}")
            metadata.append(
                CatalogFile(
                    path=f"{prefix}/{name}",
                    format=_FORMATS[Path(name).suffix],
                    bytes=size,
                    sha256=sha256,
                )
            )
        extra: dict[str, Any] = package.get("broadsheet") or {}
        changes = extra.get("changes")
        return CatalogRelease(
            id=release_id,
            created_at=datetime.fromisoformat(str(package["created"]).replace("Z", "+00:00")),
            path=prefix,
            datasets=datasets,
            fingerprint=extra.get("fingerprint"),
            pipeline_version=extra.get("pipeline_version"),
            pipeline_fingerprint=extra.get("pipeline_fingerprint"),
            contract_version=extra.get("contract_version"),
            notes=extra.get("notes"),
            changes=ReleaseChanges.model_validate(changes) if changes else None,
            sources=[str(s.get("title")) for s in package.get("sources", []) if isinstance(s, dict)],
            metadata=metadata,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogError(f"datapackage.json does not describe a release ({exc})", uri=uri) from None
