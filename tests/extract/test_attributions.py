"""Per-sentence attribution cases (tests/cases/attributions.jsonl), one test each.

An expectation lists the positions of the case in order; each gives the fields it
checks (actor and cue always, act and the position's text where written). A case
marked `gap` is a known miss: it is expected to fail until the extractor learns it,
and a strict xfail makes the fix visible.
"""

from __future__ import annotations

from typing import Any

import pytest

from .attribution_cases import load_cases, positions_of

CASES = load_cases()


def _params() -> list[Any]:
    return [
        pytest.param(case, id=case["id"],
                     marks=[pytest.mark.xfail(reason=case["gap"], strict=True)] if case.get("gap") else [])
        for case in CASES
    ]


def test_the_cases_are_well_formed() -> None:
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    styles = {case["style"] for case in CASES}
    assert {"us", "uk", "ca", "au", "wire"} <= styles
    for case in CASES:
        assert case["text"].strip() and isinstance(case["expect"], list), case["id"]
        assert all({"actor", "cue"} <= set(e) for e in case["expect"]), case["id"]


@pytest.mark.parametrize("case", _params())
def test_attribution(case: dict[str, Any]) -> None:
    found = positions_of(case["text"])
    got = [{key: position[key] for key in expected} for position, expected in zip(found, case["expect"], strict=False)]
    assert len(found) == len(case["expect"]) and got == case["expect"], found
