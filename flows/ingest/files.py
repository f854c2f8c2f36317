"""The `files` ingestor: every regular file under a local folder (the default source)."""

from __future__ import annotations

import errno
import mimetypes
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from flows.errors import BroadsheetError, ConfigError, DocumentTooLarge, IngestError
from flows.ingest.base import IngestContext, RawDocument
from flows.settings import DEFAULT_LIMITS, Limits

__all__ = ["FilesConfig", "FilesIngestor", "iter_files", "media_type_for"]

_SUFFIXES = {
    "": "text/plain",
    ".txt": "text/plain",
    ".text": "text/plain",
    ".md": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "application/xhtml+xml",
}


class FilesConfig(BaseModel):
    """Settings of a `files` source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path = Field(
        default=Path("raw"),
        description="Folder to read, relative to sources.toml. Every regular file under it is one "
        "document (hidden files and folders are skipped; `.html` files go through the HTML reader).",
    )


def media_type_for(path: Path) -> str:
    """The media type of a local file, from its suffix (plain text when unknown)."""
    suffix = path.suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "text/plain"


def iter_files(
    root: Path, *, source: str = "files", limits: Limits = DEFAULT_LIMITS
) -> Iterator[RawDocument | BroadsheetError]:
    """Every regular file under `root`, in path order, skipping hidden files and folders.

    Symbolic links are followed only while they stay inside `root`.

    Raises:
        ConfigError: `root` does not exist or is not a folder.
    """
    if not root.exists():
        raise ConfigError(
            f"{root}/ does not exist: create it and put .txt files there, or pass --raw DIR",
            uri=root.absolute().as_uri(),
        )
    if not root.is_dir():
        raise ConfigError(
            f"{root} is not a folder: pass --raw DIR with a folder of .txt files",
            uri=root.absolute().as_uri(),
        )
    base = root.resolve()
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(folder) / name
            yield _read_file(path, base=base, source=source, limits=limits)


def _read_file(path: Path, *, base: Path, source: str, limits: Limits) -> RawDocument | BroadsheetError:
    uri = path.absolute().as_uri()
    try:
        real = path.resolve(strict=True)
        if not real.is_relative_to(base):
            return IngestError(
                f"is a link to {real}, outside the raw folder {base}: copy the file in instead", uri=uri
            )
        stat = real.stat()
        if stat.st_size > limits.max_document_bytes:
            return DocumentTooLarge(
                f"file is {stat.st_size:,} bytes, over the limit of {limits.max_document_bytes:,}: "
                "split it, or raise the limit with --max-document-bytes",
                uri=uri,
            )
        with real.open("rb") as handle:
            # As many bytes as the file holds, and one more to notice a file that grows: a request
            # for the whole limit (20 MiB) would be served with a memory mapping of its own each time.
            data = handle.read(min(stat.st_size, limits.max_document_bytes) + 1)
            if len(data) > stat.st_size:  # it grew since: read on, up to the limit
                data += handle.read(limits.max_document_bytes + 1 - len(data))
    except FileNotFoundError:
        return IngestError("vanished while the run was reading it: run again once it is in place", uri=uri)
    except PermissionError:
        return IngestError("cannot be read (permission denied): fix its permissions", uri=uri)
    except (RuntimeError, OSError) as exc:  # RuntimeError: a symbolic link that loops (Python 3.11)
        if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP:
            return IngestError("is a symbolic link that points back to itself: remove or fix the link", uri=uri)
        return IngestError(f"cannot be read ({exc.strerror or exc}): check the file", uri=uri)
    if len(data) > limits.max_document_bytes:
        return DocumentTooLarge(
            f"file grew past the limit of {limits.max_document_bytes:,} bytes while being read", uri=uri
        )
    fetched_at = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
    return RawDocument(source, uri, data, media_type_for(path), fetched_at, stored_at=str(real))


class FilesIngestor:
    """Every regular file under a local folder, in path order."""

    name: ClassVar[str] = "files"
    Config: ClassVar[type[BaseModel]] = FilesConfig

    def __init__(self, source: str, config: FilesConfig) -> None:
        self.source = source
        self.config = config

    def fetch(self, context: IngestContext) -> Iterator[RawDocument | BroadsheetError]:
        """Every file under `path`; unreadable ones as errors.

        Raises:
            ConfigError: the folder does not exist or is not a folder.
        """
        return iter_files(self.config.path, source=self.source, limits=context.limits)
