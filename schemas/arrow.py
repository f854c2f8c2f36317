"""Arrow schemas of the published datasets, derived from the models.

Parquet files carry these schemas: timestamps as `timestamp[us, tz=UTC]`, lists as
`list<string>`, each field's description in its metadata, non-nullable where the
model says a value is required.
"""

from __future__ import annotations

from functools import cache

import pyarrow as pa

from schemas.fields import FieldSpec, describe
from schemas.models import DATASETS

__all__ = ["arrow_schema", "arrow_type"]

_SCALARS: dict[str, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "boolean": pa.bool_(),
    "datetime": pa.timestamp("us", tz="UTC"),
}


def arrow_type(spec: FieldSpec) -> pa.DataType:
    """The Arrow type that stores `spec`."""
    if spec.kind == "list":
        assert spec.item_kind is not None
        return pa.list_(pa.field("item", _SCALARS[spec.item_kind], nullable=False))
    return _SCALARS[spec.kind]


@cache
def arrow_schema(dataset: str) -> pa.Schema:
    """The Arrow schema of a published dataset, e.g. `arrow_schema("positions")`."""
    model = DATASETS[dataset]
    fields = [
        pa.field(
            spec.name,
            arrow_type(spec),
            nullable=spec.nullable,
            metadata={"description": spec.description},
        )
        for spec in describe(model)
    ]
    return pa.schema(fields, metadata={"dataset": dataset, "description": model.about})
