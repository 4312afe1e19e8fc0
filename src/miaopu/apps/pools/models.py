"""The talent pool (优秀年轻干部信息库, tiered and categorised) and the reserve pool (后备干部库).

One table for both: an entry says which pool, how the cadre came in (source, date, reason — and the batch or
placement when a programme put them there) and, once they leave, when and why. A cadre has at most one open
entry per pool. The programmes app's term-end effect (``ReservePoolEntry``) feeds the reserve pool here: the
entry keeps a link to it (``programme_entry``) so the programme's record and the pool's stay one fact.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class PoolKind(models.TextChoices):
    TALENT = "talent", _("优秀年轻干部信息库")
    RESERVE = "reserve", _("后备干部库")


class Tier(models.TextChoices):
    """分级: who manages the cadre."""

    CITY = "city", _("市管")
    COUNTY = "county", _("县管")


class Category(models.TextChoices):
    """分类."""

    PARTY_GOV = "party_gov", _("党政综合")
    ECONOMIC = "economic", _("经济管理")
    PROFESSIONAL = "professional", _("专业技术")
    GRASSROOTS = "grassroots", _("基层治理")


class EntrySource(models.TextChoices):
    ANNUAL = "annual", _("年度考核")
    FRONTLINE = "frontline", _("一线考核")
    SQUAT = "squat", _("蹲点调研")
    SPECIAL = "special", _("专项推荐")
    BATCH = "batch", _("批次结果")


class PoolEntry(models.Model):
    pool = models.CharField(_("库"), max_length=10, choices=PoolKind.choices)
    cadre = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("干部"), on_delete=models.PROTECT, related_name="pool_entries"
    )
    tier = models.CharField(_("分级"), max_length=10, choices=Tier.choices, blank=True)
    category = models.CharField(_("分类"), max_length=14, choices=Category.choices, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=EntrySource.choices)
    date = models.DateField(_("入库日期"))
    reason = models.CharField(_("入库理由"), max_length=300)
    source_batch = models.ForeignKey(
        "programmes.Batch",
        verbose_name=_("来源批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_placement = models.ForeignKey(
        "programmes.Placement",
        verbose_name=_("来源到岗记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    programme_entry = models.OneToOneField(
        "programmes.ReservePoolEntry",
        verbose_name=_("培养项目记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pool_entry",
    )
    exit_date = models.DateField(_("出库日期"), null=True, blank=True)
    exit_reason = models.CharField(_("出库原因"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("入库记录")
        verbose_name_plural = _("入库记录")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["pool", "exit_date", "-date"], name="pools_pool_open_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["pool", "cadre"],
                condition=Q(exit_date__isnull=True),
                name="pools_one_open_entry",
                violation_error_message=_("该干部已在库中（同一库只能有一条在库记录）。"),
            ),
            models.CheckConstraint(
                condition=Q(exit_date__isnull=True) | Q(exit_date__gte=models.F("date")),
                name="pools_exit_after_entry",
                violation_error_message=_("出库日期不能早于入库日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_pool_display()} · {self.cadre_id} · {self.date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("pools:pool_list", args=[self.pool])

    @property
    def is_open(self) -> bool:
        return self.exit_date is None
