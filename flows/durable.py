"""Local files that survive a crash: written whole, flushed to disk, renamed into place.

Every stage that keeps a file on the local disk uses these: the sources' state
(`flows.ingest.state`), the published releases (`flows.release.storage`) and the
downloads (`flows.access.download`). A reader sees the old file or the new one,
never a mix, and a rename that returned is on disk (its folder is flushed too).
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

__all__ = ["DurableFile", "fsync_dir", "replace_file", "write_file_atomic"]


class DurableFile(io.FileIO):
    """A file that is flushed to disk (fsync) when closed."""

    def close(self) -> None:
        if not self.closed:
            try:
                os.fsync(self.fileno())
            finally:
                super().close()


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (the names renamed into it) to disk; best effort."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def replace_file(source: Path, target: Path) -> None:
    """Move the finished file `source` over `target` in one step, once its bytes are on disk."""
    with source.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(source, target)
    fsync_dir(target.parent)


def write_file_atomic(target: Path, data: bytes) -> None:
    """Write `data` to the local file `target` so that readers see the old file or the new one,
    never a mix: a temporary file in the same folder, flushed to disk, renamed over `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(target.parent)
