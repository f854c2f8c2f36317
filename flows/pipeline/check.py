"""The contract test that any ingestor can run on itself.

    from flows.pipeline.check import check_ingestor

    def test_my_ingestor_keeps_the_contract(tmp_path):
        documents = check_ingestor(MyIngestor, {"path": "sample.jsonl"}, state=tmp_path / "state")
        assert len(documents) == 3

`check_ingestor` raises `AssertionError` with a message that says what to fix when
the ingestor breaks the contract broadsheet relies on:

- the class: a `name` that sources.toml can use, a pydantic `Config` that rejects
  unknown settings and describes every setting (the README's tables come from it),
  and a `fetch` method;
- what `fetch` yields: only `RawDocument`s and `IngestError`s, lazily (a generator
  or iterator); documents carry the source's name, an absolute URI, bytes, a media
  type without parameters, a UTC fetch time, a known charset and well-typed hints;
  errors name the URI they are about and say something;
- a second run over the unchanged source yields the same documents (the same URIs
  and bytes), so an unchanged source publishes no new release;
- every document goes through decode, layout and extraction to at least one
  article (unless `must_parse=False`).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from flows.errors import BroadsheetError
from flows.ingest.base import HINT_TYPES, IngestContext, Ingestor, RawDocument
from flows.settings import DEFAULT_LIMITS, Limits

__all__ = ["check_config_model", "check_ingestor"]

_NAME = re.compile(r"^[a-z][a-z0-9_\-]{0,63}$")
_URI = re.compile(r"^[a-z][a-z0-9+.\-]*:\S+$")
_MEDIA = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+\-]*/[a-z0-9][a-z0-9!#$&^_.+\-]*$")


def check_config_model(config: type[BaseModel], *, where: str = "Config") -> None:
    """The settings model forbids unknown keys and describes every field."""
    assert isinstance(config, type) and issubclass(config, BaseModel), (
        f"{where} must be a pydantic model class"
    )
    assert config.model_config.get("extra") == "forbid", (
        f"{where} must set model_config = ConfigDict(extra='forbid'), so that a misspelt setting in "
        "sources.toml is an error instead of being ignored"
    )
    for name, field in config.model_fields.items():
        assert field.description and len(field.description) > 10, (
            f"{where}.{name} needs Field(description=...): the README's settings tables are made from it"
        )


def _check_document(raw: RawDocument, source: str) -> None:
    where = f"document {raw.uri!r}"
    assert raw.source == source, f"{where}: source is {raw.source!r}, must be the source name {source!r}"
    assert isinstance(raw.uri, str) and _URI.match(raw.uri), f"{where}: uri must be an absolute URI"
    assert isinstance(raw.data, bytes), f"{where}: data must be bytes"
    assert _MEDIA.match(raw.media_type), (
        f"{where}: media_type {raw.media_type!r} must be a bare type/subtype in lower case (put the "
        "charset into `charset`)"
    )
    fetched = raw.fetched_at
    assert fetched.tzinfo is not None and fetched.utcoffset() == timedelta(0), (
        f"{where}: fetched_at must be a UTC datetime (datetime.now(UTC), or the file's mtime in UTC)"
    )
    if raw.charset is not None:
        try:
            codecs.lookup(raw.charset)
        except LookupError:
            raise AssertionError(
                f"{where}: charset {raw.charset!r} is not an encoding Python knows"
            ) from None
    for key, value in raw.hints.items():
        assert key in HINT_TYPES, f"{where}: unknown hint {key!r}; the hints are {sorted(HINT_TYPES)}"
        assert isinstance(value, HINT_TYPES[key]), (
            f"{where}: hint {key!r} must be a {HINT_TYPES[key].__name__}"
        )
        if isinstance(value, datetime):
            assert value.tzinfo is not None, f"{where}: hint published_at must carry a time zone"
        if isinstance(value, list):
            assert all(isinstance(c, str) and c.strip() for c in value), f"{where}: credits must be strings"


def _check_error(error: BroadsheetError) -> None:
    assert error.uri, f"{type(error).__name__} {error.message!r} must name the URI or path it is about"
    assert error.message and len(error.message) > 10, (
        f"the error about {error.uri} must say what went wrong and how to fix it"
    )


def _run(ingestor: Ingestor, context: IngestContext, source: str) -> list[RawDocument | BroadsheetError]:
    result = ingestor.fetch(context)
    assert isinstance(result, Iterator), (
        "fetch must return an iterator (write it as a generator): documents are handled as they come"
    )
    items: list[RawDocument | BroadsheetError] = []
    for item in result:
        if isinstance(item, RawDocument):
            _check_document(item, source)
        elif isinstance(item, BroadsheetError):
            _check_error(item)
        else:
            raise AssertionError(
                f"fetch yielded a {type(item).__name__}: yield RawDocument or IngestError only"
            )
        items.append(item)
    return items


def check_ingestor(
    cls: type[Any],
    settings: Mapping[str, Any] | BaseModel,
    *,
    state: Path,
    source: str = "contract-test",
    limits: Limits = DEFAULT_LIMITS,
    min_documents: int = 1,
    must_parse: bool = True,
    allow_errors: bool = False,
) -> list[RawDocument]:
    """Run `cls` on `settings` twice and check that it keeps the ingestor contract.

    Args:
        cls: the ingestor class.
        settings: its settings, as in sources.toml (a mapping) or as a Config instance.
        state: a folder for the source's state (kept between the two runs).
        source: the source name to run it under.
        limits: the document limits to hand it.
        min_documents: how many documents the run must yield at least.
        must_parse: whether every document must give at least one article.
        allow_errors: whether the run may yield `IngestError`s.

    Returns:
        The documents of the first run.

    Raises:
        AssertionError: the ingestor breaks the contract (the message says how).
    """
    assert isinstance(getattr(cls, "name", None), str) and _NAME.match(cls.name), (
        "the class needs `name: ClassVar[str]`, lower case letters, digits, '-' or '_'"
    )
    check_config_model(getattr(cls, "Config", None), where=f"{cls.__name__}.Config")  # type: ignore[arg-type]
    config = settings if isinstance(settings, BaseModel) else cls.Config.model_validate(dict(settings))
    instance = cls(source, config)
    assert isinstance(instance, Ingestor), "the class must have `name`, `Config` and `fetch(context)`"
    context = IngestContext(state=state, limits=limits)
    first = _run(instance, context, source)
    documents = [item for item in first if isinstance(item, RawDocument)]
    errors = [item for item in first if isinstance(item, BroadsheetError)]
    assert allow_errors or not errors, f"the run yielded errors: {[str(e) for e in errors]}"
    assert len(documents) >= min_documents, (
        f"the run yielded {len(documents)} documents, expected {min_documents}+"
    )
    ids = [(d.uri, d.document_id) for d in documents]
    assert len(set(ids)) == len(ids), "the run yielded the same document twice"
    second = _run(cls(source, config), context, source)
    again = sorted((d.uri, d.document_id) for d in second if isinstance(d, RawDocument))
    assert again == sorted(ids), (
        "a second run over the unchanged source yielded other documents (URIs or bytes): an unchanged "
        "source must yield the same bytes, or every run publishes a new release"
    )
    if must_parse:
        from flows.pipeline.document import process_document

        for raw in documents:
            batch = process_document(raw, limits)
            assert not batch.rejects, f"{raw.uri} was rejected: {batch.rejects[0].message}"
            assert batch.articles, f"{raw.uri} gave no article"
    return documents
