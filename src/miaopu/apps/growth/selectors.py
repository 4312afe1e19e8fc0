"""Who may see which part of a growth file, and the scoped reads of its records.

- Talks (谈心谈话) and punishments (惩戒) are visible to 组织部干部科 only — never to unit officers, mentors or
  the cadre (the issue's rule; the file's own records of thought and discipline).
- Reviews (分析研判) and pool entries (人才库) are the department's own judgement and lists: also 组织部 only.
- Everything else in a file (experience, programme placements and stages, mentoring records as the mentoring
  app scopes them, assessments, achievements and the other entries) is visible to whoever may see the cadre.

Writers: 组织部干部科 and 单位人事专员 within their scope add entries; only 组织部干部科 records talks and
punishments. The cadre itself is always looked up through ``cadres.selectors.cadre_get`` first (404 outside
the scope), and every list below is additionally passed through ``restrict_cadres``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from miaopu.apps.core.access import can_write_personnel, restrict_cadres, unit_in_scope
from miaopu.apps.core.choices import Role
from miaopu.domain.promotion import PunishmentRecord

from .models import Attachment, GrowthEntry, Punishment, Talk

#: Record kinds only 组织部干部科 sees (see the module docstring).
CONFIDENTIAL_KINDS = frozenset({"talk", "punishment", "counselling"})  # counselling: fieldwork care
ORGDEPT_ONLY_KINDS = frozenset({"review", "pool"}) | CONFIDENTIAL_KINDS


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_orgdept(user) -> bool:
    return _active(user) and user.role == Role.ORGDEPT and user.scope_unit_id is not None


def can_read_files(user) -> bool:
    return _active(user) and user.role in (Role.ORGDEPT, Role.UNIT_OFFICER, Role.MENTOR, Role.CADRE)


def require_read(user) -> None:
    if not can_read_files(user):
        raise PermissionDenied(_("您的角色无权查看成长档案。"))


def require_orgdept(user) -> None:
    if not is_orgdept(user):
        raise PermissionDenied(_("此功能仅限组织部干部科。"))


def may_see_kind(user, kind: str) -> bool:
    return kind not in ORGDEPT_ONLY_KINDS or is_orgdept(user)


def can_write_entries(user, cadre) -> bool:
    return can_write_personnel(user) and unit_in_scope(user, cadre.unit)


def can_write_confidential(user, cadre) -> bool:
    return is_orgdept(user) and unit_in_scope(user, cadre.unit)


def entry_list(*, user) -> QuerySet[GrowthEntry]:
    if not can_read_files(user):
        return GrowthEntry.objects.none()
    return restrict_cadres(GrowthEntry.objects.select_related("cadre", "author"), user, through="cadre__")


def entry_get(*, user, pk) -> GrowthEntry:
    return get_object_or_404(entry_list(user=user), pk=pk)


def talk_list(*, user) -> QuerySet[Talk]:
    if not is_orgdept(user):
        return Talk.objects.none()
    return restrict_cadres(Talk.objects.select_related("cadre", "author"), user, through="cadre__")


def talk_get(*, user, pk) -> Talk:
    return get_object_or_404(talk_list(user=user), pk=pk)


def punishment_list(*, user) -> QuerySet[Punishment]:
    if not is_orgdept(user):
        return Punishment.objects.none()
    return restrict_cadres(Punishment.objects.select_related("cadre", "author"), user, through="cadre__")


def punishment_get(*, user, pk) -> Punishment:
    return get_object_or_404(punishment_list(user=user), pk=pk)


def attachment_get(*, user, pk) -> Attachment:
    """An attachment is visible exactly when the record it belongs to is (404 otherwise)."""
    attachment = get_object_or_404(Attachment.objects.select_related("cadre"), pk=pk)
    if attachment.entry_id is not None:
        visible = entry_list(user=user).filter(pk=attachment.entry_id).exists()
    elif attachment.talk_id is not None:
        visible = talk_list(user=user).filter(pk=attachment.talk_id).exists()
    else:
        visible = punishment_list(user=user).filter(pk=attachment.punishment_id).exists()
    if not visible:
        from django.http import Http404

        raise Http404
    return attachment


def punishment_records(cadre_ids: Iterable[int]) -> dict[int, tuple[PunishmentRecord, ...]]:
    """Punishments as the promotion core reads them (callers pass ids obtained through a scoped selector)."""
    ids = list(cadre_ids)
    found: dict[int, list[PunishmentRecord]] = defaultdict(list)
    for start in range(0, len(ids), 5_000):
        rows = Punishment.objects.filter(cadre_id__in=ids[start : start + 5_000]).order_by("date")
        for cadre_id, date, until, kind in rows.values_list("cadre_id", "date", "blocks_until", "kind"):
            label = dict(Punishment._meta.get_field("kind").choices).get(kind, kind)
            found[cadre_id].append(PunishmentRecord(date, until, str(label)))
    return {k: tuple(v) for k, v in found.items()}
