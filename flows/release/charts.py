"""Charts of the release page, drawn as inline SVG at publish time.

Drawing in Python keeps the page one self-contained file that shows its charts without
JavaScript, network or a vendored library (nothing to update, license or audit), and
keeps every label behind one escape (`html.escape`). Each chart is an `<svg
class="chart">` whose marks are `rect.bar` elements with a `<title>` (the browser's
tooltip); a chart without data says so in its place.

    bar_chart         horizontal bars, one per label (positions per actor)
    stacked_columns   columns split by series (positions per speech act over time)
    column_chart      vertical columns, one per bin (comments per article, thread depth)
"""

from __future__ import annotations

from html import escape

__all__ = ["ACT_COLOURS", "bar_chart", "column_chart", "stacked_columns"]

#: One colour per speech act (the Okabe–Ito palette, told apart with colour-blindness too).
ACT_COLOURS = {
    "assertive": "#0072B2",
    "directive": "#D55E00",
    "commissive": "#009E73",
    "expressive": "#CC79A7",
    "declarative": "#E69F00",
}
_BAR = "#0072B2"
_FONT = 12
_LABEL_CHARS = 34


def _short(label: str, limit: int = _LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _svg(name: str, width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg class="chart" data-chart="{escape(name)}" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="{_FONT}">' + "".join(body) + "</svg>"
    )


def _empty(name: str, title: str, message: str) -> str:
    text = f'<text class="empty" x="10" y="30">{escape(message)}</text>'
    return _svg(name, 480, 50, title, [text])


def _nice_max(value: int) -> int:
    """A round number at or above `value` for the end of an axis (1, 2, 5 times a power of ten)."""
    if value <= 1:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= step * factor:
                return step * factor
        step *= 10


def bar_chart(name: str, title: str, items: list[tuple[str, int]], *, empty: str) -> str:
    """Horizontal bars, one per (label, value), in the order given."""
    if not items:
        return _empty(name, title, empty)
    label_width, bar_width, row = 240, 380, 20
    top = max(value for _, value in items)
    height = row * len(items) + 10
    body = []
    for i, (label, value) in enumerate(items):
        y = 5 + i * row
        width = max(1.0, bar_width * value / top)
        body.append(
            f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">{escape(_short(label))}</text>'
            f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{width:.1f}" height="{row - 6}" '
            f'fill="{_BAR}"><title>{escape(label)}: {value:,}</title></rect>'
            f'<text x="{label_width + width + 4:.1f}" y="{y + 14}">{value:,}</text>'
        )
    return _svg(name, label_width + bar_width + 60, height, title, body)


def column_chart(name: str, title: str, bins: list[tuple[str, int]], *, unit: str, empty: str) -> str:
    """Vertical columns, one per (bin label, value), in the order given; `unit` names what is counted."""
    if not bins or not any(value for _, value in bins):
        return _empty(name, title, empty)
    column, plot_height, left, bottom = 44, 160, 50, 36
    top = _nice_max(max(value for _, value in bins))
    width = left + column * len(bins) + 10
    body = [
        f'<text x="{left - 6}" y="{14}" text-anchor="end">{top:,}</text>',
        f'<text x="{left - 6}" y="{plot_height + 10}" text-anchor="end">0</text>',
        f'<line x1="{left}" y1="{plot_height + 10}" x2="{width - 10}" y2="{plot_height + 10}" stroke="#888"/>',
    ]
    for i, (label, value) in enumerate(bins):
        x = left + i * column + 4
        height = plot_height * value / top
        y = plot_height + 10 - height
        body.append(
            f'<rect class="bar" x="{x}" y="{y:.1f}" width="{column - 8}" height="{height:.1f}" fill="{_BAR}">'
            f"<title>{escape(label)}: {value:,} {escape(unit)}</title></rect>"
            f'<text x="{x + (column - 8) / 2}" y="{plot_height + 26}" text-anchor="middle">{escape(label)}</text>'
        )
    return _svg(name, width, plot_height + bottom, title, body)


def stacked_columns(
    name: str, title: str, buckets: list[str], series: dict[str, list[int]], colours: dict[str, str], *, empty: str
) -> str:
    """Columns over `buckets` (time, in order), each split by the series (e.g. speech acts), with a legend."""
    totals = [sum(values[i] for values in series.values()) for i in range(len(buckets))]
    if not buckets or not any(totals):
        return _empty(name, title, empty)
    plot_height, left, legend = 180, 50, 22
    column = max(6, min(40, 640 // len(buckets)))
    width = max(left + column * len(buckets) + 10, 120 * len(series) + left)
    top = _nice_max(max(totals))
    base = legend + plot_height
    body = []
    for i, (label, colour) in enumerate(colours.items()):
        if label in series:
            body.append(
                f'<rect x="{left + i * 120}" y="4" width="12" height="12" fill="{colour}"/>'
                f'<text x="{left + i * 120 + 16}" y="14">{escape(label)}</text>'
            )
    body += [
        f'<text x="{left - 6}" y="{legend + 10}" text-anchor="end">{top:,}</text>',
        f'<text x="{left - 6}" y="{base}" text-anchor="end">0</text>',
        f'<line x1="{left}" y1="{base}" x2="{left + column * len(buckets)}" y2="{base}" stroke="#888"/>',
    ]
    step = max(1, len(buckets) // 8)
    for i, bucket in enumerate(buckets):
        x = left + i * column + 1
        y = float(base)
        for label, values in series.items():
            if not values[i]:
                continue
            height = plot_height * values[i] / top
            y -= height
            body.append(
                f'<rect class="bar" x="{x}" y="{y:.1f}" width="{column - 2}" height="{height:.1f}" '
                f'fill="{colours.get(label, _BAR)}"><title>{escape(bucket)} · {escape(label)}: '
                f"{values[i]:,}</title></rect>"
            )
        if i % step == 0:
            body.append(f'<text x="{x}" y="{base + 16}">{escape(bucket)}</text>')
    return _svg(name, width + 60, base + 24, title, body)
