"""Reads of personnel data. Every queryset here is restricted to what the user may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from miaopu.apps.core.access import restrict_cadres
from miaopu.domain.experience import CadreFacts, CadreFactsInput, Stint, compute_facts

from .models import Cadre, Experience


def cadre_list(*, user) -> QuerySet[Cadre]:
    return restrict_cadres(Cadre.objects.select_related("unit", "unit__district"), user)


def cadre_get(*, user, pk) -> Cadre:
    """The cadre if the user may see it; 404 otherwise (the same answer as for a missing id)."""
    return get_object_or_404(cadre_list(user=user).select_related("post"), pk=pk)


def experience_list(*, user) -> QuerySet[Experience]:
    return restrict_cadres(Experience.objects.select_related("unit", "cadre"), user, through="cadre__")


def experience_get(*, user, pk) -> Experience:
    return get_object_or_404(experience_list(user=user), pk=pk)


def cadre_timeline(cadre: Cadre) -> list[Experience]:
    return list(cadre.experiences.select_related("unit").order_by("start", "id"))


def facts_input(cadre: Cadre, experiences: list[Experience] | None = None) -> CadreFactsInput:
    """The domain core's view of a cadre: dates and stints, no Django."""
    entries = experiences if experiences is not None else cadre_timeline(cadre)
    stints = tuple(
        Stint(
            start=e.start,
            end=e.end,
            unit_level=e.unit.level if e.unit_id else "",
            kind=e.kind,
            unit_id=e.unit_id,
            post_title=e.post_title,
        )
        for e in entries
    )
    return CadreFactsInput(
        birth_date=cadre.birth_date,
        work_start=cadre.work_start_date,
        civil_service_entry=cadre.civil_service_entry_date,
        leadership_level_since=cadre.leadership_level_since,
        rank_since=cadre.rank_since,
        stints=stints,
    )


def cadre_facts(cadre: Cadre, as_of: dt.date | None = None, experiences: list[Experience] | None = None) -> CadreFacts:
    return compute_facts(facts_input(cadre, experiences), as_of or dt.date.today())
