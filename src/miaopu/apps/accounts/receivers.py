"""Login, logout and failed-login events go to the audit trail (category ``auth``).

Django sends these signals from ``login()``, ``logout()`` and ``authenticate()``,
so the login page, the admin-free API session login and any future login path
are covered without each view remembering to log.
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser

from miaopu.apps.core.audit import Actor, record
from miaopu.apps.core.choices import AuditAction, AuditCategory
from miaopu.apps.core.models import User


def _actor(request, user) -> Actor:
    """Source (web/api by path) and IP from the request, as every service records them; the user is the signal's."""
    if request is None:
        return Actor(user=user)
    # Not every request carries ``.user`` (the test client's login builds a bare HttpRequest).
    shim = SimpleNamespace(path=getattr(request, "path", "") or "", META=request.META, user=AnonymousUser())
    return replace(Actor.from_request(shim), user=user)


def on_logged_in(sender, request, user, **kwargs) -> None:
    record(_actor(request, user), category=AuditCategory.AUTH, action=AuditAction.LOGIN, obj=user)


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is None:  # logging out an anonymous visitor is not an event
        return
    record(_actor(request, user), category=AuditCategory.AUTH, action=AuditAction.LOGOUT, obj=user)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    """Record the user name that was tried (never the password, which Django has already masked).

    The row's user is an unsaved stand-in carrying the tried name, so the auditor's
    "user" filter finds failed attempts on an account; ``actor_id`` stays empty
    because nobody was authenticated.
    """
    tried = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")[:150]
    account = User.objects.filter(username=tried).only("pk", "username").first() if tried else None
    stand_in = User(username=tried or "?", role="")
    record(
        _actor(request, stand_in),
        category=AuditCategory.AUTH,
        action=AuditAction.LOGIN_FAILED,
        obj=User,
        object_id=account.pk if account else None,
        object_repr=tried,
        detail={"username": tried, "account_exists": account is not None},
    )
