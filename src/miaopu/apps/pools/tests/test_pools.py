"""The talent and reserve pools: entries with source/date/reason/exit, programme term-end results feeding the
reserve pool, the workbook export, and scoping (组织部 only, own scope only)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from python_calamine import CalamineWorkbook

from miaopu.apps.core.audit import Actor
from miaopu.apps.pools import services
from miaopu.apps.pools.models import PoolEntry
from miaopu.apps.programmes import services as programme_services
from miaopu.apps.programmes.models import Batch, Candidate, Placement, ProgrammeTemplate, ReservePoolEntry

pytestmark = pytest.mark.django_db


def add(city, key: str, pool: str = "talent", **extra) -> PoolEntry:
    data = {
        "pool": pool,
        "tier": "county",
        "category": "grassroots",
        "source": "annual",
        "date": dt.date(2025, 3, 1),
        "reason": "2024 年度考核优秀",
        **extra,
    }
    return services.pool_entry_add(actor=Actor.cli(city.users["orgdept"]), cadre=city.cadres[key], data=data)


def test_entry_and_exit_with_reasons(city):
    entry = add(city, "town_b")
    with pytest.raises(ValidationError) as exc:
        add(city, "town_b")
    assert "赵强 自 2025-03-01 起已在优秀年轻干部信息库中，不能重复入库" in str(exc.value)
    add(city, "town_b", pool="reserve")  # the other pool is another list
    with pytest.raises(ValidationError) as exc:
        services.pool_entry_exit(
            actor=Actor.cli(city.users["orgdept"]), entry=entry, date=dt.date(2025, 1, 1), reason=""
        )
    assert set(exc.value.message_dict) == {"exit_date", "exit_reason"}
    services.pool_entry_exit(
        actor=Actor.cli(city.users["orgdept"]), entry=entry, date=dt.date(2025, 9, 1), reason="已提拔任用"
    )
    add(city, "town_b", date=dt.date(2025, 10, 1))  # after leaving, they may come back
    assert PoolEntry.objects.filter(pool="talent", cadre=city.cadres["town_b"]).count() == 2


def test_programme_term_end_excellent_lands_in_the_reserve_pool(city):
    cadre = city.cadres["town_a"]
    template = ProgrammeTemplate.objects.get(code="two-way")
    batch = Batch.objects.create(
        template=template,
        version=template.current_version,
        name="2024 年双向挂职",
        year=2024,
        as_of=dt.date(2024, 3, 1),
        scope_unit=city.root,
        status="placed",
    )
    candidate = Candidate.objects.create(batch=batch, cadre=cadre, eligible=True, evaluated_on=dt.date(2024, 3, 1))
    placement = Placement.objects.create(
        candidate=candidate,
        batch=batch,
        cadre=cadre,
        host_unit=city.organ,
        post_title="科长助理",
        start=dt.date(2024, 4, 1),
        planned_end=dt.date(2026, 3, 31),
    )
    programme_services.placement_term_end_assess(
        actor=Actor.cli(city.users["orgdept"]), placement=placement, grade="excellent", end=dt.date(2026, 3, 31)
    )
    programme_record = ReservePoolEntry.objects.get(cadre=cadre)
    entry = PoolEntry.objects.get(cadre=cadre)
    assert (entry.pool, entry.source, entry.date) == ("reserve", "batch", dt.date(2026, 3, 31))
    assert entry.source_batch == batch and entry.source_placement == placement
    assert entry.programme_entry == programme_record
    assert "期满考核优秀" in entry.reason


def test_pool_pages_are_for_orgdept_in_scope(city, client_for):
    mine, other = add(city, "town_a"), add(city, "town_b")
    client = client_for("orgdept_a")
    text = client.get("/pools/talent/").content.decode()
    assert "王海" in text and "赵强" not in text
    assert client.get(f"/pools/entries/{other.pk}/exit/").status_code == 404
    assert client.get(f"/pools/entries/{mine.pk}/exit/").status_code == 200
    for role in ("officer_b", "mentor", "cadre", "auditor"):
        assert client_for(role).get("/pools/talent/").status_code == 403
        assert client_for(role).get("/api/pool-entries/").status_code == 403
    assert client.get("/pools/nonsense/").status_code == 404


def test_add_by_code_refuses_cadres_out_of_scope(city, client_for):
    client = client_for("orgdept_a")
    data = {
        "code": city.cadres["town_b"].code,
        "pool": "talent",
        "source": "special",
        "date": "2025-05-01",
        "reason": "专项推荐",
    }
    response = client.post("/pools/entries/new/", data)
    assert response.status_code == 200 and "找不到该人员编号" in response.content.decode()
    data["code"] = city.cadres["town_a"].code
    assert client.post("/pools/entries/new/", data).status_code == 302
    assert PoolEntry.objects.get().cadre == city.cadres["town_a"]


def test_export_is_a_workbook_of_the_filtered_list(city, client_for):
    add(city, "town_a", category="grassroots")
    add(city, "organ", tier="city", category="party_gov", reason="专项推荐", source="special")
    response = client_for("orgdept").get("/pools/talent/export.xlsx?category=grassroots")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0][:6] == ["姓名", "人员编号", "性别", "出生日期", "年龄", "现工作单位"]
    assert [(r[0], r[9], r[10], r[11]) for r in rows[1:]] == [("王海", "县管", "基层治理", "年度考核")]
    everyone = client_for("orgdept_a").get("/pools/talent/export.xlsx")
    names = [
        r[0] for r in CalamineWorkbook.from_filelike(io.BytesIO(everyone.content)).get_sheet_by_index(0).to_python()[1:]
    ]
    assert names == ["王海"]  # 林晓明 is outside 东湖区


def test_api_adds_through_the_service(city, client_for):
    client = client_for("orgdept")
    body = {
        "pool": "reserve",
        "cadre": city.cadres["district_b"].pk,
        "source": "squat",
        "date": "2025-06-01",
        "reason": "蹲点调研中发现",
    }
    assert client.post("/api/pool-entries/", body).status_code == 201
    again = client.post("/api/pool-entries/", body)
    assert again.status_code == 400 and "不能重复入库" in str(again.json())
