"""The Prefect flow: thin tasks around the plain stage code in `flows.run`.

    ingest_source × sources ──► plan ──► parse_batch × N ──► publish_release
      (I/O, retried)             │       (CPU, never retried)  (I/O)
                                 └─ records of unchanged inputs carried forward from the previous release

Tasks work on batches of documents, never on single records: a task run costs
milliseconds of bookkeeping. Results stay in memory (no caching, no result
persistence): a run's inputs are its raw files, and its output is the release.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import TaskRunContext
from prefect.tasks import exponential_backoff

from flows.errors import TransientIngestError
from flows.ingestors.base import RawDocument
from flows.process import Batch, process_batch
from flows.progress import report
from flows.run import (
    DEFAULT_BATCH_SIZE,
    Collected,
    Outcome,
    Run,
    batched,
    collect_source,
    drop_duplicates,
    state_root,
)
from flows.settings import DEFAULT_LIMITS, Limits
from flows.sources import Source, files_source, load_sources

__all__ = ["publish_flow"]


@task(
    name="ingest-source",
    task_run_name="ingest-{source.name}",
    retries=2,
    retry_delay_seconds=exponential_backoff(backoff_factor=1),
    retry_jitter_factor=0.5,
    cache_policy=NO_CACHE,
    persist_result=False,
)
def ingest_source(source: Source, out: str, limits: Limits) -> Collected:
    """Ingest one source (unreadable inputs become rejects).

    When some inputs failed in a way that may pass (5xx, 429, timeouts, after the
    client's own retries), the task fails so that Prefect runs the source again
    later; its last attempt returns those failures as rejects instead.
    """
    collected = collect_source(source, out=Path(out), limits=limits)
    transient = sum(r.error == TransientIngestError.__name__ for r in collected.rejects)
    context = TaskRunContext.get()
    if transient and context is not None and context.task_run.run_count <= context.task.retries:
        raise TransientIngestError(
            f"{transient} input(s) of source {source.name!r} failed in a way that may pass: "
            "trying the source again",
            uri=source.location,
        )
    return collected


@task(name="parse-batch", cache_policy=NO_CACHE, persist_result=False)
def parse_batch(raws: list[RawDocument], limits: Limits) -> Batch:
    """Decode, lay out, extract and validate a batch of documents."""
    return process_batch(raws, limits)


@task(name="publish-release", cache_policy=NO_CACHE, persist_result=False)
def publish(run: Run) -> Outcome:
    """Seal the staged release, move it into place and replace the catalog."""
    return run.finish()


def _summary(outcome: Outcome) -> dict[str, Any]:
    return outcome.summary()


def run_summary_line(outcome: Outcome) -> str:
    """What a run did, in one line: documents new or changed, carried forward, rejected; the release."""
    rows = ", ".join(f"{n:,} {k}" for k, n in outcome.rows.items() if k not in ("documents", "rejects"))
    inputs = f"{outcome.documents:,} documents ({outcome.parsed:,} parsed, {outcome.carried:,} carried forward)"
    return f"{outcome.message}: {inputs}; {rows or 'no rows'}; {len(outcome.rejects):,} rejected"


def _artifacts(outcome: Outcome) -> None:
    table = [{"dataset": name, "rows": rows} for name, rows in outcome.rows.items()]
    table.append({"dataset": "(release)", "rows": outcome.release_id or "none"})
    create_table_artifact(key="broadsheet-release-rows", table=table, description=outcome.message)
    if outcome.release_path:
        where = outcome.release_path
        link = where if "://" in where else Path(where).resolve().as_uri()
        create_link_artifact(key="broadsheet-release", link=link, link_text=outcome.release_id or where,
                             description="The release this run published (or found unchanged)")
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
    max_line_chars: int = DEFAULT_LIMITS.max_line_chars,
    wait: float = 0.0,
    full: bool = False,
    sources: str | None = None,
    select: list[str] | None = None,
    ingest_retries: int = 2,
) -> dict[str, Any]:
    """Publish the sources of the sources file `sources` (those named in `select`, or all), or
    else every file under `raw`, as a release in `out` (nothing new if the input is unchanged).

    Only new or changed inputs are parsed (all of them with `full`); `out` is a folder
    or an `s3://bucket/prefix` URL; `wait` is how long to wait for another run that is
    publishing into `out`.
    """
    logger = get_run_logger()
    limits = Limits(max_document_bytes=max_document_bytes, max_comments=max_comments, max_depth=max_depth,
                    max_line_chars=max_line_chars)
    specs = load_sources(Path(sources), select or ()) if sources is not None else [files_source(Path(raw))]
    ingest = ingest_source.with_options(retries=ingest_retries)
    state = str(state_root(out))
    collected = Collected()
    for ingested in [ingest.submit(spec, state, limits) for spec in specs]:
        collected.extend(ingested.result())
    collected = drop_duplicates(collected)
    with Run(out, keep=keep, wait=wait, full=full) as run:
        outcome = run.plan(collected)
        if outcome is None:
            batches = list(batched(run.pending, batch_size))
            futures = [parse_batch.submit(batch, limits) for batch in batches]
            done = 0
            for future, batch in zip(futures, batches, strict=True):
                run.add(future.result())
                done += len(batch)
                report("parse", done, len(run.pending))
            outcome = publish(run)
    logger.info("%s", run_summary_line(outcome))
    _artifacts(outcome)
    return _summary(outcome)
