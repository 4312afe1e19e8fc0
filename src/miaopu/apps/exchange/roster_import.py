"""Importing the roster workbook: validate everything, then write everything in one transaction, or nothing.

The importer is built for 100,000 cadres with 300,000 experience rows, so it does not call the per-row
services (each would validate against the database, write and audit one row at a time). It applies the
same rules instead — the cadre services' ``cadre_errors`` and ``experience_errors``, the unit tree rules,
the ID-number check, scope checks for every touched unit and cadre — in memory over the whole file,
collects every problem with its sheet, row and column, and only when the file is clean writes with bulk
statements inside one transaction, leaving one audit record for the whole import (file name, SHA-256,
per-sheet counts). Rows that equal what is stored are not written at all, so importing the same file
twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from miaopu.apps.cadres.derived import refresh_first_rural_start, refresh_first_rural_start_for_units
from miaopu.apps.cadres.models import Cadre, Experience
from miaopu.apps.cadres.services import CODE_PREFIX, cadre_errors, experience_errors
from miaopu.apps.core.audit import Actor, record
from miaopu.apps.core.choices import AuditAction, AuditCategory, Role
from miaopu.apps.core.fields import blind_index, blind_index_candidates
from miaopu.apps.units.models import PATH_SEGMENT, Post, Unit
from miaopu.domain.dates import add_months
from miaopu.domain.roster import (
    CADRES,
    EXPERIENCE,
    SHEETS,
    UNITS,
    ParsedRow,
    SheetSpec,
    column_letter,
    map_headers,
    normalize_text,
    parse_row,
)
from miaopu.domain.vocab import UnitLevel

from .files import Limits, UnsafeFile, Workbook, limits_from_settings, read_workbook
from .report import ImportReport, Progress

#: Cadre attributes the workbook writes (model attnames), in sheet order.
CADRE_ATTRS = ["unit_id" if c.field == "unit" else c.field for c in CADRES.columns]
UNIT_ATTRS = ["parent_id" if c.field == "parent" else c.field for c in UNITS.columns]
EXPERIENCE_ATTRS = ["start", "end", "unit_id", "unit_name", "post_title", "kind", "note"]
_LEVEL_ORDER = {level.value: i for i, level in enumerate(UnitLevel)}
_CHUNK = 5000
#: Sheets that may sit in the workbook without a warning (the template's help sheet).
_QUIET_SHEETS = {"说明"}


def _chunks(items: list, size: int = _CHUNK) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def require_importer(user) -> None:
    """Roster imports rewrite many records at once: only 组织部 staff with a scope may run them."""
    if not (user and user.is_active and user.role == Role.ORGDEPT and user.scope_unit_id):
        raise PermissionDenied(_("只有组织部干部科的账号可以导入干部名册。"))


@dataclass
class _Sheet:
    spec: SheetSpec
    rows: list[ParsedRow] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    present: bool = False


@dataclass
class _UnitPlan:
    row: ParsedRow
    name: str
    existing: dict | None
    attrs: dict[str, Any]  # UNIT_ATTRS except parent_id; parent by name in parent_name
    parent_name: str | None  # None: keep (column absent on update)
    changed: bool = False


@dataclass
class _CadrePlan:
    row: ParsedRow
    cadre: Cadre
    existing: dict | None
    unit_name: str
    changed: bool = False
    experience_changed: bool = False


class RosterImporter:
    """One import run: ``read``, the ``plan_*`` steps (which fill ``report``), then ``write`` only if it is clean."""

    def __init__(
        self,
        actor: Actor,
        report: ImportReport,
        *,
        dry_run: bool = False,
        progress: Progress | None = None,
        today: dt.date | None = None,
    ) -> None:
        self.actor = actor
        self.user = actor.user
        self.report = report
        self.dry_run = dry_run
        self.progress = progress or (lambda stage, done, total: None)
        self.today = today or dt.date.today()
        root = self.user.scope_unit
        self.root_path = root.path
        self.sheets: dict[str, _Sheet] = {}

    # --- reporting helpers ---------------------------------------------------------------------------

    def _cell_issue(self, sheet: _Sheet, row: ParsedRow, field_name: str, message: str, value: Any = None) -> None:
        spec = sheet.spec
        try:
            column = spec.column(field_name)
        except KeyError:
            column = None
        position = sheet.index.get(field_name)
        raw = row.raw.get(field_name) if value is None else value
        self.report.error(
            spec.name,
            message,
            row=row.number,
            column=column_letter(position) if position is not None else "",
            header=column.header if column else "",
            value=normalize_text(raw),
        )

    # --- reading -------------------------------------------------------------------------------------

    def read(self, workbook: Workbook) -> None:
        known = {spec.name for spec in SHEETS}
        for name in workbook.sheets:
            if name not in known and name not in _QUIET_SHEETS:
                self.report.warn(name, _("不是名册中的表（应为 单位、干部、履历），已忽略。"))
        if not any(spec.name in workbook.sheets for spec in SHEETS):
            self.report.error(_("文件"), _("文件中没有“单位”“干部”“履历”中的任何一张表。请使用名册模板。"))
            return
        for spec in SHEETS:
            sheet = _Sheet(spec)
            self.sheets[spec.name] = sheet
            rows = workbook.sheets.get(spec.name)
            if rows is None:
                self.report.warn(spec.name, _("文件中没有这张表，跳过。"))
                continue
            header_row = rows[0] if rows else []
            headers = map_headers(spec, header_row)
            for position, text in headers.unknown:
                self.report.warn(
                    spec.name, _("不是名册中的列，已忽略。"), row=1, column=column_letter(position), header=text
                )
            for position, text in headers.duplicates:
                self.report.error(
                    spec.name, _("列名重复，请删去多余的一列。"), row=1, column=column_letter(position), header=text
                )
            for column in headers.missing:
                self.report.error(
                    spec.name, _("缺少必填列“%(h)s”，请在第 1 行加上这一列。") % {"h": column.header}, row=1
                )
            if headers.missing or headers.duplicates:
                continue
            sheet.present = True
            sheet.index = headers.index
            total = len(rows) - 1
            for offset, cells in enumerate(rows[1:]):
                parsed = parse_row(spec, headers, offset + 2, cells)
                if parsed is None:
                    continue
                sheet.rows.append(parsed)
                for problem in parsed.errors:
                    self._cell_issue(sheet, parsed, problem.field, problem.message)
                if offset % 20000 == 0:
                    self.progress(_("读取%(s)s表") % {"s": spec.name}, offset, total)
            self.progress(_("读取%(s)s表") % {"s": spec.name}, total, total)

    # --- units ---------------------------------------------------------------------------------------

    def load_units(self) -> None:
        self.units_by_name: dict[str, dict] = {}
        self.units_by_id: dict[int, dict] = {}
        for values in Unit.objects.values("id", "path", *UNIT_ATTRS):
            self.units_by_name[values["name"]] = values
            self.units_by_id[values["id"]] = values
        self.unit_plans: dict[str, _UnitPlan] = {}

    def _db_unit_in_scope(self, unit: dict) -> bool:
        return unit["path"].startswith(self.root_path)

    def plan_units(self) -> None:
        sheet = self.sheets[UNITS.name]
        seen: dict[str, int] = {}
        has_parent_col = "parent" in sheet.index
        for row in sheet.rows:
            if row.errors and "name" in {e.field for e in row.errors}:
                continue
            name = row.values.get("name", "")
            if name in seen:
                self._cell_issue(sheet, row, "name", _("单位名称与第 %(r)s 行重复。") % {"r": seen[name]})
                continue
            seen[name] = row.number
            existing = self.units_by_name.get(name)
            if existing is not None and not self._db_unit_in_scope(existing):
                self._cell_issue(sheet, row, "name", _("该单位不在您的管理范围内，不能通过导入修改。"))
                continue
            attrs = {k: v for k, v in row.values.items() if k not in ("name", "parent")}
            if existing is None:
                for column in UNITS.columns:
                    if column.field not in ("name", "parent") and column.field not in attrs:
                        attrs[column.field] = column.default if column.default is not None else ""
                parent_name = row.values.get("parent", "")
            else:
                parent_name = row.values.get("parent", "") if has_parent_col else None
            self.unit_plans[name] = _UnitPlan(row, name, existing, attrs, parent_name)
        self._check_tree(sheet)
        self._new_unit_names = {name for name, plan in self.unit_plans.items() if plan.existing is None}

    def _parent_of(self, name: str) -> str:
        """Parent name after the import ("" for a root)."""
        plan = self.unit_plans.get(name)
        if plan is not None and plan.parent_name is not None:
            return plan.parent_name
        unit = self.units_by_name.get(name)
        if unit is None or unit["parent_id"] is None:
            return ""
        return self.units_by_id[unit["parent_id"]]["name"]

    def _level_of(self, name: str) -> str:
        plan = self.unit_plans.get(name)
        if plan is not None and "level" in plan.attrs:
            return plan.attrs["level"]
        unit = self.units_by_name.get(name)
        return unit["level"] if unit else ""

    def unit_known(self, name: str) -> bool:
        return name in self.unit_plans or name in self.units_by_name

    def unit_in_scope(self, name: str, _depth: int = 0) -> bool:
        """In scope after the import: existing units by their path, new or moved units by their parent."""
        plan = self.unit_plans.get(name)
        unit = self.units_by_name.get(name)
        moved = (
            plan is not None
            and unit is not None
            and plan.parent_name is not None
            and plan.parent_name != (self.units_by_id[unit["parent_id"]]["name"] if unit["parent_id"] else "")
        )
        if unit is not None and not moved:
            return self._db_unit_in_scope(unit)
        parent = self._parent_of(name)
        if not parent or _depth > 64:
            return False
        return self.unit_in_scope(parent, _depth + 1)

    def _check_tree(self, sheet: _Sheet) -> None:
        db_roots = [u["name"] for u in self.units_by_id.values() if u["parent_id"] is None]
        bad: set[str] = set()
        for name, plan in self.unit_plans.items():
            row = plan.row
            parent = self._parent_of(name)
            level = self._level_of(name)
            if plan.parent_name is not None and parent and not self.unit_known(parent):
                self._cell_issue(
                    sheet,
                    row,
                    "parent",
                    _("上级单位不存在：请先在“单位”表中列出它，或填写系统中已有的单位名称。"),
                )
                bad.add(name)
                continue
            if parent == name:
                self._cell_issue(sheet, row, "parent", _("上级单位不能是本单位。"))
                bad.add(name)
                continue
            if not parent:
                if level != UnitLevel.CITY:
                    self._cell_issue(sheet, row, "parent", _("只有市级单位可以没有上级单位，请填写上级单位。"))
                    bad.add(name)
                elif any(r != name for r in db_roots):
                    self._cell_issue(
                        sheet,
                        row,
                        "parent",
                        _("系统中已有根单位“%(r)s”，请填写上级单位。") % {"r": db_roots[0]},
                    )
                    bad.add(name)
                continue
            parent_level = self._level_of(parent)
            if (
                level in _LEVEL_ORDER
                and parent_level in _LEVEL_ORDER
                and _LEVEL_ORDER[level] < _LEVEL_ORDER[parent_level]
            ):
                self._cell_issue(
                    sheet,
                    row,
                    "level",
                    _("单位层级不能高于上级单位“%(p)s”的层级。") % {"p": parent},
                )
                bad.add(name)
                continue
            # Cycles: walk up; the walk must leave the file's units.
            seen = {name}
            cursor = parent
            while cursor in self.unit_plans and cursor not in seen:
                seen.add(cursor)
                cursor = self._parent_of(cursor)
            if cursor in seen:
                self._cell_issue(sheet, row, "parent", _("上级单位关系形成了循环，请检查。"))
                bad.add(name)
                continue
            if not self.unit_in_scope(name):
                self._cell_issue(sheet, row, "parent", _("上级单位不在您的管理范围内。"))
                bad.add(name)
        # A unit whose level changes must still sit above its children that the file does not move.
        children: dict[int, list[dict]] = defaultdict(list)
        for unit in self.units_by_id.values():
            if unit["parent_id"] is not None:
                children[unit["parent_id"]].append(unit)
        for name, plan in self.unit_plans.items():
            if (
                name in bad
                or plan.existing is None
                or plan.attrs.get("level", plan.existing["level"]) == plan.existing["level"]
            ):
                continue
            level = _LEVEL_ORDER.get(plan.attrs["level"], 0)
            for child in children[plan.existing["id"]]:
                if self._parent_of(child["name"]) != name:
                    continue
                if _LEVEL_ORDER.get(self._level_of(child["name"]), 99) < level:
                    self._cell_issue(
                        sheet,
                        plan.row,
                        "level",
                        _("下级单位“%(c)s”的层级高于修改后的层级，请一并修改。") % {"c": child["name"]},
                    )
                    bad.add(name)
                    break
        roots_in_file = [n for n, p in self.unit_plans.items() if not self._parent_of(n) and n not in bad]
        if not db_roots and len(roots_in_file) > 1:
            for name in roots_in_file[1:]:
                self._cell_issue(sheet, self.unit_plans[name].row, "parent", _("只能有一个根单位，请填写上级单位。"))
        counts = self.report.count(UNITS.name)
        for plan in self.unit_plans.values():
            if plan.existing is None:
                counts.created += 1
                plan.changed = True
                continue
            existing = plan.existing
            changed = any(existing[k] != v for k, v in plan.attrs.items())
            if plan.parent_name is not None and plan.parent_name != self._db_parent_name(existing):
                changed = True
            plan.changed = changed
            if changed:
                counts.updated += 1
            else:
                counts.unchanged += 1

    def _db_parent_name(self, unit: dict) -> str:
        return self.units_by_id[unit["parent_id"]]["name"] if unit["parent_id"] else ""

    # --- cadres --------------------------------------------------------------------------------------

    def plan_cadres(self) -> None:
        sheet = self.sheets[CADRES.name]
        self.progress(_("核对干部"), 0, len(sheet.rows))
        code_to_pk: dict[str, int] = {}
        id_to_pk: dict[str, int] = {}
        self.code_of_pk: dict[int, str] = {}
        # ID numbers are encrypted at rest: rows are matched on the HMAC-SM3 blind index, never on the plaintext.
        for pk, code, index in Cadre.objects.values_list("pk", "code", "id_number_index").iterator(chunk_size=20000):
            code_to_pk[code] = pk
            self.code_of_pk[pk] = code
            if index:
                id_to_pk[index] = pk
        self.code_to_pk, self.id_to_pk = code_to_pk, id_to_pk

        # Pass 1: keys, duplicates and matches.
        seen_code: dict[str, int] = {}
        seen_id: dict[str, int] = {}
        matched: list[tuple[ParsedRow, int | None]] = []
        for row in sheet.rows:
            if row.errors and any(e.field in ("code", "id_number") for e in row.errors):
                continue
            code = row.values.get("code", "")
            id_number = row.values.get("id_number", "")
            duplicate = False
            if code:
                if code in seen_code:
                    self._cell_issue(sheet, row, "code", _("人员编号与第 %(r)s 行重复。") % {"r": seen_code[code]})
                    duplicate = True
                seen_code.setdefault(code, row.number)
            if id_number:
                if id_number in seen_id:
                    self._cell_issue(
                        sheet, row, "id_number", _("身份证号与第 %(r)s 行重复。") % {"r": seen_id[id_number]}
                    )
                    duplicate = True
                seen_id.setdefault(id_number, row.number)
            if duplicate:
                continue
            pk = code_to_pk.get(code) if code else None
            holder = self._holder_of(id_number)
            if code and pk is None and holder is not None:
                self._cell_issue(
                    sheet,
                    row,
                    "id_number",
                    _("该身份证号已属于系统中人员编号为“%(c)s”的干部；人员编号不能通过导入修改，请核对。")
                    % {"c": self.code_of_pk[holder]},
                )
                continue
            if not code:
                pk = holder
            elif holder is not None and holder != pk:
                self._cell_issue(sheet, row, "id_number", _("该身份证号已属于系统中另一名干部，请核对。"))
                continue
            matched.append((row, pk))

        existing = self._load_cadres([pk for _row, pk in matched if pk is not None])
        post_units = dict(Post.objects.values_list("pk", "unit_id"))
        self._new_codes = self._code_generator(set(seen_code))

        # Pass 2: merge, validate, compare.
        self.cadre_plans: list[_CadrePlan] = []
        self.plan_by_code: dict[str, _CadrePlan] = {}
        self.plan_by_id: dict[str, _CadrePlan] = {}
        self.plan_by_pk: dict[int, _CadrePlan] = {}
        counts = self.report.count(CADRES.name)
        defaults = {
            ("unit_id" if c.field == "unit" else c.field): (c.default if c.default is not None else None)
            for c in CADRES.columns
        }
        for n, (row, pk) in enumerate(matched):
            if n % 20000 == 0:
                self.progress(_("核对干部"), n, len(matched))
            old = existing.get(pk) if pk is not None else None
            if old is not None and not self._db_unit_in_scope(self.units_by_id[old["unit_id"]]):
                self._cell_issue(sheet, row, "name", _("该干部不在您的管理范围内，不能通过导入修改。"))
                continue
            unit_name = row.values.get("unit")
            if unit_name is None and old is not None:
                unit_name = self.units_by_id[old["unit_id"]]["name"]
            unit_ok = True
            if unit_name and not self.unit_known(unit_name):
                self._cell_issue(
                    sheet, row, "unit", _("单位不存在：请先在“单位”表中列出它，或填写系统中已有的单位名称。")
                )
                unit_ok = False
            elif unit_name and not self.unit_in_scope(unit_name):
                self._cell_issue(sheet, row, "unit", _("该单位不在您的管理范围内。"))
                unit_ok = False
            attrs: dict[str, Any] = dict(old) if old is not None else {}
            if old is None:
                for attr, default in defaults.items():
                    attrs[attr] = default if default is not None else ("" if attr not in _DATE_ATTRS else None)
                attrs["post_id"] = None
            for key, value in row.values.items():
                if key == "unit" or (key == "code" and not value):
                    continue  # an empty 人员编号 keeps the stored one (the row was matched by 身份证号)
                attrs[key] = value
            unit = self.units_by_name.get(unit_name or "")
            new_unit_id = unit["id"] if unit is not None and unit_name not in self._new_unit_names else None
            attrs["unit_id"] = new_unit_id
            if old is not None and new_unit_id != old["unit_id"]:
                attrs["post_id"] = None  # moving to another unit ends the hold on a post of the old one
            if not attrs.get("code"):
                attrs["code"] = next(self._new_codes)
            attrs["id_number"] = attrs.get("id_number") or None
            # A plain namespace, not a model instance: cadre_errors only reads attributes, and building
            # 100,000 Cadre objects costs more than all the checks together.
            cadre = SimpleNamespace(**attrs, pk=pk)
            cadre.post = (
                SimpleNamespace(pk=cadre.post_id, unit_id=post_units.get(cadre.post_id)) if cadre.post_id else None
            )
            unreadable = {e.field for e in row.errors}
            for field_name in unreadable - {"code", "unit"}:
                # A cell that could not be read takes part in no cross-check (not with its stored value either).
                setattr(cadre, field_name, None if field_name in _DATE_ATTRS or field_name == "id_number" else "")
            problems = cadre_errors(cadre, today=self.today)
            for field_name, messages in problems.items():
                if field_name in unreadable or _DEPENDS_ON.get(field_name, set()) & unreadable:
                    continue  # follows from a cell that could not be read, which is already reported
                target = field_name if field_name in sheet.index or field_name != "post" else "unit"
                for message in messages:
                    self._cell_issue(sheet, row, target, message)
            if problems or row.errors or not unit_ok:
                continue
            plan = _CadrePlan(row, cadre, old, unit_name or "")
            if old is None:
                plan.changed = True
                counts.created += 1
            else:
                plan.changed = any(getattr(cadre, a) != old[a] for a in _COMPARE_ATTRS)
                if plan.changed:
                    counts.updated += 1
                else:
                    counts.unchanged += 1
            self.cadre_plans.append(plan)
            self.plan_by_code[cadre.code] = plan
            if cadre.id_number:
                self.plan_by_id[cadre.id_number] = plan
            if pk is not None:
                self.plan_by_pk[pk] = plan
        self.progress(_("核对干部"), len(matched), len(matched))

    def _holder_of(self, id_number: str) -> int | None:
        """The pk of the stored cadre with this ID number (its blind index under any configured index key)."""
        for candidate in blind_index_candidates(id_number, "id_number"):
            pk = self.id_to_pk.get(candidate)
            if pk is not None:
                return pk
        return None

    def _load_cadres(self, pks: list[int]) -> dict[int, dict]:
        found: dict[int, dict] = {}
        for chunk in _chunks(pks):
            for values in Cadre.objects.filter(pk__in=chunk).values("pk", "version", "post_id", *CADRE_ATTRS):
                found[values.pop("pk")] = values
        return found

    def _code_generator(self, taken: set[str]):
        last = (
            Cadre.objects.filter(code__startswith=CODE_PREFIX, code__regex=r"^MP[0-9]{8}$")
            .order_by("-code")
            .values_list("code", flat=True)
            .first()
        )
        number = int(last[len(CODE_PREFIX) :]) if last else 0
        while True:
            number += 1
            code = f"{CODE_PREFIX}{number:08d}"
            if code not in taken and code not in self.code_to_pk:
                yield code

    # --- experience ----------------------------------------------------------------------------------

    def plan_experience(self) -> None:
        sheet = self.sheets[EXPERIENCE.name]
        cadre_sheet = self.sheets[CADRES.name]
        bad_numbers = {r.number for r in cadre_sheet.rows if r.errors} | {
            i.row for i in self.report.errors if i.sheet == CADRES.name and i.row
        }
        # Keys of cadre rows that failed: their 履历 rows are not reported a second time.
        self._bad_keys = set()
        for r in cadre_sheet.rows:
            if r.number in bad_numbers:
                self._bad_keys.update(v for v in (r.values.get("code"), r.values.get("id_number")) if v)
        # Who each row belongs to: a cadre of this file, or one already in the database.
        outside: dict[int, list[ParsedRow]] = defaultdict(list)
        owners: list[tuple[ParsedRow, Any]] = []
        for row in sheet.rows:
            if row.errors and any(e.field in ("code", "id_number") for e in row.errors):
                continue
            code = row.values.get("code", "")
            id_number = row.values.get("id_number", "")
            plan = self.plan_by_code.get(code) if code else None
            if plan is None and id_number:
                plan = self.plan_by_id.get(id_number)
            if plan is not None:
                owners.append((row, plan))
                continue
            pk = self.code_to_pk.get(code) if code else None
            if pk is None and id_number:
                pk = self._holder_of(id_number)
            if pk is None:
                if self._mentioned_in_cadre_sheet(code, id_number):
                    continue  # that cadre's row already has an error; one report line is enough
                field_name = "code" if code else "id_number"
                self._cell_issue(
                    sheet, row, field_name, _("找不到这名干部：请在“干部”表中列出，或核对人员编号/身份证号。")
                )
                continue
            if pk in self.plan_by_pk:
                owners.append((row, self.plan_by_pk[pk]))
                continue
            if self._mentioned_in_cadre_sheet(code, id_number):
                continue
            outside[pk].append(row)
            owners.append((row, pk))
        outside_cadres = self._load_cadres(list(outside))
        outside_plans: dict[int, _CadrePlan] = {}
        for pk, values in outside_cadres.items():
            if not self._db_unit_in_scope(self.units_by_id[values["unit_id"]]):
                for row in outside[pk]:
                    key = "code" if row.values.get("code") else "id_number"
                    self._cell_issue(sheet, row, key, _("该干部不在您的管理范围内，不能通过导入修改其履历。"))
                continue
            cadre = SimpleNamespace(**values, pk=pk)
            outside_plans[pk] = _CadrePlan(None, cadre, values, self.units_by_id[values["unit_id"]]["name"])  # type: ignore[arg-type]

        new_entries: dict[int, list[tuple[ParsedRow, Experience, tuple]]] = defaultdict(list)
        plans: dict[int, _CadrePlan] = {}
        for n, (row, owner) in enumerate(owners):
            if n % 50000 == 0:
                self.progress(_("核对履历"), n, len(owners))
            plan = outside_plans.get(owner) if isinstance(owner, int) else owner
            if plan is None:
                continue
            values = row.values
            unit_name = values.get("unit", "")
            unit_id = None
            if unit_name:
                if not self.unit_known(unit_name):
                    self._cell_issue(
                        sheet,
                        row,
                        "unit",
                        _("单位不存在：请填写系统中已有的单位名称；系统外单位（外市、院校等）请填在“系统外单位”列。"),
                    )
                    continue
                unit = self.units_by_name.get(unit_name)
                unit_id = unit["id"] if unit is not None and unit_name not in self._new_unit_names else -1
            entry = SimpleNamespace(
                cadre=plan.cadre,
                cadre_id=plan.cadre.pk,
                start=values.get("start"),
                end=values.get("end"),
                unit_id=unit_id,
                unit_name=values.get("unit_name", ""),
                post_title=values.get("post_title", ""),
                kind=values.get("kind") or "posting",
                note=values.get("note", ""),
            )
            if entry.start is None or (row.errors and any(e.field in ("start", "end") for e in row.errors)):
                continue
            problems = experience_errors(entry)
            birth = plan.cadre.birth_date
            if plan.cadre.pk is None and birth and entry.start < add_months(birth, 12 * 14):
                problems.setdefault("start", []).append(_("起始时间早于该干部年满 14 周岁，请核对。"))
            for field_name, messages in problems.items():
                for message in messages:
                    self._cell_issue(sheet, row, field_name, message)
            if problems:
                continue
            key = id(plan)
            plans[key] = plan
            signature = (entry.start, entry.end, unit_id if unit_id != -1 else ("new", unit_name),
                         entry.unit_name, entry.post_title, entry.kind, entry.note)  # fmt: skip
            new_entries[key].append((row, entry, signature, unit_name))
        self.progress(_("核对履历"), len(owners), len(owners))

        existing_pks = [plan.cadre.pk for plan in plans.values() if plan.cadre.pk is not None]
        old_rows: dict[int, list[tuple[int, tuple]]] = defaultdict(list)
        for chunk in _chunks(existing_pks):
            for pk, cadre_id, *rest in Experience.objects.filter(cadre_id__in=chunk).values_list(
                "pk", "cadre_id", *EXPERIENCE_ATTRS
            ):
                old_rows[cadre_id].append((pk, tuple(rest)))
        counts = self.report.count(EXPERIENCE.name)
        self.experience_inserts: list[tuple[_CadrePlan, Experience, str]] = []
        self.experience_deletes: list[int] = []
        self.touched_plans: list[_CadrePlan] = []
        for key, items in new_entries.items():
            plan = plans[key]
            old = old_rows.get(plan.cadre.pk, []) if plan.cadre.pk is not None else []
            remaining = Counter(sig for _pk, sig in old)
            inserts = []
            for _row, entry, signature, unit_name in items:
                if remaining[signature] > 0:
                    remaining[signature] -= 1
                    counts.unchanged += 1
                else:
                    inserts.append((plan, entry, unit_name))
            deletes = []
            for pk, sig in old:
                if remaining[sig] > 0:
                    remaining[sig] -= 1
                    deletes.append(pk)
            counts.created += len(inserts)
            counts.deleted += len(deletes)
            self.experience_inserts.extend(inserts)
            self.experience_deletes.extend(deletes)
            if (inserts or deletes) and plan.existing is not None:
                plan.experience_changed = True
                self.touched_plans.append(plan)

    def _mentioned_in_cadre_sheet(self, code: str, id_number: str) -> bool:
        return bool((code and code in self._bad_keys) or (id_number and id_number in self._bad_keys))

    # --- writing -------------------------------------------------------------------------------------

    def write(self) -> None:
        now = timezone.now()
        self.relevelled_units: list[int] = []
        self._write_units()
        unit_ids = {name: u["id"] for name, u in self.units_by_name.items()}
        creates: list[_CadrePlan] = []
        updates: list[_CadrePlan] = []
        for plan in self.cadre_plans:
            if plan.cadre.unit_id is None:
                plan.cadre.unit_id = unit_ids[plan.unit_name]
            if plan.existing is None:
                creates.append(plan)
            elif plan.changed or plan.experience_changed:
                updates.append(plan)
        for plan in self.touched_plans:
            if plan.row is None:  # a cadre named only in the 履历 sheet
                updates.append(plan)
        self._check_versions(updates)
        stamp = now
        _insert(
            Cadre,
            [*_WRITE_ATTRS, "version", "created_at", "updated_at"],
            ([*(_stored(p.cadre, a) for a in _WRITE_ATTRS), 1, stamp, stamp] for p in creates),
            len(creates),
            lambda done, total: self.progress(_("写入干部"), done, total),
        )
        by_code = {p.cadre.code: p for p in creates}
        codes = list(by_code)
        for chunk in _chunks(codes):
            for code, pk in Cadre.objects.filter(code__in=chunk).values_list("code", "pk"):
                by_code[code].cadre.pk = pk
        self._update_cadres(updates, now)
        _delete_experience(self.experience_deletes, lambda done, total: self.progress(_("删除旧履历"), done, total))

        def experience_rows():
            for plan, entry, unit_name in self.experience_inserts:
                unit_id = unit_ids[unit_name] if entry.unit_id == -1 else entry.unit_id
                yield [plan.cadre.pk, entry.start, entry.end, unit_id, entry.unit_name, entry.post_title, entry.kind,
                       entry.note]  # fmt: skip

        _insert(
            Experience,
            ["cadre_id", *EXPERIENCE_ATTRS],
            experience_rows(),
            len(self.experience_inserts),
            lambda done, total: self.progress(_("写入履历"), done, total),
        )
        # The derived Cadre.first_rural_start (cadres.derived): these writes bypass Experience.save().
        changed = {plan.cadre.pk for plan, _entry, _unit in self.experience_inserts}
        refresh_first_rural_start(cadre_ids=changed | {plan.cadre.pk for plan in self.touched_plans})
        if self.relevelled_units:
            refresh_first_rural_start_for_units(self.relevelled_units)

    def _write_units(self) -> None:
        plans = [p for p in self.unit_plans.values() if p.changed]
        if not plans:
            return

        # Create parents before children: order new units by their depth within the file.
        def depth(name: str) -> int:
            d, cursor = 0, self._parent_of(name)
            while cursor in self.unit_plans and self.unit_plans[cursor].existing is None and d < 64:
                d += 1
                cursor = self._parent_of(cursor)
            return d

        levels: dict[int, list[_UnitPlan]] = defaultdict(list)
        for plan in plans:
            if plan.existing is None:
                levels[depth(plan.name)].append(plan)
        for level in sorted(levels):  # one INSERT batch per depth: parents get their ids first
            created = []
            for plan in levels[level]:
                parent_name = self._parent_of(plan.name)
                parent = self.units_by_name.get(parent_name) if parent_name else None
                created.append(Unit(name=plan.name, parent_id=parent["id"] if parent else None, **plan.attrs))
            Unit.objects.bulk_create(created, batch_size=200)
            if any(unit.pk is None for unit in created):  # a backend that does not return ids
                ids = dict(Unit.objects.filter(name__in=[u.name for u in created]).values_list("name", "pk"))
                for unit in created:
                    unit.pk = ids[unit.name]
            for plan, unit in zip(levels[level], created, strict=True):
                values = {"id": unit.pk, "name": unit.name, "path": "", "parent_id": unit.parent_id, **plan.attrs}
                self.units_by_name[plan.name] = values
                self.units_by_id[unit.pk] = values
        changed_units = []
        for plan in plans:
            if plan.existing is None:
                continue
            unit = Unit(**{k: v for k, v in plan.existing.items() if k != "path"})
            unit.path = plan.existing["path"]
            for key, value in plan.attrs.items():
                setattr(unit, key, value)
            parent_name = self._parent_of(plan.name)
            unit.parent_id = self.units_by_name[parent_name]["id"] if parent_name else None
            changed_units.append(unit)
            if plan.attrs.get("level", plan.existing["level"]) != plan.existing["level"]:
                self.relevelled_units.append(unit.pk)
            plan.existing.update(plan.attrs, parent_id=unit.parent_id)
        if changed_units:
            Unit.objects.bulk_update(changed_units, [a for a in UNIT_ATTRS if a != "name"], batch_size=200)
        _recompute_tree()

    def _check_versions(self, plans: list[_CadrePlan]) -> None:
        expected = {p.cadre.pk: p.existing["version"] for p in plans}
        found = 0
        for chunk in _chunks(list(expected)):
            for pk, version in Cadre.objects.filter(pk__in=chunk).values_list("pk", "version"):
                found += 1
                if expected[pk] != version:
                    raise _Stale()
        if found != len(expected):
            raise _Stale()

    def _update_cadres(self, plans: list[_CadrePlan], now: dt.datetime) -> None:
        if not plans:
            return
        ops = connection.ops
        table = ops.quote_name(Cadre._meta.db_table)
        columns = [*_WRITE_ATTRS, "version", "updated_at"]
        if connection.vendor == "postgresql":
            self._update_cadres_postgresql(plans, now, table, columns)
            return
        assignments = ", ".join(f"{ops.quote_name(Cadre._meta.get_field(a).column)} = %s" for a in columns)
        sql = f"UPDATE {table} SET {assignments} WHERE {ops.quote_name('id')} = %s"  # noqa: S608 - names are ours
        stamp = ops.adapt_datetimefield_value(now)
        params = []
        for plan in plans:
            cadre = plan.cadre
            row = []
            for attr in _WRITE_ATTRS:
                value = _stored(cadre, attr)
                if attr in _DATE_ATTRS:
                    value = ops.adapt_datefield_value(value)
                row.append(value)
            row.extend([plan.existing["version"] + 1, stamp, cadre.pk])
            params.append(row)
        with connection.cursor() as cursor:
            total = len(params)
            for n, chunk in enumerate(_chunks(params, 5000)):
                cursor.executemany(sql, chunk)
                self.progress(_("更新干部"), min((n + 1) * 5000, total), total)

    def _update_cadres_postgresql(self, plans: list[_CadrePlan], now: dt.datetime, table: str, columns) -> None:
        """COPY the new values into a temporary table, then one UPDATE … FROM joins them in."""
        ops = connection.ops
        names = [Cadre._meta.get_field(a).column for a in columns]
        quoted = [ops.quote_name(n) for n in names]
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE miaopu_import_cadre ON COMMIT DROP AS "  # noqa: S608 - names are ours
                f"SELECT {ops.quote_name('id')}, {', '.join(quoted)} FROM {table} WITH NO DATA"
            )
        rows = (
            [plan.cadre.pk, *(_stored(plan.cadre, a) for a in _WRITE_ATTRS), plan.existing["version"] + 1, now]
            for plan in plans
        )
        _copy(
            sql_table="miaopu_import_cadre",
            columns=", ".join([ops.quote_name("id"), *quoted]),
            rows=rows,
            total=len(plans),
            progress=lambda done, total: self.progress(_("更新干部"), done, total),
        )
        assignments = ", ".join(f"{q} = t.{q}" for q in quoted)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS c SET {assignments} FROM miaopu_import_cadre AS t "  # noqa: S608
                f"WHERE c.{ops.quote_name('id')} = t.{ops.quote_name('id')}"
            )
            cursor.execute("DROP TABLE miaopu_import_cadre")


class _Stale(Exception):
    """Someone changed a cadre between validation and writing."""


def _insert(model, attrs: list[str], rows: Iterable[list], total: int, progress, chunk: int = 5000) -> None:
    """INSERT many rows with one prepared statement (executemany), several times faster than bulk_create.

    bulk_create compiles every batch through the ORM (and SQLite allows only ~26 cadre rows per statement);
    the rows here are already validated and typed, so only dates and datetimes need the backend's
    adaptation.
    """
    if not total:
        return
    ops = connection.ops
    fields = [model._meta.get_field(a) for a in attrs]
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    if connection.vendor == "postgresql":
        _copy(
            sql_table=ops.quote_name(model._meta.db_table), columns=columns, rows=rows, total=total, progress=progress
        )
        return
    adapt = []
    for position, f in enumerate(fields):
        kind = f.get_internal_type()
        if kind == "DateTimeField":
            adapt.append((position, ops.adapt_datetimefield_value))
        elif kind == "DateField":
            adapt.append((position, ops.adapt_datefield_value))
    batch: list[list] = []
    done = 0
    with connection.cursor() as cursor:
        for row in rows:
            for position, function in adapt:
                if row[position] is not None:
                    row[position] = function(row[position])
            batch.append(row)
            if len(batch) >= chunk:
                cursor.executemany(sql, batch)
                done += len(batch)
                batch = []
                progress(done, total)
        if batch:
            cursor.executemany(sql, batch)
            done += len(batch)
        progress(done, total)


def _delete_experience(pks: list[int], progress) -> None:
    """Delete experience rows in large batches, honouring what other apps' foreign keys ask for.

    References with SET_NULL (a placement that wrote the entry) are cleared with one UPDATE per batch and
    the rows are then deleted directly; only a reference with another rule falls back to the ORM's
    per-batch collector.
    """
    from django.db import models

    if not pks:
        return
    size = 900 if connection.vendor == "sqlite" else 10000
    relations = [r for r in Experience._meta.related_objects if r.field.many_to_one or r.field.one_to_one]
    simple = all(r.on_delete is models.SET_NULL or r.on_delete is models.DO_NOTHING for r in relations)
    for done, chunk in enumerate(_chunks(pks, size), start=1):
        if not simple:
            Experience.objects.filter(pk__in=chunk).delete()
        else:
            for relation in relations:
                if relation.on_delete is models.SET_NULL:
                    name = relation.field.name
                    relation.related_model._base_manager.filter(**{f"{name}__in": chunk}).update(**{name: None})
            Experience.objects.filter(pk__in=chunk)._raw_delete(Experience.objects.db)
        progress(min(done * size, len(pks)), len(pks))


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, dt.date):  # dates and (aware) datetimes
        return value.isoformat()
    return str(value)


def _copy(*, sql_table: str, columns: str, rows: Iterable[list], total: int, progress, chunk: int = 20000) -> None:
    """PostgreSQL: COPY … FROM STDIN in text format, written in large blocks (an order of magnitude faster
    than INSERTs, and several times faster than psycopg's per-value ``write_row``)."""
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # the psycopg cursor: Django's wrapper has no copy()
        with cursor.copy(f"COPY {sql_table} ({columns}) FROM STDIN") as copy:  # noqa: S608 - names are ours
            lines: list[str] = []
            done = 0
            for row in rows:
                lines.append("\t".join([_copy_text(v) for v in row]))
                if len(lines) >= chunk:
                    copy.write("\n".join(lines) + "\n")
                    done += len(lines)
                    lines = []
                    progress(done, total)
            if lines:
                copy.write("\n".join(lines) + "\n")
    progress(total, total)


_DATE_ATTRS = {c.field for c in CADRES.columns if c.kind == "date"}
#: cadre_errors checks that would fire only because another cell was unreadable (blanked before checking).
_DEPENDS_ON = {"party_join_date": {"political_status"}}
_COMPARE_ATTRS = [*CADRE_ATTRS, "post_id"]
_UPDATE_ATTRS = [*CADRE_ATTRS, "post_id"]
#: What the raw INSERT/UPDATE statements write: the attributes plus the ID number's blind index.
_WRITE_ATTRS = [*_UPDATE_ATTRS, "id_number_index"]
_ID_NUMBER_FIELD = Cadre._meta.get_field("id_number")


def _stored(cadre, attr: str):
    """The value the raw SQL writes for ``attr``: the ID number as its SM4-GCM envelope (these statements bypass
    the model field), its blind index computed from the plaintext, everything else as it is."""
    if attr == "id_number":
        return _ID_NUMBER_FIELD.get_prep_value(cadre.id_number)
    if attr == "id_number_index":
        return blind_index(cadre.id_number, "id_number")
    return getattr(cadre, attr)


def _recompute_tree() -> None:
    """path, depth and district of every unit from the parent links (the same rules as units.services)."""
    rows = list(Unit.objects.values_list("id", "parent_id", "level", "path", "depth", "district_id"))
    children: dict[int | None, list[tuple]] = defaultdict(list)
    for row in rows:
        children[row[1]].append(row)
    changed = []
    stack = [(row, "", -1, None, None) for row in children[None]]
    while stack:
        (pk, _parent, level, path, depth, district), parent_path, parent_depth, parent_level, parent_district = (
            stack.pop()
        )
        new_path = f"{parent_path}{pk:0{PATH_SEGMENT}d}/"
        new_depth = parent_depth + 1
        if level == UnitLevel.COUNTY:
            new_district = pk
        else:
            new_district = parent_district if parent_level is not None and parent_level != UnitLevel.CITY else None
        if (new_path, new_depth, new_district) != (path, depth, district):
            changed.append(Unit(pk=pk, path=new_path, depth=new_depth, district_id=new_district))
        for child in children[pk]:
            stack.append((child, new_path, new_depth, level, new_district))
    if changed:
        ops = connection.ops
        sql = (
            f"UPDATE {ops.quote_name(Unit._meta.db_table)} SET {ops.quote_name('path')} = %s, "  # noqa: S608
            f"{ops.quote_name('depth')} = %s, {ops.quote_name('district_id')} = %s WHERE {ops.quote_name('id')} = %s"
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, [[u.path, u.depth, u.district_id, u.pk] for u in changed])


def roster_import(
    *,
    actor: Actor,
    data: bytes | None = None,
    workbook: Workbook | None = None,
    file_name: str = "",
    digest_source: bytes | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    today: dt.date | None = None,
    limits: Limits | None = None,
) -> ImportReport:
    """Check and (unless ``dry_run`` or any error) import a roster; the report says what happened.

    Pass the uploaded bytes as ``data`` (the safety checks run on them), or an already opened
    ``workbook`` (the CSV folder case) with the bytes to fingerprint in ``digest_source``. Raises
    PermissionDenied for accounts that may not import; every other problem is a line in the report.
    """
    started = time.monotonic()
    require_importer(actor.user)
    report = ImportReport(file_name=file_name, dry_run=dry_run)
    fingerprint = data if data is not None else digest_source
    report.sha256 = hashlib.sha256(fingerprint).hexdigest() if fingerprint is not None else ""
    with _gc_paused():
        return _run(actor, report, data, workbook, file_name, dry_run, progress, today, limits, started)


@contextmanager
def _gc_paused():
    """Millions of small objects make Python's cyclic collector rescan the heap over and over (a 100k-row
    import spent a third of its time there). The importer builds no reference cycles worth collecting
    mid-run, so the collector waits until the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run(actor, report, data, workbook, file_name, dry_run, progress, today, limits, started) -> ImportReport:
    timings = report.timings
    mark = time.monotonic()

    def lap(stage: str) -> None:
        nonlocal mark
        now = time.monotonic()
        timings[stage] = round(now - mark, 3)
        mark = now

    if workbook is None:
        try:
            workbook = read_workbook(data or b"", file_name, limits or limits_from_settings())
        except UnsafeFile as exc:
            report.error(_("文件"), str(exc))
            return report
    lap("open")
    importer = RosterImporter(actor, report, dry_run=dry_run, progress=progress, today=today)
    importer.read(workbook)
    lap("read")
    if report.errors and not importer.sheets:
        return report
    importer.load_units()
    importer.plan_units()
    lap("units")
    importer.plan_cadres()
    lap("cadres")
    importer.plan_experience()
    lap("experience")
    report.seconds = time.monotonic() - started
    order = {_("文件"): 0, UNITS.name: 1, CADRES.name: 2, EXPERIENCE.name: 3}
    report.issues.sort(key=lambda i: (order.get(i.sheet, 9), i.row or 0, len(i.column), i.column))
    if report.errors or dry_run:
        if report.errors:
            report.counts = {}
        return report
    try:
        with transaction.atomic():
            importer.write()
            event = record(
                actor,
                category=AuditCategory.CHANGE,
                action=AuditAction.IMPORT,
                obj="exchange.roster",
                object_repr=file_name[:200],
                detail=report.audit_detail(),
            )
    except _Stale:
        report.counts = {}
        report.error(_("文件"), _("导入期间有人修改了其中的干部信息，本次没有写入任何数据。请重新导入。"))
        return report
    except IntegrityError as exc:
        report.counts = {}
        report.error(
            _("文件"), _("写入时与系统中的数据冲突（%(why)s），本次没有写入任何数据。请重新导入。") % {"why": exc}
        )
        return report
    lap("write")
    report.written = True
    report.audit_id = event.pk
    report.seconds = time.monotonic() - started
    return report
