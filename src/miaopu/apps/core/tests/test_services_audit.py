"""The write path: services validate, enforce scope, and leave an audit record for every change."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from miaopu.apps.cadres import services
from miaopu.apps.cadres.models import Cadre
from miaopu.apps.core.audit import Actor
from miaopu.apps.core.models import AuditEvent
from miaopu.apps.core.services import ConflictError
from miaopu.domain.idcard import make_id_number

pytestmark = pytest.mark.django_db


def test_update_writes_before_and_after(city):
    cadre = city.cadres["town_a"]
    actor = Actor(user=city.users["orgdept"], source="web", ip="10.1.2.3")
    services.cadre_update(actor=actor, cadre=cadre, data={"post_title": "党政办副主任"})
    event = AuditEvent.objects.get(object_type="cadres.cadre", object_id=str(cadre.pk), action="update")
    assert event.actor_name == "orgdept" and event.source == "web" and event.ip == "10.1.2.3"
    assert event.before == {"post_title": ""} or "post_title" in event.before
    assert event.after["post_title"] == "党政办副主任"
    assert "version" in event.after  # the version bump is part of the record


def test_id_number_never_logged_in_clear(city):
    cadre = city.cadres["town_a"]
    actor = Actor(user=city.users["orgdept"], source="cli")
    new_id = make_id_number("440802", cadre.birth_date, 555)
    services.cadre_update(actor=actor, cadre=cadre, data={"id_number": new_id})
    event = AuditEvent.objects.filter(action="update").latest("id")
    assert new_id not in str(event.after) and new_id not in str(event.before)
    assert event.after["id_number"].startswith("440802")


def test_validation_reports_every_problem_and_writes_nothing(city):
    cadre = city.cadres["town_a"]
    actor = Actor(user=city.users["orgdept"], source="web")
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.cadre_update(
            actor=actor,
            cadre=cadre,
            data={"id_number": "11010519491231002Y", "work_start_date": dt.date(1996, 1, 1), "gender": "x"},
        )
    fields = exc.value.message_dict
    assert {"id_number", "work_start_date", "gender"} <= set(fields)
    cadre.refresh_from_db()
    assert cadre.work_start_date != dt.date(1996, 1, 1)
    assert AuditEvent.objects.count() == before


def test_out_of_scope_write_refused(city):
    actor = Actor(user=city.users["orgdept_a"], source="web")
    with pytest.raises(PermissionDenied):
        services.cadre_update(actor=actor, cadre=city.cadres["town_b"], data={"post_title": "x"})
    with pytest.raises(PermissionDenied):  # nor may a cadre be moved out of the writer's scope
        services.cadre_update(actor=actor, cadre=city.cadres["town_a"], data={"unit": city.town_b})


@pytest.mark.parametrize("role", ["sysadmin", "secadmin", "auditor", "mentor", "cadre"])
def test_non_writers_cannot_write(city, role):
    actor = Actor(user=city.users[role], source="api")
    with pytest.raises(PermissionDenied):
        services.cadre_update(actor=actor, cadre=city.cadres["village_a"], data={"post_title": "x"})


def test_stale_version_is_a_conflict(city):
    cadre = city.cadres["town_a"]
    actor = Actor(user=city.users["orgdept"], source="web")
    stale = cadre.version
    services.cadre_update(actor=actor, cadre=Cadre.objects.get(pk=cadre.pk), data={"post_title": "甲"})
    with pytest.raises(ConflictError):
        services.cadre_update(actor=actor, cadre=cadre, data={"post_title": "乙"}, expected_version=stale)
    assert Cadre.objects.get(pk=cadre.pk).post_title == "甲"


def test_create_generates_code_and_audits(city):
    actor = Actor(user=city.users["officer_b"], source="api")
    cadre = services.cadre_create(
        actor=actor,
        data={
            "name": "孙磊",
            "gender": "male",
            "birth_date": dt.date(1996, 3, 3),
            "unit": city.town_b,
            "political_status": "masses",
            "source": "civil_exam",
        },
    )
    assert cadre.code.startswith("MP")
    assert AuditEvent.objects.filter(action="create", object_id=str(cadre.pk), source="api").exists()


def test_audit_rows_are_append_only(city):
    actor = Actor(user=city.users["orgdept"], source="web")
    services.cadre_update(actor=actor, cadre=city.cadres["town_a"], data={"post_title": "甲"})
    event = AuditEvent.objects.latest("id")
    event.actor_name = "someone else"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(actor_name="x")
