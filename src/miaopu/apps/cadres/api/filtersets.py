"""Filters of the experience endpoint (the cadre endpoint uses ``cadres.filtersets.CadreFilterSet``)."""

from __future__ import annotations

import django_filters as df
from django.utils.translation import gettext_lazy as _

from miaopu.apps.cadres.models import Experience
from miaopu.apps.core.api.filters import IdFilter
from miaopu.apps.core.choices import vocab_choices
from miaopu.domain.vocab import ExperienceKind


class ExperienceFilterSet(df.FilterSet):
    cadre = IdFilter(label=_("干部"), field_name="cadre_id")
    kind = df.ChoiceFilter(label=_("类型"), choices=vocab_choices(ExperienceKind))

    class Meta:
        model = Experience
        fields = ["cadre", "kind"]

    def __init__(self, *args, user=None, **kwargs):  # noqa: ARG002 - same signature as CadreFilterSet
        super().__init__(*args, **kwargs)
