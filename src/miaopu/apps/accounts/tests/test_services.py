"""Account administration under 三权分立: who may do what, what each change leaves in the audit trail."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.authtoken.models import Token

from miaopu.apps.accounts import services
from miaopu.apps.cadres.selectors import cadre_list
from miaopu.apps.core.audit import Actor
from miaopu.apps.core.models import AuditEvent, User
from miaopu.apps.core.testing import PASSWORD
from miaopu.apps.mentoring.models import Mentor

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Qingshi-Zhen-2031"
RESET_PASSWORD = "Hongqi-Cun-7788"
ALL_ROLES = [
    "sysadmin",
    "secadmin",
    "auditor",
    "orgdept",
    "orgdept_a",
    "officer_b",
    "officer_town_a",
    "mentor",
    "cadre",
]


def actor(city, role: str) -> Actor:
    return Actor(user=city.users[role], source="web", ip="10.0.0.8")


def new_account(city, username: str = "zhangsan") -> User:
    return services.user_create(
        actor=actor(city, "sysadmin"), username=username, full_name="张三", password=NEW_PASSWORD
    )


def test_new_account_can_log_in_but_sees_nothing_until_a_role_is_assigned(city):
    user = new_account(city)
    assert user.role == "cadre" and user.cadre_id is None and user.is_active
    assert authenticate(username="zhangsan", password=NEW_PASSWORD) == user
    assert not cadre_list(user=user).exists()
    event = AuditEvent.objects.get(action="create", object_type="core.user", object_id=str(user.pk))
    assert event.category == "auth" and event.actor_name == "sysadmin" and event.ip == "10.0.0.8"
    assert event.after["username"] == "zhangsan" and event.after["role"] == "cadre"


def test_weak_password_refused_with_chinese_reasons(city):
    with pytest.raises(ValidationError) as exc:
        services.user_create(actor=actor(city, "sysadmin"), username="lisi", full_name="李四", password="12345678")
    messages = exc.value.message_dict["password"]
    assert any("密码" in m for m in messages)  # Django's own validators, in Chinese
    assert not User.objects.filter(username="lisi").exists()
    with pytest.raises(ValidationError) as exc:
        services.user_set_password(actor=actor(city, "sysadmin"), user=city.users["cadre"], password="short")
    assert "password" in exc.value.message_dict
    assert authenticate(username="cadre", password=PASSWORD) is not None  # unchanged


def test_duplicate_username_refused(city):
    with pytest.raises(ValidationError) as exc:
        services.user_create(actor=actor(city, "sysadmin"), username="orgdept", full_name="重名", password=NEW_PASSWORD)
    assert "username" in exc.value.message_dict


def test_no_password_or_hash_in_any_audit_row(city):
    user = new_account(city)
    services.user_set_password(actor=actor(city, "sysadmin"), user=user, password=RESET_PASSWORD)
    assert authenticate(username="zhangsan", password=RESET_PASSWORD) == user
    user.refresh_from_db()
    rows = list(AuditEvent.objects.filter(object_type="core.user", object_id=str(user.pk)))
    assert {r.action for r in rows} == {"create", "update"}
    for row in rows:
        text = " ".join(str(v) for v in (row.before, row.after, row.detail, row.object_repr))
        for secret in (NEW_PASSWORD, RESET_PASSWORD, user.password):
            assert secret not in text
        assert "password" not in (row.before or {}) and "password" not in (row.after or {})


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if r != "sysadmin"])
def test_only_the_sysadmin_manages_accounts(city, role):
    target = city.users["cadre"]
    with pytest.raises(PermissionDenied):
        services.user_create(actor=actor(city, role), username="x1", full_name="某某", password=NEW_PASSWORD)
    with pytest.raises(PermissionDenied):
        services.user_set_password(actor=actor(city, role), user=target, password=NEW_PASSWORD)
    with pytest.raises(PermissionDenied):
        services.user_set_active(actor=actor(city, role), user=target, active=False)
    target.refresh_from_db()
    assert target.is_active and not User.objects.filter(username="x1").exists()


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if r != "secadmin"])
def test_only_the_secadmin_assigns_roles(city, role):
    target = city.users["cadre"]
    with pytest.raises(PermissionDenied):
        services.user_assign_role(actor=actor(city, role), user=target, role="orgdept", scope_unit=city.root)
    target.refresh_from_db()
    assert target.role == "cadre"


def test_a_disabled_admin_cannot_act(city):
    sysadmin = city.users["sysadmin"]
    User.objects.filter(pk=sysadmin.pk).update(is_active=False)
    sysadmin.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=Actor(user=sysadmin, source="web"), username="x2", full_name="某", password=NEW_PASSWORD
        )


def test_no_admin_changes_own_role_or_disables_self(city):
    with pytest.raises(PermissionDenied):
        services.user_set_active(actor=actor(city, "sysadmin"), user=city.users["sysadmin"], active=False)
    with pytest.raises(PermissionDenied):
        services.user_assign_role(
            actor=actor(city, "secadmin"), user=city.users["secadmin"], role="orgdept", scope_unit=city.root
        )
    assert User.objects.get(username="secadmin").role == "secadmin"
    assert User.objects.get(username="sysadmin").is_active


def test_last_active_holder_of_an_admin_role_is_kept(city):
    with pytest.raises(ValidationError) as exc:
        services.user_set_active(actor=actor(city, "secadmin"), user=city.users["auditor"], active=False)
    assert "审计管理员" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.user_assign_role(actor=actor(city, "secadmin"), user=city.users["sysadmin"], role="mentor")
    # With a second sysadmin, the first one's role may change.
    spare = new_account(city, "sys2")
    services.user_assign_role(actor=actor(city, "secadmin"), user=spare, role="sysadmin")
    services.user_assign_role(actor=actor(city, "secadmin"), user=city.users["sysadmin"], role="auditor")
    assert User.objects.get(username="sysadmin").role == "auditor"


def test_assign_unit_scope(city):
    user = new_account(city)
    sec = actor(city, "secadmin")
    with pytest.raises(ValidationError) as exc:
        services.user_assign_role(actor=sec, user=user, role="unit_officer")
    assert "scope_unit" in exc.value.message_dict
    services.user_assign_role(actor=sec, user=user, role="unit_officer", scope_unit=city.district_b)
    user.refresh_from_db()
    assert user.role == "unit_officer" and user.scope_unit == city.district_b
    assert {c.pk for c in cadre_list(user=user)} == {city.cadres["town_b"].pk, city.cadres["district_b"].pk}
    event = AuditEvent.objects.filter(object_id=str(user.pk), action="update").latest("id")
    assert event.category == "auth" and event.actor_name == "secadmin"
    assert event.before == {"role": "cadre", "scope_unit": None}
    assert event.after == {"role": "unit_officer", "scope_unit": city.district_b.pk}


def test_admin_roles_get_no_scope(city):
    user = new_account(city)
    with pytest.raises(ValidationError) as exc:
        services.user_assign_role(actor=actor(city, "secadmin"), user=user, role="auditor", scope_unit=city.root)
    assert "scope_unit" in exc.value.message_dict
    services.user_assign_role(actor=actor(city, "secadmin"), user=user, role="auditor")
    user.refresh_from_db()
    assert user.role == "auditor" and user.scope_unit is None and not cadre_list(user=user).exists()


def test_scope_is_dropped_when_the_role_changes(city):
    officer = city.users["officer_b"]
    services.user_assign_role(actor=actor(city, "secadmin"), user=officer, role="mentor")
    officer.refresh_from_db()
    assert officer.scope_unit is None and officer.role == "mentor"
    assert not cadre_list(user=officer).exists()


def test_assign_cadre_by_code(city):
    user = new_account(city)
    sec = actor(city, "secadmin")
    with pytest.raises(ValidationError) as exc:
        services.user_assign_role(actor=sec, user=user, role="cadre")
    assert "cadre_code" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.user_assign_role(actor=sec, user=user, role="cadre", cadre_code="NOPE-1")
    assert "NOPE-1" in exc.value.message_dict["cadre_code"][0]
    taken = city.cadres["village_a"].code  # linked to the `cadre` account already
    with pytest.raises(ValidationError) as exc:
        services.user_assign_role(actor=sec, user=user, role="cadre", cadre_code=taken)
    assert "已关联" in exc.value.message_dict["cadre_code"][0]
    with pytest.raises(ValidationError):  # a code only makes sense for the cadre role
        services.user_assign_role(actor=sec, user=user, role="auditor", cadre_code=city.cadres["town_a"].code)
    services.user_assign_role(actor=sec, user=user, role="cadre", cadre_code=f" {city.cadres['town_a'].code} ")
    user.refresh_from_db()
    assert user.cadre == city.cadres["town_a"]
    assert list(cadre_list(user=user)) == [city.cadres["town_a"]]


def test_assign_mentor_creates_the_profile_once(city):
    user = new_account(city)
    services.user_assign_role(actor=actor(city, "secadmin"), user=user, role="mentor")
    mentor = Mentor.objects.get(user=user)
    assert mentor.name == "张三"
    event = AuditEvent.objects.filter(object_id=str(user.pk), action="update").latest("id")
    assert event.detail == {"mentor_profile_created": mentor.pk}
    # The fixture's mentor already has a profile: none is added.
    before = Mentor.objects.count()
    services.user_assign_role(actor=actor(city, "secadmin"), user=city.users["mentor"], role="mentor")
    assert Mentor.objects.count() == before


def test_disabling_ends_sessions_and_api_token(city, client_for):
    client = client_for("orgdept")
    user = city.users["orgdept"]
    page = "/accounts/users/"  # any page: logged in, orgdept gets 403 here; logged out, a redirect to login
    assert client.get(page).status_code == 403
    Token.objects.create(user=user)
    other = client_for("officer_b")  # someone else's session must survive

    services.user_set_active(actor=actor(city, "sysadmin"), user=user, active=False)

    uid = str(user.pk)
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == uid]
    assert not Token.objects.filter(user=user).exists()
    response = client.get(page)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert other.get(page).status_code == 403
    event = AuditEvent.objects.filter(object_id=uid, action="update").latest("id")
    assert event.before == {"is_active": True} and event.after == {"is_active": False}
    assert event.detail == {"sessions_ended": 1, "api_token_deleted": True}
    assert authenticate(username="orgdept", password=PASSWORD) is None


def test_reenabling_restores_login(city):
    user = city.users["mentor"]
    services.user_set_active(actor=actor(city, "sysadmin"), user=user, active=False)
    services.user_set_active(actor=actor(city, "sysadmin"), user=user, active=True)
    assert authenticate(username="mentor", password=PASSWORD) == user


def test_cli_operator_may_bootstrap_but_an_anonymous_web_request_may_not(city):
    user = services.user_create(actor=Actor.cli(), username="boot", full_name="初始管理员", password=NEW_PASSWORD)
    services.user_assign_role(actor=Actor.cli(), user=user, role="secadmin")
    assert User.objects.get(username="boot").role == "secadmin"
    with pytest.raises(PermissionDenied):
        services.user_create(actor=Actor(user=None, source="web"), username="b2", full_name="某", password=NEW_PASSWORD)
