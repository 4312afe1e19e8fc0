"""The command line is a third door to the same service: audited, scoped, validated."""

import pytest
from django.core.management import CommandError, call_command

from miaopu.apps.cadres.models import Cadre
from miaopu.apps.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_cli_change_is_audited_like_web_and_api(city, monkeypatch):
    monkeypatch.setenv("MIAOPU_AUDIT_SOURCE", "cli")
    cadre = city.cadres["town_a"]
    call_command("set-cadre", cadre.code, "post_title=党政办主任", "political_status=预备党员", user="orgdept")
    cadre.refresh_from_db()
    assert cadre.post_title == "党政办主任" and cadre.political_status == "probationary"
    event = AuditEvent.objects.filter(object_id=str(cadre.pk), action="update").latest("id")
    assert event.source == "cli" and event.actor_name == "orgdept"
    assert event.after["post_title"] == "党政办主任"


def test_cli_respects_scope(city):
    with pytest.raises(CommandError, match="管理范围"):
        call_command("set-cadre", city.cadres["town_b"].code, "post_title=x", user="orgdept_a")
    assert Cadre.objects.get(pk=city.cadres["town_b"].pk).post_title == ""


def test_cli_reports_validation_errors(city):
    with pytest.raises(CommandError, match="id_number"):
        call_command("set-cadre", city.cadres["town_a"].code, "id_number=11010519491231002Y", user="orgdept")


def test_cli_needs_an_account(city):
    with pytest.raises(CommandError, match="不存在"):
        call_command("set-cadre", city.cadres["town_a"].code, "post_title=x", user="nobody")


def test_a_cadre_with_a_file_cannot_be_deleted_only_marked(city):
    """Deleting a cadre whose records others point at is refused with advice, not a server error."""
    import datetime as dt

    from django.core.exceptions import ValidationError

    from miaopu.apps.assessments.models import Assessment, AssessmentCycle
    from miaopu.apps.cadres.services import cadre_delete
    from miaopu.apps.core.audit import Actor

    cadre = city.cadres["town_a"]
    cycle = AssessmentCycle.objects.create(
        kind="annual",
        year=2025,
        name="2025 年度考核",
        scope_unit=city.root,
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 12, 31),
    )
    Assessment.objects.create(
        cycle=cycle, cadre=cadre, kind="annual", year=2025, grade="competent", assessed_on=dt.date(2025, 12, 31)
    )
    with pytest.raises(ValidationError, match="调出"):
        cadre_delete(actor=Actor(user=city.users["orgdept"], source="web"), cadre=cadre)
    assert Cadre.objects.filter(pk=cadre.pk).exists()
