"""The exception tree of broadsheet: one branch per stage.

    BroadsheetError                 base: every error names what it is about (`uri`)
     ├── ConfigError                bad settings, arguments or sources.toml
     ├── IngestError                a source or one of its inputs could not be read
     │    ├── TransientIngestError  ... but trying again later may work (5xx, 429, timeouts)
     │    └── DuplicateDocument     the same bytes were ingested twice in one run
     ├── DecodeError                the bytes are not text we can read
     │    ├── EmptyDocument         no bytes, or only white space
     │    ├── BinaryDocument        NUL bytes or control characters: not text
     │    ├── UndecodableDocument   no character encoding fits
     │    ├── UnsupportedMediaType  not a kind of document broadsheet reads
     │    └── DocumentTooLarge      over the `max_document_bytes` limit
     ├── ParseError                 the text holds no article we can recognise
     │    ├── NoArticleFound
     │    └── LimitExceeded         too many comments or too deep a thread
     ├── RecordInvalid              an extracted record breaks its schema (validate stage)
     ├── PublishError               a release could not be written
     │    ├── OutputLocked          another run is publishing into the same output
     │    └── CatalogError          catalog.json is missing, truncated or corrupt
     └── DownloadError              a published release could not be fetched (consumers' side)
          ├── TransientDownloadError  ... but trying again later may work (5xx, 429, timeouts)
          ├── UnsafeCatalog         a catalog names paths or places a download must not write to
          └── ChecksumMismatch      a file's size or SHA-256 differs from the catalog's

Record-level problems are not raised to the caller: the flow turns them into
`Reject` records (with `stage`, `error` = class name, `message`) and the run goes
on. Only errors that stop a whole stage propagate.
"""

from __future__ import annotations

from typing import ClassVar, Literal

__all__ = [
    "BinaryDocument",
    "BroadsheetError",
    "CatalogError",
    "ChecksumMismatch",
    "ConfigError",
    "DecodeError",
    "DocumentTooLarge",
    "DownloadError",
    "DuplicateDocument",
    "EmptyDocument",
    "IngestError",
    "LimitExceeded",
    "NoArticleFound",
    "OutputLocked",
    "ParseError",
    "PublishError",
    "RecordInvalid",
    "TransientDownloadError",
    "TransientIngestError",
    "UndecodableDocument",
    "UnsafeCatalog",
    "UnsupportedMediaType",
]

Stage = Literal["ingest", "decode", "parse", "validate", "publish"]


class BroadsheetError(Exception):
    """Base of all broadsheet errors.

    Args:
        message: what went wrong and how to fix it, in a sentence a person can act on.
        uri: the document, URL or path the error is about.
    """

    #: The pipeline stage the error belongs to (the `stage` of a reject).
    stage: ClassVar[Stage] = "parse"
    #: Whether trying again later can succeed (HTTP 5xx, 429, timeouts).
    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, uri: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.uri = uri

    def __str__(self) -> str:
        return f"{self.uri}: {self.message}" if self.uri else self.message


class ConfigError(BroadsheetError):
    """Bad settings, command-line arguments or source configuration."""

    stage = "ingest"


class IngestError(BroadsheetError):
    """A source, or one input of it, could not be read."""

    stage = "ingest"


class TransientIngestError(IngestError):
    """An input could not be read now, but a later attempt may work."""

    retryable = True


class DuplicateDocument(IngestError):
    """The same bytes came in twice in one run (two sources, or one URL listed twice)."""


class DecodeError(BroadsheetError):
    """The raw bytes are not text that can be read."""

    stage = "decode"


class EmptyDocument(DecodeError):
    """The input has no bytes, or only white space."""


class BinaryDocument(DecodeError):
    """The input holds NUL bytes or control characters: it is not text."""


class UndecodableDocument(DecodeError):
    """No character encoding fits the bytes."""


class UnsupportedMediaType(DecodeError):
    """The input is not a kind of document broadsheet reads (e.g. a PDF or an image)."""


class DocumentTooLarge(DecodeError):
    """The input is larger than the configured limit."""


class ParseError(BroadsheetError):
    """The text holds no article that can be recognised."""

    stage = "parse"


class NoArticleFound(ParseError):
    """No title and body could be found in the text."""


class LimitExceeded(ParseError):
    """The document exceeds a configured limit (comments, thread depth)."""


class RecordInvalid(BroadsheetError):
    """An extracted record does not satisfy its schema."""

    stage = "validate"


class PublishError(BroadsheetError):
    """A release could not be written."""

    stage = "publish"


class OutputLocked(PublishError):
    """Another run is publishing into the same output location."""


class CatalogError(PublishError):
    """catalog.json is missing, truncated or corrupt."""


class DownloadError(BroadsheetError):
    """A published release, or one file of it, could not be fetched or read."""

    stage = "publish"


class TransientDownloadError(DownloadError):
    """The server failed for now (5xx, 429, a timeout): trying again later may work."""

    retryable = True


class UnsafeCatalog(DownloadError):
    """A catalog names a path that would leave the destination folder, or another host."""


class ChecksumMismatch(DownloadError):
    """A downloaded file's size or SHA-256 is not the one the catalog names."""
