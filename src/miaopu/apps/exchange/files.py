"""Reading uploaded files without trusting them.

A roster or a batch of 任免审批表 arrives from outside the organization department, so before any
parser sees a byte we check what the file really is and what it would cost to open:

- size cap on the file itself;
- magic bytes: an .xlsx must be a zip holding ``[Content_Types].xml`` and ``xl/workbook.xml`` (an old
  .xls, an encrypted workbook or a renamed file is refused with a message saying what to do);
- macro workbooks (``xl/vbaProject.bin`` or a macro-enabled content type) are refused;
- zip bombs: entry count, per-entry and total uncompressed size and compression ratio are capped. The
  zip directory is checked first, then every entry is actually decompressed with a running count, so a
  directory that lies about sizes is caught while reading, before the spreadsheet reader opens it;
- XML entity tricks (billion laughs, external entities): no XML part may carry a DOCTYPE; LRMX files are
  parsed with defusedxml.

Nothing here touches the database; the limits come from :class:`Limits` (see ``limits_from_settings``).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

MB = 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls/.doc, and encrypted OOXML files

#: The CSV alternative to the workbook: one UTF-8 file per sheet.
CSV_NAMES = ("单位.csv", "干部.csv", "履历.csv")


class UnsafeFile(ValueError):
    """The file was refused before parsing; the message tells the user what is wrong and what to do."""


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 50 * MB
    max_entries: int = 2000
    max_entry_bytes: int = 512 * MB
    max_total_bytes: int = 1024 * MB
    max_ratio: int = 200
    #: The ratio cap applies to entries at least this large (tiny XML parts compress oddly but harmlessly).
    ratio_floor_bytes: int = 1 * MB
    max_xml_prolog: int = 64 * 1024


def limits_from_settings() -> Limits:
    """Limits from ``settings.MIAOPU["IMPORT_LIMITS"]`` (a dict of Limits fields), defaults otherwise."""
    from django.conf import settings

    overrides = dict(getattr(settings, "MIAOPU", {}).get("IMPORT_LIMITS", {}) or {})
    if "max_file_bytes" not in overrides and os.environ.get("MIAOPU_IMPORT_MAX_MB"):
        overrides["max_file_bytes"] = int(os.environ["MIAOPU_IMPORT_MAX_MB"]) * MB
    return Limits(**overrides)


def _mb(n: int) -> str:
    return f"{n / MB:.0f} MB" if n >= MB else f"{n} 字节"


def check_size(size: int, limits: Limits) -> None:
    if size > limits.max_file_bytes:
        raise UnsafeFile(
            _("文件太大（%(size)s），上限为 %(cap)s。请拆分后分批导入。")
            % {"size": _mb(size), "cap": _mb(limits.max_file_bytes)}
        )


_PROLOG_ITEM = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->", re.S)


def _xml_prolog_ok(head: bytes, limits: Limits) -> bool:
    """True when the XML in ``head`` reaches its root element without a DOCTYPE (so no entities).

    Walks the prolog item by item (XML declaration, comments, processing instructions, whitespace)
    so a DOCTYPE cannot hide behind a comment; a prolog longer than the cap is refused.
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    pos = 0
    while pos < len(text):
        match = _PROLOG_ITEM.match(text, pos)
        if match:
            pos = match.end()
            continue
        rest = text[pos : pos + 9].upper()
        if rest.startswith("<!DOCTYPE") or rest.startswith("<!ENTITY"):
            return False
        return text.startswith("<", pos) and not text.startswith("<!", pos)
    return len(head) < limits.max_xml_prolog  # a complete, empty document is harmless


def inspect_zip(data: bytes, limits: Limits, *, what: str) -> zipfile.ZipFile:
    """Open ``data`` as a zip after checking its directory and decompressing every entry under caps."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnsafeFile(_("%(what)s已损坏，无法打开（%(why)s）。") % {"what": what, "why": exc}) from exc
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise UnsafeFile(
            _("%(what)s内含 %(n)s 个文件，超过上限 %(cap)s，疑似压缩炸弹，已拒绝。")
            % {"what": what, "n": len(infos), "cap": limits.max_entries}
        )
    declared = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise UnsafeFile(_("%(what)s已加密，请取消密码后再导入。") % {"what": what})
        _check_entry_size(info.filename, info.file_size, info.compress_size, limits, what)
        declared += info.file_size
        if declared > limits.max_total_bytes:
            raise _bomb(what, limits)
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        size = 0
        head = b""
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(1024 * 1024):
                    if len(head) < limits.max_xml_prolog:
                        head += chunk[: limits.max_xml_prolog - len(head)]
                    size += len(chunk)
                    total += len(chunk)
                    _check_entry_size(info.filename, size, info.compress_size, limits, what)
                    if total > limits.max_total_bytes:
                        raise _bomb(what, limits)
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            raise UnsafeFile(
                _("%(what)s中的“%(name)s”已损坏（%(why)s）。") % {"what": what, "name": info.filename, "why": exc}
            ) from exc
        if info.filename.lower().endswith((".xml", ".rels", ".lrmx")) and not _xml_prolog_ok(head, limits):
            raise UnsafeFile(
                _("%(what)s中的“%(name)s”含有 DOCTYPE/实体声明（可被用来攻击解析程序），已拒绝。")
                % {"what": what, "name": info.filename}
            )
    return archive


def _bomb(what: str, limits: Limits) -> UnsafeFile:
    return UnsafeFile(
        _("%(what)s解压后超过 %(cap)s，疑似压缩炸弹，已拒绝。") % {"what": what, "cap": _mb(limits.max_total_bytes)}
    )


def _check_entry_size(name: str, size: int, compressed: int, limits: Limits, what: str) -> None:
    if size > limits.max_entry_bytes:
        raise UnsafeFile(
            _("%(what)s中的“%(name)s”解压后超过 %(cap)s，疑似压缩炸弹，已拒绝。")
            % {"what": what, "name": name, "cap": _mb(limits.max_entry_bytes)}
        )
    if size >= limits.ratio_floor_bytes and size > limits.max_ratio * max(compressed, 1):
        raise UnsafeFile(
            _("%(what)s中的“%(name)s”压缩比超过 %(ratio)s 倍，疑似压缩炸弹，已拒绝。")
            % {"what": what, "name": name, "ratio": limits.max_ratio}
        )


def zip_member_name(info: zipfile.ZipInfo) -> str:
    """The member's real name: zips made on Chinese Windows store GBK names without the UTF-8 flag."""
    name = info.filename
    if info.flag_bits & 0x800:
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


# --- workbooks --------------------------------------------------------------------------------------------

Rows = list[list[Any]]


@dataclass
class Workbook:
    """The sheets of an uploaded roster, as rows of cell values (the first row is the header)."""

    sheets: dict[str, Rows]
    kind: str  # "xlsx" | "csv"


def sniff_kind(data: bytes, name: str = "") -> str:
    """ "xlsx", "zip" (a zip that is not a workbook: CSV or LRMX bundle) or a refusal."""
    if data.startswith(OLE2_MAGIC):
        raise UnsafeFile(
            _("这是旧版 Excel（.xls）文件或加了密码的工作簿。请在 Excel 中取消密码并“另存为 .xlsx”后再导入。")
        )
    if data.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        return "zip"
    raise UnsafeFile(
        _("“%(name)s”不是 .xlsx 工作簿（文件头不符）。") % {"name": name or _("文件")}
        + _("请上传 Excel 2007 及以后版本保存的 .xlsx 文件，或三个 UTF-8 CSV 文件的压缩包。")
    )


def _is_workbook(archive: zipfile.ZipFile) -> bool:
    names = set(archive.namelist())
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


def _refuse_macros(archive: zipfile.ZipFile) -> None:
    names = {n.lower() for n in archive.namelist()}
    content_types = archive.read("[Content_Types].xml").decode("utf-8", errors="replace").lower()
    if any(n.endswith("vbaproject.bin") for n in names) or "macroenabled" in content_types:
        raise UnsafeFile(_("这是含宏的工作簿（.xlsm/.xlsb），出于安全考虑不予导入。请另存为不含宏的 .xlsx 后再导入。"))
    if "xl/workbook.bin" in names or "binary.macroenabled" in content_types:
        raise UnsafeFile(_("这是二进制工作簿（.xlsb）。请另存为 .xlsx 后再导入。"))


def read_workbook(data: bytes, name: str, limits: Limits) -> Workbook:
    """Open an uploaded roster (.xlsx, or a zip of the three CSV files) after the safety checks."""
    check_size(len(data), limits)
    sniff_kind(data, name)
    archive = inspect_zip(data, limits, what=_("文件"))
    if _is_workbook(archive):
        _refuse_macros(archive)
        return Workbook(sheets=_read_xlsx(data), kind="xlsx")
    files: dict[str, bytes] = {}
    for info in archive.infolist():
        if info.is_dir():
            continue
        base = zip_member_name(info).replace("\\", "/").rsplit("/", 1)[-1]
        if base in CSV_NAMES:
            files[base] = archive.read(info)
    if not files:
        if any(n.lower().endswith(".xlsm") for n in archive.namelist()):
            raise UnsafeFile(_("压缩包里是含宏的工作簿，不予导入。"))
        raise UnsafeFile(
            _("压缩包中既不是 .xlsx 工作簿，也没有 %(names)s。请检查文件。") % {"names": "、".join(CSV_NAMES)}
        )
    return read_csv_files(files)


def _read_xlsx(data: bytes) -> dict[str, Rows]:
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets: dict[str, Rows] = {}
        for sheet_name in book.sheet_names:
            sheets[sheet_name.strip()] = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        return sheets
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise UnsafeFile(_("工作簿无法读取（%(why)s）。请用 Excel 打开后重新保存为 .xlsx。") % {"why": exc}) from exc


def read_csv_files(files: dict[str, bytes]) -> Workbook:
    """The CSV alternative: ``单位.csv``, ``干部.csv``, ``履历.csv`` in UTF-8 (with or without BOM)."""
    sheets: dict[str, Rows] = {}
    for file_name, payload in files.items():
        try:
            text = payload.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UnsafeFile(
                _("“%(name)s”不是 UTF-8 编码。请在 Excel 中选“另存为 → CSV UTF-8（逗号分隔）”后再导入。")
                % {"name": file_name}
            ) from exc
        sheets[file_name[: -len(".csv")]] = [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    return Workbook(sheets=sheets, kind="csv")


def read_csv_folder(folder: Path, limits: Limits) -> tuple[Workbook, bytes]:
    """A folder holding the three CSV files; returns the workbook and the bytes hashed for the audit record."""
    files: dict[str, bytes] = {}
    for csv_name in CSV_NAMES:
        path = folder / csv_name
        if path.exists():
            check_size(path.stat().st_size, limits)
            files[csv_name] = path.read_bytes()
    if not files:
        raise UnsafeFile(_("文件夹中没有 %(names)s。") % {"names": "、".join(CSV_NAMES)})
    check_size(sum(len(b) for b in files.values()), limits)
    return read_csv_files(files), b"".join(files[n] for n in CSV_NAMES if n in files)


# --- LRMX bundles -----------------------------------------------------------------------------------------


def read_lrmx_files(items: Iterable[tuple[str, bytes]], limits: Limits) -> list[tuple[str, bytes]]:
    """Expand uploads into (name, xml bytes) pairs: plain .lrmx files and zips of them."""
    out: list[tuple[str, bytes]] = []
    total = 0
    for name, data in items:
        check_size(len(data), limits)
        total += len(data)
        check_size(total, limits)
        if data.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
            archive = inspect_zip(data, limits, what=_("压缩包“%(name)s”") % {"name": name})
            for info in archive.infolist():
                member = zip_member_name(info)
                if info.is_dir() or not member.lower().endswith(".lrmx"):
                    continue
                out.append((member.replace("\\", "/").rsplit("/", 1)[-1], archive.read(info)))
            continue
        if data.startswith(OLE2_MAGIC):
            raise UnsafeFile(_("“%(name)s”不是 LRMX 文件（看起来是 Word/Excel 旧版文件）。") % {"name": name})
        out.append((name, data))
    if len(out) > limits.max_entries:
        raise UnsafeFile(_("一次最多导入 %(n)s 份任免审批表。") % {"n": limits.max_entries})
    return out
