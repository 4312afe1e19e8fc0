"""Training (教育培训): the course catalogue, classes and camps with their sessions, enrolment, attendance and
scores, on-demand orders (点单式培训) and research topics (调研课题 / 国情调研).

- :class:`Course` — one entry of the catalogue: topic, theme, the county that runs the theme (Ningde: 一县一主题,
  one theme per county), teacher, hours and teaching form.
- :class:`TrainingClass` — a class (培训班, e.g. Zhanjiang's 中青年干部培训班) or a camp (青训营, e.g. Quangang's
  进港扬帆 camp with its grades by years of service). Its ranking weights are its own (练兵场、赛马场).
- :class:`ClassSession` — one session of a class (a course taught on a date); an on-demand order points to the
  session that answered it.
- :class:`Enrolment` — a trainee in a class with the scores staff enter; the rank is written when the class is
  closed (结业), and that rank is what the growth file, batch ordering and matching read.
- :class:`Attendance` — one trainee at one session.
- :class:`TrainingOrder` — a topic ordered by a cadre (or by a unit's personnel officer for the unit), from the
  catalogue or written freely.
- :class:`ResearchTopic` with :class:`TopicMeeting` (推进会) — owners, mentor, deadline, report, review, award.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from miaopu.apps.core.choices import vocab_choices
from miaopu.domain.vocab import PostCategory

SCORE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


class TeachingForm(models.TextChoices):
    CLASSROOM = "classroom", _("课堂教学")
    ONSITE = "onsite", _("现场教学")
    SANDBOX = "sandbox", _("沙盘推演")
    WRITTEN = "written", _("专家笔谈")
    OUTDOOR = "outdoor", _("户外拓展")
    INTERVIEW = "interview", _("访谈式教学")


class ClassKind(models.TextChoices):
    CLASS = "class", _("培训班")
    CAMP = "camp", _("青训营")


class ClassStatus(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    RUNNING = "running", _("进行中")
    CLOSED = "closed", _("已结业")


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("在训")
    COMPLETED = "completed", _("已结业")
    WITHDRAWN = "withdrawn", _("中途退出")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("出勤")
    LATE = "late", _("迟到")
    LEAVE = "leave", _("请假")
    ABSENT = "absent", _("缺勤")


class OrderStatus(models.TextChoices):
    OPEN = "open", _("待安排")
    SCHEDULED = "scheduled", _("已安排")
    DECLINED = "declined", _("不予安排")


class TopicStatus(models.TextChoices):
    ONGOING = "ongoing", _("研究中")
    SUBMITTED = "submitted", _("已提交报告")
    REVIEWED = "reviewed", _("已评审")


class Award(models.TextChoices):
    FIRST = "first", _("一等奖")
    SECOND = "second", _("二等奖")
    THIRD = "third", _("三等奖")
    MERIT = "merit", _("优秀奖")


class Course(models.Model):
    topic = models.CharField(_("课程名称"), max_length=200)
    theme = models.CharField(_("主题"), max_length=100, help_text=_("如：乡村振兴、基层治理；宁德一县一主题"))
    county = models.ForeignKey(
        "units.Unit",
        verbose_name=_("承办区县"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("按一县一主题开设时填写；同一区县只设一个主题"),
    )
    teacher = models.CharField(_("授课人"), max_length=100, blank=True)
    hours = models.DecimalField(
        _("学时"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(200)],
    )
    form = models.CharField(_("教学形式"), max_length=12, choices=TeachingForm.choices, default=TeachingForm.CLASSROOM)
    description = models.TextField(_("课程简介"), blank=True)
    is_active = models.BooleanField(_("可点单"), default=True)
    scope_unit = models.ForeignKey("units.Unit", verbose_name=_("管理单位"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("课程")
        verbose_name_plural = _("课程")
        ordering = ["theme", "topic", "id"]

    def __str__(self) -> str:
        return f"{self.topic}（{self.theme}）"


def _default_weights() -> dict:
    from miaopu.domain.training import DEFAULT_WEIGHTS

    return dict(DEFAULT_WEIGHTS)


class TrainingClass(models.Model):
    name = models.CharField(_("班次名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=8, choices=ClassKind.choices, default=ClassKind.CLASS)
    grade = models.CharField(_("年级"), max_length=50, blank=True, help_text=_("青训营按工作年限分年级，如：一年级"))
    scope_unit = models.ForeignKey("units.Unit", verbose_name=_("举办单位"), on_delete=models.PROTECT, related_name="+")
    start = models.DateField(_("开班日期"))
    end = models.DateField(_("结业日期"))
    location = models.CharField(_("地点"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=ClassStatus.choices, default=ClassStatus.PLANNED)
    weights = models.JSONField(_("排名权重"), default=_default_weights)
    closed_on = models.DateField(_("结业排名日期"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="training_class_period",
                violation_error_message=_("结业日期不能早于开班日期。"),
            )
        ]

    def __str__(self) -> str:
        return self.name + (f"（{self.grade}）" if self.grade else "")


class ClassSession(models.Model):
    klass = models.ForeignKey(
        TrainingClass, verbose_name=_("培训班"), on_delete=models.CASCADE, related_name="sessions"
    )
    course = models.ForeignKey(
        Course, verbose_name=_("课程"), null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    title = models.CharField(_("课次内容"), max_length=200, blank=True, help_text=_("不选课程时填写"))
    date = models.DateField(_("日期"))
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1, default=3)
    teacher = models.CharField(_("授课人"), max_length=100, blank=True)
    form = models.CharField(_("教学形式"), max_length=12, choices=TeachingForm.choices, default=TeachingForm.CLASSROOM)

    class Meta:
        verbose_name = _("课次")
        verbose_name_plural = _("课次")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.date:%m-%d} {self.label}"

    @property
    def label(self) -> str:
        return self.title or (self.course.topic if self.course_id else "")


class Enrolment(models.Model):
    klass = models.ForeignKey(
        TrainingClass, verbose_name=_("培训班"), on_delete=models.CASCADE, related_name="enrolments"
    )
    cadre = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("学员"), on_delete=models.PROTECT, related_name="training_enrolments"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED
    )
    coursework = models.DecimalField(
        _("课程作业"), max_digits=5, decimal_places=1, null=True, blank=True, validators=SCORE_VALIDATORS
    )
    assessment = models.DecimalField(
        _("结业考核"), max_digits=5, decimal_places=1, null=True, blank=True, validators=SCORE_VALIDATORS
    )
    peer = models.DecimalField(
        _("学员互评"), max_digits=5, decimal_places=1, null=True, blank=True, validators=SCORE_VALIDATORS
    )
    total = models.DecimalField(_("综合得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    class_size = models.PositiveIntegerField(_("参加排名人数"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("学员")
        verbose_name_plural = _("学员")
        ordering = ["klass_id", "rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["klass", "cadre"],
                name="training_enrolment_unique",
                violation_error_message=_("该干部已在本班。"),
            )
        ]
        indexes = [models.Index(fields=["cadre", "rank"], name="training_enrol_cadre")]

    def __str__(self) -> str:
        return f"{self.klass} · {self.cadre.name}"


class Attendance(models.Model):
    session = models.ForeignKey(
        ClassSession, verbose_name=_("课次"), on_delete=models.CASCADE, related_name="attendance"
    )
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("学员"), on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(_("出勤"), max_length=8, choices=AttendanceStatus.choices)

    class Meta:
        verbose_name = _("考勤")
        verbose_name_plural = _("考勤")
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="training_attendance_unique")]

    def __str__(self) -> str:
        return f"{self.session} · {self.get_status_display()}"


class TrainingOrder(models.Model):
    """点单: a cadre's (or a unit's) wish for a topic; staff answer it with a session."""

    cadre = models.ForeignKey(
        "cadres.Cadre",
        verbose_name=_("点单干部"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_orders",
    )
    unit = models.ForeignKey("units.Unit", verbose_name=_("点单单位"), on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(
        Course, verbose_name=_("所点课程"), null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    custom_topic = models.CharField(_("自拟题目"), max_length=200, blank=True)
    post_category = models.CharField(_("岗位类别"), max_length=12, choices=vocab_choices(PostCategory), blank=True)
    headcount = models.PositiveIntegerField(_("人数"), default=1, validators=[MinValueValidator(1)])
    note = models.CharField(_("说明"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    session = models.ForeignKey(
        ClassSession,
        verbose_name=_("安排课次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    answer = models.CharField(_("答复"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("点单")
        verbose_name_plural = _("点单")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(course__isnull=False) | ~Q(custom_topic=""),
                name="training_order_topic",
                violation_error_message=_("请从课程目录中选择，或自拟题目。"),
            )
        ]

    def __str__(self) -> str:
        return self.topic

    @property
    def topic(self) -> str:
        return self.course.topic if self.course_id else self.custom_topic


def report_path(instance: ResearchTopic, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"training/topics/{instance.pk or 0}/{uuid.uuid4().hex}{suffix}"


class ResearchTopic(models.Model):
    title = models.CharField(_("课题名称"), max_length=200)
    description = models.TextField(_("研究内容"), blank=True)
    owners = models.ManyToManyField("cadres.Cadre", verbose_name=_("承担人"), related_name="research_topics")
    mentor = models.ForeignKey(
        "mentoring.Mentor", verbose_name=_("指导导师"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="research_topics",
    )  # fmt: skip
    klass = models.ForeignKey(
        TrainingClass, verbose_name=_("所属培训班"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="topics",
    )  # fmt: skip
    scope_unit = models.ForeignKey("units.Unit", verbose_name=_("管理单位"), on_delete=models.PROTECT, related_name="+")
    start = models.DateField(_("立项日期"))
    due = models.DateField(_("报告截止日期"))
    status = models.CharField(_("状态"), max_length=10, choices=TopicStatus.choices, default=TopicStatus.ONGOING)
    report = models.FileField(_("调研报告"), upload_to=report_path, max_length=200, blank=True)
    report_name = models.CharField(_("报告文件名"), max_length=200, blank=True)
    report_size = models.PositiveIntegerField(_("报告大小"), null=True, blank=True)
    report_type = models.CharField(_("报告类型"), max_length=100, blank=True)
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    review_score = models.DecimalField(
        _("评审得分"), max_digits=5, decimal_places=1, null=True, blank=True, validators=SCORE_VALIDATORS
    )
    award = models.CharField(_("奖项"), max_length=8, choices=Award.choices, blank=True)
    reviewed_on = models.DateField(_("评审日期"), null=True, blank=True)
    review_note = models.CharField(_("评审意见"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("调研课题")
        verbose_name_plural = _("调研课题")
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due__gte=models.F("start")),
                name="training_topic_period",
                violation_error_message=_("报告截止日期不能早于立项日期。"),
            )
        ]

    def __str__(self) -> str:
        return self.title


class TopicMeeting(models.Model):
    """推进会: a progress meeting of a research topic."""

    topic = models.ForeignKey(ResearchTopic, verbose_name=_("课题"), on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField(_("日期"))
    progress = models.PositiveSmallIntegerField(_("完成进度（%）"), default=0, validators=[MaxValueValidator(100)])
    notes = models.TextField(_("会议记录"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("推进会")
        verbose_name_plural = _("推进会")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.topic}"
