"""The demo city has bases, ledgers and care records; each appears in the growth files and the dashboard counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import models

from miaopu.apps.analytics import alerts
from miaopu.apps.analytics.models import Alert
from miaopu.apps.core import demo as city_demo
from miaopu.apps.core.models import User
from miaopu.apps.fieldwork import demo
from miaopu.apps.fieldwork.figures import dashboard_figures
from miaopu.apps.fieldwork.models import CareContact, LedgerItem, LedgerTaker, PracticeBase
from miaopu.apps.growth.timeline import build_timeline
from miaopu.apps.programmes.models import Placement

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def test_demo_city_field_work():
    result = city_demo.generate(cadres=600, seed=7, today=TODAY, history=True)
    c = result.counts
    assert c["growth_practice_bases"] == PracticeBase.objects.count() >= 8
    assert c["growth_certified_bases"] >= 3 and c["growth_certified_bases"] < c["growth_practice_bases"]
    assert c["growth_ledger_items"] == LedgerItem.objects.count() > 0
    assert c["growth_care_contacts"] == CareContact.objects.count() > 0
    running = Placement.objects.filter(status="active", batch__template__code="sixiaji-practice")
    practice = Placement.objects.filter(batch__template__code="sixiaji-practice")
    assert running.exists() and c["growth_practice_placements"] == practice.count()
    # Two running 墩苗 intakes, placed 23 and 13 months ago in towns: away from home for more than a year.
    grounding = Placement.objects.filter(batch__template__code="dunmiao", status="active")
    assert c["growth_grounding_placements"] == grounding.count() >= 4
    assert grounding.values("batch").distinct().count() == 2
    orgdept = User.objects.get(username="orgdept")
    f = dashboard_figures(user=orgdept, as_of=TODAY)
    assert f["bases"]["total"] == PracticeBase.objects.count()
    assert f["bases"]["certified"] == c["growth_certified_bases"]
    assert f["bases"]["in_use"] == running.count() and f["bases"]["in_use"] <= f["bases"]["capacity"]
    assert f["ledger"]["total"] == LedgerItem.objects.count()
    assert {s["code"] for s in f["ledger"]["by_status"] if s["n"]} >= {"done", "in_progress"}
    assert f["care"]["flagged"] > 0 and 0 < f["care"]["contacted"] < f["care"]["flagged"]
    separated = {s["code"]: s["n"] for s in f["care"]["by_flag"]}["separated"]
    assert separated == grounding.exclude(cadre__unit__district=models.F("host_unit__district")).count() > 0
    alerts.refresh(as_of=TODAY, kinds=["term_ending"])
    ending = set(Alert.objects.filter(kind="term_ending").values_list("cadre_id", flat=True))
    last_year = grounding.order_by("start").first().batch
    assert set(grounding.filter(batch=last_year).values_list("cadre_id", flat=True)) <= ending
    # Ledger items and care contacts appear on the growth files.
    taker = LedgerTaker.objects.order_by("id").first()
    assert "practical_affair" in {i.kind for i in build_timeline(orgdept, taker.cadre)}
    counselled = CareContact.objects.filter(kind="counselling").order_by("id").first()
    assert "counselling" in {i.kind for i in build_timeline(orgdept, counselled.cadre)}
    visited = CareContact.objects.filter(kind="visit").order_by("id").first()
    assert "care" in {i.kind for i in build_timeline(orgdept, visited.cadre)}
    # The care alert counts the overdue ones (the dashboard's alert table).
    alerts.refresh(as_of=TODAY, kinds=["care_overdue"])
    assert Alert.objects.filter(kind="care_overdue").count() == f["care"]["overdue"] > 0
    # The same seed gives the same field work; --force removes it (and the demo's practice batches) cleanly.
    first = sorted(LedgerItem.objects.values_list("village__name", "raised_on", "status"))
    demo.wipe()
    city_demo.wipe()
    city_demo.generate(cadres=600, seed=7, today=TODAY, history=True)
    assert sorted(LedgerItem.objects.values_list("village__name", "raised_on", "status")) == first
