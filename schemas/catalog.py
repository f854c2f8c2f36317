"""The catalog of an output location (`<out>/catalog.json`), as published and as downloaded.

The contract (v1) fixes `latest` and, per release, `id`, `created_at`, `path` and
`datasets` with their `rows` and `files` (`path`, `format`, `bytes`, `sha256`);
paths are relative to the output location. The other fields are additions.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "Catalog",
    "CatalogFile",
    "CatalogRelease",
    "DatasetEntry",
    "FileFormat",
    "RELEASE_ID_PATTERN",
    "ReleaseChanges",
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
FileFormat = Literal["parquet", "jsonl", "json", "markdown"]


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


class CatalogRelease(_Model):
    """One release in the catalog."""

    id: Annotated[str, Field(pattern=RELEASE_ID_PATTERN)]
    created_at: AwareDatetime
    path: str
    datasets: dict[str, DatasetEntry]
    fingerprint: str | None = Field(default=None, description="Hash of the inputs and the pipeline version.")
    pipeline_version: str | None = None
    pipeline_fingerprint: str | None = Field(
        default=None, description="Hash of the parsing code and data; records are carried forward only "
        "from a release made by the same pipeline."
    )
    notes: str | None = Field(default=None, description="What changed since the previous release, in words.")
    changes: ReleaseChanges | None = None
    sources: list[str] = Field(default_factory=list)
    metadata: list[CatalogFile] = Field(
        default_factory=list, description="datapackage.json and README.md of the release."
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

