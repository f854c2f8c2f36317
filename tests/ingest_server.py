"""A real HTTP server on 127.0.0.1 for the ingestor tests: fixture pages, a WordPress-shaped API,
RSS and Atom feeds, and the faults users meet (5xx, 429 with Retry-After, slow and truncated
bodies, a wrong charset, redirect loops, oversized pages, a gzip bomb).

Every request is logged (`server.log`: path, status, number of items served) so that tests can
check what a run fetched. All texts are invented for the tests.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import threading
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

HTML = Path(__file__).resolve().parent / "cases" / "html"
LAST_MODIFIED = format_datetime(datetime(2024, 5, 1, 12, 0, tzinfo=UTC), usegmt=True)

WP_POSTS: list[dict[str, Any]] = [
    {
        "id": 101,
        "date": "2024-04-02T10:00:00",
        "date_gmt": "2024-04-02T08:00:00",
        "modified": "2024-04-02T10:00:00",
        "modified_gmt": "2024-04-02T08:00:00",
        "slug": "ceasefire-talks",
        "title": {"rendered": "Ceasefire Talks Resume in Geneva"},
        "author": 3,
        "content": {
            "rendered": (
                "<p>Delegations from the two governments returned to Geneva on Tuesday for a third round of "
                "ceasefire talks, a month after the last round ended without agreement.</p>\n"
                "<p>Foreign Minister Lina Okafor said her delegation had come \u201cwith new maps and old "
                "patience.\u201d Mediator Jonas Fjeld urged both sides to agree first on the exchange of "
                "prisoners.</p>\n<h2>Sticking points</h2>\n<ul><li>Okafor rejected any change to the line of "
                "contact before a ceasefire.</li><li>The mediators proposed a monitoring mission of 200 "
                "observers.</li></ul>\n"
            )
        },
        "_author": "Petra Novak",
    },
    {
        "id": 102,
        "date": "2024-04-03T09:15:00",
        "date_gmt": "2024-04-03T07:15:00",
        "modified": "2024-04-03T11:00:00",
        "modified_gmt": "2024-04-03T09:00:00",
        "slug": "prisoner-exchange",
        "title": {"rendered": "Prisoner Exchange Agreed as First Step"},
        "author": 4,
        "content": {
            "rendered": (
                "<p>Negotiators agreed on Wednesday to exchange 120 prisoners on each side within two weeks, "
                "the first concrete result of the Geneva talks.</p>\n<p>Mediator Jonas Fjeld called the "
                "agreement \u201ca small door that may open a larger one.\u201d</p>\n"
            )
        },
        "_author": "Omar Haddad",
    },
    {
        "id": 103,
        "date": "2024-04-04T18:40:00",
        "date_gmt": "2024-04-04T16:40:00",
        "modified": "2024-04-04T18:40:00",
        "modified_gmt": "2024-04-04T16:40:00",
        "slug": "observers",
        "title": {"rendered": "Observer Mission Faces Funding Gap"},
        "author": 3,
        "content": {
            "rendered": (
                "<p>The proposed observer mission is short of money before it has begun, diplomats said on "
                "Thursday, with only half of its first-year budget pledged.</p>\n<p>Several donor states "
                "said "
                "they would decide after the ceasefire is signed.</p>\n"
            )
        },
        "_author": "Petra Novak",
    },
]
WP_COMMENTS: list[dict[str, Any]] = [
    {
        "id": 5001,
        "post": 101,
        "parent": 0,
        "author_name": "Halvard Moe",
        "date": "2024-04-02T12:05:00",
        "date_gmt": "2024-04-02T10:05:00",
        "content": {
            "rendered": "<p>New maps, old patience. At least she is honest about the patience.</p>\n"
        },
    },
    {
        "id": 5003,
        "post": 101,
        "parent": 5002,
        "author_name": "Halvard Moe",
        "date": "2024-04-02T14:30:00",
        "date_gmt": "2024-04-02T12:30:00",
        "content": {"rendered": "<p>Fair point, prisoners first would build some trust.</p>\n"},
    },
    {
        "id": 5002,
        "post": 101,
        "parent": 5001,
        "author_name": "Ines Duarte",
        "date": "2024-04-02T13:10:00",
        "date_gmt": "2024-04-02T11:10:00",
        "content": {
            "rendered": "<p>Patience is cheap when you are not the one living near the line of contact.</p>\n"
        },
    },
    {
        "id": 5004,
        "post": 101,
        "parent": 0,
        "author_name": "Yusuf K.",
        "date": "2024-04-03T08:00:00",
        "date_gmt": "2024-04-03T06:00:00",
        "content": {"rendered": "<p>Two hundred observers for a line that long seems far too few.</p>\n"},
    },
    {
        "id": 5005,
        "post": 102,
        "parent": 0,
        "author_name": "Marit L.",
        "date": "2024-04-03T12:00:00",
        "date_gmt": "2024-04-03T10:00:00",
        "content": {"rendered": "<p>Good news for the families, finally.</p>\n"},
    },
]


def _feed_items(base: str) -> list[dict[str, str]]:
    return [
        {
            "title": "Border Crossing Reopens After Week-Long Closure",
            "link": f"{base}/pages/feed_item_1.html",
            "date": "Mon, 06 May 2024 07:00:00 GMT",
            "iso": "2024-05-06T07:00:00Z",
        },
        {
            "title": "Water Sharing Accord Signed Upstream",
            "link": f"{base}/pages/feed_item_2.html",
            "date": "Tue, 07 May 2024 12:30:00 GMT",
            "iso": "2024-05-07T12:30:00Z",
        },
    ]


def rss_feed(base: str) -> bytes:
    items = "".join(
        f"<item><title>{i['title']}</title><link>{i['link']}</link><guid>{i['link']}</guid>"
        f"<pubDate>{i['date']}</pubDate><description>Summary.</description></item>"
        for i in _feed_items(base)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Valley Courier</title>'
        f"<link>{base}/</link><description>News</description>{items}</channel></rss>"
    ).encode()


def atom_feed(base: str) -> bytes:
    entries = "".join(
        f'<entry><title>{i["title"]}</title><link rel="alternate" href="{i["link"]}"/><id>{i["link"]}</id>'
        f"<updated>{i['iso']}</updated><published>{i['iso']}</published></entry>"
        for i in reversed(_feed_items(base))
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Valley Courier</title><id>{base}/</id><updated>2024-05-07T12:30:00Z</updated>"
        f"{entries}</feed>"
    ).encode()


@dataclass
class Hit:
    """One request the server answered."""

    path: str
    status: int
    items: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    query: str = ""


class IngestServer(ThreadingHTTPServer):
    """The server; its state (WordPress data, fault counters, the log) can be changed by tests."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.posts = deepcopy(WP_POSTS)
        self.comments = deepcopy(WP_COMMENTS)
        self.log: list[Hit] = []
        self.counters: dict[str, int] = {}
        self.down = False  # /fault/outage answers 503 while this is set
        #: Set when the server stops: /fault/stall and /fault/slow hold their answers until then.
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.pages: dict[str, bytes] = {p.name: p.read_bytes() for p in HTML.glob("*.html")}

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts, size caps) are part of the tests: stay quiet."""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def count(self, key: str) -> int:
        with self.lock:
            self.counters[key] = self.counters.get(key, 0) + 1
            return self.counters[key]

    def hits(self, prefix: str = "/", status: int | None = None) -> list[Hit]:
        return [h for h in self.log if h.path.startswith(prefix) and (status is None or h.status == status)]

    def post_url(self, post: dict[str, Any]) -> str:
        return f"{self.base}/blog/{post['slug']}/"


class _Handler(BaseHTTPRequestHandler):
    server: IngestServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    # Helpers ----------------------------------------------------------------------------------
    def _send(
        self,
        status: int,
        body: bytes = b"",
        *,
        content_type: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
        items: int = 0,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        # logged before the headers go out: a client that has its answer finds the hit in the log
        parts = urlsplit(self.path)
        self.server.log.append(Hit(parts.path, status, items, dict(self.headers.items()), parts.query))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _conditional(self, body: bytes, content_type: str, items: int = 0) -> None:
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag or (
            self.headers.get("If-None-Match") is None
            and self.headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            self._send(304, headers={"ETag": etag})
            return
        self._send(
            200,
            body,
            content_type=content_type,
            headers={"ETag": etag, "Last-Modified": LAST_MODIFIED},
            items=items,
        )

    def _json(
        self, value: Any, *, headers: dict[str, str] | None = None, items: int = 0, status: int = 200
    ) -> None:
        self._send(
            status,
            json.dumps(value).encode(),
            content_type="application/json; charset=UTF-8",
            headers=headers,
            items=items,
        )

    # Routes -----------------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        parts = urlsplit(self.path)
        path, query = parts.path, {k: v[-1] for k, v in parse_qs(parts.query).items()}
        try:
            if path == "/robots.txt":
                self._send(200, b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
            elif path.startswith("/pages/") and path[7:] in self.server.pages:
                self._conditional(self.server.pages[path[7:]], "text/html; charset=utf-8")
            elif path == "/private/notes.html":
                self._send(200, self.server.pages["robots_private.html"])
            elif path == "/feeds/rss.xml":
                self._conditional(rss_feed(self.server.base), "application/rss+xml; charset=utf-8")
            elif path == "/feeds/atom.xml":
                self._conditional(atom_feed(self.server.base), "application/atom+xml")
            elif path == "/feeds/broken.xml":
                self._send(
                    200, b"<html><body>not a feed at all</body></html>", content_type="application/rss+xml"
                )
            elif path.startswith("/wp-json/wp/v2/"):
                self._wordpress(path[len("/wp-json/wp/v2/") :], query)
            elif path.startswith("/blog/"):
                self._send(200, b"<html><body><h1>Blog</h1></body></html>")
            elif path.startswith("/fault/"):
                self._fault(path[len("/fault/") :])
            else:
                self._send(404, b"not found", content_type="text/plain")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _wordpress(self, route: str, query: dict[str, str]) -> None:
        server = self.server
        if route == "posts":
            posts = sorted(server.posts, key=lambda p: (p["modified"], p["id"]))
            if "modified_after" in query:
                posts = [p for p in posts if p["modified"] > query["modified_after"]]
            self._page_of([self._post(p, query) for p in posts], query, "rest_post_invalid_page_number")
        elif route.startswith("posts/"):
            post = next((p for p in server.posts if str(p["id"]) == route[6:]), None)
            if post is None:
                self._json({"code": "rest_post_invalid_id"}, status=404)
            else:
                self._json(self._post(post, query), items=1)
        elif route == "comments":
            comments = sorted(
                server.comments,
                key=lambda c: (c["date"], c["id"]),
                reverse=query.get("order", "desc") != "asc",
            )
            if "post" in query:
                comments = [c for c in comments if str(c["post"]) == query["post"]]
            if "after" in query:
                comments = [c for c in comments if c["date"] > query["after"]]
            self._page_of(comments, query, "rest_comment_invalid_page_number")
        else:
            self._json({"code": "rest_no_route"}, status=404)

    def _post(self, post: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
        out = {k: v for k, v in post.items() if not k.startswith("_")}
        out["link"] = self.server.post_url(post)
        if "_embed" in query:
            out["_embedded"] = {"author": [{"id": post["author"], "name": post["_author"]}]}
        return out

    def _page_of(self, items: list[dict[str, Any]], query: dict[str, str], invalid: str) -> None:
        per_page = int(query.get("per_page", "10"))
        page = int(query.get("page", "1"))
        total_pages = max(1, -(-len(items) // per_page))
        if page > total_pages:
            self._json(
                {
                    "code": invalid,
                    "message": "The page number requested is larger than the number of pages available.",
                },
                status=400,
            )
            return
        chunk = items[(page - 1) * per_page : page * per_page]
        self._json(
            chunk,
            headers={"X-WP-Total": str(len(items)), "X-WP-TotalPages": str(total_pages)},
            items=len(chunk),
        )

    def _fault(self, name: str) -> None:  # noqa: C901 - one fault per branch
        server = self.server
        page = server.pages["feed_item_1.html"]
        if name == "500":
            self._send(500, b"oops", content_type="text/plain")
        elif name == "outage":
            if server.down:
                self._send(503, b"down for maintenance", content_type="text/plain")
            else:
                self._conditional(page, "text/html; charset=utf-8")
        elif name == "404":
            self._send(404, b"gone", content_type="text/plain")
        elif name == "flaky":
            if server.count(name) <= 2:
                self._send(503, b"busy", content_type="text/plain")
            else:
                self._send(200, page)
        elif name == "429":
            if server.count(name) == 1:
                self._send(429, b"slow down", content_type="text/plain", headers={"Retry-After": "1"})
            else:
                self._send(200, page)
        elif name == "huge-headers":
            self.send_response(200)
            for k in range(64):
                self.send_header(f"X-Padding-{k}", "x" * 4000)  # 256 KB of headers
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(page)
        elif name == "429-long":
            self._send(429, b"slow down", content_type="text/plain", headers={"Retry-After": "3600"})
        elif name == "slow":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            server.log.append(Hit("/fault/slow", 200))
            for _ in range(1000):  # a byte at a time, each read is quick, the whole never done in time
                self.wfile.write(b" ")
                self.wfile.flush()
                # A pause between bytes so that the client sees many reads; the client's deadline
                # runs on the test's clock, so how long this really takes cannot change the result.
                if self.server.stopping.wait(0.02):
                    return
        elif name == "stall":
            # No answer at all until the client has given up (its read timeout) and the server stops:
            # however slow the machine, the answer can never come in time.
            server.stopping.wait(120)
        elif name == "truncated":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page) + 5000))
            self.end_headers()
            server.log.append(Hit("/fault/truncated", 200))
            self.wfile.write(page)
            self.wfile.flush()
            self.close_connection = True
        elif name == "charset-latin1":  # says ISO-8859-1, sends UTF-8
            self._send(200, _accented(page).encode("utf-8"), content_type="text/html; charset=ISO-8859-1")
        elif name == "charset-utf8":  # says UTF-8, sends Windows-1252
            self._send(200, _accented(page).encode("cp1252"), content_type="text/html; charset=utf-8")
        elif name == "loop-a":
            self._send(302, headers={"Location": "/fault/loop-b"})
        elif name == "loop-b":
            self._send(302, headers={"Location": "/fault/loop-a"})
        elif name == "to-ftp":
            self._send(301, headers={"Location": "ftp://127.0.0.1/file.txt"})
        elif name == "redirect":
            self._send(301, headers={"Location": "/pages/feed_item_2.html"})
        elif name == "large":
            self._send(200, b"<p>" + b"x" * 300_000 + b"</p>")
        elif name == "large-chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            server.log.append(Hit("/fault/large-chunked", 200))
            chunk = b"y" * 65536
            for _ in range(20):
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif name == "gzip-bomb":
            self._send(200, _gzip_bomb(), headers={"Content-Encoding": "gzip"})
        elif name == "gzip-ok":
            self._send(200, gzip.compress(page), headers={"Content-Encoding": "gzip"})
        elif name == "pdf":
            self._send(200, b"%PDF-1.4 not really", content_type="application/pdf")
        else:
            self._send(404, b"no such fault", content_type="text/plain")


@functools.cache
def _gzip_bomb() -> bytes:
    """About 64 KB that decompress to 64 MB (made once: compressing takes a moment)."""
    return gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)


#: A sentence with accents, for the wrong-charset faults.
ACCENTED = (
    "\u00ab Nous sommes soulag\u00e9s, enfin \u00bb, a d\u00e9clar\u00e9 un chauffeur fran\u00e7ais "
    "\u00e0 Dravik."
)


def _accented(page: bytes) -> str:
    """The page without its <meta charset>, with accented words in it."""
    text = page.decode("utf-8").replace('<meta charset="utf-8">', "").replace("Basha", "Bash\u00eb")
    return text.replace("<p>Hauliers", f"<p>{ACCENTED} Hauliers")


def serve() -> Iterator[IngestServer]:
    """Start a server in a thread; stop it when the generator is closed (a pytest fixture body)."""
    _gzip_bomb()
    server = IngestServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
