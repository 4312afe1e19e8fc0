"""Statutory retirement age under the 2025 gradual reform (渐进式延迟法定退休年龄).

Source: 全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定 (2024-09-13), effective 2025-01-01,
and its annexed month-by-month tables. Starting with people whose *original* retirement month falls in
January 2025, the age rises:

* men, originally 60: +1 month for every 4 birth months, up to 63 (36 months);
* women cadres, originally 55: +1 month for every 4 birth months, up to 58 (36 months);
* women workers, originally 50: +1 month for every 2 birth months, up to 55 (60 months).

With ``B`` the birth month index and ``R = B + original_age * 12`` the original retirement month index,
``delay = 0`` if ``R`` is before 2025-01, else ``min(cap, 1 + (R - index(2025-01)) // step)``. Checked
against the official tables: a man born 1965-01..04 retires at 60y1m, 1965-05..08 at 60y2m, and from
1976-09 at 63; a woman (55) born 1970-01 at 55y1m, from 1981-09 at 58; a woman (50) born 1975-01..02 at
50y1m, from 1984-11 at 55.

The result is the date the new age is reached (birth date + age in months, day clamped); the official
tables list only the month, which is this date's month. Flexible early/late retirement (弹性退休) is an
individual application and is not modelled here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from miaopu.domain.dates import add_months, month_index

__all__ = [
    "REFORM_START",
    "retirement_age_months",
    "retirement_date",
    "retirement_delay_months",
]

#: First month in which the reform applies.
REFORM_START = date(2025, 1, 1)


@dataclass(frozen=True)
class _Schedule:
    step: int  # birth months per month of delay
    cap: int  # maximum delay in months


# Keyed by (gender, original retirement age).
_SCHEDULES: dict[tuple[str, int], _Schedule] = {
    ("male", 60): _Schedule(step=4, cap=36),
    ("female", 55): _Schedule(step=4, cap=36),
    ("female", 50): _Schedule(step=2, cap=60),
}
_DEFAULT_AGE = {"male": 60, "female": 55}


def _schedule(gender: str, original_age: int | None) -> tuple[int, _Schedule]:
    gender = str(gender)
    if gender not in _DEFAULT_AGE:
        raise ValueError(f"性别应为 male 或 female，收到 {gender!r}")
    age = _DEFAULT_AGE[gender] if original_age is None else original_age
    schedule = _SCHEDULES.get((gender, age))
    if schedule is None:
        raise ValueError(f"不支持的原法定退休年龄：{'男' if gender == 'male' else '女'} {age} 岁")
    return age, schedule


def retirement_delay_months(birth: date, gender: str, original_age: int | None = None) -> int:
    """Months added to the original retirement age by the reform (0 for anyone retiring before 2025).

    ``original_age`` defaults to 60 for men and 55 for women; 50 is accepted for women workers.
    """
    age, schedule = _schedule(gender, original_age)
    offset = month_index(birth) + age * 12 - month_index(REFORM_START)
    if offset < 0:
        return 0
    return min(schedule.cap, 1 + offset // schedule.step)


def retirement_age_months(birth: date, gender: str, original_age: int | None = None) -> int:
    """The statutory retirement age in months (e.g. 60 years 1 month = 721)."""
    age, _ = _schedule(gender, original_age)
    return age * 12 + retirement_delay_months(birth, gender, age)


def retirement_date(birth: date, gender: str, original_age: int | None = None) -> date:
    """The date the person reaches the statutory retirement age: ``add_months(birth, age_in_months)``."""
    return add_months(birth, retirement_age_months(birth, gender, original_age))
