"""The release page and the index of releases, in a real headless Chromium (Debian's `chromium`,
driven by playwright's client; no browser is downloaded): opened from the file and from `broadsheet
serve`, it shows the counts, draws every chart with no console error (a Content-Security-Policy
violation is one), and its filter narrows the table; a screenshot of each release goes into the test's
tmp folder. Escaping, an empty release and the sampling of a large one are checked without a browser
too."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from flows.pipeline.run import run_once
from flows.release.catalog import read_catalog
from flows.release.page import PAGE
from schemas.catalog import CatalogRelease

from ..conftest import CASES
from ..records import article, comment, document, position, publish_records

CHROMIUM = shutil.which("chromium") or next(
    (p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()), None
)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
CHARTS = ("actors", "acts", "comments", "depth")
EVIL = "<script>window.pwned=1</script>"
EVIL_IMG = "<img src=x onerror=window.pwned=1>"
Serve = Callable[[Path], str]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("no chromium binary on this machine: install Debian's package (apt-get install -y chromium); "
                    ".ci/run installs it when it is missing")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright client is a dev dependency")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Opened:
    """A page in the browser, with what went wrong in it: console errors, page errors, dialogs."""

    def __init__(self, browser: Any, url: str) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(url)

    def close(self) -> None:
        assert not self.errors, self.errors
        assert not self.dialogs, self.dialogs
        assert self.page.evaluate("() => window.pwned") is None
        self.page.close()


@pytest.fixture(scope="module")
def dev_releases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two releases of the development set: the second drops one text and adds another."""
    root = tmp_path_factory.mktemp("pages")
    raw = root / "raw"
    raw.mkdir()
    for name in ("000_72e78a6f65c98bb3", "101_wordpress_says", "102_disqus_style"):
        shutil.copy(CASES / "dev" / f"{name}.txt", raw)
    run_once(raw, root / "out")
    (raw / "102_disqus_style.txt").unlink()
    shutil.copy(CASES / "dev" / "103_plain_quotes.txt", raw)
    run_once(raw, root / "out")
    return root / "out"


def _check_release_page(opened: Opened, release: CatalogRelease, screenshot: Path) -> None:
    page = opened.page
    assert page.title() == f"broadsheet release {release.id}"
    for name, entry in release.datasets.items():
        assert page.inner_text(f'tr[data-dataset="{name}"] td.rows') == f"{entry.rows:,}", name
    assert page.locator("svg.chart").count() == len(CHARTS)
    for chart in CHARTS:
        svg = page.locator(f'svg.chart[data-chart="{chart}"]')
        box = svg.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 20, chart
        assert svg.locator("rect.bar").count() > 0, f"chart {chart} drew nothing"
    status = page.locator("#positions-status")
    total = int(status.get_attribute("data-rows") or 0)
    assert total == release.datasets["positions"].rows
    assert page.locator("#positions-table tbody tr").count() == min(total, 200)
    actor = page.inner_text("#positions-table tbody tr:first-child td:first-child")
    page.fill('input[name="actor"]', actor)
    matching = int(status.get_attribute("data-matching") or 0)
    assert 0 < matching < total
    shown = page.locator("#positions-table tbody tr td:first-child").all_inner_texts()
    assert len(shown) == matching and all(actor.lower() in a.lower() for a in shown)
    page.fill('input[name="actor"]', "")
    page.select_option('select[name="act"]', "assertive")
    acts = page.locator("#positions-table tbody tr td:nth-child(2)").all_inner_texts()
    assert acts and set(acts) == {"assertive"} and len(acts) <= total
    page.fill('input[name="text"]', "a phrase that no passage holds")
    assert status.get_attribute("data-matching") == "0"
    page.fill('input[name="text"]', "")
    page.select_option('select[name="act"]', "")
    page.screenshot(path=str(screenshot), full_page=False)


def test_each_release_page_from_the_file(browser: Any, dev_releases: Path, tmp_path: Path) -> None:
    catalog = read_catalog(dev_releases)
    assert len(catalog.releases) == 2
    for release in catalog.releases:
        opened = Opened(browser, (dev_releases / release.path / PAGE).as_uri())
        _check_release_page(opened, release, tmp_path / f"{release.id}.png")
        if release.id == catalog.latest:
            assert opened.page.locator('#changes tr[data-dataset="articles"] td.added').inner_text() == "1"
        opened.close()
        assert (tmp_path / f"{release.id}.png").stat().st_size > 10_000
    index = Opened(browser, (dev_releases / PAGE).as_uri())
    for release in catalog.releases:
        cell = index.page.locator(f'tr[data-release="{release.id}"] td[data-dataset="positions"]')
        assert cell.inner_text() == f"{release.datasets['positions'].rows:,}"
    index.close()


def test_the_pages_from_broadsheet_serve(browser: Any, dev_releases: Path, served: Serve, tmp_path: Path) -> None:
    url = served(dev_releases)
    catalog = read_catalog(dev_releases)
    opened = Opened(browser, url)
    assert opened.page.title() == "broadsheet releases"
    assert opened.page.locator("tr[data-release]").count() == len(catalog.releases)
    opened.page.click(f'tr[data-release="{catalog.latest}"] a')
    opened.page.wait_for_url(re.compile(re.escape(f"releases/{catalog.latest}/")))
    _check_release_page(opened, catalog.release(), tmp_path / "served.png")
    opened.close()
    older = catalog.releases[-1]
    again = Opened(browser, f"{url}{older.path}/")
    _check_release_page(again, older, tmp_path / "served-older.png")
    again.close()


def _evil_release(out: Path) -> CatalogRelease:
    doc = document("evil", f"Text with {EVIL} and {EVIL_IMG} in it.")
    art = article(doc, f"Headline {EVIL_IMG}", positions=2, comments=1)
    positions = [
        position(art, 1, f"{EVIL}Evil", f"The passage {EVIL} quoted.", topic=EVIL_IMG, actor_mention=EVIL),
        position(art, 2, "Plain Speaker", "Nothing odd here.", act="directive", cue="urge"),
    ]
    comments = [comment(art, 1, f"Reader {EVIL}", author=EVIL_IMG)]
    return publish_records(out, [{"documents": [doc], "articles": [art], "positions": positions,
                                  "comments": comments}], now=datetime(2024, 7, 1, tzinfo=UTC))


def test_text_from_documents_is_escaped_everywhere(tmp_path: Path) -> None:
    out = tmp_path / "out"
    release = _evil_release(out)
    html = (out / release.path / PAGE).read_text(encoding="utf-8")
    assert html.count("<script") == 2  # the page's data block and its own script
    assert "<img" not in html and "&lt;img src=x onerror=window.pwned=1&gt;" in html
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in html
    data = re.search(r'<script type="application/json" id="positions-data">(.*?)</script>', html, re.S)
    assert data is not None and any(row[0] == f"{EVIL}Evil" for row in json.loads(data.group(1)))
    index = (out / PAGE).read_text(encoding="utf-8")
    assert "<script" not in index


def test_escaped_text_shows_as_text_in_the_browser(browser: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    release = _evil_release(out)
    opened = Opened(browser, (out / release.path / PAGE).as_uri())
    cells = opened.page.locator("#positions-table tbody td").all_inner_texts()
    assert f"{EVIL}Evil" in cells and EVIL_IMG in cells
    assert EVIL[:30] in (opened.page.locator('svg.chart[data-chart="actors"]').text_content() or "")
    assert opened.page.locator("img").count() == 0
    assert EVIL in opened.page.locator("#dataset-documents table.sample").inner_text()
    opened.close()


def test_a_release_with_empty_datasets_still_renders(browser: Any, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "quiet.txt").write_text("A Quiet Headline\n\nA first paragraph that says little.\n", encoding="utf-8")
    run_once(raw, tmp_path / "out")
    release = read_catalog(tmp_path / "out").release()
    assert release.datasets["positions"].rows == 0 and release.datasets["actors"].rows == 0
    html = (tmp_path / "out" / release.path / PAGE).read_text(encoding="utf-8")
    assert "positions is empty in this release" in html and "No positions in this release." in html
    opened = Opened(browser, (tmp_path / "out" / release.path / PAGE).as_uri())
    assert opened.page.inner_text('tr[data-dataset="positions"] td.rows') == "0"
    assert opened.page.locator("svg.chart").count() == len(CHARTS)
    assert opened.page.locator('svg.chart[data-chart="actors"] text.empty').text_content() == \
        "No positions in this release."
    assert opened.page.locator("#positions-status").get_attribute("data-matching") == "0"
    opened.page.screenshot(path=str(tmp_path / f"{release.id}.png"))
    opened.close()


def test_a_release_over_100000_positions_is_sampled_under_5_mb(tmp_path: Path) -> None:
    total, per_article = 120_000, 120
    batches = []
    start = datetime(2023, 1, 1, tzinfo=UTC)
    for a in range(total // per_article):
        doc = document(f"doc{a}")
        art = article(doc, f"Article {a}", published_at=start + timedelta(days=a % 400), positions=per_article)
        positions = [
            position(art, i + 1, f"Speaker {(a * 7 + i) % 500}", f"Speaker {(a * 7 + i) % 500} said thing {i} "
                     "about the talks, the sanctions and what comes next, at some length. " * 3,
                     act=("assertive", "directive", "commissive")[i % 3])
            for i in range(per_article)
        ]
        batches.append({"documents": [doc], "articles": [art], "positions": positions})
    out = tmp_path / "out"
    release = publish_records(out, batches, now=datetime(2024, 8, 1, tzinfo=UTC))
    assert release.datasets["positions"].rows == total and release.datasets["actors"].rows == 500
    page = (out / release.path / PAGE).read_bytes()
    assert len(page) < 5_000_000
    html = page.decode("utf-8")
    assert 'id="sampled"' in html and f"This release has {total:,} positions" in html
    data = re.search(r'<script type="application/json" id="positions-data">(.*?)</script>', html, re.S)
    assert data is not None
    rows = json.loads(data.group(1))
    assert 1_000 < len(rows) < total
    assert f"a sample of {len(rows):,}" in html
    assert all(row[0].startswith("Speaker ") for row in rows)
