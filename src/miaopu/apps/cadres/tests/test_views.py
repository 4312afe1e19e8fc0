"""The cadre roster, the cadre file and its edit forms, for every role of the hand-built city.

Access answers (documented in ``cadres/views.py``): a cadre the user may not see is 404 everywhere, the
same as a missing id; a visible cadre's edit pages are 403 for users who may not write it (mentor,
cadre); the roster and "new cadre" pages are 403 for the three admin roles.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from miaopu.apps.cadres import services
from miaopu.apps.cadres.models import Cadre, Experience
from miaopu.apps.core.audit import Actor
from miaopu.apps.core.models import AuditEvent
from miaopu.apps.core.testing import VISIBLE

pytestmark = pytest.mark.django_db

ROLES = sorted(VISIBLE)
WRITERS = {"orgdept", "orgdept_a", "officer_b", "officer_town_a"}


def form_data(form) -> dict:
    """What a browser would send back for an unchanged form."""
    data = {}
    for bf in form:
        value = bf.value()
        if value is None or value is False:
            continue
        data[bf.html_name] = value.isoformat() if isinstance(value, dt.date) else value
    return data


# ---- the roster ----


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_exactly_the_visible_cadres(client_for, city, role):
    response = client_for(role).get("/cadres/")
    if not VISIBLE[role]:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    shown = {c.pk for c in response.context["page_obj"]}
    assert shown == {city.cadres[k].pk for k in VISIBLE[role]}
    html = response.content.decode()
    for key, cadre in city.cadres.items():
        assert (f'href="/cadres/{cadre.pk}/"' in html) == (key in VISIBLE[role])
        assert cadre.id_number not in html  # never an ID number in a list


def test_list_is_chinese_with_the_roster_columns(client_for):
    html = client_for("orgdept").get("/cadres/").content.decode()
    for text in [
        "干部名单",
        "人员编号",
        "姓名",
        "年龄",
        "现工作单位",
        "现任职务",
        "职务层次",
        "政治面貌",
        "全日制学历",
        "干部来源",
    ]:
        assert text in html
    assert "共 <strong>6</strong> 人" in html
    assert '<option value="" selected>全部</option>' in html and "---------" not in html


def test_list_filters(client_for, city):
    client = client_for("orgdept")

    def names(query: str) -> set[str]:
        return {c.name for c in client.get("/cadres/" + query).context["page_obj"]}

    assert names("?gender=female") == {"陈静", "李娜", "周婷"}
    assert names(f"?unit={city.district_a.pk}") == {"王海", "李娜"}
    assert names("?party=no") == {"陈静"}
    assert names("?q=林晓") == {"林晓明"}
    assert names(f"?q={city.cadres['town_b'].code}") == {"赵强"}
    assert names("?rural=yes") == {"林晓明", "王海"}  # 村官 secondment; a posting at a town
    Cadre.objects.filter(pk=city.cadres["town_b"].pk).update(status="retired")
    assert "赵强" not in names("")  # the roster is of people in post by default
    assert "赵强" in names("?status=")  # "全部"
    assert names("?status=retired") == {"赵强"}


def test_list_filter_outside_scope_is_ignored_not_leaked(client_for, city):
    response = client_for("orgdept_a").get(f"/cadres/?unit={city.district_b.pk}")
    assert {c.name for c in response.context["page_obj"]} == {"王海", "李娜"}
    assert "西山县" not in response.content.decode()


def test_list_sorts(client_for, city):
    client = client_for("orgdept")
    by_birth = [c.birth_date for c in client.get("/cadres/?sort=birth_date").context["page_obj"]]
    assert by_birth == sorted(by_birth)
    youngest_first = [c.birth_date for c in client.get("/cadres/?sort=-birth_date").context["page_obj"]]
    assert youngest_first == sorted(by_birth, reverse=True)
    by_name = [c.name for c in client.get("/cadres/?sort=name").context["page_obj"]]
    assert by_name == sorted(by_name)


def _add_cadres(city, n: int) -> None:
    Cadre.objects.bulk_create(
        Cadre(
            code=f"B{i:05d}",
            name=f"测试{i:03d}",
            gender="male",
            birth_date=dt.date(1990, 1, 1 + i % 28),
            political_status="cpc",
            unit=city.organ,
            post_title="科员",
            leadership_level="staff",
            fulltime_education="bachelor",
        )
        for i in range(n)
    )


def test_list_pages_by_50_and_keeps_filters(client_for, city):
    _add_cadres(city, 70)
    client = client_for("orgdept")
    first = client.get("/cadres/?q=测试&sort=name")
    assert len(first.context["page_obj"]) == 50 and first.context["page_obj"].paginator.count == 70
    html = first.content.decode()
    assert "?q=%E6%B5%8B%E8%AF%95&amp;sort=name&amp;page=2" in html  # the page-2 link keeps q and sort
    second = client.get("/cadres/?q=测试&sort=name&page=2")
    assert [c.name for c in second.context["page_obj"]][0] == "测试050"


def test_list_query_count_does_not_grow_with_rows(client_for, city, django_assert_max_num_queries):
    client = client_for("orgdept_a")
    client.get("/cadres/")  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get("/cadres/")
    _add_cadres(city, 60)
    Cadre.objects.filter(code__startswith="B").update(unit=city.village_a)
    with django_assert_max_num_queries(8), CaptureQueriesContext(connection) as many:
        response = client.get("/cadres/")
    assert len(response.context["page_obj"]) == 50
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize("role", ["mentor", "cadre"])
def test_mentor_and_cadre_get_a_simple_list(client_for, role):
    html = client_for(role).get("/cadres/").content.decode()
    assert 'name="gender"' not in html and 'name="q"' in html
    assert ("我的帮带对象" in html) == (role == "mentor")


# ---- the cadre file ----


@pytest.mark.parametrize("role", ROLES)
def test_detail_visible_or_404(client_for, city, role):
    client = client_for(role)
    for key, cadre in city.cadres.items():
        expected = 200 if key in VISIBLE[role] else 404
        assert client.get(f"/cadres/{cadre.pk}/").status_code == expected, (role, key)


def test_detail_writes_an_access_record(client_for, city):
    cadre = city.cadres["town_b"]
    client_for("mentor").get(f"/cadres/{cadre.pk}/")
    event = AuditEvent.objects.get(category="access", action="view", object_id=str(cadre.pk))
    assert event.actor_name == "mentor" and event.source == "web" and event.object_type == "cadres.cadre"
    client_for("orgdept_a").get(f"/cadres/{cadre.pk}/")  # out of scope: 404, nothing seen, nothing logged
    assert AuditEvent.objects.filter(category="access", object_id=str(cadre.pk)).count() == 1


def test_detail_shows_profile_facts_timeline_and_mentors(client_for, city):
    cadre = city.cadres["organ"]
    html = client_for("orgdept").get(f"/cadres/{cadre.pk}/").content.decode()
    assert cadre.id_number not in html and cadre.id_number_masked in html
    for text in ["基本信息", "学历学位", "职务职级", "专业特长", "截至今日", "履历"]:
        assert text in html
    assert "2014.08—2016.08" in html and "大学生村官" in html and "挂职" in html
    assert "2016.08—至今" in html
    assert "24 个月（2 年）" in html  # rural (and grassroots) experience: the 2-year 村官 secondment
    mentee = client_for("mentor").get(f"/cadres/{city.cadres['town_b'].pk}/").content.decode()
    assert "导师甲" in mentee and "业务导师" in mentee


@pytest.mark.parametrize("role", ROLES)
def test_edit_buttons_only_for_writers(client_for, city, role):
    for key in VISIBLE[role]:
        cadre = city.cadres[key]
        html = client_for(role).get(f"/cadres/{cadre.pk}/").content.decode()
        assert (f'href="/cadres/{cadre.pk}/edit/"' in html) == (role in WRITERS)


# ---- edits ----


@pytest.mark.parametrize("role", ROLES)
def test_edit_page_access(client_for, city, role):
    client = client_for(role)
    for key, cadre in city.cadres.items():
        if key not in VISIBLE[role]:
            expected = 404
        else:
            expected = 200 if role in WRITERS else 403
        assert client.get(f"/cadres/{cadre.pk}/edit/").status_code == expected, (role, key)
        assert client.get(f"/cadres/{cadre.pk}/experience/new/").status_code == expected, (role, key)


@pytest.mark.parametrize(
    ("role", "expected"), [("orgdept", 200), ("officer_b", 200), ("mentor", 403), ("auditor", 403)]
)
def test_create_page_access(client_for, role, expected):
    assert client_for(role).get("/cadres/new/").status_code == expected


def test_edit_through_the_web_is_audited(client_for, city):
    cadre = city.cadres["town_a"]
    client = client_for("officer_town_a")
    page = client.get(f"/cadres/{cadre.pk}/edit/")
    assert cadre.id_number not in page.content.decode()  # the full ID number never goes to the browser
    data = form_data(page.context["form"])
    assert data["version"] == cadre.version and not data.get("id_number")
    data["post_title"] = "党政办副主任"
    response = client.post(f"/cadres/{cadre.pk}/edit/", data)
    assert response.status_code == 302 and response["Location"] == f"/cadres/{cadre.pk}/"
    cadre.refresh_from_db()
    assert cadre.post_title == "党政办副主任" and cadre.id_number  # the empty ID box kept the number
    event = AuditEvent.objects.get(category="change", action="update", object_id=str(cadre.pk))
    assert event.source == "web" and event.actor_name == "officer_town_a"
    assert event.after["post_title"] == "党政办副主任" and "id_number" not in event.after


def test_stale_version_shows_the_conflict_and_keeps_the_input(client_for, city):
    cadre = city.cadres["town_a"]
    client = client_for("orgdept")
    data = form_data(client.get(f"/cadres/{cadre.pk}/edit/").context["form"])
    services.cadre_update(
        actor=Actor(user=city.users["orgdept_a"], source="api"),
        cadre=Cadre.objects.get(pk=cadre.pk),
        data={"post_title": "甲"},
    )
    data["post_title"] = "乙"
    response = client.post(f"/cadres/{cadre.pk}/edit/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "该干部信息已被他人修改" in html
    assert 'value="乙"' in html  # the user's input is still in the form
    assert "最新为 <strong>甲</strong>" in html  # and they are told what the other person saved
    assert Cadre.objects.get(pk=cadre.pk).post_title == "甲"
    # Saving again after reading the message is a deliberate overwrite.
    again = form_data(response.context["form"])
    assert client.post(f"/cadres/{cadre.pk}/edit/", again).status_code == 302
    assert Cadre.objects.get(pk=cadre.pk).post_title == "乙"


def test_service_errors_land_on_the_fields(client_for, city):
    cadre = city.cadres["town_a"]
    client = client_for("orgdept")
    data = form_data(client.get(f"/cadres/{cadre.pk}/edit/").context["form"])
    data["id_number"] = "11010519491231002Y"
    data["work_start_date"] = "1996-01-01"
    response = client.post(f"/cadres/{cadre.pk}/edit/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "id_number" in errors and "work_start_date" in errors
    assert "请按下方红字提示修改后再保存" in response.content.decode()
    assert Cadre.objects.get(pk=cadre.pk).work_start_date != dt.date(1996, 1, 1)
    assert not AuditEvent.objects.filter(category="change").exists()


def test_create_through_the_web(client_for, city):
    client = client_for("officer_b")
    form = client.get(f"/cadres/new/?unit={city.town_b.pk}").context["form"]
    assert form.initial["unit"] == city.town_b.pk
    data = {
        "name": "孙磊",
        "gender": "male",
        "ethnicity": "汉族",
        "birth_date": "1996-03-03",
        "hukou": "local",
        "political_status": "masses",
        "source": "civil_exam",
        "unit": city.town_b.pk,
        "status": "active",
    }
    response = client.post("/cadres/new/", data)
    cadre = Cadre.objects.get(name="孙磊")
    assert response.status_code == 302 and response["Location"] == f"/cadres/{cadre.pk}/"
    assert cadre.code.startswith("MP")
    assert AuditEvent.objects.filter(action="create", object_id=str(cadre.pk), source="web").exists()
    data["unit"] = city.town_a.pk  # outside 西山县: not a choice for this officer
    data["name"] = "钱多"
    refused = client.post("/cadres/new/", data)
    assert refused.status_code == 200 and "unit" in refused.context["form"].errors
    assert not Cadre.objects.filter(name="钱多").exists()


def test_post_choices_follow_the_unit(client_for, city):
    client = client_for("orgdept")
    form = client.get(f"/cadres/{city.cadres['town_a'].pk}/edit/").context["form"]
    assert [p.title for p in form.fields["post"].queryset] == ["镇长"]
    data = form_data(form)
    data["post"] = city.posts["organ_chief"].pk  # a post of another unit
    response = client.post(f"/cadres/{city.cadres['town_a'].pk}/edit/", data)
    assert response.status_code == 200 and "post" in response.context["form"].errors


# ---- experience ----


def test_experience_add_edit_delete(client_for, city):
    cadre = city.cadres["village_a"]
    client = client_for("officer_town_a")
    response = client.post(
        f"/cadres/{cadre.pk}/experience/new/",
        {
            "start": "2020-08-01",
            "end": "2022-08-01",
            "unit_name": "华南农业大学",
            "post_title": "学生",
            "kind": "study",
        },
    )
    assert response.status_code == 302
    entry = Experience.objects.get(cadre=cadre, unit_name="华南农业大学")
    html = client.get(f"/cadres/{cadre.pk}/").content.decode()
    assert "2020.08—2022.08" in html and "华南农业大学" in html
    client.post(
        f"/cadres/experience/{entry.pk}/edit/",
        {
            "start": "2020-09-01",
            "end": "2022-07-01",
            "unit": city.village_a.pk,
            "post_title": "村官",
            "kind": "posting",
        },
    )
    entry.refresh_from_db()
    assert entry.unit_id == city.village_a.pk and entry.start == dt.date(2020, 9, 1)
    assert client.get(f"/cadres/experience/{entry.pk}/delete/").status_code == 405
    assert client.post(f"/cadres/experience/{entry.pk}/delete/").status_code == 302
    assert not Experience.objects.filter(pk=entry.pk).exists()
    actions = list(
        AuditEvent.objects.filter(object_type="cadres.experience", object_id=str(entry.pk)).values_list(
            "action", "source"
        )
    )
    assert sorted(actions) == [("create", "web"), ("delete", "web"), ("update", "web")]


def test_experience_needs_a_unit_or_a_name(client_for, city):
    cadre = city.cadres["village_a"]
    response = client_for("orgdept").post(
        f"/cadres/{cadre.pk}/experience/new/", {"start": "2020-08-01", "post_title": "学生", "kind": "study"}
    )
    assert response.status_code == 200 and "请选择单位，或填写系统外单位名称" in response.content.decode()


@pytest.mark.parametrize(("role", "expected"), [("orgdept", 302), ("orgdept_a", 404), ("mentor", 404), ("cadre", 403)])
def test_experience_delete_access(client_for, city, role, expected):
    entry = Experience.objects.create(cadre=city.cadres["village_a"], start=dt.date(2019, 1, 1), unit_name="某校")
    if role in ("orgdept_a", "mentor"):
        entry = Experience.objects.filter(cadre=city.cadres["organ"]).first()
    response = client_for(role).post(f"/cadres/experience/{entry.pk}/delete/")
    assert response.status_code == expected
    assert Experience.objects.filter(pk=entry.pk).exists() == (expected != 302)
