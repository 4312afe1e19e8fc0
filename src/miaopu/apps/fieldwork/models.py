"""Field work (seed 002 宁德, 000 湛江, 001 巴中): practice bases and their "六个好" certification, the
practical-affairs ledger (办实事台账), and care (关心关爱) contacts.

The rules (what certifies a base, when a base is full, the ledger's states, who is flagged for care and when a
contact is overdue) are in :mod:`miaopu.domain.fieldwork` and ``docs/fieldwork.md``.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from miaopu.apps.core.fields import EncryptedTextField
from miaopu.domain.fieldwork import CRITERIA, LEDGER_STATUSES, MAX_SCORE, SATISFACTION

CRITERION_CHOICES = [(code, _(label)) for code, label in CRITERIA.items()]
LEDGER_STATUS_CHOICES = [(code, _(label)) for code, label in LEDGER_STATUSES.items()]
SATISFACTION_CHOICES = [(code, _(label)) for code, label in SATISFACTION.items()]


class LedgerCategory(models.TextChoices):
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    INDUSTRY = "industry", _("产业发展")
    INCOME = "income", _("就业增收")
    WELFARE = "welfare", _("社会保障")
    EDUCATION_HEALTH = "education_health", _("教育医疗")
    DISPUTE = "dispute", _("矛盾纠纷")
    ENVIRONMENT = "environment", _("人居环境")
    OTHER = "other", _("其他")


class CareKind(models.TextChoices):
    VISIT = "visit", _("走访慰问")
    TALK = "talk", _("谈心谈话")
    HELP = "help", _("帮扶解难")
    COUNSELLING = "counselling", _("心理疏导")


class PracticeBase(models.Model):
    """A village that hosts practice cadres (四下基层实践基地), with how many it can host at once."""

    unit = models.OneToOneField(
        "units.Unit", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="practice_base"
    )
    capacity = models.PositiveSmallIntegerField(
        _("可接待人数"), validators=[MinValueValidator(1)], help_text=_("同一时间最多可安排的实践干部人数")
    )
    host_families = models.PositiveSmallIntegerField(_("接待农户数"), default=0, help_text=_("同吃同住的农户家庭"))
    theme = models.CharField(_("实践主题"), max_length=100, blank=True, help_text=_("一县一主题，如：茶产业振兴"))
    contact = models.CharField(_("联系人"), max_length=100, blank=True, help_text=_("村党组织书记或帮带导师"))
    note = models.TextField(_("备注"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("实践基地")
        verbose_name_plural = _("实践基地")
        ordering = ["unit__path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="fieldwork_base_capacity",
                violation_error_message=_("可接待人数至少为 1。"),
            )
        ]

    def __str__(self) -> str:
        return self.unit.name

    def get_absolute_url(self) -> str:
        return reverse("fieldwork:base_detail", args=[self.pk])


class Certification(models.Model):
    """One "六个好" assessment of a base: six scored criteria; certified only if all six pass (see domain)."""

    base = models.ForeignKey(
        PracticeBase, verbose_name=_("实践基地"), on_delete=models.CASCADE, related_name="certifications"
    )
    assessed_on = models.DateField(_("评定日期"))
    valid_from = models.DateField(_("有效期自"))
    valid_until = models.DateField(_("有效期至"))
    certified = models.BooleanField(_("认定通过"), editable=False)
    assessors = models.CharField(_("评定人"), max_length=200, blank=True)
    note = models.TextField(_("评定意见"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("六个好认定")
        verbose_name_plural = _("六个好认定")
        ordering = ["base_id", "-assessed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="fieldwork_cert_validity",
                violation_error_message=_("有效期截止日期不能早于起始日期。"),
            )
        ]

    def __str__(self) -> str:
        verdict = _("通过") if self.certified else _("未通过")
        return f"{self.base} {self.assessed_on:%Y-%m-%d} {verdict}"


def evidence_path(instance: CriterionScore, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"fieldwork/bases/{uuid.uuid4().hex}{suffix}"


class CriterionScore(models.Model):
    certification = models.ForeignKey(
        Certification, verbose_name=_("认定"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.CharField(_("评定项"), max_length=12, choices=CRITERION_CHOICES)
    score = models.PositiveSmallIntegerField(_("得分"), validators=[MaxValueValidator(MAX_SCORE)])
    passed = models.BooleanField(_("达标"), editable=False)
    evidence = models.TextField(_("评定依据"))
    attachment = models.FileField(_("佐证材料"), upload_to=evidence_path, max_length=200, blank=True)
    attachment_name = models.CharField(_("文件名"), max_length=200, blank=True)
    attachment_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    attachment_size = models.PositiveIntegerField(_("文件大小"), default=0)

    class Meta:
        verbose_name = _("评定项得分")
        verbose_name_plural = _("评定项得分")
        ordering = ["certification_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "criterion"],
                name="fieldwork_score_unique",
                violation_error_message=_("同一次认定中每个评定项只能打一次分。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_criterion_display()} {self.score}"


class LedgerItem(models.Model):
    """One problem villagers raised, taken on by one or more cadres (办实事台账 / 任务台账), tracked to its end."""

    village = models.ForeignKey("units.Unit", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="+")
    household = models.CharField(_("提出人/农户"), max_length=100, blank=True, help_text=_("如：张某某户、村民小组"))
    category = models.CharField(_("类别"), max_length=20, choices=LedgerCategory.choices)
    description = models.TextField(_("问题描述"))
    raised_on = models.DateField(_("提出日期"))
    status = models.CharField(_("办理状态"), max_length=12, choices=LEDGER_STATUS_CHOICES, default="accepted")
    status_reason = models.TextField(_("无法办理原因"), blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    outcome = models.TextField(_("办理结果"), blank=True)
    satisfaction = models.CharField(_("群众满意度"), max_length=12, choices=SATISFACTION_CHOICES, blank=True)
    batch = models.ForeignKey(
        "programmes.Batch",
        verbose_name=_("实践批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cadres = models.ManyToManyField(
        "cadres.Cadre", verbose_name=_("领办干部"), through="LedgerTaker", related_name="ledger_items"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("办实事台账")
        verbose_name_plural = _("办实事台账")
        ordering = ["-raised_on", "-id"]
        indexes = [models.Index(fields=["status"], name="fieldwork_ledger_status")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="impossible") | ~Q(status_reason=""),
                name="fieldwork_ledger_reason",
                violation_error_message=_("标记为“无法办理”须写明原因。"),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("raised_on")),
                name="fieldwork_ledger_closed_after_raised",
                violation_error_message=_("办结日期不能早于提出日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village.name} {self.get_category_display()}：{self.description[:30]}"

    def get_absolute_url(self) -> str:
        return reverse("fieldwork:ledger_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status in ("done", "impossible")


class LedgerTaker(models.Model):
    """A cadre who took the item on (领办), from which date; the lead is named first."""

    item = models.ForeignKey(LedgerItem, verbose_name=_("台账事项"), on_delete=models.CASCADE, related_name="takers")
    cadre = models.ForeignKey("cadres.Cadre", verbose_name=_("干部"), on_delete=models.PROTECT, related_name="+")
    taken_on = models.DateField(_("领办日期"))
    is_lead = models.BooleanField(_("牵头"), default=False)

    class Meta:
        verbose_name = _("领办干部")
        verbose_name_plural = _("领办干部")
        ordering = ["item_id", "-is_lead", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "cadre"],
                name="fieldwork_taker_unique",
                violation_error_message=_("该干部已领办此事项。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.cadre.name} · {self.item}"


class CareContact(models.Model):
    """One care contact with a cadre: a visit, a talk, help given, or counselling (组织部 only)."""

    cadre = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("干部"), on_delete=models.PROTECT, related_name="care_contacts"
    )
    date = models.DateField(_("日期"))
    kind = models.CharField(_("方式"), max_length=12, choices=CareKind.choices)
    contact_by = models.CharField(
        _("联系人"), max_length=100, help_text=_("谁去走访、谈话或帮扶，如：组织部干部科 王某")
    )
    summary = models.TextField(_("情况"), blank=True, help_text=_("了解到的情况和困难"))
    help_given = models.TextField(_("帮扶措施"), blank=True)
    #: Counselling notes are confidential (组织部 only) and stored encrypted at rest.
    counselling_note = EncryptedTextField(_("心理疏导记录"), blank=True)
    follow_up_on = models.DateField(_("下次跟进日期"), null=True, blank=True)
    follow_up = models.CharField(_("跟进事项"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("关心关爱记录")
        verbose_name_plural = _("关心关爱记录")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["cadre", "-date"], name="fieldwork_care_cadre_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(follow_up_on__isnull=True) | Q(follow_up_on__gte=models.F("date")),
                name="fieldwork_care_follow_up_after",
                violation_error_message=_("跟进日期不能早于联系日期。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}（{self.contact_by}）"

    @property
    def is_confidential(self) -> bool:
        return self.kind == CareKind.COUNSELLING
