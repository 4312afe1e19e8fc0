"""A 六线蓄能 (six-lines) batch on the hand-built city, set up so every scoring part and avoidance rule shows.

People (all 选调生, so all eligible; as-of date 2025-03-01):

- 方规划 in the 自然资源局 (city organ): native of 东湖 (籍贯 福建东湖 → 东湖区), specialty 规划, annual grades
  2022 优秀、2023 优秀、2024 称职;
- 许亲属 in the 自然资源局: her father works at 青石镇人民政府 (town_a is 东湖区青石镇);
- 谢本镇 at 东湖区青石镇 (town_a) itself.

Slots (all tagged 乡村振兴, which the template requires of host units):

- ``head``: 青石镇 镇长 (a township head post, in 东湖区), capacity 1;
- ``assistant``: 青石镇 镇长助理, tagged also 规划, capacity 1;
- ``village``: 青石镇红旗村 (below town_a), capacity 1;
- ``far``: 西山县白沙镇 镇长助理, capacity 2;
- ``organ``: 自然资源局 规划科科员 (the organ's own unit for two of them), tagged 项目建设, capacity 1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from miaopu.apps.cadres.models import CadreFormInfo, FamilyMember
from miaopu.apps.core.audit import Actor
from miaopu.apps.core.testing import make_cadre
from miaopu.apps.programmes import services as programme_services
from miaopu.apps.programmes.models import Batch, Candidate, HostSlot, ProgrammeTemplate

AS_OF = dt.date(2025, 3, 1)
FINDINGS = dict.fromkeys(["political", "moral", "achievement", "duty", "integrity"], "好")
CLEAR = [{"department": "纪检监察机关", "opinion": "未发现问题", "objection": False}]


@dataclass
class Setup:
    city: object
    batch: Batch
    people: dict[str, Candidate] = field(default_factory=dict)
    slots: dict[str, HostSlot] = field(default_factory=dict)

    def key(self, name: str) -> str:
        return f"c{self.people[name].pk}"

    def slot(self, name: str) -> str:
        return f"s{self.slots[name].pk}"


def actor_for(city, role: str = "orgdept") -> Actor:
    return Actor(user=city.users[role], source="web")


def vet(actor: Actor, *people: Candidate) -> None:
    for person in people:
        programme_services.candidate_nominate(actor=actor, candidate=person)
        programme_services.vetting_record(
            actor=actor, candidate=person, findings=FINDINGS, opinions=CLEAR, vetted_on=AS_OF
        )
        person.refresh_from_db()


@pytest.fixture
def six_lines(city) -> Setup:
    organ = city.organ
    d = dt.date
    fang = make_cadre(organ, "方规划", d(1994, 4, 4), source="selected_graduate", native_place="福建东湖",
                      specialties="规划")  # fmt: skip
    CadreFormInfo.objects.create(cadre=fang, annual_reviews="2022年度优秀；2023年度优秀；2024年度称职")
    xu = make_cadre(
        organ, "许亲属", d(1995, 5, 5), gender="female", source="selected_graduate", native_place="福建福州"
    )
    FamilyMember.objects.create(cadre=xu, relation="父亲", name="许某", work="青石镇人民政府副镇长")
    xie = make_cadre(city.town_a, "谢本镇", d(1996, 6, 6), source="selected_graduate")

    actor = actor_for(city)
    template = ProgrammeTemplate.objects.get(code="six-lines")
    batch = programme_services.batch_create(
        actor=actor, template=template, name="六线蓄能 2025 年第一批", year=2025, as_of=AS_OF
    )
    add = programme_services.batch_add_slot
    slots = {
        "head": add(actor=actor, batch=batch, unit=city.town_a, post=city.posts["town_a_head"], tags="乡村振兴"),
        "assistant": add(actor=actor, batch=batch, unit=city.town_a, post_title="镇长助理", tags="乡村振兴、规划"),
        "village": add(actor=actor, batch=batch, unit=city.village_a, post_title="村主任助理", tags="乡村振兴"),
        "far": add(actor=actor, batch=batch, unit=city.town_b, post_title="镇长助理", tags="乡村振兴", capacity=2),
        "organ": add(actor=actor, batch=batch, unit=organ, post_title="规划科科员", tags="项目建设"),
    }
    programme_services.batch_evaluate_candidates(actor=actor, batch=batch)
    people = {c.name: batch.candidates.get(cadre=c) for c in (fang, xu, xie)}
    vet(actor, *people.values())
    batch.refresh_from_db()
    return Setup(city=city, batch=batch, people=people, slots=slots)
