"""Login hardening (GB/T 22239-2019 §8.1.4.1 b): lockout, session limits, a new session id at login."""

import datetime as dt
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from miaopu.apps.accounts import security
from miaopu.apps.core.models import AuditEvent
from miaopu.apps.core.testing import PASSWORD

pytestmark = pytest.mark.django_db


def fail_login(client: Client, username: str = "orgdept", times: int = 1):
    response = None
    for _ in range(times):
        response = client.post(reverse("login"), {"username": username, "password": "Wrong-pass-1"})
    return response


def test_five_failures_lock_the_account_for_30_minutes(city):
    client = Client(REMOTE_ADDR="10.1.1.1")
    assert fail_login(client, times=4).status_code == 200  # the form again
    locked = fail_login(client)
    assert locked.status_code == 429
    assert "已被锁定 30 分钟" in locked.content.decode()
    # Locked: the right password, from another address, is refused too.
    other = Client(REMOTE_ADDR="10.2.2.2")
    response = other.post(reverse("login"), {"username": "orgdept", "password": PASSWORD})
    assert response.status_code == 429 and "_auth_user_id" not in other.session
    # Another account is not affected.
    assert Client().post(reverse("login"), {"username": "mentor", "password": PASSWORD}).status_code == 302

    lockouts = AuditEvent.objects.filter(action="lockout")
    assert lockouts.count() == 1
    event = lockouts.get()
    assert event.category == "auth" and event.actor_name == "orgdept" and event.ip == "10.1.1.1"
    assert event.object_id == str(city.users["orgdept"].pk) and event.detail["failures"] == 5
    refused = AuditEvent.objects.filter(action="login_failed", detail__locked_out=True)
    assert refused.count() == 1 and refused.get().ip == "10.2.2.2"

    # 30 minutes later the name may log in again.
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31))
    assert other.post(reverse("login"), {"username": "orgdept", "password": PASSWORD}).status_code == 302


def test_a_success_resets_the_failure_count(city):
    client = Client()
    fail_login(client, times=4)
    assert client.post(reverse("login"), {"username": "orgdept", "password": PASSWORD}).status_code == 302
    client.post(reverse("logout"))
    assert fail_login(client, times=4).status_code == 200  # four more failures: still not locked


def test_the_api_token_endpoint_counts_failures_and_honours_the_lock(city):
    client = Client()
    for _ in range(4):
        response = client.post("/api/auth/token/", {"username": "officer_b", "password": "Wrong-pass-1"})
        assert response.status_code == 400
    response = client.post("/api/auth/token/", {"username": "officer_b", "password": "Wrong-pass-1"})
    assert response.status_code == 429 and "锁定" in response.json()["detail"]
    response = client.post("/api/auth/token/", {"username": "officer_b", "password": PASSWORD})
    assert response.status_code == 429 and "token" not in response.json()
    assert AuditEvent.objects.get(action="lockout").source == "api"
    # The web login shares the same counter.
    assert Client().post(reverse("login"), {"username": "officer_b", "password": PASSWORD}).status_code == 429


def test_login_gives_a_new_session_id(city):
    client = Client()
    client.get(reverse("login"))
    session = client.session
    session["before_login"] = "x"
    session.save()
    client.cookies["sessionid"] = session.session_key
    old_key = session.session_key
    client.post(reverse("login"), {"username": "mentor", "password": PASSWORD})
    new_key = client.cookies["sessionid"].value
    assert new_key and new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()


def _age_session(client: Client, **seconds_ago: float) -> None:
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_idle_sessions_end_after_30_minutes(city, client_for):
    client = client_for("orgdept")
    assert client.get("/cadres/").status_code == 200
    _age_session(client, **{security.LAST_SEEN: 29 * 60})
    assert client.get("/cadres/").status_code == 200
    _age_session(client, **{security.LAST_SEEN: 31 * 60})
    response = client.get("/cadres/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "30 分钟未操作" in client.get(response["Location"]).content.decode()
    assert client.get("/cadres/").status_code == 302  # signed out for good
    assert AuditEvent.objects.filter(action="logout", detail__reason="idle").exists()


def test_sessions_end_8_hours_after_login_however_busy(city, client_for):
    client = client_for("orgdept")
    _age_session(client, **{security.LOGIN_AT: 8 * 3600 - 60, security.LAST_SEEN: 10})
    assert client.get("/cadres/").status_code == 200
    _age_session(client, **{security.LOGIN_AT: 8 * 3600 + 60, security.LAST_SEEN: 10})
    response = client.get("/cadres/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert AuditEvent.objects.filter(action="logout", detail__reason="absolute").exists()
    api = client_for("orgdept")
    _age_session(api, **{security.LOGIN_AT: 9 * 3600})
    assert api.get("/api/me/").status_code == 401


def test_using_a_session_renews_its_stored_expiry(city, client_for, settings):
    client = client_for("orgdept")
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5))
    _age_session(client, **{security.LAST_SEEN: 2 * 60})  # last renewed two minutes ago
    client.get("/cadres/")
    expiry = Session.objects.get(session_key=key).expire_date
    assert expiry > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=29)
