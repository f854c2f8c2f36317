"""Publishing to object storage, against a real S3-compatible server on 127.0.0.1 (moto's
standalone server, started once for this module): incremental releases, retention, the lease lock
(taken with a conditional PUT, renewed, taken over when stale), a kill mid-publish, and consumers
reading and downloading from s3://."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from flows.access.download import download_release
from flows.access.read import open_dataset
from flows.clock import ManualClock
from flows.errors import OutputLocked
from flows.pipeline.run import run_once
from flows.release.catalog import read_catalog, rebuild_catalog
from flows.release.storage import S3Lease, S3Storage, storage_for

from ..conftest import ROOT, free_port

boto3 = pytest.importorskip("boto3")
pytest.importorskip("moto")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    """moto's S3 server in a subprocess on a free port of 127.0.0.1; yields its endpoint URL."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(endpoint + "/moto-api/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("moto's S3 server did not start")
                time.sleep(0.1)  # polling for readiness, bounded generously; decides nothing
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def bucket(s3_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new, empty bucket on the test server, with the AWS variables pointing at it."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server)
    for name in ("AWS_ENDPOINT_URL_S3", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    name = f"broadsheet-{uuid.uuid4().hex[:12]}"
    _client().create_bucket(Bucket=name)
    return name


def _client() -> Any:
    return boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1")


def _keys(bucket: str, prefix: str = "") -> list[str]:
    pages = _client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def _object(bucket: str, key: str) -> bytes:
    return bytes(_client().get_object(Bucket=bucket, Key=key)["Body"].read())


def _assert_intact(bucket: str, url: str, latest: str | None = None) -> None:
    catalog = read_catalog(url)
    if latest is not None:
        assert catalog.latest == latest
    for release in catalog.releases:
        for file in release.files():
            data = _object(bucket, f"data/{file.path}")
            assert len(data) == file.bytes and hashlib.sha256(data).hexdigest() == file.sha256, file.path


def test_incremental_releases_and_retention_on_s3(bucket: str, corpus: Path) -> None:
    url = f"s3://{bucket}/data"
    first = run_once(corpus, url)
    assert first.published and first.release_path == f"{url}/releases/{first.release_id}"
    assert not run_once(corpus, url).published  # unchanged

    (corpus / "new.txt").write_text("A Second Headline\n\nThe minister said the talks went well.\n")
    second = run_once(corpus, url, keep=1)
    assert second.published and second.parsed == 1 and second.carried == 30
    catalog = read_catalog(url)
    assert [r.id for r in catalog.releases] == [second.release_id]
    _assert_intact(bucket, url, latest=second.release_id)
    files = [k for k in _keys(bucket, "data/") if not k.endswith("/")]
    assert not any(first.release_id in k for k in files)  # removed after the catalog
    assert not any(k.startswith("data/.staging/") for k in files)
    assert "data/.lock" not in files  # the lease is given back
    changes = catalog.release().changes
    assert changes is not None and changes.documents_added == 1 and changes.documents_unchanged == 30


def test_consumers_read_and_download_from_s3(bucket: str, raw_dir: Path, tmp_path: Path) -> None:
    url = f"s3://{bucket}/data"
    run_once(raw_dir, url)
    local = tmp_path / "local"
    run_once(raw_dir, local)
    assert open_dataset(url, "positions").to_pylist() == open_dataset(local, "positions").to_pylist()

    dest = tmp_path / "dest"
    result = download_release(url, dest)
    release = read_catalog(url).release()
    assert len(result.files) == len(release.files())
    for file in release.files():
        assert (dest / file.path).read_bytes() == _object(bucket, f"data/{file.path}")

    rebuilt = rebuild_catalog(url, write=False)
    assert rebuilt.catalog == read_catalog(url) and not rebuilt.skipped


def _eventually(predicate: Callable[[], object], what: str) -> None:
    """Wait for something a background thread does once the clock was moved (polling, with a
    generous bound: the bound only limits a broken run, it decides nothing)."""
    deadline = time.monotonic() + 60
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.01)  # polling only: what is waited for happens whatever this takes


def test_the_lease_lock(bucket: str) -> None:
    url = f"s3://{bucket}/locked"
    clock = ManualClock(datetime.now(UTC))  # the lease's times are compared with the server's object
    first = storage_for(url, lease_seconds=6, clock=clock)
    second = storage_for(url, lease_seconds=6, clock=clock)
    assert isinstance(first, S3Storage) and isinstance(second, S3Storage)
    with first.lock() as held:
        assert isinstance(held, S3Lease)
        before = json.loads(_object(bucket, "locked/.lock"))
        with pytest.raises(OutputLocked, match=f"pid {os.getpid()}"), second.lock(wait=0):
            pass
        clock.advance(10)  # longer than the lease: the holder renews it every third of it
        _eventually(lambda: held.renewals >= 1, "the holder to renew its lease")
        after = json.loads(_object(bucket, "locked/.lock"))
        assert after["token"] == before["token"] and after["expires_at"] > before["expires_at"]
        with pytest.raises(OutputLocked, match="waited 1 s"), second.lock(wait=1):
            pass  # it waits on the clock (5 polls), during which the renewed lease holds
        held.check()
    assert "locked/.lock" not in _keys(bucket)
    with second.lock(wait=0):
        pass


def test_a_stale_lease_is_taken_over(bucket: str) -> None:
    expired = (datetime.now(UTC) - timedelta(seconds=5)).isoformat()
    _client().put_object(
        Bucket=bucket,
        Key="data/.lock",
        Body=json.dumps({"holder": "pid 1 on gone", "token": "x", "expires_at": expired}),
    )
    with storage_for(f"s3://{bucket}/data").lock(wait=0) as held:
        assert json.loads(_object(bucket, "data/.lock"))["token"] != "x"
        held.check()


def test_a_lost_lease_stops_the_publish(bucket: str) -> None:
    clock = ManualClock(datetime.now(UTC))
    storage = storage_for(f"s3://{bucket}/data", lease_seconds=6, clock=clock)
    with storage.lock() as held:
        assert isinstance(held, S3Lease)
        held.check()
        _client().put_object(Bucket=bucket, Key="data/.lock", Body=b'{"token": "someone else"}')
        clock.advance(2.5)  # past a third of the lease: the renewer tries, and finds another's lease
        _eventually(lambda: held.lost, "the renewer to find the lease taken")
        with pytest.raises(OutputLocked, match="lost its lock"):
            held.check()


def _cli_run(raw: Path, url: str, *extra: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flows.cli",
            "run",
            "--no-prefect",
            "-q",
            "--raw",
            str(raw),
            "--out",
            url,
            *extra,
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdin=subprocess.PIPE,  # a paused fault point waits for a line here
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for(process: subprocess.Popen[bytes], line: bytes) -> None:
    assert process.stderr is not None
    while (got := process.stderr.readline()) and got.strip() != line:
        pass
    assert got, f"the run ended (status {process.wait()}) before printing {line!r}"


@pytest.mark.parametrize("point", ["during-move", "after-move"])
def test_two_processes_and_a_kill_on_s3(bucket: str, raw_dir: Path, point: str) -> None:
    corpus = raw_dir
    url = f"s3://{bucket}/data"
    first = run_once(corpus, url)
    (corpus / "new.txt").write_text("A Second Headline\n\nThe minister said the talks went well.\n")

    # The holder pauses at the point, renewing a lease far longer than anything here takes.
    env = {"BROADSHEET_FAULT_AT": point, "BROADSHEET_FAULT_ACTION": "pause", "BROADSHEET_LEASE_SECONDS": "60"}
    holder = _cli_run(corpus, url, env=env)
    _wait_for(holder, f"fault point {point}".encode())
    rival = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--no-prefect", "--raw", str(corpus), "--out", url],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
    )
    assert rival.returncode == 1 and b"is publishing into this output" in rival.stderr
    holder.send_signal(signal.SIGKILL)
    holder.communicate(timeout=30)

    # Killed while or after its release was copied into releases/, before the catalog: nothing changed.
    _assert_intact(bucket, url, latest=first.release_id)
    assert "data/.lock" in _keys(bucket)  # a killed holder cannot give its lease back...
    # ... so the next run takes it over once it is stale: on a clock past the killed holder's lease
    later = ManualClock(datetime.now(UTC) + timedelta(seconds=65))
    again = run_once(corpus, storage_for(url, clock=later))
    assert again.published
    _assert_intact(bucket, url, latest=again.release_id)
    named = {r.path for r in read_catalog(url).releases}
    on_store = {"/".join(k.split("/")[1:3]) for k in _keys(bucket, "data/releases/") if k.count("/") > 2}
    assert on_store == named  # the killed run's copy was cleared away
