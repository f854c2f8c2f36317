"""The Prefect flow: thin tasks around the plain stage code in `flows.run`.

    ingest_files ──► plan ──► parse_batch × N ──► publish_release
      (I/O, retried)          (CPU, never retried)  (I/O)

Tasks work on batches of documents, never on single records: a task run costs
milliseconds of bookkeeping. Results stay in memory (no caching, no result
persistence): a run's inputs are its raw files, and its output is the release.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from flows.process import Batch, process_batch
from flows.progress import report
from flows.run import DEFAULT_BATCH_SIZE, Collected, Outcome, Run, batched, collect_files
from flows.settings import DEFAULT_LIMITS, Limits
from flows.ingestors.base import RawDocument

__all__ = ["publish_flow"]


@task(
    name="ingest-files",
    retries=2,
    retry_delay_seconds=exponential_backoff(backoff_factor=1),
    retry_jitter_factor=0.5,
    cache_policy=NO_CACHE,
    persist_result=False,
)
def ingest_files(raw: str, limits: Limits) -> Collected:
    """Read every file under `raw` (unreadable files become rejects)."""
    return collect_files(Path(raw), limits=limits)


@task(name="parse-batch", cache_policy=NO_CACHE, persist_result=False)
def parse_batch(raws: list[RawDocument], limits: Limits) -> Batch:
    """Decode, lay out, extract and validate a batch of documents."""
    return process_batch(raws, limits)


@task(name="publish-release", cache_policy=NO_CACHE, persist_result=False)
def publish(run: Run) -> Outcome:
    """Seal the staged release, move it into place and replace the catalog."""
    return run.finish()


def _summary(outcome: Outcome) -> dict[str, Any]:
    return {
        "published": outcome.published,
        "message": outcome.message,
        "release_id": outcome.release_id,
        "release_path": outcome.release_path,
        "rows": outcome.rows,
        "documents": outcome.documents,
        "rejects": [r.model_dump(mode="json") for r in outcome.rejects],
    }


def _artifacts(outcome: Outcome) -> None:
    table = [{"dataset": name, "rows": rows} for name, rows in outcome.rows.items()]
    table.append({"dataset": "(release)", "rows": outcome.release_id or "none"})
    create_table_artifact(key="broadsheet-release-rows", table=table, description=outcome.message)
    create_markdown_artifact(
        key="broadsheet-run-summary",
        markdown=f"**{outcome.message}**\n\nRelease: `{outcome.release_path or '-'}`\n\n"
        f"Rejects: {len(outcome.rejects)}",
        description="What this broadsheet run did",
    )


@flow(name="broadsheet-publish", persist_result=False, log_prints=False)
def publish_flow(
    raw: str = "raw",
    out: str = "output",
    keep: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_document_bytes: int = DEFAULT_LIMITS.max_document_bytes,
    max_comments: int = DEFAULT_LIMITS.max_comments,
    max_depth: int = DEFAULT_LIMITS.max_depth,
) -> dict[str, Any]:
    """Publish every file under `raw` as a release in `out` (nothing new if the input is unchanged)."""
    logger = get_run_logger()
    limits = Limits(max_document_bytes=max_document_bytes, max_comments=max_comments, max_depth=max_depth)
    collected = ingest_files(raw, limits)
    with Run(Path(out), keep=keep) as run:
        outcome = run.plan(collected)
        if outcome is None:
            batches = list(batched(collected.raws, batch_size))
            futures = [parse_batch.submit(batch, limits) for batch in batches]
            done = 0
            for future, batch in zip(futures, batches, strict=True):
                run.add(future.result())
                done += len(batch)
                report("parse", done, len(collected.raws))
            outcome = publish(run)
    logger.info(
        "%s: %d documents, %s, %d rejects",
        outcome.message,
        outcome.documents,
        ", ".join(f"{n} {k}" for k, n in outcome.rows.items()) or "no rows",
        len(outcome.rejects),
    )
    _artifacts(outcome)
    return _summary(outcome)
