"""A hand-built city for the figures: ``build_city()`` plus cadres of known age, gender, party, source,
education and level, mentorships, and (``programme_city``) a practice batch with placements.

Ages are set relative to today (``born(age)``), so every expected figure can be worked out by hand on any
day; the tests then recount each figure independently in Python from the rows.
"""

from __future__ import annotations

import datetime as dt

import pytest

from miaopu.apps.cadres.models import Cadre
from miaopu.apps.core.audit import Actor
from miaopu.apps.core.testing import make_cadre
from miaopu.apps.mentoring.models import Mentor, Mentorship
from miaopu.domain.dates import add_months, age_on

FINDINGS = dict.fromkeys(["political", "moral", "achievement", "duty", "integrity"], "好")
CLEAR = [{"department": "纪检监察机关", "opinion": "未发现问题", "objection": False}]


def born(age: int, days_since_birthday: int = 40, today: dt.date | None = None) -> dt.date:
    """A birth date that makes someone exactly ``age`` today, their birthday ``days_since_birthday`` days ago.

    A negative ``days_since_birthday`` puts the birthday that many days ahead (so they are still ``age``).
    """
    today = today or dt.date.today()
    if days_since_birthday >= 0:
        birth = add_months(today - dt.timedelta(days=days_since_birthday), -12 * age)
    else:
        birth = add_months(today + dt.timedelta(days=-days_since_birthday), -12 * (age + 1))
    assert age_on(birth, today) == age, (birth, age)
    return birth


@pytest.fixture
def stats_city(city):
    """Eight more cadres across the organ and both districts, one transferred, and mentorships."""
    c = city.cadres
    c["a1"] = make_cadre(city.organ, "甲一", born(28), gender="female", political_status="masses",
                         source="recruited_talent", fulltime_education="master")  # fmt: skip
    c["a2"] = make_cadre(city.organ, "甲二", born(45), political_status="democratic", source="military",
                         fulltime_education="college", leadership_level="division")  # fmt: skip
    c["a3"] = make_cadre(city.organ, "甲三", born(57), source="institution_hire", fulltime_education="",
                         leadership_level="deputy_division", work_start_date=None)  # fmt: skip
    c["gone"] = make_cadre(city.organ, "调出者", born(30), gender="female", status="transferred")
    # Still 35 today: the 36th birthday is tomorrow.
    c["b1"] = make_cadre(city.town_a, "乙一", born(35, -1), gender="female", political_status="probationary",
                         source="selected_graduate", fulltime_education="doctorate")  # fmt: skip
    c["b2"] = make_cadre(city.town_a, "乙二", born(52), political_status="independent", source="other",
                         fulltime_education="secondary", leadership_level="section")  # fmt: skip
    c["d1"] = make_cadre(city.town_b, "丙一", born(41), gender="female", fulltime_education="high_school")
    c["d2"] = make_cadre(city.town_b, "丙二", born(31), political_status="masses", leadership_level="staff")
    mentor = Mentor.objects.get(name="导师甲")
    today = dt.date.today()
    Mentorship.objects.create(mentee=c["b1"], mentor=mentor, role="political", start=today - dt.timedelta(days=10))
    Mentorship.objects.create(mentee=c["a1"], mentor=mentor, role="business", start=today - dt.timedelta(days=10))
    Mentorship.objects.create(mentee=c["d2"], mentor=mentor, role="business", start=dt.date(2020, 1, 1),
                              end=dt.date(2021, 1, 1), is_active=False, status="ended")  # fmt: skip
    return city


def in_scope(city, role: str) -> list[Cadre]:
    """Independent of the selectors: every cadre whose unit lies under the role's scope unit, by path."""
    user = city.users[role]
    root = user.scope_unit
    return [c for c in Cadre.objects.select_related("unit") if c.unit.path.startswith(root.path)]


def actor(city, role: str = "orgdept") -> Actor:
    return Actor(user=city.users[role], source="web")


def place(city, code: str, people: list[Cadre], host, start: dt.date, *, as_of: dt.date | None = None):
    """Run a batch of template ``code`` through the services: evaluate, nominate, vet, assign ``host``, place."""
    from miaopu.apps.programmes import services
    from miaopu.apps.programmes.models import ProgrammeTemplate

    a = actor(city)
    template = ProgrammeTemplate.objects.get(code=code)
    batch = services.batch_create(actor=a, template=template, name=f"{template.name} 测试批", year=start.year,
                                  as_of=as_of or dt.date.today())  # fmt: skip
    slot = None
    if host is not None:
        slot = services.batch_add_slot(actor=a, batch=batch, unit=host, post_title="锻炼岗位", capacity=len(people))
    services.batch_evaluate_candidates(actor=a, batch=batch)
    for cadre in people:
        person = batch.candidates.get(cadre=cadre)
        services.candidate_nominate(actor=a, candidate=person)
        services.vetting_record(actor=a, candidate=person, findings=FINDINGS, opinions=CLEAR, vetted_on=start)
        person.refresh_from_db()
        if slot is not None:
            services.assignment_set(actor=a, candidate=person, slot=slot)
    services.batch_approve(actor=a, batch=batch)
    placements = services.placements_create(actor=a, batch=batch, start=start)
    batch.refresh_from_db()
    return batch, placements
