"""Schemas of the published datasets: pydantic models and everything derived from them."""

from __future__ import annotations

from schemas.arrow import arrow_schema
from schemas.fields import FieldSpec, describe
from schemas.models import (
    ACTOR_KINDS,
    ACTS,
    CONTRACT_VERSION,
    DATASETS,
    STAGES,
    Actor,
    Article,
    Comment,
    Document,
    Position,
    Record,
    Reject,
)
from schemas.tableschema import table_schema

__all__ = [
    "ACTOR_KINDS",
    "ACTS",
    "Actor",
    "Article",
    "CONTRACT_VERSION",
    "Comment",
    "DATASETS",
    "Document",
    "FieldSpec",
    "Position",
    "Record",
    "Reject",
    "STAGES",
    "arrow_schema",
    "describe",
    "table_schema",
]
