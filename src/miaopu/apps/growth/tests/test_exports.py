"""The whole file as PDF and DOCX: Chinese comes back out of the files, the photo is in them, the font is embedded."""

from __future__ import annotations

import io

import docx
import pypdf
import pytest
from PIL import Image

from miaopu.apps.cadres.models import CadreFormInfo
from miaopu.apps.growth.exports import pdf_font

pytestmark = pytest.mark.django_db


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (90, 120), (180, 40, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def with_photo(files):
    CadreFormInfo.objects.create(cadre=files.city.cadres["town_b"], photo=_jpeg(), photo_type="jpg")
    return files


def _pdf_text(content: bytes) -> tuple[str, pypdf.PdfReader]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def test_pdf_of_a_full_file_has_the_chinese_text_the_photo_and_an_embedded_font(with_photo, client_for):
    pk = with_photo.city.cadres["town_b"].pk
    response = client_for("orgdept").get(f"/growth/cadres/{pk}/file.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text, reader = _pdf_text(response.content)
    for expected in (
        "干部成长档案",
        "赵强",
        "西山县白沙镇",
        "基本情况",
        "晋升条件研判",
        "成长纪实（共 14 条）",
        "到岗：东湖区青石镇 镇长助理",
        "期满考核优秀",
        "进入扶苗阶段",
        "专题辅导：乡村产业规划",
        "2023 年年度考核：优秀",
        "分析研判：适岗优秀",
        "纳入后备干部库",
        "群众满意度测评",
        "驻点村村民",
        "谈话机密内容",
        "处分事由",
        "内部资料",
    ):
        assert expected in text, expected
    images = [img for page in reader.pages for img in page.images]
    assert images, "the photo should be on the first page"
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font.get("/DescendantFonts")
            descriptor = (descendant[0].get_object() if descendant else font).get("/FontDescriptor")
            if descriptor is not None:
                descriptor = descriptor.get_object()
                fonts.add(any(k in descriptor for k in ("/FontFile2", "/FontFile3", "/FontFile")))
    name, embedded = pdf_font()
    assert embedded, f"no embeddable CJK font found (using {name}); install paperang-p2-fonts-cjk"
    assert True in fonts


def test_pdf_follows_the_filters(files, client_for):
    pk = files.city.cadres["town_b"].pk
    response = client_for("orgdept").get(f"/growth/cadres/{pk}/file.pdf?kind=assessment&kind=talk")
    text, _reader = _pdf_text(response.content)
    assert "成长纪实（共 2 条）" in text and "类别：考核、谈心谈话" in text
    assert "牵头完成防汛抢险" not in text


def test_docx_of_a_full_file_reads_back_in_chinese_with_the_photo(with_photo, client_for):
    pk = with_photo.city.cadres["town_b"].pk
    response = client_for("orgdept").get(f"/growth/cadres/{pk}/file.docx")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "干部成长档案" in paragraphs and "晋升条件研判" in paragraphs and "成长纪实（共 14 条）" in paragraphs
    for expected in ("赵强", "西山县白沙镇", "到岗：东湖区青石镇 镇长助理", "群众满意度测评", "谈话机密内容"):
        assert expected in cells, expected
    assert len(document.inline_shapes) == 1
    assert document.sections[0].header.paragraphs[0].text == "内部资料　注意保密"


def test_print_page_is_a_standalone_sheet(files, client_for):
    pk = files.city.cadres["town_b"].pk
    text = client_for("orgdept").get(f"/growth/cadres/{pk}/print/").content.decode()
    assert "干部成长档案" in text and 'class="print-sheet"' in text and "data-print" in text
    assert 'class="sidenav"' not in text and "<script>" not in text  # no inline script under the CSP
