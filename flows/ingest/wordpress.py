"""The `wordpress` ingestor: posts and their comments through the WordPress REST API.

    GET <site>/wp-json/wp/v2/posts?modified_after=<cursor>&orderby=modified&order=asc&_embed=author
    GET <site>/wp-json/wp/v2/comments?after=<cursor>            (which posts have new comments)
    GET <site>/wp-json/wp/v2/comments?post=<id>                 (all comments of a post to rebuild)
    GET <site>/wp-json/wp/v2/posts/<id>                         (a post with new comments only)

Lists are paged by `X-WP-TotalPages`. Each post becomes one HTML document: the post
(title, author, date, content) and its comments threaded from their `parent` ids
(`thread_order`: parents before children, depth from the chain, no recursion) in
WordPress's own comment markup, so that it goes through the same HTML path as any
page and the layout parser recovers the threads.

Runs are incremental. The source keeps the latest `modified` date it has seen (a
cursor, passed as `modified_after`), the latest comment date, and the last document
of every post; a run asks only for posts changed since and for comments posted
since, rebuilds those posts, and yields the kept documents of all the others, so an
unchanged site fetches nothing new and publishes no new release.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, Field, field_validator

from flows.dates import format_when
from flows.errors import IngestError
from flows.ingest.base import IngestContext, RawDocument
from flows.ingest.fetch import Fetcher, FetchSettings, check_http_url
from flows.ingest.state import CachedDocument, DocumentCache, read_json, write_json
from flows.settings import Limits

__all__ = ["WordPressConfig", "WordPressIngestor", "build_post_html", "thread_order"]

_TAGS = re.compile(r"<[^>]+>")


class WordPressConfig(FetchSettings):
    """Settings of a `wordpress` source."""

    site: str = Field(
        description="Address of the WordPress site; the API is read at `<site>/wp-json/wp/v2/`."
    )
    per_page: int = Field(
        default=100, ge=1, le=100, description="Posts or comments asked for per API request."
    )
    max_pages: int = Field(
        default=20,
        ge=1,
        description="Most pages of a list read in one run; a larger backlog continues on the next run.",
    )
    comments: bool = Field(default=True, description="Fetch the comments of each post.")

    @field_validator("site")
    @classmethod
    def _http_only(cls, site: str) -> str:
        return check_http_url(site).rstrip("/")


def _utc(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _plain(rendered: str) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", rendered)).split())


def _rendered(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    if isinstance(value, dict):
        return str(value.get("rendered") or "")
    return str(value or "")


def thread_order(comments: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int]]:
    """Comments in thread order with their depth: each parent before its replies, replies oldest
    first; depth follows the chain of `parent` ids.

    Iterative (an explicit stack), so a thread of any depth is fine. A comment whose parent is
    missing (deleted, unapproved) or that sits in a cycle of parents becomes a top-level comment.
    """
    by_id = {c["id"]: c for c in comments}
    children: dict[Any, list[dict[str, Any]]] = {}
    roots: list[dict[str, Any]] = []
    for comment in sorted(comments, key=lambda c: (str(c.get("date_gmt") or ""), c["id"])):
        parent = comment.get("parent") or 0
        if parent and parent in by_id and parent != comment["id"]:
            children.setdefault(parent, []).append(comment)
        else:
            roots.append(comment)
    ordered: list[tuple[dict[str, Any], int]] = []
    seen: set[Any] = set()
    pending = list(roots)
    while True:
        stack = [(c, 0) for c in reversed(pending)]
        while stack:
            comment, depth = stack.pop()
            if comment["id"] in seen:
                continue
            seen.add(comment["id"])
            ordered.append((comment, depth))
            stack.extend((child, depth + 1) for child in reversed(children.get(comment["id"], [])))
        # Comments never reached sit in a cycle of parents: start again from the oldest of them.
        left = [c for c in comments if c["id"] not in seen]
        if not left:
            return ordered
        pending = [min(left, key=lambda c: (str(c.get("date_gmt") or ""), c["id"]))]


def _time(value: str | None) -> str:
    when = _utc(value)
    if when is None:
        return ""
    return f'<time datetime="{when.isoformat()}">{format_when(when)}</time>'


def _comments_html(comments: list[dict[str, Any]]) -> str:
    if not comments:
        return ""
    out = ['<div id="comments" class="comments-area"><ol class="comment-list">']
    previous = -1
    for comment, depth in thread_order(comments):
        if previous >= 0:
            if depth > previous:
                out.append('<ol class="children">')
            else:
                out.append("</li>" + "</ol></li>" * (previous - depth))
        author = html.escape(str(comment.get("author_name") or "Anonymous"))
        out.append(
            f'<li class="comment" id="comment-{int(comment["id"])}"><article class="comment-body">'
            f'<footer class="comment-meta"><div class="comment-author"><b class="fn">{author}</b></div>'
            f'<div class="comment-metadata">{_time(comment.get("date_gmt"))}</div></footer>'
            f'<div class="comment-content">{_rendered(comment, "content")}</div></article>'
        )
        previous = depth
    out.append("</li>" + "</ol></li>" * previous + "</ol></div>")
    return "\n".join(out)


def build_post_html(post: dict[str, Any], comments: list[dict[str, Any]]) -> str:
    """One post and its comments as an HTML page in WordPress's markup."""
    title = _rendered(post, "title")
    embedded = post.get("_embedded") or {}
    authors = embedded.get("author") if isinstance(embedded, dict) else None
    author = (
        authors[0].get("name")
        if isinstance(authors, list) and authors and isinstance(authors[0], dict)
        else None
    )
    byline = f'<p class="byline">By {html.escape(str(author))}</p>' if author else ""
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{html.escape(_plain(title))}</title></head><body>\n"
        f'<article class="post"><h1 class="entry-title">{title}</h1>\n{byline}\n'
        f"<p>{_time(post.get('date_gmt'))}</p>\n"
        f'<div class="entry-content">{_rendered(post, "content")}</div></article>\n'
        f"{_comments_html(comments)}\n</body></html>\n"
    )


class WordPressIngestor:
    """Posts and comments of a WordPress site, incrementally."""

    name: ClassVar[str] = "wordpress"
    Config: ClassVar[type[BaseModel]] = WordPressConfig

    def __init__(self, source: str, config: WordPressConfig) -> None:
        self.source = source
        self.config = config
        self.api = f"{config.site}/wp-json/wp/v2"

    # API ----------------------------------------------------------------------------------------
    def _json(self, fetcher: Fetcher, url: str, params: dict[str, str]) -> tuple[Any, int | None]:
        got = fetcher.get(url, params=params, accept="application/json")
        try:
            return json.loads(got.body), got.total_pages
        except ValueError:
            raise IngestError(
                f"did not answer with JSON (got {got.media_type or 'no media type'}): check that `site` is a "
                "WordPress site with its REST API enabled",
                uri=got.url,
            ) from None

    def _list(
        self,
        fetcher: Fetcher,
        route: str,
        params: dict[str, str],
        max_pages: int | None = None,
    ) -> tuple[list[dict[str, Any]], bool]:
        """Every item of a paged list (up to `max_pages` pages) and whether the list is complete."""
        items: list[dict[str, Any]] = []
        url = f"{self.api}/{route}"
        for page in range(1, (max_pages or self.config.max_pages) + 1):
            value, total = self._json(
                fetcher, url, params | {"per_page": str(self.config.per_page), "page": str(page)}
            )
            if not isinstance(value, list) or not all(isinstance(v, dict) and "id" in v for v in value):
                raise IngestError(
                    "is not a WordPress REST API list: check that `site` is the address of a WordPress site",
                    uri=url,
                )
            items += value
            last = page >= total if total is not None else len(value) < self.config.per_page
            if last:
                return items, True
        return items, False

    def _document(
        self,
        fetcher: Fetcher,
        post: dict[str, Any],
        cache: DocumentCache,
        limits: Limits,
    ) -> tuple[RawDocument, str]:
        """The document of `post` (all its comments fetched) and the latest comment date seen."""
        comments: list[dict[str, Any]] = []
        if self.config.comments:
            pages = limits.max_comments // self.config.per_page + 1
            comments, complete = self._list(
                fetcher,
                "comments",
                {"post": str(post["id"]), "orderby": "date_gmt", "order": "asc"},
                max_pages=pages,
            )
            if not complete:
                raise IngestError(
                    f"post {post['id']} has more than {limits.max_comments:,} comments, "
                    "the max_comments limit: "
                    "raise it with --max-comments",
                    uri=str(post.get("link") or self.api),
                )
        data = build_post_html(post, comments).encode("utf-8")
        link = str(post.get("link") or f"{self.config.site}/?p={post['id']}")
        hints: dict[str, Any] = {"title": _plain(_rendered(post, "title"))}
        published = _utc(post.get("date_gmt"))
        if published is not None:
            hints["published_at"] = published
        previous = cache.get(str(post["id"]))
        fetched_at = datetime.now(UTC)
        if previous is not None and previous.raw.data == data:
            fetched_at = previous.raw.fetched_at
        raw = RawDocument(self.source, link, data, "text/html", fetched_at, "utf-8", hints)
        latest = max((str(c.get("date") or "") for c in comments), default="")
        return raw, latest

    # The run ------------------------------------------------------------------------------------
    def fetch(self, context: IngestContext) -> Iterator[RawDocument | IngestError]:  # noqa: C901
        """Posts changed since the last run and posts with new comments are fetched again; every
        other post is yielded from the kept documents."""
        state_path = context.state / "wordpress.json"
        state = read_json(state_path) or {}
        if state.get("site") != self.config.site:
            state = {"site": self.config.site, "posts": {}}
        known: dict[str, dict[str, Any]] = dict(state.get("posts") or {})
        cursor: str | None = state.get("modified_after")
        comments_cursor: str | None = state.get("comments_after")
        cache = DocumentCache(context.state / "posts")
        with Fetcher(self.config) as fetcher:
            # Which posts changed, and which have new comments.
            changed: list[dict[str, Any]] = []
            listed = True
            try:
                params = {"orderby": "modified", "order": "asc", "_embed": "author"}
                if cursor:
                    params["modified_after"] = cursor
                changed, listed = self._list(fetcher, "posts", params)
            except IngestError as error:
                yield error
                listed = False
            commented: list[str] = []
            new_comments_cursor = comments_cursor
            if self.config.comments and comments_cursor and listed:
                try:
                    fresh, complete = self._list(
                        fetcher, "comments", {"after": comments_cursor, "orderby": "date_gmt", "order": "asc"}
                    )
                    commented = list(dict.fromkeys(str(c.get("post")) for c in fresh if c.get("post")))
                    if complete and fresh:
                        new_comments_cursor = max(str(c.get("date") or "") for c in fresh)
                except IngestError as error:
                    yield error
            # Rebuild them (and any post whose kept document was lost).
            todo: dict[str, dict[str, Any] | None] = {str(p["id"]): p for p in changed}
            for post_id in [*commented, *(k for k in known if cache.get(k) is None)]:
                todo.setdefault(post_id, None)
            failed = False
            latest_modified = cursor or ""
            for post_id, post in todo.items():
                try:
                    if post is None:
                        value, _ = self._json(fetcher, f"{self.api}/posts/{post_id}", {"_embed": "author"})
                        if not isinstance(value, dict) or "id" not in value:
                            raise IngestError(
                                "is not a WordPress post: check `site`", uri=f"{self.api}/posts/{post_id}"
                            )
                        post = value
                    raw, latest_comment = self._document(fetcher, post, cache, context.limits)
                except IngestError as error:
                    yield error
                    failed = True
                    continue
                cache.put(post_id, CachedDocument(raw, extra={"modified": post.get("modified")}))
                known[post_id] = {"modified": post.get("modified"), "link": raw.uri}
                latest_modified = max(latest_modified, str(post.get("modified") or ""))
                if latest_comment and (new_comments_cursor is None or latest_comment > new_comments_cursor):
                    new_comments_cursor = latest_comment
        # Every post, from the kept documents.
        for post_id in sorted(known, key=lambda k: (len(k), k)):
            cached = cache.get(post_id)
            if cached is not None:
                yield cached.raw
        if not failed:
            state["modified_after"] = latest_modified or None
            state["comments_after"] = new_comments_cursor
        state["posts"] = known
        write_json(state_path, state)
