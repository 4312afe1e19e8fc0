"""Guidance-record attachments: judged by their bytes (type, size, macros), stored under random names, served scoped."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from miaopu.apps.mentoring.files import MAX_BYTES, check_attachment
from miaopu.apps.mentoring.models import GuidanceAttachment, GuidanceRecord

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def ooxml(main: str, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main, "<doc/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("记录.pdf", PDF, "application/pdf"),
        ("现场.png", PNG, "image/png"),
        ("现场.JPG", JPG, "image/jpeg"),
        ("现场.jpeg", JPG, "image/jpeg"),
        (
            "报告.docx",
            ooxml("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("台账.xlsx", ooxml("xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_accepted_files(name, data, kind):
    checked = check_attachment(upload(name, data))
    assert checked.content_type == kind and checked.size == len(data) and checked.name == name


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("程序.exe", b"MZ\x90\x00", "类型不能上传"),
        ("伪装.pdf", b"MZ\x90\x00" + b"\x00" * 20, "内容与扩展名不符"),
        ("图片.pdf", PNG, "实际为 PNG"),
        ("旧版.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, "旧版 Office 格式"),
        ("宏.docx", ooxml("word/document.xml", {"word/vbaProject.bin": b"x"}), "含有宏"),
        ("表格.docx", ooxml("xl/workbook.xml"), "实际为 Excel"),
        ("空.pdf", b"", "是空的"),
        ("坏.xlsx", b"PK\x03\x04broken", "无法识别的格式"),
        ("../../etc/passwd.png", b"root:x:0:0", "内容与扩展名不符"),
    ],
)
def test_refused_files(name, data, message):
    with pytest.raises(ValidationError, match=message):
        check_attachment(upload(name, data))


def test_size_cap():
    big = upload("大.pdf", PDF + b"0" * MAX_BYTES)
    with pytest.raises(ValidationError, match="不能超过 10 MB"):
        check_attachment(big)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.django_db
def test_upload_with_a_record_then_download_is_scoped(city, records, media):
    mentor = Client()
    mentor.force_login(city.users["mentor2"])
    ship = records["other"].mentorship
    response = mentor.post(
        reverse("mentoring:record_create", args=[ship.pk]),
        {"date": "2024-07-01", "kind": "onsite", "hours": "2", "content": "田间带教",
         "attachments": [upload("带教照片.png", PNG), upload("记录.pdf", PDF)]},
    )  # fmt: skip
    assert response.status_code == 302
    record = GuidanceRecord.objects.filter(mentorship=ship).latest("id")  # (content is encrypted: not searchable)
    assert record.content == "田间带教"
    files = list(record.attachments.order_by("id"))
    assert [f.name for f in files] == ["带教照片.png", "记录.pdf"]
    assert all("带教" not in f.file.name and f.file.name.startswith(f"mentoring/{ship.pk}/") for f in files)
    url = reverse("mentoring:attachment_download", args=[files[0].pk])
    cadre = Client()
    cadre.force_login(city.users["cadre"])  # the mentee
    got = cadre.get(url)
    assert got.status_code == 200 and got["Content-Type"] == "image/png"
    assert "attachment" in got["Content-Disposition"] and b"".join(got.streaming_content) == PNG
    other = Client()
    other.force_login(city.users["mentor"])
    assert other.get(url).status_code == 404


@pytest.mark.django_db
def test_a_bad_file_saves_nothing(city, records, media):
    mentor = Client()
    mentor.force_login(city.users["mentor2"])
    ship = records["other"].mentorship
    page = mentor.post(
        reverse("mentoring:record_create", args=[ship.pk]),
        {
            "date": "2024-07-01",
            "kind": "onsite",
            "hours": "2",
            "content": "带病毒",
            "attachments": [upload("a.pdf", b"MZ")],
        },
    ).content.decode()
    assert "内容与扩展名不符" in page
    assert "带病毒" not in [r.content for r in GuidanceRecord.objects.all()]
    assert not GuidanceAttachment.objects.exists()
