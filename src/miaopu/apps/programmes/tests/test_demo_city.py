"""Each of the eight templates runs a batch end to end on the demo city (``miaopu demo``), as shipped.

Nothing here is tailored to a template: the eligible cadres come from the evaluation, the host units are
picked by the template's own host constraints, and a 双向挂职 pair is formed the way an officer would
(A from organ X to B's town T, B from T to X).
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from miaopu.apps.cadres.models import Experience
from miaopu.apps.core.audit import Actor
from miaopu.apps.core.models import User
from miaopu.apps.programmes import services
from miaopu.apps.programmes.choices import BatchStatus, CandidateStatus
from miaopu.apps.programmes.models import Batch, ProgrammeTemplate, ReservePoolEntry
from miaopu.apps.units.models import Unit

pytestmark = pytest.mark.django_db

FINDINGS = dict.fromkeys(["political", "moral", "achievement", "duty", "integrity"], "好")
CLEAR = [{"department": "纪检监察机关", "opinion": "未发现问题", "objection": False}]


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    """One demo city for the whole module (built once, rolled back at the end)."""
    with django_db_blocker.unblock():
        from django.db import transaction

        atomic = transaction.atomic()
        atomic.__enter__()
        call_command("demo", "--cadres", "600", "--seed", "7", stdout=io.StringIO(), stderr=io.StringIO())
        yield
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def host_for(spec, group: str, exclude: set[int]) -> tuple[Unit, str]:
    host = spec.host_for(group or None)
    units = Unit.objects.exclude(pk__in=exclude).order_by("path")
    if host is not None and host.unit_levels:
        units = units.filter(level__in=host.unit_levels)
    if spec.experience_kind == "practice":  # 四下基层: only a certified practice base with room (fieldwork app)
        from miaopu.apps.fieldwork.models import PracticeBase
        from miaopu.apps.fieldwork.selectors import base_rows

        rows = base_rows(PracticeBase.objects.filter(is_active=True), dt.date.today())
        units = units.filter(pk__in=[r.base.unit_id for r in rows if r.certified and r.free >= 2])
    tags = host.tags_any[0] if host is not None and host.tags_any else ""
    return units.first(), tags


def vet(actor: Actor, *people) -> None:
    for person in people:
        services.candidate_nominate(actor=actor, candidate=person)
        services.vetting_record(actor=actor, candidate=person, findings=FINDINGS, opinions=CLEAR,
                                vetted_on=dt.date.today())  # fmt: skip
        person.refresh_from_db()


@pytest.mark.parametrize(
    "code",
    ["dunmiao", "xinmiao", "sixiaji-practice", "ningde-secondment", "ningde-rotation", "six-lines", "youth-camp",
     "two-way"],
)  # fmt: skip
def test_template_runs_end_to_end_on_the_demo_city(demo_db, code):
    from django.db import transaction

    with transaction.atomic():
        actor = Actor(user=User.objects.get(username="orgdept"), source="web")
        template = ProgrammeTemplate.objects.get(code=code)
        today = dt.date.today()
        batch = services.batch_create(actor=actor, template=template, name=f"演示 {code}", year=today.year, as_of=today)
        spec = batch.spec
        summary = services.batch_evaluate_candidates(actor=actor, batch=batch)
        assert summary["eligible"] > 0, f"{code}: nobody eligible in the demo city"
        people = list(batch.candidates.select_related("cadre__unit").order_by("id"))
        if spec.mirrored_pairs:
            a = next(c for c in people if c.side == "A")
            b = next(c for c in people if c.side == "B" and c.cadre.unit.level in ("county", "town", "village"))
            to_b_home = services.batch_add_slot(
                actor=actor, batch=batch, unit=b.cadre.unit, post_title="挂职", side="A"
            )
            to_a_home = services.batch_add_slot(
                actor=actor, batch=batch, unit=a.cadre.unit, post_title="挂职", side="B"
            )
            vet(actor, a, b)
            services.assignment_set(actor=actor, candidate=a, slot=to_b_home, partner=b, partner_slot=to_a_home)
            chosen = [a, b]
        else:
            person = people[0]
            vet(actor, person)
            if spec.has_hosts:
                unit, tags = host_for(spec, person.group, {person.cadre.unit_id})
                slot = services.batch_add_slot(actor=actor, batch=batch, unit=unit, post_title="挂职锻炼", tags=tags)
                services.assignment_set(actor=actor, candidate=person, slot=slot)
            chosen = [person]
        services.batch_approve(actor=actor, batch=batch)
        placements = services.placements_create(actor=actor, batch=batch, start=today)
        assert len(placements) == len(chosen)
        for placement in placements:
            placement.candidate.refresh_from_db()
            assert placement.candidate.status == CandidateStatus.PLACED
            if spec.experience_kind and spec.has_hosts:
                assert Experience.objects.filter(pk=placement.experience_id, unit=placement.host_unit).exists()
            if spec.mirrored_pairs:
                assert placement.partner is not None
            services.placement_term_end_assess(actor=actor, placement=placement, grade="excellent",
                                               end=today + dt.timedelta(days=400))  # fmt: skip
        expected_reserve = len(chosen) if spec.effects_for("excellent") else 0
        assert ReservePoolEntry.objects.filter(source_batch=batch).count() == expected_reserve
        services.batch_close(actor=actor, batch=batch)
        assert Batch.objects.get(pk=batch.pk).status == BatchStatus.CLOSED
        transaction.set_rollback(True)
