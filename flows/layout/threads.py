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
    reply: bool = False
    level: int | None = None
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
    consumes: int = 0  # following lines (a date, 'Reply to X') that belong to the header
    footer: bool = False
    reply: bool = False  # marked as a reply ('•', '↳') without naming the parent
    level: int | None = None  # depth stated by the page ('level 2' in Reddit dumps)


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
_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "you"})
_LEVEL = re.compile(r"^level\s+\d+$", re.I)
_NAME_LIKE = re.compile(r"^[\w@][\w.'’\- @]{0,48}[\w.]$|^\w$")


def _pronoun(author: str) -> bool:
    """'He said:' opens a quotation in an article, it is no comment header."""
    return author.strip().lower() in _PRONOUNS


def _has_bullet(text: str) -> bool:
    return "•" in text or "·" in text


def _time_ok(text: str, now: datetime) -> bool:
    return parse_when(text, now=now) is not None


def _author_line(line: Line, now: datetime) -> bool:
    key = line.key
    if len(key) > 50 or len(key.split()) > 5 or not _NAME_LIKE.match(key):
        return False
    if key.endswith((".", "!", "?")) and not re.search(r"\b[A-Z]\.$", key):
        return False
    return not (is_interface(key) or looks_like_date(key) or is_chrome(key))


def _next_line(lines: list[Line], i: int) -> Line | None:
    return lines[i + 1] if i + 1 < len(lines) and not lines[i + 1].blank else None


def _date_after(lines: list[Line], i: int) -> tuple[str | None, str | None, int]:
    """(posted, reply-to name, lines consumed) for the lines after an author line: a date line,
    optionally after a 'Reply to X' line."""
    nxt = _next_line(lines, i)
    if nxt is None:
        return None, None, 0
    if looks_like_date(nxt.key):
        return nxt.key, None, 1
    reply = _REPLY_TO.match(nxt.key)
    after = _next_line(lines, i + 1)
    if reply and after is not None and looks_like_date(after.key):
        return after.key, reply.group("name"), 2
    return None, None, 0


def _match_header(lines: list[Line], i: int, now: datetime, numbered_indent: int | None) -> _Header | None:
    line = lines[i]
    key, raw = line.key, line.text
    match = _REDDIT.match(key)
    if match:
        points = match.group("points")
        return _Header(
            "reddit", author=match.group("author"), posted=match.group("time") or None,
            likes=int(points.replace(",", "")) if points and not points.startswith("-") else None,
        )
    # (_SAYS needs a colon, _SAID an ellipsis or colon at the end, _DISQUS a bullet: lines without
    # them are not tried, which spares the patterns' bounded but slow look for where the name ends)
    match = _SAYS.match(key) if ":" in key else None
    if match and len(match.group("author").split()) <= 5 and not _pronoun(match.group("author")):
        rest = match.group("rest").strip()
        header = _Header("says", author=match.group("author").strip())
        if rest and looks_like_date(rest):
            header.posted = rest
        elif rest:
            return None
        if header.posted is None:
            header.posted, header.parent_author, header.consumes = _date_after(lines, i)
        return header
    match = _SAID.match(key) if key.rstrip().endswith(("...", "…", ":")) else None
    if match and len(match.group("author").split()) <= 5 and not _pronoun(match.group("author")):
        return _Header("said", author=match.group("author").strip())
    match = _FOOTER.match(key)
    if match and _time_ok(match.group("time"), now):
        return _Header("footer", author=match.group("author").strip(), posted=match.group("time"), footer=True)
    match = (_DISQUS.match(raw) or _DISQUS.match(key)) if _has_bullet(raw) or _has_bullet(key) else None
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
        # '↳ Name' + a date line: an author header marked as a reply
        rest = raw[match.end():].strip()
        if rest and _author_line(Line(line.number, line.start, line.end, line.indent, rest, rest), now):
            posted, reply_to, consumed = _date_after(lines, i)
            if posted is not None:
                return _Header("author", author=rest, posted=posted, parent_author=reply_to, consumes=consumed,
                               reply=True)
        return _Header("bullet", content_at=match.end(), reply=True)
    if _author_line(line, now):
        posted, reply_to, consumed = _date_after(lines, i)
        if posted is not None:
            return _Header("author", author=key, posted=posted, parent_author=reply_to, consumes=consumed)
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
        header = _match_header(lines, i, now, numbered_indent)
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


def _mentioned(comment: CommentBlock, comments: list[CommentBlock], before: int) -> int | None:
    """Index of the comment an '@Name …' opening replies to: the latest by that author before
    `comments[before]`."""
    first = next((p.text for p in comment.parts if p.kind == "text"), "")
    if not first.startswith("@"):
        return None
    mention = first[1:].casefold()
    best: tuple[int, int] | None = None  # (length of the matched name, index)
    for j in range(before - 1, -1, -1):
        author = (comments[j].author or "").casefold()
        if author and mention.startswith(author) and (best is None or len(author) > best[0]):
            best = (len(author), j)
    return best[1] if best else None


def _by_author(name: str, comments: list[CommentBlock], before: int) -> int | None:
    wanted = name.lstrip("@").strip().casefold()
    return next((j for j in range(before - 1, -1, -1) if (comments[j].author or "").casefold() == wanted), None)


def _nest(comments: list[CommentBlock]) -> None:
    """Set depth and parent, in order of evidence: a depth the page states ('level 2'), a parent it
    names ('Reply to X', a Disqus reply naming its parent, '@X'), the indentation of the headers,
    then reply markers ('•', '↳') under the last top-level comment. Iterative: any depth."""
    by_indent = len({c.indent for c in comments}) > 1
    stack: list[int] = []  # indexes of the open comments by indentation
    last_top: int | None = None
    for i, comment in enumerate(comments):
        while stack and comments[stack[-1]].indent >= comment.indent:
            stack.pop()
        parent: int | None = None
        if comment.level is not None:
            if comment.level > 0:
                parent = next((j for j in range(i - 1, -1, -1) if comments[j].depth == comment.level - 1), None)
        elif comment.parent_author and (named := _by_author(comment.parent_author, comments, i)) is not None:
            parent = named
        elif (mentioned := _mentioned(comment, comments, i)) is not None:
            parent = mentioned
        elif by_indent:
            parent = stack[-1] if stack else None
        elif comment.reply:
            parent = last_top
        comment.parent = parent
        comment.depth = comments[parent].depth + 1 if parent is not None else 0
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
    level: int | None = None
    for i, line in enumerate(lines):
        if line.blank or i <= skip:
            continue
        stated = _LEVEL.match(line.key)
        if stated:
            level = int(line.key.split()[-1]) - 1
            continue
        header = _match_header(lines, i, now, numbered_indent)
        if header is None:
            continue
        if header.kind == "numbered" and numbered_indent is None:
            numbered_indent = line.indent
        header.level, level = level, None
        headers.append((i, header))
        skip = i + header.consumes
    comments: list[CommentBlock] = []
    if not headers:
        return comments
    if all(h.footer for _, h in headers):
        _parse_footers(lines, headers, comments, in_article)
    else:
        footers = {j: h for j, h in headers if h.footer}
        spans = [(i, h) for i, h in headers if not h.footer]
        for n, (i, header) in enumerate(spans):
            stop = spans[n + 1][0] if n + 1 < len(spans) else len(lines)
            line = lines[i]
            comment = CommentBlock(line.start, line.end, line.indent, header.kind, header.author,
                                   header.posted, header.likes, header.parent_author, reply=header.reply,
                                   level=header.level)
            body_from = i + 1 + header.consumes
            first = (line, header.content_at) if header.content_at is not None else None
            body = []
            for j in range(body_from, stop):
                footer = footers.get(j)
                if footer is None:
                    body.append(lines[j])
                    continue
                comment.author = comment.author or footer.author
                comment.posted_text = comment.posted_text or footer.posted
            _fill(comment, body, first, in_article)
            comment.end = max([line.end] + [b.end for b in body if not b.blank])
            comments.append(comment)
    comments = [c for c in comments if c.parts]
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
