"""The lockout backend (django-axes) and the client address it counts failures against.

Every network login path — the login page, the API token endpoint — calls
``authenticate(request=…)``, so axes sees it: 5 failed passwords for one user name lock that
name for 30 minutes (settings ``AXES_*``), and a locked name is refused before its password
is even checked. ``authenticate()`` without a request (a test calling it directly, a shell)
is not a network login and is not counted.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend

from miaopu.apps.core.audit import Actor


class LockoutBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str:
    """The same client address the audit trail records (``X-Forwarded-For`` only when trusted)."""
    shim = request if hasattr(request, "user") else _WithAnonymous(request)
    return Actor.from_request(shim).ip or ""


class _WithAnonymous:
    def __init__(self, request) -> None:
        from django.contrib.auth.models import AnonymousUser

        self.path = getattr(request, "path", "") or ""
        self.META = request.META
        self.user = AnonymousUser()
