"""Password rules of GB/T 22239-2019 §8.1.4.1 a (复杂度要求并定期更换), as Django password validators.

Listed in ``settings.AUTH_PASSWORD_VALIDATORS``, they run for every password a user or the system
administrator sets (``validate_password``), with Chinese messages. ``PasswordHistoryValidator`` also keeps
the hashes of recent passwords and the time of the change: Django calls its ``password_changed`` whenever a
password set with ``set_password`` is saved, whichever code path did it.
"""

from __future__ import annotations

import string

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

_CLASSES = (
    ("lower", lambda c: c in string.ascii_lowercase),
    ("upper", lambda c: c in string.ascii_uppercase),
    ("digit", lambda c: c in string.digits),
    ("symbol", lambda c: c not in string.ascii_letters + string.digits),
)


def character_classes(password: str) -> set[str]:
    """Which of lower-case letters, capitals, digits and other characters ``password`` uses."""
    return {name for name, test in _CLASSES if any(test(c) for c in password)}


class MinimumLengthValidator:
    """At least ``min_length`` characters (Django's own message has no Chinese translation in Django 5.2)."""

    def __init__(self, min_length: int = 8) -> None:
        self.min_length = min_length

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(self.get_help_text(), code="password_too_short")

    def get_help_text(self) -> str:
        return _("密码至少需要 %(n)s 个字符。") % {"n": self.min_length}


class CharacterClassValidator:
    """At least ``min_classes`` of: lower-case letters, capitals, digits, other characters (symbols, 汉字)."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if len(character_classes(password)) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _("密码须包含小写字母、大写字母、数字、符号四类字符中的至少 %(n)s 类。") % {"n": self.min_classes}


class NotContainingUsernameValidator:
    """The password may not contain the account name, in any mix of capitals."""

    def validate(self, password: str, user=None) -> None:
        username = (getattr(user, "username", "") or "").strip().lower()
        if username and username in password.lower():
            raise ValidationError(_("密码不能包含账号名。"), code="password_contains_username")

    def get_help_text(self) -> str:
        return _("密码不能包含账号名。")


class PasswordHistoryValidator:
    """Not one of the last ``history`` passwords; records each new password's hash and when it was set."""

    def __init__(self, history: int = 5) -> None:
        self.history = history

    def validate(self, password: str, user=None) -> None:
        from .models import PasswordHistory

        if user is None or user.pk is None:
            return
        recent = PasswordHistory.objects.filter(user=user).order_by("-id").values_list("password", flat=True)
        hashes = list(recent[: self.history])
        if not hashes and user.password:
            hashes = [user.password]  # an account from before the history existed: at least not the current one
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                _("新密码不能与最近 %(n)s 次使用过的密码相同。") % {"n": self.history},
                code="password_reused",
            )

    def password_changed(self, password: str, user=None) -> None:
        from miaopu.apps.core.models import User

        from .models import PasswordHistory

        if user is None or user.pk is None:
            return
        now = timezone.now()
        PasswordHistory.objects.create(user=user, password=user.password)
        keep = PasswordHistory.objects.filter(user=user).order_by("-id").values_list("id", flat=True)[: self.history]
        PasswordHistory.objects.filter(user=user).exclude(id__in=list(keep)).delete()
        User.objects.filter(pk=user.pk).update(password_changed_at=now)
        user.password_changed_at = now

    def get_help_text(self) -> str:
        return _("不能与最近 %(n)s 次使用过的密码相同。") % {"n": self.history}
