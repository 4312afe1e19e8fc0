"""Loading a cohort and its possible mentors for :mod:`miaopu.domain.pairing`, in bulk.

A fixed number of queries whatever the cohort size: the cohort, the pool (every active cadre the user may
see, with the 任免审批表's professional title and annual assessments), the available external mentors,
all units, open placements of the cohort (where they are stationed), family lists, and active mentorships.
Rows are read as tuples, never as model instances, so a 200,000-cadre city loads in seconds.

Mentor keys: ``c<cadre id>`` for a cadre (whether or not a ``Mentor`` row exists for them yet) and
``m<mentor id>`` for an external mentor; ``Mentor`` rows of cadres are mapped onto their cadre's key, so
existing load and existing mentorships count against the same person.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet

from miaopu.apps.cadres.models import Cadre, FamilyMember
from miaopu.apps.cadres.selectors import cadre_list
from miaopu.apps.units.models import Unit, split_tags
from miaopu.domain.pairing import PairingInput, Person, Policy, Relative, UnitInfo, parse_annual_reviews
from miaopu.domain.vocab import CadreStatus

from .models import Mentor, Mentorship, PairingPolicy

_COLUMNS = (
    "pk", "name", "unit_id", "post_title", "post_category", "leadership_level", "work_start_date", "specialties",
    "political_status", "form_info__professional_title", "form_info__annual_reviews",
)  # fmt: skip


@dataclass(frozen=True)
class Loaded:
    data: PairingInput
    #: key → (name, unit name, title) for showing options
    names: dict[str, tuple[str, str, str]]
    #: cadre id → Mentor id for cadres who already have a Mentor row
    mentor_of_cadre: dict[int, int]


def domain_policy(policy: PairingPolicy) -> Policy:
    return Policy(
        capacity=policy.capacity,
        service_gap_years=policy.service_gap_years,
        parent_fallback=policy.parent_fallback,
        political=policy.political,
        business=policy.business,
    )


def policy_snapshot(policy: PairingPolicy) -> dict:
    return {
        "capacity": policy.capacity,
        "service_gap_years": policy.service_gap_years,
        "parent_fallback": policy.parent_fallback,
        "political": policy.political,
        "business": policy.business,
    }


def _people(rows, split, relatives, stations=None) -> list[Person]:
    people = []
    for pk, name, unit_id, title, category, level, work_start, specialties, political, prof, reviews in rows:
        people.append(
            Person(
                key=f"c{pk}",
                name=name,
                unit_id=unit_id,
                cadre_id=pk,
                post_title=title or "",
                post_category=category or "",
                leadership_level=level or "",
                work_start=work_start,
                specialties=split(specialties),
                professional_title=prof or "",
                political_status=political or "",
                assessments=parse_annual_reviews(reviews or ""),
                stations=tuple(stations.get(pk, ())) if stations else (),
                relatives=tuple(relatives[pk]) if pk in relatives else None,
            )
        )
    return people


def load(*, user, cohort: QuerySet[Cadre], roles: tuple[str, ...], policy: PairingPolicy, as_of: dt.date) -> Loaded:
    """Everything the pairing engine needs for ``cohort`` (already scoped by the caller), as seen by ``user``."""
    from miaopu.apps.programmes.choices import PlacementStatus
    from miaopu.apps.programmes.models import Placement

    cache: dict[str, tuple[str, ...]] = {"": ()}

    def split(text: str | None) -> tuple[str, ...]:
        found = cache.get(text or "")
        if found is None:
            found = cache[text] = tuple(split_tags(text))
        return found

    cohort_rows = list(cohort.order_by().values_list(*_COLUMNS))
    cohort_ids = [row[0] for row in cohort_rows]
    unavailable = set(Mentor.objects.filter(is_available=False, cadre__isnull=False).values_list("cadre_id", flat=True))
    pool_qs = cadre_list(user=user).filter(status=CadreStatus.ACTIVE).order_by()
    pool_rows = [row for row in pool_qs.values_list(*_COLUMNS) if row[0] not in unavailable]

    relatives: dict[int, list[Relative]] = defaultdict(list)
    family = FamilyMember.objects.filter(cadre__in=pool_qs.values("pk")).values_list("cadre_id", "name", "work")
    for cadre_id, name, work in family.order_by().iterator(chunk_size=20_000):
        relatives[cadre_id].append(Relative(name, work or ""))
    for cadre_id, name, work in FamilyMember.objects.filter(cadre_id__in=cohort_ids).values_list(
        "cadre_id", "name", "work"
    ):
        if cadre_id not in relatives or Relative(name, work or "") not in relatives[cadre_id]:
            relatives[cadre_id].append(Relative(name, work or ""))

    stations: dict[int, list[int]] = defaultdict(list)
    for cadre_id, host in Placement.objects.filter(
        cadre_id__in=cohort_ids, status=PlacementStatus.ACTIVE, host_unit__isnull=False
    ).values_list("cadre_id", "host_unit_id"):
        stations[cadre_id].append(host)

    units = {
        pk: UnitInfo(pk, name, level, parent, district)
        for pk, name, level, parent, district in Unit.objects.order_by().values_list(
            "pk", "name", "level", "parent_id", "district_id"
        )
    }
    mentees = _people(cohort_rows, split, relatives, stations)
    pool = _people(pool_rows, split, relatives)
    names = {p.key: (p.name, units[p.unit_id].name if p.unit_id in units else "", p.post_title) for p in pool}
    names.update({p.key: (p.name, units[p.unit_id].name if p.unit_id in units else "", p.post_title) for p in mentees})

    from .selectors import mentor_list

    externals = mentor_list(user=user).filter(cadre__isnull=True, is_available=True)
    for pk, name, unit_id, unit_name, title in externals.values_list("pk", "name", "unit_id", "unit_name", "title"):
        key = f"m{pk}"
        pool.append(Person(key=key, name=name, unit_id=unit_id, mentor_id=pk, post_title=title or "", external=True))
        names[key] = (name, units[unit_id].name if unit_id in units else unit_name, title or "")

    mentor_of_cadre = dict(Mentor.objects.filter(cadre__isnull=False).values_list("cadre_id", "pk"))
    existing: dict[tuple[str, str], str] = {}
    for mentee_id, role, mentor_id, mentor_cadre in Mentorship.objects.filter(
        is_active=True, mentee_id__in=cohort_ids
    ).values_list("mentee_id", "role", "mentor_id", "mentor__cadre_id"):
        existing[(f"c{mentee_id}", role)] = f"c{mentor_cadre}" if mentor_cadre else f"m{mentor_id}"
    load_counts: dict[tuple[str, str], int] = defaultdict(int)
    for mentor_id, mentor_cadre, role in Mentorship.objects.filter(is_active=True).values_list(
        "mentor_id", "mentor__cadre_id", "role"
    ):
        load_counts[(f"c{mentor_cadre}" if mentor_cadre else f"m{mentor_id}", role)] += 1

    data = PairingInput(
        mentees=tuple(mentees),
        pool=tuple(pool),
        units=units,
        roles=tuple(roles),
        as_of=as_of,
        policy=domain_policy(policy),
        existing=existing,
        load=dict(load_counts),
    )
    return Loaded(data=data, names=names, mentor_of_cadre=mentor_of_cadre)
