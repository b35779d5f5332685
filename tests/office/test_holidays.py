import datetime as dt

from bilateral.office.holidays import (
    add_business_days,
    business_days_between,
    easter,
    federal_holidays,
    is_business_day,
)

D = dt.date


def test_easter_known_years() -> None:
    assert easter(2024) == D(2024, 3, 31)
    assert easter(2025) == D(2025, 4, 20)
    assert easter(2026) == D(2026, 4, 5)
    assert easter(2014) == D(2014, 4, 20)


def test_2026_holidays() -> None:
    h = federal_holidays(2026)
    assert set(h) == {
        D(2026, 1, 1),
        D(2026, 4, 3),
        D(2026, 5, 18),
        D(2026, 7, 1),
        D(2026, 9, 7),
        D(2026, 9, 30),
        D(2026, 10, 12),
        D(2026, 11, 11),
        D(2026, 12, 25),
        D(2026, 12, 28),
    }  # Boxing Day 2026 is a Saturday -> Monday 28


def test_weekend_observance_christmas_saturday() -> None:
    h = federal_holidays(2021)  # Christmas Sat, Boxing Sun
    assert h[D(2021, 12, 27)] == "Christmas Day"
    assert h[D(2021, 12, 28)] == "Boxing Day"
    assert D(2021, 9, 30) in h  # first NDTR
    assert h[D(2021, 7, 1)] == "Canada Day"


def test_truth_and_reconciliation_only_from_2021() -> None:
    assert "National Day for Truth and Reconciliation" not in federal_holidays(2020).values()
    assert D(2020, 9, 30) not in federal_holidays(2020)


def test_victoria_day_is_monday_before_may_25() -> None:
    for y in range(2000, 2040):
        v = next(d for d, n in federal_holidays(y).items() if n == "Victoria Day")
        assert v.weekday() == 0 and D(y, 5, 18) <= v <= D(y, 5, 24)


def test_add_business_days_skips_weekends_and_holidays() -> None:
    # Thu 2026-04-02 + 1 -> skip Good Friday and the weekend -> Mon 04-06
    assert add_business_days(D(2026, 4, 2), 1) == D(2026, 4, 6)
    # 10 business days from Mon 2026-03-02 -> Mon 2026-03-16
    assert add_business_days(D(2026, 3, 2), 10) == D(2026, 3, 16)
    # across Christmas 2026: Wed 12-23 + 3 -> Thu 24, Tue 29, Wed 30
    assert add_business_days(D(2026, 12, 23), 3) == D(2026, 12, 30)
    assert add_business_days(D(2026, 3, 2), 0) == D(2026, 3, 2)


def test_business_days_between_inverse() -> None:
    start = D(2026, 6, 26)
    for n in range(0, 45):
        end = add_business_days(start, n)
        assert business_days_between(start, end) == n
        assert is_business_day(end) or n == 0
    assert business_days_between(D(2026, 3, 16), D(2026, 3, 2)) == -10
