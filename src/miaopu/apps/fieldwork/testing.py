"""Test builders: a practice base with a "六个好" certification, written straight to the tables."""

from __future__ import annotations

import datetime as dt

from miaopu.domain.fieldwork import CRITERIA, PASS_SCORE

from .models import Certification, CriterionScore, PracticeBase


def certify(
    base: PracticeBase,
    *,
    assessed_on: dt.date,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    failing: tuple[str, ...] = (),
) -> Certification:
    """A certification of ``base``: every criterion 85 points, except ``failing`` ones at 40 (→ not certified)."""
    valid_from = valid_from or assessed_on
    valid_until = valid_until or dt.date(valid_from.year + 3, valid_from.month, 1)
    cert = Certification.objects.create(
        base=base, assessed_on=assessed_on, valid_from=valid_from, valid_until=valid_until, certified=not failing
    )
    for code, label in CRITERIA.items():
        score = 40 if code in failing else 85
        CriterionScore.objects.create(
            certification=cert,
            criterion=code,
            score=score,
            passed=score >= PASS_SCORE,
            evidence=f"{label}：实地查看、座谈",
        )
    return cert


def make_base(
    unit,
    *,
    capacity: int = 20,
    certified: bool = True,
    assessed_on: dt.date = dt.date(2020, 1, 1),
    valid_until: dt.date = dt.date(2099, 12, 31),
) -> PracticeBase:
    base = PracticeBase.objects.create(
        unit=unit, capacity=capacity, host_families=max(capacity // 2, 1), theme="乡村振兴", contact="村党支部书记"
    )
    if certified:
        certify(base, assessed_on=assessed_on, valid_until=valid_until)
    return base
