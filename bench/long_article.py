"""Measure position extraction on one long article: is it linear in the text, and how fast?

    .venv/bin/python -m bench.long_article [--sizes 125000 250000 500000 1000000] [--repeat 3]

Each article is built from invented news sentences dense with attributions (coordinated
speakers, reporting nouns, organisation names, quotations, role descriptions), in two shapes:
one paragraph of the whole size (the worst case for a passage) and paragraphs of one sentence
group each. Only `extract_positions` is timed (layout and the other stages are in `bench.run`);
the best of `--repeat` runs is reported, with the time per megabyte, which stays flat when the
extraction is linear.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows.extract.positions import extract_positions  # noqa: E402
from flows.layout import Block  # noqa: E402

GROUPS = (
    "France, Germany and Italy called for a compromise on Monday, while Dvorak's claim that the port "
    "would reopen \u201cwithin days\u201d was met with scepticism. ",
    "The Committee for a Responsible Federal Budget reported that costs would rise, the Republican "
    "nominee said. ",
    "\u201cWe will not accept this,\u201d Lavrov told reporters in Geneva. Sherman said Russia offered no "
    "proof. The talks went on for hours. ",
    "The harbour commissioner, Lena Hartmann, said talks would resume. Her promise to cut fees drew "
    "applause, according to the union. ",
)


def article(size: int, one_paragraph: bool) -> tuple[str, list[Block]]:
    parts: list[str] = []
    total = 0
    k = 0
    while total < size:
        part = GROUPS[k % len(GROUPS)]
        parts.append(part)
        total += len(part) + (0 if one_paragraph else 2)
        k += 1
    if one_paragraph:
        text = "".join(parts)
        return text, [Block("paragraph", 0, len(text), text)]
    blocks: list[Block] = []
    at = 0
    for part in parts:
        blocks.append(Block("paragraph", at, at + len(part), part))
        at += len(part) + 2
    return "\n\n".join(parts), blocks


def measure(size: int, one_paragraph: bool, repeat: int) -> tuple[float, int]:
    text, blocks = article(size, one_paragraph)
    best = float("inf")
    count = 0
    for _ in range(repeat):
        started = time.perf_counter()
        count = len(extract_positions(blocks, text, article_id="a", document_id="d"))
        best = min(best, time.perf_counter() - started)
    return best, count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[125_000, 250_000, 500_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print("| characters | shape | positions | seconds | seconds per MB |")
    print("|---|---|---|---|---|")
    for one_paragraph in (True, False):
        for size in args.sizes:
            seconds, count = measure(size, one_paragraph, args.repeat)
            shape = "one paragraph" if one_paragraph else "paragraphs"
            print(f"| {size:,} | {shape} | {count:,} | {seconds:.2f} | {seconds / (size / 1e6):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
