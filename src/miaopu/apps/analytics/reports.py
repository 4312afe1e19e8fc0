"""The figures as an Excel workbook (openpyxl): one sheet per table, each with a native chart.

The charts of the web page are SVG; a workbook cannot hold SVG, so each sheet gets Excel's own bar or pie
chart drawn from the same numbers (they render offline in Excel, WPS and LibreOffice). No cell is ever a
formula: text that would start one is stored as a plain string.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, PieChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_HEAD = Font(bold=True)
_FILL = PatternFill("solid", fgColor="F3F4F6")
_TITLE = Font(bold=True, size=14)


def _put(ws, row: int, col: int, value: Any, *, bold: bool = False):
    cell = ws.cell(row=row, column=col)
    if value is None:
        return cell
    if isinstance(value, str):
        cell.value = value
        if value.startswith(FORMULA_TRIGGERS):
            cell.data_type = "s"  # never a formula
    elif isinstance(value, dt.datetime):
        cell.value = timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    else:
        cell.value = float(value) if hasattr(value, "quantize") else value
    if bold:
        cell.font = _HEAD
    return cell


def _table(ws, top: int, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> tuple[int, int]:
    """Write a header and rows from ``top``; returns (first data row, last data row)."""
    for c, text in enumerate(header, start=1):
        cell = _put(ws, top, c, text, bold=True)
        cell.fill = _FILL
    r = top
    for r, values in enumerate(rows, start=top + 1):
        for c, value in enumerate(values, start=1):
            _put(ws, r, c, value)
    return top + 1, r


def _widths(ws, widths: Sequence[float]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _bar(ws, title: str, first: int, last: int, anchor: str, *, cols: int = 1, stacked: bool = False) -> None:
    if last < first:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.legend = None if cols == 1 else chart.legend
    if stacked:
        chart.grouping = "stacked"
        chart.overlap = 100
    data = Reference(ws, min_col=2, max_col=1 + cols, min_row=first - 1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.height = max(6, 0.6 * (last - first + 1) + 3)
    chart.width = 16
    ws.add_chart(chart, anchor)


def _pie(ws, title: str, first: int, last: int, anchor: str) -> None:
    if last < first:
        return
    chart = PieChart()
    chart.title = title
    chart.add_data(Reference(ws, min_col=2, min_row=first - 1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.height, chart.width = 8, 12
    ws.add_chart(chart, anchor)


def _pct(value) -> float | None:
    return None if value is None else float(value)


def structure_workbook(
    *, title: str, scope: str, filters: list[tuple[str, str]], structure, programmes, alerts
) -> bytes:
    """The dashboard/report figures as .xlsx bytes (structure, programmes if any, alerts)."""
    from .selectors import AGE_BANDS, DIMENSIONS

    wb = Workbook()
    ws = wb.active
    ws.title = _("概况")
    _put(ws, 1, 1, title).font = _TITLE
    _put(ws, 2, 1, _("范围"), bold=True)
    _put(ws, 2, 2, scope)
    _put(ws, 3, 1, _("统计日期"), bold=True)
    _put(ws, 3, 2, structure.as_of.isoformat())
    _put(ws, 4, 1, _("生成时间"), bold=True)
    _put(ws, 4, 2, timezone.localtime().strftime("%Y-%m-%d %H:%M"))
    _put(ws, 5, 1, _("筛选条件"), bold=True)
    _put(ws, 5, 2, "；".join(f"{k}：{v}" for k, v in filters) or _("无（管理范围内全部在职干部）"))
    rows = [
        (_("在职干部数"), structure.total, None),
        (_("平均年龄（周岁）"), _pct(structure.average_age), None),
        *[(f.label, f.value, _pct(f.share)) for f in structure.headline[1:]],
        (_("有导师的年轻干部"), structure.mentored_young, None),
    ]
    _table(ws, 7, [_("指标"), _("数值"), _("占比（%）")], rows)
    _widths(ws, [26, 40, 12])

    tables = [("age", _("年龄结构"), structure.by_age_band, "bar")]
    pies = ("gender", "political_status")
    tables += [(d.key, _(d.title), structure.dimensions[d.key], "pie" if d.key in pies else "bar")
               for d in DIMENSIONS]  # fmt: skip
    assert len(AGE_BANDS) == len(structure.by_age_band)
    for _key, name, figures, chart in tables:
        sheet = wb.create_sheet(name)
        first, last = _table(
            sheet, 1, [name, _("人数"), _("占比（%）")], [(f.label, f.value, _pct(f.share)) for f in figures]
        )
        _widths(sheet, [20, 10, 12])
        (_pie if chart == "pie" else _bar)(sheet, name, first, last, "E2")

    if programmes is not None:
        sheet = wb.create_sheet(_("培养项目"))
        statuses = programmes.batch_statuses
        first, last = _table(
            sheet, 1, [_("培养项目"), *[label for _v, label in statuses], _("合计")],
            [(e["name"], *e["cells"], e["total"]) for e in programmes.batches_by_template],
        )  # fmt: skip
        _bar(sheet, _("各项目批次进度"), first, last, f"A{last + 3}", cols=len(statuses), stacked=True)
        row = last + 22
        _put(sheet, row, 1, _("在岗培养对象（按接收地区）"), bold=True)
        first, last = _table(sheet, row + 1, [_("地区"), _("人数"), _("占比（%）")],
                             [(f.label, f.value, _pct(f.share)) for f in programmes.placements_by_region])  # fmt: skip
        _bar(sheet, _("在岗培养对象地区分布"), first, last, f"E{row}")
        row = max(last, row + 16) + 2
        _put(sheet, row, 1, _("其他"), bold=True)
        _first, last = _table(sheet, row + 1, [_("指标"), _("数值")], [
            (_("在岗培养对象"), programmes.placements_active),
            (_("后备干部库"), programmes.reserve_pool),
            (_("培养后晋升职务层次"), programmes.promoted.value),
            (_("需配备导师的培养对象"), programmes.mentor_need.value),
            (_("缺少导师"), programmes.mentor_missing.value),
            (_("优秀年轻干部信息库"), programmes.talent_pool.get("talent") if programmes.talent_pool.get("available")
             else programmes.talent_pool.get("note")),
        ])  # fmt: skip
        row = last + 2
        for cov in programmes.coverage:
            _put(sheet, row, 1, _("%(t)s 覆盖情况（目标 %(g)s%%）") % {"t": cov["template"].name, "g": cov["target"]},
                 bold=True)  # fmt: skip
            first, last = _table(sheet, row + 1, [_("地区"), _("符合条件"), _("已覆盖"), _("覆盖率（%）")],
                                 [(r["label"], r["eligible"], r["covered"], _pct(r["share"])) for r in cov["rows"]]
                                 + [(_("合计"), cov["eligible"], cov["covered"], _pct(cov["share"]))])  # fmt: skip
            row = last + 2
        _widths(sheet, [22, 10, 10, 10, 10, 10, 10, 10, 10, 10])

    if alerts is not None:
        sheet = wb.create_sheet(_("预警"))
        first, last = _table(
            sheet, 1, [_("预警类型"), _("红色"), _("黄色"), _("绿色"), _("合计"), _("说明")],
            [(k["label"], *[lv["n"] for lv in k["levels"]], k["total"],
              (k["note"] or "") if k["available"] is not False else _("暂不可用：%(n)s") % {"n": k["note"]})
             for k in alerts.kinds],
        )  # fmt: skip
        _widths(sheet, [22, 8, 8, 8, 8, 60])
        for col in "F":
            for r in range(first, last + 1):
                sheet[f"{col}{r}"].alignment = Alignment(wrap_text=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def batch_workbook(*, batch, profile: dict, side_regions: list[dict]) -> bytes:
    """The batch profile (counts per side, average age, women, non-party, per-region share) as .xlsx bytes."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("批次概况")
    _put(ws, 1, 1, batch.name).font = _TITLE
    _put(ws, 2, 1, _("培养项目"), bold=True)
    _put(ws, 2, 2, batch.template.name)
    _put(ws, 3, 1, _("统计对象"), bold=True)
    _put(ws, 3, 2, profile["basis"])
    _put(ws, 4, 1, _("年龄计算日期"), bold=True)
    _put(ws, 4, 2, batch.as_of.isoformat())
    lines = [*profile["lines"], profile["total"]]
    _first, last = _table(
        ws, 6, [_("方"), _("人数"), _("平均年龄"), _("女性"), _("非中共党员")],
        [(line.label, line.count, _pct(line.average_age), line.women, line.non_party) for line in lines],
    )  # fmt: skip
    row = last + 2
    _put(ws, row, 1, _("地区分布"), bold=True)
    first, last = _table(ws, row + 1, [_("地区"), _("人数"), _("占比（%）")],
                         [(r["region"], r["count"], _pct(r["share"])) for r in profile["regions"]])  # fmt: skip
    _bar(ws, _("地区分布"), first, last, "H2")
    row = last + 2
    for side in side_regions:
        _put(ws, row, 1, _("%(s)s 去向（共 %(n)s 人）") % {"s": side["label"], "n": side["total"]}, bold=True)
        _first, last = _table(ws, row + 1, [_("地区"), _("人数"), _("占比（%）")],
                              [(r["region"], r["count"], _pct(r["share"])) for r in side["regions"]])  # fmt: skip
        row = last + 2
    coverage = profile.get("coverage")
    if coverage:
        _put(ws, row, 1, _("覆盖率"), bold=True)
        _table(ws, row + 1, [_("符合条件"), _("已参加"), _("覆盖率（%）"), _("目标（%）")],
               [(coverage["eligible"], coverage["covered"], _pct(coverage["share"]), coverage["target"])])  # fmt: skip
    _widths(ws, [24, 10, 10, 10, 12])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
