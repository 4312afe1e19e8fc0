"""The exchange commands: report on stdout, progress on stderr, exit status 1 on any error."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from miaopu.apps.cadres.models import Cadre
from miaopu.apps.core.models import AuditEvent
from miaopu.domain.idcard import make_id_number
from miaopu.domain.lrmx import parse_lrmx

from .helpers import database_state, read_xlsx, roster

pytestmark = pytest.mark.django_db


def _row(**extra):
    birth = dt.date(1996, 4, 5)
    row = {"人员编号": "NEW001", "姓名": "新人", "性别": "男", "出生日期": birth, "政治面貌": "群众",
           "身份证号": make_id_number("440802", birth, 11), "现工作单位": "东湖区青石镇"}  # fmt: skip
    row.update(extra)
    return row


def test_import_errors_exit_nonzero_and_print_every_line(city, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(roster(cadres=[_row(性别="未知"), _row(人员编号="NEW002", 现工作单位="火星区", 身份证号=None)]))
    out, err = io.StringIO(), io.StringIO()
    before = database_state()
    with pytest.raises(CommandError) as exc:
        call_command(
            "import-roster", str(path), user="orgdept", stdout=out, stderr=err, report=str(tmp_path / "r.xlsx")
        )
    assert exc.value.returncode == 1
    assert "发现 2 处错误，未导入任何数据" in str(exc.value)
    lines = out.getvalue().splitlines()
    assert lines == [
        '干部!C2 性别 "未知" 不是有效的性别，可填：男、女',
        '干部!V3 现工作单位 "火星区" 单位不存在：请先在“单位”表中列出它，或填写系统中已有的单位名称。',
    ]
    assert database_state() == before
    report = read_xlsx((tmp_path / "r.xlsx").read_bytes())
    assert [r[1] for r in report["问题"][1:]] == ["干部!C2", "干部!V3"]


def test_import_dry_run_then_real_with_progress_on_stderr(city, tmp_path):
    path = tmp_path / "ok.xlsx"
    path.write_bytes(roster(cadres=[_row()]))
    out, err = io.StringIO(), io.StringIO()
    call_command("import-roster", str(path), user="orgdept", dry_run=True, stdout=out, stderr=err)
    assert "试导入" in out.getvalue() and not Cadre.objects.filter(code="NEW001").exists()
    assert "读取干部表" in err.getvalue()  # the progress bar (one line per stage when not a terminal)
    out = io.StringIO()
    call_command("import-roster", str(path), user="orgdept", stdout=out, stderr=io.StringIO())
    assert "干部：新增 1" in out.getvalue()
    event = AuditEvent.objects.filter(action="import").latest("id")
    assert event.source == "cli" and event.actor_name == "orgdept"


def test_import_needs_an_orgdept_account(city, tmp_path):
    path = tmp_path / "ok.xlsx"
    path.write_bytes(roster(cadres=[_row()]))
    with pytest.raises(CommandError, match="组织部"):
        call_command("import-roster", str(path), user="officer_b", stdout=io.StringIO(), no_progress=True)
    with pytest.raises(CommandError, match="不存在"):
        call_command("import-roster", str(path), user="nobody", stdout=io.StringIO())


def test_hostile_file_exits_nonzero(city, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"MZ\x90\x00 not a workbook")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import-roster", str(path), user="orgdept", stdout=out, no_progress=True)
    assert "文件头不符" in out.getvalue()


def test_export_roster_command(city, tmp_path):
    path = tmp_path / "out.xlsx"
    out = io.StringIO()
    call_command("export-roster", str(path), user="orgdept", unit="东湖区", stdout=out, stderr=io.StringIO())
    assert "干部 2 行" in out.getvalue()
    sheets = read_xlsx(path.read_bytes())
    assert len(sheets["干部"]) == 3
    with pytest.raises(CommandError, match="管理范围"):
        call_command("export-roster", str(path), user="orgdept_a", unit="西山县", stdout=io.StringIO())


def test_lrmx_commands(city, tmp_path):
    cadre = city.cadres["town_a"]
    out = io.StringIO()
    call_command("export-lrmx", cadre.code, user="orgdept", out=str(tmp_path), docx=True, stdout=out)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [f"王海_{cadre.code}.docx", f"王海_{cadre.code}.lrmx"]
    assert parse_lrmx((tmp_path / files[1]).read_bytes()).name == "王海"
    out = io.StringIO()
    call_command("import-lrmx", str(tmp_path / files[1]), user="orgdept", stdout=out, stderr=io.StringIO())
    assert "没有任何修改" in out.getvalue()
    with pytest.raises(CommandError, match="管理范围"):
        call_command("export-lrmx", city.cadres["town_b"].code, user="orgdept_a", out=str(tmp_path))
