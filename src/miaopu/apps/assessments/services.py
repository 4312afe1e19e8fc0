"""Every write of assessments and reviews: validate, write atomically, audit.

Bulk entry (the unit grid) and sheet import go through :func:`assessment_bulk_save`, which checks every row
before writing any: one bad row and nothing is written, and the error lists every problem with its row, its
column, the value found and what to do (:class:`BulkError`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from miaopu.apps.cadres.models import Cadre
from miaopu.apps.core.access import can_write_personnel, unit_in_scope
from miaopu.apps.core.audit import Actor, record_change, snapshot
from miaopu.apps.core.choices import AuditAction
from miaopu.apps.core.services import apply_fields, full_clean
from miaopu.domain.promotion import Grade

from .choices import DIMENSIONS, SCORE_FIELDS, CycleKind, EntrySource
from .models import Assessment, AssessmentCycle, Review
from .selectors import can_manage_cycles, can_review

CYCLE_FIELDS = ["kind", "year", "quarter", "name", "scope_unit", "start", "end", "note"]
REVIEW_FIELDS = ["date", "fitness", "ability", "strengths", "weaknesses", "advice"]
RESULT_AUDIT_FIELDS = ["cycle", "cadre", "kind", "year", "grade", *SCORE_FIELDS, "comment", "assessed_on", "source"]


# ---------------------------------------------------------------- errors that name row, column, value and fix


@dataclass(frozen=True)
class Problem:
    row: int | None  # the sheet's row number (1-based, as Excel shows it) or the grid's line number
    column: str  # the column heading (等次, 德 …) or "" for the whole row
    value: str
    message: str  # what is wrong and what to do
    letter: str = ""  # the sheet's column letter (D), when the row came from a sheet

    def __str__(self) -> str:
        where = _("第 %(n)s 行") % {"n": self.row} if self.row is not None else ""
        if self.letter:
            where += _(" %(l)s 列") % {"l": self.letter}
        if self.column:
            where += _("「%(c)s」") % {"c": self.column}
        value = _("（填写的是“%(v)s”）") % {"v": self.value} if self.value != "" else ""
        return f"{where}{value}：{self.message}"


class BulkError(ValidationError):
    """Nothing was written; ``problems`` says what to fix, row by row."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__([str(p) for p in problems])


@dataclass
class ResultRow:
    """One line of a grid or a sheet, as typed (the service parses and checks it)."""

    row: int
    cadre: Cadre | None
    grade: str = ""
    scores: dict[str, Any] = field(default_factory=dict)  # score field → raw value
    comment: str = ""
    #: What identified the cadre on the sheet (人员编号), for messages when ``cadre`` is None.
    code: str = ""
    name: str = ""
    #: field → the sheet's column letter, so messages can say "D 列".
    letters: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------- checks


def _require_writer(actor: Actor, cadre: Cadre) -> None:
    if not (can_write_personnel(actor.user) and unit_in_scope(actor.user, cadre.unit)):
        raise PermissionDenied(_("干部“%(name)s”不在您的管理范围内。") % {"name": cadre.name})


def _in_cycle(cycle: AssessmentCycle, cadre: Cadre) -> bool:
    return (cadre.unit.path or "").startswith(cycle.scope_unit.path)


def parse_grade(value: object) -> str | None:
    """A grade code from a label (优秀), an alias (合格) or a code; None when unknown."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return Grade.from_label(text).value
    except KeyError:
        return None


GRADE_HINT = "、".join(g.label for g in Grade)


def parse_score(value: object) -> Decimal | None:
    """A score 0–100 with at most one decimal; None for blank; ValueError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError from exc
    if not number.is_finite() or number < 0 or number > 100:
        raise ValueError
    quantized = number.quantize(Decimal("0.1"))
    if quantized != number:
        raise ValueError
    return quantized


def _check_row(
    cycle: AssessmentCycle, row: ResultRow, actor: Actor, annual_elsewhere: dict[int, str]
) -> tuple[list[Problem], dict[str, Any]]:
    problems: list[Problem] = []

    def add(field_name: str, heading: str, value: object, message: str) -> None:
        text = "" if value is None else str(value)
        problems.append(Problem(row.row, heading, text, message, row.letters.get(field_name, "")))

    cadre = row.cadre
    unknown = _("找不到该人员编号，或该干部不在您的管理范围内。请核对编号。")
    if cadre is None:
        add("code", _("人员编号"), row.code, unknown if row.code else _("请填写人员编号。"))
        return problems, {}
    if not (can_write_personnel(actor.user) and unit_in_scope(actor.user, cadre.unit)):
        add("code", _("人员编号"), row.code or cadre.code, unknown)
        return problems, {}
    if row.name and row.name.strip() != cadre.name:
        add(
            "name",
            _("姓名"),
            row.name,
            _("与人员编号 %(c)s 的姓名“%(n)s”不一致，请核对。") % {"c": cadre.code, "n": cadre.name},
        )
    if not _in_cycle(cycle, cadre):
        add(
            "code",
            _("人员编号"),
            cadre.code,
            _("%(n)s 不在本次考核范围（%(s)s）内。") % {"n": cadre.name, "s": cycle.scope_unit.name},
        )
    grade = parse_grade(row.grade)
    if grade is None:
        add("grade", _("等次"), row.grade or "", _("请填写等次：%(g)s。") % {"g": GRADE_HINT})
    if cycle.kind == CycleKind.ANNUAL and cadre.pk in annual_elsewhere:
        add(
            "grade",
            _("等次"),
            row.grade or "",
            _("%(n)s %(y)s 年已有年度考核等次（见“%(c)s”），每人每年只有一个年度考核等次。如需更正，请在原考核中修改。")
            % {"n": cadre.name, "y": cycle.year, "c": annual_elsewhere[cadre.pk]},
        )
    values: dict[str, Any] = {"grade": grade, "comment": (row.comment or "").strip()}
    labels = dict(DIMENSIONS)
    for name in SCORE_FIELDS:
        raw = row.scores.get(name)
        try:
            values[name] = parse_score(raw)
        except ValueError:
            add(name, str(labels[name]), raw, _("分数应为 0—100 之间的数，最多一位小数。"))
    return problems, values


def _annual_elsewhere(cycle: AssessmentCycle, cadre_ids: list[int]) -> dict[int, str]:
    if cycle.kind != CycleKind.ANNUAL or not cadre_ids:
        return {}
    rows = (
        Assessment.objects.filter(kind=CycleKind.ANNUAL, year=cycle.year, cadre_id__in=cadre_ids)
        .exclude(cycle=cycle)
        .values_list("cadre_id", "cycle__name")
    )
    return dict(rows)


# ---------------------------------------------------------------- cycles


@transaction.atomic
def cycle_create(*, actor: Actor, data: dict[str, Any]) -> AssessmentCycle:
    if not can_manage_cycles(actor.user):
        raise PermissionDenied(_("只有组织部干部科可以发起考核。"))
    unit = data.get("scope_unit")
    if unit is None:
        raise ValidationError({"scope_unit": [_("请选择考核范围。")]})
    if not unit_in_scope(actor.user, unit):
        raise PermissionDenied(_("单位“%(unit)s”不在您的管理范围内。") % {"unit": unit.name})
    cycle = AssessmentCycle(created_by=actor.user)
    apply_fields(cycle, data, CYCLE_FIELDS)
    if cycle.kind != CycleKind.REGULAR:
        cycle.quarter = None
    if not (cycle.name or "").strip() and cycle.kind and cycle.year:
        label = CycleKind(cycle.kind).label
        when = f"{cycle.year} 年第 {cycle.quarter} 季度" if cycle.quarter else f"{cycle.year} 年"
        cycle.name = f"{when}{label}（{unit.name}）"
    errors: dict[str, list[str]] = {}
    if cycle.kind == CycleKind.REGULAR and not cycle.quarter:
        errors["quarter"] = [_("平时考核须填写季度（1—4）。")]
    if cycle.year and not 1990 <= cycle.year <= dt.date.today().year + 1:
        errors["year"] = [_("年度应在 1990 年到明年之间。")]
    full_clean(cycle, errors)
    cycle.save()
    record_change(actor, AuditAction.CREATE, cycle, after=snapshot(cycle))
    return cycle


# ---------------------------------------------------------------- results


def _write(
    actor: Actor,
    cycle: AssessmentCycle,
    cadre: Cadre,
    values: dict[str, Any],
    source: str,
    existing: Assessment | None,
    on: dt.date,
) -> Assessment:
    if existing is None:
        result = Assessment(
            cycle=cycle,
            cadre=cadre,
            kind=cycle.kind,
            year=cycle.year,
            assessed_on=on,
            recorded_by=actor.user,
            source=source,
            **values,
        )
        result.save()
        record_change(actor, AuditAction.CREATE, result, after=snapshot(result, RESULT_AUDIT_FIELDS))
        return result
    before = snapshot(existing, RESULT_AUDIT_FIELDS)
    for name, value in values.items():
        setattr(existing, name, value)
    if snapshot(existing, RESULT_AUDIT_FIELDS) == before:
        return existing
    existing.source = source
    existing.recorded_by = actor.user
    existing.save()
    record_change(actor, AuditAction.UPDATE, existing, before=before, after=snapshot(existing, RESULT_AUDIT_FIELDS))
    return existing


@transaction.atomic
def assessment_save(
    *,
    actor: Actor,
    cycle: AssessmentCycle,
    cadre: Cadre,
    data: dict[str, Any],
    source: str = EntrySource.FORM,
    on: dt.date | None = None,
) -> Assessment:
    """Record (or correct) one cadre's result in ``cycle``."""
    _require_writer(actor, cadre)
    row = ResultRow(
        row=1,
        cadre=cadre,
        grade=data.get("grade", ""),
        comment=data.get("comment", ""),
        scores={f: data.get(f) for f in SCORE_FIELDS},
    )
    problems, values = _check_row(cycle, row, actor, _annual_elsewhere(cycle, [cadre.pk]))
    if problems:
        fields = {"等次": "grade", **{str(label): name for name, label in DIMENSIONS}}
        errors: dict[str, list[str]] = {}
        for p in problems:
            errors.setdefault(fields.get(p.column, "__all__"), []).append(p.message)
        raise ValidationError(errors)
    existing = Assessment.objects.filter(cycle=cycle, cadre=cadre).first()
    return _write(actor, cycle, cadre, values, source, existing, on or dt.date.today())


@transaction.atomic
def assessment_bulk_save(
    *,
    actor: Actor,
    cycle: AssessmentCycle,
    rows: list[ResultRow],
    source: str = EntrySource.GRID,
    on: dt.date | None = None,
) -> list[Assessment]:
    """All rows or none: every row is checked first; any problem raises :class:`BulkError` listing them all."""
    if actor.user is None or not can_write_personnel(actor.user):
        raise PermissionDenied(_("您的角色无权录入考核结果。"))
    ids = [r.cadre.pk for r in rows if r.cadre is not None]
    elsewhere = _annual_elsewhere(cycle, ids)
    problems: list[Problem] = []
    checked: list[tuple[ResultRow, dict[str, Any]]] = []
    seen: dict[int, int] = {}
    for row in rows:
        if row.cadre is not None and row.cadre.pk in seen:
            problems.append(
                Problem(
                    row.row,
                    _("人员编号"),
                    row.code or row.cadre.code,
                    _("与第 %(n)s 行是同一名干部，每人只能填一行。") % {"n": seen[row.cadre.pk]},
                    row.letters.get("code", ""),
                )
            )
            continue
        if row.cadre is not None:
            seen[row.cadre.pk] = row.row
        row_problems, values = _check_row(cycle, row, actor, elsewhere)
        problems.extend(row_problems)
        checked.append((row, values))
    if not rows:
        problems.append(Problem(None, "", "", _("没有可保存的考核结果：请至少填写一名干部的等次。")))
    if problems:
        raise BulkError(problems)
    existing = {a.cadre_id: a for a in Assessment.objects.filter(cycle=cycle, cadre_id__in=ids)}
    on = on or dt.date.today()
    return [_write(actor, cycle, row.cadre, values, source, existing.get(row.cadre.pk), on) for row, values in checked]


@transaction.atomic
def assessment_delete(*, actor: Actor, assessment: Assessment) -> None:
    _require_writer(actor, assessment.cadre)
    record_change(actor, AuditAction.DELETE, assessment, before=snapshot(assessment, RESULT_AUDIT_FIELDS))
    assessment.delete()


# ---------------------------------------------------------------- reviews


@transaction.atomic
def review_create(*, actor: Actor, cadre: Cadre, data: dict[str, Any], facts: dict | None = None) -> Review:
    """分析研判 by 组织部干部科; ``facts`` is what the page showed beside the form, kept with the judgement."""
    if not (can_review(actor.user) and unit_in_scope(actor.user, cadre.unit)):
        raise PermissionDenied(_("分析研判仅限管理范围内的组织部干部科。"))
    review = Review(cadre=cadre, recorded_by=actor.user, facts=facts or {})
    apply_fields(review, data, REVIEW_FIELDS)
    errors: dict[str, list[str]] = {}
    if review.date and review.date > dt.date.today():
        errors["date"] = [_("研判日期不能晚于今天。")]
    if not (review.advice or "").strip():
        errors["advice"] = [_("请填写培养使用建议。")]
    full_clean(review, errors)
    review.save()
    record_change(actor, AuditAction.CREATE, review, after=snapshot(review, ["cadre", *REVIEW_FIELDS]))
    return review
