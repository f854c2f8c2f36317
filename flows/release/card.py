"""The dataset card (README.md) of a release, generated from the schema descriptions."""

from __future__ import annotations

from datetime import UTC, datetime

from flows.version import pipeline_version
from schemas import DATASETS, describe
from schemas.catalog import DatasetEntry

__all__ = ["field_table", "render_card"]

_TYPES = {"string": "string", "integer": "integer", "boolean": "boolean", "datetime": "timestamp (UTC)"}


def _type(kind: str, item_kind: str | None) -> str:
    return f"list of {item_kind}" if kind == "list" else _TYPES[kind]


def field_table(dataset: str) -> str:
    """The Markdown table of a dataset's fields: name, type, required, description."""
    rows = ["| field | type | required | description |", "|---|---|---|---|"]
    for spec in describe(DATASETS[dataset]):
        extra = f" One of: {', '.join(spec.enum)}." if spec.enum and spec.name != "act" else ""
        description = (spec.description + extra).replace("|", "\\|").replace("\n", " ")
        required = "no" if spec.nullable else "yes"
        rows.append(f"| `{spec.name}` | {_type(spec.kind, spec.item_kind)} | {required} | {description} |")
    return "\n".join(rows)


def render_card(release_id: str, created_at: datetime, datasets: dict[str, DatasetEntry], *,
                sources: list[str], notes: str) -> str:
    """The dataset card of a release."""
    created = created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    counts = "\n".join(
        f"| {name} | {entry.rows:,} | {', '.join(f.path.rsplit('/', 1)[-1] for f in entry.files)} |"
        for name, entry in datasets.items()
    )
    schemas = "\n\n".join(
        f"### {name}\n\n{DATASETS[name].about}\n\n{field_table(name)}" for name in datasets
    )
    return f"""# broadsheet release {release_id}

Articles, attributed positions (who said what, with which speech act and quotes)
and reader comments, extracted from news text by
[broadsheet](https://github.com/broadsheet/broadsheet), with the documents they
came from for lineage.

- Created: {created}
- Pipeline: broadsheet {pipeline_version()}
- Sources: {", ".join(sources) or "none"}
- Release id: `{release_id}` (cite it with the pipeline version)
- What changed: {notes}

## Contents

| dataset | rows | files |
|---|---:|---|
{counts}

Every dataset is published as Parquet (zstd) and as JSON Lines with the same
fields; `rejects` (inputs or records that failed, with the reason) is JSON Lines
only. `datapackage.json` describes every file (Frictionless Data Package v2) with
its size and SHA-256. Timestamps are UTC. `char_start`/`char_end` are 0-based,
end-exclusive offsets into `documents.text` of the same document.

## How to load it

In this folder, with pyarrow, pandas or DuckDB:

```python
import pyarrow.parquet as pq
positions = pq.read_table("positions.parquet")
```

```sql
-- DuckDB
SELECT actor, cue, act, count(*) FROM 'positions.parquet' GROUP BY ALL ORDER BY 4 DESC;
```

From wherever the release is published (an output folder, `http(s)://` where
`broadsheet serve` or a web server offers it, or `s3://`), with every file
checked against the SHA-256 in `catalog.json`:

```python
from flows import open_dataset
positions = open_dataset("http://127.0.0.1:8000/", "positions", release="{release_id}")
```

```console
$ broadsheet download http://127.0.0.1:8000/ --dest data --release {release_id}
```

## How it was made

Each raw input was decoded to text, laid out as title, paragraphs, headings,
bullets, credit and copyright lines and reader comments, and searched for
attributed statements: a reporting cue (a verb such as "say", "warn", "urge",
or a phrase such as "according to") with its speaker, resolved to the fullest name
the article gives, with role and affiliation from the speaker's introduction.
Positions are machine-extracted: check them against `text` before quoting them.

## Fields

{schemas}

## How to cite

> broadsheet release {release_id} ({created_at:%Y}). Dataset produced with broadsheet
> {pipeline_version()} from the sources listed above.

```bibtex
@misc{{broadsheet_{release_id.lower().replace("-", "_")},
  title  = {{broadsheet release {release_id}}},
  year   = {{{created_at:%Y}}},
  note   = {{Produced with broadsheet {pipeline_version()}; sources: {", ".join(sources) or "none"}}},
}}
```
"""
