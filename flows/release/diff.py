"""Release diffs: which articles, positions and comments two releases add, remove and change.

    read_inputs (old, new) ──► edited inputs: same source and URI, new bytes
    each dataset (old, new) ──► (id, content digest) per record ──► join on id ──► added, removed, changed
                                  records of edited inputs ──► matched by their place ──┘

A record is the same record in both releases when it has the same id. Its content is
every field but its ids and its location (`content_fields`): the ids (its own, its
document's, article's or parent's) say where it belongs, the location (`char_start`,
`char_end`, `ordinal`) says where it sits in its document, and neither is what it
says. Same id, different content is a change: the pipeline read the same input
differently (a new actor kind, a corrected quote). Ids derive from the document's
bytes, so an edited input (the same source and URI with new bytes) gives its records
new ids; those are matched to the old ones by their place in the input instead
(`NATURAL_KEYS`: an article by its order in the document, a position by its actor and
its order among that actor's positions, a comment by its author and order), and a
matched pair is changed or unchanged by its content like any other.

Both releases are read batch by batch, a few columns at a time; what is kept is an
id and an 8-byte digest per record (Arrow arrays), plus the place of the records of
edited inputs.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from flows.errors import ConfigError
from flows.release.catalog import read_catalog
from flows.release.incremental import PreviousInputs, plan_inputs, read_inputs
from flows.release.storage import Storage, storage_for
from schemas import CONTRACT_VERSION, DATASETS
from schemas.catalog import RELEASE_ID_PATTERN, ChangedRecord, RecordDiff, ReleaseChanges, ReleaseDiff

__all__ = [
    "DIFFED_DATASETS",
    "LOCATION_FIELDS",
    "NATURAL_KEYS",
    "ReleaseFiles",
    "content_fields",
    "diff_releases",
    "format_diff",
    "locate_release",
]

#: The datasets a diff compares, record by record.
DIFFED_DATASETS = ("articles", "positions", "comments")
#: Where a record sits in its document: a change there alone (text inserted above it) is no change.
LOCATION_FIELDS = frozenset({"char_start", "char_end", "ordinal"})
#: What tells the records of an edited input apart besides their order in it.
NATURAL_KEYS: dict[str, tuple[str, ...]] = {"articles": (), "positions": ("actor",), "comments": ("author",)}
_BATCH_ROWS = 16_384
_SHOWN_IDS = 5


def content_fields(dataset: str) -> list[str]:
    """The fields whose values make up a record's content (see the module docstring)."""
    model = DATASETS[dataset]
    ids = {*model.primary_key, "document_id", *(name for name, _, _ in model.foreign_keys)}
    return [name for name in model.model_fields if name not in ids and name not in LOCATION_FIELDS]


@dataclass(frozen=True, slots=True)
class ReleaseFiles:
    """Where the files of one release are: a storage and the release's folder in it."""

    storage: Storage
    prefix: str

    def has(self, name: str) -> bool:
        return self.storage.size(f"{self.prefix}/{name}") is not None


@dataclass(slots=True)
class _Side:
    """One release's records of one dataset: ids and digests, and the places of edited inputs' records."""

    ids: list[pa.Array] = field(default_factory=list)
    digests: list[pa.Array] = field(default_factory=list)
    #: (input, natural key values) -> [(char_start, id, digest)] for the records of edited inputs.
    places: dict[tuple[Any, ...], list[tuple[int, str, bytes]]] = field(default_factory=lambda: defaultdict(list))

    def table(self) -> pa.Table:
        if not self.ids:
            return pa.table({"id": pa.array([], pa.string()), "digest": pa.array([], pa.binary())})
        return pa.table({"id": pa.concat_arrays(self.ids), "digest": pa.concat_arrays(self.digests)})

    def ranked(self) -> dict[tuple[Any, ...], tuple[str, bytes]]:
        """Each record of an edited input by its place: input, natural key, rank in document order."""
        found = {}
        for key, records in self.places.items():
            for rank, (_, record_id, digest) in enumerate(sorted(records)):
                found[(*key, rank)] = (record_id, digest)
        return found


def _digest(values: tuple[Any, ...]) -> bytes:
    text = json.dumps(values, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()


def _read_side(files: ReleaseFiles, dataset: str, edited: dict[str, tuple[str, str]]) -> _Side:
    """The records of `dataset` in `files`; `edited` maps the document ids of edited inputs to the input."""
    side = _Side()
    path = f"{files.prefix}/{dataset}.parquet"
    if files.storage.size(path) is None:
        return side
    model = DATASETS[dataset]
    (key,) = model.primary_key
    content = content_fields(dataset)
    natural = NATURAL_KEYS[dataset]
    with files.storage.open_arrow(path) as handle:
        parquet = pq.ParquetFile(handle)
        present = set(parquet.schema_arrow.names)
        wanted = [name for name in dict.fromkeys([key, "document_id", "char_start", *natural, *content])
                  if name in present]
        for batch in parquet.iter_batches(batch_size=_BATCH_ROWS, columns=wanted):
            columns = {name: batch.column(name).to_pylist() for name in wanted}
            blank = [None] * batch.num_rows
            rows = list(zip(*(columns.get(name, blank) for name in content), strict=True))
            digests = [_digest(row) for row in rows]
            side.ids.append(batch.column(key))
            side.digests.append(pa.array(digests, pa.binary()))
            if not edited:
                continue
            for i, document_id in enumerate(columns.get("document_id", blank)):
                where = edited.get(document_id)
                if where is not None:
                    place = (*where, *(columns.get(name, blank)[i] for name in natural))
                    side.places[place].append((columns.get("char_start", blank)[i] or 0, columns[key][i], digests[i]))
    return side


def _compare(old: _Side, new: _Side) -> RecordDiff:
    before, after = old.table(), new.table()
    joined = after.rename_columns(["id", "after"]).join(
        before.rename_columns(["id", "before"]), "id", join_type="full outer"
    )
    added = set(pc.filter(joined.column("id"), pc.is_null(joined.column("before"))).to_pylist())
    removed = set(pc.filter(joined.column("id"), pc.is_null(joined.column("after"))).to_pylist())
    both = pc.and_(pc.is_valid(joined.column("before")), pc.is_valid(joined.column("after")))
    differs = pc.and_(both, pc.not_equal(joined.column("before"), joined.column("after")))
    changed = [ChangedRecord(id=i, previous_id=i) for i in pc.filter(joined.column("id"), differs).to_pylist()]
    unchanged = int(pc.sum(pc.cast(both, pa.int64())).as_py() or 0) - len(changed)
    old_places, new_places = old.ranked(), new.ranked()
    for place, (new_id, new_digest) in new_places.items():
        previous = old_places.get(place)
        if previous is None or new_id not in added or previous[0] not in removed:
            continue
        added.discard(new_id)
        removed.discard(previous[0])
        if previous[1] == new_digest:
            unchanged += 1
        else:
            changed.append(ChangedRecord(id=new_id, previous_id=previous[0]))
    changed.sort(key=lambda record: record.id)
    return RecordDiff(
        before=before.num_rows, after=after.num_rows, added=len(added), removed=len(removed),
        changed=len(changed), unchanged=unchanged, added_ids=sorted(added), removed_ids=sorted(removed),
        changed_ids=changed,
    )


@dataclass(frozen=True, slots=True)
class _Input:
    source: str
    uri: str
    document_id: str


def _input_changes(old: PreviousInputs, new: PreviousInputs, previous: str | None) -> ReleaseChanges:
    inputs = [_Input(source, uri, document_id) for (source, uri), document_id in new.inputs.items()]
    changes = plan_inputs(inputs, old, previous_id=previous).changes
    return changes.model_copy(update={"documents_parsed": 0})


def diff_releases(
    old: ReleaseFiles | None,
    new: ReleaseFiles,
    *,
    release: str,
    previous: str | None,
    inputs: ReleaseChanges | None = None,
) -> ReleaseDiff:
    """What changed from the release `old` (None: there is none) to the release `new`.

    Args:
        old: the older release's files.
        new: the newer release's files (published or staged).
        release: the newer release's id.
        previous: the older release's id.
        inputs: the input changes the run that made `new` planned with (default: worked out from the
            two releases' documents and rejects, as the run would have).
    """
    new_inputs = read_inputs(new.storage, new.prefix) if new.has("documents.parquet") else PreviousInputs()
    old_inputs = PreviousInputs()
    if old is not None and old.has("documents.parquet"):
        old_inputs = read_inputs(old.storage, old.prefix)
    if inputs is None:
        inputs = _input_changes(old_inputs, new_inputs, previous) if old is not None else ReleaseChanges()
    edited_old: dict[str, tuple[str, str]] = {}
    edited_new: dict[str, tuple[str, str]] = {}
    for where, document_id in new_inputs.inputs.items():
        before = old_inputs.inputs.get(where)
        if before is not None and before != document_id:
            edited_old[before], edited_new[document_id] = where, where
    datasets = {}
    for name in DIFFED_DATASETS:
        old_side = _read_side(old, name, edited_old) if old is not None else _Side()
        datasets[name] = _compare(old_side, _read_side(new, name, edited_new))
    return ReleaseDiff(
        contract_version=CONTRACT_VERSION, release=release, previous=previous if old is not None else None,
        inputs=inputs, datasets=datasets,
    )


def locate_release(name: str, out: str) -> tuple[str, ReleaseFiles]:
    """The id and files of the release `name`: an id in the catalog of `out`, or a release folder.

    Raises:
        ConfigError: `name` is neither.
    """
    if re.match(RELEASE_ID_PATTERN, name):
        catalog = read_catalog(out)
        release = next((r for r in catalog.releases if r.id == name), None)
        if release is not None:
            return release.id, ReleaseFiles(storage_for(out), release.path)
    folder = Path(name)
    if (folder / "datapackage.json").is_file():
        try:
            found = str(json.loads((folder / "datapackage.json").read_bytes()).get("id") or folder.name)
        except (ValueError, AttributeError):
            found = folder.resolve().name
        return found, ReleaseFiles(storage_for(folder.resolve().parent), folder.resolve().name)
    known = ", ".join(r.id for r in read_catalog(out).releases) or "none"
    raise ConfigError(
        f"{name!r} is neither a release in {out}/catalog.json (known: {known}) nor a release folder holding "
        "datapackage.json: pass an id with --out DIR, or the path of a release folder",
        uri=name,
    )


def _ids(label: str, ids: list[str]) -> list[str]:
    if not ids:
        return []
    more = f" … and {len(ids) - _SHOWN_IDS:,} more (--json lists all)" if len(ids) > _SHOWN_IDS else ""
    return [f"    {label}: {', '.join(ids[:_SHOWN_IDS])}{more}"]


def format_diff(diff: ReleaseDiff) -> str:
    """The diff as a few lines for people: counts per dataset, then the first ids of each kind."""
    if diff.previous is None:
        return f"release {diff.release} is a first release: nothing to compare it with"
    changes = diff.inputs
    lines = [
        f"release {diff.release} against {diff.previous}",
        f"  inputs: {changes.documents_added:,} added, {changes.documents_changed:,} changed, "
        f"{changes.documents_removed:,} removed, {changes.documents_unchanged:,} unchanged",
    ]
    for name, records in diff.datasets.items():
        lines.append(
            f"  {name}: {records.added:,} added, {records.removed:,} removed, {records.changed:,} changed, "
            f"{records.unchanged:,} unchanged ({records.before:,} → {records.after:,})"
        )
        lines += _ids("added", records.added_ids)
        lines += _ids("removed", records.removed_ids)
        lines += _ids("changed", [r.id if r.id == r.previous_id else f"{r.id} (was {r.previous_id})"
                                  for r in records.changed_ids])
    return "\n".join(lines)
