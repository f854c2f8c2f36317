"""dlt's side of the publish comparison: write a release's records to Parquet with dlt's
filesystem destination, and time it.

    bench/.venv-dlt/bin/python bench/dlt_side.py RELEASE_DIR WORK_DIR

Runs in a virtual environment of its own (`make bench` creates bench/.venv-dlt with
the dlt version of bench/requirements-dlt.txt), so that dlt never enters broadsheet's
dependencies. Standard library and dlt only: no broadsheet import.

The records are read from the release's JSON Lines into Python dicts first (not
timed: dlt gets them ready-made, while broadsheet's side starts from its pydantic
models and also writes JSON Lines and checksums). Timed: one `pipeline.run` of the
four datasets as four resources into a local `filesystem` destination with
`loader_file_format="parquet"` and nested fields kept as columns
(`max_table_nesting=0`), one table per dataset as in a release. Prints one JSON
line: seconds, rows per table, dlt's version.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

DATASETS = ("documents", "articles", "positions", "comments")


def main(argv: list[str]) -> int:
    release, work = Path(argv[0]), Path(argv[1])
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    os.environ["DLT_DATA_DIR"] = str(work / "dlt-data")
    os.environ["DLT_PROJECT_DIR"] = str(work)
    import dlt

    rows = {}
    for name in DATASETS:
        with open(release / f"{name}.jsonl", encoding="utf-8") as handle:
            rows[name] = [json.loads(line) for line in handle if line.strip()]
    resources = [dlt.resource(records, name=name, max_table_nesting=0) for name, records in rows.items()]
    pipeline = dlt.pipeline(
        pipeline_name="broadsheet_bench",
        pipelines_dir=str(work / "pipelines"),
        destination=dlt.destinations.filesystem(bucket_url=(work / "lake").resolve().as_uri()),
        dataset_name="release",
        progress=None,
    )
    start = time.perf_counter()
    info = pipeline.run(resources, loader_file_format="parquet")
    seconds = time.perf_counter() - start
    info.raise_on_failed_jobs()
    written = sum(p.stat().st_size for p in (work / "lake").rglob("*.parquet"))
    print(
        json.dumps(
            {
                "seconds": round(seconds, 4),
                "rows": {name: len(records) for name, records in rows.items()},
                "parquet_bytes": written,
                "dlt_version": dlt.__version__,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
