"""What the mentions of one article refer to.

`Registry` collects the people, organisations and countries an article introduces (with
role and affiliation from pre-modifiers, appositions and possessives) and resolves later
mentions to them: surnames to the fullest name, pronouns to the most recent compatible
speaker, role nouns to the person introduced with that role, generic heads to the
organisation of that sort named last.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flows.extract.descriptions import is_age_epithet
from flows.extract.gazetteer import gazetteer
from flows.extract.names import place_or_org
from flows.extract.phrases import Kind, NounPhrase
from flows.extract.words import (
    COMPANY_HEADS,
    DETERMINERS,
    is_role_head,
    name_key,
    proper_modifiers,
    strip_possessive,
    words_having,
)
from flows.lexicon import read_table

__all__ = ["Entity", "Registry"]


_RECENT = 40  # speakers a pronoun may go back to


@dataclass(slots=True)
class Entity:
    """A speaker (or someone who might become one) introduced in an article."""

    name: str
    kind: Kind
    role: str | None = None
    affiliation: str | None = None
    gender: str = ""  # 'm', 'f' or '' when unknown
    plural: bool = False
    first_offset: int = 0
    last_offset: int = 0
    tokens: tuple[str, ...] = ()
    weak_role: bool = False
    confirmed: bool = False  # known to be a person (given name, honorific, role, or a speaker)

    @property
    def surname(self) -> str:
        return self.tokens[-1].lower() if self.tokens else self.name.lower()


_INSTITUTION_KINDS: dict[str, tuple[str, ...]] = {
    row["word"]: tuple(row["kinds"].split("|")) for row in read_table("institution_words.csv") if row["kinds"]
}
_ANY_ORGANISATION_HEADS = words_having("institution_words.csv", "uses", "any_organisation")
_OWNED_HEADS = words_having("institution_words.csv", "uses", "owned")
_AGENCY_HEADS = words_having("institution_words.csv", "uses", "agency_head")
_AGENCY_WORDS = words_having("institution_words.csv", "uses", "agency_word")
_SCAN = 100  # persons (the latest named) a fallback looks through: linear in the article
_NEAR = 3_000  # characters: how far back a generic head ('the company') looks for its organisation


@dataclass(slots=True)
class Registry:
    """The entities of one article, in order of first mention, and their resolution."""

    entities: list[Entity] = field(default_factory=list)
    speakers: list[tuple[int, Entity]] = field(default_factory=list)  # (offset, entity) of past attributions
    body_start: int = 0  # where the body starts: a name only the headline holds is never a fallback
    subjects: list[tuple[int, Entity]] = field(default_factory=list)  # (offset, person) opening a sentence
    answering: Entity | None = None  # the person of the last 'Name:' label, who answers an interview's 'A:'
    authors: dict[str, Entity] = field(default_factory=dict)  # 'statement' -> who issued the last one named
    # Indexes over `entities`, kept up to date by `_add` and `_rename`, so that resolving a name
    # looks at the few entities it may refer to instead of all of them (in the same order):
    _order: dict[int, int] = field(default_factory=dict, repr=False)  # id(entity) -> position in entities
    _persons: list[Entity] = field(default_factory=list, repr=False)
    _surnames: dict[str, list[Entity]] = field(default_factory=dict, repr=False)  # last name word, lower case
    _firsts: dict[str, list[Entity]] = field(default_factory=dict, repr=False)  # first word of two-word names
    _named: dict[tuple[str, str], Entity] = field(default_factory=dict, repr=False)  # (kind, name) -> first
    _spoken: set[int] = field(default_factory=set, repr=False)  # ids of the entities in `speakers`
    _org_last_words: dict[str, list[Entity]] = field(default_factory=dict, repr=False)  # 'Times' -> orgs

    def _add(self, entity: Entity) -> None:
        self._order[id(entity)] = len(self.entities)
        self.entities.append(entity)
        if entity.kind == "person":
            self._persons.append(entity)
            self._index_name(entity)
        else:
            self._named.setdefault((entity.kind, entity.name), entity)
            words = entity.name.split()
            if entity.kind == "organisation" and len(words) > 1:
                self._org_last_words.setdefault(words[-1], []).append(entity)

    def _index_name(self, entity: Entity) -> None:
        if not entity.tokens:
            return
        self._surnames.setdefault(name_key(entity.tokens[-1]), []).append(entity)
        if len(entity.tokens) in (2, 3):
            self._firsts.setdefault(entity.tokens[0].lower(), []).append(entity)

    def _rename(self, entity: Entity, tokens: tuple[str, ...]) -> None:
        """Give a person a fuller name, and move it in the indexes (keeping their order)."""
        for index, key in ((self._surnames, name_key(entity.tokens[-1]) if entity.tokens else None),
                           (self._firsts, entity.tokens[0].lower() if len(entity.tokens) in (2, 3) else None)):
            if key is not None:
                index[key] = [e for e in index[key] if e is not entity]
        entity.tokens, entity.name = tokens, " ".join(tokens)
        self._index_name(entity)
        order = self._order
        for index, key in ((self._surnames, name_key(tokens[-1]) if tokens else None),
                           (self._firsts, tokens[0].lower() if len(tokens) in (2, 3) else None)):
            if key is not None:
                index[key].sort(key=lambda e: order[id(e)])

    def _candidates(self, lowered: list[str], family_first: bool) -> list[Entity]:
        """The persons whose surname is the last of `lowered` or, for a family name written alone
        (`family_first`), whose two-word name starts with it: in order of first mention."""
        found = self._surnames.get(name_key(lowered[-1]), [])
        if family_first:
            firsts = self._firsts.get(lowered[0])
            if firsts:
                order = self._order
                merged = {id(e): e for e in found}
                merged.update((id(e), e) for e in firsts)
                found = sorted(merged.values(), key=lambda e: order[id(e)])
        return found

    def _by_name(self, tokens: tuple[str, ...], gender: str = "", role: str | None = None) -> Entity | None:
        """The person registered under `tokens` (or a fuller form of it) whose gender, when known,
        is not the other one (`gender` from an honorific: 'Mr. Obama' is not Michelle Obama)."""
        lowered = [t.lower() for t in tokens]
        best: Entity | None = None
        # a family name written alone: 'Zhao' for 'Zhao Ming', 'Kim' for 'Kim Jong Un' (not a given name,
        # or one given to either gender)
        family_first = len(lowered) == 1 and gazetteer().given_names.get(lowered[0], "u") == "u"
        candidates = self._candidates(lowered, family_first)
        names = gazetteer().given_names
        head = role.lower().split()[-1] if role else ""
        best_rank: tuple[bool, bool, int] = (False, False, 0)
        if family_first and any(e.tokens and e.tokens[-1].lower() == lowered[-1] for e in candidates):
            family_first = False  # 'Obama' is 'President Obama', not a 'Obama Speech' read family name first
        for entity in candidates:
            if entity.kind != "person" or not entity.tokens or (gender and entity.gender and entity.gender != gender):
                continue
            ent = [t.lower() for t in entity.tokens]
            if name_key(ent[-1]) != name_key(lowered[-1]) \
                    and not (family_first and len(ent) in (2, 3) and ent[0] == lowered[0]):
                continue  # surnames match; 'Zhao' also matches 'Zhao Ming' (family name first)
            # 'De Souza' is 'Ana de Souza'
            if len(lowered) > 1 and ent[0] != lowered[0] and len(ent) > 1 \
                    and not ent[0].startswith(lowered[0][:1]) and ent[-len(lowered):] != lowered:
                continue
            # the same role first ('President Sousa' is the president, not the first lady Ana Sousa), then
            # a given name ('Barack Obama' over 'Star Mom Corners Obama'), then the fullest, then the latest
            rank = (bool(head and entity.role and head in entity.role.lower().split()),
                    entity.tokens[0].lower() in names, len(entity.tokens))
            if best is None or rank > best_rank or (rank == best_rank and entity.last_offset > best.last_offset):
                best, best_rank = entity, rank
        if best is None and len(lowered) == 1:
            best = self._by_inner_name(lowered[0], gender)
        return best

    def _by_inner_name(self, word: str, gender: str) -> Entity | None:
        """'Serena said' after 'Serena Williams', 'Lula said' after 'Luiz Inácio Lula da Silva': a
        word of one person's name before their surname, when it is the only such person."""
        key = name_key(word)
        found = [e for e in self._persons[-_SCAN:] if e.kind == "person" and len(e.tokens) >= 2
                 and (not gender or not e.gender or e.gender == gender)
                 and any(name_key(t) == key for t in e.tokens[:-1])]
        return found[0] if len(found) == 1 else None

    def register(self, np: NounPhrase) -> Entity | None:
        """Add or update the entity `np` names; returns it (None for pronouns and bare descriptions)."""
        if np.kind == "person" and np.name_tokens:
            # the gender an honorific states, or a given name's in a plain 'First Last' name
            # ('Michelle Obama' is not the 'Mr. Obama' named before; 'Von der Leyen' may be anyone's)
            gender = np.titled_gender or (np.gender if len(np.name_tokens) == 2 else "")
            entity = self._by_name(np.name_tokens, gender, np.role)
            if entity is None:
                entity = Entity(" ".join(np.name_tokens), "person", first_offset=np.start, tokens=np.name_tokens)
                self._add(entity)
            elif len(np.name_tokens) > len(entity.tokens) or (
                    entity.name.isupper() and not " ".join(np.name_tokens).isupper()
                    and len(np.name_tokens) == len(entity.tokens)):
                self._rename(entity, np.name_tokens)  # (also 'Haley' for a transcript's 'HALEY')
            if np.role and (not entity.role or (entity.weak_role and not np.weak_role)):
                entity.role, entity.weak_role = np.role, np.weak_role
            entity.affiliation = entity.affiliation or np.affiliation
            entity.gender = entity.gender or np.gender
            entity.confirmed = entity.confirmed or np.confirmed
            entity.last_offset = np.end
            return entity
        if np.kind in ("organisation", "country") and np.canonical:
            found = self._named.get((np.kind, np.canonical))
            if found is not None:
                found.last_offset = np.end
                return found
            entity = Entity(np.canonical, np.kind, affiliation=np.affiliation, first_offset=np.start,
                            plural=np.plural, last_offset=np.end)
            self._add(entity)
            return entity
        return None

    def _possessor(self, np: NounPhrase, offset: int) -> None:
        """'its spokeswoman' after 'The United Nations': the affiliation is the organisation or
        country mentioned last before `offset`."""
        words = np.text.split()
        if np.affiliation is not None or not words or words[0].lower() not in ("its", "their"):
            return
        owner = max((e for e in self.entities if e.kind in ("organisation", "country") and e.first_offset < offset),
                    key=lambda e: e.last_offset if e.last_offset <= offset else -1, default=None)
        if owner is not None:
            np.affiliation = owner.name

    def describe(self, entity: Entity, np: NounPhrase) -> None:
        """Give `entity` the role and affiliation an apposition or description states."""
        if entity.kind != "person":
            return
        self._possessor(np, np.start)
        if np.role and (not entity.role or entity.weak_role):
            entity.role, entity.weak_role = np.role, False
        entity.affiliation = entity.affiliation or np.affiliation
        entity.confirmed = entity.confirmed or bool(np.role)

    def resolve(self, np: NounPhrase, offset: int) -> Entity | None:
        """The entity a subject noun phrase refers to, or None when it refers to nobody we know."""
        if np.kind == "pronoun":
            return self._pronoun(np, offset)
        if is_age_epithet(np.text):  # an age standing for a person: the person last named
            return max((e for e in self._persons if e.confirmed and e.first_offset <= offset),
                       key=lambda e: e.last_offset if e.last_offset <= offset else e.first_offset, default=None)
        if np.kind == "person":
            return self.register(np)
        if np.kind in ("organisation", "country") and np.canonical:
            return self._named_organisation(np, offset)
        found = self._by_nationality(np, offset) or self._described(np, offset)
        if found is not None:
            return found
        if np.text.split()[0].lower() in ("our", "my", "your"):
            return None  # the speaker's own institution, said by someone else: not resolvable here
        self._possessor(np, offset)
        return self._new_description(np, offset)

    def _named_organisation(self, np: NounPhrase, offset: int) -> Entity | None:
        """An organisation or country by its name; a single capitalised word that is also the
        surname of a person named before is that person."""
        words = np.text.split()
        if len(words) == 1 and words[0][:1].isupper() and not words[0].isupper():
            person = self._by_name((words[0],))
            if person is not None and person.first_offset <= offset:
                person.last_offset = max(person.last_offset, np.end)
                return person
        return self.register(np)

    def _described(self, np: NounPhrase, offset: int) -> Entity | None:
        """A definite description of someone named before: an institution by its head noun, a
        name's last word, or a role; a capitalised title after 'The' as a publication."""
        if np.head and np.kind == "organisation" and np.definite:
            entity = self._by_institution(np, offset) or self._by_recent_organisation(np, offset)
            if (np.head or "").lower() in _ANY_ORGANISATION_HEADS:
                entity = self._later_unconfirmed(entity, offset)
            if entity is not None:
                return entity
        if np.kind == "unknown" and np.definite and len(np.name_tokens) == 1:
            entity = self._by_last_word(np.name_tokens[0], offset)
            if entity is not None:
                return entity
            word = np.name_tokens[0]
            g = gazetteer()
            # a capitalised 'The' before one word that is no group or nationality: a publication's title
            if np.text.split()[0] == "The" and word.isalpha() and (word.lower() + "s") not in g.groups \
                    and word not in g.demonyms:
                return self.register(NounPhrase("organisation", np.start, np.end, np.text,
                                                canonical=" ".join(np.text.split())))
        if np.head and (np.definite or np.kind == "unknown") and not np.indefinite and not np.plural:
            return self._by_role(np, offset) or self._by_unstated_role(np, offset)
        return None

    def _new_description(self, np: NounPhrase, offset: int) -> Entity | None:
        """A description that refers to nobody named: a known group, or a new entity labelled by
        the description itself (without its determiner), made a person when its head is a role."""
        if np.kind == "group" and np.canonical:
            found = self._named.get(("group", np.canonical))
            if found is not None:
                return found
            entity = Entity(np.canonical, "group", affiliation=np.affiliation, plural=True,
                            first_offset=np.start, last_offset=np.end)
            self._add(entity)
            return entity
        if np.kind not in ("group", "organisation", "unknown") or not np.head:
            return None
        words = np.text.split()
        if words and words[0].lower() in DETERMINERS:
            words = words[1:]
        while len(words) > 1 and words[0] in ("new", "latest", "recent"):
            words = words[1:]  # a recency adjective is not part of the name of what it describes
        if not words:
            return None
        owned = self._owned(np, words, offset)
        label = owned[0] if owned else " ".join(words)
        kind: Kind = "group" if np.plural or np.indefinite else "organisation"
        if kind == "organisation" and is_role_head((np.head or "").lower(), gazetteer()):
            kind = "person"  # an unnamed office holder is a person, never 'it'
        return Entity(label, kind, role=None if kind == "organisation" else np.role,
                      affiliation=owned[1] if owned else np.affiliation, plural=np.plural, first_offset=np.start,
                      last_offset=np.end)

    def _owned(self, np: NounPhrase, words: list[str], offset: int) -> tuple[str, str] | None:
        """'Her campaign', 'Clinton's campaign', 'the Clinton campaign', 'his office': a person's
        institution, named after the person's fullest name ('Hillary Clinton's campaign') so that
        every way of writing it is one actor: (name, affiliation)."""
        if (np.head or "").lower() not in _OWNED_HEADS or np.plural:
            return None
        first = np.text.split()[0]
        owner: Entity | None = None
        if first.lower() in ("his", "her"):
            owner = self._pronoun(NounPhrase("pronoun", np.start, np.start, first.lower(),
                                             head="he" if first.lower() == "his" else "she"), offset)
            rest = words[1:] if words[0].lower() == first.lower() else words
        elif len(words) < 2:
            return None
        else:
            base, possessive = strip_possessive(words[0])
            if not base[:1].isupper() or (not possessive and words[0] in gazetteer().demonyms) \
                    or place_or_org([base], gazetteer()) is not None or not words[1][:1].islower():
                return None
            owner = self._by_name((base,))
            rest = words[1:]
        if owner is None or owner.kind != "person" or owner.first_offset > offset or not rest \
                or not (owner.confirmed or len(owner.tokens) > 1):
            return None
        return f"{owner.name}'s {' '.join(rest)}", owner.name

    def _by_institution(self, np: NounPhrase, offset: int) -> Entity | None:
        """'the alliance' -> NATO, 'the bloc' -> European Union, 'the ministry' -> the last ministry named."""
        kinds = _INSTITUTION_KINDS.get((np.head or "").lower())
        if not kinds:
            return None
        info = gazetteer().organisation_info
        best: Entity | None = None
        for entity in self.entities:
            if entity.kind != "organisation" or entity.first_offset > offset:
                continue
            org = info.get(entity.name)
            if org is None or org.kind not in kinds:
                continue
            if np.affiliation and org.country and org.country != np.affiliation:
                continue
            if best is None or entity.last_offset >= best.last_offset:
                best = entity
        return best

    def _by_recent_organisation(self, np: NounPhrase, offset: int) -> Entity | None:
        """'Tesla recalled … The company said …', 'The Federal Aviation Administration … The agency
        said …': a generic head refers to the organisation of that sort named last before it, within
        a few paragraphs (a company: one our gazetteers do not list as a public body; an agency: a
        name with an agency word, or a listed ministry or agency)."""
        head = (np.head or "").lower()
        if head not in COMPANY_HEADS and head not in _AGENCY_HEADS:
            return None
        info = gazetteer().organisation_info
        best: Entity | None = None
        for entity in self.entities:
            if entity.kind != "organisation" or entity.first_offset > offset or offset - entity.last_offset > _NEAR:
                continue
            known = info.get(entity.name)
            words = {w.lower() for w in entity.name.split()}
            g = gazetteer()
            if head in COMPANY_HEADS:
                fits = (known is None or known.kind == "company") and not words & _AGENCY_WORDS \
                    and entity.name not in g.capitals and entity.name not in g.countries  # ('Lisbon said')
            else:
                fits = bool(words & _AGENCY_WORDS) or (known is not None and known.kind in ("ministry", "government"))
            if fits and (best is None or entity.last_offset >= best.last_offset):
                best = entity
        if head in COMPANY_HEADS:
            best = self._later_unconfirmed(best, offset)
        return best

    def _later_unconfirmed(self, best: Entity | None, offset: int) -> Entity | None:
        """'Toyota recalled … The automaker said', 'Planned Parenthood welcomed … the organisation
        said': a capitalised name nothing says is a person (no given name, role or gender: an
        honorific gives one), named after `best` and near `offset`, is the organisation meant, and
        becomes one."""
        found: Entity | None = None
        names = gazetteer().given_names
        for entity in self._persons[-_SCAN:]:
            if entity.kind != "person" or entity.role or entity.gender or entity.tokens[0].lower() in names \
                    or entity.last_offset < self.body_start \
                    or entity.first_offset > offset or offset - entity.last_offset > _NEAR:
                continue
            if found is None or entity.last_offset >= found.last_offset:
                found = entity
        if found is None or (best is not None and best.last_offset >= found.last_offset):
            return best
        found.kind = "organisation"
        self._named.setdefault(("organisation", found.name), found)
        return found

    def _by_last_word(self, word: str, offset: int) -> Entity | None:
        """'the Times' after 'The New York Times', 'the Post' after 'The Washington Post': the
        organisation named before whose name ends with the word."""
        best: Entity | None = None
        for entity in self._org_last_words.get(word, ()):
            if entity.first_offset <= offset and (best is None or entity.last_offset >= best.last_offset):
                best = entity
        return best

    def _by_role(self, np: NounPhrase, offset: int) -> Entity | None:
        head = (np.head or "").lower()
        best: Entity | None = None
        covers = gazetteer().role_classes.get(head, ())
        if np.kind == "organisation" and not covers and not is_role_head(head, gazetteer()):
            return None  # 'the Vance campaign' is not its 'campaign spokeswoman'
        modifiers = [w for w in (np.role or "").lower().replace("-", " ").split() if w != head]
        marks = proper_modifiers(np.role)
        best_score = -1

        for entity in self._persons:
            if not entity.role or entity.first_offset > offset:
                continue
            role = entity.role.lower()
            role_words = role.replace("-", " ").split()
            if head not in role_words and head not in role and not any(c in role for c in covers):
                continue
            if np.affiliation and entity.affiliation and np.affiliation != entity.affiliation:
                continue
            theirs = proper_modifiers(entity.role)
            if marks and theirs and not marks & theirs:
                continue  # 'the Republican nominee' is not the 'Democratic vice presidential nominee'
            # 'the independent candidate': of the candidates, the one whose role says so
            score = sum(w in role_words for w in modifiers)
            if best is None or score > best_score \
                    or (score == best_score and entity.last_offset >= best.last_offset):
                best, best_score = entity, score
        return best

    def _by_nationality(self, np: NounPhrase, offset: int) -> Entity | None:
        """'The Serb said', 'the Australian added', 'the Frenchman': a person named by a nationality
        noun (one with a plural in the demonym table: not 'the British') is the last person of that
        country or, when none is known, the person named last (nearby), unless their stated
        country is another."""
        words = np.text.split()
        g = gazetteer()
        if len(words) != 2 or words[0].lower() != "the" or words[1].endswith("s"):
            return None
        country = g.demonyms.get(words[1])
        if country is None or not (words[1] + "s" in g.demonyms or words[1].endswith(("man", "woman"))):
            return None
        named = max((e for e in self._persons[-_SCAN:] if e.kind == "person" and e.affiliation == country
                     and e.first_offset <= offset),
                    key=lambda e: e.last_offset, default=None)
        if named is not None:
            return named
        last = max((e for e in self._persons[-_SCAN:] if e.kind == "person" and (e.confirmed or len(e.tokens) > 1)
                    and self.body_start <= e.last_offset <= offset and offset - e.last_offset <= _NEAR),
                   key=lambda e: e.last_offset, default=None)
        return last if last is not None and (last.affiliation is None or last.affiliation not in g.countries) else None

    def _by_unstated_role(self, np: NounPhrase, offset: int) -> Entity | None:
        """'Sanders said … The Vermont senator added': a definite role description with a proper
        modifier that no one was introduced with refers to the last person who spoke, if their role
        was never stated."""
        words = np.text.split()
        if not np.definite or not is_role_head((np.head or "").lower(), gazetteer()) \
                or not words or words[-1][:1].isupper():
            return None  # ('The Charlotte Observer found': a name, not a description)
        if not proper_modifiers(" ".join(words[1:])):
            return None  # an epithet names a place or party ('the Indiana governor'); 'the minister' may be anyone
        for spoke_at, entity in reversed(self.speakers[-_RECENT:]):
            if spoke_at <= offset and entity.kind == "person":
                if entity.role is None and not (np.affiliation and entity.affiliation
                                                and np.affiliation != entity.affiliation):
                    return entity
                return None
        return None

    def _pronoun(self, np: NounPhrase, offset: int) -> Entity | None:
        word = (np.head or "").lower()
        if word in ("i", "we"):
            return None
        want_person = word in ("he", "she")
        gender = "m" if word == "he" else "f" if word == "she" else ""

        def fits(entity: Entity) -> bool:
            if want_person:
                return entity.kind == "person" and (not entity.gender or entity.gender == gender)
            if word == "they":
                return entity.plural or entity.kind in ("organisation", "group")
            return entity.kind in ("organisation", "country")

        for spoke_at, entity in reversed(self.speakers[-_RECENT:]):
            if spoke_at <= offset and fits(entity):
                if want_person:
                    # 'Reyes toured the depot. Later he said …': a person who opened a
                    # later sentence is nearer than the last speaker
                    subject = next((e for at, e in reversed(self.subjects[-_RECENT:])
                                    if spoke_at < at <= offset and fits(e)), None)
                    if subject is not None:
                        entity = subject
                    if not entity.gender:
                        entity.gender = gender
                return entity
        if not want_person:
            return None
        candidates = [e for e in self._persons if e.confirmed and e.first_offset <= offset and fits(e)
                      and (len(e.tokens) > 1 or e.role or id(e) in self._spoken)]  # not 'Florence' the city
        if not candidates:
            return None
        chosen = max(candidates, key=lambda e: e.last_offset if e.last_offset <= offset else e.first_offset)
        chosen.gender = chosen.gender or gender
        return chosen

    def known_person(self, tokens: tuple[str, ...]) -> Entity | None:
        """The person already registered under the name `tokens`, if any (registers nothing)."""
        return self._by_name(tokens)

    def opened(self, entity: Entity, offset: int) -> None:
        """Record that the person `entity` is the subject that opens a sentence at `offset`."""
        self.subjects.append((offset, entity))

    def spoke(self, entity: Entity, offset: int) -> None:
        """Record that `entity` was the speaker of an attribution at `offset`."""
        self.speakers.append((offset, entity))
        self._spoken.add(id(entity))
        entity.confirmed = True
        entity.last_offset = max(entity.last_offset, offset)
