"""The example ingestor keeps broadsheet's ingestor contract."""

from __future__ import annotations

from pathlib import Path

from broadsheet_example_ingestor import JsonLinesConfig, JsonLinesIngestor

from flows.ingest import IngestContext
from flows.pipeline.check import check_ingestor

SAMPLE = Path(__file__).resolve().parent.parent / "sample.jsonl"


def test_the_example_keeps_the_contract(tmp_path: Path) -> None:
    documents = check_ingestor(JsonLinesIngestor, {"path": str(SAMPLE)}, state=tmp_path / "state")
    assert [d.hints["title"] for d in documents] == [
        "Harbour Dues to Rise for Foreign Trawlers",
        "Ferry Crews Call Off Strike After Late-Night Deal",
    ]


def test_a_bad_line_is_an_error_and_the_others_go_on(tmp_path: Path) -> None:
    source = tmp_path / "mixed.jsonl"
    source.write_text(SAMPLE.read_text().splitlines()[0] + '\n{"title": "no url"}\n', encoding="utf-8")
    items = list(JsonLinesIngestor("t", JsonLinesConfig(path=source)).fetch(IngestContext(state=tmp_path)))
    assert [type(i).__name__ for i in items] == ["RawDocument", "IngestError"]
    assert items[1].uri.endswith("#line=2")
