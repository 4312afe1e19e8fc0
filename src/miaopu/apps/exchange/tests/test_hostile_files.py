"""Hostile or broken files are refused with a clear message, before any parser runs, and nothing is written."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile

import pytest

from miaopu.apps.core.audit import Actor
from miaopu.apps.exchange.files import Limits
from miaopu.apps.exchange.services import lrmx_import, roster_import
from miaopu.domain.idcard import make_id_number

from .helpers import database_state, rewrite_zip, roster

pytestmark = pytest.mark.django_db


def _valid() -> bytes:
    birth = dt.date(1996, 4, 5)
    return roster(
        cadres=[
            {"人员编号": "NEW001", "姓名": "新人", "性别": "男", "出生日期": birth, "政治面貌": "群众",
             "身份证号": make_id_number("440802", birth, 11), "现工作单位": "东湖区青石镇"}
        ]
    )  # fmt: skip


def _refused(city, data: bytes, fragment: str, limits: Limits | None = None, name: str = "x.xlsx") -> None:
    before = database_state()
    report = roster_import(
        actor=Actor(user=city.users["orgdept"], source="web"), data=data, file_name=name, limits=limits
    )
    assert not report.ok and len(report.errors) == 1
    assert fragment in report.errors[0].message, report.errors[0].message
    assert database_state() == before


def test_the_valid_file_would_import(city):
    """The control: without the hostile change the same workbook imports."""
    report = roster_import(actor=Actor(user=city.users["orgdept"], source="web"), data=_valid(), file_name="x.xlsx")
    assert report.ok and report.written


def test_not_a_workbook(city):
    _refused(city, b"name,id\n\xe5\xbc\xa0\xe4\xb8\x89,1\n", "文件头不符")
    _refused(city, b"%PDF-1.7 ...", "文件头不符")


def test_legacy_or_encrypted_excel(city):
    _refused(city, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "另存为 .xlsx")


def test_zip_that_is_no_workbook(city):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    _refused(city, buffer.getvalue(), "单位.csv")


def test_macro_workbooks(city):
    _refused(city, rewrite_zip(_valid(), add={"xl/vbaProject.bin": b"\0" * 64}), "含宏")
    source = zipfile.ZipFile(io.BytesIO(_valid()))
    types = source.read("[Content_Types].xml").replace(
        b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml"
    )
    _refused(city, rewrite_zip(_valid(), replace={"[Content_Types].xml": types}), "含宏")


def test_oversize_file(city):
    _refused(city, _valid(), "文件太大", Limits(max_file_bytes=1000))


def test_oversize_file_from_settings(city, settings):
    settings.MIAOPU = {**settings.MIAOPU, "IMPORT_LIMITS": {"max_file_bytes": 2000}}
    _refused(city, _valid(), "上限为 2000 字节")


def test_zip_bomb_by_ratio(city):
    bomb = rewrite_zip(_valid(), add={"xl/media/image1.png": b"\0" * (3 * 1024 * 1024)})
    _refused(city, bomb, "压缩比")


def test_zip_bomb_by_size(city):
    big = rewrite_zip(_valid(), add={"xl/media/image1.png": b"\0" * (300 * 1024)})
    _refused(city, big, "解压后超过", Limits(max_entry_bytes=200 * 1024))
    _refused(city, big, "解压后超过", Limits(max_total_bytes=250 * 1024))


def test_zip_bomb_by_entry_count(city):
    many = rewrite_zip(_valid(), add={f"xl/junk/{i}.xml": b"<a/>" for i in range(40)})
    _refused(city, many, "超过上限 30", Limits(max_entries=30))


def test_zip_directory_that_lies_about_sizes(city):
    """Sizes in the zip directory are checked first, then counted again while decompressing."""
    payload = b"\0" * (2 * 1024 * 1024)
    data = bytearray(rewrite_zip(_valid(), add={"xl/media/image1.png": payload}))
    fake = struct.pack("<I", 1000)
    size = struct.pack("<I", len(payload))
    data = bytes(data).replace(size, fake)  # local header and central directory both claim 1000 bytes
    _refused(city, data, "已损坏")


def test_xml_entities_in_a_sheet(city):
    source = zipfile.ZipFile(io.BytesIO(_valid()))
    sheet = source.read("xl/worksheets/sheet2.xml")
    laughs = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    assert sheet.startswith(b"<worksheet")
    evil = laughs + sheet.replace(b"<worksheet ", b"<worksheet x='&b;' ", 1)
    _refused(city, rewrite_zip(_valid(), replace={"xl/worksheets/sheet2.xml": evil}), "DOCTYPE")
    hidden = b"<?xml version='1.0'?><!-- <worksheet> " + b"x" * 5000 + b" -->" + laughs + sheet
    _refused(city, rewrite_zip(_valid(), replace={"xl/worksheets/sheet2.xml": hidden}), "DOCTYPE")


def test_csv_that_is_not_utf8(city):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("干部.csv", "人员编号,姓名\nNEW001,新人\n".encode("gbk"))
    _refused(city, buffer.getvalue(), "UTF-8", name="x.zip")


def test_hostile_lrmx_files(city):
    actor = Actor(user=city.users["orgdept"], source="web")
    before = database_state()
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE P [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<Person><XingMing>&b;</XingMing></Person>"
    )
    report = lrmx_import(actor=actor, files=[("evil.lrmx", laughs)])
    assert not report.ok and "DOCTYPE" in report.errors[0].message and report.errors[0].sheet == "evil.lrmx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.lrmx", b"<Person>" + b" " * (3 * 1024 * 1024) + b"</Person>")
    report = lrmx_import(actor=actor, files=[("forms.zip", buffer.getvalue())])
    assert not report.ok and "压缩比" in report.errors[0].message
    report = lrmx_import(actor=actor, files=[("old.lrmx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)])
    assert not report.ok and "不是 LRMX" in report.errors[0].message
    assert database_state() == before
