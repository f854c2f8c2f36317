"""The Prefect flow and the command line, on Prefect's test harness."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.cli import main

pytestmark = pytest.mark.prefect


def test_flow_publishes_the_seed(prefect_harness: None, raw_dir: Path, tmp_path: Path) -> None:
    from flows.orchestrate.flow import publish_flow

    out = tmp_path / "out"
    result = publish_flow(raw=str(raw_dir), out=str(out))
    assert result["published"] is True
    assert result["rows"] == {"documents": 1, "articles": 1, "positions": 9, "comments": 2, "actors": 2, "rejects": 0}
    again = publish_flow(raw=str(raw_dir), out=str(out))
    assert again["published"] is False and "unchanged" in again["message"]


def test_cli_run_prints_a_summary(prefect_harness: None, raw_dir: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["run", "--raw", str(raw_dir), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "published release" in printed and "positions" in printed
    assert main(["run", "--raw", str(raw_dir), "--out", str(out)]) == 0
    assert "nothing new to publish" in capsys.readouterr().out
    catalog = json.loads((out / "catalog.json").read_text())
    assert len(catalog["releases"]) == 1


def test_cli_says_what_to_do_about_a_missing_raw_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--raw", str(tmp_path / "nope"), "--out", str(tmp_path / "out")]) == 1
    assert "pass --raw DIR" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"], ["catalog", "--help"], ["serve", "--help"],
                                  ["download", "--help"]])
def test_help_is_useful(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "usage: broadsheet" in text
    if argv[0] == "run":
        assert "--raw DIR" in text and "--out DIR" in text and "unchanged" in text.lower()


def test_run_without_prefect(raw_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["run", "--no-prefect", "--raw", str(raw_dir), "--out", str(out)]) == 0
    assert "published release" in capsys.readouterr().out
    (raw_dir / "more.txt").write_text("A Second Headline\n\nThe minister said the talks went well.\n")
    assert main(["run", "--no-prefect", "--raw", str(raw_dir), "--out", str(out)]) == 0
    assert "carried 1 unchanged documents forward" in capsys.readouterr().out


def test_cli_run_starts_and_stops_its_own_prefect_server(raw_dir: Path, tmp_path: Path) -> None:
    """Without a configured Prefect API, `broadsheet run` (a real process) starts a temporary
    Prefect server before it imports the flow, runs the flow on it, and stops it."""
    import os
    import subprocess
    import sys

    home = tmp_path / "prefect-home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "flows.cli", "run", "--raw", str(raw_dir), "--out", str(out), "-q"],
                          env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "published release" in done.stdout
    assert (home / "temporary-server.log").exists()  # the server was ours, under PREFECT_HOME
    assert (home / "prefect.db").exists()  # and the flow run was recorded in its database
    # ... and stopped it: no process is left with that PREFECT_HOME (Linux: /proc/PID/environ)
    marker = f"PREFECT_HOME={home}".encode()
    left = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker in environ.read_bytes().split(b"\0"):
                left.append(environ.parent.name)
        except OSError:
            continue
    assert not left
    catalog = json.loads((out / "catalog.json").read_text())
    assert len(catalog["releases"]) == 1
