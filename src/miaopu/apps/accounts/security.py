"""What a signed-in account still has to do before it may use the system, and how long a session may last.

Read by ``AccountSecurityMiddleware`` (web pages and session-authenticated API calls) and by the API
token endpoint, so neither path lets an account past a step the other would stop it at.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

#: Session keys: when the password login happened, when the session was last used (POSIX seconds), whether the
#: account needs a second factor and when that was last looked up.
LOGIN_AT = "miaopu_login_at"
LAST_SEEN = "miaopu_last_seen"
TOTP_NEEDED = "miaopu_totp_needed"
TOTP_CHECKED_AT = "miaopu_totp_checked_at"
#: The session is written (and its expiry renewed) at most this often, and the second-factor requirement is
#: looked up again this often: a request then costs no extra query, and a policy change reaches open
#: sessions within a minute.
REFRESH_SECONDS = 60


def totp_required(user) -> bool:
    """A second factor at every login: the role requires it (安全管理员's policy), or the user enrolled one."""
    from .models import RoleSecurityPolicy

    role = getattr(user, "role", "")
    if role and RoleSecurityPolicy.objects.filter(role=role, require_totp=True).exists():
        return True
    return totp_devices(user).exists()


def totp_devices(user, confirmed: bool | None = True):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    qs = TOTPDevice.objects.filter(user=user)
    return qs if confirmed is None else qs.filter(confirmed=confirmed)


def password_change_reason(user) -> str | None:
    """Why ``user`` must change their password now (a Chinese sentence), or None.

    ``password_changed_at`` is empty for accounts whose hash was written directly (the demo city, test
    builders): those are never forced. A password set by the system administrator always is.
    """
    if getattr(user, "must_change_password", False):
        return _("这是系统管理员为您设置的初始密码或重置后的密码，请先设置您自己的密码。")
    changed = getattr(user, "password_changed_at", None)
    max_age = getattr(settings, "MIAOPU_PASSWORD_MAX_AGE_DAYS", 90)
    if changed is not None and max_age and timezone.now() - changed > dt.timedelta(days=max_age):
        return _("您的密码已使用超过 %(days)s 天，请修改密码后继续。") % {"days": max_age}
    return None


def start_session(session, user, now: float) -> None:
    """At the password login: start the session clocks and note whether a second factor is needed."""
    session[LOGIN_AT] = now
    session[LAST_SEEN] = now
    session[TOTP_NEEDED] = totp_required(user)
    session[TOTP_CHECKED_AT] = now


def session_expired(session, now: float) -> str | None:
    """``"idle"`` or ``"absolute"`` when the session must end, else None.

    Idle time is measured from ``LAST_SEEN``, which is renewed at most once a minute (each renewal also saves
    the session and so renews its stored expiry, ``SESSION_COOKIE_AGE``): a session ends between 29 and 30
    minutes after its last request, whichever of the two notices first.
    """
    idle = getattr(settings, "MIAOPU_SESSION_IDLE_SECONDS", 1800)
    limit = getattr(settings, "MIAOPU_SESSION_MAX_SECONDS", 8 * 3600)
    login_at = session.get(LOGIN_AT)
    last_seen = session.get(LAST_SEEN)
    if login_at is None:
        session[LOGIN_AT] = now  # a session from before these limits: count from now
    elif limit and now - float(login_at) > limit:
        return "absolute"
    if last_seen is not None and idle and now - float(last_seen) > idle:
        return "idle"
    if last_seen is None or now - float(last_seen) >= REFRESH_SECONDS:
        session[LAST_SEEN] = now
    return None


def totp_needed(session, user, now: float) -> bool:
    """``totp_required`` as noted in the session, looked up again once a minute."""
    checked = session.get(TOTP_CHECKED_AT)
    if checked is None or TOTP_NEEDED not in session or now - float(checked) >= REFRESH_SECONDS:
        session[TOTP_NEEDED] = totp_required(user)
        session[TOTP_CHECKED_AT] = now
    return bool(session[TOTP_NEEDED])


def api_login_problem(user, otp_code: str | None) -> str | None:
    """Why the token endpoint must not issue a token to ``user`` (a Chinese sentence), or None.

    Same rules as the web: a password that must be changed first, a second factor the role requires.
    """
    if password_change_reason(user):
        return _("请先在网页上修改密码，再申请接口令牌。")
    if totp_required(user):
        devices = list(totp_devices(user))
        if not devices:
            return _("您的角色要求动态口令：请先在网页上绑定动态口令，再申请接口令牌。")
        code = (otp_code or "").strip()
        if not code or not any(device.verify_token(code) for device in devices):
            return _("您的角色要求动态口令：请在 otp 字段填写验证器上的 6 位动态口令。")
    return None
