"""Automatic pairing through the services on the hand-built town: coverage, capacity, strategy, review, confirm."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from miaopu.apps.core.models import AuditEvent
from miaopu.apps.mentoring import services
from miaopu.apps.mentoring.models import Mentor, Mentorship, PairingProposal, ProposalStatus
from miaopu.apps.programmes.models import ProgrammeTemplate

from .conftest import AS_OF, D, actor

pytestmark = pytest.mark.django_db


def xinmiao_run(city, **kwargs):
    template = ProgrammeTemplate.objects.get(code="xinmiao")
    return services.pairing_run_create(actor=actor(city), template=template, as_of=AS_OF, **kwargs)


def test_every_recruit_gets_a_political_and_a_business_mentor_with_reasons(town):
    run = xinmiao_run(town)
    recruits = {town.cadres[f"recruit{i}"].pk for i in range(4)}
    assert run.cohort_size == 4 and run.roles == ["political", "business"]
    proposals = list(run.proposals.all())
    assert {(p.mentee_id, p.role) for p in proposals} == {(r, role) for r in recruits for role in run.roles}
    assert all(p.status == ProposalStatus.PROPOSED and p.mentor_cadre_id for p in proposals)
    political = [p for p in proposals if p.role == "political"]
    leaders = {town.cadres[k].pk for k in ("secretary", "mayor", "deputy")}
    assert {p.mentor_cadre_id for p in political} <= leaders
    assert max(Counter(p.mentor_cadre_id for p in political).values()) <= 3
    assert all(p.strategy == "team" and p.reasons[0].startswith("政治导师：东湖区青石镇") for p in political)
    business = [p for p in proposals if p.role == "business"]
    assert all(
        p.strategy == "veteran" and p.reasons[0] == "基层岗位（镇街），按“以老带新”配备业务导师" for p in business
    )
    for r in recruits:
        mine = {p.role: p.mentor_cadre_id for p in proposals if p.mentee_id == r}
        assert mine["political"] != mine["business"]
    assert run.summary["roles"][0]["proposed"] == 4 and run.summary["roles"][0]["unmatched"] == 0


def test_capacity_leaves_the_fourth_recruit_without_a_political_mentor_and_says_why(town):
    services.policy_update(
        actor=actor(town), template=ProgrammeTemplate.objects.get(code="xinmiao"), data={"capacity": 1}
    )
    run = xinmiao_run(town, roles=["political"])
    unmatched = run.proposals.filter(status=ProposalStatus.UNMATCHED)
    assert unmatched.count() == 1
    assert "名额均已用满（每人每类最多带 1 名" in unmatched.get().reasons[0]
    assert run.policy["capacity"] == 1


def test_accept_some_swap_exchange_then_confirm_in_bulk(town):
    run = xinmiao_run(town)
    political = list(run.proposals.filter(role="political").order_by("id"))
    business = list(run.proposals.filter(role="business").order_by("id"))
    staff = actor(town)
    # swap the first political proposal to another qualified leader (one of its listed options)
    first = political[0]
    others = [o["key"] for o in first.options if o["key"] != first.mentor_key]
    # make the mentee's business proposal one of those leaders: swapping to them must be refused
    own_business = next(p for p in business if p.mentee_id == first.mentee_id)
    PairingProposal.objects.filter(pk=own_business.pk).update(mentor_cadre_id=int(others[0][1:]), mentor=None)
    with pytest.raises(ValidationError, match="一人不兼任两类导师"):
        services.proposal_swap(actor=staff, proposal=first, mentor_key=others[0])
    other = others[1]
    services.proposal_swap(actor=staff, proposal=first, mentor_key=other)
    first.refresh_from_db()
    assert first.mentor_key == other and first.swapped and first.status == ProposalStatus.ACCEPTED
    assert first.reasons[-1] == "（由工作人员调整）"
    # a mentor who is not among the options is refused
    with pytest.raises(ValidationError, match="可选人选"):
        services.proposal_swap(actor=staff, proposal=political[1], mentor_key=f"c{town.cadres['town_a'].pk}")
    # accept the rest of the political proposals and one business proposal; set one business aside
    services.proposals_decide(actor=staff, run=run, accept=[p.pk for p in political[1:]] + [business[0].pk],
                              reject=[business[1].pk])  # fmt: skip
    created = services.pairing_confirm(actor=staff, run=run, start=D(2025, 3, 10))
    assert len(created) == 5
    ships = Mentorship.objects.filter(is_active=True, start=D(2025, 3, 10))
    assert ships.count() == 5
    assert {s.role for s in ships} == {"political", "business"}
    assert all(s.reasons and s.strategy in ("team", "veteran") for s in ships)
    assert all(s.template.code == "xinmiao" for s in ships)
    assert (
        Mentor.objects.filter(cadre=town.cadres["secretary"]).exists()
        or Mentor.objects.filter(cadre=town.cadres["mayor"]).exists()
    )
    run.refresh_from_db()
    assert run.status == "proposed"  # two business proposals are still open (one pending, one set aside)
    statuses = Counter(run.proposals.values_list("status", flat=True))
    assert statuses == {"confirmed": 5, "proposed": 2, "rejected": 1}
    assert all(p.mentorship_id for p in run.proposals.filter(status="confirmed"))
    event = AuditEvent.objects.filter(object_type="mentoring.pairingrun", action="create").latest("id")
    assert len(event.detail["mentorships"]) == 5


def test_confirm_rechecks_capacity(town):
    run = xinmiao_run(town, roles=["political"])
    proposal = run.proposals.order_by("id").first()
    leader = town.cadres["deputy"]
    mentor = Mentor.objects.create(cadre=leader, name=leader.name)
    for i in range(3):
        mentee = town.cadres[["organ", "organ_woman", "district_b"][i]]
        Mentorship.objects.create(mentee=mentee, mentor=mentor, role="political", start=D(2024, 1, 1))
    PairingProposal.objects.filter(pk=proposal.pk).update(mentor_cadre=leader, mentor=mentor)
    services.proposals_decide(actor=actor(town), run=run, accept="all")
    with pytest.raises(ValidationError, match="超出名额"):
        services.pairing_confirm(actor=actor(town), run=run)
    assert Mentorship.objects.filter(mentor=mentor, is_active=True).count() == 3  # nothing half-written


def test_exchange_swaps_two_mentors_of_the_same_role(town):
    run = xinmiao_run(town, roles=["political"])
    a, b = [p for p in run.proposals.order_by("id") if p.mentor_key][:2]
    if a.mentor_key == b.mentor_key:
        b = [p for p in run.proposals.order_by("id") if p.mentor_key != a.mentor_key][0]
    ka, kb = a.mentor_key, b.mentor_key
    services.proposals_exchange(actor=actor(town), first=a, second=b)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.mentor_key, b.mentor_key) == (kb, ka)


def test_only_orgdept_pairs_and_only_within_scope(town):
    template = ProgrammeTemplate.objects.get(code="xinmiao")
    with pytest.raises(PermissionDenied):
        services.pairing_run_create(actor=actor(town, "officer_town_a"), template=template, as_of=AS_OF)
    # a district officer of 西山县 sees none of 青石镇's recruits: nobody to pair
    from miaopu.apps.core.testing import make_user

    town.users["orgdept_b"] = make_user("orgdept_b", "orgdept", scope_unit=town.district_b)
    run = services.pairing_run_create(actor=actor(town, "orgdept_b"), template=template, as_of=AS_OF)
    assert run.cohort_size == 0


def test_batch_cohort(town):
    from miaopu.apps.programmes import services as programmes

    staff = actor(town)
    batch = programmes.batch_create(actor=staff, template=ProgrammeTemplate.objects.get(code="xinmiao"),
                                    name="新苗 2025", year=2025, as_of=AS_OF)  # fmt: skip
    programmes.batch_evaluate_candidates(actor=staff, batch=batch)
    run = services.pairing_run_create(actor=staff, batch=batch, as_of=AS_OF)
    assert run.cohort_size == 4 and run.batch == batch
    assert "新苗 2025" in run.title
