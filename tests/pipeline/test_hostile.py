"""Hostile input and faults: whatever arrives, each input is published or rejected with a reason,
and a failing write leaves the previous release as it was (see SECURITY.md)."""

from __future__ import annotations

import errno
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.errors import PublishError
from flows.ingest.base import RawDocument
from flows.ingest.files import iter_files
from flows.pipeline.collect import collect_files
from flows.pipeline.document import process_document
from flows.pipeline.run import run_once
from flows.release.publish import ReleaseWriter
from flows.settings import DEFAULT_LIMITS, Limits

from ..conftest import SEED

NOW = datetime(2024, 5, 6, 12, 30, tzinfo=UTC)


def _process(data: bytes, limits: Limits = DEFAULT_LIMITS) -> object:
    return process_document(RawDocument("files", "file:///raw/x.txt", data, "text/plain", NOW), limits)


# --- raw/ on disk --------------------------------------------------------------


def test_links_out_of_raw_and_broken_links_are_rejected(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("Not for publication\n\nA private note.")
    (raw / "escape.txt").symlink_to(secret)
    (raw / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (raw / "loop.txt").symlink_to(raw / "loop.txt")
    (raw / "inside.txt").symlink_to(raw / "real.txt")
    (raw / "real.txt").write_bytes(SEED.read_bytes())
    collected = collect_files(raw)
    reasons = {Path(r.uri).name: r.message for r in collected.rejects}
    assert "outside the raw folder" in reasons["escape.txt"]
    assert "vanished" in reasons["dangling.txt"] or "cannot be read" in reasons["dangling.txt"]
    assert "loop.txt" in reasons
    assert sorted(Path(r.uri).name for r in collected.raws) == ["inside.txt", "real.txt"]
    assert all(secret.read_bytes() != r.data for r in collected.raws)


def test_odd_file_names_are_read(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    names = ["with space.txt", "ünïcødé.txt", "-leading-dash.txt", "semi;colon.txt", "new\nline.txt", "no-suffix"]
    for name in names:
        (raw / name).write_bytes(SEED.read_bytes() + name.encode())
    (raw / ".hidden.txt").write_bytes(SEED.read_bytes())
    collected = collect_files(raw)
    assert not collected.rejects
    assert len(collected.raws) == len(names)
    assert all(r.uri.startswith("file://") and "\n" not in r.uri for r in collected.raws)


def test_unreadable_and_vanishing_files_become_rejects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("locked.txt", "gone.txt", "fine.txt"):
        (raw / name).write_bytes(SEED.read_bytes() + name.encode())
    real_open = Path.open

    def hostile_open(self: Path, *args: object, **kwargs: object) -> object:
        if self.name == "locked.txt":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        if self.name == "gone.txt":
            raise FileNotFoundError(errno.ENOENT, "No such file", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", hostile_open)
    items = list(iter_files(raw))
    errors = {Path(i.uri).name: i.message for i in items if not isinstance(i, RawDocument)}
    assert "permission denied" in errors["locked.txt"]
    assert "vanished" in errors["gone.txt"]
    assert [Path(i.uri).name for i in items if isinstance(i, RawDocument)] == ["fine.txt"]


def test_a_directory_named_like_a_text_file_is_walked_not_read(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "folder.txt").mkdir(parents=True)
    (raw / "folder.txt" / "seed.txt").write_bytes(SEED.read_bytes())
    collected = collect_files(raw)
    assert not collected.rejects and len(collected.raws) == 1


# --- text that is hard to read ---------------------------------------------------


def test_mixed_line_endings_bidi_and_zero_width_characters() -> None:
    text = ("Talks Resume in Geneva\r\n\r\nSherman\u200b said the talks were useful.\rRyabkov\u2069 said"
            " \u202ethe opposite\u202c.\n\nLavrov said\ufeff nothing new.")
    batch = _process(text.encode("utf-8"))
    assert not batch.rejects  # type: ignore[attr-defined]
    document = batch.documents[0]  # type: ignore[attr-defined]
    assert "\r" not in document.text
    actors = {p.actor for p in batch.positions}  # type: ignore[attr-defined]
    assert {"Sherman", "Lavrov"} <= actors
    for position in batch.positions:  # type: ignore[attr-defined]
        assert document.text[position.char_start : position.char_end] == position.text


def test_invalid_utf8_mixed_with_cp1252_is_decoded_or_rejected_never_garbled() -> None:
    data = "Headline Here\n\nThe minister said “yes”.".encode() + b"\xff\xfe\x00"
    batch = _process(data)
    if batch.rejects:  # type: ignore[attr-defined]
        assert batch.rejects[0].stage == "decode"  # type: ignore[attr-defined]
    else:
        assert "\x00" not in batch.documents[0].text  # type: ignore[attr-defined]


def test_a_single_huge_line_is_rejected_by_the_line_limit() -> None:
    data = b"Headline\n\n" + b"word " * 400_000  # one 2 MB line
    batch = _process(data, Limits(max_line_chars=1_000_000))
    (reject,) = batch.rejects  # type: ignore[attr-defined]
    assert reject.error == "LimitExceeded" and "--max-line-chars" in reject.message


def test_limits_on_comments_and_depth_name_the_setting() -> None:
    lines = ["Deep Thread Headline For The Test", "", "A first paragraph that says enough.", "", "Comments", ""]
    for depth in range(30):
        lines += [" " * (2 * depth) + f"user{depth} says:", " " * (2 * depth) + "March 4, 2024 at 9:12 am",
                  " " * (2 * depth) + f"Reply {depth}.", ""]
    data = "\n".join(lines).encode()
    (deep,) = _process(data, Limits(max_depth=10)).rejects  # type: ignore[attr-defined]
    assert "--max-depth" in deep.message
    (many,) = _process(data, Limits(max_comments=5)).rejects  # type: ignore[attr-defined]
    assert "--max-comments" in many.message


# --- faults while publishing -------------------------------------------------------


@pytest.mark.parametrize(("code", "words"), [(errno.ENOSPC, "disk is full"), (errno.EACCES, "permission denied")])
def test_a_failing_write_keeps_the_previous_release(raw_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    code: int, words: str) -> None:
    out = tmp_path / "out"
    first = run_once(raw_dir, out)
    catalog = (out / "catalog.json").read_bytes()
    (raw_dir / "second.txt").write_text("A Second Headline\n\nA first paragraph that says little.\n")

    def failing_write(self: ReleaseWriter, rows: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(ReleaseWriter, "write_encoded", failing_write)  # what every batch goes through
    with pytest.raises(PublishError) as info:
        run_once(raw_dir, out)
    assert words in info.value.message and "previous release" in info.value.message
    assert (out / "catalog.json").read_bytes() == catalog
    assert json.loads(catalog)["latest"] == first.release_id
    assert not list((out / ".staging").glob("*")) if (out / ".staging").exists() else True
