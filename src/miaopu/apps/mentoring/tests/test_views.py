"""The mentoring pages as each role sees them: a mentor sees and edits only its own mentees' records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from miaopu.apps.mentoring.models import GuidanceRecord, Mentorship, PairingRun, ProposalStatus
from miaopu.apps.programmes.models import ProgrammeTemplate

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


def login(city, role: str) -> Client:
    client = Client()
    client.force_login(city.users[role])
    return client


def test_mentor_home_and_list_show_only_own_mentees(city, records):
    client = login(city, "mentor")
    page = client.get(reverse("mentoring:home")).content.decode()
    assert "赵强" in page and "李娜" not in page
    page = client.get(reverse("mentoring:mentorship_list")).content.decode()
    assert "赵强" in page and "李娜" not in page


def test_mentor_cannot_open_or_write_another_mentors_mentorship(city, records):
    client = login(city, "mentor")
    other = records["other"].mentorship
    assert client.get(reverse("mentoring:mentorship_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("mentoring:record_create", args=[other.pk])).status_code == 404
    response = client.post(
        reverse("mentoring:record_create", args=[other.pk]),
        {"date": "2024-07-01", "kind": "talk", "hours": "1", "content": "越权"},
    )
    assert response.status_code == 404
    assert client.get(reverse("mentoring:record_edit", args=[records["other"].pk])).status_code == 404
    assert client.post(reverse("mentoring:record_delete", args=[records["other"].pk])).status_code == 404
    assert GuidanceRecord.objects.filter(pk=records["other"].pk).exists()
    assert "越权" not in [r.content for r in GuidanceRecord.objects.all()]  # (encrypted: read, not searched)


def test_mentor_writes_and_edits_own_record(city, records):
    client = login(city, "mentor")
    ship = records["own"].mentorship
    response = client.post(
        reverse("mentoring:record_create", args=[ship.pk]),
        {"date": "2024-08-01", "kind": "research", "hours": "3.5", "content": "指导乡村振兴调研提纲"},
    )
    assert response.status_code == 302
    record = GuidanceRecord.objects.filter(mentorship=ship).latest("id")
    assert record.content == "指导乡村振兴调研提纲"
    assert record.created_by == city.users["mentor"] and record.hours == 3.5
    response = client.post(
        reverse("mentoring:record_edit", args=[record.pk]),
        {"date": "2024-08-01", "kind": "research", "hours": "4", "content": "指导乡村振兴调研提纲（修改）"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.hours == 4
    detail = client.get(reverse("mentoring:mentorship_detail", args=[ship.pk])).content.decode()
    assert "指导乡村振兴调研提纲（修改）" in detail and "待本人确认" in detail


def test_record_errors_are_shown_on_the_form(city, records):
    client = login(city, "mentor")
    ship = records["own"].mentorship
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    page = client.post(
        reverse("mentoring:record_create", args=[ship.pk]),
        {"date": future, "kind": "talk", "hours": "30", "content": "x"},
    ).content.decode()
    assert "日期不能晚于今天" in page and "不超过 24 小时" in page


def test_mentee_confirms_and_the_record_is_locked(city, records):
    cadre = login(city, "cadre")
    record = records["other"]  # 导师乙's record of 李娜, the 干部本人 account's own file
    page = cadre.get(reverse("mentoring:home")).content.decode()
    assert "待我确认的帮带记录" in page and "谈心谈话" in page
    response = cadre.post(reverse("mentoring:record_confirm", args=[record.pk]), {"note": "属实"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.is_confirmed and record.mentee_note == "属实" and record.confirmed_by == city.users["cadre"]
    mentor2 = login(city, "mentor2")
    mentor2.post(
        reverse("mentoring:record_edit", args=[record.pk]),
        {"date": "2024-06-02", "kind": "talk", "hours": "9", "content": "改掉"},
    )
    record.refresh_from_db()
    assert record.hours == 1 and record.content == "谈心谈话：驻村适应情况"


def test_a_mentor_cannot_confirm_and_a_cadre_cannot_write(city, records):
    mentor2 = login(city, "mentor2")
    response = mentor2.post(reverse("mentoring:record_confirm", args=[records["other"].pk]))
    assert response.status_code == 403
    cadre = login(city, "cadre")
    ship = records["other"].mentorship
    assert cadre.get(reverse("mentoring:record_create", args=[ship.pk])).status_code == 403
    # someone else's record is not even visible to the cadre
    assert cadre.post(reverse("mentoring:record_confirm", args=[records["own"].pk])).status_code == 404


def test_mentee_and_mentor_evaluate_each_other(city, records):
    ship = records["other"].mentorship
    login(city, "mentor2").post(
        reverse("mentoring:rate_mentee", args=[ship.pk]), {"grade": "excellent", "comment": "进步快"}
    )
    login(city, "cadre").post(
        reverse("mentoring:rate_mentor", args=[ship.pk]), {"grade": "satisfied", "comment": "受益"}
    )
    ship.refresh_from_db()
    assert (ship.mentee_grade, ship.mentor_grade) == ("excellent", "satisfied")
    assert login(city, "mentor").get(reverse("mentoring:rate_mentee", args=[ship.pk])).status_code == 404
    assert login(city, "cadre").get(reverse("mentoring:rate_mentee", args=[ship.pk])).status_code == 403


def test_admin_roles_are_refused(city):
    for role in ("sysadmin", "secadmin", "auditor"):
        client = login(city, role)
        assert client.get(reverse("mentoring:home")).status_code == 403
        assert client.get(reverse("mentoring:alert_list")).status_code == 403


def test_orgdept_pages(city, records):
    client = login(city, "orgdept")
    for name in ("home", "mentorship_list", "mentor_list", "alert_list", "due_list", "pairing_list", "pairing_new",
                 "mentorship_create", "mentor_create", "policy_default"):  # fmt: skip
        assert client.get(reverse(f"mentoring:{name}")).status_code == 200, name
    ship = records["own"].mentorship
    page = client.get(reverse("mentoring:mentorship_detail", args=[ship.pk])).content.decode()
    assert "讲解招商项目台账" in page and "结束结对" in page
    # 60 days without a record: both mentorships are due a contact
    due = client.get(reverse("mentoring:due_list")).content.decode()
    assert "赵强" in due and "李娜" in due


def test_district_orgdept_sees_only_its_district(city, records):
    client = login(city, "orgdept_a")  # 东湖区: 李娜 (village_a) yes, 赵强 (西山县) no
    page = client.get(reverse("mentoring:mentorship_list")).content.decode()
    assert "李娜" in page and "赵强" not in page
    own = records["own"].mentorship
    assert client.get(reverse("mentoring:mentorship_detail", args=[own.pk])).status_code == 404


def test_orgdept_pairs_by_hand_and_ends(city):
    client = login(city, "orgdept")
    mentor = Mentorship.objects.get(mentor__user=city.users["mentor"]).mentor
    response = client.post(
        reverse("mentoring:mentorship_create"),
        {"mentee": city.cadres["town_a"].code, "role": "political", "mentor": mentor.pk, "start": "2025-01-01"},
    )
    assert response.status_code == 302
    ship = Mentorship.objects.get(mentee=city.cadres["town_a"])
    page = client.post(reverse("mentoring:mentorship_end", args=[ship.pk]), {"status": "ended", "end": "2025-02-01"})
    assert "提前解除须写明理由" in page.content.decode()
    client.post(reverse("mentoring:mentorship_end", args=[ship.pk]),
                {"status": "ended", "end": "2025-02-01", "reason": "导师调离"})  # fmt: skip
    ship.refresh_from_db()
    assert not ship.is_active and ship.status == "ended" and ship.end_reason == "导师调离"


def test_pairing_page_accept_all_then_confirm(town):
    client = login(town, "orgdept")
    template = ProgrammeTemplate.objects.get(code="xinmiao")
    response = client.post(reverse("mentoring:pairing_new"), {"template": template.pk, "as_of": AS_OF.isoformat()})
    run = PairingRun.objects.get()
    assert response.status_code == 302 and response.url == run.get_absolute_url()
    page = client.get(run.get_absolute_url()).content.decode()
    assert "新人0" in page and "以老带新" in page and "基层岗位（镇街），按“以老带新”配备业务导师" in page
    client.post(reverse("mentoring:pairing_decide", args=[run.pk]), {"action": "accept_all"})
    assert run.proposals.filter(status=ProposalStatus.ACCEPTED).count() == 8
    client.post(reverse("mentoring:pairing_confirm", args=[run.pk]))
    assert Mentorship.objects.filter(template=template, is_active=True).count() == 8
    run.refresh_from_db()
    assert run.status == "confirmed"
    cadre_page = client.get(town.cadres["recruit0"].get_absolute_url())
    assert cadre_page.status_code == 200


def test_mentoring_panel_tag_shows_what_the_user_may_see(city, records):
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = city.users["mentor"]
    html = Template("{% load mentoring %}{% mentoring_panel cadre %}").render(
        Context({"request": request, "cadre": city.cadres["town_b"]})
    )
    assert "讲解招商项目台账" in html and "业务导师" in html
    request.user = city.users["cadre"]
    html = Template("{% load mentoring %}{% mentoring_panel cadre %}").render(
        Context({"request": request, "cadre": city.cadres["village_a"]})
    )
    assert "谈心谈话：驻村适应情况" in html and "导师乙" in html


def test_mentor_library_add_a_cadre_and_an_external_secretary(city):
    from miaopu.apps.mentoring.models import Mentor

    client = login(city, "orgdept")
    response = client.post(
        reverse("mentoring:mentor_create"), {"cadre_code": city.cadres["organ"].code, "is_available": "on"}
    )
    assert response.status_code == 302
    cadre_mentor = Mentor.objects.get(cadre=city.cadres["organ"])
    assert (cadre_mentor.name, cadre_mentor.unit_name, cadre_mentor.kind) == ("林晓明", "示范市自然资源局", "cadre")
    response = client.post(
        reverse("mentoring:mentor_create"),
        {
            "name": "张支书",
            "unit": city.village_a.pk,
            "title": "村党支部书记",
            "contact": "13800000000",
            "is_available": "on",
        },
    )
    assert response.status_code == 302
    secretary = Mentor.objects.get(name="张支书")
    assert secretary.kind == "external" and secretary.unit == city.village_a and secretary.unit_name == "青石镇红旗村"
    page = client.get(reverse("mentoring:mentor_list") + "?kind=external").content.decode()
    assert "张支书" in page and "林晓明" not in page
    # a district officer may only add mentors in their district
    district = login(city, "orgdept_a")
    page = district.post(
        reverse("mentoring:mentor_create"), {"name": "外县书记", "is_available": "on"}
    ).content.decode()
    assert "请选择导师所在单位" in page


def test_programme_pairing_rules_page(city):
    from miaopu.apps.mentoring.models import PairingPolicy

    client = login(city, "orgdept")
    url = reverse("mentoring:policy_edit", args=["xinmiao"])
    assert 'value="3"' in client.get(url).content.decode()
    data = {"capacity": "5", "service_gap_years": "8", "political": "head", "business": "by_post",
            "parent_fallback": "on", "contact_days": "45"}  # fmt: skip
    assert client.post(url, data).status_code == 302
    policy = PairingPolicy.objects.get(template__code="xinmiao")
    assert (policy.capacity, policy.service_gap_years, policy.political, policy.contact_days) == (5, 8, "head", 45)
    assert login(city, "orgdept_a").post(url, data).status_code == 403  # rules are city-wide
