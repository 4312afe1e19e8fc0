"""Forms of the mentoring pages. They parse and type-check input; the services decide what is valid."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from miaopu.apps.cadres.selectors import cadre_list
from miaopu.apps.core.choices import Role
from miaopu.apps.core.forms import DateInput, ServiceModelForm, UnitChoiceField, unit_choice_queryset
from miaopu.apps.units.selectors import unit_list

from .models import GuidanceRecord, MenteeGrade, Mentor, MentorGrade, MentorRole, MentorshipStatus, PairingPolicy


class CadreCodeField(forms.CharField):
    """A cadre named by 人员编号 (or exact name when unique), looked up among the cadres the user may see."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 50)
        super().__init__(*args, **kwargs)
        self.user = None

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        visible = cadre_list(user=self.user)
        found = visible.filter(code=text.strip()).first()
        if found is None:
            matches = list(visible.filter(name=text.strip())[:2])
            if len(matches) == 1:
                found = matches[0]
            elif len(matches) > 1:
                raise forms.ValidationError(_("有多名干部叫“%(n)s”，请填写人员编号。") % {"n": text})
        if found is None:
            raise forms.ValidationError(_("在您的管理范围内找不到人员编号或姓名为“%(n)s”的干部。") % {"n": text})
        return found


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.jpg,.jpeg,.png"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if not data:
            return []
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)]


class MentorForm(ServiceModelForm):
    cadre_code = CadreCodeField(
        label=_("对应干部（人员编号）"), required=False, help_text=_("导师是系统内干部时填写；系统外人员留空并填写姓名")
    )

    class Meta:
        model = Mentor
        fields = ["name", "unit", "unit_name", "title", "contact", "note", "is_available", "user"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre_code"].user = user
        self.fields["name"].required = False
        self.fields["unit"] = UnitChoiceField(
            unit_choice_queryset(unit_list(user=user)), required=False, label=_("所在单位（系统内）"),
            help_text=Mentor._meta.get_field("unit").help_text,
        )  # fmt: skip
        from miaopu.apps.core.models import User

        accounts = User.objects.filter(role=Role.MENTOR, is_active=True).filter(mentor_profile__isnull=True)
        if self.instance.pk and self.instance.user_id:
            accounts = accounts | User.objects.filter(pk=self.instance.user_id)
        self.fields["user"].queryset = accounts.order_by("username")
        self.fields["user"].label_from_instance = lambda u: f"{u.display_name}（{u.username}）"
        if self.instance.pk:
            del self.fields["cadre_code"]
            if self.instance.cadre_id:
                for name in ("name", "unit", "unit_name", "title"):
                    self.fields[name].disabled = True
        self.order_fields(["cadre_code", "name", "unit", "unit_name", "title", "contact", "note", "is_available"])

    def service_data(self) -> dict:
        data = {k: v for k, v in super().service_data().items() if not self.fields[k].disabled}
        if self.cleaned_data.get("cadre_code"):
            data["cadre"] = self.cleaned_data["cadre_code"]
        return data


class MentorshipForm(forms.Form):
    mentee = CadreCodeField(label=_("帮带对象（人员编号或姓名）"))
    role = forms.ChoiceField(label=_("导师类型"), choices=MentorRole.choices)
    mentor = forms.ModelChoiceField(label=_("导师"), queryset=Mentor.objects.none())
    start = forms.DateField(label=_("开始时间"), widget=DateInput(), initial=dt.date.today)
    template = forms.ModelChoiceField(label=_("服务项目"), queryset=None, required=False)
    allow_over_capacity = forms.BooleanField(label=_("超出名额仍结对"), required=False)

    def __init__(self, *args, user=None, mentors=None, templates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentee"].user = user
        self.fields["mentor"].queryset = mentors
        self.fields["mentor"].label_from_instance = lambda m: f"{m.name}（{m.unit_name or '—'} {m.title}）"
        self.fields["template"].queryset = templates


class EndForm(forms.Form):
    status = forms.ChoiceField(
        label=_("结束方式"), choices=[c for c in MentorshipStatus.choices if c[0] != MentorshipStatus.ACTIVE]
    )
    end = forms.DateField(label=_("结束时间"), widget=DateInput(), initial=dt.date.today)
    reason = forms.CharField(label=_("说明"), required=False, max_length=300, help_text=_("提前解除须写明理由"))


class RateMenteeForm(forms.Form):
    grade = forms.ChoiceField(label=_("评价等次"), choices=MenteeGrade.choices)
    comment = forms.CharField(label=_("评语"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class RateMentorForm(forms.Form):
    grade = forms.ChoiceField(label=_("对导师的评价"), choices=MentorGrade.choices)
    comment = forms.CharField(label=_("意见和建议"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class GuidanceForm(ServiceModelForm):
    wide_fields = frozenset({"content", "attachments"})
    attachments = MultipleFileField(
        label=_("附件"), help_text=_("可多选；PDF、Word（.docx）、Excel（.xlsx）、JPG、PNG，每个不超过 10 MB")
    )

    class Meta:
        model = GuidanceRecord
        fields = ["date", "kind", "hours", "content"]
        widgets = {"date": DateInput(), "content": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, with_files: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_files:
            del self.fields["attachments"]

    def service_data(self) -> dict:
        return {k: v for k, v in super().service_data().items() if k != "attachments"}


class ConfirmForm(forms.Form):
    note = forms.CharField(label=_("意见（可不填）"), max_length=300, required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("附件"), widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.jpg,.jpeg,.png"})
    )


class PairingForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("项目（全部符合条件人员）"), queryset=None, required=False, help_text=_("与“批次”二选一")
    )
    batch = forms.ModelChoiceField(label=_("批次（该批次人选）"), queryset=None, required=False)
    roles = forms.MultipleChoiceField(
        label=_("导师类型"), choices=MentorRole.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则按项目规定须配备的导师类型"),
    )  # fmt: skip
    as_of = forms.DateField(label=_("计算日期"), widget=DateInput(), initial=dt.date.today)

    def __init__(self, *args, templates=None, batches=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates
        self.fields["batch"].queryset = batches

    def clean(self):
        data = super().clean()
        if bool(data.get("template")) == bool(data.get("batch")):
            raise forms.ValidationError(_("请选择一个项目或一个批次（二选一）。"))
        return data


class PolicyForm(ServiceModelForm):
    class Meta:
        model = PairingPolicy
        fields = ["capacity", "service_gap_years", "political", "business", "parent_fallback", "contact_days"]


__all__ = [
    "AttachmentForm",
    "ConfirmForm",
    "EndForm",
    "GuidanceForm",
    "MentorForm",
    "MentorshipForm",
    "PairingForm",
    "PolicyForm",
    "RateMenteeForm",
    "RateMentorForm",
]
