"""Helpers for the field-work tests on the hand-built city (``build_city``: 红旗村 is a certified base of 20)."""

from __future__ import annotations

import datetime as dt

from miaopu.apps.core.audit import Actor
from miaopu.apps.core.testing import make_cadre, make_unit
from miaopu.apps.programmes import services as programme_services
from miaopu.apps.programmes.models import ProgrammeTemplate

FINDINGS = dict.fromkeys(["political", "moral", "achievement", "duty", "integrity"], "好")
CLEAR = [{"department": "纪检监察机关", "opinion": "未发现问题", "objection": False}]


def actor(city, role: str = "orgdept") -> Actor:
    return Actor(user=city.users[role], source="web")


def young(city, name: str, unit=None):
    """A 30-year-old municipal cadre without rural experience: eligible for 四下基层 practice."""
    return make_cadre(unit or city.organ, name, dt.date(dt.date.today().year - 30, 3, 3))


def village(city, name: str):
    return make_unit(name, "village", city.town_a)


def practice_batch(city, people, host, *, as_of: dt.date | None = None, capacity: int | None = None):
    """A sixiaji-practice batch with one slot at ``host``: evaluated, ``people`` nominated and vetted."""
    a = actor(city)
    template = ProgrammeTemplate.objects.get(code="sixiaji-practice")
    batch = programme_services.batch_create(
        actor=a, template=template, name=f"实践 {host.name}", year=2026, as_of=as_of or dt.date.today()
    )
    slot = programme_services.batch_add_slot(
        actor=a, batch=batch, unit=host, post_title="实践锻炼", capacity=capacity or max(len(people), 1)
    )
    programme_services.batch_evaluate_candidates(actor=a, batch=batch)
    found = []
    for cadre in people:
        person = batch.candidates.get(cadre=cadre)
        programme_services.candidate_nominate(actor=a, candidate=person)
        programme_services.vetting_record(
            actor=a, candidate=person, findings=FINDINGS, opinions=CLEAR, vetted_on=dt.date.today()
        )
        person.refresh_from_db()
        found.append(person)
    return batch, slot, found


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _shipped_templates(db):
    """The shipped programme templates (a migration loads them; ``--nomigrations`` runs need them loaded here)."""
    from miaopu.apps.programmes.models import ProgrammeTemplate

    if not ProgrammeTemplate.objects.exists():
        from django.core.management import call_command

        call_command("load-templates", verbosity=0)
