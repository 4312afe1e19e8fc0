"""Writes: ranking on closing a class, bulk scores all-or-nothing, attendance, one theme per county, orders and
their scheduling, research reports (the growth attachments' checks) and reviews; every write audited."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from miaopu.apps.core.models import AuditEvent
from miaopu.apps.training import services
from miaopu.apps.training.models import Enrolment, OrderStatus, TrainingOrder

from .conftest import D, actor, score_and_close

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def test_closing_ranks_with_the_class_weights_and_ties(data):
    # equal scores for 赵强 and 林晓明 → tie at 1; 李娜 third
    score_and_close(data, {"town_b": (90, 90, 90), "village_a": (80, 80, 80), "organ": (90, 90, 90)})
    e = {k: Enrolment.objects.get(pk=v.pk) for k, v in data.enrolments.items()}
    assert (e["town_b"].rank, e["organ"].rank, e["village_a"].rank) == (1, 1, 3)
    assert e["town_b"].class_size == 3 and e["town_b"].status == "completed"
    # attendance 100 at weight 20, others at 30/30/20: 20 + 27 + 27 + 18 = 92
    assert float(e["town_b"].total) == 92.0 and float(e["village_a"].total) == 84.0
    assert AuditEvent.objects.filter(object_type="training.enrolment", action="update").count() >= 6


def test_weights_decide_the_order(data):
    org = actor(data.city)
    services.class_set_weights(
        actor=org, klass=data.klass, weights={"attendance": 0, "coursework": 0, "assessment": 0, "peer": 1}
    )
    score_and_close(data, {"town_b": (99, 99, 60), "village_a": (60, 60, 95), "organ": (70, 70, 70)})
    ranks = {k: Enrolment.objects.get(pk=v.pk).rank for k, v in data.enrolments.items() if k != "town_a"}
    assert ranks == {"village_a": 1, "organ": 2, "town_b": 3}
    services.class_reopen(actor=org, klass=data.klass)
    assert not Enrolment.objects.filter(klass=data.klass, rank__isnull=False).exists()  # ranking withdrawn
    with pytest.raises(ValidationError) as err:
        services.class_set_weights(actor=org, klass=data.klass, weights={"peer": -1})
    assert "“学员互评”的权重应为 0 到 100 之间的数" in str(err.value)


def test_bulk_scores_are_all_or_nothing_with_every_problem_named(data):
    e = data.enrolments
    with pytest.raises(ValidationError) as err:
        services.scores_record(
            actor=actor(data.city),
            klass=data.klass,
            rows={e["town_b"].pk: {"coursework": "88"}, e["village_a"].pk: {"coursework": "abc", "peer": "120"}},
        )
    messages = err.value.messages
    assert "李娜的“课程作业”应为数字，而不是“abc”。" in messages
    assert "李娜的“学员互评”应在 0—100 之间，而不是 120。" in messages
    assert Enrolment.objects.get(pk=e["town_b"].pk).coursework is None  # nothing half-written


def test_scores_and_attendance_refused_outside_scope_and_after_closing(data):
    with pytest.raises(PermissionDenied):
        services.scores_record(actor=actor(data.city, "orgdept_a"), klass=data.klass, rows={})
    with pytest.raises(PermissionDenied):
        services.attendance_record(actor=actor(data.city, "officer_b"), session=data.sessions[0], statuses={})
    score_and_close(data, {"town_b": (1, 1, 1)})
    with pytest.raises(ValidationError, match="已结业"):
        services.scores_record(actor=actor(data.city), klass=data.klass, rows={})


def test_one_theme_per_county(data):
    with pytest.raises(ValidationError) as err:
        services.course_create(
            actor=actor(data.city),
            data={"topic": "生态课", "theme": "生态保护", "county": data.city.district_b, "hours": 2,
                  "form": "classroom", "scope_unit": data.city.root},
        )  # fmt: skip
    assert "一县一主题：西山县的主题已定为“乡村振兴”" in str(err.value)
    services.course_create(
        actor=actor(data.city),
        data={"topic": "乡村振兴案例", "theme": "乡村振兴", "county": data.city.district_b, "hours": 2,
              "form": "classroom", "scope_unit": data.city.root},
    )  # fmt: skip


def test_session_date_must_fall_in_the_class(data):
    with pytest.raises(ValidationError) as err:
        services.session_create(actor=actor(data.city), klass=data.klass, data={"title": "补课", "date": D(2026, 1, 1)})
    assert "课次日期应在开班至结业期间" in str(err.value)


def test_orders_by_cadre_and_officer_and_scheduling(data):
    own, unit = data.order_own, data.order_unit
    assert own.cadre == data.city.cadres["village_a"] and own.unit == data.city.village_a
    assert unit.cadre is None and unit.unit == data.city.district_b and unit.headcount == 12
    with pytest.raises(ValidationError) as err:
        services.order_create(actor=actor(data.city, "cadre"), data={})
    assert "请从课程目录中选择，或自拟题目。" in str(err.value)
    with pytest.raises(PermissionDenied):
        services.order_create(actor=actor(data.city, "mentor"), data={"custom_topic": "x"})
    # 东湖区 组织部 cannot schedule 西山县's order
    with pytest.raises(PermissionDenied):
        services.orders_schedule(
            actor=actor(data.city, "orgdept_a"), orders=[unit], klass=data.district_class,
            data={"title": "信访", "date": D(2025, 11, 5)},
        )  # fmt: skip
    session = services.orders_schedule(
        actor=actor(data.city),
        orders=[own, unit],
        klass=data.klass,
        data={"course": data.course, "date": D(2025, 10, 15)},
    )
    assert set(TrainingOrder.objects.filter(session=session).values_list("status", flat=True)) == {"scheduled"}
    with pytest.raises(ValidationError, match="已处理"):
        services.orders_schedule(actor=actor(data.city), orders=[own], klass=data.klass, data={"date": D(2025, 10, 16)})
    other = services.order_create(actor=actor(data.city, "cadre"), data={"custom_topic": "公文写作"})
    with pytest.raises(ValidationError, match="理由"):
        services.order_decline(actor=actor(data.city), order=other, answer=" ")
    assert (
        services.order_decline(actor=actor(data.city), order=other, answer="已有同类课程").status
        == OrderStatus.DECLINED
    )


def test_report_upload_uses_the_attachment_checks_and_review_awards(data, media):
    topic = data.topic_mentored
    bad = SimpleUploadedFile("报告.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as err:
        services.report_upload(actor=actor(data.city), topic=topic, upload=bad)
    assert "内容与扩展名不符" in str(err.value)
    with pytest.raises(ValidationError, match="还没有提交调研报告"):
        services.topic_review(actor=actor(data.city), topic=topic, score=90, award="first", reviewed_on=D(2025, 10, 1))
    # the owner uploads: a cadre owner may (李娜 is not the owner of this topic → refused)
    with pytest.raises(PermissionDenied):
        services.report_upload(actor=actor(data.city, "cadre"), topic=topic, upload=io.BytesIO(PDF))
    good = SimpleUploadedFile("白沙镇调研报告.pdf", PDF, content_type="application/pdf")
    services.report_upload(actor=actor(data.city), topic=topic, upload=good, on=D(2025, 9, 28))
    topic.refresh_from_db()
    assert topic.status == "submitted" and topic.report_name == "白沙镇调研报告.pdf" and topic.report_size == len(PDF)
    with pytest.raises(ValidationError) as err:
        services.topic_review(actor=actor(data.city), topic=topic, score=101, award="bogus", reviewed_on=D(2025, 9, 1))
    assert set(err.value.message_dict) == {"review_score", "award", "reviewed_on"}
    services.topic_review(actor=actor(data.city), topic=topic, score=92, award="first", reviewed_on=D(2025, 10, 8))
    topic.refresh_from_db()
    assert (topic.status, topic.award, float(topic.review_score)) == ("reviewed", "first", 92.0)


def test_meetings(data):
    services.meeting_add(
        actor=actor(data.city), topic=data.topic_mentored, data={"date": D(2025, 5, 1), "progress": 50, "notes": "初稿"}
    )
    with pytest.raises(ValidationError, match="不能早于立项日期"):
        services.meeting_add(
            actor=actor(data.city), topic=data.topic_mentored, data={"date": D(2025, 1, 1), "progress": 0, "notes": "x"}
        )
    assert data.topic_mentored.meetings.count() == 1
    assert dt.date(2025, 5, 1) == data.topic_mentored.meetings.get().date


def test_topic_owners_must_be_in_scope(data):
    with pytest.raises(ValidationError) as err:
        services.topic_create(
            actor=actor(data.city, "orgdept_a"),
            data={"title": "x", "scope_unit": data.city.district_a, "start": D(2025, 1, 1), "due": D(2025, 2, 1)},
            owners=[data.city.cadres["town_b"]],
        )
    assert "不在您管理范围内的干部：赵强" in str(err.value)


def _sheet(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_score_sheet_round_trip_and_all_or_nothing_import(client_for, data):
    """Download the sheet, fill it in, upload it: every problem is listed with its row and nothing is saved, or all
    is saved; a blank cell leaves a score as it is."""
    from python_calamine import CalamineWorkbook

    e = data.enrolments
    c = data.city.cadres
    client = client_for("orgdept")
    base = f"/training/classes/{data.klass.pk}/scores/"
    sheet = client.get(base + "sheet.xlsx")
    assert sheet.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(sheet.content)).get_sheet_by_index(0).to_python()
    assert rows[0][:2] == ["人员编号", "姓名"] and "课程作业" in rows[0]
    assert {r[0] for r in rows[1:]} == {c["town_b"].code, c["village_a"].code, c["organ"].code}
    assert AuditEvent.objects.filter(action="export", object_type="training.trainingclass").exists()
    services.scores_record(actor=actor(data.city), klass=data.klass, rows={e["organ"].pk: {"peer": "75"}})
    header = ["人员编号", "姓名", "单位", "课程作业", "结业考核", "学员互评"]
    bad = _sheet(
        [
            header,
            [c["town_b"].code, "赵强", "", 88, 90, ""],
            [c["village_a"].code, "王五", "", 70, 80, 90],  # wrong name
            ["T999999", "", "", 60, 60, 60],  # not in the class
            [c["town_b"].code, "赵强", "", 1, 1, 1],  # twice
            [c["organ"].code, "", "", "优", 101, ""],  # a word and 101
        ]
    )
    page = client.post(base + "import/", {"sheet": io.BytesIO(bad)}, follow=True).content.decode()
    for text in (
        "第 3 行：姓名“王五”与人员编号",
        "第 4 行：人员编号“T999999”不是本班学员",
        "第 5 行：与第 2 行是同一名学员",
        "应为数字，而不是“优”",  # the values' problems in the same report
        "应在 0—100 之间，而不是 101",
        "成绩表有 5 处问题",
    ):
        assert text in page, text
    assert Enrolment.objects.get(pk=e["town_b"].pk).coursework is None  # nothing saved
    good = _sheet([header, [c["town_b"].code, "赵强", "", 88, 90.5, ""], [c["organ"].code, "", "", 66, "", ""]])
    response = client.post(base + "import/", {"sheet": io.BytesIO(good)})
    assert response.status_code == 302
    town_b, organ = Enrolment.objects.get(pk=e["town_b"].pk), Enrolment.objects.get(pk=e["organ"].pk)
    assert (town_b.coursework, town_b.assessment, town_b.peer) == (Decimal("88"), Decimal("90.5"), None)
    assert (organ.coursework, organ.peer) == (Decimal("66"), Decimal("75"))  # blank cell: 75 kept
    # Not a workbook, and another scope's officer: refused.
    page = client.post(base + "import/", {"sheet": io.BytesIO(b"not a workbook")}, follow=True).content.decode()
    assert "没有保存任何成绩" in page
    assert client_for("orgdept_a").post(base + "import/", {"sheet": io.BytesIO(good)}).status_code in (403, 404)
