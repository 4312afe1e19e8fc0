"""Accounts (one role each, with a scope) and the append-only audit trail."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction, AuditCategory, AuditSource, Role


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.CADRE)
    scope_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("管理范围"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("组织部干部科：全市或某区县；单位人事专员：本单位（含下级单位）。"),
    )
    cadre = models.OneToOneField(
        "cadres.Cadre",
        verbose_name=_("对应干部"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account",
        help_text=_("干部本人账号对应的干部档案；导师若本身是干部也可关联。"),
    )
    #: Set whenever the password is set (accounts.validators.PasswordHistoryValidator.password_changed);
    #: empty for accounts whose hash was written directly (demo, fixtures): those never expire.
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    #: Set when the system administrator creates the account or resets its password: the user must pick their own.
    must_change_password = models.BooleanField(_("须修改密码"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return f"{self.get_full_name() or self.username}（{self.get_role_display()}）"

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class AuditEventQuerySet(models.QuerySet):
    """Audit rows are append-only for the application: no bulk update or delete."""

    def update(self, **kwargs):  # noqa: ARG002
        raise PermissionError("audit events are append-only")

    def delete(self):
        raise PermissionError("audit events are append-only")


class AuditEvent(models.Model):
    """One change, access or login event: who, when, from where, what, before → after.

    No foreign keys: an audit row must outlive the user and the object it names, and
    must never be rewritten by a cascade.
    """

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    category = models.CharField(_("类别"), max_length=10, choices=AuditCategory.choices)
    action = models.CharField(_("操作"), max_length=20, choices=AuditAction.choices)
    source = models.CharField(_("来源"), max_length=10, choices=AuditSource.choices)
    ip = models.GenericIPAddressField(_("地址"), null=True, blank=True)
    actor_id = models.BigIntegerField(_("用户编号"), null=True, blank=True, db_index=True)
    actor_name = models.CharField(_("用户"), max_length=150, blank=True)
    actor_role = models.CharField(_("角色"), max_length=20, blank=True)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    detail = models.JSONField(_("详情"), null=True, blank=True)
    #: Position in the hash chain: gapless, assigned under the chain lock (see ``audit_chain``).
    seq = models.BigIntegerField(_("序号"), null=True, blank=True, unique=True)
    #: The previous row's ``chain_hmac`` ("" for the first row ever written).
    prev_hmac = models.CharField(_("前一记录校验值"), max_length=64, blank=True)
    #: HMAC-SM3(audit key, prev_hmac || canonical JSON of this row), hex.
    chain_hmac = models.CharField(_("校验值"), max_length=64, blank=True)
    key_id = models.CharField(_("密钥标识"), max_length=16, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-id"]
        indexes = [models.Index(fields=["category", "-at"], name="core_audit_cat_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")

    @property
    def changed_fields(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        keys = list(dict.fromkeys([*before, *after]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class AuditChainState(models.Model):
    """The head of the audit hash chain: one row, locked while a record is appended so the chain stays linear.

    Appends take ``SELECT … FOR UPDATE`` on this row (PostgreSQL) inside the writing transaction; SQLite
    serialises writers with ``BEGIN IMMEDIATE`` (settings). ``seq``/``head_hmac`` are the last row's, which
    lets ``miaopu audit verify`` notice rows cut off the end of the table.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    head_hmac = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("审计链状态")
        verbose_name_plural = _("审计链状态")

    def __str__(self) -> str:
        return f"#{self.seq} {self.head_hmac[:12]}"
