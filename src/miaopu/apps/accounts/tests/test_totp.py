"""The optional second factor (GB/T 22239-2019 §8.1.4.1 d): TOTP, required per role by the security admin."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from miaopu.apps.accounts import services
from miaopu.apps.accounts.models import RoleSecurityPolicy
from miaopu.apps.core.audit import Actor
from miaopu.apps.core.models import AuditEvent
from miaopu.apps.core.testing import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_throttle(settings):
    """django-otp makes a client wait 1, 2, 4 … s after a wrong code; the tests do not wait."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def require_totp(city, role: str = "orgdept") -> None:
    client = Client()
    client.force_login(city.users["secadmin"])
    page = client.get(reverse("accounts:security_policy"))
    assert page.status_code == 200 and "要求动态口令的角色" in page.content.decode()
    response = client.post(reverse("accounts:security_policy"), {f"totp_{role}": "on"})
    assert response.status_code == 302
    assert RoleSecurityPolicy.objects.get(role=role).require_totp


def login(username: str = "orgdept") -> Client:
    client = Client()
    assert client.post(reverse("login"), {"username": username, "password": PASSWORD}).status_code == 302
    return client


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def test_a_role_that_requires_totp_must_enrol_then_verify_at_every_login(city):
    Token.objects.create(user=city.users["orgdept"])
    require_totp(city)
    assert not Token.objects.filter(user=city.users["orgdept"]).exists()  # issued without a second factor

    client = login()
    response = client.get("/cadres/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp_verify"))
    assert client.get("/api/me/").status_code == 403
    page = client.get(response["Location"]).content.decode()
    assert "绑定动态口令" in page and "<svg" in page  # QR code drawn in the page, nothing fetched
    secret = re.search(r'<span class="mono">([A-Z2-7]+)</span>', page).group(1)
    device = TOTPDevice.objects.get(user=city.users["orgdept"])
    assert not device.confirmed and secret

    wrong = client.post(reverse("accounts:otp_verify"), {"code": "000000"})
    assert wrong.status_code == 200 and "不正确" in wrong.content.decode()
    assert client.get("/cadres/").status_code == 302
    done = client.post(reverse("accounts:otp_verify") + "?next=/cadres/", {"code": code_for(device)})
    assert done.status_code == 302 and done["Location"] == "/cadres/"
    assert client.get("/cadres/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed

    # Next login: the code is asked again (no enrolment this time).
    again = login()
    page = again.get(reverse("accounts:otp_verify")).content.decode()
    assert "动态口令验证" in page and "<svg" not in page
    assert again.get("/cadres/").status_code == 302
    assert again.post(reverse("accounts:otp_verify"), {"code": code_for(device, 1)}).status_code == 302
    assert again.get("/cadres/").status_code == 200

    second_factor = AuditEvent.objects.filter(action="login", detail__second_factor="totp")
    assert second_factor.count() == 2
    assert AuditEvent.objects.filter(action="login_failed", detail__second_factor="totp").count() == 1


def test_other_roles_are_not_asked(city):
    require_totp(city)
    assert login("officer_b").get("/cadres/").status_code == 200


def test_the_token_endpoint_asks_for_the_code_too(city):
    require_totp(city)
    api = Client()
    response = api.post("/api/auth/token/", {"username": "orgdept", "password": PASSWORD})
    assert response.status_code == 400 and "绑定" in response.content.decode()
    device = TOTPDevice.objects.create(user=city.users["orgdept"], name="phone", confirmed=True)
    response = api.post("/api/auth/token/", {"username": "orgdept", "password": PASSWORD, "otp": "000000"})
    assert response.status_code == 400 and "otp" in response.content.decode()
    response = api.post("/api/auth/token/", {"username": "orgdept", "password": PASSWORD, "otp": code_for(device)})
    assert response.status_code == 200 and response.json()["token"]


def test_policy_and_device_reset_belong_to_their_admins(city, client_for):
    for role in ("sysadmin", "auditor", "orgdept"):
        assert client_for(role).get(reverse("accounts:security_policy")).status_code == 403
    TOTPDevice.objects.create(user=city.users["mentor"], name="phone", confirmed=True)
    url = reverse("accounts:user_reset_totp", args=[city.users["mentor"].pk])
    assert client_for("secadmin").post(url).status_code == 403
    assert TOTPDevice.objects.filter(user=city.users["mentor"]).exists()
    assert client_for("sysadmin").post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=city.users["mentor"]).exists()
    event = AuditEvent.objects.get(detail__totp_reset=1)
    assert event.actor_name == "sysadmin" and event.object_id == str(city.users["mentor"].pk)


def test_a_user_may_enrol_voluntarily_and_is_then_asked(city):
    client = login("mentor")
    client.get(reverse("accounts:otp_verify"))
    device = TOTPDevice.objects.get(user=city.users["mentor"])
    client.post(reverse("accounts:otp_verify"), {"code": code_for(device)})
    assert login("mentor").get("/cadres/").status_code == 302  # from now on the code is asked


def test_wrong_codes_make_the_next_try_wait(city, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 30
    device = TOTPDevice.objects.create(user=city.users["mentor"], name="phone", confirmed=True)
    client = login("mentor")
    client.post(reverse("accounts:otp_verify"), {"code": "000000"})
    response = client.post(reverse("accounts:otp_verify"), {"code": code_for(device)})  # right, but too soon
    assert "秒后再试" in response.content.decode() and client.get("/cadres/").status_code == 302


def test_policy_changes_are_audited(city):
    secadmin = Actor(user=city.users["secadmin"], source="web")
    services.role_policy_set(actor=secadmin, role="unit_officer", require_totp=True)
    event = AuditEvent.objects.get(object_type="accounts.rolesecuritypolicy")
    assert event.before == {"require_totp": False} and event.after == {"require_totp": True}
    assert event.actor_name == "secadmin" and event.object_repr == "单位人事专员"
