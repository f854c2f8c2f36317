"""broadsheet's pipeline: one module per stage, plain Python, with Prefect at the edge.

    ingest ─► decode ─► layout ─► extract ─► validate ─► publish ─► catalog
    flows.ingestors  flows.decode  flows.layout  flows.extract  flows.process  flows.publish  flows.catalog
    (flows.sources)  (flows.html)

`flows.flow` holds the Prefect flow (thin tasks over batches of documents);
`flows.run` the same stages driven without Prefect; `flows.cli` the command line.

For the people who use the data, the package exports the reading API of
`flows.consume` (imported on first use, so `import flows` stays cheap):

    from flows import open_catalog, open_dataset
    positions = open_dataset("http://127.0.0.1:8000/", "positions")   # a pyarrow Table, checksum verified
"""

from __future__ import annotations

from typing import Any

__all__ = ["open_catalog", "open_dataset"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from flows import consume

        return getattr(consume, name)
    raise AttributeError(f"module 'flows' has no attribute {name!r}")
