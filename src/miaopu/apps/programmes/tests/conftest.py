"""A hand-built roster on top of ``build_city()``: one cadre made for each of the eight templates.

Dates are fixed (the as-of date 2025-03-01, placements from 2025-04-01) so every figure in the tests can be
worked out by hand.
"""

from __future__ import annotations

import datetime as dt

import pytest

from miaopu.apps.cadres.models import Experience
from miaopu.apps.core.audit import Actor
from miaopu.apps.core.testing import make_cadre
from miaopu.apps.programmes import services
from miaopu.apps.programmes.models import Batch, Candidate, ProgrammeTemplate

AS_OF = dt.date(2025, 3, 1)
START = dt.date(2025, 4, 1)
FINDINGS = {
    "political": "政治立场坚定",
    "moral": "品行端正",
    "achievement": "实绩突出",
    "duty": "履职尽责",
    "integrity": "清正廉洁",
}
CLEAR = [{"department": "纪检监察机关", "opinion": "未发现问题", "objection": False}]


@pytest.fixture
def roster(city):
    c, organ = city.cadres, city.organ
    d = dt.date
    c["dm"] = make_cadre(organ, "邓墩苗", d(1991, 1, 10), leadership_level="deputy_section")
    c["xm"] = make_cadre(city.town_a, "谢新苗", d(2000, 5, 5), civil_service_entry_date=d(2024, 6, 1))
    c["sx"] = make_cadre(organ, "沈实践", d(1995, 6, 6))
    c["ns"] = make_cadre(organ, "倪选调", d(1997, 7, 7), source="selected_graduate")
    c["nr"] = make_cadre(city.district_b, "聂书记", d(1982, 3, 3), leadership_level="division")
    Experience.objects.create(
        cadre=c["nr"], start=d(2015, 1, 1), end=d(2019, 1, 1), unit=city.town_b, post_title="党委书记"
    )
    c["nr_deputy"] = make_cadre(city.district_b, "宁副镇", d(1986, 4, 4), leadership_level="deputy_division")
    Experience.objects.create(
        cadre=c["nr_deputy"], start=d(2014, 1, 1), end=d(2020, 1, 1), unit=city.town_b, post_title="副镇长"
    )
    c["sl"] = make_cadre(city.district_a, "孙六线", d(1996, 8, 8), source="recruited_talent")
    c["yc"] = make_cadre(
        city.town_a, "叶青训", d(1998, 9, 9), source="selected_graduate", civil_service_entry_date=d(2023, 8, 1)
    )
    c["twa"] = make_cadre(organ, "唐双向", d(1994, 10, 10))
    c["twb"] = make_cadre(city.town_a, "田基层", d(1992, 11, 11))
    return city


def actor_for(city, role: str = "orgdept") -> Actor:
    return Actor(user=city.users[role], source="web")


def new_batch(city, code: str, *, role: str = "orgdept", **extra) -> Batch:
    template = ProgrammeTemplate.objects.get(code=code)
    return services.batch_create(
        actor=actor_for(city, role), template=template, name=f"{template.name} 2025 年第一批", year=2025,
        as_of=extra.pop("as_of", AS_OF), **extra,
    )  # fmt: skip


def candidate(batch: Batch, cadre) -> Candidate:
    return batch.candidates.get(cadre=cadre)


def nominate_and_vet(city, batch: Batch, *cadres, opinions=None) -> list[Candidate]:
    actor = actor_for(city)
    people = []
    for cadre in cadres:
        person = candidate(batch, cadre)
        services.candidate_nominate(actor=actor, candidate=person)
        services.vetting_record(
            actor=actor, candidate=person, findings=FINDINGS, opinions=opinions or CLEAR, vetted_on=AS_OF
        )
        person.refresh_from_db()
        people.append(person)
    batch.refresh_from_db()
    return people
