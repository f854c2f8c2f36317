"""Read the published fields off the pydantic models.

`describe(model)` turns a model into a list of `FieldSpec`: the one place where a
Python annotation becomes a field type. The Arrow schema, the Frictionless Table
Schema and the dataset card's field tables are all built from these specs.
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import AwareDatetime
from pydantic.fields import FieldInfo

from schemas.models import Record

__all__ = ["FieldSpec", "describe"]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One published field, independent of any file format."""

    name: str
    kind: Literal["string", "integer", "boolean", "datetime", "list"]
    item_kind: Literal["string", "boolean"] | None
    nullable: bool
    description: str
    enum: tuple[str, ...] | None = None
    minimum: int | None = None
    min_length: int | None = None
    pattern: str | None = None


_KINDS: dict[Any, Literal["string", "integer", "boolean", "datetime"]] = {
    str: "string",
    int: "integer",
    bool: "boolean",
    datetime: "datetime",
    AwareDatetime: "datetime",
}


def _unwrap(annotation: Any) -> tuple[Any, bool, list[Any]]:
    """Strip Optional and Annotated; return (core type, nullable, metadata)."""
    nullable = False
    metadata: list[Any] = []
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation, *extra = get_args(annotation)
            metadata.extend(extra)
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            nullable = nullable or len(args) < len(get_args(annotation))
            if len(args) != 1:
                raise TypeError(f"unsupported union {annotation!r}")
            annotation = args[0]
        else:
            return annotation, nullable, metadata


def _constraints(metadata: list[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, FieldInfo):
            found.update(_constraints(list(item.metadata)))
        elif isinstance(item, annotated_types.Ge):
            found["minimum"] = int(item.ge)  # type: ignore[call-overload]
        elif isinstance(item, annotated_types.MinLen):
            found["min_length"] = item.min_length
        elif getattr(item, "pattern", None) is not None:
            found["pattern"] = item.pattern
    return found


def _spec(name: str, info: FieldInfo) -> FieldSpec:
    core, nullable, metadata = _unwrap(info.annotation)
    constraints = _constraints([*metadata, *info.metadata])
    description = info.description or ""
    if not description:
        raise ValueError(f"field {name!r} has no description")
    if get_origin(core) is list:
        (item,) = get_args(core)
        item_core, _, _ = _unwrap(item)
        item_kind = _KINDS[item_core]
        if item_kind not in ("string", "boolean"):
            raise TypeError(f"unsupported list item type {item!r} for {name!r}")
        return FieldSpec(name, "list", item_kind, nullable, description)
    if get_origin(core) is Literal:
        return FieldSpec(name, "string", None, nullable, description, enum=tuple(get_args(core)))
    kind = _KINDS.get(core)
    if kind is None:
        raise TypeError(f"unsupported annotation {info.annotation!r} for field {name!r}")
    return FieldSpec(name, kind, None, nullable, description, **constraints)


def describe(model: type[Record]) -> list[FieldSpec]:
    """The published fields of `model`, in declaration order."""
    return [_spec(name, info) for name, info in model.model_fields.items()]
