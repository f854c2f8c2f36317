"""Pipeline: one publishing run, plain Python, from sources to a published release.

    collect (ingest every source) ─► plan (what changed) ─► parse in parallel (decode, layout,
    extract, validate; batches) ─► write each batch into the staged release ─► publish

    collect.py   the run's inputs: every source ingested, documents kept as small refs (`Collected`)
    inputs.py    `DocumentRef` and the spool: a document's bytes stay on disk until it is parsed
    document.py  one document (and a batch) through decode, layout, extract and validate
    parallel.py  batches parsed in worker processes, written back in input order
    run.py       `Run` and `run_once`: the stages in order, the lock, the summary
    progress.py  progress reports for whoever shows them
    check.py     `check_ingestor`: the contract test any ingestor can run on itself

Nothing here imports Prefect: `flows.orchestrate` wraps these functions in a flow.
"""

from __future__ import annotations
