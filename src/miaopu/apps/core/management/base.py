"""Shared plumbing for management commands that act as a named account."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from miaopu.apps.core.audit import Actor


def cli_actor(username: str | None) -> Actor:
    """The account a command acts as: scope checks and the audit log apply exactly as on the web."""
    from miaopu.apps.core.models import User

    if not username:
        raise CommandError(_("请用 --user 指定以哪个账号的身份执行（该账号的管理范围和审计记录同样适用）。"))
    try:
        user = User.objects.get(username=username, is_active=True)
    except User.DoesNotExist as exc:
        raise CommandError(_("账号“%(u)s”不存在或已停用。") % {"u": username}) from exc
    return Actor.cli(user)
