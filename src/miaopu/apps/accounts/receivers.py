"""Login, logout and failed-login events go to the audit trail (category ``auth``).

Django sends these signals from ``login()``, ``logout()`` and ``authenticate()``,
so the login page, the admin-free API session login and any future login path
are covered without each view remembering to log.
"""

from __future__ import annotations

import time
from dataclasses import replace
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser

from miaopu.apps.core.audit import Actor, record
from miaopu.apps.core.choices import AuditAction, AuditCategory
from miaopu.apps.core.models import User

from . import security


def _actor(request, user) -> Actor:
    """Source (web/api by path) and IP from the request, as every service records them; the user is the signal's."""
    if request is None:
        return Actor(user=user)
    # Not every request carries ``.user`` (the test client's login builds a bare HttpRequest).
    shim = SimpleNamespace(path=getattr(request, "path", "") or "", META=request.META, user=AnonymousUser())
    return replace(Actor.from_request(shim), user=user)


def on_logged_in(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_KEY) == str(user.pk):
        # The clock of the 8-hour and 30-minute limits starts at the password login (accounts.middleware).
        security.start_session(session, user, time.time())
    record(_actor(request, user), category=AuditCategory.AUTH, action=AuditAction.LOGIN, obj=user)


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is None:  # logging out an anonymous visitor is not an event
        return
    reason = getattr(request, "miaopu_logout_reason", None)
    detail = {"reason": reason} if reason else None
    record(_actor(request, user), category=AuditCategory.AUTH, action=AuditAction.LOGOUT, obj=user, detail=detail)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    """Record the user name that was tried (never the password, which Django has already masked).

    The row's user is an unsaved stand-in carrying the tried name, so the auditor's
    "user" filter finds failed attempts on an account; ``actor_id`` stays empty
    because nobody was authenticated.
    """
    tried = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")[:150]
    account = User.objects.filter(username=tried).only("pk", "username").first() if tried else None
    stand_in = User(username=tried or "?", role="")
    detail = {"username": tried, "account_exists": account is not None}
    locked = request is not None and getattr(request, "axes_locked_out", False)
    if locked and getattr(request, "axes_failures_since_start", None) is None:
        detail["locked_out"] = True  # refused by the lockout before the password was checked
    actor = _actor(request, stand_in)
    target = {"obj": User, "object_id": account.pk if account else None, "object_repr": tried}
    record(actor, category=AuditCategory.AUTH, action=AuditAction.LOGIN_FAILED, detail=detail, **target)
    lockout = getattr(request, "miaopu_lockout", None) if request is not None else None
    if lockout is not None:
        # This failure was the one that locked the name (django-axes ran first and said so).
        record(actor, category=AuditCategory.AUTH, action=AuditAction.LOCKOUT, detail=lockout, **target)


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    """django-axes locked a user name after 5 failures: an ``auth``/``lockout`` event, once per lockout.

    Axes sends this from its own ``user_login_failed`` receiver, which runs before ``on_login_failed``;
    the event is left on the request so it is written right after the failure that caused it. Axes also
    sends the signal for each attempt during the lockout (no failure count then); those are already
    ``login_failed`` rows marked ``locked_out``.
    """
    if request is None or getattr(request, "axes_failures_since_start", None) is None:
        return
    cooloff = settings.AXES_COOLOFF_TIME
    request.miaopu_lockout = {
        "username": str(username or "")[:150],
        "failures": request.axes_failures_since_start,
        "minutes": int(cooloff.total_seconds() // 60) if cooloff else None,
    }
