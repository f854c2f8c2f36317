"""The docs stay true: every ingestor setting is in the README (generated from the Config models),
the guide and the example exist and are linked, every command is documented."""

from __future__ import annotations

import re

import pytest

from flows.ingestors.docs import update_readme
from flows.ingestors.fetch import FetchSettings
from flows.ingestors.registry import BUILTINS, load_ingestor

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_settings_tables_are_up_to_date() -> None:
    assert update_readme(ROOT / "README.md", check=True), "run `python -m flows.ingestors.docs`"


@pytest.mark.parametrize("name", list(BUILTINS))
def test_every_setting_of_every_builtin_is_documented(name: str) -> None:
    config = load_ingestor(name).Config
    assert f"#### `{name}`" in README and f"**`{name}`**" in README
    for field, info in config.model_fields.items():
        assert f"| `{field}` |" in README, f"{name}.{field} is not in README.md"
        assert info.description and info.description.replace("|", "\\|") in README
    assert issubclass(config, FetchSettings) or name == "files"


def test_the_guide_and_the_example_are_linked_and_exist() -> None:
    assert "(docs/write-an-ingestor.md)" in README
    assert (ROOT / "docs" / "write-an-ingestor.md").is_file()
    assert "(examples/broadsheet-example-ingestor/)" in README
    guide = (ROOT / "docs" / "write-an-ingestor.md").read_text(encoding="utf-8")
    for name in ("check_ingestor", "broadsheet.ingestors", "IngestError", "context.state", "Fetcher"):
        assert name in guide
    pyproject = (ROOT / "examples" / "broadsheet-example-ingestor" / "pyproject.toml").read_text(
        encoding="utf-8"
    )
    assert '[project.entry-points."broadsheet.ingestors"]' in pyproject


def test_every_command_and_run_option_is_documented() -> None:
    from flows.cli import _parser

    parser = _parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for command in commands:
        assert f"broadsheet {command}" in README, command
        if command == "run":
            for option in ("--raw", "--sources", "--source", "--out", "--keep"):
                assert re.search(rf"{option}\b", README), option
