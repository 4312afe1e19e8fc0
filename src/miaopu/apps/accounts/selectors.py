"""Reads for the admin pages. Each checks the reader's role first: 三权分立 is enforced here, not only in views."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from miaopu.apps.core.access import require_role
from miaopu.apps.core.choices import Role
from miaopu.apps.core.models import AuditEvent, User

#: Who may see the account list (the sysadmin manages accounts, the secadmin assigns their roles).
ACCOUNT_READERS = (Role.SYSADMIN, Role.SECADMIN)


def account_list(*, user: User) -> QuerySet[User]:
    require_role(user, *ACCOUNT_READERS)
    return User.objects.select_related("scope_unit", "cadre").order_by("username")


def account_get(*, user: User, pk: int) -> User:
    return get_object_or_404(account_list(user=user), pk=pk)


def audit_event_list(*, user: User) -> QuerySet[AuditEvent]:
    """Only the auditor reads the trail; newest first."""
    require_role(user, Role.AUDITOR)
    return AuditEvent.objects.order_by("-at", "-id")


def audit_event_get(*, user: User, pk: int) -> AuditEvent:
    return get_object_or_404(audit_event_list(user=user), pk=pk)
