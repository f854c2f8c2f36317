"""The lexicons and gazetteers under flows/data/ are data: check them like data."""

from __future__ import annotations

import re
from collections import Counter

import pycountry
import pytest

from flows.extract.gazetteer import gazetteer
from flows.lexicon import data_files, read_lines, read_table
from schemas import ACTS


def _unique(rows: tuple[dict[str, str], ...], column: str) -> None:
    counts = Counter(row[column] for row in rows)
    duplicates = [key for key, n in counts.items() if n > 1]
    assert not duplicates, f"duplicate {column}: {duplicates[:10]}"


def test_reporting_verbs() -> None:
    rows = read_table("reporting_verbs.csv")
    assert len(rows) >= 300
    _unique(rows, "lemma")
    forms: Counter[str] = Counter()
    for row in rows:
        assert row["act"] in ACTS and row["clause"] in ("any", "main"), row
        # 'state'/'states' are left out on purpose: in news they are the noun (see SOURCES.md)
        assert row["lemma"] in row["forms"].split("|") or row["lemma"] == "state", row
        assert row["sources"], row
        forms.update(set(row["forms"].split("|")))
    assert not [f for f, n in forms.items() if n > 1], "an inflected form belongs to two lemmas"
    verbs = gazetteer().verbs
    assert verbs["said"].speech and not verbs["offered"].speech and not verbs["agreed"].speech
    for form, lemma, act in [("said", "say", "assertive"), ("told", "tell", "assertive"),
                             ("sought", "seek", "directive"), ("threatened", "threaten", "commissive"),
                             ("denounced", "denounce", "expressive"), ("urges", "urge", "directive")]:
        assert (verbs[form].lemma, verbs[form].act) == (lemma, act)


def test_cue_phrases() -> None:
    rows = read_table("cue_phrases.csv")
    _unique(rows, "phrase")
    for row in rows:
        assert row["act"] in ACTS and row["kind"] in ("verb", "prep", "relay"), row
    phrases = gazetteer().phrases
    assert phrases[("made", "clear")].lemma == "make clear"
    assert phrases[("according", "to")].kind == "prep"


def test_reporting_nouns() -> None:
    rows = read_table("reporting_nouns.csv")
    _unique(rows, "noun")
    verbs = {row["lemma"]: row["act"] for row in read_table("reporting_verbs.csv")}
    verbs |= {row["lemma"]: row["act"] for row in read_table("cue_phrases.csv")}  # 'call for'
    forms: Counter[str] = Counter()
    for row in rows:
        # every noun is the nominalisation of a reporting verb or phrase, with its lemma and act
        assert verbs.get(row["lemma"]) == row["act"], row
        assert row["complement"] in ("that", "to", "for") and row["noun"] in row["forms"].split("|"), row
        forms.update(row["forms"].split("|"))
    assert not [f for f, n in forms.items() if n > 1]
    nouns = gazetteer().nouns
    assert nouns["claim"][0].lemma == "claim" and nouns["claim"][0].kind == "noun"
    assert nouns["warnings"][0].lemma == "warn" and nouns["pledge"] == (nouns["pledge"][0], "to")


def test_attitude_adjectives() -> None:
    rows = read_table("attitude_adjectives.csv")
    _unique(rows, "adjective")
    for row in rows:
        assert row["act"] in ACTS and row["lemma"].startswith("be "), row
        assert row["complement"] and all(w.isalpha() and w.islower() for w in row["complement"].split("|")), row
    attitudes = gazetteer().attitudes
    assert attitudes["sceptical"][0] == attitudes["skeptical"][0]
    assert attitudes["willing"][0].act == "commissive" and "to" in attitudes["willing"][1]
    assert "that" in attitudes["worried"][1] and attitudes["worried"][0].kind == "attitude"


def test_countries_and_demonyms_agree_with_iso_3166() -> None:
    countries = read_table("countries.csv")
    _unique(countries, "alpha2")
    names = {row["name"] for row in countries}
    for row in countries:
        assert row["alpha2"] == "XK" or pycountry.countries.get(alpha_2=row["alpha2"]) is not None, row
    demonyms = read_table("demonyms.csv")
    _unique(demonyms, "demonym")
    by_code = {row["alpha2"]: row["name"] for row in countries}
    for row in demonyms:
        assert row["country"] in names and by_code[row["alpha2"]] == row["country"], row
    g = gazetteer()
    assert g.demonyms.get("Russian") == "Russia" and g.demonyms.get("U.S.") == "United States"
    assert g.countries.get("Türkiye") == "Turkey"


def test_acronyms_are_matched_as_written() -> None:
    g = gazetteer()
    assert g.countries.get("US") == "United States" and g.countries.get("us") is None
    assert g.organisations.get("WHO") is not None and g.organisations.get("who") is None
    assert g.organisations.get("the EU") == "European Union"


def test_organisations_roles_honorifics_names() -> None:
    orgs = read_table("organisations.csv")
    _unique(orgs, "name")
    kinds = {"international", "government", "ministry", "legislature", "court", "party", "military", "ngo",
             "company", "agency_news", "armed_group", "other"}
    countries = {row["name"] for row in read_table("countries.csv")}
    for row in orgs:
        assert row["kind"] in kinds and (not row["country"] or row["country"] in countries), row
    roles = read_table("roles.csv")
    _unique(roles, "role")
    assert all(row["kind"] in ("title", "noun") and row["role"] == row["role"].lower() for row in roles)
    _unique(read_table("honorifics.csv"), "honorific")
    names = read_table("first_names.csv")
    _unique(names, "name")
    assert all(row["gender"] in ("m", "f", "u") for row in names)
    assert gazetteer().given_names["wendy"] == "f" and gazetteer().given_names["dana"] == "u"


@pytest.mark.parametrize("name", ["chrome.txt", "comment_interface.txt", "abbreviations.txt", "function_words.txt"])
def test_word_lists(name: str) -> None:
    entries = read_lines(name)
    assert entries and len(entries) == len(set(entries)), f"{name} has duplicates"
    for entry in entries:
        if entry.startswith("re:"):
            re.compile(entry[3:].strip())


def test_every_data_file_is_documented() -> None:
    from importlib import resources

    sources = (resources.files("flows.data") / "SOURCES.md").read_text(encoding="utf-8")
    for name in data_files():
        assert name in sources, f"{name} is not described in flows/data/SOURCES.md"


#: The word classes of the noun-phrase reader (flows/extract/words.py): file -> the values its
#: class or list column may hold (None for a plain list).
WORD_CLASSES: dict[str, tuple[str, set[str]] | None] = {
    "calendar.csv": ("kind", {"weekday", "month"}),
    "determiners.csv": ("class", {"definite", "possessive", "indefinite", "neither"}),
    "group_heads.txt": None,
    "institution_words.csv": ("uses", {"head", "company", "name", "agency_head", "agency_word", "owned",
                                       "any_organisation", "seat"}),
    "legal_forms.txt": None,
    "name_particles.txt": None,
    "name_suffixes.txt": None,
    "phrase_connectives.csv": ("uses", {"joins", "ends_compound", "post_modifier", "in_name", "small_in_name"}),
    "role_modifiers.txt": None,
    "source_words.csv": ("class", {"head", "modifier"}),
    "subject_pronouns.txt": None,
}


@pytest.mark.parametrize("name", sorted(WORD_CLASSES))
def test_word_classes_are_sorted_lower_case_and_known(name: str) -> None:
    column = WORD_CLASSES[name]
    if column is None:
        words = list(read_lines(name))
    else:
        rows = read_table(name)
        words = [row["word"] for row in rows]
        key, values = column
        for row in rows:
            assert row[key] and set(row[key].split("|")) <= values, row
    assert words and words == sorted(words) and len(words) == len(set(words)), f"{name}: sorted, unique"
    assert all(w == w.lower() and w.strip() == w and " " not in w for w in words), name


def test_institution_kinds_are_organisation_kinds() -> None:
    kinds = {row["kind"] for row in read_table("organisations.csv")}
    for row in read_table("institution_words.csv"):
        assert not row["kinds"] or set(row["kinds"].split("|")) <= kinds, row


def test_word_classes_agree_with_the_gazetteer() -> None:
    g = gazetteer()
    pronouns = read_lines("subject_pronouns.txt")
    assert all(p in g.pronouns or p.upper() in g.pronouns for p in pronouns)
    # a particle is never a role word, and a group head never modifies a role
    assert not set(read_lines("name_particles.txt")) & set(g.roles)
    assert not set(read_lines("group_heads.txt")) & set(read_lines("role_modifiers.txt"))


def test_attribution_words() -> None:
    from importlib import resources

    from flows.extract.cues import word_class

    rows = read_table("attribution_words.csv")
    _unique(rows, "word")
    assert [r["word"] for r in rows] == sorted(r["word"] for r in rows)
    sources = (resources.files("flows.data") / "SOURCES.md").read_text(encoding="utf-8")
    section = sources.split("## attribution_words.csv", 1)[1]
    for row in rows:
        assert row["word"] == row["word"].lower() and row["classes"], row
        for name in row["classes"].split("|"):
            assert f"`{name}`" in section, f"class {name} is not described in SOURCES.md"
    assert "said" not in word_class("be") and "was" in word_class("be")
    assert "study" in word_class("work") and "tweets" in word_class("medium")
    with pytest.raises(KeyError):
        word_class("no such class")
