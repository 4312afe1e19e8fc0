"""Eligibility from the database: the shipped templates, the bulk loader, the ``eligible`` command.

The roster below is the domain test's edge-case roster (tests/domain/test_rules.py) written into the
database this time: birthdays on the as-of date, a 29 February birthday, overlapping and open experience
entries, a missing civil-service entry date, a deputy town head. The expected table is worked out by hand
from the issue's rules; loading through the database must not change a single verdict.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from miaopu.apps.cadres.models import Cadre, Experience
from miaopu.apps.core.models import AuditEvent
from miaopu.apps.core.testing import make_cadre, make_unit
from miaopu.apps.programmes.loaders import load_profiles
from miaopu.apps.programmes.models import ProgrammeTemplate
from miaopu.apps.programmes.selectors import eligibility_list

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 3, 1)

EXPECTED = """
code dunmiao xinmiao sixiaji-practice ningde-secondment ningde-rotation six-lines youth-camp two-way
A01  ✓       ✗       ✓                ✓                 ✗               ✗         ✗          市直
A02  ✗       ✗       ✗                ✗                 市直正科以上      ✗         ✗          ✗
A03  ✗       育苗     ✗                ✗                 ✗               ✓         一年级      基层
A04  ✗       扶苗     ✓                ✓                 ✗               ✓         二年级      基层
A05  ✗       壮苗     ✗                ✓                 ✗               ✓         三年级      ✗
A06  ✗       ✗       ✓                ✓                 ✗               ✓         三年级      基层
A07  ✗       ✗       ✗                ✗                 曾任乡镇党政正职   ✗         ✗          ✗
A08  ✗       ✗       ✗                ✗                 ✗               ✗         ✗          ✗
A09  ✗       ✗       ✗                ✓                 ✗               ✗         ✗          市直
A10  ✗       ✗       ✗                ✓                 ✗               ✗         ✗          基层
A11  ✗       ✗       ✓                ✗                 ✗               ✓         ✗          基层
A12  ✗       ✗       ✓                ✓                 ✗               ✓         ✗          市直
A13  ✗       ✗       ✗                ✗                 ✗               ✗         ✗          ✗
A14  ✗       ✗       ✗                ✗                 市直正科以上      ✗         ✗          ✗
"""

KEY_REASONS = [
    ("dunmiao", "A01", "✓年龄 35 岁，不超过 35 岁"),
    ("dunmiao", "A02", "✗年龄 36 岁，超过 35 岁"),
    ("xinmiao", "A03", "✓【育苗】公务员工作时间 11 个月，少于 12 个月"),
    ("ningde-secondment", "A09", "✓乡村工作经历 17 个月，少于 24 个月"),  # overlapping entries counted once
    ("ningde-secondment", "A10", "✓乡村工作经历 23 个月，少于 24 个月"),  # open entry up to the as-of date
    ("ningde-rotation", "A07", "✓【曾任乡镇党政正职】有 镇街 单位“党委书记”任职经历（2015.03—2018.06 东湖区青石镇）"),
    ("ningde-rotation", "A08",
     "✗【曾任乡镇党政正职】无 镇街 单位 党委书记/镇长/乡长/党工委书记/办事处主任（职务名称不含“副”）任职经历"),
    ("two-way", "A05", "✗【市直】单位性质 为 事业单位，不是 党政机关"),
    ("two-way", "A13", "✗年龄 41 岁，超过 40 岁"),
    ("youth-camp", "A12", "✗【一年级】公务员工作年限 未填写"),
]  # fmt: skip


def d(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


@pytest.fixture
def edge_roster(city):
    institute = make_unit("示范市规划研究院", "city", city.root, kind="institution")
    organ, county, town, town2, village = city.organ, city.district_a, city.town_a, city.town_b, city.village_a
    people = {}

    def person(code, born, unit, *, entry, stints=(), **fields):
        cadre = make_cadre(unit, code, d(born), code=code, civil_service_entry_date=d(entry), **fields)
        for start, end, where, title, kind in stints:
            Experience.objects.create(cadre=cadre, start=d(start), end=d(end), unit=where, post_title=title, kind=kind)
        people[code] = cadre

    p = "posting"
    person(
        "A01",
        "1989-03-02",
        organ,
        entry="2013-08-01",
        leadership_level="deputy_section",
        stints=[("2013-08-01", None, organ, "", p)],
    )
    person(
        "A02",
        "1989-03-01",
        organ,
        entry="2011-08-01",
        leadership_level="section",
        stints=[("2012-01-01", "2014-01-01", town, "", p), ("2014-01-01", None, organ, "", p)],
    )
    person(
        "A03",
        "2000-05-05",
        town,
        entry="2024-03-02",
        source="selected_graduate",
        leadership_level="staff",
        stints=[("2024-03-02", None, town, "", p)],
    )
    person(
        "A04",
        "1998-01-01",
        county,
        entry="2024-03-01",
        source="recruited_talent",
        leadership_level="staff",
        stints=[("2024-03-01", None, county, "", p)],
    )
    person(
        "A05",
        "1997-07-07",
        institute,
        entry="2022-03-02",
        source="selected_graduate",
        stints=[
            ("2022-03-02", None, institute, "", p),
            ("2022-09-01", "2023-09-01", village, "第一书记", "secondment"),
        ],
    )
    person("A06", "1996-02-10", county, entry="2022-03-01", source="selected_graduate")
    person(
        "A07",
        "1980-05-01",
        county,
        entry="2003-08-01",
        leadership_level="deputy_division",
        stints=[
            ("2010-01-01", "2015-03-01", town2, "副镇长", p),
            ("2015-03-01", "2018-06-01", town, "党委书记", p),
            ("2018-06-01", None, county, "副区长", p),
        ],
    )
    person(
        "A08",
        "1987-09-09",
        organ,
        entry="2009-08-01",
        leadership_level="deputy_section",
        gender="female",
        stints=[("2012-01-01", "2016-01-01", town2, "副镇长", p), ("2016-01-01", None, organ, "", p)],
    )
    person(
        "A09",
        "1995-04-04",
        organ,
        entry="2018-08-01",
        leadership_level="staff",
        stints=[
            ("2018-08-01", None, organ, "", p),
            ("2023-01-01", "2024-01-01", town, "", p),
            ("2023-06-01", "2024-06-01", village, "", "secondment"),
        ],
    )
    person(
        "A10",
        "1993-10-10",
        county,
        entry="2016-08-01",
        stints=[("2016-08-01", None, county, "", p), ("2023-03-02", None, town, "", "secondment")],
    )
    person("A11", "1996-01-01", town, entry="2023-01-01", source="selected_graduate", status="transferred")
    person("A12", "1999-09-09", organ, entry=None, source="recruited_talent", leadership_level="staff")
    person("A13", "1984-02-29", town, entry="2006-08-01", leadership_level="deputy_section")
    person(
        "A14",
        "1986-06-01",
        organ,
        entry="2008-08-01",
        leadership_level="deputy_division",
        stints=[("2014-01-01", "2017-01-01", town, "青石镇镇长", p), ("2017-01-01", None, organ, "", p)],
    )
    return people  # fmt: skip


def expected_rows() -> list[tuple[str, str, str]]:
    header, *lines = EXPECTED.strip().splitlines()
    templates = header.split()[1:]
    return [(t, line.split()[0], cell) for line in lines for t, cell in zip(templates, line.split()[1:], strict=True)]


def results(user, code: str, people: dict) -> dict:
    version = ProgrammeTemplate.objects.get(code=code).current_version
    qs = Cadre.objects.filter(pk__in=[c.pk for c in people.values()])
    return {row.code: row for row in eligibility_list(user=user, version=version, as_of=AS_OF, cadres=qs)}


def test_shipped_templates_match_the_hand_worked_table(city, edge_roster):
    user = city.users["orgdept"]
    by_template: dict[str, dict] = {}
    mismatches = []
    for template, code, cell in expected_rows():
        if template not in by_template:
            by_template[template] = results(user, template, edge_roster)
        row = by_template[template][code]
        want = (cell != "✗", None if cell in "✓✗" else cell)
        if (row.eligible, row.group) != want:
            mismatches.append((template, code, want, (row.eligible, row.group), [r.text for r in row.reasons]))
    assert not mismatches
    for template, code, reason in KEY_REASONS:
        marked = [("✓" if r.ok else "✗") + r.text for r in by_template[template][code].reasons]
        assert reason in marked, (template, code, marked)


def test_the_loader_needs_three_queries_whatever_the_number_of_cadres(city, edge_roster):
    qs = Cadre.objects.all()
    with CaptureQueriesContext(connection) as queries:
        loaded = load_profiles(qs)
    assert len(loaded) == Cadre.objects.count() and len(queries) == 3
    a07 = next(item for item in loaded if item.profile.code == "A07")
    assert [s.post_title for s in a07.profile.facts_input.stints] == ["副镇长", "党委书记", "副区长"]
    assert dict(a07.profile.unit_names)[city.town_a.pk] == "东湖区青石镇"


def test_eligible_command_prints_json_for_the_callers_scope(city, edge_roster):
    out = io.StringIO()
    call_command("eligible", "ningde-secondment", "--as-of", "2025-03-01", "--format", "json", "--user", "orgdept_a",
                 stdout=out)  # fmt: skip
    rows = json.loads(out.getvalue())
    visible = Cadre.objects.filter(status="active", unit__path__startswith=city.district_a.path)
    assert sorted(r["code"] for r in rows) == sorted(visible.values_list("code", flat=True))
    assert all(set(r) == {"code", "name", "eligible", "group", "reasons"} for r in rows)
    a10 = next(r for r in rows if r["code"] == "A10")
    assert a10 == {
        "code": "A10",
        "name": "A10",
        "eligible": True,
        "group": None,
        "reasons": [
            "单位层级 为 区县，符合 市、区县 之一",
            "年龄 31 岁，不超过 35 岁",
            "乡村工作经历 23 个月，少于 24 个月",
        ],
    }
    assert "A11" not in {r["code"] for r in rows}  # transferred: not an active cadre
    assert "A01" not in {r["code"] for r in rows}  # a municipal cadre: outside 东湖区
    event = AuditEvent.objects.filter(object_type="programmes.programmetemplate", action="export").latest("id")
    assert event.actor_name == "orgdept_a" and event.detail["rows"] == len(rows)


def test_eligible_command_table_and_errors(city, edge_roster):
    out = io.StringIO()
    call_command("eligible", "two-way", "--as-of", "2025-03-01", "--user", "orgdept", stdout=out)
    text = out.getvalue()
    assert "双向挂职（two-way，第 1 版），按 2025-03-01 计算" in text
    assert "A01\tA01\t示范市自然资源局\t✓ 市直" in text
    assert "\t✗ 年龄 41 岁，超过 40 岁" in text
    with pytest.raises(CommandError, match="没有代码为“nope”的模板"):
        call_command("eligible", "nope", "--user", "orgdept")
    with pytest.raises(CommandError, match="不是组织部干部科"):
        call_command("eligible", "two-way", "--user", "officer_b")
    with pytest.raises(CommandError, match="格式不对"):
        call_command("eligible", "two-way", "--as-of", "2025/03/01", "--user", "orgdept")
