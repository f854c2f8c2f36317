"""Reader comments as people paste them: where they start, who wrote them, how they nest.

Supported layouts (each has golden cases under tests/cases/layouts/):

- WordPress.com: numbered comments ("1."), "•" replies, "Liked by N people", "LikeLike";
- WordPress.org themes: "Name says:" + a date line + "Reply", replies indented deeper;
- Disqus: "Name • 2 hours ago", "12 likes • Reply • Share ›", a reply naming its parent;
- Blogger: "Name said..." + text + a date line;
- old-style footers: text, then "Comment by Name — 3 Mar 2006 on 10:15 pm | Link";
- an author line, then a date line, then the text;
- Hacker News: "name 3 hours ago | parent | next [–]";
- Reddit text dumps: "[–] user 12 points 3 hours ago".

A comment starts at a header (one of the shapes above) and runs to the next one.
Nesting comes from the indentation of the headers (a stack, so any depth and no
recursion), or, when every header sits at the same indentation, from reply markers
("•" under a numbered comment, a Disqus reply naming its parent's author).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from flows.dates import looks_like_date, parse_when
from flows.layout.lines import Line
from flows.layout.patterns import (
    COMMENT_BULLET,
    NUMBERED,
    copyright_holder,
    is_chrome,
    is_comment_section_header,
    is_interface,
    likes_in,
)

__all__ = ["CommentBlock", "Part", "find_comments_start", "parse_threads"]


@dataclass(slots=True)
class Part:
    """A paragraph of a comment: the commenter's own words, or a passage they quote."""

    kind: Literal["text", "quote"]
    start: int
    end: int
    text: str
    indent: int
    article: bool = False


@dataclass(slots=True)
class CommentBlock:
    """One reader comment as laid out on the page.

    Attributes:
        start: offset where the comment (its header) starts in the document text.
        end: offset after its last line.
        depth: 0 for a top-level comment.
        parent: index of the parent in the list of comments, None at top level.
        author: the commenter's name, if shown.
        posted_text: the posting time as written, if shown.
        likes: likes shown; 0 for a bare like button; None when no widget is shown.
        parts: its paragraphs, own words and quotes, in order.
    """

    start: int
    end: int
    indent: int
    kind: str
    author: str | None = None
    posted_text: str | None = None
    likes: int | None = None
    parent_author: str | None = None
    depth: int = 0
    parent: int | None = None
    parts: list[Part] = field(default_factory=list)


@dataclass(slots=True)
class _Header:
    kind: str
    author: str | None = None
    posted: str | None = None
    parent_author: str | None = None
    likes: int | None = None
    content_at: int | None = None  # offset (in the line) where comment text starts on the header line
    consumes_next: bool = False  # the next line (a date) belongs to the header
    footer: bool = False


_SAYS = re.compile(
    r"^(?P<author>\S.{0,60}?)\s+(?:says|writes|wrote|commented|comments|replied)\s*:\s*(?P<rest>.{0,60})$",
    re.I,
)
_SAID = re.compile(r"^(?P<author>\S.{0,60}?)\s+said(?:\.\.\.|…|:)\s*$", re.I)
_DISQUS = re.compile(r"^(?P<who>[^•·]{1,100}?)\s+[•·]\s+(?P<time>[^•·]{1,60}?)(?:\s+[•·]\s+[^•·]{1,30})?$")
_REDDIT = re.compile(
    r"^\[[–\-+]\]\s*(?P<author>\S+)(?:\s+\[[^\]]{1,30}\])?\s+(?:(?P<points>-?\d[\d,]*)\s+points?|\[?score hidden\]?)"
    r"\s*(?P<time>.*?)(?:\s*\(\d+ (?:child|children)\))?$",
    re.I,
)
_HN = re.compile(
    r"^(?P<author>[A-Za-z0-9_\-]{2,40})\s+(?P<time>(?:\d+|an?|one)\s+(?:second|minute|hour|day|week|month|year)s?"
    r"\s+ago|on\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2},\s+\d{4})(?:\s*\|[^|\[]{0,40})*(?:\s*\[[–\-+]\])?$",
)
_FOOTER = re.compile(
    r"^(?:comment|posted|written|reply|submitted)\s+by\s+(?P<author>.+?)\s*(?:[—–-]|\bon\b|@|\|)\s*"
    r"(?P<time>.+?)(?:\s*\|\s*(?:link|permalink|reply|quote|report))*\s*$",
    re.I,
)
_REPLY_TO = re.compile(r"^(?:in\s+)?(?:reply|replying|response)\s+to\s+@?(?P<name>.{1,60}?)\s*:?$", re.I)
_LEVEL = re.compile(r"^level\s+\d+$", re.I)
_NAME_LIKE = re.compile(r"^[\w@][\w.'’\- @]{0,48}[\w.]$|^\w$")


def _time_ok(text: str, now: datetime) -> bool:
    return parse_when(text, now=now) is not None


def _author_line(line: Line, now: datetime) -> bool:
    key = line.key
    if len(key) > 50 or len(key.split()) > 5 or not _NAME_LIKE.match(key):
        return False
    if key.endswith((".", "!", "?")) and not re.search(r"\b[A-Z]\.$", key):
        return False
    return not (is_interface(key) or looks_like_date(key) or is_chrome(key))


def _match_header(line: Line, nxt: Line | None, now: datetime, numbered_indent: int | None) -> _Header | None:
    key, raw = line.key, line.text
    match = _REDDIT.match(key)
    if match:
        points = match.group("points")
        return _Header(
            "reddit", author=match.group("author"), posted=match.group("time") or None,
            likes=int(points.replace(",", "")) if points and not points.startswith("-") else None,
        )
    match = _SAYS.match(key)
    if match and len(match.group("author").split()) <= 5:
        rest = match.group("rest").strip()
        header = _Header("says", author=match.group("author").strip())
        if rest and looks_like_date(rest):
            header.posted = rest
        elif rest:
            return None
        if header.posted is None and nxt is not None and not nxt.blank and looks_like_date(nxt.key):
            header.posted, header.consumes_next = nxt.key, True
        return header
    match = _SAID.match(key)
    if match and len(match.group("author").split()) <= 5:
        return _Header("said", author=match.group("author").strip())
    match = _FOOTER.match(key)
    if match and _time_ok(match.group("time"), now):
        return _Header("footer", author=match.group("author").strip(), posted=match.group("time"), footer=True)
    match = _DISQUS.match(raw) or _DISQUS.match(key)
    if match and _time_ok(match.group("time").strip(), now):
        who = match.group("who").strip()
        parts = re.split(r"\s{2,}|\s*[›»▸]\s*", who)
        header = _Header("disqus", author=parts[0].strip(), posted=match.group("time").strip())
        if len(parts) > 1:
            header.parent_author = parts[-1].strip()
        return header
    match = _HN.match(key)
    if match:
        return _Header("hn", author=match.group("author"), posted=match.group("time"))
    match = NUMBERED.match(raw)
    if match and (numbered_indent is None or line.indent <= numbered_indent):
        return _Header("numbered", content_at=match.end())
    match = COMMENT_BULLET.match(raw)
    if match:
        return _Header("bullet", content_at=match.end())
    if nxt is not None and not nxt.blank and _author_line(line, now) and looks_like_date(nxt.key):
        return _Header("author", author=key, posted=nxt.key, consumes_next=True)
    return None


def find_comments_start(lines: list[Line], after: int, now: datetime) -> int | None:
    """Index of the first line of the comment section, or None when the page has none.

    Evidence, earliest wins: a section header ('3 Comments', 'Leave a Reply'), a
    comment header ('Name says:', 'Name • 2 hours ago'), or an indented or numbered
    passage after the copyright line.
    """
    after_copyright = False
    numbered_indent = None
    for i in range(after, len(lines)):
        line = lines[i]
        if line.blank:
            continue
        if is_comment_section_header(line.key):
            return i
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        header = _match_header(line, nxt, now, numbered_indent)
        if header is not None and header.kind not in ("numbered", "bullet", "author"):
            return _start_of(lines, i, header)
        if after_copyright and (line.indent >= 2 or NUMBERED.match(line.text) or COMMENT_BULLET.match(line.text)):
            return i
        if copyright_holder(line.key) is not None:
            after_copyright = True
    return None


def _start_of(lines: list[Line], i: int, header: _Header) -> int:
    """A footer ends its comment, so the comment section starts at the paragraph above it."""
    if not header.footer:
        return i
    j = i
    while j > 0 and lines[j - 1].blank:
        j -= 1
    while j > 0 and not lines[j - 1].blank:
        j -= 1
    return j


def _paragraphs(items: list[tuple[Line, int, bool]]) -> list[list[tuple[Line, int, bool]]]:
    """Split (line, content offset, is '>' quote) items into paragraphs at blank lines and quote edges."""
    paras: list[list[tuple[Line, int, bool]]] = []
    current: list[tuple[Line, int, bool]] = []
    for item in items:
        line, _, quoted = item
        if line.blank:
            if current:
                paras.append(current)
                current = []
            continue
        if current and current[-1][2] != quoted:
            paras.append(current)
            current = []
        current.append(item)
    if current:
        paras.append(current)
    return paras


def _fill(comment: CommentBlock, body: list[Line], first_content: tuple[Line, int] | None,
          in_article: Callable[[str], bool]) -> None:
    items: list[tuple[Line, int, bool]] = []
    if first_content is not None:
        items.append((first_content[0], first_content[1], False))
    seen_text = first_content is not None
    for line in body:
        if line.blank:
            items.append((line, 0, False))
            continue
        key = line.key
        if is_interface(key):
            likes = likes_in(key)
            if likes is not None:
                comment.likes = max(comment.likes or 0, likes)
            continue
        if _LEVEL.match(key) or is_comment_section_header(key) or is_chrome(key):
            continue
        if comment.posted_text is None and looks_like_date(key):
            comment.posted_text = key
            continue
        reply_to = _REPLY_TO.match(key)
        if reply_to and not seen_text:
            comment.parent_author = reply_to.group("name")
            continue
        if line.text.startswith(">") or line.text.startswith("&gt;"):
            offset = len(line.text) - len(line.text.lstrip(">& gt;"))
            items.append((line, offset if offset < len(line.text) else 0, True))
        else:
            items.append((line, 0, False))
        seen_text = True
    paras = _paragraphs(items)
    if not paras:
        return
    base = min(p[0][0].indent + (p[0][1] if p[0][1] and not p[0][2] else 0) for p in paras)
    for para in paras:
        first_line, offset, quoted = para[0]
        start = first_line.start + offset
        texts = [line.text[off:].strip() if off else line.text for line, off, _ in para]
        if quoted:
            texts = [t.lstrip("> ").removeprefix("&gt;").strip() for t in texts]
        text = "\n".join(t for t in texts if t)
        if not text:
            continue
        indent = first_line.indent + (offset if not quoted else 0)
        kind: Literal["text", "quote"] = "quote" if quoted or indent > base + 1 else "text"
        article = in_article(text)
        if article:
            kind = "quote"
        comment.parts.append(Part(kind, start, para[-1][0].end, text, indent, article))


def _nest(comments: list[CommentBlock]) -> None:
    """Set depth and parent from header indentation, or from reply markers when it is flat."""
    indents = {c.indent for c in comments}
    by_indent = len(indents) > 1
    stack: list[int] = []
    last_top: int | None = None
    for i, comment in enumerate(comments):
        if comment.parent_author:
            wanted = comment.parent_author.lstrip("@").casefold()
            parent = next((j for j in range(i - 1, -1, -1) if (comments[j].author or "").casefold() == wanted), None)
            if parent is not None:
                comment.parent, comment.depth = parent, comments[parent].depth + 1
                while stack and stack[-1] != parent and comments[stack[-1]].depth >= comment.depth:
                    stack.pop()
                stack.append(i)
                continue
        if by_indent:
            while stack and comments[stack[-1]].indent >= comment.indent:
                stack.pop()
        else:
            reply = comment.kind == "bullet" and last_top is not None
            stack = [last_top] if reply and last_top is not None else []
        comment.parent = stack[-1] if stack else None
        comment.depth = comments[comment.parent].depth + 1 if comment.parent is not None else 0
        if comment.depth == 0:
            last_top = i
        stack.append(i)


def parse_threads(lines: list[Line], now: datetime, in_article: Callable[[str], bool]) -> list[CommentBlock]:
    """Comments in the comment section `lines`, in page order, with depth and parent set.

    Args:
        lines: the lines of the comment section.
        now: the document's fetch time, for relative dates ("2 hours ago").
        in_article: whether a passage repeats the article's text (it is then a quote).
    """
    headers: list[tuple[int, _Header]] = []
    numbered_indent: int | None = None
    skip = -1
    for i, line in enumerate(lines):
        if line.blank or i <= skip:
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        header = _match_header(line, nxt, now, numbered_indent)
        if header is None:
            continue
        if header.kind == "numbered" and numbered_indent is None:
            numbered_indent = line.indent
        headers.append((i, header))
        if header.consumes_next:
            skip = i + 1
    comments: list[CommentBlock] = []
    if not headers:
        return comments
    if all(h.footer for _, h in headers):
        _parse_footers(lines, headers, comments, in_article)
    else:
        spans = [(i, h) for i, h in headers if not h.footer]
        for n, (i, header) in enumerate(spans):
            stop = spans[n + 1][0] if n + 1 < len(spans) else len(lines)
            line = lines[i]
            comment = CommentBlock(line.start, line.end, line.indent, header.kind, header.author,
                                   header.posted, header.likes, header.parent_author)
            body_from = i + 2 if header.consumes_next else i + 1
            first = (line, header.content_at) if header.content_at is not None else None
            body = lines[body_from:stop]
            for j, footer in headers:
                if footer.footer and body_from <= j < stop:
                    comment.author = comment.author or footer.author
                    comment.posted_text = comment.posted_text or footer.posted
            body = [b for b in body if not any(b.number == lines[j].number for j, f in headers if f.footer)]
            _fill(comment, body, first, in_article)
            comment.end = max([line.end] + [b.end for b in body if not b.blank])
            comments.append(comment)
    comments = [c for c in comments if c.parts or c.author]
    _nest(comments)
    return comments


def _parse_footers(lines: list[Line], headers: list[tuple[int, _Header]], comments: list[CommentBlock],
                   in_article: Callable[[str], bool]) -> None:
    begin = 0
    for i, header in headers:
        body = [line for line in lines[begin:i]]
        content = [line for line in body if not line.blank and not is_comment_section_header(line.key)]
        if content:
            comment = CommentBlock(content[0].start, lines[i].end, content[0].indent, "footer",
                                   header.author, header.posted)
            _fill(comment, body, None, in_article)
            comments.append(comment)
        begin = i + 1
