"""The roster's speed-ups for 200,000 cadres (issue 9) give the same answers, and query counts are pinned so an
N+1 regression fails: the roster (with each filter), the cadre file, the cadre API list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from miaopu.apps.cadres import roster
from miaopu.apps.cadres.filtersets import CadreFilterSet
from miaopu.apps.cadres.models import Cadre, Experience
from miaopu.apps.core.testing import make_cadre

pytestmark = pytest.mark.django_db


def _grow(city, n: int, prefix: str = "G") -> None:
    """n more cadres in 青石镇 (orgdept_a's district), each with three experience entries."""
    for i in range(n):
        cadre = make_cadre(city.town_a, f"陈{prefix}{i:03d}", dt.date(1990, 1, 1 + i % 28), code=f"{prefix}{i:05d}")
        for year, unit in ((2012, city.village_a), (2015, city.town_a), (2019, city.organ)):
            Experience.objects.create(cadre=cadre, start=dt.date(year, 8, 1), unit=unit, post_title="科员")


# ---- the name search: the same rows as name__contains | code__iexact --------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "陈",
        "陈静",
        "静",
        "晓明",
        "林晓明",
        "明晓",
        "王海 ",
        "t000001",
        "T000001",
        "%",
        "_",
        "陈%",
        "海王",
        "Ｔ",
        "不存在",
    ],
)
def test_name_search_matches_the_plain_definition(city, q):
    make_cadre(city.organ, "静陈", dt.date(1991, 3, 3))  # both characters, the other way round
    make_cadre(city.organ, "陈%明", dt.date(1991, 3, 4))  # a LIKE wildcard in a name
    make_cadre(city.organ, "王_海", dt.date(1991, 3, 5))
    value = q.strip()
    expected = set(Cadre.objects.filter(Q(name__contains=value) | Q(code__iexact=value)).values_list("pk", flat=True))
    found = CadreFilterSet({"q": q}, queryset=Cadre.objects.all()).qs
    assert set(found.values_list("pk", flat=True)) == expected
    if q == "陈":
        assert len(expected) == 3  # 陈静, 静陈, 陈%明: a real computed set, not an empty one


# ---- query counts --------------------------------------------------------------------------------------------------

ROSTER_URLS = [
    "/cadres/",
    "/cadres/?q=陈",
    "/cadres/?q=陈G",
    "/cadres/?age_max=35&rural=no",
    "/cadres/?rural=yes&gender=male",
    "/cadres/?unit={district_a}",
    "/cadres/?sort=-birth_date&page=2",
]


@pytest.mark.parametrize("url", ROSTER_URLS)
def test_roster_query_count_is_pinned_and_does_not_grow(client_for, city, url, django_assert_max_num_queries):
    """Session, user, scope unit, the count cache (a table with the default cache backend), the count, one page,
    the unit outline, the chosen unit: 8 at most, whatever the number of rows."""
    url = url.format(district_a=city.district_a.pk)
    client = client_for("orgdept")
    _grow(city, 3)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _grow(city, 60, prefix="H")
    with django_assert_max_num_queries(8), CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200 and len(response.context["page_obj"]) > 0
    assert len(many.captured_queries) == len(few.captured_queries), url


def test_cadre_file_query_count_does_not_grow_with_its_history(client_for, city, django_assert_max_num_queries):
    cadre = city.cadres["town_a"]
    client = client_for("orgdept")
    url = f"/cadres/{cadre.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for year in range(1990, 2016):
        Experience.objects.create(cadre=cadre, start=dt.date(year, 1, 1), unit=city.village_a, post_title=f"{year}")
    # 27 measured: the file, its access record, the timeline and one query per section other apps add to the page
    # (programmes, mentoring, assessments, pools, growth, training, fieldwork); a little headroom for a new section.
    with django_assert_max_num_queries(32), CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["timeline"]) == 27
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize("query", ["", "?q=陈", "?rural=no", "?page_size=200"])
def test_api_list_query_count_is_pinned_and_does_not_grow(client_for, city, query, django_assert_max_num_queries):
    client = client_for("orgdept")
    url = f"/api/cadres/{query}"
    _grow(city, 3)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _grow(city, 60, prefix="H")
    # Session, user, the count cache, the count, one page (labels, units and ages come with the rows).
    with django_assert_max_num_queries(6), CaptureQueriesContext(connection) as many:
        data = client.get(url).json()
    assert data["count"] > 0 and len(data["results"]) > 0
    assert len(many.captured_queries) == len(few.captured_queries), url


# ---- labels, the unit outline, the count cache ---------------------------------------------------------------------


def test_api_labels_equal_get_display(client_for, city):
    _grow(city, 3)
    rows = client_for("orgdept").get("/api/cadres/?page_size=100").json()["results"]
    cadres = {c.pk: c for c in Cadre.objects.all()}
    fields = ["gender", "hukou", "political_status", "fulltime_education", "fulltime_degree", "source", "status",
              "leadership_level", "rank", "post_category", "inservice_education", "inservice_degree"]  # fmt: skip
    for row in rows:
        cadre = cadres[row["id"]]
        for name in fields:
            assert row[f"{name}_display"] == getattr(cadre, f"get_{name}_display")(), (name, row[name])
    assert {row["political_status_display"] for row in rows} >= {"中共党员", "群众"}


def test_roster_labels_and_unit_outline(client_for, city):
    html = client_for("orgdept_a").get(f"/cadres/?unit={city.town_a.pk}").content.decode()
    assert '<option value="">全部单位</option>' in html  # a unit is chosen: "all" is not selected
    assert f'<option value="{city.district_a.pk}">东湖区</option>' in html  # the scope root, not indented
    assert f'<option value="{city.town_a.pk}" selected>　东湖区青石镇</option>' in html
    assert f'<option value="{city.village_a.pk}">　　青石镇红旗村</option>' in html
    assert "西山县" not in html  # another district: not offered
    assert "<td>男</td>" in html and "<td>中共党员</td>" in html and "<td>大学本科</td>" in html


def test_large_counts_are_cached_small_ones_never(client_for, city, monkeypatch, settings):
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(roster, "LARGE_COUNT", 5)
    client = client_for("orgdept")
    assert client.get("/cadres/").context["page_obj"].paginator.count == 6
    make_cadre(city.organ, "新来的", dt.date(1995, 5, 5))
    # 6 ≥ LARGE_COUNT: the count of the same query is kept (the rows themselves are always fresh) …
    page = client.get("/cadres/").context["page_obj"]
    assert page.paginator.count == 6 and "新来的" in {c.name for c in page}
    # … a small one (the district) never is; nor is anything with the cache turned off.
    assert client.get(f"/cadres/?unit={city.district_a.pk}").context["page_obj"].paginator.count == 2
    make_cadre(city.town_a, "又来的", dt.date(1995, 5, 6))
    assert client.get(f"/cadres/?unit={city.district_a.pk}").context["page_obj"].paginator.count == 3
    settings.MIAOPU_ROSTER_COUNT_CACHE_SECONDS = 0
    assert client.get("/cadres/").context["page_obj"].paginator.count == 8
    assert client.get("/api/cadres/").json()["count"] == 8
