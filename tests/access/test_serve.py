"""`broadsheet serve` over real HTTP on 127.0.0.1: content types, ETag, ranges, and nothing served
beyond what the catalog names."""

from __future__ import annotations

import glob
import http.client
import io
import os
import sysconfig
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.access.serve import parse_range
from flows.pipeline.run import run_once
from flows.release.catalog import read_catalog

from ..conftest import SEED

Serve = Callable[[Path], str]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One release of the seed, shared by the tests that only read it."""
    root = tmp_path_factory.mktemp("published")
    (root / "raw").mkdir()
    (root / "raw" / SEED.name).write_bytes(SEED.read_bytes())
    run_once(root / "raw", root / "out")
    return root / "out"


@pytest.fixture(scope="module")
def web() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def _raw_get(url: str, target: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """A request with the target sent exactly as given (no client-side normalisation of '..')."""
    parts = httpx.URL(url)
    connection = http.client.HTTPConnection(parts.host, parts.port, timeout=10)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_catalog_and_files_have_the_right_headers(web: httpx.Client, published: Path, served: Serve) -> None:
    url = served(published)
    release = read_catalog(published).release()
    catalog = web.get(url + "catalog.json")
    assert catalog.status_code == 200
    assert catalog.headers["content-type"] == "application/json; charset=utf-8"
    assert catalog.content == (published / "catalog.json").read_bytes()
    assert catalog.headers["cache-control"] == "no-cache"
    expected = {
        "parquet": "application/vnd.apache.parquet",
        "jsonl": "application/jsonl; charset=utf-8",
        "json": "application/json; charset=utf-8",
        "markdown": "text/markdown; charset=utf-8",
        "html": "text/html; charset=utf-8",
    }
    for file in release.files():
        response = web.get(url + file.path)
        assert response.status_code == 200, file.path
        assert response.content == (published / file.path).read_bytes()
        assert response.headers["content-type"] == expected[file.format]
        assert response.headers["content-length"] == str(file.bytes)
        assert response.headers["etag"] == f'"{file.sha256}"'
        assert response.headers["accept-ranges"] == "bytes"
        assert "immutable" in response.headers["cache-control"]
        assert response.headers["last-modified"].endswith("GMT")
        assert "traceback" not in response.text.lower()


def test_head_and_conditional_requests(web: httpx.Client, published: Path, served: Serve) -> None:
    url = served(published)
    file = read_catalog(published).release().datasets["positions"].files[0]
    head = web.head(url + file.path)
    assert (
        head.status_code == 200 and head.content == b"" and head.headers["content-length"] == str(file.bytes)
    )
    etag = head.headers["etag"]
    assert web.get(url + file.path, headers={"If-None-Match": etag}).status_code == 304
    assert web.get(url + file.path, headers={"If-None-Match": '"other", ' + etag}).status_code == 304
    assert web.get(url + file.path, headers={"If-None-Match": '"other"'}).status_code == 200
    catalog = web.get(url + "catalog.json")
    assert (
        web.get(url + "catalog.json", headers={"If-None-Match": catalog.headers["etag"]}).status_code == 304
    )


def test_byte_ranges(web: httpx.Client, published: Path, served: Serve) -> None:
    url = served(published)
    file = read_catalog(published).release().datasets["positions"].files[0]
    data = (published / file.path).read_bytes()
    size = len(data)
    target = url + file.path
    cases = {
        "bytes=0-3": (0, 3),
        "bytes=10-": (10, size - 1),
        "bytes=-8": (size - 8, size - 1),
        f"bytes=5-{size + 100}": (5, size - 1),
    }
    for header, (start, end) in cases.items():
        response = web.get(target, headers={"Range": header})
        assert response.status_code == 206, header
        assert response.headers["content-range"] == f"bytes {start}-{end}/{size}"
        assert response.content == data[start : end + 1]
    for header in (
        f"bytes={size}-",
        "bytes=9-3",
        "bytes=-0",
        "bytes=abc",
        "bytes=1-2-3",
        "bytes=99999999999999999999999-",
    ):
        response = web.get(target, headers={"Range": header})
        assert response.status_code == 416, header
        assert response.headers["content-range"] == f"bytes */{size}"
    # Several ranges, other units, or an If-Range for another version: the whole file.
    for headers in (
        {"Range": "bytes=0-1,5-6"},
        {"Range": "items=0-1"},
        {"Range": "bytes=0-1", "If-Range": '"0000"'},
    ):
        response = web.get(target, headers=headers)
        assert response.status_code == 200 and response.content == data
    same = web.get(target, headers={"Range": "bytes=0-1", "If-Range": f'"{file.sha256}"'})
    assert same.status_code == 206


def test_parse_range_edges() -> None:
    assert parse_range(None, 10) is None
    assert parse_range("bytes=0-0", 10) == (0, 0)
    assert parse_range("bytes=-20", 10) == (0, 9)
    with pytest.raises(ValueError):
        parse_range("bytes=0-", 0)


@pytest.mark.parametrize(
    "target",
    [
        "/releases",
        "/releases/",
        "/releases/../catalog.json",
        "/releases/%2e%2e/catalog.json",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/releases/x/..%2f..%2fcatalog.json",
        "/../../../../etc/passwd",
        "//etc/passwd",
        "/.lock",
        "/catalog.json/",
        "/./catalog.json",
        "/catalog.json%00",
        "/releases/%2fetc%2fpasswd",
        "/.staging/",
        "http://evil.example/catalog.json",
        "*",
    ],
)
def test_nothing_beyond_the_catalog_is_served(target: str, published: Path, served: Serve) -> None:
    url = served(published)
    status, _, body = _raw_get(url, target)
    assert status in (400, 404), target
    assert b"Traceback" not in body and b"root:" not in body


def test_unlisted_files_and_escaping_links_are_not_served(
    web: httpx.Client, raw_dir: Path, served: Serve, tmp_path: Path
) -> None:
    published = tmp_path / "out"
    run_once(raw_dir, published)
    url = served(published)
    release = read_catalog(published).release()
    (published / release.path / "notes.txt").write_text("private")
    assert web.get(f"{url}{release.path}/notes.txt").status_code == 404
    assert web.get(f"{url}{release.path}/").content == (published / release.path / "index.html").read_bytes()
    # A published file replaced by a link to a file outside the folder is refused.
    secret = tmp_path / "secret.jsonl"
    secret.write_bytes(b"x" * release.datasets["rejects"].files[0].bytes)
    target = published / release.datasets["rejects"].files[0].path
    target.unlink()
    os.symlink(secret, target)
    assert web.get(url + release.datasets["rejects"].files[0].path).status_code == 404


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND", "BREW"])
def test_only_get_and_head(method: str, published: Path, served: Serve) -> None:
    url = served(published)
    status, headers, body = _raw_get(url, "/catalog.json", method=method)
    assert status == 405 and headers["Allow"] == "GET, HEAD" and b"only GET and HEAD" in body


def test_one_log_line_per_request(
    web: httpx.Client, published: Path, served: Serve, caplog: pytest.LogCaptureFixture
) -> None:
    url = served(published)
    with caplog.at_level("INFO", logger="broadsheet.serve"):
        web.get(url + "catalog.json")
        web.get(url + "nope")
    lines = [r.getMessage() for r in caplog.records if r.name == "broadsheet.serve"]
    assert any('"GET /catalog.json" 200' in line for line in lines)
    assert any('"GET /nope" 404' in line for line in lines)
    assert len(lines) == 2


class _HttpRangeFile(io.RawIOBase):
    """A read-only, seekable file over HTTP Range requests: how remote Parquet readers work."""

    def __init__(self, url: str, web: httpx.Client) -> None:
        super().__init__()
        self.url, self.web, self.position, self.requests = url, web, 0, []  # type: ignore[var-annotated]
        self.size = int(web.head(url).headers["content-length"])

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = {0: offset, 1: self.position + offset, 2: self.size + offset}[whence]
        return self.position

    def tell(self) -> int:
        return self.position

    def read(self, size: int = -1) -> bytes:
        end = self.size if size < 0 else min(self.size, self.position + size)
        if end <= self.position:
            return b""
        response = self.web.get(self.url, headers={"Range": f"bytes={self.position}-{end - 1}"})
        assert response.status_code == 206
        self.requests.append((self.position, end))
        self.position = end
        return response.content

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def test_a_parquet_reader_reads_parts_of_a_file_over_http(
    web: httpx.Client, published: Path, served: Serve
) -> None:
    url = served(published)
    file = read_catalog(published).release().datasets["documents"].files[0]
    remote = _HttpRangeFile(url + file.path, web)
    parquet = pq.ParquetFile(pa.PythonFile(remote, mode="r"))
    assert parquet.metadata.num_rows == 1
    assert remote.requests and remote.requests[0][1] == file.bytes  # the end of the file first: the footer
    table = parquet.read(columns=["document_id", "uri"])
    assert table.equals(pq.read_table(published / file.path, columns=["document_id", "uri"]))
    assert all(end - start <= file.bytes for start, end in remote.requests)


def _httpfs_extension() -> str | None:
    pattern = os.path.join(
        sysconfig.get_paths()["purelib"], "duckdb_ext", "extensions", "*", "*", "httpfs.duckdb_extension"
    )
    found = glob.glob(pattern)
    return found[0] if found else None


def test_duckdb_and_pandas_read_a_release_over_http(published: Path, served: Serve) -> None:
    """The README's examples: DuckDB (httpfs, by ranges) and pandas reading from `broadsheet serve`."""
    duckdb = pytest.importorskip("duckdb")
    pandas = pytest.importorskip("pandas")
    url = served(published)
    release = read_catalog(published).release()
    parquet = f"{url}{release.path}/positions.parquet"

    frame = pandas.read_parquet(parquet)
    assert len(frame) == release.datasets["positions"].rows
    comments = pandas.read_json(f"{url}{release.path}/comments.jsonl", lines=True)
    assert len(comments) == release.datasets["comments"].rows

    extension = _httpfs_extension()
    if extension is None:
        pytest.skip("DuckDB's httpfs extension is not installed (pip install duckdb-ext-httpfs)")
    connection = duckdb.connect(config={"autoinstall_known_extensions": False})
    connection.execute(f"LOAD '{extension}'")
    rows = connection.execute(
        f"SELECT actor, count(*) AS n FROM read_parquet('{parquet}') GROUP BY ALL ORDER BY n DESC, actor"
    ).fetchall()
    assert sum(n for _, n in rows) == release.datasets["positions"].rows
    assert rows[0] == ("Sergei Ryabkov", 5) or rows[0][1] >= rows[-1][1]
