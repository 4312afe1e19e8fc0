"""Reads of the talent and reserve pools, restricted to what the user may see.

The pools are the organisation department's own lists (who is being groomed for promotion): only
组织部干部科 sees them, and only for cadres in their scope (a district officer sees their district's entries).
Every other role gets 403 on the pool pages and sees no pool entries in a growth file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from miaopu.apps.core.access import restrict_cadres
from miaopu.apps.core.choices import Role

from .models import PoolEntry


def can_use_pools(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.ORGDEPT and user.scope_unit_id)


def require_pools(user) -> None:
    if not can_use_pools(user):
        raise PermissionDenied(_("人才库仅限组织部干部科使用。"))


def pool_entry_list(*, user, pool: str | None = None) -> QuerySet[PoolEntry]:
    if not can_use_pools(user):
        return PoolEntry.objects.none()
    qs = PoolEntry.objects.select_related("cadre", "cadre__unit", "source_batch", "recorded_by")
    if pool:
        qs = qs.filter(pool=pool)
    return restrict_cadres(qs, user, through="cadre__")


def pool_entry_get(*, user, pk) -> PoolEntry:
    return get_object_or_404(pool_entry_list(user=user), pk=pk)


def open_pools(cadre_ids: Iterable[int]) -> dict[int, list[str]]:
    """``{cadre_id: [pool codes]}`` of the open entries (callers pass ids they obtained through a selector)."""
    result: dict[int, list[str]] = defaultdict(list)
    for cadre_id, pool in PoolEntry.objects.filter(cadre_id__in=list(cadre_ids), exit_date__isnull=True).values_list(
        "cadre_id", "pool"
    ):
        result[cadre_id].append(pool)
    return dict(result)
