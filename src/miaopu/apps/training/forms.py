"""Forms of the training pages (parse and type-check; the services decide what is valid)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from miaopu.apps.cadres.forms import CadreCodesField
from miaopu.apps.cadres.selectors import cadre_list
from miaopu.apps.core.forms import DateInput, ServiceModelForm, UnitChoiceField, unit_choice_queryset
from miaopu.apps.units.selectors import unit_list
from miaopu.domain.training import COMPONENT_LABELS, COMPONENTS

from .models import Award, ClassSession, Course, ResearchTopic, TopicMeeting, TrainingClass, TrainingOrder


class _ScopedUnitMixin:
    unit_fields: tuple[str, ...] = ("scope_unit",)

    def _scope_units(self, user) -> None:
        for name in self.unit_fields:
            if name in self.fields:
                required = self.fields[name].required
                label = self.fields[name].label
                help_text = self.fields[name].help_text
                self.fields[name] = UnitChoiceField(
                    unit_choice_queryset(unit_list(user=user)), required=required, label=label, help_text=help_text
                )


class CourseForm(_ScopedUnitMixin, ServiceModelForm):
    unit_fields = ("scope_unit", "county")
    wide_fields = frozenset({"description"})

    class Meta:
        model = Course
        fields = ["topic", "theme", "county", "teacher", "hours", "form", "description", "is_active", "scope_unit"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._scope_units(user)
        self.fields["county"].queryset = self.fields["county"].queryset.filter(level="county")
        if not self.instance.pk and user.scope_unit_id:
            self.initial.setdefault("scope_unit", user.scope_unit_id)


class ClassForm(_ScopedUnitMixin, ServiceModelForm):
    wide_fields = frozenset({"note"})

    class Meta:
        model = TrainingClass
        fields = ["name", "kind", "grade", "scope_unit", "start", "end", "location", "note"]
        widgets = {"start": DateInput(), "end": DateInput(), "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._scope_units(user)
        if not self.instance.pk and user.scope_unit_id:
            self.initial.setdefault("scope_unit", user.scope_unit_id)


class SessionForm(ServiceModelForm):
    class Meta:
        model = ClassSession
        fields = ["course", "title", "date", "hours", "teacher", "form"]
        widgets = {"date": DateInput()}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.order_by("theme", "topic")
        self.fields["form"].required = False


class WeightsForm(forms.Form):
    def __init__(self, *args, weights: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for key in COMPONENTS:
            self.fields[key] = forms.DecimalField(
                label=_(COMPONENT_LABELS[key]), min_value=0, max_value=100, decimal_places=1, required=True,
                initial=(weights or {}).get(key, 0),
            )  # fmt: skip

    def weights(self) -> dict:
        return {k: float(v) for k, v in self.cleaned_data.items()}


class EnrolForm(forms.Form):
    codes = CadreCodesField(label=_("学员"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["codes"].queryset = cadre_list(user=user)


class OrderForm(ServiceModelForm):
    class Meta:
        model = TrainingOrder
        fields = ["course", "custom_topic", "post_category", "headcount", "note"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.filter(is_active=True).order_by("theme", "topic")
        self.fields["course"].required = False
        if user.role == "cadre":
            del self.fields["headcount"]
            self.fields["post_category"].help_text = _("不填则按本人岗位类别")


class ScheduleForm(forms.Form):
    klass = forms.ModelChoiceField(label=_("安排到培训班"), queryset=TrainingClass.objects.none())
    date = forms.DateField(label=_("日期"), widget=DateInput())
    hours = forms.DecimalField(label=_("学时"), min_value=0.5, max_value=24, initial=3)
    teacher = forms.CharField(label=_("授课人"), required=False, max_length=100)
    title = forms.CharField(label=_("课次内容"), required=False, max_length=200)

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["klass"].queryset = classes


class TopicForm(_ScopedUnitMixin, ServiceModelForm):
    wide_fields = frozenset({"description", "owner_codes"})
    owner_codes = CadreCodesField(
        label=_("承担人"), help_text=_("人员编号或姓名，多人用逗号分隔"), widget=forms.TextInput()
    )

    class Meta:
        model = ResearchTopic
        fields = ["title", "description", "mentor", "klass", "scope_unit", "start", "due"]
        widgets = {"start": DateInput(), "due": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from miaopu.apps.mentoring.models import Mentor

        from . import selectors

        self.user = user
        self._scope_units(user)
        self.fields["klass"].queryset = selectors.class_list(user=user)
        self.fields["owner_codes"].queryset = cadre_list(user=user)
        self.fields["mentor"].queryset = Mentor.objects.order_by("name")
        if not self.instance.pk and user.scope_unit_id:
            self.initial.setdefault("scope_unit", user.scope_unit_id)
        if self.instance.pk:
            self.initial.setdefault("owner_codes", "，".join(c.code for c in self.instance.owners.all()))

    def service_data(self) -> dict:
        data = super().service_data()
        data.pop("owner_codes", None)
        return data


class MeetingForm(ServiceModelForm):
    wide_fields = frozenset({"notes"})

    class Meta:
        model = TopicMeeting
        fields = ["date", "progress", "notes"]
        widgets = {"date": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}


class ReportForm(forms.Form):
    report = forms.FileField(
        label=_("调研报告"), help_text=_("PDF、Word（.docx）、Excel（.xlsx）、JPG、PNG，不超过 10 MB")
    )


class ReviewForm(forms.Form):
    review_score = forms.DecimalField(label=_("评审得分"), min_value=0, max_value=100, decimal_places=1)
    award = forms.ChoiceField(label=_("奖项"), required=False, choices=[("", _("未获奖")), *Award.choices])
    reviewed_on = forms.DateField(label=_("评审日期"), widget=DateInput())
    note = forms.CharField(label=_("评审意见"), required=False, max_length=300)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("从"), required=False, widget=DateInput())
    end = forms.DateField(label=_("到"), required=False, widget=DateInput())
    q = forms.CharField(label=_("查找"), required=False)
