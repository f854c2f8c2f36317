"""Releases are never half-written: a run killed at any moment leaves the previous release and
catalog intact; two runs cannot publish into one output at once; --keep removes old releases only
after the new catalog is in place; a lost catalog is rebuilt from the releases on disk.

The kill tests run `broadsheet run --no-prefect` (and `broadsheet download`) in a real process that
SIGKILLs itself at a named fault point (BROADSHEET_FAULT_AT, see flows/faults.py): no timing decides
where the crash lands. Random kills run as an extra and assert only what holds whatever the timing."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from flows.access.download import download_release
from flows.cli import main
from flows.errors import CatalogError
from flows.faults import FAULT_POINTS
from flows.pipeline.run import run_once
from flows.release.catalog import read_catalog, rebuild_catalog

from ..conftest import ROOT, make_corpus

pytestmark = pytest.mark.slow

#: The fault points only a publish to S3 reaches (their crash test is in test_s3.py).
S3_POINTS = {"during-move"}


def _command(raw: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "flows.cli",
        "run",
        "--no-prefect",
        "-q",
        "--raw",
        str(raw),
        "--out",
        str(out),
        *extra,
    ]


def _start(
    raw: Path, out: Path, *extra: str, fault: str | None = None, action: str = "kill"
) -> subprocess.Popen[bytes]:
    """`broadsheet run` in a process of its own; with `fault`, it stops there as `action` says
    (kill: SIGKILL itself on the spot; pause: wait for a line on its standard input)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_FAULT_")}
    if fault:
        env["BROADSHEET_FAULT_AT"] = fault
        env["BROADSHEET_FAULT_ACTION"] = action
    return subprocess.Popen(
        _command(raw, out, *extra), cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for_line(process: subprocess.Popen[bytes], wanted: str) -> None:
    """Read the process's standard error until a line starts with `wanted`."""
    assert process.stderr is not None
    seen = []
    while True:
        line = process.stderr.readline()
        if not line:
            process.wait()
            pytest.fail(f"the process ended (status {process.returncode}) before {wanted!r}: {b''.join(seen)!r}")
        seen.append(line)
        if line.strip().startswith(wanted.encode()):
            return


def _killed_at(process: subprocess.Popen[bytes], point: str) -> None:
    """The run reached `point` and killed itself there."""
    _wait_for_line(process, f"fault point {point.partition(':')[0]}")
    process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL


def _kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)


def snapshot(root: Path) -> dict[str, str]:
    """SHA-256 of every file under `root`, by relative path."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }


def assert_intact(out: Path, latest: str | None = None) -> None:
    """The catalog parses, names `latest`, and every file it lists is there with its size and sha256."""
    catalog = read_catalog(out)
    if latest is not None:
        assert catalog.latest == latest
    assert catalog.latest in {r.id for r in catalog.releases}
    for release in catalog.releases:
        for file in release.files():
            data = (out / file.path).read_bytes()
            assert len(data) == file.bytes, file.path
            assert hashlib.sha256(data).hexdigest() == file.sha256, file.path


def assert_complete(out: Path, documents: int) -> None:
    """The latest release verifies and holds every document: each Parquet file reads back with as
    many rows as its JSON Lines file and the catalog say."""
    assert_intact(out)
    release = read_catalog(out).release()
    assert release.datasets["documents"].rows == documents
    for name, entry in release.datasets.items():
        lines = (out / release.path / f"{name}.jsonl").read_bytes().count(b"\n")
        assert lines == entry.rows, name
        parquet = out / release.path / f"{name}.parquet"
        if parquet.exists():
            assert pq.read_table(parquet).num_rows == entry.rows, name


def assert_clean(out: Path) -> None:
    """No staging leftovers, and no release folder that the catalog does not name."""
    assert not (out / ".staging").exists() or not any((out / ".staging").iterdir())
    named = {r.path for r in read_catalog(out).releases}
    assert {f"releases/{p.name}" for p in (out / "releases").iterdir()} == named


#: The fault points of a local run, each with the batch count it stops at where that matters.
RUN_POINTS = [
    "after-batch:1", "after-batch:3", "after-parquet", "after-staging", "after-move", "before-catalog",
    "after-catalog",
]


@pytest.mark.parametrize("point", RUN_POINTS)
def test_a_kill_at_any_fault_point_leaves_the_previous_release_intact(
    point: str, corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = run_once(corpus, out)
    before = snapshot(out / "releases" / str(first.release_id))
    catalog_before = (out / "catalog.json").read_bytes()
    (corpus / "new.txt").write_text("A Second Headline\n\nThe minister said the talks went well.\n")

    process = _start(corpus, out, "--keep", "1", "--full", "--batch-size", "5", "--workers", "1", fault=point)
    _killed_at(process, point)

    if point == "after-catalog":
        # The new catalog is in place (that is the moment a release is published); the folder
        # of the release it dropped may still be on disk until the next run clears it.
        assert_complete(out, documents=31)
        assert read_catalog(out).latest != first.release_id
    else:
        assert (out / "catalog.json").read_bytes() == catalog_before
        assert snapshot(out / "releases" / str(first.release_id)) == before

    again = run_once(corpus, out, keep=1)
    assert again.published == (point != "after-catalog")
    assert_complete(out, documents=31)
    assert_clean(out)


def test_a_kill_mid_download_resumes_and_verifies(served: Callable[[Path], str], tmp_path: Path) -> None:
    raw, out, dest = tmp_path / "raw", tmp_path / "out", tmp_path / "dest"
    make_corpus(raw, 150)  # documents.jsonl and comments.jsonl are longer than one chunk
    run_once(raw, out)
    url = served(out)
    release = read_catalog(out).release()
    env = {**os.environ, "BROADSHEET_FAULT_AT": "mid-download", "BROADSHEET_FAULT_ACTION": "kill"}
    process = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "download", url, "--dest", str(dest), "-q"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    _killed_at(process, "mid-download")

    parts = list(dest.rglob("*.part"))
    assert len(parts) == 1 and not (dest / "catalog.json").exists()
    partial = next(f for f in release.files() if (dest / (f.path + ".part")).exists())
    assert 0 < parts[0].stat().st_size < partial.bytes and not (dest / partial.path).exists()

    result = download_release(url, dest)
    assert {f.path: f.status for f in result.files}[partial.path] == "resumed"
    assert not list(dest.rglob("*.part"))
    for file in release.files():
        assert (dest / file.path).read_bytes() == (out / file.path).read_bytes()


def test_every_fault_point_has_a_crash_test_and_is_documented() -> None:
    covered = {p.partition(":")[0] for p in RUN_POINTS} | {"mid-download"} | S3_POINTS
    assert covered == set(FAULT_POINTS)
    security = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    for point in FAULT_POINTS:
        assert f"`{point}`" in security, f"SECURITY.md does not name the fault point {point}"


def test_random_kills_never_damage_the_output(tmp_path: Path) -> None:
    """An extra to the fault points: kills at moments nobody chose. Whether a kill lands mid-run
    depends on the machine's speed, so the test asserts only what holds either way."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    make_corpus(raw, 200)
    run_once(raw, out, batch_size=20)
    chooser = random.Random(20260127)
    for attempt in range(4):
        (raw / f"new-{attempt}.txt").write_text(
            f"Headline number {attempt}\n\nThe minister said it went well.\n"
        )
        process = _start(raw, out, "--full", "--batch-size", "20")
        time.sleep(chooser.uniform(0.1, 2.0))  # any moment will do: what is asserted holds at every one
        _kill(process)
        assert_intact(out)
    run_once(raw, out)
    assert_complete(out, documents=204)
    assert_clean(out)


def test_a_second_run_exits_with_a_clear_message_or_waits(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    holder = _start(corpus, out, fault="after-staging", action="pause")
    _wait_for_line(holder, "fault point after-staging")
    impatient = subprocess.run(_command(corpus, out), cwd=ROOT, capture_output=True, timeout=120)
    patient = subprocess.Popen(_command(corpus, out, "--wait", "600"), cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    _wait_for_line(patient, f"waiting up to 600 s for pid {holder.pid}")
    holder_out, _ = holder.communicate(b"go on\n", timeout=120)  # the holder goes on and publishes
    patient_out, patient_err = patient.communicate(timeout=120)

    assert holder.returncode == 0 and b"published release" in holder_out
    assert impatient.returncode == 1
    message = impatient.stderr.decode()
    assert f"another broadsheet run (pid {holder.pid}" in message and "--wait SECONDS" in message
    assert patient.returncode == 0, patient_err
    assert b"nothing new to publish" in patient_out  # it waited, then found the holder's release
    assert_intact(out)
    assert len(read_catalog(out).releases) == 1


def test_keep_removes_older_releases_after_the_catalog(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    ids = []
    for i in range(3):
        (corpus / f"more-{i}.txt").write_text(f"Headline {i}\n\nThe minister said it went well.\n")
        ids.append(run_once(corpus, out, keep=2).release_id)
    catalog = read_catalog(out)
    assert [r.id for r in catalog.releases] == [ids[2], ids[1]]
    assert not (out / "releases" / ids[0]).exists()
    assert_intact(out)
    assert_clean(out)


def test_catalog_rebuild_restores_a_lost_catalog(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    run_once(corpus, out)
    (corpus / "more.txt").write_text("Headline\n\nThe minister said it went well.\n")
    run_once(corpus, out)
    original = read_catalog(out)

    (out / "catalog.json").write_text('{"latest": "20260101T0')  # truncated
    with pytest.raises(CatalogError, match="catalog --rebuild"):
        run_once(corpus, out)
    (out / "catalog.json").unlink()
    with pytest.raises(CatalogError, match="catalog --rebuild"):
        run_once(corpus, out)  # refuses to treat the releases as leftovers

    assert main(["catalog", "--rebuild", "--out", str(out)]) == 0
    assert "rebuilt catalog.json with 2 release(s)" in capsys.readouterr().out
    assert read_catalog(out) == original
    assert not run_once(corpus, out).published  # and incremental state is back


def test_catalog_rebuild_leaves_out_damaged_releases(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_once(corpus, out)
    (corpus / "more.txt").write_text("Headline\n\nThe minister said it went well.\n")
    second = run_once(corpus, out)
    damaged = out / "releases" / str(second.release_id) / "comments.parquet"
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    (out / "releases" / "20260101T000000Z-deadbeef").mkdir()  # never finished: no datapackage.json

    rebuilt = rebuild_catalog(out)
    assert rebuilt.catalog.latest == first.release_id
    assert "comments.parquet differs" in rebuilt.skipped[str(second.release_id)]
    assert "no datapackage.json" in rebuilt.skipped["20260101T000000Z-deadbeef"]
    assert_intact(out, latest=first.release_id)


def test_leftovers_of_a_killed_run_are_cleared(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_once(corpus, out)
    (out / ".catalog.json.4242.tmp").write_text('{"latest": ')  # a catalog write cut short
    (out / ".staging" / "20260101T000000Z-00000000").mkdir(parents=True)
    (out / "releases" / "20260101T000000Z-11111111").mkdir()  # moved into place, never named
    assert not run_once(corpus, out).published  # unchanged input; the leftovers are cleared anyway
    assert not (out / ".catalog.json.4242.tmp").exists()
    assert_clean(out)
    assert_intact(out, latest=first.release_id)
