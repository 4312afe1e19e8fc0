"""One FilterSet for the cadre list page and the cadre API."""

from __future__ import annotations

import datetime as dt

import django_filters as df
from django.db import connections, models
from django.db.models import Func, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from miaopu.apps.core.choices import vocab_choices
from miaopu.apps.core.fields import blind_lookup
from miaopu.apps.units.models import Unit
from miaopu.domain.dates import add_months
from miaopu.domain.idcard import looks_like_id_number
from miaopu.domain.vocab import (
    PARTY_STATUSES,
    CadreStatus,
    Education,
    Gender,
    LeadershipLevel,
    PoliticalStatus,
    Source,
)

from .derived import rural_q
from .models import Cadre

YES_NO = [("yes", _("有")), ("no", _("无"))]
#: Statistics count 中共党员 and 预备党员 as party members; "no" is the 非中共党员 figure.
PARTY_CHOICES = [("yes", _("中共党员（含预备党员）")), ("no", _("非中共党员"))]


def birth_bounds_for_age(age_min: int | None, age_max: int | None, today: dt.date) -> dict[str, dt.date]:
    """Age in full years as of ``today`` → birth-date range (age ≤ N includes N)."""
    bounds = {}
    if age_min is not None:
        bounds["birth_date__lte"] = add_months(today, -12 * age_min)
    if age_max is not None:
        # age ≤ N ⇔ born after the day N+1 years before today
        bounds["birth_date__gt"] = add_months(today, -12 * (age_max + 1))
    return bounds


class _NameChars(Func):
    """PostgreSQL: the characters of the name as a text array, the expression of the GIN index ``cadres_name_chars``
    (migration 0004_first_rural_start). The SQL must stay exactly this for the planner to use the index."""

    template = "string_to_array(%(expressions)s, NULL)"

    def __init__(self, expression, **extra):
        from django.contrib.postgres.fields import ArrayField

        super().__init__(expression, output_field=ArrayField(models.TextField()), **extra)


def name_contains(queryset: QuerySet, value: str) -> tuple[QuerySet, Q]:
    """``name`` contains ``value`` (the same rows as ``name__contains``).

    On PostgreSQL the test is preceded by "the name has every character of ``value``", a necessary condition the GIN
    index on the name's characters answers: a one-character surname or a two-character fragment — the usual Chinese
    searches, too short for pg_trgm's trigrams — reads its few thousand candidate rows instead of every cadre.
    """
    query = Q(name__contains=value)
    if connections[queryset.db].vendor != "postgresql":
        return queryset, query
    queryset = queryset.alias(name_chars=_NameChars("name"))
    chars = Q(name_chars__contains=sorted(set(value)))
    # One character: "has it" is exactly "contains it". Leaving out the LIKE keeps the planner's row estimate (from
    # the index's element statistics) right, so it pages a common surname by walking the unit order (~30 ms)
    # instead of sorting thousands of rows it believed were a few hundred.
    return queryset, chars if len(value) == 1 else chars & query


class CadreFilterSet(df.FilterSet):
    q = df.CharFilter(label=_("姓名/编号/身份证号"), method="filter_q")
    unit = df.ModelChoiceFilter(label=_("单位（含下级）"), queryset=Unit.objects.all(), method="filter_unit")
    # Bounded, so an absurd age is a form error (400 in the API), not a date overflow (500).
    age_min = df.NumberFilter(label=_("年龄≥"), method="filter_age", min_value=0, max_value=150)
    age_max = df.NumberFilter(label=_("年龄≤"), method="filter_age", min_value=0, max_value=150)
    gender = df.ChoiceFilter(label=_("性别"), choices=vocab_choices(Gender))
    source = df.ChoiceFilter(label=_("干部来源"), choices=vocab_choices(Source))
    political_status = df.ChoiceFilter(label=_("政治面貌"), choices=vocab_choices(PoliticalStatus))
    party = df.ChoiceFilter(label=_("中共党员"), choices=PARTY_CHOICES, method="filter_party")
    leadership_level = df.ChoiceFilter(label=_("职务层次"), choices=vocab_choices(LeadershipLevel))
    education = df.ChoiceFilter(
        label=_("全日制学历"), field_name="fulltime_education", choices=vocab_choices(Education)
    )
    rural = df.ChoiceFilter(label=_("乡村工作经历"), choices=YES_NO, method="filter_rural")
    status = df.ChoiceFilter(label=_("状态"), choices=vocab_choices(CadreStatus))

    class Meta:
        model = Cadre
        fields = [
            "q",
            "unit",
            "age_min",
            "age_max",
            "gender",
            "source",
            "political_status",
            "party",
            "leadership_level",
            "education",
            "rural",
            "status",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            from miaopu.apps.units.selectors import unit_list

            self.filters["unit"].queryset = unit_list(user=user)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        queryset, contains = name_contains(queryset, value)
        query = contains | Q(code__iexact=value)
        if looks_like_id_number(value):
            # The column is encrypted: an exact match on the whole number through its HMAC-SM3 blind index.
            query |= blind_lookup("id_number_index", value)
        return queryset.filter(query)

    def filter_unit(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(unit__path__startswith=value.path)

    def filter_age(self, queryset, name, value):
        # Both bounds are applied together once, in filter_queryset.
        return queryset

    def filter_party(self, queryset, name, value):
        statuses = list(PARTY_STATUSES)
        if value == "yes":
            return queryset.filter(political_status__in=statuses)
        if value == "no":
            return queryset.exclude(political_status__in=statuses)
        return queryset

    def filter_rural(self, queryset, name, value):
        # An entry at a 镇街/村社区 unit begun by today, read from the stored first_rural_start (cadres.derived):
        # the same rows as EXISTS over the experience table, as a column test.
        if value in ("yes", "no"):
            return queryset.filter(rural_q(value == "yes", dt.date.today()))
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        age_min = data.get("age_min")
        age_max = data.get("age_max")
        bounds = birth_bounds_for_age(
            int(age_min) if age_min is not None else None,
            int(age_max) if age_max is not None else None,
            dt.date.today(),
        )
        return queryset.filter(**bounds) if bounds else queryset
