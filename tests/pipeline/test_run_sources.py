"""`broadsheet run` over sources.toml: one release from files, pages, a WordPress site, a feed and a
plugin together, served by the real test server; a rerun fetches nothing new and publishes nothing."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from flows.cli import main
from flows.ingest.sources import load_sources
from flows.pipeline.run import run_once

from ..conftest import EXAMPLE_PLUGIN
from ..ingest_server import IngestServer

FAST = (
    "allow_private_addresses = true\nretries = 1\nbackoff = 0.01\nread_timeout = 1.0\ndeadline = 1.5\n"
    "max_bytes = 200_000\n"
)


def _sources(tmp_path: Path, server: IngestServer, raw_dir: Path, *, extra: str = "") -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(
        f"""
[sources.files]
ingestor = "files"
path = "{raw_dir}"

[sources.pages]
ingestor = "http"
urls = ["{server.url("/pages/wordpress_article.html")}", "{server.url("/pages/disqus_article.html")}"]
{FAST}
[sources.blog]
ingestor = "wordpress"
site = "{server.base}"
{FAST}
[sources.news]
ingestor = "rss"
feeds = ["{server.url("/feeds/rss.xml")}"]
{FAST}
[sources.archive]
ingestor = "jsonl"
path = "{EXAMPLE_PLUGIN / "sample.jsonl"}"
{extra}""",
        encoding="utf-8",
    )
    return path


def _release(out: Path) -> Path:
    catalog = json.loads((out / "catalog.json").read_text(encoding="utf-8"))
    return out / next(r["path"] for r in catalog["releases"] if r["id"] == catalog["latest"])


def _rows(release: Path, name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (release / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]


def test_one_release_from_every_kind_of_source_and_nothing_new_on_rerun(
    ingest_server: IngestServer, example_plugin: str, raw_dir: Path, tmp_path: Path
) -> None:
    sources = load_sources(_sources(tmp_path, ingest_server, raw_dir))
    out = tmp_path / "out"
    outcome = run_once(raw_dir, out, sources=sources)
    assert outcome.published, outcome.message
    assert not outcome.rejects
    release = _release(out)
    documents = _rows(release, "documents")
    assert Counter(d["source"] for d in documents) == {
        "files": 1,
        "pages": 2,
        "blog": 3,
        "news": 2,
        "archive": 2,
    }
    articles = _rows(release, "articles")
    titles = {a["source"]: set() for a in articles}
    for article in articles:
        titles[article["source"]].add(article["title"])
    assert "Fisheries Talks Stall Over Northern Quotas" in titles["pages"]
    assert "Ceasefire Talks Resume in Geneva" in titles["blog"]
    assert "Water Sharing Accord Signed Upstream" in titles["news"]
    assert "Ferry Crews Call Off Strike After Late-Night Deal" in titles["archive"]
    comments = _rows(release, "comments")
    assert len(comments) == 2 + 4 + 2 + 5  # seed + WordPress page + Disqus page + WordPress API
    catalog = json.loads((out / "catalog.json").read_text(encoding="utf-8"))
    assert catalog["releases"][0]["sources"] == ["files", "pages", "blog", "news", "archive"]
    assert (out / ".state" / "blog" / "wordpress.json").is_file()

    # Unchanged sources: conditional requests answer 304, the WordPress cursor finds nothing.
    ingest_server.log.clear()
    again = run_once(raw_dir, out, sources=load_sources(tmp_path / "sources.toml"))
    assert not again.published and "unchanged" in again.message
    fetched = [(h.path, h.status, h.items) for h in ingest_server.log if h.path != "/robots.txt"]
    assert all(status == 304 for path, status, _ in fetched if not path.startswith("/wp-json/")), fetched
    assert [(p, items) for p, _, items in fetched if p.startswith("/wp-json/")] == [
        ("/wp-json/wp/v2/posts", 0),
        ("/wp-json/wp/v2/comments", 0),
    ]
    assert len(json.loads((out / "catalog.json").read_text(encoding="utf-8"))["releases"]) == 1

    # A new comment on the blog is a change: one post is fetched again and a release follows.
    ingest_server.comments.append(
        {
            "id": 5007,
            "post": 103,
            "parent": 0,
            "author_name": "Aino R.",
            "date": "2024-04-05T10:00:00",
            "date_gmt": "2024-04-05T08:00:00",
            "content": {"rendered": "<p>Donors always wait for a signature.</p>"},
        }
    )
    third = run_once(raw_dir, out, sources=load_sources(tmp_path / "sources.toml"))
    assert third.published and third.rows["comments"] == len(comments) + 1


def test_a_failing_source_does_not_stop_the_others(
    ingest_server: IngestServer, raw_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(
        f"""
[sources.files]
ingestor = "files"
path = "missing-folder"

[sources.pages]
ingestor = "http"
urls = ["{ingest_server.url("/fault/500")}", "{ingest_server.url("/pages/feed_item_1.html")}"]
{FAST}
[sources.blog]
ingestor = "wordpress"
site = "{ingest_server.url("/nowhere")}"
{FAST}
[sources.news]
ingestor = "rss"
feeds = ["{ingest_server.url("/feeds/broken.xml")}"]
{FAST}""",
        encoding="utf-8",
    )
    outcome = run_once(raw_dir, tmp_path / "out", sources=load_sources(path))
    assert outcome.published and outcome.rows["articles"] == 1
    rejects = {(r.source, r.error): r for r in outcome.rejects}
    assert set(rejects) == {
        ("files", "IngestError"),
        ("pages", "TransientIngestError"),
        ("blog", "IngestError"),
        ("news", "IngestError"),
    }
    assert "missing-folder/ does not exist" in rejects["files", "IngestError"].message
    assert rejects["pages", "TransientIngestError"].uri == ingest_server.url("/fault/500")
    assert "404 Not Found" in rejects["blog", "IngestError"].message
    assert rejects["news", "IngestError"].uri == ingest_server.url("/feeds/broken.xml")
    release = _release(tmp_path / "out")
    assert len(_rows(release, "rejects")) == 4


def test_the_same_page_from_two_sources_is_kept_once(ingest_server: IngestServer, tmp_path: Path) -> None:
    url = ingest_server.url("/pages/feed_item_1.html")
    path = tmp_path / "sources.toml"
    path.write_text(
        f'[sources.a]\ningestor = "http"\nurls = ["{url}"]\n{FAST}\n'
        f'[sources.b]\ningestor = "http"\nurls = ["{url}"]\n{FAST}',
        encoding="utf-8",
    )
    outcome = run_once(tmp_path, tmp_path / "out", sources=load_sources(path))
    assert outcome.rows["documents"] == 1
    (reject,) = outcome.rejects
    assert (reject.source, reject.error) == ("b", "DuplicateDocument") and "source 'a'" in reject.message


@pytest.mark.prefect
def test_the_flow_ingests_selected_sources_and_retries_transient_ones(
    prefect_harness: None, ingest_server: IngestServer, example_plugin: str, raw_dir: Path, tmp_path: Path
) -> None:
    from flows.orchestrate.flow import publish_flow

    path = _sources(
        tmp_path,
        ingest_server,
        raw_dir,
        extra=f"""
[sources.flaky]
ingestor = "http"
urls = ["{ingest_server.url("/fault/500")}"]
{FAST}""",
    )
    out = tmp_path / "out"
    result = publish_flow(
        out=str(out), sources=str(path), select=["pages", "archive", "flaky"], ingest_retries=1
    )
    assert result["published"] is True
    assert result["rows"]["documents"] == 4
    assert [(r["source"], r["error"]) for r in result["rejects"]] == [("flaky", "TransientIngestError")]
    # The client tried twice (retries = 1), and Prefect ran the source's task twice.
    assert len(ingest_server.hits("/fault/500")) == 4


@pytest.mark.prefect
def test_cli_runs_the_sources_file(
    prefect_harness: None,
    ingest_server: IngestServer,
    example_plugin: str,
    raw_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _sources(tmp_path, ingest_server, raw_dir)
    out = tmp_path / "out"
    assert (
        main(["run", "--sources", str(path), "--source", "blog", "--source", "files", "--out", str(out)]) == 0
    )
    printed = capsys.readouterr().out
    assert "published release" in printed
    documents = _rows(_release(out), "documents")
    assert Counter(d["source"] for d in documents) == {"files": 1, "blog": 3}
    assert main(["run", "--sources", str(path), "--source", "nope", "--out", str(out)]) == 1
    assert "its sources are: files, pages, blog, news, archive" in capsys.readouterr().err


def test_cli_usage_errors_and_the_ingestors_command(
    example_plugin: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--raw", str(tmp_path), "--source", "a"]) == 2
    assert "use one or the other" in capsys.readouterr().err
    assert main(["run", "--sources", str(tmp_path / "none.toml")]) == 1
    assert "does not exist: create it" in capsys.readouterr().err
    assert main(["ingestors"]) == 0
    listed = capsys.readouterr().out
    for name in ("files", "http", "rss", "wordpress", "jsonl", "broadsheet-example-ingestor"):
        assert name in listed


def test_cli_picks_the_sources_file_or_the_raw_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, raw_dir: Path
) -> None:
    import flows.orchestrate.flow

    calls: list[dict[str, Any]] = []

    def fake_flow(**kwargs: Any) -> dict[str, Any]:
        calls.append(kwargs)
        return {"published": True, "message": "published release x", "rows": {}, "rejects": []}

    monkeypatch.setattr(flows.orchestrate.flow, "publish_flow", fake_flow)
    monkeypatch.chdir(tmp_path)
    assert (tmp_path / "raw").is_dir()  # the raw_dir fixture
    assert main(["run"]) == 0  # no sources.toml: raw/ as before
    assert (calls[-1]["raw"], calls[-1]["sources"]) == ("raw", None)
    (tmp_path / "sources.toml").write_text('[sources.files]\ningestor = "files"\npath = "raw"\n')
    assert main(["run", "--source", "files"]) == 0
    assert (calls[-1]["sources"], calls[-1]["select"]) == ("sources.toml", ["files"])
    assert main(["run", "--raw", str(raw_dir)]) == 0  # --raw wins over sources.toml
    assert (calls[-1]["raw"], calls[-1]["sources"]) == (str(raw_dir), None)
