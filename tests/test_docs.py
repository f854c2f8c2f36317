"""The docs are tested: every command and option, every dataset and field, every ingestor
setting is documented in the README; the ingestor guide and the example exist and are linked."""

from __future__ import annotations

import argparse
import re

import pytest

from flows.cli import _parser
from flows.ingest.docs import update_readme
from flows.ingest.fetch import FetchSettings
from flows.ingest.registry import BUILTINS, load_ingestor
from flows.release.docs import README
from flows.release.docs import main as docs_main
from schemas import DATASETS

from .conftest import ROOT

TEXT = README.read_text(encoding="utf-8")


def test_readme_field_tables_are_up_to_date() -> None:
    assert docs_main(["--check"]) == 0, "run `make docs` and commit README.md"


def test_the_settings_tables_are_up_to_date() -> None:
    assert update_readme(ROOT / "README.md", check=True), "run `make docs`"


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


@pytest.mark.parametrize("name", list(BUILTINS))
def test_every_setting_of_every_builtin_is_documented(name: str) -> None:
    config = load_ingestor(name).Config
    assert f"#### `{name}`" in TEXT and f"**`{name}`**" in TEXT
    for field, info in config.model_fields.items():
        assert f"| `{field}` |" in TEXT, f"{name}.{field} is not in README.md"
        assert info.description and info.description.replace("|", "\\|") in TEXT
    assert issubclass(config, FetchSettings) or name == "files"


def test_the_guide_and_the_example_are_linked_and_exist() -> None:
    assert "(docs/write-an-ingestor.md)" in TEXT
    assert (ROOT / "docs" / "write-an-ingestor.md").is_file()
    assert "(examples/broadsheet-example-ingestor/)" in TEXT
    guide = (ROOT / "docs" / "write-an-ingestor.md").read_text(encoding="utf-8")
    for name in ("check_ingestor", "broadsheet.ingestors", "IngestError", "context.state", "Fetcher"):
        assert name in guide
    pyproject = (ROOT / "examples" / "broadsheet-example-ingestor" / "pyproject.toml").read_text(encoding="utf-8")
    assert '[project.entry-points."broadsheet.ingestors"]' in pyproject
