"""Scheduled runs: the publish flow served as a Prefect deployment on a cron or an interval.

Prefect schedules need a real API server. When `PREFECT_API_URL` is set, that
server is used; otherwise `flows.orchestrate.server.local_server()` starts `prefect server start` on
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
import signal
from collections.abc import Iterator
from types import FrameType
from typing import Any

from flows.errors import ConfigError

__all__ = ["DEPLOYMENT_NAME", "serve_schedule", "stop_on_sigterm"]

DEPLOYMENT_NAME = "broadsheet-schedule"


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

    from flows.orchestrate.flow import publish_flow

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
