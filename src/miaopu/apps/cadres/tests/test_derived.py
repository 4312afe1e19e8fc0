"""Cadre.first_rural_start, derived from the experience history: kept in step by every write path, and the
roster's rural filter on it gives exactly the rows of the old EXISTS definition."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Exists, OuterRef

from miaopu.apps.cadres import services
from miaopu.apps.cadres.derived import refresh_first_rural_start, rural_q
from miaopu.apps.cadres.filtersets import CadreFilterSet
from miaopu.apps.cadres.models import Cadre, Experience
from miaopu.apps.core.audit import Actor
from miaopu.domain.vocab import RURAL_LEVELS

pytestmark = pytest.mark.django_db


def _independent() -> dict[int, dt.date | None]:
    """first_rural_start of every cadre, computed in Python from the rows (not by the code under test)."""
    found: dict[int, dt.date | None] = dict.fromkeys(Cadre.objects.values_list("pk", flat=True))
    for cadre_id, start, level in Experience.objects.values_list("cadre_id", "start", "unit__level"):
        if level in RURAL_LEVELS and (found[cadre_id] is None or start < found[cadre_id]):
            found[cadre_id] = start
    return found


def _stored() -> dict[int, dt.date | None]:
    return dict(Cadre.objects.values_list("pk", "first_rural_start"))


def _old_rural(value: str, as_of: dt.date) -> set[int]:
    """The filter as it was defined before the stored column: EXISTS over the experience rows."""
    rural = Exists(Experience.objects.filter(cadre=OuterRef("pk"), unit__level__in=RURAL_LEVELS, start__lte=as_of))
    qs = Cadre.objects.filter(rural) if value == "yes" else Cadre.objects.exclude(rural)
    return set(qs.values_list("pk", flat=True))


def _actor(city, role="orgdept"):
    return Actor(user=city.users[role], source="cli")


def test_hand_built_city_values(city):
    c = city.cadres
    assert _stored() == {
        c["organ"].pk: dt.date(2014, 8, 1),  # 大学生村官 at 红旗村 (village), then the municipal organ
        c["organ_woman"].pk: None,
        c["town_a"].pk: dt.date(2017, 8, 1),  # 科员 at 青石镇 (town)
        c["village_a"].pk: None,  # works in a village now, but has no experience entry there
        c["town_b"].pk: None,
        c["district_b"].pk: None,
    }


def test_rural_filter_gives_the_same_rows_as_exists(city, client_for):
    c = city.cadres
    today = dt.date.today()
    # Edge cases: a rural entry that starts in the future (not "as of today"), one starting today, an entry at a
    # county unit (not rural), an entry outside the system (no unit), two rural entries (the earlier counts).
    Experience.objects.create(cadre=c["organ_woman"], start=today + dt.timedelta(days=30), unit=city.town_b)
    Experience.objects.create(cadre=c["village_a"], start=today, unit=city.village_a)
    Experience.objects.create(cadre=c["district_b"], start=dt.date(2015, 1, 1), unit=city.district_b)
    Experience.objects.create(cadre=c["town_b"], start=dt.date(2012, 1, 1), unit_name="外市某镇")
    Experience.objects.create(cadre=c["town_a"], start=dt.date(2013, 3, 1), end=dt.date(2014, 1, 1), unit=city.town_b)
    assert _stored() == _independent()
    for as_of in (today, today - dt.timedelta(days=1), today + dt.timedelta(days=30), dt.date(2014, 8, 1)):
        for value in ("yes", "no"):
            stored = set(Cadre.objects.filter(rural_q(value == "yes", as_of)).values_list("pk", flat=True))
            assert stored == _old_rural(value, as_of), (as_of, value)
    # The filter set (roster and API) as of today.
    for value in ("yes", "no"):
        filterset = CadreFilterSet({"rural": value}, queryset=Cadre.objects.all())
        assert set(filterset.qs.values_list("pk", flat=True)) == _old_rural(value, today)
    assert _old_rural("no", today) == {c["organ_woman"].pk, c["town_b"].pk, c["district_b"].pk}
    client = client_for("orgdept")
    page = client.get("/cadres/?rural=no")
    assert {x.pk for x in page.context["page_obj"]} == _old_rural("no", today)
    api = client.get("/api/cadres/?rural=yes").json()
    assert {row["id"] for row in api["results"]} == _old_rural("yes", today)


def test_services_keep_it_in_step(city):
    actor = _actor(city)
    cadre = city.cadres["district_b"]
    entry = services.experience_create(
        actor=actor, cadre=cadre, data={"start": dt.date(2016, 3, 1), "unit": city.village_a, "post_title": "驻村"}
    )
    assert cadre.first_rural_start == dt.date(2016, 3, 1)  # the instance in memory too
    cadre.version = Cadre.objects.get(pk=cadre.pk).version  # an experience write bumps the version
    services.cadre_update(actor=actor, cadre=cadre, data={"post_title": "科长"})  # must not write the old value
    assert Cadre.objects.get(pk=cadre.pk).first_rural_start == dt.date(2016, 3, 1)
    services.experience_update(actor=actor, entry=entry, data={"unit": city.district_b})
    assert Cadre.objects.get(pk=cadre.pk).first_rural_start is None
    services.experience_update(actor=actor, entry=entry, data={"unit": city.town_b, "start": dt.date(2017, 5, 1)})
    assert Cadre.objects.get(pk=cadre.pk).first_rural_start == dt.date(2017, 5, 1)
    services.experience_delete(actor=actor, entry=entry)
    assert Cadre.objects.get(pk=cadre.pk).first_rural_start is None
    assert _stored() == _independent()


def test_a_unit_changing_level_refreshes_its_cadres(city):
    from miaopu.apps.units.services import unit_update

    town_a = city.cadres["town_a"]
    assert Cadre.objects.get(pk=town_a.pk).first_rural_start == dt.date(2017, 8, 1)
    unit_update(actor=_actor(city), unit=city.town_a, level="county")  # 青石镇 becomes a county-level unit
    assert Cadre.objects.get(pk=town_a.pk).first_rural_start is None
    unit_update(actor=_actor(city), unit=city.district_b, level="county", name="西山县（改）")  # no level change
    assert _stored() == _independent()


def test_bulk_refresh_of_everyone_and_of_a_list(city):
    Cadre.objects.update(first_rural_start=dt.date(2000, 1, 1))  # stale on purpose
    refresh_first_rural_start(cadre_ids=[city.cadres["organ"].pk, city.cadres["organ_woman"].pk])
    stored = _stored()
    assert stored[city.cadres["organ"].pk] == dt.date(2014, 8, 1) and stored[city.cadres["organ_woman"].pk] is None
    assert stored[city.cadres["town_b"].pk] == dt.date(2000, 1, 1)  # not in the list: untouched
    refresh_first_rural_start()
    assert _stored() == _independent()


def test_roster_import_keeps_it_in_step(city):
    from miaopu.apps.exchange.services import roster_import
    from miaopu.apps.exchange.tests.helpers import roster
    from miaopu.domain.idcard import make_id_number

    birth = dt.date(1996, 4, 5)
    new = {
        "人员编号": "IMP001",
        "姓名": "新人",
        "性别": "男",
        "出生日期": birth,
        "身份证号": make_id_number("440802", birth, 21),
        "政治面貌": "中共党员",
        "参加工作时间": dt.date(2018, 8, 1),
        "现工作单位": "东湖区",
    }
    experience = [
        {"人员编号": "IMP001", "起始时间": dt.date(2018, 8, 1), "终止时间": dt.date(2020, 1, 1), "单位": "新建镇"},
        {"人员编号": "IMP001", "起始时间": dt.date(2020, 1, 1), "单位": "东湖区"},
        {"人员编号": city.cadres["district_b"].code, "起始时间": dt.date(2019, 2, 1), "单位": "西山县白沙镇"},
    ]
    units = [{"单位名称": "新建镇", "上级单位": "东湖区", "单位层级": "镇街"}]
    report = roster_import(actor=_actor(city), data=roster(units, [new], experience), file_name="a.xlsx")
    assert report.ok, report.lines()
    stored = _stored()
    assert stored[Cadre.objects.get(code="IMP001").pk] == dt.date(2018, 8, 1)
    assert stored[city.cadres["district_b"].pk] == dt.date(2019, 2, 1)
    assert stored == _independent()
    # The unit sheet turns 新建镇 into a county-level unit: the new cadre's history no longer counts.
    units = [{"单位名称": "新建镇", "上级单位": "东湖区", "单位层级": "区县"}]
    report = roster_import(actor=_actor(city), data=roster(units, [new], experience), file_name="b.xlsx")
    assert report.ok, report.lines()
    assert _stored()[Cadre.objects.get(code="IMP001").pk] is None
    assert _stored() == _independent()


def test_demo_city_and_lrmx_import_keep_it_in_step():
    from miaopu.apps.core.demo import generate
    from miaopu.apps.core.models import User
    from miaopu.apps.exchange.services import cadre_lrmx, lrmx_import

    generate(cadres=40, seed=5)
    stored = _stored()
    assert stored == _independent()
    assert any(v is not None for v in stored.values()) and any(v is None for v in stored.values())
    user = User.objects.filter(role="orgdept", scope_unit__parent__isnull=True).first()
    actor = Actor(user=user, source="cli")
    files = [(f"{c.code}.lrmx", cadre_lrmx(actor=actor, cadre=c)) for c in Cadre.objects.select_related("unit")]
    Experience.objects.all().delete()  # a queryset delete: the stored column is stale now
    assert _stored() != _independent()
    report = lrmx_import(actor=actor, files=files)
    assert report.ok, report.lines()[:5]
    assert _stored() == _independent() == stored
