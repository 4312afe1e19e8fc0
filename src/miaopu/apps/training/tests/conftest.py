"""Training data on the hand-built city, reachable by every role of ``build_city``.

- a city class (held by 示范市) with 赵强 (town_b: 西山县 officer, mentor), 李娜 (village_a: 东湖区 组织部, 青石镇
  officer, the cadre herself) and 林晓明 (organ), two sessions, attendance and scores — still running;
- a district class held by 东湖区 (orgdept_a manages it) with 王海 (town_a);
- orders: 李娜's own, and one of the 西山县 officer for 西山县;
- topics: 赵强's (mentor 导师甲, the mentor account), and 林晓明's (held by the city).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from miaopu.apps.core.audit import Actor
from miaopu.apps.mentoring.models import Mentor
from miaopu.apps.training import services
from miaopu.apps.training.models import (
    ClassSession,
    Course,
    Enrolment,
    ResearchTopic,
    TrainingClass,
    TrainingOrder,
)

D = dt.date


@dataclass
class Data:
    city: object
    course: Course
    county_course: Course
    klass: TrainingClass
    district_class: TrainingClass
    sessions: list[ClassSession]
    enrolments: dict[str, Enrolment]
    order_own: TrainingOrder
    order_unit: TrainingOrder
    topic_mentored: ResearchTopic
    topic_organ: ResearchTopic


def actor(city, role: str = "orgdept") -> Actor:
    return Actor(user=city.users[role], source="web")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def data(city) -> Data:
    c = city.cadres
    org = actor(city)
    course = services.course_create(
        actor=org,
        data={"topic": "突发事件应急处置", "theme": "能力提升", "hours": 3, "form": "sandbox", "scope_unit": city.root},
    )
    county_course = services.course_create(
        actor=org,
        data={"topic": "乡村振兴现场教学", "theme": "乡村振兴", "county": city.district_b, "hours": 3,
              "form": "onsite", "scope_unit": city.root},
    )  # fmt: skip
    klass = services.class_create(
        actor=org,
        data={"name": "2025年中青年干部培训班", "kind": "class", "scope_unit": city.root, "start": D(2025, 10, 1),
              "end": D(2025, 10, 20)},
    )  # fmt: skip
    sessions = [
        services.session_create(actor=org, klass=klass, data={"course": course, "date": D(2025, 10, 2), "hours": 3}),
        services.session_create(
            actor=org, klass=klass, data={"course": county_course, "date": D(2025, 10, 9), "hours": 3}
        ),
    ]
    rows = services.enrol(actor=org, klass=klass, cadres=[c["town_b"], c["village_a"], c["organ"]])
    enrolments = {"town_b": rows[0], "village_a": rows[1], "organ": rows[2]}
    district_class = services.class_create(
        actor=actor(city, "orgdept_a"),
        data={"name": "东湖区青年干部夜校", "kind": "class", "scope_unit": city.district_a, "start": D(2025, 11, 1),
              "end": D(2025, 11, 30)},
    )  # fmt: skip
    enrolments["town_a"] = services.enrol(actor=actor(city, "orgdept_a"), klass=district_class, cadres=[c["town_a"]])[0]
    order_own = services.order_create(actor=actor(city, "cadre"), data={"course": course, "note": "想学应急处置"})
    order_unit = services.order_create(
        actor=actor(city, "officer_b"),
        data={"custom_topic": "信访矛盾化解", "headcount": 12, "post_category": "general"},
    )
    mentor = Mentor.objects.get(user=city.users["mentor"])
    topic_mentored = services.topic_create(
        actor=org,
        data={"title": "白沙镇乡村振兴调研", "mentor": mentor, "scope_unit": city.root, "start": D(2025, 3, 1),
              "due": D(2025, 9, 30)},
        owners=[c["town_b"]],
    )  # fmt: skip
    topic_organ = services.topic_create(
        actor=org,
        data={"title": "自然资源执法调研", "scope_unit": city.root, "start": D(2025, 3, 1), "due": D(2025, 9, 30)},
        owners=[c["organ"]],
    )
    return Data(
        city, course, county_course, klass, district_class, sessions, enrolments, order_own, order_unit,
        topic_mentored, topic_organ,
    )  # fmt: skip


CLOSE_ON = D(2025, 10, 20)


def score_and_close(data: Data, scores: dict[str, tuple], on: dt.date = CLOSE_ON) -> None:
    """Attendance: everyone present at both sessions; scores (coursework, assessment, peer) by cadre key."""
    org = actor(data.city)
    e = data.enrolments
    for session in data.sessions:
        services.attendance_record(
            actor=org, session=session, statuses={e[k].pk: "present" for k in ("town_b", "village_a", "organ")}
        )
    services.scores_record(
        actor=org,
        klass=data.klass,
        rows={e[k].pk: dict(zip(("coursework", "assessment", "peer"), v, strict=True)) for k, v in scores.items()},
    )
    services.class_close(actor=org, klass=data.klass, on=on)
