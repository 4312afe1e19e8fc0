"""Builders for test workbooks. Input files are written with openpyxl (an independent writer, as a clerk's
Excel would be) and output files are read back with python-calamine, so the tests do not only check
Miaopu against itself."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from openpyxl import Workbook

from miaopu.apps.cadres.models import Cadre, CadreFormInfo, Experience, FamilyMember
from miaopu.apps.core.models import AuditEvent
from miaopu.apps.units.models import Unit
from miaopu.domain.roster import CADRES, EXPERIENCE, UNITS


def xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def roster(units: list[dict] = (), cadres: list[dict] = (), experience: list[dict] = (), **extra) -> bytes:
    """A workbook with the full header rows; each data row is a dict header → value."""
    sheets = {}
    for spec, rows in ((UNITS, units), (CADRES, cadres), (EXPERIENCE, experience)):
        headers = spec.headers
        sheets[spec.name] = [headers] + [[row.get(h) for h in headers] for row in rows]
    sheets.update(extra)
    return xlsx(sheets)


def read_xlsx(data: bytes) -> dict[str, list[list[Any]]]:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def rewrite_zip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """A copy of a zip with some members replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            payload = (replace or {}).get(info.filename, source.read(info))
            target.writestr(info.filename, payload)
        for name, payload in (add or {}).items():
            target.writestr(name, payload)
    return out.getvalue()


def database_state() -> tuple:
    """Everything an import could change, to prove that a refused import changed nothing."""
    return (
        list(Unit.objects.order_by("pk").values()),
        list(Cadre.objects.order_by("pk").values()),
        list(Experience.objects.order_by("pk").values()),
        list(CadreFormInfo.objects.order_by("pk").values()),
        list(FamilyMember.objects.order_by("pk").values()),
        AuditEvent.objects.filter(category="change").count(),
    )
