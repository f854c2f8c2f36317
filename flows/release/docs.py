"""Generated parts of the README: the field tables of every dataset, from the models.

    python -m flows.release.docs          # rewrite the tables between the markers in README.md
    python -m flows.release.docs --check  # exit 1 when README.md is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

from flows.release.card import field_table
from schemas import DATASETS

__all__ = ["main", "render_fields"]

START, END = "<!-- fields:start -->", "<!-- fields:end -->"
README = Path(__file__).resolve().parents[2] / "README.md"


def render_fields() -> str:
    """The field tables of all datasets, as Markdown."""
    parts = []
    for name, model in DATASETS.items():
        parts.append(f"#### {name}\n\n{model.about}\n\n{field_table(name)}")
    return "\n\n".join(parts)


def _splice(text: str) -> str:
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n\n{render_fields()}\n\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        print(f"README.md lacks the {START} … {END} markers", file=sys.stderr)
        return 1
    updated = _splice(text)
    if "--check" in args:
        if updated != text:
            print("README.md field tables are out of date: run `make docs`", file=sys.stderr)
            return 1
        return 0
    README.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
