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
from flows.decode.candidates import SKIP_TAGS, choose, has_role, hidden_by, tokens_of
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
# Elements the walk never enters (those `_DROP` does not also handle specially).
_SKIPPED = SKIP_TAGS - {"img", "picture", "source", "input", "select", "textarea", "button"}
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_DATE_LABEL = re.compile(r"^(published|updated|posted|modified|last updated|first published)\s*:?\s+(.+)$", re.I)
_ABSOLUTE = re.compile(r"\d{4}|\d{1,2}[:/.]\d{1,2}")
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


def _text(node: LexborNode) -> str:
    return " ".join(_SPACE.sub(" ", node.text(deep=True, separator=" ")).split())


def _time_text(node: LexborNode, *, updated: bool = False) -> str | None:
    """A date element as a line: its `datetime` in the form the layout parser reads exactly, after
    the element's own label ('Published', 'Updated') when it has one."""
    when = _parse_iso(node.attributes.get("datetime"))
    shown = _text(node)
    label = "Updated" if updated else None
    match = _DATE_LABEL.match(shown)
    if match:
        label = match.group(1).capitalize()
    if when is not None:
        text = format_when(when)
    elif match:
        text = match.group(2)
    else:
        text = shown
    if not text:
        return None
    return _dateline(f"{label} {text}") if label else text


def _dateline(line: str) -> str:
    """A 'Published …' or 'Updated …' line with a colon after its label when the time is relative
    ('Updated: an hour ago'), so that the label is never read as a comment author's name."""
    match = _DATE_LABEL.match(line)
    if match is None or len(line) > 80 or _ABSOLUTE.search(match.group(2)) or not looks_like_date(match.group(2)):
        return line
    return f"{match.group(1).capitalize()}: {match.group(2)}"


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
        choice = choose(tree)
        self.title, self.title_node = choice.title, choice.title_node
        self.root, self.keep, self.skip, self.prose = choice.root, choice.keep, choice.skip, choice.prose
        # The article's header (byline, dates) often sits between the headline and the container
        # of its text: its metadata lines are kept from the headline on, until the container.
        self.head = False
        self.root_done = False

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

    def emit(self, block: str, ctx: _Ctx, *, meta: bool = False) -> None:
        if ctx.comment is not None:
            self.comments[ctx.comment].blocks.append(block)
        elif (ctx.root or (meta and self.head)) and not ctx.area:
            self.article.append(_dateline(block) if "\n" not in block else block)

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
            if not tag or tag.startswith("-") or tag in _SKIPPED:
                continue
            attrs = node.attributes
            if hidden_by(attrs):
                continue
            found = tokens_of(attrs)
            inner = self.enter(node, ctx, attrs, found)
            if inner is None:
                continue
            if tag in _BLOCK or has_role(found, "comment") or node.mem_id == self.root:
                stack.append((node, inner, True))
            children = list(node.iter(include_text=True))
            stack.extend((child, inner, False) for child in reversed(children))

    def leave(self, node: LexborNode) -> None:
        if node.mem_id == self.root:
            self.head = False
            self.root_done = True
        self.flush()

    def enter(self, node: LexborNode, ctx: _Ctx, attrs: dict[str, str | None], found: frozenset[str]) -> _Ctx | None:
        """Handle entering `node` (its attributes and `tokens`); the context for its children, or
        None to skip them."""
        tag = node.tag or ""
        if node.mem_id == self.root:
            ctx = replace(ctx, root=True)
            self.head = False
        if node.mem_id in self.skip:
            return None
        handled, inner = self._enter_comments(node, tag, attrs, found, ctx)
        if handled:
            return inner
        if tag == "footer" and node.mem_id not in self.keep:
            self._harvest_copyright(node)
            return None
        if node.mem_id not in self.keep and self._dropped(node, tag, attrs, found, ctx):
            return None
        if self.title_node is not None and node.mem_id == self.title_node:
            self.flush()
            self.head = not ctx.root and self.root is not None and not self.root_done
            return None
        if ctx.comment is None and not ctx.in_text:
            line = self._metadata_line(node, tag, found)
            if line is not None:
                self.flush()
                self.emit(line, ctx, meta=True)
                return None
        return self._enter_block(node, tag, ctx)

    def _enter_comments(
        self, node: LexborNode, tag: str, attrs: dict[str, str | None], found: frozenset[str], ctx: _Ctx
    ) -> tuple[bool, _Ctx | None]:
        """Comment sections, comments and their parts: (True, the context for the children or None
        to skip them), or (False, None) when `node` is none of these."""
        if node.mem_id in self.keep:
            return False, None  # the article's container and its ancestors are never comments
        if ctx.comment is not None and self._enter_comment_part(node, tag, found, ctx):
            return True, None
        starts = has_role(found, "comment")
        if ctx.comment is not None and (has_role(found, "comment_meta") or tag in ("footer", "header")) and not starts:
            self.flush()
            return True, replace(ctx, meta=True)
        if (
            starts
            or "data-comment-id" in attrs
            or "Comment" in (attrs.get("itemtype") or "")
            or (ctx.area and tag in ("li", "article") and "post" in found)
        ):
            self.flush()
            if ctx.comment is not None:
                current = self.comments[ctx.comment]
                if current.author is None and current.when is None and not current.blocks:
                    return True, ctx  # a wrapper of the same comment ('li.comment > div.comment-item')
            depth = self.comments[ctx.comment].depth + 1 if ctx.comment is not None else 0
            self.comments.append(_Comment(depth))
            return True, _Ctx(comment=len(self.comments) - 1, area=True, root=ctx.root)
        if has_role(found, "comment_area"):
            self.flush()
            return True, replace(ctx, area=True)
        if ctx.comment is None and has_role(found, "comment_text") and self.comments and not self.comments[-1].blocks:
            # the text of a comment whose header stands in an element of its own, just before
            self.flush()
            return True, _Ctx(comment=len(self.comments) - 1, area=True, root=ctx.root)
        return False, None

    def _dropped(
        self, node: LexborNode, tag: str, attrs: dict[str, str | None], found: frozenset[str], ctx: _Ctx
    ) -> bool:
        """Whether `node` is page furniture: scripts, menus, forms, sharing and other widgets."""
        if tag in _DROP or attrs.get("role") in ("navigation", "banner"):
            return True
        if has_role(found, "boilerplate") or has_role(found, "comment_drop"):
            return True
        if has_role(found, "wrapper") and node.mem_id not in self.prose:
            return True
        if tag == "header" and not ctx.root and node.css_first("h1") is None:
            return True
        return tag == "figure" and node.css_first("blockquote") is None

    def _enter_block(self, node: LexborNode, tag: str, ctx: _Ctx) -> _Ctx | None:
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

    def _metadata_line(self, node: LexborNode, tag: str, found: frozenset[str]) -> str | None:
        """A byline, date or credit element outside paragraphs, as a line of its own."""
        attrs = node.attributes
        dated = has_role(found, "date")
        if tag == "time" or (dated and node.css_first("time") is None and len(_text(node)) <= 80):
            updated = "updated" in found and "published" not in found
            return _time_text(node, updated=updated) if tag == "time" else (_text(node) or None)
        if dated:
            time = node.css_first("time")
            if time is not None:
                return _time_text(time, updated="updated" in found)
        authorish = has_role(found, "byline") or attrs.get("rel") == "author" or attrs.get("itemprop") == "author"
        if authorish:
            text = _text(node)
            if not text or len(text) > 120:
                return None
            return text if re.match(r"^(?:by|written by|story by|words by)\b", text, re.I) else f"By {text}"
        if has_role(found, "credit"):
            text = _text(node)
            return text if text and len(text) <= 200 else None
        return None

    def _enter_comment_part(self, node: LexborNode, tag: str, found: frozenset[str], ctx: _Ctx) -> bool:
        """Author, date and widget elements of a comment; True when `node` was consumed."""
        assert ctx.comment is not None
        comment = self.comments[ctx.comment]
        if has_role(found, "comment"):
            return False  # a reply: a comment of its own
        if has_role(found, "comment_drop") or tag in _DROP:
            return True
        if comment.author is None and (
            has_role(found, "comment_author") or node.attributes.get("itemprop") == "author"
        ):
            name_node = node.css_first(".fn") if "comment-author" in found else None
            text = _text(name_node if name_node is not None else node)
            text = re.sub(r"\s+(?:says|said|writes|wrote)\s*:?\s*$", "", text, flags=re.I).strip()
            if text:
                comment.author = text
                return True
        if comment.when is None and tag == "time":
            comment.when = _time_text(node)
            return True
        if has_role(found, "comment_meta") and comment.when is None and node.css_first("time") is None:
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
