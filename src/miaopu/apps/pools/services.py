"""Writes to the pools: add an entry, correct its classification, record the exit. Validated and audited.

``reserve_from_programme`` is how a programme's term-end effect (优秀 → 后备干部库) lands here: the programmes
service calls it inside its own transaction, right after writing its ``ReservePoolEntry``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from miaopu.apps.cadres.models import Cadre
from miaopu.apps.core.access import unit_in_scope
from miaopu.apps.core.audit import Actor, record_change, snapshot
from miaopu.apps.core.choices import AuditAction
from miaopu.apps.core.services import apply_fields, full_clean

from .models import EntrySource, PoolEntry, PoolKind
from .selectors import can_use_pools

ENTRY_FIELDS = ["pool", "tier", "category", "source", "date", "reason", "source_batch"]
EDIT_FIELDS = ["tier", "category", "reason"]
AUDIT_FIELDS = [
    "pool",
    "cadre",
    "tier",
    "category",
    "source",
    "date",
    "reason",
    "source_batch",
    "source_placement",
    "exit_date",
    "exit_reason",
]


def _require(actor: Actor, cadre: Cadre) -> None:
    if not (can_use_pools(actor.user) and unit_in_scope(actor.user, cadre.unit)):
        raise PermissionDenied(_("干部“%(name)s”不在您的管理范围内，或您无权维护人才库。") % {"name": cadre.name})


def _open_entry(pool: str, cadre: Cadre) -> PoolEntry | None:
    return PoolEntry.objects.filter(pool=pool, cadre=cadre, exit_date__isnull=True).first()


@transaction.atomic
def pool_entry_add(*, actor: Actor, cadre: Cadre, data: dict[str, Any]) -> PoolEntry:
    _require(actor, cadre)
    entry = PoolEntry(cadre=cadre, recorded_by=actor.user)
    apply_fields(entry, data, ENTRY_FIELDS)
    errors: dict[str, list[str]] = {}
    if entry.date and entry.date > dt.date.today():
        errors["date"] = [_("入库日期不能晚于今天。")]
    if not (entry.reason or "").strip():
        errors["reason"] = [_("请写明入库理由。")]
    if entry.pool:
        existing = _open_entry(entry.pool, cadre)
        if existing is not None:
            errors.setdefault("pool", []).append(
                _("%(n)s 自 %(d)s 起已在%(p)s中，不能重复入库。")
                % {"n": cadre.name, "d": existing.date.isoformat(), "p": existing.get_pool_display()}
            )
    full_clean(entry, errors, exclude=["cadre"])
    entry.save()
    record_change(actor, AuditAction.CREATE, entry, after=snapshot(entry, AUDIT_FIELDS))
    return entry


@transaction.atomic
def pool_entry_update(*, actor: Actor, entry: PoolEntry, data: dict[str, Any]) -> PoolEntry:
    _require(actor, entry.cadre)
    before = snapshot(entry, AUDIT_FIELDS)
    apply_fields(entry, data, EDIT_FIELDS)
    errors = {} if (entry.reason or "").strip() else {"reason": [_("请写明入库理由。")]}
    full_clean(entry, errors)
    entry.save()
    record_change(actor, AuditAction.UPDATE, entry, before=before, after=snapshot(entry, AUDIT_FIELDS))
    return entry


@transaction.atomic
def pool_entry_exit(*, actor: Actor, entry: PoolEntry, date: dt.date, reason: str) -> PoolEntry:
    """出库 (promoted, left, no longer suitable …): the entry stays, closed, with the date and reason."""
    _require(actor, entry.cadre)
    errors: dict[str, list[str]] = {}
    if entry.exit_date is not None:
        raise ValidationError(_("该记录已于 %(d)s 出库。") % {"d": entry.exit_date.isoformat()})
    if date is None or date < entry.date:
        errors["exit_date"] = [_("出库日期不能早于入库日期 %(d)s。") % {"d": entry.date.isoformat()}]
    elif date > dt.date.today():
        errors["exit_date"] = [_("出库日期不能晚于今天。")]
    if not (reason or "").strip():
        errors["exit_reason"] = [_("请写明出库原因。")]
    if errors:
        raise ValidationError(errors)
    before = snapshot(entry, AUDIT_FIELDS)
    entry.exit_date = date
    entry.exit_reason = reason.strip()
    entry.save(update_fields=["exit_date", "exit_reason"])
    record_change(actor, AuditAction.UPDATE, entry, before=before, after=snapshot(entry, AUDIT_FIELDS))
    return entry


def reserve_from_programme(*, actor: Actor, programme_entry) -> PoolEntry:
    """The reserve-pool entry for a programme's term-end result (called by ``programmes.services``).

    The programme service has already checked the actor; a cadre already in the reserve pool keeps their
    open entry (returned unchanged) rather than getting a second one.
    """
    existing = PoolEntry.objects.filter(
        pool=PoolKind.RESERVE, cadre_id=programme_entry.cadre_id, exit_date__isnull=True
    ).first()
    if existing is not None:
        return existing
    entry = PoolEntry.objects.create(
        pool=PoolKind.RESERVE,
        cadre_id=programme_entry.cadre_id,
        source=EntrySource.BATCH,
        date=programme_entry.date,
        reason=programme_entry.reason[:300],
        source_batch_id=programme_entry.source_batch_id,
        source_placement_id=programme_entry.placement_id,
        programme_entry=programme_entry,
        recorded_by=actor.user,
    )
    record_change(actor, AuditAction.CREATE, entry, after=snapshot(entry, AUDIT_FIELDS))
    return entry
