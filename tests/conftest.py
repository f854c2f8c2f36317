"""Shared fixtures. Prefect's state goes to a temporary folder, telemetry is off, and
one session-scoped test harness serves every test that runs a flow."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

# Before anything imports prefect: its settings are read at import.
_PREFECT_HOME = tempfile.mkdtemp(prefix="broadsheet-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.pop("PREFECT_API_URL", None)

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"
SEED = ROOT / "raw" / "000_72e78a6f65c98bb3.txt"


#: Tests that share a session-wide resource run in one worker process when the suite runs in
#: parallel (pytest-xdist, `--dist loadgroup`): the Prefect test harness is one temporary server per
#: worker, and the example plugin is installed into the one environment every worker shares.
SHARED_GROUP = "session-resources"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        names = getattr(item, "fixturenames", ())
        if item.get_closest_marker("prefect") or "prefect_harness" in names or "example_plugin" in names:
            item.add_marker(pytest.mark.xdist_group(SHARED_GROUP))


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A Prefect API for the whole session (a temporary server, started once)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    """A raw folder holding the seed text."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / SEED.name).write_bytes(SEED.read_bytes())
    return raw


LAYOUTS = sorted((CASES / "layouts").glob("*.txt"))


def make_corpus(raw: Path, count: int) -> list[Path]:
    """Write `count` distinct documents into `raw`: the seed and the layout cases, varied by a
    trailing line break count so that every file has its own bytes (and sha256)."""
    raw.mkdir(parents=True, exist_ok=True)
    texts = [SEED, *LAYOUTS]
    written = []
    for i in range(count):
        source = texts[i % len(texts)]
        path = raw / f"{i:04d}_{source.stem}.txt"
        path.write_bytes(source.read_bytes().rstrip(b"\n") + b"\n" * (1 + i // len(texts)))
        written.append(path)
    return written


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A raw folder of 30 distinct documents."""
    raw = tmp_path / "corpus"
    make_corpus(raw, 30)
    return raw


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served() -> Iterator[Callable[[Path], str]]:
    """Start `broadsheet serve` (in a thread) on a free port of 127.0.0.1 for a folder; gives its URL."""
    import threading

    from flows.access.serve import make_server

    servers = []

    def start(out: Path) -> str:
        server = make_server(out, "127.0.0.1", 0)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
@pytest.fixture
def ingest_server() -> Iterator[object]:
    """A real HTTP server on 127.0.0.1 with fixture pages, a WordPress-shaped API, feeds and faults."""
    from .ingest_server import serve

    yield from serve()


EXAMPLE_PLUGIN = ROOT / "examples" / "broadsheet-example-ingestor"


@pytest.fixture(scope="session")
def example_plugin() -> Iterator[str]:
    """The example ingestor package, installed into this environment for the session, so that
    broadsheet finds it through its `broadsheet.ingestors` entry point; the ingestor's name."""
    import importlib
    import site
    import subprocess
    import sys
    import sysconfig
    from importlib import metadata

    from flows.ingest.registry import refresh

    try:
        metadata.distribution("broadsheet-example-ingestor")
        installed_before = True
    except metadata.PackageNotFoundError:
        installed_before = False
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--editable", str(EXAMPLE_PLUGIN)],
        check=True, capture_output=True,
    )
    site.addsitedir(sysconfig.get_paths()["purelib"])  # read the new .pth file in this process too
    importlib.invalidate_caches()
    refresh()
    yield "jsonl"
    if not installed_before:
        uninstall = ["uninstall", "--yes", "--quiet", "broadsheet-example-ingestor"]
        subprocess.run([sys.executable, "-m", "pip", *uninstall], check=False, capture_output=True)
    refresh()
