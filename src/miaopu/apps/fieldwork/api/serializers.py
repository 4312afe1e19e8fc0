"""Field work over the API (codes travel with their Chinese labels)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from miaopu.apps.cadres.models import Cadre
from miaopu.apps.cadres.selectors import cadre_list
from miaopu.apps.core.api.serializers import ScopedRelatedFieldsMixin, display_field
from miaopu.apps.units.selectors import unit_list

from ..models import CareContact, LedgerItem, PracticeBase


class PracticeBaseSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True, label=_("村（社区）"))
    certified = serializers.SerializerMethodField(label=_("今日认定有效"))
    in_use = serializers.SerializerMethodField(label=_("今日在基地人数"))

    class Meta:
        model = PracticeBase
        fields = [
            "id",
            "unit",
            "unit_name",
            "capacity",
            "host_families",
            "theme",
            "contact",
            "is_active",
            "certified",
            "in_use",
        ]
        read_only_fields = fields

    def _row(self, base):
        rows = self.context.setdefault("rows", {})
        if base.pk not in rows:
            import datetime as dt

            from ..selectors import base_rows

            rows[base.pk] = base_rows([base], dt.date.today())[0]
        return rows[base.pk]

    def get_certified(self, base) -> bool:
        return self._row(base).certified

    def get_in_use(self, base) -> int:
        return self._row(base).in_use


class LedgerItemSerializer(ScopedRelatedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"village": unit_list}
    category_display = display_field("category")
    status_display = display_field("status")
    satisfaction_display = display_field("satisfaction")
    cadres = serializers.PrimaryKeyRelatedField(many=True, queryset=Cadre.objects.none(), label=_("领办干部"))
    taken_on = serializers.DateField(write_only=True, required=False, label=_("领办日期"))

    class Meta:
        model = LedgerItem
        fields = [
            "id",
            "village",
            "household",
            "category",
            "category_display",
            "description",
            "raised_on",
            "status",
            "status_display",
            "status_reason",
            "closed_on",
            "outcome",
            "satisfaction",
            "satisfaction_display",
            "batch",
            "cadres",
            "taken_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at", "batch"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        fields["cadres"].child_relation.queryset = cadre_list(user=getattr(request, "user", None))
        return fields


class CareContactSerializer(ScopedRelatedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"cadre": cadre_list}
    kind_display = display_field("kind")

    class Meta:
        model = CareContact
        fields = [
            "id",
            "cadre",
            "date",
            "kind",
            "kind_display",
            "contact_by",
            "summary",
            "help_given",
            "counselling_note",
            "follow_up_on",
            "follow_up",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs = {"counselling_note": {"required": False}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        from ..selectors import may_see_counselling

        request = self.context.get("request")
        if not may_see_counselling(getattr(request, "user", None)):
            data.pop("counselling_note", None)
        return data
