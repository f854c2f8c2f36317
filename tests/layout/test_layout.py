"""The layout parser on the seed: every block kind and the comment thread."""

from __future__ import annotations

from datetime import UTC, datetime

from flows.layout import parse_layout, split_lines

from ..conftest import SEED

NOW = datetime(2024, 1, 12, tzinfo=UTC)


def test_seed_blocks() -> None:
    page = parse_layout(SEED.read_text(encoding="utf-8"), NOW)
    kinds = [b.kind for b in page.blocks]
    assert kinds[0] == "title"
    assert page.blocks[0].text == "U.S.-Russian Security Talks: What We Know"
    assert [b.text for b in page.blocks if b.kind == "heading"] == [
        "Invasion fears", "NATO expansion", "Military and missiles", "What now?"]
    bullets = [b for b in page.blocks if b.kind == "bullet"]
    assert len(bullets) == 11 and {b.marker for b in bullets} == {"–"}
    credit = next(b for b in page.blocks if b.kind == "credit")
    assert credit.names == ["AFP"]
    copyright_line = next(b for b in page.blocks if b.kind == "copyright")
    assert copyright_line.holder == "The Moscow Times"
    assert "Here’s what they discussed:" in [b.text for b in page.blocks if b.kind == "paragraph"]


def test_block_offsets_point_into_the_text() -> None:
    text = SEED.read_text(encoding="utf-8")
    page = parse_layout(text, NOW)
    for block in page.blocks:
        if "\n" not in block.text:
            assert text[block.start : block.end] == block.text
    bullet = next(b for b in page.blocks if b.kind == "bullet")
    assert "Ryabkov\u00a0said" in text[bullet.start : bullet.end]  # the non-breaking space is kept


def test_seed_comment_thread() -> None:
    text = SEED.read_text(encoding="utf-8")
    page = parse_layout(text, NOW)
    assert page.comments_start is not None
    assert text[page.comments_start :].startswith("1. Ryabkov denounced")
    first, reply = page.comments
    assert (first.depth, first.parent, first.likes, first.author) == (0, None, 4, None)
    assert (reply.depth, reply.parent, reply.likes) == (1, 0, 4)
    quote, *own = first.parts
    assert quote.kind == "quote" and quote.article and quote.text.startswith("Ryabkov denounced")
    assert [p.kind for p in own] == ["text", "text"]
    assert all("Liked by" not in p.text for c in page.comments for p in c.parts)
    assert any("Note the obligatory reference" in p.text for p in reply.parts)


def test_lines_keep_offsets_and_indentation() -> None:
    lines = split_lines("a\n\n  \tb c  \nd")
    assert [(ln.text, ln.indent) for ln in lines] == [("a", 0), ("", 0), ("b c", 4), ("d", 0)]
    assert lines[2].start == 6 and lines[2].end == 9
