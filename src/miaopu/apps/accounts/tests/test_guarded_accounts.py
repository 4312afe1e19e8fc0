"""三权分立 for the administrators' own accounts (GB/T 22239-2019 §8.1.4.2 d).

The 系统管理员 runs the life cycle of ordinary accounts. The 安全管理员 and 审计管理员 accounts are looked after by
the 安全管理员 alone — otherwise the 系统管理员 could reset the auditor's password, sign in as the auditor and hold
two powers. Nobody administers their own account through these functions, and an account that is given one of
the two guarded roles loses every credential somebody else might know.
"""

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from miaopu.apps.accounts import services
from miaopu.apps.core.audit import Actor
from miaopu.apps.core.choices import Role
from miaopu.apps.core.models import AuditEvent, User
from miaopu.apps.core.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Baisha-Zhen-2032"


def actor(city, role: str) -> Actor:
    return Actor(user=city.users[role], source="web", ip="10.0.0.9")


def _powers(target: User):
    """Every credential/status power over ``target``, as name → callable(actor)."""
    return {
        "reset password": lambda a: services.user_set_password(actor=a, user=target, password=NEW_PASSWORD),
        "disable": lambda a: services.user_set_active(actor=a, user=target, active=False),
        "clear TOTP": lambda a: services.user_reset_totp(actor=a, user=target),
    }


@pytest.mark.parametrize("guarded", ["secadmin", "auditor"])
def test_the_sysadmin_cannot_touch_the_credentials_of_the_security_or_audit_administrator(city, guarded):
    # A second holder of the role, so "last active admin" is not what stops the sysadmin.
    spare = make_user(f"{guarded}2", guarded)
    target = city.users[guarded]
    TOTPDevice.objects.create(user=target, name="phone", confirmed=True)
    for name, act in _powers(target).items():
        with pytest.raises(PermissionDenied):
            act(actor(city, "sysadmin"))
        target.refresh_from_db()
        assert target.is_active and target.check_password(PASSWORD) and not target.must_change_password, name
    assert TOTPDevice.objects.filter(user=target).exists()
    assert spare.is_active


def test_the_secadmin_looks_after_the_auditor_and_other_secadmins(city):
    auditor = city.users["auditor"]
    other_sec = make_user("secadmin2", Role.SECADMIN)
    make_user("auditor2", Role.AUDITOR)  # so the first auditor is not the last one
    TOTPDevice.objects.create(user=auditor, name="phone", confirmed=True)
    sec = actor(city, "secadmin")
    services.user_set_password(actor=sec, user=auditor, password=NEW_PASSWORD)
    services.user_set_password(actor=sec, user=other_sec, password=NEW_PASSWORD)
    assert services.user_reset_totp(actor=sec, user=auditor) == 1
    services.user_set_active(actor=sec, user=auditor, active=False)
    auditor.refresh_from_db()
    assert auditor.check_password(NEW_PASSWORD) and auditor.must_change_password and not auditor.is_active
    assert User.objects.get(username="secadmin2").check_password(NEW_PASSWORD)
    assert not TOTPDevice.objects.filter(user=auditor).exists()
    events = AuditEvent.objects.filter(actor_name="secadmin", object_id=str(auditor.pk))
    assert events.count() == 3


@pytest.mark.parametrize("ordinary", ["mentor", "orgdept", "sysadmin"])
def test_the_secadmin_still_cannot_run_ordinary_accounts(city, ordinary):
    target = city.users[ordinary]
    for name, act in _powers(target).items():
        with pytest.raises(PermissionDenied):
            act(actor(city, "secadmin"))
        target.refresh_from_db()
        assert target.is_active and target.check_password(PASSWORD), name


def test_a_second_sysadmin_account_is_run_by_the_sysadmin(city):
    other = make_user("sysadmin2", Role.SYSADMIN)
    services.user_set_password(actor=actor(city, "sysadmin"), user=other, password=NEW_PASSWORD)
    assert User.objects.get(username="sysadmin2").check_password(NEW_PASSWORD)


@pytest.mark.parametrize("role", ["sysadmin", "secadmin"])
def test_nobody_resets_their_own_credentials_or_role_through_administration(city, role):
    me = city.users[role]
    TOTPDevice.objects.create(user=me, name="phone", confirmed=True)
    with pytest.raises(PermissionDenied):
        services.user_set_password(actor=actor(city, role), user=me, password=NEW_PASSWORD)
    with pytest.raises(PermissionDenied):
        services.user_reset_totp(actor=actor(city, role), user=me)
    with pytest.raises(PermissionDenied):
        services.user_assign_role(actor=actor(city, role), user=me, role=Role.AUDITOR)
    me.refresh_from_db()
    assert me.check_password(PASSWORD) and me.role == role
    assert TOTPDevice.objects.filter(user=me).exists()


@pytest.mark.parametrize("granted", ["auditor", "secadmin"])
def test_an_account_given_a_guarded_role_loses_the_password_the_sysadmin_knew(city, granted):
    """Sysadmin creates (or resets) an account, the secadmin makes it an auditor: the sysadmin's password is void."""
    account = services.user_create(actor=actor(city, "sysadmin"), username="zhao", full_name="赵六", password=PASSWORD)
    Token.objects.create(user=account)
    TOTPDevice.objects.create(user=account, name="phone", confirmed=True)
    services.user_assign_role(actor=actor(city, "secadmin"), user=account, role=granted)
    account.refresh_from_db()
    assert account.role == granted and not account.has_usable_password()
    assert authenticate(username="zhao", password=PASSWORD) is None
    assert not Token.objects.filter(user=account).exists() and not TOTPDevice.objects.filter(user=account).exists()
    event = AuditEvent.objects.filter(object_id=str(account.pk), actor_name="secadmin").latest("id")
    assert event.detail["credentials_revoked"] is True and event.detail["api_token_deleted"] is True
    # The secadmin now gives it a one-time password; the sysadmin cannot.
    with pytest.raises(PermissionDenied):
        services.user_set_password(actor=actor(city, "sysadmin"), user=account, password=NEW_PASSWORD)
    services.user_set_password(actor=actor(city, "secadmin"), user=account, password=NEW_PASSWORD)
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD) and account.must_change_password


def test_an_ordinary_role_change_keeps_the_password(city):
    services.user_assign_role(actor=actor(city, "secadmin"), user=city.users["mentor"], role=Role.ORGDEPT,
                              scope_unit=city.district_a)  # fmt: skip
    assert User.objects.get(username="mentor").check_password(PASSWORD)


def test_the_pages_follow_the_same_rule(city, client_for):
    sysadmin, secadmin = client_for("sysadmin"), client_for("secadmin")
    auditor, mentor = city.users["auditor"], city.users["mentor"]
    make_user("auditor2", Role.AUDITOR)
    for name in ("user_password", "user_toggle_active", "user_reset_totp"):
        url = reverse(f"accounts:{name}", args=[auditor.pk])
        assert sysadmin.post(url, {"active": "0"}).status_code == 403, name
        assert secadmin.post(reverse(f"accounts:{name}", args=[mentor.pk]), {"active": "0"}).status_code == 403, name
    assert User.objects.get(username="auditor").is_active and User.objects.get(username="mentor").is_active
    assert sysadmin.get(reverse("accounts:user_password", args=[city.users["sysadmin"].pk])).status_code == 403
    response = secadmin.post(
        reverse("accounts:user_password", args=[auditor.pk]), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert User.objects.get(username="auditor").check_password(NEW_PASSWORD)
    # The list offers each administrator exactly the accounts they look after.
    own_links = sysadmin.get(reverse("accounts:user_list")).content.decode()
    assert reverse("accounts:user_password", args=[mentor.pk]) in own_links
    assert reverse("accounts:user_password", args=[auditor.pk]) not in own_links
    assert reverse("accounts:user_password", args=[city.users["secadmin"].pk]) not in own_links
    sec_links = secadmin.get(reverse("accounts:user_list")).content.decode()
    assert reverse("accounts:user_password", args=[auditor.pk]) in sec_links
    assert reverse("accounts:user_password", args=[mentor.pk]) not in sec_links
    assert reverse("accounts:user_password", args=[city.users["secadmin"].pk]) not in sec_links
