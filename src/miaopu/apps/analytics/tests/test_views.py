"""Pages and endpoints: who may see them, what they show, pinned query counts, exports, offline charts."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from miaopu.apps.analytics import alerts, charts
from miaopu.apps.analytics.models import Alert
from miaopu.apps.core.models import AuditEvent
from miaopu.apps.core.testing import make_cadre
from miaopu.domain.dates import add_months

from .conftest import place

pytestmark = pytest.mark.django_db

PAGES = ["/analytics/", "/analytics/report/", "/analytics/alerts/", "/analytics/cohorts/mentored/"]
APIS = [
    "/api/analytics/stats/",
    "/api/analytics/structure/",
    "/api/analytics/alerts/",
    "/api/analytics/alerts/summary/",
]


@pytest.mark.parametrize("role", ["mentor", "cadre", "sysadmin", "secadmin", "auditor"])
def test_other_roles_are_refused(client_for, role):
    client = client_for(role)
    for url in [*PAGES, *APIS]:
        assert client.get(url).status_code == 403, (role, url)


@pytest.mark.parametrize("role", ["orgdept", "orgdept_a", "officer_b"])
def test_scoped_roles_see_their_pages(client_for, role):
    client = client_for(role)
    for url in [*PAGES, *APIS]:
        assert client.get(url).status_code == 200, (role, url)


def test_district_user_sees_only_district_figures(stats_city, client_for):
    city = stats_city
    page = client_for("orgdept_a").get("/analytics/").content.decode()
    assert city.district_a.name in page
    structure = client_for("orgdept_a").get("/analytics/").context["d"]["structure"]
    assert structure.total == 4
    assert client_for("orgdept_a").get("/api/analytics/stats/").json()["cadres"] == 4
    # A unit outside the scope is ignored (the whole scope is shown), never leaked.
    outside = client_for("orgdept_a").get(f"/api/analytics/stats/?unit={city.district_b.pk}")
    assert outside.status_code == 400 and "unit" in outside.json()
    assert client_for("orgdept_a").get(f"/analytics/?unit={city.district_b.pk}").context["d"]["unit"] is None


def test_unit_officer_dashboard_has_no_programme_panels(stats_city, client_for):
    response = client_for("officer_b").get("/analytics/")
    assert response.context["d"]["programmes"] is None
    assert 'id="programmes"' not in response.content.decode()
    assert 'id="programmes"' in client_for("orgdept").get("/analytics/").content.decode()


def test_home_page_shows_the_dashboard_for_orgdept_only(stats_city, client_for):
    html = client_for("orgdept").get("/").content.decode()
    assert 'id="alerts"' in html and 'id="chart-age"' in html and "<svg" in html
    assert "管理范围概况" in html  # the core summary stays on top
    for role in ("mentor", "cadre", "auditor"):
        assert 'id="chart-age"' not in client_for(role).get("/").content.decode()


def test_charts_are_offline_svg_with_links_and_no_inline_style_or_script(stats_city, client_for):
    html = client_for("orgdept").get("/analytics/").content.decode()
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert len(svgs) >= 7
    for svg in svgs:
        assert (
            "style=" not in svg
            and "<script" not in svg
            and "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
        )
    assert 'href="/cadres/?age_max=30&amp;status=active"' in html
    assert "https://" not in html and "cdn" not in html.lower()


def test_chart_text_is_escaped():
    svg = str(charts.bar_chart([charts.Datum("<b>x</b>", 3, "/a?b=1&c=2")], title="t<"))
    assert "<b>" not in svg and "&lt;b&gt;" in svg and 'href="/a?b=1&amp;c=2"' in svg
    donut = str(charts.donut_chart([charts.Datum("a", 0), charts.Datum("b", 5)], title="d"))
    assert "<circle" in donut and "5（100.0%）" in donut


def test_report_workbook_has_the_same_figures_and_is_audited(stats_city, client_for):
    client = client_for("orgdept")
    page = client.get("/analytics/report/?gender=female")
    assert page.status_code == 200 and page.context["structure"].total == 6
    before = AuditEvent.objects.filter(action="export", object_type="analytics.report").count()
    response = client.get("/analytics/report/?gender=female&format=xlsx")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="export", object_type="analytics.report").count() == before + 1
    book = load_workbook(io.BytesIO(response.content))
    summary = [r for r in book["概况"].iter_rows(values_only=True)]
    assert ("在职干部数", 6, None) in summary
    ages = {r[0]: r[1] for r in book["年龄结构"].iter_rows(min_row=2, values_only=True)}
    assert sum(ages.values()) == 6
    assert book["年龄结构"]._charts, "each table sheet carries a native chart"
    assert "培养项目" in book.sheetnames and "预警" in book.sheetnames


def test_alert_list_filters_and_links(city, client_for):
    today = dt.date.today()
    make_cadre(city.town_a, "将满甲", add_months(add_months(today, 1), -12 * 36))
    alerts.refresh(kinds=["turning_36"], as_of=today)
    page = client_for("orgdept").get("/analytics/alerts/?kind=turning_36&level=red")
    assert page.status_code == 200
    assert [a.cadre.name for a in page.context["page_obj"]] == ["将满甲"]
    html = page.content.decode()
    assert "将满甲" in html and "年满 36 岁" in html and "处理" in html
    api = client_for("orgdept_a").get("/api/analytics/alerts/?kind=turning_36").json()
    assert [r["cadre_name"] for r in api["results"]] == ["将满甲"]
    summary = client_for("officer_b").get("/api/analytics/alerts/summary/").json()
    assert summary["red"] == 0  # 将满甲 is in 东湖区


@pytest.mark.parametrize("role", ["orgdept", "orgdept_a", "officer_b"])
def test_alert_list_total_is_the_count_of_its_rows(city, client_for, role):
    """The list's total comes from the summary's grouped count: it must equal the rows for every filter."""
    today = dt.date.today()
    for i, town in enumerate([city.town_a, city.town_a, city.organ]):
        make_cadre(town, f"将满{i}", add_months(add_months(today, 1 + 3 * i), -12 * 36))
    alerts.refresh(as_of=today)
    from miaopu.apps.analytics.selectors import alert_list
    from miaopu.apps.core.access import unit_in_scope

    user = city.users[role]
    client = client_for(role)
    for query, rows in [
        ({}, alert_list(user=user)),
        ({"kind": "turning_36"}, alert_list(user=user).filter(kind="turning_36")),
        ({"level": "red"}, alert_list(user=user).filter(level="red")),
        ({"kind": "turning_36", "level": "yellow"}, alert_list(user=user).filter(kind="turning_36", level="yellow")),
        ({"kind": "bogus", "level": "bogus"}, alert_list(user=user)),
        ({"unit": city.town_a.pk}, alert_list(user=user).filter(cadre__unit__path__startswith=city.town_a.path)),
    ]:
        if "unit" in query and not unit_in_scope(user, city.town_a):
            rows = alert_list(user=user)  # a unit outside the scope is ignored: the whole scope is listed
        page = client.get("/analytics/alerts/", query)
        assert page.context["page_obj"].paginator.count == rows.count(), query
        assert len(page.context["page_obj"]) == min(rows.count(), 50), query


def test_only_a_city_wide_orgdept_may_refresh(city, client_for):
    assert client_for("orgdept_a").post("/analytics/alerts/refresh/").status_code == 403
    assert client_for("mentor").post("/analytics/alerts/refresh/").status_code == 403
    response = client_for("orgdept").post("/analytics/alerts/refresh/")
    assert response.status_code == 302
    assert client_for("orgdept").get("/analytics/alerts/refresh/").status_code == 405


def _grow(city, n: int) -> None:
    """More cadres, alerts, placements and mentorships: nothing on a page may cost a query per row."""
    today = dt.date.today()
    people = [make_cadre(city.organ, f"增{i}", add_months(add_months(today, 1), -12 * 36)) for i in range(n)]
    alerts.refresh(as_of=today)
    place(city, "sixiaji-practice", [make_cadre(city.organ, f"实{i}", add_months(today, -12 * 25)) for i in range(n)],
          city.village_a, today)  # fmt: skip
    assert Alert.objects.filter(cadre__in=people).count() == n


@pytest.mark.parametrize(
    ("url", "limit"),
    [
        # Measured: 20, 20, 19, 7, 6, 4, 5 (session and user included); a little headroom for middleware.
        # The dashboard (also on "/") then gained the fieldwork panel (+6: bases 3, ledger 1, care 2) and the
        # training panel (+3): measured 31 for both.
        ("/", 33),
        ("/analytics/", 33),
        ("/analytics/report/", 23),
        ("/analytics/alerts/", 10),
        ("/analytics/cohorts/mentor_missing/", 10),
        ("/api/analytics/structure/", 8),
        ("/api/analytics/alerts/", 9),
    ],
)
def test_query_counts_are_pinned(city, client_for, django_assert_max_num_queries, url, limit):
    """Each page has a fixed query budget, and the count does not grow with the number of rows shown."""
    client = client_for("orgdept")
    _grow(city, 2)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _grow(city, 8)
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as big:
        client.get(url)
    assert len(big) == len(small), f"{url}: {len(small)} → {len(big)} queries as rows grew"


def test_large_scopes_keep_dashboard_figures_a_minute_small_ones_never(stats_city, settings, monkeypatch):
    from django.core.cache import cache

    from miaopu.apps.analytics import figcache, views

    cache.clear()
    user = stats_city.users["orgdept"]
    today = dt.date.today()
    first = views.cached_structure(user, params={}, as_of=today)
    make_cadre(stats_city.organ, "新来的", add_months(today, -12 * 30))
    assert views.cached_structure(user, params={}, as_of=today).total == first.total + 1  # small city: fresh
    monkeypatch.setattr(figcache, "CACHE_MIN_CADRES", 1)  # pretend the city is province-sized
    cached = views.cached_structure(user, params={}, as_of=today)
    make_cadre(stats_city.organ, "又来的", add_months(today, -12 * 30))
    assert views.cached_structure(user, params={}, as_of=today).total == cached.total  # kept
    assert views.cached_structure(stats_city.users["orgdept_a"], params={}, as_of=today).total == 4  # per scope
    settings.MIAOPU_ANALYTICS_CACHE_SECONDS = 0
    assert views.cached_structure(user, params={}, as_of=today).total == cached.total + 1  # turned off
    cache.clear()


def test_training_and_fieldwork_panels_are_kept_only_for_large_scopes(stats_city, monkeypatch):
    from django.core.cache import cache

    from miaopu.apps.analytics import figcache, views

    cache.clear()
    calls = {"training": 0, "fieldwork": 0}

    def counting(kind):
        def figures(user, *, unit, as_of):
            calls[kind] += 1
            return {"kind": kind, "scope": user.scope_unit_id}

        return figures

    monkeypatch.setattr(views, "_training_figures", counting("training"))
    monkeypatch.setattr(views, "_fieldwork_figures", counting("fieldwork"))
    user = stats_city.users["orgdept"]
    for _ in range(2):
        views.dashboard_context(user)
    assert calls == {"training": 2, "fieldwork": 2}  # small city: counted on every view
    monkeypatch.setattr(figcache, "CACHE_MIN_CADRES", 1)  # pretend the city is province-sized
    for _ in range(2):
        context = views.dashboard_context(user)
    assert calls == {"training": 3, "fieldwork": 3}  # counted once, then kept
    assert context["fieldwork"] == {"kind": "fieldwork", "scope": user.scope_unit_id}
    views.dashboard_context(stats_city.users["orgdept_a"])
    assert calls == {"training": 4, "fieldwork": 4}  # another scope has its own figures
    cache.clear()
