"""The practical-affairs ledger and care: states, flags, the 90-day alert, counselling kept to 组织部."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from miaopu.apps.analytics import alerts
from miaopu.apps.cadres.models import Experience
from miaopu.apps.core.models import AuditEvent
from miaopu.apps.core.testing import make_cadre, make_unit
from miaopu.apps.fieldwork import selectors, services
from miaopu.apps.fieldwork.models import CareContact, LedgerItem
from miaopu.apps.growth.timeline import build_timeline

from .conftest import actor

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def item(city, *people, role="orgdept", **data):
    base = {
        "village": city.village_a,
        "category": "infrastructure",
        "description": "村道坑洼",
        "raised_on": TODAY - dt.timedelta(days=20),
        "household": "张某某户",
    }
    base.update(data)
    return services.ledger_create(actor=actor(city, role), data=base, cadres=people)


def test_ledger_item_walks_to_done_and_reasons_are_required(city):
    c = city.cadres
    entry = item(city, c["town_a"], c["village_a"])
    assert [t.cadre for t in entry.takers.all()] == [c["town_a"], c["village_a"]] and entry.takers.first().is_lead
    with pytest.raises(ValidationError) as exc:
        services.ledger_update(actor=actor(city), item=entry, data={"status": "impossible", "closed_on": TODAY})
    assert exc.value.message_dict["status_reason"] == ["标记为“无法办理”须写明原因"]
    with pytest.raises(ValidationError) as exc:
        services.ledger_update(actor=actor(city), item=entry, data={"status": "in_progress", "satisfaction": "basic"})
    assert "satisfaction" in exc.value.message_dict
    services.ledger_update(actor=actor(city), item=entry, data={"status": "in_progress"})
    services.ledger_update(
        actor=actor(city),
        item=entry,
        data={"status": "done", "closed_on": TODAY, "outcome": "已修补 1.2 公里", "satisfaction": "satisfied"},
    )
    entry.refresh_from_db()
    assert entry.status == "done" and entry.is_closed
    with pytest.raises(ValidationError, match="不能再改为"):
        services.ledger_update(actor=actor(city), item=entry, data={"status": "in_progress", "closed_on": None})
    assert AuditEvent.objects.filter(object_type="fieldwork.ledgeritem", object_id=str(entry.pk)).count() == 3


def test_ledger_needs_takers_in_scope(city):
    with pytest.raises(ValidationError, match="领办干部"):
        item(city)
    with pytest.raises(PermissionDenied):
        item(city, city.cadres["town_b"], role="orgdept_a")


def test_ledger_is_scoped_by_its_cadres(city):
    mine = item(city, city.cadres["village_a"])  # 李娜, 青石镇 (district A)
    theirs = item(city, city.cadres["town_b"], village=city.village_a)  # 赵强, 白沙镇 (district B)
    ids = lambda role: set(selectors.ledger_list(user=city.users[role]).values_list("pk", flat=True))  # noqa: E731
    assert ids("orgdept") == {mine.pk, theirs.pk}
    assert ids("orgdept_a") == {mine.pk} and ids("officer_town_a") == {mine.pk}
    assert ids("officer_b") == {theirs.pk} and ids("mentor") == {theirs.pk}
    assert ids("cadre") == {mine.pk} and ids("auditor") == set()


def test_ledger_items_on_the_growth_file(city):
    entry = item(city, city.cadres["village_a"])
    services.ledger_update(
        actor=actor(city),
        item=entry,
        data={"status": "done", "closed_on": TODAY, "outcome": "已修补", "satisfaction": "basic"},
    )
    found = [i for i in build_timeline(city.users["cadre"], city.cadres["village_a"]) if i.kind == "practical_affair"]
    assert [i.date for i in found] == [TODAY - dt.timedelta(days=20), TODAY]
    assert "群众满意度：基本满意" in found[1].detail


def test_care_flags(city):
    c = city.cadres
    today = TODAY
    nonlocal_ = make_cadre(city.organ, "外地甲", dt.date(1994, 1, 1), hukou="nonlocal")
    # 赵强 works in 白沙镇 (is_remote); a village tagged 山区 under the non-remote 青石镇 flags its cadre too.
    hill = make_unit("青石镇高山村", "village", city.town_a, tags="山区")
    hill_cadre = make_cadre(hill, "山区乙", dt.date(1995, 1, 1))
    # 王海 (青石镇, 东湖区) seconded to 白沙镇 (西山县) 400 days ago: long separation; 周婷's is only 100 days.
    Experience.objects.create(
        cadre=c["town_a"],
        start=today - dt.timedelta(days=400),
        unit=city.town_b,
        post_title="挂职副镇长",
        kind="secondment",
    )
    Experience.objects.create(
        cadre=c["district_b"],
        start=today - dt.timedelta(days=100),
        unit=city.town_a,
        post_title="挂职",
        kind="secondment",
    )
    rows = {
        r.cadre.name: r.flags for r in selectors.care_rows(selectors.flagged_cadres(user=city.users["orgdept"]), today)
    }
    assert rows == {"外地甲": ["外地户籍"], "赵强": ["偏远岗位"], "山区乙": ["偏远岗位"], "王海": ["长期异地"]}
    assert {c.name for c in selectors.flagged_cadres(user=city.users["orgdept_a"])} == {"王海", "山区乙"}
    assert not selectors.flagged_cadres(user=city.users["mentor"]).exists()
    assert hill_cadre and nonlocal_


def test_care_alert_after_90_days(city):
    c = city.cadres  # 赵强 is flagged (remote town)
    services.care_create(
        actor=actor(city),
        cadre=c["town_b"],
        data={"date": TODAY - dt.timedelta(days=91), "kind": "visit", "contact_by": "组织部", "summary": "走访"},
    )
    found = {a.cadre_id: a for a in alerts.compute("care_overdue", as_of=TODAY)}
    assert found[c["town_b"].pk].level == "yellow" and "已 91 天未联系" in found[c["town_b"].pk].reason
    assert alerts.compute("care_overdue", as_of=TODAY - dt.timedelta(days=1)) == []
    services.care_create(
        actor=actor(city),
        cadre=c["town_b"],
        data={"date": TODAY - dt.timedelta(days=2), "kind": "talk", "contact_by": "组织部", "summary": "谈心"},
    )
    assert alerts.compute("care_overdue", as_of=TODAY) == []
    never = make_cadre(city.organ, "外地丙", dt.date(1994, 1, 1), hukou="nonlocal")
    (alert,) = alerts.compute("care_overdue", as_of=TODAY)
    assert alert.cadre_id == never.pk and alert.level == "red" and "还没有任何关心关爱联系记录" in alert.reason
    # The mentoring alert keeps its own, clearer name.
    assert "mentoring_overdue" in alerts.KINDS and str(alerts.KINDS["care_overdue"].label) == "关心关爱超期未联系"


def counselling(city):
    return services.care_create(
        actor=actor(city),
        cadre=city.cadres["village_a"],
        data={"date": TODAY, "kind": "counselling", "contact_by": "心理咨询师"},
        counselling_note="睡眠不好，已疏导",
    )


def test_counselling_only_for_orgdept(city):
    with pytest.raises(PermissionDenied):
        services.care_create(
            actor=actor(city, "officer_town_a"),
            cadre=city.cadres["village_a"],
            data={"date": TODAY, "kind": "counselling", "contact_by": "x"},
            counselling_note="y",
        )
    contact = counselling(city)
    visit = services.care_create(
        actor=actor(city, "officer_town_a"),
        cadre=city.cadres["village_a"],
        data={"date": TODAY, "kind": "visit", "contact_by": "镇党委", "summary": "走访宿舍"},
    )
    assert CareContact.objects.get(pk=contact.pk).counselling_note == "睡眠不好，已疏导"
    from django.db import connection

    with connection.cursor() as cursor:  # stored encrypted
        cursor.execute("SELECT counselling_note FROM fieldwork_carecontact WHERE id = %s", [contact.pk])
        assert "睡眠" not in cursor.fetchone()[0]
    event = AuditEvent.objects.filter(object_type="fieldwork.carecontact", object_id=str(contact.pk)).get()
    assert "睡眠" not in str(event.after)
    assert set(selectors.care_list(user=city.users["orgdept"]).values_list("pk", flat=True)) == {contact.pk, visit.pk}
    for role in ("officer_town_a", "cadre"):
        assert set(selectors.care_list(user=city.users[role]).values_list("pk", flat=True)) == {visit.pk}, role
    kinds = lambda role: {i.kind for i in build_timeline(city.users[role], city.cadres["village_a"])}  # noqa: E731
    assert "counselling" in kinds("orgdept") and "care" in kinds("orgdept")
    assert "counselling" not in kinds("officer_town_a") and "care" in kinds("officer_town_a")
    assert "counselling" not in kinds("cadre")


def test_counselling_hidden_on_pages_and_api(city, client_for):
    contact = counselling(city)
    pk = city.cadres["village_a"].pk
    assert "睡眠不好" in client_for("orgdept").get(f"/fieldwork/care/cadres/{pk}/").content.decode()
    for role in ("officer_town_a", "cadre"):
        page = client_for(role).get(f"/fieldwork/care/cadres/{pk}/")
        assert (
            page.status_code == 200
            and "睡眠不好" not in page.content.decode()
            and "心理疏导" not in page.content.decode().split("联系记录")[1]
        ), role
        assert client_for(role).get(f"/api/fieldwork-care/{contact.pk}/").status_code == 404, role
        growth = client_for(role).get(f"/growth/cadres/{pk}/")
        assert growth.status_code == 200 and "睡眠不好" not in growth.content.decode(), role
    assert "睡眠不好" in client_for("orgdept").get(f"/growth/cadres/{pk}/").content.decode()
    data = client_for("orgdept").get(f"/api/fieldwork-care/{contact.pk}/").json()
    assert data["counselling_note"] == "睡眠不好，已疏导"
    # A mentor's mentee (赵强) — counselling on him is hidden from the mentor as well.
    other = services.care_create(
        actor=actor(city),
        cadre=city.cadres["town_b"],
        data={"date": TODAY, "kind": "counselling", "contact_by": "x"},
        counselling_note="保密内容",
    )
    assert client_for("mentor").get(f"/api/fieldwork-care/{other.pk}/").status_code == 404
    assert (
        "保密内容"
        not in client_for("mentor").get(f"/fieldwork/care/cadres/{city.cadres['town_b'].pk}/").content.decode()
    )


def test_ledger_counts(city):
    c = city.cadres
    a = item(city, c["village_a"], c["town_a"])
    b = item(city, c["village_a"])
    item(city, c["town_b"])
    services.ledger_update(
        actor=actor(city),
        item=a,
        data={"status": "done", "closed_on": TODAY, "outcome": "好", "satisfaction": "unsatisfied"},
    )
    services.ledger_update(
        actor=actor(city),
        item=b,
        data={"status": "done", "closed_on": TODAY, "outcome": "好", "satisfaction": "satisfied"},
    )
    from miaopu.apps.fieldwork.figures import ledger_breakdown

    found = ledger_breakdown(selectors.ledger_list(user=city.users["orgdept_a"]), city.users["orgdept_a"])
    assert found["total"] == 2 and found["solved"] == 2 and (found["satisfied"], found["rated"]) == (1, 2)
    assert {r["cadre__name"]: (r["n"], r["done"]) for r in found["cadres"]} == {"李娜": (2, 2), "王海": (1, 1)}
    assert [(r["village__parent__name"], r["n"]) for r in found["towns"]] == [("东湖区青石镇", 2)]
    assert LedgerItem.objects.count() == 3
