"""Steps a signed-in session must pass before any page: session limits, the second factor, a password change.

Order of the checks on every request of a session-authenticated user:

1. the session is older than 8 hours since the password login, or unused for 30 minutes → signed out;
2. the account needs a TOTP second factor (its role requires one, or it enrolled one) and this session has
   not given it → the TOTP page;
3. the password was set by the system administrator, or is older than 90 days → the change-password page.

Pages needed to finish a step (the step's own page, sign-out, static files, the language switch) stay
reachable; the API answers 403 with the reason instead of redirecting. API calls authenticated by token
carry no session and are checked when the token is issued (``security.api_login_problem``).
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import security


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is None or session is None or not user.is_authenticated or session.get(SESSION_KEY) is None:
            return self.get_response(request)
        answer = self._check(request, user, session)
        return answer if answer is not None else self.get_response(request)

    def _exempt(self, request: HttpRequest, *names: str) -> bool:
        path = request.path_info
        if path.startswith((settings.STATIC_URL, "/i18n/")):
            return True
        return path in {reverse(name) for name in ("logout", *names)}

    def _check(self, request: HttpRequest, user, session) -> HttpResponse | None:
        now = time.time()
        ended = security.session_expired(session, now)
        if ended is not None:
            request.miaopu_logout_reason = ended
            logout(request)
            if ended == "idle":
                minutes = settings.MIAOPU_SESSION_IDLE_SECONDS // 60
                text = _("您已连续 %(m)s 分钟未操作，已自动退出，请重新登录。") % {"m": minutes}
            else:
                hours = settings.MIAOPU_SESSION_MAX_SECONDS // 3600
                text = _("本次登录已超过 %(h)s 小时，请重新登录。") % {"h": hours}
            if _is_api(request):
                return JsonResponse({"detail": text}, status=401)
            messages.info(request, text)
            return redirect_to_login(request.get_full_path())

        if security.totp_needed(session, user, now) and not getattr(user, "is_verified", lambda: False)():
            if self._exempt(request, "accounts:otp_verify"):
                return None
            return self._detour(request, "accounts:otp_verify", _("请先完成动态口令验证。"))

        reason = security.password_change_reason(user)
        if reason is not None and not self._exempt(request, "accounts:password_change"):
            return self._detour(request, "accounts:password_change", reason)
        return None

    def _detour(self, request: HttpRequest, name: str, text: str) -> HttpResponse:
        if _is_api(request):
            return JsonResponse({"detail": text}, status=403)
        url = reverse(name)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
