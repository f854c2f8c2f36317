"""The shape of the package: one package per stage, imports running one way, small modules.

    foundation (errors, settings, clock, faults, durable, lexicon, dates, version)
        < ingest < decode < layout < extract < release < access | pipeline < orchestrate < cli

A module may import the foundation, its own package, and the packages before its own
in that order; never one after it, and never a private name (`_x`) of another package.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ROOT

FLOWS = ROOT / "flows"
FOUNDATION = {"errors", "settings", "clock", "faults", "durable", "lexicon", "dates", "version", "data"}
#: The stage packages in data-flow order; a package may import those of a lower rank.
RANKS = {
    "ingest": 1,
    "decode": 2,
    "layout": 3,
    "extract": 4,
    "release": 5,
    "access": 6,
    "pipeline": 6,
    "orchestrate": 7,
    "cli": 8,
    "__init__": 8,
}
MAX_TOP_MODULES = 10
MAX_LINES = 800


def _package(path: Path) -> str:
    parts = path.relative_to(FLOWS).parts
    return parts[0] if len(parts) > 1 else path.stem


def _imports(path: Path) -> Iterator[tuple[int, str, list[str]]]:
    """(line, imported module, names) for every import of a `flows` module in `path`."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "flows":
                for alias in node.names:
                    yield node.lineno, f"flows.{alias.name}", []
            elif node.module.startswith("flows."):
                yield node.lineno, node.module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("flows."):
                    yield node.lineno, alias.name, []


MODULES = sorted(FLOWS.rglob("*.py"))


def test_every_module_belongs_to_a_known_stage_or_the_foundation() -> None:
    unknown = {_package(p) for p in MODULES} - set(RANKS) - FOUNDATION
    assert not unknown, f"add {sorted(unknown)} to the stages or the foundation in this test and the docs"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_run_one_way_and_keep_to_public_names(path: Path) -> None:
    own = _package(path)
    rank = 0 if own in FOUNDATION else RANKS[own]
    for line, module, names in _imports(path):
        target = module.split(".")[1]
        if target == own:
            continue
        where = f"{path.relative_to(ROOT)}:{line} imports {module}"
        target_rank = 0 if target in FOUNDATION else RANKS[target]
        assert target_rank < rank or (target_rank == 0 and rank == 0), (
            f"{where}: a stage may use only the stages before it (and the foundation)"
        )
        private = [n for n in names if n.startswith("_")]
        assert not private, f"{where}: {private} are private to {target}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_only_orchestrate_imports_prefect(path: Path) -> None:
    if _package(path) == "orchestrate":
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else (
            [a.name for a in node.names] if isinstance(node, ast.Import) else [])
        assert not any(n == "prefect" or n.startswith("prefect.") for n in names), (
            f"{path.relative_to(ROOT)}:{node.lineno} imports Prefect: stage code stays plain Python"
        )


def test_the_top_level_stays_small() -> None:
    top = sorted(p.name for p in FLOWS.glob("*.py"))
    assert len(top) <= MAX_TOP_MODULES, f"flows/ has {len(top)} modules at its top level: {top}"


@pytest.mark.parametrize("path", [*MODULES, *sorted((ROOT / "schemas").glob("*.py"))],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_over_800_lines(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it along a seam"


PACKAGES = sorted(
    ".".join(p.relative_to(ROOT).parent.parts) for p in [*FLOWS.rglob("__init__.py"), ROOT / "schemas" / "__init__.py"]
)


@pytest.mark.parametrize("name", PACKAGES)
def test_each_package_says_what_comes_in_and_goes_out_and_exports_what_it_names(name: str) -> None:
    package = importlib.import_module(name)
    assert package.__doc__ and len(package.__doc__.strip()) > 40, f"{name}/__init__.py needs a docstring"
    exported = getattr(package, "__all__", [])
    assert list(exported) == sorted(exported), f"{name}.__all__ is not sorted"
    for item in exported:
        assert hasattr(package, item), f"{name}.__all__ names {item}, which it does not define"


#: Test modules that are about the whole project rather than one stage.
PROJECT_TESTS = {"test_architecture.py", "test_docs.py", "test_schemas.py"}


def test_tests_mirror_the_stages() -> None:
    """Every test module sits in the folder of the stage it tests, so a newcomer finds them."""
    stray = [p.name for p in (ROOT / "tests").glob("test_*.py") if p.name not in PROJECT_TESTS]
    assert not stray, f"move these into tests/<stage>/: {stray}"
    folders = {p.parent.name for p in (ROOT / "tests").glob("*/test_*.py")}
    assert folders <= set(RANKS), f"test folders that are no stage: {folders - set(RANKS)}"
