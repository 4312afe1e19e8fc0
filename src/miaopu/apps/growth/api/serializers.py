"""Growth-file records over the API (codes travel with their Chinese labels)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from miaopu.apps.cadres.selectors import cadre_list
from miaopu.apps.core.api.serializers import ScopedRelatedFieldsMixin, display_field

from ..models import GrowthEntry, Punishment, Talk


class _RecordSerializer(ScopedRelatedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"cadre": cadre_list}
    author_name = serializers.CharField(source="author.display_name", read_only=True, default="", label=_("录入人"))


class GrowthEntrySerializer(_RecordSerializer):
    kind_display = display_field("kind")

    class Meta:
        model = GrowthEntry
        fields = [
            "id",
            "cadre",
            "kind",
            "kind_display",
            "date",
            "title",
            "details",
            "score",
            "respondents",
            "respondent_count",
            "level",
            "source",
            "author_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class TalkSerializer(_RecordSerializer):
    thought_state_display = display_field("thought_state")

    class Meta:
        model = Talk
        fields = [
            "id",
            "cadre",
            "date",
            "talker",
            "thought_state",
            "thought_state_display",
            "content",
            "problems",
            "follow_up",
            "source",
            "author_name",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class PunishmentSerializer(_RecordSerializer):
    kind_display = display_field("kind")

    class Meta:
        model = Punishment
        fields = [
            "id",
            "cadre",
            "date",
            "kind",
            "kind_display",
            "decided_by",
            "description",
            "blocks_until",
            "source",
            "author_name",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class TimelineItemSerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    title = serializers.CharField()
    detail = serializers.CharField()
    source = serializers.CharField()
    author = serializers.CharField()
    badge = serializers.CharField()
    confidential = serializers.BooleanField()


class ReasonSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    text = serializers.CharField()


class ReadinessSerializer(serializers.Serializer):
    track = serializers.CharField(help_text="rank（职级）或 level（职务层次）")
    current = serializers.CharField()
    current_label = serializers.CharField()
    target = serializers.CharField(allow_null=True)
    target_label = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    ready_on = serializers.DateField(allow_null=True)
    summary = serializers.CharField()
    reasons = ReasonSerializer(many=True)


class ReadinessRowSerializer(serializers.Serializer):
    cadre_id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    unit_name = serializers.CharField()
    tracks = ReadinessSerializer(many=True, source="answer.tracks")
