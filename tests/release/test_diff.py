"""Release diffs on two releases of the development set that differ by one added, one removed and one
edited document: changes.json, the catalog's counts and `broadsheet diff` agree with what each input
holds; and the same id with other content is a change, another place alone is none."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from flows.cli import main
from flows.pipeline.run import run_once
from flows.release.catalog import read_catalog
from flows.release.diff import LOCATION_FIELDS, ReleaseFiles, content_fields, diff_releases
from flows.release.storage import storage_for
from schemas.catalog import ReleaseDiff

from ..conftest import CASES
from ..records import article, document, position, publish_records

DEV = CASES / "dev"
EDITED, KEPT, REMOVED, ADDED = "000_72e78a6f65c98bb3", "101_wordpress_says", "102_disqus_style", "103_plain_quotes"
BEFORE, AFTER = "some 100,000 troops", "some 120,000 troops"


def _rows(out: Path, release_id: str, dataset: str) -> list[dict[str, Any]]:
    path = out / read_catalog(out).release(release_id).path / f"{dataset}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _ids(out: Path, release_id: str, dataset: str, key: str, stem: str) -> set[str]:
    """Ids of the records of `dataset` that come from the input named `stem`."""
    documents = {d["document_id"] for d in _rows(out, release_id, "documents") if stem in d["uri"]}
    return {r[key] for r in _rows(out, release_id, dataset) if r["document_id"] in documents}


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    root = tmp_path_factory.mktemp("diff")
    raw, out = root / "raw", root / "out"
    raw.mkdir()
    for stem in (EDITED, KEPT, REMOVED):
        shutil.copy(DEV / f"{stem}.txt", raw)
    first = run_once(raw, out)
    (raw / f"{REMOVED}.txt").unlink()
    shutil.copy(DEV / f"{ADDED}.txt", raw)
    edited = raw / f"{EDITED}.txt"
    text = edited.read_text(encoding="utf-8")
    assert text.count(BEFORE) == 1
    edited.write_text(text.replace(BEFORE, AFTER), encoding="utf-8")
    second = run_once(raw, out)
    assert first.release_id and second.release_id and second.published
    return out, first.release_id, second.release_id


def test_changes_json_names_what_each_input_added_removed_and_changed(two_releases: tuple[Path, str, str]) -> None:
    out, old, new = two_releases
    release = read_catalog(out).release(new)
    diff = ReleaseDiff.model_validate_json((out / release.path / "changes.json").read_bytes())
    assert (diff.release, diff.previous, diff.contract_version) == (new, old, "2")
    inputs = diff.inputs
    assert (inputs.documents_added, inputs.documents_removed, inputs.documents_changed,
            inputs.documents_unchanged) == (1, 1, 1, 1)
    for dataset, key in (("articles", "article_id"), ("positions", "position_id"), ("comments", "comment_id")):
        records = diff.datasets[dataset]
        assert set(records.added_ids) == _ids(out, new, dataset, key, ADDED), dataset
        assert set(records.removed_ids) == _ids(out, old, dataset, key, REMOVED), dataset
        assert records.before == records.removed + records.changed + records.unchanged
        assert records.after == records.added + records.changed + records.unchanged
        assert records.before == len(_rows(out, old, dataset)) and records.after == len(_rows(out, new, dataset))
    # The edited input: its article changed; of its positions only the edited passage; its comments not.
    (changed_article,) = diff.datasets["articles"].changed_ids
    assert {changed_article.id} == _ids(out, new, "articles", "article_id", EDITED)
    assert {changed_article.previous_id} == _ids(out, old, "articles", "article_id", EDITED)
    (changed_position,) = diff.datasets["positions"].changed_ids
    now = {p["position_id"]: p for p in _rows(out, new, "positions")}
    before = {p["position_id"]: p for p in _rows(out, old, "positions")}
    assert AFTER in now[changed_position.id]["text"] and BEFORE in before[changed_position.previous_id]["text"]
    kept = sum(len(_ids(out, old, "positions", "position_id", stem)) for stem in (KEPT, EDITED))
    assert diff.datasets["positions"].unchanged == kept - 1
    assert diff.datasets["comments"].changed == 0
    # The catalog and the datapackage carry the same counts.
    assert release.changes is not None
    assert release.changes.records["positions"] == diff.datasets["positions"].counts()
    package = json.loads((out / release.path / "datapackage.json").read_text(encoding="utf-8"))
    assert package["broadsheet"]["changes"]["records"]["articles"]["changed"] == 1
    assert release.changes.rows["actors"] == release.datasets["actors"].rows - read_catalog(out).release(
        old).datasets["actors"].rows


def test_broadsheet_diff_prints_the_same(
    two_releases: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    out, old, new = two_releases
    published = json.loads((out / read_catalog(out).release(new).path / "changes.json").read_bytes())
    assert main(["diff", old, new, "--out", str(out), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["datasets"] == published["datasets"]
    assert {k: printed["inputs"][k] for k in printed["inputs"]} == {
        k: v for k, v in published["inputs"].items() if k in printed["inputs"]
    }
    # The same by folder path, and in words.
    old_folder = out / read_catalog(out).release(old).path
    assert main(["diff", str(old_folder), new, "--out", str(out)]) == 0
    words = capsys.readouterr().out
    counts = published["datasets"]["positions"]
    assert f"positions: {counts['added']} added, {counts['removed']} removed, {counts['changed']} changed" in words
    assert "inputs: 1 added, 1 changed, 1 removed, 1 unchanged" in words
    assert main(["diff", "20000101T000000Z-00000000", new, "--out", str(out)]) == 1
    assert "neither a release" in capsys.readouterr().err


def test_same_id_other_content_is_a_change_and_another_place_is_none(tmp_path: Path) -> None:
    assert not LOCATION_FIELDS & set(content_fields("positions"))
    assert {"position_id", "article_id", "document_id"}.isdisjoint(content_fields("positions"))
    doc = document("one")
    art = article(doc, "Talks", positions=2)
    first = [position(art, 1, "Wendy Sherman", "Sherman said so."), position(art, 2, "NATO", "NATO said.")]
    second = [
        position(art, 1, "Wendy Sherman", "Sherman said so.", actor_kind="person", actor_mention="Sherman"),
        position(art, 2, "NATO", "NATO said.").model_copy(update={"char_start": 40, "char_end": 50, "ordinal": 7}),
    ]
    out = tmp_path / "out"
    old = publish_records(out, [{"documents": [doc], "articles": [art], "positions": first}],
                          now=datetime(2024, 1, 1, tzinfo=UTC))
    new = publish_records(out, [{"documents": [doc], "articles": [art], "positions": second}],
                          now=datetime(2024, 1, 2, tzinfo=UTC), previous=old.id)
    storage = storage_for(out)
    diff = diff_releases(ReleaseFiles(storage, old.path), ReleaseFiles(storage, new.path), release=new.id,
                         previous=old.id)
    positions = diff.datasets["positions"]
    assert [(r.id, r.previous_id) for r in positions.changed_ids] == [(first[0].position_id, first[0].position_id)]
    assert (positions.added, positions.removed, positions.unchanged) == (0, 0, 1)
    assert diff.datasets["articles"].unchanged == 1
    published = ReleaseDiff.model_validate_json((out / new.path / "changes.json").read_bytes())
    assert published.datasets == diff.datasets
