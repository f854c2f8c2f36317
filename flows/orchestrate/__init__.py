"""Orchestration: the pipeline as a Prefect flow, on a schedule, with the API servers it needs.

    flow.py      `publish_flow`: thin tasks over the pipeline (ingest per source, parse per batch, publish)
    schedule.py  `broadsheet schedule`: the flow served as a deployment on a cron or an interval
    server.py    the Prefect API servers broadsheet starts itself (a run's temporary one, a schedule's)

This is the only package that imports Prefect.
"""

from __future__ import annotations
