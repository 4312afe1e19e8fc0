"""Every training page and endpoint against every role of the hand-built city: another scope's object is 404,
a role without permission 403, and lists show only what the scope holds."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from miaopu.apps.training import services

from .conftest import actor

pytestmark = pytest.mark.django_db

PERSONNEL = ["orgdept", "orgdept_a", "officer_b", "officer_town_a", "mentor", "cadre"]
ADMINS = ["sysadmin", "secadmin", "auditor"]


def _urls(d) -> dict[str, str]:
    return {
        "index": "/training/",
        "mine": "/training/mine/",
        "courses": "/training/courses/",
        "course_new": "/training/courses/new/",
        "course_edit": f"/training/courses/{d.course.pk}/",
        "classes": "/training/classes/",
        "class_new": "/training/classes/new/",
        "class": f"/training/classes/{d.klass.pk}/",
        "class_edit": f"/training/classes/{d.klass.pk}/edit/",
        "scores": f"/training/classes/{d.klass.pk}/scores/",
        "scores_sheet": f"/training/classes/{d.klass.pk}/scores/sheet.xlsx",
        "attendance": f"/training/sessions/{d.sessions[0].pk}/attendance/",
        "district_class": f"/training/classes/{d.district_class.pk}/",
        "trainees": "/training/trainees/",
        "orders": "/training/orders/",
        "order_new": "/training/orders/new/",
        "demand": "/training/demand/",
        "topics": "/training/topics/",
        "topic_new": "/training/topics/new/",
        "topic_mentored": f"/training/topics/{d.topic_mentored.pk}/",
        "topic_organ": f"/training/topics/{d.topic_organ.pk}/",
        "topic_edit": f"/training/topics/{d.topic_mentored.pk}/edit/",
        "api_courses": "/api/training/courses/",
        "api_classes": "/api/training/classes/",
        "api_district_class": f"/api/training/classes/{d.district_class.pk}/",
        "api_enrolments": "/api/training/enrolments/",
        "api_orders": "/api/training/orders/",
        "api_topics": "/api/training/topics/",
        "api_topic_organ": f"/api/training/topics/{d.topic_organ.pk}/",
    }


#: page → {role: status}; roles not listed get the page's default (first item).
EXPECTED: dict[str, tuple[int, dict[str, int]]] = {
    "index": (302, {}),
    "mine": (200, {}),
    "courses": (200, {}),
    "course_new": (403, {"orgdept": 200, "orgdept_a": 200}),
    "course_edit": (403, {"orgdept": 200}),
    "classes": (200, {}),
    "class_new": (403, {"orgdept": 200, "orgdept_a": 200}),
    "class": (200, {"officer_town_a": 200}),
    "class_edit": (403, {"orgdept": 200}),
    "scores": (403, {"orgdept": 200, "officer_town_a": 403}),
    "scores_sheet": (403, {"orgdept": 200, "officer_town_a": 403}),
    "attendance": (403, {"orgdept": 200}),
    "district_class": (404, {"orgdept": 200, "orgdept_a": 200, "officer_town_a": 200}),
    "trainees": (200, {}),
    "orders": (200, {}),
    "order_new": (200, {"mentor": 403}),
    "demand": (403, {"orgdept": 200, "orgdept_a": 200}),
    "topics": (200, {}),
    "topic_new": (403, {"orgdept": 200, "orgdept_a": 200}),
    "topic_mentored": (404, {"orgdept": 200, "officer_b": 200, "mentor": 200}),
    "topic_organ": (404, {"orgdept": 200}),
    "topic_edit": (404, {"orgdept": 200, "officer_b": 403, "mentor": 403}),
    "api_courses": (200, {}),
    "api_classes": (200, {}),
    "api_district_class": (404, {"orgdept": 200, "orgdept_a": 200, "officer_town_a": 200}),
    "api_enrolments": (200, {}),
    "api_orders": (200, {}),
    "api_topics": (200, {}),
    "api_topic_organ": (404, {"orgdept": 200}),
}


@pytest.mark.parametrize("role", PERSONNEL)
def test_pages_and_endpoints_by_role(client_for, data, role):
    urls = _urls(data)
    client = client_for(role)
    found = {name: client.get(url).status_code for name, url in urls.items()}
    expected = {name: rules.get(role, default) for name, (default, rules) in EXPECTED.items()}
    assert found == expected


@pytest.mark.parametrize("role", ADMINS)
def test_admin_roles_get_nothing(client_for, data, role):
    client = client_for(role)
    for name, url in _urls(data).items():
        assert client.get(url).status_code == 403, name


def test_lists_show_only_the_scope(client_for, data):
    # 西山县 officer: 赵强 of the city class, not 李娜 or 林晓明; the 西山县 order, not 李娜's own
    page = client_for("officer_b").get(f"/training/classes/{data.klass.pk}/").content.decode()
    assert "赵强" in page and "李娜" not in page and "林晓明" not in page
    trainees = client_for("officer_b").get("/training/trainees/").content.decode()
    assert "赵强" in trainees and "李娜" not in trainees and "王海" not in trainees
    orders = client_for("officer_b").get("/training/orders/").content.decode()
    assert "信访矛盾化解" in orders and "想学应急处置" not in orders
    mine = client_for("cadre").get("/training/orders/").content.decode()
    assert "突发事件应急处置" in mine and "信访矛盾化解" not in mine
    assert client_for("mentor").get("/api/training/orders/").json()["count"] == 0
    names = {r["cadre_name"] for r in client_for("cadre").get("/api/training/enrolments/").json()["results"]}
    assert names == {"李娜"}
    topics = {r["title"] for r in client_for("mentor").get("/api/training/topics/").json()["results"]}
    assert topics == {"白沙镇乡村振兴调研"}
    classes = {r["name"] for r in client_for("orgdept_a").get("/api/training/classes/").json()["results"]}
    assert classes == {"2025年中青年干部培训班", "东湖区青年干部夜校"}


def test_posts_are_refused_outside_scope_or_role(client_for, data):
    k, e = data.klass, data.enrolments
    assert client_for("orgdept_a").post(f"/training/classes/{k.pk}/close/").status_code == 403
    assert client_for("officer_b").post(f"/training/classes/{k.pk}/close/").status_code == 403
    assert client_for("cadre").post(f"/training/classes/{k.pk}/scores/", {}).status_code == 403
    assert client_for("officer_b").post(f"/training/enrolments/{e['town_b'].pk}/withdraw/").status_code == 403
    assert client_for("officer_b").post(f"/training/enrolments/{e['village_a'].pk}/withdraw/").status_code == 404
    assert (
        client_for("officer_b").post(f"/training/orders/{data.order_unit.pk}/decline/", {"answer": "x"}).status_code
        == 403
    )
    assert (
        client_for("officer_b").post(f"/training/orders/{data.order_own.pk}/decline/", {"answer": "x"}).status_code
        == 404
    )
    assert client_for("mentor").post(f"/training/topics/{data.topic_mentored.pk}/meetings/", {}).status_code == 403
    assert client_for("orgdept_a").post(f"/training/topics/{data.topic_mentored.pk}/review/", {}).status_code == 404
    assert client_for("officer_b").post("/training/demand/schedule/", {}).status_code == 403
    assert client_for("mentor").post("/api/training/orders/", {"custom_topic": "x"}).status_code == 403
    created = client_for("cadre").post("/api/training/orders/", {"custom_topic": "公文写作"})
    assert created.status_code == 201 and created.json()["unit"] == data.city.village_a.pk


def test_report_download_is_scoped(client_for, data, media):
    upload = SimpleUploadedFile("报告.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    services.report_upload(actor=actor(data.city), topic=data.topic_mentored, upload=upload)
    url = f"/training/topics/{data.topic_mentored.pk}/report/download/"
    assert client_for("mentor").get(url).status_code == 200
    assert client_for("officer_b").get(url).status_code == 200
    for role in ("cadre", "orgdept_a", "officer_town_a"):
        assert client_for(role).get(url).status_code == 404, role
