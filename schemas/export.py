"""Write the JSON Schema files under schemas/json/ from the models.

    python -m schemas.export          # rewrite schemas/json/*.schema.json
    python -m schemas.export --check  # exit 1 when the committed files have drifted
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from schemas.catalog import ReleaseDiff
from schemas.models import DATASETS

__all__ = ["FILES", "JSON_DIR", "json_schema", "main", "render"]

JSON_DIR = Path(__file__).parent / "json"
#: What else a release publishes as JSON with a schema of its own: `changes.json` (contract v2).
FILES: dict[str, type[BaseModel]] = {"changes": ReleaseDiff}


def json_schema(dataset: str) -> dict[str, Any]:
    """The JSON Schema of one record of `dataset` as published in JSON Lines (or of a file in `FILES`)."""
    model = FILES.get(dataset) or DATASETS[dataset]
    schema = model.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://broadsheet.invalid/schemas/{dataset}.schema.json",
        **schema,
    }


def render(dataset: str) -> str:
    """The file content for `dataset` (stable: sorted keys, two-space indent, final newline)."""
    return json.dumps(json_schema(dataset), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    check = "--check" in args
    drifted = []
    for dataset in [*DATASETS, *FILES]:
        path = JSON_DIR / f"{dataset}.schema.json"
        text = render(dataset)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                drifted.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
    if drifted:
        print(
            f"schemas/json is out of date for {', '.join(drifted)}: run `make schemas` and commit the result",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
