"""The demo city gets believable growth files: three years of grades, entries, talks, pools — reproducibly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count

from miaopu.apps.assessments.models import Assessment
from miaopu.apps.cadres.models import Cadre
from miaopu.apps.core import demo as city_demo
from miaopu.apps.core.models import User
from miaopu.apps.growth import demo
from miaopu.apps.growth.models import GrowthEntry, Punishment, Talk
from miaopu.apps.growth.timeline import build_timeline
from miaopu.apps.pools.models import PoolEntry

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 5, 20)


def _snapshot() -> tuple:
    return (
        sorted(Assessment.objects.values_list("cadre__code", "year", "kind", "grade")),
        sorted(GrowthEntry.objects.values_list("cadre__code", "kind", "date", "title")),
        sorted(PoolEntry.objects.values_list("cadre__code", "pool", "date")),
    )


def test_populate_writes_a_few_years_of_history():
    city_demo.generate(cadres=400, seed=5, today=TODAY)
    counts = demo.populate(seed=5, today=TODAY)
    cadres = Cadre.objects.count()
    annual = Assessment.objects.filter(kind="annual")
    assert sorted(set(annual.values_list("year", flat=True))) == [2023, 2024, 2025]
    assert annual.count() > 0.9 * cadres * 3 * 0.9
    # the database's own rule holds: one annual grade per cadre per year
    assert not annual.values("cadre", "year").annotate(n=Count("id")).filter(n__gt=1).exists()
    share = annual.filter(grade="excellent").count() / annual.count()
    assert 0.08 < share < 0.22
    assert set(GrowthEntry.objects.values_list("kind", flat=True)) >= {
        "achievement",
        "mass_evaluation",
        "reward",
        "training",
        "care",
        "promotion",
    }
    assert Talk.objects.exists() and PoolEntry.objects.filter(pool="talent").exists()
    assert counts["assessments"] == Assessment.objects.count()
    # the demo cadre account opens a rich file
    user = User.objects.get(username="cadre")
    kinds = {i.kind for i in build_timeline(user, user.cadre)}
    assert kinds >= {"experience", "assessment", "achievement", "mass_evaluation", "reward", "training"}
    orgdept = User.objects.get(username="orgdept")
    assert {"talk", "pool"} <= {i.kind for i in build_timeline(orgdept, user.cadre)}
    # punished cadres carry a promotion bar
    assert all(p.blocks_until > p.date for p in Punishment.objects.all())


def test_same_seed_same_files():
    city_demo.generate(cadres=150, seed=9, today=TODAY)
    demo.populate(seed=9, today=TODAY)
    first = _snapshot()
    demo.wipe()
    assert not Assessment.objects.exists() and not GrowthEntry.objects.exists()
    demo.populate(seed=9, today=TODAY)
    assert _snapshot() == first
