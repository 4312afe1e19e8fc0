"""Reading a filled-in sheet (assessment results, class scores): the first sheet of an uploaded workbook, its
heading row found by name, its lines numbered as Excel shows them, so every message points at a cell.

The file goes through the exchange app's safety checks (size, magic bytes, zip bomb, macros) first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from miaopu.domain.roster import column_letter

from .files import UnsafeFile, limits_from_settings, read_workbook

__all__ = ["SheetError", "cell", "cell_text", "column_letter", "locate_header", "read_table"]

Row = list[Any]


class SheetError(ValueError):
    """The file cannot be read as a sheet of this kind: ``messages`` say why (and where)."""

    def __init__(self, messages: list[tuple[int | None, str]]):
        super().__init__("; ".join(text for _row, text in messages))
        self.messages = messages


def cell_text(value: Any) -> str:
    """A cell as text; whole numbers typed as numbers (人员编号 12) lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def locate_header(
    rows: Sequence[Row], headings: Mapping[str, Sequence[str]], anchor: str
) -> tuple[int, dict[str, int]] | None:
    """(index of the heading row, field → column index): the first of the top ten rows naming ``anchor``'s column.

    ``headings`` maps each field to the headings accepted for it (spaces ignored)."""
    lookup = {variant: name for name, variants in headings.items() for variant in variants}
    for index, row in enumerate(rows[:10]):
        columns: dict[str, int] = {}
        for col, cell in enumerate(row):
            name = lookup.get(cell_text(cell).replace(" ", ""))
            if name and name not in columns:
                columns[name] = col
        if anchor in columns:
            return index, columns
    return None


def read_table(
    *, data: bytes, name: str, headings: Mapping[str, Sequence[str]], required: Sequence[str], what: str
) -> tuple[dict[str, int], list[tuple[int, Row]]]:
    """The first sheet's columns (field → index) and its non-blank lines as (Excel row number, cells).

    Raises :class:`SheetError` when the file is unsafe or unreadable, or a required heading is missing
    (``what`` names the template in the message, e.g. “成绩表”)."""
    try:
        book = read_workbook(data, name, limits_from_settings())
    except UnsafeFile as exc:
        raise SheetError([(None, str(exc))]) from exc
    if not book.sheets:
        raise SheetError([(None, _("工作簿中没有工作表。"))])
    rows = next(iter(book.sheets.values()))
    found = locate_header(rows, headings, required[0])
    if found is None:
        first = "”“".join(headings[f][0] for f in required)
        raise SheetError(
            [(1, _("没有找到标题行：应有“%(h)s”等列标题，请使用下载的%(w)s模板。") % {"h": first, "w": what})]
        )
    header_index, columns = found
    missing = [headings[f][0] for f in required if f not in columns]
    if missing:
        raise SheetError(
            [(header_index + 1, _("缺少“%(c)s”列，请使用下载的%(w)s模板。") % {"c": m, "w": what}) for m in missing]
        )
    lines = [
        (index + 1, rows[index])
        for index in range(header_index + 1, len(rows))
        if any(cell_text(v) for v in rows[index])
    ]
    return columns, lines


def cell(row: Row, columns: Mapping[str, int], field: str) -> Any:
    col = columns.get(field)
    return row[col] if col is not None and col < len(row) else None
