"""Units and posts over the API: codes with their Chinese labels, foreign keys as id + name."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from miaopu.apps.core.api.serializers import ScopedRelatedFieldsMixin, display_field
from miaopu.apps.units.models import Post, Unit
from miaopu.apps.units.selectors import unit_list


class UnitSerializer(ScopedRelatedFieldsMixin, serializers.ModelSerializer):
    """A unit of the city's tree. ``path``, ``depth`` and ``district`` are derived from ``parent``."""

    scoped_fields = {"parent": unit_list}

    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True, label=_("上级单位名称"))
    level_display = display_field("level", _("单位层级名称"))
    kind_display = display_field("kind", _("单位性质名称"))
    district_name = serializers.CharField(
        source="district.name", read_only=True, allow_null=True, label=_("所属区县名称")
    )

    class Meta:
        model = Unit
        fields = [
            "id", "name", "short_name", "parent", "parent_name", "level", "level_display", "kind", "kind_display",
            "is_remote", "tags", "sort_order", "path", "depth", "district", "district_name",
        ]  # fmt: skip
        read_only_fields = ["path", "depth", "district"]
        # Uniqueness and tree rules are the service's to check (one place, one message).
        extra_kwargs = {"name": {"validators": []}}


class PostSerializer(ScopedRelatedFieldsMixin, serializers.ModelSerializer):
    """A post (岗位) of a unit; titles are unique within a unit."""

    scoped_fields = {"unit": unit_list}

    unit_name = serializers.CharField(source="unit.name", read_only=True, label=_("单位名称"))
    category_display = display_field("category", _("岗位类别名称"))
    leadership_level_display = display_field("leadership_level", _("职务层次名称"))

    class Meta:
        model = Post
        fields = [
            "id", "unit", "unit_name", "title", "category", "category_display", "leadership_level",
            "leadership_level_display", "is_township_head", "headcount",
        ]  # fmt: skip
        validators = []  # "one title per unit" is checked by the service
