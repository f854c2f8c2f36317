"""Ingest stage: the configured sources, turned into raw documents by ingestors.

    sources.toml ─► Source ─► Ingestor.fetch ─► RawDocument (bytes, URI, media type, hints) | IngestError

    sources.py    sources.toml: which ingestor, with which settings, under which name
    base.py       the extension point: the `Ingestor` protocol, `RawDocument`, `IngestContext`
    registry.py   the one place where built-ins and plugins (entry-point group
                  `broadsheet.ingestors`) are found and loaded, the same way
    files.py      `files`: every file under a local folder
    http.py       `http`: a list of web pages
    wordpress.py  `wordpress`: posts and comments through the WordPress REST API
    rss.py        `rss`: RSS and Atom feeds, whose articles are fetched like `http`
    fetch.py      the HTTP client they share: timeouts, retries, robots.txt, size caps
    state.py      what sources keep between runs (validators, cached bodies, cursors)
    docs.py       the README's tables of every built-in's settings, from their `Config` models

The contract test any ingestor can run on itself, `check_ingestor`, lives in
`flows.pipeline.check` (it puts what an ingestor yields through the whole pipeline).

Stage code: nothing here imports Prefect.
"""

from __future__ import annotations

from flows.ingest.base import HINT_TYPES, IngestContext, Ingestor, RawDocument
from flows.ingest.registry import GROUP, ingestor_names, load_ingestor

__all__ = [
    "GROUP",
    "HINT_TYPES",
    "IngestContext",
    "Ingestor",
    "RawDocument",
    "ingestor_names",
    "load_ingestor",
]
