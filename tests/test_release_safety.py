"""Releases are never half-written: a run killed at any moment leaves the previous release and
catalog intact; two runs cannot publish into one output at once; --keep removes old releases only
after the new catalog is in place; a lost catalog is rebuilt from the releases on disk.

The kill tests run `broadsheet run --no-prefect` in a real process and SIGKILL it, either at a
named fault point (BROADSHEET_FAULT_AT makes it stop there) or at random moments."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.catalog import read_catalog, rebuild_catalog
from flows.cli import main
from flows.errors import CatalogError
from flows.faults import FAULT_POINTS
from flows.run import run_once

from .conftest import ROOT, make_corpus


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
    raw: Path, out: Path, *extra: str, fault: str | None = None, sleep: float | None = None
) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.pop("BROADSHEET_FAULT_AT", None)
    if fault:
        env["BROADSHEET_FAULT_AT"] = fault
    if sleep is not None:
        env["BROADSHEET_FAULT_SLEEP"] = str(sleep)
    return subprocess.Popen(
        _command(raw, out, *extra), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _wait_for_fault(process: subprocess.Popen[bytes], point: str) -> None:
    assert process.stderr is not None
    seen = []
    while True:
        line = process.stderr.readline()
        if not line:
            process.wait()
            pytest.fail(f"the run ended (status {process.returncode}) before {point}: {b''.join(seen)!r}")
        seen.append(line)
        if line.strip() == f"fault point {point}".encode():
            return


def _kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)


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


def assert_clean(out: Path) -> None:
    """No staging leftovers, and no release folder that the catalog does not name."""
    assert not (out / ".staging").exists() or not any((out / ".staging").iterdir())
    named = {r.path for r in read_catalog(out).releases}
    assert {f"releases/{p.name}" for p in (out / "releases").iterdir()} == named


@pytest.mark.parametrize("point", FAULT_POINTS)
def test_a_kill_at_any_step_leaves_the_previous_release_intact(
    point: str, corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = run_once(corpus, out)
    (corpus / "new.txt").write_text("A Second Headline\n\nThe minister said the talks went well.\n")

    process = _start(corpus, out, "--keep", "1", fault=point)
    _wait_for_fault(process, point)
    _kill(process)

    if point == "after-catalog":
        # The new catalog is in place (that is the moment a release is published); the folder
        # of the release it dropped may still be on disk until the next run clears it.
        assert_intact(out)
        assert read_catalog(out).latest != first.release_id
    else:
        assert_intact(out, latest=first.release_id)
        assert [r.id for r in read_catalog(out).releases] == [first.release_id]

    again = run_once(corpus, out, keep=1)
    assert again.published == (point != "after-catalog")
    assert_intact(out)
    assert_clean(out)


def test_random_kills_never_damage_the_output(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    make_corpus(raw, 200)
    run_once(raw, out, batch_size=20)
    chooser = random.Random(20260127)
    mid_run = 0
    for attempt in range(4):
        (raw / f"new-{attempt}.txt").write_text(
            f"Headline number {attempt}\n\nThe minister said it went well.\n"
        )
        process = _start(raw, out, "--full", "--batch-size", "20")
        time.sleep(chooser.uniform(0.3, 2.2))
        mid_run += process.poll() is None
        _kill(process)
        assert_intact(out)
    assert mid_run >= 3  # the kills did land while the runs were working
    run_once(raw, out)
    assert_intact(out)
    assert_clean(out)


def test_a_second_run_exits_with_a_clear_message_or_waits(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    holder = _start(corpus, out, fault="after-staging", sleep=4)
    _wait_for_fault(holder, "after-staging")
    impatient = subprocess.run(_command(corpus, out), cwd=ROOT, capture_output=True, timeout=60)
    patient = subprocess.run(_command(corpus, out, "--wait", "60"), cwd=ROOT, capture_output=True, timeout=90)
    holder_out, _ = holder.communicate(timeout=60)

    assert holder.returncode == 0 and b"published release" in holder_out
    assert impatient.returncode == 1
    message = impatient.stderr.decode()
    assert f"another broadsheet run (pid {holder.pid}" in message and "--wait SECONDS" in message
    assert patient.returncode == 0, patient.stderr
    assert b"nothing new to publish" in patient.stdout  # it waited, then found the holder's release
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
