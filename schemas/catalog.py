"""The catalog of an output location (`<out>/catalog.json`), as published and as downloaded.

The contract (v1, kept by v2) fixes `latest` and, per release, `id`, `created_at`, `path`
and `datasets` with their `rows` and `files` (`path`, `format`, `bytes`, `sha256`);
paths are relative to the output location. The other fields are additions; v2 adds
`contract_version` and the release diff (`ReleaseDiff`, published as `changes.json`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "Catalog",
    "CatalogFile",
    "CatalogRelease",
    "ChangedRecord",
    "DatasetEntry",
    "FileFormat",
    "RELEASE_ID_PATTERN",
    "RecordChanges",
    "RecordDiff",
    "ReleaseChanges",
    "ReleaseDiff",
    "safe_relative_path",
]

#: What a release id looks like: `20260127T101500Z-1a2b3c4d` (UTC time, then 8 hex digits of its inputs).
RELEASE_ID_PATTERN = r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$"


def safe_relative_path(value: str) -> str:
    """`value` if it is a relative POSIX path that stays inside its base; raise ValueError otherwise."""
    if not value or value.startswith(("/", "\\")) or "\\" in value or ":" in value.split("/")[0]:
        raise ValueError(f"path {value!r} must be relative to the output location")
    parts = value.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"path {value!r} must not contain '..', '.' or empty parts")
    return value


#: The formats of published files.
FileFormat = Literal["parquet", "jsonl", "json", "markdown", "html"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class CatalogFile(_Model):
    """One published file."""

    path: Annotated[str, Field(description="Path relative to the output location.")]
    format: FileFormat
    bytes: Annotated[int, Field(ge=0)]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]

    _check_path = field_validator("path")(safe_relative_path)


class DatasetEntry(_Model):
    """One dataset of a release: its row count and its files."""

    rows: Annotated[int, Field(ge=0)]
    files: list[CatalogFile]


class RecordChanges(_Model):
    """How the records of one dataset changed between two releases, in numbers.

    `before = removed + changed + unchanged` and `after = added + changed + unchanged`.
    """

    before: Annotated[int, Field(ge=0)] = Field(default=0, description="Records in the older release.")
    after: Annotated[int, Field(ge=0)] = Field(default=0, description="Records in the newer release.")
    added: Annotated[int, Field(ge=0)] = Field(default=0, description="Records only the newer release holds.")
    removed: Annotated[int, Field(ge=0)] = Field(default=0, description="Records only the older release holds.")
    changed: Annotated[int, Field(ge=0)] = Field(
        default=0, description="Records in both whose content differs (see `flows.release.diff` for what content is)."
    )
    unchanged: Annotated[int, Field(ge=0)] = Field(default=0, description="Records in both, with the same content.")


class ReleaseChanges(_Model):
    """What changed since the previous release: documents and rows."""

    previous: str | None = Field(default=None, description="The release this one was compared with.")
    documents_added: Annotated[int, Field(ge=0)] = 0
    documents_changed: Annotated[int, Field(ge=0)] = Field(
        default=0, description="Inputs at the same source and URI whose bytes changed."
    )
    documents_removed: Annotated[int, Field(ge=0)] = 0
    documents_unchanged: Annotated[int, Field(ge=0)] = 0
    documents_parsed: Annotated[int, Field(ge=0)] = Field(
        default=0, description="Inputs parsed by this run; the records of the others were carried forward."
    )
    reparsed: str | None = Field(
        default=None, description="Why every input was parsed again (e.g. the pipeline changed), if it was."
    )
    rows: dict[str, int] = Field(default_factory=dict, description="Change in rows per dataset.")
    records: dict[str, RecordChanges] = Field(
        default_factory=dict,
        description="(added in contract v2) Articles, positions and comments added, removed, changed and "
        "unchanged; the ids are in the release's changes.json.",
    )


class ChangedRecord(_Model):
    """A record in both releases whose content differs: its id now, and its id before."""

    id: str = Field(description="The record's id in the newer release.")
    previous_id: str = Field(
        description="Its id in the older release: the same id, or the id it had before its document was "
        "edited (ids derive from the document's bytes)."
    )


class RecordDiff(RecordChanges):
    """How the records of one dataset changed, with the ids (sorted)."""

    added_ids: list[str] = Field(default_factory=list, description="Ids of the records added.")
    removed_ids: list[str] = Field(default_factory=list, description="Ids of the records removed.")
    changed_ids: list[ChangedRecord] = Field(default_factory=list, description="The records changed.")

    def counts(self) -> RecordChanges:
        """The numbers alone."""
        return RecordChanges.model_validate(self.model_dump(include=set(RecordChanges.model_fields)))


class ReleaseDiff(_Model):
    """`changes.json` (contract v2): what changed between two releases, input by input and record by record."""

    contract_version: str = Field(description="The data contract version the file follows.")
    release: str = Field(description="The newer release.")
    previous: str | None = Field(description="The older release; null for a first release (nothing changed).")
    inputs: ReleaseChanges = Field(description="Inputs (documents) added, changed, removed and unchanged.")
    datasets: dict[str, RecordDiff] = Field(
        default_factory=dict, description="Articles, positions and comments: counts and ids."
    )


class CatalogRelease(_Model):
    """One release in the catalog."""

    id: Annotated[str, Field(pattern=RELEASE_ID_PATTERN)]
    created_at: AwareDatetime
    path: str
    datasets: dict[str, DatasetEntry]
    fingerprint: str | None = Field(default=None, description="Hash of the inputs and the pipeline version.")
    pipeline_version: str | None = None
    contract_version: str | None = Field(
        default=None, description="(added in contract v2) The data contract version the release follows; "
        "null: v1."
    )
    pipeline_fingerprint: str | None = Field(
        default=None, description="Hash of the parsing code and data; records are carried forward only "
        "from a release made by the same pipeline."
    )
    notes: str | None = Field(default=None, description="What changed since the previous release, in words.")
    changes: ReleaseChanges | None = None
    sources: list[str] = Field(default_factory=list)
    metadata: list[CatalogFile] = Field(
        default_factory=list,
        description="datapackage.json and README.md of the release, and (contract v2) index.html and changes.json.",
    )

    _check_path = field_validator("path")(safe_relative_path)

    @model_validator(mode="after")
    def _files_inside_release(self) -> CatalogRelease:
        for file in self.files():
            if not file.path.startswith(self.path + "/"):
                raise ValueError(f"file {file.path!r} lies outside its release folder {self.path!r}")
        return self

    def files(self) -> list[CatalogFile]:
        """Every file of the release: each dataset's files, then datapackage.json and README.md."""
        return [file for entry in self.datasets.values() for file in entry.files] + list(self.metadata)


class Catalog(_Model):
    """`catalog.json`: every release still on offer, the newest named by `latest`."""

    latest: str | None
    releases: list[CatalogRelease]

    def release(self, release_id: str | None = None) -> CatalogRelease:
        """The release `release_id`, or the latest one."""
        wanted = release_id or self.latest
        for release in self.releases:
            if release.id == wanted:
                return release
        known = ", ".join(r.id for r in self.releases) or "none"
        raise KeyError(f"release {wanted!r} is not in the catalog (known: {known})")

