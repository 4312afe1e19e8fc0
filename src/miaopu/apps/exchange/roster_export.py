"""Exporting the roster workbook: the same three sheets the importer reads, so export → import is exact.

Rows come from the selectors (``unit_list``, ``cadre_list``, ``experience_list``), so an export holds
exactly what the user may see, and every export is written to the access log.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from miaopu.apps.cadres.models import Cadre
from miaopu.apps.cadres.selectors import cadre_list, experience_list
from miaopu.apps.core.audit import Actor, record_access
from miaopu.apps.core.choices import UNIT_SCOPED_ROLES, AuditAction
from miaopu.apps.units.models import Unit
from miaopu.apps.units.selectors import unit_list
from miaopu.domain.roster import CADRES, EXPERIENCE, SHEETS, UNITS, SheetSpec, format_cell

from .report import Progress
from .xlsx import Sheet, write_workbook

_WIDTHS = {"单位名称": 24, "上级单位": 24, "现工作单位": 24, "单位": 24, "系统外单位": 20, "身份证号": 21}


def widths(spec: SheetSpec) -> list[float]:
    return [_WIDTHS.get(c.header, max(8, len(c.header) * 2 + 2)) for c in spec.columns]


def write_roster(
    target: str | IO[bytes],
    units: Iterable[Sequence[Any]],
    cadres: Iterable[Sequence[Any]],
    experience: Iterable[Sequence[Any]],
    *,
    extra_sheets: Sequence[Sheet] = (),
) -> None:
    """Write the three sheets (data rows as values in column order of :data:`SHEETS`) with their headers."""

    def with_header(spec: SheetSpec, rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
        yield spec.headers
        yield from rows

    write_workbook(
        target,
        [
            Sheet(UNITS.name, with_header(UNITS, units), widths(UNITS)),
            Sheet(CADRES.name, with_header(CADRES, cadres), widths(CADRES)),
            Sheet(EXPERIENCE.name, with_header(EXPERIENCE, experience), widths(EXPERIENCE)),
            *extra_sheets,
        ],
        title=_("干部名册"),
    )


def help_sheet() -> Sheet:
    """The 说明 sheet of the template: every column, whether it is required, what may be typed."""
    rows: list[list[Any]] = [[_("表"), _("列"), _("必填"), _("可填的值"), _("说明")]]
    for spec in SHEETS:
        for column in spec.columns:
            required = _("是") if column.required else (_("二选一") if column.field in spec.one_of else "")
            kind_note = (
                _("日期：2024-01-05、2024.01.05、2024/01/05、2024.01 或 202401") if column.kind == "date" else ""
            )
            rows.append([spec.name, column.header, required, column.allowed or kind_note, column.note])
    rows.append([])
    rows.append(["", _("本表（说明）在导入时忽略。各表第 1 行为列名，列的顺序不限，多余的列会被忽略并提示。")])
    return Sheet(_("说明"), rows, widths=(8, 20, 8, 50, 60))


def template_bytes() -> bytes:
    import io

    buffer = io.BytesIO()
    write_roster(buffer, [], [], [], extra_sheets=[help_sheet()])
    return buffer.getvalue()


@dataclass
class ExportResult:
    counts: dict[str, int] = field(default_factory=dict)


def _require_exporter(user) -> None:
    if not (user and user.is_active and user.role in UNIT_SCOPED_ROLES and user.scope_unit_id):
        raise PermissionDenied(_("您的角色不能导出干部名册。"))


_CADRE_VALUES = ["unit__name" if c.field == "unit" else c.field for c in CADRES.columns]


def _unit_rows(units: QuerySet[Unit]) -> Iterator[list[Any]]:
    names = [c.field for c in UNITS.columns]
    for values in units.order_by("path").values("parent__name", *[n for n in names if n != "parent"]):
        values["parent"] = values.pop("parent__name") or ""
        yield [format_cell(c, values[c.field]) for c in UNITS.columns]


def _cadre_rows(cadres: QuerySet[Cadre], progress: Progress, total: int) -> Iterator[list[Any]]:
    columns = CADRES.columns
    for n, values in enumerate(cadres.values_list(*_CADRE_VALUES).iterator(chunk_size=5000)):
        if n % 20000 == 0:
            progress(_("导出干部"), n, total)
        yield [format_cell(c, v) for c, v in zip(columns, values, strict=True)]
    progress(_("导出干部"), total, total)


def _experience_rows(user, cadres: QuerySet[Cadre]) -> Iterator[list[Any]]:
    entries = (
        experience_list(user=user)
        .filter(cadre__in=cadres.order_by().values("pk"))
        .order_by("cadre__unit__path", "cadre_id", "start", "id")
        .values_list("cadre__code", "start", "end", "unit__name", "unit_name", "post_title", "kind", "note")
    )
    kind_column = EXPERIENCE.column("kind")
    for code, start, end, unit_name, outside_name, post_title, kind, note in entries.iterator(chunk_size=10000):
        yield [code, None, start, end, unit_name, outside_name or None, post_title or None,
               format_cell(kind_column, kind), note or None]  # fmt: skip


def roster_export(
    *,
    actor: Actor,
    target: str | IO[bytes],
    unit: Unit | None = None,
    cadres: QuerySet[Cadre] | None = None,
    filters: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Write the roster of what ``actor`` may see (optionally one unit's subtree, or a filtered list).

    ``cadres`` must come from ``cadre_list(user=...)`` (the list page passes its filtered queryset);
    the 单位 sheet lists the units of the user's scope (or of ``unit``'s subtree).
    """
    user = actor.user
    _require_exporter(user)
    progress = progress or (lambda stage, done, total: None)
    units = unit_list(user=user)
    if unit is not None:
        if not units.filter(pk=unit.pk).exists():
            raise PermissionDenied(_("单位“%(u)s”不在您的管理范围内。") % {"u": unit.name})
        units = units.filter(path__startswith=unit.path)
    if cadres is None:
        cadres = cadre_list(user=user)
        if unit is not None:
            cadres = cadres.filter(unit__path__startswith=unit.path)
    cadres = cadres.order_by("unit__path", "id")
    result = ExportResult()
    result.counts[UNITS.name] = units.count()
    result.counts[CADRES.name] = cadres.count()
    counter = {"n": 0}

    def counted(rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
        for row in rows:
            counter["n"] += 1
            yield row

    write_roster(
        target,
        _unit_rows(units),
        _cadre_rows(cadres, progress, result.counts[CADRES.name]),
        counted(_experience_rows(user, cadres)),
    )
    result.counts[EXPERIENCE.name] = counter["n"]
    record_access(
        actor,
        AuditAction.EXPORT,
        "cadres.cadre",
        object_repr=_("干部名册（%(n)s 人）") % {"n": result.counts[CADRES.name]},
        detail={
            "format": "roster-xlsx",
            "unit": unit.name if unit is not None else "",
            "filters": {k: str(v) for k, v in (filters or {}).items() if v not in (None, "", [])},
            "counts": result.counts,
        },
    )
    return result
