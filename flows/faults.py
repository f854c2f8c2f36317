"""Fault points: named places in the publishing sequence where a test can stop the process.

Setting `BROADSHEET_FAULT_AT=<point>` makes a run print `fault point <point>` to
standard error when it gets there and then sleep (for `BROADSHEET_FAULT_SLEEP`
seconds, default: for an hour), so that a test can kill it at exactly that moment
and check that the previous release and catalog are intact. Unset, a fault point
costs one dictionary lookup.

    during-staging   some batches written into the staging folder
    after-staging    staged files sealed: datapackage.json and README.md written
    after-move       release folder moved into releases/<id>, catalog not yet replaced
    before-catalog   new catalog computed, about to be written
    after-catalog    catalog replaced, older releases not yet removed (--keep)
"""

from __future__ import annotations

import os
import sys
import time

__all__ = ["FAULT_POINTS", "fault_point"]

FAULT_POINTS = ("during-staging", "after-staging", "after-move", "before-catalog", "after-catalog")


def fault_point(name: str) -> None:
    """Pause here when `BROADSHEET_FAULT_AT` names this point (a test then kills the process)."""
    if os.environ.get("BROADSHEET_FAULT_AT") != name:
        return
    print(f"fault point {name}", file=sys.stderr, flush=True)
    time.sleep(float(os.environ.get("BROADSHEET_FAULT_SLEEP", "3600")))
