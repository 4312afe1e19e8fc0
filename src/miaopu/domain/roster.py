"""The roster workbook (干部名册) contract and the cell-level rules for reading it.

The workbook is a public format: organization departments fill it in Excel or WPS and exchange it
between units. Its three sheets and their columns are declared here *as data* (:data:`SHEETS`), so the
importer, the exporter, the template download and the documentation (``docs/roster-format.md``) all
read one definition and cannot drift apart.

Cells arrive from a spreadsheet reader as ``str``, ``int``, ``float``, ``bool``, ``date``/``datetime``
or empty; people type dates in half a dozen ways and often with a Chinese input method (full-width
digits, ideographic spaces). Everything here is pure Python: normalise a cell, parse a date, map a
header row, parse one row into field values plus a message per bad cell. Cross-row and database checks
(unknown units, duplicate keys, scope) belong to the app layer.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from miaopu.domain.vocab import (
    CadreStatus,
    Degree,
    Education,
    ExperienceKind,
    Gender,
    Hukou,
    LeadershipLevel,
    PoliticalStatus,
    PostCategory,
    Rank,
    Source,
    UnitKind,
    UnitLevel,
    Vocab,
)

__all__ = [
    "CADRES",
    "EXPERIENCE",
    "SHEETS",
    "UNITS",
    "CellError",
    "Column",
    "DateError",
    "HeaderMap",
    "ParsedRow",
    "SheetSpec",
    "column_letter",
    "format_cell",
    "join_list",
    "map_headers",
    "normalize_text",
    "parse_date",
    "parse_row",
    "split_list",
]

ColumnKind = Literal["text", "date", "choice", "bool", "int", "list", "id_number"]

# Full-width digits (０-９) and the ideographic space fold to ASCII; other full-width characters stay, so
# a name written with full-width letters is kept as typed. Invisible characters that sneak in from web
# pages and Word (zero-width space, BOM, word joiner) are dropped; no-break spaces become spaces.
_DIGITS_AND_SPACES = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)} | {0x3000: 0x20, 0xA0: 0x20}
_INVISIBLE = {0x200B: None, 0x200C: None, 0x200D: None, 0x2060: None, 0xFEFF: None}
_TEXT_TABLE = str.maketrans(_DIGITS_AND_SPACES | _INVISIBLE)
# Dates may also be typed with full-width punctuation (２０２４．０１／０５, 2024－01－05).
_DATE_TABLE = str.maketrans({code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xA0: 0x20})

# Excel's day 0 is 1899-12-30 once the fictitious 1900-02-29 (serial 60) is skipped; only serials above
# 60 are meaningful for personnel dates.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MAX_SERIAL = 73050  # 2099-12-31: larger numbers are not plausible serials (202401 is YYYYMM, not year 2454)

DATE_FORMATS_HINT = "2024-01-05、2024.01.05、2024/01/05、2024.01 或 202401"


def normalize_text(value: Any) -> str:
    """A cell as trimmed text with full-width digits and spaces folded; ``""`` for an empty cell.

    Numbers that Excel stored for a text column (人员编号 ``1001`` typed without a leading quote) come back
    without a spurious ``.0``.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).translate(_TEXT_TABLE).strip()


class DateError(ValueError):
    """A value that cannot be read as a date; the message says why and what to type instead."""


def _make_date(year: int, month: int, day: int, original: str) -> dt.date:
    if not 1 <= month <= 12:
        raise DateError(f"“{original}”不是有效日期：月份应为 1–12")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateError(f"“{original}”不是有效日期：{year} 年 {month} 月没有 {day} 日") from None


_DATE_PATTERNS = (
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})\.(?P<m>\d{1,2})\.(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?"),
    re.compile(r"(?P<y>\d{4})[.\-/](?P<m>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})?"),
    # What other systems' exports put in a text cell: ISO date-times.
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"),
)


def _parse_number(value: float) -> dt.date:
    text = normalize_text(value)
    if not math.isfinite(value) or value <= 0:
        raise DateError(f"“{text}”不是有效日期；可填 {DATE_FORMATS_HINT}")
    if value.is_integer():
        number = int(value)
        if 1900 <= number <= 2100:
            raise DateError(f"“{text}”只有年份，请填到月份，如 {number}.01")
        if 190001 <= number <= 210012:  # YYYYMM typed into a number cell
            return _make_date(number // 100, number % 100, 1, text)
        if 19000101 <= number <= 21001231:  # YYYYMMDD
            return _make_date(number // 10000, number // 100 % 100, number % 100, text)
        if 60 < number <= _MAX_SERIAL:
            return _EXCEL_EPOCH + dt.timedelta(days=number)
        raise DateError(f"“{text}”不是有效日期；可填 {DATE_FORMATS_HINT}")
    # 2024.05 typed into a number cell arrives as the float 2024.05; 2024.10 arrives as 2024.1, which
    # cannot be told apart from a January typed as 2024.1, so that single case is refused.
    year = int(value)
    if 1900 <= year <= 2100:
        decimals = text.split(".", 1)[1] if "." in text else ""
        if len(decimals) == 2:
            return _make_date(year, int(decimals), 1, text)
        if len(decimals) == 1:
            if decimals == "1":
                raise DateError(
                    f"数字 {text} 可能是 {year} 年 1 月，也可能是被 Excel 去掉末尾 0 的 {year}.10；"
                    f"请把该列设为“文本”格式后填写 {year}.01 或 {year}.10"
                )
            return _make_date(year, int(decimals), 1, text)
    if 60 < value <= _MAX_SERIAL:  # a date-time serial
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    raise DateError(f"“{text}”不是有效日期；可填 {DATE_FORMATS_HINT}")


def parse_date(value: Any) -> dt.date | None:
    """Read a date cell; ``None`` for an empty cell, :class:`DateError` for anything unreadable.

    Accepted: spreadsheet dates, Excel serial numbers, ``YYYY-MM-DD``, ``YYYY.MM.DD``, ``YYYY/MM/DD``,
    ``YYYY年MM月DD日``, and the month-only forms ``YYYY.MM``, ``YYYY-MM``, ``YYYY/MM``, ``YYYY年MM月`` and
    ``YYYYMM`` (meaning the 1st of that month), plus ``YYYYMMDD``.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise DateError(f"“{normalize_text(value)}”不是日期")
    if isinstance(value, int | float):
        return _parse_number(float(value))
    text = str(value).translate(_DATE_TABLE).translate(_TEXT_TABLE).strip()
    if not text:
        return None
    compact = re.sub(r"\s+", "", text)
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(compact) or pattern.fullmatch(text)
        if match:
            day = match.groupdict().get("d")
            return _make_date(int(match["y"]), int(match["m"]), int(day) if day else 1, text)
    raise DateError(f"“{text}”不是有效日期；可填 {DATE_FORMATS_HINT}")


_LIST_SPLIT = re.compile(r"[、;；,，]+")


def split_list(text: str) -> list[str]:
    """专业特长 and similar lists: separated by 、 or ; (also the full-width ；and commas)."""
    return [part.strip() for part in _LIST_SPLIT.split(text or "") if part.strip()]


def join_list(items: Sequence[str]) -> str:
    return "、".join(items)


_TRUE = frozenset({"是", "y", "yes", "true", "1", "√", "偏远"})
_FALSE = frozenset({"否", "n", "no", "false", "0", "×", ""})


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, the model field it fills, and how a cell is read.

    ``required`` columns must be present in the header row *and* filled in every row. Optional columns
    that are absent leave stored values unchanged on update; optional cells that are empty clear the
    value (the workbook is the whole record), except where ``default`` gives the value for a new row.
    """

    header: str
    field: str
    kind: ColumnKind = "text"
    required: bool = False
    vocab: type[Vocab] | None = None
    max_length: int | None = None
    default: Any = None
    aliases: tuple[str, ...] = ()
    note: str = ""

    @property
    def allowed(self) -> str:
        """The labels a user may type, for messages and the documentation."""
        if self.vocab is not None:
            return "、".join(self.vocab.labels().values())
        if self.kind == "bool":
            return "是、否"
        return ""


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    note: str = ""
    #: At least one of these fields must be filled in every row (the row's key).
    one_of: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    def column(self, field_name: str) -> Column:
        for column in self.columns:
            if column.field == field_name:
                return column
        raise KeyError(field_name)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


UNITS = SheetSpec(
    "单位",
    (
        Column("单位名称", "name", required=True, max_length=100, note="全系统唯一；其他两张表用它指代单位"),
        Column("上级单位", "parent", max_length=100, note="上级单位的单位名称；根单位（市）留空"),
        Column("单位层级", "level", "choice", required=True, vocab=UnitLevel),
        Column("单位性质", "kind", "choice", vocab=UnitKind, default=UnitKind.PARTY_GOV.value),
        Column("是否偏远", "is_remote", "bool", default=False, note="是/否，留空为否"),
        Column("简称", "short_name", max_length=40),
        Column("标签", "tags", "list", max_length=200, note="以“、”分隔，如：乡村振兴、项目建设"),
        Column("排序", "sort_order", "int", default=0, note="整数，越小越靠前"),
    ),
    note="单位树。先列上级单位、后列下级单位不是必须的，导入时会自动排序。",
)

CADRES = SheetSpec(
    "干部",
    (
        Column("人员编号", "code", max_length=32, note="可空；填写时全系统唯一，作为更新已有干部的依据"),
        Column("姓名", "name", required=True, max_length=50),
        Column("性别", "gender", "choice", required=True, vocab=Gender),
        Column("民族", "ethnicity", max_length=20, default="汉族", note="留空为汉族"),
        Column("出生日期", "birth_date", "date", required=True),
        Column("籍贯", "native_place", max_length=50),
        Column("户籍", "hukou", "choice", vocab=Hukou, default=Hukou.LOCAL.value, note="留空为本地"),
        Column("身份证号", "id_number", "id_number", max_length=18, note="18 位；人员编号为空时作为更新依据"),
        Column("政治面貌", "political_status", "choice", required=True, vocab=PoliticalStatus),
        Column("入党时间", "party_join_date", "date"),
        Column("参加工作时间", "work_start_date", "date"),
        Column("进入公务员队伍时间", "civil_service_entry_date", "date"),
        Column("全日制学历", "fulltime_education", "choice", vocab=Education),
        Column("全日制学位", "fulltime_degree", "choice", vocab=Degree),
        Column("毕业院校", "fulltime_school", max_length=100),
        Column("专业", "fulltime_major", max_length=100),
        Column("在职学历", "inservice_education", "choice", vocab=Education),
        Column("在职学位", "inservice_degree", "choice", vocab=Degree),
        Column("在职教育院校", "inservice_school", max_length=100),
        Column("在职教育专业", "inservice_major", max_length=100),
        Column("干部来源", "source", "choice", vocab=Source, default=Source.CIVIL_EXAM.value, note="留空为公务员招录"),
        Column("现工作单位", "unit", required=True, max_length=100, note="单位名称（系统中已有，或本文件“单位”表中）"),
        Column("现任职务", "post_title", max_length=100),
        Column("岗位类别", "post_category", "choice", vocab=PostCategory),
        Column("职务层次", "leadership_level", "choice", vocab=LeadershipLevel),
        Column("任现职务层次时间", "leadership_level_since", "date"),
        Column("职级", "rank", "choice", vocab=Rank),
        Column("任现职级时间", "rank_since", "date"),
        Column("专业特长", "specialties", "list", max_length=300, note="以“、”或“;”分隔"),
        Column("状态", "status", "choice", vocab=CadreStatus, default=CadreStatus.ACTIVE.value, note="留空为在职"),
    ),
    note="每行一名干部。有人员编号的按人员编号更新，否则按身份证号更新，都找不到则新增。",
    one_of=("code", "id_number"),
)

EXPERIENCE = SheetSpec(
    "履历",
    (
        Column("人员编号", "code", max_length=32, note="与身份证号二选一，指向本文件或系统中的干部"),
        Column("身份证号", "id_number", "id_number", max_length=18),
        Column("起始时间", "start", "date", required=True),
        Column("终止时间", "end", "date", note="留空表示至今"),
        Column("单位", "unit", max_length=100, note="单位名称（系统中已有，或本文件“单位”表中）"),
        Column("系统外单位", "unit_name", max_length=100, note="单位不在本系统时填写，如外市单位、院校"),
        Column("职务", "post_title", max_length=100),
        Column("类型", "kind", "choice", vocab=ExperienceKind, default=ExperienceKind.POSTING.value, note="留空为任职"),
        Column("备注", "note", max_length=200),
    ),
    note="每行一段经历。文件中出现的干部，其履历以文件为准整体替换；未出现的干部履历不变。",
    one_of=("code", "id_number"),
)

#: The sheets in the order they are read and written.
SHEETS: tuple[SheetSpec, ...] = (UNITS, CADRES, EXPERIENCE)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (as Excel labels columns)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_HEADER_NOTE = re.compile(r"[（(][^（）()]*[）)]$")


def _clean_header(value: Any) -> str:
    text = normalize_text(value)
    text = text.replace("*", "").replace("＊", "")
    text = _HEADER_NOTE.sub("", text)
    return re.sub(r"\s+", "", text)


@dataclass
class HeaderMap:
    """Where each known column sits in a sheet, and what was wrong with the header row."""

    index: dict[str, int] = field(default_factory=dict)  # field → 0-based column index
    unknown: list[tuple[int, str]] = field(default_factory=list)  # ignored extra columns
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    missing: list[Column] = field(default_factory=list)  # required columns not present

    def has(self, field_name: str) -> bool:
        return field_name in self.index


def map_headers(spec: SheetSpec, header_row: Sequence[Any]) -> HeaderMap:
    """Match the first row to the sheet's columns: any order, extra columns ignored, required ones checked.

    Headers are compared after trimming and removing ``*`` marks and a trailing note in brackets, so
    ``出生日期（YYYY-MM-DD）`` and ``姓名*`` are recognised.
    """
    by_header: dict[str, Column] = {}
    for column in spec.columns:
        for name in (column.header, *column.aliases):
            by_header[_clean_header(name)] = column
    result = HeaderMap()
    for position, raw in enumerate(header_row):
        text = _clean_header(raw)
        if not text:
            continue
        column = by_header.get(text)
        if column is None:
            result.unknown.append((position, normalize_text(raw)))
        elif column.field in result.index:
            result.duplicates.append((position, normalize_text(raw)))
        else:
            result.index[column.field] = position
    result.missing = [c for c in spec.columns if c.required and c.field not in result.index]
    return result


@dataclass(frozen=True)
class CellError:
    field: str
    message: str


class ParsedRow:
    """One data row: its Excel row number, parsed values of the present columns, and per-cell problems.

    The original cells are kept as they came (``raw`` looks them up by field) for error messages.
    """

    __slots__ = ("_index", "cells", "errors", "number", "values")

    def __init__(self, number: int, values: dict[str, Any], cells: Sequence[Any], index: dict[str, int],
                 errors: list[CellError] | None = None) -> None:  # fmt: skip
        self.number = number
        self.values = values
        self.cells = cells
        self._index = index
        self.errors = errors if errors is not None else []

    @property
    def raw(self) -> _RawCells:
        return _RawCells(self.cells, self._index)


class _RawCells:
    """``row.raw[field]``: the cell as read, or None when the column is absent or the cell empty."""

    __slots__ = ("cells", "index")

    def __init__(self, cells: Sequence[Any], index: dict[str, int]) -> None:
        self.cells, self.index = cells, index

    def get(self, field_name: str, default: Any = None) -> Any:
        position = self.index.get(field_name)
        if position is None or position >= len(self.cells):
            return default
        value = self.cells[position]
        return default if value is None or value == "" else value

    def __getitem__(self, field_name: str) -> Any:
        return self.get(field_name)


def _choice_map(vocab: type[Vocab]) -> dict[str, str]:
    """Label, code and alias → code, built once per vocabulary (``from_label`` scans; this is a lookup)."""
    mapping = _CHOICE_MAPS.get(vocab)
    if mapping is None:
        mapping = {}
        for value, aliases in getattr(vocab, "_aliases", {}).items():
            mapping.update(dict.fromkeys(aliases, value))
        for value, label in vocab.labels().items():
            mapping[value] = value
            mapping[label] = value
        _CHOICE_MAPS[vocab] = mapping
    return mapping


_CHOICE_MAPS: dict[type[Vocab], dict[str, str]] = {}


def _text_of(raw: Any) -> str:
    return raw.translate(_TEXT_TABLE).strip() if type(raw) is str else normalize_text(raw)


def _converter(column: Column):  # noqa: C901 - one small closure per column kind
    """A function turning a non-empty cell into the model value, raising ValueError with the user's message.

    Built once per column and sheet: the importer calls these millions of times for a large roster.
    """
    kind = column.kind
    default = column.default
    limit = column.max_length

    def checked(text: str) -> str:
        if limit and len(text) > limit:
            raise ValueError(f"太长：最多 {limit} 个字，实有 {len(text)} 个字")
        return text

    if kind == "date":

        def convert(raw):
            if type(raw) is dt.date:
                return raw
            return parse_date(raw)

    elif kind == "choice":
        assert column.vocab is not None
        mapping = _choice_map(column.vocab)
        empty = default if default is not None else ""

        def convert(raw):
            text = _text_of(raw)
            if not text:
                return empty
            code = mapping.get(text)
            if code is None:
                raise ValueError(f"不是有效的{column.header}，可填：{column.allowed}")
            return code

    elif kind == "bool":

        def convert(raw):
            lowered = _text_of(raw).lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise ValueError("请填“是”或“否”")

    elif kind == "int":

        def convert(raw):
            text = _text_of(raw)
            if not text:
                return default if default is not None else 0
            try:
                return int(text)
            except ValueError:
                raise ValueError("请填整数") from None

    elif kind == "list":

        def convert(raw):
            text = join_list(split_list(_text_of(raw)))
            return checked(text or (default or ""))

    elif kind == "id_number":
        from miaopu.domain.idcard import normalize_id_number

        def convert(raw):
            if isinstance(raw, int | float) and not isinstance(raw, bool):
                if isinstance(raw, float) and not raw.is_integer():
                    raise ValueError("身份证号被存成了数字，末几位已丢失；请把该列设为“文本”格式后重新填写")
                if abs(raw) >= 1e15:
                    raise ValueError(
                        "身份证号被 Excel 存成了数字，末几位可能已变成 0；请把该列设为“文本”格式后重新填写"
                    )
            return checked(normalize_id_number(_text_of(raw)))

    else:

        def convert(raw):
            text = _text_of(raw)
            if not text and default is not None:
                return default
            return checked(text)

    return convert


def _parse_cell(column: Column, raw: Any) -> Any:
    """A cell's value for the model, or raise ValueError with a message for the user."""
    return _converter(column)(raw)


def _plan(spec: SheetSpec, headers: HeaderMap) -> list[tuple[str, int, Column, Any]]:
    plan = headers.__dict__.get("_plan")
    if plan is None:
        by_field = {c.field: c for c in spec.columns}
        plan = [(name, pos, by_field[name], _converter(by_field[name])) for name, pos in headers.index.items()]
        headers.__dict__["_plan"] = plan
    return plan


def parse_row(spec: SheetSpec, headers: HeaderMap, number: int, cells: Sequence[Any]) -> ParsedRow | None:
    """Read one data row; ``None`` for a row with nothing in any known column (blank rows are skipped)."""
    plan = _plan(spec, headers)
    width = len(cells)
    values: dict[str, Any] = {}
    errors: list[CellError] = []
    empty = True
    for field_name, position, column, convert in plan:
        value = cells[position] if position < width else None
        if value is None or value == "" or (type(value) is str and not value.strip()):
            value = ""
        else:
            empty = False
        try:
            parsed = convert(value)
        except ValueError as exc:
            errors.append(CellError(field_name, str(exc)))
            continue
        if column.required and (parsed is None or parsed == ""):
            errors.append(CellError(field_name, f"{column.header}不能为空"))
            continue
        values[field_name] = parsed
    if empty:
        return None
    if spec.one_of and not any(values.get(name) for name in spec.one_of):
        if not any(e.field in spec.one_of for e in errors):
            headers_text = "或".join(spec.column(n).header for n in spec.one_of)
            errors.append(CellError(spec.one_of[0], f"请填写{headers_text}（用于确定是哪一名干部）"))
    return ParsedRow(number, values, cells, headers.index, errors)


def format_cell(column: Column, value: Any) -> Any:
    """A stored value as the workbook shows it: labels for choices, 是/否, dates as dates, text as text."""
    if value is None or value == "":
        return None
    if column.kind == "choice":
        assert column.vocab is not None
        return column.vocab.labels().get(value, value)
    if column.kind == "bool":
        return "是" if value else "否"
    if column.kind == "list":
        return join_list(split_list(value))
    return value
