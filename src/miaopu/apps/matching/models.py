"""Matching plans of a batch: the problem that was solved, with the weights and rules used, and the result.

A plan is written once, when it is solved, and never changed afterwards except for its status (draft →
accepted → superseded): pinning or forbidding a pair and solving again makes a *new* plan (pointing at the
one it came from), so every plan the officers looked at can be shown, compared and reproduced later. The
problem is stored exactly as the engine saw it (the ``miaopu match`` file contract), and the explanations
(names, units, score parts and reasons) as they were when the plan was made.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草案")
    ACCEPTED = "accepted", _("已采用")
    SUPERSEDED = "superseded", _("已被替代")


class PlanOutcome(models.TextChoices):
    """The engine's answer (``Result.status``)."""

    OPTIMAL = "optimal", _("最优方案（已证明）")
    FEASIBLE = "feasible", _("可行方案（未能证明最优）")
    INFEASIBLE = "infeasible", _("无解")
    UNKNOWN = "unknown", _("未求出")


class MatchPlan(models.Model):
    batch = models.ForeignKey(
        "programmes.Batch", verbose_name=_("批次"), on_delete=models.CASCADE, related_name="match_plans"
    )
    number = models.PositiveIntegerField(_("方案序号"))
    parent = models.ForeignKey(
        "self", verbose_name=_("基于方案"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mode = models.CharField(_("匹配方式"), max_length=10, default="assign")
    weights = models.JSONField(_("评分权重"), default=dict)
    options = models.JSONField(
        _("规则"), default=dict, help_text=_("{assign_all, quotas: [...], fixed: [[c, s]], forbidden: [[c, s]]}")
    )
    problem = models.JSONField(_("问题文件"), default=dict, help_text=_("docs/matching.md 中的问题文件格式"))
    result = models.JSONField(_("求解结果"), default=dict)
    explain = models.JSONField(_("说明"), default=dict, help_text=_("姓名、单位、各配对的得分构成与理由"))
    outcome = models.CharField(_("求解结果"), max_length=12, choices=PlanOutcome.choices)
    solver = models.CharField(_("求解器"), max_length=30, blank=True)
    proven = models.BooleanField(_("已证明"), default=False)
    total_score = models.FloatField(_("总分"), default=0)
    assigned = models.PositiveIntegerField(_("安排人数"), default=0)
    candidate_count = models.PositiveIntegerField(_("参与匹配人数"), default=0)
    seconds = models.FloatField(_("求解用时（秒）"), default=0)
    status = models.CharField(_("状态"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("求解时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("求解人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    accepted_at = models.DateTimeField(_("采用时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("采用人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("匹配方案")
        verbose_name_plural = _("匹配方案")
        ordering = ["batch_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "number"], name="matching_plan_number", violation_error_message=_("方案序号重复。")
            )
        ]

    def __str__(self) -> str:
        return f"{self.batch.name} 方案 {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("matching:plan_detail", args=[self.pk])

    @property
    def has_plan(self) -> bool:
        return self.outcome in (PlanOutcome.OPTIMAL, PlanOutcome.FEASIBLE)

    @property
    def diagnosis(self) -> list[str]:
        text = (self.result or {}).get("diagnosis") or ""
        return [line for line in text.split("\n") if line.strip()]
