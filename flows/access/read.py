"""Reading published releases: the Python API for the people who use the data.

    open_catalog(url_or_path)                          the catalog: releases, datasets, files
    open_dataset(url_or_path, "positions")             one dataset of the latest release, as a pyarrow Table
    open_dataset(url, "comments", release=ID, format="jsonl")

`url_or_path` is where a release was published or is served: an output folder, a
`file://` URL, an `s3://bucket/prefix` URL, or the `http(s)://` URL of a
`broadsheet serve` (or any static web server) with or without the trailing
`catalog.json`. Every file is checked against the size and SHA-256 the catalog
names before it is used.

A `ReleaseSource` is what these functions and `flows.access.download` read from: one
small Protocol with an HTTP implementation (`HttpSource`, on httpx) and one over
a `Storage` (`StorageSource`: folders and object stores).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from typing import Literal, Protocol, runtime_checkable
from urllib.parse import quote, urlsplit

import httpx
import pyarrow as pa
import pyarrow.json as pajson
import pyarrow.parquet as pq

from flows.errors import (
    BroadsheetError,
    ChecksumMismatch,
    DownloadError,
    TransientDownloadError,
    UnsafeCatalog,
)
from flows.release.catalog import CATALOG, parse_catalog
from flows.release.storage import Storage, storage_for
from flows.version import package_version
from schemas import arrow_schema
from schemas.catalog import Catalog, CatalogFile, CatalogRelease, safe_relative_path

__all__ = [
    "HttpSource",
    "ReleaseSource",
    "StorageSource",
    "dataset_file",
    "open_catalog",
    "open_dataset",
    "source_for",
    "verify_bytes",
]

Format = Literal["parquet", "jsonl"]
_CHUNK = 256 * 1024


@runtime_checkable
class ReleaseSource(Protocol):
    """Where published releases are read from."""

    #: The base location, for messages.
    url: str

    def read_bytes(self, path: str) -> bytes:
        """The whole file `path` (relative to the output location).

        Raises:
            DownloadError: it cannot be read (TransientDownloadError when trying again may help).
        """
        ...

    def stream(
        self, path: str, *, start: int = 0, etag: str | None = None
    ) -> contextlib.AbstractContextManager[tuple[int, Iterator[bytes]]]:
        """The bytes of `path` from `start` on, in chunks.

        Yields `(offset, chunks)`: `offset` is `start` when the source could resume
        there (an HTTP 206 answer), or 0 when it sends the whole file. With `etag`,
        a resumed transfer is only accepted if the file is still that version.
        """
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def _relative(path: str, base: str) -> str:
    try:
        return safe_relative_path(path)
    except ValueError as exc:
        raise UnsafeCatalog(f"the catalog names an unsafe path: {exc}; refusing it", uri=base) from None


class HttpSource:
    """Releases served over HTTP(S): `broadsheet serve`, a static web server, a CDN.

    Redirects are not followed: every file must come from the host that serves the
    catalog (a catalog cannot send a download to another host).
    """

    def __init__(self, url: str, *, client: httpx.Client | None = None, timeout: float = 60.0) -> None:
        parts = urlsplit(url)
        path = parts.path
        self.catalog_name = CATALOG
        if path.endswith(".json"):
            path, _, self.catalog_name = path.rpartition("/")
        self.url = parts._replace(path=path.rstrip("/") + "/", query="", fragment="").geturl()
        self._own = client is None
        self.client = client or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            follow_redirects=False,
            headers={"User-Agent": f"broadsheet/{package_version()}"},
        )

    def _url(self, path: str) -> str:
        if path == CATALOG:
            return self.url + quote(self.catalog_name)
        return self.url + quote(_relative(path, self.url))

    def _fail(self, response: httpx.Response, url: str) -> DownloadError:
        status = response.status_code
        if 300 <= status < 400:
            where = response.headers.get("Location", "elsewhere")
            return UnsafeCatalog(
                f"the server redirects to {where}: broadsheet downloads only from the URL "
                "it was given; pass that URL instead",
                uri=url,
            )
        if status == 404:
            return DownloadError(
                "is not on the server (404): check the URL, or the release may have been "
                "removed; run again to read the current catalog",
                uri=url,
            )
        if status == 429 or status >= 500:
            return TransientDownloadError(f"the server answered {status}: try again later", uri=url)
        return DownloadError(f"the server answered {status} {response.reason_phrase}", uri=url)

    def read_bytes(self, path: str) -> bytes:
        url = self._url(path)
        try:
            response = self.client.get(url)
        except httpx.TransportError as exc:
            raise TransientDownloadError(
                f"could not be fetched ({exc}): check the URL and try again", uri=url
            ) from None
        if response.status_code != 200:
            raise self._fail(response, url)
        return response.content

    @contextlib.contextmanager
    def stream(
        self, path: str, *, start: int = 0, etag: str | None = None
    ) -> Iterator[tuple[int, Iterator[bytes]]]:
        url = self._url(path)
        headers = {}
        if start:
            headers["Range"] = f"bytes={start}-"
            if etag:
                headers["If-Range"] = etag
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                if response.status_code == 206 and response.headers.get("Content-Range", "").startswith(
                    f"bytes {start}-"
                ):
                    yield start, response.iter_bytes(_CHUNK)
                elif response.status_code == 200:
                    yield 0, response.iter_bytes(_CHUNK)
                elif response.status_code == 416 and start:
                    with self.stream(path) as whole:
                        yield whole
                else:
                    raise self._fail(response, url)
        except httpx.TransportError as exc:
            raise TransientDownloadError(
                f"the transfer failed ({exc}): run again to resume it", uri=url
            ) from None

    def close(self) -> None:
        if self._own:
            self.client.close()


class StorageSource:
    """Releases in an output location read directly: a folder, `file://` or `s3://`."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.url = storage.url

    def read_bytes(self, path: str) -> bytes:
        try:
            return self.storage.read_bytes(path if path == CATALOG else _relative(path, self.url))
        except FileNotFoundError:
            raise DownloadError(f"{path} does not exist here: check the location", uri=self.url) from None
        except OSError as exc:
            raise TransientDownloadError(f"{path} could not be read ({exc})", uri=self.url) from None

    @contextlib.contextmanager
    def stream(
        self, path: str, *, start: int = 0, etag: str | None = None
    ) -> Iterator[tuple[int, Iterator[bytes]]]:
        try:
            handle = self.storage.open_arrow(_relative(path, self.url))
        except FileNotFoundError:
            raise DownloadError(f"{path} does not exist here: check the location", uri=self.url) from None
        with handle:
            handle.seek(start)

            def chunks() -> Iterator[bytes]:
                while chunk := handle.read(_CHUNK):
                    yield bytes(chunk)

            yield start, chunks()

    def close(self) -> None:
        return None


def source_for(location: str | os.PathLike[str] | ReleaseSource) -> ReleaseSource:
    """The source for an HTTP(S) URL, a folder, a `file://` URL or an `s3://` URL."""
    if isinstance(location, ReleaseSource):
        return location
    text = os.fspath(location)
    if text.lower().startswith(("http://", "https://")):
        return HttpSource(text)
    if text.endswith("/" + CATALOG) or text == CATALOG:
        text = text[: -len(CATALOG)] or "."
    return StorageSource(storage_for(text))


def _catalog(source: ReleaseSource) -> Catalog:
    return parse_catalog(source.read_bytes(CATALOG), uri=source.url)


def open_catalog(location: str | os.PathLike[str] | ReleaseSource) -> Catalog:
    """The catalog of the releases at `location` (see the module docstring for the kinds of location).

    Raises:
        DownloadError: the catalog cannot be fetched.
        CatalogError: it is not a valid catalog.
    """
    source = source_for(location)
    try:
        return _catalog(source)
    finally:
        if source is not location:
            source.close()


def verify_bytes(data: bytes, file: CatalogFile, *, uri: str) -> None:
    """Check `data` against the size and SHA-256 that the catalog gives for `file`.

    Raises:
        ChecksumMismatch: they differ.
    """
    digest = hashlib.sha256(data).hexdigest()
    if len(data) != file.bytes or digest != file.sha256:
        raise ChecksumMismatch(
            f"{file.path} is {len(data):,} bytes with SHA-256 {digest}, but the catalog says {file.bytes:,} "
            f"bytes with SHA-256 {file.sha256}: the file was changed or damaged; it was not used",
            uri=uri,
        )


def dataset_file(release: CatalogRelease, name: str, format: Format = "parquet") -> CatalogFile:  # noqa: A002
    """The file of dataset `name` in `format` in `release`.

    Raises:
        DownloadError: the release has no such dataset or format.
    """
    entry = release.datasets.get(name)
    if entry is None:
        known = ", ".join(release.datasets) or "none"
        raise DownloadError(f"release {release.id} has no dataset {name!r} (it has: {known})")
    for file in entry.files:
        if file.format == format:
            return file
    formats = ", ".join(f.format for f in entry.files)
    raise DownloadError(
        f"dataset {name!r} is published as {formats} only: pass format={entry.files[0].format!r}"
    )


def open_dataset(
    location: str | os.PathLike[str] | ReleaseSource,
    name: str,
    *,
    release: str | None = None,
    format: Format = "parquet",
) -> pa.Table:  # noqa: A002
    """One dataset of a release as a pyarrow Table, checked against the catalog's SHA-256.

    Args:
        location: where the releases are (folder, `file://`, `s3://` or `http(s)://` URL).
        name: the dataset: `documents`, `articles`, `positions`, `comments` or `rejects`.
        release: the release id (default: the latest).
        format: read the Parquet file or the JSON Lines file (same records either way).

    Raises:
        DownloadError: no such release, dataset or format, or the file cannot be fetched.
        ChecksumMismatch: the file differs from the catalog.

    Example:
        >>> positions = open_dataset("http://127.0.0.1:8000/", "positions")   # doctest: +SKIP
        >>> positions.to_pandas().groupby("actor").size()                     # doctest: +SKIP
    """
    source = source_for(location)
    try:
        catalog = _catalog(source)
        try:
            chosen = catalog.release(release)
        except KeyError as exc:
            raise DownloadError(str(exc.args[0]), uri=source.url) from None
        file = dataset_file(chosen, name, format)
        data = source.read_bytes(file.path)
    finally:
        if source is not location:
            source.close()
    verify_bytes(data, file, uri=source.url)
    schema = arrow_schema(name)
    try:
        if format == "parquet":
            table = pq.read_table(pa.BufferReader(data))
        elif not data:
            return schema.empty_table()
        else:
            options = pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error")
            table = pajson.read_json(pa.BufferReader(data), parse_options=options)
        # Same types, names, nullability and field descriptions, whichever file was read.
        return table.select(schema.names).cast(schema)
    except (pa.ArrowInvalid, KeyError) as exc:
        raise BroadsheetError(
            f"{file.path} cannot be read as {name} records ({exc})", uri=source.url
        ) from None
