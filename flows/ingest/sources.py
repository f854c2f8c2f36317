"""Sources: which ingestor reads what, declared in `sources.toml`.

    # sources.toml: one table per source, named after it
    [sources.seed]
    ingestor = "files"          # which ingestor (built-in or plugin)
    path = "raw"                # its settings, checked against the ingestor's Config model

    [sources.blog]
    ingestor = "wordpress"
    site = "https://blog.example.org"

`load_sources` reads and checks the file; every mistake is a `ConfigError` that
names the source and the setting. `Source.fetch` runs one source and turns what
goes wrong inside it into `IngestError`s, so that one failing source does not stop
the others.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from flows.errors import BroadsheetError, ConfigError, DecodeError, IngestError
from flows.ingest.base import IngestContext, Ingestor, RawDocument
from flows.ingest.files import FilesConfig
from flows.ingest.registry import load_ingestor
from flows.settings import DEFAULT_LIMITS, Limits

__all__ = ["DEFAULT_SOURCES_FILE", "STATE_DIR", "Source", "files_source", "load_sources", "parse_sources"]

#: The sources file `broadsheet run` reads when no --raw is given.
DEFAULT_SOURCES_FILE = Path("sources.toml")
#: The folder under the output folder where sources keep their state between runs.
STATE_DIR = ".state"
_SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")


@dataclass(frozen=True, slots=True)
class Source:
    """One configured source.

    Attributes:
        name: its name in sources.toml; recorded as `source` on every document.
        ingestor: the name of the ingestor that reads it.
        config: its settings, validated by the ingestor's Config model.
        origin: where it was declared (for messages).
    """

    name: str
    ingestor: str
    config: BaseModel
    origin: str = "sources.toml"

    @property
    def location(self) -> str:
        """A URI for rejects about the source as a whole."""
        return f"{self.origin}#{self.name}"

    def create(self) -> Ingestor:
        """A new ingestor for this source."""
        return load_ingestor(self.ingestor)(self.name, self.config)

    def fetch(self, out: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[RawDocument | BroadsheetError]:
        """Run the source: its documents, and an `IngestError` for whatever could not be read.

        Never raises: a source that fails as a whole yields one error naming the source.
        """
        context = IngestContext(state=out / STATE_DIR / self.name, limits=limits)
        try:
            yield from self.create().fetch(context)
        except (IngestError, DecodeError) as error:
            yield error
        except BroadsheetError as error:
            yield IngestError(f"source {self.name!r}: {error.message}", uri=error.uri or self.location)
        except Exception as error:  # a bug in one ingestor must not cost the other sources
            yield IngestError(
                f"the {self.ingestor!r} ingestor failed ({type(error).__name__}: {error}); the other sources "
                "went on: please report this to the ingestor's authors",
                uri=self.location,
            )


def files_source(raw: Path, name: str = "files") -> Source:
    """The source `broadsheet run --raw DIR` means: every file under `raw`."""
    return Source(name, "files", FilesConfig(path=raw), origin="--raw")


def _resolve_paths(config: BaseModel, base: Path) -> BaseModel:
    changes = {
        name: base / value
        for name in type(config).model_fields
        if isinstance(value := getattr(config, name), Path) and not value.is_absolute()
    }
    return config.model_copy(update=changes) if changes else config


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "(settings)"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "not a setting of this ingestor"
        parts.append(f"setting {where!r}: {message}")
    return "; ".join(parts)


def parse_sources(
    data: dict[str, Any], *, origin: str = "sources.toml", base: Path = Path(".")
) -> list[Source]:
    """The sources declared in `data` (a parsed sources.toml).

    Raises:
        ConfigError: a source is malformed, names an unknown ingestor or has a bad setting.
    """
    unknown = sorted(set(data) - {"sources"})
    if unknown:
        raise ConfigError(
            f"has unknown top-level keys ({', '.join(unknown)}): declare each source as a "
            "[sources.NAME] table",
            uri=origin,
        )
    tables = data.get("sources")
    if not isinstance(tables, dict) or not tables:
        raise ConfigError(
            'declares no source: add a [sources.NAME] table with `ingestor = "files"` and its settings',
            uri=origin,
        )
    sources = []
    for name, table in tables.items():
        if not _SOURCE_NAME.match(name):
            raise ConfigError(
                f"source name {name!r} is not allowed: use letters, digits, '-', '_' and '.' (it names a "
                "folder of state under the output)",
                uri=origin,
            )
        if not isinstance(table, dict):
            raise ConfigError(f"source {name!r} must be a table ([sources.{name}])", uri=origin)
        settings = dict(table)
        ingestor = settings.pop("ingestor", None)
        if not isinstance(ingestor, str):
            raise ConfigError(
                f'source {name!r} names no ingestor: add `ingestor = "files"` (or another)', uri=origin
            )
        try:
            cls = load_ingestor(ingestor)
        except ConfigError as exc:
            raise ConfigError(f"source {name!r}: {exc.message}", uri=origin) from None
        try:
            config = cls.Config.model_validate(settings)
        except ValidationError as exc:
            raise ConfigError(
                f"source {name!r} ({ingestor}): {_describe(exc)}; see the {ingestor} settings in the README",
                uri=origin,
            ) from None
        sources.append(Source(name, ingestor, _resolve_paths(config, base), origin))
    return sources


def load_sources(path: Path, select: Sequence[str] = ()) -> list[Source]:
    """The sources declared in the sources file `path`, or those of them named in `select`.

    Relative paths in settings are taken relative to the folder of `path`.

    Raises:
        ConfigError: the file is missing or invalid, or `select` names an undeclared source.
    """
    origin = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            "does not exist: create it (see 'The sources file' in the README) or pass --raw DIR", uri=origin
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot be read ({exc}): check the file", uri=origin) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"is not valid TOML ({exc}): fix it there", uri=origin) from None
    sources = parse_sources(data, origin=origin, base=path.parent)
    if select:
        names = [s.name for s in sources]
        missing = [name for name in select if name not in names]
        if missing:
            raise ConfigError(
                f"declares no source named {', '.join(map(repr, missing))}; "
                f"its sources are: {', '.join(names)}",
                uri=origin,
            )
        sources = [s for s in sources if s.name in select]
    return sources
