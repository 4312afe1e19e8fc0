"""Promotion readiness from the database: load what ``domain.promotion`` needs, in bulk, and call it.

Four queries for any number of cadres (cadres, experience, annual grades, punishments) via the programmes
app's bulk loader. The readiness list is 组织部干部科 only: it is computed from punishments, which no other
role may see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from miaopu.apps.assessments.selectors import annual_grade_records
from miaopu.apps.cadres.models import Cadre
from miaopu.apps.cadres.selectors import cadre_facts
from miaopu.domain.experience import experience_months
from miaopu.domain.promotion import PromotionAnswer, PromotionInput, Status, assess
from miaopu.domain.vocab import GRASSROOTS_LEVELS

from .selectors import punishment_records

#: The readiness list computes at most this many cadres at once (a unit subtree, not the whole city).
MAX_CADRES = 20_000


@dataclass(frozen=True)
class ReadinessRow:
    cadre_id: int
    code: str
    name: str
    unit_name: str
    answer: PromotionAnswer

    @property
    def ready_tracks(self):
        return [t for t in self.answer.tracks if t.status == Status.READY]

    @property
    def soon_tracks(self):
        return [t for t in self.answer.tracks if t.status == Status.SOON]


def cadre_answer(cadre: Cadre, as_of: dt.date | None = None) -> PromotionAnswer:
    """One cadre's readiness (the growth file's panel)."""
    as_of = as_of or dt.date.today()
    facts = cadre_facts(cadre, as_of)
    record = PromotionInput(
        rank=cadre.rank or "",
        rank_since=cadre.rank_since,
        leadership_level=cadre.leadership_level or "",
        leadership_level_since=cadre.leadership_level_since,
        work_start=cadre.work_start_date,
        grassroots_months=facts.grassroots_months,
        in_grassroots_now=cadre.unit.level in GRASSROOTS_LEVELS,
        grades=annual_grade_records([cadre.pk]).get(cadre.pk, ()),
        punishments=punishment_records([cadre.pk]).get(cadre.pk, ()),
    )
    return assess(record, as_of)


def readiness_rows(cadres: QuerySet[Cadre], as_of: dt.date | None = None) -> list[ReadinessRow]:
    """Every cadre of ``cadres`` (already scoped) with their answer, in unit order."""
    from miaopu.apps.programmes.loaders import load_profiles

    as_of = as_of or dt.date.today()
    loaded = load_profiles(cadres)
    ids = [c.pk for c in loaded]
    grades = annual_grade_records(ids)
    punishments = punishment_records(ids)
    rows = []
    for c in loaded:
        p = c.profile
        f = p.facts_input
        record = PromotionInput(
            rank=p.rank,
            rank_since=f.rank_since,
            leadership_level=p.leadership_level,
            leadership_level_since=f.leadership_level_since,
            work_start=f.work_start,
            grassroots_months=experience_months(f.stints, as_of, GRASSROOTS_LEVELS),
            in_grassroots_now=p.unit_level in GRASSROOTS_LEVELS,
            grades=grades.get(c.pk, ()),
            punishments=punishments.get(c.pk, ()),
        )
        rows.append(ReadinessRow(c.pk, p.code, p.name, c.unit_name, assess(record, as_of)))
    return rows
