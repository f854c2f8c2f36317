"""The release page (`releases/<id>/index.html`) and the index of releases (`<out>/index.html`).

    ReleaseFacts + ReleaseDiff + the models' field descriptions ──► render_release_page ──► index.html
    Catalog ──► render_releases_index ──► <out>/index.html (and `broadsheet serve` at /)

Each page is one self-contained HTML file: its stylesheet, its script and its data are
inline, its charts are SVG drawn at publish time (`flows.release.charts`), and its
Content-Security-Policy allows no request at all (only the inline style and script,
by their SHA-256). Every value that comes from a document goes through `html.escape`
in the markup and through `_json_for_script` in the embedded data (where the script
sets it as text, never as HTML), so a document holding `<script>` shows it as text.
The filter table is capped at `TABLE_BYTES` of data: a release whose positions do not
fit shows a sample (see `flows.release.facts`), and says so.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from html import escape
from importlib import resources

from flows.release.charts import ACT_COLOURS, bar_chart, column_chart, stacked_columns
from flows.release.facts import ReleaseFacts, TableRow
from schemas import ACTS, DATASETS, describe
from schemas.catalog import Catalog, DatasetEntry, RecordDiff, ReleaseDiff

__all__ = ["PAGE", "TABLE_BYTES", "ReleasePage", "render_release_page", "render_releases_index"]

#: The file name of a release page (in its release folder) and of the index of releases (at the root).
PAGE = "index.html"
#: The filter table's data is cut to this many bytes (the whole page stays well under 5 MB).
TABLE_BYTES = 3_000_000
_SHOWN_ROWS = 200
_LISTED_IDS = 20
_COMMENT_BINS = ((0, 0), (1, 1), (2, 4), (5, 9), (10, 19), (20, 49), (50, 99), (100, None))
_DEPTH_BINS = 10
_TYPES = {"string": "string", "integer": "integer", "boolean": "boolean", "datetime": "timestamp (UTC)"}
_COUNTED = ("documents", "articles", "positions", "comments", "actors", "rejects")


@cache
def _asset(name: str) -> str:
    return (resources.files("flows.release") / "assets" / name).read_text(encoding="utf-8")


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _json_for_script(value: object) -> str:
    """JSON that cannot end its `<script>` element or open another one."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _document(title: str, body: str, *, script: str = "") -> bytes:
    style = _asset("page.css")
    policy = f"default-src 'none'; style-src '{_hash(style)}'; img-src data:; base-uri 'none'; form-action 'none'"
    if script:
        policy += f"; script-src '{_hash(script)}'"
    html = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{escape(policy)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{escape(title)}</title>\n<style>{style}</style>\n</head>\n<body>\n{body}\n"
        + (f"<script>{script}</script>\n" if script else "")
        + "</body>\n</html>\n"
    )
    return html.encode("utf-8")


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@dataclass(slots=True)
class ReleasePage:
    """What one release page shows.

    Attributes:
        release_id: the release.
        created_at: when its run started.
        pipeline_version: the pipeline that made it.
        contract_version: the data contract it follows.
        sources: the names of the sources that fed it.
        notes: what changed, in a sentence or two.
        datasets: its datasets with their rows and files.
        facts: what its files hold (see `flows.release.facts`).
        diff: what changed since the previous release (None: not worked out).
        titles: article id → title, for the articles the diff lists.
    """

    release_id: str
    created_at: datetime
    pipeline_version: str
    contract_version: str
    sources: list[str]
    notes: str
    datasets: dict[str, DatasetEntry]
    facts: ReleaseFacts
    diff: ReleaseDiff | None = None
    titles: dict[str, str] = field(default_factory=dict)


def _counts(page: ReleasePage) -> str:
    rows = []
    for name, entry in page.datasets.items():
        links = " ".join(
            f'<a href="{escape(file.path.rsplit("/", 1)[-1])}">{escape(file.format)}</a>' for file in entry.files
        )
        rows.append(
            f'<tr data-dataset="{escape(name)}"><th>{escape(name)}</th>'
            f'<td class="num rows">{entry.rows:,}</td><td>{links}</td>'
            f"<td>{escape(DATASETS[name].about) if name in DATASETS else ''}</td></tr>"
        )
    return (
        '<section id="contents"><h2>Contents</h2><table class="counts"><thead><tr><th>dataset</th>'
        '<th class="num">rows</th><th>files</th><th>one row per</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table>"
        '<p>Also here: <a href="README.md">the dataset card</a>, <a href="datapackage.json">datapackage.json</a>'
        ' (Frictionless Data Package v2, with the size and SHA-256 of every file) and '
        '<a href="changes.json">changes.json</a> (what changed since the previous release).</p></section>'
    )


def _diff_list(label: str, ids: list[str], titles: dict[str, str]) -> str:
    if not ids:
        return ""
    items = "".join(
        f"<li><code>{escape(i)}</code>{(' ' + escape(titles[i])) if i in titles else ''}</li>"
        for i in ids[:_LISTED_IDS]
    )
    more = f"<li>… and {len(ids) - _LISTED_IDS:,} more in changes.json</li>" if len(ids) > _LISTED_IDS else ""
    return f"<details><summary>{escape(label)} ({len(ids):,})</summary><ul>{items}{more}</ul></details>"


def _diff_row(name: str, records: RecordDiff) -> str:
    cells = "".join(
        f'<td class="num {kind}">{getattr(records, kind):,}</td>'
        for kind in ("added", "removed", "changed", "unchanged", "before", "after")
    )
    return f'<tr data-dataset="{escape(name)}"><th>{escape(name)}</th>{cells}</tr>'


def _changes(page: ReleasePage) -> str:
    head = f'<section id="changes"><h2>What changed</h2><p>{escape(page.notes)}</p>'
    diff = page.diff
    if diff is None or diff.previous is None:
        return head + "<p>This is the first release in its output: there is nothing to compare it with.</p></section>"
    inputs = diff.inputs
    table = (
        f"<p>Against release <code>{escape(diff.previous)}</code>: inputs {inputs.documents_added:,} added, "
        f"{inputs.documents_changed:,} changed, {inputs.documents_removed:,} removed, "
        f"{inputs.documents_unchanged:,} unchanged. Records by id (an edited input's records are matched by "
        "their place in it):</p>"
        '<table class="diff"><thead><tr><th>dataset</th><th class="num">added</th><th class="num">removed</th>'
        '<th class="num">changed</th><th class="num">unchanged</th><th class="num">before</th>'
        '<th class="num">after</th></tr></thead><tbody>'
        + "".join(_diff_row(name, records) for name, records in diff.datasets.items())
        + "</tbody></table>"
    )
    articles = diff.datasets.get("articles")
    lists = ""
    if articles is not None:
        lists = (
            _diff_list("articles added", articles.added_ids, page.titles)
            + _diff_list("articles removed", articles.removed_ids, page.titles)
            + _diff_list("articles changed", [r.id for r in articles.changed_ids], page.titles)
        )
    return head + table + lists + '<p>Every id is in <a href="changes.json">changes.json</a>.</p></section>'


def _bucket(day: date, unit: str) -> str:
    if unit == "day":
        return day.isoformat()
    return f"{day.year:04d}-{day.month:02d}" if unit == "month" else f"{day.year:04d}"


def _time_buckets(counts: Counter[tuple[date, str]]) -> tuple[str, list[str], dict[str, list[int]]]:
    """Positions by speech act over time: by day over two months at most, by month over five years at
    most, else by year; empty buckets in between are shown as such."""
    if not counts:
        return "day", [], {}
    first = min(day for day, _ in counts)
    last = max(day for day, _ in counts)
    span = (last - first).days
    unit = "day" if span <= 62 else "month" if span <= 5 * 366 else "year"
    labels: list[str] = []
    for ordinal in range(first.toordinal(), last.toordinal() + 1):
        label = _bucket(date.fromordinal(ordinal), unit)
        if not labels or labels[-1] != label:
            labels.append(label)
    where = {label: i for i, label in enumerate(labels)}
    present = {act for _, act in counts}
    series = {act: [0] * len(labels) for act in ACTS if act in present}
    for (day, act), count in counts.items():
        if act in series:
            series[act][where[_bucket(day, unit)]] += count
    return unit, labels, series


def _bins(counts: Counter[int], bins: tuple[tuple[int, int | None], ...]) -> list[tuple[str, int]]:
    found = []
    for low, high in bins:
        label = str(low) if high == low else (f"{low}+" if high is None else f"{low}–{high}")
        found.append((label, sum(n for value, n in counts.items() if value >= low and (high is None or value <= high))))
    return found


def _charts(facts: ReleaseFacts) -> str:
    unit, buckets, series = _time_buckets(facts.acts_by_day)
    depth_bins = tuple((d, d) for d in range(_DEPTH_BINS)) + ((_DEPTH_BINS, None),)
    figures = [
        ("Positions per actor (top 20)", bar_chart(
            "actors", "Positions per actor", facts.top_actors, empty="No positions in this release.")),
        (f"Positions per speech act, by {unit} (article date, else fetch date)", stacked_columns(
            "acts", "Positions per speech act over time", buckets, series, ACT_COLOURS,
            empty="No positions in this release.")),
        ("Articles by number of comments", column_chart(
            "comments", "Articles by number of comments", _bins(facts.comments_per_article, _COMMENT_BINS),
            unit="articles", empty="No articles in this release.")),
        ("Comments by thread depth (0: top level)", column_chart(
            "depth", "Comments by thread depth", _bins(facts.thread_depth, depth_bins),
            unit="comments", empty="No comments in this release.")),
    ]
    return (
        '<section id="charts"><h2>Charts</h2><div class="charts">'
        + "".join(f"<figure><figcaption>{escape(caption)}</figcaption>{svg}</figure>" for caption, svg in figures)
        + "</div></section>"
    )


def _table_rows(facts: ReleaseFacts) -> list[list[str]]:
    """The filter table's rows, in sample order, as many as fit in `TABLE_BYTES`."""
    rows: list[list[str]] = []
    size = 2
    for row in facts.table:
        values = TableRow.as_list(row)
        size += len(_json_for_script(values).encode("utf-8")) + 1
        if size > TABLE_BYTES:
            break
        rows.append(values)
    return rows


def _filter(facts: ReleaseFacts, rows: list[list[str]]) -> str:
    total = facts.rows.get("positions", 0)
    note = ""
    if len(rows) < total:
        note = (
            f'<p class="note" id="sampled">This release has {total:,} positions: the table holds a sample of '
            f"{len(rows):,} (those whose id hashes lowest, the same from release to release) to keep this "
            'page small. Every position is in <a href="positions.parquet">positions.parquet</a> and '
            '<a href="positions.jsonl">positions.jsonl</a>.</p>'
        )
    options = '<option value="">any</option>' + "".join(
        f'<option value="{escape(act)}">{escape(act)}</option>' for act in ACTS
    )
    return (
        '<section id="positions"><h2>Find positions</h2>' + note
        + f'<form class="filter" id="positions-filter" data-max-rows="{_SHOWN_ROWS}">'
        '<label>actor <input name="actor" type="search" placeholder="e.g. Sherman"></label>'
        f'<label>speech act <select name="act">{options}</select></label>'
        '<label>topic <input name="topic" type="search" placeholder="section heading"></label>'
        '<label>text <input name="text" type="search" placeholder="words in the passage or cue"></label>'
        "</form>"
        f'<p id="positions-status" data-matching="{len(rows)}" data-rows="{len(rows)}">'
        f"{len(rows):,} positions in the table</p>"
        '<div class="scroll"><table id="positions-table"><thead><tr><th>actor</th><th>act</th><th>topic</th>'
        "<th>cue</th><th>date</th><th>passage</th></tr></thead><tbody></tbody></table></div></section>"
    )


def _type(kind: str, item_kind: str | None) -> str:
    return f"list of {item_kind}" if kind == "list" else _TYPES[kind]


def _dataset(name: str, facts: ReleaseFacts) -> str:
    model = DATASETS[name]
    fields = "".join(
        f"<tr><td><code>{escape(spec.name)}</code></td><td>{escape(_type(spec.kind, spec.item_kind))}</td>"
        f"<td>{'no' if spec.nullable else 'yes'}</td><td>{escape(spec.description)}"
        f"{escape(' One of: ' + ', '.join(spec.enum) + '.') if spec.enum and spec.name != 'act' else ''}</td></tr>"
        for spec in describe(model)
    )
    samples = facts.samples.get(name) or []
    if samples:
        columns = list(samples[0])
        head = "".join(f"<th>{escape(c)}</th>" for c in columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(row.get(c, ''))}</td>" for c in columns) + "</tr>" for row in samples
        )
        sample = (f'<div class="scroll"><table class="sample"><thead><tr>{head}</tr></thead>'
                  f"<tbody>{body}</tbody></table></div>")
    else:
        sample = f'<p class="empty-dataset">{escape(name)} is empty in this release.</p>'
    return (
        f'<section class="dataset" id="dataset-{escape(name)}"><h3>{escape(name)}</h3>'
        f"<p>{escape(model.about)}</p><details><summary>Fields ({len(model.model_fields)})</summary>"
        '<table class="fields"><thead><tr><th>field</th><th>type</th><th>required</th><th>description</th>'
        f"</tr></thead><tbody>{fields}</tbody></table></details>"
        f"<h4>First rows</h4>{sample}</section>"
    )


def render_release_page(page: ReleasePage) -> bytes:
    """The release page: counts, what changed, charts, the filter over positions, schemas and samples."""
    rows = _table_rows(page.facts)
    header = (
        f"<header><h1>broadsheet release <code>{escape(page.release_id)}</code></h1>"
        f'<p class="meta">Created {escape(_when(page.created_at))} · pipeline broadsheet '
        f"{escape(page.pipeline_version)} · data contract v{escape(page.contract_version)} · sources: "
        f"{escape(', '.join(page.sources) or 'none')} · "
        '<a href="../../index.html">all releases</a></p>'
        '<nav class="sections"><a href="#contents">Contents</a><a href="#changes">What changed</a>'
        '<a href="#charts">Charts</a><a href="#positions">Find positions</a><a href="#datasets">Datasets</a></nav>'
        "</header>"
    )
    datasets = "".join(_dataset(name, page.facts) for name in page.datasets if name in DATASETS)
    body = (
        header + "<main>" + _counts(page) + _changes(page) + _charts(page.facts) + _filter(page.facts, rows)
        + f'<section id="datasets"><h2>Datasets</h2>{datasets}</section></main>'
        + "<footer>Made by broadsheet at publish time: one file, no network. Positions are machine-extracted: "
        "check them against their passage before quoting them.</footer>"
        + f'<script type="application/json" id="positions-data">{_json_for_script(rows)}</script>'
    )
    return _document(f"broadsheet release {page.release_id}", body, script=_asset("page.js"))


def render_releases_index(catalog: Catalog) -> bytes:
    """The index of every release in a catalog, newest first, each linked to its page."""
    rows = []
    for release in catalog.releases:
        pages = [f.path for f in release.metadata if f.path.endswith("/" + PAGE)]
        card = [f.path for f in release.metadata if f.path.endswith("/README.md")]
        target = (pages or card or [release.path + "/datapackage.json"])[0]
        latest = ' <span class="latest">(latest)</span>' if release.id == catalog.latest else ""
        counts = "".join(
            f'<td class="num" data-dataset="{name}">'
            f"{release.datasets[name].rows:,}</td>" if name in release.datasets else '<td class="num">–</td>'
            for name in _COUNTED
        )
        rows.append(
            f'<tr data-release="{escape(release.id)}"><td><a href="{escape(target)}">{escape(release.id)}</a>'
            f"{latest}</td><td>{escape(_when(release.created_at))}</td>"
            f"<td>v{escape(release.contract_version or '1')}</td>{counts}"
            f"<td>{escape(release.notes or '')}</td></tr>"
        )
    heads = "".join(f'<th class="num">{name}</th>' for name in _COUNTED)
    table = (
        f'<table class="releases"><thead><tr><th>release</th><th>created</th><th>contract</th>{heads}'
        f"<th>what changed</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        if rows else "<p>Nothing was published here yet.</p>"
    )
    body = (
        "<header><h1>broadsheet releases</h1>"
        f'<p class="meta">{len(catalog.releases):,} release(s), newest first · '
        '<a href="catalog.json">catalog.json</a></p></header>'
        f"<main>{table}</main><footer>Made by broadsheet from catalog.json.</footer>"
    )
    return _document("broadsheet releases", body)
