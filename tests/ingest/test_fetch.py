"""The shared HTTP client: retries and backoff (unit tests on httpx.MockTransport), and the guards
against what real servers do (on the real test server)."""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from flows.clock import Clock, ManualClock, TickingClock
from flows.errors import IngestError, TransientIngestError
from flows.ingest.fetch import Fetcher, FetchSettings, user_agent
from flows.version import package_version

from ..ingest_server import IngestServer

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PUBLIC = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80))]


def _fetcher(
    handler: Callable[[httpx.Request], httpx.Response], sleeps: list[float] | None = None, **settings: Any
) -> Fetcher:
    """A fetcher on a mock transport and a `ManualClock` (retries wait on it: instantly), which
    records the waits asked for in `sleeps`."""
    options: dict[str, Any] = {"respect_robots": False, "backoff": 1.0, "retries": 3} | settings
    clock = ManualClock(START)
    if sleeps is not None:
        clock.sleeps = sleeps
    return Fetcher(
        FetchSettings(**options),
        transport=httpx.MockTransport(handler),
        clock=clock,
        resolve=lambda *args, **kwargs: PUBLIC,
    )


def _streamed(model: httpx.Response) -> httpx.Response:
    """A fresh copy of `model` whose body is streamed, as a real transport's is."""
    return httpx.Response(model.status_code, headers=model.headers, stream=httpx.ByteStream(model.content))


def _sequence(
    *responses: httpx.Response,
) -> tuple[Callable[[httpx.Request], httpx.Response], list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        model = responses[min(len(seen), len(responses)) - 1]
        return _streamed(model)

    return handler, seen


def test_5xx_is_retried_with_exponential_backoff_and_jitter() -> None:
    handler, seen = _sequence(httpx.Response(503), httpx.Response(502), httpx.Response(200, text="ok"))
    sleeps: list[float] = []
    got = _fetcher(handler, sleeps).get("https://news.test/a")
    assert got.status == 200 and got.body == b"ok" and len(seen) == 3
    assert 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0


def test_retry_after_seconds_and_http_dates_are_honoured() -> None:
    handler, _ = _sequence(httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, text="ok"))
    sleeps: list[float] = []
    _fetcher(handler, sleeps).get("https://news.test/a")
    assert sleeps == [7.0]
    when = format_datetime(START + timedelta(seconds=30), usegmt=True)
    handler, _ = _sequence(httpx.Response(503, headers={"Retry-After": when}), httpx.Response(200, text="ok"))
    sleeps = []
    _fetcher(handler, sleeps).get("https://news.test/a")
    assert sleeps == [30.0]


def test_a_retry_after_beyond_the_cap_ends_the_retries() -> None:
    handler, seen = _sequence(httpx.Response(429, headers={"Retry-After": "7200"}))
    sleeps: list[float] = []
    with pytest.raises(TransientIngestError, match="asked to wait 7200 s, longer than max_backoff"):
        _fetcher(handler, sleeps, max_backoff=60).get("https://news.test/a")
    assert sleeps == [] and len(seen) == 1


def test_backoff_is_capped() -> None:
    handler, seen = _sequence(httpx.Response(500))
    sleeps: list[float] = []
    with pytest.raises(TransientIngestError, match=r"500 Internal Server Error \(6 attempts\)"):
        _fetcher(handler, sleeps, retries=5, backoff=10, max_backoff=15).get("https://news.test/a")
    assert len(seen) == 6 and all(s <= 15 for s in sleeps) and sleeps[-1] >= 7.5


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_other_4xx_are_permanent_and_not_retried(status: int) -> None:
    handler, seen = _sequence(httpx.Response(status))
    with pytest.raises(IngestError) as info:
        _fetcher(handler).get("https://news.test/a")
    assert not isinstance(info.value, TransientIngestError) and len(seen) == 1
    assert str(status) in info.value.message and info.value.uri == "https://news.test/a"


def test_timeouts_and_broken_connections_are_transient() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(TransientIngestError, match="timed out"):
        _fetcher(handler, retries=2).get("https://news.test/a")
    assert len(calls) == 3


def test_user_agent_names_broadsheet_its_version_and_the_contact() -> None:
    handler, seen = _sequence(httpx.Response(200, text="ok"))
    _fetcher(handler, contact="mailto:data@example.org").get("https://news.test/a")
    assert seen[0].headers["User-Agent"] == f"broadsheet/{package_version()} (+mailto:data@example.org)"
    assert user_agent() == f"broadsheet/{package_version()}"


def test_conditional_headers_are_sent() -> None:
    handler, seen = _sequence(httpx.Response(304))
    got = _fetcher(handler).get(
        "https://news.test/a", etag='"v1"', last_modified="Wed, 01 May 2024 12:00:00 GMT"
    )
    assert got.status == 304
    assert seen[0].headers["If-None-Match"] == '"v1"'
    assert seen[0].headers["If-Modified-Since"] == "Wed, 01 May 2024 12:00:00 GMT"


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "192.168.0.7",
        "127.0.0.1",
        "169.254.169.254",
        "::1",
        "::ffff:127.0.0.1",
        "fe80::1",
        "0.0.0.0",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(address: str) -> None:
    handler, seen = _sequence(httpx.Response(200, text="ok"))
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    fetcher = Fetcher(
        FetchSettings(respect_robots=False),
        transport=httpx.MockTransport(handler),
        resolve=lambda *a, **k: [(family, socket.SOCK_STREAM, 6, "", (address, 80))],
    )
    with pytest.raises(IngestError, match="allow_private_addresses = true"):
        fetcher.get("https://intranet.test/a")
    assert not seen
    with pytest.raises(IngestError, match="private"):
        fetcher.get(f"http://[{address}]/" if ":" in address else f"http://{address}/")


def test_a_host_that_does_not_resolve_says_so() -> None:
    def fail(*args: Any, **kwargs: Any) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    fetcher = Fetcher(
        FetchSettings(respect_robots=False),
        transport=httpx.MockTransport(lambda r: httpx.Response(200)),
        resolve=fail,
    )
    with pytest.raises(IngestError, match="does not resolve"):
        fetcher.get("https://no-such-host.test/a")


def test_robots_txt_rules_missing_and_unreachable() -> None:
    def site(robots: httpx.Response) -> Callable[[httpx.Request], httpx.Response]:
        def handler(request: httpx.Request) -> httpx.Response:
            if request.url.path == "/robots.txt":
                return _streamed(robots)
            return _streamed(httpx.Response(200, text="page"))

        return handler

    rules = httpx.Response(200, text="User-agent: broadsheet\nDisallow: /drafts/\n")
    fetcher = _fetcher(site(rules), respect_robots=True)
    assert fetcher.get("https://news.test/ok").status == 200
    with pytest.raises(IngestError, match="robots.txt .* does not allow"):
        fetcher.get("https://news.test/drafts/x")
    assert _fetcher(site(httpx.Response(404)), respect_robots=True).get("https://news.test/a").status == 200
    with pytest.raises(TransientIngestError, match="robots.txt .* could not be read"):
        _fetcher(site(httpx.Response(503)), respect_robots=True, retries=1).get("https://news.test/a")


def test_robots_txt_is_fetched_once_per_host() -> None:
    handler, seen = _sequence(httpx.Response(200, text="User-agent: *\nAllow: /\n"))
    fetcher = _fetcher(handler, respect_robots=True)
    for path in ("/a", "/b", "/c"):
        fetcher.get(f"https://news.test{path}")
    assert [r.url.path for r in seen] == ["/robots.txt", "/a", "/b", "/c"]


# The real server ----------------------------------------------------------------------------------


def _real(clock: Clock | None = None, **settings: Any) -> Fetcher:
    """A fetcher for the real test server, on a `ManualClock` unless told otherwise: retries wait on
    it (instantly) and its deadline never passes by itself."""
    options: dict[str, Any] = {
        "allow_private_addresses": True,
        "retries": 2,
        "backoff": 0.01,
        "read_timeout": 1.0,
        "deadline": 1.5,
        "max_bytes": 200_000,
    } | settings
    return Fetcher(FetchSettings(**options), clock=clock or ManualClock(START))


@pytest.mark.parametrize(
    ("path", "transient", "words"),
    [
        ("/fault/500", True, "500 Internal Server Error (3 attempts)"),
        ("/fault/404", False, "404 Not Found: the page does not exist"),
        ("/fault/429-long", True, "longer than max_backoff"),
        ("/fault/slow", True, "took longer than deadline = 1.5 s"),
        ("/fault/stall", True, "timed out"),
        ("/fault/truncated", True, "truncated"),
        ("/fault/loop-a", False, "redirects in a loop"),
        ("/fault/to-ftp", False, "not http or https"),
        ("/fault/large", False, "over max_bytes = 200,000"),
        ("/fault/large-chunked", False, "over max_bytes = 200,000"),
        ("/fault/gzip-bomb", False, "once decompressed"),
        ("/fault/huge-headers", False, "headers are malformed or too large"),
        ("/private/notes.html", False, "robots.txt"),
    ],
)
def test_faults_of_real_servers(ingest_server: IngestServer, path: str, transient: bool, words: str) -> None:
    # The slow server sends a byte per read: on a clock that moves 0.25 s per reading, the 1.5 s
    # deadline passes after a handful of reads, whatever the real speed of server and machine.
    clock = TickingClock(0.25, START) if path == "/fault/slow" else None
    with _real(clock) as fetcher, pytest.raises(IngestError) as info:
        fetcher.get(ingest_server.url(path))
    assert isinstance(info.value, TransientIngestError) is transient
    assert words in info.value.message
    assert info.value.uri and info.value.uri.startswith(("http://127.0.0.1", "ftp://"))


def test_transient_faults_that_pass_are_retried_to_success(ingest_server: IngestServer) -> None:
    with _real(retries=3) as fetcher:
        assert fetcher.get(ingest_server.url("/fault/flaky")).status == 200
        got = fetcher.get(ingest_server.url("/fault/429"))  # Retry-After: 1
        assert got.status == 200
    assert [h.status for h in ingest_server.hits("/fault/flaky")] == [503, 503, 200]
    assert [h.status for h in ingest_server.hits("/fault/429")] == [429, 200]


def test_redirects_gzip_and_content_types(ingest_server: IngestServer) -> None:
    with _real() as fetcher:
        moved = fetcher.get(ingest_server.url("/fault/redirect"))
        assert moved.url.endswith("/pages/feed_item_2.html") and b"Water Sharing" in moved.body
        zipped = fetcher.get(ingest_server.url("/fault/gzip-ok"))
        assert zipped.body.startswith(b"<!DOCTYPE html>")
        latin = fetcher.get(ingest_server.url("/fault/charset-latin1"))
        assert (latin.media_type, latin.charset) == ("text/html", "iso-8859-1")
