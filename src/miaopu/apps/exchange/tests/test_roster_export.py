"""Exporting the roster: exact round trip on a demo city, formula-injection guard, scope and access log."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook

from miaopu.apps.cadres.models import Cadre
from miaopu.apps.core.audit import Actor
from miaopu.apps.core.models import AuditEvent, User
from miaopu.apps.exchange.services import roster_export, roster_import, template_bytes
from miaopu.apps.mentoring.models import Mentor, Mentorship
from miaopu.apps.units.models import Unit
from miaopu.domain.roster import CADRES, EXPERIENCE, UNITS

from .helpers import read_xlsx

pytestmark = pytest.mark.django_db


def _export(user, **kwargs) -> bytes:
    buffer = io.BytesIO()
    roster_export(actor=Actor(user=user, source="cli"), target=buffer, **kwargs)
    return buffer.getvalue()


def test_demo_city_round_trip_is_exact():
    """Export → import changes nothing; wipe the cadres, import again → the same workbook comes out."""
    from miaopu.apps.core.demo import generate

    generate(cadres=250, seed=11)
    user = User.objects.filter(role="orgdept", scope_unit__parent__isnull=True).first()
    actor = Actor(user=user, source="cli")
    first = _export(user)
    sheets = read_xlsx(first)
    assert len(sheets[UNITS.name]) - 1 == Unit.objects.count() and len(sheets[CADRES.name]) - 1 == 250
    assert len(sheets[EXPERIENCE.name]) > 250
    report = roster_import(actor=actor, data=first, file_name="demo.xlsx")
    assert report.ok, report.lines()[:5]
    assert report.total_changes == 0 and report.counts["干部"].unchanged == 250

    # Change the database behind the workbook's back, then let the workbook put it right.
    Mentorship.objects.all().delete()
    Mentor.objects.all().delete()
    Cadre.objects.all().delete()
    town = Unit.objects.filter(level="town").order_by("pk").first()
    Unit.objects.filter(pk=town.pk).update(is_remote=not town.is_remote, tags="改过")
    report = roster_import(actor=actor, data=first, file_name="demo.xlsx")
    assert report.ok, report.lines()[:5]
    assert report.counts["干部"].created == 250 and report.counts["单位"].updated == 1
    assert report.counts["履历"].created == len(sheets[EXPERIENCE.name]) - 1
    assert read_xlsx(_export(user)) == sheets


def test_formula_like_text_is_written_as_text(city):
    cadre = city.cadres["town_a"]
    Cadre.objects.filter(pk=cadre.pk).update(post_title='=HYPERLINK("http://x.invalid","点我")', specialties="+1")
    Unit.objects.filter(pk=city.town_a.pk).update(short_name="@SUM(A1)", tags="-2")
    data = _export(city.users["orgdept"])
    archive = zipfile.ZipFile(io.BytesIO(data))
    for name in archive.namelist():
        if name.startswith("xl/worksheets/"):
            assert b"<f>" not in archive.read(name)  # no formula anywhere
    book = load_workbook(io.BytesIO(data))
    sheet = book["干部"]
    headers = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == cadre.code)
    post = row[headers.index("现任职务")]
    assert post.data_type == "s" and post.value.startswith("=HYPERLINK")
    assert post.quotePrefix  # Excel keeps it text when the cell is edited
    assert row[headers.index("专业特长")].value == "+1"
    # And the round trip is still exact.
    report = roster_import(actor=Actor(user=city.users["orgdept"], source="cli"), data=data, file_name="f.xlsx")
    assert report.ok and report.total_changes == 0


def test_export_respects_scope_and_is_logged(city):
    data = _export(city.users["orgdept_a"])
    sheets = read_xlsx(data)
    codes = {row[0] for row in sheets["干部"][1:]}
    assert codes == {city.cadres["town_a"].code, city.cadres["village_a"].code}
    units = {row[0] for row in sheets["单位"][1:]}
    assert units == {"东湖区", "东湖区青石镇", "青石镇红旗村"}
    event = AuditEvent.objects.filter(category="access", action="export").latest("id")
    assert event.actor_name == "orgdept_a" and event.detail["counts"]["干部"] == 2
    assert event.detail["format"] == "roster-xlsx"


def test_export_one_unit_and_a_filtered_list(city):
    user = city.users["orgdept"]
    sheets = read_xlsx(_export(user, unit=city.town_a))
    assert {row[0] for row in sheets["干部"][1:]} == {city.cadres["town_a"].code, city.cadres["village_a"].code}
    women = Cadre.objects.filter(gender="female")
    sheets = read_xlsx(_export(user, cadres=women, filters={"gender": "female"}))
    assert {row[2] for row in sheets["干部"][1:]} == {"女"}
    # 履历 rows only for the exported cadres.
    assert {row[0] for row in sheets["履历"][1:]} <= {c.code for c in women}


def test_dates_are_dates_and_labels_are_chinese(city):
    sheets = read_xlsx(_export(city.users["orgdept"]))
    header = sheets["干部"][0]
    row = next(r for r in sheets["干部"][1:] if r[0] == city.cadres["organ"].code)
    assert row[header.index("出生日期")] == dt.date(1992, 5, 17)
    assert row[header.index("职务层次")] == "正科" and row[header.index("干部来源")] == "选调生"


def test_template_has_headers_and_help():
    sheets = read_xlsx(template_bytes())
    assert sheets["干部"] == [CADRES.headers]
    assert any(r[1] == "身份证号" for r in sheets["说明"][1:])
