"""The shipped template files, the spec parser's errors, and loading templates idempotently."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from miaopu.apps.mentoring.models import MentorRole
from miaopu.apps.programmes.fixtures import read_template_file, shipped_template_files
from miaopu.apps.programmes.models import ProgrammeTemplate, TemplateVersion
from miaopu.apps.programmes.spec import MENTOR_ROLES, SpecError, load_yaml, parse_spec
from miaopu.domain.rules import describe

CODES = {"dunmiao", "xinmiao", "sixiaji-practice", "ningde-secondment", "ningde-rotation", "six-lines", "youth-camp",
         "two-way"}  # fmt: skip


def test_eight_files_each_citing_its_seed():
    documents = {read_template_file(path)[0].code: read_template_file(path) for path in shipped_template_files()}
    assert set(documents) == CODES
    seeds = {code: doc.seed[:3] for code, (doc, _src) in documents.items()}
    assert seeds == {
        "dunmiao": "000", "xinmiao": "001", "sixiaji-practice": "002", "ningde-secondment": "002",
        "ningde-rotation": "002", "six-lines": "003", "youth-camp": "003", "two-way": "004",
    }  # fmt: skip
    for path in shipped_template_files():
        assert "种子文件" in path.read_text(encoding="utf-8").splitlines()[1]


@pytest.mark.parametrize(
    ("code", "group", "summary"),
    [
        ("dunmiao", None, "单位层级 为 市 且 职务层次 为 副科、正科 且 年龄 ≤ 35 岁"),
        ("xinmiao", None, "公务员工作时间 < 36 个月 且 人员状态 为 在职"),
        ("sixiaji-practice", None, "年龄 ≤ 35 岁 且 乡村工作经历 = 0 个月"),
        ("ningde-secondment", None,
         "单位层级 为 市、区县 且 年龄 ≤ 35 岁 且 （干部来源 为 选调生、引进生 或 乡村工作经历 < 24 个月）"),
        ("ningde-rotation", "市直正科以上", "单位层级 为 市 且 职务层次 正科及以上 且 年龄 ≤ 40 岁"),
        ("ningde-rotation", "曾任乡镇党政正职",
         "有 镇街 单位 党委书记/镇长/乡长/党工委书记/办事处主任（职务名称不含“副”）任职经历"),
        ("six-lines", None, "干部来源 为 选调生、引进生"),
        ("youth-camp", "二年级", "公务员工作年限 = 1 年"),
        ("two-way", "市直", "单位层级 为 市 且 单位性质 为 党政机关 且 基层工作经历 < 24 个月"),
        ("two-way", "基层", "单位层级 为 区县、镇街、村社区"),
    ],
)  # fmt: skip
def test_shipped_rules_read_as_the_issue_states_them(code, group, summary):
    path = next(p for p in shipped_template_files() if p.stem == code)
    spec = read_template_file(path)[0].spec
    rule = spec.eligibility if group is None else spec.group(group).rule
    assert describe(rule) == summary


def test_shipped_terms_hosts_and_effects():
    specs = {p.stem: read_template_file(p)[0].spec for p in shipped_template_files()}
    assert specs["dunmiao"].term.describe() == "24 个月" and specs["dunmiao"].host.unit_levels == ("town",)
    assert (
        specs["sixiaji-practice"].term.describe() == "不少于 15 天" and specs["sixiaji-practice"].coverage_target == 100
    )
    assert (
        specs["ningde-secondment"].term.describe() == "不少于 12 个月"
        and "separate" in specs["ningde-secondment"].assessments
    )
    assert specs["ningde-rotation"].cycle_years == 2
    assert specs["two-way"].mirrored_pairs and specs["two-way"].side_names() == {"A": "市直", "B": "基层"}
    assert specs["two-way"].effects_for("excellent") == ["reserve_pool"]
    assert specs["xinmiao"].mentor_roles == ("political", "business") and not specs["xinmiao"].has_hosts
    assert [(s.name, s.theme) for s in specs["xinmiao"].stages] == [
        ("育苗", "一年跟着干"), ("扶苗", "两年独立干"), ("壮苗", "三年成骨干")]  # fmt: skip
    assert set(specs["six-lines"].host.tags_any) == {
        "项目建设",
        "招商引资",
        "抢险救灾",
        "乡村振兴",
        "信访维稳",
        "创城创卫",
    }


def test_mentor_roles_match_the_mentoring_app():
    assert MENTOR_ROLES == {role.value: str(role.label) for role in MentorRole}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("eligibility: {fact: agee, lte: 35}", "eligibility：未知的条件项 “agee”（是否想用 age？）"),
        ("groups:\n  - {name: 甲, rule: {fact: age, le: 3}}", "分组“甲”：未知的比较运算 “le”"),
        ("groups:\n  - {name: 甲}", "groups[0]：分组 “甲” 缺少 rule"),
        ("term: {min: 24, max: 12}", "term：最短 24 大于最长 12，请对调"),
        ("term: {min: 12, unit: 周}", "term.unit：期限单位 没有 “周” 这一选项，可选：天、个月"),
        ("host: {unit_levels: [省]}", "host.unit_levels[0]：单位层级 没有 “省” 这一选项"),
        ("completion: [{grade: 良好, effect: 后备干部库}]", "completion[0].grade：考核等次 没有 “良好” 这一选项"),
        ("mirrored_pairs: true\ngroups: [{name: 甲, rule: {fact: age, lte: 40}, side: A}]", "groups：双向挂职"),
        ("eligibilty: {fact: age, lte: 35}", "未知的项 eligibilty"),
        ("stages: [{name: 甲, from_month: 0, to_month: 11}, {name: 乙, from_month: 11, to_month: 20}]",
         "stages[1]：与上一阶段重叠"),
        ("eligibility: [", "YAML 格式错误（第 1 行第 15 列）"),
    ],
)  # fmt: skip
def test_spec_errors_say_where_and_how_to_fix(text, message):
    with pytest.raises(SpecError) as caught:
        parse_spec(load_yaml(text))
    assert message in str(caught.value)


@pytest.mark.django_db
def test_the_migration_loaded_every_template_as_version_1():
    assert set(ProgrammeTemplate.objects.values_list("code", flat=True)) == CODES
    for template in ProgrammeTemplate.objects.all():
        (version,) = template.versions.all()
        assert version.number == 1 and version.source_text.strip()
        assert parse_spec(load_yaml(version.source_text)).to_data() == version.spec


@pytest.mark.django_db
def test_load_templates_is_idempotent_and_versions_changes(tmp_path, city):
    out = io.StringIO()
    call_command("load-templates", stdout=out)
    assert out.getvalue().count("无变化") == 8 and TemplateVersion.objects.count() == 8
    source = next(p for p in shipped_template_files() if p.stem == "dunmiao").read_text(encoding="utf-8")
    changed = tmp_path / "dunmiao.yaml"
    changed.write_text(source.replace("{fact: age, lte: 35}", "{fact: age, lte: 38}"), encoding="utf-8")
    out = io.StringIO()
    call_command("load-templates", str(changed), stdout=out)
    assert "文件与现有规则不同" in out.getvalue()
    call_command("load-templates", str(changed), "--update", "--user", "orgdept", stdout=io.StringIO())
    template = ProgrammeTemplate.objects.get(code="dunmiao")
    assert template.current_version.number == 2 and "38" in describe(template.current_version.parsed.eligibility)
    with pytest.raises(CommandError, match="全市的组织部干部科"):
        call_command("load-templates", str(changed), "--update", "--user", "orgdept_a", stdout=io.StringIO())
    broken = tmp_path / "broken.yaml"
    broken.write_text("code: x\nname: 坏\nkind: 任职\nrules: {eligibility: {fact: agee, lte: 1}}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="broken.yaml：eligibility：未知的条件项"):
        call_command("load-templates", str(broken), stdout=io.StringIO())
