"""Importing the roster workbook: every mistake reported, nothing half-written, re-import changes nothing."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from miaopu.apps.cadres.models import Cadre, Experience
from miaopu.apps.core.audit import Actor
from miaopu.apps.core.models import AuditEvent
from miaopu.apps.exchange.services import roster_export, roster_import
from miaopu.apps.units.models import Unit
from miaopu.domain.idcard import make_id_number
from miaopu.domain.roster import CADRES

from .helpers import database_state, roster, xlsx

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


def _actor(city, role="orgdept"):
    return Actor(user=city.users[role], source="cli")


def _cadre(code, name, birth, seq, **extra):
    row = {
        "人员编号": code,
        "姓名": name,
        "性别": "男" if seq % 2 else "女",
        "出生日期": birth,
        "身份证号": make_id_number("440802", birth, seq),
        "政治面貌": "中共党员",
        "入党时间": dt.date(birth.year + 20, 6, 1),
        "参加工作时间": dt.date(birth.year + 22, 8, 1),
        "现工作单位": "东湖区青石镇",
        "现任职务": "科员",
    }
    row.update(extra)
    return row


def test_thirty_mistakes_give_thirty_lines_and_change_nothing(city):
    existing = city.cadres["town_a"]
    b = dt.date(1995, 3, 4)
    good_id = make_id_number("440802", b, 11)
    units = [
        {"单位名称": "新单位甲", "上级单位": "东湖区", "单位层级": "镇街"},
        {"单位名称": "新单位甲", "上级单位": "东湖区", "单位层级": "镇街"},  # 1 duplicate name
        {"单位名称": "新单位乙", "上级单位": "不存在的上级", "单位层级": "镇街"},  # 2 unknown parent
        {"单位名称": "新单位丙", "上级单位": "东湖区", "单位层级": "省"},  # 3 bad level
        {"单位名称": "新单位丁", "上级单位": "东湖区青石镇", "单位层级": "市"},  # 4 above its parent
        {"单位名称": "孤儿镇", "上级单位": "", "单位层级": "镇街"},  # 5 a second root that is no city
        {"单位名称": "新单位戊", "上级单位": "东湖区", "单位层级": "镇街", "是否偏远": "也许"},  # 6 bad yes/no
        {"单位名称": "长" * 101, "上级单位": "东湖区", "单位层级": "镇街"},  # 7 name too long
        {"单位名称": "新单位己", "上级单位": "东湖区", "单位层级": "镇街", "排序": "第一"},  # 8 not an integer
    ]
    cadres = [
        _cadre("NEW001", "甲", b, 11),  # valid: the 履历 rows below belong to it
        _cadre("NEW002", "乙", b, 13, 身份证号=good_id[:17] + ("0" if good_id[17] != "0" else "1")),  # 9 checksum
        _cadre("NEW003", "丙", b, 15, 身份证号=make_id_number("440802", dt.date(1995, 3, 5), 15)),  # 10 birth
        _cadre("NEW004", "丁", b, 17, 性别="女"),  # 11 gender disagrees with the ID number
        _cadre("NEW005", "戊", b, 19, 参加工作时间=dt.date(2005, 1, 1)),  # 12 works before 16
        _cadre("NEW006", "己", b, 21, 出生日期="1990.13.01", 身份证号=None),  # 13 no such month
        _cadre("NEW007", "庚", b, 23, 现工作单位="火星区"),  # 14 unknown unit
        _cadre("NEW001", "辛", b, 25),  # 15 duplicate code
        _cadre("NEW009", "壬", b, 27, 身份证号=good_id),  # 16 duplicate ID number
        _cadre("NEW010", "癸", b, 29, 政治面貌="党外人士"),  # 17 unknown political status
        _cadre("NEW011", "", b, 31),  # 18 no name
        _cadre(None, "子", b, 33, 身份证号=None),  # 19 neither code nor ID number
        _cadre("NEW013", "丑", b, 35, 政治面貌="群众"),  # 20 party date for a non-member
        _cadre("NEW014", "寅", b, 37, 进入公务员队伍时间=dt.date(2016, 1, 1)),  # 21 before work start
        _cadre("NEW015", "卯", b, 39, 职级="一级科员", 任现职级时间=dt.date(2099, 1, 1)),  # 22 in the future
        _cadre("NEW016", "辰", b, 41, 身份证号="4408021995"),  # 23 too short
        _cadre("NEW017", "巳", b, 43, 任现职务层次时间=dt.date(2020, 1, 1)),  # 24 level date without level
        _cadre(
            "NEW018", "午", existing.birth_date, 45, 身份证号=existing.id_number, 性别=existing.get_gender_display()
        ),  # 25 ID number of someone else  # fmt: skip
    ]
    experience = [
        {"人员编号": "NEW001", "起始时间": "2020.01", "终止时间": "2019.01", "单位": "东湖区青石镇"},  # 26
        {"人员编号": "NOPE", "起始时间": "2020.01", "单位": "东湖区青石镇"},  # 27 unknown cadre
        {"人员编号": "NEW001", "起始时间": "2020.01", "单位": "不存在单位"},  # 28 unknown unit
        {"人员编号": "NEW001", "起始时间": "2000.01", "单位": "东湖区青石镇"},  # 29 aged 4
        {"人员编号": "NEW001", "起始时间": "2020.01", "单位": "东湖区青石镇", "类型": "出差"},  # 30 kind
    ]
    data = roster(units, cadres, experience)
    before = database_state()
    report = roster_import(actor=_actor(city), data=data, file_name="mistakes.xlsx", today=TODAY)
    lines = [str(e) for e in report.errors]
    assert len(report.errors) == 30, "\n".join(lines)
    assert database_state() == before
    assert not report.written and report.audit_id is None
    # Every line names the sheet, the cell as Excel shows it, and says what is wrong.
    by_cell = {e.location: e for e in report.errors}
    assert by_cell["单位!A3"].message.startswith("单位名称与第 2 行重复")
    assert "不存在" in by_cell["单位!B4"].message
    checksum = by_cell["干部!H3"]
    assert str(checksum) == f'干部!H3 身份证号 "{cadres[1]["身份证号"]}" 校验位错误：应为 {good_id[17]}'
    assert "不一致" in by_cell["干部!H4"].message
    assert by_cell["干部!C5"].header == "性别"
    assert by_cell["干部!E7"].value == "1990.13.01"
    assert "单位不存在" in by_cell["干部!V8"].message
    assert "不能晚于今天" in by_cell["干部!AB16"].message
    assert "另一名干部" in by_cell["干部!H19"].message or "已属于" in by_cell["干部!H19"].message
    assert "终止时间不能早于起始时间" in by_cell["履历!D2"].message
    assert "14 周岁" in by_cell["履历!C5"].message
    assert "系统外单位" in by_cell["履历!E4"].message


def test_create_then_reimport_changes_nothing(city):
    b = dt.date(1996, 4, 5)
    data = roster(
        units=[{"单位名称": "东湖区青石镇白石村", "上级单位": "东湖区青石镇", "单位层级": "村", "是否偏远": "是"}],
        cadres=[
            _cadre("NEW001", "新人甲", b, 11, 现工作单位="东湖区青石镇白石村", 专业特长="写作;调研"),
            _cadre(None, "新人乙", b, 13, 民族="", 户籍="外地"),
        ],
        experience=[
            {"人员编号": "NEW001", "起始时间": "2018.08", "终止时间": "2020.08", "单位": "东湖区青石镇"},
            {"人员编号": "NEW001", "起始时间": "2020.08", "单位": "东湖区青石镇白石村", "职务": "第一书记",
             "类型": "挂职"},
            {"身份证号": make_id_number("440802", b, 13), "起始时间": "201808", "系统外单位": "华南农业大学",
             "类型": "学习"},
        ],
    )  # fmt: skip
    report = roster_import(actor=_actor(city), data=data, file_name="new.xlsx", today=TODAY)
    assert report.ok, report.lines()
    assert report.written
    counts = {sheet: (c.created, c.updated, c.unchanged) for sheet, c in report.counts.items()}
    assert counts == {"单位": (1, 0, 0), "干部": (2, 0, 0), "履历": (3, 0, 0)}
    village = Unit.objects.get(name="东湖区青石镇白石村")
    assert village.is_remote and village.path.startswith(city.town_a.path) and village.district_id == city.district_a.pk
    first = Cadre.objects.get(code="NEW001")
    assert first.unit == village and first.specialties == "写作、调研"
    second = Cadre.objects.get(name="新人乙")
    assert second.code.startswith("MP") and second.ethnicity == "汉族" and second.hukou == "nonlocal"
    assert first.experiences.get(unit=village).kind == "secondment"
    assert second.experiences.get().unit_name == "华南农业大学"
    event = AuditEvent.objects.get(pk=report.audit_id)
    assert event.action == "import" and event.category == "change" and event.source == "cli"
    assert event.detail["file"] == "new.xlsx" and len(event.detail["sha256"]) == 64
    assert event.detail["counts"]["干部"]["created"] == 2

    with CaptureQueriesContext(connection) as queries:
        again = roster_import(actor=_actor(city), data=data, file_name="new.xlsx", today=TODAY)
    assert again.ok and again.total_changes == 0
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes and all('"core_audit' in sql for sql in writes), writes  # only the audit record of the import
    assert AuditEvent.objects.get(pk=again.audit_id).detail["changes"] == 0
    assert Cadre.objects.get(code="NEW001").version == first.version


def test_update_by_code_or_id_number_and_replace_experience(city):
    cadre = city.cadres["organ"]  # has two experience entries
    # Only some columns: the ones left out keep their stored values.
    cadre_headers = ["人员编号", "姓名", "性别", "出生日期", "政治面貌", "现工作单位", "现任职务", "身份证号"]
    data = xlsx(
        {
            "干部": [
                cadre_headers,
                [cadre.code, cadre.name, "男", cadre.birth_date, "中共党员", "示范市自然资源局", "规划科科长",
                 cadre.id_number],
            ],
            "履历": [
                ["身份证号", "人员编号", "起始时间", "单位", "职务"],
                [cadre.id_number, None, dt.date(2016, 8, 1), "示范市自然资源局", "科员"],
                [None, cadre.code, dt.date(2021, 3, 1), "示范市自然资源局", "规划科科长"],
            ],
        }
    )  # fmt: skip
    version = cadre.version
    report = roster_import(actor=_actor(city), data=data, file_name="u.xlsx", today=TODAY)
    assert report.ok, report.lines()
    c = report.counts
    assert (c["干部"].updated, c["履历"].created, c["履历"].deleted, c["履历"].unchanged) == (1, 1, 1, 1)
    cadre.refresh_from_db()
    assert cadre.post_title == "规划科科长" and cadre.version == version + 1
    assert list(cadre.experiences.order_by("start").values_list("post_title", flat=True)) == ["科员", "规划科科长"]
    # Columns not in the sheet are left alone; cadres not in the 履历 sheet keep their history.
    assert cadre.leadership_level == "section"
    assert Experience.objects.filter(cadre=city.cadres["town_a"]).count() == 1


def test_dry_run_reports_counts_and_writes_nothing(city):
    data = roster(cadres=[_cadre("NEW001", "新人", dt.date(1996, 4, 5), 11)])
    before = database_state()
    report = roster_import(actor=_actor(city), data=data, file_name="d.xlsx", dry_run=True, today=TODAY)
    assert report.ok and report.counts["干部"].created == 1 and "试导入" in report.summary()
    assert database_state() == before


def test_extra_columns_and_sheets_are_warnings(city):
    headers = [*CADRES.headers, "手机"]
    row = _cadre("NEW001", "新人", dt.date(1996, 4, 5), 11)
    data = xlsx({"干部": [headers, [row.get(h) for h in CADRES.headers] + ["138"]], "花名册": [["x"]]})
    report = roster_import(actor=_actor(city), data=data, file_name="w.xlsx", today=TODAY)
    assert report.ok and report.written
    warnings = [str(w) for w in report.warnings]
    assert any("手机" in w and "已忽略" in w for w in warnings)
    assert any(w.startswith("提示：花名册") for w in warnings)
    assert any("单位" in w and "没有这张表" in w for w in warnings)


def test_full_width_digits_and_spaces_are_normalised(city):
    b = dt.date(1996, 4, 5)
    id_number = make_id_number("440802", b, 11)
    full = id_number.translate({ord(d): chr(ord(d) + 0xFEE0) for d in "0123456789"})
    row = _cadre("ＮＥＷ１", "\u3000新人\u3000", b, 11, 出生日期="１９９６．０４．０５", 身份证号=full)
    report = roster_import(actor=_actor(city), data=roster(cadres=[row]), file_name="f.xlsx", today=TODAY)
    assert report.ok, report.lines()
    cadre = Cadre.objects.get(name="新人")
    assert cadre.id_number == id_number and cadre.birth_date == b and cadre.code == "ＮＥＷ1"


def test_csv_zip_and_folder(city, tmp_path):
    b = dt.date(1996, 4, 5)
    header = "人员编号,姓名,性别,出生日期,身份证号,政治面貌,现工作单位\n"
    cadres = header + f"NEW001,新人,男,1996.04.05,{make_id_number('440802', b, 11)},群众,东湖区青石镇\n"
    history = "人员编号,起始时间,单位,职务\nNEW001,2018.08,东湖区青石镇,科员\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("名册/干部.csv", ("\ufeff" + cadres).encode())
        archive.writestr("名册/履历.csv", history.encode())
    report = roster_import(actor=_actor(city), data=buffer.getvalue(), file_name="r.zip", today=TODAY)
    assert report.ok, report.lines()
    assert report.counts["干部"].created == 1 and report.counts["履历"].created == 1

    from django.core.management import call_command

    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "干部.csv").write_text(cadres.replace("新人", "新人改"), "utf-8")
    out = io.StringIO()
    call_command("import-roster", str(folder), user="orgdept", stdout=out, no_progress=True)
    assert "修改 1" in out.getvalue()
    assert Cadre.objects.get(code="NEW001").name == "新人改"


def test_unit_tree_errors(city):
    data = roster(
        units=[
            {"单位名称": "甲镇", "上级单位": "乙镇", "单位层级": "镇街"},
            {"单位名称": "乙镇", "上级单位": "甲镇", "单位层级": "镇街"},
            {"单位名称": "东湖区", "上级单位": "示范市", "单位层级": "村社区"},  # below its own towns now
        ]
    )
    report = roster_import(actor=_actor(city), data=data, file_name="t.xlsx", today=TODAY)
    messages = [e.message for e in report.errors]
    assert sum("循环" in m for m in messages) == 2
    assert any("下级单位" in m for m in messages)


def test_only_orgdept_may_import(city):
    for role in ("officer_b", "mentor", "sysadmin"):
        with pytest.raises(PermissionDenied):
            roster_import(actor=_actor(city, role), data=b"", file_name="x.xlsx")


def test_scope_each_row_outside_is_an_error(city):
    """An orgdept account scoped to 东湖区 cannot touch 西山县: every such row is reported, nothing written."""
    other = city.cadres["town_b"]  # in 西山县白沙镇
    data = roster(
        units=[{"单位名称": "西山县新镇", "上级单位": "西山县", "单位层级": "镇街"}],
        cadres=[
            {"人员编号": other.code, "姓名": "改名", "性别": "男", "出生日期": other.birth_date,
             "身份证号": other.id_number, "政治面貌": "中共党员", "现工作单位": "西山县白沙镇"},
            _cadre("NEW001", "新人", dt.date(1996, 4, 5), 11, 现工作单位="西山县"),
            _cadre("NEW002", "新人二", dt.date(1996, 4, 5), 13),  # in scope: fine
        ],
        experience=[{"人员编号": other.code, "起始时间": "2010.01", "单位": "西山县"}],
    )  # fmt: skip
    before = database_state()
    report = roster_import(actor=_actor(city, "orgdept_a"), data=data, file_name="s.xlsx", today=TODAY)
    scope_errors = [e for e in report.errors if "管理范围" in e.message]
    assert [e.location for e in scope_errors] == ["单位!B2", "干部!B2", "干部!V3"], report.lines()
    assert database_state() == before


def test_scoped_user_round_trips_own_export(city):
    buffer = io.BytesIO()
    roster_export(actor=_actor(city, "orgdept_a"), target=buffer)
    report = roster_import(actor=_actor(city, "orgdept_a"), data=buffer.getvalue(), file_name="a.xlsx")
    assert report.ok, report.lines()
    assert report.total_changes == 0 and report.counts["干部"].unchanged == 2


def test_special_characters_survive_the_bulk_write(city):
    """Backslashes, tabs, line breaks and quotes inside cells are stored as typed (COPY/INSERT escaping)."""
    title = '科员\\综合\t岗\n"第一"\r组'
    row = _cadre("NEW001", "新人", dt.date(1996, 4, 5), 11, 现任职务=title, 籍贯="N\\A")
    experience = [{"人员编号": "NEW001", "起始时间": "2018.08", "系统外单位": "北京\\大学", "备注": "a\tb\\N"}]
    report = roster_import(actor=_actor(city), data=roster(cadres=[row], experience=experience), file_name="c.xlsx")
    assert report.ok, report.lines()
    cadre = Cadre.objects.get(code="NEW001")
    assert cadre.post_title == title and cadre.native_place == "N\\A"
    entry = cadre.experiences.get()
    assert entry.unit_name == "北京\\大学" and entry.note == "a\tb\\N"


def test_progress_callback_follows_every_stage(city):
    """A job runner can follow an import: every stage reports done/total and ends complete."""
    calls = []
    data = roster(
        cadres=[_cadre("NEW001", "新人", dt.date(1996, 4, 5), 11)],
        experience=[{"人员编号": "NEW001", "起始时间": "2018.08", "单位": "东湖区青石镇"}],
    )
    report = roster_import(
        actor=_actor(city), data=data, file_name="p.xlsx", progress=lambda *a: calls.append(a), today=TODAY
    )
    assert report.ok
    stages = list(dict.fromkeys(stage for stage, _done, _total in calls))
    assert stages[:3] == ["读取单位表", "读取干部表", "读取履历表"]
    assert {"核对干部", "核对履历", "写入干部", "写入履历"} <= set(stages)
    last = {stage: (done, total) for stage, done, total in calls}
    assert all(done == total for done, total in last.values())


def test_an_unreadable_cell_does_not_hide_other_problems_of_the_row(city):
    b = dt.date(1996, 4, 5)
    good = make_id_number("440802", b, 11)
    bad = good[:17] + ("1" if good[17] != "1" else "2")
    report = roster_import(
        actor=_actor(city),
        data=roster(cadres=[_cadre("NEW001", "新人", b, 11, 性别="未知", 身份证号=bad, 政治面貌="党外")]),
        file_name="x.xlsx",
        today=TODAY,
    )
    assert [e.header for e in report.errors] == ["性别", "身份证号", "政治面貌"], report.lines()
