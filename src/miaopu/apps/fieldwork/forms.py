"""Forms of the field-work pages: they parse input; the services decide what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from miaopu.apps.cadres.forms import CadreCodesField
from miaopu.apps.core.forms import DateInput
from miaopu.domain.fieldwork import CRITERIA, LEDGER_STATUSES, MAX_SCORE, SATISFACTION

from .models import CareKind, LedgerCategory


class BaseForm(forms.Form):
    village = forms.ModelChoiceField(label=_("村（社区）"), queryset=None)
    capacity = forms.IntegerField(label=_("可接待人数"), min_value=1, help_text=_("同一时间最多可安排的实践干部人数"))
    host_families = forms.IntegerField(label=_("接待农户数"), min_value=0, initial=0)
    theme = forms.CharField(label=_("实践主题"), max_length=100, required=False)
    contact = forms.CharField(label=_("联系人"), max_length=100, required=False)
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, villages=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["village"]
        else:
            self.fields["village"].queryset = villages
            self.fields["village"].label_from_instance = lambda u: u.name

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "village"}


class CertificationForm(forms.Form):
    assessed_on = forms.DateField(label=_("评定日期"), widget=DateInput())
    valid_from = forms.DateField(label=_("有效期自"), widget=DateInput())
    valid_until = forms.DateField(label=_("有效期至"), widget=DateInput())
    assessors = forms.CharField(label=_("评定人"), max_length=200, required=False)
    note = forms.CharField(label=_("评定意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in CRITERIA.items():
            self.fields[f"{code}_score"] = forms.IntegerField(
                label=_("%(c)s 得分") % {"c": _(label)}, min_value=0, max_value=MAX_SCORE, required=False
            )
            self.fields[f"{code}_evidence"] = forms.CharField(
                label=_("%(c)s 评定依据") % {"c": _(label)}, required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"{code}_attachment"] = forms.FileField(label=_("佐证材料（可选）"), required=False)

    def criteria_rows(self):
        return [
            (code, _(label), self[f"{code}_score"], self[f"{code}_evidence"], self[f"{code}_attachment"])
            for code, label in CRITERIA.items()
        ]

    def scores(self) -> dict:
        data = self.cleaned_data
        return {
            code: {
                "score": data.get(f"{code}_score"),
                "evidence": data.get(f"{code}_evidence") or "",
                "attachment": data.get(f"{code}_attachment"),
            }
            for code in CRITERIA
        }


class LedgerForm(forms.Form):
    village = forms.ModelChoiceField(label=_("村（社区）"), queryset=None)
    household = forms.CharField(label=_("提出人/农户"), max_length=100, required=False)
    category = forms.ChoiceField(label=_("类别"), choices=LedgerCategory.choices)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}))
    raised_on = forms.DateField(label=_("提出日期"), widget=DateInput())
    cadres = CadreCodesField(
        label=_("领办干部"), help_text=_("人员编号或姓名，每行一个（或用逗号分隔）；第一位为牵头人")
    )
    taken_on = forms.DateField(
        label=_("领办日期"), widget=DateInput(), required=False, help_text=_("空表示与提出日期相同")
    )
    batch = forms.ModelChoiceField(label=_("实践批次"), queryset=None, required=False)

    def __init__(self, *args, villages=None, cadres=None, batches=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["village"].label_from_instance = lambda u: u.name
        self.fields["cadres"].queryset = cadres
        self.fields["batch"].queryset = batches


class LedgerTakerForm(forms.Form):
    """More cadres taking on an item already registered (a colleague joins; the first taker stays the lead)."""

    cadres = CadreCodesField(label=_("人员编号或姓名"), help_text=_("多人用逗号或空格分隔"), widget=forms.TextInput())
    taken_on = forms.DateField(label=_("领办日期"), widget=DateInput())

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadres"].queryset = cadres


class LedgerProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("办理状态"), choices=[(k, _(v)) for k, v in LEDGER_STATUSES.items()])
    status_reason = forms.CharField(label=_("无法办理原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    closed_on = forms.DateField(label=_("办结日期"), widget=DateInput(), required=False)
    outcome = forms.CharField(label=_("办理结果"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    satisfaction = forms.ChoiceField(
        label=_("群众满意度"), required=False, choices=[("", "——")] + [(k, _(v)) for k, v in SATISFACTION.items()]
    )


class CareForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=DateInput())
    kind = forms.ChoiceField(label=_("方式"), choices=CareKind.choices)
    contact_by = forms.CharField(label=_("联系人"), max_length=100)
    summary = forms.CharField(label=_("情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    help_given = forms.CharField(label=_("帮扶措施"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    counselling_note = forms.CharField(
        label=_("心理疏导记录"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("仅组织部干部科可见，加密保存"),
    )
    follow_up_on = forms.DateField(label=_("下次跟进日期"), widget=DateInput(), required=False)
    follow_up = forms.CharField(label=_("跟进事项"), max_length=300, required=False)

    def __init__(self, *args, counselling: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not counselling:
            del self.fields["counselling_note"]
            self.fields["kind"].choices = [c for c in CareKind.choices if c[0] != CareKind.COUNSELLING]

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "counselling_note"}
