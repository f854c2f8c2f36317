"""Golden cases: each text under tests/cases/<group>/ is run through decode, layout,
extract and validate, and its records are compared with the .json beside it.

Cases that do not pass yet are listed in tests/cases/known_failures.txt with the
reason; they run as strict xfails, so a fix that makes one pass is noticed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.ingest import RawDocument
from flows.pipeline.document import process_document

from ..conftest import CASES
from ..golden import Case, check_case, load_cases

DEFAULT_FETCHED_AT = datetime(2024, 5, 6, 12, 30, tzinfo=UTC)


def _known_failures() -> dict[str, str]:
    path = CASES / "known_failures.txt"
    known = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition(":")
            known[name.strip()] = reason.strip()
    return known


def _params() -> list[object]:
    known = _known_failures()
    params = []
    for group in ("dev", "layouts", "positions"):
        for case in load_cases(CASES / group):
            key = f"{group}/{case.name}"
            marks = [pytest.mark.xfail(reason=known[key], strict=True)] if key in known else []
            params.append(pytest.param(case, id=key, marks=marks))
    return params


@pytest.mark.parametrize("case", _params())
def test_golden_case(case: Case) -> None:
    data = case.text_path.read_bytes()
    raw = RawDocument("files", case.text_path.absolute().as_uri(), data, "text/plain",
                      case.fetched_at or DEFAULT_FETCHED_AT)
    batch = process_document(raw)
    assert not batch.rejects, batch.rejects[0].message
    errors = check_case(
        case.gold,
        [a.model_dump(mode="json") for a in batch.articles],
        [p.model_dump(mode="json") for p in batch.positions],
        [c.model_dump(mode="json") for c in batch.comments],
    )
    assert not errors, "\n".join(errors)


def test_every_case_has_its_text() -> None:
    for folder in Path(CASES).iterdir():
        if folder.is_dir():
            for case in load_cases(folder):
                assert case.text_path.exists(), case.text_path


def test_known_failures_name_existing_cases() -> None:
    names = {f"{f.name}/{c.name}" for f in CASES.iterdir() if f.is_dir() for c in load_cases(f)}
    assert set(_known_failures()) <= names
