"""The `rss` ingestor: RSS and Atom feeds find article URLs, which are fetched like `http` pages.

Each feed is fetched with a conditional GET and parsed with feedparser (RSS 0.9x,
1.0 and 2.0, Atom 0.3 and 1.0). The source remembers every article a feed has
listed (up to `max_items`, newest first), so an article that drops off the feed
stays in the data; each run revalidates the remembered articles with conditional
requests, so an unchanged article costs a 304 and yields its kept copy. An entry's
title and date are passed on as hints: they override what the page's layout says.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import feedparser
from pydantic import BaseModel, Field, field_validator

from flows.errors import IngestError
from flows.ingest.base import IngestContext, RawDocument
from flows.ingest.fetch import Fetcher, FetchSettings, check_http_url
from flows.ingest.http import fetch_page
from flows.ingest.state import CachedDocument, DocumentCache, read_json, write_json

__all__ = ["FeedEntry", "RssConfig", "RssIngestor", "parse_feed"]

_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"


class RssConfig(FetchSettings):
    """Settings of an `rss` source."""

    feeds: list[str] = Field(min_length=1, description="RSS or Atom feed URLs (http:// or https://).")
    max_items: int = Field(
        default=200,
        ge=1,
        description="Most articles kept for the source, newest first; older ones leave the data.",
    )

    @field_validator("feeds")
    @classmethod
    def _http_only(cls, feeds: list[str]) -> list[str]:
        return [check_http_url(url) for url in feeds]


FeedEntry = dict[str, Any]


def _when(parsed: Any) -> str | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC).isoformat()
    except (TypeError, ValueError, OverflowError):
        return None


def parse_feed(data: bytes, url: str, content_type: str | None = None) -> list[FeedEntry]:
    """The entries of an RSS or Atom feed: `link`, `title`, `published` (ISO 8601 in UTC or None).

    Raises:
        IngestError: the bytes are not a feed.
    """
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(data, response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise IngestError(
            f"is not an RSS or Atom feed{f' ({reason})' if reason else ''}: check the feed URL "
            "(a site's feed is "
            "often at /feed or /rss.xml)",
            uri=url,
        )
    entries = []
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            continue
        link = urljoin(url, str(link).strip())
        if urlsplit(link).scheme not in ("http", "https"):
            continue
        entries.append(
            {
                "link": link,
                "title": " ".join(str(entry.get("title") or "").split()) or None,
                "published": _when(entry.get("published_parsed") or entry.get("updated_parsed")),
            }
        )
    return entries


class RssIngestor:
    """Articles listed by RSS or Atom feeds, fetched like web pages."""

    name: ClassVar[str] = "rss"
    Config: ClassVar[type[BaseModel]] = RssConfig

    def __init__(self, source: str, config: RssConfig) -> None:
        self.source = source
        self.config = config

    def _feed(self, fetcher: Fetcher, cache: DocumentCache, url: str) -> list[FeedEntry]:
        cached = cache.get(url)
        got = fetcher.get(
            url,
            etag=cached.etag if cached else None,
            last_modified=cached.last_modified if cached else None,
            accept=_ACCEPT,
        )
        if got.status == 304 and cached is not None:
            return parse_feed(cached.raw.data, url, cached.raw.media_type)
        entries = parse_feed(got.body, url, got.media_type)
        raw = RawDocument(
            self.source, url, got.body, got.media_type or "application/xml", datetime.now(UTC), got.charset
        )
        cache.put(url, CachedDocument(raw, got.etag, got.last_modified))
        return entries

    def fetch(self, context: IngestContext) -> Iterator[RawDocument | IngestError]:
        """The articles of every feed (each once), newest first, up to `max_items`."""
        state_path = context.state / "rss.json"
        state = read_json(state_path) or {}
        items: dict[str, dict[str, Any]] = dict(state.get("items") or {})
        feeds = DocumentCache(context.state / "feeds")
        pages = DocumentCache(context.state / "pages")
        now = datetime.now(UTC).isoformat()
        with Fetcher(self.config) as fetcher:
            for url in dict.fromkeys(self.config.feeds):
                try:
                    entries = self._feed(fetcher, feeds, url)
                except IngestError as error:
                    yield error
                    continue
                for entry in entries:
                    item = items.setdefault(entry["link"], {"first_seen": now, "feed": url})
                    item["title"] = entry["title"] or item.get("title")
                    item["published"] = entry["published"] or item.get("published")
            newest = sorted(
                items,
                key=lambda link: (items[link].get("published") or items[link]["first_seen"], link),
                reverse=True,
            )[: self.config.max_items]
            for link in newest:
                item = items[link]
                hints: dict[str, Any] = {}
                if item.get("title"):
                    hints["title"] = item["title"]
                if item.get("published"):
                    hints["published_at"] = datetime.fromisoformat(item["published"])
                yield from fetch_page(fetcher, pages, source=self.source, url=link, hints=hints)
        write_json(state_path, {"items": {link: items[link] for link in newest}})
        pages.prune(newest)
        feeds.prune(self.config.feeds)
