"""Builders for tests: a small hand-made city and one account per role.

``build_city()`` makes, through the real services, a city with two districts, towns,
villages and municipal organs, a few posts and cadres in each place. Tests use it to
check scoping (every role against every page) and the figures the system computes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from miaopu.apps.cadres.models import Cadre, Experience
from miaopu.apps.core.choices import Role
from miaopu.apps.core.models import User
from miaopu.apps.mentoring.models import Mentor, Mentorship
from miaopu.apps.units.models import Post, Unit
from miaopu.domain.idcard import make_id_number

PASSWORD = "Miaopu-test-2026"


def _tree(unit: Unit) -> Unit:
    from miaopu.apps.units.services import _refresh_tree

    _refresh_tree(unit)
    unit.refresh_from_db()
    return unit


def make_unit(name: str, level: str, parent: Unit | None = None, kind: str = "party_gov", **extra) -> Unit:
    unit = Unit.objects.create(name=name, level=level, parent=parent, kind=kind, **extra)
    return _tree(unit)


_seq = {"n": 0}


def make_cadre(unit: Unit, name: str, birth: dt.date, gender: str = "male", **extra) -> Cadre:
    _seq["n"] += 1
    n = _seq["n"]
    defaults = {
        "code": f"T{n:06d}",
        "political_status": "cpc",
        "source": "civil_exam",
        "id_number": make_id_number("440802", birth, (n * 2 + (1 if gender == "male" else 0)) % 1000),
        "work_start_date": dt.date(birth.year + 22, 8, 1),
        "fulltime_education": "bachelor",
    }
    defaults.update(extra)
    return Cadre.objects.create(unit=unit, name=name, birth_date=birth, gender=gender, **defaults)


def make_user(username: str, role: str, scope_unit: Unit | None = None, cadre: Cadre | None = None) -> User:
    user = User(username=username, role=role, scope_unit=scope_unit, cadre=cadre, first_name=username)
    user.set_password(PASSWORD)
    user.save()
    return user


@dataclass
class City:
    root: Unit
    district_a: Unit
    district_b: Unit
    organ: Unit
    town_a: Unit
    town_b: Unit
    village_a: Unit
    cadres: dict[str, Cadre] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    posts: dict[str, Post] = field(default_factory=dict)


def build_city() -> City:
    root = make_unit("示范市", "city")
    organ = make_unit("示范市自然资源局", "city", root)
    district_a = make_unit("东湖区", "county", root)
    district_b = make_unit("西山县", "county", root)
    town_a = make_unit("东湖区青石镇", "town", district_a)
    town_b = make_unit("西山县白沙镇", "town", district_b, is_remote=True)
    village_a = make_unit("青石镇红旗村", "village", town_a)
    city = City(root, district_a, district_b, organ, town_a, town_b, village_a)
    from django.apps import apps

    if apps.is_installed("miaopu.apps.fieldwork"):  # 红旗村 is a certified 四下基层 practice base (capacity 20)
        from miaopu.apps.fieldwork.testing import make_base

        make_base(village_a)
    city.posts["organ_chief"] = Post.objects.create(
        unit=organ, title="规划科科长", category="general", leadership_level="section"
    )
    city.posts["town_a_head"] = Post.objects.create(
        unit=town_a, title="镇长", category="leadership", leadership_level="section", is_township_head=True
    )
    c = city.cadres
    c["organ"] = make_cadre(
        organ,
        "林晓明",
        dt.date(1992, 5, 17),
        leadership_level="section",
        leadership_level_since=dt.date(2021, 3, 1),
        source="selected_graduate",
    )
    c["organ_woman"] = make_cadre(organ, "陈静", dt.date(1990, 2, 28), gender="female", political_status="masses")
    c["town_a"] = make_cadre(town_a, "王海", dt.date(1995, 9, 1))
    c["village_a"] = make_cadre(village_a, "李娜", dt.date(1998, 1, 12), gender="female")
    c["town_b"] = make_cadre(town_b, "赵强", dt.date(1988, 11, 30))
    c["district_b"] = make_cadre(district_b, "周婷", dt.date(1993, 7, 7), gender="female")
    Experience.objects.create(cadre=c["town_a"], start=dt.date(2017, 8, 1), end=None, unit=town_a, post_title="科员")
    Experience.objects.create(
        cadre=c["organ"],
        start=dt.date(2014, 8, 1),
        end=dt.date(2016, 8, 1),
        unit=village_a,
        post_title="大学生村官",
        kind="secondment",
    )
    Experience.objects.create(cadre=c["organ"], start=dt.date(2016, 8, 1), end=None, unit=organ, post_title="科员")
    u = city.users
    u["sysadmin"] = make_user("sysadmin", Role.SYSADMIN)
    u["secadmin"] = make_user("secadmin", Role.SECADMIN)
    u["auditor"] = make_user("auditor", Role.AUDITOR)
    u["orgdept"] = make_user("orgdept", Role.ORGDEPT, scope_unit=root)
    u["orgdept_a"] = make_user("orgdept_a", Role.ORGDEPT, scope_unit=district_a)
    u["officer_b"] = make_user("officer_b", Role.UNIT_OFFICER, scope_unit=district_b)
    u["officer_town_a"] = make_user("officer_town_a", Role.UNIT_OFFICER, scope_unit=town_a)
    mentor_user = make_user("mentor", Role.MENTOR)
    u["mentor"] = mentor_user
    mentor = Mentor.objects.create(user=mentor_user, name="导师甲", unit_name="示范市委党校")
    Mentorship.objects.create(mentee=c["town_b"], mentor=mentor, role="business", start=dt.date(2024, 1, 1))
    u["cadre"] = make_user("cadre", Role.CADRE, cadre=c["village_a"])
    return city


#: For each role fixture, the cadre keys it may see in ``build_city()``.
VISIBLE = {
    "sysadmin": set(),
    "secadmin": set(),
    "auditor": set(),
    "orgdept": {"organ", "organ_woman", "town_a", "village_a", "town_b", "district_b"},
    "orgdept_a": {"town_a", "village_a"},
    "officer_b": {"town_b", "district_b"},
    "officer_town_a": {"town_a", "village_a"},
    "mentor": {"town_b"},
    "cadre": {"village_a"},
}
