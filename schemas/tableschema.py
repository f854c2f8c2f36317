"""Frictionless Table Schemas (Data Package v2) of the published datasets."""

from __future__ import annotations

from typing import Any

from schemas.fields import FieldSpec, describe
from schemas.models import DATASETS

__all__ = ["TABLESCHEMA_PROFILE", "table_schema"]

TABLESCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"

_TYPES = {"string": "string", "integer": "integer", "boolean": "boolean", "datetime": "datetime", "list": "array"}


def _field(spec: FieldSpec) -> dict[str, Any]:
    field: dict[str, Any] = {"name": spec.name, "type": _TYPES[spec.kind], "description": spec.description}
    constraints: dict[str, Any] = {}
    if not spec.nullable:
        constraints["required"] = True
    if spec.enum:
        constraints["enum"] = list(spec.enum)
    if spec.minimum is not None:
        constraints["minimum"] = spec.minimum
    if spec.min_length is not None:
        constraints["minLength"] = spec.min_length
    if spec.pattern is not None:
        constraints["pattern"] = spec.pattern.removeprefix("^").removesuffix("$")
    if constraints:
        field["constraints"] = constraints
    return field


def table_schema(dataset: str) -> dict[str, Any]:
    """The Table Schema descriptor of a published dataset."""
    model = DATASETS[dataset]
    schema: dict[str, Any] = {
        "$schema": TABLESCHEMA_PROFILE,
        "fields": [_field(spec) for spec in describe(model)],
    }
    if model.primary_key:
        schema["primaryKey"] = list(model.primary_key)
    if model.foreign_keys:
        keys = []
        for field, other, other_field in model.foreign_keys:
            reference: dict[str, Any] = {"fields": [other_field]}
            if other != dataset:
                reference["resource"] = other
            keys.append({"fields": [field], "reference": reference})
        schema["foreignKeys"] = keys
    return schema
