"""The published records: the single source of truth for every dataset.

Each model is one row of one dataset. The Arrow schemas (`schemas.arrow`), the JSON
Schema files (`schemas/json/`), the Frictionless Table Schemas in `datapackage.json`
and the field tables of the dataset card are all derived from these models and
their field descriptions; nothing else describes the published fields.

The minimum every release holds is fixed by the data contract (CONTRACT.md, v1);
fields marked "(added)" in their description go beyond it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "ACTOR_KINDS",
    "ACTS",
    "CONTRACT_VERSION",
    "DATASETS",
    "STAGES",
    "Actor",
    "Article",
    "Comment",
    "Document",
    "Position",
    "Record",
    "Reject",
]

#: The five speech-act classes (Searle) a position's cue belongs to.
ACTS = ("assertive", "directive", "commissive", "expressive", "declarative")
#: What a position's actor is (see `Position.actor_kind`).
ACTOR_KINDS = ("person", "organisation", "country", "group", "description")
#: The version of the published data contract (docs/CONTRACT-v2.md) that releases follow.
CONTRACT_VERSION = "2"
#: The pipeline stages a reject can come from.
STAGES = ("ingest", "decode", "parse", "validate", "publish")

Act = Literal["assertive", "directive", "commissive", "expressive", "declarative"]
ActorKind = Literal["person", "organisation", "country", "group", "description"]
Stage = Literal["ingest", "decode", "parse", "validate", "publish"]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
RecordId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
NonEmpty = Annotated[str, Field(min_length=1)]
Offset = Annotated[int, Field(ge=0)]


class Record(BaseModel):
    """Base of every published record: strict, immutable, timestamps in UTC."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: The dataset (file stem) the records of this model are published as.
    dataset: ClassVar[str]
    #: The field(s) that identify a record within its dataset.
    primary_key: ClassVar[tuple[str, ...]] = ()
    #: (field, dataset, field) references to other datasets.
    foreign_keys: ClassVar[tuple[tuple[str, str, str], ...]] = ()
    #: One sentence on what a record is, for the dataset card and datapackage.json.
    about: ClassVar[str]
    #: Whether the dataset is computed at publish time from the other datasets of the release
    #: (never by the parser, never carried forward: it is computed anew for every release).
    derived: ClassVar[bool] = False

    @field_validator("*", mode="after")
    @classmethod
    def _utc(cls, value: Any) -> Any:
        if isinstance(value, datetime):
            return value.astimezone(UTC)
        return value


CharStart = Annotated[
    int,
    Field(
        ge=0,
        description="0-based offset in `documents.text` where the passage this record was extracted "
        "from starts.",
    ),
]
CharEnd = Annotated[
    int,
    Field(
        ge=0,
        description="End-exclusive offset in `documents.text` where the passage ends "
        "(`char_start < char_end`).",
    ),
]


class _Span(Record):
    """A record that points at a passage of its document's text (`char_start`, `char_end`)."""

    @model_validator(mode="after")
    def _span_is_ordered(self) -> _Span:
        start, end = getattr(self, "char_start"), getattr(self, "char_end")  # noqa: B009
        if start >= end:
            raise ValueError(f"char_start ({start}) must be smaller than char_end ({end})")
        return self


class Document(Record):
    """One ingested raw input: provenance and lineage for everything extracted from it."""

    dataset: ClassVar[str] = "documents"
    primary_key: ClassVar[tuple[str, ...]] = ("document_id",)
    about: ClassVar[str] = "One row per ingested raw input, with its decoded text (provenance and lineage)."

    document_id: Sha256 = Field(description="SHA-256 (hex) of the raw bytes as ingested.")
    source: NonEmpty = Field(description="Name of the source (ingestor configuration) that produced it.")
    uri: NonEmpty = Field(description="Where the raw input came from (a file:// or http(s):// URI).")
    media_type: NonEmpty = Field(description="Media type of the raw input, e.g. `text/plain`.")
    fetched_at: AwareDatetime = Field(description="When the raw input was read or fetched (UTC).")
    encoding: NonEmpty = Field(description="(added) Character encoding the raw bytes were decoded from.")
    size_bytes: Offset = Field(description="(added) Size of the raw input in bytes.")
    text: str = Field(description="The decoded text, line endings normalised to `\\n`.")


class Article(_Span):
    """One article found in a document."""

    dataset: ClassVar[str] = "articles"
    primary_key: ClassVar[tuple[str, ...]] = ("article_id",)
    foreign_keys: ClassVar[tuple[tuple[str, str, str], ...]] = (("document_id", "documents", "document_id"),)
    about: ClassVar[str] = "One row per article found in a document: metadata, lede, sections and body."

    article_id: RecordId = Field(description="Stable id: the same input gives the same id on every run.")
    document_id: Sha256 = Field(description="The document the article was found in.")
    source: NonEmpty = Field(description="Name of the source the document came from.")
    uri: NonEmpty = Field(description="URI of the document.")
    title: NonEmpty = Field(description="The headline.")
    publisher: str | None = Field(
        default=None, description="Publisher, from a copyright line such as '(c) The Moscow Times'."
    )
    credits: list[NonEmpty] = Field(
        default_factory=list,
        description="Agencies and people credited (bylines, 'AFP contributed reporting.'), in order.",
    )
    published_at: AwareDatetime | None = Field(
        default=None, description="When the article was published (UTC), if the text says."
    )
    language: str | None = Field(
        default=None, description="Language of the article as an ISO 639-1 code, if detected."
    )
    lede: str = Field(description="The first body paragraph (a dateline, if any, stays at its start).")
    sections: list[NonEmpty] = Field(
        default_factory=list, description="Section headings of the body, in document order."
    )
    body: str = Field(description="The article text without title, page furniture and comments.")
    position_count: Offset = Field(description="Number of positions extracted from the article.")
    comment_count: Offset = Field(description="Number of reader comments attached to the article.")
    char_start: CharStart
    char_end: CharEnd


class Position(_Span):
    """One attributed statement: who said what, with which speech act."""

    dataset: ClassVar[str] = "positions"
    primary_key: ClassVar[tuple[str, ...]] = ("position_id",)
    foreign_keys: ClassVar[tuple[tuple[str, str, str], ...]] = (("article_id", "articles", "article_id"),)
    about: ClassVar[str] = (
        "One row per attributed statement (who said what): at most one per actor per paragraph or bullet."
    )

    position_id: RecordId = Field(description="Stable id: the same input gives the same id on every run.")
    article_id: RecordId = Field(description="The article the statement appears in.")
    document_id: Sha256 = Field(description="(added) The document the article was found in.")
    ordinal: Annotated[int, Field(ge=1)] = Field(description="1-based order of the position in its article.")
    topic: str | None = Field(default=None, description="The nearest preceding section heading, if any.")
    actor: NonEmpty = Field(
        description="The speaker's fullest name in the article (e.g. 'Wendy Sherman' for 'Sherman'), "
        "or the canonical name of an organisation or country."
    )
    actor_role: str | None = Field(
        default=None, description="The speaker's role or title, e.g. 'Deputy Secretary of State'."
    )
    actor_affiliation: str | None = Field(
        default=None,
        description="The country (short English name, e.g. 'United States') or organisation the "
        "speaker represents.",
    )
    actor_kind: ActorKind | None = Field(
        default=None,
        description="(added) What the actor is: person; organisation (a company, agency, party, court, "
        "outlet or other body); country (a country or its government); group (people named by what they "
        "are, e.g. 'officials', 'analysts at Goldman Sachs'); description (a speaker the text describes "
        "but does not name, e.g. 'a source close to the talks').",
    )
    actor_mention: str | None = Field(
        default=None,
        description="(added) The speaker as this passage writes it (e.g. 'Sherman', 'the deputy secretary', "
        "'she'): an alias of the actor.",
    )
    cue: NonEmpty = Field(
        description="Lemma of the reporting expression, e.g. 'threaten', 'make clear', 'according to'."
    )
    act: Act = Field(description="Speech-act class of the cue: " + ", ".join(ACTS) + ".")
    negated: bool = Field(
        default=False,
        description="(added) The cue is negated or a refusal to comment ('did not say whether', 'declined to "
        "comment', 'Neither X nor Y commented'): the passage reports that the actor withheld a statement.",
    )
    text: NonEmpty = Field(description="The passage (paragraph or bullet) the statement was extracted from.")
    quotes: list[NonEmpty] = Field(
        default_factory=list, description="Direct quotations by the actor in the passage, without quote marks."
    )
    char_start: CharStart
    char_end: CharEnd


class Comment(_Span):
    """One reader comment, threaded."""

    dataset: ClassVar[str] = "comments"
    primary_key: ClassVar[tuple[str, ...]] = ("comment_id",)
    foreign_keys: ClassVar[tuple[tuple[str, str, str], ...]] = (
        ("article_id", "articles", "article_id"),
        ("parent_id", "comments", "comment_id"),
    )
    about: ClassVar[str] = "One row per reader comment, threaded by parent_id and depth."

    comment_id: RecordId = Field(description="Stable id: the same input gives the same id on every run.")
    article_id: RecordId = Field(description="The article the comment was posted under.")
    document_id: Sha256 = Field(description="(added) The document the comment was found in.")
    parent_id: RecordId | None = Field(
        default=None, description="The comment this one replies to; null for a top-level comment."
    )
    depth: Offset = Field(description="Nesting depth: 0 for a top-level comment, parent's depth + 1 for a reply.")
    ordinal: Annotated[int, Field(ge=1)] = Field(description="1-based order of the comment in its article.")
    author: str | None = Field(default=None, description="The commenter's name as shown, if any.")
    posted_at: AwareDatetime | None = Field(
        default=None, description="When the comment was posted (UTC), if the page says."
    )
    posted_at_text: str | None = Field(
        default=None, description="(added) The posting time as written, e.g. '2 hours ago'."
    )
    text: str = Field(
        description="The commenter's own words, without quoted passages and interface lines "
        "('Reply', 'Liked by …')."
    )
    quotes: list[NonEmpty] = Field(
        default_factory=list, description="Passages the comment quotes from the article or from other people."
    )
    quotes_article: list[bool] = Field(
        default_factory=list,
        description="(added) For each entry of `quotes`, whether it repeats the article's text.",
    )
    likes: Offset | None = Field(default=None, description="Number of likes shown, if the page shows them.")
    char_start: CharStart
    char_end: CharEnd

    @model_validator(mode="after")
    def _quote_flags_align(self) -> Comment:
        if self.quotes_article and len(self.quotes_article) != len(self.quotes):
            raise ValueError("quotes_article must have one flag per entry of quotes")
        return self


class Actor(Record):
    """One canonical actor: a distinct `positions.actor`, with what its positions say about it."""

    dataset: ClassVar[str] = "actors"
    primary_key: ClassVar[tuple[str, ...]] = ("actor_id",)
    derived: ClassVar[bool] = True
    about: ClassVar[str] = (
        "One row per canonical actor (a distinct `positions.actor`), aggregated over "
        "its positions: kind, roles, affiliations, the aliases it is written as, when it was first and last "
        "seen, and its number of positions."
    )

    actor_id: RecordId = Field(
        description="Stable id derived from `name` alone: the same name has the same id in every release."
    )
    name: NonEmpty = Field(
        description="The canonical name, exactly as in `positions.actor` (join the two on it). Speakers the "
        "text describes but does not name ('a source close to the talks') are grouped by their wording."
    )
    kind: ActorKind | None = Field(
        default=None,
        description="What the actor is (see `positions.actor_kind`): the kind its positions give most often "
        "(ties: person, organisation, country, group, description, in that order); null when none says.",
    )
    roles: list[NonEmpty] = Field(
        default_factory=list,
        description="The distinct `positions.actor_role` values of its positions, most frequent first.",
    )
    affiliations: list[NonEmpty] = Field(
        default_factory=list,
        description="The distinct `positions.actor_affiliation` values of its positions, most frequent first.",
    )
    aliases: list[NonEmpty] = Field(
        default_factory=list,
        description="The distinct ways the text writes the actor (`positions.actor_mention`: 'Sherman', "
        "'the deputy secretary', 'she'), most frequent first; empty when the extractor recorded none.",
    )
    first_seen: AwareDatetime = Field(
        description="When the actor was first seen: the earliest date of an article with a position by the "
        "actor, that date being the article's `published_at` when the text gives it, else the `fetched_at` "
        "of the article's document (UTC)."
    )
    last_seen: AwareDatetime = Field(
        description="When the actor was last seen: the latest such date (see `first_seen`)."
    )
    position_count: Annotated[int, Field(ge=1)] = Field(description="Number of positions by the actor.")

    @model_validator(mode="after")
    def _seen_in_order(self) -> Actor:
        if self.first_seen > self.last_seen:
            raise ValueError(f"first_seen ({self.first_seen}) must not be after last_seen ({self.last_seen})")
        return self


class Reject(Record):
    """An input or record that failed, with a reason a person can act on."""

    dataset: ClassVar[str] = "rejects"
    about: ClassVar[str] = "One row per input or record that failed, with the stage and a reason."

    document_id: Sha256 | None = Field(default=None, description="The document, when its bytes were read.")
    source: NonEmpty = Field(description="Name of the source the input came from.")
    uri: NonEmpty = Field(description="URI of the input.")
    stage: Stage = Field(description="Stage that rejected it: " + ", ".join(STAGES) + ".")
    error: NonEmpty = Field(description="Short class name of the error, e.g. `EmptyDocument`.")
    message: NonEmpty = Field(description="What went wrong and how to fix it, in a sentence.")


#: The published datasets, in publication order, and the model of each.
DATASETS: dict[str, type[Record]] = {
    model.dataset: model for model in (Document, Article, Position, Comment, Actor, Reject)
}
