from __future__ import annotations

from rest_framework import serializers

from miaopu.apps.cadres.selectors import cadre_list
from miaopu.apps.core.api.serializers import ScopedRelatedFieldsMixin, display_field

from ..models import PoolEntry


class PoolEntrySerializer(ScopedRelatedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"cadre": cadre_list}
    pool_display = display_field("pool")
    tier_display = display_field("tier")
    category_display = display_field("category")
    source_display = display_field("source")
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)

    class Meta:
        model = PoolEntry
        fields = [
            "id",
            "pool",
            "pool_display",
            "cadre",
            "cadre_name",
            "tier",
            "tier_display",
            "category",
            "category_display",
            "source",
            "source_display",
            "date",
            "reason",
            "source_batch",
            "exit_date",
            "exit_reason",
        ]
        read_only_fields = ["source_batch", "exit_date", "exit_reason"]
        validators: list = []  # the service checks uniqueness with a clearer message
