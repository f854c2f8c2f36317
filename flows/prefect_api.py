"""Prefect's temporary API server for one `broadsheet run`, started early.

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
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from flows.schedule import _free_port, _wait_healthy

__all__ = ["TemporaryServer", "temporary_server"]

_STARTUP_TIMEOUT = 90.0


class TemporaryServer:
    """A Prefect API server child process on 127.0.0.1 for this run; `api_url()` waits for it."""

    def __init__(self, home: Path) -> None:
        home.mkdir(parents=True, exist_ok=True)
        port = _free_port()
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
            _wait_healthy(self.process, self.url, self.log, timeout)
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
