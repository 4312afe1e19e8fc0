"""任免审批表 exchange files (``.lrmx``, the official form editor's format, version 3.x).

An ``.lrmx`` file is UTF-8 XML with root ``<Person>`` and one element per box of the 干部任免审批表
(XingMing 姓名, XingBie 性别, ChuShengNianYue 出生年月 ``YYYYMM`` …), the work history as free text
(``JianLi``: one entry per line, ``YYYY.MM--YYYY.MM  经历``, continuation lines indented), family members
as ``JiaTingChengYuan/Item`` and the photo as Base64 (``ZhaoPian``).

This module turns such a file into :class:`LrmxPerson` and back, and the JianLi text into
:class:`JianLiEntry` items and back. It knows nothing of the database: mapping onto cadres is the
exchange app's job. Parsing uses defusedxml, so a file with a DTD, entity declarations or external
references is refused (:class:`LrmxError`) instead of being expanded.

Miaopu's own exports add one element the official editor ignores, ``<MiaopuKuoZhan>``, holding what
the form cannot (人员编号, exact dates, the structured experience): see ``docs/lrmx.md``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from dataclasses import dataclass, field, fields
from xml.etree.ElementTree import Element, SubElement, tostring

__all__ = [
    "FAMILY_FIELDS",
    "PERSON_ELEMENTS",
    "FamilyMember",
    "JianLiEntry",
    "JianLiParse",
    "LrmxError",
    "LrmxPerson",
    "build_lrmx",
    "format_jianli",
    "format_month",
    "image_type",
    "parse_jianli",
    "parse_lrmx",
    "parse_month",
]

VERSION = "3.2.1.16"
EXTENSION = "MiaopuKuoZhan"

#: (element, attribute, 中文) in the order the official editor writes them.
PERSON_ELEMENTS: tuple[tuple[str, str, str], ...] = (
    ("XingMing", "name", "姓名"),
    ("XingBie", "gender", "性别"),
    ("ChuShengNianYue", "birth", "出生年月"),
    ("MinZu", "ethnicity", "民族"),
    ("JiGuan", "native_place", "籍贯"),
    ("ChuShengDi", "birthplace", "出生地"),
    ("RuDangShiJian", "party_join", "入党时间"),
    ("CanJiaGongZuoShiJian", "work_start", "参加工作时间"),
    ("JianKangZhuangKuang", "health", "健康状况"),
    ("ZhuanYeJiShuZhiWu", "professional_title", "专业技术职务"),
    ("ShuXiZhuanYeYouHeZhuanChang", "specialties", "熟悉专业有何专长"),
    ("QuanRiZhiJiaoYu_XueLi", "fulltime_education", "全日制教育学历"),
    ("QuanRiZhiJiaoYu_XueWei", "fulltime_degree", "全日制教育学位"),
    ("QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi", "fulltime_school", "全日制教育毕业院校系及专业"),
    ("QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi", "fulltime_degree_school", "全日制教育学位授予院校"),
    ("ZaiZhiJiaoYu_XueLi", "inservice_education", "在职教育学历"),
    ("ZaiZhiJiaoYu_XueWei", "inservice_degree", "在职教育学位"),
    ("ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi", "inservice_school", "在职教育毕业院校系及专业"),
    ("ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi", "inservice_degree_school", "在职教育学位授予院校"),
    ("XianRenZhiWu", "current_post", "现任职务"),
    ("NiRenZhiWu", "proposed_post", "拟任职务"),
    ("NiMianZhiWu", "proposed_removal", "拟免职务"),
    ("JianLi", "resume", "简历"),
    ("JiangChengQingKuang", "rewards", "奖惩情况"),
    ("NianDuKaoHeJieGuo", "annual_reviews", "年度考核结果"),
    ("RenMianLiYou", "appointment_reason", "任免理由"),
    ("ChengBaoDanWei", "reporting_unit", "呈报单位"),
    ("JiSuanNianLingShiJian", "age_reference", "计算年龄时间"),
    ("TianBiaoShiJian", "filled_on", "填表时间"),
    ("TianBiaoRen", "filled_by", "填表人"),
    ("ShenFenZheng", "id_number", "身份证号"),
)
_FAMILY_BEFORE = "ChengBaoDanWei"  # JiaTingChengYuan sits between RenMianLiYou and ChengBaoDanWei

FAMILY_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("ChengWei", "relation", "称谓"),
    ("XingMing", "name", "姓名"),
    ("ChuShengRiQi", "birth", "出生日期"),
    ("ZhengZhiMianMao", "political_status", "政治面貌"),
    ("GongZuoDanWeiJiZhiWu", "work", "工作单位及职务"),
)

MAX_PHOTO_BYTES = 2 * 1024 * 1024


class LrmxError(ValueError):
    """The file cannot be read as a 任免审批表; the message says why."""


@dataclass
class FamilyMember:
    relation: str = ""
    name: str = ""
    birth: str = ""
    political_status: str = ""
    work: str = ""


@dataclass
class LrmxPerson:
    """The boxes of one 干部任免审批表, as the text written in them (dates stay as written)."""

    name: str = ""
    gender: str = ""
    birth: str = ""
    ethnicity: str = ""
    native_place: str = ""
    birthplace: str = ""
    party_join: str = ""
    work_start: str = ""
    health: str = ""
    professional_title: str = ""
    specialties: str = ""
    fulltime_education: str = ""
    fulltime_degree: str = ""
    fulltime_school: str = ""
    fulltime_degree_school: str = ""
    inservice_education: str = ""
    inservice_degree: str = ""
    inservice_school: str = ""
    inservice_degree_school: str = ""
    current_post: str = ""
    proposed_post: str = ""
    proposed_removal: str = ""
    resume: str = ""
    rewards: str = ""
    annual_reviews: str = ""
    appointment_reason: str = ""
    reporting_unit: str = ""
    age_reference: str = ""
    filled_on: str = ""
    filled_by: str = ""
    id_number: str = ""
    photo: bytes = b""
    family: list[FamilyMember] = field(default_factory=list)
    version: str = VERSION
    #: Miaopu's extension: flat key → text, plus the structured experience (list of dicts).
    extension: dict[str, str] = field(default_factory=dict)
    extension_experience: list[dict[str, str]] = field(default_factory=list)
    #: Problems that did not stop the parse (bad photo, unknown element …), for the import report.
    warnings: list[str] = field(default_factory=list)


_ATTR_OF = {element: attr for element, attr, _label in PERSON_ELEMENTS}


def _text(element: Element | None) -> str:
    if element is None:
        return ""
    return "".join(element.itertext()).replace("\r\n", "\n").replace("\r", "\n").strip()


def image_type(data: bytes) -> str:
    """The MIME type of a photo from its magic bytes; ``""`` when it is not a known image format."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data.startswith(b"BM"):
        return "image/bmp"
    return ""


def parse_lrmx(data: bytes) -> LrmxPerson:
    """Read one ``.lrmx`` file. Raises :class:`LrmxError` for anything that is not a safe, well-formed form."""
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise LrmxError(f"文件含有 DOCTYPE/实体声明（可被用来攻击解析程序），已拒绝：{type(exc).__name__}") from exc
    except SafeET.ParseError as exc:
        raise LrmxError(f"不是有效的 XML：{exc}") from exc
    if root.tag != "Person":
        raise LrmxError(f"根元素应为 <Person>，实为 <{root.tag}>")
    person = LrmxPerson()
    for child in root:
        tag = child.tag
        if tag in _ATTR_OF:
            setattr(person, _ATTR_OF[tag], _text(child))
        elif tag == "JiaTingChengYuan":
            for item in child.findall("Item"):
                member = FamilyMember(**{attr: _text(item.find(el)) for el, attr, _l in FAMILY_FIELDS})
                if any(getattr(member, attr) for _e, attr, _l in FAMILY_FIELDS):
                    person.family.append(member)
        elif tag == "ZhaoPian":
            raw = "".join((child.text or "").split())
            if raw:
                try:
                    photo = base64.b64decode(raw, validate=True)
                except (binascii.Error, ValueError):
                    person.warnings.append("照片（ZhaoPian）不是有效的 Base64 编码，未导入照片")
                else:
                    if len(photo) > MAX_PHOTO_BYTES:
                        person.warnings.append("照片超过 2 MB，未导入照片")
                    elif not image_type(photo):
                        person.warnings.append("照片不是 JPEG/PNG/GIF/BMP 图片，未导入照片")
                    else:
                        person.photo = photo
        elif tag == "Version":
            person.version = _text(child) or VERSION
        elif tag == EXTENSION:
            for item in child:
                if item.tag == "LvLi":
                    person.extension_experience = [dict(entry.attrib) for entry in item.findall("Item")]
                else:
                    person.extension[item.tag] = _text(item)
    return person


def build_lrmx(person: LrmxPerson, *, extension: bool = True) -> bytes:
    """The ``.lrmx`` bytes for ``person`` (UTF-8, elements in the official order)."""
    root = Element("Person")
    for element, attr, _label in PERSON_ELEMENTS:
        if element == _FAMILY_BEFORE:
            family = SubElement(root, "JiaTingChengYuan")
            for member in person.family:
                item = SubElement(family, "Item")
                for el, member_attr, _l in FAMILY_FIELDS:
                    SubElement(item, el).text = getattr(member, member_attr)
        SubElement(root, element).text = getattr(person, attr)
    SubElement(root, "ZhaoPian").text = base64.b64encode(person.photo).decode("ascii") if person.photo else ""
    SubElement(root, "Version").text = person.version or VERSION
    if extension and (person.extension or person.extension_experience):
        ext = SubElement(root, EXTENSION)
        for key, value in person.extension.items():
            SubElement(ext, key).text = value
        history = SubElement(ext, "LvLi")
        for entry in person.extension_experience:
            SubElement(history, "Item", dict(entry))
    _indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode").encode("utf-8") + b"\n"


def _indent(root: Element) -> None:
    """Indent element-only content; text content (the JianLi lines) is left byte for byte as it is."""
    from xml.etree.ElementTree import indent

    indent(root, space="  ")


# --- dates as the form writes them ---------------------------------------------------------------------

_MONTH = re.compile(r"(\d{4})\s*[.．\-/年]?\s*(\d{1,2})(?:\s*[.．\-/月]\s*(\d{1,2})?\s*日?)?")


def parse_month(text: str) -> dt.date | None:
    """``199205``, ``1992.05``, ``1992.5``, ``1992-05``, ``19920517`` → a date (the 1st for month-only values).

    Returns None when no date can be read (the field may hold other text, e.g. 入党时间 "民盟").
    """
    value = re.sub(r"\s+", "", text or "").translate({0xFF0E: ".", 0xFF0D: "-"})
    if not value:
        return None
    digits = re.fullmatch(r"(\d{4})(\d{2})(\d{2})?", value)
    if digits:
        year, month, day = int(digits[1]), int(digits[2]), int(digits[3] or 1)
    else:
        match = _MONTH.match(value)
        if not match:
            return None
        year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def format_month(value: dt.date | None, *, sep: str = "") -> str:
    """A date as the form writes it: ``199205`` (or ``1992.05`` with ``sep="."``)."""
    if value is None:
        return ""
    return f"{value.year:04d}{sep}{value.month:02d}"


# --- JianLi (简历) ------------------------------------------------------------------------------------------

_JIANLI_LINE = re.compile(
    r"^\s*(?P<sy>\d{4})\s*[.．](?P<sm>\d{1,2})\s*"
    r"(?:--|—{1,2}|－{1,2}|–{1,2}|-|~|～|〜|至)\s*"
    r"(?:(?P<ey>\d{4})\s*[.．](?P<em>\d{1,2})|(?P<now>至今|今))?"
    r"(?P<rest>.*)$"
)
#: Indentation of continuation lines as the form editor writes them (full-width spaces).
CONTINUATION_INDENT = "\u3000" * 9


@dataclass(frozen=True)
class JianLiEntry:
    """One line of the 简历: a period and what the cadre did (continuation lines joined with newlines)."""

    start: dt.date
    end: dt.date | None
    text: str


@dataclass
class JianLiParse:
    entries: list[JianLiEntry] = field(default_factory=list)
    #: Lines that are neither an entry nor a continuation of one (kept as text, reported to the user).
    unparsed: list[str] = field(default_factory=list)


def parse_jianli(text: str) -> JianLiParse:
    """Split the 简历 into entries. Lines that start with a period begin an entry; indented lines continue it."""
    result = JianLiParse()
    current: dict | None = None
    for raw_line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not raw_line.strip():
            continue
        if current is not None and raw_line[:1].isspace():
            # Indented: a continuation, even when it quotes a period ("（其间：2013.09--2015.07 …）").
            current["text"] = (current["text"] + "\n" + raw_line.strip()).strip()
            continue
        match = _JIANLI_LINE.match(raw_line)
        start = end = None
        if match:
            try:
                start = dt.date(int(match["sy"]), int(match["sm"]), 1)
                end = dt.date(int(match["ey"]), int(match["em"]), 1) if match["ey"] else None
            except ValueError:
                match = None
        if match and start is not None:
            if current:
                result.entries.append(JianLiEntry(**current))
            current = {"start": start, "end": end, "text": match["rest"].strip()}
        else:
            result.unparsed.append(raw_line.strip())
    if current:
        result.entries.append(JianLiEntry(**current))
    return result


def format_jianli(entries: list[JianLiEntry]) -> str:
    """The 简历 text for ``entries``: ``YYYY.MM--YYYY.MM  text``, an open end written as blanks."""
    lines = []
    for entry in entries:
        end = format_month(entry.end, sep=".") if entry.end else " " * 7
        first, *more = entry.text.split("\n")
        lines.append(f"{format_month(entry.start, sep='.')}--{end}  {first}".rstrip())
        lines.extend(CONTINUATION_INDENT + line for line in more)
    return "\n".join(lines)


def person_fields() -> list[str]:
    """The text attributes of :class:`LrmxPerson` (for tests and mapping tables)."""
    return [f.name for f in fields(LrmxPerson) if f.type == "str"]
