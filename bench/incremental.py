"""Measure incremental publishing: a first run, an unchanged rerun, a rerun after a few inputs
changed, and a full re-parse of the same input for comparison.

    .venv/bin/python bench/incremental.py [--documents 500] [--changed 5] [--out s3://bucket/prefix]

The corpus (bench/corpus/) is made from the seed and the layout test cases, each copy with its own
bytes; the output goes to bench/out/ unless --out names another location. Stages run without
Prefect (`run_once`), so the numbers are the pipeline's own.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows.pipeline.run import run_once  # noqa: E402


def make_corpus(raw: Path, count: int) -> None:
    texts = sorted((ROOT / "raw").glob("*.txt")) + sorted(
        (ROOT / "tests" / "cases" / "layouts").glob("*.txt")
    )
    shutil.rmtree(raw, ignore_errors=True)
    raw.mkdir(parents=True)
    for i in range(count):
        source = texts[i % len(texts)]
        (raw / f"{i:05d}_{source.stem}.txt").write_bytes(
            source.read_bytes().rstrip(b"\n") + b"\n" * (1 + i // len(texts))
        )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--changed", type=int, default=5)
    parser.add_argument("--out", default=None, help="output location (default: bench/out/incremental)")
    args = parser.parse_args()

    raw = ROOT / "bench" / "corpus" / f"incremental-{args.documents}"
    out = args.out or str(ROOT / "bench" / "out" / "incremental")
    full_out = str(ROOT / "bench" / "out" / "incremental-full")
    make_corpus(raw, args.documents)
    for folder in (out, full_out):
        if "://" not in folder:
            shutil.rmtree(folder, ignore_errors=True)

    rows = []

    def timed(label: str, target: str, **options: object) -> None:
        started = time.perf_counter()
        outcome = run_once(raw, target, **options)  # type: ignore[arg-type]
        seconds = time.perf_counter() - started
        rows.append((label, seconds, outcome.parsed, outcome.carried, outcome.message))

    timed("first run", out)
    timed("unchanged rerun", out)
    files = sorted(raw.glob("*.txt"))
    for path in files[: args.changed]:
        path.write_bytes(path.read_bytes() + b"\nA late correction.\n")
    files[-1].unlink()
    (raw / "zz_added.txt").write_bytes(files[0].read_bytes() + b"\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n")
    timed(f"rerun, {args.changed} changed, 1 added, 1 removed", out)
    timed("same input, --full (every input parsed)", full_out, full=True)

    print(f"{args.documents} documents; output {out}")
    print(f"{'run':<45} {'seconds':>8} {'parsed':>7} {'carried':>8}")
    for label, seconds, parsed, carried, _ in rows:
        print(f"{label:<45} {seconds:>8.2f} {parsed:>7} {carried:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
