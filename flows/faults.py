"""Fault points: named places where a test can make a run or a download stop, deterministically.

`BROADSHEET_FAULT_AT=<point>` (or `<point>:<n>`, the n-th time the process gets there)
makes the process print `fault point <point>` to standard error when it reaches it,
and then act as `BROADSHEET_FAULT_ACTION` says:

    kill    SIGKILL itself on the spot: a crash at exactly that moment (nothing is cleaned up)
    pause   wait until a line arrives on standard input (or it is closed), then go on
    sleep   sleep for `BROADSHEET_FAULT_SLEEP` seconds (default: an hour), then go on (the default)

so a crash test needs no timing at all: it names the point, lets the run kill itself
there, and checks that the previous release and catalog are intact and that the next
run publishes a complete release. Unset, a fault point costs one dictionary lookup.

    after-batch      a parsed batch appended to the staged release's files (`:n`: the n-th batch)
    after-parquet    every staged Parquet and JSON Lines file closed, datapackage.json not yet written
    after-staging    staged files sealed: datapackage.json and README.md written
    during-move      (S3 only) the staged release partly copied into releases/<id>
    after-move       release folder moved into releases/<id>, catalog not yet replaced
    before-catalog   new catalog computed, about to be written
    after-catalog    catalog replaced, older releases not yet removed (--keep)
    mid-download     `broadsheet download`: part of a file received into <path>.part, more to come
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections import Counter

__all__ = ["FAULT_POINTS", "fault_point"]

FAULT_POINTS = (
    "after-batch",
    "after-parquet",
    "after-staging",
    "during-move",
    "after-move",
    "before-catalog",
    "after-catalog",
    "mid-download",
)

_reached: Counter[str] = Counter()


def _wanted(name: str) -> bool:
    target = os.environ.get("BROADSHEET_FAULT_AT")
    if not target or not target.startswith(name):
        return False
    point, _, nth = target.partition(":")
    if point != name:
        return False
    _reached[name] += 1
    return not nth or _reached[name] == int(nth)


def fault_point(name: str) -> None:
    """Stop here when `BROADSHEET_FAULT_AT` names this point (see the module docstring)."""
    if not _wanted(name):
        return
    print(f"fault point {name}", file=sys.stderr, flush=True)
    action = os.environ.get("BROADSHEET_FAULT_ACTION", "sleep")
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action == "pause":
        sys.stdin.readline()
    else:
        time.sleep(float(os.environ.get("BROADSHEET_FAULT_SLEEP", "3600")))
