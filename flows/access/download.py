"""`broadsheet download`: fetch a release, file by file, verified and resumable.

    read catalog ──► choose files ──► for each: stream into <dest>/<path>.part ──► verify ──► move into place
                                               (resume with Range)               (size, SHA-256)

A file reaches its final path only once its size and SHA-256 equal the catalog's,
by an atomic rename; a mismatch deletes the partial file and fails with a message
that names both checksums. An interrupted transfer leaves `<path>.part`, which the
next run resumes with an HTTP `Range` request (`If-Range` on the file's ETag, so a
resumed file is never stitched from two versions). Files already in place with the
right checksum are not fetched again. Transient failures (5xx, 429, timeouts,
dropped connections) are retried a few times, resuming each time.

The catalog's paths are checked before anything is written: relative, no `..`,
inside the release's folder, and inside `dest` once resolved. The destination ends
up laid out like the output folder (`releases/<id>/...`) with a `catalog.json` that
names what was downloaded, so it can be read with `open_dataset(dest, ...)` or
served with `broadsheet serve --out dest`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from flows.access.read import ReleaseSource, source_for
from flows.clock import SYSTEM, Clock
from flows.durable import replace_file
from flows.errors import CatalogError, ChecksumMismatch, DownloadError, TransientDownloadError, UnsafeCatalog
from flows.faults import fault_point
from flows.release.catalog import CATALOG, add_release, catalog_bytes, parse_catalog
from flows.release.storage import LocalStorage
from schemas.catalog import Catalog, CatalogFile, CatalogRelease, DatasetEntry, safe_relative_path

__all__ = ["Downloaded", "FetchedFile", "Progress", "download_release", "select_files"]

#: Called as bytes arrive: (path, bytes done, bytes in all).
Progress = Callable[[str, int, int], None]
_CHUNK = 1 << 20
_RETRY_DELAYS = (0.5, 1.0, 2.0)


@dataclass(frozen=True, slots=True)
class FetchedFile:
    """One file of a download: where it went and how it got there."""

    path: str
    bytes: int
    status: Literal["downloaded", "resumed", "present"]


@dataclass(slots=True)
class Downloaded:
    """What `download_release` did."""

    release: str
    dest: Path
    files: list[FetchedFile] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        """Bytes of the files downloaded or resumed (not those already in place)."""
        return sum(f.bytes for f in self.files if f.status != "present")


def select_files(
    release: CatalogRelease, datasets: Iterable[str] | None = None, formats: Iterable[str] | None = None
) -> list[CatalogFile]:
    """The files of `release` to fetch: the chosen datasets in the chosen formats, then its metadata.

    Raises:
        DownloadError: an unknown dataset, or a format that none of the chosen datasets has.
    """
    names = list(datasets) if datasets else list(release.datasets)
    unknown = [n for n in names if n not in release.datasets]
    if unknown:
        raise DownloadError(
            f"release {release.id} has no dataset {', '.join(map(repr, unknown))} "
            f"(it has: {', '.join(release.datasets)})"
        )
    wanted = set(formats) if formats else None
    files = [f for n in names for f in release.datasets[n].files if wanted is None or f.format in wanted]
    if not files:
        raise DownloadError(f"the chosen datasets are not published as {', '.join(sorted(wanted or []))}")
    return files + list(release.metadata)


def _target(dest: Path, file: CatalogFile, release: CatalogRelease) -> Path:
    try:
        relative = safe_relative_path(file.path)
    except ValueError as exc:
        raise UnsafeCatalog(f"refusing the catalog: {exc}", uri=str(dest)) from None
    if not relative.startswith(release.path + "/"):
        raise UnsafeCatalog(
            f"refusing the catalog: {relative} is outside release folder {release.path}", uri=str(dest)
        )
    target = dest / relative
    root = dest.resolve()
    if not target.parent.resolve().is_relative_to(root) or (target.is_symlink()):
        raise UnsafeCatalog(f"refusing to write {relative}: it would land outside {dest}", uri=str(dest))
    return target


def _sha256_file(path: Path) -> tuple[int, hashlib._Hash]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest


def _fetch(
    source: ReleaseSource, file: CatalogFile, target: Path, progress: Progress | None, clock: Clock
) -> FetchedFile:
    if target.is_file():
        size, digest = _sha256_file(target)
        if size == file.bytes and digest.hexdigest() == file.sha256:
            if progress:
                progress(file.path, size, file.bytes)
            return FetchedFile(file.path, size, "present")
    part = target.with_name(target.name + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    resumed = False
    for delay in (*_RETRY_DELAYS, None):
        try:
            resumed = _transfer(source, file, part, progress) or resumed
            break
        except TransientDownloadError:
            if delay is None:
                raise
            clock.sleep(delay)
    size, digest = _sha256_file(part)
    if size != file.bytes or digest.hexdigest() != file.sha256:
        part.unlink(missing_ok=True)
        raise ChecksumMismatch(
            f"{file.path}: received {size:,} bytes with SHA-256 {digest.hexdigest()}, but the catalog says "
            f"{file.bytes:,} bytes with SHA-256 {file.sha256}; the file on the server was changed or "
            "damaged, "
            f"and nothing was saved at {target}",
            uri=source.url,
        )
    replace_file(part, target)
    return FetchedFile(file.path, size, "resumed" if resumed else "downloaded")


def _transfer(source: ReleaseSource, file: CatalogFile, part: Path, progress: Progress | None) -> bool:
    """Stream `file` into `part`, resuming what is there. Returns whether it resumed."""
    have = part.stat().st_size if part.is_file() else 0
    if have > file.bytes:
        part.unlink()
        have = 0
    if have == file.bytes and part.is_file():
        return False  # complete already (or empty); verified by the caller
    if file.bytes == 0:
        part.write_bytes(b"")
        return False
    with source.stream(file.path, start=have, etag=f'"{file.sha256}"') as (offset, chunks):
        mode = "ab" if offset else "wb"
        done = offset
        with part.open(mode) as handle:
            for chunk in chunks:
                if done + len(chunk) > file.bytes:
                    raise ChecksumMismatch(
                        f"{file.path}: the server sends more than the {file.bytes:,} bytes "
                        "the catalog names; nothing was saved",
                        uri=source.url,
                    )
                handle.write(chunk)
                done += len(chunk)
                if progress:
                    progress(file.path, done, file.bytes)
                if done < file.bytes:
                    handle.flush()  # what has arrived is on disk for the next run to resume from
                    fault_point("mid-download")
    return offset > 0


def _record(dest: Path, release: CatalogRelease, files: list[CatalogFile]) -> None:
    """Name the downloaded files in `dest/catalog.json`, next to what was downloaded before."""
    paths = {f.path for f in files}
    datasets = {}
    for name, entry in release.datasets.items():
        chosen = [f for f in entry.files if f.path in paths]
        if chosen:
            datasets[name] = DatasetEntry(rows=entry.rows, files=chosen)
    storage = LocalStorage(dest)
    existing = Catalog(latest=None, releases=[])
    with contextlib.suppress(FileNotFoundError, CatalogError):
        existing = parse_catalog(storage.read_bytes(CATALOG), uri=str(dest / CATALOG))
    old = next((r for r in existing.releases if r.id == release.id), None)
    if old is not None:
        for name, entry in old.datasets.items():
            if name in datasets:
                merged = {f.path: f for f in (*entry.files, *datasets[name].files)}
                datasets[name] = DatasetEntry(rows=entry.rows, files=list(merged.values()))
            else:
                datasets[name] = entry
    kept = release.model_copy(
        update={"datasets": datasets, "metadata": [f for f in release.metadata if f.path in paths]}
    )
    catalog = add_release(existing, kept)
    ordered = sorted(catalog.releases, key=lambda r: r.id, reverse=True)
    storage.write_atomic(CATALOG, catalog_bytes(Catalog(latest=ordered[0].id, releases=ordered)))


def download_release(
    location: str | os.PathLike[str] | ReleaseSource,
    dest: Path,
    *,
    release: str | None = None,
    datasets: Iterable[str] | None = None,
    formats: Iterable[str] | None = None,
    progress: Progress | None = None,
    clock: Clock = SYSTEM,
) -> Downloaded:
    """Download a release from `location` into `dest`, verifying every file.

    Args:
        location: an `http(s)://` URL (of `broadsheet serve` or any web server holding an
            output folder), a folder, or a `file://` or `s3://` URL.
        dest: the destination folder (created if needed).
        release: the release id (default: the latest).
        datasets: the datasets to fetch (default: all).
        formats: `parquet` and/or `jsonl` (default: both).
        progress: called as bytes arrive.
        clock: what waits between retries.

    Raises:
        DownloadError: the catalog or a file could not be fetched, or no such release or dataset.
        UnsafeCatalog: the catalog names a path outside the release or `dest`.
        ChecksumMismatch: a file's size or SHA-256 differs from the catalog (nothing saved for it).
    """
    source = source_for(location)
    try:
        catalog = parse_catalog(source.read_bytes(CATALOG), uri=source.url)
        try:
            chosen = catalog.release(release)
        except KeyError as exc:
            raise DownloadError(str(exc.args[0]), uri=source.url) from None
        files = select_files(chosen, datasets, formats)
        dest.mkdir(parents=True, exist_ok=True)
        targets = [(file, _target(dest, file, chosen)) for file in files]
        result = Downloaded(chosen.id, dest)
        for file, target in targets:
            result.files.append(_fetch(source, file, target, progress, clock))
        _record(dest, chosen, files)
        return result
    finally:
        if source is not location:
            source.close()
