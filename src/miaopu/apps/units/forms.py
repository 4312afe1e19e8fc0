"""Unit and post forms: parse input only; the unit services validate and audit."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from miaopu.apps.core.forms import ServiceModelForm, UnitChoiceField, unit_choice_queryset

from .models import Post, Unit
from .selectors import unit_list
from .services import POST_FIELDS, UNIT_FIELDS


class UnitForm(ServiceModelForm):
    class Meta:
        model = Unit
        fields = UNIT_FIELDS
        widgets = {"tags": forms.TextInput(attrs={"placeholder": _("如：乡村振兴、项目建设")})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"] = UnitChoiceField(
            unit_choice_queryset(unit_list(user=user)),
            required=False,
            label=_("上级单位"),
            help_text=_("只有市级根单位可以不选。"),
        )


class PostForm(ServiceModelForm):
    class Meta:
        model = Post
        fields = POST_FIELDS

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitChoiceField(unit_choice_queryset(unit_list(user=user)), label=_("单位"))
        self.fields["headcount"].widget.attrs["min"] = 1
