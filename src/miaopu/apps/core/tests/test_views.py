"""The web shell: sign-in and sign-out, the role menus, and the home page figures."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from miaopu.apps.core.views import scope_summary
from miaopu.domain.dates import age_on

pytestmark = pytest.mark.django_db


def test_pages_require_login(city):
    client = Client()
    for url in ["/", "/cadres/", f"/cadres/{city.cadres['organ'].pk}/", "/units/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_login_page_is_chinese_and_signs_in(city):
    client = Client()
    page = client.get("/login/")
    assert page.status_code == 200
    assert '<html lang="zh-Hans">' in page.content.decode()
    assert "登录苗圃" in page.content.decode()
    bad = client.post("/login/", {"username": "orgdept", "password": "wrong"})
    assert bad.status_code == 200 and "_auth_user_id" not in client.session
    good = client.post("/login/", {"username": "orgdept", "password": "Miaopu-test-2026"})
    assert good.status_code == 302 and good["Location"] == "/"


def test_logout_is_post_only(client_for):
    client = client_for("orgdept")
    assert client.get("/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # signed out: back to the login page


def _menu(client: Client) -> list[tuple[str, str]]:
    html = client.get("/").content.decode()
    nav = html.split('<nav class="sidenav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)


@pytest.mark.parametrize(
    ("role", "labels"),
    [
        (
            "orgdept",
            [
                "首页",
                "干部名单",
                "培养项目",
                "导师帮带",
                "成长档案",
                "考核",
                "教育培训",
                "基层实践",
                "人才库",
                "统计与预警",
                "数据交换",
                "我的任务",
                "单位与岗位",
            ],
        ),
        (
            "officer_b",
            [
                "首页",
                "干部名单",
                "导师帮带",
                "考核",
                "教育培训",
                "基层实践",
                "统计与预警",
                "数据交换",
                "我的任务",
                "单位与岗位",
            ],
        ),
        ("mentor", ["首页", "我的帮带对象", "帮带记录", "调研课题"]),
        ("cadre", ["首页", "我的档案", "我的导师", "我的培训与点单"]),
    ],
)
def test_menu_by_role(client_for, city, role, labels):
    menu = _menu(client_for(role))
    assert [label for _url, label in menu] == labels
    if role == "cadre":
        assert dict((label, url) for url, label in menu)["我的档案"] == f"/cadres/{city.cadres['village_a'].pk}/"


@pytest.mark.parametrize("role", ["sysadmin", "secadmin", "auditor"])
def test_admin_roles_get_no_personnel_menu(client_for, role):
    labels = [label for _url, label in _menu(client_for(role))]
    assert "干部名单" not in labels and "我的帮带对象" not in labels
    assert ("单位" in labels) == (role == "secadmin")


def test_active_menu_entry_follows_the_page(client_for, city):
    html = client_for("orgdept").get(f"/cadres/{city.cadres['organ'].pk}/").content.decode()
    assert re.search(r'<a href="/cadres/" class="active"[^>]*>干部名单</a>', html)
    assert not re.search(r'<a href="/" class="active"', html)


def _expected(city, keys, today):
    cadres = [city.cadres[k] for k in keys]
    ages = [age_on(c.birth_date, today) for c in cadres]
    return {
        "total": len(cadres),
        "young": sum(a <= 35 for a in ages),
        "women": sum(c.gender == "female" for c in cadres),
        "non_party": sum(c.political_status not in ("cpc", "probationary") for c in cadres),
        "average_age": round(sum(ages) / len(ages), 1),
    }


@pytest.mark.parametrize("role", ["orgdept", "orgdept_a", "officer_b"])
def test_scope_summary_matches_hand_count_in_one_query(city, role, django_assert_num_queries):
    from miaopu.apps.core.testing import VISIBLE

    user = city.users[role]
    today = dt.date.today()
    with django_assert_num_queries(1):
        summary = scope_summary(user, today)
    expected = _expected(city, VISIBLE[role], today)
    assert {k: summary[k] for k in expected} == expected


def test_average_age_counts_birthdays_not_yet_reached(city):
    """Full years (周岁): someone whose birthday is tomorrow is still the younger age."""
    user = city.users["orgdept"]
    cadre = city.cadres["organ"]
    today = dt.date(2026, cadre.birth_date.month, cadre.birth_date.day) - dt.timedelta(days=1)
    summary = scope_summary(user, today)
    assert summary["average_age"] == _expected(city, city.cadres.keys(), today)["average_age"]


def test_transferred_cadres_are_not_counted(city):
    from miaopu.apps.cadres.models import Cadre

    Cadre.objects.filter(pk=city.cadres["organ_woman"].pk).update(status="transferred")
    summary = scope_summary(city.users["orgdept"])
    assert summary["total"] == 5 and summary["non_party"] == 0


def test_home_figures_link_to_the_same_cadres(client_for, city):
    """Each figure on the home page opens a list with exactly that many cadres."""
    client = client_for("orgdept")
    response = client.get("/")
    html = response.content.decode()
    assert "管理范围概况" in html
    summary = response.context["summary"]
    for key in ["total", "young", "women", "non_party"]:
        link = summary["links"][key]
        assert f'href="{link.replace("&", "&amp;")}"' in html
        listed = client.get(link).context["page_obj"].paginator.count
        assert listed == summary[key], key
    assert "age_max=35" in summary["links"]["young"]


def test_home_for_mentor_lists_mentees(client_for, city):
    html = client_for("mentor").get("/").content.decode()
    assert "赵强" in html and "业务导师" in html
    assert "林晓明" not in html


def test_home_for_cadre_links_own_file(client_for, city):
    html = client_for("cadre").get("/").content.decode()
    assert city.cadres["village_a"].get_absolute_url() in html


def test_home_for_auditor_links_console(client_for):
    html = client_for("auditor").get("/").content.decode()
    assert "干部名单" not in html
    try:
        url = reverse("accounts:audit_list")
    except Exception:  # noqa: BLE001 - the accounts app may not have registered it yet
        pytest.skip("accounts:audit_list not available")
    assert f'href="{url}"' in html


def test_language_switch_is_a_post_form(client_for):
    html = client_for("orgdept").get("/").content.decode()
    assert 'action="/i18n/setlang/"' in html and 'value="en"' in html
