"""Read the data files under flows/data/ (lexicons and gazetteers).

Lexicons are data, not code: CSV files with a header row (lines starting with
`#` before the header are comments) and plain-text lists (one entry a line).
Each is read once per process.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

__all__ = ["data_files", "read_lines", "read_table"]

_PACKAGE = "flows.data"


def data_files() -> list[str]:
    """Names of all data files shipped with broadsheet."""
    root = resources.files(_PACKAGE)
    return sorted(p.name for p in root.iterdir() if p.name.endswith((".csv", ".txt")))


def _text(name: str) -> str:
    return (resources.files(_PACKAGE) / name).read_text(encoding="utf-8")


@cache
def read_table(name: str) -> tuple[dict[str, str], ...]:
    """Rows of the CSV file `name` as dicts keyed by the header row."""
    lines = [line for line in _text(name).splitlines() if line.strip()]
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return tuple({k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(lines))


@cache
def read_lines(name: str) -> tuple[str, ...]:
    """Non-empty, non-comment lines of the text file `name`, stripped."""
    return tuple(
        stripped
        for line in _text(name).splitlines()
        if (stripped := line.strip()) and not stripped.startswith("#")
    )
