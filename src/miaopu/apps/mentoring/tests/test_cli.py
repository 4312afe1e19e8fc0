"""``miaopu pair-mentors``: the same services as the web page, as a named account, with the reasons printed."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from miaopu.apps.core.models import AuditEvent
from miaopu.apps.mentoring.models import Mentorship, PairingRun

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("pair-mentors", *args, stdout=out)
    except SystemExit as exc:
        return out.getvalue(), int(exc.code)
    return out.getvalue(), 0


def test_pair_a_template_cohort_and_confirm(town):
    text, status = run(
        "xinmiao", "--user", "orgdept", "--as-of", AS_OF.isoformat(), "--confirm", "--start", "2025-03-10"
    )
    assert status == 0
    assert "4 人" in text and "政治导师：已有 0，建议 4，无合适人选 0" in text and "已建立结对 8 对" in text
    assert Mentorship.objects.filter(start="2025-03-10").count() == 8
    assert AuditEvent.objects.filter(object_type="mentoring.pairingrun", source="cli").exists()


def test_json_output_carries_reasons_and_exit_status_1_when_someone_is_left_out(town):
    from miaopu.apps.mentoring.models import PairingPolicy
    from miaopu.apps.programmes.models import ProgrammeTemplate

    PairingPolicy.objects.create(template=ProgrammeTemplate.objects.get(code="xinmiao"), capacity=1)
    text, status = run("xinmiao", "--user", "orgdept", "--as-of", AS_OF.isoformat(), "--roles", "political",
                       "--format", "json")  # fmt: skip
    assert status == 1
    data = json.loads(text)
    assert data["cohort"] == 4 and len(data["proposals"]) == 4
    left = [p for p in data["proposals"] if p["mentor"] is None]
    assert len(left) == 1 and "名额均已用满" in left[0]["reasons"][0]
    assert PairingRun.objects.get().status == "proposed"


def test_bad_input(town):
    with pytest.raises(CommandError, match="不是组织部干部科"):
        run("xinmiao", "--user", "mentor")
    with pytest.raises(CommandError, match="没有代码为“nope”的模板"):
        run("nope", "--user", "orgdept")
    with pytest.raises(CommandError, match="未知的导师类型"):
        run("xinmiao", "--user", "orgdept", "--roles", "x")
    with pytest.raises(CommandError, match="没有编号为 999 的批次"):
        run("999", "--user", "orgdept")
