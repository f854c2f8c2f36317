"""Incremental runs: only new or changed inputs are parsed, the rest is carried forward with the
same records and ids, and the release equals what a full run would publish."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import flows.pipeline.run
from flows.errors import PublishError
from flows.pipeline.collect import collect_files
from flows.pipeline.run import run_once
from flows.release.catalog import read_catalog
from flows.release.incremental import plan_inputs

from ..conftest import make_corpus


def _records(out: Path, release_id: str | None = None) -> dict[str, list[str]]:
    """Every JSON line of every dataset of a release, sorted (row order is not part of the contract)."""
    release = read_catalog(out).release(release_id)
    return {
        name: sorted((out / f"{release.path}/{name}.jsonl").read_text(encoding="utf-8").splitlines())
        for name in release.datasets
    }


def _change_inputs(raw: Path) -> None:
    files = sorted(raw.glob("*.txt"))
    files[0].write_bytes(files[0].read_bytes() + b"\nA late correction to the article.\n")  # changed
    files[1].unlink()  # removed
    (raw / "zz_new.txt").write_bytes(files[2].read_bytes() + b"\n\n\n\n\n\n\n\n")  # added


def test_rerun_parses_only_new_and_changed_inputs(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_once(corpus, out)
    assert first.published and first.parsed == 30 and first.carried == 0
    before = _records(out)

    _change_inputs(corpus)
    second = run_once(corpus, out)
    assert second.published and second.parsed == 2 and second.carried == 28
    release = read_catalog(out).release()
    changes = release.changes
    assert changes is not None and changes.previous == first.release_id
    assert (
        changes.documents_added,
        changes.documents_changed,
        changes.documents_removed,
        changes.documents_unchanged,
        changes.documents_parsed,
    ) == (1, 1, 1, 28, 2)
    assert changes.rows["documents"] == 0 and changes.reparsed is None
    assert release.notes and "1 documents added, 1 changed, 1 removed, 28 unchanged" in release.notes
    assert "2 inputs parsed" in release.notes

    # The release is exactly what a full run over the same input publishes...
    full_out = tmp_path / "full"
    full = run_once(corpus, full_out, full=True)
    assert full.parsed == 30
    after = _records(out)
    assert after == _records(full_out)
    # ... and the records of unchanged documents kept their bytes, hence their ids.
    kept = set(after["positions"]) & set(before["positions"])
    assert len(kept) > 30
    assert {json.loads(line)["position_id"] for line in kept} <= {
        json.loads(line)["position_id"] for line in before["positions"]
    }


def test_unchanged_input_publishes_nothing(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_once(corpus, out)
    again = run_once(corpus, out)
    assert not again.published and "unchanged" in again.message
    assert len(read_catalog(out).releases) == 1


def test_a_changed_pipeline_parses_everything_again(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    run_once(corpus, out)
    monkeypatch.setattr(flows.pipeline.run, "pipeline_fingerprint", lambda: "0" * 64)
    (corpus / "extra.txt").write_text("A Second Headline\n\nA first paragraph that says little.\n")
    outcome = run_once(corpus, out)
    assert outcome.parsed == 31 and outcome.carried == 0
    changes = read_catalog(out).release().changes
    assert changes is not None and changes.reparsed and "pipeline changed" in changes.reparsed


def test_a_damaged_previous_release_is_not_carried_forward(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_once(corpus, out)
    release = read_catalog(out).release()
    jsonl = out / release.path / "positions.jsonl"
    jsonl.write_bytes(jsonl.read_bytes().replace(b'"cue":"say"', b'"cue":"sax"', 1))
    (corpus / "extra.txt").write_text("A Second Headline\n\nA first paragraph that says little.\n")
    with pytest.raises(PublishError, match="--full"):
        run_once(corpus, out)
    assert read_catalog(out).latest == release.id
    assert not (out / ".staging").exists() or not any((out / ".staging").iterdir())
    assert run_once(corpus, out, full=True).published


def test_plan_without_a_previous_release_parses_everything(tmp_path: Path) -> None:
    make_corpus(tmp_path / "raw", 5)
    collected = collect_files(tmp_path / "raw")
    plan = plan_inputs(collected.raws, None)
    assert len(plan.parse) == 5 and not plan.carry and plan.changes.documents_added == 5
