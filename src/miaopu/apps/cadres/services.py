"""Writes to cadres and their experience history: validate, write atomically, audit.

The web forms, the REST API, the importers and the CLI all call these functions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, ProtectedError
from django.utils.translation import gettext as _

from miaopu.apps.core.access import require_cadre_write, require_unit_target
from miaopu.apps.core.audit import Actor, record_change, snapshot
from miaopu.apps.core.choices import AuditAction
from miaopu.apps.core.fields import blind_lookup
from miaopu.apps.core.services import ConflictError, apply_fields, full_clean
from miaopu.domain.dates import add_months
from miaopu.domain.idcard import normalize_id_number, validate_id_number
from miaopu.domain.vocab import PARTY_STATUSES

from .models import Cadre, Experience

CADRE_FIELDS = [
    "code", "name", "gender", "ethnicity", "birth_date", "native_place", "hukou", "id_number",
    "political_status", "party_join_date", "fulltime_education", "fulltime_degree", "fulltime_school",
    "fulltime_major", "inservice_education", "inservice_degree", "inservice_school", "inservice_major",
    "work_start_date", "civil_service_entry_date", "source", "unit", "post", "post_title", "post_category",
    "leadership_level", "leadership_level_since", "rank", "rank_since", "specialties", "status",
]  # fmt: skip
EXPERIENCE_FIELDS = ["start", "end", "unit", "unit_name", "post_title", "kind", "note"]

CODE_PREFIX = "MP"


def cadre_errors(cadre: Cadre, *, today: dt.date | None = None) -> dict[str, list[str]]:
    """Cross-field checks a clerk would make by hand; returned together so the form shows them all."""
    today = today or dt.date.today()
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    birth = cadre.birth_date
    if cadre.id_number:
        cadre.id_number = normalize_id_number(cadre.id_number)
        check = validate_id_number(cadre.id_number)
        if not check.ok:
            add("id_number", check.message)
        else:
            if birth and check.birth_date != birth:
                add(
                    "id_number",
                    _("身份证号中的出生日期 %(id)s 与填写的出生日期 %(birth)s 不一致。")
                    % {"id": check.birth_date.isoformat(), "birth": birth.isoformat()},
                )
            if cadre.gender and check.gender != cadre.gender:
                add("gender", _("性别与身份证号不一致（身份证号第 17 位奇数为男、偶数为女）。"))
    else:
        cadre.id_number = None
    if birth:
        if birth > today:
            add("birth_date", _("出生日期不能晚于今天。"))
        adult = add_months(birth, 12 * 16)
        if cadre.work_start_date and cadre.work_start_date < adult:
            add("work_start_date", _("参加工作时间应在年满 16 周岁之后（%(d)s 以后）。") % {"d": adult.isoformat()})
        if cadre.party_join_date and cadre.party_join_date < add_months(birth, 12 * 18):
            add("party_join_date", _("入党时间应在年满 18 周岁之后。"))
    if cadre.party_join_date and cadre.political_status not in PARTY_STATUSES:
        add("party_join_date", _("政治面貌不是中共党员或预备党员时，不应填写入党时间。"))
    for field in (
        "work_start_date",
        "civil_service_entry_date",
        "party_join_date",
        "leadership_level_since",
        "rank_since",
    ):
        value = getattr(cadre, field)
        if value and value > today:
            add(field, _("日期不能晚于今天。"))
    if (
        cadre.civil_service_entry_date
        and cadre.work_start_date
        and (cadre.civil_service_entry_date < cadre.work_start_date)
    ):
        add("civil_service_entry_date", _("进入公务员队伍时间不能早于参加工作时间。"))
    if cadre.leadership_level_since and not cadre.leadership_level:
        add("leadership_level", _("填写了任现职务层次时间，请同时选择职务层次。"))
    if cadre.rank_since and not cadre.rank:
        add("rank", _("填写了任现职级时间，请同时选择职级。"))
    if cadre.post_id and cadre.unit_id and cadre.post.unit_id != cadre.unit_id:
        add("post", _("所选岗位不属于现工作单位。"))
    return errors


def id_number_taken_errors(cadre: Cadre) -> dict[str, list[str]]:
    """Uniqueness of the ID number, through its blind index (the encrypted column cannot be compared in SQL).

    Kept apart from :func:`cadre_errors` because it queries the database; the roster importer checks the
    same thing for a whole file at once against the indexes it has loaded.
    """
    if not cadre.id_number:
        return {}
    taken = Cadre.objects.filter(blind_lookup("id_number_index", cadre.id_number))
    if cadre.pk is not None:
        taken = taken.exclude(pk=cadre.pk)
    return {"id_number": [_("该身份证号已属于系统中另一名干部，请核对。")]} if taken.exists() else {}


def _all_cadre_errors(cadre: Cadre) -> dict[str, list[str]]:
    errors = cadre_errors(cadre)
    for field, messages in id_number_taken_errors(cadre).items():
        errors.setdefault(field, []).extend(messages)
    return errors


def _next_code() -> str:
    last = (
        Cadre.objects.filter(code__startswith=CODE_PREFIX, code__regex=r"^MP[0-9]{8}$")
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    number = int(last[len(CODE_PREFIX) :]) + 1 if last else 1
    return f"{CODE_PREFIX}{number:08d}"


@transaction.atomic
def cadre_create(*, actor: Actor, data: dict[str, Any]) -> Cadre:
    unit = data.get("unit")
    if unit is None:
        raise ValidationError({"unit": [_("请选择现工作单位。")]})
    require_unit_target(actor.user, unit)
    cadre = Cadre()
    apply_fields(cadre, data, CADRE_FIELDS)
    if not cadre.code:
        cadre.code = _next_code()
    full_clean(cadre, _all_cadre_errors(cadre), exclude=["id_number_index"])
    require_cadre_write(actor.user, cadre)
    cadre.save()
    record_change(actor, AuditAction.CREATE, cadre, after=snapshot(cadre))
    return cadre


@transaction.atomic
def cadre_update(*, actor: Actor, cadre: Cadre, data: dict[str, Any], expected_version: int | None = None) -> Cadre:
    """Update a cadre; ``expected_version`` (from the form or the API) turns a lost update into a conflict."""
    require_cadre_write(actor.user, cadre)
    if "unit" in data and data["unit"] is not None and data["unit"].pk != cadre.unit_id:
        require_unit_target(actor.user, data["unit"])
    before = snapshot(cadre)
    apply_fields(cadre, data, CADRE_FIELDS)
    if not cadre.code:
        raise ValidationError({"code": [_("人员编号不能为空。")]})
    full_clean(cadre, _all_cadre_errors(cadre), exclude=["id_number_index"])
    version = cadre.version if expected_version is None else expected_version
    updated = Cadre.objects.filter(pk=cadre.pk, version=version).update(version=F("version") + 1)
    if not updated:
        raise ConflictError(_("该干部信息已被他人修改。请刷新页面，查看最新内容后再保存。"), code="conflict")
    cadre.version = version + 1
    cadre.save()
    record_change(actor, AuditAction.UPDATE, cadre, before=before, after=snapshot(cadre))
    return cadre


@transaction.atomic
def cadre_delete(*, actor: Actor, cadre: Cadre) -> None:
    """Delete a record entered in error. People who leave are marked 调出/退休 instead."""
    require_cadre_write(actor.user, cadre)
    record_change(
        actor,
        AuditAction.DELETE,
        cadre,
        before=snapshot(cadre),
        detail={"experiences": cadre.experiences.count()},
    )
    try:
        cadre.delete()
    except ProtectedError as exc:
        raise ValidationError(
            _("该干部已有培养、考核或成长档案等记录，不能删除。如已离开本单位，请把状态改为“调出”或“退休”。")
        ) from exc


def experience_errors(entry: Experience) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not entry.unit_id and not entry.unit_name.strip():
        errors["unit"] = [_("请选择单位，或填写系统外单位名称。")]
    birth = entry.cadre.birth_date if entry.cadre_id else None
    if birth and entry.start and entry.start < add_months(birth, 12 * 14):
        errors["start"] = [_("起始时间早于该干部年满 14 周岁，请核对。")]
    if entry.start and entry.start > dt.date.today() + dt.timedelta(days=366):
        errors.setdefault("start", []).append(_("起始时间不能晚于一年以后。"))
    if entry.end and entry.start and entry.end < entry.start:
        errors["end"] = [_("终止时间不能早于起始时间。")]
    return errors


def _touch(cadre: Cadre) -> None:
    """Experience changes are changes to the cadre: bump its version so concurrent editors notice."""
    Cadre.objects.filter(pk=cadre.pk).update(version=F("version") + 1)


@transaction.atomic
def experience_create(*, actor: Actor, cadre: Cadre, data: dict[str, Any]) -> Experience:
    require_cadre_write(actor.user, cadre)
    entry = Experience(cadre=cadre)
    apply_fields(entry, data, EXPERIENCE_FIELDS)
    full_clean(entry, experience_errors(entry))
    entry.save()
    _touch(cadre)
    record_change(actor, AuditAction.CREATE, entry, after=snapshot(entry))
    return entry


@transaction.atomic
def experience_update(*, actor: Actor, entry: Experience, data: dict[str, Any]) -> Experience:
    require_cadre_write(actor.user, entry.cadre)
    before = snapshot(entry)
    apply_fields(entry, data, EXPERIENCE_FIELDS)
    full_clean(entry, experience_errors(entry))
    entry.save()
    _touch(entry.cadre)
    record_change(actor, AuditAction.UPDATE, entry, before=before, after=snapshot(entry))
    return entry


@transaction.atomic
def experience_delete(*, actor: Actor, entry: Experience) -> None:
    require_cadre_write(actor.user, entry.cadre)
    record_change(actor, AuditAction.DELETE, entry, before=snapshot(entry))
    _touch(entry.cadre)
    entry.delete()
