"""Who is who in an article: noun phrases, names, roles, affiliations, and what they refer to.

A speaker is written many ways in one article: with role, affiliation and full name
first, then by surname, pronoun or role alone. The reader that links those mentions
is split along its layers, each using only the ones before it:

- `words`: single words (the closed word classes of flows/data/, possessives, role words);
- `names`: runs of words that name a country, capital, organisation or institution;
- `phrases`: noun phrases, where they start and end and what they hold (`NounPhrase`);
- `descriptions`: what is read around a phrase (post-modifiers, appositions, epithets);
- `coref`: the entities of an article and what later mentions refer to (`Registry`).

This module is the entry point the positions extractor reads them through.
"""

from __future__ import annotations

from flows.extract.coref import Entity, Registry
from flows.extract.descriptions import (
    description_left,
    is_age_epithet,
    person_of_place,
    postmodifier_affiliation,
    speaker_right,
)
from flows.extract.phrases import NounPhrase, analyse_np, np_left, np_right
from flows.extract.words import is_role_word

__all__ = [
    "Entity",
    "NounPhrase",
    "Registry",
    "analyse_np",
    "description_left",
    "is_age_epithet",
    "is_role_word",
    "np_left",
    "np_right",
    "person_of_place",
    "postmodifier_affiliation",
    "speaker_right",
]
