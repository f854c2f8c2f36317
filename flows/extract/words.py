"""Single words of a noun phrase: the closed word classes, possessives, role words, name particles.

The word classes are data (flows/data/, see SOURCES.md), read once at import. Answers about
one word depend on nothing but the word and the gazetteer, so they are kept per process.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import TypeVar

from flows.extract.gazetteer import Gazetteer, gazetteer
from flows.lexicon import read_lines, read_table

__all__ = [
    "CALENDAR",
    "COMPANY_HEADS",
    "CONNECTORS",
    "DEFINITE",
    "DETERMINERS",
    "GROUP_HEADS",
    "INDEFINITE",
    "INSTITUTION_HEADS",
    "INSTITUTION_WORDS",
    "MEMO_LIMIT",
    "NAME_SUFFIXES",
    "PARTICLES",
    "POSSESSIVE",
    "POSSESSIVE_PRONOUNS",
    "PRONOUNS",
    "ROLE_MODIFIERS",
    "UNKNOWN",
    "WEEKDAYS",
    "ends_with_role",
    "is_particle_name",
    "is_rank",
    "is_role_head",
    "is_role_word",
    "name_key",
    "near_number",
    "proper_modifiers",
    "remember",
    "strip_possessive",
    "words_having",
    "words_listed",
]


_T = TypeVar("_T")


def words_listed(name: str) -> frozenset[str]:
    return frozenset(read_lines(name))


def words_having(name: str, column: str, value: str) -> frozenset[str]:
    """The words of the table `name` whose `column` (one value, or a `|`-separated list) holds `value`."""
    return frozenset(row["word"] for row in read_table(name) if value in row[column].split("|"))


DETERMINERS = frozenset(row["word"] for row in read_table("determiners.csv"))
DEFINITE = words_having("determiners.csv", "class", "definite")
INDEFINITE = words_having("determiners.csv", "class", "indefinite")
POSSESSIVE_PRONOUNS = words_having("determiners.csv", "class", "possessive")
PARTICLES = words_listed("name_particles.txt")
CONNECTORS = words_having("phrase_connectives.csv", "uses", "joins")
NAME_SUFFIXES = words_listed("name_suffixes.txt")
POSSESSIVE = re.compile(r"^(?P<base>.+?)(?:['’]s|s['’])$")
PRONOUNS = words_listed("subject_pronouns.txt")
WEEKDAYS = words_having("calendar.csv", "kind", "weekday")
CALENDAR = frozenset(row["word"] for row in read_table("calendar.csv"))
ROLE_MODIFIERS = words_listed("role_modifiers.txt")
GROUP_HEADS = words_listed("group_heads.txt")
COMPANY_HEADS = words_having("institution_words.csv", "uses", "company")
INSTITUTION_HEADS = words_having("institution_words.csv", "uses", "head") | COMPANY_HEADS

# Answers that depend on nothing but their words and the gazetteer (read once per process) are
# kept per process, each table forgotten when it grows past MEMO_LIMIT entries.
MEMO_LIMIT = 200_000
UNKNOWN = object()  # (not yet in a table that keeps None answers)


def remember(memo: dict[str, _T], key: str, value: _T) -> _T:
    if len(memo) >= MEMO_LIMIT:
        memo.clear()
    memo[key] = value
    return value


_POSSESSIVES: dict[str, tuple[str, bool]] = {}  # word -> `strip_possessive`


def strip_possessive(word: str) -> tuple[str, bool]:
    known = _POSSESSIVES.get(word)
    return known if known is not None else remember(_POSSESSIVES, word, _strip_possessive_of(word))


def _strip_possessive_of(word: str) -> tuple[str, bool]:
    match = POSSESSIVE.match(word)
    if match and len(match.group("base")) > 1:
        base = match.group("base")
        return (base + "s" if word.endswith(("s'", "s’")) and not word.endswith(("'s", "’s")) else base), True
    return word, False


# Answers about single words, which depend on nothing but the word and the gazetteer (read once per
# process): kept per process (see `remember`).
_ROLE_WORDS: dict[str, bool] = {}


def proper_modifiers(role: str | None) -> frozenset[str]:
    """The capitalised words of a role other than its head and honorifics: 'Republican' in
    'Republican presidential nominee', 'Vermont' in 'the Vermont senator'."""
    if not role:
        return frozenset()
    g = gazetteer()
    return frozenset(w.lower() for w in role.replace("-", " ").split()
                     if w[:1].isupper() and not is_role_head(w.lower(), g) and w.lower() not in g.honorifics
                     and w.lower() + "." not in g.honorifics and w.lower() not in g.function_words)


def is_role_word(word: str, g: Gazetteer | None = None) -> bool:
    """Whether `word` names or modifies a role ('minister', 'deputy', 'Sen.')."""
    known = _ROLE_WORDS.get(word)
    if known is not None:
        return known
    if g is None:
        g = gazetteer()
    lower = word.lower().strip(".")
    answer = (is_role_head(lower, g) or lower in ROLE_MODIFIERS or lower + "." in g.honorifics
              or lower in g.honorifics
              or ("-" in lower and all(part in ROLE_MODIFIERS for part in lower.split("-"))))  # 'vice-presidential'
    return remember(_ROLE_WORDS, word, answer)


def ends_with_role(words: list[str], g: Gazetteer) -> bool:
    """Whether the words end with a known multi-word role ('secretary of state', 'chief of defence')."""
    lowered = [w.lower().strip(".") for w in words]
    return any(" ".join(lowered[k:]) in g.roles for k in range(len(lowered) - 1))


def is_role_head(word: str, g: Gazetteer) -> bool:
    """A noun that names a role ('minister', 'co-leader', 'spokeswoman')."""
    lower = word.lower().strip(".")
    return lower in g.roles or ("-" in lower and lower.rsplit("-", 1)[-1] in g.roles)


def is_particle_name(word: str) -> bool:
    """'al-Harbi', 'el-Sisi', 'bin-Salman': a name that starts with a lower-case particle."""
    head, _, rest = word.partition("-")
    return bool(rest) and head.lower() in PARTICLES and rest[:1].isupper()


INSTITUTION_WORDS = INSTITUTION_HEADS | words_having("institution_words.csv", "uses", "name")


def near_number(words: list[str], k: int) -> bool:
    """Whether the word at k stands next to a number ('March 4', '4 March')."""
    return any(0 <= j < len(words) and words[j][:1].isdigit() for j in (k - 1, k + 1))


@cache
def _ranks() -> frozenset[str]:
    g = gazetteer()
    words = {h.strip(".") for h in g.honorifics} | {e.lower() for e, _ in g.honorifics.values()}
    return frozenset(w.lower() for w in words)


def is_rank(word: str, g: Gazetteer) -> bool:
    """'Captain', 'General', 'Dr.': a rank or honorific, which an apposition may refine."""
    return word.lower().strip(".") in _ranks()


@cache
def name_key(word: str) -> str:
    """A surname as it is looked up: lower case, without diacritics ('Erdogan' is 'Erdoğan') or a
    particle joined by a hyphen ('Sisi' is 'el-Sisi')."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))
    head, joined, rest = folded.partition("-")
    return rest if joined and head in PARTICLES and rest else folded
