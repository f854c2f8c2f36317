"""Compare the newest releases of two output folders table by table, row by row.

    python bench/compare_outputs.py OLD_OUT NEW_OUT [--table positions ...] [--show 5]

A refactoring must leave every published row as it was: this reads both releases'
Parquet files back with pyarrow, sorts each table by its key and reports the rows
that were added, removed or changed, with the fields that differ. Exit status 1 when
any table differs, so it can gate a change.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

KEYS = {
    "documents": "document_id",
    "articles": "article_id",
    "positions": "position_id",
    "comments": "comment_id",
    "actors": "actor_id",
}


def newest_release(out: Path) -> Path:
    catalog = json.loads((out / "catalog.json").read_text(encoding="utf-8"))
    latest = catalog.get("latest") or catalog["releases"][-1]["release_id"]
    release_id = latest if isinstance(latest, str) else latest["release_id"]
    return out / "releases" / release_id


def rows(release: Path, table: str) -> dict[Any, dict[str, Any]]:
    path = release / f"{table}.parquet"
    if not path.exists():
        return {}
    return {row[KEYS[table]]: row for row in pq.read_table(path).to_pylist()}


def compare(old: Path, new: Path, tables: list[str], show: int) -> int:
    differing = 0
    for table in tables:
        before, after = rows(old, table), rows(new, table)
        added = sorted(set(after) - set(before), key=str)
        removed = sorted(set(before) - set(after), key=str)
        changed = [k for k in sorted(set(before) & set(after), key=str) if before[k] != after[k]]
        status = "identical" if not (added or removed or changed) else "DIFFERS"
        print(f"{table:10} {len(before):6} -> {len(after):6} rows  {status}"
              f"  (+{len(added)} -{len(removed)} ~{len(changed)})")
        if status == "identical":
            continue
        differing += 1
        for key in removed[:show]:
            print(f"  - {key}: {_short(before[key])}")
        for key in added[:show]:
            print(f"  + {key}: {_short(after[key])}")
        for key in changed[:show]:
            fields = [f for f in before[key] if before[key][f] != after[key].get(f)]
            for f in fields:
                print(f"  ~ {key}.{f}: {before[key][f]!r:.120} -> {after[key][f]!r:.120}")
    return differing


def _short(row: dict[str, Any]) -> str:
    keep = {k: v for k, v in row.items() if k in ("actor", "cue", "author", "title", "name", "text")}
    return repr(keep)[:200]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--table", action="append", choices=sorted(KEYS))
    parser.add_argument("--show", type=int, default=5, help="differences to print per table")
    args = parser.parse_args(argv)
    tables = args.table or list(KEYS)
    return 1 if compare(newest_release(args.old), newest_release(args.new), tables, args.show) else 0


if __name__ == "__main__":
    sys.exit(main())
