"""broadsheet's pipeline: one module per stage, plain Python, with Prefect at the edge.

    ingest ─► decode ─► layout ─► extract ─► validate ─► publish ─► catalog
    flows.ingestors  flows.decode  flows.layout  flows.extract  flows.process  flows.publish  flows.catalog
    (flows.sources)  (flows.html)

`flows.flow` holds the Prefect flow (thin tasks over batches of documents);
`flows.run` the same stages driven without Prefect; `flows.cli` the command line.
"""

from __future__ import annotations

__all__: list[str] = []
