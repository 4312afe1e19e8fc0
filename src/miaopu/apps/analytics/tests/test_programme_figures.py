"""Programme figures (coverage by district, placements by region, promotions, mentoring) against hand counts."""

from __future__ import annotations

import datetime as dt

import pytest

from miaopu.apps.analytics import selectors
from miaopu.apps.cadres.models import Cadre
from miaopu.apps.programmes.models import Candidate, Placement

from .conftest import place

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme_city(stats_city):
    city = stats_city
    today = dt.date.today()
    c = city.cadres
    batch, placements = place(
        city, "sixiaji-practice", [c["a1"], c["d2"]], city.village_a, today - dt.timedelta(days=5)
    )
    Cadre.objects.filter(pk=c["d2"].pk).update(leadership_level_since=today)  # promoted after the placement began
    city.batch = batch
    return city


def test_coverage_by_district_equals_the_stored_eligibility(programme_city):
    city = programme_city
    p = selectors.programme_figures(user=city.users["orgdept"])
    (cov,) = p.coverage
    assert cov["template"].code == "sixiaji-practice" and cov["target"] == 100 and cov["batch"] == city.batch
    eligible = Candidate.objects.filter(batch=city.batch, eligible=True).select_related("cadre__unit")
    placed = set(Placement.objects.filter(batch__template__code="sixiaji-practice").values_list("cadre_id", flat=True))
    by_region: dict[str, list[int]] = {}
    for cand in eligible:
        region = str(cand.cadre.unit.district_id) if cand.cadre.unit.district_id else "city"
        by_region.setdefault(region, [0, 0])
        by_region[region][0] += 1
        by_region[region][1] += cand.cadre_id in placed
    assert {r["region"]: [r["eligible"], r["covered"]] for r in cov["rows"]} == by_region
    assert (cov["eligible"], cov["covered"]) == (len(eligible), 2)
    assert cov["share"] == selectors.share(2, len(eligible))


def test_coverage_links_list_exactly_the_cadres(programme_city, client_for):
    city = programme_city
    client = client_for("orgdept")
    (cov,) = selectors.programme_figures(user=city.users["orgdept"]).coverage
    for row in cov["rows"]:
        for key in ("covered", "uncovered"):
            response = client.get(row[f"{key}_link"])
            assert response.status_code == 200
            assert response.context["page_obj"].paginator.count == row[key], (row["label"], key)
    names = {c.name for c in client.get(cov["uncovered_link"]).context["page_obj"]}
    assert "甲一" not in names and "丙二" not in names


def test_placements_promotions_and_mentoring(programme_city, client_for):
    city = programme_city
    p = selectors.programme_figures(user=city.users["orgdept"])
    assert p.placements_active == 2
    assert [(f.label, f.value) for f in p.placements_by_region] == [(city.district_a.name, 2)]  # hosted in 红旗村
    assert [(f.key, f.value) for f in p.placements_by_kind] == [("practice", 2)]
    assert p.promoted.value == 1  # 丙二: level since today, placement began 5 days ago; 甲一 has no level date
    # sixiaji-practice requires a 群众工作导师: neither placed cadre has one (甲一 has a business mentor only).
    assert (p.mentor_need.value, p.mentor_missing.value) == (2, 2)
    assert p.batches_by_template == [
        {**p.batches_by_template[0], "code": "sixiaji-practice", "total": 1, "counts": {"placed": 1}}
    ]
    client = client_for("orgdept")
    for figure in (p.promoted, p.mentor_missing, p.mentor_need, *p.placements_by_region, *p.placements_by_kind):
        response = client.get(figure.link)
        assert response.context["page_obj"].paginator.count == figure.value, figure.label
    assert client.get(p.placements_link).context["page_obj"].paginator.count == p.placements_active


def test_district_officer_gets_district_figures_only(programme_city):
    city = programme_city
    mine = selectors.programme_figures(user=city.users["orgdept_a"])
    # Neither placed cadre works in 东湖区 (甲一: municipal organ; 丙二: 西山县).
    assert (mine.placements_active, mine.promoted.value, mine.mentor_missing.value) == (0, 0, 0)
    (cov,) = mine.coverage
    assert {r["region"] for r in cov["rows"]} <= {str(city.district_a.pk)}
    assert selectors.programme_figures(user=city.users["officer_b"]) is None  # programmes are 组织部's


def test_reserve_pool_counts_term_end_records(programme_city):
    from miaopu.apps.programmes.models import ReservePoolEntry

    city = programme_city
    ReservePoolEntry.objects.create(cadre=city.cadres["d1"], reason="期满考核优秀", date=dt.date.today())
    ReservePoolEntry.objects.create(cadre=city.cadres["d1"], reason="再次", date=dt.date.today())
    p = selectors.programme_figures(user=city.users["orgdept"])
    if not p.talent_pool.get("available"):
        assert p.reserve_pool == 1  # one cadre, however many entries
