"""Read the per-sentence attribution cases of tests/cases/attributions.jsonl, and run one.

A case is a sentence or a short passage written for the test (never third-party
text), the class of attribution it shows, the news style it is written in, and
the positions expected from it: actor, cue lemma, act and the position's text.
`python -m tests.extract.attribution_cases --show` prints what the extractor gives
for every case, to review a change or to write a new case.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flows.extract.article import body_blocks
from flows.extract.positions import extract_positions
from flows.layout import parse_layout

CASES = Path(__file__).resolve().parents[1] / "cases" / "attributions.jsonl"
TITLE = "Attribution case\n\n"  # a neutral headline, so that the case text is the body
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def load_cases() -> list[dict[str, Any]]:
    """The cases, in file order."""
    lines = CASES.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def positions_of(text: str) -> list[dict[str, Any]]:
    """What the extractor finds in `text`: actor, cue, act and the position's text."""
    document = TITLE + text + "\n"
    page = parse_layout(document, NOW)
    records = extract_positions(body_blocks(page), document, article_id="a", document_id="d")
    return [{"actor": r["actor"], "cue": r["cue"], "act": r["act"], "content": r["text"]} for r in records]


if __name__ == "__main__":
    for case in load_cases():
        found = positions_of(case["text"])
        mark = "ok " if found == case["expect"] else "DIFF"
        print(mark, case["id"], json.dumps(found, ensure_ascii=False))
        if "--show" not in sys.argv and found != case["expect"]:
            print("     expected", json.dumps(case["expect"], ensure_ascii=False))
