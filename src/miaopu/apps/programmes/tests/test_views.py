"""The programme pages, used as a 组织部 officer would: forms, buttons, messages, every tab."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from miaopu.apps.cadres.models import Experience
from miaopu.apps.programmes.choices import BatchStatus, CandidateStatus
from miaopu.apps.programmes.models import Batch, Placement, ProgrammeTemplate, ReservePoolEntry

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


def messages_of(response) -> str:
    """All flash messages shown on the page, joined (earlier steps' messages included when not yet shown)."""
    return " | ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_template_pages_show_rules_in_words(client_for, roster):
    client = client_for("orgdept")
    html = client.get("/programmes/").content.decode()
    for name in [
        "墩苗",
        "新苗培优",
        "四下基层实践锻炼",
        "四下基层挂职锻炼",
        "四下基层交流任职",
        "六线蓄能",
        "进港扬帆青训营",
        "双向挂职",
    ]:
        assert name in html
    html = client.get("/programmes/templates/ningde-rotation/").content.decode()
    assert "曾任乡镇党政正职" in html and "（职务名称不含“副”）" in html and "每 2 年一批" in html
    html = client.get("/programmes/templates/two-way/versions/1/").content.decode()
    assert "mirrored_pairs: true" in html and "成对互派" in html


def test_editing_rules_with_a_mistake_shows_the_error_next_to_the_text(client_for, roster):
    client = client_for("orgdept")
    form = client.get("/programmes/templates/dunmiao/edit/").context["form"]
    rules = form.initial["rules"]
    assert "{fact: age, lte: 35}" in rules
    data = {"name": "墩苗", "kind": "posting", "seed": "000 广东湛江 2022", "is_active": "on", "note": "",
            "rules": rules.replace("{fact: age, lte: 35}", "{fact: agee, lte: 35}")}  # fmt: skip
    response = client.post("/programmes/templates/dunmiao/edit/", data)
    assert response.status_code == 200
    assert "eligibility all[2]：未知的条件项 “agee”（是否想用 age？）" in response.context["form"].errors["rules"][0]
    assert ProgrammeTemplate.objects.get(code="dunmiao").versions.count() == 1
    data["rules"] = rules.replace("{fact: age, lte: 35}", "{fact: age, lte: 38}")
    data["note"] = "放宽到 38 岁"
    response = client.post("/programmes/templates/dunmiao/edit/", data, follow=True)
    assert "已保存为第 2 版" in messages_of(response)
    version = ProgrammeTemplate.objects.get(code="dunmiao").current_version
    assert (version.number, version.note, version.created_by.username) == (2, "放宽到 38 岁", "orgdept")
    assert "年龄 ≤ 38 岁" in response.content.decode()


def test_district_officer_reads_templates_but_cannot_edit(client_for, roster):
    client = client_for("orgdept_a")
    assert client.get("/programmes/templates/dunmiao/").status_code == 200
    assert client.get("/programmes/templates/dunmiao/edit/").status_code == 403
    assert client.get("/programmes/templates/new/").status_code == 403


def test_new_template_from_the_browser(client_for, roster):
    client = client_for("orgdept")
    data = {
        "code": "gen-gang",
        "name": "跟岗研修",
        "kind": "shadowing",
        "seed": "000 广东湛江 2022",
        "is_active": "on",
        "rules": "eligibility: {fact: age, lte: 40}\nterm: {min: 3, max: 6, unit: 个月}\nhost: {unit_levels: [市]}\n",
    }
    response = client.post("/programmes/templates/new/", data, follow=True)  # fmt: skip
    assert response.status_code == 200 and "已新建模板" in messages_of(response)
    assert "3—6 个月" in response.content.decode()


def test_eligible_page_explains_why_not(client_for, roster):
    client = client_for("orgdept")
    response = client.get("/programmes/templates/dunmiao/eligible/", {"as_of": "2025-03-01", "result": "no"})
    html = response.content.decode()
    assert response.status_code == 200 and "为什么不符合？" in html
    assert "年龄 36 岁，超过 35 岁" in html  # 赵强 (born 1988-11-30): every reason is listed, not just the first
    rows = list(response.context["page_obj"])
    assert rows and not any(r.eligible for r in rows)
    eligible = client.get("/programmes/templates/dunmiao/eligible/", {"as_of": "2025-03-01", "result": "yes"})
    assert {r.name for r in eligible.context["page_obj"]} == {"林晓明", "邓墩苗"}


def test_a_cadres_why_not_page(client_for, roster):
    cadre = roster.cadres["nr_deputy"]
    html = client_for("orgdept").get(f"/programmes/cadres/{cadre.pk}/", {"as_of": "2025-03-01"}).content.decode()
    assert "四下基层交流任职" in html and "为什么不符合？" in html
    assert "无 镇街 单位 党委书记/镇长/乡长/党工委书记/办事处主任（职务名称不含“副”）任职经历" in html


def test_walk_a_batch_through_the_pages(client_for, roster):
    """墩苗 from the browser: create, add a host post, evaluate, nominate, vet, assign, approve, place, assess."""
    city = roster
    client = client_for("orgdept")
    template = ProgrammeTemplate.objects.get(code="dunmiao")
    response = client.post("/programmes/batches/new/", {
        "template": template.pk, "name": "2025 年墩苗第一批", "year": 2025, "as_of": "2025-03-01",
        "scope_unit": city.root.pk, "quotas": "", "note": "",
    })  # fmt: skip
    batch = Batch.objects.get(name="2025 年墩苗第一批")
    assert response.status_code == 302 and response.url == f"/programmes/batches/{batch.pk}/"

    response = client.post(f"/programmes/batches/{batch.pk}/slots/", {"unit": city.organ.pk, "post_title": "科员",
                                                                     "capacity": 1}, follow=True)  # fmt: skip
    assert "单位层级为 市，应为 镇街" in messages_of(response)
    client.post(
        f"/programmes/batches/{batch.pk}/slots/", {"unit": city.town_a.pk, "post_title": "党委委员", "capacity": 1}
    )
    slot = batch.slots.get()
    assert slot.region == "东湖区"

    response = client.post(f"/programmes/batches/{batch.pk}/evaluate/", follow=True)
    assert "已按第 1 版规则计算" in messages_of(response)
    dm = batch.candidates.get(cadre=city.cadres["dm"])
    html = client.get(f"/programmes/batches/{batch.pk}/", {"tab": "candidates"}).content.decode()
    assert "邓墩苗" in html and "年龄 34 岁，不超过 35 岁" in html

    client.post(f"/programmes/candidates/{dm.pk}/nominate/")
    vetting = {
        "political": "坚定", "moral": "端正", "achievement": "突出", "duty": "尽责", "integrity": "廉洁",
        "vetted_on": "2025-03-10", "discipline_opinion": "未发现问题", "other_department": "卫生健康局",
        "other_opinion": "无违反计生政策情况",
    }  # fmt: skip
    missing = client.post(f"/programmes/candidates/{dm.pk}/vetting/", {**vetting, "integrity": ""})
    assert missing.status_code == 200 and missing.context["form"].errors["integrity"]
    response = client.post(f"/programmes/candidates/{dm.pk}/vetting/", vetting, follow=True)
    assert "考察通过" in messages_of(response)
    html = client.get(f"/programmes/batches/{batch.pk}/", {"tab": "vetting"}).content.decode()
    assert "卫生健康局：无违反计生政策情况" in html

    form = client.get(f"/programmes/candidates/{dm.pk}/assign/").context["form"]
    assert [label for _v, label in form.fields["slot"].choices][1] == "东湖区青石镇 党委委员（东湖区，0/1）"
    client.post(f"/programmes/candidates/{dm.pk}/assign/", {"slot": slot.pk})
    dm.refresh_from_db()
    assert dm.status == CandidateStatus.ASSIGNED

    client.post(f"/programmes/batches/{batch.pk}/approve/")
    response = client.post(f"/programmes/batches/{batch.pk}/place/", {"start": "2025-04-01"}, follow=True)
    assert "已安排 1 人到岗，并写入履历" in messages_of(response)
    placement = Placement.objects.get(batch=batch)
    assert Experience.objects.filter(cadre=city.cadres["dm"], unit=city.town_a, kind="posting").exists()
    html = client.get(f"/programmes/batches/{batch.pk}/", {"tab": "placements"}).content.decode()
    assert "2027-04-01" in html  # 24-month term

    response = client.post(f"/programmes/placements/{placement.pk}/extend/", {"new_end": "2027-10-01", "reason": ""})
    assert response.context["form"].errors["reason"]
    client.post(f"/programmes/placements/{placement.pk}/assess/", {"grade": "excellent", "end": "2027-04-01"})
    assert ReservePoolEntry.objects.filter(cadre=city.cadres["dm"], source_batch=batch).exists()
    assert "2025 年墩苗第一批（墩苗）期满考核优秀" in client.get("/programmes/reserve-pool/").content.decode()
    client.post(f"/programmes/batches/{batch.pk}/close/")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CLOSED
    html = client.get(f"/programmes/batches/{batch.pk}/").content.decode()
    assert "批次概况" in html and "已确定人选" in html


@pytest.mark.parametrize("tab", ["overview", "slots", "candidates", "vetting", "assignment", "placements"])
def test_every_tab_renders_for_a_two_way_batch(client_for, roster, tab):
    from miaopu.apps.programmes import services

    from .conftest import actor_for, new_batch, nominate_and_vet

    city = roster
    actor = actor_for(city)
    batch = new_batch(city, "two-way")
    to_town = services.batch_add_slot(actor=actor, batch=batch, unit=city.town_a, post_title="镇长助理", side="A")
    to_organ = services.batch_add_slot(actor=actor, batch=batch, unit=city.organ, post_title="科员", side="B")
    services.batch_evaluate_candidates(actor=actor, batch=batch)
    a, b = nominate_and_vet(city, batch, city.cadres["twa"], city.cadres["twb"])
    services.assignment_set(actor=actor, candidate=a, slot=to_town, partner=b, partner_slot=to_organ)
    services.batch_approve(actor=actor, batch=batch)
    services.placements_create(actor=actor, batch=batch, start=AS_OF + dt.timedelta(days=31))
    response = client_for("orgdept").get(f"/programmes/batches/{batch.pk}/", {"tab": tab})
    assert response.status_code == 200
    html = response.content.decode()
    assert "唐双向" in html or tab in ("overview", "slots")
    if tab == "overview":
        assert re.search(r"A 方（市直）</td><td class=\"num\">1</td>", html)
    if tab == "placements":
        assert "与 田基层 对调" in html
