"""Scheduled runs: the publish flow served as a Prefect deployment on a cron or an interval.

Prefect schedules need a real API server. When `PREFECT_API_URL` is set, that
server is used; otherwise `local_server()` starts `prefect server start` on
127.0.0.1 as a child process (SQLite, state under a project-local folder), waits
until it answers `/api/health`, and stops it when the schedule stops.

Runs never overlap on the same deployment: the deployment's concurrency limit is
1 with the `CANCEL_NEW` collision strategy, so a run due while another is still
going is cancelled at once rather than queued behind it (a late run does not pile
up behind a stuck one); the publishing lock on the output folder guards against
runs from anywhere else.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

from flows.errors import ConfigError

__all__ = ["DEPLOYMENT_NAME", "LocalServer", "local_server", "serve_schedule", "stop_on_sigterm"]

DEPLOYMENT_NAME = "broadsheet-schedule"
_HEALTH_TIMEOUT = 180.0


@dataclass(frozen=True, slots=True)
class LocalServer:
    """A `prefect server` child process on 127.0.0.1."""

    process: subprocess.Popen[bytes]
    api_url: str
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _prefect_executable() -> str:
    candidate = Path(sys.executable).with_name("prefect")
    return str(candidate) if candidate.exists() else "prefect"


def _wait_healthy(server: subprocess.Popen[bytes], api_url: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            tail = log.read_text(encoding="utf-8", errors="replace")[-800:] if log.exists() else ""
            raise ConfigError(
                f"the local Prefect server exited with status {server.returncode} before it was ready; "
                f"its log ({log}) ends with: {tail.strip()[-400:]}",
                uri=api_url,
            )
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{api_url}/health", timeout=2.0).status_code == 200:
                return
        time.sleep(0.5)
    raise ConfigError(
        f"the local Prefect server did not answer {api_url}/health within {timeout:.0f} s: see {log}, or start "
        "one yourself (`prefect server start`) and set PREFECT_API_URL",
        uri=api_url,
    )


def _stop(process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


@contextlib.contextmanager
def local_server(home: Path, *, port: int | None = None, timeout: float = _HEALTH_TIMEOUT) -> Iterator[LocalServer]:
    """Start `prefect server start` on 127.0.0.1 with its state under `home`, and stop it on exit.

    Raises:
        ConfigError: the server did not become healthy (its log says why).
    """
    home.mkdir(parents=True, exist_ok=True)
    port = port or _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_UI_ENABLED="false",
    )
    log = home / "server.log"
    with log.open("ab") as handle:
        process = subprocess.Popen(
            [_prefect_executable(), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C in the terminal reaches us; we stop the server ourselves
        )
    try:
        _wait_healthy(process, api_url, log, timeout)
        yield LocalServer(process, api_url, log)
    finally:
        _stop(process)


@contextlib.contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt for the duration, so that a service manager's stop
    request shuts the schedule (and the server it started) down as cleanly as Ctrl-C."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve_schedule(
    parameters: dict[str, Any], *, cron: str | None = None, interval: float | None = None,
    name: str = DEPLOYMENT_NAME,
) -> None:
    """Serve the publish flow as a deployment on `cron` or every `interval` seconds, until interrupted.

    Args:
        parameters: the flow's parameters (raw, out, sources, keep, limits, ...).
        cron: a cron expression, e.g. "0 * * * *" for every hour.
        interval: seconds between runs (instead of `cron`).
        name: the deployment's name.
    """
    if (cron is None) == (interval is None):
        raise ConfigError("give a schedule: either --cron EXPR or --interval SECONDS")
    from prefect import serve
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.deployments.runner import RunnerDeployment
    from prefect.types.entrypoint import EntrypointType

    from flows.flow import publish_flow

    deployment = publish_flow.to_deployment(  # a RunnerDeployment: we call it synchronously
        name=name,
        cron=cron,
        interval=interval,
        parameters=parameters,
        description="broadsheet: publish the configured sources as a release, on a schedule",
        tags=["broadsheet"],
        concurrency_limit=ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW),
        entrypoint_type=EntrypointType.MODULE_PATH,  # runs from the installed package, wherever it lives
    )
    assert isinstance(deployment, RunnerDeployment)
    serve(deployment, print_starting_message=False)
