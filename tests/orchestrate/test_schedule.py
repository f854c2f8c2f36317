"""Scheduled runs against a real Prefect server on 127.0.0.1.

`broadsheet schedule` starts its own `prefect server` (no PREFECT_API_URL), serves the
publish flow every few seconds over a temporary raw folder; a file is added between
runs; the test checks that scheduled runs completed and that a release with the new
document appeared, then stops the schedule with SIGTERM and checks that the server it
started is gone. Bounded in time; everything it starts is stopped.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ..conftest import CASES, SEED

pytestmark = [pytest.mark.prefect, pytest.mark.slow, pytest.mark.timeout(420)]


def _wait(predicate: object, timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()  # type: ignore[operator]
        if value:
            return value
        time.sleep(1)  # polling for readiness: the bound only limits a broken run, it decides nothing
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def _documents_in_latest(out: Path) -> int:
    catalog = out / "catalog.json"
    if not catalog.exists():
        return 0
    data = json.loads(catalog.read_text())
    latest = next(r for r in data["releases"] if r["id"] == data["latest"])
    return int(latest["datasets"]["documents"]["rows"])


def test_scheduled_runs_publish_new_documents(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / SEED.name).write_bytes(SEED.read_bytes())
    out = tmp_path / "out"
    log = tmp_path / "schedule.log"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_RUNNER_POLL_FREQUENCY="1", PREFECT_LOGGING_LEVEL="INFO",
               PREFECT_SERVER_ANALYTICS_ENABLED="false")
    cli = Path(sys.executable).with_name("broadsheet")
    with log.open("wb") as handle:
        schedule = subprocess.Popen(
            [str(cli), "schedule", "--interval", "4", "--raw", str(raw), "--out", str(out)],
            stdout=handle, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
    api = ""
    try:
        found = _wait(lambda: re.search(r"on (http://127\.0\.0\.1:\d+/api)", log.read_text()), 240,
                      "the local Prefect server")
        api = found.group(1)  # type: ignore[attr-defined]
        _wait(lambda: _documents_in_latest(out) == 1, 120, "the first scheduled release")
        (raw / "103_plain_quotes.txt").write_bytes((CASES / "dev" / "103_plain_quotes.txt").read_bytes())
        _wait(lambda: _documents_in_latest(out) == 2, 120, "a release with the new document")

        def completed() -> int:
            body = {"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}}
            runs = httpx.post(f"{api}/flow_runs/filter", json=body, timeout=10).json()
            return len([r for r in runs if r.get("deployment_id")])

        assert _wait(lambda: completed() >= 2, 60, "two completed scheduled runs")
        catalog = json.loads((out / "catalog.json").read_text())
        assert len(catalog["releases"]) == 2
        assert "1 added" in (catalog["releases"][0].get("notes") or "") or catalog["releases"][0]["changes"]
        text = log.read_text()
        assert "published release" in text and "documents (" in text
    finally:
        if schedule.poll() is None:
            schedule.send_signal(signal.SIGTERM)
        try:
            schedule.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(schedule.pid, signal.SIGKILL)
            schedule.wait(10)
    assert schedule.returncode == 0, log.read_text()[-2000:]
    assert "schedule stopped" in log.read_text()
    if api:
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"{api}/health", timeout=2)  # the server it started is gone


def test_schedule_needs_a_cron_or_an_interval(capsys: pytest.CaptureFixture[str]) -> None:
    from flows.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["schedule", "--raw", "raw"])
    assert exit_info.value.code == 2
    assert "--cron" in capsys.readouterr().err


def test_prefect_yaml_names_the_publish_flow_with_valid_parameters() -> None:
    import yaml

    from flows.orchestrate.flow import publish_flow

    from ..conftest import ROOT

    config = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    (deployment,) = config["deployments"]
    path, _, name = deployment["entrypoint"].partition(":")
    assert (ROOT / path).is_file() and name == publish_flow.fn.__name__
    assert set(deployment["parameters"]) <= set(publish_flow.parameters.properties)
    assert deployment["concurrency_limit"] == {"limit": 1, "collision_strategy": "CANCEL_NEW"}
    from prefect.client.schemas.schedules import CronSchedule

    CronSchedule(cron=deployment["schedules"][0]["cron"], timezone=deployment["schedules"][0]["timezone"])
