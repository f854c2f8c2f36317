"""The HTTP client that the web ingestors share (`http`, `wordpress`, `rss`).

One `Fetcher` per source and run, over one `httpx.Client`:

- timeouts to connect and between bytes, and a total deadline per request, so a
  server that drips bytes slowly cannot hang the run;
- retries with exponential backoff and jitter on 5xx, 408, 429, timeouts and broken
  connections, honouring `Retry-After` (seconds or an HTTP date) up to a cap; no
  retry on other 4xx;
- a cap on the body, enforced while streaming, before and after decompression (a
  gzip bomb is stopped at the cap, not after it has filled the memory);
- redirects followed by hand, at most `max_redirects`, only to http and https, with
  loops detected;
- a User-Agent that names broadsheet, its version and the operator's contact;
- robots.txt respected (RFC 9309: a missing one allows everything, an unreachable
  one allows nothing for now), fetched once per host and run;
- hosts that resolve to private, loopback, link-local or otherwise special
  addresses refused unless the source sets `allow_private_addresses = true`.

Failures are `IngestError`s (what to fix) or `TransientIngestError`s (retried,
then reported: trying again later may work).
"""

from __future__ import annotations

import ipaddress
import random
import socket
import urllib.robotparser
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field

from flows.clock import SYSTEM, Clock
from flows.errors import IngestError, TransientIngestError
from flows.version import package_version

__all__ = ["FetchSettings", "Fetched", "Fetcher", "check_http_url", "user_agent"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRY_STATUS = frozenset({408, 425, 429})
_ROBOTS_MAX_BYTES = 512 * 1024
_ADVICE = {
    401: "the page needs a login: broadsheet fetches public pages only; remove it from the source",
    403: "the server refuses access: check the URL in the browser, or remove it from the source",
    404: "the page does not exist: check the URL in sources.toml",
    410: "the page was removed for good: remove it from the source",
}


class FetchSettings(BaseModel):
    """Settings shared by every source that fetches over HTTP."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    connect_timeout: float = Field(default=10.0, gt=0, description="Seconds to wait for a connection.")
    read_timeout: float = Field(
        default=30.0, gt=0, description="Seconds to wait for the next bytes of a response."
    )
    deadline: float = Field(
        default=120.0,
        gt=0,
        description="Seconds one request may take in total, however slowly the server sends.",
    )
    retries: int = Field(
        default=3,
        ge=0,
        le=10,
        description="Retries of a request that failed in a way that may pass (5xx, 408, 429, timeouts).",
    )
    backoff: float = Field(
        default=1.0,
        ge=0,
        description="Seconds before the first retry; doubled for each further retry, with random jitter.",
    )
    max_backoff: float = Field(
        default=60.0,
        ge=0,
        description="Longest wait before a retry; a server's `Retry-After` above it ends the retries.",
    )
    max_bytes: int = Field(
        default=10 * 1024 * 1024,
        gt=0,
        description="Largest response body in bytes, before and after decompression.",
    )
    max_redirects: int = Field(default=5, ge=0, le=30, description="Most redirects followed for one request.")
    contact: str | None = Field(
        default=None,
        description="A URL or e-mail address where site owners can reach you, sent in the User-Agent.",
    )
    respect_robots: bool = Field(
        default=True, description="Obey the site's robots.txt (turn off only for sites you run yourself)."
    )
    allow_private_addresses: bool = Field(
        default=False,
        description="Allow hosts on private, loopback or link-local addresses (a local test server, an "
        "intranet).",
    )


def user_agent(contact: str | None = None) -> str:
    """The User-Agent broadsheet sends: `broadsheet/<version>` and the operator's contact."""
    agent = f"broadsheet/{package_version()}"
    return f"{agent} (+{contact})" if contact else agent


def check_http_url(url: str) -> str:
    """`url` if it is an absolute http(s) URL with a host.

    Raises:
        ValueError: it is not (the message says what is wrong).
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"{url!r} is not an http:// or https:// URL")
    if not parts.hostname:
        raise ValueError(f"{url!r} has no host name")
    return url.strip()


@dataclass(frozen=True, slots=True)
class Fetched:
    """A response: 200 with its body, or 304 Not Modified (empty body).

    Attributes:
        url: the URL that answered, after redirects.
        status: 200 or 304.
        body: the body, decompressed.
        media_type: the media type of `Content-Type`, lower case, without parameters.
        charset: the `charset` parameter of `Content-Type`, if any.
        etag: the `ETag` header, if any.
        last_modified: the `Last-Modified` header, if any.
        total_pages: the `X-WP-TotalPages` header as a number, if any (WordPress).
    """

    url: str
    status: int
    body: bytes = b""
    media_type: str = ""
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    total_pages: int | None = None


class _Retryable(Exception):
    def __init__(self, message: str, *, uri: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.uri = uri
        self.retry_after = retry_after


def _content_type(value: str | None) -> tuple[str, str | None]:
    if not value:
        return "", None
    media, *params = value.split(";")
    charset = None
    for param in params:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'").lower()
    return media.strip().lower(), charset


def _retry_after(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, float((when - now).total_seconds()))


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class Fetcher:
    """GET requests with the guards of this module. Use as a context manager (closes the client).

    Args:
        settings: the source's `FetchSettings`.
        transport: an httpx transport (tests pass `httpx.MockTransport`).
        clock: what times the deadline and waits between retries (tests pass a `ManualClock`).
        resolve: how to look up a host's addresses (`socket.getaddrinfo`).
    """

    def __init__(
        self,
        settings: FetchSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Clock = SYSTEM,
        resolve: Callable[..., list[Any]] = socket.getaddrinfo,
    ) -> None:
        self.settings = settings
        self.agent = user_agent(settings.contact)
        self.clock = clock
        self._resolve = resolve
        self._checked_hosts: dict[str, str | None] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None | _Retryable] = {}
        timeout = httpx.Timeout(
            connect=settings.connect_timeout,
            read=min(settings.read_timeout, settings.deadline),
            write=settings.read_timeout,
            pool=settings.connect_timeout,
        )
        self.client = httpx.Client(
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": self.agent, "Accept-Encoding": "gzip, deflate"},
        )
        #: Requests sent, for the curious and the tests.
        self.requests = 0

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self.client.close()

    # Public ---------------------------------------------------------------------------------
    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
        params: dict[str, str] | None = None,
    ) -> Fetched:
        """GET `url` (conditionally when `etag` or `last_modified` is given), with retries.

        Raises:
            TransientIngestError: it failed in a way that may pass (after the retries).
            IngestError: it failed in a way that will not pass by itself; the message says what to fix.
        """
        if params:
            url = str(httpx.URL(url, params=params))
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        return self._with_retries(
            url, headers, robots=self.settings.respect_robots, max_bytes=self.settings.max_bytes
        )

    # Retries ----------------------------------------------------------------------------------
    def _with_retries(self, url: str, headers: dict[str, str], *, robots: bool, max_bytes: int) -> Fetched:
        attempt = 0
        while True:
            try:
                return self._once(url, headers, robots=robots, max_bytes=max_bytes)
            except _Retryable as error:
                tries = f"{attempt + 1} attempt{'s' if attempt else ''}"
                if attempt >= self.settings.retries:
                    raise TransientIngestError(
                        f"{error.message} ({tries}); this may pass: run again later", uri=error.uri
                    ) from None
                wait = self._wait(attempt, error.retry_after)
                if wait is None:
                    raise TransientIngestError(
                        f"{error.message}, and asked to wait {error.retry_after:.0f} s, longer than "
                        "max_backoff "
                        f"({self.settings.max_backoff:.0f} s): run again later, or raise max_backoff",
                        uri=error.uri,
                    ) from None
                self.clock.sleep(wait)
                attempt += 1

    def _wait(self, attempt: int, retry_after: float | None) -> float | None:
        if retry_after is not None:
            return retry_after if retry_after <= self.settings.max_backoff else None
        base = min(self.settings.max_backoff, self.settings.backoff * 2.0**attempt)
        return base / 2 + random.random() * base / 2  # noqa: S311 - jitter, not cryptography

    # One request, following redirects ---------------------------------------------------------
    def _once(self, url: str, headers: dict[str, str], *, robots: bool, max_bytes: int) -> Fetched:
        started = self.clock.monotonic()
        current = url
        seen = [url]
        for _ in range(self.settings.max_redirects + 1):
            self._check_target(current)
            if robots:
                self._check_robots(current)
            self.requests += 1
            try:
                with self.client.stream("GET", current, headers=headers) as response:
                    status = response.status_code
                    if status in _REDIRECTS and response.headers.get("location"):
                        target = urljoin(current, response.headers["location"])
                        if target in seen:
                            chain = " → ".join([*seen[seen.index(target) :], target])
                            raise IngestError(
                                f"redirects in a loop ({chain}): the site is misconfigured; fix the URL or "
                                "remove it from the source",
                                uri=url,
                            )
                        seen.append(target)
                        current = target
                        continue
                    return self._answer(response, current, started, max_bytes, origin=url)
            except httpx.TimeoutException as exc:
                raise _Retryable(
                    f"timed out ({type(exc).__name__}: no answer within connect_timeout "
                    f"{self.settings.connect_timeout:g} s / read_timeout {self.settings.read_timeout:g} s)",
                    uri=current,
                ) from None
            except httpx.RemoteProtocolError as exc:
                if "buffer too long" in str(exc).lower() or "header" in str(exc).lower():
                    raise IngestError(
                        f"the response headers are malformed or too large ({exc}): broadsheet refuses it; "
                        "check the URL",
                        uri=current,
                    ) from None
                raise _Retryable(
                    f"the server broke off the response ({exc}): the body arrived truncated", uri=current
                ) from None
            except httpx.TransportError as exc:
                raise _Retryable(
                    f"could not connect or read ({type(exc).__name__}: {exc})", uri=current
                ) from None
        raise IngestError(
            f"was redirected more than max_redirects = {self.settings.max_redirects} times "
            f"({' → '.join(seen)}): use the final URL in sources.toml, or raise max_redirects",
            uri=url,
        )

    def _answer(
        self, response: httpx.Response, url: str, started: float, max_bytes: int, *, origin: str
    ) -> Fetched:
        status = response.status_code
        headers = response.headers
        if status == 304:
            return Fetched(url, 304, etag=headers.get("etag"), last_modified=headers.get("last-modified"))
        if status in _RETRY_STATUS or status >= 500:
            delay = _retry_after(headers.get("retry-after"), self.clock.now())
            raise _Retryable(
                f"the server answered {status} {response.reason_phrase}".rstrip(), uri=url, retry_after=delay
            )
        if status >= 400:
            advice = _ADVICE.get(status, "check the URL in sources.toml")
            raise IngestError(f"the server answered {status} {response.reason_phrase}: {advice}", uri=origin)
        if status != 200:
            raise IngestError(
                f"the server answered {status} {response.reason_phrase}, not 200 with a document: "
                "check the URL",
                uri=origin,
            )
        body = self._read(response, url, started, max_bytes)
        media_type, charset = _content_type(headers.get("content-type"))
        return Fetched(
            url,
            200,
            body,
            media_type,
            charset,
            headers.get("etag"),
            headers.get("last-modified"),
            _int(headers.get("x-wp-totalpages")),
        )

    def _too_large(self, url: str, size: str, max_bytes: int) -> IngestError:
        return IngestError(
            f"the response is {size}, over max_bytes = {max_bytes:,}: raise max_bytes for this source in "
            "sources.toml if the page really is that large",
            uri=url,
        )

    def _read(self, response: httpx.Response, url: str, started: float, max_bytes: int) -> bytes:
        length = _int(response.headers.get("content-length"))
        if length is not None and length > max_bytes:
            raise self._too_large(url, f"{length:,} bytes", max_bytes)
        coding = (response.headers.get("content-encoding") or "identity").strip().lower()
        decoder: Any
        if coding in ("gzip", "x-gzip"):
            decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif coding == "deflate":
            decoder = zlib.decompressobj()
        elif coding in ("identity", ""):
            decoder = None
        else:
            raise IngestError(
                f"the server sent Content-Encoding {coding!r}, which broadsheet cannot read: "
                "report this site",
                uri=url,
            )
        out = bytearray()
        received = 0
        try:
            for chunk in response.iter_raw():  # each network read as it comes: the deadline holds
                received += len(chunk)
                if received > max_bytes:
                    raise self._too_large(url, f"more than {max_bytes:,} bytes", max_bytes)
                if self.clock.monotonic() - started > self.settings.deadline:
                    raise _Retryable(
                        f"took longer than deadline = {self.settings.deadline:g} s (the server sends too "
                        "slowly)",
                        uri=url,
                    )
                if decoder is None:
                    out += chunk
                    continue
                pending = chunk
                while pending:
                    out += decoder.decompress(pending, max_bytes + 1 - len(out))
                    if len(out) > max_bytes:
                        raise self._too_large(
                            url, f"more than {max_bytes:,} bytes once decompressed", max_bytes
                        )
                    pending = decoder.unconsumed_tail
            if decoder is not None:
                out += decoder.flush()
        except zlib.error as exc:
            raise _Retryable(f"the body does not decompress as {coding} ({exc})", uri=url) from None
        if len(out) > max_bytes:
            raise self._too_large(url, f"more than {max_bytes:,} bytes once decompressed", max_bytes)
        return bytes(out)

    # Guards -----------------------------------------------------------------------------------
    def _check_target(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise IngestError(
                f"leads to {url}, which is not http or https: broadsheet fetches only web pages; remove it "
                "from the source",
                uri=url,
            )
        host = parts.hostname
        if not host:
            raise IngestError("has no host name: fix the URL in sources.toml", uri=url)
        if self.settings.allow_private_addresses:
            return
        if host not in self._checked_hosts:
            self._checked_hosts[host] = self._refusal(
                host, parts.port or (443 if parts.scheme == "https" else 80)
            )
        refusal = self._checked_hosts[host]
        if refusal:
            raise IngestError(refusal, uri=url)

    def _refusal(self, host: str, port: int) -> str | None:
        try:
            addresses = [ipaddress.ip_address(host.strip("[]"))]
        except ValueError:
            try:
                infos = self._resolve(host, port, type=socket.SOCK_STREAM)
            except socket.gaierror as exc:
                if exc.errno == socket.EAI_AGAIN:
                    raise _Retryable(
                        f"the host name {host} could not be looked up now ({exc})", uri=f"http://{host}/"
                    ) from None
                return f"the host name {host} does not resolve ({exc.strerror}): check the URL"
            addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
        for address in addresses:
            mapped = getattr(address, "ipv4_mapped", None)
            check = mapped or address
            if (
                check.is_private
                or check.is_loopback
                or check.is_link_local
                or check.is_reserved
                or check.is_multicast
                or check.is_unspecified
            ):
                return (
                    f"{host} is on a private, loopback or link-local address ({address}), which broadsheet "
                    "does not fetch by default: set allow_private_addresses = true for this source if you "
                    "mean to fetch from your own network"
                )
        return None

    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        rules = self._robots[origin]
        if isinstance(rules, _Retryable):
            raise TransientIngestError(
                f"robots.txt of {origin} could not be read ({rules.message}); broadsheet does not "
                "fetch from a "
                "site whose robots.txt is unreachable: run again later",
                uri=url,
            )
        if rules is not None and not rules.can_fetch("broadsheet", url):
            raise IngestError(
                f"robots.txt of {origin} does not allow broadsheet to fetch this page: remove it from the "
                "source (or ask the site's owner)",
                uri=url,
            )

    def _load_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | None | _Retryable:
        try:
            got = self._with_retries(f"{origin}/robots.txt", {}, robots=False, max_bytes=_ROBOTS_MAX_BYTES)
        except TransientIngestError as error:
            return _Retryable(error.message, uri=f"{origin}/robots.txt")
        except IngestError:
            return None  # RFC 9309: an unavailable robots.txt (4xx) allows everything
        rules = urllib.robotparser.RobotFileParser()
        rules.parse(got.body.decode("utf-8", "replace").splitlines())
        return rules
