"""``miaopu stats``: the JSON shape, the numbers, the scope and the audit record."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from miaopu.apps.core.models import AuditEvent
from miaopu.domain.dates import age_on

from .conftest import in_scope

pytestmark = pytest.mark.django_db

KEYS = ["as_of", "cadres", "average_age", "women", "non_party", "by_age_band", "by_source", "by_education"]


def run(*args: str) -> dict:
    out = io.StringIO()
    call_command("stats", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_json_shape_and_numbers(stats_city):
    data = run()
    assert list(data) == KEYS
    assert list(data["by_age_band"]) == ["<=30", "31-35", "36-40", "41-45", "46-50", "51-55", ">=56"]
    assert list(data["by_source"]) == [
        "selected_graduate", "recruited_talent", "civil_exam", "institution_hire", "military", "other",
    ]  # fmt: skip
    assert list(data["by_education"]) == [
        "doctorate", "master", "bachelor", "college", "secondary", "high_school", "unknown",
    ]  # fmt: skip
    today = dt.date.today()
    active = [c for c in in_scope(stats_city, "orgdept") if c.status == "active"]
    ages = [age_on(c.birth_date, today) for c in active]
    assert data["as_of"] == today.isoformat()
    assert data["cadres"] == len(active) == 13
    assert data["average_age"] == round(sum(ages) / len(ages) + 1e-9, 1)
    assert data["women"] == 6 and data["non_party"] == 5
    assert data["by_source"]["civil_exam"] == sum(c.source == "civil_exam" for c in active)
    assert data["by_source"]["selected_graduate"] == 2  # 林晓明, 乙一
    assert data["by_education"]["unknown"] == 1 and data["by_education"]["doctorate"] == 1
    assert sum(data["by_age_band"].values()) == data["cadres"]
    assert isinstance(data["average_age"], float)


def test_unit_and_user_scope(stats_city):
    city = stats_city
    district = run("--unit", str(city.district_b.pk))
    assert district["cadres"] == 4
    assert run("--unit", "西山县")["cadres"] == 4
    assert run("--user", "officer_b")["cadres"] == 4
    assert run("--user", "orgdept_a")["cadres"] == 4  # 王海 李娜 乙一 乙二
    with pytest.raises(CommandError, match="不在管理范围内"):
        run("--user", "orgdept_a", "--unit", str(city.district_b.pk))
    with pytest.raises(CommandError, match="不能统计"):
        run("--user", "mentor")
    with pytest.raises(CommandError, match="不能统计"):
        run("--user", "sysadmin")


def test_as_of_counts_ages_on_that_date(stats_city):
    later = dt.date.today() + dt.timedelta(days=1)
    data = run("--as-of", later.isoformat())
    assert data["as_of"] == later.isoformat()
    now = run()
    # 乙一 turns 36 tomorrow: one fewer in 31—35, one more in 36—40.
    assert data["by_age_band"]["31-35"] == now["by_age_band"]["31-35"] - 1
    assert data["by_age_band"]["36-40"] == now["by_age_band"]["36-40"] + 1
    with pytest.raises(CommandError, match="格式不对"):
        run("--as-of", "2026-13-01")


def test_each_run_is_an_audited_export(stats_city):
    before = AuditEvent.objects.filter(action="export", object_type="analytics.stats").count()
    run("--user", "orgdept")
    run()
    events = list(AuditEvent.objects.filter(action="export", object_type="analytics.stats").order_by("id"))
    assert len(events) == before + 2
    assert events[-2].actor_name == "orgdept" and events[-1].actor_name == "system"
    assert events[-1].detail["cadres"] == 13


def test_text_format(stats_city):
    out = io.StringIO()
    call_command("stats", stdout=out)
    text = out.getvalue()
    assert "在职干部 13 人" in text and "年龄段" in text
