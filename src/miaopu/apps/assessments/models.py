"""Assessment cycles (考核) with a grade per cadre on 德能勤绩廉, and reviews (分析研判) of post fitness.

A cycle is one round of one kind (平时 per quarter, 年度, 期满, 一线, 单列 for secondees, 专项) over a unit subtree.
Each result copies the cycle's kind and year so the database itself can hold the rule "one annual grade per
cadre per year" (a partial unique constraint), whichever cycle the grade was entered in.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from miaopu.apps.core.fields import EncryptedTextField

from .choices import GRADE_CHOICES, AbilityLevel, CycleKind, EntrySource, Fitness

SCORE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


class AssessmentCycle(models.Model):
    kind = models.CharField(_("考核类型"), max_length=12, choices=CycleKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(
        _("季度"), null=True, blank=True, help_text=_("平时考核填写 1—4；其他考核不填")
    )
    name = models.CharField(_("名称"), max_length=100, unique=True)
    scope_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("考核范围"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("该单位（含下级单位）的干部参加本次考核"),
    )
    start = models.DateField(_("考核期开始"), null=True, blank=True)
    end = models.DateField(_("考核期结束"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考核")
        verbose_name_plural = _("考核")
        ordering = ["-year", "-quarter", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="regular") & Q(quarter__gte=1) & Q(quarter__lte=4))
                | (~Q(kind="regular") & Q(quarter__isnull=True)),
                name="assessments_cycle_quarter",
                violation_error_message=_("平时考核须填写季度（1—4），其他考核不填季度。"),
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(start__isnull=True) | Q(end__gte=models.F("start")),
                name="assessments_cycle_end_after_start",
                violation_error_message=_("考核期结束不能早于开始。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("assessments:cycle_detail", args=[self.pk])

    @property
    def period_label(self) -> str:
        if self.quarter:
            return _("%(y)s 年第 %(q)s 季度") % {"y": self.year, "q": self.quarter}
        return _("%(y)s 年") % {"y": self.year}


class Assessment(models.Model):
    """One cadre's result in one cycle: a grade and, optionally, scores on 德能勤绩廉 with a comment."""

    cycle = models.ForeignKey(AssessmentCycle, verbose_name=_("考核"), on_delete=models.PROTECT, related_name="results")
    cadre = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("干部"), on_delete=models.PROTECT, related_name="assessments"
    )
    #: Copied from the cycle (never edited apart from it): the annual-grade constraint needs them on the row.
    kind = models.CharField(_("考核类型"), max_length=12, choices=CycleKind.choices, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"), editable=False)
    grade = models.CharField(_("等次"), max_length=12, choices=GRADE_CHOICES)
    score_morality = models.DecimalField(
        _("德"), max_digits=4, decimal_places=1, null=True, blank=True, validators=SCORE_VALIDATORS
    )
    score_ability = models.DecimalField(
        _("能"), max_digits=4, decimal_places=1, null=True, blank=True, validators=SCORE_VALIDATORS
    )
    score_diligence = models.DecimalField(
        _("勤"), max_digits=4, decimal_places=1, null=True, blank=True, validators=SCORE_VALIDATORS
    )
    score_achievement = models.DecimalField(
        _("绩"), max_digits=4, decimal_places=1, null=True, blank=True, validators=SCORE_VALIDATORS
    )
    score_integrity = models.DecimalField(
        _("廉"), max_digits=4, decimal_places=1, null=True, blank=True, validators=SCORE_VALIDATORS
    )
    comment = EncryptedTextField(_("评语"), blank=True)
    assessed_on = models.DateField(_("确定等次日期"))
    source = models.CharField(_("录入方式"), max_length=10, choices=EntrySource.choices, default=EntrySource.FORM)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        ordering = ["-year", "cycle_id", "cadre_id"]
        indexes = [
            models.Index(fields=["cadre", "kind", "year"], name="assessments_cadre_kind_year"),
            # The default order: a list's first page is read off it instead of sorting every result (770,000 at
            # 200,000 cadres).
            models.Index(fields=["-year", "cycle", "cadre"], name="assessments_list_order"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "cadre"],
                name="assessments_one_per_cycle",
                violation_error_message=_("该干部在本次考核中已有结果，请修改原结果。"),
            ),
            models.UniqueConstraint(
                fields=["cadre", "year"],
                condition=Q(kind="annual"),
                name="assessments_one_annual_grade_per_year",
                violation_error_message=_("每名干部每年只能有一个年度考核等次：该干部本年度已有年度考核结果。"),
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{f}__isnull": True}) | (Q(**{f"{f}__gte": 0}) & Q(**{f"{f}__lte": 100})),
                    name=f"assessments_{f}_range",
                    violation_error_message=_("分数应在 0—100 之间。"),
                )
                for f in ("score_morality", "score_ability", "score_diligence", "score_achievement", "score_integrity")
            ],
        ]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.cadre_id} · {self.get_grade_display()}"

    @property
    def scores(self) -> list[tuple[str, object]]:
        from .choices import DIMENSIONS

        return [(label, getattr(self, name)) for name, label in DIMENSIONS]

    @property
    def has_scores(self) -> bool:
        return any(value is not None for _label, value in self.scores)


class Review(models.Model):
    """分析研判: a dated judgement of post fitness and ability with development advice, and the facts shown."""

    cadre = models.ForeignKey("cadres.Cadre", verbose_name=_("干部"), on_delete=models.PROTECT, related_name="reviews")
    date = models.DateField(_("研判日期"))
    fitness = models.CharField(_("适岗情况"), max_length=10, choices=Fitness.choices)
    ability = models.CharField(_("能力水平"), max_length=12, choices=AbilityLevel.choices)
    strengths = EncryptedTextField(_("主要优点"), blank=True)
    weaknesses = EncryptedTextField(_("不足之处"), blank=True)
    advice = EncryptedTextField(_("培养使用建议"))
    facts = models.JSONField(_("研判时参考的情况"), default=dict, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("研判人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("分析研判")
        verbose_name_plural = _("分析研判")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["cadre", "-date"], name="assessments_review_cadre_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} 分析研判：{self.get_fitness_display()}"
