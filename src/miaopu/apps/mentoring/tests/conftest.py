"""A hand-built town on top of ``build_city()`` (leaders, a veteran, four new recruits) and a second mentor.

Dates are fixed (pairing as of 2025-03-01) so every figure can be worked out by hand.
"""

from __future__ import annotations

import datetime as dt

import pytest

from miaopu.apps.core.audit import Actor
from miaopu.apps.core.choices import Role
from miaopu.apps.core.testing import make_cadre, make_user
from miaopu.apps.mentoring.models import GuidanceRecord, Mentor, Mentorship

AS_OF = dt.date(2025, 3, 1)
D = dt.date


@pytest.fixture
def town(city):
    """东湖区青石镇 gets a party secretary, a mayor, a deputy mayor, a veteran clerk and four recruits."""
    t = city.town_a
    lead = {"post_category": "leadership"}
    c = city.cadres
    c["secretary"] = make_cadre(t, "陈书记", D(1978, 3, 1), post_title="党委书记", leadership_level="section",
                                work_start_date=D(2000, 8, 1), **lead)  # fmt: skip
    c["mayor"] = make_cadre(t, "林镇长", D(1980, 3, 1), post_title="镇长", leadership_level="section",
                            work_start_date=D(2002, 8, 1), **lead)  # fmt: skip
    c["deputy"] = make_cadre(t, "黄副镇长", D(1986, 3, 1), post_title="副镇长", leadership_level="deputy_section",
                             work_start_date=D(2008, 8, 1), **lead)  # fmt: skip
    c["veteran"] = make_cadre(t, "郑老科员", D(1983, 3, 1), post_title="党政综合办公室主任", post_category="general",
                              leadership_level="staff", work_start_date=D(2005, 8, 1))  # fmt: skip
    for i in range(4):
        c[f"recruit{i}"] = make_cadre(
            t, f"新人{i}", D(2001, 1, 1 + i), post_title="党政综合办公室科员", post_category="general",
            leadership_level="staff", work_start_date=D(2024, 9, 1), civil_service_entry_date=D(2024, 9, 1),
        )  # fmt: skip
    return city


@pytest.fixture
def second_mentor(city):
    """导师乙 (a mentor account) mentors 李娜 (the 干部本人 account's own file) as political mentor."""
    user = make_user("mentor2", Role.MENTOR)
    mentor = Mentor.objects.create(user=user, name="导师乙", unit_name="青石镇红旗村", title="村党支部书记")
    ship = Mentorship.objects.create(
        mentee=city.cadres["village_a"], mentor=mentor, role="political", start=D(2024, 1, 1)
    )
    city.users["mentor2"] = user
    return ship


@pytest.fixture
def records(city, second_mentor):
    """One record of each mentor: 导师甲 → 赵强 (business), 导师乙 → 李娜 (political)."""
    first = Mentorship.objects.get(mentor__user=city.users["mentor"])
    own = GuidanceRecord.objects.create(
        mentorship=first, date=D(2024, 6, 1), kind="business", content="讲解招商项目台账", hours=2,
        created_by=city.users["mentor"],
    )  # fmt: skip
    other = GuidanceRecord.objects.create(
        mentorship=second_mentor, date=D(2024, 6, 2), kind="talk", content="谈心谈话：驻村适应情况", hours=1,
        created_by=city.users["mentor2"],
    )  # fmt: skip
    return {"own": own, "other": other}


def actor(city, role: str = "orgdept") -> Actor:
    return Actor(user=city.users[role], source="web")
