"""Every write of field work, and the practice-base check the programmes app calls when it places cadres.

Each function is keyword-only, takes an ``Actor``, checks role and scope, validates everything (one
``ValidationError`` carrying every problem, in Chinese), writes inside ``transaction.atomic`` and leaves a
change record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from miaopu.apps.cadres.models import Cadre
from miaopu.apps.core.access import unit_in_scope
from miaopu.apps.core.audit import Actor, record_change, snapshot
from miaopu.apps.core.choices import AuditAction
from miaopu.apps.units.models import Unit
from miaopu.domain.fieldwork import (
    CRITERIA,
    FINAL_STATUSES,
    LEDGER_STATUSES,
    SATISFACTION,
    CriterionInput,
    capacity_problem,
    certification_gap,
    certification_problems,
    certification_verdict,
    criterion_passes,
    ledger_transition_problems,
    peak_occupancy,
)
from miaopu.domain.vocab import UnitLevel

from . import selectors
from .models import (
    CareContact,
    CareKind,
    Certification,
    CriterionScore,
    LedgerCategory,
    LedgerItem,
    LedgerTaker,
    PracticeBase,
)

BASE_FIELDS = ["capacity", "host_families", "theme", "contact", "note", "is_active"]
LEDGER_FIELDS = [
    "village",
    "household",
    "category",
    "description",
    "raised_on",
    "status",
    "status_reason",
    "closed_on",
    "outcome",
    "satisfaction",
    "batch",
]
BASE_AUDIT = ["unit", *BASE_FIELDS]
LEDGER_AUDIT = [*LEDGER_FIELDS, "created_by"]
CARE_FIELDS = ["cadre", "date", "kind", "contact_by", "summary", "help_given", "follow_up_on", "follow_up"]


def _text(value: Any) -> str:
    return str(value or "").strip()


def _require_manage(actor: Actor) -> None:
    selectors.require_manage(actor.user)


def _require_unit(actor: Actor, unit: Unit) -> None:
    if not unit_in_scope(actor.user, unit):
        raise PermissionDenied(_("“%(u)s”不在您的管理范围内。") % {"u": unit.name})


def _require_cadre(actor: Actor, cadre: Cadre) -> None:
    if not selectors.can_manage(actor.user) or not unit_in_scope(actor.user, cadre.unit):
        raise PermissionDenied(_("干部“%(n)s”不在您的管理范围内。") % {"n": cadre.name})


# ---------------------------------------------------------------- practice bases


def _base_errors(data: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    capacity = data.get("capacity")
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
        errors["capacity"] = [_("可接待人数应为不小于 1 的整数。")]
    families = data.get("host_families", 0)
    if isinstance(families, bool) or not isinstance(families, int) or families < 0:
        errors["host_families"] = [_("接待农户数应为非负整数。")]
    return errors


@transaction.atomic
def base_create(*, actor: Actor, unit: Unit, data: Mapping[str, Any]) -> PracticeBase:
    """Register a village as a practice base (not yet certified: that is :func:`certification_record`)."""
    _require_manage(actor)
    _require_unit(actor, unit)
    unknown = sorted(set(data) - set(BASE_FIELDS))
    if unknown:
        raise ValidationError(_("不能填写这些字段：%(f)s") % {"f": "、".join(unknown)})
    errors = _base_errors({"host_families": 0, **data})
    if unit.level != UnitLevel.VILLAGE:
        errors.setdefault("unit", []).append(
            _("实践基地应是村（社区），“%(u)s”是%(l)s。") % {"u": unit.name, "l": unit.get_level_display()}
        )
    if PracticeBase.objects.filter(unit=unit).exists():
        errors.setdefault("unit", []).append(_("“%(u)s”已是实践基地。") % {"u": unit.name})
    if errors:
        raise ValidationError(errors)
    base = PracticeBase(unit=unit, **{k: (_text(v) if isinstance(v, str) else v) for k, v in data.items()})
    base.full_clean()
    base.save()
    record_change(actor, AuditAction.CREATE, base, after=snapshot(base, BASE_AUDIT))
    return base


@transaction.atomic
def base_update(*, actor: Actor, base: PracticeBase, data: Mapping[str, Any]) -> PracticeBase:
    _require_manage(actor)
    _require_unit(actor, base.unit)
    unknown = sorted(set(data) - set(BASE_FIELDS))
    if unknown:
        raise ValidationError(_("不能修改这些字段：%(f)s") % {"f": "、".join(unknown)})
    errors = _base_errors({"capacity": base.capacity, "host_families": base.host_families, **data})
    if errors:
        raise ValidationError(errors)
    before = snapshot(base, BASE_AUDIT)
    for key, value in data.items():
        setattr(base, key, _text(value) if isinstance(value, str) else value)
    base.full_clean()
    base.save()
    record_change(actor, AuditAction.UPDATE, base, before=before, after=snapshot(base, BASE_AUDIT))
    return base


@transaction.atomic
def certification_record(
    *,
    actor: Actor,
    base: PracticeBase,
    assessed_on: dt.date,
    valid_from: dt.date,
    valid_until: dt.date,
    scores: Mapping[str, Mapping[str, Any]],
    assessors: str = "",
    note: str = "",
) -> Certification:
    """A "六个好" assessment: ``scores`` maps each criterion code to ``{score, evidence, attachment?}``.

    Certified exactly when all six criteria are scored ≥ 60 with written evidence (``domain.fieldwork``); a
    failing assessment is recorded too (it withdraws an earlier pass from its date on).
    """
    from miaopu.apps.mentoring.files import check_attachment

    _require_manage(actor)
    _require_unit(actor, base.unit)
    inputs = {
        code: CriterionInput(item.get("score"), _text(item.get("evidence")))
        for code, item in scores.items()
        if isinstance(item, Mapping)
    }
    errors: dict[str, list[str]] = {}
    for code, problems in certification_problems(inputs).items():
        errors.setdefault(code if code in CRITERIA else "scores", []).extend(problems)
    for name, value in (("assessed_on", assessed_on), ("valid_from", valid_from), ("valid_until", valid_until)):
        if value is None:
            errors.setdefault(name, []).append(_("请填写日期。"))
    if valid_from and valid_until and valid_until < valid_from:
        errors.setdefault("valid_until", []).append(_("有效期截止日期不能早于起始日期。"))
    if assessed_on and valid_from and valid_from < assessed_on:
        errors.setdefault("valid_from", []).append(_("有效期不能早于评定日期 %(d)s。") % {"d": assessed_on})
    checked = {}
    for code, item in scores.items():
        upload = item.get("attachment") if isinstance(item, Mapping) else None
        if upload:
            try:
                checked[code] = (check_attachment(upload), upload)
            except ValidationError as exc:
                errors.setdefault(code, []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    certified, failing = certification_verdict(inputs)
    cert = Certification.objects.create(
        base=base,
        assessed_on=assessed_on,
        valid_from=valid_from,
        valid_until=valid_until,
        certified=certified,
        assessors=_text(assessors),
        note=_text(note),
        recorded_by=actor.user,
    )
    for code in CRITERIA:
        item = inputs[code]
        row = CriterionScore(
            certification=cert,
            criterion=code,
            score=item.score,
            passed=criterion_passes(item.score),
            evidence=item.evidence,
        )
        if code in checked:
            info, upload = checked[code]
            upload.seek(0)
            row.attachment.save(info.name, upload, save=False)
            row.attachment_name, row.attachment_type, row.attachment_size = info.name, info.content_type, info.size
        row.save()
    record_change(
        actor,
        AuditAction.CREATE,
        cert,
        after=snapshot(cert),
        detail={"base": base.unit.name, "scores": {c: inputs[c].score for c in CRITERIA}, "failing": failing},
    )
    return cert


def practice_base_problems(
    unit: Unit,
    *,
    start: dt.date,
    end: dt.date,
    adding: int = 1,
    exclude_batch_id: int | None = None,
    pending: int = 0,
    check_capacity: bool = True,
) -> list[str]:
    """Why ``adding`` practice cadres cannot go to ``unit`` for ``start``–``end`` (empty when they can).

    Called by the programmes app for practice batches (``template.kind == "practice"``): the host must be a
    registered, active practice base, certified ("六个好") for the whole period, with room for the newcomers
    on every day of it (counting practice placements already there, and ``pending`` cadres assigned but not
    yet placed).
    """
    from miaopu.domain.fieldwork import CertificationRecord

    base = PracticeBase.objects.filter(unit=unit).first()
    if base is None or not base.is_active:
        return [_("“%(u)s”不是实践基地：四下基层实践锻炼只能安排在经“六个好”认定的实践基地。") % {"u": unit.name}]
    problems = []
    records = [
        CertificationRecord(a, f, t, ok, pk)
        for a, f, t, ok, pk in base.certifications.values_list(
            "assessed_on", "valid_from", "valid_until", "certified", "pk"
        )
    ]
    gap = certification_gap(records, start, end)
    if gap:
        problems.append(_("实践基地“%(u)s”%(why)s，不能安排实践锻炼。") % {"u": unit.name, "why": gap})
    if not check_capacity:
        return problems
    periods = selectors.practice_periods([unit.pk], exclude_batch_id=exclude_batch_id).get(unit.pk, [])
    occupied = peak_occupancy(periods, start, end) + pending
    full = capacity_problem(base.capacity, occupied, adding)
    if full:
        problems.append(_("实践基地“%(u)s”%(why)s。") % {"u": unit.name, "why": full})
    return problems


# ---------------------------------------------------------------- ledger


def _ledger_errors(item: LedgerItem, old_status: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if item.village_id is None:
        errors["village"] = [_("请选择村（社区）。")]
    elif item.village.level not in (UnitLevel.VILLAGE, UnitLevel.TOWN):
        errors["village"] = [_("办实事台账应记在村（社区）或镇街，“%(u)s”不是。") % {"u": item.village.name}]
    if item.category not in LedgerCategory.values:
        errors["category"] = [_("请选择问题类别。")]
    if not _text(item.description):
        errors["description"] = [_("请填写问题描述。")]
    if item.raised_on is None:
        errors["raised_on"] = [_("请填写提出日期。")]
    for key, problems in ledger_transition_problems(
        old_status,
        item.status,
        reason=item.status_reason,
        outcome=item.outcome,
        closed_on=item.closed_on,
        raised_on=item.raised_on,
    ).items():
        errors.setdefault(key, []).extend(problems)
    if item.status not in FINAL_STATUSES:
        if item.closed_on is not None:
            errors.setdefault("closed_on", []).append(_("未办结的事项不填办结日期。"))
        if item.satisfaction:
            errors.setdefault("satisfaction", []).append(_("办结后才评价群众满意度。"))
    if item.satisfaction and item.satisfaction not in SATISFACTION:
        errors.setdefault("satisfaction", []).append(_("满意度应为：%(s)s") % {"s": "、".join(SATISFACTION.values())})
    return errors


def _takers(actor: Actor, cadres: Iterable[Cadre], raised_on: dt.date | None) -> list[Cadre]:
    people = list(dict.fromkeys(cadres))
    if not people:
        raise ValidationError({"cadres": [_("请选择领办干部（至少一人）。")]})
    for cadre in people:
        _require_cadre(actor, cadre)
    return people


@transaction.atomic
def ledger_create(
    *, actor: Actor, data: Mapping[str, Any], cadres: Iterable[Cadre], taken_on: dt.date | None = None
) -> LedgerItem:
    """A problem raised in a village, taken on by ``cadres`` (the first one leads) from ``taken_on``."""
    _require_manage(actor)
    unknown = sorted(set(data) - set(LEDGER_FIELDS))
    if unknown:
        raise ValidationError(_("不能填写这些字段：%(f)s") % {"f": "、".join(unknown)})
    item = LedgerItem(created_by=actor.user, **{k: (_text(v) if isinstance(v, str) else v) for k, v in data.items()})
    people = _takers(actor, cadres, item.raised_on)
    errors = _ledger_errors(item, "accepted")
    taken_on = taken_on or item.raised_on
    if taken_on and item.raised_on and taken_on < item.raised_on:
        errors.setdefault("taken_on", []).append(_("领办日期不能早于提出日期。"))
    if item.village_id:
        _require_unit(actor, item.village)
    if errors:
        raise ValidationError(errors)
    item.save()
    for i, cadre in enumerate(people):
        LedgerTaker.objects.create(item=item, cadre=cadre, taken_on=taken_on, is_lead=i == 0)
    record_change(
        actor, AuditAction.CREATE, item, after=snapshot(item, LEDGER_AUDIT), detail={"cadres": [c.name for c in people]}
    )
    return item


@transaction.atomic
def ledger_update(*, actor: Actor, item: LedgerItem, data: Mapping[str, Any]) -> LedgerItem:
    """Progress (受理 → 办理中 → 已办结 / 无法办理 with a reason), dates, outcome and satisfaction."""
    _require_manage(actor)
    item = LedgerItem.objects.select_for_update().get(pk=item.pk)
    if not any(unit_in_scope(actor.user, t.cadre.unit) for t in item.takers.select_related("cadre__unit")):
        raise PermissionDenied(_("该事项的领办干部不在您的管理范围内。"))
    unknown = sorted(set(data) - set(LEDGER_FIELDS))
    if unknown:
        raise ValidationError(_("不能修改这些字段：%(f)s") % {"f": "、".join(unknown)})
    old = item.status
    before = snapshot(item, LEDGER_AUDIT)
    for key, value in data.items():
        setattr(item, key, _text(value) if isinstance(value, str) else value)
    errors = _ledger_errors(item, old)
    if errors:
        raise ValidationError(errors)
    item.save()
    record_change(actor, AuditAction.UPDATE, item, before=before, after=snapshot(item, LEDGER_AUDIT))
    return item


@transaction.atomic
def ledger_add_taker(*, actor: Actor, item: LedgerItem, cadre: Cadre, taken_on: dt.date) -> LedgerTaker:
    _require_cadre(actor, cadre)
    errors: dict[str, list[str]] = {}
    if item.is_closed:
        errors["cadre"] = [_("该事项已是“%(s)s”，不能再增加领办干部。") % {"s": item.get_status_display()}]
    elif item.takers.filter(cadre=cadre).exists():
        errors["cadre"] = [_("%(n)s 已领办此事项。") % {"n": cadre.name}]
    if taken_on is None or taken_on < item.raised_on:
        errors["taken_on"] = [_("领办日期不能早于提出日期 %(d)s。") % {"d": item.raised_on}]
    if errors:
        raise ValidationError(errors)
    taker = LedgerTaker.objects.create(item=item, cadre=cadre, taken_on=taken_on, is_lead=not item.takers.exists())
    record_change(actor, AuditAction.CREATE, taker, after=snapshot(taker))
    return taker


# ---------------------------------------------------------------- care


@transaction.atomic
def care_create(*, actor: Actor, cadre: Cadre, data: Mapping[str, Any], counselling_note: str = "") -> CareContact:
    """A care contact. Counselling (心理疏导) is recorded by 组织部 only and its note is stored encrypted."""
    _require_cadre(actor, cadre)
    unknown = sorted(set(data) - set(CARE_FIELDS) - {"cadre"})
    if unknown:
        raise ValidationError(_("不能填写这些字段：%(f)s") % {"f": "、".join(unknown)})
    contact = CareContact(
        cadre=cadre,
        recorded_by=actor.user,
        **{k: (_text(v) if isinstance(v, str) else v) for k, v in data.items() if k != "cadre"},
    )
    errors: dict[str, list[str]] = {}
    if contact.kind not in CareKind.values:
        errors["kind"] = [_("请选择联系方式。")]
    if contact.date is None:
        errors["date"] = [_("请填写日期。")]
    elif contact.date > dt.date.today():
        errors["date"] = [_("联系日期不能晚于今天。")]
    if not contact.contact_by:
        errors["contact_by"] = [_("请填写联系人。")]
    if contact.follow_up_on and contact.date and contact.follow_up_on < contact.date:
        errors["follow_up_on"] = [_("跟进日期不能早于联系日期。")]
    note = _text(counselling_note)
    if contact.kind == CareKind.COUNSELLING:
        if not selectors.may_see_counselling(actor.user):
            raise PermissionDenied(_("心理疏导记录仅限组织部干部科录入和查看。"))
        if not note:
            errors["counselling_note"] = [_("请填写心理疏导记录。")]
    elif note:
        errors["counselling_note"] = [_("只有“心理疏导”才填写心理疏导记录。")]
    if contact.kind == CareKind.HELP and not contact.help_given:
        errors["help_given"] = [_("帮扶解难须写明帮扶措施。")]
    if not contact.summary and contact.kind != CareKind.COUNSELLING:
        errors.setdefault("summary", []).append(_("请填写了解到的情况。"))
    if errors:
        raise ValidationError(errors)
    contact.counselling_note = note
    contact.save()
    after = snapshot(contact, CARE_FIELDS + ["recorded_by"])
    if contact.kind == CareKind.COUNSELLING:  # the note itself never goes into the audit trail
        after["counselling_note"] = "***"
    record_change(actor, AuditAction.CREATE, contact, after=after)
    return contact


LEDGER_STATUS_LABELS = LEDGER_STATUSES
