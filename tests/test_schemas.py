"""The models are the single source of truth; everything derived from them stays in step."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import pyarrow as pa
import pytest
from pydantic import ValidationError

import flows
import schemas
from schemas import Comment, Position, arrow_schema, describe, table_schema
from schemas.export import main as export_main
from schemas.models import DATASETS

ARTICLE_ID = "a" * 32
DOC_ID = "d" * 64


def _position(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "position_id": "b" * 32, "article_id": ARTICLE_ID, "document_id": DOC_ID, "ordinal": 1,
        "topic": None, "actor": "Wendy Sherman", "actor_role": None, "actor_affiliation": None,
        "cue": "say", "act": "assertive", "text": "Sherman said so.", "quotes": [],
        "char_start": 0, "char_end": 16,
    }
    row.update(changes)
    return row


def test_json_schema_files_are_up_to_date() -> None:
    assert export_main(["--check"]) == 0, "run `make schemas` and commit schemas/json/"


@pytest.mark.parametrize(
    "changes",
    [
        {"act": "promissive"},
        {"char_start": 5, "char_end": 5},
        {"char_start": -1},
        {"actor": ""},
        {"ordinal": 0},
        {"unexpected": 1},
        {"position_id": "not-hex"},
    ],
)
def test_positions_are_strict(changes: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Position.model_validate(_position(**changes))


def test_comment_constraints() -> None:
    base = {"comment_id": "c" * 32, "article_id": ARTICLE_ID, "document_id": DOC_ID, "depth": 0, "ordinal": 1,
            "text": "x", "char_start": 0, "char_end": 1}
    Comment.model_validate(base)
    for bad in ({"depth": -1}, {"likes": -2}, {"quotes": ["a"], "quotes_article": [True, False]}):
        with pytest.raises(ValidationError):
            Comment.model_validate(base | bad)


def test_timestamps_are_stored_in_utc() -> None:
    from datetime import timedelta, timezone

    row = {"comment_id": "c" * 32, "article_id": ARTICLE_ID, "document_id": DOC_ID, "depth": 0, "ordinal": 1,
           "text": "x", "char_start": 0, "char_end": 1,
           "posted_at": datetime(2024, 3, 4, 9, 0, tzinfo=timezone(timedelta(hours=-5)))}
    assert Comment.model_validate(row).posted_at == datetime(2024, 3, 4, 14, 0, tzinfo=UTC)
    with pytest.raises(ValidationError):
        Comment.model_validate(row | {"posted_at": datetime(2024, 3, 4, 9, 0)})  # naive


def test_every_field_is_described() -> None:
    for model in DATASETS.values():
        for spec in describe(model):
            assert len(spec.description) > 10, (model.__name__, spec.name)


def test_arrow_schemas_follow_the_contract() -> None:
    positions = arrow_schema("positions")
    assert positions.field("quotes").type == pa.list_(pa.field("item", pa.string(), nullable=False))
    assert arrow_schema("comments").field("posted_at").type == pa.timestamp("us", tz="UTC")
    assert not positions.field("actor").nullable and positions.field("actor_role").nullable
    assert positions.field("actor").metadata[b"description"].startswith(b"The speaker")
    for name, model in DATASETS.items():
        assert arrow_schema(name).names == list(model.model_fields)


def test_table_schemas_carry_keys_and_constraints() -> None:
    comments = table_schema("comments")
    assert comments["primaryKey"] == ["comment_id"]
    assert {"fields": ["parent_id"], "reference": {"fields": ["comment_id"]}} in comments["foreignKeys"]
    act = next(f for f in table_schema("positions")["fields"] if f["name"] == "act")
    assert act["constraints"]["enum"] == list(schemas.ACTS)


@pytest.mark.parametrize("package", [flows, schemas, importlib.import_module("flows.layout"),
                                     importlib.import_module("flows.extract")])
def test_exported_names_are_sorted_and_exist(package: object) -> None:
    names = getattr(package, "__all__", [])
    assert names == sorted(names)
    for name in names:
        assert hasattr(package, name), name
