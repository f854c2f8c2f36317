"""A deterministic corpus of news pages shaped like the dev set and the seed document.

    python -m bench.corpus OUT_DIR N [--seed S]

Document `i` depends only on the seed and `i` (not on N), so the corpus of 1,000
documents is the first 1,000 of the corpus of 100,000. Each document is a pasted
news page as broadsheet reads it: a headline, a byline and date line, a dateline
lede, sections with headings, paragraphs and "– " bullets in which speakers drawn
from pools of names, roles and countries say things (direct quotes, "X said",
"according to X", "“…,” said X"), a credit and a copyright line, then 0 to 500
reader comments with threads up to 8 deep in one of the layouts the parser supports:
WordPress.com (numbered comments, "•" replies, "Liked by N people"), WordPress.org
("Name says:" + date + "Reply", replies indented) and Disqus ("Name • 2 hours ago",
"Name  Parent • …" replies, "N likes • Reply • Share ›"). Lengths, sections, quote
styles and thread shapes vary; numbers, places and word choices make every
document's text distinct.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = ["document", "write_corpus"]

GIVEN = (
    "Wendy",
    "Sergei",
    "Annalena",
    "Rustem",
    "Katrin",
    "Dmitry",
    "Olena",
    "Antony",
    "Kaja",
    "Jens",
    "Maria",
    "Ahmed",
    "Li",
    "Fatima",
    "Pieter",
    "Lucía",
    "Kenji",
    "Amara",
    "Tomasz",
    "Ingrid",
    "Rosa",
    "Linda",
    "Samuel",
    "Nadia",
    "Hakan",
    "Elena",
    "David",
    "Mette",
    "Jorge",
    "Aiko",
)
SURNAMES = (
    "Sherman",
    "Ryabkov",
    "Baerbock",
    "Umerov",
    "Vogel",
    "Peskov",
    "Kovalenko",
    "Blinken",
    "Kallas",
    "Stoltenberg",
    "Lindqvist",
    "Haddad",
    "Wei",
    "Okafor",
    "Claes",
    "Restrepo",
    "Tanaka",
    "Diallo",
    "Nowak",
    "Berg",
    "Carver",
    "Moreau",
    "Santos",
    "Petrov",
    "Yilmaz",
    "Novak",
    "Keller",
    "Dumont",
    "Fischer",
    "Rossi",
    "Lupu",
    "Hofstad",
    "Demin",
    "Strada",
    "Ellis",
    "Kessler",
)
ROLES = (
    "Foreign Minister",
    "Deputy Foreign Minister",
    "Defence Minister",
    "Prime Minister",
    "President",
    "Deputy Secretary of State",
    "Secretary of State",
    "ambassador to the United Nations",
    "spokeswoman",
    "spokesman",
    "chief negotiator",
    "Finance Minister",
    "Energy Minister",
    "special envoy",
    "national security adviser",
    "Secretary-General",
)
COUNTRIES = (
    ("Russia", "Russian"),
    ("Ukraine", "Ukrainian"),
    ("Germany", "German"),
    ("France", "French"),
    ("the United States", "U.S."),
    ("Poland", "Polish"),
    ("Turkey", "Turkish"),
    ("China", "Chinese"),
    ("Japan", "Japanese"),
    ("Brazil", "Brazilian"),
    ("Nigeria", "Nigerian"),
    ("Estonia", "Estonian"),
    ("Norway", "Norwegian"),
    ("Colombia", "Colombian"),
    ("Egypt", "Egyptian"),
    ("India", "Indian"),
    ("Moldova", "Moldovan"),
    ("Sweden", "Swedish"),
    ("Italy", "Italian"),
    ("Spain", "Spanish"),
)
ORGANISATIONS = (
    "NATO",
    "the European Union",
    "the United Nations",
    "the Kremlin",
    "the State Department",
    "the World Food Programme",
    "the OSCE",
    "the IMF",
    "the Security Council",
    "the African Union",
)
CITIES = (
    "GENEVA",
    "BRUSSELS",
    "WASHINGTON",
    "MOSCOW",
    "KYIV",
    "BERLIN",
    "PARIS",
    "VIENNA",
    "ISTANBUL",
    "UNITED NATIONS",
    "WARSAW",
    "TOKYO",
    "NAIROBI",
    "BOGOTA",
    "OSLO",
)
AGENCIES = ("Reuters", "AFP", "AP", "DPA", "Bloomberg")
PUBLISHERS = (
    "The Moscow Times",
    "The Kyiv Independent",
    "Global Desk",
    "The Evening Ledger",
    "Meridian News",
)
TOPICS = (
    "sanctions",
    "the ceasefire",
    "grain exports",
    "troop movements",
    "energy prices",
    "the peace talks",
    "missile deployments",
    "frozen central bank assets",
    "refugee aid",
    "shipping in the Black Sea",
    "the gas pipeline",
    "border security",
    "election monitoring",
    "debt relief",
    "climate finance",
)
SUBJECTS = (
    "the talks",
    "the proposal",
    "the agreement",
    "the mission",
    "the corridor",
    "the deal",
    "the new package",
    "the summit",
    "the dialogue",
    "the plan",
)
PREDICATES = (
    "would not survive another winter",
    "was closer to collapse than at any time this year",
    "could be signed within weeks",
    "remained the only realistic option",
    "had been undermined by repeated strikes",
    "needed guarantees that nobody was ready to give",
    "would be reviewed at the next meeting",
    "was an absolute imperative",
    "left too many questions unanswered",
    "was a non-starter for the alliance",
    "deserved a fair hearing in the council",
    "would cost far more than anyone admitted",
)
VERBS = (
    "said",
    "warned",
    "told reporters",
    "insisted",
    "stressed",
    "added",
    "argued",
    "noted",
    "claimed",
    "threatened",
    "denied",
    "urged",
    "promised",
    "acknowledged",
    "reiterated",
)
EVENTS = (
    "A vessel carrying {n},000 tonnes of wheat reached the Bosporus after a voyage of {m} hours.",
    "Shipping data showed {m} bulk carriers leaving {city} in the first week of the month.",
    "Exports through the port reached about {n}.{m} million tonnes over the season.",
    "The session in {city} lasted more than {m} hours and ended without a joint statement.",
    "Some {n},000 troops remained stationed near the border, according to satellite images.",
    "Insurance premiums for ships bound for the region had risen {m} percent since {month}.",
    "Talks are due to resume on {weekday} in {city}, officials from both sides said.",
    "The committee voted {m} to {n} to extend the mandate until {month}.",
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
HANDLES = (
    "Lotte B.",
    "Karim S.",
    "gwen.okoro",
    "Nadia_R",
    "M. Haddad",
    "Tobias Lindqvist",
    "pjm1967",
    "Harriet Cole",
    "Dan W",
    "observer42",
    "Jana K.",
    "old_hand",
    "R. Alvarez",
    "Mika",
    "Sol Baptiste",
    "quietreader",
    "Ines Duarte",
    "T. Brandt",
    "kestrel",
    "Omar F.",
    "Beth Gale",
    "northwind",
)
COMMENT_SENTENCES = (
    "This is the same script as last year and nobody seems to notice.",
    "The interest on the assets is small change compared with what is needed.",
    "Sanctions only work if everyone enforces them, and half the council does not.",
    "I do not see how the corridor survives another winter without insurance guarantees.",
    "Fair point, but the alternative is worse for everyone involved.",
    "Nobody trusts the other side, and that is the whole problem in one sentence.",
    "The article leaves out who actually pays for the mine clearing.",
    "Every incident pushes the market a little further away from the corridor.",
    "Small steps are still steps, and they need no new treaty.",
    "Why would anyone believe a promise made under this kind of pressure?",
    "The reserve managers say there is nowhere else to go at that scale.",
    "It needs unanimity, which is the same problem under a different name.",
)


def _name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(GIVEN), rng.choice(SURNAMES)


def _fill(template: str, rng: random.Random, index: int) -> str:
    return template.format(
        n=rng.randint(2, 99),
        m=rng.randint(2, 60) + index % 7,
        city=rng.choice(CITIES).title(),
        month=rng.choice(MONTHS),
        weekday=rng.choice(WEEKDAYS),
    )


class _Cast:
    """The speakers of one article: introduced in full once, then by surname or pronoun."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.people = []
        for _ in range(rng.randint(2, 5)):
            given, surname = _name(rng)
            country, demonym = rng.choice(COUNTRIES)
            self.people.append(
                {
                    "given": given,
                    "surname": surname,
                    "role": rng.choice(ROLES),
                    "country": country,
                    "demonym": demonym,
                    "introduced": False,
                }
            )

    def mention(self) -> tuple[str, dict[str, object]]:
        person = self.rng.choice(self.people)
        if not person["introduced"]:
            person["introduced"] = True
            style = self.rng.randrange(3)
            if style == 0:
                return f"{person['demonym']} {person['role']} {person['given']} {person['surname']}", person
            if style == 1:
                return (
                    f"{person['given']} {person['surname']}, {person['country']}'s {person['role']},",
                    person,
                )
            return f"{person['given']} {person['surname']}", person
        return str(person["surname"]), person


def _statement(rng: random.Random, index: int) -> str:
    topic = rng.choice(TOPICS)
    return f"{rng.choice(SUBJECTS)} on {topic} {rng.choice(PREDICATES)}"


def _sentence(rng: random.Random, cast: _Cast, index: int) -> str:
    who, _ = cast.mention()
    what = _statement(rng, index)
    style = rng.randrange(7)
    if style == 0:
        return f"“{what[0].upper() + what[1:]},” {who} {rng.choice(('said', 'told reporters', 'added'))}."
    if style == 1:
        return f"{who} {rng.choice(VERBS)} that {what}."
    if style == 2:
        return f"According to {who.rstrip(',')}, {what}."
    if style == 3:
        return f"{who} {rng.choice(('said', 'warned', 'added'))}: “{what[0].upper() + what[1:]}.”"
    if style == 4:
        return f"“{what[0].upper() + what[1:]},” said {who.rstrip(',')}."
    if style == 5:
        return _fill(rng.choice(EVENTS), rng, index)
    return f"{who} {rng.choice(VERBS)} {rng.choice(TOPICS)}, saying “{what}.”"


def _paragraph(rng: random.Random, cast: _Cast, index: int) -> str:
    return " ".join(_sentence(rng, cast, index) for _ in range(rng.randint(1, 5)))


def _article(rng: random.Random, index: int) -> list[str]:
    cast = _Cast(rng)
    topic = rng.choice(TOPICS)
    country, _ = rng.choice(COUNTRIES)
    place = country.removeprefix("the ").title()
    title = f"{place} and Allies Clash Over {topic.title()} in Round {index % 97 + 2}"
    day, month, year = rng.randint(1, 28), rng.choice(MONTHS), rng.choice((2022, 2023, 2024))
    lines = []
    if rng.random() < 0.2:
        lines += ["Skip to content", ""]
    lines += [title, ""]
    reporters = " and ".join(f"{g} {s}" for g, s in (_name(rng) for _ in range(rng.randint(1, 2))))
    if rng.random() < 0.5:
        lines += [f"By {reporters}, {rng.choice(AGENCIES)} | {month} {day}, {year}", ""]
    else:
        lines += [
            f"By {reporters}",
            "",
            f"Published {rng.randint(7, 22)}:{rng.randint(0, 59):02d} GMT, {day} {month} {year}",
            "",
        ]
    lede = f"{rng.choice(CITIES)}, {month[:3]}. {day} — {_paragraph(rng, cast, index)}"
    lines += [lede, ""]
    # lengths vary: most articles are short, a few run long
    sections = min(12, int(rng.expovariate(1 / 2.5)))
    for _ in range(sections):
        if rng.random() < 0.7:
            lines += [
                f"{rng.choice(TOPICS).capitalize()} {rng.choice(('and the talks', 'ahead', 'in focus'))}",
                "",
            ]
        for _ in range(rng.randint(1, 5)):
            if rng.random() < 0.3:
                for _ in range(rng.randint(2, 4)):
                    who, _ = cast.mention()
                    lines += [f"– {who.rstrip(',')} {rng.choice(VERBS)} that {_statement(rng, index)}.", ""]
            else:
                lines += [_paragraph(rng, cast, index), ""]
    lines += [f"{rng.choice(AGENCIES)} contributed reporting.", "", f"(c) {rng.choice(PUBLISHERS)}", ""]
    return lines


def _comment_text(rng: random.Random, index: int) -> list[str]:
    paragraphs = []
    for _ in range(rng.choices((1, 2, 3), (6, 3, 1))[0]):
        words = [rng.choice(COMMENT_SENTENCES) for _ in range(rng.randint(1, 4))]
        if rng.random() < 0.3:
            words.append(f"That was {rng.randint(2, 40) + index % 11} days ago and nothing has changed.")
        paragraphs.append(" ".join(words))
    return paragraphs


def _tree(rng: random.Random, count: int) -> list[int]:
    """Depths of `count` comments in page order: each a reply to the previous or one of its
    ancestors, or a new top-level comment; never deeper than 8."""
    depths: list[int] = []
    for k in range(count):
        roll = rng.random()
        if k == 0 or roll < 0.3:
            depths.append(0)
        elif roll < 0.7:
            depths.append(min(8, depths[-1] + 1))  # a reply to the previous comment
        else:
            depths.append(rng.randint(1, min(8, depths[-1] + 1)))  # a reply further up the thread
    return depths


def _wordpress_com(rng: random.Random, depths: list[int], index: int) -> list[str]:
    lines = [""]
    number = 0
    for depth in depths:
        text = _comment_text(rng, index)
        if depth == 0:
            number += 1
            pad = "  "
            lines += [f"{pad}{number}. {text[0]}", ""]
            pad = "    "
        else:
            pad = " " * (2 + 2 * depth)
            lines += [f"{pad}• {text[0]}", ""]
            pad += "  "
        for para in text[1:]:
            lines += [f"{pad}{para}", ""]
        likes = rng.randrange(4)
        widget = "LikeLike" if likes == 0 else f"Liked by {likes} {'person' if likes == 1 else 'people'}"
        lines += [f"{pad}{widget}", ""]
    return lines


def _when(rng: random.Random) -> str:
    return (
        f"{rng.choice(MONTHS)} {rng.randint(1, 28)}, 2023 at {rng.randint(1, 12)}:{rng.randint(0, 59):02d} "
        f"{rng.choice(('am', 'pm'))}"
    )


def _wordpress_org(rng: random.Random, depths: list[int], index: int, title: str) -> list[str]:
    lines = [f"{len(depths)} thoughts on “{title}”", ""]
    for depth in depths:
        pad = "  " * depth
        lines += [f"{pad}{rng.choice(HANDLES)} says:", f"{pad}{_when(rng)}", ""]
        for para in _comment_text(rng, index):
            lines += [f"{pad}{para}", ""]
        lines += [f"{pad}Reply", ""]
    return lines


def _disqus(rng: random.Random, depths: list[int], index: int) -> list[str]:
    lines = [f"{len(depths)} Comments", "", "Sort by Best", ""]
    authors: list[str] = []  # author of the latest comment at each depth
    for depth in depths:
        author = rng.choice(HANDLES)
        while depth and author == authors[depth - 1]:
            author = rng.choice(HANDLES)
        del authors[depth:]
        authors.append(author)
        pad = "   " * (depth + 1)
        when = rng.choice(
            ("an hour ago", "a day ago", f"{rng.randint(2, 23)} hours ago", f"{rng.randint(2, 9)} days ago")
        )
        who = author if depth == 0 else f"{author}  {authors[depth - 1]}"
        lines.append(f"{pad}{who} • {when}")
        lines += [f"{pad}{para}" for para in _comment_text(rng, index)]
        likes = rng.randrange(5)
        widget = "Like" if likes == 0 else f"{likes} like" + ("s" if likes > 1 else "")
        lines += [f"{pad}{widget} • Reply • Share ›", ""]
    return lines


def document(index: int, seed: int = 8) -> str:
    """The text of document `index` of the corpus with `seed`."""
    rng = random.Random(f"broadsheet-bench:{seed}:{index}")
    lines = _article(rng, index)
    title = next(line for line in lines if line and line != "Skip to content")
    roll = rng.random()
    count = (
        0
        if roll < 0.3
        else rng.randint(1, 40)
        if roll < 0.8
        else rng.randint(41, 150)
        if roll < 0.95
        else rng.randint(151, 500)
    )
    if count:
        depths = _tree(rng, count)
        layout = rng.randrange(3)
        if layout == 0:
            lines += _wordpress_com(rng, depths, index)
        elif layout == 1:
            lines += _wordpress_org(rng, depths, index, title)
        else:
            lines += _disqus(rng, depths, index)
    return "\n".join(lines).rstrip() + "\n"


def write_corpus(
    folder: Path, n: int, *, seed: int = 8, progress: Callable[[int], None] | None = None
) -> list[Path]:
    """Write documents 0..n-1 as `folder/NNNNNN.txt`. A folder written before by the same generator
    with the same seed is reused (its files are the same); one written otherwise is replaced."""
    stamp = f"seed {seed}, generator {hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]}\n"
    marker = folder / ".corpus"
    if folder.exists() and (not marker.exists() or marker.read_text(encoding="utf-8") != stamp):
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    marker.write_text(stamp, encoding="utf-8")
    paths = []
    for index in range(n):
        path = folder / f"{index:06d}.txt"
        if not path.exists():
            path.write_text(document(index, seed), encoding="utf-8")
        paths.append(path)
        if progress is not None and (index + 1) % 1000 == 0:
            progress(index + 1)
    return paths


def _iter_sizes(paths: list[Path]) -> Iterator[int]:
    for path in paths:
        yield path.stat().st_size


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the .txt files into")
    parser.add_argument("n", type=int, help="number of documents")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args(argv)
    paths = write_corpus(args.out, args.n, seed=args.seed)
    total = sum(_iter_sizes(paths))
    print(f"{len(paths):,} documents, {total / 1e6:.1f} MB in {args.out}")


if __name__ == "__main__":
    main()
