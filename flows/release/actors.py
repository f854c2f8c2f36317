"""The actors dataset: one row per canonical actor, aggregated over the positions of a release.

    positions (batch by batch) ──► ActorTally.add ──► ActorTally.actors() ──► actors.parquet, actors.jsonl
    + when each was seen ─┘       (one small tally per actor, not per position)

A canonical actor is a distinct `positions.actor`: the extractor already resolves
'Sherman', 'the deputy secretary' and 'she' to 'Wendy Sherman' within an article,
and gives organisations and countries their canonical names across articles. Each
batch is grouped by Arrow (actor, kind, role, affiliation, mention) before it reaches
Python, so the cost in Python grows with the distinct values, not with the positions.
When an actor was seen is the date of the article it speaks in: its `published_at`
when the text gives one, else the `fetched_at` of its document (see `Actor`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa

from flows.extract.ids import stable_id
from schemas import ACTOR_KINDS, Actor

__all__ = ["ACTOR_COLUMNS", "ActorTally"]

#: The columns of `positions` an actor is aggregated from.
ACTOR_COLUMNS = ("actor", "actor_kind", "actor_role", "actor_affiliation", "actor_mention")
_KIND_ORDER = {kind: i for i, kind in enumerate(ACTOR_KINDS)}


@dataclass(slots=True)
class _Tally:
    positions: int = 0
    first: datetime | None = None
    last: datetime | None = None
    kinds: Counter[str] = field(default_factory=Counter)
    roles: Counter[str] = field(default_factory=Counter)
    affiliations: Counter[str] = field(default_factory=Counter)
    aliases: Counter[str] = field(default_factory=Counter)

    def add(self, row: dict[str, object], count: int) -> None:
        self.positions += count
        first, last = row["seen_min"], row["seen_max"]
        if isinstance(first, datetime) and (self.first is None or first < self.first):
            self.first = first
        if isinstance(last, datetime) and (self.last is None or last > self.last):
            self.last = last
        for counter, column in ((self.kinds, "actor_kind"), (self.roles, "actor_role"),
                                (self.affiliations, "actor_affiliation"), (self.aliases, "actor_mention")):
            value = row[column]
            if isinstance(value, str) and value:
                counter[value] += count


def _ranked(counter: Counter[str]) -> list[str]:
    """The values of `counter`, most frequent first, ties in alphabetical order (a stable order)."""
    return [value for value, _ in sorted(counter.items(), key=lambda item: (-item[1], item[0]))]


@dataclass(slots=True)
class ActorTally:
    """Adds up the positions of a release, batch by batch, into one `Actor` per actor name."""

    tallies: dict[str, _Tally] = field(default_factory=dict)

    def add(self, positions: pa.Table) -> None:
        """Count one batch: a table with the `ACTOR_COLUMNS` and `seen` (timestamp, when the article
        was published or its document fetched)."""
        if positions.num_rows == 0:
            return
        grouped = positions.group_by(list(ACTOR_COLUMNS)).aggregate(
            [("seen", "min"), ("seen", "max"), ("actor", "count")]
        )
        for row in grouped.to_pylist():
            name = row["actor"]
            if not isinstance(name, str) or not name:
                continue
            tally = self.tallies.get(name)
            if tally is None:
                tally = self.tallies[name] = _Tally()
            tally.add(row, int(row["actor_count"]))

    def actors(self) -> list[Actor]:
        """The actors, most positions first (ties by name)."""
        found = []
        for name, tally in self.tallies.items():
            if tally.first is None or tally.last is None:
                continue  # (no position of it could be dated: its article is missing)
            kinds = sorted(tally.kinds.items(), key=lambda item: (-item[1], _KIND_ORDER.get(item[0], 99)))
            found.append(
                Actor(
                    actor_id=stable_id("actor", name),
                    name=name,
                    kind=kinds[0][0] if kinds else None,  # type: ignore[arg-type]
                    roles=_ranked(tally.roles),
                    affiliations=_ranked(tally.affiliations),
                    aliases=_ranked(tally.aliases),
                    first_seen=tally.first,
                    last_seen=tally.last,
                    position_count=tally.positions,
                )
            )
        found.sort(key=lambda actor: (-actor.position_count, actor.name))
        return found

    def top(self, limit: int) -> list[tuple[str, int]]:
        """The `limit` actors with the most positions, with their counts."""
        ranked = sorted(self.tallies.items(), key=lambda item: (-item[1].positions, item[0]))
        return [(name, tally.positions) for name, tally in ranked[:limit]]
