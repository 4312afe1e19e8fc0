"""Calendar arithmetic used by every eligibility rule (ages, months of service).

Organisation-department rules are phrased in full years and full months ("满 2 年", "任职满 24 个月"),
so the helpers here count *completed* calendar units rather than dividing day counts, which would drift
with month lengths and leap years.
"""

from __future__ import annotations

import calendar
from datetime import date

__all__ = ["add_months", "age_on", "full_months", "full_years", "month_index"]


def month_index(d: date) -> int:
    """Months since year 0 (``year * 12 + month - 1``); makes month differences simple subtraction."""
    return d.year * 12 + d.month - 1


def age_on(birth: date, on: date) -> int:
    """Age in full years (周岁) on ``on``.

    The age goes up on the birthday itself. Someone born on 29 February gets one year older on 1 March in
    non-leap years (the birthday "has not happened yet" on 28 February), which matches how cadre forms are
    usually filled in and keeps the rule a single tuple comparison. A birth date after ``on`` gives 0 rather
    than a negative number, so bad data never makes someone "younger than zero" and the result stays
    monotone in ``on``.
    """
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return max(years, 0)


def add_months(d: date, months: int) -> date:
    """Move ``d`` by ``months`` calendar months, clamping the day to the target month's last day.

    Clamping (31 January + 1 month = 28/29 February) is the reading people use for "one month after".
    Negative ``months`` move backwards. Raises ``OverflowError``/``ValueError`` outside ``date``'s range.
    """
    index = month_index(d) + months
    year, month0 = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise OverflowError(f"日期超出范围：{d.isoformat()} 加 {months} 个月")
    month = month0 + 1
    day = min(d.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def full_months(start: date, end: date) -> int:
    """Completed months from ``start`` to ``end``: the largest m >= 0 with ``add_months(start, m) <= end``.

    So 31 January → 28 February is one month and 2020-01-01 → 2022-01-01 is 24; an ``end`` on or before
    ``start`` gives 0. Because ``add_months`` is used as the yardstick, ``full_months(d, add_months(d, m))``
    is exactly ``m`` for every ``d`` and ``m >= 0``.
    """
    if end <= start:
        return 0
    months = month_index(end) - month_index(start)
    # add_months(start, months) lands in end's month; step back one if it overshoots end's day.
    if add_months(start, months) > end:
        months -= 1
    return max(months, 0)


def full_years(start: date, end: date) -> int:
    """Completed years from ``start`` to ``end`` (``full_months // 12``; 0 if ``end <= start``).

    Used for lengths of service, not ages: from 29 February it counts a year as done on 28 February of a
    non-leap year (month clamping), whereas :func:`age_on` waits for 1 March.
    """
    return full_months(start, end) // 12
