"""Mentors, mentorships, guidance records and cohort pairing runs (导师帮带).

Who is a mentor: a cadre in the system (``Mentor.cadre``) or a person outside it — a village party secretary,
a party-school teacher — recorded with name, unit, title and contact (``Mentor.unit`` when their unit is in
the unit tree, so a village secretary can be found for the mentees stationed in that village).

Roles stay a ``TextChoices`` (not a table): a role code is stored in programme templates
(``mentor_roles``) and drives code — each role has its own pairing rule in :mod:`miaopu.domain.pairing` — so
a new role needs a code change anyway. Adding one is one line here, one in ``programmes.spec.MENTOR_ROLES``
(a test keeps the two equal) and, if it is to be paired automatically, a rule in the pairing module; roles
without a rule are paired by hand. Labels are translatable msgids like every other vocabulary.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from miaopu.apps.core.fields import EncryptedTextField


class MentorRole(models.TextChoices):
    POLITICAL = "political", _("政治导师")
    BUSINESS = "business", _("业务导师")
    MASS_WORK = "mass_work", _("群众工作导师")
    SHADOWING = "shadowing", _("跟岗导师")


class MentorshipStatus(models.TextChoices):
    ACTIVE = "active", _("在带")
    COMPLETED = "completed", _("期满结束")
    ENDED = "ended", _("提前解除")


class Strategy(models.TextChoices):
    """How the mentor was chosen (codes shared with ``domain.pairing.STRATEGY_LABELS``)."""

    TEAM = "team", _("班子成员帮带")
    SECRETARY = "secretary", _("村党组织书记帮带")
    VETERAN = "veteran", _("以老带新")
    EXPERT = "expert", _("以精带疏")
    STRONG = "strong", _("以强带弱")
    HOST_TEAM = "host_team", _("接收单位班子成员帮带")
    MANUAL = "manual", _("手工指定")


class MenteeGrade(models.TextChoices):
    """The mentor's end-of-term evaluation of the mentee."""

    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("较差")


class MentorGrade(models.TextChoices):
    """The mentee's end-of-term evaluation of the mentor."""

    SATISFIED = "satisfied", _("满意")
    FAIRLY = "fairly", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class GuidanceKind(models.TextChoices):
    TOPIC = "topic", _("专题辅导")
    BUSINESS = "business", _("业务指导")
    RESEARCH = "research", _("调研指导")
    TALK = "talk", _("谈心谈话")
    ONSITE = "onsite", _("现场带教")


class Mentor(models.Model):
    """A mentor: a cadre in the system, or a person outside it (a village party secretary, a teacher)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mentor_profile",
    )
    cadre = models.OneToOneField(
        "cadres.Cadre", verbose_name=_("对应干部"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=50)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("所在单位（系统内）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("系统外导师所在的村、镇等单位在本系统中时选择，例如村党组织书记所在的村"),
    )
    unit_name = models.CharField(_("单位"), max_length=100, blank=True)
    title = models.CharField(_("职务"), max_length=100, blank=True)
    contact = models.CharField(_("联系方式"), max_length=50, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    is_available = models.BooleanField(_("可带新人"), default=True, help_text=_("取消后自动配对不再推荐此人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, null=True)

    class Meta:
        verbose_name = _("导师")
        verbose_name_plural = _("导师")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("mentoring:mentor_detail", args=[self.pk])

    @property
    def kind(self) -> str:
        """``cadre`` (a cadre in the system) or ``external`` (recorded by name, unit, title and contact)."""
        return "cadre" if self.cadre_id else "external"

    @property
    def kind_label(self) -> str:
        return str(_("系统内干部")) if self.cadre_id else str(_("系统外人员"))


class Mentorship(models.Model):
    mentee = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("帮带对象"), on_delete=models.CASCADE, related_name="mentorships"
    )
    mentor = models.ForeignKey(Mentor, verbose_name=_("导师"), on_delete=models.PROTECT, related_name="mentorships")
    role = models.CharField(_("导师类型"), max_length=20, choices=MentorRole.choices)
    start = models.DateField(_("开始时间"))
    end = models.DateField(_("结束时间"), null=True, blank=True)
    #: Kept for the access layer (``restrict_cadres`` scopes a mentor by active mentorships); always equal to
    #: ``status == active`` (services write both; a constraint enforces it).
    is_active = models.BooleanField(_("在带"), default=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=MentorshipStatus.choices, default=MentorshipStatus.ACTIVE
    )
    template = models.ForeignKey(
        "programmes.ProgrammeTemplate",
        verbose_name=_("服务项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    batch = models.ForeignKey(
        "programmes.Batch",
        verbose_name=_("服务批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    strategy = models.CharField(_("配对方式"), max_length=12, choices=Strategy.choices, default=Strategy.MANUAL)
    reasons = models.JSONField(_("配对理由"), default=list, blank=True)
    end_reason = models.CharField(_("结束说明"), max_length=300, blank=True)
    mentee_grade = models.CharField(_("导师对帮带对象的评价"), max_length=12, choices=MenteeGrade.choices, blank=True)
    mentee_comment = models.TextField(_("导师评语"), blank=True)
    mentee_rated_at = models.DateTimeField(_("导师评价时间"), null=True, blank=True)
    mentor_grade = models.CharField(_("帮带对象对导师的评价"), max_length=12, choices=MentorGrade.choices, blank=True)
    mentor_comment = models.TextField(_("帮带对象意见"), blank=True)
    mentor_rated_at = models.DateTimeField(_("帮带对象评价时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, null=True)

    class Meta:
        verbose_name = _("结对帮带")
        verbose_name_plural = _("结对帮带")
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["mentor", "is_active", "role"], name="mentoring_ship_mentor_active")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="mentoring_end_after_start",
                violation_error_message=_("结束时间不能早于开始时间。"),
            ),
            models.CheckConstraint(
                condition=Q(is_active=True, status="active") | (Q(is_active=False) & ~Q(status="active")),
                name="mentoring_active_matches_status",
                violation_error_message=_("在带标记与状态不一致。"),
            ),
            models.UniqueConstraint(
                fields=["mentee", "role"],
                condition=Q(is_active=True),
                name="mentoring_one_active_per_role",
                violation_error_message=_("该干部已有在带的同类导师，请先结束原结对。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.mentee}（{self.get_role_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("mentoring:mentorship_detail", args=[self.pk])


def attachment_path(instance: GuidanceAttachment, filename: str) -> str:
    """Stored under a random name: the user's file name is kept in the row, never used as a path."""
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:8]
    return f"mentoring/{instance.record.mentorship_id}/{uuid.uuid4().hex}{suffix}"


class GuidanceRecord(models.Model):
    """帮带记录: written by the mentor, confirmed by the mentee; part of the mentee's growth file."""

    mentorship = models.ForeignKey(Mentorship, verbose_name=_("结对"), on_delete=models.CASCADE, related_name="records")
    date = models.DateField(_("日期"))
    kind = models.CharField(_("方式"), max_length=12, choices=GuidanceKind.choices)
    content = EncryptedTextField(_("内容"))
    hours = models.DecimalField(_("时长（小时）"), max_digits=4, decimal_places=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填写人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("填写时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    mentee_note = models.CharField(_("帮带对象意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("帮带记录")
        verbose_name_plural = _("帮带记录")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["mentorship", "-date"], name="mentoring_record_ship_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24),
                name="mentoring_record_hours",
                violation_error_message=_("时长应大于 0、不超过 24 小时。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class GuidanceAttachment(models.Model):
    record = models.ForeignKey(
        GuidanceRecord, verbose_name=_("帮带记录"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("类型"), max_length=100)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class PairingPolicy(models.Model):
    """The pairing rules of one programme (or, with no template, the defaults for every programme)."""

    template = models.OneToOneField(
        "programmes.ProgrammeTemplate",
        verbose_name=_("项目模板"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pairing_policy",
    )
    capacity = models.PositiveSmallIntegerField(_("每名导师每类最多带"), default=3)
    service_gap_years = models.PositiveSmallIntegerField(_("以老带新：工作年限至少多"), default=10)
    political = models.CharField(
        _("政治导师人选"),
        max_length=8,
        default="team",
        choices=[("team", _("班子成员或单位主要负责人")), ("head", _("仅单位主要负责人"))],
    )
    business = models.CharField(
        _("业务导师配对方式"),
        max_length=10,
        default="by_post",
        choices=[
            ("by_post", _("按岗位类别（基层以老带新、专业技术以精带疏、机关业务以强带弱）")),
            ("veteran", _("一律以老带新")),
            ("expert", _("一律以精带疏")),
            ("strong", _("一律以强带弱")),
        ],
    )
    parent_fallback = models.BooleanField(
        _("本单位无合适人选时由上级单位导师带"),
        default=True,
        help_text=_("例如村里没有班子成员时，由所在镇的班子成员带"),
    )
    contact_days = models.PositiveSmallIntegerField(_("多少天无帮带记录即提醒"), default=60)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("配对规则")
        verbose_name_plural = _("配对规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="mentoring_policy_capacity",
                violation_error_message=_("名额至少为 1。"),
            )
        ]

    def __str__(self) -> str:
        return str(self.template) if self.template_id else str(_("默认配对规则"))


class PairingRunStatus(models.TextChoices):
    PROPOSED = "proposed", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    DISCARDED = "discarded", _("已作废")


class PairingRun(models.Model):
    """One automatic pairing of a cohort: the proposals, how they were computed, and what staff decided."""

    template = models.ForeignKey(
        "programmes.ProgrammeTemplate",
        verbose_name=_("项目模板"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    batch = models.ForeignKey(
        "programmes.Batch", verbose_name=_("批次"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scope_unit = models.ForeignKey(
        "units.Unit", verbose_name=_("范围"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("名称"), max_length=200)
    roles = models.JSONField(_("导师类型"), default=list)
    policy = models.JSONField(_("配对规则"), default=dict)
    as_of = models.DateField(_("计算日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=PairingRunStatus.choices, default=PairingRunStatus.PROPOSED
    )
    cohort_size = models.PositiveIntegerField(_("人数"), default=0)
    summary = models.JSONField(_("结果概况"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("自动配对")
        verbose_name_plural = _("自动配对")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("mentoring:pairing_detail", args=[self.pk])


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("待定")
    ACCEPTED = "accepted", _("已接受")
    REJECTED = "rejected", _("不采用")
    CONFIRMED = "confirmed", _("已确认结对")
    UNMATCHED = "unmatched", _("无合适人选")


class PairingProposal(models.Model):
    """One mentee × role of a run: the proposed mentor (a cadre or an existing mentor), score and reasons."""

    run = models.ForeignKey(PairingRun, verbose_name=_("自动配对"), on_delete=models.CASCADE, related_name="proposals")
    mentee = models.ForeignKey("cadres.Cadre", verbose_name=_("帮带对象"), on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("导师类型"), max_length=20, choices=MentorRole.choices)
    mentor = models.ForeignKey(
        Mentor, verbose_name=_("导师"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    mentor_cadre = models.ForeignKey(
        "cadres.Cadre",
        verbose_name=_("导师（干部）"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    mentor_name = models.CharField(_("导师姓名"), max_length=50, blank=True)
    strategy = models.CharField(_("配对方式"), max_length=12, choices=Strategy.choices, blank=True)
    score = models.FloatField(_("得分"), null=True, blank=True)
    reasons = models.JSONField(_("理由"), default=list)
    options = models.JSONField(
        _("可选人选"), default=list, help_text=_("[{key, name, unit, score, strategy, reasons}]")
    )
    status = models.CharField(_("状态"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED)
    swapped = models.BooleanField(_("已调整"), default=False)
    mentorship = models.ForeignKey(
        Mentorship, verbose_name=_("结对"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("配对建议")
        verbose_name_plural = _("配对建议")
        ordering = ["run_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "mentee", "role"],
                name="mentoring_proposal_unique",
                violation_error_message=_("同一次配对中每人每类导师只有一条建议。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentee_id} {self.get_role_display()} → {self.mentor_name or '—'}"

    @property
    def mentor_key(self) -> str:
        if self.mentor_cadre_id:
            return f"c{self.mentor_cadre_id}"
        return f"m{self.mentor_id}" if self.mentor_id else ""
