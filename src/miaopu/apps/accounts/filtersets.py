"""Filters for the account list and the audit log (one FilterSet each, reusable by an API later)."""

from __future__ import annotations

import datetime as dt

import django_filters as df
from django import forms
from django.apps import apps
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from miaopu.apps.core.choices import AuditAction, AuditCategory, AuditSource, Role
from miaopu.apps.core.models import AuditEvent, User

ALL = _("全部")
ACTIVE_CHOICES = [("yes", _("启用")), ("no", _("停用"))]


class AccountFilterSet(df.FilterSet):
    q = df.CharFilter(label=_("账号/姓名"), method="filter_q")
    role = df.ChoiceFilter(label=_("角色"), choices=Role.choices, empty_label=ALL)
    active = df.ChoiceFilter(label=_("状态"), choices=ACTIVE_CHOICES, empty_label=ALL, method="filter_active")

    class Meta:
        model = User
        fields = ["q", "role", "active"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__icontains=value) | Q(first_name__icontains=value) | Q(last_name__icontains=value)
        )

    def filter_active(self, queryset, name, value):
        if value in ("yes", "no"):
            return queryset.filter(is_active=value == "yes")
        return queryset


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in the site's time zone, so a date range means the auditor's local days."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def object_type_choices() -> list[tuple[str, str]]:
    """Known record types (``app.model``) with their Chinese names, for the filter's suggestion list."""
    return sorted(
        (m._meta.label_lower, str(m._meta.verbose_name))
        for m in apps.get_models()
        if m.__module__.startswith("miaopu.")
    )


class AuditEventFilterSet(df.FilterSet):
    category = df.ChoiceFilter(label=_("类别"), choices=AuditCategory.choices, empty_label=ALL)
    action = df.ChoiceFilter(label=_("操作"), choices=AuditAction.choices, empty_label=ALL)
    source = df.ChoiceFilter(label=_("来源"), choices=AuditSource.choices, empty_label=ALL)
    user = df.CharFilter(label=_("用户"), field_name="actor_name", lookup_expr="icontains")
    object_type = df.CharFilter(label=_("对象类型"), method="filter_exact")
    object_id = df.CharFilter(label=_("对象编号"), method="filter_exact")
    date_from = df.DateFilter(label=_("起始日期"), method="filter_date", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = df.DateFilter(label=_("截止日期"), method="filter_date", widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = AuditEvent
        fields = ["category", "action", "source", "user", "object_type", "object_id", "date_from", "date_to"]

    def filter_exact(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(**{name: value}) if value else queryset

    def filter_date(self, queryset, name, value):
        # Bounds on the indexed timestamp (not ``at__date``), both ends inclusive of whole local days.
        if name == "date_from":
            return queryset.filter(at__gte=_day_start(value))
        return queryset.filter(at__lt=_day_start(value + dt.timedelta(days=1)))
