"""What a release page shows, gathered from a release's Parquet files column by column.

    documents (document_id, fetched_at) ─┐
    articles (article_id, published_at) ─┴► when each article was seen ─┐
    positions (actor columns, act, text …) ──────────────────────────────┴► actors, acts over time,
    articles (comment_count), comments (depth) ─► histograms               the filter's sample
    every dataset ─► its first rows

`gather_facts` reads the files of one release (staged or published) with pyarrow,
batch by batch and only the columns it needs; what it keeps is bounded by the
number of distinct actors, days and counts, and by the sample sizes, never by the
number of records. The filter table of the page holds every position when they
fit in its budget (`TABLE_ROWS`), else a sample: the positions whose id hashes
lowest, which is the same from run to run and keeps most of one release's sample
in the next.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from flows.release.actors import ACTOR_COLUMNS, ActorTally
from flows.release.incremental import iter_lines
from flows.release.storage import Storage

if TYPE_CHECKING:
    from flows.release.diff import ReleaseFiles
from schemas import DATASETS, Actor

__all__ = [
    "SAMPLE_ROWS",
    "TABLE_ROWS",
    "TABLE_TEXT_CHARS",
    "ReleaseFacts",
    "TableRow",
    "article_titles",
    "gather_facts",
]

#: Rows of each dataset shown as a sample on the page.
SAMPLE_ROWS = 5
#: At most this many positions go into the page's filter table (a sample when there are more).
TABLE_ROWS = 12_000
#: The passage of a position in the filter table is cut to this many characters.
TABLE_TEXT_CHARS = 400
_CELL_CHARS = 240
_BATCH_ROWS = 16_384
_TABLE_COLUMNS = ("position_id", "actor", "act", "topic", "cue", "text")


@dataclass(frozen=True, slots=True)
class TableRow:
    """One position in the page's filter table."""

    priority: int
    position_id: str
    actor: str
    act: str
    topic: str
    cue: str
    text: str
    day: str

    def as_list(self) -> list[str]:
        return [self.actor, self.act, self.topic, self.cue, self.day, self.text]


@dataclass(slots=True)
class ReleaseFacts:
    """Everything the release page shows beyond the schemas.

    Attributes:
        rows: rows per dataset.
        samples: the first rows of each dataset, each value as display text (cut to a cell's length).
        top_actors: the 20 actors with most positions, with their counts.
        acts_by_day: positions by (day seen, speech act).
        comments_per_article: articles by their number of comments.
        thread_depth: comments by their depth.
        table: the positions of the filter table (all, or a sample), lowest priority first.
    """

    rows: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    top_actors: list[tuple[str, int]] = field(default_factory=list)
    acts_by_day: Counter[tuple[date, str]] = field(default_factory=Counter)
    comments_per_article: Counter[int] = field(default_factory=Counter)
    thread_depth: Counter[int] = field(default_factory=Counter)
    table: list[TableRow] = field(default_factory=list)

    @property
    def sampled(self) -> bool:
        """Whether the filter table holds only a sample of the positions."""
        return len(self.table) < self.rows.get("positions", 0)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        text = value.isoformat().replace("+00:00", "Z")
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _CELL_CHARS else text[: _CELL_CHARS - 1] + "…"


def _priority(position_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(position_id.encode("utf-8"), digest_size=8).digest(), "big")


class _Sample:
    """The `TABLE_ROWS` positions of lowest priority seen so far (a max-heap on the priority)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.heap: list[tuple[int, str, TableRow]] = []

    def add(self, batch: pa.Table, days: list[str]) -> None:
        ids = batch.column("position_id").to_pylist()
        priorities = [_priority(i) for i in ids]
        full = len(self.heap) >= self.size
        wanted = [i for i, p in enumerate(priorities) if not full or p < -self.heap[0][0]]
        if not wanted:
            return
        columns = {name: batch.column(name).take(pa.array(wanted)).to_pylist() for name in _TABLE_COLUMNS[1:]}
        for j, i in enumerate(wanted):
            text = columns["text"][j] or ""
            row = TableRow(
                priorities[i], ids[i], columns["actor"][j] or "", columns["act"][j] or "",
                columns["topic"][j] or "", columns["cue"][j] or "",
                text if len(text) <= TABLE_TEXT_CHARS else text[: TABLE_TEXT_CHARS - 1] + "…", days[i],
            )
            entry = (-row.priority, row.position_id, row)
            if len(self.heap) < self.size:
                heapq.heappush(self.heap, entry)
            elif entry > self.heap[0]:
                heapq.heapreplace(self.heap, entry)

    def rows(self) -> list[TableRow]:
        return sorted((entry[2] for entry in self.heap), key=lambda row: (row.priority, row.position_id))


@contextlib.contextmanager
def _parquet(storage: Storage, prefix: str, name: str) -> Iterator[pq.ParquetFile | None]:
    """The Parquet file of dataset `name`, or None when the release has none (JSON Lines only)."""
    if storage.size(f"{prefix}/{name}.parquet") is None:
        yield None
        return
    with storage.open_arrow(f"{prefix}/{name}.parquet") as handle:
        yield pq.ParquetFile(handle)


def _columns(parquet: pq.ParquetFile, wanted: tuple[str, ...]) -> list[str]:
    names = set(parquet.schema_arrow.names)
    return [name for name in wanted if name in names]


def _with_columns(table: pa.Table, wanted: tuple[str, ...]) -> pa.Table:
    """`table` with every column of `wanted`, null where an older release's file lacks one."""
    for name in wanted:
        if name not in table.column_names:
            table = table.append_column(name, pa.nulls(table.num_rows, pa.string()))
    return table


def _seen_index(storage: Storage, prefix: str) -> pa.Table:
    """article_id → when it was seen: its `published_at`, else its document's `fetched_at`."""
    empty = pa.table({"article_id": pa.array([], pa.string()), "seen": pa.array([], pa.timestamp("us", "UTC"))})
    with _parquet(storage, prefix, "documents") as documents, _parquet(storage, prefix, "articles") as articles:
        if documents is None or articles is None:
            return empty
        fetched = documents.read(columns=["document_id", "fetched_at"])
        published = articles.read(columns=["article_id", "document_id", "published_at"])
    if published.num_rows == 0:
        return empty
    joined = published.join(fetched, "document_id", join_type="left outer")
    seen = pc.coalesce(joined.column("published_at"), joined.column("fetched_at"))
    return pa.table({"article_id": joined.column("article_id"), "seen": seen})


def _first_rows(storage: Storage, prefix: str, name: str) -> list[dict[str, str]]:
    with _parquet(storage, prefix, name) as parquet:
        if parquet is not None:
            for batch in parquet.iter_batches(batch_size=SAMPLE_ROWS):
                return [{k: _cell(v) for k, v in row.items()} for row in batch.to_pylist()[:SAMPLE_ROWS]]
            return []
    if storage.size(f"{prefix}/{name}.jsonl") is None:
        return []
    rows = []
    with storage.open_reader(f"{prefix}/{name}.jsonl") as handle:
        for line in _lines(handle, SAMPLE_ROWS):
            record = json.loads(line)
            rows.append({k: _cell(v) for k, v in record.items()})
    return rows


def _lines(handle: IO[bytes], limit: int) -> list[bytes]:
    """The first `limit` non-blank lines (read in chunks: object-store streams have no readline)."""
    lines: list[bytes] = []
    for line in iter_lines(handle):
        if line.strip():
            lines.append(line)
            if len(lines) >= limit:
                break
    return lines


def _scan_positions(storage: Storage, prefix: str, facts: ReleaseFacts, tally: ActorTally) -> None:
    seen = _seen_index(storage, prefix)
    with _parquet(storage, prefix, "positions") as parquet:
        if parquet is not None:
            facts.table = _scan(parquet, seen, facts, tally)


def _scan(parquet: pq.ParquetFile, seen: pa.Table, facts: ReleaseFacts, tally: ActorTally) -> list[TableRow]:
    wanted = tuple(dict.fromkeys(("article_id", *ACTOR_COLUMNS, *_TABLE_COLUMNS)))
    sample = _Sample(TABLE_ROWS)
    for batch in parquet.iter_batches(batch_size=_BATCH_ROWS, columns=_columns(parquet, wanted)):
        table = _with_columns(pa.Table.from_batches([batch]), wanted)
        where = pc.index_in(table.column("article_id"), value_set=seen.column("article_id"))
        when = seen.column("seen").take(where)
        table = table.append_column("seen", when)
        tally.add(table.select([*ACTOR_COLUMNS, "seen"]))
        days = [d.isoformat() if d is not None else "" for d in pc.cast(when, pa.date32()).to_pylist()]
        for (day, act), count in Counter(zip(days, table.column("act").to_pylist(), strict=True)).items():
            if day:
                facts.acts_by_day[(date.fromisoformat(day), act)] += count
        sample.add(table, days)
    return sample.rows()


def _histogram(storage: Storage, prefix: str, name: str, column: str) -> Counter[int]:
    counts: Counter[int] = Counter()
    with _parquet(storage, prefix, name) as parquet:
        if parquet is None:
            return counts
        for batch in parquet.iter_batches(batch_size=_BATCH_ROWS * 4, columns=[column]):
            for item in pc.value_counts(batch.column(0)).to_pylist():
                if item["values"] is not None:
                    counts[int(item["values"])] += int(item["counts"])
    return counts


def gather_facts(storage: Storage, prefix: str, rows: dict[str, int]) -> tuple[ReleaseFacts, list[Actor]]:
    """The facts of the release whose files are under `prefix`, and its actors.

    Args:
        storage: where the release is.
        prefix: its folder, relative to the storage (a staging folder or `releases/<id>`).
        rows: its rows per dataset (the actors' count is added here).
    """
    facts = ReleaseFacts(rows=dict(rows))
    tally = ActorTally()
    _scan_positions(storage, prefix, facts, tally)
    actors = tally.actors()
    facts.rows["actors"] = len(actors)
    facts.top_actors = tally.top(20)
    facts.comments_per_article = _histogram(storage, prefix, "articles", "comment_count")
    facts.thread_depth = _histogram(storage, prefix, "comments", "depth")
    for name in DATASETS:
        if name == Actor.dataset:
            facts.samples[name] = [
                {k: _cell(v) for k, v in actor.model_dump(mode="json").items()} for actor in actors[:SAMPLE_ROWS]
            ]
        else:
            facts.samples[name] = _first_rows(storage, prefix, name)
    return facts, actors


def article_titles(files: ReleaseFiles, ids: set[str]) -> dict[str, str]:
    """The titles of the articles `ids` of the release in `files` (for the few a page lists)."""
    found: dict[str, str] = {}
    if not ids:
        return found
    wanted = pa.array(sorted(ids), pa.string())
    with _parquet(files.storage, files.prefix, "articles") as parquet:
        if parquet is None:
            return found
        for batch in parquet.iter_batches(batch_size=_BATCH_ROWS, columns=["article_id", "title"]):
            kept = batch.filter(pc.is_in(batch.column("article_id"), value_set=wanted))
            found.update(zip(kept.column("article_id").to_pylist(), kept.column("title").to_pylist(), strict=True))
    return found
