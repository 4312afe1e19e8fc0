"""Forms for the account pages. They only collect input; the services decide what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from miaopu.apps.core.choices import Role
from miaopu.apps.core.forms import UnitChoiceField, unit_choice_queryset
from miaopu.apps.units.models import Unit


class _PasswordPair(forms.Form):
    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 8 位，不能全是数字，不能过于常见，不能与账号或姓名相似。"),
    )
    password2 = forms.CharField(
        label=_("确认密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class UserCreateForm(_PasswordPair):
    username = forms.CharField(
        label=_("账号"), max_length=150, help_text=_("登录用的账号名，字母、数字或 @ . + - _，创建后不宜更改。")
    )
    full_name = forms.CharField(label=_("姓名"), max_length=150)

    field_order = ["username", "full_name", "password1", "password2"]


class PasswordForm(_PasswordPair):
    pass


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    scope_unit = UnitChoiceField(
        Unit.objects.none(),
        label=_("管理范围"),
        required=False,
        help_text=_("仅“组织部干部科”和“单位人事专员”需要：可查看和维护该单位及其下级单位的人员。"),
    )
    cadre_code = forms.CharField(
        label=_("人员编号"),
        max_length=32,
        required=False,
        help_text=_("仅“干部本人”角色需要：填写该干部档案的人员编号（由组织部提供）。"),
    )

    def __init__(self, *args, units, **kwargs):
        """``units``: what the secadmin may browse (``unit_list(user=...)``: the whole tree)."""
        super().__init__(*args, **kwargs)
        self.fields["scope_unit"].queryset = unit_choice_queryset(units).order_by("path")
