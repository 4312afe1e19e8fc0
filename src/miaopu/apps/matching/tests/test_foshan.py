"""The Foshan batch (seed 004) in the app on the demo city: 15 municipal + 15 grassroots cadres in mirrored
pairs, at least two thirds of the municipal side to the two destination counties (南岭县、北川县).

Nothing is tailored to a plan: candidates come from the batch's own evaluation, slots are the candidates'
own units (each side's home is the slot the partner takes), and a few town slots are real township head
posts so the native-county rule has something to bite on. After accepting, every rule is checked on the
assignments the programmes app wrote.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

import pytest
from django.db.models import F

from miaopu.apps.core.audit import Actor
from miaopu.apps.core.demo import SECONDMENT_DESTINATIONS, SPECIALTIES, generate
from miaopu.apps.core.models import User
from miaopu.apps.matching import services
from miaopu.apps.matching.problem import _home_slot
from miaopu.apps.matching.scoring import District, home_counties
from miaopu.apps.programmes import services as programme_services
from miaopu.apps.programmes.choices import CandidateStatus
from miaopu.apps.programmes.models import Assignment, HostSlot, ProgrammeTemplate
from miaopu.apps.units.models import Post, Unit

from .conftest import vet

pytestmark = pytest.mark.django_db

SIDE = 15
TO_DESTINATIONS = 10  # two thirds of 15


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker):
    """One demo city (2,000 cadres) for the module, rolled back at the end."""
    with django_db_blocker.unblock():
        from django.db import transaction

        atomic = transaction.atomic()
        atomic.__enter__()
        generate(cadres=2000, seed=404, today=dt.date(2025, 3, 1))
        yield
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def _pick(people, key, count, prefer=None):
    """``count`` people with distinct ``key`` (their unit), ``prefer``-red first."""
    chosen, used = [], set()
    for person in sorted(people, key=lambda p: (not (prefer and prefer(p)), p.pk)):
        if key(person) in used:
            continue
        used.add(key(person))
        chosen.append(person)
        if len(chosen) == count:
            break
    return chosen


def test_foshan_two_way_batch_meets_every_rule(demo_city, capsys):
    actor = Actor(user=User.objects.get(username="orgdept"), source="web")
    template = ProgrammeTemplate.objects.get(code="two-way")
    batch = programme_services.batch_create(
        actor=actor, template=template, name="双向挂职 2025", year=2025, as_of=dt.date(2025, 3, 1),
        quotas={"total": SIDE},
    )  # fmt: skip
    programme_services.batch_evaluate_candidates(actor=actor, batch=batch)
    everyone = list(batch.candidates.select_related("cadre__unit__district"))
    side_a = _pick([c for c in everyone if c.side == "A"], key=lambda c: c.cadre.unit_id, count=SIDE)
    in_destination = lambda c: c.cadre.unit.district.name in SECONDMENT_DESTINATIONS  # noqa: E731
    towns_b = [c for c in everyone if c.side == "B" and c.cadre.unit.level == "town"]
    side_b = _pick([c for c in towns_b if in_destination(c)], key=lambda c: c.cadre.unit_id, count=11)
    side_b += _pick([c for c in towns_b if not in_destination(c)], key=lambda c: c.cadre.unit_id, count=SIDE - 11)
    assert (len(side_a), len(side_b)) == (SIDE, SIDE)

    # Each A's organ receives a B (slot side B), each B's town receives an A (slot side A). Three town slots
    # are the town's real head post (镇长/党委书记), where the native-county rule applies.
    # Slots ask for the demo city's specialties in turn, so the specialty part counts.
    for i, person in enumerate(side_a):
        programme_services.batch_add_slot(actor=actor, batch=batch, unit=person.cadre.unit, post_title="挂职干部",
                                          side="B", tags=SPECIALTIES[i % len(SPECIALTIES)])  # fmt: skip
    heads = 0
    for i, person in enumerate(side_b):
        town = person.cadre.unit
        head = Post.objects.filter(unit=town, is_township_head=True).first() if heads < 3 else None
        heads += head is not None
        programme_services.batch_add_slot(actor=actor, batch=batch, unit=town, post=head, side="A",
                                          post_title="" if head else "挂职副镇长",
                                          tags=SPECIALTIES[(i * 5) % len(SPECIALTIES)])  # fmt: skip
    assert heads == 3
    vet(actor, *side_a, *side_b)

    began = time.perf_counter()
    plan = services.plan_solve(
        actor=actor, batch=batch,
        quotas=[{"regions": list(SECONDMENT_DESTINATIONS), "min": TO_DESTINATIONS, "name": "三分之二下沉南岭、北川"}],
    )  # fmt: skip
    wall = time.perf_counter() - began
    with capsys.disabled():
        print(f"\n[foshan 15+15] solve {plan.seconds:.3f} s ({plan.solver}); build + solve + store {wall:.2f} s; "
              f"total score {plan.total_score:g}")  # fmt: skip
    assert (plan.outcome, plan.proven, plan.assigned, len(plan.result["pairs"])) == ("optimal", True, 30, SIDE)
    # The rules had something to do: some pairs were removed for the native county, some scores reward specialties.
    removed = [why for pairs in plan.explain["removed"].values() for _slot, why in pairs]
    assert any("乡镇党政正职不得在籍贯所在县任职" in why for why in removed)
    assert plan.total_score > 30 * 60

    # The plan page lists the mirrored pairs with each partner, and the quota as met.
    from django.test import Client

    client = Client()
    client.force_login(actor.user)
    html = client.get(f"/matching/plans/{plan.pk}/").content.decode()
    first_a, first_b = plan.result["pairs"][0]
    names = plan.explain["candidates"]
    assert "成对互派" in html and "三分之二下沉南岭、北川" in html and "held-yes" in html and "held-no" not in html
    assert names[first_a]["name"] in html and names[first_b]["name"] in html

    services.plan_accept(actor=actor, plan=plan)
    assignments = list(
        Assignment.objects.filter(candidate__batch=batch).select_related(
            "candidate__cadre__unit", "slot__unit__district", "slot__post", "partner__candidate__cadre__unit",
            "partner__slot__unit",
        )
    )  # fmt: skip
    assert len(assignments) == 2 * SIDE
    assert all(a.candidate.status == CandidateStatus.ASSIGNED for a in assignments)
    districts = [District(pk, n, s) for pk, n, s in Unit.objects.filter(district_id=F("pk")).values_list(
        "pk", "name", "short_name")]  # fmt: skip
    for a in assignments:
        mine, partner = a.candidate, a.partner
        # Mirrored: each goes to the other's unit, from opposite sides.
        assert partner is not None and partner.partner_id == a.pk
        assert {mine.side, partner.candidate.side} == {"A", "B"}
        assert mine.cadre.unit.path.startswith(partner.slot.unit.path)
        assert partner.candidate.cadre.unit.path.startswith(a.slot.unit.path)
        assert a.slot.side == mine.side
        # Never to one's own unit or below it.
        assert not a.slot.unit.path.startswith(mine.cadre.unit.path)
        # No township head post in one's native county.
        if a.slot.post_id and a.slot.post.is_township_head:
            homes = home_counties(mine.cadre.native_place, (mine.cadre.id_number or "")[:6], districts, {})
            assert a.slot.unit.district_id not in homes
    # Capacity of every slot.
    used = Counter(a.slot_id for a in assignments)
    assert all(used[s.pk] <= s.capacity for s in HostSlot.objects.filter(batch=batch))
    # Two thirds of the municipal side to the two destination counties.
    to_destinations = sum(
        1 for a in assignments if a.candidate.side == "A" and a.slot.unit.district.name in SECONDMENT_DESTINATIONS
    )
    assert to_destinations >= TO_DESTINATIONS
    # The homes the engine used are the slots the programmes app checks against.
    to_organs = HostSlot.objects.filter(batch=batch, side="B").select_related("unit")
    slots = [(f"s{s.pk}", s.unit.path, s.pk) for s in to_organs]
    for person in side_a:
        assert plan.explain["candidates"][f"c{person.pk}"]["home"] == _home_slot(person.cadre.unit.path, slots)
