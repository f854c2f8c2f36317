"""Main-text quality and speed of broadsheet's HTML rendering on real news pages with reference text.

    .venv/bin/python -m bench.html_eval                 # fetch the corpus once, then score broadsheet
    .venv/bin/python -m bench.html_eval --compare       # also trafilatura and readability-lxml
    .venv/bin/python -m bench.html_eval --worst 10      # list the ten pages with the lowest F1

The corpus is the set of real news pages that newspaper4k ships with their reference article
text in its source distribution on PyPI (`tests/data/html/NAME.html` and `tests/data/txt/NAME.txt`,
CNN, Time, Wired, Fox 13, cleveland.com, and pages in Arabic, Spanish, Latvian, Chinese, Japanese,
Thai, Burmese and Korean). `pip download` fetches the sdist into `bench/corpus/html/` (git-ignored:
third-party pages are never committed) and the pairs are unpacked beside it; pages without a
reference text are left out.

For each page the bytes are decoded as broadsheet decodes them, rendered (`render_html`) and laid
out (`parse_layout`); the main text is the article's heading, paragraph and bullet blocks (what
the `articles` dataset publishes as the body). Scores, as in the ScrapingHub article-extraction
benchmark: precision and recall of the set of 4-token shingles of the main text against those of
the reference, F1 per page, averaged over pages. A token is a word (`\\w+`, lower case) or, in
scripts written without spaces (Chinese, Japanese kana, Thai, Burmese, Lao, Khmer), one character.
"No article" counts pages whose main text is empty; "< 0.5" pages whose F1 is below one half.
`ms/page` is the mean time of render + layout per page (the best of three runs of each page; the
median is printed below the table); for the other tools, their median extraction time.

`--compare` runs trafilatura and readability-lxml on the same pages in an environment of their
own (`bench/.venv-html`, created from `bench/requirements-html.txt`; never in broadsheet's lock)
through `bench/html_side.py`, and scores their text the same way.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows.decode.charset import decode_bytes  # noqa: E402
from flows.decode.html import render_html, sniff_charset  # noqa: E402
from flows.layout import BODY_KINDS, parse_layout  # noqa: E402

CORPUS = ROOT / "bench" / "corpus" / "html"
SIDE_VENV = ROOT / "bench" / ".venv-html"
SIDE_REQUIREMENTS = ROOT / "bench" / "requirements-html.txt"
PACKAGE = "newspaper4k==0.9.6"
NOW = datetime(2024, 1, 1, tzinfo=UTC)
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]|\w+")


@dataclass(slots=True)
class Page:
    name: str
    html: Path
    reference: str


def fetch(corpus: Path = CORPUS) -> list[Page]:
    """The corpus pages, downloading and unpacking the sdist on first use."""
    pages_dir = corpus / "newspaper4k"
    if not pages_dir.is_dir():
        download = corpus / "_download"
        download.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
             "-d", str(download), PACKAGE],
            check=False,
        )
        archives = sorted(download.glob("newspaper4k-*.tar.gz"))
        if not archives:
            raise SystemExit(f"could not download the sdist of {PACKAGE} from PyPI: check the network or pip")
        staging = corpus / "_staging"
        shutil.rmtree(staging, ignore_errors=True)
        with tarfile.open(archives[-1]) as tar:
            members = [m for m in tar.getmembers() if "/tests/data/html/" in m.name or "/tests/data/txt/" in m.name]
            tar.extractall(staging, members=members, filter="data")
        html_dir = next(staging.glob("*/tests/data/html"))
        txt_dir = next(staging.glob("*/tests/data/txt"))
        pages_dir.mkdir(parents=True)
        for html in sorted(html_dir.glob("*.html")):
            reference = txt_dir / f"{html.stem}.txt"
            if reference.is_file():
                shutil.copy(html, pages_dir / html.name)
                shutil.copy(reference, pages_dir / reference.name)
        shutil.rmtree(staging)
    return [
        Page(html.stem, html, (pages_dir / f"{html.stem}.txt").read_text(encoding="utf-8"))
        for html in sorted(pages_dir.glob("*.html"))
    ]


def shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    tokens = _TOKEN.findall(text.lower())
    if len(tokens) < n:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def score(extracted: str, reference: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of the 4-token shingles of `extracted` against `reference`."""
    got, want = shingles(extracted), shingles(reference)
    if not got and not want:
        return 1.0, 1.0, 1.0
    if not got or not want:
        return 0.0, 0.0, 0.0
    common = len(got & want)
    precision, recall = common / len(got), common / len(want)
    f1 = 2 * precision * recall / (precision + recall) if common else 0.0
    return precision, recall, f1


def page_html(page: Page) -> str:
    data = page.html.read_bytes()
    return decode_bytes(data, uri=page.html.name, declared=sniff_charset(data)).text


def broadsheet_main_text(html: str) -> tuple[str, float]:
    """The article body broadsheet finds in `html`, and the best time of three for render + layout."""
    best = float("inf")
    text = ""
    for _ in range(3):
        start = time.perf_counter()
        rendered = render_html(html)
        layout = parse_layout(rendered, NOW)
        best = min(best, time.perf_counter() - start)
        text = "\n\n".join(block.text for block in layout.blocks if block.kind in BODY_KINDS)
    return text, best


def side_texts(pages: list[Page]) -> dict[str, dict[str, str]]:
    """trafilatura's and readability-lxml's text of each page, from their own environment."""
    python = SIDE_VENV / "bin" / "python"
    marker = SIDE_VENV / ".installed"
    if not marker.exists():
        subprocess.run([sys.executable, "-m", "venv", str(SIDE_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip>=24"], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", str(SIDE_REQUIREMENTS)], check=True)
        marker.touch()
    request = json.dumps([str(p.html) for p in pages])
    done = subprocess.run(
        [str(python), str(ROOT / "bench" / "html_side.py")], input=request, capture_output=True, text=True, check=True
    )
    result: dict[str, dict[str, str]] = json.loads(done.stdout)
    return result


@dataclass(slots=True)
class Summary:
    name: str
    f1: float
    precision: float
    recall: float
    empty: int
    below_half: int
    ms: float | None
    per_page: dict[str, float]
    median_ms: float | None = None


def summarise(name: str, scores: dict[str, tuple[float, float, float]], empty: int, ms: float | None) -> Summary:
    values = list(scores.values())
    return Summary(
        name,
        statistics.fmean(v[2] for v in values),
        statistics.fmean(v[0] for v in values),
        statistics.fmean(v[1] for v in values),
        empty,
        sum(1 for v in values if v[2] < 0.5),
        ms,
        {page: v[2] for page, v in scores.items()},
    )


def evaluate(pages: list[Page], compare: bool) -> list[Summary]:
    scores: dict[str, tuple[float, float, float]] = {}
    times: list[float] = []
    empty = 0
    for page in pages:
        text, seconds = broadsheet_main_text(page_html(page))
        times.append(seconds)
        empty += not text.strip()
        scores[page.name] = score(text, page.reference)
    summaries = [summarise("broadsheet", scores, empty, statistics.fmean(times) * 1000)]
    summaries[0].median_ms = statistics.median(times) * 1000
    if compare:
        texts = side_texts(pages)
        for tool in ("trafilatura", "readability-lxml"):
            tool_scores = {p.name: score(texts[tool].get(str(p.html), ""), p.reference) for p in pages}
            tool_empty = sum(1 for p in pages if not texts[tool].get(str(p.html), "").strip())
            ms = float(texts["_ms"][tool])
            summaries.append(summarise(tool, tool_scores, tool_empty, ms))
    return summaries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--compare", action="store_true", help="also score trafilatura and readability-lxml")
    parser.add_argument("--worst", type=int, default=0, help="list the N pages with the lowest F1")
    parser.add_argument("--page", help="print broadsheet's main text of one page")
    args = parser.parse_args(argv)
    pages = fetch(args.corpus)
    if args.page:
        page = next(p for p in pages if p.name == args.page)
        print(broadsheet_main_text(page_html(page))[0])
        return 0
    summaries = evaluate(pages, args.compare)
    print(f"{len(pages)} pages ({PACKAGE} test pages with reference text)\n")
    print(f"{'extractor':<18} {'F1':>6} {'P':>6} {'R':>6} {'no article':>10} {'< 0.5':>6} {'ms/page':>8}")
    for s in summaries:
        ms = f"{s.ms:.2f}" if s.ms is not None else "-"
        print(f"{s.name:<18} {s.f1:6.3f} {s.precision:6.3f} {s.recall:6.3f} {s.empty:10d} {s.below_half:6d} {ms:>8}")
    if summaries[0].median_ms is not None:
        print(f"\nbroadsheet render + layout: mean {summaries[0].ms:.2f} ms, median {summaries[0].median_ms:.2f} ms")
    if args.worst:
        print()
        by_name = {s.name: s for s in summaries}
        for name, f1 in sorted(summaries[0].per_page.items(), key=lambda kv: kv[1])[: args.worst]:
            others = "  ".join(f"{s}={by_name[s].per_page[name]:.3f}" for s in by_name if s != "broadsheet")
            print(f"{f1:.3f}  {name}  {others}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
