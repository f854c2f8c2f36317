"""Streaming and parallel runs: a run keeps a small ref per input and reads the bytes back batch
by batch; batches are parsed in worker processes and written in input order, so the release is
the same (byte for byte) whatever the number of workers or the task runner."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.cli import main
from flows.ingest.base import RawDocument
from flows.ingest.state import CachedDocument, DocumentCache
from flows.pipeline.collect import Collected, collect_files
from flows.pipeline.document import EncodedBatch, process_encoded
from flows.pipeline.inputs import DocumentRef, Spool
from flows.pipeline.parallel import parse_in_order
from flows.pipeline.run import input_fingerprint, parse_workers, run_once
from flows.release.catalog import read_catalog
from flows.version import pipeline_fingerprint


def _checksums(out: Path) -> dict[str, str]:
    """Per dataset, the SHA-256 of its sorted JSON lines (row order is not part of the contract)."""
    release = read_catalog(out).release()
    sums = {}
    for name in release.datasets:
        lines = sorted((out / release.path / f"{name}.jsonl").read_bytes().splitlines())
        sums[name] = hashlib.sha256(b"\n".join(lines)).hexdigest()
    return sums


def _files(out: Path) -> dict[str, str]:
    """The SHA-256 of every data file of the latest release, by file name."""
    release = read_catalog(out).release()
    return {f.path.rsplit("/", 1)[-1]: f.sha256 for entry in release.datasets.values() for f in entry.files}


def test_any_number_of_workers_publishes_the_same_files(corpus: Path, tmp_path: Path) -> None:
    one = run_once(corpus, tmp_path / "one", workers=1, batch_size=4)
    two = run_once(corpus, tmp_path / "two", workers=2, batch_size=4)
    assert one.published and two.published and one.rows == two.rows
    assert one.parsed == two.parsed == 30
    assert _files(tmp_path / "one") == _files(tmp_path / "two")  # same bytes: batches written in order


def test_a_run_keeps_refs_not_bytes(corpus: Path) -> None:
    collected = collect_files(corpus)
    assert len(collected.refs) == 30
    ref = collected.refs[0]
    assert not hasattr(ref, "data") and Path(ref.path).is_file()
    assert ref.size == Path(ref.path).stat().st_size
    raw = collected.raws[0]  # read back from disk on access
    assert raw.data == Path(ref.path).read_bytes() and raw.document_id == ref.document_id
    assert [r.uri for r in collected.raws] == [r.uri for r in collected.refs]


def test_the_fingerprint_is_the_one_of_the_documents(tmp_path: Path) -> None:
    """The input fingerprint is computed from refs exactly as it was from the documents' bytes."""
    collected = Collected(sources=["x"])
    when = datetime(2026, 1, 27, tzinfo=UTC)
    raws = [
        RawDocument("x", "https://a.example/1", b"first page", "text/html", when),
        RawDocument("x", "https://a.example/2", b"second page", "text/html", when,
                    hints={"title": "T", "published_at": when}),
    ]
    for raw in raws:
        collected.add(raw)
    digest = hashlib.sha256(pipeline_fingerprint().encode())
    lines = []
    for raw in raws:
        hints = ""
        if raw.hints:
            text = json.dumps(raw.hints, sort_keys=True, default=str, ensure_ascii=False)
            hints = "\t" + hashlib.sha256(text.encode("utf-8")).hexdigest()
        lines.append(f"{raw.source}\t{raw.uri}\t{raw.document_id}{hints}")
    for line in sorted(lines):
        digest.update(line.encode("utf-8") + b"\n")
    assert input_fingerprint(collected) == digest.hexdigest()
    collected.close()


def test_documents_without_a_file_are_spooled_until_the_run_ends() -> None:
    spool = Spool()
    raw = RawDocument("plugin", "memory://one", b"A Headline\n\nA paragraph.\n", "text/plain", datetime.now(UTC))
    ref = DocumentRef.of(raw, spool)
    assert Path(ref.path).read_bytes() == raw.data
    assert ref.load() == raw
    spool.close()
    assert not Path(ref.path).exists()


def test_web_documents_point_at_their_cached_copy(tmp_path: Path) -> None:
    cache = DocumentCache(tmp_path / "pages")
    raw = RawDocument("web", "https://a.example/page", b"<p>hello</p>", "text/html", datetime.now(UTC))
    kept = cache.put("https://a.example/page", CachedDocument(raw, etag='"1"'))
    assert kept == raw and kept.stored_at is not None and Path(kept.stored_at).read_bytes() == raw.data
    again = cache.get("https://a.example/page")
    assert again is not None and again.raw.stored_at == kept.stored_at


def test_an_input_that_changes_before_it_is_parsed_is_rejected(corpus: Path, tmp_path: Path) -> None:
    collected = collect_files(corpus)
    changed = Path(collected.refs[3].path)
    changed.write_bytes(changed.read_bytes() + b"\nAn edit made while the run was going on.\n")
    outcome = run_once(corpus, tmp_path / "out", collected=collected, workers=2, batch_size=5)
    assert outcome.published and outcome.rows["documents"] == 29
    [reject] = outcome.rejects
    assert reject.uri == collected.refs[3].uri and reject.stage == "ingest"
    assert "changed while the run was reading it" in reject.message
    assert run_once(corpus, tmp_path / "out").parsed == 1  # the next run publishes its new content


def test_batches_come_back_in_order_with_a_bounded_number_in_flight(corpus: Path) -> None:
    refs = collect_files(corpus).refs
    outstanding: list[object] = []
    most = 0

    class Later:
        def __init__(self, raws: list[RawDocument]) -> None:
            self.raws = raws
            outstanding.append(self)

        def result(self) -> EncodedBatch:
            outstanding.remove(self)
            return process_encoded(self.raws)

    def submit(raws: list[RawDocument]) -> Later:
        nonlocal most
        later = Later(raws)
        most = max(most, len(outstanding))
        return later

    uris: list[str] = []
    counts = 0
    for count, batch in parse_in_order(refs, submit, batch_size=4, in_flight=3):
        counts += count
        uris += [json.loads(line)["uri"] for line in batch.datasets["documents"].jsonl.splitlines()]
    assert most == 3 and counts == 30
    assert uris == [r.uri for r in refs]


def test_worker_count_follows_the_batches() -> None:
    assert parse_workers(4, 30, 200) == 1  # one batch: parsed in the run's own process
    assert parse_workers(4, 1_000, 200) == 4
    assert parse_workers(1, 1_000, 200) == 1
    assert parse_workers(None, 1_000, 200) >= 1


@pytest.mark.parametrize(
    "argv",
    [
        ["--workers", "0"],
        ["--batch-size", "0"],
        ["--no-prefect", "--runner", "dask"],
        ["--dask-address", "tcp://127.0.0.1:8786"],
    ],
)
def test_bad_worker_and_runner_options_are_usage_errors(argv: list[str], raw_dir: Path, tmp_path: Path) -> None:
    try:
        status = main(["run", "--raw", str(raw_dir), "--out", str(tmp_path / "out"), *argv])
    except SystemExit as exit_info:  # argparse
        status = int(exit_info.code or 0)
    assert status == 2
    assert not (tmp_path / "out").exists()


@pytest.fixture
def big_corpus(tmp_path: Path) -> Iterator[Path]:
    from ..conftest import make_corpus

    raw = tmp_path / "big"
    make_corpus(raw, 24)
    yield raw


@pytest.mark.prefect
def test_the_flow_on_a_local_dask_cluster_publishes_what_the_default_runner_does(
    prefect_harness: None, big_corpus: Path, tmp_path: Path
) -> None:
    from flows.orchestrate.flow import run_flow

    local = run_flow(raw=str(big_corpus), out=str(tmp_path / "local"), batch_size=6, workers=2)
    dask = run_flow(runner="dask", raw=str(big_corpus), out=str(tmp_path / "dask"), batch_size=6, workers=2)
    assert local["published"] and dask["published"]
    assert dask["rows"] == local["rows"] and dask["parsed"] == 24
    assert _checksums(tmp_path / "dask") == _checksums(tmp_path / "local")
    assert _files(tmp_path / "dask") == _files(tmp_path / "local")
