"""Prefect API servers that broadsheet starts itself: the temporary one of a run, the local one of
a schedule.

`local_server()` runs `prefect server start` on 127.0.0.1 as a child process (for
`broadsheet schedule`, when no `PREFECT_API_URL` is set), waits until it answers
`/api/health`, and stops it on exit.

`temporary_server()` is the temporary API server of one `broadsheet run`, started early.

With no API server configured, Prefect starts a temporary one the first time a
flow runs: it imports its whole server stack into the calling process (seconds,
and about 100 MB), then starts the server in a child process and waits for it.
`broadsheet run` starts the same child process itself as soon as it knows that no
server is configured, before it imports the flow, so that the server boots while
the run imports Prefect and its stages; the flow is then pointed at it
(`PREFECT_API_URL`), and the server stops when the run ends. The server is
Prefect's own application (`prefect.server.api.server:create_app` under uvicorn,
on 127.0.0.1, its SQLite database under `PREFECT_HOME`), started the way Prefect
starts its temporary server.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from flows.errors import ConfigError

__all__ = [
    "LocalServer",
    "TemporaryServer",
    "free_port",
    "local_server",
    "temporary_server",
    "wait_healthy",
]

_HEALTH_TIMEOUT = 180.0

_STARTUP_TIMEOUT = 90.0


@dataclass(frozen=True, slots=True)
class LocalServer:
    """A `prefect server` child process on 127.0.0.1."""

    process: subprocess.Popen[bytes]
    api_url: str
    log: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _prefect_executable() -> str:
    candidate = Path(sys.executable).with_name("prefect")
    return str(candidate) if candidate.exists() else "prefect"


def wait_healthy(server: subprocess.Popen[bytes], api_url: str, log: Path, timeout: float) -> None:
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
    port = port or free_port()
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
        wait_healthy(process, api_url, log, timeout)
        yield LocalServer(process, api_url, log)
    finally:
        _stop(process)



class TemporaryServer:
    """A Prefect API server child process on 127.0.0.1 for this run; `api_url()` waits for it."""

    def __init__(self, home: Path) -> None:
        home.mkdir(parents=True, exist_ok=True)
        port = free_port()
        self.url = f"http://127.0.0.1:{port}/api"
        self.log = home / "temporary-server.log"
        spec = importlib.util.find_spec("prefect")
        locations = list(spec.submodule_search_locations or []) if spec else []
        app_dir = str(Path(locations[0]).parent) if locations else "."
        env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
        env.update(PREFECT_HOME=str(home), PREFECT_UI_ENABLED="0", PREFECT__SERVER_EPHEMERAL="1",
                   PREFECT__SERVER_FINAL="1", PREFECT_SERVER_ANALYTICS_ENABLED="false")
        with self.log.open("ab") as handle:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--app-dir", app_dir, "--factory",
                 "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
                 "--log-level", "error", "--lifespan", "on"],
                env=env, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
        self._ready = False

    def api_url(self, timeout: float = _STARTUP_TIMEOUT) -> str:
        """The server's API URL, once it answers `/api/health`.

        Raises:
            ConfigError: it exited or did not answer within `timeout` seconds (its log says why).
        """
        if not self._ready:
            wait_healthy(self.process, self.url, self.log, timeout)
            self._ready = True
        return self.url

    def stop(self) -> None:
        """Stop the server (idempotent): SIGTERM, as Prefect stops its temporary server."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(5.0)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5.0)


def _configured_api_url() -> str | None:
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    return str(url) if url else None


@contextlib.contextmanager
def temporary_server(home: Path) -> Iterator[TemporaryServer | None]:
    """A `TemporaryServer` for this run, or None when a Prefect API is configured (environment,
    profile or settings file): then the flow uses that one."""
    if os.environ.get("PREFECT_API_URL") or _configured_api_url():
        yield None
        return
    server = TemporaryServer(home)
    try:
        yield server
    finally:
        server.stop()
