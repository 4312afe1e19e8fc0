"""Early warnings on hand-built cases: the boundaries of each rule, the reasons, levels, refresh and scope."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from miaopu.apps.analytics import adapters, alerts, selectors
from miaopu.apps.analytics.models import Alert, AlertRun
from miaopu.apps.cadres.models import Cadre, Experience
from miaopu.apps.core.models import AuditEvent
from miaopu.apps.core.testing import make_cadre
from miaopu.apps.units.models import Post
from miaopu.domain.dates import add_months
from miaopu.domain.retirement import retirement_date

from .conftest import born, place

pytestmark = pytest.mark.django_db


def of(kind: str, as_of: dt.date) -> dict[str, alerts.Alert]:
    """Alerts of one kind on ``as_of``, by cadre name."""
    names = dict(Cadre.objects.values_list("pk", "name"))
    return {names.get(a.cadre_id, ""): a for a in alerts.compute(kind, as_of=as_of)}


# ---------------------------------------------------------------- term ending


@pytest.fixture
def practice(city):
    c = make_cadre(city.organ, "实践甲", born(30))
    start = dt.date.today() - dt.timedelta(days=3)
    _batch, (placement,) = place(city, "sixiaji-practice", [c], city.village_a, start)
    assert placement.planned_end == start + dt.timedelta(days=15)
    return placement


def test_term_ending_59_days_alerts_61_does_not(practice):
    end = practice.planned_end
    assert "实践甲" not in of("term_ending", end - dt.timedelta(days=61))
    at_60 = of("term_ending", end - dt.timedelta(days=60))["实践甲"]
    at_59 = of("term_ending", end - dt.timedelta(days=59))["实践甲"]
    assert at_60.level == at_59.level == "yellow"
    assert at_59.due == end and "还有 59 天" in at_59.reason and "实践甲" in at_59.reason
    assert at_59.link == f"/programmes/placements/{practice.pk}/assess/"
    assert at_59.owner == "orgdept"  # the batch's creator acts on it
    late = of("term_ending", end + dt.timedelta(days=2))["实践甲"]
    assert late.level == "red" and "超期 2 天" in late.reason


def test_term_ending_of_a_secondment_outside_programmes(city):
    c = city.cadres["district_b"]
    today = dt.date.today()
    Experience.objects.create(cadre=c, start=today - dt.timedelta(days=300), end=today + dt.timedelta(days=30),
                              unit=city.town_b, post_title="挂职副镇长", kind="secondment")  # fmt: skip
    Experience.objects.create(cadre=c, start=today - dt.timedelta(days=300), end=today + dt.timedelta(days=90),
                              unit=city.town_a, post_title="挂职", kind="secondment")  # fmt: skip
    found = [a for a in alerts.compute("term_ending", as_of=today) if a.cadre_id == c.pk]
    assert len(found) == 1 and found[0].level == "yellow" and "还有 30 天" in found[0].reason
    assert found[0].owner == "西山县人事专员"


# ---------------------------------------------------------------- turning 36

AS_OF = dt.date(2026, 3, 10)


def turns_36_on(day: dt.date) -> dt.date:
    return add_months(day, -12 * 36)


def test_turning_36_within_six_months_without_rural_experience(city):
    make_cadre(city.organ, "两月后", turns_36_on(add_months(AS_OF, 2)))
    make_cadre(city.organ, "五月后", turns_36_on(add_months(AS_OF, 5)))
    make_cadre(city.organ, "六月整", turns_36_on(add_months(AS_OF, 6)))
    make_cadre(city.organ, "七月后", turns_36_on(add_months(AS_OF, 7)))
    make_cadre(city.organ, "已满36", turns_36_on(AS_OF - dt.timedelta(days=1)))
    rural = make_cadre(city.organ, "有村经历", turns_36_on(add_months(AS_OF, 2)))
    Experience.objects.create(cadre=rural, start=dt.date(2015, 1, 1), end=dt.date(2015, 6, 1), unit=city.village_a)
    found = of("turning_36", AS_OF)
    assert set(found) == {"两月后", "五月后", "六月整"}
    assert found["两月后"].level == "red" and found["五月后"].level == "yellow"
    assert found["两月后"].due == add_months(AS_OF, 2)
    assert "将于 2026-05-10 年满 36 岁" in found["两月后"].reason
    assert "尚无乡村工作经历" in found["两月后"].reason and "四下基层实践锻炼" in found["两月后"].reason
    assert found["两月后"].link.startswith("/programmes/cadres/")


def test_turning_36_but_covered_by_practice_is_not_alerted(city):
    today = dt.date.today()
    soon = make_cadre(city.organ, "已参加实践", turns_36_on(add_months(today, 2)))
    other = make_cadre(city.organ, "未参加实践", turns_36_on(add_months(today, 2)))
    _batch, (placement,) = place(city, "sixiaji-practice", [soon], city.village_a, today - dt.timedelta(days=20))
    Experience.objects.filter(pk=placement.experience_id).delete()  # covered even without the experience entry
    found = of("turning_36", today)
    assert "未参加实践" in found and "已参加实践" not in found
    assert found["未参加实践"].cadre_id == other.pk


# ---------------------------------------------------------------- retirement


def test_retirement_boundaries_under_the_2025_rules(city):
    man = dt.date(1966, 3, 10)  # 60 + 4 months under the reform → 2026-07-10
    assert retirement_date(man, "male") == dt.date(2026, 7, 10)
    as_of = dt.date(2025, 7, 10)  # exactly 12 months before
    make_cadre(city.organ, "满十二月", man)
    make_cadre(city.organ, "晚一天", man + dt.timedelta(days=1))
    make_cadre(city.organ, "女五十五", dt.date(1970, 9, 1), gender="female")  # 55 + 3 months → 2025-12-01
    make_cadre(city.organ, "女五十", dt.date(1975, 1, 1), gender="female")  # a cadre: 55, not the workers' 50
    make_cadre(city.organ, "已到龄", dt.date(1964, 1, 1))  # 60 on 2024-01-01, before the reform
    found = of("retirement", as_of)
    assert set(found) == {"满十二月", "女五十五", "已到龄"}
    assert found["满十二月"].level == "green" and found["满十二月"].due == dt.date(2026, 7, 10)
    assert "60 岁 4 个月" in found["满十二月"].reason and "2026-07-10" in found["满十二月"].reason
    assert found["女五十五"].level == "yellow" and found["女五十五"].due == dt.date(2025, 12, 1)
    assert found["已到龄"].level == "red" and "已于 2024-01-01 到龄" in found["已到龄"].reason
    assert found["已到龄"].owner == "示范市自然资源局人事专员"


def test_latest_birth_cutoff_matches_the_domain_rule():
    for day in (dt.date(2025, 7, 10), dt.date(2027, 2, 28), dt.date(2031, 12, 31)):
        for gender, age in alerts.ORIGINAL_AGES:
            cutoff = alerts.latest_birth_retiring_by(day, gender, age)
            assert (
                retirement_date(cutoff, gender, age)
                <= day
                < retirement_date(cutoff + dt.timedelta(days=1), gender, age)
            )


# ---------------------------------------------------------------- rotation


def test_rotation_due_after_two_years_as_township_head(city):
    head = city.posts["town_a_head"]
    Cadre.objects.filter(pk=city.cadres["town_a"].pk).update(post=head)  # 王海: in 青石镇 since 2017-08-01
    secretary = Post.objects.create(unit=city.town_b, title="党委书记", category="leadership", is_township_head=True)
    make_cadre(city.town_b, "快满两年", born(40), post=secretary, leadership_level="section",
               leadership_level_since=add_months(AS_OF, -23))  # fmt: skip
    make_cadre(city.town_b, "才一年多", born(40), post=secretary, leadership_level="section",
               leadership_level_since=add_months(AS_OF, -20))  # fmt: skip
    found = of("rotation_due", AS_OF)
    assert set(found) == {"王海", "快满两年"}
    assert found["王海"].level == "red" and found["王海"].due == dt.date(2019, 8, 1)
    assert "已满 2 年" in found["王海"].reason and "四下基层交流任职" in found["王海"].reason
    assert found["快满两年"].level == "yellow" and found["快满两年"].due == add_months(AS_OF, 1)
    assert found["王海"].link == "/programmes/batches/?template=ningde-rotation"


# ---------------------------------------------------------------- staged programme (xinmiao)


def test_stage_change_due(city):
    today = dt.date.today()
    entry = add_months(today, -11) - dt.timedelta(days=20)  # 育苗 now; 扶苗 from entry + 12 months
    cadre = make_cadre(city.town_a, "新录用", born(24), civil_service_entry_date=entry)
    place(city, "xinmiao", [cadre], None, today)
    switch = add_months(entry, 12)
    ahead = of("stage_due", switch - dt.timedelta(days=10))["新录用"]
    assert ahead.level == "green" and "将于" in ahead.reason and "扶苗" in ahead.reason
    due = of("stage_due", switch)["新录用"]
    assert due.level == "yellow" and due.due == switch and "应进入“扶苗”阶段" in due.reason
    assert "目前记录：育苗" in due.reason
    assert of("stage_due", switch + dt.timedelta(days=31))["新录用"].level == "red"
    assert "新录用" not in of("stage_due", switch - dt.timedelta(days=40))


# ---------------------------------------------------------------- through the mentoring app


def test_missing_required_mentor_comes_from_the_mentoring_app(city):
    c = make_cadre(city.organ, "缺导师", born(29))
    place(city, "sixiaji-practice", [c], city.village_a, dt.date.today())
    found = of("mentor_missing", dt.date.today())
    assert found["缺导师"].level == "red" and "群众工作导师" in found["缺导师"].reason


# ---------------------------------------------------------------- refresh, idempotence, scope


def test_refresh_is_idempotent_and_records_each_kind(city, practice):
    out = io.StringIO()
    call_command("alerts", stdout=out)
    first = sorted(Alert.objects.values_list("kind", "level", "cadre_id", "reason"))
    call_command("alerts", stdout=io.StringIO())
    assert sorted(Alert.objects.values_list("kind", "level", "cadre_id", "reason")) == first
    assert AlertRun.objects.count() == len(alerts.KINDS)
    assert ("term_ending", "yellow", practice.cadre_id) in {(k, lv, c) for k, lv, c, _r in first}
    assert "预警已刷新" in out.getvalue()
    assert AuditEvent.objects.filter(object_type="alerts", action="generate").count() == 2


def test_a_kind_whose_data_is_missing_is_recorded_not_faked(city, monkeypatch):
    def missing(**kwargs):
        raise adapters.NotAvailable("考核应用尚未安装。")

    monkeypatch.setattr(adapters, "assessment_missing_alerts", missing)
    alerts.refresh(kinds=["assessment_missing"])
    run = AlertRun.objects.get(kind="assessment_missing")
    assert (run.available, run.count, run.note) == (False, 0, "考核应用尚未安装。")
    assert not Alert.objects.filter(kind="assessment_missing").exists()
    summary = selectors.alert_summary(user=city.users["orgdept"])
    assert [r.kind for r in summary.unavailable] == ["assessment_missing"]


def test_stored_alerts_are_scoped_by_the_cadre_unit(city):
    today = dt.date.today()
    make_cadre(city.town_a, "东湖将满", turns_36_on(add_months(today, 1)))
    make_cadre(city.town_b, "西山将满", turns_36_on(add_months(today, 1)))
    alerts.refresh(kinds=["turning_36"], as_of=today)
    names = {
        role: set(selectors.alert_list(user=city.users[role]).values_list("cadre__name", flat=True))
        for role in ("orgdept", "orgdept_a", "officer_b", "mentor", "cadre", "auditor")
    }
    assert {"东湖将满", "西山将满"} <= names["orgdept"]
    assert "东湖将满" in names["orgdept_a"] and "西山将满" not in names["orgdept_a"]
    assert "西山将满" in names["officer_b"] and "东湖将满" not in names["officer_b"]
    assert names["mentor"] == names["cadre"] == names["auditor"] == set()
    counts = selectors.alert_summary(user=city.users["orgdept_a"])
    assert sum(f.value for f in counts.levels) == len(names["orgdept_a"])


# ---------------------------------------------------------------- through the assessments and growth apps

needs_assessments = pytest.mark.skipif(
    not django_apps.is_installed("miaopu.apps.assessments"), reason="the assessments app is not installed"
)


def _annual(cycle_year: int, scope, end: dt.date, graded=()):
    from miaopu.apps.assessments.models import Assessment, AssessmentCycle

    cycle = AssessmentCycle.objects.create(
        kind="annual", year=cycle_year, name=f"{cycle_year} 年度考核 {scope.pk}", scope_unit=scope, end=end
    )
    for cadre in graded:
        Assessment.objects.create(cycle=cycle, cadre=cadre, kind="annual", year=cycle_year, grade="competent",
                                  assessed_on=end)  # fmt: skip
    return cycle


@needs_assessments
def test_annual_assessment_missing_after_the_cycle_closes(city):
    today = dt.date.today()
    _annual(today.year - 1, city.district_a, today - dt.timedelta(days=40), graded=[city.cadres["town_a"]])
    found = of("assessment_missing", today)
    assert set(found) == {"李娜"}  # 东湖区: 王海 has his grade; other districts are not in the cycle
    assert found["李娜"].level == "red" and f"没有 {today.year - 1} 年度考核结果" in found["李娜"].reason
    assert of("assessment_missing", today - dt.timedelta(days=30))["李娜"].level == "yellow"
    assert of("assessment_missing", today - dt.timedelta(days=41)) == {}  # not closed yet: nothing expected


@needs_assessments
@pytest.mark.skipif(not django_apps.is_installed("miaopu.apps.growth"), reason="the growth app is not installed")
def test_promotion_ready_from_the_growth_app(city):
    today = dt.date.today()
    since = add_months(today, -30)
    ready = make_cadre(city.organ, "可晋升", born(30), rank="clerk_2", rank_since=since)
    make_cadre(city.organ, "未满两年", born(30), rank="clerk_2", rank_since=add_months(today, -12))
    cycles = [_annual(year, city.root, dt.date(year, 12, 31)) for year in range(since.year, today.year)]
    from miaopu.apps.assessments.models import Assessment

    for cycle in cycles:
        Assessment.objects.create(cycle=cycle, cadre=ready, kind="annual", year=cycle.year, grade="competent",
                                  assessed_on=dt.date(cycle.year, 12, 31))  # fmt: skip
    found = of("promotion_ready", today)
    assert "可晋升" in found and "未满两年" not in found
    assert found["可晋升"].level == "green" and "一级科员" in found["可晋升"].reason
