"""`broadsheet serve`: a read-only HTTP server for an output folder.

It serves `catalog.json`, the index of releases at `/` (`/index.html`, made from
the catalog it serves, so it is never stale), and the files that the catalog names
under `releases/<id>/` (a release's page also at `releases/<id>/`), and nothing
else: no directory listings, no other files, no
paths outside the folder (a request path is matched against the catalog's list,
never joined to the folder as it comes, and symbolic links that lead out of the
folder are refused). Only GET and HEAD are allowed.

Downloads and Parquet readers get what they need from HTTP: the right
`Content-Type`, `Content-Length`, a strong `ETag` (the file's SHA-256 from the
catalog) with `If-None-Match` (304), `Last-Modified`, and single byte ranges
(`Range`, `If-Range`; 206 with `Content-Range`, 416 when unsatisfiable). Release
files never change, so they are marked cacheable for a year; `catalog.json` must
be revalidated. Each request is logged as one line; a failure answers with a
status and a sentence, never a stack trace.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import logging
import os
import re
import stat
import time
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flows.errors import CatalogError
from flows.release.catalog import CATALOG, parse_catalog
from flows.release.page import PAGE, render_releases_index
from flows.version import package_version

__all__ = ["CONTENT_TYPES", "ReleaseServer", "make_server", "parse_range", "serve"]

logger = logging.getLogger("broadsheet.serve")

#: Content types by file suffix.
CONTENT_TYPES = {
    ".parquet": "application/vnd.apache.parquet",
    ".jsonl": "application/jsonl; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}
_CHUNK = 256 * 1024
_RANGE = re.compile(r"bytes=(\d{0,19})-(\d{0,19})")
_SAFE_TARGET = re.compile(r"^/[A-Za-z0-9._~/%-]*$")


class _Unsatisfiable(Exception):
    pass


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive byte range asked for by a `Range` header, or None to send the whole file.

    Only single `bytes` ranges are honoured; other units and several ranges are
    ignored (the whole file is sent, as RFC 9110 allows).

    Raises:
        ValueError: the range is malformed or cannot be satisfied (answer 416).
    """
    if header is None:
        return None
    value = header.strip()
    if not value.lower().startswith("bytes="):
        return None
    if "," in value:
        return None
    match = _RANGE.fullmatch(value.replace(" ", ""))
    if match is None:
        raise ValueError(f"malformed range {header!r}")
    first, last = match.groups()
    if not first and not last:
        raise ValueError(f"malformed range {header!r}")
    if not first:
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise ValueError("empty suffix range")
        return max(0, size - suffix), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size or end < start:
        raise ValueError(f"range {header!r} lies outside the file ({size} bytes)")
    return start, min(end, size - 1)


@dataclass(frozen=True, slots=True)
class _Entry:
    """A servable file: where it is, its size and SHA-256 (the ETag), and how it is cached."""

    path: Path
    bytes: int
    sha256: str
    cache: str


@dataclass(frozen=True, slots=True)
class _Published:
    key: tuple[int, int, int]
    files: dict[str, _Entry]
    #: What is served from memory rather than from its file: catalog.json as read, the index of releases.
    documents: dict[str, bytes]


class ReleaseServer(ThreadingHTTPServer):
    """A threading HTTP server for the releases of one output folder."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: Path, address: tuple[str, int]) -> None:
        self.root = root.resolve()
        self._published: _Published | None = None
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        """The server's base URL, e.g. `http://127.0.0.1:8000/`."""
        host, port = self.server_address[:2]
        host = str(host)
        return f"http://{'[' + host + ']' if ':' in host else host}:{port}/"

    def published(self) -> _Published:
        """The catalog and the files it names, re-read whenever catalog.json is replaced.

        Raises:
            FileNotFoundError: nothing was published here yet.
            CatalogError: catalog.json is not a valid catalog.
        """
        path = self.root / CATALOG
        info = path.stat()
        key = (info.st_ino, info.st_mtime_ns, info.st_size)
        current = self._published
        if current is not None and current.key == key:
            return current
        raw = path.read_bytes()
        catalog = parse_catalog(raw, uri=str(path))
        index = render_releases_index(catalog)
        files = {
            "/" + CATALOG: _Entry(path, len(raw), hashlib.sha256(raw).hexdigest(), "no-cache"),
            "/" + PAGE: _Entry(path.with_name(PAGE), len(index), hashlib.sha256(index).hexdigest(), "no-cache"),
        }
        for release in catalog.releases:
            for file in release.files():
                files["/" + file.path] = _Entry(
                    self.root / file.path, file.bytes, file.sha256, "public, max-age=31536000, immutable"
                )
        self._published = _Published(key, files, {"/" + CATALOG: raw, "/" + PAGE: index})
        return self._published

    def resolve(self, entry: _Entry) -> Path | None:
        """The file of `entry` if it is a regular file inside the folder (links followed), else None."""
        try:
            real = entry.path.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not real.is_relative_to(self.root):
            return None
        try:
            return real if stat.S_ISREG(real.stat().st_mode) else None
        except OSError:
            return None


class _Handler(BaseHTTPRequestHandler):
    server: ReleaseServer
    server_version = f"broadsheet/{package_version()}"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    error_content_type = "text/plain; charset=utf-8"
    error_message_format = "%(code)d %(message)s\n"

    def __getattr__(self, name: str) -> Any:
        # Every method other than GET and HEAD: 405, not the standard library's 501.
        if name.startswith("do_"):
            return self._not_allowed
        raise AttributeError(name)

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        self._serve(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(body=False)

    def _not_allowed(self) -> None:
        self._started = time.monotonic()
        self._plain(
            HTTPStatus.METHOD_NOT_ALLOWED,
            "only GET and HEAD are allowed",
            body=self.command != "HEAD",
            extra={"Allow": "GET, HEAD"},
        )

    # -- answers ---------------------------------------------------------------------------

    def _plain(
        self, status: HTTPStatus, message: str, *, body: bool = True, extra: dict[str, str] | None = None
    ) -> None:
        data = f"{status.value} {status.phrase}: {message}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(data)
        self._log(status, len(data) if body else 0)

    def _log(self, status: int, sent: int) -> None:
        elapsed = (time.monotonic() - getattr(self, "_started", time.monotonic())) * 1000
        logger.info(
            '%s "%s %s" %d %d %.1fms', self.client_address[0], self.command, self.path, status, sent, elapsed
        )

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None  # one line per request is written by _log, with the bytes sent

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the standard library's name
        logger.info("%s %s", self.client_address[0], format % args)

    def _target(self) -> str | None:
        """The request's path as a catalog key, or None when it cannot name a published file."""
        raw = self.path
        if not raw.startswith("/") or raw.startswith("//"):
            return None  # absolute-form, authority-like or asterisk targets
        path = urlsplit(raw).path
        if path.endswith("/"):  # a folder: its page, as web servers serve index.html
            path += PAGE
        if not _SAFE_TARGET.match(path) or any(code in path.lower() for code in ("%2f", "%5c", "%00")):
            return None
        decoded = unquote(path)
        if any(part in ("", ".", "..") for part in decoded.split("/")[1:]):
            return None
        return decoded

    def _serve(self, *, body: bool) -> None:
        self._started = time.monotonic()
        try:
            self._answer(body=body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:  # never a stack trace to the client; the server log has it
            logger.exception("error while answering %s %s", self.command, self.path)
            self.close_connection = True
            with contextlib.suppress(OSError):
                self._plain(
                    HTTPStatus.INTERNAL_SERVER_ERROR, "the server failed to answer; see its log", body=body
                )

    def _answer(self, *, body: bool) -> None:
        target = self._target()
        if target is None:
            self._plain(HTTPStatus.NOT_FOUND, "no such file; start from /catalog.json", body=body)
            return
        try:
            published = self.server.published()
        except FileNotFoundError:
            self._plain(HTTPStatus.NOT_FOUND, "nothing was published here yet", body=body)
            return
        except CatalogError:
            self._plain(
                HTTPStatus.SERVICE_UNAVAILABLE,
                "catalog.json is damaged; the publisher must rebuild it",
                body=body,
            )
            return
        entry = published.files.get(target)
        if entry is None:
            self._plain(HTTPStatus.NOT_FOUND, "no such file; start from /catalog.json", body=body)
            return
        data = published.documents.get(target)
        real = self.server.resolve(entry) if data is None else self.server.root / CATALOG
        if real is None:
            self._plain(HTTPStatus.NOT_FOUND, "no such file; start from /catalog.json", body=body)
            return
        info = real.stat()
        if info.st_size != entry.bytes and data is None:
            self._plain(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                "the file on disk differs from the catalog; the publisher must fix the release",
                body=body,
            )
            return
        etag = f'"{entry.sha256}"'
        headers = {
            "ETag": etag,
            "Last-Modified": email.utils.formatdate(info.st_mtime, usegmt=True),
            "Cache-Control": entry.cache,
            "Accept-Ranges": "bytes",
            "Content-Type": CONTENT_TYPES.get(Path(target).suffix, "application/octet-stream"),
            "X-Content-Type-Options": "nosniff",
        }
        size = len(data) if data is not None else entry.bytes
        if _matches(self.headers.get("If-None-Match"), etag):
            self._head(HTTPStatus.NOT_MODIFIED, headers)
            self._log(HTTPStatus.NOT_MODIFIED, 0)
            return
        wanted = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if if_range is not None and if_range.strip() != etag:
            wanted = None
        try:
            span = parse_range(wanted, size)
        except ValueError:
            headers["Content-Range"] = f"bytes */{size}"
            self._plain(
                HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                "the range is malformed or outside the file",
                body=body,
                extra={"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"},
            )
            return
        start, end = span if span is not None else (0, size - 1)
        length = end - start + 1 if size else 0
        status = HTTPStatus.PARTIAL_CONTENT if span is not None else HTTPStatus.OK
        if span is not None:
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        headers["Content-Length"] = str(length)
        self._head(status, headers)
        sent = 0
        if body and length:
            if data is not None:
                self.wfile.write(data[start : end + 1])
                sent = length
            else:
                sent = self._copy(real, start, length)
        self._log(status, sent)

    def _head(self, status: HTTPStatus, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def _copy(self, path: Path, start: int, length: int) -> int:
        sent = 0
        with path.open("rb") as handle:
            handle.seek(start)
            while sent < length:
                chunk = handle.read(min(_CHUNK, length - sent))
                if not chunk:
                    break
                self.wfile.write(chunk)
                sent += len(chunk)
        return sent


def _matches(header: str | None, etag: str) -> bool:
    if header is None:
        return False
    candidates = [c.strip().removeprefix("W/") for c in header.split(",")]
    return "*" in candidates or etag in candidates


def make_server(out: Path, host: str = "127.0.0.1", port: int = 8000) -> ReleaseServer:
    """A server for the output folder `out` (not yet serving: call `serve_forever`).

    Port 0 picks a free port (see `ReleaseServer.url`).

    Raises:
        FileNotFoundError: `out` is not a folder.
    """
    if not out.is_dir():
        raise FileNotFoundError(
            f"{out} is not a folder: pass --out DIR, the folder `broadsheet run` publishes into"
        )
    return ReleaseServer(out, (host, port))


def serve(out: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the releases of `out` over HTTP until interrupted."""
    server = make_server(out, host, port)
    logger.info("serving %s at %s (catalog: %scatalog.json)", os.fspath(out), server.url, server.url)
    try:
        server.serve_forever()
    finally:
        server.server_close()
