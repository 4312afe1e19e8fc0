"""Issue 6's "done when" on the demo city: pairing the whole 新苗培优 (xinmiao) cohort gives every cadre both
required mentors, within capacity (3 per mentor and role, the demo's own mentorships included), by post type.

The city is the one ``miaopu demo`` builds (same generator, a smaller size, a fixed day), so this fails if the
generator's leadership teams or senior colleagues stop being large enough for its recent recruits.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from miaopu.apps.cadres.models import Cadre
from miaopu.apps.core import demo
from miaopu.apps.core.audit import Actor
from miaopu.apps.core.models import User
from miaopu.apps.mentoring import services
from miaopu.apps.mentoring.models import Mentorship, ProposalStatus
from miaopu.apps.programmes.models import ProgrammeTemplate
from miaopu.domain.vocab import GRASSROOTS_LEVELS

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)


def test_demo_city_xinmiao_cohort_gets_both_mentors_within_capacity_by_post_type():
    demo.generate(cadres=2_500, seed=demo.DEFAULT_SEED, today=TODAY)
    actor = Actor.cli(User.objects.get(username="orgdept"))
    template = ProgrammeTemplate.objects.get(code="xinmiao")
    # The demo's own mentorships already respect the default capacity.
    existing = Counter(Mentorship.objects.filter(is_active=True).values_list("mentor_id", "role"))
    assert existing and max(existing.values()) <= 3

    run = services.pairing_run_create(actor=actor, template=template, as_of=TODAY)
    assert run.policy["capacity"] == 3 and run.roles == ["political", "business"]
    assert run.cohort_size > 300  # a real cohort: every recent recruit of the city
    for role in run.summary["roles"]:
        assert role["unmatched"] == 0, role
        assert role["already"] + role["proposed"] == run.cohort_size
    proposals = list(run.proposals.all())
    unmatched = [(p.mentee_id, p.role, p.reasons) for p in proposals if p.status == ProposalStatus.UNMATCHED]
    assert unmatched == []
    assert all(p.reasons for p in proposals)

    # Strategy by post type (Bazhong): political = the unit's leadership team; business = 以精带疏 for technical
    # posts (以老带新 when a grassroots unit's experts are taken), 以老带新 for other grassroots posts, 以强带弱
    # for municipal organs' business posts.
    mentees = {c.pk: c for c in Cadre.objects.filter(pk__in={p.mentee_id for p in proposals}).select_related("unit")}
    strategies = Counter()
    for p in proposals:
        cadre = mentees[p.mentee_id]
        grassroots = cadre.unit.level in GRASSROOTS_LEVELS
        if p.role == "political":
            expected = {"team"}
        elif cadre.post_category == "technical":
            expected = {"expert", "veteran"} if grassroots else {"expert"}
        else:
            expected = {"veteran"} if grassroots else {"strong"}
        assert p.strategy in expected, (cadre.unit.name, cadre.post_title, p.role, p.strategy, p.reasons)
        strategies[(p.role, p.strategy)] += 1
    assert {("political", "team"), ("business", "veteran"), ("business", "strong"), ("business", "expert")} <= set(
        strategies
    )

    services.proposals_decide(actor=actor, run=run, accept="all")
    created = services.pairing_confirm(actor=actor, run=run, start=TODAY)
    assert len(created) == sum(r["proposed"] for r in run.summary["roles"])
    load = Counter(Mentorship.objects.filter(is_active=True).values_list("mentor_id", "role"))
    assert max(load.values()) == 3  # capacity is used, and never exceeded (existing mentorships included)
    cohort = {p.mentee_id for p in proposals}
    covered = Counter(
        Mentorship.objects.filter(is_active=True, mentee_id__in=cohort, role__in=run.roles).values_list(
            "mentee_id", flat=True
        )
    )
    assert set(covered) == cohort and set(covered.values()) == {2}
