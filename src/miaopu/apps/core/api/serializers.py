"""Serializer helpers shared by every app's API, and the serializers of the core endpoints."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


def display_field(field: str, label: str = "") -> serializers.CharField:
    """The Chinese label of a coded field, sent next to the code (``gender`` + ``gender_display``)."""
    return serializers.CharField(source=f"get_{field}_display", read_only=True, label=label or None)


class ScopedRelatedFieldsMixin:
    """Point foreign keys only at rows the user may see.

    ``scoped_fields`` maps a field name to a selector (``unit_list``, ``cadre_list`` …);
    the field's choices become ``selector(user=request.user)``, so an id outside the
    user's scope is rejected like an id that does not exist.
    """

    scoped_fields: dict[str, Callable[..., QuerySet]] = {}

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for name, selector in self.scoped_fields.items():
            field = fields.get(name)
            if field is not None and not field.read_only:
                field.queryset = selector(user=user)
        return fields


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True, label=_("用户名"))
    display_name = serializers.CharField(read_only=True, label=_("姓名"))
    role = serializers.CharField(read_only=True, label=_("角色"))
    role_display = serializers.CharField(source="get_role_display", read_only=True, label=_("角色名称"))
    scope_unit = serializers.IntegerField(source="scope_unit_id", read_only=True, allow_null=True, label=_("管理范围"))
    scope_unit_name = serializers.SerializerMethodField(label=_("管理范围名称"))
    cadre = serializers.IntegerField(source="cadre_id", read_only=True, allow_null=True, label=_("对应干部"))

    def get_scope_unit_name(self, user) -> str | None:
        return user.scope_unit.name if user.scope_unit_id else None


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("用户名"))
    password = serializers.CharField(label=_("密码"), style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(
        label=_("动态口令"),
        required=False,
        allow_blank=True,
        help_text=_("角色要求动态口令时填写验证器上的 6 位数字。"),
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, label=_("令牌"))
