"""HTML pages to text, in the conventions the layout parser reads (part of the decode stage).

A web page is parsed with a real HTML parser (selectolax's Lexbor engine, which
follows the WHATWG parsing rules that browsers use) and rendered into the same
kind of text people paste, so that the layout and extraction stages do not care
where a text came from:

    Title on the first line                 (the <h1> of the article, else og:title, else <title>)

    By Jane Doe                             (bylines, dates and credits on lines of their own)

    April 8, 2024 at 8:47 am UTC

    A paragraph per <p>, blank lines between blocks.

    A heading                               (<h2>…<h6> as short standalone lines)

    – a list item                           (<ul> items as "– ", <ol> items as "1. ")

    > a blockquote line

    © 2024 The Publisher                    (copyright lines kept from the page footer)

    3 Comments                              (comment containers: WordPress, Disqus-like markup)

    Name says:
    April 8, 2024 at 9:30 am UTC

    The comment's own words.

    Reply
        Replier says:                       (4 spaces per level of nesting)
        ...

Scripts, styles, navigation, headers and footers of the site, asides, forms, share
buttons, newsletter boxes and hidden elements are dropped. The walk over the tree
is iterative (an explicit stack), so deeply nested pages cannot exhaust the stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from selectolax.lexbor import LexborHTMLParser, LexborNode

from flows.dates import format_when, looks_like_date
from flows.decode.text import clean, copyright_holder

__all__ = ["HTML_MEDIA_TYPES", "render_html", "sniff_charset"]

#: Media types read as HTML.
HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})

_BLOCK = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "blockquote",
        "pre",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "dl",
        "dt",
        "dd",
        "figure",
        "figcaption",
        "hr",
        "address",
        "details",
        "summary",
        "center",
        "body",
        "html",
        "caption",
        "footer",
    }
)
_DROP = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "aside",
        "form",
        "iframe",
        "svg",
        "canvas",
        "button",
        "select",
        "input",
        "textarea",
        "object",
        "embed",
        "video",
        "audio",
        "map",
        "dialog",
        "head",
        "link",
        "meta",
        "img",
        "picture",
        "source",
        "label",
    }
)
_TEXT_CONTAINERS = frozenset(
    {
        "p",
        "li",
        "td",
        "th",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "dd",
        "dt",
        "figcaption",
        "caption",
        "blockquote",
        "pre",
    }
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_WIDGET = re.compile(
    r"^(?:share|shares|sharing|sharedaddy|share-.+|.+-share|social|social-.+|jp-relatedposts|related|"
    r"related-.+|newsletter|newsletter-.+|advert|advertisement|ad|ads|ad-.+|adsbygoogle|cookie|cookies|"
    r"cookie-.+|subscribe|subscription|promo|breadcrumbs?|sidebar|widget|widget-area|menu|navigation|"
    r"site-header|site-footer|screen-reader-text|sr-only|visually-hidden|skip-link|comment-respond|respond|"
    r"comment-form|post-navigation|nav-links|tags|tag-links|cat-links|author-bio|popup|modal|paywall)$",
    re.I,
)
_COMMENT_AREA = frozenset(
    {
        "comments",
        "comments-area",
        "comment-list",
        "commentlist",
        "disqus_thread",
        "comment-section",
        "comments-section",
        "comments-list",
        "post-list",
    }
)
_COMMENT_DROP = frozenset(
    {
        "reply",
        "comment-reply-link",
        "comment-awaiting-moderation",
        "comment-edit-link",
        "edit-link",
        "says",
        "avatar",
        "comment-actions",
        "post-actions",
        "likes",
        "comment-footer",
        "voting",
    }
)
_COMMENT_AUTHOR = frozenset(
    {"comment-author", "fn", "author", "username", "comment-author-name", "author-name"}
)
_COMMENT_META = frozenset(
    {
        "comment-metadata",
        "comment-meta",
        "comment-date",
        "comment-time",
        "post-meta",
        "time-ago",
        "commentmetadata",
    }
)
_BYLINE = frozenset({"byline", "author", "dateline", "entry-author", "post-author", "article-author"})
_DATE = frozenset(
    {"posted-on", "entry-date", "published", "updated", "post-date", "article-date", "publish-date", "date"}
)
_CREDIT = frozenset({"credit", "credits", "photo-credit", "contributors"})
_SPACE = re.compile(r"[ \t\r\f\v\n]+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def sniff_charset(data: bytes) -> str | None:
    """The charset an HTML page names in a `<meta>` tag near its start, if any."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii").lower() if match else None


def _parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def _tokens(node: LexborNode) -> set[str]:
    attrs = node.attributes
    tokens = set((attrs.get("class") or "").lower().split())
    ident = (attrs.get("id") or "").lower().strip()
    if ident:
        tokens.add(ident)
    return tokens


def _text(node: LexborNode) -> str:
    return " ".join(_SPACE.sub(" ", node.text(deep=True, separator=" ")).split())


def _hidden(node: LexborNode) -> bool:
    attrs = node.attributes
    if "hidden" in attrs or (attrs.get("aria-hidden") or "").lower() == "true":
        return True
    return bool(_HIDDEN_STYLE.search(attrs.get("style") or ""))


def _time_text(node: LexborNode, *, updated: bool = False) -> str | None:
    when = _parse_iso(node.attributes.get("datetime"))
    text = format_when(when) if when is not None else _text(node)
    if not text:
        return None
    return f"Updated {text}" if updated else text


@dataclass(slots=True)
class _Comment:
    depth: int
    author: str | None = None
    when: str | None = None
    blocks: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Ctx:
    quote: int = 0
    lists: int = 0
    comment: int | None = None
    area: bool = False
    root: bool = False
    pre: bool = False
    in_text: bool = False
    meta: bool = False


@dataclass(slots=True)
class _Pending:
    parts: list[str] = field(default_factory=list)
    ctx: _Ctx | None = None
    marker: str | None = None


class _Renderer:
    def __init__(self, tree: LexborHTMLParser) -> None:
        self.tree = tree
        self.article: list[str] = []
        self.comments: list[_Comment] = []
        self.copyrights: list[str] = []
        self.pending = _Pending()
        self.counters: dict[int, int] = {}
        self.cells: dict[int, int] = {}
        self.title, self.title_node = self._title()
        self.root = self._root()

    def _title(self) -> tuple[str, int | None]:
        for scope in ("article h1", "main h1", "h1"):
            node = self.tree.css_first(scope)
            if node is not None and _text(node):
                return _text(node), node.mem_id
        meta = self.tree.css_first('meta[property="og:title"]')
        if meta is not None and (meta.attributes.get("content") or "").strip():
            return " ".join((meta.attributes.get("content") or "").split()), None
        title = self.tree.css_first("title")
        if title is not None and _text(title):
            return _text(title).split(" | ")[0].strip(), None
        return "", None

    def _root(self) -> int | None:
        for scope in ("article", "main", '[role="main"]'):
            for node in self.tree.css(scope):
                if not (_tokens(node) & _COMMENT_AREA) and "comment" not in _tokens(node) and _text(node):
                    return node.mem_id
        return None

    # Inline text ---------------------------------------------------------------------------
    def add_text(self, text: str, ctx: _Ctx) -> None:
        if ctx.meta:
            return
        if not ctx.pre:
            text = _SPACE.sub(" ", text)
        if not text.strip() and not self.pending.parts:
            return
        if self.pending.ctx is None:
            self.pending.ctx = ctx
        self.pending.parts.append(text)

    def flush(self) -> None:
        pending, self.pending = self.pending, _Pending(marker=None)
        ctx = pending.ctx
        if ctx is None:
            self.pending.marker = pending.marker
            return
        raw_lines = "".join(pending.parts).split("\n")
        lines = [line.rstrip() if ctx.pre else " ".join(line.split()) for line in raw_lines]
        lines = [line for line in lines if line.strip()]
        if not lines:
            self.pending.marker = pending.marker
            return
        indent = "  " * max(ctx.lists - 1, 0)
        if pending.marker is not None:
            lines = [indent + pending.marker + lines[0], *(indent + "  " + line for line in lines[1:])]
        elif ctx.lists:
            lines = [indent + "  " + line for line in lines]
        if ctx.quote:
            lines = ["> " * ctx.quote + line for line in lines]
        self.emit("\n".join(lines), ctx)

    def emit(self, block: str, ctx: _Ctx) -> None:
        if ctx.comment is not None:
            self.comments[ctx.comment].blocks.append(block)
        elif ctx.root and not ctx.area:
            self.article.append(block)

    # The walk ------------------------------------------------------------------------------
    def walk(self) -> None:
        body = self.tree.body
        if body is None:
            return
        start = _Ctx(root=self.root is None)
        stack: list[tuple[LexborNode, _Ctx, bool]] = [(body, start, False)]
        while stack:
            node, ctx, leaving = stack.pop()
            if leaving:
                self.leave(node)
                continue
            tag = node.tag
            if tag == "-text":
                self.add_text(node.text_content or "", ctx)
                continue
            if not tag or tag.startswith("-") or _hidden(node):
                continue
            inner = self.enter(node, ctx)
            if inner is None:
                continue
            stack.append((node, inner, True))
            children = list(node.iter(include_text=True))
            stack.extend((child, inner, False) for child in reversed(children))

    def leave(self, node: LexborNode) -> None:
        tag = node.tag or ""
        if tag in _BLOCK or "comment" in _tokens(node):
            self.flush()

    def enter(self, node: LexborNode, ctx: _Ctx) -> _Ctx | None:  # noqa: C901 - one dispatch table
        """Handle entering `node`; the context for its children, or None to skip them."""
        tag = node.tag or ""
        tokens = _tokens(node)
        attrs = node.attributes
        if node.mem_id == self.root:
            ctx = replace(ctx, root=True)
        if ctx.comment is not None and self._enter_comment_part(node, tag, tokens, ctx):
            return None
        if (
            ctx.comment is not None
            and (tokens & _COMMENT_META or tag in ("footer", "header"))
            and ("comment" not in tokens)
        ):
            self.flush()
            return replace(ctx, meta=True)
        if (
            "comment" in tokens
            or "data-comment-id" in attrs
            or "Comment" in (attrs.get("itemtype") or "")
            or (ctx.area and tag in ("li", "article") and "post" in tokens)
        ):
            self.flush()
            depth = self.comments[ctx.comment].depth + 1 if ctx.comment is not None else 0
            self.comments.append(_Comment(depth))
            return _Ctx(comment=len(self.comments) - 1, area=True, root=ctx.root)
        if tokens & _COMMENT_AREA:
            self.flush()
            return replace(ctx, area=True)
        if tag == "footer":
            self._harvest_copyright(node)
            return None
        if (
            tag in _DROP
            or any(_WIDGET.match(t) for t in tokens)
            or attrs.get("role") in ("navigation", "banner")
        ):
            return None
        if tag == "header" and not ctx.root and node.css_first("h1") is None:
            return None
        if tag == "figure" and node.css_first("blockquote") is None:
            return None
        if self.title_node is not None and node.mem_id == self.title_node:
            self.flush()
            return None
        if ctx.comment is None and not ctx.in_text:
            line = self._metadata_line(node, tag, tokens)
            if line is not None:
                self.flush()
                self.emit(line, ctx)
                return None
        if tag == "br":
            if self.pending.parts and not ctx.meta:
                self.pending.parts.append("\n")
            return None
        if tag in ("td", "th"):
            row = node.parent.mem_id if node.parent is not None else 0
            count = self.cells.get(row, 0)
            self.cells[row] = count + 1
            if count:
                self.add_text(" | ", ctx)
            return ctx
        if tag not in _BLOCK:
            return ctx
        self.flush()
        if tag in ("ul", "ol"):
            self.counters[node.mem_id] = 0
            return replace(ctx, lists=ctx.lists + 1, in_text=False)
        if tag == "li":
            parent = node.parent
            if parent is not None and parent.tag == "ol":
                number = self.counters.get(parent.mem_id, 0) + 1
                self.counters[parent.mem_id] = number
                self.pending.marker = f"{number}. "
            else:
                self.pending.marker = "– "
            return replace(ctx, lists=max(ctx.lists, 1), in_text=True)
        if tag == "blockquote":
            return replace(ctx, quote=ctx.quote + 1, in_text=True)
        if tag == "pre":
            return replace(ctx, pre=True, in_text=True)
        if tag in _TEXT_CONTAINERS and not ctx.in_text:
            return replace(ctx, in_text=True)
        return ctx

    def _metadata_line(self, node: LexborNode, tag: str, tokens: set[str]) -> str | None:
        """A byline, date or credit element outside paragraphs, as a line of its own."""
        attrs = node.attributes
        if tag == "time" or (tokens & _DATE and node.css_first("time") is None and len(_text(node)) <= 80):
            updated = "updated" in tokens and "published" not in tokens
            return _time_text(node, updated=updated) if tag == "time" else (_text(node) or None)
        if tokens & _DATE:
            time = node.css_first("time")
            if time is not None:
                return _time_text(time, updated="updated" in tokens)
        authorish = tokens & _BYLINE or attrs.get("rel") == "author" or attrs.get("itemprop") == "author"
        if authorish:
            text = _text(node)
            if not text or len(text) > 120:
                return None
            return text if re.match(r"^(?:by|written by|story by|words by)\b", text, re.I) else f"By {text}"
        if tokens & _CREDIT:
            text = _text(node)
            return text if text and len(text) <= 200 else None
        return None

    def _enter_comment_part(self, node: LexborNode, tag: str, tokens: set[str], ctx: _Ctx) -> bool:
        """Author, date and widget elements of a comment; True when `node` was consumed."""
        assert ctx.comment is not None
        comment = self.comments[ctx.comment]
        if "comment" in tokens:
            return False  # a reply: a comment of its own
        if tokens & _COMMENT_DROP or tag in _DROP:
            return True
        if comment.author is None and (
            tokens & _COMMENT_AUTHOR or node.attributes.get("itemprop") == "author"
        ):
            name_node = node.css_first(".fn") if "comment-author" in tokens else None
            text = _text(name_node if name_node is not None else node)
            text = re.sub(r"\s+(?:says|said|writes|wrote)\s*:?\s*$", "", text, flags=re.I).strip()
            if text:
                comment.author = text
                return True
        if comment.when is None and tag == "time":
            comment.when = _time_text(node)
            return True
        if tokens & _COMMENT_META and comment.when is None and node.css_first("time") is None:
            text = _text(node)
            if text and looks_like_date(text):
                comment.when = text
                return True
        return False

    def _harvest_copyright(self, node: LexborNode) -> None:
        for line in node.text(deep=True, separator="\n").split("\n"):
            key = clean(line)
            if key and copyright_holder(key) is not None and key not in self.copyrights:
                self.copyrights.append(key)

    # Assembly ------------------------------------------------------------------------------
    def render(self) -> str:
        self.walk()
        self.flush()
        blocks: list[str] = []
        if self.title:
            blocks.append(self.title)
        for block in self.article:
            if block == self.title or (blocks and blocks[-1] == block):
                continue
            blocks.append(block)
        for line in self.copyrights:
            if line not in blocks:
                blocks.append(line)
        comments = [c for c in self.comments if c.blocks or c.author]
        if comments:
            blocks.append(f"{len(comments)} Comment{'s' if len(comments) != 1 else ''}")
            blocks.append("\n\n".join(_render_comment(c) for c in comments))
        return "\n\n".join(blocks) + "\n" if blocks else ""


def _render_comment(comment: _Comment) -> str:
    indent = "    " * comment.depth
    author = " ".join((comment.author or "Anonymous").split())
    head = [f"{indent}{author} says:"]
    if comment.when:
        head.append(f"{indent}{comment.when}")
    parts = ["\n".join(head)]
    for block in comment.blocks:
        parts.append("\n".join(f"{indent}{line}" for line in block.split("\n")))
    parts.append(f"{indent}Reply")
    return "\n\n".join(parts)


def render_html(html: str) -> str:
    """The text of an HTML page, laid out for the layout parser (see the module docstring).

    Returns an empty string when the page holds no readable text.
    """
    return _Renderer(LexborHTMLParser(html)).render()
