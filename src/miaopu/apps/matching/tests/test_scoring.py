"""Scores from facts and the avoidance rules, on the hand-built city (see conftest) and as pure functions."""

from __future__ import annotations

import pytest

from miaopu.apps.matching.problem import Options, build
from miaopu.apps.matching.scoring import (
    CadreFacts,
    District,
    SlotFacts,
    clean_weights,
    default_weights,
    evaluate_pair,
    home_counties,
    parse_grades,
)

pytestmark = pytest.mark.django_db


def built_for(setup, **weights):
    user = setup.city.users["orgdept"]
    return build(user=user, batch=setup.batch, weights=clean_weights(weights, "secondment"), options=Options())


def test_avoidance_rules_remove_pairs_with_their_reason(six_lines):
    s = six_lines
    built = built_for(s)
    fang, xu, xie = s.key("方规划"), s.key("许亲属"), s.key("谢本镇")

    def removed(who, slot):
        verdict = built.scores[(who, s.slot(slot))]
        return "；".join(verdict.removed)

    # Native of 东湖: no township head post in 东湖区, but other 东湖区 posts are fine.
    assert "乡镇党政正职不得在籍贯所在县任职" in removed(fang, "head") and "东湖区" in removed(fang, "head")
    assert not removed(fang, "assistant")
    # A relative works at 青石镇 (the town's name without its district): neither post there.
    assert "亲属（父亲）" in removed(xu, "head") and "青石镇人民政府副镇长" in removed(xu, "assistant")
    assert not removed(xu, "village") and not removed(xu, "far")
    # Nobody goes back to their own unit or below it.
    assert "不能派回本单位" in removed(fang, "organ") and "不能派回本单位" in removed(xu, "organ")
    assert "本人所在单位" in removed(xie, "assistant") and "下级单位" in removed(xie, "village")
    assert not removed(xie, "far") and not removed(xie, "organ")
    # Removed pairs are not in the problem at all; the reasons are kept for the plan page.
    allowed = {(x.candidate, x.slot) for x in built.problem.scores}
    assert (fang, s.slot("head")) not in allowed and (fang, s.slot("assistant")) in allowed
    assert {slot for slot, _why in built.removed[xie]} == {s.slot("head"), s.slot("assistant"), s.slot("village")}


def test_score_parts_come_from_the_facts(six_lines):
    s = six_lines
    built = built_for(s)
    fang = s.key("方规划")
    near = built.scores[(fang, s.slot("assistant"))]
    # base 60 + specialty 30 (规划 asked for) + assessment 20 × (1 + 1 + 0.6) / 3 + home county −10 (东湖区).
    assert near.parts == {"base": 60, "specialty": 30, "assessment": 17.33, "ranking": 0, "wishes": 0,
                          "home_county": -10}  # fmt: skip
    assert near.score == 97.33
    text = "\n".join(near.reasons)
    assert "专业特长“规划”与岗位需要相符：+30" in text
    assert "2022 年优秀、2023 年优秀、2024 年称职" in text
    assert "接收单位在籍贯所在的东湖区" in text and "-10" in text
    assert "培训班排名：暂无数据" in text
    far = built.scores[(fang, s.slot("far"))]
    assert far.parts["specialty"] == 0 and far.parts["home_county"] == 0 and far.score == 77.33
    # Without grades: 0 and the words say so.
    xie_far = built.scores[(s.key("谢本镇"), s.slot("far"))]
    assert xie_far.parts["assessment"] == 0 and "暂无考核数据：0" in xie_far.reasons
    # Weights are per plan: a positive home weight turns the penalty into a bonus.
    near_home = built_for(s, home_county=15).scores[(fang, s.slot("assistant"))]
    assert near_home.parts["home_county"] == 15 and "倾向就近安排" in "".join(near_home.reasons)


def test_weights_are_checked_and_defaults_depend_on_the_programme():
    assert default_weights("posting")["home_county"] < 0 < default_weights("practice")["home_county"]
    with pytest.raises(ValueError, match="未知的评分项"):
        clean_weights({"charm": 3}, "posting")
    with pytest.raises(ValueError, match="专业相符"):
        clean_weights({"specialty": 5000}, "posting")


def test_native_county_from_the_native_place_or_the_id_area_code():
    districts = [District(1, "南岭县", "南岭"), District(2, "北川县", "北川"), District(3, "东湖区", "东湖")]
    assert set(home_counties("福建南岭", "350102", districts, {})) == {1}
    assert set(home_counties("北川县", "", districts, {})) == {2}
    assert home_counties("福建福州", "350102", districts, {}) == {}
    assert home_counties("福建福州", "359903", districts, {"359903": "东湖区"}) == {3: "身份证号码的地区码"}


def test_grades_are_read_from_the_form_text():
    assert parse_grades("2021年度称职；2022年度基本称职，2023 年度考核优秀") == (
        (2021, "称职"), (2022, "基本称职"), (2023, "优秀"))  # fmt: skip
    assert parse_grades("") == ()


def test_a_deputy_title_is_not_a_township_head():
    head = SlotFacts(key="s1", unit_name="青石镇", unit_path="1/", title="镇长", district_id=7, district_name="南岭县",
                     township_head=True)  # fmt: skip
    native = CadreFacts(key="c1", name="甲", unit_name="局", unit_path="2/", home={7: "籍贯“福建南岭”"})
    weights = default_weights("rotation")
    assert evaluate_pair(native, head, weights, 2025).removed
    from miaopu.apps.matching.scoring import is_head_title

    assert is_head_title("党委书记") and is_head_title("镇长")
    assert not is_head_title("副镇长") and not is_head_title("镇长助理")


def test_recorded_assessments_come_before_the_form_text(six_lines, monkeypatch):
    """Grades entered in the assessments app (考核) win over the 任免审批表 text; codes become labels."""
    from miaopu.apps.assessments import selectors as assessment_selectors

    s = six_lines
    fang = s.people["方规划"].cadre_id
    calls = []

    def recent_grades(cadre_ids, years=3, as_of=None):
        calls.append((sorted(cadre_ids), years, as_of))
        return {fang: {2023: "basic", 2024: "competent", 2021: "ungraded"}}

    monkeypatch.setattr(assessment_selectors, "recent_grades", recent_grades)
    verdict = built_for(s).scores[(s.key("方规划"), s.slot("far"))]
    # (0.2 + 0.6) / 2 × 20 = 8; 不定等次 counts for nothing.
    assert verdict.parts["assessment"] == 8
    assert "近年年度考核（考核记录）：2023 年基本称职、2024 年称职" in "".join(verdict.reasons)
    assert calls == [(sorted(p.cadre_id for p in s.people.values()), 3, s.batch.as_of)]
    # Without records the form text still counts, and says where it came from.
    monkeypatch.setattr(assessment_selectors, "recent_grades", lambda *a, **k: {})
    text = "".join(built_for(s).scores[(s.key("方规划"), s.slot("far"))].reasons)
    assert "近年年度考核（任免审批表）" in text
