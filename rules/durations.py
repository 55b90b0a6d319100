"""Calendar-exact durations: completed months and years between two dates.

A month is completed on the same day of a later month; when that day does not exist, on the last
day of that month (31 January + 1 month = 28/29 February). So someone who started a position
exactly two years before the reference date has exactly 24 completed months, and someone turning
56 on the reference date is 56. A birthday on 29 February is reached on 28 February in common
years.
"""

from __future__ import annotations

import datetime as dt

_MONTH_DAYS = (
    (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31),
    (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31),
)


def _days_in_month(year: int, month: int) -> int:
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return _MONTH_DAYS[leap][month - 1]


def add_months(day: dt.date, months: int) -> dt.date:
    """Return ``day`` moved by ``months`` (may be negative), clamped to the end of the month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, _days_in_month(year, month)))


def completed_months(start: dt.date, end: dt.date) -> int:
    """Return the whole months from ``start`` to ``end`` (0 when ``end`` is before ``start``)."""
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    # the anniversary day of `start` in end's month, clamped: reached or not yet
    anniversary = min(start.day, _days_in_month(end.year, end.month))
    if end.day < anniversary:
        months -= 1
    return months


def completed_years(start: dt.date, end: dt.date) -> int:
    """Return the whole years from ``start`` to ``end`` (an age, when ``start`` is a birth date)."""
    return completed_months(start, end) // 12
