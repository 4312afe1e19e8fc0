"""Early warnings (预警) materialised by ``miaopu alerts``, so the dashboard reads counts without recomputing.

Every alert kind is computed by a function in :mod:`miaopu.apps.analytics.alerts` over the whole unit tree;
the daily command replaces the rows of each kind (delete + bulk insert in one transaction), and pages read
them through :func:`miaopu.apps.analytics.selectors.alert_list`, which scopes them by the cadre's unit like
every other personnel read. :class:`AlertRun` keeps, per kind, when it was last refreshed, how many alerts
it produced and whether the data it needs exists yet (an app still being built answers "not available").
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertLevel(models.TextChoices):
    """红 act now (overdue or imminent), 黄 act soon, 绿 for planning (on the horizon)."""

    RED = "red", _("红色")
    YELLOW = "yellow", _("黄色")
    GREEN = "green", _("绿色")


LEVEL_ORDER = {AlertLevel.RED: 0, AlertLevel.YELLOW: 1, AlertLevel.GREEN: 2}


class Alert(models.Model):
    kind = models.CharField(_("预警类型"), max_length=30)  # indexed by the two (kind, …) indexes below
    level = models.CharField(_("等级"), max_length=6, choices=AlertLevel.choices)
    cadre = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("干部"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("原因"), max_length=500)
    owner = models.CharField(_("责任人"), max_length=200, blank=True)
    link = models.CharField(_("处理入口"), max_length=300, blank=True)
    due = models.DateField(_("期限"), null=True, blank=True)
    as_of = models.DateField(_("计算日期"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["kind", "due", "id"]
        indexes = [
            # The alert list's order, unfiltered or by kind, and by level: its first page is read straight off one
            # of these (no sort of a whole kind, 37,000 alerts at 200,000 cadres).
            models.Index(fields=["kind", "due", "id"], name="analytics_alert_list_order"),
            models.Index(fields=["level", "kind", "due", "id"], name="analytics_alert_level_order"),
        ]

    def __str__(self) -> str:
        return f"[{self.get_level_display()}] {self.reason}"


class AlertRun(models.Model):
    """The last refresh of one alert kind (one row per kind, updated in place)."""

    kind = models.CharField(_("预警类型"), max_length=30, unique=True)
    as_of = models.DateField(_("计算日期"))
    refreshed_at = models.DateTimeField(_("刷新时间"))
    count = models.PositiveIntegerField(_("预警条数"), default=0)
    available = models.BooleanField(_("可用"), default=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("预警刷新记录")
        verbose_name_plural = _("预警刷新记录")
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.kind} {self.refreshed_at:%Y-%m-%d %H:%M} {self.count}"
