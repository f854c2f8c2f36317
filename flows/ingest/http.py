"""The `http` ingestor: a list of web pages.

Each page is fetched with the guards of `flows.ingest.fetch`. The last copy of
every page is kept in the source's state with its `ETag` and `Last-Modified`; the
next run asks the server whether the page changed (a conditional GET) and, when it
did not (304 Not Modified), yields the kept copy: same bytes, same fetch time, so
the run's input is unchanged and no new release is published.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, Field, field_validator

from flows.errors import IngestError, TransientIngestError
from flows.ingest.base import IngestContext, RawDocument
from flows.ingest.fetch import Fetched, Fetcher, FetchSettings, check_http_url
from flows.ingest.state import CachedDocument, DocumentCache

__all__ = ["HttpConfig", "HttpIngestor", "PAGE_MEDIA_TYPES", "fetch_page"]

#: Media types a page may have; others are refused at ingest.
PAGE_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain", "text/markdown"})
_ACCEPT = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8"


class HttpConfig(FetchSettings):
    """Settings of an `http` source."""

    urls: list[str] = Field(min_length=1, description="The pages to fetch: http:// or https:// URLs.")

    @field_validator("urls")
    @classmethod
    def _http_only(cls, urls: list[str]) -> list[str]:
        return [check_http_url(url) for url in urls]


def fetch_page(
    fetcher: Fetcher, cache: DocumentCache, *, source: str, url: str, hints: dict[str, Any] | None = None
) -> Iterator[RawDocument | IngestError]:
    """One page as a raw document: fetched, or the kept copy when the server says it is unchanged.

    Never raises: a failure is yielded as an `IngestError` naming the URL. When the
    failure may pass (a 5xx, a timeout) and a copy from an earlier run is kept, that
    copy is yielded too, so that an outage does not take the page out of the data.
    """
    cached = cache.get(url)
    try:
        got = fetcher.get(
            url,
            etag=cached.etag if cached else None,
            last_modified=cached.last_modified if cached else None,
            accept=_ACCEPT,
        )
    except TransientIngestError as error:
        if cached is not None:
            yield cached.raw
            yield TransientIngestError(
                f"{error.message}; the copy fetched on {cached.raw.fetched_at:%Y-%m-%d %H:%M} UTC is "
                "published instead",
                uri=error.uri,
            )
        else:
            yield error
        return
    except IngestError as error:
        yield error
        return
    yield _page(got, cached, cache, source=source, url=url, hints=hints)


def _page(
    got: Fetched,
    cached: CachedDocument | None,
    cache: DocumentCache,
    *,
    source: str,
    url: str,
    hints: dict[str, Any] | None,
) -> RawDocument | IngestError:
    if got.status == 304:
        if cached is None:
            return IngestError(
                "the server answered 304 Not Modified to a request that was not conditional: "
                "report this site",
                uri=url,
            )
        raw = cached.raw
        if hints and hints != raw.hints:
            raw = RawDocument(
                raw.source, raw.uri, raw.data, raw.media_type, raw.fetched_at, raw.charset, dict(hints)
            )
            raw = cache.put(url, CachedDocument(raw, cached.etag, cached.last_modified))
        return raw
    if got.media_type and got.media_type not in PAGE_MEDIA_TYPES:
        return IngestError(
            f"is {got.media_type}, not a web page: broadsheet reads HTML and plain-text pages; "
            "remove it from "
            "the source",
            uri=url,
        )
    fetched_at = datetime.now(UTC)
    if cached is not None and cached.raw.data == got.body and cached.raw.uri == got.url:
        fetched_at = cached.raw.fetched_at  # same bytes: keep the time they were first fetched
    raw = RawDocument(
        source, got.url, got.body, got.media_type or "text/html", fetched_at, got.charset, dict(hints or {})
    )
    return cache.put(url, CachedDocument(raw, got.etag, got.last_modified))


class HttpIngestor:
    """A list of web pages, fetched with conditional requests."""

    name: ClassVar[str] = "http"
    Config: ClassVar[type[BaseModel]] = HttpConfig

    def __init__(self, source: str, config: HttpConfig) -> None:
        self.source = source
        self.config = config

    def fetch(self, context: IngestContext) -> Iterator[RawDocument | IngestError]:
        """Every page of `urls`, in order (each URL once)."""
        cache = DocumentCache(context.state / "pages")
        urls = list(dict.fromkeys(self.config.urls))
        with Fetcher(self.config) as fetcher:
            for url in urls:
                yield from fetch_page(fetcher, cache, source=self.source, url=url)
        cache.prune(urls)
