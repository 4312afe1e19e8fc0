"""Forms of the pool pages (parse and type-check; the services decide)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from miaopu.apps.core.forms import DateInput

from .models import Category, EntrySource, PoolKind, Tier

EMPTY = [("", "——")]


class PoolEntryForm(forms.Form):
    code = forms.CharField(label=_("人员编号"), max_length=32, help_text=_("干部的人员编号，可在干部名单中查到"))
    pool = forms.ChoiceField(label=_("库"), choices=PoolKind.choices)
    tier = forms.ChoiceField(label=_("分级"), choices=EMPTY + list(Tier.choices), required=False)
    category = forms.ChoiceField(label=_("分类"), choices=EMPTY + list(Category.choices), required=False)
    source = forms.ChoiceField(label=_("来源"), choices=EntrySource.choices)
    date = forms.DateField(label=_("入库日期"), widget=DateInput(), initial=dt.date.today)
    reason = forms.CharField(label=_("入库理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))
    wide_fields = frozenset({"reason"})


class PoolEditForm(forms.Form):
    tier = forms.ChoiceField(label=_("分级"), choices=EMPTY + list(Tier.choices), required=False)
    category = forms.ChoiceField(label=_("分类"), choices=EMPTY + list(Category.choices), required=False)
    reason = forms.CharField(label=_("入库理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))
    wide_fields = frozenset({"reason"})


class PoolExitForm(forms.Form):
    exit_date = forms.DateField(label=_("出库日期"), widget=DateInput(), initial=dt.date.today)
    exit_reason = forms.CharField(label=_("出库原因"), max_length=300, help_text=_("如：已提拔任用、调离、不再适合"))


class PoolFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("open", _("在库")), ("exited", _("已出库")), ("all", _("全部"))]
    )
    tier = forms.ChoiceField(
        label=_("分级"), choices=[("", _("全部"))] + list(Tier.choices) + [("none", _("未分级"))], required=False
    )
    category = forms.ChoiceField(
        label=_("分类"), choices=[("", _("全部"))] + list(Category.choices) + [("none", _("未分类"))], required=False
    )
    source = forms.ChoiceField(label=_("来源"), choices=[("", _("全部"))] + list(EntrySource.choices), required=False)
    q = forms.CharField(label=_("姓名"), required=False, max_length=50)
