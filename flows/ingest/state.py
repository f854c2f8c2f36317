"""What a source keeps between runs, under `<out>/.state/<source>/`.

Every file is written atomically (`flows.durable.write_file_atomic`), so a run that is
killed half-way leaves the old state or the new one. State that cannot be read
(truncated, edited by hand, from an older version) is treated as absent: the
source then fetches everything again, which is slower but never wrong.

`DocumentCache` keeps the last copy of each document with what is needed to ask
the server whether it changed (ETag, Last-Modified): an unchanged page yields the
cached bytes again, so the run's input fingerprint stays the same and no release
is published.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flows.durable import write_file_atomic as write_atomic
from flows.ingest.base import RawDocument

__all__ = ["CachedDocument", "DocumentCache", "read_json", "write_json"]


def read_json(path: Path) -> dict[str, Any] | None:
    """The JSON object in `path`, or None when it is missing or unreadable."""
    try:
        value = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def write_json(path: Path, value: dict[str, Any]) -> None:
    """Write `value` to `path` atomically, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, (json.dumps(value, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))


def _dump_hints(hints: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    plain: dict[str, Any] = {}
    dates: list[str] = []
    for key, value in hints.items():
        if isinstance(value, datetime):
            plain[key] = value.isoformat()
            dates.append(key)
        else:
            plain[key] = value
    return plain, dates


@dataclass(frozen=True, slots=True)
class CachedDocument:
    """A document as last fetched, and the validators to ask whether it changed.

    Attributes:
        raw: the document, with the bytes and fetch time of that fetch.
        etag: the `ETag` the server sent with it, if any.
        last_modified: the `Last-Modified` the server sent with it, if any.
        extra: whatever else the ingestor keeps with it.
    """

    raw: RawDocument
    etag: str | None = None
    last_modified: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class DocumentCache:
    """Documents by key (a URL, a post id) in one folder: `<sha>.json` with `<sha>.body`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _paths(self, key: str) -> tuple[Path, Path]:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
        return self.folder / f"{digest}.json", self.folder / f"{digest}.body"

    def get(self, key: str) -> CachedDocument | None:
        """The cached document for `key`, or None (also when the copy is damaged)."""
        meta_path, body_path = self._paths(key)
        meta = read_json(meta_path)
        if meta is None or meta.get("key") != key:
            return None
        try:
            data = body_path.read_bytes()
            if hashlib.sha256(data).hexdigest() != meta["sha256"]:
                return None
            hints = dict(meta.get("hints") or {})
            for name in meta.get("date_hints") or []:
                hints[name] = datetime.fromisoformat(hints[name])
            raw = RawDocument(
                source=str(meta["source"]),
                uri=str(meta["uri"]),
                data=data,
                media_type=str(meta["media_type"]),
                fetched_at=datetime.fromisoformat(meta["fetched_at"]),
                charset=meta.get("charset"),
                hints=hints,
                stored_at=str(body_path),
            )
        except (OSError, KeyError, TypeError, ValueError):
            return None
        return CachedDocument(raw, meta.get("etag"), meta.get("last_modified"), dict(meta.get("extra") or {}))

    def put(self, key: str, cached: CachedDocument) -> RawDocument:
        """Keep `cached` as the copy for `key` (body first, then the metadata that names it).

        Returns:
            The document, saying where its bytes are kept (`RawDocument.stored_at`), so that a run
            reads them back from there instead of holding them.
        """
        meta_path, body_path = self._paths(key)
        self.folder.mkdir(parents=True, exist_ok=True)
        raw = cached.raw
        hints, dates = _dump_hints(raw.hints)
        write_atomic(body_path, raw.data)
        write_json(
            meta_path,
            {
                "key": key,
                "source": raw.source,
                "uri": raw.uri,
                "media_type": raw.media_type,
                "charset": raw.charset,
                "fetched_at": raw.fetched_at.isoformat(),
                "sha256": raw.document_id,
                "hints": hints,
                "date_hints": dates,
                "etag": cached.etag,
                "last_modified": cached.last_modified,
                "extra": cached.extra,
            },
        )
        return RawDocument(raw.source, raw.uri, raw.data, raw.media_type, raw.fetched_at, raw.charset,
                           raw.hints, stored_at=str(body_path))

    def prune(self, keep: Iterable[str]) -> int:
        """Delete every cached document whose key is not in `keep`; returns how many went."""
        wanted = {path.name for key in keep for path in self._paths(key)}
        removed = 0
        if not self.folder.is_dir():
            return 0
        for path in self.folder.iterdir():
            if path.suffix in (".json", ".body") and path.name not in wanted:
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed += path.suffix == ".json"
        return removed
