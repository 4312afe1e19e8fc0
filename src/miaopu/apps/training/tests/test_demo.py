"""The demo city has courses (one theme per county), classes with rankings, orders and awarded topics; they
appear on the demo accounts' growth files and in the dashboard counts; the same seed gives the same data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count

from miaopu.apps.core import demo as city_demo
from miaopu.apps.core.models import User
from miaopu.apps.growth.timeline import build_timeline
from miaopu.apps.training import demo
from miaopu.apps.training.models import Course, Enrolment, ResearchTopic, TrainingClass, TrainingOrder
from miaopu.apps.training.selectors import dashboard_figures, topic_list

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 5, 20)


def _snapshot() -> tuple:
    return (
        sorted(Enrolment.objects.values_list("klass__name", "klass__grade", "cadre__code", "rank", "total")),
        sorted(TrainingOrder.objects.values_list("unit__name", "custom_topic", "course__topic", "status")),
        sorted(
            (t.title, t.award, tuple(sorted(t.owners.values_list("code", flat=True))))
            for t in ResearchTopic.objects.all()
        ),
    )


def test_demo_training(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    city_demo.generate(cadres=400, seed=5, today=TODAY)
    counts = demo.populate(seed=5, today=TODAY)
    assert counts["classes"] == 3 and counts["topics"] == 6 and counts["enrolments"] >= 50
    # one theme per county
    per_county = Course.objects.exclude(county=None).values("county").annotate(n=Count("theme", distinct=True))
    assert per_county and all(row["n"] == 1 for row in per_county)
    assert Course.objects.values("form").distinct().count() >= 5
    closed = TrainingClass.objects.filter(status="closed")
    assert closed.count() == 2 and TrainingClass.objects.filter(kind="camp", grade="二年级", status="running").exists()
    for klass in closed:
        ranks = sorted(klass.enrolments.exclude(rank=None).values_list("rank", flat=True))
        assert ranks[0] == 1 and len(ranks) == klass.enrolments.exclude(status="withdrawn").count()
    assert TrainingOrder.objects.filter(status="scheduled", session__isnull=False).exists()
    assert TrainingOrder.objects.filter(cadre=None).exists()
    assert set(ResearchTopic.objects.exclude(award="").values_list("award", flat=True)) == {"first", "second", "third"}
    # the demo accounts see it
    cadre_user = User.objects.get(username="cadre")
    kinds = {i.kind for i in build_timeline(cadre_user, cadre_user.cadre)}
    assert {"training", "research"} <= kinds
    mentor = User.objects.get(username="mentor")
    assert topic_list(user=mentor).exists()
    officer = User.objects.get(username="officer")
    figures = {f.key: f.value for f in dashboard_figures(user=officer, as_of=TODAY)}
    assert figures["trainees"] >= 1
    city = {f.key: f.value for f in dashboard_figures(user=User.objects.get(username="orgdept"), as_of=TODAY)}
    assert city["classes"] == 2 and city["trainees"] >= 35  # this year's two camps
    # reproducible
    first = _snapshot()
    demo.wipe()
    assert not TrainingClass.objects.exists() and not Course.objects.exists()
    demo.populate(seed=5, today=TODAY)
    assert _snapshot() == first


def test_generate_with_history_includes_training(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    result = city_demo.generate(cadres=150, seed=3, today=TODAY, history=True)
    assert result.counts["growth_training_classes"] == 3 and TrainingClass.objects.count() == 3
    city_demo.generate(cadres=150, seed=3, today=TODAY, replace=True)
    assert not TrainingClass.objects.exists()
