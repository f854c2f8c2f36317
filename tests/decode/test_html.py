"""HTML pages are rendered into the text conventions of the layout parser, so that extraction
does not care where a text came from."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from flows.dates import format_when
from flows.decode.candidates import choose
from flows.decode.charset import decode_bytes
from flows.decode.html import render_html, sniff_charset
from flows.ingest.base import RawDocument
from flows.layout import parse_layout
from flows.lexicon import read_table
from flows.pipeline.document import Batch, process_document

from ..conftest import CASES

HTML = CASES / "html"
FETCHED = datetime(2024, 7, 18, 15, 0, tzinfo=UTC)


def _process(path: Path, *, charset: str | None = None, hints: dict[str, object] | None = None) -> Batch:
    raw = RawDocument(
        "pages",
        f"https://news.test/{path.stem}",
        path.read_bytes(),
        "text/html",
        FETCHED,
        charset=charset,
        hints=dict(hints or {}),
    )
    return process_document(raw)


@pytest.mark.parametrize("name", ["wordpress_article", "disqus_article"])
def test_rendering_matches_the_golden_text(name: str) -> None:
    html = (HTML / f"{name}.html").read_text(encoding="utf-8")
    assert render_html(html) == (HTML / f"{name}.txt").read_text(encoding="utf-8")


_CONTAINERS = [json.loads(line) for line in (HTML / "containers.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("case", _CONTAINERS, ids=[c["name"] for c in _CONTAINERS])
def test_the_article_container_is_chosen_by_its_content(case: dict[str, str]) -> None:
    text = render_html(case["html"])
    assert text == case["text"], case["why"]
    page = parse_layout(text, FETCHED)
    assert page.blocks[0].kind == "title" and page.blocks[0].text == "Ferry lease extended for ten years"
    body = [b.text for b in page.blocks if b.kind == "paragraph"]
    assert body[0].startswith("The harbour council voted") and body[3].startswith("Opponents argued")
    assert not any("Section 3" in b or "Most popular" in b or "Sponsored" in b for b in body)
    assert len(page.comments) == (1 if case["name"] == "comment_header_apart" else 0)


def test_a_dateline_block_is_the_articles_metadata_not_a_comment() -> None:
    case = next(c for c in _CONTAINERS if c["name"] == "dateline_block")
    raw = RawDocument("pages", "https://news.test/dateline", case["html"].encode(), "text/html", FETCHED)
    batch = process_document(raw)
    assert not batch.rejects and not batch.comments
    article = batch.articles[0]
    assert article.title == "Ferry lease extended for ten years"
    assert article.published_at is not None and article.published_at.date().isoformat() == "2019-11-20"
    assert article.body.startswith("The harbour council voted")


def test_the_container_is_the_best_candidate_not_the_first() -> None:
    prose = "<p>" + "The ferry will sail twice a day from the harbour, the operator said on Monday. " * 3 + "</p>"
    html = (
        "<body><article id='teaser'><p>A short teaser of another story, sixteen words long at the very most.</p>"
        f"</article><div id='x'><article id='story'>{prose * 4}</article></div></body>"
    )
    tree = LexborHTMLParser(html)
    choice = choose(tree)
    story = tree.css_first("#story")
    assert story is not None and choice.root == story.mem_id
    wrapper = tree.css_first("#x")
    assert wrapper is not None and wrapper.mem_id in choice.keep and story.mem_id in choice.keep


def test_class_names_are_data() -> None:
    rows = read_table("html_classes.csv")
    roles = {"body", "boilerplate", "wrapper", "comment_area", "comment", "comment_text", "comment_drop",
             "comment_author", "comment_meta", "byline", "date", "credit"}
    keys = [(r["pattern"], r["role"]) for r in rows]
    assert keys == sorted(set(keys)) and all(r["role"] in roles for r in rows)
    assert all(r["pattern"] == r["pattern"].lower() and " " not in r["pattern"] for r in rows)


def test_a_wordpress_page_gives_the_same_records_as_pasted_text() -> None:
    batch = _process(HTML / "wordpress_article.html")
    assert not batch.rejects
    article = batch.articles[0]
    assert article.title == "Fisheries Talks Stall Over Northern Quotas"
    assert article.credits == ["Marta Lind", "Reuters"]
    assert article.publisher == "The Harbour Ledger"
    assert article.published_at == datetime(2024, 3, 12, 8, 30, tzinfo=UTC)
    assert article.sections == ["What each side wants", "What happens next"]
    assert "Share this" not in article.body and "Related" not in article.body
    assert "Skip to content" not in batch.documents[0].text and "Leave a Reply" not in batch.documents[0].text
    actors = {(p.actor, p.cue) for p in batch.positions}
    assert ("Henrik Aas", "say") in actors and ("Clara Weiss", "insist") in actors
    comments = batch.comments
    by_id = {c.comment_id: c for c in comments}
    shape = [
        (c.depth, c.author, by_id[c.parent_id].author if c.parent_id else None, c.posted_at) for c in comments
    ]
    assert shape == [
        (0, "Sigrid Vold", None, datetime(2024, 3, 12, 18, 2, tzinfo=UTC)),
        (1, "Tomas Berg", "Sigrid Vold", datetime(2024, 3, 12, 19, 15, tzinfo=UTC)),
        (2, "Sigrid Vold", "Tomas Berg", datetime(2024, 3, 13, 7, 40, tzinfo=UTC)),
        (0, "Leena K.", None, datetime(2024, 3, 14, 8, 0, tzinfo=UTC)),
    ]
    assert comments[1].quotes == ["A twelve percent cut would finish the smaller boats first."]
    assert comments[1].text.startswith("The survey says")
    assert all("Reply" not in c.text and "Edit" not in c.text for c in comments)


def test_offsets_point_into_the_rendered_text() -> None:
    batch = _process(HTML / "wordpress_article.html")
    text = batch.documents[0].text
    for record in [*batch.positions, *batch.comments]:
        assert record.char_start < record.char_end <= len(text)
    for position in batch.positions:
        assert position.text.replace("\n", " ")[:20] in text[position.char_start : position.char_end].replace(
            "\n", " "
        )


def test_disqus_like_markup_threads_and_resolves_relative_times() -> None:
    batch = _process(HTML / "disqus_article.html")
    assert not batch.rejects
    article = batch.articles[0]
    assert article.title == "Grain Corridor Deal Extended by Ninety Days"
    assert article.credits[:2] == ["Olek Marchenko", "Dana Whitfield"]
    assert article.publisher == "Eastern Dispatch"
    text = batch.documents[0].text
    assert "hidden" not in text and "Advertisement" not in text and "cookies" not in text
    first, reply = batch.comments
    assert (first.author, first.depth, first.posted_at) == (
        "Ivana_P",
        0,
        datetime(2024, 7, 18, 13, 0, tzinfo=UTC),
    )
    assert (reply.author, reply.depth, reply.parent_id) == ("R. Costa", 1, first.comment_id)


def test_hints_override_what_the_layout_finds() -> None:
    published = datetime(2024, 3, 11, 23, 0, tzinfo=UTC)
    batch = _process(
        HTML / "wordpress_article.html",
        hints={"title": "Talks stall", "published_at": published, "credits": ["M. Lind"]},
    )
    article = batch.articles[0]
    assert (article.title, article.published_at, article.credits) == ("Talks stall", published, ["M. Lind"])


def test_blocks_lists_quotes_and_fallback_titles() -> None:
    html = """<html><head><title>Site Title | Site</title></head><body>
    <script>var x = 1;</script><style>p{}</style><nav>Home | News</nav>
    <p>First<br>second line</p>
    <ol><li>one<ul><li>sub a</li><li>sub b</li></ul></li><li>two</li></ol>
    <blockquote><p>quoted words</p><blockquote>nested</blockquote></blockquote>
    <aside>aside text</aside><form>form text</form><div hidden>hidden text</div>
    <div class="share-buttons">Share on X</div><pre>  keep
   spacing</pre></body></html>"""
    assert render_html(html) == (
        "Site Title\n\nFirst\nsecond line\n\n1. one\n\n  – sub a\n\n  – sub b\n\n2. two\n\n"
        "> quoted words\n\n> > nested\n\n  keep\n   spacing\n"
    )
    assert render_html('<meta property="og:title" content="From OG"><p>Body text here.</p>').startswith(
        "From OG\n"
    )


def test_an_empty_page_is_rejected_with_a_reason() -> None:
    raw = RawDocument(
        "pages", "https://news.test/empty", b"<html><body><nav>Menu</nav></body></html>", "text/html", FETCHED
    )
    batch = process_document(raw)
    assert batch.rejects[0].error == "EmptyDocument"
    assert "without readable text" in batch.rejects[0].message


def test_charsets_from_meta_tags_and_wrong_headers() -> None:
    page = (
        "<html><head><meta charset='windows-1252'></head><body><h1>Caf\u00e9 talks</h1>"
        "<p>Negotiators met at the caf\u00e9 \u2013 again, and agreed on nothing at all today.</p>"
        "</body></html>"
    )
    cp1252 = page.encode("cp1252")
    assert sniff_charset(cp1252) == "windows-1252"
    batch = process_document(RawDocument("p", "https://n.test/a", cp1252, "text/html", FETCHED))
    assert batch.articles[0].title == "Caf\u00e9 talks"
    # A header that says ISO-8859-1 while the bytes are UTF-8: read as UTF-8, no mojibake.
    utf8 = page.replace("windows-1252", "utf-8").encode("utf-8")
    assert decode_bytes(utf8, uri="u", declared="ISO-8859-1").text.count("\u00e9") == 2
    # A header that says UTF-8 while the bytes are cp1252: the decoder falls back.
    assert "Caf\u00e9" in decode_bytes(cp1252, uri="u", declared="utf-8").text


def test_deep_nesting_does_not_exhaust_the_stack() -> None:
    html = "<div>" * 20_000 + "<p>deep text</p>" + "</div>" * 20_000
    assert render_html(html) == "deep text\n"
    thread = (
        "<ol class='comment-list'>"
        + "".join(
            f"<li class='comment'><b class='fn'>user{i}</b><time datetime='2024-01-01T00:00:00Z'>x</time>"
            f"<p>reply number {i}</p><ol class='children'>"
            for i in range(300)
        )
        + "</ol></li>" * 300
        + "</ol>"
    )
    text = render_html("<h1>Thread</h1><p>A body paragraph that is long enough.</p>" + thread)
    assert text.count(" says:") == 300 and "\n" + " " * 4 * 299 + "user299 says:" in text


def test_format_when_is_read_back_exactly() -> None:
    from flows.dates import parse_when

    for when in (
        datetime(2024, 4, 8, 0, 5, tzinfo=UTC),
        datetime(2024, 4, 8, 12, 30, tzinfo=UTC),
        datetime(2024, 12, 31, 23, 59, tzinfo=UTC),
    ):
        assert parse_when(format_when(when), now=FETCHED) == when


_PIECES = [
    *"<>/ab pliuolh1=\"'&;#x\n",
    "<p>",
    "</p>",
    "<li>",
    "<br>",
    "<blockquote>",
    "<ol>",
    "<h2>",
    "<li class='comment'>",
    "<b class='fn'>",
    "Ann says:",
    "March 4, 2024",
    "Title line",
    "\u2013 ",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=120).map("".join))
def test_any_markup_renders_or_rejects_never_crashes(markup: str) -> None:
    text = render_html(markup)
    assert isinstance(text, str)
    batch = process_document(RawDocument("p", "https://n.test/x", markup.encode(), "text/html", FETCHED))
    for record in [*batch.positions, *batch.comments, *batch.articles]:
        assert 0 <= record.char_start < record.char_end <= len(batch.documents[0].text)
