"""Batches from evaluation to term end, through the services, on the hand-built roster."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from miaopu.apps.cadres.models import Experience
from miaopu.apps.cadres.selectors import cadre_facts
from miaopu.apps.core.models import AuditEvent
from miaopu.apps.core.testing import make_cadre
from miaopu.apps.programmes import services
from miaopu.apps.programmes.choices import BatchStatus, CandidateStatus, PlacementStatus
from miaopu.apps.programmes.models import Placement, ProgrammeTemplate, ReservePoolEntry, StageRecord
from miaopu.apps.programmes.selectors import batch_profile

from .conftest import AS_OF, FINDINGS, START, actor_for, candidate, new_batch, nominate_and_vet

pytestmark = pytest.mark.django_db

# code → (roster key, group expected, host unit attribute of the city or None, slot tags, experience kind written)
CASES = {
    "dunmiao": ("dm", "", "town_a", "", "posting"),
    "xinmiao": ("xm", "育苗", None, "", ""),
    "sixiaji-practice": ("sx", "", "village_a", "", "practice"),
    "ningde-secondment": ("ns", "", "village_a", "", "secondment"),
    "ningde-rotation": ("nr", "曾任乡镇党政正职", "organ", "", "rotation"),
    "six-lines": ("sl", "", "town_a", "乡村振兴", "secondment"),
    "youth-camp": ("yc", "二年级", None, "", ""),
}
RESERVE = {"dunmiao", "ningde-secondment", "two-way"}
FINDINGS_BUT_ONE = {k: v for k, v in FINDINGS.items() if k != "integrity"}


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_template_runs_a_batch_end_to_end(roster, code):
    city = roster
    key, group, host_attr, tags, kind = CASES[code]
    cadre = city.cadres[key]
    actor = actor_for(city)
    batch = new_batch(city, code)
    slot = None
    if host_attr:
        host = getattr(city, host_attr)
        slot = services.batch_add_slot(actor=actor, batch=batch, unit=host, post_title="挂职岗位", tags=tags)
    summary = services.batch_evaluate_candidates(actor=actor, batch=batch)
    assert summary["eligible"] >= 1 and summary["version"] == 1
    person = candidate(batch, cadre)
    assert person.eligible and person.group == group and person.reasons and all(r["ok"] for r in person.reasons)
    (person,) = nominate_and_vet(city, batch, cadre)
    assert person.status == CandidateStatus.VETTED
    if slot is not None:
        services.assignment_set(actor=actor, candidate=person, slot=slot)
    services.batch_approve(actor=actor, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPROVED
    (placement,) = services.placements_create(actor=actor, batch=batch, start=START)
    assert placement.cadre == cadre and placement.start == START
    if kind:
        entry = Experience.objects.get(pk=placement.experience_id)
        assert (entry.unit, entry.kind, entry.start, entry.end) == (slot.unit, kind, START, None)
    else:
        assert placement.experience_id is None and placement.host_unit is None
    services.placement_term_end_assess(actor=actor, placement=placement, grade="excellent", end=dt.date(2026, 4, 1))
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ENDED and placement.actual_end == dt.date(2026, 4, 1)
    if kind:
        assert Experience.objects.get(pk=placement.experience_id).end == dt.date(2026, 4, 1)
    assert ReservePoolEntry.objects.filter(cadre=cadre, source_batch=batch).exists() == (code in RESERVE)
    services.batch_close(actor=actor, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CLOSED
    # Every step left a change record.
    assert AuditEvent.objects.filter(object_type="programmes.placement", object_id=str(placement.pk)).count() == 2


def test_two_way_runs_in_mirrored_pairs(roster):
    city = roster
    actor = actor_for(city)
    batch = new_batch(city, "two-way")
    to_town = services.batch_add_slot(actor=actor, batch=batch, unit=city.town_a, post_title="镇长助理", side="A")
    to_organ = services.batch_add_slot(actor=actor, batch=batch, unit=city.organ, post_title="规划科副科长", side="B")
    services.batch_evaluate_candidates(actor=actor, batch=batch)
    a, b = candidate(batch, city.cadres["twa"]), candidate(batch, city.cadres["twb"])
    assert (a.group, a.side, b.group, b.side) == ("市直", "A", "基层", "B")
    a, b = nominate_and_vet(city, batch, city.cadres["twa"], city.cadres["twb"])
    with pytest.raises(ValidationError, match="成对互派"):
        services.assignment_set(actor=actor, candidate=a, slot=to_town)
    services.assignment_set(actor=actor, candidate=a, slot=to_town, partner=b, partner_slot=to_organ)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.assignment.partner == b.assignment and b.assignment.partner == a.assignment
    services.batch_approve(actor=actor, batch=batch)
    placements = services.placements_create(actor=actor, batch=batch, start=START)
    pa, pb = sorted(placements, key=lambda p: p.candidate.side)
    pa.refresh_from_db()
    pb.refresh_from_db()
    assert (pa.host_unit, pb.host_unit) == (city.town_a, city.organ)
    assert pa.partner == pb and pb.partner == pa
    assert pa.planned_end == dt.date(2027, 4, 1)  # 24 months
    services.placement_term_end_assess(actor=actor, placement=pa, grade="excellent")
    entry = ReservePoolEntry.objects.get(cadre=city.cadres["twa"])
    assert entry.source_batch == batch and batch.name in entry.reason and "优秀" in entry.reason
    services.placement_term_end_assess(actor=actor, placement=pb, grade="competent")
    assert not ReservePoolEntry.objects.filter(cadre=city.cadres["twb"]).exists()


def test_a_pair_that_does_not_swap_places_is_refused(roster):
    city = roster
    actor = actor_for(city)
    batch = new_batch(city, "two-way")
    to_town_b = services.batch_add_slot(actor=actor, batch=batch, unit=city.town_b, post_title="镇长助理", side="A")
    to_organ = services.batch_add_slot(actor=actor, batch=batch, unit=city.organ, post_title="科员", side="B")
    services.batch_evaluate_candidates(actor=actor, batch=batch)
    a, b, a2 = nominate_and_vet(city, batch, city.cadres["twa"], city.cadres["twb"], city.cadres["dm"])
    # B comes from 青石镇 (town_a) but A would go to 白沙镇 (town_b): not a swap.
    with pytest.raises(ValidationError, match="须对调"):
        services.assignment_set(actor=actor, candidate=a, slot=to_town_b, partner=b, partner_slot=to_organ)
    # Two cadres of the same side cannot be paired either.
    with pytest.raises(ValidationError, match="A、B 两方"):
        services.assignment_set(actor=actor, candidate=a, slot=to_town_b, partner=a2, partner_slot=to_organ)


def test_editing_a_rule_changes_new_batches_and_keeps_past_results(roster):
    city = roster
    actor = actor_for(city)
    dm = city.cadres["dm"]  # 34 on the as-of date
    old = new_batch(city, "dunmiao")
    services.batch_evaluate_candidates(actor=actor, batch=old)
    kept = candidate(old, dm)
    reasons_before = list(kept.reasons)
    assert "年龄 34 岁，不超过 35 岁" in [r["text"] for r in reasons_before]

    template = ProgrammeTemplate.objects.get(code="dunmiao")
    rules = dict(template.current_version.spec)
    rules["eligibility"] = {
        "all": [{"fact": "unit_level", "eq": "市"}, {"fact": "leadership_level", "in": ["副科", "正科"]},
                {"fact": "age", "lte": 30}]
    }  # fmt: skip
    version = services.template_create_version(actor=actor, template=template, rules=rules, note="年龄收紧到 30 岁")
    assert version.number == 2

    new = new_batch(city, "dunmiao")
    assert new.version == version
    services.batch_evaluate_candidates(actor=actor, batch=new)
    assert not new.candidates.filter(cadre=dm).exists()

    old.refresh_from_db()
    assert old.version.number == 1
    kept.refresh_from_db()
    assert kept.reasons == reasons_before and kept.eligible
    # Running the old batch again still uses its own version.
    services.batch_evaluate_candidates(actor=actor, batch=old)
    assert candidate(old, dm).eligible


def test_same_rules_do_not_make_a_version(roster):
    template = ProgrammeTemplate.objects.get(code="dunmiao")
    with pytest.raises(ValidationError, match="相同"):
        services.template_create_version(
            actor=actor_for(roster), template=template, rules=template.current_version.spec
        )


def test_only_city_wide_orgdept_edits_templates(roster):
    template = ProgrammeTemplate.objects.get(code="dunmiao")
    with pytest.raises(PermissionDenied):
        services.template_create_version(actor=actor_for(roster, "orgdept_a"), template=template, rules={})


def test_override_needs_a_reason_and_stays_flagged(roster):
    city = roster
    actor = actor_for(city)
    batch = new_batch(city, "dunmiao")
    services.batch_evaluate_candidates(actor=actor, batch=batch)
    outsider = city.cadres["organ_woman"]  # no leadership level
    with pytest.raises(ValidationError) as caught:
        services.candidate_add_override(actor=actor, batch=batch, cadre=outsider, reason="")
    assert "破格加入须写明理由" in caught.value.message_dict["reason"][0]
    assert "职务层次 未填写" in caught.value.message_dict["reason"][0]
    person = services.candidate_add_override(actor=actor, batch=batch, cadre=outsider, reason="业务能力突出，组织推荐")
    assert person.is_override and not person.eligible and person.override_reason == "业务能力突出，组织推荐"
    assert any(not r["ok"] for r in person.reasons)
    # Re-evaluating keeps the hand-added cadre, still flagged.
    services.batch_evaluate_candidates(actor=actor, batch=batch)
    person.refresh_from_db()
    assert person.is_override
    # A cadre who qualifies but joined the roster after the evaluation is added without a reason, unflagged.
    late = make_cadre(city.organ, "晚到者", dt.date(1993, 3, 3), leadership_level="section")
    added = services.candidate_add_override(actor=actor, batch=batch, cadre=late, reason="")
    assert added.eligible and not added.is_override


def test_an_objection_in_vetting_blocks(roster):
    city = roster
    actor = actor_for(city)
    batch = new_batch(city, "dunmiao")
    slot = services.batch_add_slot(actor=actor, batch=batch, unit=city.town_a, post_title="党委委员")
    services.batch_evaluate_candidates(actor=actor, batch=batch)
    objection = [{"department": "纪检监察机关", "opinion": "有信访举报待核实", "objection": True}]
    (person,) = nominate_and_vet(city, batch, city.cadres["dm"], opinions=objection)
    assert person.status == CandidateStatus.REJECTED and "纪检监察机关" in person.status_note
    with pytest.raises(ValidationError, match="考察有异议"):
        services.assignment_set(actor=actor, candidate=person, slot=slot)
    with pytest.raises(ValidationError, match="尚未给任何人选分配"):
        services.batch_approve(actor=actor, batch=batch)


def test_vetting_needs_the_five_findings_and_discipline_inspection(roster):
    city = roster
    actor = actor_for(city)
    batch = new_batch(city, "dunmiao")
    services.batch_evaluate_candidates(actor=actor, batch=batch)
    person = candidate(batch, city.cadres["dm"])
    services.candidate_nominate(actor=actor, candidate=person)
    with pytest.raises(ValidationError) as caught:
        services.vetting_record(
            actor=actor, candidate=person, findings={**FINDINGS_BUT_ONE}, vetted_on=AS_OF,
            opinions=[{"department": "人社局", "opinion": "同意", "objection": False}],
        )  # fmt: skip
    errors = caught.value.message_dict
    assert "integrity" in errors and errors["opinions"] == ["须征求纪检监察机关的意见。"]
    person.refresh_from_db()
    assert person.status == CandidateStatus.NOMINATED


def test_a_village_secondment_becomes_rural_experience(roster):
    city = roster
    actor = actor_for(city)
    ns = city.cadres["ns"]
    assert cadre_facts(ns, dt.date(2026, 6, 1)).rural_months == 0
    batch = new_batch(city, "ningde-secondment")
    slot = services.batch_add_slot(actor=actor, batch=batch, unit=city.village_a, post_title="驻村第一书记")
    services.batch_evaluate_candidates(actor=actor, batch=batch)
    (person,) = nominate_and_vet(city, batch, ns)
    services.assignment_set(actor=actor, candidate=person, slot=slot)
    services.batch_approve(actor=actor, batch=batch)
    (placement,) = services.placements_create(actor=actor, batch=batch, start=START)
    assert placement.planned_end == dt.date(2026, 4, 1)  # at least 12 months
    assert cadre_facts(ns, dt.date(2026, 6, 1)).rural_months == 14  # open entry, counted to the date asked
    services.placement_extend(actor=actor, placement=placement, new_end=dt.date(2026, 10, 1), reason="村项目未完成")
    with pytest.raises(ValidationError) as caught:
        services.placement_end_early(actor=actor, placement=placement, end=dt.date(2025, 12, 1), reason="")
    assert "reason" in caught.value.message_dict
    services.placement_end_early(actor=actor, placement=placement, end=dt.date(2025, 12, 1), reason="因病")
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ENDED_EARLY
    assert [e["action"] for e in placement.events] == ["extend", "end_early"]
    assert cadre_facts(ns, dt.date(2026, 6, 1)).rural_months == 8  # closed on 2025-12-01


def test_capacity_and_regional_quotas_are_checked(roster):
    city = roster
    actor = actor_for(city)
    batch = new_batch(city, "ningde-secondment", quotas={"total": None, "regions": {"东湖区": 1}})
    village = services.batch_add_slot(actor=actor, batch=batch, unit=city.village_a, post_title="驻村", capacity=2)
    other = services.batch_add_slot(actor=actor, batch=batch, unit=city.town_b, post_title="镇长助理")
    assert (village.region, other.region) == ("东湖区", "西山县")
    services.batch_evaluate_candidates(actor=actor, batch=batch)
    ns, sx, sl = nominate_and_vet(city, batch, city.cadres["ns"], city.cadres["sx"], city.cadres["sl"])
    services.assignment_set(actor=actor, candidate=ns, slot=village)
    with pytest.raises(ValidationError, match="东湖区 的名额（1 人）已用完"):
        services.assignment_set(actor=actor, candidate=sx, slot=village)
    services.assignment_set(actor=actor, candidate=sx, slot=other)
    with pytest.raises(ValidationError, match="名额已满"):
        services.assignment_set(actor=actor, candidate=sl, slot=other)


def test_host_units_must_fit_the_template(roster):
    city = roster
    actor = actor_for(city)
    batch = new_batch(city, "dunmiao")
    with pytest.raises(ValidationError, match="单位层级为 市，应为 镇街"):
        services.batch_add_slot(actor=actor, batch=batch, unit=city.organ, post_title="科员")
    six = new_batch(city, "six-lines")
    with pytest.raises(ValidationError, match="应含 项目建设、招商引资"):
        services.batch_add_slot(actor=actor, batch=six, unit=city.town_b, post_title="科员")
    services.batch_add_slot(actor=actor, batch=six, unit=city.town_b, post_title="科员", tags="抢险救灾")


def test_steps_cannot_be_skipped(roster):
    city = roster
    actor = actor_for(city)
    batch = new_batch(city, "dunmiao")
    with pytest.raises(ValidationError, match="草拟"):
        services.batch_approve(actor=actor, batch=batch)
    services.batch_evaluate_candidates(actor=actor, batch=batch)
    services.candidate_nominate(actor=actor, candidate=candidate(batch, city.cadres["dm"]))
    with pytest.raises(ValidationError, match="不能重新计算人选"):
        services.batch_evaluate_candidates(actor=actor, batch=batch)


def test_xinmiao_records_stage_changes(roster):
    city = roster
    actor = actor_for(city)
    batch = new_batch(city, "xinmiao")
    services.batch_evaluate_candidates(actor=actor, batch=batch)
    nominate_and_vet(city, batch, city.cadres["xm"])  # entered 2024-06-01
    warnings = services.batch_approve(actor=actor, batch=batch)
    assert any("谢新苗 尚未配备：政治导师、业务导师" == w for w in warnings)
    (placement,) = services.placements_create(actor=actor, batch=batch, start=START)
    assert [(r.stage, r.theme) for r in StageRecord.objects.filter(placement=placement)] == [("育苗", "一年跟着干")]
    assert services.stage_record_changes(actor=actor, batch=batch, on=dt.date(2025, 5, 31)) == []
    (record,) = services.stage_record_changes(actor=actor, batch=batch, on=dt.date(2025, 6, 1))
    assert (record.stage, record.theme, record.since) == ("扶苗", "两年独立干", dt.date(2025, 6, 1))
    assert services.stage_record_changes(actor=actor, batch=batch, on=dt.date(2025, 7, 1)) == []
    assert AuditEvent.objects.filter(object_type="programmes.stagerecord").count() == 2


def test_batch_profile_figures(roster):
    """Counts per side, average age to one decimal (halves up), women, non-party, regional shares."""
    city = roster
    actor = actor_for(city)
    # District B: 赵强 36 (male, 党员), 周婷 31 (female, 党员), 聂书记 42, 宁副镇 38, plus two made here.
    make_cadre(city.town_b, "何一", dt.date(1990, 3, 1), gender="female", political_status="masses")  # 35 that day
    make_cadre(city.town_b, "何二", dt.date(1995, 3, 2), political_status="democratic")  # 29, 30 the next day
    batch = new_batch(city, "two-way", scope_unit=city.district_b)
    services.batch_evaluate_candidates(actor=actor, batch=batch)
    profile = batch_profile(user=city.users["orgdept"], batch=batch)
    assert profile["basis"] == "符合条件人员"
    # Eligible (age ≤ 40, all 基层 side B): 36, 31, 38, 35, 29 → 169 / 5 = 33.8; 聂书记 (42) is out.
    (side_a, side_b) = profile["lines"]
    assert (side_a.count, side_b.count) == (0, 5)
    total = profile["total"]
    assert (total.count, total.average_age, total.women, total.non_party) == (5, Decimal("33.8"), 2, 2)
    # Nominating narrows the basis; 36 + 35 → 35.5; 36 + 31 + 38 → 35.0; 35 + 29 + 36 + 31 → 32.75 → 32.8.
    for name in ["何一", "何二", "赵强", "周婷"]:
        services.candidate_nominate(actor=actor, candidate=batch.candidates.get(cadre__name=name))
    profile = batch_profile(user=city.users["orgdept"], batch=batch)
    assert profile["basis"] == "提名人选"
    assert (profile["total"].count, profile["total"].average_age) == (4, Decimal("32.8"))
    assert profile["regions"] == [{"region": "未分配", "count": 4, "share": Decimal("100.0")}]


def test_regional_share_of_a_batch(roster):
    city = roster
    actor = actor_for(city)
    batch = new_batch(city, "ningde-secondment")
    village = services.batch_add_slot(actor=actor, batch=batch, unit=city.village_a, post_title="驻村", capacity=2)
    town = services.batch_add_slot(actor=actor, batch=batch, unit=city.town_b, post_title="镇长助理")
    services.batch_evaluate_candidates(actor=actor, batch=batch)
    ns, sx, sl = nominate_and_vet(city, batch, city.cadres["ns"], city.cadres["sx"], city.cadres["sl"])
    services.assignment_set(actor=actor, candidate=ns, slot=village)
    services.assignment_set(actor=actor, candidate=sx, slot=village)
    services.assignment_set(actor=actor, candidate=sl, slot=town)
    profile = batch_profile(user=city.users["orgdept"], batch=batch)
    assert profile["basis"] == "已确定人选"
    assert profile["regions"] == [
        {"region": "东湖区", "count": 2, "share": Decimal("66.7")},
        {"region": "西山县", "count": 1, "share": Decimal("33.3")},
    ]
    # A district officer sees the figures of their own cadres only.
    mine = batch_profile(user=city.users["orgdept_a"], batch=batch)
    assert mine["total"].count == 1  # 孙六线 of 东湖区


def test_coverage_of_the_practice_programme(roster):
    city = roster
    actor = actor_for(city)
    batch = new_batch(city, "sixiaji-practice")
    slot = services.batch_add_slot(actor=actor, batch=batch, unit=city.village_a, post_title="实践", capacity=5)
    services.batch_evaluate_candidates(actor=actor, batch=batch)
    eligible = batch.candidates.count()
    (person,) = nominate_and_vet(city, batch, city.cadres["sx"])
    services.assignment_set(actor=actor, candidate=person, slot=slot)
    services.batch_approve(actor=actor, batch=batch)
    (placement,) = services.placements_create(actor=actor, batch=batch, start=START)
    assert placement.planned_end == START + dt.timedelta(days=15)
    coverage = batch_profile(user=city.users["orgdept"], batch=batch)["coverage"]
    assert (coverage["covered"], coverage["eligible"], coverage["target"]) == (1, eligible, 100)
    assert Placement.objects.filter(batch=batch).count() == 1


def test_quotas_can_change_until_approval_and_versions_never_change(roster):
    city = roster
    actor = actor_for(city)
    batch = new_batch(city, "two-way")
    assert batch.quotas == {"total": None, "regions": {}}
    services.batch_update(actor=actor, batch=batch, data={"quotas": {"total": 15, "regions": {"西山县": 7}}})
    batch.refresh_from_db()
    assert batch.quotas == {"total": 15, "regions": {"西山县": 7}}
    with pytest.raises(ValidationError, match="地区名额应为"):
        services.batch_update(actor=actor, batch=batch, data={"quotas": {"regions": {"西山县": -1}}})
    with pytest.raises(ValidationError, match="资格计算日期和规则版本"):
        services.batch_update(actor=actor, batch=batch, data={"as_of": dt.date(2024, 1, 1)})
    version = batch.version
    version.spec = {}
    with pytest.raises(PermissionError):
        version.save()
