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
        help_text=_("至少 8 位，包含小写字母、大写字母、数字、符号中的至少 3 类；不能包含账号名，不能过于常见。"),
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


class OwnPasswordForm(forms.Form):
    """The account holder's own password change: the current password, then the new one twice."""

    old_password = forms.CharField(
        label=_("原密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "至少 8 位，包含小写字母、大写字母、数字、符号中的至少 3 类；不能包含账号名，不能与最近 5 次的密码相同。"
        ),
    )
    new_password2 = forms.CharField(
        label=_("确认新密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password2") and data["new_password"] != data["new_password2"]:
            self.add_error("new_password2", _("两次输入的密码不一致。"))
        return data


class TotpForm(forms.Form):
    code = forms.CharField(
        label=_("动态口令"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*", "autofocus": True}
        ),
        help_text=_("验证器（手机上的身份验证器应用）当前显示的 6 位数字。"),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split())


class RolePolicyForm(forms.Form):
    """One checkbox per role: must its accounts use a TOTP second factor?"""

    def __init__(self, *args, current: dict[str, bool], **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Role.choices:
            self.fields[f"totp_{value}"] = forms.BooleanField(
                label=label, required=False, initial=current.get(value, False)
            )

    def wanted(self) -> dict[str, bool]:
        return {value: bool(self.cleaned_data.get(f"totp_{value}")) for value, _label in Role.choices}
