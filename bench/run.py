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
`flows.run.run_once`, stage by stage in one process; the Prefect flow, parallel
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
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parent
DEFAULT_SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (200, 1_000)
STAGES = ("ingest", "decode", "layout", "extract", "validate", "write")

__all__ = ["PIPELINES", "Pipeline", "measure_floor", "measure_stages", "run_benchmark"]


class Pipeline(Protocol):
    """One way of publishing a folder of raw documents into an output folder."""

    def run(self, raw: Path, out: Path) -> Any:
        """Publish `raw` into the empty folder `out`; returns a `flows.run.Outcome`."""


@dataclass(frozen=True, slots=True)
class RunOnce:
    """`flows.run.run_once`: ingest, process in batches and publish in this process, no Prefect."""

    def run(self, raw: Path, out: Path) -> Any:
        from flows.run import run_once

        return run_once(raw, out)


#: Pipelines by name. Add the Prefect flow, parallel workers or dlt here: a factory per name.
PIPELINES: dict[str, Callable[[], Pipeline]] = {"run_once": RunOnce}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure_stages(raw: Path, *, sample: int | None = None) -> dict[str, Any]:
    """Seconds spent in each stage over the documents of `raw` (or an even sample of them),
    calling the stage functions directly the way `flows.process.process_document` does; the
    records are written with `flows.publish.ReleaseWriter` into a scratch folder."""
    from flows.decode import decode_bytes
    from flows.errors import BroadsheetError
    from flows.extract import extract_document
    from flows.layout import parse_layout
    from flows.process import TEXT_MEDIA_TYPES, Batch, _validate, reject_for
    from flows.publish import ReleaseWriter
    from flows.run import DEFAULT_BATCH_SIZE, batched, collect_files
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
        writer = ReleaseWriter(Path(scratch) / "release").__enter__()
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


def _one(n: int, pipeline: str, corpus: Path, work: Path, stage_sample: int | None) -> dict[str, Any]:
    """Measure one pipeline on one corpus (run in a process of its own)."""
    paths = sorted(corpus.glob("*.txt"))
    size = sum(p.stat().st_size for p in paths)
    out = work / f"out-{n}-{pipeline}"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    outcome = PIPELINES[pipeline]().run(corpus, out)
    seconds = time.perf_counter() - start
    peak = _peak_rss_mb()
    release = Path(outcome.release_path) if outcome.release_path else None
    stages = measure_stages(corpus, sample=stage_sample)
    floor = measure_floor(corpus, release) if release is not None else None
    shutil.rmtree(out, ignore_errors=True)
    return {
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
        "stages": stages,
        "floor": floor,
    }


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


def run_benchmark(
    sizes: list[int],
    pipelines: list[str],
    *,
    seed: int,
    corpus_root: Path,
    work: Path,
    stage_sample: int | None,
) -> list[dict[str, Any]]:
    """Write the corpora and measure each pipeline on each, each in a fresh process."""
    from bench.corpus import write_corpus

    results = []
    for n in sizes:
        corpus = corpus_root / f"{n}"
        started = time.perf_counter()
        write_corpus(corpus, n, seed=seed)
        print(f"corpus of {n:,} documents in {corpus} ({time.perf_counter() - started:.1f} s)", flush=True)
        for pipeline in pipelines:
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
            ]
            if stage_sample is not None:
                command += ["--stage-sample", str(stage_sample)]
            done = subprocess.run(command, cwd=ROOT.parent, capture_output=True, text=True)
            if done.returncode != 0:
                # a failed run is a result too (and the other runs go on): keep the error's last line
                error = (done.stderr.strip().splitlines() or ["no output"])[-1]
                print(f"{pipeline:>10} N={n:>7,}: failed: {error}", file=sys.stderr, flush=True)
                results.append({"n": n, "pipeline": pipeline, "documents": n, "error": error})
                continue
            result = json.loads(done.stdout.strip().splitlines()[-1])
            results.append(result)
            _print(result)
    return results


def _print(result: dict[str, Any]) -> None:
    stages = result["stages"]["seconds"]
    floor = result["floor"] or {}
    print(
        f"{result['pipeline']:>10} N={result['n']:>7,}: {result['seconds']:8.2f} s  "
        f"{result['documents_per_s']:8.1f} docs/s  {result['mb_per_s']:6.2f} MB/s  "
        f"peak RSS {result['peak_rss_mb']:,.0f} MB\n"
        f"{'':>13}stages (s): " + "  ".join(f"{k} {v:.2f}" for k, v in stages.items()) + "\n"
        f"{'':>13}floor: {floor.get('seconds', float('nan')):.2f} s "
        f"({floor.get('documents_per_s')} docs/s, {floor.get('mb_per_s')} MB/s)",
        flush=True,
    )


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
        default=10_000,
        help="time the stages on an even sample of this many documents (0: all)",
    )
    parser.add_argument("--corpus-root", type=Path, default=ROOT / "corpus")
    parser.add_argument("--work", type=Path, default=ROOT / "out")
    parser.add_argument("--out", type=Path, default=ROOT / "results.json")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # (a measuring process)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sample = args.stage_sample or None
    if args.one is not None:
        print(json.dumps(_one(args.one, args.pipeline[0], args.corpus, args.work, sample)))
        return
    sizes = args.sizes or list(QUICK_SIZES if args.quick else DEFAULT_SIZES)
    pipelines = args.pipeline or sorted(PIPELINES)
    args.work.mkdir(parents=True, exist_ok=True)
    results = run_benchmark(
        sizes, pipelines, seed=args.seed, corpus_root=args.corpus_root, work=args.work, stage_sample=sample
    )
    previous: list[dict[str, Any]] = []
    if args.out.exists():
        previous = json.loads(args.out.read_text(encoding="utf-8")).get("runs", [])
    done = {(r["n"], r["pipeline"]) for r in results}
    runs = [r for r in previous if (r["n"], r["pipeline"]) not in done] + results
    runs.sort(key=lambda r: (r["pipeline"], r["n"]))
    report = {
        "machine": _machine(),
        "updated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "corpus_seed": args.seed,
        "runs": runs,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"results in {args.out}")


if __name__ == "__main__":
    main()
