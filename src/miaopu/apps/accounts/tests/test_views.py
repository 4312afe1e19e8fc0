"""The admin consoles through HTTP: each role against each page, and the flows an admin goes through."""

import pytest
from django.test import Client
from django.urls import reverse

from miaopu.apps.core.models import AuditEvent, User
from miaopu.apps.core.testing import PASSWORD

pytestmark = pytest.mark.django_db

ROLES = ["sysadmin", "secadmin", "auditor", "orgdept", "orgdept_a", "officer_b", "officer_town_a", "mentor", "cadre"]
ADMIN_ROLES = ["sysadmin", "secadmin", "auditor"]
NEW_PASSWORD = "Baisha-Zhen-2032"


def pages(city) -> list[tuple[str, str, str, set[str]]]:
    """(name, method, url, roles allowed)."""
    target = city.users["cadre"].pk
    event = AuditEvent.objects.latest("id").pk
    return [
        ("user_list", "get", reverse("accounts:user_list"), {"sysadmin", "secadmin"}),
        ("user_create", "get", reverse("accounts:user_create"), {"sysadmin"}),
        ("user_password", "get", reverse("accounts:user_password", args=[target]), {"sysadmin"}),
        ("user_toggle_active", "post", reverse("accounts:user_toggle_active", args=[target]), {"sysadmin"}),
        ("user_role", "get", reverse("accounts:user_role", args=[target]), {"secadmin"}),
        ("audit_list", "get", reverse("accounts:audit_list"), {"auditor"}),
        ("audit_detail", "get", reverse("accounts:audit_detail", args=[event]), {"auditor"}),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_against_each_admin_page(city, client_for, role):
    client = client_for(role)
    for name, method, url, allowed in pages(city):
        response = getattr(client, method)(url)
        if role in allowed:
            expected = 302 if method == "post" else 200
        else:
            expected = 403
        assert response.status_code == expected, (name, role, response.status_code)
    # A refused toggle changed nothing.
    assert User.objects.get(username="cadre").is_active == (role != "sysadmin")


def test_anonymous_visitors_are_sent_to_login(city):
    Client().login(username="auditor", password=PASSWORD)  # leaves an audit row for the detail page
    client = Client()
    for _name, method, url, _allowed in pages(city):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_admin_roles_see_no_personnel_data(city, client_for, role):
    """三权分立: the admin accounts never see cadres (pages written by the personnel helpers)."""
    client = client_for(role)
    cadre = city.cadres["town_a"]
    for url in ("/cadres/", f"/cadres/{cadre.pk}/", "/api/cadres/", f"/api/cadres/{cadre.pk}/"):
        response = client.get(url)
        assert response.status_code in (403, 404), (url, response.status_code)
        assert cadre.name not in response.content.decode(), url


def test_user_list_filters_and_shows_roles(city, client_for):
    client = client_for("sysadmin")
    page = client.get(reverse("accounts:user_list")).content.decode()
    for username in ("orgdept", "officer_b", "mentor", "auditor"):
        assert f"<td>{username}</td>" in page
    assert "单位人事专员" in page and "西山县" in page  # role and scope of officer_b
    assert city.cadres["village_a"].code not in page  # the sysadmin sees no cadre link
    page = client.get(reverse("accounts:user_list"), {"role": "unit_officer"}).content.decode()
    assert "<td>officer_b</td>" in page and "<td>orgdept</td>" not in page
    page = client.get(reverse("accounts:user_list"), {"q": "town"}).content.decode()
    assert "<td>officer_town_a</td>" in page and "<td>officer_b</td>" not in page


def test_sysadmin_creates_an_account_then_the_secadmin_gives_it_a_role(city, client_for):
    sysadmin = client_for("sysadmin")
    response = sysadmin.post(
        reverse("accounts:user_create"),
        {"username": "wangwu", "full_name": "王五", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:user_list")
    assert "请安全管理员为其分配角色" in response.content.decode()
    user = User.objects.get(username="wangwu")
    assert user.role == "cadre" and user.cadre is None and user.get_full_name() == "王五"
    # The sysadmin cannot hand out the role.
    assert sysadmin.get(reverse("accounts:user_role", args=[user.pk])).status_code == 403

    secadmin = client_for("secadmin")
    url = reverse("accounts:user_role", args=[user.pk])
    form = secadmin.get(url).content.decode()
    assert city.town_b.name in form  # the whole unit tree is offered as scope
    response = secadmin.post(url, {"role": "orgdept", "scope_unit": "", "cadre_code": ""})
    assert response.status_code == 200 and "必须指定管理范围" in response.content.decode()
    response = secadmin.post(url, {"role": "orgdept", "scope_unit": city.district_a.pk, "cadre_code": ""})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.role == "orgdept" and user.scope_unit == city.district_a


def test_create_form_shows_validator_messages(city, client_for):
    response = client_for("sysadmin").post(
        reverse("accounts:user_create"),
        {"username": "zhaoliu", "full_name": "赵六", "password1": "87654321", "password2": "87654321"},
    )
    assert response.status_code == 200
    assert "密码只包含数字" in response.content.decode()  # Django's validator, in Chinese, next to the field
    assert not User.objects.filter(username="zhaoliu").exists()
    response = client_for("sysadmin").post(
        reverse("accounts:user_create"),
        {"username": "zhaoliu", "full_name": "赵六", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"},
    )
    assert "两次输入的密码不一致" in response.content.decode()
    assert not User.objects.filter(username="zhaoliu").exists()


def test_secadmin_links_a_cadre_by_code(city, client_for):
    user = User.objects.create_user(username="new1", password=NEW_PASSWORD)
    url = reverse("accounts:user_role", args=[user.pk])
    response = client_for("secadmin").post(url, {"role": "cadre", "cadre_code": "T-NONE"})
    assert "人员编号“T-NONE”不存在" in response.content.decode()
    code = city.cadres["town_b"].code
    assert client_for("secadmin").post(url, {"role": "cadre", "cadre_code": code}).status_code == 302
    user.refresh_from_db()
    assert user.cadre == city.cadres["town_b"]


def test_password_reset_page(city, client_for):
    target = city.users["mentor"]
    url = reverse("accounts:user_password", args=[target.pk])
    response = client_for("sysadmin").post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert Client().login(username="mentor", password=NEW_PASSWORD)
    assert not Client().login(username="mentor", password=PASSWORD)


def test_toggle_active_and_self_protection(city, client_for):
    sysadmin = client_for("sysadmin")
    target = city.users["officer_b"]
    url = reverse("accounts:user_toggle_active", args=[target.pk])
    assert sysadmin.get(url).status_code == 405  # state changes only by POST
    assert sysadmin.post(url, {"active": "0"}).status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    page = sysadmin.get(reverse("accounts:user_list")).content.decode()
    assert "停用" in page
    sysadmin.post(url, {"active": "1"})
    target.refresh_from_db()
    assert target.is_active
    own = reverse("accounts:user_toggle_active", args=[city.users["sysadmin"].pk])
    assert sysadmin.post(own, {"active": "0"}).status_code == 403
    assert User.objects.get(username="sysadmin").is_active
    own_role = reverse("accounts:user_role", args=[city.users["secadmin"].pk])
    assert client_for("secadmin").get(own_role).status_code == 403


def test_last_auditor_cannot_be_disabled_from_the_page(city, client_for):
    url = reverse("accounts:user_toggle_active", args=[city.users["auditor"].pk])
    response = client_for("secadmin").post(url, {"active": "0"}, follow=True)
    assert "最后一个在用的审计管理员" in response.content.decode()
    assert User.objects.get(username="auditor").is_active
