"""The Prefect flow: thin tasks around the plain stage code in `flows.pipeline.run`.

    ingest_source × sources ──► plan ──► parse ──────────────────────► publish_release
      (I/O, retried)             │       (CPU, never retried)           (I/O)
                                 │        local: one task drives a pool of worker processes
                                 │        Dask (or any other task runner): one task per batch
                                 └─ records of unchanged inputs carried forward from the previous release

Tasks work on batches of documents, never on single records: a task run costs
milliseconds of bookkeeping. Results stay in memory (no caching, no result
persistence): a run's inputs are its raw files, and its output is the release.

On the default task runner (threads in this process), parsing is one task,
`parse-batches`, that runs the batches in a pool of worker processes on this
machine (`flows.pipeline.parallel`): Prefect's own process runner costs a quarter of a second
per task. With another task runner (`broadsheet run --runner dask`, prefect-dask's
`DaskTaskRunner`), each batch is one `parse-batch` task on that runner's workers,
its documents' bytes passed along with it, so the workers need no access to this
machine's files; everything else (ingest, the staged release, the catalog) stays in
the flow's process. Either way a bounded number of batches is in flight and the
results are written into the release in input order, so both give the same release.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext, TaskRunContext
from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

from flows.errors import ConfigError, TransientIngestError
from flows.ingest.base import RawDocument
from flows.ingest.sources import Source, files_source, load_sources
from flows.pipeline.collect import Collected, collect_source, drop_duplicates, state_root
from flows.pipeline.document import EncodedBatch, process_encoded
from flows.pipeline.parallel import Pending, Submit, default_workers, local_parser
from flows.pipeline.run import DEFAULT_BATCH_SIZE, Outcome, Run, parse_workers
from flows.settings import DEFAULT_LIMITS, Limits

__all__ = ["RUNNERS", "Documents", "dask_task_runner", "parse_batch", "parse_batches", "publish_flow", "run_flow"]

#: The task runners `broadsheet run --runner` offers.
RUNNERS = ("local", "dask")


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


@task(name="parse-batches", cache_policy=NO_CACHE, persist_result=False)
def parse_batches(run: Run, limits: Limits, batch_size: int, workers: int) -> int:
    """Parse the run's pending inputs in batches in `workers` processes on this machine (1: in
    this one), writing each batch into the staged release as it comes back; returns how many."""
    with local_parser(workers, limits) as submit:
        run.parse(submit, batch_size=batch_size, workers=workers)
    return len(run.pending)


class Documents:
    """A batch of documents as one task argument: a plain object, which Prefect passes on without
    walking its items one by one (as it does for a list) and task runners pickle as it is."""

    __slots__ = ("raws",)

    def __init__(self, raws: list[RawDocument]) -> None:
        self.raws = raws

    def __len__(self) -> int:
        return len(self.raws)


@task(name="parse-batch", cache_policy=NO_CACHE, persist_result=False)
def parse_batch(documents: Documents, limits: Limits) -> EncodedBatch:
    """Decode, lay out, extract, validate and encode one batch of documents (on the task runner's
    workers: a Dask cluster)."""
    return process_encoded(documents.raws, limits)


def _submit_batch(limits: Limits) -> Submit:
    def submit(raws: list[RawDocument]) -> Pending:
        return parse_batch.submit(Documents(raws), limits)

    return submit


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
    workers: int | None = None,
) -> dict[str, Any]:
    """Publish the sources of the sources file `sources` (those named in `select`, or all), or
    else every file under `raw`, as a release in `out` (nothing new if the input is unchanged).

    Only new or changed inputs are parsed (all of them with `full`); `out` is a folder
    or an `s3://bucket/prefix` URL; `wait` is how long to wait for another run that is
    publishing into `out`. `workers` is how many processes parse (default: one per core; 1:
    the flow's own); on a Dask task runner, batches in flight are twice that.
    """
    logger = get_run_logger()
    limits = Limits(max_document_bytes=max_document_bytes, max_comments=max_comments, max_depth=max_depth,
                    max_line_chars=max_line_chars)
    specs = load_sources(Path(sources), select or ()) if sources is not None else [files_source(Path(raw))]
    context = FlowRunContext.get()
    local = context is None or isinstance(context.task_runner, ThreadPoolTaskRunner)
    ingest = ingest_source.with_options(retries=ingest_retries)
    state = str(state_root(out))
    collected = Collected()
    if local:  # the sources at the same time, in threads
        for ingested in [ingest.submit(spec, state, limits) for spec in specs]:
            collected.extend(ingested.result())
    else:  # in this process, where the state and the files are, one after the other
        for spec in specs:
            collected.extend(ingest(spec, state, limits))
    collected = drop_duplicates(collected)
    try:
        with Run(out, keep=keep, wait=wait, full=full) as run:
            outcome = run.plan(collected)
            if outcome is None:
                if local:
                    processes = parse_workers(workers, len(run.pending), batch_size)
                    parse_batches(run, limits, batch_size, processes)
                else:
                    wanted = default_workers() if workers is None else max(1, workers)
                    run.parse(_submit_batch(limits), batch_size=batch_size, workers=wanted)
                outcome = publish(run)
    finally:
        collected.close()
    logger.info("%s", run_summary_line(outcome))
    _artifacts(outcome)
    return _summary(outcome)


def _api_url() -> str:
    """The Prefect API this process talks to; starts Prefect's temporary local server when none is
    set, so that other processes (Dask workers) can be pointed at the same one."""
    url = PREFECT_API_URL.value()
    if url:
        return str(url)
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start()
    return server.api_url


def dask_task_runner(address: str | None, *, workers: int | None = None, api_url: str) -> TaskRunner[Any]:
    """prefect-dask's `DaskTaskRunner` on the cluster at `address` (`tcp://HOST:PORT`), or on a
    local cluster of `workers` processes (default: one per core) that it starts and stops.

    The workers of a local cluster are told the Prefect API (`api_url`): without it each worker
    process would start a temporary Prefect server of its own. The workers of a remote cluster
    must be started with `PREFECT_API_URL` set to a server they can reach.

    Raises:
        ConfigError: prefect-dask is not installed.
    """
    try:
        from prefect_dask.task_runners import DaskTaskRunner
    except ImportError:
        raise ConfigError(
            "--runner dask needs prefect-dask: pip install 'broadsheet[dask]'", uri="--runner dask"
        ) from None
    if "DASK_LOGGING__DISTRIBUTED" not in os.environ:  # the scheduler's and nannies' chatter
        logging.getLogger("distributed").setLevel(logging.WARNING)
    if address:
        return DaskTaskRunner(address=address)
    count = default_workers() if workers is None else max(1, workers)
    env = {"PREFECT_API_URL": api_url, "DASK_LOGGING__DISTRIBUTED": "warning"}
    if os.environ.get("PREFECT_HOME"):
        env["PREFECT_HOME"] = os.environ["PREFECT_HOME"]
    return DaskTaskRunner(cluster_kwargs={"n_workers": count, "threads_per_worker": 1, "processes": True,
                                          "dashboard_address": ":0", "env": env})


@contextmanager
def _quick_flows(api_url: str | None = None) -> Iterator[None]:
    # The flow-run heartbeat thread sleeps in 1 s steps and is joined when the flow ends: without
    # it every run ends about a second sooner. A run of this flow is short and watched by its caller.
    updates: dict[Any, Any] = {PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
    if api_url:
        updates[PREFECT_API_URL] = api_url
    with temporary_settings(updates=updates):
        yield


def run_flow(
    *, runner: str = "local", dask_address: str | None = None, api_url: str | None = None, **parameters: Any
) -> dict[str, Any]:
    """Run `publish_flow` with `parameters` on the task runner named `runner` ("local": threads
    and a pool of processes on this machine; "dask": a Dask cluster, at `dask_address` or a local
    one) and return its summary. `api_url`: the Prefect API to report to (default: the configured
    one, or a temporary server that Prefect starts).

    Raises:
        ConfigError: an unknown runner, an address without the Dask runner, or no prefect-dask.
    """
    if runner not in RUNNERS:
        raise ConfigError(f"--runner {runner}: use one of {', '.join(RUNNERS)}", uri="--runner")
    if dask_address and runner != "dask":
        raise ConfigError("--dask-address goes with --runner dask", uri="--dask-address")
    if runner == "local":
        with _quick_flows(api_url):
            summary: dict[str, Any] = publish_flow(**parameters)
        return summary
    api_url = api_url or _api_url()
    task_runner = dask_task_runner(dask_address, workers=parameters.get("workers"), api_url=api_url)
    with _quick_flows(api_url):
        result: dict[str, Any] = publish_flow.with_options(task_runner=task_runner)(**parameters)
    return result
