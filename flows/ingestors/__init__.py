"""Ingest stage: sources turned into raw documents by ingestors.

    base.py       the extension point: the `Ingestor` protocol, `RawDocument`, `IngestContext`
    registry.py   the one place where built-ins and plugins (entry-point group
                  `broadsheet.ingestors`) are found and loaded, the same way
    files.py      `files`: every file under a local folder
    http.py       `http`: a list of web pages
    wordpress.py  `wordpress`: posts and comments through the WordPress REST API
    rss.py        `rss`: RSS and Atom feeds, whose articles are fetched like `http`
    fetch.py      the HTTP client they share: timeouts, retries, robots.txt, size caps
    state.py      what sources keep between runs (validators, cached bodies, cursors)
    testing.py    `check_ingestor`: the contract test any ingestor can run on itself

Stage code: nothing here imports Prefect.
"""

from __future__ import annotations

from flows.ingestors.base import HINT_TYPES, IngestContext, Ingestor, RawDocument
from flows.ingestors.registry import GROUP, ingestor_names, load_ingestor

__all__ = [
    "GROUP",
    "HINT_TYPES",
    "IngestContext",
    "Ingestor",
    "RawDocument",
    "ingestor_names",
    "load_ingestor",
]
