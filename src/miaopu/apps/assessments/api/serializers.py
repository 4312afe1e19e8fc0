"""Assessment cycles, results and reviews over the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from miaopu.apps.cadres.selectors import cadre_list
from miaopu.apps.core.api.serializers import ScopedRelatedFieldsMixin, display_field
from miaopu.apps.units.selectors import unit_list

from ..models import Assessment, AssessmentCycle, Review


class CycleSerializer(ScopedRelatedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"scope_unit": unit_list}
    kind_display = display_field("kind")
    name = serializers.CharField(required=False, allow_blank=True, max_length=100, label=_("名称"))

    class Meta:
        model = AssessmentCycle
        fields = ["id", "kind", "kind_display", "year", "quarter", "name", "scope_unit", "start", "end", "note"]


class AssessmentSerializer(ScopedRelatedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"cadre": cadre_list}
    grade = serializers.CharField(label=_("等次"), help_text="excellent/competent/basic/incompetent/ungraded 或中文")
    grade_display = display_field("grade")
    kind_display = display_field("kind")
    cycle_name = serializers.CharField(source="cycle.name", read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "cycle",
            "cycle_name",
            "cadre",
            "kind",
            "kind_display",
            "year",
            "grade",
            "grade_display",
            "score_morality",
            "score_ability",
            "score_diligence",
            "score_achievement",
            "score_integrity",
            "comment",
            "assessed_on",
            "source",
        ]
        read_only_fields = ["kind", "year", "assessed_on", "source"]
        validators: list = []  # the service checks uniqueness with a clearer message


class ReviewSerializer(ScopedRelatedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"cadre": cadre_list}
    fitness_display = display_field("fitness")
    ability_display = display_field("ability")

    class Meta:
        model = Review
        fields = [
            "id",
            "cadre",
            "date",
            "fitness",
            "fitness_display",
            "ability",
            "ability_display",
            "strengths",
            "weaknesses",
            "advice",
            "facts",
            "created_at",
        ]
        read_only_fields = ["facts", "created_at"]
