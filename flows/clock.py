"""Time, injected: whatever waits, retries, leases or enforces a deadline asks a `Clock`.

`SYSTEM` is the real clock. `ManualClock` moves only when it is told to (or when
something sleeps on it), so that a test decides when a lease expires, a deadline
passes or a backoff ends, and asserts on what happened, never on how long a real
sleep took:

    clock = ManualClock()
    fetcher = Fetcher(settings, clock=clock)      # retries sleep on the clock: instantly
    ...
    assert clock.sleeps == [0.7, 1.4]             # the backoff asked for, not the time it took

Threads that wait for a period (the S3 lease's renewer) call `Clock.wait`, which a
`ManualClock` ends when its time has been advanced past the period, or at once when
the event is set.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["SYSTEM", "Clock", "ManualClock", "SystemClock", "TickingClock"]


class Clock(Protocol):
    """What a piece of code that deals with time needs of it."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin, never going back (for deadlines)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait `seconds`."""
        ...

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Wait until `event` is set or `seconds` have passed; returns whether the event is set."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))

    def wait(self, event: threading.Event, seconds: float) -> bool:
        return event.wait(max(0.0, seconds))

    def __repr__(self) -> str:
        return "SystemClock()"


#: The real clock, the default everywhere.
SYSTEM: Clock = SystemClock()


class ManualClock:
    """A clock that moves only by `advance` or `sleep` (which advances it at once and records the
    seconds asked for in `sleeps`). Safe to share between threads.

    Args:
        start: the time it shows first (default: 2026-01-01T00:00:00Z).
    """

    #: How often a thread blocked in `wait` looks at its event (real seconds; responsiveness only:
    #: when the wait ends is decided by the manual time and the event, never by this).
    _POLL = 0.01

    def __init__(self, start: datetime | None = None) -> None:
        self._start = start or datetime(2026, 1, 1, tzinfo=UTC)
        self._elapsed = 0.0
        self._changed = threading.Condition()
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        with self._changed:
            return self._start + timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        with self._changed:
            return self._elapsed

    def advance(self, seconds: float) -> None:
        """Move the clock forward by `seconds`, waking whoever waits on it."""
        with self._changed:
            self._elapsed += max(0.0, seconds)
            self._changed.notify_all()

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        with self._changed:
            until = self._elapsed + max(0.0, seconds)
            while not event.is_set() and self._elapsed < until:
                self._changed.wait(self._POLL)
        return event.is_set()

    def __repr__(self) -> str:
        return f"ManualClock({self.now().isoformat()})"


class TickingClock(ManualClock):
    """A `ManualClock` that also moves `step` seconds each time it is read: a deadline checked
    between reads passes after a known number of them, however fast the reads really are.

    Args:
        step: seconds added by every call to `monotonic` or `now`.
        start: the time it shows first.
    """

    def __init__(self, step: float, start: datetime | None = None) -> None:
        super().__init__(start)
        self.step = step

    def monotonic(self) -> float:
        self.advance(self.step)
        return super().monotonic()

    def now(self) -> datetime:
        self.advance(self.step)
        return super().now()
