"""Clocks tell aware UTC time; the manual one moves only when told (or by its step)."""

from __future__ import annotations

import datetime as dt

import pytest

from workflow.core.clock import Clock, ManualClock, SystemClock

WIB = dt.timezone(dt.timedelta(hours=7))


def test_system_clock_is_aware_utc_and_current() -> None:
    clock: Clock = SystemClock()
    before = dt.datetime.now(dt.UTC)
    now = clock.now()
    assert now.tzinfo == dt.UTC
    assert before <= now <= dt.datetime.now(dt.UTC)


def test_manual_clock_stands_still_until_moved() -> None:
    clock = ManualClock(dt.datetime(2026, 11, 23, 8, 0, tzinfo=WIB))
    assert clock.now() == clock.now() == dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)
    assert clock.now().tzinfo == dt.UTC
    assert clock.advance(dt.timedelta(days=3)) == dt.datetime(2026, 11, 26, 1, 0, tzinfo=dt.UTC)
    clock.set(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert clock.now() == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_manual_clock_with_a_step_ticks_per_reading() -> None:
    clock = ManualClock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), step=dt.timedelta(seconds=2))
    assert [clock.now().second for _ in range(3)] == [0, 2, 4]


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ManualClock(dt.datetime(2026, 1, 1))
    clock = ManualClock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.set(dt.datetime(2026, 1, 2))
