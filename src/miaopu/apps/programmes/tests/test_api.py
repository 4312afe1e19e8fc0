"""The programme endpoints: a 双向挂职 batch run entirely over the API, and the eligibility listing."""

from __future__ import annotations

import pytest

from miaopu.apps.core.models import AuditEvent
from miaopu.apps.programmes.models import ReservePoolEntry

pytestmark = pytest.mark.django_db

VETTING = {
    "political": "坚定", "moral": "端正", "achievement": "突出", "duty": "尽责", "integrity": "廉洁",
    "opinions": [{"department": "纪检监察机关", "opinion": "未发现问题"}, {"department": "卫健局", "opinion": "无"}],
    "vetted_on": "2025-03-10",
}  # fmt: skip


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_two_way_batch_over_the_api(client_for, roster):
    city = roster
    client = client_for("orgdept")
    response = post(client, "/api/programme-batches/", {"template": "two-way", "name": "2025 双向挂职", "year": 2025,
                                                        "as_of": "2025-03-01", "quotas": {"total": 15}})  # fmt: skip
    assert response.status_code == 201, response.json()
    batch = response.json()
    assert (batch["template"], batch["version"], batch["status"], batch["quotas"]["total"]) == (
        "two-way",
        1,
        "draft",
        15,
    )
    base = f"/api/programme-batches/{batch['id']}"
    bad = post(client, f"{base}/slots/", {"unit": city.town_a.pk, "post_title": "镇长助理"})
    assert bad.status_code == 400 and "双向挂职的接收岗位须注明接收哪一方" in str(bad.json())
    to_town = post(client, f"{base}/slots/", {"unit": city.town_a.pk, "post_title": "镇长助理", "side": "A"}).json()
    to_organ = post(client, f"{base}/slots/", {"unit": city.organ.pk, "post_title": "科员", "side": "B"}).json()
    evaluated = post(client, f"{base}/evaluate/").json()
    assert evaluated["status"] == "candidates" and evaluated["eligible_count"] >= 2

    people = client.get("/api/programme-candidates/", {"batch": batch["id"], "page_size": 200}).json()["results"]
    by_name = {row["cadre_name"]: row for row in people}
    a, b = by_name["唐双向"], by_name["田基层"]
    assert (a["group"], a["side"], b["group"], b["side"]) == ("市直", "A", "基层", "B")
    assert "年龄 30 岁，不超过 40 岁" in [r["text"] for r in a["reasons"]]
    for person in (a, b):
        assert post(client, f"/api/programme-candidates/{person['id']}/nominate/").json()["status"] == "nominated"
        vetted = post(client, f"/api/programme-candidates/{person['id']}/vetting/", VETTING)
        assert vetted.status_code == 200 and vetted.json()["status"] == "vetted"
    lonely = post(client, f"/api/programme-candidates/{a['id']}/assign/", {"slot": to_town["id"]})
    assert lonely.status_code == 400 and "成对互派" in str(lonely.json())
    paired = post(client, f"/api/programme-candidates/{a['id']}/assign/",
                  {"slot": to_town["id"], "partner": b["id"], "partner_slot": to_organ["id"]})  # fmt: skip
    assert paired.status_code == 200 and paired.json()["slot"] == to_town["id"]
    assert post(client, f"{base}/approve/").json()["status"] == "approved"
    assert post(client, f"{base}/place/", {"start": "2025-04-01"}).json()["status"] == "placed"

    profile = client.get(f"{base}/profile/").json()
    assert profile["basis"] == "已确定人选"
    assert [(line["label"], line["count"]) for line in profile["lines"]] == [("A 方（市直）", 1), ("B 方（基层）", 1)]
    assert profile["total"]["average_age"] == "31.0"  # 30 and 32 on 2025-03-01
    assert sorted((r["region"], r["share"]) for r in profile["regions"]) == [("东湖区", "50.0"), ("市直", "50.0")]

    placements = client.get("/api/programme-placements/", {"batch": batch["id"]}).json()["results"]
    assert {p["partner"] for p in placements} == {p["id"] for p in placements}
    mine = next(p for p in placements if p["cadre_name"] == "唐双向")
    assert (mine["host_unit_name"], mine["planned_end"], mine["kind"]) == ("东湖区青石镇", "2027-04-01", "secondment")
    early = post(client, f"/api/programme-placements/{mine['id']}/end/", {"end": "2025-09-01", "reason": ""})
    assert early.status_code == 400
    assessed = post(client, f"/api/programme-placements/{mine['id']}/assess/", {"grade": "excellent"})
    assert assessed.status_code == 200 and assessed.json()["grade"] == "excellent"
    assert ReservePoolEntry.objects.filter(cadre=city.cadres["twa"], source_batch_id=batch["id"]).exists()
    assert AuditEvent.objects.filter(source="api", object_type="programmes.placement").exists()


def test_eligible_endpoint_has_the_command_shape(client_for, roster):
    response = client_for("orgdept_a").get("/api/programme-templates/youth-camp/eligible/", {"as_of": "2025-03-01"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert all(set(row) == {"code", "name", "eligible", "group", "reasons"} for row in rows)
    yc = next(row for row in rows if row["name"] == "叶青训")
    assert (yc["eligible"], yc["group"]) == (True, "二年级")
    assert "【二年级】公务员工作年限 1 年，等于 1 年" in yc["reasons"]
    assert "林晓明" not in {row["name"] for row in rows}  # a municipal cadre, outside 东湖区
    assert client_for("orgdept").get("/api/programme-templates/youth-camp/eligible/", {"as_of": "x"}).status_code == 400


def test_templates_are_read_only_over_the_api(client_for, roster):
    client = client_for("orgdept")
    template = client.get("/api/programme-templates/ningde-rotation/").json()
    assert template["current_version"]["number"] == 1
    assert template["current_version"]["groups_text"]["曾任乡镇党政正职"].endswith("（职务名称不含“副”）任职经历")
    assert post(client, "/api/programme-templates/", {"code": "x"}).status_code == 405
