"""Assessment results from a sheet (and the sheet to fill in), checked like every other upload.

The file goes through the exchange app's safety checks (size, magic bytes, zip bomb, macros) before the
reader sees it. Columns are found by their headings, in any order: 人员编号 and 等次 are required; 姓名 (checked
against the number), 德 能 勤 绩 廉 and 评语 are optional; other columns (单位 …) are ignored. Rows are numbered as
Excel shows them, so every error message points at a cell the user can find.
"""

from __future__ import annotations

import io
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from miaopu.apps.cadres.models import Cadre
from miaopu.apps.exchange.tables import SheetError, cell, cell_text, column_letter, read_table
from miaopu.apps.exchange.xlsx import Sheet, write_workbook

from .choices import DIMENSIONS, SCORE_FIELDS
from .models import Assessment, AssessmentCycle
from .services import BulkError, Problem, ResultRow

#: Heading (and accepted variants) → field.
HEADINGS: dict[str, tuple[str, ...]] = {
    "code": ("人员编号", "编号"),
    "name": ("姓名",),
    "grade": ("等次", "考核等次", "考核结果"),
    **{name: (str(label), f"{label}（分）", f"{label}分") for name, label in DIMENSIONS},
    "comment": ("评语", "考核评语", "备注"),
}
REQUIRED = ("code", "grade")
TEMPLATE_HEADER = ["人员编号", "姓名", "单位", "等次", "德", "能", "勤", "绩", "廉", "评语"]


def read_rows(*, data: bytes, name: str, cadres: QuerySet[Cadre]) -> list[ResultRow]:
    """The sheet's lines as :class:`ResultRow` (cadres looked up in ``cadres``, the user's scoped queryset).

    Raises :class:`BulkError` when the file cannot be read or its headings are wrong; the service checks
    the values themselves.
    """
    try:
        columns, lines = read_table(data=data, name=name, headings=HEADINGS, required=REQUIRED, what=_("考核结果"))
    except SheetError as exc:
        raise BulkError([Problem(row, "", "", text) for row, text in exc.messages]) from exc
    codes = {cell_text(cell(row, columns, "code")) for _n, row in lines} - {""}
    by_code = {c.code: c for c in cadres.filter(code__in=codes).select_related("unit")} if codes else {}
    letters = {f: column_letter(col) for f, col in columns.items()}
    result = []
    for number, row in lines:
        code = cell_text(cell(row, columns, "code"))
        result.append(
            ResultRow(
                row=number,
                cadre=by_code.get(code),
                code=code,
                name=cell_text(cell(row, columns, "name")),
                grade=cell_text(cell(row, columns, "grade")),
                scores={f: cell(row, columns, f) for f in SCORE_FIELDS if f in columns},
                comment=cell_text(cell(row, columns, "comment")),
                letters=letters,
            )
        )
    return result


def template_bytes(cycle: AssessmentCycle, cadres: list[Cadre]) -> bytes:
    """The sheet to fill in for ``cadres`` (already scoped), with any results already entered."""
    existing = {a.cadre_id: a for a in Assessment.objects.filter(cycle=cycle, cadre__in=cadres)}
    rows: list[list[Any]] = [TEMPLATE_HEADER]
    for cadre in cadres:
        a = existing.get(cadre.pk)
        scores = [getattr(a, f) if a else None for f in SCORE_FIELDS]
        rows.append(
            [
                cadre.code,
                cadre.name,
                cadre.unit.name,
                a.get_grade_display() if a else "",
                *[float(s) if s is not None else None for s in scores],
                a.comment if a else "",
            ]
        )
    buffer = io.BytesIO()
    write_workbook(
        buffer, [Sheet(name=_("考核结果"), rows=rows, widths=[14, 10, 28, 10, 6, 6, 6, 6, 6, 40])], title=cycle.name
    )
    return buffer.getvalue()
