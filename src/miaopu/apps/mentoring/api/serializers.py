"""Mentoring over the API. Reads are model serializers; every change is an input serializer fed to a service.

Coded fields travel with their Chinese label (``role`` + ``role_display``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from miaopu.apps.core.api.serializers import display_field

from ..models import (
    GuidanceAttachment,
    GuidanceKind,
    GuidanceRecord,
    MenteeGrade,
    Mentor,
    MentorGrade,
    MentorRole,
    Mentorship,
    MentorshipStatus,
    PairingProposal,
    PairingRun,
)


def code(label: str) -> serializers.CharField:
    return serializers.CharField(read_only=True, label=label)


class CodeField(serializers.CharField):
    """A coded input (``role``, ``kind`` …) checked against its choices, documented as a plain string.

    Plain strings keep the schema free of one enum per field name (every app has a ``status`` and a ``kind``).
    """

    def __init__(self, choices, **kwargs):
        self.codes = [value for value, _label in choices]
        kwargs.setdefault("help_text", " / ".join(f"{value}（{label}）" for value, label in choices))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value not in self.codes:
            raise serializers.ValidationError(
                _("“%(v)s”不是可选的值：%(all)s") % {"v": value, "all": "、".join(self.codes)}
            )
        return value


class MentorSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, label=_("类别"), help_text="cadre / external")
    kind_display = serializers.CharField(source="kind_label", read_only=True, label=_("类别名称"))

    class Meta:
        model = Mentor
        fields = ["id", "kind", "kind_display", "cadre", "name", "unit", "unit_name", "title", "contact", "note",
                  "is_available"]  # fmt: skip
        read_only_fields = ["cadre"]


class MentorCreateSerializer(serializers.Serializer):
    cadre = serializers.IntegerField(required=False, allow_null=True, label=_("对应干部编号"))
    name = serializers.CharField(required=False, allow_blank=True, max_length=50, label=_("姓名"))
    unit = serializers.IntegerField(required=False, allow_null=True, label=_("所在单位编号"))
    unit_name = serializers.CharField(required=False, allow_blank=True, max_length=100, label=_("单位"))
    title = serializers.CharField(required=False, allow_blank=True, max_length=100, label=_("职务"))
    contact = serializers.CharField(required=False, allow_blank=True, max_length=50, label=_("联系方式"))
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, label=_("备注"))
    is_available = serializers.BooleanField(required=False, label=_("可带新人"))


class MentorshipSerializer(serializers.ModelSerializer):
    role = code(_("导师类型"))
    role_display = display_field("role")
    status = code(_("状态"))
    status_display = display_field("status")
    strategy = code(_("配对方式"))
    strategy_display = display_field("strategy")
    mentee_grade = code(_("导师对帮带对象的评价"))
    mentor_grade = code(_("帮带对象对导师的评价"))
    mentee_name = serializers.CharField(source="mentee.name", read_only=True, label=_("帮带对象姓名"))
    mentor_name = serializers.CharField(source="mentor.name", read_only=True, label=_("导师姓名"))
    template = serializers.SlugRelatedField(slug_field="code", read_only=True, label=_("服务项目"))

    class Meta:
        model = Mentorship
        fields = [
            "id", "mentee", "mentee_name", "mentor", "mentor_name", "role", "role_display", "start", "end", "status",
            "status_display", "template", "batch", "strategy", "strategy_display", "reasons", "end_reason",
            "mentee_grade", "mentee_comment", "mentee_rated_at", "mentor_grade", "mentor_comment", "mentor_rated_at",
        ]  # fmt: skip
        read_only_fields = fields


class MentorshipCreateSerializer(serializers.Serializer):
    mentee = serializers.IntegerField(label=_("帮带对象（干部编号）"))
    mentor = serializers.IntegerField(label=_("导师编号"))
    role = CodeField(MentorRole.choices, label=_("导师类型"))
    start = serializers.DateField(label=_("开始时间"))
    template = serializers.SlugField(required=False, allow_null=True, label=_("服务项目代码"))
    allow_over_capacity = serializers.BooleanField(required=False, default=False, label=_("超出名额仍结对"))


class EndSerializer(serializers.Serializer):
    status = CodeField([c for c in MentorshipStatus.choices if c[0] != MentorshipStatus.ACTIVE], label=_("结束方式"))
    end = serializers.DateField(label=_("结束时间"))
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300, label=_("说明"))


class RateMenteeSerializer(serializers.Serializer):
    grade = CodeField(MenteeGrade.choices, label=_("评价等次"))
    comment = serializers.CharField(required=False, allow_blank=True, default="", label=_("评语"))


class RateMentorSerializer(serializers.Serializer):
    grade = CodeField(MentorGrade.choices, label=_("对导师的评价"))
    comment = serializers.CharField(required=False, allow_blank=True, default="", label=_("意见和建议"))


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = GuidanceAttachment
        fields = ["id", "name", "size", "content_type", "uploaded_at"]


class GuidanceRecordSerializer(serializers.ModelSerializer):
    kind = code(_("方式"))
    kind_display = display_field("kind")
    confirmed = serializers.BooleanField(source="is_confirmed", read_only=True, label=_("本人已确认"))
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = GuidanceRecord
        fields = ["id", "mentorship", "date", "kind", "kind_display", "content", "hours", "confirmed", "confirmed_at",
                  "mentee_note", "created_at", "attachments"]  # fmt: skip
        read_only_fields = ["confirmed_at", "mentee_note", "created_at"]


class GuidanceInputSerializer(serializers.Serializer):
    mentorship = serializers.IntegerField(required=False, label=_("结对编号"))
    date = serializers.DateField(label=_("日期"))
    kind = CodeField(GuidanceKind.choices, label=_("方式"))
    content = serializers.CharField(label=_("内容"))
    hours = serializers.DecimalField(max_digits=4, decimal_places=1, label=_("时长（小时）"))


class ConfirmSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300, label=_("意见"))


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(label=_("附件"))


class PairingRunSerializer(serializers.ModelSerializer):
    template = serializers.SlugRelatedField(slug_field="code", read_only=True, label=_("项目模板"))
    status = code(_("状态"))
    status_display = display_field("status")

    class Meta:
        model = PairingRun
        fields = ["id", "title", "template", "batch", "roles", "policy", "as_of", "status", "status_display",
                  "cohort_size", "summary", "created_at", "confirmed_at"]  # fmt: skip
        read_only_fields = fields


class PairingRunCreateSerializer(serializers.Serializer):
    template = serializers.SlugField(required=False, allow_null=True, label=_("项目模板代码"))
    batch = serializers.IntegerField(required=False, allow_null=True, label=_("批次编号"))
    roles = serializers.ListField(child=CodeField(MentorRole.choices), required=False, label=_("导师类型"))
    as_of = serializers.DateField(required=False, allow_null=True, label=_("计算日期"))

    def validate(self, data):
        if bool(data.get("template")) == bool(data.get("batch")):
            raise serializers.ValidationError(_("请给出 template 或 batch 之一。"))
        return data


def _id() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class DecideSerializer(serializers.Serializer):
    accept_all = serializers.BooleanField(required=False, default=False, label=_("全部接受"))
    # Ids are positive 64-bit integers: a larger number is a 400, not a database overflow (500).
    accept = serializers.ListField(child=_id(), required=False, default=list, label=_("接受"))
    reject = serializers.ListField(child=_id(), required=False, default=list, label=_("不采用"))


class ConfirmRunSerializer(serializers.Serializer):
    start = serializers.DateField(required=False, allow_null=True, label=_("结对开始时间"))


class ProposalSerializer(serializers.ModelSerializer):
    role = code(_("导师类型"))
    status = code(_("状态"))
    strategy = code(_("配对方式"))
    role_display = display_field("role")
    status_display = display_field("status")
    mentee_name = serializers.CharField(source="mentee.name", read_only=True, label=_("帮带对象姓名"))
    mentor_key = serializers.CharField(read_only=True, label=_("导师标识"))

    class Meta:
        model = PairingProposal
        fields = ["id", "run", "mentee", "mentee_name", "role", "role_display", "mentor_key", "mentor", "mentor_cadre",
                  "mentor_name", "strategy", "score", "reasons", "options", "status", "status_display", "swapped",
                  "mentorship"]  # fmt: skip
        read_only_fields = fields


class SwapSerializer(serializers.Serializer):
    mentor = serializers.CharField(label=_("换成的导师标识（c干部编号 或 m导师编号，须在可选人选中）"))


class ExchangeSerializer(serializers.Serializer):
    other = serializers.IntegerField(label=_("与之对调的建议编号"))


class MentoringAlertSerializer(serializers.Serializer):
    kind = serializers.CharField(label=_("类别"))
    reason = serializers.CharField(label=_("情况"))
    owner = serializers.CharField(label=_("责任人"))
    link = serializers.CharField(label=_("处理链接"))
    cadre_id = serializers.IntegerField(allow_null=True, label=_("干部编号"))
    mentor_id = serializers.IntegerField(allow_null=True, label=_("导师编号"))
    mentorship_id = serializers.IntegerField(allow_null=True, label=_("结对编号"))
