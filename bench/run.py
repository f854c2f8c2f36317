"""The benchmark: how fast broadsheet publishes corpora of 1,000 to 100,000 documents.

    python -m bench.run                     # N = 1,000, 10,000 and 100,000 (make bench)
    python -m bench.run --quick             # N = 200 and 1,000
    python -m bench.run --sizes 5000 --pipeline run_once --out bench/results.json

For each N it writes the corpus of `bench.corpus` (once; later runs reuse it) into
bench/corpus/N/ and then, in a fresh Python process per N and pipeline (so that
peak memory and warm caches belong to that run alone), measures:

- end to end: the pipeline publishing the corpus into an empty output folder
  (seconds, documents/s, MB/s of raw input, peak RSS of the process);
- per stage: ingest, decode, layout, extract, validate and write, each timed by
  calling the stage functions directly (no Prefect), over all documents or an even
  sample of `--stage-sample` of them (the seconds are then scaled to N);
- the floor: reading the raw bytes and writing Parquet tables with the rows of the
  published release (pyarrow, zstd), which no pipeline can beat.

Results are printed and merged into bench/results.json (keyed by N and pipeline).

Extension point: a pipeline is anything with `run(raw, out) -> Outcome` (the
`Pipeline` protocol) registered by name in `PIPELINES`. The built-in `run_once` is
`flows.pipeline.run.run_once`, stage by stage in one process; the Prefect flow, parallel
workers and dlt come next, each one more entry there.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parent
DEFAULT_SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (200, 1_000)
#: The publish stage is compared with dlt's up to this many documents.
PUBLISH_MAX = 10_000
STAGES = ("ingest", "decode", "layout", "extract", "validate", "write")

__all__ = ["PIPELINES", "Pipeline", "measure_floor", "measure_stages", "run_benchmark"]


class Pipeline(Protocol):
    """One way of publishing a folder of raw documents into an output folder."""

    def run(self, raw: Path, out: Path) -> Any:
        """Publish `raw` into the empty folder `out`; returns a `flows.pipeline.run.Outcome`."""


@dataclass(frozen=True, slots=True)
class Direct:
    """`flows.pipeline.run.run_once` (`broadsheet run --no-prefect`): ingest, parse in `workers` processes
    (None: one per core), publish; no Prefect."""

    workers: int | None = None

    def run(self, raw: Path, out: Path) -> Any:
        from flows.pipeline.run import run_once

        return run_once(raw, out, workers=self.workers)


class PrefectFlow:
    """The Prefect flow as `broadsheet run` runs it (`flows.orchestrate.flow.run_flow`) on a temporary local
    Prefect server that it starts (`flows.orchestrate.server`; start-up included), parsing in one process
    per core. The server stays up for a rerun in the same process."""

    def __init__(self) -> None:
        self._url: str | None = None

    def run(self, raw: Path, out: Path) -> Any:
        import atexit
        import contextlib

        from flows.orchestrate.server import temporary_server

        if self._url is None:  # (the first run starts it; a rerun in this process uses it again)
            stack = contextlib.ExitStack()
            atexit.register(stack.close)
            server = stack.enter_context(temporary_server(Path(os.environ.get("PREFECT_HOME", ROOT / "out"))))
            import flows.orchestrate.flow  # noqa: F401  (imported while the server starts)

            self._url = server.api_url() if server is not None else ""
        from flows.orchestrate.flow import run_flow

        return SimpleNamespace(**run_flow(raw=str(raw), out=str(out), api_url=self._url or None))


class PrefectOnServer:
    """The Prefect flow on a `prefect server` that is already running (as a scheduled deployment
    runs): the benchmark starts one on 127.0.0.1 before the clock starts and stops it at exit."""

    def __init__(self) -> None:
        import atexit
        import contextlib

        from flows.orchestrate.schedule import local_server

        stack = contextlib.ExitStack()
        home = Path(os.environ.get("PREFECT_HOME", ROOT / "out" / "prefect-home")) / "server"
        self.api_url = stack.enter_context(local_server(home)).api_url
        atexit.register(stack.close)

    def run(self, raw: Path, out: Path) -> Any:
        from prefect.settings import PREFECT_API_URL, temporary_settings

        from flows.orchestrate.flow import run_flow

        with temporary_settings(updates={PREFECT_API_URL: self.api_url}):
            return SimpleNamespace(**run_flow(raw=str(raw), out=str(out)))


#: Pipelines by name: a factory per name. `direct-1` is the one-process reference for the
#: speed-up; the stage timings, the floor and the publish comparison are measured with `direct`.
PIPELINES: dict[str, Callable[[], Pipeline]] = {
    "prefect": PrefectFlow,
    "prefect-server": PrefectOnServer,
    "direct": Direct,
    "direct-1": lambda: Direct(workers=1),
}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure_stages(raw: Path, *, sample: int | None = None) -> dict[str, Any]:
    """Seconds spent in each stage over the documents of `raw` (or an even sample of them),
    calling the stage functions directly the way `flows.pipeline.document.process_document` does; the
    records are written with `flows.release.publish.ReleaseWriter` into a scratch folder."""
    from flows.decode import TEXT_MEDIA_TYPES
    from flows.decode.charset import decode_bytes
    from flows.errors import BroadsheetError
    from flows.extract import extract_document
    from flows.layout import parse_layout
    from flows.pipeline.collect import collect_files
    from flows.pipeline.document import Batch, _validate, reject_for
    from flows.pipeline.run import DEFAULT_BATCH_SIZE, batched
    from flows.release.publish import ReleaseWriter
    from flows.release.storage import storage_for
    from flows.settings import Limits
    from schemas import Article, Comment, Document, Position

    limits = Limits()
    seconds = dict.fromkeys(STAGES, 0.0)
    clock = time.perf_counter
    start = clock()
    collected = collect_files(raw, limits=limits)
    seconds["ingest"] = clock() - start
    raws = collected.raws
    total = len(raws)
    if sample is not None and 0 < sample < total:
        step = total / sample
        raws = [raws[int(k * step)] for k in range(sample)]
        seconds["ingest"] *= len(raws) / total  # (its share of the sample)
    batches: list[Batch] = []
    for chunk in batched(raws, DEFAULT_BATCH_SIZE):
        batch = Batch()
        for item in chunk:
            try:
                if item.media_type not in TEXT_MEDIA_TYPES:
                    continue
                t0 = clock()
                decoded = decode_bytes(item.data, uri=item.uri, declared=item.charset, limits=limits)
                t1 = clock()
                page = parse_layout(decoded.text, item.fetched_at)
                t2 = clock()
                document = Document(
                    document_id=item.document_id,
                    source=item.source,
                    uri=item.uri,
                    media_type=item.media_type,
                    fetched_at=item.fetched_at,
                    encoding=decoded.encoding,
                    size_bytes=len(item.data),
                    text=decoded.text,
                )
                t3 = clock()
                extracted = extract_document(page, document, limits=limits)
                t4 = clock()
                part = Batch(
                    documents=[document],
                    articles=_validate(Article, extracted.articles, item.uri),
                    positions=_validate(Position, extracted.positions, item.uri),
                    comments=_validate(Comment, extracted.comments, item.uri),
                )
                t5 = clock()
            except BroadsheetError as error:
                batch.rejects.append(
                    reject_for(error, source=item.source, uri=item.uri, document_id=item.document_id)
                )
                continue
            seconds["decode"] += t1 - t0
            seconds["layout"] += t2 - t1
            seconds["extract"] += t4 - t3
            seconds["validate"] += (t3 - t2) + (t5 - t4)  # the document record, then the extracted ones
            batch.extend(part)
        batches.append(batch)
    with tempfile.TemporaryDirectory(prefix="broadsheet-bench-") as scratch:
        writer = ReleaseWriter(storage_for(scratch), "release").__enter__()
        t0 = clock()
        for batch in batches:
            writer.write(batch.rows())
        writer.close()
        seconds["write"] = clock() - t0
    scale = total / len(raws) if raws else 1.0
    return {
        "documents_timed": len(raws),
        "seconds": {name: round(value * scale, 4) for name, value in seconds.items()},
        "ms_per_document": {
            name: round(value / len(raws) * 1000, 4) if raws else None for name, value in seconds.items()
        },
    }


def measure_floor(raw: Path, release: Path) -> dict[str, Any]:
    """The floor: read every raw file, and write Parquet tables with the rows of `release`."""
    import pyarrow.parquet as pq

    clock = time.perf_counter
    paths = sorted(p for p in raw.rglob("*") if p.is_file() and not p.name.startswith("."))
    t0 = clock()
    size = 0
    for path in paths:
        size += len(path.read_bytes())
    read = clock() - t0
    tables = {p.stem: pq.read_table(p) for p in sorted(release.glob("*.parquet"))}
    with tempfile.TemporaryDirectory(prefix="broadsheet-floor-") as scratch:
        t0 = clock()
        for name, table in tables.items():
            pq.write_table(table, Path(scratch) / f"{name}.parquet", compression="zstd")
        write = clock() - t0
    seconds = read + write
    return {
        "seconds": round(seconds, 4),
        "read_seconds": round(read, 4),
        "parquet_seconds": round(write, 4),
        "rows": {name: table.num_rows for name, table in tables.items()},
        "documents_per_s": round(len(paths) / seconds, 1) if seconds else None,
        "mb_per_s": round(size / 1e6 / seconds, 2) if seconds else None,
    }


def measure_publish(release: Path, work: Path, dlt_python: Path | None) -> dict[str, Any]:
    """The publish stage against dlt, on the records of `release`.

    broadsheet: the records as validated models (read back, not timed), then timed: encoding
    (JSON lines and Arrow tables) and `ReleaseWriter` writing Parquet (zstd) and JSON Lines with
    their SHA-256, in batches of 200 documents' records. dlt: the same records as dicts, written
    to Parquet by its filesystem destination (`bench/dlt_side.py`, run with `dlt_python`).
    """
    from flows.release.publish import ReleaseWriter
    from flows.release.storage import storage_for
    from schemas import DATASETS

    names = ("documents", "articles", "positions", "comments")
    records: dict[str, list[Any]] = {}
    for name in names:
        model = DATASETS[name]
        with open(release / f"{name}.jsonl", encoding="utf-8") as handle:
            records[name] = [model.model_validate_json(line) for line in handle if line.strip()]
    by_document: dict[str, dict[str, list[Any]]] = {}
    for name in names:
        for record in records[name]:
            by_document.setdefault(record.document_id, {n: [] for n in names})[name].append(record)
    batches: list[dict[str, list[Any]]] = []
    for k, part in enumerate(by_document.values()):
        if k % 200 == 0:
            batches.append({n: [] for n in names})
        for name in names:
            batches[-1][name] += part[name]
    scratch = work / "publish-ours"
    shutil.rmtree(scratch, ignore_errors=True)
    clock = time.perf_counter
    t0 = clock()
    with ReleaseWriter(storage_for(scratch), "release") as writer:
        for batch in batches:
            writer.write(batch)
    ours = clock() - t0
    shutil.rmtree(scratch, ignore_errors=True)
    result: dict[str, Any] = {
        "broadsheet_seconds": round(ours, 4),
        "rows": {n: len(records[n]) for n in names},
    }
    if dlt_python is None or not dlt_python.exists():
        result["dlt"] = "not measured: bench/.venv-dlt is missing (make bench creates it)"
        return result
    dlt_work = work / "publish-dlt"
    shutil.rmtree(dlt_work, ignore_errors=True)
    dlt_work.mkdir(parents=True)
    done = subprocess.run(
        [str(dlt_python), str(ROOT / "dlt_side.py"), str(release), str(dlt_work)],
        capture_output=True,
        text=True,
    )
    shutil.rmtree(dlt_work, ignore_errors=True)
    if done.returncode != 0:
        result["dlt"] = "failed: " + (done.stderr.strip().splitlines() or ["no output"])[-1]
        return result
    dlt = json.loads(done.stdout.strip().splitlines()[-1])
    result.update(
        dlt_seconds=dlt["seconds"],
        dlt_version=dlt["dlt_version"],
        speedup=round(dlt["seconds"] / ours, 2) if ours else None,
    )
    return result


def _children_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _one(
    n: int, pipeline: str, corpus: Path, work: Path, stage_sample: int | None, dlt_python: Path | None
) -> dict[str, Any]:
    """Measure one pipeline on one corpus (run in a process of its own): the first run into an
    empty folder, then a rerun over the same, unchanged input."""
    paths = sorted(corpus.glob("*.txt"))
    size = sum(p.stat().st_size for p in paths)
    out = work / f"out-{n}-{pipeline}"
    shutil.rmtree(out, ignore_errors=True)
    runner = PIPELINES[pipeline]()
    start = time.perf_counter()
    outcome = runner.run(corpus, out)
    seconds = time.perf_counter() - start
    peak, workers_peak = _peak_rss_mb(), _children_peak_rss_mb()
    start = time.perf_counter()
    again = runner.run(corpus, out)
    rerun = time.perf_counter() - start
    result: dict[str, Any] = {
        "n": n,
        "pipeline": pipeline,
        "documents": len(paths),
        "megabytes": round(size / 1e6, 2),
        "published": outcome.published,
        "rows": outcome.rows,
        "rejects": len(outcome.rejects),
        "seconds": round(seconds, 3),
        "documents_per_s": round(len(paths) / seconds, 1),
        "mb_per_s": round(size / 1e6 / seconds, 3),
        "peak_rss_mb": round(peak, 1),
        "worker_peak_rss_mb": round(workers_peak, 1) if workers_peak else None,
        "rerun_seconds": round(rerun, 3),
        "rerun_published": again.published,
    }
    release = Path(outcome.release_path) if outcome.release_path else None
    if pipeline == "direct" and release is not None:
        result["stages"] = measure_stages(corpus, sample=stage_sample)
        result["floor"] = measure_floor(corpus, release)
        if n <= PUBLISH_MAX:  # (the records are loaded as models first: memory grows with N)
            result["publish"] = measure_publish(release, work, dlt_python)
    shutil.rmtree(out, ignore_errors=True)
    return result


def _machine() -> dict[str, Any]:
    memory = None
    with open("/proc/meminfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = None
    return {
        "cores": os.cpu_count(),
        "memory_gib": memory,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": commit,
    }


def _environment(work: Path) -> dict[str, str]:
    """The measuring processes' environment: Prefect's state in a folder of the benchmark's own,
    its telemetry off, quiet logs."""
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)
    env.update(
        PREFECT_HOME=str((work / "prefect-home").resolve()),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="90",
        PREFECT_LOGGING_LEVEL="WARNING",
    )
    return env


def run_benchmark(
    sizes: list[int],
    pipelines: list[str],
    *,
    seed: int,
    corpus_root: Path,
    work: Path,
    stage_sample: int | None,
    one_worker_max: int,
    dlt_python: Path | None,
) -> list[dict[str, Any]]:
    """Write the corpora and measure each pipeline on each, each in a fresh process (`direct-1`,
    one process, only up to `one_worker_max` documents: it is the reference for the speed-up)."""
    from bench.corpus import write_corpus

    results = []
    machine = _machine()
    for n in sizes:
        corpus = corpus_root / f"{n}"
        started = time.perf_counter()
        write_corpus(corpus, n, seed=seed)
        print(f"corpus of {n:,} documents in {corpus} ({time.perf_counter() - started:.1f} s)", flush=True)
        for pipeline in pipelines:
            if pipeline == "direct-1" and n > one_worker_max:
                continue
            command = [
                sys.executable,
                "-m",
                "bench.run",
                "--one",
                str(n),
                "--pipeline",
                pipeline,
                "--corpus",
                str(corpus),
                "--work",
                str(work),
                "--stage-sample",
                str(stage_sample or 0),
            ]
            if dlt_python is not None:
                command += ["--dlt-python", str(dlt_python)]
            done = subprocess.run(
                command, cwd=ROOT.parent, capture_output=True, text=True, env=_environment(work)
            )
            stamp = {
                "commit": machine["commit"],
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            if done.returncode != 0:
                # a failed run is a result too (and the other runs go on): keep the error's last line
                error = (done.stderr.strip().splitlines() or ["no output"])[-1]
                print(f"{pipeline:>10} N={n:>7,}: failed: {error}", file=sys.stderr, flush=True)
                results.append({"n": n, "pipeline": pipeline, "documents": n, "error": error, **stamp})
                continue
            result = json.loads(done.stdout.strip().splitlines()[-1]) | stamp
            results.append(result)
            _print(result)
    return results


def _print(result: dict[str, Any]) -> None:
    lines = [
        f"{result['pipeline']:>10} N={result['n']:>7,}: {result['seconds']:8.2f} s  "
        f"{result['documents_per_s']:8.1f} docs/s  {result['mb_per_s']:6.2f} MB/s  "
        f"peak RSS {result['peak_rss_mb']:,.0f} MB "
        f"(largest worker {result['worker_peak_rss_mb'] or 0:,.0f} MB)  "
        f"unchanged rerun {result['rerun_seconds']:.2f} s"
    ]
    if "stages" in result:
        stages = result["stages"]["seconds"]
        floor = result["floor"]
        publish = result.get("publish", {"broadsheet_seconds": float("nan"), "dlt": "not measured at this N"})
        lines += [
            "stages (s): " + "  ".join(f"{k} {v:.2f}" for k, v in stages.items()),
            f"floor: {floor['seconds']:.2f} s ({floor['documents_per_s']} docs/s, {floor['mb_per_s']} MB/s)",
            f"publish: broadsheet {publish['broadsheet_seconds']:.2f} s, dlt "
            + (
                f"{publish['dlt_seconds']:.2f} s ({publish['speedup']}x)"
                if "dlt_seconds" in publish
                else str(publish.get("dlt"))
            ),
        ]
    print(("\n" + " " * 13).join(lines), flush=True)


def _by(runs: list[dict[str, Any]]) -> dict[tuple[int, str], dict[str, Any]]:
    return {(r["n"], r["pipeline"]): r for r in runs if "error" not in r}


def targets(runs: list[dict[str, Any]]) -> list[tuple[str, str, bool | None]]:
    """Issue 8's targets, each with the measured value and whether it is met (None: not measured)."""
    by = _by(runs)
    out: list[tuple[str, str, bool | None]] = []

    def get(n: int, pipeline: str) -> dict[str, Any] | None:
        return by.get((n, pipeline))

    flow, direct, one = get(10_000, "prefect"), get(10_000, "direct"), get(10_000, "direct-1")
    out.append(
        (
            ">= 1,000 documents/s end to end at 10k (Prefect flow, start-up included)",
            f"{flow['documents_per_s']:,.0f} docs/s" if flow else "-",
            flow["documents_per_s"] >= 1000 if flow else None,
        )
    )
    if flow and direct:
        share = 1 - direct["seconds"] / flow["seconds"]
        out.append(
            (
                "Prefect's share of the run <= 10% at 10k, temporary server started by the run",
                f"{share:.1%} ({flow['seconds']:.1f} s with, {direct['seconds']:.1f} s without)",
                share <= 0.10,
            )
        )
    served = get(10_000, "prefect-server")
    if served and direct:
        share = 1 - direct["seconds"] / served["seconds"]
        out.append(
            (
                "Prefect's share of the run <= 10% at 10k, on a running Prefect server",
                f"{share:.1%} ({served['seconds']:.1f} s with, {direct['seconds']:.1f} s without)",
                share <= 0.10,
            )
        )
    big, ten = get(100_000, "prefect"), flow
    if big and ten:
        whole = max(big["peak_rss_mb"], big["worker_peak_rss_mb"] or 0)
        ratio = big["peak_rss_mb"] / ten["peak_rss_mb"]
        out.append(
            (
                "peak RSS at 100k < 1 GiB and <= 1.2x the peak at 10k",
                f"{big['peak_rss_mb']:,.0f} MB run process, {whole:,.0f} MB largest process; "
                f"{ratio:.2f}x the 10k peak ({ten['peak_rss_mb']:,.0f} MB)",
                whole < 1024 and ratio <= 1.2,
            )
        )
    if direct and one:
        speedup = one["seconds"] / direct["seconds"]
        out.append(
            (
                ">= 1.7x speed-up from 1 to 2 workers (10k, no Prefect)",
                f"{speedup:.2f}x ({one['seconds']:.1f} s, {direct['seconds']:.1f} s)",
                speedup >= 1.7,
            )
        )
    if flow:
        share = flow["rerun_seconds"] / flow["seconds"]
        out.append(
            (
                "unchanged rerun over 10k < 10% of the first run (Prefect flow)",
                f"{share:.1%} ({flow['rerun_seconds']:.1f} s)",
                share < 0.10,
            )
        )
    publish = direct.get("publish") if direct else None
    if publish and "dlt_seconds" in publish:
        out.append(
            (
                "publish stage >= 2x faster than dlt to Parquet (10k)",
                f"{publish['speedup']:.1f}x ({publish['broadsheet_seconds']:.1f} s, dlt "
                f"{publish['dlt_seconds']:.1f} s)",
                publish["speedup"] >= 2,
            )
        )
    return out


def table(report: dict[str, Any]) -> str:
    """The README's tables (Markdown) for the results in `report`."""
    runs = sorted((r for r in report["runs"] if "error" not in r), key=lambda r: (r["n"], r["pipeline"]))
    lines = [
        "| N | pipeline | MB | end to end | docs/s | MB/s | peak RSS (run / largest worker) "
        "| unchanged rerun |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        lines.append(
            f"| {r['n']:,} | {r['pipeline']} | {r['megabytes']:,.1f} | {r['seconds']:.1f} s | "
            f"{r['documents_per_s']:,.1f} | {r['mb_per_s']:.2f} | {r['peak_rss_mb']:,.0f} / "
            f"{r['worker_peak_rss_mb'] or 0:,.0f} MB | {r['rerun_seconds']:.2f} s |"
        )
    lines += [
        "",
        "| N | " + " | ".join(STAGES) + " | floor | publish: broadsheet / dlt |",
        "|---|" + "---|" * (len(STAGES) + 2),
    ]
    for r in runs:
        if "stages" not in r:
            continue
        publish = r.get("publish", {})
        dlt = (
            f"{publish['broadsheet_seconds']:.1f} s / {publish['dlt_seconds']:.1f} s"
            if "dlt_seconds" in publish
            else "-"
        )
        lines.append(
            f"| {r['n']:,} | "
            + " | ".join(f"{r['stages']['seconds'][k]:.1f} s" for k in STAGES)
            + f" | {r['floor']['seconds']:.1f} s | {dlt} |"
        )
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    for name, value, met in targets(report["runs"]):
        lines.append(f"| {name} | {value} | {'yes' if met else 'no' if met is False else '-'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", help="corpus sizes (default 1000 10000 100000)")
    parser.add_argument("--quick", action="store_true", help="sizes 200 and 1000")
    parser.add_argument(
        "--pipeline", action="append", choices=sorted(PIPELINES), help="pipeline(s) to measure (default: all)"
    )
    parser.add_argument("--seed", type=int, default=8, help="corpus seed")
    parser.add_argument(
        "--stage-sample",
        type=int,
        default=2_000,
        help="time the stages on an even sample of this many documents (0: all)",
    )
    parser.add_argument(
        "--one-worker-max",
        type=int,
        default=10_000,
        help="measure direct-1 (one process) only up to this many documents",
    )
    parser.add_argument(
        "--dlt-python",
        type=Path,
        default=ROOT / ".venv-dlt" / "bin" / "python",
        help="the Python of a virtual environment with dlt (make bench creates it)",
    )
    parser.add_argument("--table", action="store_true", help="print the README tables of --out and exit")
    parser.add_argument("--corpus-root", type=Path, default=ROOT / "corpus")
    parser.add_argument("--work", type=Path, default=ROOT / "out")
    parser.add_argument("--out", type=Path, default=ROOT / "results.json")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # (a measuring process)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sample = args.stage_sample or None
    if args.one is not None:
        print(json.dumps(_one(args.one, args.pipeline[0], args.corpus, args.work, sample, args.dlt_python)))
        return
    if args.table:
        print(table(json.loads(args.out.read_text(encoding="utf-8"))))
        return
    sizes = args.sizes or list(QUICK_SIZES if args.quick else DEFAULT_SIZES)
    pipelines = args.pipeline or list(PIPELINES)
    args.work.mkdir(parents=True, exist_ok=True)
    results = run_benchmark(
        sizes,
        pipelines,
        seed=args.seed,
        corpus_root=args.corpus_root,
        work=args.work,
        stage_sample=sample,
        one_worker_max=args.one_worker_max,
        dlt_python=args.dlt_python,
    )
    previous: list[dict[str, Any]] = []
    if args.out.exists():
        previous = json.loads(args.out.read_text(encoding="utf-8")).get("runs", [])
    done = {(r["n"], r["pipeline"]) for r in results}
    runs = [
        r for r in previous if (r["n"], r["pipeline"]) not in done and r["pipeline"] in PIPELINES
    ] + results
    runs.sort(key=lambda r: (r["pipeline"], r["n"]))
    report = {
        "machine": _machine(),
        "updated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "corpus_seed": args.seed,
        "runs": runs,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(table(report))
    print(f"results in {args.out}")


if __name__ == "__main__":
    main()
