"""An example broadsheet ingestor: articles from a JSON Lines file.

Each line is one article: {"url", "title", "published", "author", "text"}. The
ingestor turns it into the plain text broadsheet's layout parser reads (the title
on the first line, a byline, then the paragraphs), and passes the title and the
date on as hints. A line that is not a valid article becomes an error that names
the line, and the other lines go on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from flows.errors import ConfigError, IngestError
from flows.ingest import IngestContext, RawDocument

__all__ = ["JsonLinesConfig", "JsonLinesIngestor"]


class JsonLinesConfig(BaseModel):
    """Settings of a `jsonl` source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path = Field(description="The JSON Lines file to read, relative to sources.toml.")


class JsonLinesIngestor:
    """Articles from a JSON Lines file, one per line."""

    name: ClassVar[str] = "jsonl"
    Config: ClassVar[type[BaseModel]] = JsonLinesConfig

    def __init__(self, source: str, config: JsonLinesConfig) -> None:
        self.source = source
        self.config = config

    def fetch(self, context: IngestContext) -> Iterator[RawDocument | IngestError]:
        """One document per line of the file; a bad line is an error naming it."""
        path = self.config.path
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
            fetched_at = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        except OSError as exc:
            raise ConfigError(
                f"cannot be read ({exc.strerror}): check `path`", uri=path.absolute().as_uri()
            ) from None
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"{path.absolute().as_uri()}#line={number}"
            try:
                record = json.loads(line)
                url, title, text = str(record["url"]), str(record["title"]), str(record["text"])
            except (ValueError, KeyError, TypeError) as exc:
                yield IngestError(
                    f"line {number} is not an article ({exc}): it needs url, title and text", uri=where
                )
                continue
            hints: dict[str, object] = {"title": title}
            if record.get("published"):
                try:
                    published = datetime.fromisoformat(str(record["published"]).replace("Z", "+00:00"))
                except ValueError:
                    yield IngestError(f"line {number}: 'published' is not an ISO 8601 date", uri=where)
                    continue
                if published.tzinfo is not None:
                    hints["published_at"] = published.astimezone(UTC)
            byline = f"By {record['author']}\n\n" if record.get("author") else ""
            body = f"{title}\n\n{byline}{text.strip()}\n"
            yield RawDocument(
                self.source, url, body.encode("utf-8"), "text/plain", fetched_at, "utf-8", hints
            )
