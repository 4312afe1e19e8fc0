"""Logins, logouts and failed logins reach the audit log; the auditor reads it, and is recorded reading it."""

import datetime as dt
import re

import pytest
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from miaopu.apps.accounts import services
from miaopu.apps.core.audit import Actor, record
from miaopu.apps.core.models import AuditEvent
from miaopu.apps.core.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_failure_is_recorded_with_name_and_ip(city):
    response = Client(REMOTE_ADDR="10.9.8.7").post(reverse("login"), {"username": "orgdept", "password": "wrong!"})
    assert response.status_code == 200  # the form again
    event = AuditEvent.objects.get(action="login_failed")
    assert event.category == "auth" and event.source == "web" and event.ip == "10.9.8.7"
    assert event.actor_name == "orgdept" and event.actor_id is None  # the name tried; nobody was authenticated
    assert event.object_id == str(city.users["orgdept"].pk)
    assert "wrong!" not in str(event.detail) and "wrong!" not in event.object_repr


def test_login_and_logout_are_recorded_with_ip(city):
    client = Client(REMOTE_ADDR="10.9.8.6")
    response = client.post(reverse("login"), {"username": "auditor", "password": PASSWORD})
    assert response.status_code == 302
    login = AuditEvent.objects.get(action="login")
    assert login.actor_id == city.users["auditor"].pk and login.ip == "10.9.8.6" and login.source == "web"
    assert PASSWORD not in str(login.detail)
    client.post(reverse("logout"))
    logout = AuditEvent.objects.get(action="logout")
    assert logout.actor_name == "auditor" and logout.ip == "10.9.8.6"


def test_failed_api_login_is_marked_as_api(city):
    request = RequestFactory().post("/api/auth/", REMOTE_ADDR="192.168.3.4")
    assert authenticate(request, username="nobody", password="x") is None
    event = AuditEvent.objects.get(action="login_failed")
    assert event.source == "api" and event.ip == "192.168.3.4"
    assert event.actor_name == "nobody" and event.object_id == "" and event.detail["account_exists"] is False


def test_auditor_search_filters_and_is_itself_recorded(city, client_for):
    services.user_assign_role(
        actor=Actor(user=city.users["secadmin"], source="web"),
        user=city.users["mentor"],
        role="orgdept",
        scope_unit=city.district_b,
    )
    client = client_for("auditor")
    response = client.get(reverse("accounts:audit_list"), {"category": "auth", "user": "secadmin"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "mentor（组织部干部科）" in page  # the one row: the role change
    assert len(re.findall(r'href="/audit/\d+/"', page)) == 1
    search = AuditEvent.objects.filter(action="search").latest("id")
    assert search.category == "access" and search.actor_name == "auditor" and search.object_type == "core.auditevent"
    assert search.detail["filters"] == {"category": "auth", "user": "secadmin"}
    assert search.detail["results"] == 1


def test_audit_list_pages_newest_first_fifty_a_page(city, client_for):
    actor = Actor(user=city.users["orgdept"], source="cli")
    for n in range(60):
        record(actor, category="access", action="export", obj="cadres.cadre", object_id=n, object_repr=f"导出{n:02d}")
    client = client_for("auditor")
    first = client.get(reverse("accounts:audit_list"), {"action": "export"})
    rows = first.context["rows"]
    assert len(rows) == 50 and first.context["page_obj"].paginator.count == 60
    assert rows[0]["event"].object_repr == "导出59" and rows[-1]["event"].object_repr == "导出10"
    second = client.get(reverse("accounts:audit_list"), {"action": "export", "page": 2})
    assert [r["event"].object_repr for r in second.context["rows"]][-1] == "导出00"
    assert AuditEvent.objects.filter(action="search", actor_name="auditor").count() == 2


def test_audit_filters_by_object_and_date(city, client_for):
    actor = Actor(user=city.users["orgdept"], source="web")
    record(actor, category="change", action="update", obj="cadres.cadre", object_id=7, object_repr="某干部")
    record(actor, category="change", action="update", obj="units.unit", object_id=7, object_repr="某单位")
    client = client_for("auditor")
    url = reverse("accounts:audit_list")
    rows = client.get(url, {"object_type": "cadres.cadre", "object_id": "7"}).context["rows"]
    assert [r["event"].object_repr for r in rows] == ["某干部"]
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    assert client.get(url, {"object_id": "7", "date_from": today.isoformat()}).context["page_obj"].paginator.count == 2
    assert (
        client.get(url, {"object_id": "7", "date_to": yesterday.isoformat()}).context["page_obj"].paginator.count == 0
    )
    assert client.get(url, {"source": "cli", "object_id": "7"}).context["page_obj"].paginator.count == 0


def test_audit_detail_shows_before_and_after(city, client_for):
    user = city.users["officer_town_a"]
    services.user_assign_role(
        actor=Actor(user=city.users["secadmin"], source="web"), user=user, role="unit_officer", scope_unit=city.town_b
    )
    event = AuditEvent.objects.filter(object_id=str(user.pk), action="update").latest("id")
    page = client_for("auditor").get(reverse("accounts:audit_detail", args=[event.pk])).content.decode()
    assert "变更前" in page and "变更后" in page and "管理范围" in page
    assert f">{city.town_a.pk}<" in page and f">{city.town_b.pk}<" in page
    viewed = AuditEvent.objects.filter(action="view", object_type="core.auditevent").latest("id")
    assert viewed.object_id == str(event.pk) and viewed.actor_name == "auditor"
