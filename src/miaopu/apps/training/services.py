"""Writes of the training app: catalogue, classes, sessions, enrolment, attendance, scores, closing a class with
its ranking, on-demand orders and their scheduling, research topics with meetings, reports and reviews.

Every function takes ``actor``, checks the actor may act (组织部干部科 within scope; cadres and unit officers
only for orders and a cadre for their own topic's report), validates everything and raises one
``ValidationError`` naming every problem, writes inside a transaction and records an audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from miaopu.apps.core.access import unit_in_scope
from miaopu.apps.core.audit import Actor, record_change, snapshot
from miaopu.apps.core.choices import AuditAction, Role
from miaopu.apps.core.services import apply_fields, full_clean
from miaopu.domain.training import clean_weights

from . import selectors
from .models import (
    Attendance,
    AttendanceStatus,
    Award,
    ClassSession,
    ClassStatus,
    Course,
    Enrolment,
    EnrolmentStatus,
    OrderStatus,
    ResearchTopic,
    TopicMeeting,
    TopicStatus,
    TrainingClass,
    TrainingOrder,
)
from .ranking import class_standings

COURSE_FIELDS = ["topic", "theme", "county", "teacher", "hours", "form", "description", "is_active", "scope_unit"]
CLASS_FIELDS = ["name", "kind", "grade", "scope_unit", "start", "end", "location", "note"]
SESSION_FIELDS = ["course", "title", "date", "hours", "teacher", "form"]
ORDER_FIELDS = ["course", "custom_topic", "post_category", "headcount", "note"]
TOPIC_FIELDS = ["title", "description", "mentor", "klass", "scope_unit", "start", "due"]
MEETING_FIELDS = ["date", "progress", "notes"]
#: What the audit log keeps of a topic (the report file itself is logged by name and size).
TOPIC_AUDIT = [*TOPIC_FIELDS, "status", "report_name", "report_size", "submitted_on", "review_score", "award"]
SCORE_FIELDS = ("coursework", "assessment", "peer")


def _require_manage(actor: Actor, unit) -> None:
    if not selectors.can_manage(actor.user, unit):
        raise PermissionDenied(_("您无权管理该单位举办的培训。"))


def _require_class_open(klass: TrainingClass) -> None:
    if klass.status == ClassStatus.CLOSED:
        raise ValidationError(_("该班已结业，成绩和考勤不能再修改。如确需更正，请先“重新开放”该班。"))


# ---------------------------------------------------------------- catalogue


def _course_errors(course: Course) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if course.county_id:
        if course.county.level != "county":
            errors["county"] = [_("承办单位应为区县。")]
        else:
            other = (
                Course.objects.filter(county_id=course.county_id)
                .exclude(pk=course.pk)
                .exclude(theme=course.theme)
                .values_list("theme", flat=True)
                .first()
            )
            if other:
                errors["theme"] = [
                    _("一县一主题：%(c)s的主题已定为“%(t)s”，该县的课程请用同一主题，或改由其他区县承办。")
                    % {"c": course.county.name, "t": other}
                ]
    return errors


@transaction.atomic
def course_create(*, actor: Actor, data: dict[str, Any]) -> Course:
    course = Course()
    apply_fields(course, data, COURSE_FIELDS)
    _require_manage(actor, getattr(course, "scope_unit", None) if course.scope_unit_id else None)
    full_clean(course, _course_errors(course))
    course.save()
    record_change(actor, AuditAction.CREATE, course, after=snapshot(course))
    return course


@transaction.atomic
def course_update(*, actor: Actor, course: Course, data: dict[str, Any]) -> Course:
    _require_manage(actor, course.scope_unit)
    before = snapshot(course)
    apply_fields(course, data, COURSE_FIELDS)
    _require_manage(actor, course.scope_unit)
    full_clean(course, _course_errors(course))
    course.save()
    record_change(actor, AuditAction.UPDATE, course, before=before, after=snapshot(course))
    return course


# ---------------------------------------------------------------- classes


@transaction.atomic
def class_create(*, actor: Actor, data: dict[str, Any]) -> TrainingClass:
    klass = TrainingClass()
    apply_fields(klass, data, CLASS_FIELDS)
    _require_manage(actor, klass.scope_unit if klass.scope_unit_id else None)
    full_clean(klass)
    klass.save()
    record_change(actor, AuditAction.CREATE, klass, after=snapshot(klass))
    return klass


@transaction.atomic
def class_update(*, actor: Actor, klass: TrainingClass, data: dict[str, Any]) -> TrainingClass:
    _require_manage(actor, klass.scope_unit)
    before = snapshot(klass)
    apply_fields(klass, data, CLASS_FIELDS)
    _require_manage(actor, klass.scope_unit)
    full_clean(klass)
    klass.save()
    record_change(actor, AuditAction.UPDATE, klass, before=before, after=snapshot(klass))
    return klass


@transaction.atomic
def class_set_weights(*, actor: Actor, klass: TrainingClass, weights: dict[str, Any]) -> TrainingClass:
    _require_manage(actor, klass.scope_unit)
    _require_class_open(klass)
    cleaned, problems = clean_weights(weights)
    if problems:
        raise ValidationError({"weights": problems})
    before = snapshot(klass, ["weights"])
    klass.weights = cleaned
    klass.save(update_fields=["weights"])
    record_change(actor, AuditAction.UPDATE, klass, before=before, after=snapshot(klass, ["weights"]))
    return klass


@transaction.atomic
def session_create(*, actor: Actor, klass: TrainingClass, data: dict[str, Any]) -> ClassSession:
    _require_manage(actor, klass.scope_unit)
    _require_class_open(klass)
    session = ClassSession(klass=klass)
    apply_fields(session, data, SESSION_FIELDS)
    errors: dict[str, list[str]] = {}
    if session.course_id:
        session.teacher = session.teacher or session.course.teacher
        if not data.get("form"):
            session.form = session.course.form
    elif not (session.title or "").strip():
        errors["title"] = [_("请选择课程或填写课次内容。")]
    if session.date and not klass.start <= session.date <= klass.end:
        errors["date"] = [
            _("课次日期应在开班至结业期间（%(a)s 至 %(b)s）。")
            % {"a": klass.start.isoformat(), "b": klass.end.isoformat()}
        ]
    full_clean(session, errors, exclude=["klass"])
    session.save()
    record_change(actor, AuditAction.CREATE, session, after=snapshot(session))
    return session


@transaction.atomic
def session_delete(*, actor: Actor, session: ClassSession) -> None:
    _require_manage(actor, session.klass.scope_unit)
    _require_class_open(session.klass)
    record_change(actor, AuditAction.DELETE, session, before=snapshot(session))
    session.delete()


@transaction.atomic
def enrol(*, actor: Actor, klass: TrainingClass, cadres: list) -> list[Enrolment]:
    """Add cadres to a class (all or none); each must be in the actor's scope and not yet in the class."""
    _require_manage(actor, klass.scope_unit)
    _require_class_open(klass)
    problems = []
    taken = set(Enrolment.objects.filter(klass=klass).values_list("cadre_id", flat=True))
    for cadre in cadres:
        if not unit_in_scope(actor.user, cadre.unit):
            problems.append(_("%(n)s不在您的管理范围内。") % {"n": cadre.name})
        elif cadre.pk in taken:
            problems.append(_("%(n)s已在本班。") % {"n": cadre.name})
    if not cadres:
        problems.append(_("请选择要加入的学员。"))
    if problems:
        raise ValidationError({"cadres": problems})
    created = []
    for cadre in cadres:
        enrolment = Enrolment.objects.create(klass=klass, cadre=cadre)
        record_change(actor, AuditAction.CREATE, enrolment, after=snapshot(enrolment))
        created.append(enrolment)
    return created


@transaction.atomic
def enrolment_withdraw(*, actor: Actor, enrolment: Enrolment, note: str = "") -> Enrolment:
    _require_manage(actor, enrolment.klass.scope_unit)
    _require_class_open(enrolment.klass)
    before = snapshot(enrolment)
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.note = (note or enrolment.note)[:200]
    enrolment.save(update_fields=["status", "note"])
    record_change(actor, AuditAction.UPDATE, enrolment, before=before, after=snapshot(enrolment))
    return enrolment


@transaction.atomic
def attendance_record(*, actor: Actor, session: ClassSession, statuses: dict[int, str]) -> int:
    """Attendance of one session: enrolment id → status (all or none). Returns the number of rows written."""
    klass = session.klass
    _require_manage(actor, klass.scope_unit)
    _require_class_open(klass)
    enrolments = {e.pk: e for e in Enrolment.objects.filter(klass=klass).select_related("cadre")}
    valid = set(AttendanceStatus.values)
    problems = []
    for enrolment_id, status in statuses.items():
        if enrolment_id not in enrolments:
            problems.append(_("学员记录 %(id)s 不属于本班。") % {"id": enrolment_id})
        elif status not in valid:
            problems.append(_("%(n)s的出勤情况“%(s)s”无效。") % {"n": enrolments[enrolment_id].cadre.name, "s": status})
    if problems:
        raise ValidationError({"attendance": problems})
    existing = {a.enrolment_id: a for a in Attendance.objects.filter(session=session)}
    before = {str(k): a.status for k, a in existing.items()}
    for enrolment_id, status in statuses.items():
        row = existing.get(enrolment_id)
        if row is None:
            Attendance.objects.create(session=session, enrolment_id=enrolment_id, status=status)
        elif row.status != status:
            row.status = status
            row.save(update_fields=["status"])
    after = {**before, **{str(k): v for k, v in statuses.items()}}
    record_change(actor, AuditAction.UPDATE, session, before={"attendance": before}, after={"attendance": after})
    return len(statuses)


def _score(value: Any) -> Decimal | None | str:
    """A score as Decimal (0–100, one decimal), None for blank, or an error string."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return "bad"
    if not number.is_finite() or not 0 <= number <= 100:
        return "range"
    return number.quantize(Decimal("0.1"))


@transaction.atomic
def scores_record(
    *, actor: Actor, klass: TrainingClass, rows: dict[int, dict[str, Any]], problems: Sequence[str] = ()
) -> int:
    """Bulk score entry: enrolment id → {coursework, assessment, peer}. All rows valid or nothing is written.

    ``problems``: those already found in the input (a sheet's lines), reported together with the values' own, so
    one error report lists everything to fix. Returns the number of trainees whose scores changed.
    """
    _require_manage(actor, klass.scope_unit)
    _require_class_open(klass)
    enrolments = {e.pk: e for e in Enrolment.objects.filter(klass=klass).select_related("cadre")}
    labels = {name: str(Enrolment._meta.get_field(name).verbose_name) for name in SCORE_FIELDS}
    problems = list(problems)
    parsed: dict[int, dict[str, Decimal | None]] = {}
    for enrolment_id, values in rows.items():
        enrolment = enrolments.get(enrolment_id)
        if enrolment is None:
            problems.append(_("学员记录 %(id)s 不属于本班。") % {"id": enrolment_id})
            continue
        unknown = sorted(set(values) - set(SCORE_FIELDS))
        if unknown:
            problems.append(_("不能修改这些字段：%(f)s") % {"f": "、".join(unknown)})
            continue
        parsed[enrolment_id] = {}
        for name, raw in values.items():
            value = _score(raw)
            if value == "bad":
                problems.append(
                    _("%(n)s的“%(f)s”应为数字，而不是“%(v)s”。")
                    % {"n": enrolment.cadre.name, "f": labels[name], "v": raw}
                )
            elif value == "range":
                problems.append(
                    _("%(n)s的“%(f)s”应在 0—100 之间，而不是 %(v)s。")
                    % {"n": enrolment.cadre.name, "f": labels[name], "v": raw}
                )
            else:
                parsed[enrolment_id][name] = value
    if problems:
        raise ValidationError({"scores": problems})
    changed = 0
    for enrolment_id, values in parsed.items():
        enrolment = enrolments[enrolment_id]
        before = snapshot(enrolment, list(SCORE_FIELDS))
        updates = [name for name, value in values.items() if getattr(enrolment, name) != value]
        if not updates:
            continue
        for name in updates:
            setattr(enrolment, name, values[name])
        enrolment.save(update_fields=updates)
        record_change(
            actor, AuditAction.UPDATE, enrolment, before=before, after=snapshot(enrolment, list(SCORE_FIELDS))
        )
        changed += 1
    return changed


@transaction.atomic
def class_close(*, actor: Actor, klass: TrainingClass, on: dt.date | None = None) -> int:
    """结业: compute the ranking with the class's weights and write it on every trainee; returns trainees ranked."""
    _require_manage(actor, klass.scope_unit)
    on = on or dt.date.today()
    problems = []
    if not klass.enrolments.exclude(status=EnrolmentStatus.WITHDRAWN).exists():
        problems.append(_("本班还没有学员，不能结业。"))
    if on < klass.start:
        problems.append(_("结业日期不能早于开班日期。"))
    if problems:
        raise ValidationError({"__all__": problems})
    standings = class_standings(klass)
    ranked = 0
    for enrolment in Enrolment.objects.filter(klass=klass):
        standing = standings[enrolment.pk]
        before = snapshot(enrolment, ["status", "total", "rank", "class_size"])
        if enrolment.status != EnrolmentStatus.WITHDRAWN:
            enrolment.status = EnrolmentStatus.COMPLETED
            enrolment.total = Decimal(str(standing.total)).quantize(Decimal("0.01"))
            enrolment.rank = standing.rank
            ranked += 1
        else:
            enrolment.total = enrolment.rank = None
        enrolment.class_size = standing.size
        enrolment.save(update_fields=["status", "total", "rank", "class_size"])
        record_change(
            actor,
            AuditAction.UPDATE,
            enrolment,
            before=before,
            after=snapshot(enrolment, ["status", "total", "rank", "class_size"]),
        )
    before = snapshot(klass, ["status", "closed_on"])
    klass.status = ClassStatus.CLOSED
    klass.closed_on = on
    klass.save(update_fields=["status", "closed_on"])
    record_change(
        actor,
        AuditAction.UPDATE,
        klass,
        before=before,
        after=snapshot(klass, ["status", "closed_on"]),
        detail={"ranked": ranked, "weights": klass.weights},
    )
    return ranked


@transaction.atomic
def class_reopen(*, actor: Actor, klass: TrainingClass) -> TrainingClass:
    """Undo 结业 to correct scores: the ranking is withdrawn until the class is closed again."""
    _require_manage(actor, klass.scope_unit)
    before = snapshot(klass, ["status", "closed_on"])
    Enrolment.objects.filter(klass=klass, status=EnrolmentStatus.COMPLETED).update(status=EnrolmentStatus.ENROLLED)
    Enrolment.objects.filter(klass=klass).update(rank=None, total=None, class_size=None)
    klass.status = ClassStatus.RUNNING
    klass.closed_on = None
    klass.save(update_fields=["status", "closed_on"])
    record_change(actor, AuditAction.UPDATE, klass, before=before, after=snapshot(klass, ["status", "closed_on"]))
    return klass


# ---------------------------------------------------------------- on-demand orders (点单式培训)


@transaction.atomic
def order_create(*, actor: Actor, data: dict[str, Any], unit=None) -> TrainingOrder:
    """A cadre orders for themself; a unit officer (or 组织部) orders for a unit in their scope."""
    user = actor.user
    if not selectors.can_order(user):
        raise PermissionDenied(_("您的角色不能点单。"))
    order = TrainingOrder(created_by=user)
    apply_fields(order, data, ORDER_FIELDS)
    errors: dict[str, list[str]] = {}
    if user.role == Role.CADRE:
        cadre = user.cadre
        order.cadre = cadre
        order.unit = cadre.unit
        order.headcount = 1
        if not order.post_category:
            order.post_category = cadre.post_category or ""
    else:
        target = unit or user.scope_unit
        if not unit_in_scope(user, target):
            raise PermissionDenied(_("单位“%(unit)s”不在您的管理范围内。") % {"unit": target.name})
        order.unit = target
    order.custom_topic = (order.custom_topic or "").strip()
    if order.course_id is None and not order.custom_topic:
        errors["custom_topic"] = [_("请从课程目录中选择，或自拟题目。")]
    if order.course_id is not None and order.custom_topic:
        errors["custom_topic"] = [_("已选课程时不必再自拟题目；如需不同内容，请清空所选课程。")]
    if order.course_id is not None and not order.course.is_active:
        errors["course"] = [_("该课程已停止点单，请选择其他课程。")]
    full_clean(order, errors)
    order.save()
    record_change(actor, AuditAction.CREATE, order, after=snapshot(order))
    return order


def _require_order_manage(actor: Actor, order: TrainingOrder) -> None:
    if not (selectors.is_manager(actor.user) and unit_in_scope(actor.user, order.unit)):
        raise PermissionDenied(_("点单由管理范围内的组织部干部科安排。"))


@transaction.atomic
def orders_schedule(
    *, actor: Actor, orders: list[TrainingOrder], klass: TrainingClass, data: dict[str, Any]
) -> ClassSession:
    """Answer open orders with a new session of ``klass``; each order then points to that session."""
    if not orders:
        raise ValidationError({"orders": [_("请至少选择一条待安排的点单。")]})
    problems = []
    for order in orders:
        _require_order_manage(actor, order)
        if order.status != OrderStatus.OPEN:
            problems.append(_("点单“%(t)s”已处理（%(s)s）。") % {"t": order.topic, "s": order.get_status_display()})
    if problems:
        raise ValidationError({"orders": problems})
    session = session_create(actor=actor, klass=klass, data=data)
    for order in orders:
        before = snapshot(order, ["status", "session", "answer"])
        order.status = OrderStatus.SCHEDULED
        order.session = session
        order.answer = _("已安排：%(c)s %(d)s") % {"c": str(klass), "d": session.date.isoformat()}
        order.save(update_fields=["status", "session", "answer"])
        record_change(
            actor, AuditAction.UPDATE, order, before=before, after=snapshot(order, ["status", "session", "answer"])
        )
    return session


@transaction.atomic
def order_decline(*, actor: Actor, order: TrainingOrder, answer: str) -> TrainingOrder:
    _require_order_manage(actor, order)
    if not (answer or "").strip():
        raise ValidationError({"answer": [_("不予安排时请写明理由，点单人会看到。")]})
    before = snapshot(order, ["status", "answer"])
    order.status = OrderStatus.DECLINED
    order.answer = answer.strip()[:300]
    order.save(update_fields=["status", "answer"])
    record_change(actor, AuditAction.UPDATE, order, before=before, after=snapshot(order, ["status", "answer"]))
    return order


# ---------------------------------------------------------------- research topics


def _topic_errors(topic: ResearchTopic, owners: list | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if owners is not None and not owners:
        errors["owners"] = [_("请至少指定一名承担人。")]
    return errors


@transaction.atomic
def topic_create(*, actor: Actor, data: dict[str, Any], owners: list) -> ResearchTopic:
    topic = ResearchTopic()
    apply_fields(topic, data, TOPIC_FIELDS)
    _require_manage(actor, topic.scope_unit if topic.scope_unit_id else None)
    errors = _topic_errors(topic, owners)
    outside = [c.name for c in owners if not unit_in_scope(actor.user, c.unit)]
    if outside:
        errors.setdefault("owners", []).append(_("不在您管理范围内的干部：%(n)s") % {"n": "、".join(outside)})
    full_clean(topic, errors)
    topic.save()
    topic.owners.set(owners)
    record_change(
        actor, AuditAction.CREATE, topic, after={**snapshot(topic, TOPIC_AUDIT), "owners": [c.pk for c in owners]}
    )
    return topic


@transaction.atomic
def topic_update(
    *, actor: Actor, topic: ResearchTopic, data: dict[str, Any], owners: list | None = None
) -> ResearchTopic:
    _require_manage(actor, topic.scope_unit)
    before = {**snapshot(topic, TOPIC_AUDIT), "owners": sorted(topic.owners.values_list("pk", flat=True))}
    apply_fields(topic, data, TOPIC_FIELDS)
    _require_manage(actor, topic.scope_unit)
    errors = _topic_errors(topic, owners)
    if owners is not None:
        outside = [c.name for c in owners if not unit_in_scope(actor.user, c.unit)]
        if outside:
            errors.setdefault("owners", []).append(_("不在您管理范围内的干部：%(n)s") % {"n": "、".join(outside)})
    full_clean(topic, errors)
    topic.save()
    if owners is not None:
        topic.owners.set(owners)
    after = {**snapshot(topic, TOPIC_AUDIT), "owners": sorted(topic.owners.values_list("pk", flat=True))}
    record_change(actor, AuditAction.UPDATE, topic, before=before, after=after)
    return topic


@transaction.atomic
def meeting_add(*, actor: Actor, topic: ResearchTopic, data: dict[str, Any]) -> TopicMeeting:
    _require_manage(actor, topic.scope_unit)
    meeting = TopicMeeting(topic=topic, recorded_by=actor.user)
    apply_fields(meeting, data, MEETING_FIELDS)
    errors: dict[str, list[str]] = {}
    if meeting.date and meeting.date < topic.start:
        errors["date"] = [_("推进会日期不能早于立项日期（%(d)s）。") % {"d": topic.start.isoformat()}]
    if meeting.date and meeting.date > dt.date.today():
        errors.setdefault("date", []).append(_("日期不能晚于今天。"))
    full_clean(meeting, errors, exclude=["topic"])
    meeting.save()
    record_change(actor, AuditAction.CREATE, meeting, after=snapshot(meeting))
    return meeting


@transaction.atomic
def report_upload(*, actor: Actor, topic: ResearchTopic, upload, on: dt.date | None = None) -> ResearchTopic:
    """Store the research report after the growth attachments' checks (size, type by bytes, no macros)."""
    from miaopu.apps.mentoring.files import check_attachment

    if not selectors.can_upload_report(actor.user, topic):
        raise PermissionDenied(_("只有课题承担人或管理该课题的组织部干部科可以上传报告。"))
    if topic.status == TopicStatus.REVIEWED:
        raise ValidationError({"report": [_("课题已评审，报告不能再更换。")]})
    try:
        checked = check_attachment(upload)
    except ValidationError as exc:
        raise ValidationError({"report": exc.messages}) from exc
    before = snapshot(topic, ["status", "report_name", "report_size", "submitted_on"])
    old = topic.report.name if topic.report else ""
    upload.seek(0)
    topic.report.save(checked.name, upload, save=False)
    topic.report_name = checked.name
    topic.report_size = checked.size
    topic.report_type = checked.content_type
    topic.submitted_on = on or dt.date.today()
    topic.status = TopicStatus.SUBMITTED
    topic.save()
    if old:
        topic.report.storage.delete(old)
    record_change(
        actor,
        AuditAction.UPDATE,
        topic,
        before=before,
        after=snapshot(topic, ["status", "report_name", "report_size", "submitted_on"]),
    )
    return topic


@transaction.atomic
def topic_review(
    *, actor: Actor, topic: ResearchTopic, score: Any, award: str, reviewed_on: dt.date | None, note: str = ""
) -> ResearchTopic:
    _require_manage(actor, topic.scope_unit)
    errors: dict[str, list[str]] = {}
    if not topic.report:
        errors["report"] = [_("课题还没有提交调研报告，不能评审。")]
    value = _score(score)
    if value is None:
        errors["review_score"] = [_("请填写评审得分（0—100）。")]
    elif isinstance(value, str):
        errors["review_score"] = [_("评审得分应为 0—100 之间的数字。")]
    if award and award not in Award.values:
        errors["award"] = [_("奖项无效。")]
    reviewed_on = reviewed_on or dt.date.today()
    if topic.submitted_on and reviewed_on < topic.submitted_on:
        errors["reviewed_on"] = [_("评审日期不能早于报告提交日期（%(d)s）。") % {"d": topic.submitted_on.isoformat()}]
    if errors:
        raise ValidationError(errors)
    before = snapshot(topic, ["status", "review_score", "award", "reviewed_on", "review_note"])
    topic.review_score = value
    topic.award = award or ""
    topic.reviewed_on = reviewed_on
    topic.review_note = (note or "")[:300]
    topic.status = TopicStatus.REVIEWED
    topic.save()
    record_change(
        actor,
        AuditAction.UPDATE,
        topic,
        before=before,
        after=snapshot(topic, ["status", "review_score", "award", "reviewed_on", "review_note"]),
    )
    return topic
