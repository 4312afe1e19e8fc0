"""The dashboard's field-work figures equal an independent count on hand-built data, and link to their lists."""

from __future__ import annotations

import datetime as dt

import pytest

from miaopu.apps.cadres.models import Cadre
from miaopu.apps.core.testing import make_cadre, make_unit
from miaopu.apps.fieldwork import services
from miaopu.apps.fieldwork.figures import dashboard_figures
from miaopu.apps.fieldwork.models import CareContact, LedgerItem, PracticeBase
from miaopu.apps.fieldwork.testing import make_base
from miaopu.apps.programmes.models import Placement

from .conftest import actor, practice_batch, young

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def field_city(city):
    a = actor(city)
    # Bases: 红旗村 (certified, 20); 石门村 certified 4; 溪口村 expired; 上洋村 (西山县) never assessed.
    shimen = make_base(make_unit("青石镇石门村", "village", city.town_a), capacity=4)
    make_base(
        make_unit("青石镇溪口村", "village", city.town_a),
        capacity=9,
        assessed_on=dt.date(2019, 1, 1),
        valid_until=dt.date(2021, 1, 1),
    )
    make_base(make_unit("白沙镇上洋村", "village", city.town_b), capacity=7, certified=False)
    # Three cadres in practice now at 石门村, one at 红旗村 whose practice ended last year.
    people = [young(city, f"实{i}") for i in range(3)]
    batch, slot, candidates = practice_batch(city, people, shimen.unit)
    from miaopu.apps.programmes import services as ps

    for c in candidates:
        ps.assignment_set(actor=a, candidate=c, slot=slot)
    ps.batch_approve(actor=a, batch=batch)
    ps.placements_create(actor=a, batch=batch, start=TODAY - dt.timedelta(days=3))
    old = young(city, "旧实践")
    b2, s2, (c2,) = practice_batch(city, [old], city.village_a)
    ps.assignment_set(actor=a, candidate=c2, slot=s2)
    ps.batch_approve(actor=a, batch=b2)
    (p,) = ps.placements_create(actor=a, batch=b2, start=TODAY - dt.timedelta(days=400))
    ps.placement_term_end_assess(actor=a, placement=p, grade="competent", end=TODAY - dt.timedelta(days=385))
    # Ledger: 4 items of district A cadres (2 done: satisfied, unsatisfied; 1 impossible; 1 accepted) and 1 of B.
    c = city.cadres

    def new(cadre, **extra):  # noqa: E306
        data = {"village": city.village_a, "category": "other", "description": "事", "raised_on": TODAY}
        entry = services.ledger_create(actor=a, data=data, cadres=[cadre])
        if extra:
            services.ledger_update(actor=a, item=entry, data={"closed_on": TODAY, **extra})
        return entry

    new(c["village_a"], status="done", outcome="好", satisfaction="satisfied")
    new(c["town_a"], status="done", outcome="好", satisfaction="unsatisfied")
    new(people[0], status="impossible", status_reason="超出政策")
    new(c["village_a"])
    new(c["town_b"], status="done", outcome="好", satisfaction="basic")
    # Care: 赵强 (remote, B) contacted 10 days ago; two non-local cadres in A, one contacted 100 days ago.
    services.care_create(
        actor=a,
        cadre=c["town_b"],
        data={"date": TODAY - dt.timedelta(days=10), "kind": "visit", "contact_by": "x", "summary": "y"},
    )
    n1 = make_cadre(city.town_a, "外一", dt.date(1993, 1, 1), hukou="nonlocal")
    make_cadre(city.village_a, "外二", dt.date(1996, 1, 1), hukou="nonlocal")
    services.care_create(
        actor=a,
        cadre=n1,
        data={"date": TODAY - dt.timedelta(days=100), "kind": "talk", "contact_by": "x", "summary": "y"},
    )
    return city


def independent(city, role):
    """Counted by hand from the rows, without the selectors."""
    root = city.users[role].scope_unit
    bases = [b for b in PracticeBase.objects.select_related("unit") if b.unit.path.startswith(root.path)]
    certified = [
        b
        for b in bases
        if b.certifications.filter(certified=True, valid_from__lte=TODAY, valid_until__gte=TODAY).exists()
    ]
    in_use = [
        p
        for p in Placement.objects.all()
        if p.host_unit_id in {b.unit_id for b in bases} and p.start <= TODAY <= (p.actual_end or p.planned_end)
    ]
    items = [
        i for i in LedgerItem.objects.all() if any(t.cadre.unit.path.startswith(root.path) for t in i.takers.all())
    ]
    cadres = [c for c in Cadre.objects.select_related("unit") if c.unit.path.startswith(root.path)]
    flagged = [
        c for c in cadres if c.hukou == "nonlocal" or c.unit.is_remote or (c.unit.parent_id and c.unit.parent.is_remote)
    ]
    contacted = [
        c for c in flagged if CareContact.objects.filter(cadre=c, date__gte=TODAY - dt.timedelta(days=90)).exists()
    ]
    return {
        "bases": (len(bases), len(certified), sum(b.capacity for b in certified), len(in_use)),
        "ledger": (
            len(items),
            {s: sum(1 for i in items if i.status == s) for s in ("accepted", "in_progress", "done", "impossible")},
            sum(1 for i in items if i.satisfaction in ("satisfied", "basic")),
            sum(1 for i in items if i.satisfaction),
        ),
        "care": (len(flagged), len(contacted)),
    }


@pytest.mark.parametrize("role", ["orgdept", "orgdept_a", "officer_b"])
def test_dashboard_figures_equal_an_independent_count(field_city, role):
    city = field_city
    f = dashboard_figures(user=city.users[role])
    got = {
        "bases": (f["bases"]["total"], f["bases"]["certified"], f["bases"]["capacity"], f["bases"]["in_use"]),
        "ledger": (
            f["ledger"]["total"],
            {s["code"]: s["n"] for s in f["ledger"]["by_status"]},
            f["ledger"]["satisfied"],
            f["ledger"]["rated"],
        ),
        "care": (f["care"]["flagged"], f["care"]["contacted"]),
    }
    assert got == independent(city, role)


def test_the_known_figures_of_the_whole_city(field_city):
    f = dashboard_figures(user=field_city.users["orgdept"])
    assert (f["bases"]["total"], f["bases"]["certified"], f["bases"]["capacity"], f["bases"]["in_use"]) == (4, 2, 24, 3)
    assert f["ledger"]["total"] == 5 and f["ledger"]["solved"] == 3 and str(f["ledger"]["satisfaction_share"]) == "66.7"
    assert (f["care"]["flagged"], f["care"]["contacted"], f["care"]["overdue"]) == (3, 1, 2)
    assert {b["code"]: b["n"] for b in f["care"]["by_flag"]} == {"nonlocal": 2, "remote": 1, "separated": 0}
    assert f["care"]["overdue_link"] == "/fieldwork/care/?contact=overdue"


def test_dashboard_shows_the_panel_and_the_links_open_the_same_rows(field_city, client_for):
    body = client_for("orgdept").get("/analytics/").content.decode()
    assert 'id="fieldwork"' in body and "/fieldwork/care/?contact=overdue" in body
    overdue = client_for("orgdept").get("/fieldwork/care/?contact=overdue").content.decode()
    assert "外一" in overdue and "外二" in overdue and "赵强" not in overdue
    done = client_for("orgdept").get("/fieldwork/ledger/?status=done").content.decode()
    assert done.count("/fieldwork/ledger/") - done.count('href="/fieldwork/ledger/?') >= 3
    assert client_for("mentor").get("/analytics/").status_code == 403
