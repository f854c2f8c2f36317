"""Property tests: whatever the text, the parsers return (or reject), never crash, keep every
offset inside the text, put every parent before its child, and give the same output twice."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.errors import BroadsheetError
from flows.ingest import RawDocument
from flows.layout import parse_layout
from flows.pipeline.document import process_document

NOW = datetime(2024, 5, 6, 12, 30, tzinfo=UTC)

# Lines that look like the pages the parser meets: headings, bullets, comment headers, widgets.
_LINES = st.sampled_from([
    "Ceasefire Talks Resume in Istanbul", "", "  1. A numbered comment about the talks.",
    "    • A reply that agrees.", "Liked by 4 people", "LikeLike", "Reply", "Olena K. says:",
    "March 4, 2024 at 9:12 am", "   Pieter_vd_Berg • 2 hours ago", "12 likes • Reply • Share ›",
    "[–] ballot_nerd 12 points 3 hours ago", "level 2", "> a quoted line", "3 Comments",
    "– Sherman said Russia offered no proof.", "(c) The Moscow Times", "AFP contributed reporting.",
    "By Marta Kovacs | March 4, 2024", '"We are ready," she said. "But not at any price."',
    "Ryabkov\u00a0denounced the threats as “attempts at blackmail.”", "Comment by Ann — 3 Mar 2006 on 10:15 pm | Link",
    "name 3 hours ago | parent | next [–]", "↳ Tomás Ortega", "@Tomás Ortega that is right", "\t\tindented",
    "What now?", "Sign in to comment", "Related articles", "Advertisement",
])
_PAGES = st.lists(st.one_of(_LINES, st.text(max_size=40)), max_size=40).map("\n".join)


def _check_page(text: str) -> None:
    page = parse_layout(text, NOW)
    n = len(text)
    for block in page.blocks:
        assert 0 <= block.start <= block.end <= n
    for index, comment in enumerate(page.comments):
        assert 0 <= comment.start <= comment.end <= n
        assert comment.depth >= 0
        if comment.parent is None:
            assert comment.depth == 0
        else:
            assert comment.parent < index, "a parent comes before its child"
            assert comment.depth == page.comments[comment.parent].depth + 1
        for part in comment.parts:
            assert 0 <= part.start <= part.end <= n


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_PAGES)
def test_layout_never_crashes_and_keeps_threads_consistent(text: str) -> None:
    _check_page(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000) | _PAGES.map(lambda t: t.encode("utf-8")))
def test_any_bytes_are_published_or_rejected_deterministically(data: bytes) -> None:
    raw = RawDocument("files", "file:///raw/fuzz.txt", data, "text/plain", NOW)
    first = process_document(raw)
    second = process_document(raw)
    assert first == second, "the same input gives the same output"
    if first.rejects:
        assert not first.documents and len(first.rejects) == 1
        assert first.rejects[0].message and first.rejects[0].error
        assert first.rejects[0].error != "Exception"
        return
    (document,) = first.documents
    n = len(document.text)
    for record in (*first.articles, *first.positions, *first.comments):
        assert 0 <= record.char_start < record.char_end <= n
    for position in first.positions:
        assert position.text == document.text[position.char_start : position.char_end]
    ids = {c.comment_id for c in first.comments}
    seen: set[str] = set()
    for comment in first.comments:
        assert comment.parent_id is None or comment.parent_id in seen
        seen.add(comment.comment_id)
    assert len(ids) == len(first.comments)


def test_deep_thread_without_recursion() -> None:
    lines = ["Deep Thread Headline For The Test", "", "A first paragraph that says enough to be a body.", "",
             "Comments", ""]
    for depth in range(600):
        lines += [" " * (2 * depth) + f"user{depth} says:", " " * (2 * depth) + "March 4, 2024 at 9:12 am",
                  " " * (2 * depth) + f"Reply number {depth}.", ""]
    page = parse_layout("\n".join(lines), NOW)
    assert len(page.comments) == 600
    assert max(c.depth for c in page.comments) == 599


def test_unexpected_errors_become_rejects(monkeypatch: object) -> None:
    import flows.pipeline.document as process

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(process, "parse_layout", boom)  # type: ignore[attr-defined]
    raw = RawDocument("files", "file:///x.txt", b"Title\n\nBody text here.", "text/plain", NOW)
    batch = process.process_document(raw)
    assert batch.rejects and batch.rejects[0].error == "RuntimeError" and "report" in batch.rejects[0].message
    assert isinstance(BroadsheetError("x"), Exception)
