"""Checks on an uploaded guidance-record attachment before anything is stored.

Attachments come from mentors' own computers (a scanned talk record, a photo of on-site teaching, a research
report), so the file is judged by its bytes, not by its name or the browser's content type:

- at most :data:`MAX_BYTES` (10 MB) and not empty;
- one of PDF, Word (.docx), Excel (.xlsx), JPEG, PNG — the extension must agree with the magic bytes;
- .docx/.xlsx must be a real Office Open XML package (a zip holding ``[Content_Types].xml`` and the main part),
  with no macros (``vbaProject.bin``) and a bounded number of entries; an old .doc/.xls, an encrypted
  document or a renamed file is refused with a message saying what to do.

The stored name is random (see ``models.attachment_path``) and downloads are served by a scoped view with
the detected content type, never from a public media URL.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MB = 1024 * 1024
MAX_BYTES = 10 * MB
MAX_ZIP_ENTRIES = 2000

#: extension → (content type, label)
ALLOWED = {
    ".pdf": ("application/pdf", "PDF"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"),
    ".jpg": ("image/jpeg", "JPEG"),
    ".jpeg": ("image/jpeg", "JPEG"),
    ".png": ("image/png", "PNG"),
}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class CheckedFile:
    name: str
    size: int
    content_type: str


def _head(upload: IO[bytes], n: int = 16) -> bytes:
    upload.seek(0)
    head = upload.read(n)
    upload.seek(0)
    return head


def _detect(upload: IO[bytes], head: bytes) -> str | None:
    """The real kind of the file: pdf, docx, xlsx, jpg, png, or None."""
    if head.startswith(b"%PDF-"):
        return ".pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            upload.seek(0)
        if len(names) > MAX_ZIP_ENTRIES or "[Content_Types].xml" not in names:
            return None
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise ValidationError(
                _("文件含有宏（VBA），出于安全考虑不能上传。请另存为不含宏的 .docx 或 .xlsx 后再上传。")
            )
        if "word/document.xml" in names:
            return ".docx"
        if "xl/workbook.xml" in names:
            return ".xlsx"
    return None


def check_attachment(upload, name: str | None = None) -> CheckedFile:
    """Accept the upload or raise ``ValidationError`` saying what is wrong and what to do."""
    filename = PurePath(name or getattr(upload, "name", "") or "").name[:200]
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(0)
    allowed = "、".join(dict.fromkeys(label for _t, label in ALLOWED.values()))
    if size == 0:
        raise ValidationError(_("文件“%(n)s”是空的。") % {"n": filename})
    if size > MAX_BYTES:
        raise ValidationError(
            _("文件“%(n)s”太大（%(s).1f MB），每个附件不能超过 10 MB。请压缩图片或拆分文件后再上传。")
            % {"n": filename, "s": size / MB}
        )
    ext = PurePath(filename).suffix.lower()
    if ext not in ALLOWED:
        raise ValidationError(
            _("文件“%(n)s”的类型不能上传。只接受 %(a)s（.pdf、.docx、.xlsx、.jpg、.png）。")
            % {"n": filename, "a": allowed}
        )
    head = _head(upload)
    if head.startswith(_OLE2):
        raise ValidationError(
            _("文件“%(n)s”是旧版 Office 格式（.doc/.xls）或已加密。请另存为 .docx 或 .xlsx（不加密码）后再上传。")
            % {"n": filename}
        )
    detected = _detect(upload, head)
    same_kind = detected == ext or (detected == ".jpg" and ext == ".jpeg")
    if not same_kind:
        real = ALLOWED[detected][1] if detected else _("无法识别的格式")
        raise ValidationError(
            _("文件“%(n)s”的内容与扩展名不符（扩展名为 %(e)s，实际为 %(r)s）。请上传原始文件。")
            % {"n": filename, "e": ext, "r": real}
        )
    return CheckedFile(name=filename, size=size, content_type=ALLOWED[ext][0])
