"""三权分立 (GB/T 22239-2019 §8.1.4.2, §8.1.5): disjoint admin powers, and no all-powerful superuser in production."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from miaopu.apps.accounts import checks, services
from miaopu.apps.accounts.selectors import audit_event_list
from miaopu.apps.cadres.selectors import cadre_list
from miaopu.apps.core.audit import Actor
from miaopu.apps.core.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "Qingshi-Zhen-2031"


def _actions(city):
    """Every administrative power, as (owner role, callable taking an actor)."""
    target = city.users["mentor"]

    def create(a):
        return services.user_create(actor=a, username="x9", full_name="某", password=PASSWORD)

    return {
        "create account": ("sysadmin", create),
        "reset password": ("sysadmin", lambda a: services.user_set_password(actor=a, user=target, password=PASSWORD)),
        "disable account": ("sysadmin", lambda a: services.user_set_active(actor=a, user=target, active=False)),
        "reset TOTP": ("sysadmin", lambda a: services.user_reset_totp(actor=a, user=target)),
        "assign role": ("secadmin", lambda a: services.user_assign_role(actor=a, user=target, role="auditor")),
        "require TOTP": ("secadmin", lambda a: services.role_policy_set(actor=a, role="orgdept", require_totp=True)),
        "read audit log": ("auditor", lambda a: list(audit_event_list(user=a.user)[:1])),
    }


@pytest.mark.parametrize("role", ["sysadmin", "secadmin", "auditor"])
def test_each_admin_role_holds_only_its_own_powers_and_no_personnel_data(city, role):
    actor = Actor(user=city.users[role], source="web")
    for name, (owner, act) in _actions(city).items():
        if owner == role:
            continue
        with pytest.raises(PermissionDenied):
            act(actor)
        assert User.objects.get(username="mentor").role == "mentor", name
    assert not cadre_list(user=city.users[role]).exists()
    assert User.objects.get(username="mentor").is_active and not User.objects.filter(username="x9").exists()


@pytest.mark.parametrize("role", ["sysadmin", "secadmin", "auditor"])
def test_each_admin_role_can_use_its_own_powers(city, role):
    actor = Actor(user=city.users[role], source="web")
    for _name, (owner, act) in _actions(city).items():
        if owner == role:
            act(actor)  # no PermissionDenied


def _superuser_errors():
    return [e for e in checks.check_no_superuser(databases=["default"]) if e.id == "miaopu.E001"]


def test_system_check_refuses_an_active_superuser_outside_development(city, settings, monkeypatch):
    monkeypatch.delenv("MIAOPU_ALLOW_SUPERUSER", raising=False)
    settings.DEBUG = False
    assert _superuser_errors() == []
    User.objects.filter(username="sysadmin").update(is_superuser=True)
    errors = _superuser_errors()
    assert len(errors) == 1 and "sysadmin" in errors[0].msg
    with pytest.raises(SystemCheckError, match="miaopu.E001"):
        call_command("check", databases=["default"])
    # A disabled superuser holds no power; development and a deliberate override are allowed.
    monkeypatch.setenv("MIAOPU_ALLOW_SUPERUSER", "1")
    assert _superuser_errors() == []
    monkeypatch.delenv("MIAOPU_ALLOW_SUPERUSER")
    settings.DEBUG = True
    assert _superuser_errors() == []
    settings.DEBUG = False
    User.objects.filter(username="sysadmin").update(is_active=False)
    assert _superuser_errors() == []
