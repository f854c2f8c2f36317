"""sources.toml and the registry: clear errors for every mistake, plugins found like built-ins."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from flows.errors import ConfigError
from flows.ingest import registry
from flows.ingest.files import FilesConfig
from flows.ingest.http import HttpConfig
from flows.ingest.sources import load_sources, parse_sources

from ..conftest import ROOT


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_default_sources_file_declares_the_raw_folder() -> None:
    (source,) = load_sources(ROOT / "sources.toml")
    assert (source.name, source.ingestor) == ("files", "files")
    assert isinstance(source.config, FilesConfig) and source.config.path == ROOT / "raw"


def test_sources_are_read_and_validated(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
[sources.local]
ingestor = "files"
path = "texts"

[sources.pages]
ingestor = "http"
urls = ["https://news.example.org/a", "http://news.example.org/b"]
retries = 1
""",
    )
    local, pages = load_sources(path)
    assert local.config.path == tmp_path / "texts"  # relative to the sources file
    assert isinstance(pages.config, HttpConfig) and pages.config.retries == 1
    assert [s.name for s in load_sources(path, ["pages"])] == ["pages"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            '[sources.a]\ningestor = "ftp"\n',
            ["source 'a'", "unknown ingestor 'ftp'", "the known ingestors are: files, http, "],
        ),
        ('[sources.a]\npath = "raw"\n', ["source 'a' names no ingestor"]),
        (
            '[sources.a]\ningestor = "files"\npaht = "raw"\n',
            ["source 'a' (files)", "'paht'", "not a setting"],
        ),
        (
            '[sources.a]\ningestor = "http"\nurls = ["ftp://x.org/f"]\n',
            ["source 'a' (http)", "'urls'", "not an http:// or https:// URL"],
        ),
        ('[sources.a]\ningestor = "http"\nurls = []\n', ["'urls'"]),
        ('[sources.a]\ningestor = "http"\nurls = ["https://x.org"]\nretries = -1\n', ["'retries'"]),
        ('[sources.a]\ningestor = "wordpress"\n', ["source 'a' (wordpress)", "'site'", "Field required"]),
        ('[sources.a]\ningestor = "rss"\nfeeds = "https://x.org/feed"\n', ["'feeds'"]),
        ("[sources]\n", ["declares no source"]),
        ("sources = 1\n", ["declares no source"]),
        ('[source.a]\ningestor = "files"\n', ["unknown top-level keys (source)"]),
        ('[sources."../up"]\ningestor = "files"\n', ["source name '../up' is not allowed"]),
        ('[sources.a\ningestor = "files"\n', ["is not valid TOML"]),
    ],
)
def test_mistakes_say_which_source_and_setting(tmp_path: Path, text: str, words: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        load_sources(_write(tmp_path, text))
    message = str(info.value)
    for word in words:
        assert word in message, (word, message)
    assert info.value.uri == str(tmp_path / "sources.toml")


def test_selecting_an_undeclared_source_lists_the_declared_ones(tmp_path: Path) -> None:
    path = _write(tmp_path, '[sources.a]\ningestor = "files"\n[sources.b]\ningestor = "files"\n')
    with pytest.raises(ConfigError, match="declares no source named 'c'; its sources are: a, b"):
        load_sources(path, ["c"])


def test_a_missing_sources_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist: create it"):
        load_sources(tmp_path / "nope.toml")


def test_the_builtins_are_registered_as_entry_points() -> None:
    entries = registry.registered()
    for name in ("files", "http", "rss", "wordpress"):
        assert entries[name].package == "broadsheet"
        assert entries[name].entry_point.group == registry.GROUP
        cls = registry.load_ingestor(name)
        assert cls.name == name


def test_a_plugin_is_discovered_through_its_entry_point(example_plugin: str) -> None:
    entry = registry.registered()[example_plugin]
    assert entry.package == "broadsheet-example-ingestor"
    cls = registry.load_ingestor(example_plugin)
    assert cls.__module__ == "broadsheet_example_ingestor"
    sources = parse_sources(
        {"sources": {"archive": {"ingestor": example_plugin, "path": "sample.jsonl"}}}, base=Path("/data")
    )
    assert sources[0].config.path == Path("/data/sample.jsonl")  # type: ignore[attr-defined]


def _fake_plugins(monkeypatch: pytest.MonkeyPatch, *points: EntryPoint) -> None:
    monkeypatch.setattr(registry, "entry_points", lambda group: [p for p in points if p.group == group])
    registry.refresh()


def test_broken_and_clashing_plugins_are_reported_when_used(monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        _fake_plugins(
            monkeypatch,
            EntryPoint("broken", "no_such_module_anywhere:Ingestor", registry.GROUP),
            EntryPoint("notaclass", "flows.ingest.fetch:user_agent", registry.GROUP),
            EntryPoint("files", "no_such_module_anywhere:Files", registry.GROUP),
        )
        with pytest.raises(ConfigError, match="'broken' .* cannot be loaded .*ModuleNotFoundError"):
            registry.load_ingestor("broken")
        with pytest.raises(ConfigError, match="not a class"):
            registry.load_ingestor("notaclass")
        assert registry.load_ingestor("files").__name__ == "FilesIngestor"  # a built-in is not taken over
        assert registry.load_ingestor("http").name == "http"  # the others are unaffected
    finally:
        monkeypatch.undo()
        registry.refresh()


@pytest.mark.parametrize(
    "module",
    ["flows.ingest", "flows.ingest.base", "flows.ingest.docs", "flows.ingest.fetch",
     "flows.ingest.files", "flows.ingest.http", "flows.ingest.registry", "flows.ingest.rss",
     "flows.ingest.state", "flows.pipeline.check", "flows.ingest.wordpress", "flows.ingest.sources",
     "flows.decode.html", "flows.ingest", "flows.pipeline.run", "flows.pipeline.document", "flows.errors"],
)
def test_exported_names_are_sorted_and_exist(module: str) -> None:
    import importlib

    package = importlib.import_module(module)
    names = package.__all__
    assert names == sorted(names)
    for name in names:
        assert hasattr(package, name), name
