"""Forms of the assessment pages: they parse and type-check; the services decide what is valid."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from miaopu.apps.core.forms import DateInput, UnitChoiceField, unit_choice_queryset
from miaopu.apps.units.selectors import unit_list

from .choices import GRADE_CHOICES, AbilityLevel, CycleKind, Fitness

EMPTY = [("", "——")]


class CycleForm(forms.Form):
    kind = forms.ChoiceField(label=_("考核类型"), choices=CycleKind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=1990, max_value=2100, initial=lambda: dt.date.today().year)
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=EMPTY + [(q, _("第 %(q)s 季度") % {"q": q}) for q in range(1, 5)],
        help_text=_("仅平时考核填写"),
    )
    scope_unit = UnitChoiceField(
        queryset=unit_choice_queryset(unit_list(user=None)),
        label=_("考核范围"),
        help_text=_("该单位（含下级单位）的干部参加"),
    )
    name = forms.CharField(
        label=_("名称"), max_length=100, required=False, help_text=_("不填则自动生成，如“2025 年年度考核（东湖区）”")
    )
    start = forms.DateField(label=_("考核期开始"), required=False, widget=DateInput())
    end = forms.DateField(label=_("考核期结束"), required=False, widget=DateInput())
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope_unit"].queryset = unit_choice_queryset(units).order_by("path")


class ResultForm(forms.Form):
    """One line of the unit grid (the cadre is fixed by the page; only values are typed)."""

    cadre = forms.IntegerField(widget=forms.HiddenInput)
    grade = forms.ChoiceField(label=_("等次"), choices=EMPTY + list(GRADE_CHOICES), required=False)
    score_morality = forms.DecimalField(label=_("德"), required=False, min_value=0, max_value=100, decimal_places=1)
    score_ability = forms.DecimalField(label=_("能"), required=False, min_value=0, max_value=100, decimal_places=1)
    score_diligence = forms.DecimalField(label=_("勤"), required=False, min_value=0, max_value=100, decimal_places=1)
    score_achievement = forms.DecimalField(label=_("绩"), required=False, min_value=0, max_value=100, decimal_places=1)
    score_integrity = forms.DecimalField(label=_("廉"), required=False, min_value=0, max_value=100, decimal_places=1)
    comment = forms.CharField(label=_("评语"), required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name.startswith("score_"):
                field.widget.attrs.update({"class": "score", "step": "0.1", "inputmode": "decimal"})

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(k) not in (None, "") for k in data if k != "cadre")


ResultFormSet = forms.formset_factory(ResultForm, extra=0, max_num=1000, absolute_max=1000)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("考核结果表（.xlsx）"),
        help_text=_("请使用本页下载的模板；列：人员编号、姓名、等次、德、能、勤、绩、廉、评语"),
    )


class ReviewForm(forms.Form):
    date = forms.DateField(label=_("研判日期"), widget=DateInput(), initial=dt.date.today)
    fitness = forms.ChoiceField(label=_("适岗情况"), choices=Fitness.choices, widget=forms.RadioSelect)
    ability = forms.ChoiceField(label=_("能力水平"), choices=AbilityLevel.choices, widget=forms.RadioSelect)
    strengths = forms.CharField(label=_("主要优点"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    weaknesses = forms.CharField(label=_("不足之处"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    advice = forms.CharField(label=_("培养使用建议"), widget=forms.Textarea(attrs={"rows": 4}))
    wide_fields = frozenset({"strengths", "weaknesses", "advice"})
