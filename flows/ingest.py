"""Ingest stage: raw documents from sources.

A source yields `RawDocument`s (bytes plus where and when they came from) and, for
inputs it could not read, `IngestError`s: yielded, not raised, so that one bad
input does not stop the others. The flow turns each error into a reject.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flows.errors import ConfigError, DocumentTooLarge, IngestError
from flows.settings import Limits

__all__ = ["RawDocument", "iter_files", "media_type_for"]

_TEXT_SUFFIXES = {"": "text/plain", ".txt": "text/plain", ".text": "text/plain", ".md": "text/markdown"}


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One raw input, as a source delivered it.

    Attributes:
        source: name of the source that produced it.
        uri: where it came from (file:// or http(s)://).
        data: the raw bytes.
        media_type: e.g. `text/plain` or `text/html`.
        fetched_at: when it was read or fetched (UTC).
        charset: a character encoding named by the source, if any.
        hints: structured facts the source already knows (title, published_at, ...).
    """

    source: str
    uri: str
    data: bytes
    media_type: str
    fetched_at: datetime
    charset: str | None = None
    hints: dict[str, Any] = field(default_factory=dict)
    document_id: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "document_id", hashlib.sha256(self.data).hexdigest())


def media_type_for(path: Path) -> str:
    """The media type of a local file, from its suffix (plain text when unknown)."""
    suffix = path.suffix.lower()
    if suffix in _TEXT_SUFFIXES:
        return _TEXT_SUFFIXES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "text/plain"


def iter_files(
    root: Path, *, source: str = "files", limits: Limits = Limits()
) -> Iterator[RawDocument | IngestError]:
    """Every regular file under `root`, in path order, skipping hidden files and folders.

    Symbolic links are followed only while they stay inside `root`.

    Raises:
        ConfigError: `root` does not exist or is not a folder.
    """
    if not root.exists():
        raise ConfigError(f"{root}/ does not exist: create it and put .txt files there, or pass --raw DIR")
    if not root.is_dir():
        raise ConfigError(f"{root} is not a folder: pass --raw DIR with a folder of .txt files")
    base = root.resolve()
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(folder) / name
            yield _read_file(path, base=base, source=source, limits=limits)


def _read_file(path: Path, *, base: Path, source: str, limits: Limits) -> RawDocument | IngestError:
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
            data = handle.read(limits.max_document_bytes + 1)
    except FileNotFoundError:
        return IngestError("vanished while the run was reading it: run again once it is in place", uri=uri)
    except PermissionError:
        return IngestError("cannot be read (permission denied): fix its permissions", uri=uri)
    except OSError as exc:
        return IngestError(f"cannot be read ({exc.strerror or exc}): check the file", uri=uri)
    if len(data) > limits.max_document_bytes:
        return DocumentTooLarge(
            f"file grew past the limit of {limits.max_document_bytes:,} bytes while being read", uri=uri
        )
    fetched_at = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
    return RawDocument(source, uri, data, media_type_for(path), fetched_at)
