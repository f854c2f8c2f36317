"""`broadsheet download` and the consumer API against a real `broadsheet serve` on 127.0.0.1:
byte-for-byte copies, verification, resuming, filters, and refusing tampered files and unsafe
catalogs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pyarrow.parquet as pq
import pytest

from flows import open_catalog, open_dataset
from flows.access.download import download_release
from flows.access.read import HttpSource
from flows.cli import main
from flows.clock import ManualClock
from flows.errors import CatalogError, ChecksumMismatch, DownloadError, UnsafeCatalog
from flows.pipeline.run import run_once
from flows.release.catalog import read_catalog

from ..conftest import SEED

Serve = Callable[[Path], str]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two releases of the seed and one more text; shared by the tests that only read them."""
    root = tmp_path_factory.mktemp("published")
    raw = root / "raw"
    raw.mkdir()
    (raw / SEED.name).write_bytes(SEED.read_bytes())
    run_once(raw, root / "out")
    (raw / "second.txt").write_text("A Second Headline\n\nThe minister said the talks went well.\n")
    run_once(raw, root / "out")
    return root / "out"


def _tamper(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_download_reproduces_the_latest_release_byte_for_byte(
    published: Path, served: Serve, tmp_path: Path
) -> None:
    url = served(published)
    dest = tmp_path / "dest"
    result = download_release(url, dest)
    release = read_catalog(published).release()
    assert result.release == release.id
    names = sorted(p.name for p in (published / release.path).iterdir())
    assert sorted(p.name for p in (dest / release.path).iterdir()) == names  # every file, no .part left
    for name in names:
        assert (dest / release.path / name).read_bytes() == (published / release.path / name).read_bytes()
    assert {f.status for f in result.files} == {"downloaded"}
    # The destination is itself an output folder naming what was downloaded.
    assert read_catalog(dest).release() == release
    # A second download finds everything in place.
    again = download_release(url, dest)
    assert {f.status for f in again.files} == {"present"} and again.bytes == 0


def test_a_tampered_file_is_refused_and_never_lands(raw_dir: Path, served: Serve, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_once(raw_dir, out)
    release = read_catalog(out).release()
    positions = release.datasets["positions"].files[0]
    _tamper(out / positions.path)
    dest = tmp_path / "dest"
    with pytest.raises(ChecksumMismatch) as failure:
        download_release(served(out), dest)
    message = str(failure.value)
    assert positions.path in message and positions.sha256 in message and "nothing was saved" in message
    assert not (dest / positions.path).exists()
    assert not (dest / (positions.path + ".part")).exists()
    with pytest.raises(ChecksumMismatch):
        open_dataset(served(out), "positions")


def test_the_cli_fails_clearly_on_a_tampered_file(
    raw_dir: Path, served: Serve, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    run_once(raw_dir, out)
    release = read_catalog(out).release()
    _tamper(out / release.datasets["comments"].files[1].path)
    assert main(["download", served(out), "--dest", str(tmp_path / "dest"), "-q"]) == 1
    assert "the catalog says" in capsys.readouterr().err


def test_an_interrupted_download_resumes_with_a_range(
    published: Path, served: Serve, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = served(published)
    release = read_catalog(published).release()
    documents = release.datasets["documents"].files[0]
    dest = tmp_path / "dest"
    part = dest / (documents.path + ".part")
    part.parent.mkdir(parents=True)
    data = (published / documents.path).read_bytes()
    part.write_bytes(data[: len(data) // 3])
    with caplog.at_level("INFO", logger="broadsheet.serve"):
        result = download_release(url, dest, datasets=["documents"], formats=["parquet"])
    statuses = {f.path: f.status for f in result.files}
    assert statuses[documents.path] == "resumed"
    assert (dest / documents.path).read_bytes() == data and not part.exists()
    assert any(f'"GET /{documents.path}" 206' in r.getMessage() for r in caplog.records)


def test_a_damaged_partial_file_fails_the_check_then_downloads_cleanly(
    published: Path, served: Serve, tmp_path: Path
) -> None:
    url = served(published)
    documents = read_catalog(published).release().datasets["documents"].files[1]
    dest = tmp_path / "dest"
    part = dest / (documents.path + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(b"garbage that is not the start of the file")
    with pytest.raises(ChecksumMismatch):
        download_release(url, dest, datasets=["documents"], formats=["jsonl"])
    assert not part.exists() and not (dest / documents.path).exists()
    download_release(url, dest, datasets=["documents"], formats=["jsonl"])
    assert (dest / documents.path).read_bytes() == (published / documents.path).read_bytes()


def test_release_dataset_and_format_filters(published: Path, served: Serve, tmp_path: Path) -> None:
    url = served(published)
    catalog = read_catalog(published)
    older = catalog.releases[-1]
    result = download_release(
        url, tmp_path / "dest", release=older.id, datasets=["positions", "comments"], formats=["jsonl"]
    )
    got = sorted(Path(f.path).name for f in result.files)
    assert got == ["README.md", "changes.json", "comments.jsonl", "datapackage.json", "index.html",
                   "positions.jsonl"]
    assert result.release == older.id
    with pytest.raises(DownloadError, match="no dataset 'quotes'"):
        download_release(url, tmp_path / "x", datasets=["quotes"])
    with pytest.raises(DownloadError, match="not in the catalog"):
        download_release(url, tmp_path / "x", release="20000101T000000Z-00000000")


def test_download_from_a_folder_and_a_file_url(published: Path, tmp_path: Path) -> None:
    release = read_catalog(published).release()
    for location in (str(published), published.as_uri(), str(published / "catalog.json")):
        dest = tmp_path / hashlib.sha256(location.encode()).hexdigest()[:8]
        download_release(location, dest, formats=["parquet"])
        file = release.datasets["articles"].files[0]
        assert (dest / file.path).read_bytes() == (published / file.path).read_bytes()


def test_open_dataset_over_http_and_on_disk(published: Path, served: Serve) -> None:
    url = served(published)
    release = read_catalog(published).release()
    local = pq.read_table(published / release.path / "positions.parquet")
    remote = open_dataset(url, "positions")
    assert remote.to_pylist() == local.to_pylist()
    assert open_dataset(url + "catalog.json", "positions", format="jsonl").equals(remote)
    assert open_dataset(published, "positions").equals(remote)
    assert open_catalog(url) == read_catalog(published)
    assert open_dataset(url, "rejects", format="jsonl").num_rows == release.datasets["rejects"].rows
    with pytest.raises(DownloadError, match="format='jsonl'"):
        open_dataset(url, "rejects")


def _catalog_with(path: str) -> bytes:
    release_id = "20260101T000000Z-0000abcd"
    file = {"path": path, "format": "jsonl", "bytes": 1, "sha256": "0" * 64}
    return json.dumps(
        {
            "latest": release_id,
            "releases": [
                {
                    "id": release_id,
                    "created_at": "2026-01-01T00:00:00Z",
                    "path": f"releases/{release_id}",
                    "datasets": {"rejects": {"rows": 0, "files": [file]}},
                }
            ],
        }
    ).encode()


@pytest.mark.parametrize(
    "path",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "releases/20260101T000000Z-0000abcd/../x",
        "releases/other/x.jsonl",
        "C:/x",
        "http://evil.example/x",
    ],
)
def test_unsafe_catalogs_are_refused(path: str, tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/catalog.json", "nothing but the catalog may be fetched"
        return httpx.Response(200, content=_catalog_with(path))

    source = HttpSource("http://127.0.0.1:9/", client=httpx.Client(transport=httpx.MockTransport(handler)))
    with pytest.raises(CatalogError):
        download_release(source, tmp_path / "dest")
    assert not (tmp_path / "dest").exists()  # refused before anything was written


def test_redirects_to_other_hosts_are_refused(published: Path, tmp_path: Path) -> None:
    catalog = (published / "catalog.json").read_bytes()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/catalog.json":
            return httpx.Response(200, content=catalog)
        return httpx.Response(302, headers={"Location": "http://evil.example" + request.url.path})

    source = HttpSource("http://127.0.0.1:9/", client=httpx.Client(transport=httpx.MockTransport(handler)))
    with pytest.raises(UnsafeCatalog, match="redirects to http://evil.example"):
        download_release(source, tmp_path / "dest")


def test_server_errors_are_retried_then_reported(published: Path, tmp_path: Path) -> None:
    catalog = (published / "catalog.json").read_bytes()
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/catalog.json":
            return httpx.Response(200, content=catalog)
        calls["n"] += 1
        return httpx.Response(503)

    source = HttpSource("http://127.0.0.1:9/", client=httpx.Client(transport=httpx.MockTransport(handler)))
    clock = ManualClock()
    with pytest.raises(DownloadError, match="503: try again later"):
        download_release(source, tmp_path / "dest", datasets=["documents"], formats=["jsonl"], clock=clock)
    assert calls["n"] == 4 and clock.sleeps == [0.5, 1.0, 2.0]  # three retries, backing off


def test_the_cli_downloads_with_progress(
    published: Path, served: Serve, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "dest"
    assert (
        main(
            [
                "download",
                served(published),
                "--dest",
                str(dest),
                "--dataset",
                "positions",
                "--format",
                "parquet",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "all verified" in printed and "5 file(s) downloaded" in printed
