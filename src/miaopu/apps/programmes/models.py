"""Programmes as data: templates and their versions, batches, candidates, vetting, assignments, placements.

A template's rules live in :class:`TemplateVersion` rows that are never changed once written: editing a
template adds a version, and a batch points at the version it was created from, so a past batch keeps the
rules it was run with. A candidate's eligibility (verdict, group, reasons and the facts used) is stored when
it is evaluated, so past batches keep their results even after the cadre's data or the template changes.
"""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from miaopu.apps.core.choices import vocab_choices
from miaopu.apps.core.fields import EncryptedTextField
from miaopu.domain.vocab import ExperienceKind

from .choices import (
    GRADE_CHOICES,
    PROGRAMME_KIND_CHOICES,
    BatchStatus,
    CandidateStatus,
    PlacementStatus,
    Side,
)
from .spec import ProgrammeSpec, parse_spec


class ProgrammeTemplate(models.Model):
    code = models.SlugField(
        _("模板代码"), max_length=40, unique=True, help_text=_("小写英文，如 two-way；对外公开，勿改")
    )
    name = models.CharField(_("项目名称"), max_length=100)
    kind = models.CharField(_("项目类型"), max_length=20, choices=PROGRAMME_KIND_CHOICES)
    seed = models.CharField(_("来源"), max_length=200, blank=True, help_text=_("出处，如：004 广东佛山 2017"))
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("培养项目模板")
        verbose_name_plural = _("培养项目模板")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def get_absolute_url(self) -> str:
        return reverse("programmes:template_detail", args=[self.code])

    @cached_property
    def current_version(self) -> TemplateVersion | None:
        return self.versions.order_by("-number").first()


class TemplateVersion(models.Model):
    """One immutable set of rules of a template (see :mod:`miaopu.apps.programmes.spec`)."""

    template = models.ForeignKey(
        ProgrammeTemplate, verbose_name=_("模板"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    spec = models.JSONField(_("规则"))
    source_text = models.TextField(_("规则原文"), blank=True, help_text=_("编辑时填写的 YAML，原样保存"))
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("模板版本")
        verbose_name_plural = _("模板版本")
        ordering = ["template_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"],
                name="programmes_version_unique",
                violation_error_message=_("版本号重复。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.template.name} 第 {self.number} 版"

    def save(self, *args, **kwargs) -> None:
        """Written once: a batch that pinned this version must keep exactly these rules."""
        if self.pk is not None:
            raise PermissionError("template versions are immutable; edit the template to add a version")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("programmes:version_detail", args=[self.template.code, self.number])

    @cached_property
    def parsed(self) -> ProgrammeSpec:
        return parse_spec(self.spec)


class Batch(models.Model):
    """One intake of a programme (批次), pinned to the template version it was created from."""

    template = models.ForeignKey(
        ProgrammeTemplate, verbose_name=_("模板"), on_delete=models.PROTECT, related_name="batches"
    )
    version = models.ForeignKey(
        TemplateVersion, verbose_name=_("规则版本"), on_delete=models.PROTECT, related_name="batches"
    )
    name = models.CharField(_("批次名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    as_of = models.DateField(_("资格计算日期"), help_text=_("年龄、经历等按此日期计算"))
    scope_unit = models.ForeignKey(
        "units.Unit", verbose_name=_("选拔范围"), on_delete=models.PROTECT, related_name="+",
        help_text=_("从该单位（含下级单位）的在职干部中产生人选"),
    )  # fmt: skip
    status = models.CharField(_("进度"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.DRAFT)
    quotas = models.JSONField(
        _("名额"), default=dict, blank=True, help_text=_("{total: 每方总名额, regions: {地区: 名额}}")
    )
    note = models.TextField(_("备注"), blank=True)
    evaluated_at = models.DateTimeField(_("资格计算时间"), null=True, blank=True)
    evaluated_count = models.PositiveIntegerField(_("参与计算人数"), default=0)
    eligible_count = models.PositiveIntegerField(_("符合条件人数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("批次")
        verbose_name_plural = _("批次")
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programmes:batch_detail", args=[self.pk])

    @property
    def spec(self) -> ProgrammeSpec:
        return self.version.parsed

    def reached(self, status: str) -> bool:
        return BatchStatus.order(self.status) >= BatchStatus.order(status)


class HostSlot(models.Model):
    """A place a batch can send cadres to: a host unit (and post), with capacity, region and tags."""

    batch = models.ForeignKey(Batch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="slots")
    unit = models.ForeignKey("units.Unit", verbose_name=_("接收单位"), on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey(
        "units.Post", verbose_name=_("岗位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    post_title = models.CharField(
        _("职务名称"), max_length=100, blank=True, help_text=_("未选岗位时填写，如：镇长助理")
    )
    capacity = models.PositiveSmallIntegerField(_("名额"), default=1)
    region = models.CharField(
        _("地区"), max_length=50, blank=True, help_text=_("默认为接收单位所属区县，市直单位为“市直”")
    )
    tags = models.CharField(_("标签"), max_length=200, blank=True, help_text=_("以“、”分隔，如：项目建设"))
    side = models.CharField(_("接收哪一方"), max_length=1, choices=Side.choices, blank=True)

    class Meta:
        verbose_name = _("接收岗位")
        verbose_name_plural = _("接收岗位")
        ordering = ["batch_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="programmes_slot_capacity",
                violation_error_message=_("名额至少为 1。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.title}".strip()

    @property
    def title(self) -> str:
        return self.post.title if self.post_id else self.post_title

    @property
    def tag_list(self) -> list[str]:
        from miaopu.apps.units.models import split_tags

        return split_tags(self.tags)


class Candidate(models.Model):
    """A cadre in a batch, with the eligibility stored as it was evaluated (verdict, group, reasons, facts)."""

    batch = models.ForeignKey(Batch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="candidates")
    cadre = models.ForeignKey("cadres.Cadre", verbose_name=_("干部"), on_delete=models.PROTECT, related_name="+")
    eligible = models.BooleanField(_("符合条件"))
    group = models.CharField(_("分组"), max_length=50, blank=True)
    side = models.CharField(_("方"), max_length=1, choices=Side.choices, blank=True)
    reasons = models.JSONField(_("理由"), default=list, help_text=_("[{ok, text}]，计算时保存"))
    facts = models.JSONField(_("计算时的情况"), default=dict)
    evaluated_on = models.DateField(_("资格计算日期"))
    is_override = models.BooleanField(_("破格加入"), default=False)
    override_reason = models.TextField(_("破格理由"), blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=CandidateStatus.choices, default=CandidateStatus.CANDIDATE
    )
    status_note = models.CharField(_("状态说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("人选")
        verbose_name_plural = _("人选")
        ordering = ["batch_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "cadre"],
                name="programmes_candidate_unique",
                violation_error_message=_("该干部已在本批次中。"),
            ),
            models.CheckConstraint(
                condition=Q(eligible=True) | Q(is_override=True),
                name="programmes_candidate_override",
                violation_error_message=_("不符合条件的干部只能破格加入，并须写明理由。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch} · {self.cadre.name}"


class Vetting(models.Model):
    """考察: findings on the five dimensions and the consulted departments' opinions; an objection blocks."""

    candidate = models.OneToOneField(
        Candidate, verbose_name=_("人选"), on_delete=models.CASCADE, related_name="vetting"
    )
    political = models.TextField(_("政治品质"))
    moral = models.TextField(_("道德品质"))
    achievement = models.TextField(_("工作实绩"))
    duty = models.TextField(_("履职尽责"))
    integrity = models.TextField(_("勤政廉政"))
    opinions = models.JSONField(_("征求意见"), default=list, help_text=_("[{department, opinion, objection}]"))
    objection = models.BooleanField(_("有异议"), default=False)
    vetted_on = models.DateField(_("考察日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    recorded_at = models.DateTimeField(_("记录时间"), auto_now=True)

    class Meta:
        verbose_name = _("考察")
        verbose_name_plural = _("考察")

    def __str__(self) -> str:
        return f"{self.candidate} 考察"


class Assignment(models.Model):
    """A candidate → host slot; in a mirrored exchange each side points at its partner."""

    candidate = models.OneToOneField(
        Candidate, verbose_name=_("人选"), on_delete=models.CASCADE, related_name="assignment"
    )
    slot = models.ForeignKey(HostSlot, verbose_name=_("接收岗位"), on_delete=models.PROTECT, related_name="assignments")
    partner = models.OneToOneField(
        "self", verbose_name=_("对调人选"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("分配时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("岗位分配")
        verbose_name_plural = _("岗位分配")

    def __str__(self) -> str:
        return f"{self.candidate.cadre.name} → {self.slot}"


class Placement(models.Model):
    """A cadre at a host unit for a term; it writes (and closes) the cadre's experience entry."""

    candidate = models.OneToOneField(
        Candidate, verbose_name=_("人选"), on_delete=models.PROTECT, related_name="placement"
    )
    batch = models.ForeignKey(Batch, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="placements")
    cadre = models.ForeignKey("cadres.Cadre", verbose_name=_("干部"), on_delete=models.PROTECT, related_name="+")
    host_unit = models.ForeignKey(
        "units.Unit", verbose_name=_("接收单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    post_title = models.CharField(_("职务"), max_length=100, blank=True)
    kind = models.CharField(_("类型"), max_length=12, choices=vocab_choices(ExperienceKind), blank=True)
    start = models.DateField(_("开始日期"))
    planned_end = models.DateField(_("计划结束日期"), null=True, blank=True)
    actual_end = models.DateField(_("实际结束日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=PlacementStatus.choices, default=PlacementStatus.ACTIVE)
    experience = models.ForeignKey(
        "cadres.Experience", verbose_name=_("履历"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    partner = models.OneToOneField(
        "self", verbose_name=_("对调人员"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    events = models.JSONField(_("变动记录"), default=list, help_text=_("延期、提前结束：[{action, date, reason, by}]"))
    grade = models.CharField(_("期满考核等次"), max_length=12, choices=GRADE_CHOICES, blank=True)
    assessed_on = models.DateField(_("考核日期"), null=True, blank=True)
    assessment_note = EncryptedTextField(_("考核评语"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("到岗")
        verbose_name_plural = _("到岗")
        ordering = ["batch_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True) | Q(actual_end__gte=models.F("start")),
                name="programmes_placement_end_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            )
        ]

    def __str__(self) -> str:
        where = self.host_unit.name if self.host_unit_id else ""
        return f"{self.cadre.name} {where} {self.post_title}".strip()


class ReservePoolEntry(models.Model):
    """后备干部库: who entered, from which batch, why and when (completion effects write these)."""

    cadre = models.ForeignKey("cadres.Cadre", verbose_name=_("干部"), on_delete=models.PROTECT, related_name="+")
    source_batch = models.ForeignKey(
        Batch,
        verbose_name=_("来源批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reserve_entries",
    )
    placement = models.ForeignKey(
        Placement, verbose_name=_("来源"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("纳入理由"), max_length=300)
    date = models.DateField(_("纳入日期"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("后备干部库")
        verbose_name_plural = _("后备干部库")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.cadre.name} {self.reason}"


class StageRecord(models.Model):
    """A cadre entering a stage of a staged programme (新苗培优: 育苗 → 扶苗 → 壮苗), as recorded."""

    placement = models.ForeignKey(Placement, verbose_name=_("到岗"), on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(_("阶段"), max_length=50)
    theme = models.CharField(_("主题"), max_length=100, blank=True)
    since = models.DateField(_("起始日期"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("培养阶段")
        verbose_name_plural = _("培养阶段")
        ordering = ["placement_id", "since", "id"]

    def __str__(self) -> str:
        return f"{self.placement.cadre.name} {self.stage}"
