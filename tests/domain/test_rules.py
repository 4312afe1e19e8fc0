"""The eligibility engine: the eight seed templates on a hand-built roster, reason texts, errors, properties.

The templates' rules are written here as data (the shipped fixtures are another step's job); the expected
results below are worked out by hand from the issue's table, not copied from the engine's output.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from miaopu.domain.experience import CadreFactsInput, Stint
from miaopu.domain.profile import FACTS, CadreProfile, facts_as_of
from miaopu.domain.rules import (
    OPERATORS,
    AllOf,
    Condition,
    HasExperience,
    Not,
    Reason,
    Rule,
    RuleError,
    classify,
    describe,
    evaluate,
    parse_rule,
    to_data,
)
from miaopu.domain.vocab import (
    CadreStatus,
    Education,
    ExperienceKind,
    LeadershipLevel,
    PostCategory,
    Rank,
    Source,
    UnitKind,
    UnitLevel,
)

AS_OF = date(2025, 3, 1)
YOUNG_SOURCES = ["选调生", "引进生"]

# ---------------------------------------------------------------- the eight templates, as data

TEMPLATES: dict[str, tuple[dict | None, list[tuple[str, dict]]]] = {
    "dunmiao": (
        {"all": [{"fact": "unit_level", "eq": "市"}, {"fact": "leadership_level", "in": ["副科", "正科"]},
                 {"fact": "age", "lte": 35}]},
        [],
    ),
    "xinmiao": (
        {"all": [{"fact": "civil_service_months", "lt": 36}, {"fact": "status", "eq": "在职"}]},
        [
            ("育苗", {"fact": "civil_service_months", "lt": 12}),
            ("扶苗", {"fact": "civil_service_months", "between": [12, 23]}),
            ("壮苗", {"fact": "civil_service_months", "between": [24, 35]}),
        ],
    ),
    "sixiaji-practice": ({"all": [{"fact": "age", "lte": 35}, {"fact": "rural_months", "eq": 0}]}, []),
    "ningde-secondment": (
        {"all": [
            {"fact": "unit_level", "in": ["市", "区县"]},
            {"fact": "age", "lte": 35},
            {"any": [{"fact": "source", "in": YOUNG_SOURCES}, {"fact": "rural_months", "lt": 24}]},
        ]},
        [],
    ),
    "ningde-rotation": (
        None,
        [
            ("市直正科以上", {"all": [{"fact": "unit_level", "eq": "市"}, {"fact": "leadership_level", "gte": "正科"},
                                   {"fact": "age", "lte": 40}]}),
            ("曾任乡镇党政正职", {"has_experience": {
                "unit_level": ["镇街"],
                "post_title_contains": ["党委书记", "镇长", "乡长", "党工委书记", "办事处主任"],
                "post_title_excludes": ["副"],  # "副镇长" contains "镇长"
            }}),
        ],
    ),
    "six-lines": ({"fact": "source", "in": YOUNG_SOURCES}, []),
    "youth-camp": (
        {"all": [{"fact": "source", "in": YOUNG_SOURCES}, {"fact": "status", "eq": "在职"}]},
        [
            ("一年级", {"fact": "civil_service_years", "lt": 1}),
            ("二年级", {"fact": "civil_service_years", "eq": 1}),
            ("三年级", {"fact": "civil_service_years", "gte": 2}),
        ],
    ),
    "two-way": (
        {"fact": "age", "lte": 40},
        [
            ("市直", {"all": [{"fact": "unit_level", "eq": "市"}, {"fact": "unit_kind", "eq": "党政机关"},
                            {"fact": "grassroots_months", "lt": 24}]}),
            ("基层", {"fact": "unit_level", "in": ["区县", "镇街", "村社区"]}),
        ],
    ),
}  # fmt: skip

PARSED = {
    code: (
        None if base is None else parse_rule(base),
        [(name, parse_rule(rule, where=f"分组“{name}”")) for name, rule in groups],
    )
    for code, (base, groups) in TEMPLATES.items()
}

# ---------------------------------------------------------------- the roster (as of 2025-03-01)

UNIT_NAMES = ((3, "东湖区"), (7, "东湖区青石镇"), (8, "东湖区白沙镇"), (9, "青石镇石岭村"), (1, "市发展改革委"))


def d(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def stint(start: str, end: str | None, level: str, title: str = "", unit: int | None = None, kind: str = "posting"):
    return Stint(d(start), d(end), level, kind=kind, unit_id=unit, post_title=title)  # type: ignore[arg-type]


def cadre(code: str, born: str, *, entry: str | None, stints: tuple[Stint, ...] = (), **fields) -> CadreProfile:
    birth = date.fromisoformat(born)
    return CadreProfile(
        code=code,
        name=code,
        birth_date=birth,
        facts_input=CadreFactsInput(birth_date=birth, civil_service_entry=d(entry), stints=stints),
        unit_kind=fields.pop("unit_kind", "party_gov"),
        source=fields.pop("source", "civil_exam"),
        unit_names=UNIT_NAMES,
        **fields,
    )


ROSTER = {
    p.code: p
    for p in [
        # 35 today (36th birthday tomorrow), municipal deputy section chief, never rural.
        cadre("A01", "1989-03-02", entry="2013-08-01", unit_level="city", leadership_level="deputy_section",
              stints=(stint("2013-08-01", None, "city", unit=1),)),
        # Turns 36 ON the as-of date; 24 months in a town long ago.
        cadre("A02", "1989-03-01", entry="2011-08-01", unit_level="city", leadership_level="section",
              stints=(stint("2012-01-01", "2014-01-01", "town", unit=7), stint("2014-01-01", None, "city", unit=1))),
        # Recruited 2024-03-02: 11 full months; 选调生 in a town.
        cadre("A03", "2000-05-05", entry="2024-03-02", unit_level="town", source="selected_graduate",
              leadership_level="staff", stints=(stint("2024-03-02", None, "town", unit=7),)),
        # Recruited exactly 12 months ago; 引进生 at district level.
        cadre("A04", "1998-01-01", entry="2024-03-01", unit_level="county", source="recruited_talent",
              leadership_level="staff", stints=(stint("2024-03-01", None, "county", unit=3),)),
        # 35 months in; municipal institution; a year seconded to a village; leadership level not filled in.
        cadre("A05", "1997-07-07", entry="2022-03-02", unit_level="city", unit_kind="institution",
              source="selected_graduate",
              stints=(stint("2022-03-02", None, "city"),
                      stint("2022-09-01", "2023-09-01", "village", "第一书记", 9, kind="secondment"))),
        # Exactly 36 months in: out of 新苗, third grade of the youth camp.
        cadre("A06", "1996-02-10", entry="2022-03-01", unit_level="county", source="selected_graduate"),
        # Former town party secretary (and deputy mayor before that), now 副处 at district level, 44.
        cadre("A07", "1980-05-01", entry="2003-08-01", unit_level="county", leadership_level="deputy_division",
              stints=(stint("2010-01-01", "2015-03-01", "town", "副镇长", 8),
                      stint("2015-03-01", "2018-06-01", "town", "党委书记", 7),
                      stint("2018-06-01", None, "county", "副区长", 3))),
        # Only ever a DEPUTY town head ("副镇长" contains "镇长"); municipal 副科, 37.
        cadre("A08", "1987-09-09", entry="2009-08-01", unit_level="city", leadership_level="deputy_section",
              gender="female",
              stints=(stint("2012-01-01", "2016-01-01", "town", "副镇长", 8), stint("2016-01-01", None, "city"))),
        # Overlapping town posting and village secondment: 17 rural months counted once (24 if summed).
        cadre("A09", "1995-04-04", entry="2018-08-01", unit_level="city", leadership_level="staff",
              stints=(stint("2018-08-01", None, "city", unit=1),
                      stint("2023-01-01", "2024-01-01", "town", unit=7),
                      stint("2023-06-01", "2024-06-01", "village", unit=9, kind="secondment"))),
        # District cadre on an open town secondment since 2023-03-02: 23 months on the as-of date.
        cadre("A10", "1993-10-10", entry="2016-08-01", unit_level="county",
              stints=(stint("2016-08-01", None, "county", unit=3),
                      stint("2023-03-02", None, "town", unit=7, kind="secondment"))),
        # 选调生 who has transferred out.
        cadre("A11", "1996-01-01", entry="2023-01-01", unit_level="town", source="selected_graduate",
              status="transferred"),
        # 引进生 whose civil-service entry date is missing.
        cadre("A12", "1999-09-09", entry=None, unit_level="city", source="recruited_talent", leadership_level="staff"),
        # Born 29 Feb 1984: 40 on 2025-02-28, 41 on 2025-03-01.
        cadre("A13", "1984-02-29", entry="2006-08-01", unit_level="town", leadership_level="deputy_section"),
        # Municipal 副处 (above 正科) who was also a town head: both rotation groups fit, the first one wins.
        cadre("A14", "1986-06-01", entry="2008-08-01", unit_level="city", leadership_level="deputy_division",
              stints=(stint("2014-01-01", "2017-01-01", "town", "青石镇镇长", 7), stint("2017-01-01", None, "city"))),
    ]
}  # fmt: skip

# One line per cadre: ✗ = not eligible, ✓ = eligible (no groups), a group name = eligible in that group.
EXPECTED = """
code dunmiao xinmiao sixiaji-practice ningde-secondment ningde-rotation six-lines youth-camp two-way
A01  ✓       ✗       ✓                ✓                 ✗               ✗         ✗          市直
A02  ✗       ✗       ✗                ✗                 市直正科以上      ✗         ✗          ✗
A03  ✗       育苗     ✗                ✗                 ✗               ✓         一年级      基层
A04  ✗       扶苗     ✓                ✓                 ✗               ✓         二年级      基层
A05  ✗       壮苗     ✗                ✓                 ✗               ✓         三年级      ✗
A06  ✗       ✗       ✓                ✓                 ✗               ✓         三年级      基层
A07  ✗       ✗       ✗                ✗                 曾任乡镇党政正职   ✗         ✗          ✗
A08  ✗       ✗       ✗                ✗                 ✗               ✗         ✗          ✗
A09  ✗       ✗       ✗                ✓                 ✗               ✗         ✗          市直
A10  ✗       ✗       ✗                ✓                 ✗               ✗         ✗          基层
A11  ✗       ✗       ✓                ✗                 ✗               ✓         ✗          基层
A12  ✗       ✗       ✓                ✓                 ✗               ✓         ✗          市直
A13  ✗       ✗       ✗                ✗                 ✗               ✗         ✗          ✗
A14  ✗       ✗       ✗                ✗                 市直正科以上      ✗         ✗          ✗
"""

# (template, cadre, a reason that must be among the results, verbatim or as a prefix).
KEY_REASONS = [
    ("dunmiao", "A01", "✓年龄 35 岁，不超过 35 岁"),
    ("dunmiao", "A02", "✗年龄 36 岁，超过 35 岁"),
    ("dunmiao", "A03", "✗单位层级 为 镇街，不是 市"),
    ("dunmiao", "A05", "✗职务层次 未填写"),
    ("dunmiao", "A09", "✗职务层次 为 科员，不属于 副科、正科"),
    ("xinmiao", "A03", "✓【育苗】公务员工作时间 11 个月，少于 12 个月"),
    ("xinmiao", "A04", "✓【扶苗】公务员工作时间 12 个月，在 12—23 个月 之间"),
    ("xinmiao", "A05", "✓【壮苗】公务员工作时间 35 个月，在 24—35 个月 之间"),
    ("xinmiao", "A06", "✗公务员工作时间 36 个月，不少于 36 个月"),
    ("xinmiao", "A11", "✗人员状态 为 调出，不是 在职"),
    ("xinmiao", "A12", "✗公务员工作时间 未填写"),
    ("sixiaji-practice", "A01", "✓乡村工作经历 0 个月，等于 0 个月"),
    ("sixiaji-practice", "A03", "✗乡村工作经历 11 个月，不等于 0 个月"),
    ("ningde-secondment", "A01", "✓乡村工作经历 0 个月，少于 24 个月"),
    ("ningde-secondment", "A02", "✗乡村工作经历 24 个月，不少于 24 个月"),
    ("ningde-secondment", "A03", "✗单位层级 为 镇街，不属于 市、区县"),
    ("ningde-secondment", "A05", "✓干部来源 为 选调生，符合 选调生、引进生 之一"),
    ("ningde-secondment", "A09", "✓乡村工作经历 17 个月，少于 24 个月"),
    ("ningde-secondment", "A10", "✓乡村工作经历 23 个月，少于 24 个月"),
    ("ningde-rotation", "A02", "✓【市直正科以上】职务层次 为 正科，不低于 正科"),
    ("ningde-rotation", "A07", "✓【曾任乡镇党政正职】有 镇街 单位“党委书记”任职经历（2015.03—2018.06 东湖区青石镇）"),
    ("ningde-rotation", "A08", "✗不符合任何分组：市直正科以上、曾任乡镇党政正职"),
    ("ningde-rotation", "A08", "✗【市直正科以上】职务层次 为 副科，低于 正科"),
    ("ningde-rotation", "A08",
     "✗【曾任乡镇党政正职】无 镇街 单位 党委书记/镇长/乡长/党工委书记/办事处主任（职务名称不含“副”）任职经历"),
    ("ningde-rotation", "A14", "✓【市直正科以上】职务层次 为 副处，不低于 正科"),
    ("six-lines", "A01", "✗干部来源 为 公务员招录，不属于 选调生、引进生"),
    ("youth-camp", "A03", "✓【一年级】公务员工作年限 0 年，少于 1 年"),
    ("youth-camp", "A04", "✓【二年级】公务员工作年限 1 年，等于 1 年"),
    ("youth-camp", "A06", "✓【三年级】公务员工作年限 3 年，不少于 2 年"),
    ("youth-camp", "A11", "✗人员状态 为 调出，不是 在职"),
    ("youth-camp", "A12", "✗【一年级】公务员工作年限 未填写"),
    ("two-way", "A01", "✓【市直】基层工作经历 0 个月，少于 24 个月"),
    ("two-way", "A03", "✓【基层】单位层级 为 镇街，符合 区县、镇街、村社区 之一"),
    ("two-way", "A05", "✗【市直】单位性质 为 事业单位，不是 党政机关"),
    ("two-way", "A07", "✗年龄 44 岁，超过 40 岁"),
    ("two-way", "A09", "✓【市直】基层工作经历 17 个月，少于 24 个月"),
    ("two-way", "A13", "✗年龄 41 岁，超过 40 岁"),
]  # fmt: skip


def run(template: str, profile: CadreProfile, as_of: date = AS_OF):
    base, groups = PARSED[template]
    return classify(base, groups, facts_as_of(profile, as_of))


def marked(reasons: tuple[Reason, ...]) -> list[str]:
    return [("✓" if r.ok else "✗") + r.text for r in reasons]


def expected_rows() -> list[tuple[str, str, str]]:
    header, *lines = EXPECTED.strip().splitlines()
    templates = header.split()[1:]
    return [
        (template, line.split()[0], cell)
        for line in lines
        for template, cell in zip(templates, line.split()[1:], strict=True)
    ]


def test_expected_table_covers_every_cadre_and_template() -> None:
    rows = expected_rows()
    assert {(t, c) for t, c, _ in rows} == {(t, c) for t in TEMPLATES for c in ROSTER}


@pytest.mark.parametrize(("template", "code", "cell"), expected_rows())
def test_template_results_match_the_table(template: str, code: str, cell: str) -> None:
    result = run(template, ROSTER[code])
    assert (result.eligible, result.group) == (cell != "✗", None if cell in "✓✗" else cell), marked(result.reasons)
    # Eligible results carry no failing reason; ineligible ones always say why.
    assert all(r.ok for r in result.reasons) == result.eligible


@pytest.mark.parametrize(("template", "code", "reason"), KEY_REASONS)
def test_key_reasons(template: str, code: str, reason: str) -> None:
    assert reason in marked(run(template, ROSTER[code]).reasons)


def test_turning_36_on_the_as_of_date_fails_and_the_day_before_passes() -> None:
    a02 = ROSTER["A02"]
    assert not run("dunmiao", a02).eligible
    assert "✓年龄 35 岁，不超过 35 岁" in marked(run("dunmiao", a02, date(2025, 2, 28)).reasons)


def test_leap_day_birthday_counts_from_1_march() -> None:
    a13 = ROSTER["A13"]
    on_28th = run("two-way", a13, date(2025, 2, 28))
    assert (on_28th.eligible, on_28th.group) == (True, "基层")
    assert "✓年龄 40 岁，不超过 40 岁" in marked(on_28th.reasons)
    assert not run("two-way", a13, date(2025, 3, 1)).eligible


def test_open_secondment_keeps_counting_up_to_the_as_of_date() -> None:
    a10 = ROSTER["A10"]
    assert run("ningde-secondment", a10).eligible
    next_day = run("ningde-secondment", a10, date(2025, 3, 2))
    assert not next_day.eligible
    assert "✗乡村工作经历 24 个月，不少于 24 个月" in marked(next_day.reasons)


def test_stages_move_on_with_the_as_of_date() -> None:
    a03 = ROSTER["A03"]  # entered 2024-03-02
    assert [run("xinmiao", a03, date(y, 3, 2)).group for y in (2025, 2026, 2027)] == ["扶苗", "壮苗", None]


def test_rotation_history_is_read_as_of_the_date() -> None:
    # A07 became party secretary on 2015-03-01: on that very day the stint has not started yet.
    a07 = ROSTER["A07"]
    assert run("ningde-rotation", a07, date(2015, 3, 1)).group is None
    assert run("ningde-rotation", a07, date(2015, 3, 2)).group == "曾任乡镇党政正职"


def test_without_the_exclusion_a_deputy_town_head_would_count() -> None:
    rule = parse_rule({"has_experience": {"unit_level": "镇街", "post_title_contains": ["镇长"]}})
    assert evaluate(rule, facts_as_of(ROSTER["A08"], AS_OF)).reasons == (
        Reason(True, "有 镇街 单位“副镇长”任职经历（2012.01—2016.01 东湖区白沙镇）", "stints"),
    )


# ---------------------------------------------------------------- leaf reasons

FACTS_A = {
    "age": 30,
    "gender": "female",
    "source": "civil_exam",
    "education": "master",
    "leadership_level": "staff",
    "rank": "clerk_1",
    "unit_level": "city",
    "unit_is_remote": False,
    "unit_tags": ("乡村振兴", "项目建设"),
    "specialties": (),
    "rural_months": 30,
    "civil_service_months": None,
    "post_category": "",
}


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"fact": "rural_months", "gte": 24}, "✓乡村工作经历 30 个月，不少于 24 个月"),
        ({"fact": "rural_months", "lt": 24}, "✗乡村工作经历 30 个月，不少于 24 个月"),
        ({"fact": "age", "gt": 30}, "✗年龄 30 岁，不超过 30 岁"),
        ({"fact": "age", "ne": 30}, "✗年龄 30 岁，等于 30 岁"),
        ({"fact": "age", "in": [30, 31]}, "✓年龄 30 岁，属于 30、31 岁 之一"),
        ({"fact": "age", "not_in": [28, 29]}, "✓年龄 30 岁，不属于 28、29 岁"),
        ({"fact": "age", "between": [31, 35]}, "✗年龄 30 岁，不在 31—35 岁 之间"),
        ({"fact": "gender", "eq": "女"}, "✓性别 为 女，符合 女"),
        ({"fact": "gender", "ne": "女"}, "✗性别 为 女，符合 女"),
        ({"fact": "unit_level", "in": ["市", "区县"]}, "✓单位层级 为 市，符合 市、区县 之一"),
        ({"fact": "source", "in": ["选调生", "引进生"]}, "✗干部来源 为 公务员招录，不属于 选调生、引进生"),
        ({"fact": "source", "not_in": ["选调生"]}, "✓干部来源 为 公务员招录，不属于 选调生"),
        ({"fact": "leadership_level", "gte": "正科"}, "✗职务层次 为 科员，低于 正科"),
        ({"fact": "leadership_level", "lte": "副科"}, "✓职务层次 为 科员，不高于 副科"),
        ({"fact": "leadership_level", "gt": "办事员"}, "✓职务层次 为 科员，高于 办事员"),
        ({"fact": "leadership_level", "between": ["办事员", "副科"]}, "✓职务层次 为 科员，在 办事员 至 副科 之间"),
        ({"fact": "rank", "lt": "四级主任科员"}, "✓职级 为 一级科员，低于 四级主任科员"),
        # Education is declared highest-first, yet "gte 本科" still means "本科 or higher".
        ({"fact": "education", "gte": "本科"}, "✓全日制学历 为 硕士研究生，不低于 大学本科"),
        ({"fact": "education", "gte": "博士"}, "✗全日制学历 为 硕士研究生，低于 博士研究生"),
        ({"fact": "education", "lt": "大学本科"}, "✗全日制学历 为 硕士研究生，不低于 大学本科"),
        ({"fact": "unit_tags", "contains": "乡村振兴"}, "✓单位标签 为 乡村振兴、项目建设，含 乡村振兴"),
        (
            {"fact": "unit_tags", "contains_any": ["招商引资", "项目建设"]},
            "✓单位标签 为 乡村振兴、项目建设，含 项目建设",
        ),
        ({"fact": "specialties", "contains_any": ["法律", "财会"]}, "✗专业特长 为 无，不含 法律、财会 中任何一项"),
        ({"fact": "unit_is_remote", "is": True}, "✗偏远单位 为 否，要求为 是"),
        ({"fact": "unit_is_remote", "is": False}, "✓偏远单位 为 否，符合要求"),
        ({"not": {"fact": "unit_is_remote", "is": False}}, "✗偏远单位 为 否，要求为 是"),
        ({"fact": "civil_service_months", "lt": 12}, "✗公务员工作时间 未填写"),
        ({"fact": "post_category", "eq": "专业技术"}, "✗岗位类别 未填写"),
        ({"fact": "hukou", "eq": "外地"}, "✗户籍 未填写"),  # absent from the dict altogether
    ],
)
def test_leaf_reason(rule: dict, expected: str) -> None:
    result = evaluate(parse_rule(rule), FACTS_A)
    assert marked(result.reasons) == [expected]
    assert result.ok is expected.startswith("✓")


def test_not_keeps_the_true_sentence_and_flips_the_verdict() -> None:
    rule = parse_rule({"not": {"fact": "age", "lte": 35}})
    assert marked(evaluate(rule, {"age": 36}).reasons) == ["✓年龄 36 岁，超过 35 岁"]
    assert marked(evaluate(rule, {"age": 35}).reasons) == ["✗年龄 35 岁，不超过 35 岁"]


def test_missing_fact_fails_even_under_not() -> None:
    rule = parse_rule({"not": {"fact": "civil_service_months", "lt": 12}})
    assert marked(evaluate(rule, FACTS_A).reasons) == ["✗公务员工作时间 未填写"]
    assert not evaluate(rule, FACTS_A).ok


def test_any_reports_only_the_passing_branch_when_it_passes() -> None:
    rule = parse_rule({"any": [{"fact": "age", "gt": 35}, {"fact": "rural_months", "gte": 24}]})
    assert marked(evaluate(rule, FACTS_A).reasons) == ["✓乡村工作经历 30 个月，不少于 24 个月"]
    failing = evaluate(rule, {**FACTS_A, "rural_months": 3})
    assert marked(failing.reasons) == ["✗年龄 30 岁，不超过 35 岁", "✗乡村工作经历 3 个月，少于 24 个月"]


def test_not_all_is_any_of_the_negations() -> None:
    rule = parse_rule({"not": {"all": [{"fact": "age", "lte": 35}, {"fact": "rural_months", "eq": 0}]}})
    # Passes because rural experience is not 0; only that decisive condition is reported.
    assert marked(evaluate(rule, FACTS_A).reasons) == ["✓乡村工作经历 30 个月，不等于 0 个月"]


def test_missing_fact_never_helps() -> None:
    facts = {"age": 40, "civil_service_months": None}
    both = [{"fact": "age", "lte": 35}, {"fact": "civil_service_months", "lt": 12}]
    assert not evaluate(parse_rule({"all": both}), facts).ok
    assert not evaluate(parse_rule({"any": both}), facts).ok
    assert evaluate(parse_rule({"not": {"all": both}}), facts).ok  # age alone settles it
    assert not evaluate(parse_rule({"not": {"any": both}}), facts).ok  # the missing entry date must be filled in
    assert "✗公务员工作时间 未填写" in marked(evaluate(parse_rule({"not": {"any": both}}), facts).reasons)


# ---------------------------------------------------------------- has_experience


def exp_facts(*stints: Stint, as_of: date = AS_OF) -> dict[str, object]:
    return {"as_of": as_of, "stints": stints, "unit_names": dict(UNIT_NAMES)}


def test_min_months_is_the_stints_own_length_clipped_at_the_as_of_date() -> None:
    rule = parse_rule({"has_experience": {"unit_level": ["村社区"], "kind": "挂职", "min_months": 12}})
    short = stint("2024-04-01", None, "village", "驻村第一书记", 9, kind="secondment")  # 11 months so far
    other_kind = stint("2010-01-01", "2015-01-01", "village", "村主任助理", 9)  # long, but a posting
    assert marked(evaluate(rule, exp_facts(short, other_kind)).reasons) == ["✗无 村社区 单位 满 12 个月的挂职经历"]
    later = exp_facts(short, other_kind, as_of=date(2025, 4, 1))
    assert marked(evaluate(rule, later).reasons) == [
        "✓有 村社区 单位“驻村第一书记”挂职经历（2024.04—至今 青石镇石岭村，12 个月）"
    ]


def test_the_latest_matching_stint_is_cited_and_future_stints_ignored() -> None:
    rule = parse_rule({"has_experience": {"post_title_contains": "书记"}})
    stints = (
        stint("2010-01-01", "2012-01-01", "town", "党委副书记", 8),
        stint("2016-01-01", "2019-01-01", "town", "党委书记", 7),
        stint("2026-01-01", None, "town", "党委书记", 8),  # after the as-of date
    )
    assert marked(evaluate(rule, exp_facts(*stints)).reasons) == [
        "✓有 “党委书记”任职经历（2016.01—2019.01 东湖区青石镇）"
    ]
    assert marked(evaluate(Not(rule), exp_facts()).reasons) == ["✓无 书记 任职经历"]


def test_experience_without_history_is_unknown() -> None:
    rule = parse_rule({"has_experience": {}})
    assert marked(evaluate(rule, {"age": 30}).reasons) == ["✗履历 未填写"]
    assert not evaluate(Not(rule), {"age": 30}).ok


# ---------------------------------------------------------------- classify


def test_classify_without_groups_or_base() -> None:
    rule = parse_rule({"fact": "age", "lte": 35})
    assert classify(rule, [], {"age": 30}).eligible
    assert classify(None, [], {}).eligible
    assert classify(None, [("甲", rule)], {"age": 30}).group == "甲"


def test_group_is_not_given_to_an_ineligible_cadre_but_its_reasons_are() -> None:
    base, groups = PARSED["xinmiao"]
    facts = {**facts_as_of(ROSTER["A03"], AS_OF), "status": "transferred"}
    result = classify(base, groups, facts)
    assert (result.eligible, result.group) == (False, None)
    assert marked(result.reasons)[1:] == [
        "✗人员状态 为 调出，不是 在职",
        "✓【育苗】公务员工作时间 11 个月，少于 12 个月",
    ]


# ---------------------------------------------------------------- parse errors

ERRORS = [
    (
        {"all": [{"fact": "age", "lte": 35}, {"fact": "age", "gte": 20}, {"fact": "agee", "lte": 35}]},
        "规则 all[2]：未知的条件项 “agee”（是否想用 age？），可用：age（年龄）、gender（性别）、",
    ),
    ({"all": [{"fact": "age", "lte": "三十五"}]}, "规则 all[0]：年龄 的比较值应为数字，实为 “三十五”"),
    ({"fact": "age", "lte": True}, "规则：年龄 的比较值应为数字，实为 true"),
    (
        {"any": [{"not": {"fact": "leadership_level", "eq": "副科长"}}]},
        "规则 any[0].not：职务层次 没有 “副科长” 这一选项，可选：办事员、科员、副科、正科、副处、正处、副厅、正厅",
    ),
    ({"fact": "age", "le": 35}, "规则：未知的比较运算 “le”，年龄 可用：eq、ne、in、not_in、lt、lte、gt、gte、between"),
    ({"fact": "source", "lt": "选调生"}, "规则：干部来源 不支持比较运算 “lt”，可用：eq、ne、in、not_in"),
    ({"fact": "age"}, "规则：条件 年龄 缺少比较运算"),
    ({"fact": "age", "gte": 20, "lte": 35}, "规则：一个条件只能有一个比较运算，实有 gte、lte；请拆成多条放进 all"),
    ({"fact": "age", "between": [35, 20]}, "规则：年龄 的 between 下限 35 岁 高于上限 20 岁，请对调"),
    ({"fact": "age", "between": 35}, "规则：年龄 的 between 后应为 [下限, 上限]，实为 35"),
    ({"fact": "source", "in": "选调生"}, "规则：干部来源 的 in 后应为非空列表"),
    ({"fact": "unit_is_remote", "is": "是"}, "规则：偏远单位 的比较值应为 true 或 false，实为 “是”"),
    ({"fact": "unit_tags", "contains": ""}, "规则：单位标签 的比较值应为文字标签"),
    ({"all": []}, "规则：“all” 后应为非空的规则列表，实为 []"),
    ({"all": [{"fact": "age", "lte": 35}], "any": []}, "规则：“all” 不能与 any 写在同一个对象里"),
    ({"agee": 35}, '规则：无法识别的规则 {"agee": 35}：应以 all、any、not、has_experience 或 fact 开头'),
    ("age <= 35", "规则：每条规则应为一个对象"),
    (
        {"has_experience": {"level": "镇街"}},
        "规则 has_experience：has_experience 中未知的条件 level，可用：unit_level、",
    ),
    ({"has_experience": {"unit_level": ["乡镇", "省"]}}, "规则 has_experience：单位层级 没有 “省” 这一选项"),
    ({"has_experience": {"kind": "兼职"}}, "规则 has_experience：履历类型 没有 “兼职” 这一选项，可选：任职、挂职"),
    ({"has_experience": {"min_months": -1}}, "规则 has_experience：min_months 应为不小于 0 的整数（月数），实为 -1"),
    ({"has_experience": {"post_title_contains": [""]}}, "规则 has_experience：post_title_contains 应为职务名称文字"),
]


@pytest.mark.parametrize(("data", "message"), ERRORS)
def test_parse_errors_say_where_and_how_to_fix(data: object, message: str) -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule(data)
    assert str(caught.value).startswith(message)


def test_group_errors_name_the_group() -> None:
    with pytest.raises(RuleError, match="^分组“育苗” all\\[0\\]：未知的条件项"):
        parse_rule({"all": [{"fact": "entry_months", "lt": 12}]}, where="分组“育苗”")


def test_labels_are_accepted_and_stored_as_codes() -> None:
    rule = parse_rule({"all": [{"fact": "职务层次", "gte": "正科级"}, {"fact": "unit_level", "in": ["市直", "县"]}]})
    assert rule == AllOf(
        (Condition("leadership_level", "gte", "section"), Condition("unit_level", "in", ("city", "county")))
    )
    assert to_data(rule) == {
        "all": [{"fact": "leadership_level", "gte": "section"}, {"fact": "unit_level", "in": ["city", "county"]}]
    }


# ---------------------------------------------------------------- describe


@pytest.mark.parametrize(
    ("template", "group", "summary"),
    [
        ("dunmiao", None, "单位层级 为 市 且 职务层次 为 副科、正科 且 年龄 ≤ 35 岁"),
        ("ningde-secondment", None,
         "单位层级 为 市、区县 且 年龄 ≤ 35 岁 且 （干部来源 为 选调生、引进生 或 乡村工作经历 < 24 个月）"),
        ("ningde-rotation", "市直正科以上", "单位层级 为 市 且 职务层次 正科及以上 且 年龄 ≤ 40 岁"),
        ("ningde-rotation", "曾任乡镇党政正职",
         "有 镇街 单位 党委书记/镇长/乡长/党工委书记/办事处主任（职务名称不含“副”）任职经历"),
        ("xinmiao", "扶苗", "公务员工作时间 12—23 个月"),
        ("youth-camp", "三年级", "公务员工作年限 ≥ 2 年"),
    ],
)  # fmt: skip
def test_describe_templates(template: str, group: str | None, summary: str) -> None:
    base, groups = PARSED[template]
    rule = base if group is None else dict(groups)[group]
    assert describe(rule) == summary


def test_describe_other_forms() -> None:
    rule = parse_rule(
        {"any": [
            {"all": [{"fact": "education", "gte": "本科"}, {"fact": "rank", "between": ["一级科员", "四级主任科员"]}]},
            {"fact": "unit_tags", "contains_any": ["乡村振兴", "项目建设"]},
            {"not": {"has_experience": {"unit_level": ["镇街", "村社区"]}}},
            {"not": {"fact": "unit_is_remote", "is": True}},
        ]}
    )  # fmt: skip
    assert describe(rule) == (
        "（全日制学历 大学本科及以上 且 职级 一级科员 至 四级主任科员） 或 单位标签 含 乡村振兴、项目建设 之一"
        " 或 无 镇街、村社区 单位 任职经历 或 不满足（偏远单位 为 是）"
    )


# ---------------------------------------------------------------- properties


def _choice(fact: str) -> st.SearchStrategy[str]:
    vocabulary = FACTS[fact].vocab
    assert vocabulary is not None
    return st.sampled_from([m.value for m in vocabulary] + list(vocabulary.labels().values()))


def _leaf(fact: str) -> st.SearchStrategy[dict]:
    spec = FACTS[fact]
    number = st.integers(min_value=0, max_value=600)
    if spec.kind == "number":
        op_values = {op: number for op in ("eq", "ne", "lt", "lte", "gt", "gte")} | {
            "in": st.lists(number, min_size=1, max_size=3),
            "not_in": st.lists(number, min_size=1, max_size=3),
            "between": st.tuples(number, number).map(sorted),
        }
    elif spec.kind == "bool":
        op_values = {"is": st.booleans()}
    elif spec.kind == "tags":
        tag = st.sampled_from(["乡村振兴", "项目建设", "法律", "财会"])
        op_values = {"contains": tag, "contains_any": st.lists(tag, min_size=1, max_size=3)}
    else:
        choice = _choice(fact)
        op_values = {"eq": choice, "ne": choice, "in": st.lists(choice, min_size=1, max_size=3)}
        op_values["not_in"] = op_values["in"]
        if spec.kind == "ordered_choice":
            op_values |= {op: choice for op in ("lt", "lte", "gt", "gte")}
            key = spec.height
            op_values["between"] = st.tuples(choice, choice).map(
                lambda pair: sorted(pair, key=lambda v: key(spec.vocab.from_label(v).value))  # type: ignore[union-attr]
            )
    assert set(op_values) == set(OPERATORS[spec.kind])
    return st.sampled_from(sorted(op_values)).flatmap(lambda op: op_values[op].map(lambda v: {"fact": fact, op: v}))


LEAVES = st.sampled_from(sorted(FACTS)).flatmap(_leaf)
EXPERIENCE = st.fixed_dictionaries(
    {},
    optional={
        "unit_level": st.lists(st.sampled_from(["镇街", "村社区", "town", "county"]), min_size=1, max_size=2),
        "post_title_contains": st.lists(st.sampled_from(["书记", "镇长", "主任"]), min_size=1, max_size=2),
        "post_title_excludes": st.just(["副"]),
        "kind": st.sampled_from(["任职", "挂职", "practice"]),
        "min_months": st.integers(min_value=0, max_value=60),
    },
).map(lambda body: {"has_experience": body})
RULE_DATA = st.recursive(
    LEAVES | EXPERIENCE,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda items: {"all": items}),
        st.lists(inner, min_size=1, max_size=3).map(lambda items: {"any": items}),
        inner.map(lambda item: {"not": item}),
    ),
    max_leaves=8,
)

DATES = st.dates(min_value=date(1960, 1, 1), max_value=date(2030, 12, 31))
STINTS = st.builds(
    lambda start, days, open_, level, kind, title: Stint(
        start, None if open_ else date.fromordinal(start.toordinal() + days), level, kind, 7, title
    ),
    DATES,
    st.integers(min_value=-30, max_value=4000),
    st.booleans(),
    st.sampled_from(["", *(m.value for m in UnitLevel)]),
    st.sampled_from([m.value for m in ExperienceKind]),
    st.sampled_from(["", "党委书记", "副镇长", "科员"]),
)


def _maybe(values: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(["", *values])


PROFILES = st.builds(
    lambda birth, work, entry, stints, **fields: CadreProfile(
        code="P",
        name="P",
        birth_date=birth,
        facts_input=CadreFactsInput(birth, work, entry, entry, None, tuple(stints)),
        **fields,
    ),
    DATES,
    st.none() | DATES,
    st.none() | DATES,
    st.lists(STINTS, max_size=4),
    source=_maybe([m.value for m in Source]),
    education=_maybe([m.value for m in Education]),
    status=_maybe([m.value for m in CadreStatus]),
    leadership_level=_maybe([m.value for m in LeadershipLevel] + ["legacy_code"]),
    rank=_maybe([m.value for m in Rank]),
    unit_level=_maybe([m.value for m in UnitLevel]),
    unit_kind=_maybe([m.value for m in UnitKind]),
    post_category=_maybe([m.value for m in PostCategory]),
    unit_is_remote=st.booleans(),
    unit_tags=st.lists(st.sampled_from(["乡村振兴", "项目建设"]), max_size=2).map(tuple),
)
FACT_DICTS = st.builds(facts_as_of, PROFILES, DATES)


@settings(max_examples=150, deadline=None)
@given(data=RULE_DATA, facts=FACT_DICTS)
def test_evaluation_properties(data: dict, facts: dict) -> None:
    """On facts of random profiles: never raises, always explains, and the algebra of all/not holds."""
    rule = parse_rule(data)
    result = evaluate(rule, facts)
    assert result.reasons and all(reason.text for reason in result.reasons)
    # A pass has no failing reason; a failure has at least one.
    assert result.ok == all(reason.ok for reason in result.reasons)
    assert evaluate(Not(Not(rule)), facts) == result
    assert evaluate(AllOf((rule,)), facts) == result
    negated = evaluate(Not(rule), facts)
    assert not (result.ok and negated.ok)
    if not result.ok and not negated.ok:  # only when a fact is missing or unreadable
        assert any(r.text.endswith("未填写") or "无法识别" in r.text for r in result.reasons)


@settings(max_examples=150, deadline=None)
@given(data=RULE_DATA)
def test_to_data_round_trips(data: dict) -> None:
    rule = parse_rule(data)
    assert isinstance(rule, Rule)
    assert parse_rule(to_data(rule)) == rule
    assert describe(rule)


def test_rules_are_hashable_values() -> None:
    a = parse_rule(TEMPLATES["ningde-rotation"][1][1][1])
    b = parse_rule(to_data(a))
    assert a == b and hash(a) == hash(b) and isinstance(a, HasExperience)
