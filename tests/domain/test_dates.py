"""Calendar helpers: hand-computed tables plus the round-trip and monotonicity properties rules rely on."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from miaopu.domain.dates import add_months, age_on, full_months, full_years, month_index

# Keep generated dates far enough from date.min/max that add_months never overflows.
dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
month_counts = st.integers(min_value=0, max_value=600)


@pytest.mark.parametrize(
    ("birth", "on", "expected"),
    [
        (date(1990, 6, 15), date(2020, 6, 15), 30),  # birthday on the as-of date counts
        (date(1990, 6, 15), date(2020, 6, 14), 29),  # the day before does not
        (date(1990, 6, 15), date(2020, 12, 31), 30),
        (date(1990, 12, 31), date(2021, 1, 1), 30),
        (date(2000, 2, 29), date(2024, 2, 29), 24),  # leap year: birthday exists
        (date(2000, 2, 29), date(2023, 2, 28), 22),  # non-leap: not yet on 28 Feb …
        (date(2000, 2, 29), date(2023, 3, 1), 23),  # … reached on 1 March
        (date(2000, 2, 29), date(2024, 2, 28), 23),
        (date(2000, 1, 1), date(2000, 1, 1), 0),
        (date(2000, 1, 1), date(1999, 12, 31), 0),  # birth after as-of: 0, not negative
    ],
)
def test_age_on_table(birth: date, on: date, expected: int) -> None:
    assert age_on(birth, on) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2021, 1, 31), 1, date(2021, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 1, 31), 2, date(2024, 3, 31)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2020, 11, 15), 3, date(2021, 2, 15)),
        (date(2020, 1, 15), 0, date(2020, 1, 15)),
        (date(2021, 3, 31), -1, date(2021, 2, 28)),
        (date(2021, 1, 15), -13, date(2019, 12, 15)),
    ],
)
def test_add_months_table(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_add_months_out_of_range() -> None:
    with pytest.raises(OverflowError):
        add_months(date(9999, 12, 1), 1)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2021, 1, 31), date(2021, 2, 28), 1),
        (date(2021, 1, 31), date(2021, 2, 27), 0),
        (date(2020, 1, 1), date(2022, 1, 1), 24),
        (date(2020, 1, 1), date(2021, 12, 31), 23),
        (date(2020, 1, 15), date(2020, 2, 14), 0),
        (date(2020, 1, 15), date(2020, 2, 15), 1),
        (date(2024, 2, 29), date(2025, 2, 28), 12),
        (date(2020, 5, 5), date(2020, 5, 5), 0),
        (date(2020, 5, 5), date(2019, 1, 1), 0),  # end before start
    ],
)
def test_full_months_table(start: date, end: date, expected: int) -> None:
    assert full_months(start, end) == expected


def test_full_years() -> None:
    assert full_years(date(2010, 9, 1), date(2020, 8, 31)) == 9
    assert full_years(date(2010, 9, 1), date(2020, 9, 1)) == 10
    assert full_years(date(2020, 9, 1), date(2010, 9, 1)) == 0


def test_month_index() -> None:
    assert month_index(date(2025, 1, 31)) - month_index(date(2024, 12, 1)) == 1


@given(dates, month_counts)
def test_full_months_inverts_add_months(d: date, m: int) -> None:
    assert full_months(d, add_months(d, m)) == m


@given(dates, dates)
def test_full_months_is_the_largest_fitting_count(start: date, end: date) -> None:
    m = full_months(start, end)
    assert m >= 0
    if end > start:
        assert add_months(start, m) <= end
    assert add_months(start, m + 1) > end or end <= start


@given(dates, dates, st.integers(min_value=0, max_value=4000))
def test_full_months_monotone_in_end(start: date, end: date, extra_days: int) -> None:
    assert full_months(start, end) <= full_months(start, end + timedelta(days=extra_days))


@given(dates, dates, st.integers(min_value=0, max_value=4000))
def test_age_on_monotone(birth: date, on: date, extra_days: int) -> None:
    later = on + timedelta(days=extra_days)
    assert 0 <= age_on(birth, on) <= age_on(birth, later)


@given(dates, st.integers(min_value=0, max_value=120))
def test_age_reached_on_birthday(birth: date, years: int) -> None:
    birthday = add_months(birth, 12 * years)
    if (birth.month, birth.day) == (2, 29) and birthday.day == 28:
        assert age_on(birth, birthday) == years - 1  # 29 Feb: reached on 1 March in non-leap years
        assert age_on(birth, birthday + timedelta(days=1)) == years
    else:
        assert age_on(birth, birthday) == years
        assert age_on(birth, birthday - timedelta(days=1)) == max(years - 1, 0)
