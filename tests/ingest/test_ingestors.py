"""The built-in ingestors against the real test server: what they fetch, what they refetch,
what becomes a reject, and the ingestor contract on every built-in and the example plugin."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from flows.errors import IngestError, TransientIngestError
from flows.ingest.base import IngestContext, RawDocument
from flows.ingest.files import FilesIngestor
from flows.ingest.http import HttpConfig, HttpIngestor
from flows.ingest.registry import load_ingestor
from flows.ingest.rss import RssConfig, RssIngestor
from flows.ingest.sources import Source
from flows.ingest.wordpress import WordPressConfig, WordPressIngestor, thread_order
from flows.pipeline.check import check_ingestor
from flows.pipeline.collect import collect_source
from flows.pipeline.document import process_batch

from ..conftest import EXAMPLE_PLUGIN
from ..ingest_server import ACCENTED, IngestServer

#: Settings that keep the tests fast: short timeouts and backoff, the local server allowed.
FAST: dict[str, Any] = {
    "allow_private_addresses": True,
    "retries": 2,
    "backoff": 0.01,
    "read_timeout": 1.0,
    "deadline": 1.5,
    "max_bytes": 200_000,
}


def _run(ingestor: Any, state: Path) -> list[RawDocument | IngestError]:
    return list(ingestor.fetch(IngestContext(state=state)))


def _docs(items: list[RawDocument | IngestError]) -> list[RawDocument]:
    return [i for i in items if isinstance(i, RawDocument)]


# http ----------------------------------------------------------------------------------------------

FAULTS = {
    "/fault/500": (TransientIngestError, "500 Internal Server Error"),
    "/fault/slow": (TransientIngestError, "deadline"),
    "/fault/truncated": (TransientIngestError, "truncated"),
    "/fault/loop-a": (IngestError, "redirects in a loop"),
    "/fault/to-ftp": (IngestError, "not http or https"),
    "/fault/large": (IngestError, "max_bytes"),
    "/fault/404": (IngestError, "does not exist"),
    "/fault/pdf": (IngestError, "not a web page"),
    "/private/notes.html": (IngestError, "robots.txt"),
}


def test_http_faults_become_rejects_and_the_other_pages_go_on(
    ingest_server: IngestServer, tmp_path: Path
) -> None:
    good = [
        "/pages/wordpress_article.html",
        "/fault/charset-latin1",
        "/fault/charset-utf8",
        "/fault/flaky",
        "/fault/429",
        "/fault/gzip-ok",
    ]
    urls = [ingest_server.url(p) for p in [good[0], *FAULTS, *good[1:]]]
    source = Source("pages", "http", HttpConfig(urls=urls, **FAST))
    collected = collect_source(source, out=tmp_path)
    assert sorted(r.uri for r in collected.raws) == sorted(ingest_server.url(p) for p in good)
    by_uri = {r.uri: r for r in collected.rejects}
    for path, (kind, words) in FAULTS.items():
        reject = by_uri.get(ingest_server.url(path)) or by_uri.get("ftp://127.0.0.1/file.txt")
        assert reject is not None, path
        assert reject.error == kind.__name__ and words in reject.message, (path, reject)
        assert reject.stage == "ingest" and reject.source == "pages"
    assert len(collected.rejects) == len(FAULTS)
    # Transient failures were retried, permanent ones were not.
    assert len(ingest_server.hits("/fault/500")) == 3 and len(ingest_server.hits("/fault/404")) == 1
    # A wrong charset header does not garble the text.
    batch = process_batch(collected.raws)
    texts = {d.uri: d.text for d in batch.documents}
    for path in ("/fault/charset-latin1", "/fault/charset-utf8"):
        assert "Interior Minister Ilir Bash\u00eb said" in texts[ingest_server.url(path)]
        assert ACCENTED in texts[ingest_server.url(path)]


def test_unchanged_pages_are_not_fetched_again(ingest_server: IngestServer, tmp_path: Path) -> None:
    urls = [
        ingest_server.url("/pages/wordpress_article.html"),
        ingest_server.url("/pages/disqus_article.html"),
    ]
    ingestor = HttpIngestor("pages", HttpConfig(urls=urls, **FAST))
    first = _run(ingestor, tmp_path)
    ingest_server.log.clear()
    second = _run(ingestor, tmp_path)
    assert first == second  # same bytes, same fetch time, same hints
    page_hits = ingest_server.hits("/pages/")
    assert [h.status for h in page_hits] == [304, 304]
    assert all(h.headers.get("If-None-Match") for h in page_hits)
    # A changed page is fetched and replaces the kept copy.
    ingest_server.pages["disqus_article.html"] += b"<!-- edited -->"
    third = _docs(_run(ingestor, tmp_path))
    assert third[0] == first[0] and third[1].data.endswith(b"<!-- edited -->")
    assert [h.status for h in ingest_server.hits("/pages/")][-2:] == [304, 200]


def test_a_redirected_page_keeps_its_final_address(ingest_server: IngestServer, tmp_path: Path) -> None:
    (raw,) = _docs(
        _run(HttpIngestor("p", HttpConfig(urls=[ingest_server.url("/fault/redirect")], **FAST)), tmp_path)
    )
    assert raw.uri == ingest_server.url("/pages/feed_item_2.html")


def test_the_local_network_is_refused_unless_allowed(ingest_server: IngestServer, tmp_path: Path) -> None:
    config = HttpConfig(urls=[ingest_server.url("/pages/feed_item_1.html")])
    (error,) = _run(HttpIngestor("p", config), tmp_path)
    assert isinstance(error, IngestError) and "allow_private_addresses = true" in error.message
    assert not ingest_server.log


def test_an_outage_keeps_the_last_copy_in_the_data(ingest_server: IngestServer, tmp_path: Path) -> None:
    ingestor = HttpIngestor("pages", HttpConfig(urls=[ingest_server.url("/fault/outage")], **FAST))
    (first,) = _run(ingestor, tmp_path)
    ingest_server.down = True
    kept, error = _run(ingestor, tmp_path)
    assert kept == first
    assert isinstance(error, TransientIngestError) and "503" in error.message
    assert "is published instead" in error.message and error.uri == ingest_server.url("/fault/outage")
    # A page that was never fetched has no copy to fall back on.
    (only,) = _run(ingestor, tmp_path / "fresh")
    assert isinstance(only, TransientIngestError) and "instead" not in only.message


# wordpress -----------------------------------------------------------------------------------------


def _wordpress(server: IngestServer, **settings: Any) -> WordPressIngestor:
    return WordPressIngestor("blog", WordPressConfig(site=server.base, **FAST | settings))


def _wp_hits(server: IngestServer) -> list[tuple[str, int]]:
    return [(h.path.removeprefix("/wp-json/wp/v2/"), h.items) for h in server.hits("/wp-json/")]


def test_wordpress_posts_and_threaded_comments(ingest_server: IngestServer, tmp_path: Path) -> None:
    documents = _docs(_run(_wordpress(ingest_server, per_page=2), tmp_path))
    assert [d.uri for d in documents] == [
        ingest_server.url(f"/blog/{s}/") for s in ("ceasefire-talks", "prisoner-exchange", "observers")
    ]
    # Paged by X-WP-TotalPages: 3 posts at 2 a page is 2 requests.
    assert _wp_hits(ingest_server)[:2] == [("posts", 2), ("posts", 1)]
    batch = process_batch(documents)
    assert not batch.rejects
    article = batch.articles[0]
    assert (article.title, article.credits, article.published_at) == (
        "Ceasefire Talks Resume in Geneva",
        ["Petra Novak"],
        datetime(2024, 4, 2, 8, 0, tzinfo=UTC),
    )
    assert article.sections == ["Sticking points"] and article.comment_count == 4
    by_id = {c.comment_id: c for c in batch.comments}
    shape = [
        (c.author, c.depth, by_id[c.parent_id].author if c.parent_id else None, c.posted_at, c.text[:19])
        for c in batch.comments
        if c.article_id == article.article_id
    ]
    assert shape == [
        ("Halvard Moe", 0, None, datetime(2024, 4, 2, 10, 5, tzinfo=UTC), "New maps, old patie"),
        ("Ines Duarte", 1, "Halvard Moe", datetime(2024, 4, 2, 11, 10, tzinfo=UTC), "Patience is cheap w"),
        ("Halvard Moe", 2, "Ines Duarte", datetime(2024, 4, 2, 12, 30, tzinfo=UTC), "Fair point, prisone"),
        ("Yusuf K.", 0, None, datetime(2024, 4, 3, 6, 0, tzinfo=UTC), "Two hundred observe"),
    ]


def test_wordpress_runs_are_incremental(ingest_server: IngestServer, tmp_path: Path) -> None:
    ingestor = _wordpress(ingest_server)
    first = _run(ingestor, tmp_path)
    ingest_server.log.clear()
    second = _run(ingestor, tmp_path)
    assert second == first
    assert _wp_hits(ingest_server) == [("posts", 0), ("comments", 0)]  # nothing changed, nothing fetched
    listing, comments = ingest_server.hits("/wp-json/")
    assert "modified_after=2024-04-04T18%3A40%3A00" in listing.query  # the stored cursor
    assert "after=2024-04-03T12%3A00%3A00" in comments.query
    # A new reply on post 102: only that post is fetched again.
    ingest_server.comments.append(
        {
            "id": 5006,
            "post": 102,
            "parent": 5005,
            "author_name": "Jon S.",
            "date": "2024-04-05T09:00:00",
            "date_gmt": "2024-04-05T07:00:00",
            "content": {"rendered": "<p>And for the negotiators too.</p>"},
        }
    )
    ingest_server.log.clear()
    third = _docs(_run(ingestor, tmp_path))
    assert _wp_hits(ingest_server) == [("posts", 0), ("comments", 1), ("posts/102", 1), ("comments", 2)]
    assert third[0] == first[0] and third[2] == first[2] and third[1] != first[1]
    comments = process_batch([third[1]]).comments
    assert [(c.author, c.depth) for c in comments] == [("Marit L.", 0), ("Jon S.", 1)]
    # An edited post comes back through the modified_after cursor.
    post = ingest_server.posts[2]
    post["modified"], post["content"] = (
        "2024-04-06T10:00:00",
        {
            "rendered": post["content"]["rendered"] + "<p>Update: "
            "two more donors pledged money on Saturday.</p>"
        },
    )
    ingest_server.log.clear()
    fourth = _docs(_run(ingestor, tmp_path))
    assert _wp_hits(ingest_server)[0] == ("posts", 1)
    assert b"two more donors" in fourth[2].data and fourth[1] == third[1]


def test_wordpress_backlog_continues_on_the_next_run(ingest_server: IngestServer, tmp_path: Path) -> None:
    ingestor = _wordpress(ingest_server, per_page=1, max_pages=2)
    assert len(_docs(_run(ingestor, tmp_path))) == 2
    assert len(_docs(_run(ingestor, tmp_path))) == 3


@pytest.mark.parametrize(
    ("site", "words"), [("/blog", "did not answer with JSON"), ("/nowhere", "404 Not Found")]
)
def test_a_site_without_the_api_is_a_reject(
    ingest_server: IngestServer, tmp_path: Path, site: str, words: str
) -> None:
    ingestor = WordPressIngestor("blog", WordPressConfig(site=ingest_server.url(site), **FAST))
    (error,) = _run(ingestor, tmp_path)
    assert isinstance(error, IngestError) and not isinstance(error, TransientIngestError)
    assert words in error.message and error.uri and f"{site}/wp-json/wp/v2/posts" in error.uri


def test_thread_order_parents_first_orphans_cycles_and_deep_threads() -> None:
    def c(id_: int, parent: int, minute: int) -> dict[str, Any]:
        return {"id": id_, "parent": parent, "date_gmt": f"2024-01-01T00:{minute:02d}:00"}

    comments = [
        c(4, 2, 4),
        c(2, 1, 2),
        c(1, 0, 1),
        c(3, 1, 3),
        c(5, 99, 5),
        c(6, 7, 6),
        c(7, 6, 7),
        c(8, 0, 0),
    ]
    order = [(x["id"], depth) for x, depth in thread_order(comments)]
    assert order == [(8, 0), (1, 0), (2, 1), (4, 2), (3, 1), (5, 0), (6, 0), (7, 1)]
    chain = [c(i, i - 1 if i > 1 else 0, 0) for i in range(1, 20_001)]
    deep = thread_order(list(reversed(chain)))
    assert [x["id"] for x, _ in deep] == list(range(1, 20_001)) and deep[-1][1] == 19_999


# rss -----------------------------------------------------------------------------------------------


def test_rss_and_atom_feeds_lead_to_their_articles(ingest_server: IngestServer, tmp_path: Path) -> None:
    feeds = [
        ingest_server.url("/feeds/rss.xml"),
        ingest_server.url("/feeds/atom.xml"),
        ingest_server.url("/feeds/broken.xml"),
    ]
    ingestor = RssIngestor("news", RssConfig(feeds=feeds, **FAST))
    first = _run(ingestor, tmp_path)
    errors = [i for i in first if isinstance(i, IngestError)]
    assert [e.uri for e in errors] == [feeds[2]] and "not an RSS or Atom feed" in errors[0].message
    documents = _docs(first)
    assert [d.uri for d in documents] == [
        ingest_server.url("/pages/feed_item_2.html"),
        ingest_server.url("/pages/feed_item_1.html"),
    ]
    assert documents[1].hints == {
        "title": "Border Crossing Reopens After Week-Long Closure",
        "published_at": datetime(2024, 5, 6, 7, 0, tzinfo=UTC),
    }
    ingest_server.log.clear()
    assert _docs(_run(ingestor, tmp_path)) == documents
    assert {h.status for h in ingest_server.hits("/feeds/rss.xml") + ingest_server.hits("/pages/")} == {304}
    newest = RssIngestor("news", RssConfig(feeds=feeds[:1], max_items=1, **FAST))
    assert [d.uri for d in _docs(_run(newest, tmp_path / "other"))] == [documents[0].uri]


# The contract, on every built-in and the example plugin ---------------------------------------------


def test_contract_files(tmp_path: Path, raw_dir: Path) -> None:
    (document,) = check_ingestor(FilesIngestor, {"path": str(raw_dir)}, state=tmp_path / "state")
    assert document.media_type == "text/plain"


def test_contract_http(ingest_server: IngestServer, tmp_path: Path) -> None:
    urls = [ingest_server.url("/pages/wordpress_article.html"), ingest_server.url("/pages/feed_item_1.html")]
    documents = check_ingestor(HttpIngestor, {"urls": urls, **FAST}, state=tmp_path / "state")
    assert len(documents) == 2


def test_contract_wordpress(ingest_server: IngestServer, tmp_path: Path) -> None:
    assert len(check_ingestor(WordPressIngestor, {"site": ingest_server.base, **FAST}, state=tmp_path)) == 3


def test_contract_rss(ingest_server: IngestServer, tmp_path: Path) -> None:
    feeds = [ingest_server.url("/feeds/atom.xml")]
    assert len(check_ingestor(RssIngestor, {"feeds": feeds, **FAST}, state=tmp_path)) == 2


def test_contract_example_plugin(example_plugin: str, tmp_path: Path) -> None:
    cls = load_ingestor(example_plugin)
    documents = check_ingestor(cls, {"path": str(EXAMPLE_PLUGIN / "sample.jsonl")}, state=tmp_path)
    assert len(documents) == 2


def test_the_contract_catches_what_breaks_it(tmp_path: Path) -> None:
    from pydantic import BaseModel

    class Loose(BaseModel):
        path: str = "x"

    class Sloppy:
        name = "sloppy"
        Config = Loose

        def __init__(self, source: str, config: Loose) -> None:
            self.source = source

        def fetch(self, context: IngestContext) -> Any:
            return [RawDocument("wrong", "x", b"t", "text/plain", datetime.now(UTC))]

    with pytest.raises(AssertionError, match="extra='forbid'"):
        check_ingestor(Sloppy, {}, state=tmp_path)

    class Strict(Loose):
        model_config = {"extra": "forbid"}

    Strict.model_fields["path"].description = "Where the sloppy ingestor reads from."
    Sloppy.Config = Strict  # type: ignore[assignment]
    with pytest.raises(AssertionError, match="must return an iterator"):
        check_ingestor(Sloppy, {}, state=tmp_path)
    Sloppy.fetch = lambda self, context: iter(  # type: ignore[method-assign]
        [RawDocument("wrong", "x", b"t", "text/plain", datetime.now(UTC))]
    )
    with pytest.raises(AssertionError, match="must be the source name"):
        check_ingestor(Sloppy, {}, state=tmp_path)
    Sloppy.fetch = lambda self, context: iter(  # type: ignore[method-assign]
        [
            RawDocument(
                self.source, "file:///x", str(datetime.now(UTC)).encode(), "text/plain", datetime.now(UTC)
            )
        ]
    )
    with pytest.raises(AssertionError, match="a second run .* yielded other documents"):
        check_ingestor(Sloppy, {}, state=tmp_path)
    Sloppy.fetch = lambda self, context: iter(  # type: ignore[method-assign]
        [RawDocument(self.source, "file:///x", b"just a title", "text/plain", datetime.now(UTC))]
    )
    with pytest.raises(AssertionError, match="file:///x was rejected: found a title"):
        check_ingestor(Sloppy, {}, state=tmp_path)


def test_a_file_over_the_limit_is_a_reject_not_a_crash(raw_dir: Path, tmp_path: Path) -> None:
    from flows.settings import Limits

    (raw_dir / "big.txt").write_bytes(b"A title\n\n" + b"word " * 400)
    source = Source("files", "files", FilesIngestor.Config(path=raw_dir))
    collected = collect_source(source, out=tmp_path, limits=Limits(max_document_bytes=1_000))
    assert [r.error for r in collected.rejects] == ["DocumentTooLarge", "DocumentTooLarge"]
    assert "--max-document-bytes" in collected.rejects[0].message and not collected.raws
