"""trafilatura and readability-lxml on pages named on stdin (a JSON list of paths): their main text
as JSON on stdout, by tool and path, with each tool's median milliseconds per page under "_ms".

Runs inside bench/.venv-html (see bench/html_eval.py), never in broadsheet's own environment.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import lxml.html
import trafilatura
from readability import Document


def _readability(html: str) -> str:
    summary = Document(html).summary(html_partial=True)
    tree = lxml.html.fromstring(summary)
    blocks = [" ".join(el.text_content().split()) for el in tree.iter("p", "li", "h1", "h2", "h3", "h4", "pre", "td")]
    text = "\n\n".join(b for b in blocks if b)
    return text or " ".join(tree.text_content().split())


def main() -> None:
    paths = json.loads(sys.stdin.read())
    out: dict[str, dict[str, str]] = {"trafilatura": {}, "readability-lxml": {}, "_ms": {}}
    times: dict[str, list[float]] = {"trafilatura": [], "readability-lxml": []}
    for path in paths:
        data = Path(path).read_bytes()
        html = data.decode("utf-8", errors="replace")
        start = time.perf_counter()
        out["trafilatura"][path] = trafilatura.extract(data) or ""
        times["trafilatura"].append(time.perf_counter() - start)
        start = time.perf_counter()
        try:
            out["readability-lxml"][path] = _readability(html)
        except Exception:  # noqa: BLE001 - a page readability cannot read scores as empty
            out["readability-lxml"][path] = ""
        times["readability-lxml"].append(time.perf_counter() - start)
    for tool, values in times.items():
        out["_ms"][tool] = str(statistics.median(values) * 1000)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
