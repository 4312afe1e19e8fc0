"""Practice bases: "六个好" certification, and practice batches placed only at certified bases within capacity."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from miaopu.apps.core.models import AuditEvent
from miaopu.apps.fieldwork import services
from miaopu.apps.fieldwork.models import Certification, PracticeBase
from miaopu.apps.fieldwork.selectors import base_rows
from miaopu.apps.fieldwork.testing import certify, make_base
from miaopu.apps.programmes import services as programme_services
from miaopu.apps.programmes.models import Placement
from miaopu.domain.fieldwork import CRITERIA

from .conftest import actor, practice_batch, village, young

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def six(score: int = 80, **low) -> dict:
    return {code: {"score": low.get(code, score), "evidence": f"{label}：实地查看"} for code, label in CRITERIA.items()}


def test_certified_only_when_every_criterion_passes(city):
    base = services.base_create(actor=actor(city), unit=village(city, "青石镇白石村"), data={"capacity": 8})
    cert = services.certification_record(
        actor=actor(city),
        base=base,
        assessed_on=TODAY,
        valid_from=TODAY,
        valid_until=TODAY + dt.timedelta(days=1000),
        scores=six(),
    )
    assert cert.certified and cert.scores.count() == 6 and all(s.passed for s in cert.scores.all())
    (row,) = base_rows([base], TODAY)
    assert row.certified and row.free == 8
    # A later re-assessment with one criterion at 59 withdraws the certification from its date on.
    again = services.certification_record(
        actor=actor(city),
        base=base,
        assessed_on=TODAY,
        valid_from=TODAY,
        valid_until=TODAY + dt.timedelta(days=1000),
        scores=six(safety=59),
    )
    assert not again.certified and not again.scores.get(criterion="safety").passed
    assert not base_rows([base], TODAY)[0].certified
    assert AuditEvent.objects.filter(object_type="fieldwork.certification").count() == 2


def test_certification_needs_six_scores_with_evidence_and_sane_dates(city):
    base = services.base_create(actor=actor(city), unit=village(city, "青石镇白石村"), data={"capacity": 8})
    scores = six()
    scores["mentor"]["evidence"] = ""
    del scores["industry"]
    with pytest.raises(ValidationError) as exc:
        services.certification_record(
            actor=actor(city),
            base=base,
            assessed_on=TODAY,
            valid_from=TODAY,
            valid_until=TODAY - dt.timedelta(days=1),
            scores=scores,
        )
    errors = exc.value.message_dict
    assert errors["mentor"] == ["请填写“帮带导师”的评定依据"]
    assert errors["industry"][0] == "请为“特色产业”打分（0—100）"
    assert errors["valid_until"] == ["有效期截止日期不能早于起始日期。"]
    assert not Certification.objects.filter(base=base).exists()  # nothing half-written


def test_a_base_is_a_village_in_scope(city):
    with pytest.raises(ValidationError, match="实践基地应是村"):
        services.base_create(actor=actor(city), unit=city.town_a, data={"capacity": 5})
    from django.core.exceptions import PermissionDenied

    other = village(city, "青石镇石门村")
    with pytest.raises(PermissionDenied):
        services.base_create(actor=actor(city, "officer_b"), unit=other, data={"capacity": 5})
    with pytest.raises(ValidationError, match="已是实践基地"):
        services.base_create(actor=actor(city), unit=city.village_a, data={"capacity": 5})


def test_practice_batch_refused_at_an_unregistered_or_uncertified_base(city):
    person = young(city, "甲实践")
    plain = village(city, "青石镇石门村")
    with pytest.raises(ValidationError) as exc:
        practice_batch(city, [person], plain)
    assert "“青石镇石门村”不是实践基地：四下基层实践锻炼只能安排在经“六个好”认定的实践基地。" in exc.value.messages[
        0
    ] + " ".join(exc.value.messages)
    make_base(plain, certified=False)
    with pytest.raises(ValidationError) as exc:
        practice_batch(city, [person], plain)
    assert "实践基地“青石镇石门村”尚未通过“六个好”认定，不能安排实践锻炼。" in exc.value.messages


def test_assignment_refused_when_the_base_lost_its_certification(city):
    person = young(city, "乙实践")
    host = village(city, "青石镇龙潭村")
    base = make_base(host, capacity=5)
    batch, slot, (candidate,) = practice_batch(city, [person], host)
    certify(base, assessed_on=TODAY, failing=("lodging",))  # the re-assessment fails: 食宿条件
    with pytest.raises(ValidationError) as exc:
        programme_services.assignment_set(actor=actor(city), candidate=candidate, slot=slot)
    assert f"实践基地“青石镇龙潭村”{TODAY.isoformat()} 的“六个好”评定未通过，不能安排实践锻炼。" in exc.value.messages


def test_assignment_refused_at_a_full_base(city):
    host = village(city, "青石镇龙潭村")
    make_base(host, capacity=2)
    people = [young(city, f"丙{i}") for i in range(3)]
    batch, slot, candidates = practice_batch(city, people, host, capacity=3)
    a = actor(city)
    programme_services.assignment_set(actor=a, candidate=candidates[0], slot=slot)
    programme_services.assignment_set(actor=a, candidate=candidates[1], slot=slot)
    with pytest.raises(ValidationError) as exc:
        programme_services.assignment_set(actor=a, candidate=candidates[2], slot=slot)
    assert "实践基地“青石镇龙潭村”可接待 2 人，同期已安排 2 人，再安排 1 人将超出（已满）。" in exc.value.messages


def test_placement_refused_when_the_base_is_full_for_the_period(city):
    host = village(city, "青石镇龙潭村")
    base = make_base(host, capacity=3)
    first = [young(city, f"丁{i}") for i in range(2)]
    batch, slot, candidates = practice_batch(city, first, host)
    a = actor(city)
    for c in candidates:
        programme_services.assignment_set(actor=a, candidate=c, slot=slot)
    programme_services.batch_approve(actor=a, batch=batch)
    # Meanwhile another batch placed two cadres there for an overlapping period (capacity 3 → only 1 left).
    other = [young(city, f"戊{i}") for i in range(2)]
    b2, s2, c2 = practice_batch(city, other, city.village_a)
    for c in c2:
        programme_services.assignment_set(actor=a, candidate=c, slot=s2)
    programme_services.batch_approve(actor=a, batch=b2)
    for p in programme_services.placements_create(actor=a, batch=b2, start=TODAY):
        Placement.objects.filter(pk=p.pk).update(host_unit=host)  # moved there by hand (the data we are guarding)
    with pytest.raises(ValidationError) as exc:
        programme_services.placements_create(actor=a, batch=batch, start=TODAY + dt.timedelta(days=3))
    assert "实践基地“青石镇龙潭村”可接待 3 人，同期已安排 2 人，再安排 2 人将超出（已满）。" in exc.value.messages
    assert not Placement.objects.filter(batch=batch).exists()  # nothing half-written
    # After the others' term the base has room again.
    placed = programme_services.placements_create(actor=a, batch=batch, start=TODAY + dt.timedelta(days=16))
    assert len(placed) == 2 and base_rows([base], TODAY + dt.timedelta(days=17))[0].in_use == 2


def test_a_practice_shorter_than_15_days_cannot_end_as_completed(city):
    person = young(city, "己实践")
    batch, slot, (candidate,) = practice_batch(city, [person], city.village_a)
    a = actor(city)
    programme_services.assignment_set(actor=a, candidate=candidate, slot=slot)
    programme_services.batch_approve(actor=a, batch=batch)
    (placement,) = programme_services.placements_create(actor=a, batch=batch, start=TODAY)
    assert placement.planned_end == TODAY + dt.timedelta(days=15)
    with pytest.raises(ValidationError) as exc:
        programme_services.placement_term_end_assess(
            actor=a, placement=placement, grade="competent", end=TODAY + dt.timedelta(days=9)
        )
    assert exc.value.message_dict["end"][0].startswith("本项目规定实践锻炼不少于 15 天，己实践 自 ")
    assert "仅 9 天" in exc.value.message_dict["end"][0]
    placement.refresh_from_db()
    assert placement.status == "active" and not placement.grade
    programme_services.placement_term_end_assess(
        actor=a, placement=placement, grade="competent", end=TODAY + dt.timedelta(days=15)
    )
    placement.refresh_from_db()
    assert placement.status == "ended"


def test_base_capacity_edit_is_audited(city):
    base = PracticeBase.objects.get(unit=city.village_a)
    services.base_update(actor=actor(city), base=base, data={"capacity": 12})
    event = AuditEvent.objects.filter(object_type="fieldwork.practicebase", action="update").get()
    assert event.before == {"capacity": 20} and event.after == {"capacity": 12}
    with pytest.raises(ValidationError, match="可接待人数"):
        services.base_update(actor=actor(city), base=base, data={"capacity": 0})
