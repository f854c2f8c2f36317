"""The lexicons and gazetteers of the positions extractor, read from flows/data/.

Reporting verbs with their speech-act class, multi-word cues, countries and their
demonyms and capitals (our short English names, with every ISO 3166 name from
pycountry as an alias), organisations, role nouns and titles, honorifics, given
names with their usual gender, pronouns. Acronyms ('US', 'WHO') match as written;
other names match case-insensitively.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import pycountry

from flows.lexicon import read_lines, read_table

__all__ = ["Cue", "Gazetteer", "Organisation", "gazetteer"]


@dataclass(frozen=True, slots=True)
class Cue:
    """A reporting expression: its lemma, speech-act class, and how it attributes.

    `kind` is "verb" (a subject speaks), "prep" ("according to X"), "relay"
    ("quoted X as saying": the speaker is X, not the relaying subject), "noun" ("X's claim
    that …": the possessor speaks), or "attitude" ("X is worried that …").
    `speech` verbs report speech in any clause; other verbs ("offer", "seek",
    "reject") count only as the main verb of a sentence whose subject opens it.
    """

    lemma: str
    act: str
    kind: str
    speech: bool


@dataclass(frozen=True, slots=True)
class Organisation:
    """An organisation that speaks or that people speak for."""

    name: str
    kind: str
    country: str | None


def _is_acronym(alias: str) -> bool:
    """'US', 'WHO', 'EU', 'U.S.': matched as written, never lower-cased ('us', 'who')."""
    letters = alias.replace(".", "")
    return alias.isupper() and letters.isalpha() and len(letters) <= 6


_SEEN_LIMIT = 100_000
_UNSEEN = object()


@dataclass(frozen=True, slots=True)
class _Names:
    """A table of names: acronyms matched as written, other names case-insensitively."""

    exact: dict[str, str]
    folded: dict[str, str]
    # answers given so far (the same words are looked up again and again), forgotten past a limit
    seen: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)

    def get(self, text: str) -> str | None:
        found = self.seen.get(text, _UNSEEN)
        if found is not _UNSEEN:
            return found  # type: ignore[return-value]
        found = self.exact.get(text)
        if found is None and not _is_acronym(text):
            found = self.folded.get(text.lower())
        if len(self.seen) >= _SEEN_LIMIT:
            self.seen.clear()
        self.seen[text] = found
        return found

    def __contains__(self, text: str) -> bool:
        return self.get(text) is not None


def _names(pairs: list[tuple[str, str]], *, with_the: bool = False) -> _Names:
    exact: dict[str, str] = {}
    folded: dict[str, str] = {}
    for alias, value in pairs:
        forms = [alias]
        if with_the:
            forms += [alias[4:]] if alias.lower().startswith("the ") else ["the " + alias]
        for form in forms:
            if not form:
                continue
            if _is_acronym(form.removeprefix("the ")):
                exact.setdefault(form, value)
            else:
                folded.setdefault(form.lower(), value)
    return _Names(exact, folded)


@dataclass(frozen=True, slots=True)
class Gazetteer:
    verbs: dict[str, Cue]  # inflected form -> cue
    phrases: dict[tuple[str, ...], Cue]  # lower-case words -> cue
    max_phrase: int
    nouns: dict[str, tuple[Cue, str]]  # 'claim' -> (cue, complement: 'that' | 'to')
    attitudes: dict[str, tuple[Cue, frozenset[str]]]  # 'worried' -> (cue 'be worried', words that may follow)
    demonyms: _Names  # 'Russian' / 'U.S.' -> 'Russia' / 'United States'
    countries: _Names  # 'Russia' / 'the United States' -> 'Russia'
    capitals: _Names  # 'Moscow' -> 'Russia'
    organisations: _Names  # 'the Kremlin' / 'Kremlin' -> canonical name
    organisation_info: dict[str, Organisation]  # canonical name -> Organisation
    roles: dict[str, str]  # 'foreign minister' -> 'title' | 'noun'
    max_role: int
    honorifics: dict[str, tuple[str, str]]  # 'mr.' -> ('Mr.', 'm')
    given_names: dict[str, str]  # 'wendy' -> 'f'
    pronouns: dict[str, tuple[str, str]]  # 'he' -> ('m', 'sg')
    function_words: frozenset[str]
    not_labels: frozenset[str]  # 'Caption:', 'Note:': labels that name no speaker
    groups: dict[str, str | None]  # 'republicans' -> 'Republican Party' (members speaking as a group)
    role_classes: dict[str, tuple[str, ...]]  # 'diplomat' -> ('ambassador', 'envoy', ...)


def _iso_names(alpha2: str) -> list[str]:
    """ISO 3166 names of a country (pycountry): 'Russian Federation', 'Iran, Islamic Republic of'."""
    country = pycountry.countries.get(alpha_2=alpha2)
    if country is None:
        return []
    return [n for n in (getattr(country, a, None) for a in ("name", "official_name", "common_name")) if n]




@cache
def gazetteer() -> Gazetteer:
    """All lexicons, read once per process."""
    verbs: dict[str, Cue] = {}
    for row in read_table("reporting_verbs.csv"):
        cue = Cue(row["lemma"], row["act"], "verb", row["clause"] == "any")
        for form in row["forms"].split("|"):
            verbs.setdefault(form.lower(), cue)
    phrases: dict[tuple[str, ...], Cue] = {}
    for row in read_table("cue_phrases.csv"):
        words = tuple(row["phrase"].lower().split())
        phrases[words] = Cue(row["lemma"], row["act"], row["kind"], True)
    nouns: dict[str, tuple[Cue, str]] = {}
    for row in read_table("reporting_nouns.csv"):
        for form in row["forms"].split("|"):
            nouns[form.lower()] = (Cue(row["lemma"], row["act"], "noun", True), row["complement"])
    attitudes = {
        row["adjective"]: (Cue(row["lemma"], row["act"], "attitude", False), frozenset(row["complement"].split("|")))
        for row in read_table("attitude_adjectives.csv")
    }
    country_pairs: list[tuple[str, str]] = []
    capital_pairs: list[tuple[str, str]] = []
    for row in read_table("countries.csv"):
        name = row["name"]
        country_pairs += [(alias, name) for alias in [name, *filter(None, row["aliases"].split("|"))]]
        country_pairs += [(alias, name) for alias in _iso_names(row["alpha2"])]
        capital_pairs += [
            (capital, name)
            for capital in [row["capital"], *filter(None, row.get("capital_aliases", "").split("|"))]
            if capital
        ]
    demonyms = _names([(row["demonym"], row["country"]) for row in read_table("demonyms.csv")])
    info: dict[str, Organisation] = {}
    org_pairs: list[tuple[str, str]] = []
    for row in read_table("organisations.csv"):
        canonical = row["name"].removeprefix("the ").removeprefix("The ")
        info.setdefault(canonical, Organisation(canonical, row["kind"], row["country"] or None))
        org_pairs += [(alias, canonical) for alias in [row["name"], *filter(None, row["aliases"].split("|"))]]
    roles = {row["role"].lower(): row["kind"] for row in read_table("roles.csv")}
    honorifics = {row["honorific"].lower(): (row["expansion"], row["gender"]) for row in read_table("honorifics.csv")}
    given = {row["name"].lower(): row["gender"] for row in read_table("first_names.csv")}
    pronouns = {row["pronoun"].lower(): (row["gender"], row["number"]) for row in read_table("pronouns.csv")}
    return Gazetteer(
        verbs=verbs,
        phrases=phrases,
        max_phrase=max((len(p) for p in phrases), default=1),
        nouns=nouns,
        attitudes=attitudes,
        demonyms=demonyms,
        countries=_names(country_pairs, with_the=True),
        capitals=_names(capital_pairs),
        organisations=_names(org_pairs, with_the=True),
        organisation_info=info,
        roles=roles,
        max_role=max((len(r.split()) for r in roles), default=1),
        honorifics=honorifics,
        given_names=given,
        pronouns=pronouns,
        function_words=frozenset(read_lines("function_words.txt")),
        not_labels=frozenset(read_lines("not_speaker_labels.txt")),
        groups={row["group"].lower(): row["affiliation"] or None for row in read_table("groups.csv")},
        role_classes={row["noun"]: tuple(row["covers"].split("|")) for row in read_table("role_classes.csv")},
    )
