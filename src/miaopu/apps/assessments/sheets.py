"""Assessment results from a sheet (and the sheet to fill in), checked like every other upload.

The file goes through the exchange app's safety checks (size, magic bytes, zip bomb, macros) before the
reader sees it. Columns are found by their headings, in any order: 人员编号 and 等次 are required; 姓名 (checked
against the number), 德 能 勤 绩 廉 and 评语 are optional; other columns (单位 …) are ignored. Rows are numbered as
Excel shows them, so every error message points at a cell the user can find.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from miaopu.apps.cadres.models import Cadre
from miaopu.apps.exchange.files import UnsafeFile, limits_from_settings, read_workbook
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


def _text(value: Any) -> str:
    """A cell as text; whole numbers typed as numbers (人员编号 12) lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _locate(rows: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    """(index of the heading row, field → column index) — the first row among the top ten naming 人员编号."""
    lookup = {variant: field for field, variants in HEADINGS.items() for variant in variants}
    for index, row in enumerate(rows[:10]):
        columns: dict[str, int] = {}
        for col, cell in enumerate(row):
            field = lookup.get(_text(cell).replace(" ", ""))
            if field and field not in columns:
                columns[field] = col
        if "code" in columns:
            return index, columns
    return None


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_rows(*, data: bytes, name: str, cadres: QuerySet[Cadre]) -> list[ResultRow]:
    """The sheet's lines as :class:`ResultRow` (cadres looked up in ``cadres``, the user's scoped queryset).

    Raises :class:`BulkError` when the file cannot be read or its headings are wrong; the service checks
    the values themselves.
    """
    try:
        book = read_workbook(data, name, limits_from_settings())
    except UnsafeFile as exc:
        raise BulkError([Problem(None, "", "", str(exc))]) from exc
    if not book.sheets:
        raise BulkError([Problem(None, "", "", _("工作簿中没有工作表。"))])
    rows = next(iter(book.sheets.values()))
    found = _locate(rows)
    if found is None:
        raise BulkError(
            [Problem(1, "", "", _("没有找到标题行：第一行应有“人员编号”“等次”等列标题，请使用下载的模板。"))]
        )
    header_index, columns = found
    missing = [HEADINGS[f][0] for f in REQUIRED if f not in columns]
    if missing:
        raise BulkError(
            [Problem(header_index + 1, m, "", _("缺少“%(c)s”列，请使用下载的模板。") % {"c": m}) for m in missing]
        )

    def cell(row: list[Any], field: str) -> Any:
        col = columns.get(field)
        return row[col] if col is not None and col < len(row) else None

    lines: list[tuple[int, list[Any]]] = []
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if all(_text(v) == "" for v in row):
            continue
        lines.append((index + 1, row))
    codes = {_text(cell(row, "code")) for _n, row in lines} - {""}
    by_code = {c.code: c for c in cadres.filter(code__in=codes).select_related("unit")} if codes else {}
    letters = {f: _column_letter(col) for f, col in columns.items()}
    result = []
    for number, row in lines:
        code = _text(cell(row, "code"))
        result.append(
            ResultRow(
                row=number,
                cadre=by_code.get(code),
                code=code,
                name=_text(cell(row, "name")),
                grade=_text(cell(row, "grade")),
                scores={f: cell(row, f) for f in SCORE_FIELDS if f in columns},
                comment=_text(cell(row, "comment")),
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
