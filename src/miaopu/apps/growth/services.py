"""Writes to growth files: entries, talks, punishments and their attachments. Validated, atomic, audited.

The audit record of a talk or a punishment names the record but never copies its free text (``content``,
``problems``, ``follow_up``, ``description``): the audit log is read by the audit administrator, who must not
read what only 组织部干部科 may.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from miaopu.apps.cadres.models import Cadre
from miaopu.apps.core.audit import Actor, record_change, snapshot
from miaopu.apps.core.choices import AuditAction
from miaopu.apps.core.services import apply_fields, full_clean

from .models import Attachment, EntryKind, GrowthEntry, Punishment, Talk
from .selectors import can_write_confidential, can_write_entries

ENTRY_FIELDS = ["kind", "date", "title", "details", "score", "respondents", "respondent_count", "level", "source"]
TALK_FIELDS = ["date", "talker", "thought_state", "problems", "follow_up", "content", "source"]
PUNISHMENT_FIELDS = ["date", "kind", "decided_by", "description", "blocks_until", "source"]
#: What the audit log keeps of the confidential records (no free text).
TALK_AUDIT = ["cadre", "date", "talker", "thought_state", "source"]
PUNISHMENT_AUDIT = ["cadre", "date", "kind", "decided_by", "blocks_until", "source"]
#: Attachments per record.
MAX_ATTACHMENTS = 10


def _require_entries(actor: Actor, cadre: Cadre) -> None:
    if not can_write_entries(actor.user, cadre):
        raise PermissionDenied(_("您无权修改%(name)s的成长档案。") % {"name": cadre.name})


def _require_confidential(actor: Actor, cadre: Cadre) -> None:
    if not can_write_confidential(actor.user, cadre):
        raise PermissionDenied(_("谈心谈话和惩戒记录仅限管理范围内的组织部干部科录入。"))


def _date_errors(date: dt.date | None) -> dict[str, list[str]]:
    if date and date > dt.date.today():
        return {"date": [_("日期不能晚于今天。")]}
    return {}


def entry_errors(entry: GrowthEntry) -> dict[str, list[str]]:
    errors = _date_errors(entry.date)
    if entry.kind == EntryKind.MASS_EVALUATION:
        if entry.score is None:
            errors.setdefault("score", []).append(_("群众评价须填写得分。"))
        if not (entry.respondents or "").strip():
            errors.setdefault("respondents", []).append(_("群众评价须写明评价对象（问了谁）。"))
        if entry.respondent_count is not None and entry.respondent_count < 1:
            errors.setdefault("respondent_count", []).append(_("参评人数至少为 1。"))
    if entry.cadre_id and entry.date and entry.cadre.birth_date and entry.date < entry.cadre.birth_date:
        errors.setdefault("date", []).append(_("日期早于该干部的出生日期，请核对。"))
    return errors


# ---------------------------------------------------------------- entries


@transaction.atomic
def entry_create(*, actor: Actor, cadre: Cadre, data: dict[str, Any]) -> GrowthEntry:
    _require_entries(actor, cadre)
    entry = GrowthEntry(cadre=cadre, author=actor.user)
    apply_fields(entry, data, ENTRY_FIELDS)
    full_clean(entry, entry_errors(entry))
    entry.save()
    record_change(actor, AuditAction.CREATE, entry, after=snapshot(entry))
    return entry


@transaction.atomic
def entry_update(*, actor: Actor, entry: GrowthEntry, data: dict[str, Any]) -> GrowthEntry:
    _require_entries(actor, entry.cadre)
    before = snapshot(entry)
    apply_fields(entry, data, ENTRY_FIELDS)
    full_clean(entry, entry_errors(entry))
    entry.save()
    record_change(actor, AuditAction.UPDATE, entry, before=before, after=snapshot(entry))
    return entry


@transaction.atomic
def entry_delete(*, actor: Actor, entry: GrowthEntry) -> None:
    _require_entries(actor, entry.cadre)
    record_change(actor, AuditAction.DELETE, entry, before=snapshot(entry))
    for attachment in entry.attachments.all():
        attachment.file.delete(save=False)
    entry.delete()


# ---------------------------------------------------------------- talks and punishments (组织部 only)


@transaction.atomic
def talk_create(*, actor: Actor, cadre: Cadre, data: dict[str, Any]) -> Talk:
    _require_confidential(actor, cadre)
    talk = Talk(cadre=cadre, author=actor.user)
    apply_fields(talk, data, TALK_FIELDS)
    full_clean(talk, _date_errors(talk.date))
    talk.save()
    record_change(actor, AuditAction.CREATE, talk, after=snapshot(talk, TALK_AUDIT))
    return talk


@transaction.atomic
def talk_update(*, actor: Actor, talk: Talk, data: dict[str, Any]) -> Talk:
    _require_confidential(actor, talk.cadre)
    before = snapshot(talk, TALK_AUDIT)
    apply_fields(talk, data, TALK_FIELDS)
    full_clean(talk, _date_errors(talk.date))
    talk.save()
    record_change(
        actor, AuditAction.UPDATE, talk, before=before, after=snapshot(talk, TALK_AUDIT), detail={"text_changed": True}
    )
    return talk


@transaction.atomic
def talk_delete(*, actor: Actor, talk: Talk) -> None:
    _require_confidential(actor, talk.cadre)
    record_change(actor, AuditAction.DELETE, talk, before=snapshot(talk, TALK_AUDIT))
    for attachment in talk.attachments.all():
        attachment.file.delete(save=False)
    talk.delete()


def punishment_errors(p: Punishment) -> dict[str, list[str]]:
    errors = _date_errors(p.date)
    if p.blocks_until and p.date and p.blocks_until < p.date:
        errors["blocks_until"] = [_("影响期截止日期不能早于决定日期。")]
    return errors


@transaction.atomic
def punishment_create(*, actor: Actor, cadre: Cadre, data: dict[str, Any]) -> Punishment:
    _require_confidential(actor, cadre)
    punishment = Punishment(cadre=cadre, author=actor.user)
    apply_fields(punishment, data, PUNISHMENT_FIELDS)
    full_clean(punishment, punishment_errors(punishment))
    punishment.save()
    record_change(actor, AuditAction.CREATE, punishment, after=snapshot(punishment, PUNISHMENT_AUDIT))
    return punishment


@transaction.atomic
def punishment_update(*, actor: Actor, punishment: Punishment, data: dict[str, Any]) -> Punishment:
    _require_confidential(actor, punishment.cadre)
    before = snapshot(punishment, PUNISHMENT_AUDIT)
    apply_fields(punishment, data, PUNISHMENT_FIELDS)
    full_clean(punishment, punishment_errors(punishment))
    punishment.save()
    record_change(actor, AuditAction.UPDATE, punishment, before=before, after=snapshot(punishment, PUNISHMENT_AUDIT))
    return punishment


@transaction.atomic
def punishment_delete(*, actor: Actor, punishment: Punishment) -> None:
    _require_confidential(actor, punishment.cadre)
    record_change(actor, AuditAction.DELETE, punishment, before=snapshot(punishment, PUNISHMENT_AUDIT))
    for attachment in punishment.attachments.all():
        attachment.file.delete(save=False)
    punishment.delete()


# ---------------------------------------------------------------- attachments


def _owner_field(owner: GrowthEntry | Talk | Punishment) -> str:
    if isinstance(owner, GrowthEntry):
        return "entry"
    if isinstance(owner, Talk):
        return "talk"
    if isinstance(owner, Punishment):
        return "punishment"
    raise TypeError(owner)


def _require_owner_write(actor: Actor, owner: GrowthEntry | Talk | Punishment) -> None:
    if isinstance(owner, GrowthEntry):
        _require_entries(actor, owner.cadre)
    else:
        _require_confidential(actor, owner.cadre)


@transaction.atomic
def attachment_add(*, actor: Actor, owner: GrowthEntry | Talk | Punishment, upload) -> Attachment:
    """Store an upload on a record after checking size (≤ 10 MB) and type by its bytes (pdf/docx/xlsx/jpg/png)."""
    from miaopu.apps.mentoring.files import check_attachment

    _require_owner_write(actor, owner)
    if owner.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError({"file": [_("每条记录最多 %(n)s 个附件。") % {"n": MAX_ATTACHMENTS}]})
    try:
        checked = check_attachment(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    attachment = Attachment(
        cadre=owner.cadre,
        name=checked.name,
        size=checked.size,
        content_type=checked.content_type,
        uploaded_by=actor.user,
        **{_owner_field(owner): owner},
    )
    upload.seek(0)
    attachment.file.save(checked.name, upload, save=False)
    attachment.save()
    record_change(
        actor,
        AuditAction.CREATE,
        attachment,
        after=snapshot(attachment, ["cadre", "entry", "talk", "punishment", "name", "size", "content_type"]),
    )
    return attachment


@transaction.atomic
def attachment_delete(*, actor: Actor, attachment: Attachment) -> None:
    _require_owner_write(actor, attachment.owner)
    record_change(actor, AuditAction.DELETE, attachment, before=snapshot(attachment, ["cadre", "name", "size"]))
    attachment.file.delete(save=False)
    attachment.delete()
