"""Account security records: recent password hashes, and which roles must use a second factor."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from miaopu.apps.core.choices import Role


class PasswordHistory(models.Model):
    """The hash of a password an account used (the last few are kept, never the password itself)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    password = models.CharField(_("密码摘要"), max_length=128)
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        indexes = [models.Index(fields=["user", "-id"], name="accounts_pwhist_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class RoleSecurityPolicy(models.Model):
    """Per-role login requirements set by the security administrator (安全管理员)."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, unique=True)
    require_totp = models.BooleanField(_("要求动态口令"), default=False)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("角色安全策略")
        verbose_name_plural = _("角色安全策略")
        ordering = ["role"]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {'TOTP' if self.require_totp else '-'}"
