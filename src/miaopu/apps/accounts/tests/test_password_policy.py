"""Password rules (GB/T 22239-2019 §8.1.4.1 a): complexity, history, 90-day expiry, change at first login."""

import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from miaopu.apps.accounts import services
from miaopu.apps.accounts.models import PasswordHistory
from miaopu.apps.core.audit import Actor
from miaopu.apps.core.models import AuditEvent, User
from miaopu.apps.core.testing import PASSWORD

pytestmark = pytest.mark.django_db

SYS_PASSWORD = "Hongqi-Cun-7788"


def messages_for(password: str, user: User) -> list[str]:
    with translation.override("zh-hans"):
        try:
            validate_password(password, user)
        except ValidationError as exc:
            return [str(m) for m in exc.messages]
    return []


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("Ab1-x", "至少"),  # too short
        ("abcdefgh12", "至少 3 类"),  # two classes
        ("ABCDEFGH!!", "至少 3 类"),
        ("Mentor-2031x", "不能包含账号名"),  # contains the user name, capitals aside
    ],
)
def test_weak_passwords_are_refused_with_a_chinese_reason(city, password, fragment):
    problems = messages_for(password, city.users["mentor"])
    assert any(fragment in p for p in problems), problems


def test_a_password_with_three_classes_is_accepted(city):
    assert messages_for("qingshi-zhen-2031", city.users["mentor"]) == []  # lower, digit, symbol
    assert messages_for("Qingshizhen2031", city.users["mentor"]) == []  # lower, upper, digit


def test_none_of_the_last_five_passwords_may_be_reused(city):
    user = city.users["mentor"]
    me = Actor(user=user, source="web")
    used = [PASSWORD] + [f"Qingshi-Zhen-20{n:02d}" for n in range(5)]
    for old, new in zip(used, used[1:], strict=False):
        services.password_change_own(actor=me, user=user, old_password=old, new_password=new)
    assert PasswordHistory.objects.filter(user=user).count() == 5  # only the last five hashes are kept
    current = used[-1]
    for reused in used[-5:-1]:
        with pytest.raises(ValidationError) as exc:
            services.password_change_own(actor=me, user=user, old_password=current, new_password=reused)
        assert "最近 5 次" in exc.value.message_dict["new_password"][0]
    # The sixth-last is out of the history again.
    services.password_change_own(actor=me, user=user, old_password=current, new_password=used[0])
    for row in PasswordHistory.objects.filter(user=user):
        assert "Qingshi" not in row.password and row.password.startswith(("md5$", "pbkdf2"))


def test_history_also_applies_when_the_sysadmin_resets(city):
    user = city.users["mentor"]
    with pytest.raises(ValidationError):
        services.user_set_password(actor=Actor(user=city.users["sysadmin"], source="web"), user=user, password=PASSWORD)


def _login(username: str, password: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def test_an_account_the_sysadmin_created_must_choose_its_own_password_first(city):
    sysadmin = Actor(user=city.users["sysadmin"], source="web")
    user = services.user_create(actor=sysadmin, username="zhangsan", full_name="张三", password=SYS_PASSWORD)
    assert user.must_change_password and user.password_changed_at is not None

    client = _login("zhangsan", SYS_PASSWORD)
    response = client.get("/cadres/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:password_change"))
    page = client.get(response["Location"]).content.decode()
    assert "初始密码" in page
    assert client.get("/api/me/").status_code == 403  # the API (by session) waits too
    # A wrong old password or a weak new one: still stuck.
    bad = client.post(
        reverse("accounts:password_change"),
        {"old_password": "nope", "new_password": "Baisha-Zhen-2032", "new_password2": "Baisha-Zhen-2032"},
    )
    assert bad.status_code == 200 and "原密码不正确" in bad.content.decode()
    done = client.post(
        reverse("accounts:password_change") + "?next=/cadres/",
        {"old_password": SYS_PASSWORD, "new_password": "Baisha-Zhen-2032", "new_password2": "Baisha-Zhen-2032"},
    )
    assert done.status_code == 302 and done["Location"] == "/cadres/"
    assert client.get("/cadres/").status_code == 200  # still signed in, and free to go
    user.refresh_from_db()
    assert not user.must_change_password
    event = AuditEvent.objects.filter(object_id=str(user.pk), detail__password_changed=True).get()
    assert event.actor_name == "zhangsan" and event.category == "auth"


def test_a_password_reset_by_the_sysadmin_forces_a_change_too(city):
    user = city.users["mentor"]
    services.user_set_password(actor=Actor(user=city.users["sysadmin"], source="web"), user=user, password=SYS_PASSWORD)
    client = _login("mentor", SYS_PASSWORD)
    assert client.get("/").status_code == 302


def test_passwords_older_than_90_days_must_be_changed(city, client_for):
    user = city.users["orgdept"]
    client = client_for("orgdept")
    assert client.get("/cadres/").status_code == 200
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=91))
    response = client.get("/cadres/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:password_change"))
    assert "90" in client.get(reverse("accounts:password_change")).content.decode()
    # Sign-out stays reachable.
    assert client.post(reverse("logout")).status_code == 302


def test_accounts_whose_hash_was_written_directly_are_never_forced(city, client_for):
    """The demo city and test builders write hashes directly: no change date, no forced change."""
    User.objects.filter(username="officer_b").update(password_changed_at=None, must_change_password=False)
    assert client_for("officer_b").get("/cadres/").status_code == 200


def test_the_token_endpoint_refuses_until_the_password_is_changed(city):
    user = city.users["mentor"]
    services.user_set_password(actor=Actor(user=city.users["sysadmin"], source="web"), user=user, password=SYS_PASSWORD)
    response = Client().post("/api/auth/token/", {"username": "mentor", "password": SYS_PASSWORD})
    assert response.status_code == 400 and "修改密码" in response.content.decode()
