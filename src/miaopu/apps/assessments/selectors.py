"""Reads of assessments and reviews, restricted to what the user may see.

Who sees what:

- 组织部干部科 and 单位人事专员: cycles whose scope overlaps theirs; results of the cadres in their scope.
  Both may enter results for cadres in their scope (the unit runs its own annual assessment).
- 导师 and 干部本人: the results of the cadres they may see (their mentees, themselves) in the growth file;
  no cycle pages.
- 分析研判 (reviews) are the organisation department's own judgement: 组织部干部科 only.
- The three admin roles: nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from miaopu.apps.core.access import restrict_cadres, scope_root
from miaopu.apps.core.choices import PERSONNEL_WRITER_ROLES, Role
from miaopu.domain.promotion import GradeRecord

from .choices import CycleKind
from .models import Assessment, AssessmentCycle, Review


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_manage_cycles(user) -> bool:
    """Cycles are set up by 组织部干部科 (within their scope)."""
    return _active(user) and user.role == Role.ORGDEPT and user.scope_unit_id is not None


def can_enter_results(user) -> bool:
    return _active(user) and user.role in PERSONNEL_WRITER_ROLES and user.scope_unit_id is not None


def require_results_access(user) -> None:
    if not can_enter_results(user):
        raise PermissionDenied(_("只有组织部干部科和单位人事专员可以使用考核管理。"))


def can_review(user) -> bool:
    return _active(user) and user.role == Role.ORGDEPT and user.scope_unit_id is not None


def require_review(user) -> None:
    if not can_review(user):
        raise PermissionDenied(_("分析研判仅限组织部干部科。"))


def _overlapping(user) -> Q | None:
    """Cycles whose scope is inside the user's scope or contains it (a city-wide cycle for a district officer)."""
    root = scope_root(user)
    if root is None:
        return None
    if root.parent_id is None:
        return Q()
    segments = [p for p in root.path.split("/") if p]
    ancestors = ["".join(f"{s}/" for s in segments[: i + 1]) for i in range(len(segments))]
    return Q(scope_unit__path__startswith=root.path) | Q(scope_unit__path__in=ancestors)


def cycle_list(*, user) -> QuerySet[AssessmentCycle]:
    overlap = _overlapping(user) if can_enter_results(user) else None
    if overlap is None:
        return AssessmentCycle.objects.none()
    return AssessmentCycle.objects.select_related("scope_unit").filter(overlap)


def cycle_get(*, user, pk) -> AssessmentCycle:
    return get_object_or_404(cycle_list(user=user), pk=pk)


def assessment_list(*, user) -> QuerySet[Assessment]:
    qs = Assessment.objects.select_related("cycle", "cadre", "cadre__unit")
    return restrict_cadres(qs, user, through="cadre__")


def assessment_get(*, user, pk) -> Assessment:
    return get_object_or_404(assessment_list(user=user), pk=pk)


def review_list(*, user) -> QuerySet[Review]:
    if not can_review(user):
        return Review.objects.none()
    return restrict_cadres(Review.objects.select_related("cadre", "recorded_by"), user, through="cadre__")


# ---------------------------------------------------------------- for other apps (callers scope the cadre ids)


def recent_grades(cadre_ids: Iterable[int], years: int = 3, as_of: dt.date | None = None) -> dict[int, dict[int, str]]:
    """``{cadre_id: {year: grade code}}``: the annual grades (年度考核) of the last ``years`` years.

    The window is ``as_of.year - years`` … ``as_of.year``: on any day of 2026 with ``years=3`` it holds
    2023–2025 (the assessed years) and 2026 once graded. Cadres without grades are absent from the dict.
    Unscoped on purpose: the caller (e.g. the matching engine) passes ids it obtained through a scoped selector.
    """
    ids = list(cadre_ids)
    if not ids:
        return {}
    as_of = as_of or dt.date.today()
    result: dict[int, dict[int, str]] = defaultdict(dict)
    rows = Assessment.objects.filter(kind=CycleKind.ANNUAL, year__gte=as_of.year - years, year__lte=as_of.year)
    for chunk_start in range(0, len(ids), 5_000):
        chunk = ids[chunk_start : chunk_start + 5_000]
        for cadre_id, year, grade in (
            rows.filter(cadre_id__in=chunk).order_by().values_list("cadre_id", "year", "grade")
        ):
            result[cadre_id][year] = grade
    return dict(result)


def annual_grade_records(cadre_ids: Iterable[int]) -> dict[int, tuple[GradeRecord, ...]]:
    """Every annual grade of the given cadres, as the promotion-readiness core reads them."""
    ids = list(cadre_ids)
    found: dict[int, list[GradeRecord]] = defaultdict(list)
    for chunk_start in range(0, len(ids), 5_000):
        chunk = ids[chunk_start : chunk_start + 5_000]
        rows = Assessment.objects.filter(kind=CycleKind.ANNUAL, cadre_id__in=chunk).order_by("year")
        for cadre_id, year, grade in rows.values_list("cadre_id", "year", "grade"):
            found[cadre_id].append(GradeRecord(year, grade))
    return {k: tuple(v) for k, v in found.items()}
