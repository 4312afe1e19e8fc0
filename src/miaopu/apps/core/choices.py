"""Choices shared by every app: roles, audit vocabulary, and Django choices built from the domain vocabularies."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from miaopu.domain.vocab import Vocab


def vocab_choices(vocab: type[Vocab]) -> list[tuple[str, str]]:
    """Django ``choices`` for a domain vocabulary, labels translatable (msgid = Chinese label)."""
    return [(value, _(label)) for value, label in vocab.labels().items()]


class Role(models.TextChoices):
    """Every account holds exactly one role (三权分立: the three admin roles see no personnel data)."""

    SYSADMIN = "sysadmin", _("系统管理员")
    SECADMIN = "secadmin", _("安全管理员")
    AUDITOR = "auditor", _("审计管理员")
    ORGDEPT = "orgdept", _("组织部干部科")
    UNIT_OFFICER = "unit_officer", _("单位人事专员")
    MENTOR = "mentor", _("导师")
    CADRE = "cadre", _("干部本人")


#: Roles that may read some personnel data.
PERSONNEL_ROLES = frozenset({Role.ORGDEPT, Role.UNIT_OFFICER, Role.MENTOR, Role.CADRE})
#: Roles that may change personnel data (always within their scope).
PERSONNEL_WRITER_ROLES = frozenset({Role.ORGDEPT, Role.UNIT_OFFICER})
#: Roles whose scope is a unit subtree.
UNIT_SCOPED_ROLES = frozenset({Role.ORGDEPT, Role.UNIT_OFFICER})


class AuditCategory(models.TextChoices):
    CHANGE = "change", _("数据变更")
    ACCESS = "access", _("数据访问")
    AUTH = "auth", _("登录与账号")


class AuditSource(models.TextChoices):
    WEB = "web", _("网页")
    API = "api", _("接口")
    CLI = "cli", _("命令行")
    SYSTEM = "system", _("系统")


class AuditAction(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    IMPORT = "import", _("导入")
    GENERATE = "generate", _("生成")
    VIEW = "view", _("查看")
    EXPORT = "export", _("导出")
    SEARCH = "search", _("查询")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出")
    LOCKOUT = "lockout", _("账号锁定")
    PURGE = "purge", _("清理审计记录")
    BACKUP = "backup", _("备份")
    RESTORE = "restore", _("恢复")
