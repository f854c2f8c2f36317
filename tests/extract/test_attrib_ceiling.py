"""The contract's actor for an annotated source span (bench/attrib_ceiling.py)."""

from __future__ import annotations

import pytest

from bench.attrib_ceiling import contract_actor


@pytest.mark.parametrize(
    ("source", "keep", "actor"),
    [
        ("Jane Roe, the Republican attorney general of Ohio,", "", "Jane Roe"),
        ("Rep. John Doe (D-Wis.)", "", "John Doe"),
        ("Sen. Ana Sousa", "", "Ana Sousa"),
        ("Hale’s", "", "Hale"),
        ("Hale aides", "", "Hale"),
        ("Hale aides", "groups", "Hale aides"),
        ("the Hale campaign", "groups", "Hale campaign"),
        ("The Ohio governor", "groups", "Ohio"),
        ("The Ohio governor", "any", "Ohio governor"),
        ("the chancellor", "any", "(a description: no name)"),
    ],
)
def test_contract_actor(source: str, keep: str, actor: str) -> None:
    assert contract_actor(source, keep) == actor
