"""Programmes over the API. Reads are model serializers; every change is an action serializer fed to a service.

Coded fields travel with their Chinese label (``status`` + ``status_display``); they are declared as plain
strings so the schema does not grow one enum per ``status`` field.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from miaopu.apps.core.api.serializers import display_field
from miaopu.domain.rules import describe

from ..choices import GRADE_CHOICES, Side
from ..models import Batch, Candidate, HostSlot, Placement, ProgrammeTemplate, TemplateVersion


def code_field(label: str, help_text: str = "") -> serializers.CharField:
    return serializers.CharField(read_only=True, label=label, help_text=help_text or None)


class TemplateVersionSerializer(serializers.ModelSerializer):
    eligibility_text = serializers.SerializerMethodField(label=_("资格条件（文字）"))
    groups_text = serializers.SerializerMethodField(label=_("分组条件（文字）"))

    class Meta:
        model = TemplateVersion
        fields = ["number", "spec", "source_text", "note", "created_at", "eligibility_text", "groups_text"]

    def get_eligibility_text(self, version: TemplateVersion) -> str | None:
        rule = version.parsed.eligibility
        return None if rule is None else describe(rule)

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
    def get_groups_text(self, version: TemplateVersion) -> dict[str, str]:
        return {g.name: describe(g.rule) for g in version.parsed.groups}


class ProgrammeTemplateSerializer(serializers.ModelSerializer):
    kind = code_field(_("项目类型"))
    kind_display = display_field("kind")
    current_version = serializers.SerializerMethodField(label=_("当前版本"))

    class Meta:
        model = ProgrammeTemplate
        fields = ["code", "name", "kind", "kind_display", "seed", "description", "is_active", "current_version"]

    @extend_schema_field(TemplateVersionSerializer)
    def get_current_version(self, template: ProgrammeTemplate) -> dict | None:
        version = template.current_version
        return None if version is None else TemplateVersionSerializer(version).data


class EligibilitySerializer(serializers.Serializer):
    """Exactly the rows ``miaopu eligible --format json`` prints."""

    code = serializers.CharField(label=_("人员编号"))
    name = serializers.CharField(label=_("姓名"))
    eligible = serializers.BooleanField(label=_("是否符合"))
    group = serializers.CharField(allow_null=True, label=_("分组"))
    reasons = serializers.ListField(child=serializers.CharField(), label=_("理由"))


class HostSlotSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True, label=_("接收单位名称"))
    title = serializers.CharField(read_only=True, label=_("职务"))
    side = code_field(_("接收哪一方"))

    class Meta:
        model = HostSlot
        fields = ["id", "unit", "unit_name", "post", "title", "capacity", "region", "tags", "side"]


class BatchSerializer(serializers.ModelSerializer):
    template = serializers.SlugRelatedField(slug_field="code", read_only=True, label=_("模板代码"))
    version = serializers.IntegerField(source="version.number", read_only=True, label=_("规则版本"))
    status = code_field(_("进度"), "draft, candidates, nomination, vetting, assignment, approved, placed, closed")
    status_display = display_field("status")
    scope_unit_name = serializers.CharField(source="scope_unit.name", read_only=True, label=_("选拔范围"))
    slots = HostSlotSerializer(many=True, read_only=True)

    class Meta:
        model = Batch
        fields = [
            "id", "template", "version", "name", "year", "as_of", "scope_unit", "scope_unit_name", "status",
            "status_display", "quotas", "note", "evaluated_at", "evaluated_count", "eligible_count", "slots",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class BatchCreateSerializer(serializers.Serializer):
    template = serializers.SlugRelatedField(
        slug_field="code", queryset=ProgrammeTemplate.objects.filter(is_active=True), label=_("模板代码")
    )
    name = serializers.CharField(max_length=100, label=_("批次名称"))
    year = serializers.IntegerField(label=_("年度"))
    as_of = serializers.DateField(label=_("资格计算日期"))
    scope_unit = serializers.IntegerField(required=False, allow_null=True, label=_("选拔范围（单位编号）"))
    quotas = serializers.JSONField(required=False, allow_null=True, label=_("名额"))
    note = serializers.CharField(required=False, allow_blank=True, default="", label=_("备注"))


class SlotCreateSerializer(serializers.Serializer):
    unit = serializers.IntegerField(label=_("接收单位（编号）"))
    post_title = serializers.CharField(max_length=100, label=_("职务名称"))
    capacity = serializers.IntegerField(min_value=1, default=1, label=_("名额"))
    region = serializers.CharField(required=False, allow_blank=True, default="", label=_("地区"))
    tags = serializers.CharField(required=False, allow_blank=True, default="", label=_("标签"))
    side = serializers.ChoiceField(choices=Side.choices, required=False, allow_blank=True, default="", label=_("方"))


class PlaceSerializer(serializers.Serializer):
    start = serializers.DateField(label=_("到岗日期"))


class ProfileLineSerializer(serializers.Serializer):
    label = serializers.CharField(label=_("对象"))
    count = serializers.IntegerField(label=_("人数"))
    average_age = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True, label=_("平均年龄"))
    women = serializers.IntegerField(label=_("女性"))
    non_party = serializers.IntegerField(label=_("非中共党员"))


class RegionShareSerializer(serializers.Serializer):
    region = serializers.CharField(label=_("地区"))
    count = serializers.IntegerField(label=_("人数"))
    share = serializers.DecimalField(max_digits=4, decimal_places=1, label=_("占比（%）"))


class CoverageSerializer(serializers.Serializer):
    covered = serializers.IntegerField(label=_("已参加"))
    eligible = serializers.IntegerField(label=_("符合条件"))
    share = serializers.DecimalField(max_digits=4, decimal_places=1, label=_("覆盖率（%）"))
    target = serializers.IntegerField(label=_("目标（%）"))


class BatchProfileSerializer(serializers.Serializer):
    basis = serializers.CharField(label=_("统计对象"))
    lines = ProfileLineSerializer(many=True, label=_("各方"))
    total = ProfileLineSerializer(label=_("合计"))
    regions = RegionShareSerializer(many=True, label=_("地区分布"))
    coverage = CoverageSerializer(allow_null=True, label=_("覆盖率"))


class CandidateSerializer(serializers.ModelSerializer):
    cadre_code = serializers.CharField(source="cadre.code", read_only=True, label=_("人员编号"))
    cadre_name = serializers.CharField(source="cadre.name", read_only=True, label=_("姓名"))
    unit_name = serializers.CharField(source="cadre.unit.name", read_only=True, label=_("现工作单位"))
    side = code_field(_("方"))
    status = code_field(_("状态"), "candidate, nominated, vetted, rejected, assigned, placed")
    status_display = display_field("status")
    slot = serializers.SerializerMethodField(label=_("接收岗位"))

    class Meta:
        model = Candidate
        fields = [
            "id", "batch", "cadre", "cadre_code", "cadre_name", "unit_name", "eligible", "group", "side", "reasons",
            "facts", "evaluated_on", "is_override", "override_reason", "status", "status_display", "status_note",
            "slot",
        ]  # fmt: skip
        read_only_fields = fields

    def get_slot(self, candidate: Candidate) -> int | None:
        assignment = getattr(candidate, "assignment", None)
        return assignment.slot_id if assignment is not None else None


class OverrideSerializer(serializers.Serializer):
    batch = serializers.IntegerField(label=_("批次"))
    cadre = serializers.IntegerField(label=_("干部"))
    reason = serializers.CharField(required=False, allow_blank=True, default="", label=_("破格理由"))
    side = serializers.ChoiceField(choices=Side.choices, required=False, allow_blank=True, default="", label=_("方"))


class OpinionSerializer(serializers.Serializer):
    department = serializers.CharField(label=_("部门"))
    opinion = serializers.CharField(label=_("意见"))
    objection = serializers.BooleanField(default=False, label=_("有异议"))


class VettingSerializer(serializers.Serializer):
    political = serializers.CharField(label=_("政治品质"))
    moral = serializers.CharField(label=_("道德品质"))
    achievement = serializers.CharField(label=_("工作实绩"))
    duty = serializers.CharField(label=_("履职尽责"))
    integrity = serializers.CharField(label=_("勤政廉政"))
    opinions = OpinionSerializer(many=True, label=_("征求意见（须含纪检监察）"))
    objection = serializers.BooleanField(default=False, label=_("考察组认为有异议"))
    vetted_on = serializers.DateField(label=_("考察日期"))


class AssignSerializer(serializers.Serializer):
    slot = serializers.IntegerField(label=_("接收岗位"))
    partner = serializers.IntegerField(required=False, allow_null=True, label=_("对调人选（双向挂职）"))
    partner_slot = serializers.IntegerField(required=False, allow_null=True, label=_("对调人选的接收岗位"))


class PlacementSerializer(serializers.ModelSerializer):
    cadre_code = serializers.CharField(source="cadre.code", read_only=True, label=_("人员编号"))
    cadre_name = serializers.CharField(source="cadre.name", read_only=True, label=_("姓名"))
    host_unit_name = serializers.CharField(
        source="host_unit.name", read_only=True, allow_null=True, label=_("接收单位")
    )
    kind = code_field(_("类型"))
    status = code_field(_("状态"), "active, ended, ended_early")
    status_display = display_field("status")
    grade = code_field(_("期满考核等次"))
    partner = serializers.PrimaryKeyRelatedField(read_only=True, label=_("对调人员"))

    class Meta:
        model = Placement
        fields = [
            "id", "batch", "candidate", "cadre", "cadre_code", "cadre_name", "host_unit", "host_unit_name",
            "post_title", "kind", "start", "planned_end", "actual_end", "status", "status_display", "partner",
            "events", "grade", "assessed_on", "assessment_note", "experience",
        ]  # fmt: skip
        read_only_fields = fields


class ExtendSerializer(serializers.Serializer):
    new_end = serializers.DateField(label=_("延至"))
    reason = serializers.CharField(label=_("理由"))


class EndEarlySerializer(serializers.Serializer):
    end = serializers.DateField(label=_("结束日期"))
    reason = serializers.CharField(label=_("理由"))


class AssessSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=GRADE_CHOICES, label=_("期满考核等次"))
    end = serializers.DateField(required=False, allow_null=True, label=_("结束日期"))
    note = serializers.CharField(required=False, allow_blank=True, default="", label=_("考核评语"))
