"""A cadre's file tells the story in order, with an entry from every source, filtered by kind and period."""

from __future__ import annotations

import datetime as dt

import pytest

from miaopu.apps.growth.timeline import build_timeline

pytestmark = pytest.mark.django_db


def test_the_file_merges_every_source_in_date_order(files):
    city = files.city
    items = build_timeline(city.users["orgdept"], city.cadres["town_b"])
    got = [(i.date.isoformat(), i.kind, i.title) for i in items]
    assert got == [
        ("2012-08-01", "experience", "西山县 科员"),
        ("2020-01-01", "experience", "西山县白沙镇 党政办主任"),
        ("2022-04-01", "placement", "到岗：东湖区青石镇 镇长助理"),  # its own 履历 line is not shown twice
        ("2023-04-01", "stage", "进入扶苗阶段（独立干）"),
        ("2023-12-31", "assessment", "2023 年年度考核：优秀"),
        ("2024-01-01", "mentoring", "结对帮带：导师甲（业务导师）"),
        ("2024-03-31", "placement", "期满结束：东湖区青石镇 镇长助理"),
        ("2024-04-02", "pool", "纳入后备干部库（县管·基层治理）"),
        ("2024-05-06", "mentoring", "专题辅导（导师甲）"),
        ("2024-06-01", "review", "分析研判：适岗优秀，能力较强"),
        ("2024-07-01", "achievement", "牵头完成防汛抢险"),
        ("2024-08-01", "mass_evaluation", "群众满意度测评"),
        ("2024-09-01", "talk", "谈心谈话（谈话人：干部科张科长）"),
        ("2024-10-01", "punishment", "警告（县纪委监委）"),
    ]
    by_kind = {i.kind: i for i in items}
    assert "期满考核优秀；期满考核表现突出" in [i.detail for i in items if i.kind == "placement"]
    assert "得分 96.0；评价对象：驻点村村民（42 人）" in by_kind["mass_evaluation"].detail
    assert "德 95.0" in by_kind["assessment"].detail and "实绩突出" in by_kind["assessment"].detail
    assert "影响期至 2025-04-01" in by_kind["punishment"].detail
    assert by_kind["talk"].confidential and by_kind["punishment"].confidential


def test_filter_by_kind_and_period_and_newest_first(files):
    city = files.city
    user, cadre = city.users["orgdept"], city.cadres["town_b"]
    only = build_timeline(user, cadre, kinds=["assessment", "mentoring"])
    assert {i.kind for i in only} == {"assessment", "mentoring"} and len(only) == 3
    period = build_timeline(user, cadre, start=dt.date(2024, 1, 1), end=dt.date(2024, 6, 30))
    assert [i.date for i in period] == sorted(i.date for i in period)
    assert all(dt.date(2024, 1, 1) <= i.date <= dt.date(2024, 6, 30) for i in period)
    assert len(period) == 5
    newest = build_timeline(user, cadre, newest_first=True)
    assert newest[0].kind == "punishment" and newest[-1].kind == "experience"


@pytest.mark.parametrize("role", ["officer_b", "mentor"])
def test_talks_punishments_reviews_and_pools_are_for_orgdept_only(files, role):
    city = files.city
    kinds = {i.kind for i in build_timeline(city.users[role], city.cadres["town_b"])}
    assert kinds.isdisjoint({"talk", "punishment", "review", "pool"})
    assert {"experience", "placement", "assessment", "achievement", "mentoring"} <= kinds


def test_the_cadre_sees_their_own_file_without_talks_or_punishments(files):
    city = files.city
    kinds = {i.kind for i in build_timeline(city.users["cadre"], city.cadres["village_a"])}
    assert kinds == {"assessment", "achievement", "mass_evaluation"}
    # asking for a hidden kind explicitly does not reveal it
    assert build_timeline(city.users["cadre"], city.cadres["village_a"], kinds=["talk", "punishment"]) == []


def test_cadre_page_preview_shows_the_latest_entries_the_user_may_see(files, rf):
    from django.template.loader import render_to_string

    city = files.city
    cadre = city.cadres["town_b"]
    for role, hidden in (("orgdept", False), ("officer_b", True)):
        request = rf.get("/")
        request.user = city.users[role]
        html = render_to_string("growth/includes/cadre_growth.html", {"cadre": cadre}, request=request)
        assert f'href="/growth/cadres/{cadre.pk}/"' in html
        assert ("警告（县纪委监委）" not in html) == hidden  # the newest entry is the punishment
        assert html.count('<li class="kind-') == 5
    request = rf.get("/")
    request.user = city.users["auditor"]
    assert "成长档案" not in render_to_string("growth/includes/cadre_growth.html", {"cadre": cadre}, request=request)
