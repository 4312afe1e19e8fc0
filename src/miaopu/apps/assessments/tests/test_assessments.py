"""Assessments: one annual grade per cadre per year, the unit grid (all or nothing), sheet import with a full error
report, reviews with their facts, scoping, and ``recent_grades`` for the matching engine."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from openpyxl import Workbook

from miaopu.apps.assessments import services
from miaopu.apps.assessments.models import Assessment, AssessmentCycle, Review
from miaopu.apps.assessments.selectors import recent_grades
from miaopu.apps.core.audit import Actor
from miaopu.apps.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycles(city):
    root = city.root
    return {
        "annual": AssessmentCycle.objects.create(kind="annual", year=2025, name="2025 年年度考核", scope_unit=root),
        "annual_b": AssessmentCycle.objects.create(
            kind="annual", year=2025, name="2025 年年度考核（西山县补录）", scope_unit=city.district_b
        ),
        "town": AssessmentCycle.objects.create(
            kind="regular", year=2025, quarter=2, name="2025 年二季度平时考核（青石镇）", scope_unit=city.town_a
        ),
    }


def actor(city, role: str = "orgdept") -> Actor:
    return Actor.cli(city.users[role])


# ---------------------------------------------------------------- one annual grade per year


def test_one_annual_grade_per_cadre_per_year(city, cycles):
    zhao = city.cadres["town_b"]
    services.assessment_save(actor=actor(city), cycle=cycles["annual"], cadre=zhao, data={"grade": "优秀"})
    with pytest.raises(ValidationError) as exc:
        services.assessment_save(actor=actor(city), cycle=cycles["annual_b"], cadre=zhao, data={"grade": "称职"})
    message = str(exc.value)
    assert "赵强 2025 年已有年度考核等次（见“2025 年年度考核”），每人每年只有一个年度考核等次" in message
    # correcting the grade in its own cycle is fine, and a quarterly result of the same year is another matter
    services.assessment_save(actor=actor(city), cycle=cycles["annual"], cadre=zhao, data={"grade": "称职"})
    assert Assessment.objects.get(cadre=zhao, kind="annual").grade == "competent"


def test_the_database_itself_refuses_a_second_annual_grade(city, cycles):
    zhao = city.cadres["town_b"]
    Assessment.objects.create(
        cycle=cycles["annual"], cadre=zhao, kind="annual", year=2025, grade="competent", assessed_on=dt.date(2026, 1, 5)
    )
    second = Assessment(
        cycle=cycles["annual_b"],
        cadre=zhao,
        kind="annual",
        year=2025,
        grade="excellent",
        assessed_on=dt.date(2026, 1, 5),
    )
    with pytest.raises(ValidationError) as exc:
        second.full_clean()
    assert "每名干部每年只能有一个年度考核等次" in str(exc.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_scores_and_grade_are_checked(city, cycles):
    with pytest.raises(ValidationError) as exc:
        services.assessment_save(
            actor=actor(city),
            cycle=cycles["annual"],
            cadre=city.cadres["town_a"],
            data={"grade": "优良", "score_ability": "101"},
        )
    errors = exc.value.message_dict
    assert "请填写等次：优秀、称职、基本称职、不称职、不定等次" in errors["grade"][0]
    assert "分数应为 0—100 之间的数" in errors["score_ability"][0]


def test_writers_are_scoped(city, cycles):
    with pytest.raises(ValidationError) as exc:  # out of the officer's scope: reported like an unknown cadre
        services.assessment_bulk_save(
            actor=actor(city, "officer_b"),
            cycle=cycles["annual"],
            rows=[services.ResultRow(row=1, cadre=city.cadres["town_a"], grade="称职")],
        )
    assert "不在您的管理范围内" in str(exc.value)
    with pytest.raises(ValidationError) as exc:  # out of the cycle's scope
        services.assessment_bulk_save(
            actor=actor(city),
            cycle=cycles["town"],
            rows=[services.ResultRow(row=1, cadre=city.cadres["town_b"], grade="称职")],
        )
    assert "不在本次考核范围（东湖区青石镇）内" in str(exc.value)


# ---------------------------------------------------------------- the unit grid


def _grid_post(cadre_ids: list[int], rows: list[dict]) -> dict:
    data = {
        "r-TOTAL_FORMS": str(len(cadre_ids)),
        "r-INITIAL_FORMS": str(len(cadre_ids)),
        "r-MIN_NUM_FORMS": "0",
        "r-MAX_NUM_FORMS": "1000",
    }
    for i, (pk, row) in enumerate(zip(cadre_ids, rows, strict=True)):
        data[f"r-{i}-cadre"] = str(pk)
        for key, value in row.items():
            data[f"r-{i}-{key}"] = value
    return data


def test_grid_saves_all_rows_or_none(city, cycles, client_for):
    client = client_for("officer_b")
    cycle, unit = cycles["annual"], city.district_b
    url = f"/assessments/cycles/{cycle.pk}/grid/?unit={unit.pk}&sub=1"
    page = client.get(url)
    assert page.status_code == 200
    ids = [c.pk for c, _f in page.context["rows"]]
    assert ids == [city.cadres["district_b"].pk, city.cadres["town_b"].pk]
    # one bad row (a score of 120): nothing is written, the row is pointed at
    bad = _grid_post(
        ids, [{"grade": "excellent", "score_morality": "95"}, {"grade": "competent", "score_ability": "120"}]
    )
    response = client.post(url, bad)
    assert response.status_code == 200
    assert Assessment.objects.count() == 0
    forms = response.context["formset"].forms
    assert "score_ability" in forms[1].errors and not forms[0].errors
    assert response.content.decode().count('class="row-error"') == 1
    # a row left blank is skipped; a row with a score but no grade is an error naming the row
    missing = _grid_post(ids, [{"grade": "excellent"}, {"grade": "", "comment": "表现好"}])
    response = client.post(url, missing)
    assert Assessment.objects.count() == 0
    problems = response.context["problems"]
    assert [(p.row, p.column) for p in problems] == [(2, "等次")]
    assert str(problems[0]) == "第 2 行「等次」：请填写等次：优秀、称职、基本称职、不称职、不定等次。"
    assert "请填写等次" in response.content.decode()
    # all good: both saved, audited
    good = _grid_post(ids, [{"grade": "excellent", "score_morality": "95"}, {"grade": "competent"}])
    response = client.post(url, good)
    assert response.status_code == 302
    assert dict(Assessment.objects.values_list("cadre_id", "grade")) == {ids[0]: "excellent", ids[1]: "competent"}
    assert AuditEvent.objects.filter(object_type="assessments.assessment", action="create").count() == 2


def test_grid_refuses_units_outside_scope(city, cycles, client_for):
    cycle = cycles["annual"]
    assert client_for("officer_b").get(f"/assessments/cycles/{cycle.pk}/grid/?unit={city.town_a.pk}").status_code == 404
    assert client_for("orgdept_a").get(f"/assessments/cycles/{cycles['annual_b'].pk}/").status_code == 404
    for role in ("mentor", "cadre", "auditor"):
        assert client_for(role).get("/assessments/").status_code == 403
        assert client_for(role).get(f"/assessments/cycles/{cycle.pk}/grid/?unit={city.town_b.pk}").status_code == 403


def test_cycle_list_counts_only_the_results_in_the_users_scope(city, cycles, client_for):
    """ "已录入" counts the results of the cadres the user may see (a district sees its own, not the city's)."""
    for key in ("organ", "town_a", "town_b"):
        services.assessment_save(
            actor=actor(city), cycle=cycles["annual"], cadre=city.cadres[key], data={"grade": "优秀"}
        )
    counts = {
        role: {c.name: c.n for c in client_for(role).get("/assessments/").context["page_obj"]}
        for role in ("orgdept", "orgdept_a", "officer_b")
    }
    assert counts["orgdept"]["2025 年年度考核"] == 3
    assert counts["orgdept_a"]["2025 年年度考核"] == 1  # 王海 (东湖区) only
    assert counts["officer_b"]["2025 年年度考核"] == 1  # 赵强 (西山县白沙镇) only
    assert counts["orgdept"]["2025 年二季度平时考核（青石镇）"] == 0


# ---------------------------------------------------------------- sheet import


def _sheet(rows: list[list]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "考核结果.xlsx"
    return buffer


def test_import_reports_every_problem_with_row_column_value_and_fix(city, cycles, client_for):
    c = city.cadres
    sheet = _sheet(
        [
            ["人员编号", "姓名", "单位", "等次", "德", "能", "勤", "绩", "廉", "评语"],
            [c["town_a"].code, "王海", "青石镇", "优秀", 95, 92, 93, 96, 97, "表现突出"],
            [c["village_a"].code, "李四", "", "优良", None, None, None, None, None, ""],
            ["T999999", "无名", "", "称职", None, None, None, None, None, ""],
            [c["organ"].code, "林晓明", "", "称职", None, "abc", None, None, None, ""],
            [c["town_a"].code, "王海", "", "称职", None, None, None, None, None, ""],
        ]
    )
    response = client_for("orgdept").post(f"/assessments/cycles/{cycles['annual'].pk}/import/", {"file": sheet})
    assert response.status_code == 400
    assert Assessment.objects.count() == 0  # all or nothing
    got = [(p.row, p.letter, p.column, p.value) for p in response.context["problems"]]
    assert got == [
        (3, "B", "姓名", "李四"),
        (3, "D", "等次", "优良"),
        (4, "A", "人员编号", "T999999"),
        (5, "F", "能", "abc"),
        (6, "A", "人员编号", c["town_a"].code),
    ]
    text = response.content.decode()
    assert "与人员编号" in text and "请填写等次：优秀、称职、基本称职、不称职、不定等次" in text
    assert "找不到该人员编号，或该干部不在您的管理范围内" in text and "与第 2 行是同一名干部" in text
    assert (
        "第 5 行 F 列「能」（填写的是“abc”）：分数应为 0—100 之间的数"
        in [str(p) for p in response.context["problems"]][3]
    )


def test_import_of_a_clean_sheet_writes_every_row(city, cycles, client_for):
    c = city.cadres
    sheet = _sheet(
        [
            ["说明：2025 年度考核结果"],
            ["姓名", "人员编号", "考核等次", "评语"],
            ["王海", c["town_a"].code, "优秀", "实绩突出"],
            ["李娜", c["village_a"].code, "合格", ""],
        ]
    )
    response = client_for("orgdept_a").post(f"/assessments/cycles/{cycles['annual'].pk}/import/", {"file": sheet})
    assert response.status_code == 302
    assert dict(Assessment.objects.values_list("cadre__name", "grade")) == {"王海": "excellent", "李娜": "competent"}
    assert set(Assessment.objects.values_list("source", flat=True)) == {"import"}


def test_import_refuses_what_is_not_a_workbook(city, cycles, client_for):
    fake = io.BytesIO(b"name,grade\n")
    fake.name = "考核.xlsx"
    response = client_for("orgdept").post(f"/assessments/cycles/{cycles['annual'].pk}/import/", {"file": fake})
    assert response.status_code == 400 and ".xlsx" in response.content.decode()
    missing = _sheet([["人员编号", "姓名"], [city.cadres["town_a"].code, "王海"]])
    response = client_for("orgdept").post(f"/assessments/cycles/{cycles['annual'].pk}/import/", {"file": missing})
    assert "缺少“等次”列" in response.content.decode()


def test_template_download_lists_the_units_cadres(city, cycles, client_for):
    from python_calamine import CalamineWorkbook

    response = client_for("officer_town_a").get(
        f"/assessments/cycles/{cycles['annual'].pk}/template.xlsx?unit={city.town_a.pk}"
    )
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0][:4] == ["人员编号", "姓名", "单位", "等次"]
    assert {r[1] for r in rows[1:]} == {"王海", "李娜"}


# ---------------------------------------------------------------- reviews and recent grades


def test_review_page_shows_the_facts_and_keeps_them(city, cycles, client_for):
    zhao = city.cadres["town_b"]
    services.assessment_save(actor=actor(city), cycle=cycles["annual"], cadre=zhao, data={"grade": "优秀"})
    client = client_for("orgdept")
    page = client.get(f"/assessments/reviews/new/{zhao.pk}/")
    text = page.content.decode()
    assert "近年考核" in text and "2025" in text and "优秀" in text and "导师甲" in text
    response = client.post(
        f"/assessments/reviews/new/{zhao.pk}/",
        {"date": "2026-01-05", "fitness": "good", "ability": "strong", "advice": "放到乡镇主官岗位历练"},
    )
    assert response.status_code == 302
    review = Review.objects.get(cadre=zhao)
    assert review.facts["grades"][0]["grade"] == "优秀" and review.facts["mentors"][0]["mentor"] == "导师甲"
    assert client_for("officer_b").get(f"/assessments/reviews/new/{zhao.pk}/").status_code == 403


def test_recent_grades_for_matching(city, cycles):
    zhao, wang = city.cadres["town_b"], city.cadres["town_a"]
    old = AssessmentCycle.objects.create(kind="annual", year=2021, name="2021 年年度考核", scope_unit=city.root)
    services.assessment_save(actor=actor(city), cycle=cycles["annual"], cadre=zhao, data={"grade": "优秀"})
    services.assessment_save(actor=actor(city), cycle=old, cadre=zhao, data={"grade": "称职"})
    services.assessment_save(actor=actor(city), cycle=cycles["town"], cadre=wang, data={"grade": "优秀"})
    got = recent_grades([zhao.pk, wang.pk], years=3, as_of=dt.date(2026, 6, 1))
    assert got == {zhao.pk: {2025: "excellent"}}  # 2021 is too old; a quarterly grade is not an annual one
    assert recent_grades([zhao.pk], years=5, as_of=dt.date(2026, 6, 1)) == {
        zhao.pk: {2021: "competent", 2025: "excellent"}
    }
    assert recent_grades([]) == {}


def test_api_lists_results_in_scope_and_records_through_the_service(city, cycles, client_for):
    zhao = city.cadres["town_b"]
    client = client_for("officer_b")
    response = client.post(
        "/api/assessments/", {"cycle": cycles["annual"].pk, "cadre": zhao.pk, "grade": "称职", "score_morality": "90"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["grade_display"] == "称职"
    again = client.post("/api/assessments/", {"cycle": cycles["annual_b"].pk, "cadre": zhao.pk, "grade": "优秀"})
    assert again.status_code == 400 and "每人每年只有一个年度考核等次" in str(again.json())
    assert [r["cadre"] for r in client_for("mentor").get("/api/assessments/").json()["results"]] == [zhao.pk]
    assert client_for("cadre").get("/api/assessments/").json()["results"] == []
    assert client_for("mentor").post("/api/assessments/", {}).status_code == 403
