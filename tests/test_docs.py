"""The docs are tested: commands, datasets, fields and data files are documented."""

from __future__ import annotations

import argparse
import re

from flows.cli import _parser
from flows.docs import README, main as docs_main
from schemas import DATASETS

TEXT = README.read_text(encoding="utf-8")


def test_readme_field_tables_are_up_to_date() -> None:
    assert docs_main(["--check"]) == 0, "run `make docs` and commit README.md"


def test_every_command_and_option_is_documented() -> None:
    parser = _parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in sub.choices.items():
        assert f"broadsheet {name}" in TEXT, f"README does not show `broadsheet {name}`"
        for action in command._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag not in ("--help",):
                    assert flag in TEXT, f"README does not document {name} {flag}"


def test_every_dataset_and_the_two_commands_are_in_the_readme() -> None:
    for name in DATASETS:
        assert f"{name}.jsonl" in TEXT or name == "rejects"
        assert re.search(rf"\b{name}\b", TEXT)
    assert "make run" in TEXT and "make test" in TEXT
