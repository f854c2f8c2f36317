"""The actors dataset: one row per canonical actor, aggregated over the release's positions, in both
formats, in the datapackage, the card and the catalog; with the extractor's actor_kind and
actor_mention set, and without them (null until the extractor fills them)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq

from flows.extract.ids import stable_id
from flows.pipeline.run import run_once
from flows.release.catalog import read_catalog
from schemas import Actor

from ..records import FETCHED, article, document, position, publish_records

JAN_10 = datetime(2022, 1, 10, 9, 0, tzinfo=UTC)
JAN_12 = datetime(2022, 1, 12, 18, 30, tzinfo=UTC)


def _actors(out: Path) -> list[Actor]:
    release = read_catalog(out).release()
    lines = (out / release.path / "actors.jsonl").read_text(encoding="utf-8").splitlines()
    from_jsonl = [Actor.model_validate_json(line) for line in lines]
    table = pq.read_table(out / release.path / "actors.parquet")
    from_parquet = [Actor.model_validate(row) for row in table.to_pylist()]
    assert from_parquet == from_jsonl
    return from_jsonl


def test_actors_aggregate_kind_roles_aliases_and_when_they_were_seen(tmp_path: Path) -> None:
    first, second, undated = document("first"), document("second"), document("undated")
    a1 = article(first, "Talks open", published_at=JAN_10)
    a2 = article(second, "Talks close", published_at=JAN_12)
    a3 = article(undated, "A later note")  # no published_at: its document's fetched_at dates it
    sherman = {"actor_kind": "person", "actor_role": "Deputy Secretary of State",
               "actor_affiliation": "United States"}
    positions = [
        position(a1, 1, "Wendy Sherman", "Sherman said so.", actor_mention="Sherman", **sherman),
        position(a1, 2, "Wendy Sherman", "She said more.", actor_mention="she", **sherman),
        position(a2, 1, "Wendy Sherman", "Sherman warned.", actor_mention="Sherman", cue="warn", **sherman),
        position(a2, 2, "Wendy Sherman", "The diplomat added.", actor_mention="the diplomat", actor_kind="person",
                 actor_role="diplomat"),
        position(a2, 3, "NATO", "NATO said.", actor_kind="organisation", actor_mention="NATO"),
        position(a3, 1, "NATO", "The alliance said.", actor_kind="organisation", actor_mention="the alliance"),
        position(a3, 2, "Sergei Ryabkov", "Ryabkov said."),  # the extractor gave no kind nor mention
    ]
    out = tmp_path / "out"
    publish_records(out, [{"documents": [first, second, undated], "articles": [a1, a2, a3],
                           "positions": positions}], now=datetime(2024, 6, 1, tzinfo=UTC))
    actors = {actor.name: actor for actor in _actors(out)}
    assert list(actors) == ["Wendy Sherman", "NATO", "Sergei Ryabkov"]  # most positions first
    sherman_row = actors["Wendy Sherman"]
    assert sherman_row.actor_id == stable_id("actor", "Wendy Sherman")
    assert (sherman_row.kind, sherman_row.position_count) == ("person", 4)
    assert sherman_row.roles == ["Deputy Secretary of State", "diplomat"]
    assert sherman_row.affiliations == ["United States"]
    assert sherman_row.aliases == ["Sherman", "she", "the diplomat"]
    assert (sherman_row.first_seen, sherman_row.last_seen) == (JAN_10, JAN_12)
    nato = actors["NATO"]
    assert (nato.kind, nato.aliases) == ("organisation", ["NATO", "the alliance"])
    assert (nato.first_seen, nato.last_seen) == (JAN_12, FETCHED)
    ryabkov = actors["Sergei Ryabkov"]
    assert (ryabkov.kind, ryabkov.aliases, ryabkov.roles) == (None, [], [])


def test_actors_are_in_the_datapackage_card_and_catalog(raw_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_once(raw_dir, out)
    release = read_catalog(out).release()
    positions = [json.loads(line) for line in (out / release.path / "positions.jsonl").read_text().splitlines()]
    actors = _actors(out)
    assert sorted(a.name for a in actors) == sorted({p["actor"] for p in positions})
    assert sum(a.position_count for a in actors) == len(positions)
    assert release.datasets["actors"].rows == len(actors)
    assert {f.format for f in release.datasets["actors"].files} == {"parquet", "jsonl"}
    package = json.loads((out / release.path / "datapackage.json").read_text(encoding="utf-8"))
    names = {resource["name"] for resource in package["resources"]}
    assert {"actors", "actors-parquet"} <= names
    card = (out / release.path / "README.md").read_text(encoding="utf-8")
    assert "### actors" in card and f"| actors | {len(actors):,} |" in card and "| `first_seen` |" in card
    assert release.contract_version == "2" and package["broadsheet"]["contract_version"] == "2"
