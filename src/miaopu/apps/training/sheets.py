"""A class's scores as a sheet: download it with the trainees filled in, type the scores, upload it back.

Columns are found by their headings, in any order: 人员编号 is required; 姓名 (checked against the number) and the
three scored parts (课程作业, 结业考核, 学员互评) are optional; other columns (单位 …) are ignored. A blank cell leaves
the score as it is (clear a score on the score table instead). Every line is checked before anything is
written; the values go through :func:`services.scores_record`, the same check as the score table.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from miaopu.apps.exchange.tables import SheetError, cell, cell_text, read_table
from miaopu.apps.exchange.xlsx import Sheet, write_workbook
from miaopu.domain.training import COMPONENT_LABELS

from .models import Enrolment, EnrolmentStatus, TrainingClass
from .services import SCORE_FIELDS

HEADINGS: dict[str, tuple[str, ...]] = {
    "code": ("人员编号", "编号"),
    "name": ("姓名",),
    **{f: (COMPONENT_LABELS[f], f"{COMPONENT_LABELS[f]}成绩", f"{COMPONENT_LABELS[f]}（分）") for f in SCORE_FIELDS},
}


def template_bytes(klass: TrainingClass, enrolments: list[Enrolment]) -> bytes:
    """The sheet to fill in: one line per trainee still in the class, with the scores already entered."""
    rows: list[list[Any]] = [["人员编号", "姓名", "单位", *(COMPONENT_LABELS[f] for f in SCORE_FIELDS)]]
    for e in enrolments:
        if e.status == EnrolmentStatus.WITHDRAWN:
            continue
        scores = [float(v) if (v := getattr(e, f)) is not None else None for f in SCORE_FIELDS]
        rows.append([e.cadre.code, e.cadre.name, e.cadre.unit.name, *scores])
    buffer = io.BytesIO()
    write_workbook(buffer, [Sheet(name=_("成绩"), rows=rows, widths=[14, 10, 28, 10, 10, 10])], title=klass.name)
    return buffer.getvalue()


def read_scores(*, data: bytes, name: str, klass: TrainingClass) -> tuple[dict[int, dict[str, Any]], list[str]]:
    """(enrolment id → {score field: value as typed}, problems) for the lines of the sheet, for ``scores_record``
    (which checks the values and reports these problems with its own).

    Problems, each with its row: a number that is not a trainee of this class (or has withdrawn), a name that does
    not match its number, the same trainee twice. A file that cannot be read raises ``ValidationError``."""
    try:
        columns, lines = read_table(data=data, name=name, headings=HEADINGS, required=("code",), what=_("成绩表"))
    except SheetError as exc:
        raise ValidationError([_row_message(row, text) for row, text in exc.messages]) from exc
    enrolments = {e.cadre.code: e for e in Enrolment.objects.filter(klass=klass).select_related("cadre")}
    problems: list[str] = []
    rows: dict[int, dict[str, Any]] = {}
    seen: dict[int, int] = {}
    for number, line in lines:
        code = cell_text(cell(line, columns, "code"))
        typed_name = cell_text(cell(line, columns, "name"))
        enrolment = enrolments.get(code)
        if not code:
            problems.append(_row_message(number, _("没有填人员编号。")))
        elif enrolment is None:
            problems.append(_row_message(number, _("人员编号“%(c)s”不是本班学员。") % {"c": code}))
        elif enrolment.status == EnrolmentStatus.WITHDRAWN:
            problems.append(_row_message(number, _("%(n)s 已退班，不能录入成绩。") % {"n": enrolment.cadre.name}))
        elif typed_name and typed_name != enrolment.cadre.name:
            known = enrolment.cadre.name
            mismatch = _("姓名“%(a)s”与人员编号 %(c)s（%(b)s）不符。") % {"a": typed_name, "c": code, "b": known}
            problems.append(_row_message(number, mismatch))
        elif enrolment.pk in seen:
            problems.append(_row_message(number, _("与第 %(n)s 行是同一名学员。") % {"n": seen[enrolment.pk]}))
        else:
            seen[enrolment.pk] = number
            values = {f: cell(line, columns, f) for f in SCORE_FIELDS if f in columns}
            rows[enrolment.pk] = {f: v for f, v in values.items() if cell_text(v) != ""}
    if not lines:
        problems.append(_("表中没有学员行。"))
    return rows, problems


def _row_message(row: int | None, text: str) -> str:
    return _("第 %(n)s 行：%(t)s") % {"n": row, "t": text} if row is not None else text
