"""Forms of the programme pages. They parse and type-check input; the services decide what is valid."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from miaopu.apps.core.forms import DateInput, GroupedFormMixin, UnitChoiceField, unit_choice_queryset
from miaopu.apps.units.selectors import unit_list

from .choices import GRADE_CHOICES, PROGRAMME_KIND_CHOICES, VETTING_DIMENSIONS, Side
from .models import ProgrammeTemplate
from .spec import SpecError, load_yaml, parse_spec

EMPTY = [("", "——")]


class RulesField(forms.CharField):
    """A YAML (or JSON) text area holding a template version's rules, checked by ``parse_spec`` on the spot.

    The error shown is the engine's own, naming the place (``groups[1].rule all[0]``) and the fix.
    """

    widget = forms.Textarea(attrs={"rows": 24, "class": "code", "spellcheck": "false"})

    def clean(self, value):
        text = super().clean(value)
        try:
            data = load_yaml(text) or {}
            parse_spec(data)
        except SpecError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return text

    @staticmethod
    def data(text: str) -> dict:
        return load_yaml(text) or {}


class TemplateForm(forms.Form):
    code = forms.SlugField(
        label=_("模板代码"), max_length=40, help_text=_("小写英文、数字和连字符，如 two-way；建立后不能修改")
    )
    name = forms.CharField(label=_("项目名称"), max_length=100)
    kind = forms.ChoiceField(label=_("项目类型"), choices=PROGRAMME_KIND_CHOICES)
    seed = forms.CharField(label=_("来源"), max_length=200, required=False, help_text=_("出处，如：004 广东佛山 2017"))
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    rules = RulesField(label=_("规则（YAML）"))
    note = forms.CharField(
        label=_("修改说明"), max_length=200, required=False, help_text=_("写入版本记录，如：年龄放宽到 38 岁")
    )

    def __init__(self, *args, template: ProgrammeTemplate | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if template is not None:
            self.fields["code"].disabled = True
            self.fields["code"].required = False
        else:
            del self.fields["note"]


class BatchForm(forms.Form):
    template = forms.ModelChoiceField(label=_("培养项目"), queryset=ProgrammeTemplate.objects.none(), empty_label="——")
    name = forms.CharField(label=_("批次名称"), max_length=100, help_text=_("如：2025 年第一批双向挂职"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    as_of = forms.DateField(label=_("资格计算日期"), widget=DateInput(), help_text=_("年龄、工作经历等按此日期计算"))
    scope_unit = UnitChoiceField(label=_("选拔范围"), queryset=unit_choice_queryset(unit_list(user=None)))
    quotas = forms.CharField(
        label=_("名额"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "code"}),
        help_text=_("可不填（用模板的默认值）。如：{total: 15, regions: {三水区: 7, 高明区: 4}}"),
    )
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, templates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates
        units = unit_choice_queryset(unit_list(user=user))
        self.fields["scope_unit"].queryset = units.order_by("path")
        root = getattr(user, "scope_unit", None)
        self.fields["scope_unit"].base_depth = root.depth if root is not None else 0

    def clean_quotas(self):
        text = self.cleaned_data.get("quotas", "").strip()
        if not text:
            return None
        try:
            data = load_yaml(text)
        except SpecError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data


class SlotForm(forms.Form):
    unit = UnitChoiceField(label=_("接收单位"), queryset=unit_choice_queryset(unit_list(user=None)))
    post_title = forms.CharField(label=_("职务名称"), max_length=100, help_text=_("如：镇长助理、党委委员"))
    capacity = forms.IntegerField(label=_("名额"), min_value=1, initial=1)
    region = forms.CharField(label=_("地区"), max_length=50, required=False, help_text=_("默认为所属区县"))
    tags = forms.CharField(label=_("标签"), max_length=200, required=False, help_text=_("以“、”分隔，如：项目建设"))
    side = forms.ChoiceField(label=_("接收哪一方"), choices=EMPTY + list(Side.choices), required=False)

    def __init__(self, *args, user=None, mirrored: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_choice_queryset(unit_list(user=user)).order_by("path")
        root = getattr(user, "scope_unit", None)
        self.fields["unit"].base_depth = root.depth if root is not None else 0
        if not mirrored:
            del self.fields["side"]


class OverrideForm(forms.Form):
    code = forms.CharField(label=_("人员编号"), max_length=32)
    reason = forms.CharField(
        label=_("破格理由"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不符合条件的干部必须写明理由；该人选将一直标为“破格”。"),
    )  # fmt: skip
    side = forms.ChoiceField(label=_("属于哪一方"), choices=EMPTY + list(Side.choices), required=False)

    def __init__(self, *args, mirrored: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not mirrored:
            del self.fields["side"]


class VettingForm(GroupedFormMixin, forms.Form):
    groups = [
        (_("五个方面的考察情况"), [key for key, _label in VETTING_DIMENSIONS]),
        (_("纪检监察机关意见（必须征求）"), ["discipline_opinion", "discipline_objection"]),
        (_("其他部门意见"), ["other_department", "other_opinion", "other_objection"]),
        (_("结论"), ["vetted_on", "objection"]),
    ]
    vetted_on = forms.DateField(label=_("考察日期"), widget=DateInput(), initial=dt.date.today)
    discipline_opinion = forms.CharField(label=_("纪检监察机关意见"), widget=forms.Textarea(attrs={"rows": 2}))
    discipline_objection = forms.BooleanField(label=_("纪检监察机关有异议"), required=False)
    other_department = forms.CharField(label=_("其他征求意见部门"), max_length=50, required=False,
                                       help_text=_("如：卫生健康局（计生）"))  # fmt: skip
    other_opinion = forms.CharField(label=_("该部门意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    other_objection = forms.BooleanField(label=_("该部门有异议"), required=False)
    objection = forms.BooleanField(label=_("考察组认为有异议"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in VETTING_DIMENSIONS:
            self.fields[key] = forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 2}))
        self.order_fields([key for key, _label in VETTING_DIMENSIONS])

    def findings(self) -> dict[str, str]:
        return {key: self.cleaned_data[key] for key, _label in VETTING_DIMENSIONS}

    def opinions(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {"department": "纪检监察机关", "opinion": data["discipline_opinion"],
             "objection": data["discipline_objection"]},
            {"department": data["other_department"], "opinion": data["other_opinion"],
             "objection": data["other_objection"]},
        ]  # fmt: skip


class AssignForm(forms.Form):
    slot = forms.ChoiceField(label=_("接收岗位"))
    partner = forms.ChoiceField(label=_("对调人选（另一方）"), required=False)
    partner_slot = forms.ChoiceField(label=_("对调人选的接收岗位"), required=False)

    def __init__(self, *args, slots=(), partners=(), mirrored: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = EMPTY + list(slots)
        if mirrored:
            self.fields["partner"].choices = EMPTY + list(partners)
            self.fields["partner_slot"].choices = EMPTY + list(slots)
            self.fields["partner"].required = self.fields["partner_slot"].required = True
        else:
            del self.fields["partner"], self.fields["partner_slot"]


class PlaceForm(forms.Form):
    start = forms.DateField(label=_("到岗日期"), widget=DateInput())


class ExtendForm(forms.Form):
    new_end = forms.DateField(label=_("延至"), widget=DateInput())
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 3}))


class EndEarlyForm(forms.Form):
    end = forms.DateField(label=_("结束日期"), widget=DateInput())
    reason = forms.CharField(label=_("提前结束理由"), widget=forms.Textarea(attrs={"rows": 3}))


class AssessForm(forms.Form):
    grade = forms.ChoiceField(label=_("期满考核等次"), choices=EMPTY + GRADE_CHOICES)
    end = forms.DateField(label=_("结束日期"), widget=DateInput(), required=False, help_text=_("默认为计划结束日期"))
    note = forms.CharField(label=_("考核评语"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class EligibleFilterForm(forms.Form):
    as_of = forms.DateField(label=_("计算日期"), widget=DateInput(), required=False)
    result = forms.ChoiceField(
        label=_("结果"), required=False,
        choices=[("", _("全部")), ("yes", _("符合")), ("no", _("不符合"))],
    )  # fmt: skip
    group = forms.ChoiceField(label=_("分组"), required=False)
    q = forms.CharField(label=_("姓名/编号"), required=False)
    unit = UnitChoiceField(
        label=_("单位（含下级）"), queryset=unit_choice_queryset(unit_list(user=None)), required=False
    )

    def __init__(self, *args, user=None, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("全部"))] + [(g, g) for g in groups]
        self.fields["unit"].queryset = unit_choice_queryset(unit_list(user=user)).order_by("path")
        self.fields["unit"].empty_label = _("全部单位")
        root = getattr(user, "scope_unit", None)
        self.fields["unit"].base_depth = root.depth if root is not None else 0
