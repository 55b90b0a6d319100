"""Durations are calendar-exact: completed months and years, month ends clamped."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from rules.durations import add_months, completed_months, completed_years

dates = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31))


def test_exactly_two_years_is_24_completed_months() -> None:
    assert completed_months(dt.date(2024, 3, 1), dt.date(2026, 3, 1)) == 24
    assert completed_months(dt.date(2024, 3, 2), dt.date(2026, 3, 1)) == 23


def test_turning_56_on_the_day_is_56() -> None:
    assert completed_years(dt.date(1970, 3, 1), dt.date(2026, 3, 1)) == 56
    assert completed_years(dt.date(1970, 3, 2), dt.date(2026, 3, 1)) == 55


def test_month_ends_clamp() -> None:
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert completed_months(dt.date(2025, 1, 31), dt.date(2025, 2, 28)) == 1
    assert completed_months(dt.date(2025, 1, 31), dt.date(2025, 2, 27)) == 0
    # a 29 February birthday is reached on 28 February in common years
    assert completed_years(dt.date(2000, 2, 29), dt.date(2027, 2, 28)) == 27
    assert completed_years(dt.date(2000, 2, 29), dt.date(2027, 2, 27)) == 26


def test_nothing_is_completed_before_the_start() -> None:
    assert completed_months(dt.date(2026, 3, 1), dt.date(2026, 2, 1)) == 0
    assert completed_months(dt.date(2026, 3, 1), dt.date(2026, 3, 1)) == 0


@given(dates, dates)
def test_completed_months_is_the_last_anniversary_reached(start: dt.date, end: dt.date) -> None:
    months = completed_months(start, end)
    if end <= start:
        assert months == 0
        return
    assert add_months(start, months) <= end < add_months(start, months + 1)
    assert completed_years(start, end) == months // 12
