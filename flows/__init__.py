"""broadsheet's pipeline: one package per stage, plain Python, with Prefect at the edge.

    ingest ─► decode ─► layout ─► extract ─► (validate) ─► release ─► access
    sources,   bytes to  lines,    articles,   pydantic      staged,      serve,
    ingestors  text,     blocks,   positions,  models        catalogued   download,
               HTML      threads   comments                               read

    flows.ingest  flows.decode  flows.layout  flows.extract  flows.pipeline  flows.release  flows.access

`flows.pipeline` drives one run through the stages (collect, parse in parallel,
validate, publish) without Prefect; `flows.orchestrate` wraps it in a Prefect flow
and schedules; `flows.cli` is the command line. Imports run one way: a stage uses
the stages before it and the shared modules at the top (`errors`, `settings`,
`clock`, `faults`, `durable`, `lexicon`, `dates`, `version`), never one after it.
See docs/architecture.md.

For the people who use the data, the package exports the reading API of
`flows.access.read` (imported on first use, so `import flows` stays cheap):

    from flows import open_catalog, open_dataset
    positions = open_dataset("http://127.0.0.1:8000/", "positions")   # a pyarrow Table, checksum verified
"""

from __future__ import annotations

from typing import Any

__all__ = ["open_catalog", "open_dataset"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from flows.access import read

        return getattr(read, name)
    raise AttributeError(f"module 'flows' has no attribute {name!r}")
