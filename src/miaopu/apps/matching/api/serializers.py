"""Shapes of the matching endpoints (field labels are the Chinese msgids, like every API of Miaopu)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import MatchPlan
from ..selectors import plan_rows, quota_rows


class MatchPlanSerializer(serializers.ModelSerializer):
    # Codes as plain strings (like the programmes API): model choices would become clashing schema enums.
    outcome = serializers.CharField(
        read_only=True, label=_("求解结果"), help_text="optimal, feasible, infeasible, unknown"
    )
    status = serializers.CharField(read_only=True, label=_("状态"), help_text="draft, accepted, superseded")
    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True, label=_("求解结果"))
    status_display = serializers.CharField(source="get_status_display", read_only=True, label=_("状态"))
    diagnosis = serializers.ListField(child=serializers.CharField(), read_only=True, label=_("无解原因"))

    class Meta:
        model = MatchPlan
        fields = [
            "id", "batch", "number", "parent", "mode", "outcome", "outcome_display", "solver", "proven",
            "total_score", "assigned", "candidate_count", "seconds", "status", "status_display", "weights", "options",
            "diagnosis", "note", "created_at", "accepted_at",
        ]  # fmt: skip
        read_only_fields = fields


class MatchPlanDetailSerializer(MatchPlanSerializer):
    rows = serializers.SerializerMethodField(label=_("每人去向、得分构成与理由"))
    quotas = serializers.SerializerMethodField(label=_("名额及方案人数"))
    warnings = serializers.SerializerMethodField(label=_("提示"))
    excluded = serializers.SerializerMethodField(label=_("未纳入匹配的人选"))

    class Meta(MatchPlanSerializer.Meta):
        fields = [*MatchPlanSerializer.Meta.fields, "rows", "quotas", "warnings", "excluded"]
        read_only_fields = fields

    def get_rows(self, plan: MatchPlan) -> list[dict]:
        return [
            {
                "candidate": r["key"], "name": r["info"]["name"], "code": r["info"]["code"], "unit": r["info"]["unit"],
                "side": r["info"].get("side", ""), "slot": r["slot_key"], "slot_name": r["slot_label"],
                "region": (r["slot"] or {}).get("region"), "partner": r["partner"] or None, "score": r["score"],
                "parts": r["parts"], "reasons": r["reasons"], "pinned": r["pinned"],
                "avoided": [{"slot_name": label, "reason": why} for label, why in r["removed"]],
            }
            for r in plan_rows(plan)
        ]  # fmt: skip

    def get_quotas(self, plan: MatchPlan) -> list[dict]:
        return quota_rows(plan)

    def get_warnings(self, plan: MatchPlan) -> list[str]:
        return (plan.explain or {}).get("warnings", [])

    def get_excluded(self, plan: MatchPlan) -> list[dict]:
        return (plan.explain or {}).get("excluded", [])


class QuotaSerializer(serializers.Serializer):
    regions = serializers.ListField(child=serializers.CharField(), label=_("地区"))
    min = serializers.IntegerField(required=False, allow_null=True, min_value=0, label=_("至少"))
    max = serializers.IntegerField(required=False, allow_null=True, min_value=0, label=_("至多"))
    name = serializers.CharField(required=False, allow_blank=True, label=_("名称"))


class SolveSerializer(serializers.Serializer):
    batch = serializers.IntegerField(label=_("批次编号"))
    weights = serializers.DictField(child=serializers.FloatField(), required=False, label=_("评分权重"))
    assign_all = serializers.BooleanField(required=False, allow_null=True, default=None, label=_("每名人选都要安排"))
    quotas = QuotaSerializer(many=True, required=False, label=_("本次匹配的地区名额"))
    fixed = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(), min_length=2, max_length=2), required=False,
        label=_("固定的配对 [[人选, 岗位]]"),
    )  # fmt: skip
    forbidden = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(), min_length=2, max_length=2), required=False,
        label=_("禁止的配对 [[人选, 岗位]]"),
    )  # fmt: skip
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, label=_("说明"))


class PairSerializer(serializers.Serializer):
    action = serializers.RegexField(r"^(pin|forbid|release)$", label=_("操作"), help_text="pin, forbid, release")
    candidate = serializers.CharField(label=_("人选（如 c12）"))
    slot = serializers.CharField(label=_("接收岗位（如 s3）"))
