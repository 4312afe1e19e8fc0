"""Filters of the unit and post endpoints. They take ``user=`` like every FilterSet the API uses."""

from __future__ import annotations

import django_filters as df
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from miaopu.apps.core.api.filters import IdFilter
from miaopu.apps.core.choices import vocab_choices
from miaopu.apps.units.models import Post, Unit
from miaopu.domain.vocab import LeadershipLevel, PostCategory, UnitKind, UnitLevel


class UnitFilterSet(df.FilterSet):
    q = df.CharFilter(label=_("名称"), method="filter_q")
    level = df.ChoiceFilter(label=_("单位层级"), choices=vocab_choices(UnitLevel))
    kind = df.ChoiceFilter(label=_("单位性质"), choices=vocab_choices(UnitKind))
    parent = IdFilter(label=_("上级单位"), field_name="parent_id")
    is_remote = df.BooleanFilter(label=_("偏远"))

    class Meta:
        model = Unit
        fields = ["q", "level", "kind", "parent", "is_remote"]

    def __init__(self, *args, user=None, **kwargs):  # noqa: ARG002 - same signature as CadreFilterSet
        super().__init__(*args, **kwargs)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__contains=value) | Q(short_name__contains=value))


class PostFilterSet(df.FilterSet):
    q = df.CharFilter(label=_("职务名称"), field_name="title", lookup_expr="contains")
    unit = IdFilter(label=_("单位"), field_name="unit_id")
    category = df.ChoiceFilter(label=_("岗位类别"), choices=vocab_choices(PostCategory))
    leadership_level = df.ChoiceFilter(label=_("职务层次"), choices=vocab_choices(LeadershipLevel))
    is_township_head = df.BooleanFilter(label=_("乡镇党政正职"))

    class Meta:
        model = Post
        fields = ["q", "unit", "category", "leadership_level", "is_township_head"]

    def __init__(self, *args, user=None, **kwargs):  # noqa: ARG002 - same signature as CadreFilterSet
        super().__init__(*args, **kwargs)
