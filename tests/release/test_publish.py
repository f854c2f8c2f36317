"""A release on disk: Parquet read back equals JSON Lines equals the models; catalog,
checksums and datapackage.json agree with the files; unchanged input publishes nothing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow.parquet as pq

from flows.pipeline.run import run_once
from flows.release.catalog import read_catalog
from schemas import DATASETS

from ..conftest import SEED


def _release(out: Path) -> Path:
    catalog = json.loads((out / "catalog.json").read_text(encoding="utf-8"))
    release = next(r for r in catalog["releases"] if r["id"] == catalog["latest"])
    return out / release["path"]


def test_seed_release_round_trips(raw_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    outcome = run_once(raw_dir, out)
    assert outcome.published and outcome.rows["articles"] == 1
    release = _release(out)
    for name, model in DATASETS.items():
        lines = (release / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        from_jsonl = [model.model_validate_json(line) for line in lines]
        if name == "rejects":
            assert not (release / "rejects.parquet").exists()
            continue
        table = pq.read_table(release / f"{name}.parquet")
        assert table.schema.field(0).name == next(iter(model.model_fields))
        from_parquet = [model.model_validate(row) for row in table.to_pylist()]
        assert from_parquet == from_jsonl
        assert pq.ParquetFile(release / f"{name}.parquet").metadata.row_group(0).column(0).compression == "ZSTD" \
            if table.num_rows else True
    documents = [json.loads(line) for line in (release / "documents.jsonl").read_text().splitlines()]
    assert documents[0]["document_id"] == hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert documents[0]["fetched_at"].endswith("Z")


def test_catalog_and_datapackage_describe_the_files(raw_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_once(raw_dir, out)
    catalog = read_catalog(out)
    release = catalog.release()
    assert catalog.latest == release.id and release.path == f"releases/{release.id}"
    for dataset in release.datasets.values():
        for file in dataset.files:
            data = (out / file.path).read_bytes()
            assert len(data) == file.bytes and hashlib.sha256(data).hexdigest() == file.sha256
    package = json.loads((out / release.path / "datapackage.json").read_text(encoding="utf-8"))
    assert package["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    for resource in package["resources"]:
        data = (out / release.path / resource["path"]).read_bytes()
        assert resource["bytes"] == len(data)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert resource["schema"]["fields"]
    card = (out / release.path / "README.md").read_text(encoding="utf-8")
    assert "| `actor_role` |" in card and release.id in card


def test_unchanged_input_publishes_nothing_new(raw_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_once(raw_dir, out)
    second = run_once(raw_dir, out)
    assert not second.published and "unchanged" in second.message
    assert second.release_id == first.release_id
    assert len(read_catalog(out).releases) == 1
    (raw_dir / "another.txt").write_text("A Second Headline\n\nA first paragraph that says little.\n")
    third = run_once(raw_dir, out)
    assert third.published and len(read_catalog(out).releases) == 2


def test_bad_inputs_become_rejects_and_the_rest_is_published(raw_dir: Path, tmp_path: Path) -> None:
    (raw_dir / "empty.txt").write_bytes(b"")
    (raw_dir / "blank.txt").write_text("   \n\n  ")
    (raw_dir / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (raw_dir / "one-line.txt").write_text("Only a headline and nothing else")
    text = "Caf\xe9 Talks Resume\n\nThe minister said the talks \x93went well\x94."
    (raw_dir / "cp1252.txt").write_bytes(text.encode("latin-1"))
    (raw_dir / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    outcome = run_once(raw_dir, tmp_path / "out")
    assert outcome.published
    reasons = {Path(r.uri).name: (r.stage, r.error, r.message) for r in outcome.rejects}
    assert reasons["empty.txt"][:2] == ("decode", "EmptyDocument")
    assert reasons["blank.txt"][:2] == ("decode", "EmptyDocument")
    assert reasons["binary.txt"][:2] == ("decode", "BinaryDocument")
    assert reasons["one-line.txt"][:2] == ("parse", "NoArticleFound")
    assert reasons["picture.png"][:2] == ("decode", "UnsupportedMediaType")
    assert "cp1252.txt" not in reasons
    assert outcome.rows["articles"] == 2
    lines = (_release(tmp_path / "out") / "rejects.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(reasons)


def test_nothing_published_when_every_input_is_rejected(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "empty.txt").write_bytes(b"")
    outcome = run_once(raw, tmp_path / "out")
    assert not outcome.published and "rejected" in outcome.message
    assert not (tmp_path / "out" / "catalog.json").exists()


def test_ids_are_stable_across_runs(raw_dir: Path, tmp_path: Path) -> None:
    ids = []
    for name in ("a", "b"):
        out = tmp_path / name
        run_once(raw_dir, out)
        release = _release(out)
        ids.append([
            json.loads(line)[key]
            for dataset, key in (("articles", "article_id"), ("positions", "position_id"), ("comments", "comment_id"))
            for line in (release / f"{dataset}.jsonl").read_text().splitlines()
        ])
    assert ids[0] == ids[1] and len(ids[0]) > 10
