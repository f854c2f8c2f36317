"""Where releases are published: a folder on disk or an object-store prefix.

    Storage (Protocol)          what publishing, the catalog and downloads need of a location
     ├── LocalStorage           a folder: files written then fsync'd, folders renamed, an flock lock
     └── S3Storage              `s3://bucket/prefix`: pyarrow's S3 filesystem for the data, a lease
                                object taken with a conditional PUT for the lock

Paths given to a storage are POSIX paths relative to its root (`catalog.json`,
`releases/<id>/positions.parquet`). Every operation that readers can observe is
atomic on both: a file appears whole or not at all (rename on disk, one PUT or
one completed multipart upload on S3), and `catalog.json` is replaced in one step.

`storage_for(location)` picks the implementation from a path or URL. S3 settings
come from the usual AWS variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
`AWS_REGION`, `AWS_ENDPOINT_URL` or `AWS_ENDPOINT_URL_S3` for S3-compatible servers)
or from the URL's query: `s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=eu-west-1`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import logging
import os
import shutil
import socket
import stat
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any, Protocol, cast, runtime_checkable
from urllib.parse import parse_qs, unquote, urlsplit

import pyarrow as pa
import pyarrow.fs as pafs

from flows.clock import SYSTEM, Clock
from flows.durable import DurableFile, fsync_dir, write_file_atomic
from flows.errors import ConfigError, OutputLocked, PublishError
from flows.faults import fault_point

__all__ = [
    "DEFAULT_LEASE_SECONDS",
    "HashingWriter",
    "LocalStorage",
    "OutputLock",
    "S3Lease",
    "S3Settings",
    "S3Storage",
    "Storage",
    "storage_for",
]

LOCK = ".lock"
#: How long an S3 lock lease lasts without being renewed (the holder renews it every third of that).
DEFAULT_LEASE_SECONDS = 60.0
_POLL_SECONDS = 0.2
_log = logging.getLogger("broadsheet")


@runtime_checkable
class OutputLock(Protocol):
    """A held publishing lock."""

    def check(self) -> None:
        """Raise `OutputLocked` when the lock was lost (an S3 lease taken over by another run)."""


@runtime_checkable
class Storage(Protocol):
    """An output location: what publishing, the catalog and downloads need of it."""

    #: The location as the user wrote it (a path or an `s3://` URL), for messages.
    url: str

    def read_bytes(self, path: str) -> bytes:
        """The content of `path`. Raises FileNotFoundError when it does not exist."""
        ...

    def size(self, path: str) -> int | None:
        """The size of the file `path` in bytes, or None when there is no such file."""
        ...

    def open_reader(self, path: str) -> IO[bytes]:
        """`path` for reading from the start (a stream). Raises FileNotFoundError."""
        ...

    def open_arrow(self, path: str) -> pa.NativeFile:
        """`path` as a random-access Arrow file (for Parquet readers). Raises FileNotFoundError."""
        ...

    def open_writer(self, path: str) -> IO[bytes]:
        """A new file at `path`; its content is durable once the stream is closed."""
        ...

    def write_atomic(self, path: str, data: bytes) -> None:
        """Replace `path` by `data` so that readers see the old content or the new, never a mix."""
        ...

    def list_dir(self, path: str) -> list[str]:
        """Names of the entries directly under the folder `path` (empty when it does not exist)."""
        ...

    def remove_tree(self, path: str) -> None:
        """Remove the folder `path` and everything in it (nothing when it does not exist)."""
        ...

    def promote(self, source: str, target: str) -> None:
        """Move the finished folder `source` to `target`, which must not exist yet."""
        ...

    def lock(self, wait: float = 0.0) -> contextlib.AbstractContextManager[OutputLock]:
        """Hold the publishing lock, waiting up to `wait` seconds; raise `OutputLocked` otherwise."""
        ...


def storage_for(
    location: str | os.PathLike[str] | Storage, *, lease_seconds: float | None = None, clock: Clock = SYSTEM
) -> Storage:
    """The storage for a path, a `file://` URL or an `s3://bucket/prefix` URL.

    `clock` times the lock: how long to wait for it, and (on S3) when a lease expires and is
    renewed.

    Raises:
        ConfigError: an unsupported URL scheme.
    """
    if isinstance(location, Storage):
        return location
    text = os.fspath(location)
    scheme = urlsplit(text).scheme.lower() if "://" in text else ""
    if scheme == "s3":
        return S3Storage.from_url(text, lease_seconds=lease_seconds, clock=clock)
    if scheme == "file":
        return LocalStorage(Path(unquote(urlsplit(text).path)), clock=clock)
    if scheme:
        raise ConfigError(
            f"cannot publish to a {scheme}:// location: use a folder or an s3://bucket/prefix URL", uri=text
        )
    return LocalStorage(Path(text), clock=clock)


class HashingWriter(io.RawIOBase):
    """A write-only stream that counts and hashes (SHA-256) what passes through it.

    Lets a release record the size and checksum of each file while writing it,
    without reading it back (which on object storage would mean downloading it).
    """

    def __init__(self, sink: IO[bytes]) -> None:
        super().__init__()
        self._sink = sink
        self._digest = hashlib.sha256()
        self.bytes = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self._sink.write(view)
        self._digest.update(view)
        self.bytes += len(view)
        return len(view)

    def tell(self) -> int:
        return self.bytes

    def flush(self) -> None:
        if not self.closed:
            self._sink.flush()

    def close(self) -> None:
        if not self.closed:
            try:
                super().close()  # flushes first
            finally:
                self._sink.close()

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of everything written so far."""
        return self._digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# A folder on disk


@dataclass(frozen=True, slots=True)
class _NoCheck:
    def check(self) -> None:
        return None


class LocalStorage:
    """An output folder on a local (POSIX) file system."""

    def __init__(self, root: Path, *, clock: Clock = SYSTEM) -> None:
        self.root = root
        self.url = str(root)
        self.clock = clock

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    def _path(self, path: str) -> Path:
        return self.root / path if path else self.root

    def read_bytes(self, path: str) -> bytes:
        return self._path(path).read_bytes()

    def size(self, path: str) -> int | None:
        try:
            info = self._path(path).stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        return info.st_size if stat.S_ISREG(info.st_mode) else None

    def open_reader(self, path: str) -> IO[bytes]:
        return self._path(path).open("rb")

    def open_arrow(self, path: str) -> pa.NativeFile:
        return pa.OSFile(str(self._path(path)), "rb")

    def open_writer(self, path: str) -> IO[bytes]:
        target = self._path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        return DurableFile(target, "xb")

    def write_atomic(self, path: str, data: bytes) -> None:
        write_file_atomic(self._path(path), data)

    def list_dir(self, path: str) -> list[str]:
        try:
            return sorted(entry.name for entry in os.scandir(self._path(path)))
        except (FileNotFoundError, NotADirectoryError):
            return []

    def remove_tree(self, path: str) -> None:
        target = self._path(path)
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.exists():
            shutil.rmtree(target)

    def promote(self, source: str, target: str) -> None:
        src, dst = self._path(source), self._path(target)
        if dst.exists():
            raise PublishError(f"release folder {dst} already exists: remove it or run again", uri=self.url)
        fsync_dir(src)
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)
        fsync_dir(dst.parent)
        fsync_dir(src.parent)

    @contextlib.contextmanager
    def lock(self, wait: float = 0.0) -> Iterator[OutputLock]:
        """An advisory `flock` on `<root>/.lock`.

        The operating system releases it when the process ends, however it ends, so a
        killed run never leaves it stuck.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        handle = (self.root / LOCK).open("a+")
        try:
            deadline = self.clock.monotonic() + max(wait, 0.0)
            waiting = False
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    if self.clock.monotonic() >= deadline:
                        raise OutputLocked(_locked_message(holder, wait), uri=self.url) from None
                    if not waiting:
                        _say_waiting(holder, wait, self.url)
                        waiting = True
                    self.clock.sleep(_POLL_SECONDS)
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()} on {socket.gethostname()}")
            handle.flush()
            yield _NoCheck()
        finally:
            handle.close()


def _say_waiting(holder: str, wait: float, url: str) -> None:
    """Tell the operator that this run waits for the lock, and for whom (the command line shows
    the `broadsheet` logger's messages on standard error)."""
    _log.info("waiting up to %g s for %s, which is publishing into %s", wait, holder, url)


def _locked_message(holder: str, wait: float) -> str:
    waited = f" (waited {wait:g} s)" if wait > 0 else ""
    return (
        f"another broadsheet run ({holder}) is publishing into this output{waited}: wait for it to "
        "finish and run again, or pass --wait SECONDS to wait for it"
    )


# ---------------------------------------------------------------------------------------------
# An S3 (or S3-compatible) prefix


@dataclass(frozen=True, slots=True)
class S3Settings:
    """Where and how to reach an S3-compatible service."""

    bucket: str
    prefix: str
    endpoint: str | None
    region: str


def _s3_settings(url: str) -> S3Settings:
    parts = urlsplit(url)
    if not parts.netloc:
        raise ConfigError("an S3 location needs a bucket: s3://bucket/prefix", uri=url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(query) - {"endpoint", "region"}
    if unknown:
        raise ConfigError(
            f"unknown S3 option(s) {', '.join(sorted(unknown))}: the URL query may set endpoint and region",
            uri=url,
        )
    endpoint = (
        query.get("endpoint") or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    )
    region = query.get("region") or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    return S3Settings(parts.netloc, parts.path.strip("/"), endpoint or None, region or "us-east-1")


class S3Storage:
    """An output prefix in an S3 bucket (AWS, or any S3-compatible server such as MinIO).

    Data goes through `pyarrow.fs.S3FileSystem` (multipart uploads for large files,
    server-side copies to promote a staged release). The lock is a lease object,
    `<prefix>/.lock`, created with a conditional PUT (`If-None-Match: *`) so that two
    runs cannot both create it, renewed by its holder while it publishes, and taken
    over (with `If-Match` on the stale object) when its holder stopped renewing it for
    `lease_seconds`, e.g. because it was killed.
    """

    def __init__(
        self, settings: S3Settings, *, url: str, lease_seconds: float = DEFAULT_LEASE_SECONDS,
        clock: Clock = SYSTEM,
    ) -> None:
        self.settings = settings
        self.url = url
        self.lease_seconds = lease_seconds
        self.clock = clock
        options: dict[str, Any] = {"region": settings.region}
        if settings.endpoint:
            endpoint = urlsplit(settings.endpoint)
            options["endpoint_override"] = endpoint.netloc or endpoint.path
            options["scheme"] = endpoint.scheme or "https"
        self.fs = pafs.S3FileSystem(**options)
        self._client: Any = None

    @classmethod
    def from_url(cls, url: str, *, lease_seconds: float | None = None, clock: Clock = SYSTEM) -> S3Storage:
        """The storage for `s3://bucket/prefix` (see the module docstring for its settings)."""
        if lease_seconds is None:
            lease_seconds = float(os.environ.get("BROADSHEET_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))
        return cls(_s3_settings(url), url=url, lease_seconds=lease_seconds, clock=clock)

    def __repr__(self) -> str:
        return f"S3Storage({self.url!r})"

    def _key(self, path: str) -> str:
        return "/".join(p for p in (self.settings.prefix, path) if p)

    def _path(self, path: str) -> str:
        return "/".join(p for p in (self.settings.bucket, self._key(path)) if p)

    def read_bytes(self, path: str) -> bytes:
        with self.fs.open_input_stream(self._path(path)) as handle:
            return bytes(handle.read())

    def size(self, path: str) -> int | None:
        info = self.fs.get_file_info(self._path(path))
        return info.size if info.type == pafs.FileType.File else None

    def open_reader(self, path: str) -> IO[bytes]:
        return cast(IO[bytes], self.fs.open_input_stream(self._path(path)))

    def open_arrow(self, path: str) -> pa.NativeFile:
        return self.fs.open_input_file(self._path(path))

    def open_writer(self, path: str) -> IO[bytes]:
        return cast(IO[bytes], self.fs.open_output_stream(self._path(path), metadata={}))

    def write_atomic(self, path: str, data: bytes) -> None:
        # One object written in one request (or one completed multipart upload): atomic on S3.
        with self.fs.open_output_stream(self._path(path), metadata={}) as handle:
            handle.write(data)

    def list_dir(self, path: str) -> list[str]:
        selector = pafs.FileSelector(self._path(path), allow_not_found=True, recursive=False)
        return sorted(info.base_name for info in self.fs.get_file_info(selector))

    def _files(self, path: str) -> list[str]:
        selector = pafs.FileSelector(self._path(path), allow_not_found=True, recursive=True)
        base = self._path(path) + "/"
        return sorted(
            info.path.removeprefix(base)
            for info in self.fs.get_file_info(selector)
            if info.type == pafs.FileType.File
        )

    def remove_tree(self, path: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fs.delete_dir(self._path(path))

    def promote(self, source: str, target: str) -> None:
        """Copy every object of `source` under `target` (server side), then delete `source`.

        `datapackage.json` is copied last, so a release folder that holds it is complete.
        """
        if self._files(target):
            raise PublishError(
                f"release folder {target} already exists: remove it or run again", uri=self.url
            )
        names = self._files(source)
        names.sort(key=lambda name: name == "datapackage.json")
        for name in names:
            self.fs.copy_file(self._path(f"{source}/{name}"), self._path(f"{target}/{name}"))
            fault_point("during-move")
        self.remove_tree(source)

    def client(self) -> Any:
        """A boto3 S3 client for the same service (for the conditional requests of the lock)."""
        if self._client is None:
            try:
                import boto3
            except ImportError:  # pragma: no cover - depends on the installed extras
                raise ConfigError(
                    "publishing to S3 needs boto3 for its lock: pip install 'broadsheet[s3]'", uri=self.url
                ) from None
            self._client = boto3.client(
                "s3", endpoint_url=self.settings.endpoint, region_name=self.settings.region
            )
        return self._client

    @contextlib.contextmanager
    def lock(self, wait: float = 0.0) -> Iterator[OutputLock]:
        lease = S3Lease(
            self.client(), self.settings.bucket, self._key(LOCK), url=self.url, seconds=self.lease_seconds,
            clock=self.clock,
        )
        lease.acquire(wait)
        try:
            yield lease
        finally:
            lease.release()


def _error_code(error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


class S3Lease:
    """The publishing lock on S3: a lease object created with a conditional PUT.

    The object holds who holds it and until when (`expires_at`). The holder renews it
    every third of the lease from a background thread (`If-Match` on its own ETag, so
    a renewal never overwrites another run's lease). A lease that was not renewed in
    time (its holder was killed) is taken over with `If-Match` on the stale ETag; of
    two runs that try at once, one wins. Servers that do not support conditional
    writes get a plain lease: create, wait a moment, read back; documented as weaker.
    """

    def __init__(
        self, client: Any, bucket: str, key: str, *, url: str, seconds: float, clock: Clock = SYSTEM
    ) -> None:
        self.client = client
        self.clock = clock
        self.bucket = bucket
        self.key = key
        self.url = url
        self.seconds = seconds
        self.token = uuid.uuid4().hex
        self.holder = f"pid {os.getpid()} on {socket.gethostname()}"
        self.etag: str | None = None
        self.lost = False
        #: Renewals that reached the server, for the curious and the tests.
        self.renewals = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._conditional = True

    def _body(self) -> bytes:
        expires = self.clock.now() + timedelta(seconds=self.seconds)
        return json.dumps(
            {"holder": self.holder, "token": self.token, "expires_at": expires.isoformat()}
        ).encode()

    def _put(self, **conditions: str) -> str:
        response = self.client.put_object(
            Bucket=self.bucket, Key=self.key, Body=self._body(), ContentType="application/json", **conditions
        )
        return str(response["ETag"])

    def _current(self) -> tuple[dict[str, Any], str] | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.key)
        except Exception as error:
            if _error_code(error) in ("NoSuchKey", "404"):
                return None
            raise
        try:
            body = json.loads(response["Body"].read())
        except ValueError:
            body = {}
        return (body if isinstance(body, dict) else {}), str(response["ETag"])

    def _expired(self, body: dict[str, Any]) -> bool:
        try:
            return datetime.fromisoformat(str(body["expires_at"])) < self.clock.now()
        except (KeyError, ValueError):
            return True

    def _try_acquire(self) -> dict[str, Any] | None:
        """Take the lease if it is free or stale; otherwise return the holder's lease."""
        try:
            self.etag = self._put(IfNoneMatch="*") if self._conditional else self._plain_acquire()
            return None
        except Exception as error:
            code = _error_code(error)
            if code == "NotImplemented" and self._conditional:
                self._conditional = False
                return self._try_acquire()
            if code not in ("PreconditionFailed", "ConditionalRequestConflict", "Locked"):
                raise
        current = self._current()
        if current is None:
            return {}
        body, etag = current
        if not self._expired(body):
            return body
        try:
            self.etag = self._put(IfMatch=etag)
            return None
        except Exception as error:
            if _error_code(error) in ("PreconditionFailed", "ConditionalRequestConflict"):
                return body
            raise

    def _plain_acquire(self) -> str:
        current = self._current()
        if current is not None and not self._expired(current[0]):
            raise _Held()
        etag = self._put()
        self.clock.sleep(1.0)  # let a rival's PUT of the same moment land, then see whose stayed
        now = self._current()
        if now is None or now[0].get("token") != self.token:
            raise _Held()
        return etag

    def acquire(self, wait: float) -> None:
        """Take the lease, waiting up to `wait` seconds for its holder to finish."""
        deadline = self.clock.monotonic() + max(wait, 0.0)
        waiting = False
        while True:
            try:
                held = self._try_acquire()
            except _Held:
                held = {}
            if held is None:
                break
            holder = held.get("holder") or "another process"
            until = f", lease until {held['expires_at']}" if held.get("expires_at") else ""
            if self.clock.monotonic() >= deadline:
                raise OutputLocked(_locked_message(f"{holder}{until}", wait), uri=self.url)
            if not waiting:
                _say_waiting(f"{holder}{until}", wait, self.url)
                waiting = True
            self.clock.sleep(_POLL_SECONDS)
        self._thread = threading.Thread(target=self._renew, name="broadsheet-lease", daemon=True)
        self._thread.start()

    def _renew(self) -> None:
        while not self.clock.wait(self._stop, self.seconds / 3):
            if not self.renew():
                return

    def renew(self) -> bool:
        """Extend the lease (what the background thread does every third of it); returns False
        once the lease is lost to another run (then `check` raises)."""
        try:
            self.etag = self._put(IfMatch=self.etag) if self._conditional and self.etag else self._put()
        except Exception as error:
            if _error_code(error) in ("PreconditionFailed", "NoSuchKey"):
                self.lost = True
                return False
            return True  # a passing fault: the next renewal tries again, well before the lease ends
        self.renewals += 1
        return True

    def check(self) -> None:
        """Raise `OutputLocked` when the lease was lost to another run."""
        if self.lost:
            raise OutputLocked(
                "this run lost its lock on the output (it was not renewed in time and another run took it "
                "over): nothing was published; run again",
                uri=self.url,
            )

    def release(self) -> None:
        """Stop renewing and delete the lease object, if it is still ours."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.lost or self.etag is None:
            return
        with contextlib.suppress(Exception):
            if self._conditional:
                self.client.delete_object(Bucket=self.bucket, Key=self.key, IfMatch=self.etag)
            else:
                current = self._current()
                if current is not None and current[0].get("token") == self.token:
                    self.client.delete_object(Bucket=self.bucket, Key=self.key)


class _Held(Exception):
    """The plain (unconditional) lease is held by someone else."""
