"""Canadian federal statutory holidays and business-day arithmetic (pure, no I/O).

Holidays counted for the service standards: New Year's Day, Good Friday, Victoria Day,
Canada Day, Labour Day, National Day for Truth and Reconciliation (from 2021),
Thanksgiving, Remembrance Day, Christmas Day and Boxing Day. A holiday that falls on a
weekend is observed on the next working day (Saturday/Sunday -> Monday; when Christmas is on
a Saturday or Sunday, Boxing Day moves to the Tuesday, etc.).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ll = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ll) // 451
    month, day = divmod(h + ll - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _victoria_day(year: int) -> dt.date:
    """The Monday before May 25."""
    may24 = dt.date(year, 5, 24)
    return may24 - dt.timedelta(days=may24.weekday())


@lru_cache(maxsize=256)
def federal_holidays(year: int) -> dict[dt.date, str]:
    """Observed federal holidays of ``year``: date -> English name."""
    fixed: list[tuple[dt.date, str]] = [
        (dt.date(year, 1, 1), "New Year's Day"),
        (dt.date(year, 7, 1), "Canada Day"),
        (dt.date(year, 11, 11), "Remembrance Day"),
        (dt.date(year, 12, 25), "Christmas Day"),
        (dt.date(year, 12, 26), "Boxing Day"),
    ]
    if year >= 2021:
        fixed.append((dt.date(year, 9, 30), "National Day for Truth and Reconciliation"))
    out: dict[dt.date, str] = {
        easter(year) - dt.timedelta(days=2): "Good Friday",
        _victoria_day(year): "Victoria Day",
        _nth_weekday(year, 9, MON, 1): "Labour Day",
        _nth_weekday(year, 10, MON, 2): "Thanksgiving",
    }
    for day, name in sorted(fixed):
        observed = day
        while observed.weekday() >= SAT or observed in out:
            observed += dt.timedelta(days=1)
        out[observed] = name
    return out


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < SAT and day not in federal_holidays(day.year)


def add_business_days(start: dt.date, days: int) -> dt.date:
    """The business day ``days`` business days after ``start`` (``start`` itself not counted)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    day = start
    while days:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            days -= 1
    return day


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Business days after ``start`` up to and including ``end`` (negative if end < start)."""
    if end < start:
        return -business_days_between(end, start)
    n, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            n += 1
    return n
