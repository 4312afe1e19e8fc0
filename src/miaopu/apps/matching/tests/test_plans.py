"""Plans: solve, explain, pin or forbid and solve again, compare, accept through the programmes services."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from miaopu.apps.core.models import AuditEvent
from miaopu.apps.matching import services
from miaopu.apps.matching.models import MatchPlan, PlanStatus
from miaopu.apps.matching.selectors import compare_plans, plan_rows, quota_rows
from miaopu.apps.programmes import services as programme_services
from miaopu.apps.programmes.choices import BatchStatus, CandidateStatus
from miaopu.apps.programmes.models import Assignment
from miaopu.domain.matching import problem_from_json, result_to_json, solve

from .conftest import AS_OF, FINDINGS, actor_for

pytestmark = pytest.mark.django_db


def goes(plan: MatchPlan) -> dict[str, str]:
    return {a["candidate"]: a["slot"] for a in plan.result["assignments"]}


def test_a_plan_places_everyone_by_the_best_score_and_explains_each_pair(six_lines):
    s = six_lines
    plan = services.plan_solve(actor=actor_for(s.city), batch=s.batch)
    assert (plan.outcome, plan.proven, plan.assigned, plan.candidate_count) == ("optimal", True, 3, 3)
    chosen = goes(plan)
    # 方规划 takes the 规划 post near home (97.33) rather than anything at 60–77; the others fill what is left.
    assert chosen[s.key("方规划")] == s.slot("assistant")
    assert chosen[s.key("谢本镇")] in {s.slot("far"), s.slot("organ")}
    assert chosen[s.key("许亲属")] in {s.slot("village"), s.slot("far")}
    rows = {r["info"]["name"]: r for r in plan_rows(plan)}
    fang = rows["方规划"]
    assert fang["score"] == 97.33 and fang["parts_text"].startswith("基础分 60 · 专业相符 +30")
    assert any("专业特长“规划”" in t for t in fang["reasons"])
    assert any("乡镇党政正职" in why for _slot, why in fang["removed"])
    # The change record names the plan and its result.
    event = AuditEvent.objects.get(object_type="matching.matchplan", object_id=str(plan.pk), action="create")
    assert event.after["outcome"] == "optimal" and event.after["assigned"] == 3


def test_exported_problem_reproduces_the_plan(six_lines, client_for):
    s = six_lines
    plan = services.plan_solve(actor=actor_for(s.city), batch=s.batch)
    response = client_for("orgdept").get(f"/matching/plans/{plan.pk}/problem.json")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = response.json()
    assert data["meta"]["batch"] == s.batch.pk and data["meta"]["plan"] == plan.number
    again = result_to_json(solve(problem_from_json(data)))
    assert again["assignments"] == plan.result["assignments"] and again["total_score"] == plan.result["total_score"]
    assert AuditEvent.objects.filter(object_type="matching.matchplan", action="export").count() == 1


def test_forbid_and_pin_solve_again_as_new_plans(six_lines):
    s = six_lines
    actor = actor_for(s.city)
    first = services.plan_solve(actor=actor, batch=s.batch)
    fang, best = s.key("方规划"), s.slot("assistant")
    second = services.plan_derive(actor=actor, plan=first, forbid=(fang, best))
    assert second.number == first.number + 1 and second.parent == first and "禁止" in second.note
    assert goes(second)[fang] != best and second.total_score < first.total_score
    assert MatchPlan.objects.get(pk=first.pk).result == first.result  # the first plan is kept as it was
    # Pin 谢本镇 to the organ; the forbidden pair stays forbidden.
    xie = s.key("谢本镇")
    third = services.plan_derive(actor=actor, plan=second, pin=(xie, s.slot("organ")))
    assert goes(third)[xie] == s.slot("organ") and goes(third)[fang] != best
    assert third.options["fixed"] == [[xie, s.slot("organ")]] and [fang, best] in third.options["forbidden"]
    # Releasing the forbidden pair brings the best plan back.
    fourth = services.plan_derive(actor=actor, plan=third, release=(fang, best))
    assert goes(fourth)[fang] == best
    # A pair an avoidance rule removes cannot be pinned; the message says which rule.
    with pytest.raises(ValidationError, match="乡镇党政正职不得在籍贯所在县任职"):
        services.plan_derive(actor=actor, plan=first, pin=(fang, s.slot("head")))


def test_compare_shows_who_moved_the_score_delta_and_region_counts(six_lines):
    s = six_lines
    actor = actor_for(s.city)
    first = services.plan_solve(actor=actor, batch=s.batch)
    second = services.plan_derive(actor=actor, plan=first, forbid=(s.key("方规划"), s.slot("assistant")))
    diff = compare_plans(first, second)
    moved = {r["name"] for r in diff["rows"] if r["moved"]}
    assert "方规划" in moved
    assert diff["score_delta"] == round(second.total_score - first.total_score, 2) < 0
    regions = {r["region"]: (r["first"], r["second"]) for r in diff["regions"]}
    assert sum(a for a, _b in regions.values()) == sum(b for _a, b in regions.values()) == 3
    assert diff["rows"][0]["moved"]  # moves first


def test_quotas_hold_and_an_impossible_one_is_diagnosed(six_lines):
    s = six_lines
    actor = actor_for(s.city)
    plan = services.plan_solve(actor=actor, batch=s.batch, quotas=[{"regions": ["西山县"], "min": 2}])
    assert plan.outcome == "optimal"
    (quota,) = quota_rows(plan)
    assert (quota["count"], quota["held"]) == (2, True)
    impossible = services.plan_solve(actor=actor, batch=s.batch, quotas=[{"regions": ["西山县"], "min": 3}])
    assert impossible.outcome == "infeasible" and not impossible.has_plan
    assert any("西山县" in line and "至少 3" in line for line in impossible.diagnosis)
    with pytest.raises(ValidationError, match="没有地区“南岭县”"):
        services.plan_solve(actor=actor, batch=s.batch, quotas=[{"regions": ["南岭县"], "min": 1}])


def test_accepting_writes_the_assignments_through_the_programme_checks(six_lines):
    s = six_lines
    actor = actor_for(s.city)
    plan = services.plan_solve(actor=actor, batch=s.batch)
    assert s.batch.status == BatchStatus.VETTING
    services.plan_accept(actor=actor, plan=plan)
    plan.refresh_from_db()
    s.batch.refresh_from_db()
    assert plan.status == PlanStatus.ACCEPTED and s.batch.status == BatchStatus.ASSIGNMENT
    written = {f"c{c}": f"s{slot}" for c, slot in Assignment.objects.values_list("candidate_id", "slot_id")}
    assert written == goes(plan)
    people = s.batch.candidates.filter(pk__in=[p.pk for p in s.people.values()])
    assert set(people.values_list("status", flat=True)) == {CandidateStatus.ASSIGNED}
    assert services.plan_matches_batch(plan)
    # Each candidate's assignment left its own change record, as if assigned by hand.
    assert AuditEvent.objects.filter(object_type="programmes.candidate", detail__slot_id__isnull=False).count() == 3

    # A second plan replaces the assignments; the first is marked superseded.
    other = services.plan_derive(actor=actor, plan=plan, forbid=(s.key("方规划"), s.slot("assistant")))
    services.plan_accept(actor=actor, plan=other)
    written = {f"c{c}": f"s{slot}" for c, slot in Assignment.objects.values_list("candidate_id", "slot_id")}
    assert written == goes(other)
    assert MatchPlan.objects.get(pk=plan.pk).status == PlanStatus.SUPERSEDED

    # After approval, plans can no longer be accepted.
    programme_services.batch_approve(actor=actor, batch=s.batch)
    with pytest.raises(ValidationError, match="不能采用匹配方案"):
        services.plan_accept(actor=actor, plan=plan)


def test_a_plan_that_no_longer_passes_the_checks_writes_nothing(six_lines):
    s = six_lines
    actor = actor_for(s.city)
    plan = services.plan_solve(actor=actor, batch=s.batch)
    # After solving, the discipline office objects to 谢本镇: the plan still names him.
    xie = s.people["谢本镇"]
    objection = [{"department": "纪检监察机关", "opinion": "有信访举报待核", "objection": True}]
    programme_services.vetting_record(actor=actor, candidate=xie, findings=FINDINGS, opinions=objection,
                                      vetted_on=AS_OF)  # fmt: skip
    with pytest.raises(ValidationError, match="谢本镇.*考察有异议"):
        services.plan_accept(actor=actor, plan=plan)
    assert not Assignment.objects.exists()
    assert MatchPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT
    # Solving again leaves him out (objected candidates never take part) and says a plan is stale.
    again = services.plan_solve(actor=actor, batch=s.batch)
    assert s.key("谢本镇") not in again.explain["candidates"] and again.candidate_count == 2


def test_not_everyone_must_be_placed_when_asked(six_lines):
    s = six_lines
    actor = actor_for(s.city)
    # Only 西山县 at most 1 and no organ: 谢本镇 can go nowhere else, so with assign_all it is infeasible …
    blocked = [(s.key("谢本镇"), s.slot("organ"))]
    strict = services.plan_solve(actor=actor, batch=s.batch, forbidden=blocked,
                                 quotas=[{"regions": ["西山县"], "max": 0}])  # fmt: skip
    assert strict.outcome == "infeasible" and any("谢本镇" in line for line in strict.diagnosis)
    # … and without it, the others are placed.
    loose = services.plan_solve(actor=actor, batch=s.batch, forbidden=blocked, assign_all=False,
                                quotas=[{"regions": ["西山县"], "max": 0}])  # fmt: skip
    assert loose.outcome == "optimal" and loose.assigned == 2
    assert s.key("谢本镇") not in goes(loose)


def test_two_way_candidates_need_a_slot_at_their_own_unit(city):
    """In a mirrored exchange the partner takes the candidate's own post: without that slot, they are left out."""
    import datetime as dt

    from miaopu.apps.core.testing import make_cadre
    from miaopu.apps.programmes.models import ProgrammeTemplate

    from .conftest import vet

    actor = actor_for(city)
    a = make_cadre(city.organ, "唐双向", dt.date(1994, 10, 10))
    b = make_cadre(city.town_a, "田基层", dt.date(1992, 11, 11))
    batch = programme_services.batch_create(actor=actor, template=ProgrammeTemplate.objects.get(code="two-way"),
                                            name="双向挂职", year=2025, as_of=AS_OF)  # fmt: skip
    to_town = programme_services.batch_add_slot(actor=actor, batch=batch, unit=city.town_a, post_title="镇长助理",
                                                side="A")  # fmt: skip
    programme_services.batch_evaluate_candidates(actor=actor, batch=batch)
    vet(actor, batch.candidates.get(cadre=a), batch.candidates.get(cadre=b))
    lonely = services.plan_solve(actor=actor, batch=batch)
    (left_out,) = lonely.explain["excluded"]
    assert left_out["name"] == "唐双向" and "没有代表其原单位（示范市自然资源局）的接收岗位" in left_out["reason"]
    assert lonely.outcome == "infeasible"
    # With the organ's slot the two are exchanged: A to B's town, B to A's organ.
    to_organ = programme_services.batch_add_slot(actor=actor, batch=batch, unit=city.organ, post_title="科员",
                                                 side="B")  # fmt: skip
    plan = services.plan_solve(actor=actor, batch=batch)
    ka, kb = f"c{batch.candidates.get(cadre=a).pk}", f"c{batch.candidates.get(cadre=b).pk}"
    assert plan.result["pairs"] == [[ka, kb]]
    assert goes(plan) == {ka: f"s{to_town.pk}", kb: f"s{to_organ.pk}"}
    services.plan_accept(actor=actor, plan=plan)
    mine = Assignment.objects.get(candidate__cadre=a)
    assert mine.slot == to_town and mine.partner.candidate.cadre == b and mine.partner.slot == to_organ
