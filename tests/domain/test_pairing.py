"""Automatic mentor pairing on a hand-built town, village and municipal organ: coverage, capacity, strategy, reasons."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace

import pytest

from miaopu.domain.pairing import (
    PairingInput,
    Person,
    Policy,
    Relative,
    UnitInfo,
    business_strategy,
    is_party_secretary,
    options_for,
    pair,
    parse_annual_reviews,
    solve_assignment,
    solve_with_ortools,
    title_grade,
)

AS_OF = dt.date(2025, 3, 1)
D = dt.date
ROOT, DISTRICT, TOWN, VILLAGE, ORGAN = 1, 2, 10, 20, 30
UNITS = {
    ROOT: UnitInfo(ROOT, "示范市", "city"),
    DISTRICT: UnitInfo(DISTRICT, "东湖区", "county", ROOT, DISTRICT),
    TOWN: UnitInfo(TOWN, "东湖区青石镇", "town", DISTRICT, DISTRICT),
    VILLAGE: UnitInfo(VILLAGE, "青石镇红旗村", "village", TOWN, DISTRICT),
    ORGAN: UnitInfo(ORGAN, "示范市农业农村局", "city", ROOT, None),
}
_ids = iter(range(100, 10_000))


def cadre(name: str, unit: int, **extra) -> Person:
    pk = next(_ids)
    fields = {"political_status": "cpc", "post_category": "general", "leadership_level": "staff"}
    fields.update(extra)
    return Person(key=f"c{pk}", name=name, unit_id=unit, cadre_id=pk, **fields)


def recruit(name: str, unit: int = TOWN, **extra) -> Person:
    extra.setdefault("post_title", "党政综合办公室科员")
    extra.setdefault("work_start", D(2023, 8, 1))
    return cadre(name, unit, **extra)


@pytest.fixture
def town():
    """青石镇: two heads, two deputies (one not a party member), a veteran clerk, a younger clerk."""
    lead = {"post_category": "leadership", "post_title": "副镇长", "leadership_level": "deputy_section"}
    heads = {"post_category": "leadership", "leadership_level": "section"}
    return {
        "secretary": cadre("陈书记", TOWN, post_title="党委书记", work_start=D(2000, 8, 1), **heads),
        "mayor": cadre("林镇长", TOWN, post_title="镇长", work_start=D(2002, 8, 1), **heads),
        "deputy": cadre("黄副镇长", TOWN, work_start=D(2008, 8, 1), **lead),
        "deputy_np": cadre("吴副镇长", TOWN, work_start=D(2009, 8, 1), political_status="masses", **lead),
        "veteran": cadre("郑老科员", TOWN, post_title="党政综合办公室主任", work_start=D(2005, 8, 1)),
        "junior": cadre("许科员", TOWN, post_title="党政综合办公室科员", work_start=D(2018, 8, 1)),
    }


def run(mentees, pool, roles=("political", "business"), **policy) -> tuple:
    data = PairingInput(
        mentees=tuple(mentees), pool=tuple(pool), units=UNITS, roles=tuple(roles), as_of=AS_OF, policy=Policy(**policy)
    )
    result = pair(data)
    by = {(p.mentee, p.role): p for p in result.proposals}
    return result, by


def test_every_recruit_gets_both_roles_within_capacity(town):
    # 9 recruits, and exactly 9 political seats (陈书记, 林镇长, 黄副镇长 × 3; 吴副镇长 is not a party member).
    recruits = [recruit(f"新人{i}", post_title="党政综合办公室科员") for i in range(9)]
    result, by = run(recruits, town.values())
    for person in recruits:
        for role in ("political", "business"):
            assert by[(person.key, role)].mentor is not None, by[(person.key, role)].reasons
    for role in ("political", "business"):
        load = Counter(p.mentor for p in result.proposals if p.role == role)
        assert max(load.values()) <= 3
    political = Counter(p.mentor for p in result.proposals if p.role == "political")
    assert set(political) == {town["secretary"].key, town["mayor"].key, town["deputy"].key}
    assert town["deputy_np"].key not in political
    # The political and the business mentor of one cadre are two different people.
    for person in recruits:
        assert by[(person.key, "political")].mentor != by[(person.key, "business")].mentor
    summary = {s.role: s for s in result.summaries}
    assert summary["political"].proposed == 9 and summary["political"].unmatched == 0


def test_a_tenth_recruit_is_left_without_a_political_mentor_and_told_why(town):
    recruits = [recruit(f"新人{i}") for i in range(10)]
    result, by = run(recruits, town.values(), roles=("political",))
    missing = [p for p in result.proposals if p.mentor is None]
    assert len(missing) == 1
    assert "名额均已用满" in missing[0].reasons[0] and "最多带 3 名" in missing[0].reasons[0]


def test_political_mentor_reasons_name_the_head_and_party_membership(town):
    one = recruit("王新人")
    _result, by = run([one], town.values(), roles=("political",))
    proposal = by[(one.key, "political")]
    assert proposal.mentor == town["secretary"].key  # the unit head scores above a team member (Quangang)
    assert proposal.strategy == "team"
    assert proposal.reasons[0] == "政治导师：东湖区青石镇党组织主要负责人（党委书记，正科）"
    assert "中共党员" in proposal.reasons


def test_political_head_only_policy_excludes_deputies(town):
    recruits = [recruit(f"新人{i}") for i in range(7)]
    result, _by = run(recruits, town.values(), roles=("political",), political="head")
    chosen = {p.mentor for p in result.proposals if p.mentor}
    assert chosen == {town["secretary"].key, town["mayor"].key}
    assert sum(1 for p in result.proposals if p.mentor is None) == 1


def test_grassroots_business_mentor_is_a_colleague_ten_years_senior(town):
    one = recruit("王新人")
    _result, by = run([one], [town["veteran"], town["junior"]], roles=("business",))
    proposal = by[(one.key, "business")]
    assert proposal.mentor == town["veteran"].key
    assert proposal.strategy == "veteran"
    assert proposal.reasons[0] == "基层岗位（镇街），按“以老带新”配备业务导师"
    assert "工作年限多 18 年（至少 10 年）" in proposal.reasons[1]
    assert "同为综合管理岗位" in proposal.reasons


def test_a_colleague_less_than_ten_years_senior_is_not_a_veteran(town):
    one = recruit("王新人")
    _result, by = run([one], [town["junior"]], roles=("business",), parent_fallback=False)
    proposal = by[(one.key, "business")]
    assert proposal.mentor is None
    assert "没有工作年限比帮带对象多 10 年以上的干部" in proposal.reasons[0]
    _result, by = run([one], [town["junior"]], roles=("business",), service_gap_years=4)
    assert by[(one.key, "business")].mentor == town["junior"].key


def test_technical_post_gets_an_expert_with_the_same_specialty_and_a_higher_title(town):
    tech = recruit("农技新人", post_category="technical", post_title="农技员", specialties=("农业技术",))
    expert = cadre(
        "何农艺师", ORGAN, post_category="technical", post_title="种植业管理科科长", leadership_level="section",
        specialties=("农业技术", "乡村振兴"), professional_title="高级农艺师",
    )  # fmt: skip
    other = cadre("苏工程师", ORGAN, post_category="technical", specialties=("建筑工程",), professional_title="工程师")
    _result, by = run([tech], [*town.values(), expert, other], roles=("business",))
    proposal = by[(tech.key, "business")]
    assert proposal.mentor == expert.key
    assert proposal.strategy == "expert"
    assert proposal.reasons[0] == "专业技术岗位，按“以精带疏”配备业务导师"
    assert "专业特长相同（农业技术）" in proposal.reasons
    assert "职称更高（高级农艺师，副高级职称）" in proposal.reasons


def test_organ_business_post_goes_to_a_better_assessed_colleague():
    mentee = recruit("机关新人", ORGAN, post_title="综合科科员")
    strong = cadre(
        "优秀科长", ORGAN, post_title="综合科科长", leadership_level="section",
        assessments=((2022, "优秀"), (2023, "优秀"), (2024, "称职")),
    )  # fmt: skip
    plain = cadre("普通副科长", ORGAN, post_title="综合科副科长", leadership_level="deputy_section")
    technical = cadre("技术科长", ORGAN, post_category="technical", leadership_level="section")
    _result, by = run([mentee], [strong, plain, technical], roles=("business",))
    proposal = by[(mentee.key, "business")]
    assert proposal.mentor == strong.key
    assert proposal.reasons[0] == "机关业务岗位（综合管理），按“以强带弱”配备业务导师"
    assert "近 3 年年度考核 优秀 2 次、称职 1 次，帮带对象尚无考核记录" in proposal.reasons
    assert {o.mentor for o in proposal.options} == {strong.key, plain.key}  # never the technical post


def test_without_any_assessment_the_higher_level_is_used_and_said():
    mentee = recruit("机关新人", ORGAN, post_title="综合科科员")
    chief = cadre("科长", ORGAN, post_title="综合科科长", leadership_level="section")
    peer = cadre("同级科员", ORGAN, post_title="综合科科员", leadership_level="staff")
    _result, by = run([mentee], [chief, peer], roles=("business",))
    proposal = by[(mentee.key, "business")]
    assert proposal.mentor == chief.key
    assert any(r.startswith("暂无年度考核记录，改按职务层次较高者（正科") for r in proposal.reasons)


def test_village_recruit_mass_work_mentor_is_the_village_secretary_and_political_falls_back_to_the_town(town):
    assistant = recruit("村助理", VILLAGE, post_title="村党支部书记助理")
    secretary = Person(key="m7", name="张支书", unit_id=VILLAGE, mentor_id=7, post_title="村党支部书记", external=True)
    result, by = run([assistant], [*town.values(), secretary], roles=("political", "mass_work"))
    mass = by[(assistant.key, "mass_work")]
    assert mass.mentor == "m7" and mass.strategy == "secretary"
    assert mass.reasons[0] == "群众工作导师：所在村（社区）青石镇红旗村党组织书记（村党支部书记，系统外导师）"
    political = by[(assistant.key, "political")]
    assert political.mentor == town["secretary"].key
    assert "青石镇红旗村没有合适人选或名额已满，改由上级单位东湖区青石镇的班子成员担任" in political.reasons


def test_stationed_cadre_gets_the_secretary_of_the_village_of_the_placement(town):
    stationed = recruit("驻村干部", TOWN, stations=(VILLAGE,))
    secretary = Person(key="m8", name="李支书", unit_id=VILLAGE, mentor_id=8, post_title="村党支部书记", external=True)
    deputy = Person(key="m9", name="赵副书记", unit_id=VILLAGE, mentor_id=9, post_title="村党支部副书记", external=True)
    _result, by = run([stationed], [secretary, deputy], roles=("mass_work",))
    assert by[(stationed.key, "mass_work")].mentor == "m8"
    assert "驻村所在村（社区）" in by[(stationed.key, "mass_work")].reasons[0]
    nowhere = recruit("机关干部", ORGAN)
    _result, by = run([nowhere], [secretary], roles=("mass_work",))
    assert by[(nowhere.key, "mass_work")].mentor is None
    assert by[(nowhere.key, "mass_work")].reasons == ("未在村（社区）任职或驻村，无法按规则确定所驻村的党组织书记",)


def test_optimal_not_greedy(town):
    """陈书记 may mentor both; 黄副镇长 only the first (the second is already 副科). Greedy would strand the second."""
    first = recruit("甲", leadership_level="staff")
    second = recruit("乙", leadership_level="deputy_section")
    pool = [town["secretary"], town["deputy"]]
    _result, by = run([first, second], pool, roles=("political",), capacity=1)
    assert by[(first.key, "political")].mentor == town["deputy"].key
    assert by[(second.key, "political")].mentor == town["secretary"].key
    assert any("名额已满或已由全局最优方案安排给他人" in r for r in by[(first.key, "political")].reasons)


def test_no_self_mentoring_and_the_cohort_does_not_mentor_itself(town):
    deputy_in_cohort = town["deputy"]
    others = [p for k, p in town.items() if k != "deputy"]
    recruits = [recruit("新人")]
    result, by = run([deputy_in_cohort, *recruits], others, roles=("political",))
    assert all(p.mentor != deputy_in_cohort.key for p in result.proposals)
    assert by[(deputy_in_cohort.key, "political")].mentor in {town["secretary"].key, town["mayor"].key}


def test_relatives_are_avoided_and_the_check_is_reported(town):
    son = recruit("陈小明", relatives=(Relative("陈书记", "东湖区青石镇党委书记"),))
    _result, by = run([son], town.values(), roles=("political",))
    proposal = by[(son.key, "political")]
    assert proposal.mentor == town["mayor"].key
    assert town["secretary"].key not in {o.mentor for o in proposal.options}
    assert "已做亲属回避检查" in proposal.reasons
    # Only the secretary could mentor him: nobody, and the reason names the avoidance.
    _result, by = run([son], [town["secretary"]], roles=("political",), parent_fallback=False)
    assert by[(son.key, "political")].mentor is None
    assert "已回避：陈书记是陈小明登记的家庭成员或社会关系，须回避" in by[(son.key, "political")].reasons[0]


def test_without_family_data_the_check_is_skipped_and_said(town):
    result, by = run([recruit("新人")], town.values(), roles=("political",))
    assert result.notes == ("系统中没有任何家庭成员登记，未做亲属回避检查",)
    assert "系统中没有家庭成员登记，未做亲属回避检查" in next(iter(by.values())).reasons


def test_existing_mentorships_count_against_capacity_and_are_not_proposed_again(town):
    one, two = recruit("甲"), recruit("乙")
    data = PairingInput(
        mentees=(one, two),
        pool=(town["secretary"],),
        units=UNITS,
        roles=("political",),
        as_of=AS_OF,
        existing={(one.key, "political"): town["mayor"].key},
        load={(town["secretary"].key, "political"): 3},
    )
    result = pair(data)
    assert [p.mentee for p in result.proposals] == [two.key]
    assert result.proposals[0].mentor is None
    assert result.summaries[0].already == 1


def test_roles_without_rules_ask_for_manual_pairing():
    mentee = recruit("新人")
    options, why = options_for(
        PairingInput(mentees=(mentee,), pool=(), units=UNITS, roles=("x",), as_of=AS_OF), mentee, "x"
    )
    assert options == [] and "没有自动配对规则" in why


def test_fallback_solver_agrees_with_the_engine():
    scores = {("c1", "m1"): 95, ("c1", "m2"): 85, ("c2", "m1"): 95, ("c3", "m2"): 80, ("c3", "m1"): 60}
    capacity = {"m1": 1, "m2": 1}
    engine, solver = solve_assignment(["c1", "c2", "c3"], capacity, scores)
    fallback = solve_with_ortools(["c1", "c2", "c3"], capacity, scores)
    assert engine == fallback == {"c1": "m2", "c2": "m1"}
    assert solver in ("linear_sum_assignment", "min_cost_flow", "cp_sat")


@pytest.mark.parametrize(
    ("text", "grade"),
    [("高级农艺师", 3), ("副教授", 3), ("教授", 4), ("正高级工程师", 4), ("工程师", 2), ("助理工程师", 1), ("", 0)],
)
def test_title_grades(text, grade):
    assert title_grade(text) == grade


def test_helpers():
    assert parse_annual_reviews("2022年度考核优秀；2023年度基本称职，2024年称职") == (
        (2022, "优秀"),
        (2023, "基本称职"),
        (2024, "称职"),
    )
    assert is_party_secretary("村党支部书记") and is_party_secretary("社区党委书记")
    assert not is_party_secretary("村党支部书记助理") and not is_party_secretary("村党支部副书记")
    tech = recruit("x", post_category="technical")
    assert business_strategy(tech, UNITS[TOWN])[0] == "expert"
    assert business_strategy(replace(tech, post_category="general"), UNITS[TOWN])[0] == "veteran"
    assert business_strategy(replace(tech, post_category="general"), UNITS[ORGAN])[0] == "strong"
    assert business_strategy(tech, UNITS[TOWN], Policy(business="strong"))[0] == "strong"


def test_technical_post_in_a_town_without_an_expert_falls_back_to_a_veteran(town):
    tech = recruit("农技新人", post_category="technical", post_title="农技员")
    young_tech = cadre("年轻农技员", TOWN, post_category="technical", post_title="农技员", work_start=D(2021, 8, 1))
    _result, by = run([tech], [young_tech, town["veteran"]], roles=("business",))
    proposal = by[(tech.key, "business")]
    assert proposal.mentor == town["veteran"].key and proposal.strategy == "veteran"
    assert proposal.reasons[0] == "专业技术岗位没有合适的“以精带疏”人选；岗位在基层（镇街），改按“以老带新”配备业务导师"


def test_technical_post_in_a_town_whose_experts_are_full_falls_back_to_a_veteran(town):
    # 坑口镇 in the demo city: one senior 农技员 (the only 以精带疏 option) and four technical recruits.
    senior = cadre("老农技员", TOWN, post_category="technical", post_title="农技员", work_start=D(2000, 8, 1))
    techs = [recruit(f"农技新人{i}", post_category="technical", post_title="农技员") for i in range(4)]
    result, by = run(techs, [senior, town["veteran"]], roles=("business",))
    chosen = Counter(by[(t.key, "business")].mentor for t in techs)
    assert chosen == {senior.key: 3, town["veteran"].key: 1}  # the expert's 3 places first, then the veteran
    fallback = next(by[(t.key, "business")] for t in techs if by[(t.key, "business")].mentor == town["veteran"].key)
    assert fallback.strategy == "veteran"
    assert fallback.reasons[0] == (
        "专业技术岗位符合“以精带疏”的 1 名人选名额已满或已由全局最优方案安排给他人；"
        "岗位在基层（镇街），改按“以老带新”配备业务导师"
    )
    expert = next(by[(t.key, "business")] for t in techs if by[(t.key, "business")].mentor == senior.key)
    assert expert.strategy == "expert" and fallback.score < expert.score
    assert result.summaries[0].unmatched == 0
    # In a municipal organ (not grassroots) there is no such fallback: the fourth recruit is told why.
    organ_techs = [replace(t, unit_id=ORGAN) for t in techs]
    _result, by = run(organ_techs, [replace(senior, unit_id=ORGAN), replace(town["veteran"], unit_id=ORGAN)],
                      roles=("business",), parent_fallback=False)  # fmt: skip
    assert sorted(by[(t.key, "business")].mentor is None for t in organ_techs) == [False, False, False, True]


def test_the_unit_above_is_used_only_when_the_own_unit_is_full(town):
    county_head = cadre(
        "区委书记", DISTRICT, post_category="leadership", post_title="区委书记", leadership_level="division"
    )
    first, second = recruit("甲"), recruit("乙")
    result, by = run([first, second], [town["secretary"], county_head], roles=("political",), capacity=1)
    chosen = {by[(m.key, "political")].mentor for m in (first, second)}
    assert chosen == {town["secretary"].key, county_head.key}
    fallback = next(p for p in result.proposals if p.mentor == county_head.key)
    assert "东湖区青石镇没有合适人选或名额已满，改由上级单位东湖区的班子成员担任" in fallback.reasons
    assert fallback.score < next(p for p in result.proposals if p.mentor == town["secretary"].key).score
