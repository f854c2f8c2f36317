"""Progress of a long run, for whoever shows it (the command line's progress bar).

The flow reports `(stage, done, total)`; by default nobody listens.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Reporter", "listen", "report"]

Reporter = Callable[[str, int, int], None]
_listeners: list[Reporter] = []


def listen(reporter: Reporter | None) -> None:
    """Send progress to `reporter` (None: to nobody)."""
    _listeners.clear()
    if reporter is not None:
        _listeners.append(reporter)


def report(stage: str, done: int, total: int) -> None:
    """Tell the listener that `done` of `total` items of `stage` are finished."""
    for listener in _listeners:
        listener(stage, done, total)
