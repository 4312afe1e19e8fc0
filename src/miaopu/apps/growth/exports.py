"""The whole growth file as PDF (reportlab) and as DOCX (python-docx), Chinese rendered correctly, with the photo.

PDF and Chinese: a PDF that only *names* a Chinese font (reportlab's built-in CID font ``STSong-Light``) shows
nothing on a viewer without the Adobe-GB1 language pack (poppler without ``poppler-data`` prints "Missing
language pack for 'Adobe-GB1'" and draws no text). The archive copy of a file must open anywhere, so the font
is embedded (subset: only the glyphs used, ~20 KB for a file). The font is found, in this order:

1. ``settings.MIAOPU_PDF_FONT`` — a path to a TrueType font or collection (.ttf/.ttc) with CJK glyphs;
2. WenQuanYi Micro Hei shipped in the ``paperang-p2-fonts-cjk`` wheel (a data-only package; its ``.ttc`` is
   byte-identical to Debian's ``fonts-wqy-microhei``; Apache-2.0 / GPLv3-with-font-exception);
3. common system paths (Debian wqy fonts, Windows SimSun/SimHei);
4. as a last resort the non-embedded ``STSong-Light`` (text still extractable; display depends on the viewer).

reportlab embeds TrueType outlines only; CFF-based OpenType (Noto CJK .otf/.ttc) cannot be used here.

DOCX: Word documents do not embed fonts; text is set in 宋体 (East Asian font attribute), which every Chinese
Windows, WPS and Kylin/UOS installation has.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from miaopu.apps.cadres.models import Cadre
from miaopu.domain.dates import age_on
from miaopu.domain.promotion import PromotionAnswer

from .timeline import Item

log = logging.getLogger(__name__)

FONT_NAME = "MiaopuCJK"
FALLBACK_CID_FONT = "STSong-Light"
SYSTEM_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "C:/Windows/Fonts/simsun.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)
CONFIDENTIAL_MARK = "内部资料　注意保密"


@dataclass
class FileData:
    """Everything an export shows, gathered once (and scoped) by the view."""

    cadre: Cadre
    basic: list[tuple[str, str]]
    items: list[Item]
    photo: bytes = b""
    readiness: PromotionAnswer | None = None
    filters: str = ""
    generated_by: str = ""
    generated_at: dt.datetime = field(default_factory=dt.datetime.now)

    @property
    def title(self) -> str:
        return _("%(n)s 成长档案") % {"n": self.cadre.name}


def basic_info(cadre: Cadre, today: dt.date | None = None) -> list[tuple[str, str]]:
    today = today or dt.date.today()

    def d(value: dt.date | None) -> str:
        return value.strftime("%Y.%m") if value else "—"

    education = "、".join(x for x in (cadre.get_fulltime_education_display(), cadre.get_fulltime_degree_display()) if x)
    return [
        (_("姓名"), cadre.name),
        (_("性别"), cadre.get_gender_display()),
        (_("出生年月"), f"{d(cadre.birth_date)}（{age_on(cadre.birth_date, today)} 岁）"),
        (_("民族"), cadre.ethnicity or "—"),
        (_("籍贯"), cadre.native_place or "—"),
        (_("政治面貌"), cadre.get_political_status_display()),
        (_("入党时间"), d(cadre.party_join_date)),
        (_("参加工作时间"), d(cadre.work_start_date)),
        (_("全日制学历学位"), education or "—"),
        (_("毕业院校及专业"), " ".join(x for x in (cadre.fulltime_school, cadre.fulltime_major) if x) or "—"),
        (_("现工作单位及职务"), f"{cadre.unit.name} {cadre.post_title}".strip()),
        (
            _("职务层次"),
            (cadre.get_leadership_level_display() or "—")
            + (f"（{d(cadre.leadership_level_since)} 起）" if cadre.leadership_level_since else ""),
        ),
        (_("职级"), (cadre.get_rank_display() or "—") + (f"（{d(cadre.rank_since)} 起）" if cadre.rank_since else "")),
        (_("干部来源"), cadre.get_source_display()),
    ]


def cadre_photo(cadre: Cadre) -> bytes:
    info = getattr(cadre, "form_info", None) if hasattr(Cadre, "form_info") else None
    try:
        photo = bytes(info.photo) if info is not None and info.photo else b""
    except Exception:  # noqa: BLE001 - no form info row
        return b""
    return photo if photo[:3] == b"\xff\xd8\xff" or photo[:8] == b"\x89PNG\r\n\x1a\n" else b""


# ---------------------------------------------------------------- PDF


def _font_candidates() -> list[tuple[str, int]]:
    paths: list[tuple[str, int]] = []
    configured = getattr(settings, "MIAOPU_PDF_FONT", "") or ""
    if configured:
        paths.append((str(configured), 0))
    try:
        import paperang_p2_fonts_cjk

        paths.append((str(Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc"), 0))
    except ImportError:
        pass
    paths.extend((p, 0) for p in SYSTEM_FONTS)
    return paths


@functools.lru_cache(maxsize=1)
def pdf_font() -> tuple[str, bool]:
    """(registered font name, embedded?) — see the module docstring for the search order."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    for path, index in _font_candidates():
        if not Path(path).is_file():
            continue
        try:
            pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=index))
        except Exception as exc:  # noqa: BLE001 - a CFF or damaged font: try the next one
            log.warning("PDF font %s unusable: %s", path, exc)
            continue
        return FONT_NAME, True
    log.warning("no embeddable CJK font found; PDF exports name %s without embedding it", FALLBACK_CID_FONT)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID_FONT))
    return FALLBACK_CID_FONT, False


def render_pdf(data: FileData) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font, _embedded = pdf_font()
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK")
    small = ParagraphStyle("small", parent=base, fontSize=8, leading=11, textColor=colors.HexColor("#555555"))
    title = ParagraphStyle("title", parent=base, fontSize=18, leading=24, alignment=TA_CENTER, spaceAfter=4)
    subtitle = ParagraphStyle("subtitle", parent=small, alignment=TA_CENTER, spaceAfter=10)
    heading = ParagraphStyle("heading", parent=base, fontSize=12.5, leading=18, spaceBefore=10, spaceAfter=5)

    def p(text: str, style=base) -> Paragraph:
        return Paragraph(escape(text or "").replace("\n", "<br/>"), style)

    story: list = [p(_("干部成长档案"), title)]
    story.append(
        p(
            f"{data.cadre.name}　{data.cadre.unit.name}　"
            + _("生成于 %(t)s") % {"t": data.generated_at.strftime("%Y-%m-%d %H:%M")}
            + (f"　{data.filters}" if data.filters else ""),
            subtitle,
        )
    )

    story.append(p(_("一、基本情况"), heading))
    pairs = data.basic
    rows = []
    for i in range(0, len(pairs), 2):
        chunk = pairs[i : i + 2] + [("", "")] * (2 - len(pairs[i : i + 2]))
        rows.append([p(chunk[0][0], small), p(chunk[0][1]), p(chunk[1][0], small), p(chunk[1][1])])
    widths = [24 * mm, 45 * mm, 24 * mm, 45 * mm]
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
        ("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#f2f2f2")),
    ]
    if data.photo:
        try:
            image = Image(io.BytesIO(data.photo), width=26 * mm, height=35 * mm, kind="proportional")
        except Exception:  # noqa: BLE001 - an unreadable photo: leave the box empty
            image = p(_("照片"), small)
        for n, row in enumerate(rows):
            row.append(image if n == 0 else "")
        widths.append(32 * mm)
        style += [("SPAN", (4, 0), (4, len(rows) - 1)), ("ALIGN", (4, 0), (4, 0), "CENTER")]
    story.append(Table(rows, colWidths=widths, style=TableStyle(style)))

    if data.readiness is not None:
        story.append(p(_("二、晋升条件研判（截至 %(d)s）") % {"d": data.readiness.as_of.isoformat()}, heading))
        for track in data.readiness.tracks:
            story.append(p(track.summary))
            for reason in track.reasons:
                story.append(p(("√ " if reason.ok else "× ") + reason.text, small))
        story.append(Spacer(1, 4))

    number = _("三") if data.readiness is not None else _("二")
    story.append(p(_("%(n)s、成长纪实（共 %(c)s 条）") % {"n": number, "c": len(data.items)}, heading))
    head = [p(_("日期"), small), p(_("类别"), small), p(_("事项"), small), p(_("来源 / 记录人"), small)]
    table_rows = [head]
    for item in data.items:
        what = item.title + (f"\n{item.detail}" if item.detail else "")
        if item.attachments:
            what += "\n" + _("附件：") + "、".join(name for name, _url in item.attachments)
        source = " / ".join(x for x in (item.source, item.author) if x)
        table_rows.append([p(item.date.isoformat()), p(item.kind_label), p(what), p(source, small)])
    if len(table_rows) == 1:
        table_rows.append([p("—"), p(""), p(_("没有符合条件的记录。")), p("")])
    timeline = Table(table_rows, colWidths=[22 * mm, 20 * mm, 100 * mm, 28 * mm], repeatRows=1)
    timeline.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#aaaaaa")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(timeline)

    def decorate(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.HexColor("#777777"))
        canvas.drawRightString(A4[0] - 18 * mm, A4[1] - 12 * mm, CONFIDENTIAL_MARK)
        canvas.drawCentredString(
            A4[0] / 2, 10 * mm, _("%(n)s 成长档案 · 第 %(p)s 页") % {"n": data.cadre.name, "p": doc.page}
        )
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=data.title,
        author=data.generated_by or "Miaopu",
        subject=_("干部成长档案"),
    )
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


# ---------------------------------------------------------------- DOCX


def render_docx(data: FileData) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    font_name = "宋体"
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    normal = document.styles["Normal"]
    normal.font.name = font_name
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font_name)
    header = section.header.paragraphs[0]
    header.text = CONFIDENTIAL_MARK
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def run_font(run, size: float | None = None, bold: bool = False, grey: bool = False) -> None:
        run.font.name = font_name
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font_name)
        if size:
            run.font.size = Pt(size)
        run.font.bold = bold
        if grey:
            run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)

    def para(text: str, *, size: float | None = None, bold: bool = False, align=None, grey: bool = False):
        paragraph = document.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        run_font(paragraph.add_run(text), size, bold, grey)
        return paragraph

    def cell_text(cell, text: str, *, bold: bool = False, size: float = 10) -> None:
        lines = (text or "").split("\n")
        paragraph = cell.paragraphs[0]
        for i, line in enumerate(lines):
            if i:
                paragraph = cell.add_paragraph()
            paragraph.paragraph_format.space_after = Pt(0)
            run_font(paragraph.add_run(line), size, bold)

    para(_("干部成长档案"), size=18, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(
        f"{data.cadre.name}　{data.cadre.unit.name}　"
        + _("生成于 %(t)s") % {"t": data.generated_at.strftime("%Y-%m-%d %H:%M")}
        + (f"　{data.filters}" if data.filters else ""),
        size=9,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        grey=True,
    )

    para(_("一、基本情况"), size=13, bold=True)
    pairs = data.basic
    n_rows = (len(pairs) + 1) // 2
    columns = 5 if data.photo else 4
    table = document.add_table(rows=n_rows, cols=columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, (label, value) in enumerate(pairs):
        row, col = divmod(i, 2)
        cell_text(table.cell(row, col * 2), label, bold=True, size=9.5)
        cell_text(table.cell(row, col * 2 + 1), value)
    if data.photo:
        photo_cell = table.cell(0, 4).merge(table.cell(n_rows - 1, 4))
        try:
            photo_cell.paragraphs[0].add_run().add_picture(io.BytesIO(data.photo), width=Cm(2.6))
            photo_cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        except Exception:  # noqa: BLE001 - an image python-docx cannot read: leave the box empty
            cell_text(photo_cell, _("照片"))

    number = 2
    if data.readiness is not None:
        para(_("二、晋升条件研判（截至 %(d)s）") % {"d": data.readiness.as_of.isoformat()}, size=13, bold=True)
        for track in data.readiness.tracks:
            para(track.summary, bold=True)
            for reason in track.reasons:
                para(("√ " if reason.ok else "× ") + reason.text, size=9, grey=True)
        number = 3
    numerals = {2: _("二"), 3: _("三")}
    para(_("%(n)s、成长纪实（共 %(c)s 条）") % {"n": numerals[number], "c": len(data.items)}, size=13, bold=True)
    timeline = document.add_table(rows=1, cols=4)
    timeline.style = "Table Grid"
    for cell, text in zip(timeline.rows[0].cells, (_("日期"), _("类别"), _("事项"), _("来源 / 记录人")), strict=True):
        cell_text(cell, text, bold=True, size=9.5)
    for item in data.items:
        what = item.title + (f"\n{item.detail}" if item.detail else "")
        if item.attachments:
            what += "\n" + _("附件：") + "、".join(name for name, _url in item.attachments)
        cells = timeline.add_row().cells
        cell_text(cells[0], item.date.isoformat(), size=9.5)
        cell_text(cells[1], item.kind_label, size=9.5)
        cell_text(cells[2], what, size=9.5)
        cell_text(cells[3], " / ".join(x for x in (item.source, item.author) if x), size=8.5)
    for row in timeline.rows:
        for cell, width in zip(row.cells, (Cm(2.3), Cm(2.0), Cm(9.7), Cm(3.0)), strict=True):
            cell.width = width
    document.core_properties.title = data.title
    document.core_properties.author = data.generated_by or "Miaopu"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
