"""Catalog stage: `catalog.json`, the one file that says which releases exist.

It is written last, atomically (a temporary file in the same folder, flushed to
disk, then renamed over the old one), so a reader sees either the old catalog or
the new one, never half of either. A lock file keeps two runs from publishing into
the same output at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from flows.errors import CatalogError, OutputLocked
from schemas.catalog import Catalog, CatalogRelease

__all__ = ["CATALOG", "add_release", "output_lock", "read_catalog", "write_atomic", "write_catalog"]

CATALOG = "catalog.json"
LOCK = ".lock"


def read_catalog(out: Path) -> Catalog:
    """The catalog of `out`; an empty one when nothing was published there yet.

    Raises:
        CatalogError: catalog.json exists but cannot be read as a catalog.
    """
    path = out / CATALOG
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Catalog(latest=None, releases=[])
    try:
        return Catalog.model_validate_json(raw)
    except ValidationError as exc:
        raise CatalogError(
            f"is not a valid catalog ({exc.errors()[0]['msg']}): rebuild it from the releases on disk "
            "with `broadsheet catalog --rebuild --out DIR`",
            uri=str(path),
        ) from None


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a mix."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_catalog(out: Path, catalog: Catalog) -> None:
    """Replace `out/catalog.json` atomically."""
    text = json.dumps(catalog.model_dump(mode="json", exclude_none=True), indent=2, ensure_ascii=False)
    write_atomic(out / CATALOG, (text + "\n").encode("utf-8"))


def add_release(catalog: Catalog, release: CatalogRelease) -> Catalog:
    """`catalog` with `release` added and named latest (newest first)."""
    others = [r for r in catalog.releases if r.id != release.id]
    return Catalog(latest=release.id, releases=[release, *others])


@contextlib.contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold the publishing lock of `out`, or raise `OutputLocked` at once.

    The lock is an advisory `flock` on `out/.lock`: the operating system releases it
    when the process ends, however it ends, so a killed run never leaves it stuck.
    """
    out.mkdir(parents=True, exist_ok=True)
    path = out / LOCK
    handle = path.open("a+")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise OutputLocked(
                f"another broadsheet run ({holder}) is publishing into this output: wait for it to finish "
                "and run again",
                uri=str(out),
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()
