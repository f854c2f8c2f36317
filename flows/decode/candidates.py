"""Which part of a web page is the article: the container, the boilerplate inside it, the headline.

One pass over the parsed page measures each element: its text, the part of that text inside
links, and a score, the sum over the text blocks inside it (a paragraph, a list item, a table
cell, a `<div>` with text of its own) of

- the block's length, less twice its link text, for a block of 40 characters or more whose
  text is less than half links (prose), doubled when the page's JSON-LD `articleBody` holds
  the block's text (the publisher's own word on what the article is);
- minus the block's length for a block that is half links or more (menus, "Most popular",
  related stories, tag clouds);
- nothing for short blocks and for the text of reader comments.

The article's container is the element with the highest score (never simply the first
`<article>` or `<main>`): growing a candidate to its parent adds the parent's other prose but
also its menus and link lists, so the best one holds the whole article body, split as it may
be by advertisements, and stops where the page's link lists begin. Known body classes
(`article-body`, `entry-content`, `post-content`, `itemprop=articleBody`, ...) weigh a
candidate up by a quarter. Elements of reader comments are never candidates.

Inside the container, lists, tables and `<div>`s that are half links or more, and hold no
prose, are boilerplate to skip. The container's ancestors are never dropped by the renderer,
whatever their tag or class (a page inside an ASP.NET `<form>`, a `paywall` or `widget`
wrapper). The headline is the `<h1>` that agrees with the page's `og:title`, JSON-LD
`headline` or `<title>`, so that a site-logo `<h1>` or a date is never taken for it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from flows.dates import looks_like_date
from flows.decode.text import fold
from flows.lexicon import read_table

__all__ = ["Choice", "choose", "class_roles", "has_role", "hidden", "hidden_by", "tokens", "tokens_of"]

#: Elements that hold no readable text.
SKIP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "svg", "iframe", "canvas", "head", "link", "meta",
        "object", "embed", "video", "audio", "map", "select", "textarea", "button", "input", "img",
        "picture", "source", "option",
    }
)
_BLOCKS = frozenset(
    {
        "p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "form", "h1", "h2",
        "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "table", "thead", "tbody", "tfoot",
        "tr", "td", "th", "dl", "dt", "dd", "figure", "figcaption", "address", "details", "summary",
        "center", "body", "html", "caption", "fieldset", "dialog",
    }
)
#: Blocks that can hold an article, and blocks a link-dense one of which is boilerplate.
_CANDIDATES = frozenset({"div", "section", "article", "main", "body", "td", "form", "center", "blockquote", "p"})
_LINK_LISTS = frozenset({"ul", "ol", "dl", "table", "div", "section", "nav", "aside", "p", "header", "footer"})
_PROSE = 40
#: The share of a candidate's score that a child must hold to be taken instead of it.
_KEEP = 0.8
#: The share of the JSON-LD `articleBody` that must be found on the page to be trusted.
_VERIFIED = 0.4
_ROLES = ("body", "boilerplate", "wrapper", "comment_area", "comment", "comment_text", "comment_drop",
          "comment_author", "comment_meta", "byline", "date", "credit")
_ROLE_MARKS = {role: f"role:{role}" for role in _ROLES}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


@cache
def class_roles() -> dict[str, tuple[frozenset[str], re.Pattern[str] | None]]:
    """Per role of `html_classes.csv`: its whole class names, and one pattern for its wildcards."""
    names: dict[str, set[str]] = {}
    wild: dict[str, list[str]] = {}
    for row in read_table("html_classes.csv"):
        pattern, role = row["pattern"], row["role"]
        if "*" in pattern:
            wild.setdefault(role, []).append(".+".join(re.escape(part) for part in pattern.split("*")))
        else:
            names.setdefault(role, set()).add(pattern)
    roles = set(names) | set(wild)
    return {
        role: (
            frozenset(names.get(role, ())),
            re.compile("^(?:" + "|".join(wild[role]) + ")$") if role in wild else None,
        )
        for role in roles
    }


def has_role(found: frozenset[str], role: str) -> bool:
    """Whether the marks `found` (from `tokens`) include one with `role` in `html_classes.csv`."""
    return _ROLE_MARKS[role] in found


@lru_cache(maxsize=8192)
def _marks(class_attr: str, ident: str) -> frozenset[str]:
    """The class names and id, and a 'role:NAME' mark for each role they have (cached: pages repeat
    the same class attributes on many elements)."""
    found = set(class_attr.lower().split())
    if ident.strip():
        found.add(ident.lower().strip())
    roles = set()
    for role, (names, pattern) in class_roles().items():
        if found & names or (pattern is not None and any(pattern.match(token) for token in found)):
            roles.add(_ROLE_MARKS[role])
    return frozenset(found | roles)


def tokens(node: LexborNode) -> frozenset[str]:
    """The lower-case class names and id of `node`, with the marks of their roles (`has_role`)."""
    return tokens_of(node.attributes)


def tokens_of(attrs: dict[str, str | None]) -> frozenset[str]:
    """`tokens` from an element's attributes."""
    class_attr, ident = attrs.get("class"), attrs.get("id")
    if not class_attr and not ident:
        return frozenset()
    return _marks(class_attr or "", ident or "")


def hidden(node: LexborNode) -> bool:
    """Whether `node` is hidden by an attribute or an inline style."""
    return hidden_by(node.attributes)


def hidden_by(attrs: dict[str, str | None]) -> bool:
    """`hidden` from an element's attributes."""
    if "hidden" in attrs or (attrs.get("aria-hidden") or "").lower() == "true":
        return True
    style = attrs.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def is_comment(attrs: dict[str, str | None], found: frozenset[str]) -> bool:
    """Whether an element (its attributes and `tokens`) is one reader comment or a comment section."""
    return (
        has_role(found, "comment")
        or has_role(found, "comment_area")
        or has_role(found, "comment_text")
        or "data-comment-id" in attrs
        or "Comment" in (attrs.get("itemtype") or "")
    )


@dataclass(slots=True)
class Choice:
    """What `choose` found in a page.

    Attributes:
        root: the article's container (`mem_id`), or None when no block of the page is prose.
        keep: the container and its ancestors, which the renderer never drops.
        skip: link-dense lists, tables and divs inside the container.
        prose: `paywall` and `widget` elements that hold prose (the renderer drops the others).
        title: the headline, or "".
        title_node: the element that holds the headline, when it is one on the page.
    """

    root: int | None = None
    keep: frozenset[int] = frozenset()
    skip: frozenset[int] = frozenset()
    prose: frozenset[int] = frozenset()
    title: str = ""
    title_node: int | None = None


@dataclass(slots=True)
class _Stat:
    node: LexborNode
    parent: int
    tag: str
    comment: bool
    body: bool
    wrapper: bool
    end: int = 0
    verified: int = 0
    own: int = 0
    own_links: int = 0
    chars: int = 0
    links: int = 0
    score: float = 0.0
    pieces: list[str] = field(default_factory=list)


class _Measure:
    """The one pass over the page: every element's text, link text and score."""

    def __init__(self, body: LexborNode, article_body: str) -> None:
        self.stats: list[_Stat] = []
        self.article_body = fold(article_body) if len(article_body) >= 200 else ""
        self._walk(body)
        self._sum()

    def _walk(self, body: LexborNode) -> None:
        stack: list[tuple[LexborNode, int, int, bool, bool]] = [(body, -1, -1, False, False)]
        stats = self.stats
        keep_text = bool(self.article_body)
        while stack:
            node, parent, block, in_link, in_comment = stack.pop()
            tag = node.tag or ""
            if tag == "-text":
                if block >= 0:
                    text = node.text_content or ""
                    size = len(text.strip())
                    if size:
                        stat = stats[block]
                        stat.own += size + 1
                        if in_link:
                            stat.own_links += size + 1
                        if keep_text:
                            stat.pieces.append(text)
                continue
            if not tag or tag.startswith("-") or tag in SKIP_TAGS:
                continue
            attrs = node.attributes
            if hidden_by(attrs):
                continue
            found = tokens_of(attrs)
            in_comment = in_comment or is_comment(attrs, found)
            body_class = has_role(found, "body") or attrs.get("itemprop") == "articleBody"
            index = len(stats)
            stats.append(_Stat(node, parent, tag, in_comment, body_class, has_role(found, "wrapper")))
            if tag in _BLOCKS or block < 0:
                block = index
            in_link = in_link or tag == "a"
            children = list(node.iter(include_text=True))
            stack.extend((child, index, block, in_link, in_comment) for child in reversed(children))

    def _weight(self, stat: _Stat) -> float:
        if stat.own == 0 or stat.comment:
            return 0.0
        if stat.own_links * 2 >= stat.own:
            return -float(stat.own)
        if stat.own < _PROSE:
            return 0.0
        weight = float(stat.own - 2 * stat.own_links)
        if self.article_body:
            text = fold("".join(stat.pieces))
            middle = text[len(text) // 4 : len(text) // 4 + 60]
            if len(middle) >= 30 and middle in self.article_body:
                stat.verified = stat.own
                weight *= 2
        return weight

    def _sum(self) -> None:
        stats = self.stats
        for index in range(len(stats) - 1, -1, -1):
            stat = stats[index]
            stat.end = max(stat.end, index)
            stat.chars += stat.own
            stat.links += stat.own_links
            stat.score += self._weight(stat)
            if stat.parent >= 0:
                parent = stats[stat.parent]
                parent.end = max(parent.end, stat.end)
                parent.chars += stat.chars
                parent.links += stat.links
                parent.score += stat.score
                parent.verified += stat.verified

    def _candidate(self, stat: _Stat) -> float | None:
        if stat.comment or stat.tag not in _CANDIDATES or stat.score <= 0:
            return None
        return stat.score * 1.25 if stat.body else stat.score

    def best(self) -> int | None:
        """The highest-scoring candidate, narrowed to the smallest one inside it that keeps most of
        its score (a page's wrapper adds teasers and captions, little else, to the article); when
        the page's JSON-LD `articleBody` is found on it, the smallest candidate that holds nearly
        all of that text."""
        best, best_score = None, 0.0
        children: dict[int, list[int]] = {}
        for index, stat in enumerate(self.stats):
            if stat.parent >= 0:
                children.setdefault(stat.parent, []).append(index)
            score = self._candidate(stat)
            if score is not None and score >= best_score:
                best, best_score = index, score
        if best is None:
            return None
        stats = self.stats
        if self.article_body and stats[0].verified >= _VERIFIED * len(self.article_body):
            best = 0
            narrowed = True
            while narrowed:
                narrowed = False
                for child in children.get(best, ()):
                    stat = stats[child]
                    if not stat.comment and stat.tag in _CANDIDATES and stat.verified >= 0.9 * stats[0].verified:
                        best, narrowed = child, True
                        break
            return best
        narrowed = True
        while narrowed:
            narrowed = False
            for child in children.get(best, ()):
                score = self._candidate(self.stats[child])
                if score is not None and score >= _KEEP * self.stats[best].score:
                    best, narrowed = child, True
                    break
        return best

    def prose_wrappers(self) -> frozenset[int]:
        """`paywall` and `widget` elements that hold prose, which the renderer keeps."""
        return frozenset(stat.node.mem_id for stat in self.stats if stat.wrapper and stat.score > 0)

    def boilerplate(self, root: int) -> frozenset[int]:
        stats = self.stats
        skip: set[int] = set()
        index = root + 1
        end = stats[root].end
        while index <= end:
            stat = stats[index]
            if (
                stat.tag in _LINK_LISTS
                and not stat.comment
                and stat.chars
                and stat.links * 2 >= stat.chars
                and stat.score <= 0
                and not _metadata(stat.node)
            ):
                skip.add(stat.node.mem_id)
                index = stat.end + 1
                continue
            index += 1
        return frozenset(skip)

    def ancestors(self, root: int) -> frozenset[int]:
        found: set[int] = set()
        index = root
        while index >= 0:
            stat = self.stats[index]
            found.add(stat.node.mem_id)
            index = stat.parent
        return frozenset(found)

    def contains(self, root: int, mem_id: int) -> bool:
        stats = self.stats
        return any(stats[i].node.mem_id == mem_id for i in range(root, stats[root].end + 1))


def _metadata(node: LexborNode) -> bool:
    """Whether `node` is a byline, date or credit, which links as they may are never boilerplate."""
    found = tokens(node)
    attrs = node.attributes
    return (
        any(has_role(found, role) for role in ("byline", "date", "credit"))
        or attrs.get("rel") == "author"
        or attrs.get("itemprop") == "author"
    )


def _json_ld(tree: LexborHTMLParser) -> Iterator[dict[str, Any]]:
    """The objects of the page's JSON-LD blocks, `@graph` members included."""
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text(deep=True) or "null")
        except ValueError:
            continue
        todo: list[Any] = [data]
        seen = 0
        while todo and seen < 200:
            item = todo.pop()
            seen += 1
            if isinstance(item, list):
                todo.extend(item)
            elif isinstance(item, dict):
                yield item
                graph = item.get("@graph")
                if isinstance(graph, list):
                    todo.extend(graph)


def _meta(tree: LexborHTMLParser, selector: str) -> str:
    node = tree.css_first(selector)
    return " ".join((node.attributes.get("content") or "").split()) if node is not None else ""


def _text(node: LexborNode) -> str:
    return " ".join(node.text(deep=True, separator=" ").split())


def _agrees(heading: str, reference: str) -> bool:
    """Whether a heading and a page's declared title name the same story."""
    a, b = fold(heading), fold(reference)
    if not a or not b:
        return False
    if a == b or (len(a) >= 15 and a in b) or (len(b) >= 15 and b in a):
        return True
    words_a, words_b = set(re.findall(r"\w+", a)), set(re.findall(r"\w+", b))
    return len(words_a) >= 3 and len(words_a & words_b) >= 0.6 * max(len(words_a), len(words_b))


def _title(tree: LexborHTMLParser, measure: _Measure | None, root: int | None, headline: str) -> tuple[str, int | None]:
    """The headline and its element: the `<h1>` that agrees with the declared titles, else the
    first `<h1>` of the article's container, else the declared title itself."""
    page_title = tree.css_first("title")
    declared = [
        t
        for t in (
            headline,
            _meta(tree, 'meta[property="og:title"]'),
            _meta(tree, 'meta[name="twitter:title"]'),
            _text(page_title) if page_title is not None else "",
        )
        if t
    ]
    headings = [(node, _text(node)) for node in tree.css("h1")[:20]]
    headings = [(node, text) for node, text in headings if text and not looks_like_date(text)]
    for node, text in headings:
        if any(_agrees(text, reference) for reference in declared):
            return text, node.mem_id
    if measure is not None and root is not None:
        for node, text in headings:
            if measure.contains(root, node.mem_id):
                return text, node.mem_id
    if declared:
        return declared[0].split(" | ")[0].strip(), None
    if headings:
        return headings[0][1], headings[0][0].mem_id
    return "", None


def choose(tree: LexborHTMLParser) -> Choice:
    """The article's container, the boilerplate inside it and the headline of a parsed page."""
    headline, article_body = "", ""
    for item in _json_ld(tree):
        if not headline and isinstance(item.get("headline"), str):
            headline = " ".join(item["headline"].split())
        if not article_body and isinstance(item.get("articleBody"), str):
            article_body = item["articleBody"]
    body = tree.body
    if body is None:
        return Choice(title=_title(tree, None, None, headline)[0])
    measure = _Measure(body, article_body)
    root = measure.best()
    title, title_node = _title(tree, measure, root, headline)
    if root is None:
        return Choice(prose=measure.prose_wrappers(), title=title, title_node=title_node)
    return Choice(
        root=measure.stats[root].node.mem_id,
        keep=measure.ancestors(root),
        skip=measure.boilerplate(root),
        prose=measure.prose_wrappers(),
        title=title,
        title_node=title_node,
    )
