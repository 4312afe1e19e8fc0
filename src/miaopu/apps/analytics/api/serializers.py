"""Shapes of the analytics endpoints (read-only; documented in the OpenAPI schema)."""

from __future__ import annotations

from rest_framework import serializers

from ..models import Alert


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.IntegerField()
    share = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True, help_text="占比（%）")
    link = serializers.CharField(allow_null=True, help_text="显示这些干部的名单网址（统计日期为今天时才有）")


class StatsSerializer(serializers.Serializer):
    """Exactly what ``miaopu stats --format json`` prints."""

    as_of = serializers.DateField()
    cadres = serializers.IntegerField()
    average_age = serializers.FloatField(allow_null=True)
    women = serializers.IntegerField()
    non_party = serializers.IntegerField()
    by_age_band = serializers.DictField(child=serializers.IntegerField())
    by_source = serializers.DictField(child=serializers.IntegerField())
    by_education = serializers.DictField(child=serializers.IntegerField())


class DimensionsSerializer(serializers.Serializer):
    gender = FigureSerializer(many=True)
    political_status = FigureSerializer(many=True)
    education = FigureSerializer(many=True)
    source = FigureSerializer(many=True)
    leadership_level = FigureSerializer(many=True)


class StructureSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    total = serializers.IntegerField()
    average_age = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    women = serializers.IntegerField()
    non_party = serializers.IntegerField()
    young = serializers.IntegerField()
    young_age = serializers.IntegerField()
    mentored_young = serializers.IntegerField()
    by_age_band = FigureSerializer(many=True)
    dimensions = DimensionsSerializer()


class AlertSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    cadre_name = serializers.CharField(source="cadre.name", default=None, read_only=True)
    unit_name = serializers.CharField(source="cadre.unit.name", default=None, read_only=True)

    class Meta:
        model = Alert
        fields = ["id", "kind", "level", "level_label", "cadre", "cadre_name", "unit_name", "reason", "owner", "link",
                  "due", "as_of"]  # fmt: skip
        read_only_fields = fields


class AlertKindCountSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    available = serializers.BooleanField(allow_null=True, help_text="false：相关应用尚未接入；null：尚未刷新过")
    note = serializers.CharField()
    red = serializers.IntegerField()
    yellow = serializers.IntegerField()
    green = serializers.IntegerField()
    total = serializers.IntegerField()


class AlertSummarySerializer(serializers.Serializer):
    refreshed_at = serializers.DateTimeField(allow_null=True)
    red = serializers.IntegerField()
    yellow = serializers.IntegerField()
    green = serializers.IntegerField()
    kinds = AlertKindCountSerializer(many=True)
