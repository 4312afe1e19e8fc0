"""What the review page shows beside the form (recent grades, programme record, mentors' opinions).

The same dict is stored with the review (``Review.facts``), so a later reader sees what the judgement was
based on even after the underlying records change. The caller has already checked that the user may see
the cadre; programme and mentoring records are read only when those apps are installed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps

from miaopu.apps.cadres.models import Cadre

from .choices import DIMENSIONS
from .models import Assessment, Review


def _grades(cadre: Cadre, since_year: int) -> list[dict[str, Any]]:
    rows = (
        Assessment.objects.filter(cadre=cadre, year__gte=since_year)
        .select_related("cycle")
        .order_by("-year", "-cycle__quarter", "-id")
    )
    result = []
    for a in rows:
        scores = {str(label): float(getattr(a, name)) for name, label in DIMENSIONS if getattr(a, name) is not None}
        result.append(
            {
                "year": a.year,
                "kind": a.get_kind_display(),
                "cycle": a.cycle.name,
                "grade": a.get_grade_display(),
                "scores": scores,
                "comment": a.comment[:200],
            }
        )
    return result


def _placements(cadre: Cadre) -> list[dict[str, Any]]:
    if not apps.is_installed("miaopu.apps.programmes"):
        return []
    from miaopu.apps.programmes.models import Placement

    rows = Placement.objects.filter(cadre=cadre).select_related("batch", "batch__template", "host_unit")
    return [
        {
            "programme": p.batch.template.name,
            "batch": p.batch.name,
            "host": p.host_unit.name if p.host_unit_id else "",
            "post": p.post_title,
            "start": p.start.isoformat(),
            "end": (p.actual_end or p.planned_end).isoformat() if (p.actual_end or p.planned_end) else "",
            "status": p.get_status_display(),
            "grade": p.get_grade_display() if p.grade else "",
            "note": p.assessment_note[:200],
        }
        for p in rows.order_by("-start")
    ]


def _mentors(cadre: Cadre) -> list[dict[str, Any]]:
    from miaopu.apps.mentoring.models import Mentorship

    rows = Mentorship.objects.filter(mentee=cadre).select_related("mentor").order_by("-start")
    result = []
    for m in rows:
        grade = getattr(m, "mentee_grade", "")
        result.append(
            {
                "mentor": m.mentor.name,
                "role": m.get_role_display(),
                "start": m.start.isoformat(),
                "active": m.is_active,
                "grade": m.get_mentee_grade_display() if grade else "",
                "comment": (getattr(m, "mentee_comment", "") or "")[:300],
                "records": m.records.count() if hasattr(m, "records") else 0,
            }
        )
    return result


def review_facts(cadre: Cadre, today: dt.date | None = None) -> dict[str, Any]:
    today = today or dt.date.today()
    previous = Review.objects.filter(cadre=cadre).order_by("-date", "-id").first()
    return {
        "as_of": today.isoformat(),
        "grades": _grades(cadre, today.year - 3),
        "placements": _placements(cadre),
        "mentors": _mentors(cadre),
        "previous_review": (
            {
                "date": previous.date.isoformat(),
                "fitness": previous.get_fitness_display(),
                "advice": previous.advice[:300],
            }
            if previous
            else None
        ),
    }
