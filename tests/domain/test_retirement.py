"""Statutory retirement age under the 2025 reform, checked against rows of the official annexed tables."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from miaopu.domain.dates import add_months, month_index
from miaopu.domain.retirement import (
    REFORM_START,
    retirement_age_months,
    retirement_date,
    retirement_delay_months,
)
from miaopu.domain.vocab import Gender


def ym(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


# (birth month, gender, original age, new age as (years, months), retirement month) from the annexed tables.
OFFICIAL_ROWS = [
    # 附件1: 男职工 (60 → 63, +1 month every 4 birth months)
    ("1964-12", "male", 60, (60, 0), "2024-12"),  # retired before the reform: unchanged
    ("1965-01", "male", 60, (60, 1), "2025-02"),  # first affected cohort
    ("1965-04", "male", 60, (60, 1), "2025-05"),
    ("1965-05", "male", 60, (60, 2), "2025-07"),
    ("1966-01", "male", 60, (60, 4), "2026-05"),
    ("1976-05", "male", 60, (62, 11), "2039-04"),
    ("1976-08", "male", 60, (62, 11), "2039-07"),
    ("1976-09", "male", 60, (63, 0), "2039-09"),  # first cohort at 63
    ("1990-06", "male", 60, (63, 0), "2053-06"),
    # 附件2: 原法定退休年龄55周岁的女职工 (55 → 58, +1 month every 4 birth months)
    ("1969-12", "female", 55, (55, 0), "2024-12"),
    ("1970-01", "female", 55, (55, 1), "2025-02"),
    ("1970-05", "female", 55, (55, 2), "2025-07"),
    ("1981-08", "female", 55, (57, 11), "2039-07"),
    ("1981-09", "female", 55, (58, 0), "2039-09"),
    ("1995-03", "female", 55, (58, 0), "2053-03"),
    # 附件3: 原法定退休年龄50周岁的女职工 (50 → 55, +1 month every 2 birth months)
    ("1974-12", "female", 50, (50, 0), "2024-12"),
    ("1975-01", "female", 50, (50, 1), "2025-02"),
    ("1975-02", "female", 50, (50, 1), "2025-03"),
    ("1975-03", "female", 50, (50, 2), "2025-05"),
    ("1984-10", "female", 50, (54, 11), "2039-09"),
    ("1984-11", "female", 50, (55, 0), "2039-11"),  # the table's last row starts here
    ("1984-12", "female", 50, (55, 0), "2039-12"),
    ("1999-07", "female", 50, (55, 0), "2054-07"),
]


@pytest.mark.parametrize(("birth", "gender", "original", "age", "retire"), OFFICIAL_ROWS)
def test_official_table_rows(birth: str, gender: str, original: int, age: tuple[int, int], retire: str) -> None:
    years, months = age
    born = ym(birth)
    assert retirement_age_months(born, gender, original) == years * 12 + months
    assert retirement_delay_months(born, gender, original) == (years - original) * 12 + months
    assert retirement_date(born, gender, original) == ym(retire)


def test_defaults_are_60_for_men_and_55_for_women() -> None:
    assert retirement_age_months(date(1965, 5, 10), "male") == 60 * 12 + 2
    assert retirement_age_months(date(1970, 1, 10), "female") == 55 * 12 + 1
    assert retirement_age_months(date(1970, 1, 10), Gender.FEMALE) == 55 * 12 + 1


def test_retirement_date_keeps_the_birthday_and_clamps() -> None:
    assert retirement_date(date(1965, 1, 15), "male") == date(2025, 2, 15)
    assert retirement_date(date(1965, 1, 31), "male") == date(2025, 2, 28)  # 60y1m from 31 Jan
    assert retirement_date(date(1960, 2, 29), "male") == date(2020, 2, 29)
    # Original month 2030-03 is 62 months after 2025-01: delay 1 + 62 // 2 = 32 → 52y8m, day clamped to 30 Nov.
    assert retirement_age_months(date(1980, 3, 31), "female", 50) == 52 * 12 + 8
    assert retirement_date(date(1980, 3, 31), "female", 50) == date(2032, 11, 30)


@pytest.mark.parametrize(
    ("gender", "original"),
    [("male", 55), ("male", 50), ("female", 60), ("female", 45), ("unknown", None), ("男", None)],
)
def test_rejects_unsupported_combinations(gender: str, original: int | None) -> None:
    with pytest.raises(ValueError):
        retirement_age_months(date(1980, 1, 1), gender, original)


SCHEDULES = [("male", 60, 4, 36), ("female", 55, 4, 36), ("female", 50, 2, 60)]
births = st.dates(min_value=date(1930, 1, 1), max_value=date(2010, 12, 31))


@given(births, st.sampled_from(SCHEDULES))
def test_delay_formula(birth: date, schedule: tuple[str, int, int, int]) -> None:
    gender, original, step, cap = schedule
    original_month = month_index(birth) + original * 12
    delay = retirement_delay_months(birth, gender, original)
    if original_month < month_index(REFORM_START):
        assert delay == 0
    else:
        assert delay == min(cap, 1 + (original_month - month_index(REFORM_START)) // step)
    assert 0 <= delay <= cap
    # Every day of the birth month gets the same age; the date is birth + that age.
    assert retirement_delay_months(birth.replace(day=1), gender, original) == delay
    assert retirement_date(birth, gender, original) == add_months(birth, original * 12 + delay)


@given(births, births, st.sampled_from(SCHEDULES))
def test_younger_never_retire_earlier_or_younger(a: date, b: date, schedule: tuple[str, int, int, int]) -> None:
    gender, original, _, _ = schedule
    early, late = sorted((a, b))
    assert retirement_age_months(early, gender, original) <= retirement_age_months(late, gender, original)
    assert retirement_date(early, gender, original) <= retirement_date(late, gender, original)
