"""The 干部任免审批表 as a Word document, laid out like the official form.

Page 1: the personal boxes in a 7-column grid with the photo at the top right, education, current /
proposed posts and the 简历. Page 2: 奖惩情况, 年度考核结果, 任免理由, the family table, 呈报单位 and the
approval boxes, then 填表人 / 填表时间. Fonts are 宋体 (East Asian) so the document looks right in Word and
WPS on machines without extra fonts; nothing is fetched from outside.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from miaopu.domain.lrmx import LrmxPerson, parse_month

_WIDTHS_CM = (2.3, 2.3, 2.0, 2.3, 2.3, 2.3, 3.0)
_FONT = "宋体"


def _font(run, size: float = 10.5, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = _FONT
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.append(fonts)
    fonts.set(qn("w:eastAsia"), _FONT)


def _write(cell, text: str, *, size: float = 10.5, bold: bool = False, align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    lines = (text or "").split("\n")
    paragraph = cell.paragraphs[0]
    for i, line in enumerate(lines):
        if i:
            paragraph = cell.add_paragraph()
        paragraph.alignment = align
        paragraph.paragraph_format.space_after = Pt(0)
        _font(paragraph.add_run(line), size, bold)


def _borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), "8")
        element.set(qn("w:color"), "000000")
        borders.append(element)
    tbl_pr.append(borders)


def _table(document, rows: int):
    table = document.add_table(rows=rows, cols=len(_WIDTHS_CM))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _borders(table)
    for row in table.rows:
        row.height = Cm(1.05)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        for cell, width in zip(row.cells, _WIDTHS_CM, strict=True):
            cell.width = Cm(width)
    return table


def _span(table, row: int, first: int, last: int, text: str = "", **style):
    cell = table.cell(row, first).merge(table.cell(row, last)) if last > first else table.cell(row, first)
    if text:
        _write(cell, text, **style)
    return cell


def _label(cell, text: str) -> None:
    _write(cell, text, size=10.5)


def _resume_lines(text: str) -> str:
    return "\n".join(line.rstrip() for line in (text or "").split("\n"))


def render_form(person: LrmxPerson, *, age: int | None = None) -> bytes:
    """The .docx bytes of the form filled with ``person``."""
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(2.0)
    section.left_margin = section.right_margin = Cm(2.2)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run("干部任免审批表"), 22, bold=True)

    table = _table(document, 10)
    birth = parse_month(person.birth)
    birth_text = f"{birth:%Y.%m}" if birth else person.birth
    if age is not None and birth_text:
        birth_text += f"\n（{age}岁）"
    grid = [
        ("姓　名", person.name, "性　别", person.gender, "出生年月\n（　岁）", birth_text),
        ("民　族", person.ethnicity, "籍　贯", person.native_place, "出生地", person.birthplace),
        (
            "入党\n时间",
            _month(person.party_join),
            "参加工\n作时间",
            _month(person.work_start),
            "健康状况",
            person.health,
        ),
    ]
    for r, cells in enumerate(grid):
        for c, text in enumerate(cells):
            (_label if c % 2 == 0 else _write)(table.cell(r, c), text)
    _label(table.cell(3, 0), "专业技\n术职务")
    _span(table, 3, 1, 2, person.professional_title)
    _label(table.cell(3, 3), "熟悉专业\n有何专长")
    _span(table, 3, 4, 5, person.specialties)
    photo_cell = table.cell(0, 6).merge(table.cell(3, 6))
    _photo(photo_cell, person.photo)

    education = _span(table, 4, 0, 0)
    education = education.merge(table.cell(5, 0))
    _label(education, "学　历\n学　位")
    for r, (label, level, degree, school) in enumerate(
        (
            ("全日制\n教　育", person.fulltime_education, person.fulltime_degree, person.fulltime_school),
            ("在　职\n教　育", person.inservice_education, person.inservice_degree, person.inservice_school),
        ),
        start=4,
    ):
        _label(table.cell(r, 1), label)
        _span(table, r, 2, 3, "\n".join(x for x in (level, degree) if x))
        _label(table.cell(r, 4), "毕业院校\n系及专业")
        _span(table, r, 5, 6, school, align=WD_ALIGN_PARAGRAPH.LEFT)
    for r, (label, text) in enumerate(
        (("现任职务", person.current_post), ("拟任职务", person.proposed_post), ("拟免职务", person.proposed_removal)),
        start=6,
    ):
        _label(table.cell(r, 0), label)
        _span(table, r, 1, 6, text, align=WD_ALIGN_PARAGRAPH.LEFT)
    _label(table.cell(9, 0), "简\n\n\n\n历")
    resume = _span(table, 9, 1, 6, _resume_lines(person.resume), size=10.5, align=WD_ALIGN_PARAGRAPH.LEFT)
    resume.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    for paragraph in resume.paragraphs:
        paragraph.paragraph_format.left_indent = Cm(3.6)
        paragraph.paragraph_format.first_line_indent = Cm(-3.6)
    table.rows[9].height = Cm(12.5)

    # Page 2.
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    members = person.family or []
    rows = 3 + 1 + max(len(members), 5) + 3
    page2 = _table(document, rows)
    for r, (label, text) in enumerate(
        (
            ("奖惩\n情况", person.rewards),
            ("年度考\n核结果", person.annual_reviews),
            ("任免\n理由", person.appointment_reason),
        )
    ):
        _label(page2.cell(r, 0), label)
        _span(page2, r, 1, 6, text, align=WD_ALIGN_PARAGRAPH.LEFT)
        page2.rows[r].height = Cm(2.2)
    first = 3
    last = first + max(len(members), 5)
    family_label = page2.cell(first, 0).merge(page2.cell(last, 0))
    _label(family_label, "家庭\n主要\n成员\n及\n重要\n社会\n关系")
    for c, text in enumerate(("称　谓", "姓　名", "年龄", "政治\n面貌"), start=1):
        _label(page2.cell(first, c), text)
    _span(page2, first, 5, 6, "工作单位及职务")
    for i, member in enumerate(members, start=first + 1):
        member_birth = parse_month(member.birth)
        member_age = str(_age_years(member_birth, person)) if member_birth else ""
        for c, text in enumerate((member.relation, member.name, member_age, member.political_status), start=1):
            _write(page2.cell(i, c), text)
        _span(page2, i, 5, 6, member.work, align=WD_ALIGN_PARAGRAPH.LEFT)
    for i in range(first + 1 + len(members), last + 1):
        _span(page2, i, 5, 6)
    tail = last + 1
    for offset, (label, text) in enumerate(
        (("呈报\n单位", person.reporting_unit), ("审批机\n关意见", ""), ("行政机关\n任免意见", ""))
    ):
        _label(page2.cell(tail + offset, 0), label)
        _span(page2, tail + offset, 1, 6, text, align=WD_ALIGN_PARAGRAPH.LEFT)
        page2.rows[tail + offset].height = Cm(2.0)
    footer = document.add_paragraph()
    _font(footer.add_run(f"填表人：{person.filled_by}　　　　填表时间：{_month(person.filled_on)}"), 10.5)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _month(text: str) -> str:
    value = parse_month(text)
    return f"{value:%Y.%m}" if value else (text or "")


def _age_years(birth, person: LrmxPerson) -> int:
    import datetime as dt

    from miaopu.domain.dates import age_on

    reference = parse_month(person.age_reference) or dt.date.today()
    return age_on(birth, reference)


def _photo(cell, photo: bytes) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if photo:
        try:
            paragraph.add_run().add_picture(io.BytesIO(photo), width=Cm(2.6))
            return
        except Exception:  # noqa: BLE001 - an image python-docx cannot read: show the empty photo box
            pass
    _font(paragraph.add_run("照　片"), 10.5)
