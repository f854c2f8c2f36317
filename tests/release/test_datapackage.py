"""datapackage.json is a valid Frictionless Data Package (v2) whose hashes and sizes match the
files, checked with the `frictionless` library (which resolves the v2 profile from `$schema`)."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from flows.pipeline.run import run_once
from flows.release.catalog import read_catalog
from schemas import DATASETS

frictionless = pytest.importorskip("frictionless")


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ..conftest import make_corpus

    root = tmp_path_factory.mktemp("datapackage")
    make_corpus(root / "raw", 12)
    (root / "raw" / "empty.txt").write_bytes(b"")  # one reject
    run_once(root / "raw", root / "out")
    return root / "out" / read_catalog(root / "out").release().path


def _descriptor(release: Path) -> dict[str, Any]:
    return dict(json.loads((release / "datapackage.json").read_text(encoding="utf-8")))


def test_the_descriptor_is_a_valid_v2_data_package(release: Path) -> None:
    descriptor = _descriptor(release)
    assert frictionless.Package.effective_datapackage_version(descriptor, None) == "v2"
    report = frictionless.Package.validate_descriptor(descriptor)
    assert report.valid, report.flatten(["type", "note"])
    package = frictionless.Package.from_descriptor(str(release / "datapackage.json"))
    assert len(package.resources) == 2 * len(DATASETS) - 1  # rejects is JSON Lines only
    for resource in descriptor["resources"]:
        assert "$schema" not in resource and "$schema" not in resource["schema"]  # root-level only in v2


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d["resources"][0].update(bytes="many"),
        lambda d: d["resources"][0].pop("path"),
        lambda d: d["resources"][0]["schema"]["fields"][0].update(type="not-a-type"),
        lambda d: d.update(resources="none"),
    ],
)
def test_the_validator_catches_broken_descriptors(release: Path, breakage: Any) -> None:
    descriptor = copy.deepcopy(_descriptor(release))
    breakage(descriptor)
    assert not frictionless.Package.validate_descriptor(descriptor).valid


def test_hashes_sizes_and_fields_match_the_files(release: Path) -> None:
    descriptor = _descriptor(release)
    seen = set()
    for resource in descriptor["resources"]:
        data = (release / resource["path"]).read_bytes()
        assert resource["bytes"] == len(data)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        dataset = resource["name"].removesuffix("-parquet")
        assert [f["name"] for f in resource["schema"]["fields"]] == list(DATASETS[dataset].model_fields)
        seen.add(resource["path"])
    on_disk = {p.name for p in release.iterdir()} - {"datapackage.json", "README.md", "index.html", "changes.json"}
    assert seen == on_disk
    extra = descriptor["broadsheet"]
    assert set(extra) >= {"fingerprint", "pipeline_version", "pipeline_fingerprint", "notes", "contract_version"}
    assert extra["contract_version"] == "2"


def test_the_card_describes_the_release(release: Path) -> None:
    card = (release / "README.md").read_text(encoding="utf-8")
    catalog = read_catalog(release.parent.parent)
    current = catalog.release()
    assert f"| positions | {current.datasets['positions'].rows:,} |" in card
    assert "Sources: files" in card and current.pipeline_version and current.pipeline_version in card
    assert "open_dataset(" in card and "broadsheet download" in card and "@misc{" in card
    for dataset in DATASETS:
        assert f"### {dataset}" in card
