"""Where domain code gets "now": a clock passed in, so tests (and SLA timers) control time."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current instant as a timezone-aware UTC datetime."""

    def now(self) -> dt.datetime:
        """Return the current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The wall clock of this machine."""

    def now(self) -> dt.datetime:
        """Return the current instant, timezone-aware, in UTC."""
        return dt.datetime.now(dt.UTC)


class ManualClock:
    """A clock that stands still until moved; with ``step`` it advances by that much per reading.

    Safe to share between threads, so concurrency tests can read one controlled time.
    """

    def __init__(self, start: dt.datetime, *, step: dt.timedelta = dt.timedelta(0)) -> None:
        self._now = _aware_utc(start)
        self._step = step
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        """Return the current instant, then move on by ``step``."""
        with self._lock:
            current = self._now
            self._now = current + self._step
            return current

    def set(self, instant: dt.datetime) -> None:
        """Jump to ``instant`` (backwards too: clocks on real machines do)."""
        with self._lock:
            self._now = _aware_utc(instant)

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        """Move forward by ``delta`` and return the new instant."""
        with self._lock:
            self._now = self._now + delta
            return self._now


def _aware_utc(instant: dt.datetime) -> dt.datetime:
    if instant.tzinfo is None:
        raise ValueError("a clock needs a timezone-aware datetime, not a naive one")
    return instant.astimezone(dt.UTC)
