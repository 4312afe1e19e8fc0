"""Cadre and experience forms: parse and type input; the cadre services decide what is valid."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from miaopu.apps.core.forms import (
    DateInput,
    GroupedFormMixin,
    ServiceModelForm,
    UnitChoiceField,
    unit_choice_queryset,
)
from miaopu.apps.units.models import Post, Unit
from miaopu.apps.units.selectors import post_list, unit_list

from .models import Cadre, Experience
from .services import CADRE_FIELDS, EXPERIENCE_FIELDS

CADRE_DATE_FIELDS = [
    "birth_date", "party_join_date", "work_start_date", "civil_service_entry_date", "leadership_level_since",
    "rank_since",
]  # fmt: skip


def resolve_cadres(queryset, text: str) -> list[Cadre]:
    """The cadres typed in ``text`` as 人员编号 or 姓名 (one per line, or separated by commas, 、 or spaces), in the
    order typed, looked up in ``queryset`` (the caller's scoped selector). Every token that matches no one, or a
    name shared by two, is reported at once (a ``ValidationError`` listing them all)."""
    import re

    tokens = [t for t in re.split(r"[\s,，、;；]+", text or "") if t]
    found, problems = [], []
    for token in dict.fromkeys(tokens):
        matches = list(queryset.filter(code=token)) or list(queryset.filter(name=token)[:2])
        if not matches:
            problems.append(_("找不到“%(t)s”（或不在您的管理范围内）。") % {"t": token})
        elif len(matches) > 1:
            problems.append(_("“%(t)s”有重名，请改用人员编号。") % {"t": token})
        else:
            found.append(matches[0])
    if problems:
        raise forms.ValidationError(problems)
    return found


class CadreCodesField(forms.CharField):
    """Cadres typed by 人员编号 or 姓名 instead of picked from a list: a province has 200,000 of them, far too many
    for a ``<select>``. Set ``queryset`` (the user's scoped cadres) before the form is cleaned."""

    def __init__(self, *, queryset=None, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        kwargs.setdefault("help_text", _("输入人员编号或姓名，每行一个（或用逗号、空格分隔）"))
        super().__init__(**kwargs)
        self.queryset = queryset

    def clean(self, value):
        text = super().clean(value)
        return resolve_cadres(self.queryset, text) if text else []


class PostChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Post) -> str:
        level = obj.get_leadership_level_display()
        return f"{obj.title}（{level}）" if level else obj.title


class CadreForm(GroupedFormMixin, ServiceModelForm):
    """The cadre record in the sections of a 干部任免审批表-style paper file.

    The full ID number is never sent back to the browser: on edit the box is empty with the masked
    number as placeholder, and leaving it empty keeps the stored number.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    wide_fields = frozenset({"specialties"})

    groups = [
        (_("基本信息"), ["code", "name", "gender", "ethnicity", "birth_date", "native_place", "hukou", "id_number",
                        "political_status", "party_join_date", "status"]),
        (_("学历学位"), ["fulltime_education", "fulltime_degree", "fulltime_school", "fulltime_major",
                        "inservice_education", "inservice_degree", "inservice_school", "inservice_major"]),
        (_("工作单位与来源"), ["unit", "post", "post_title", "post_category", "source", "work_start_date",
                             "civil_service_entry_date"]),
        (_("职务职级"), ["leadership_level", "leadership_level_since", "rank", "rank_since"]),
        (_("专业特长"), ["specialties"]),
    ]  # fmt: skip

    class Meta:
        model = Cadre
        fields = CADRE_FIELDS
        widgets = {name: DateInput() for name in CADRE_DATE_FIELDS} | {
            "specialties": forms.TextInput(attrs={"placeholder": _("如：城乡规划、招商引资")}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        editing = instance.pk is not None
        self.fields["unit"] = UnitChoiceField(unit_choice_queryset(unit_list(user=user)), label=_("现工作单位"))
        self.fields["unit"].widget.attrs.update(
            {"data-posts-url": reverse("units:unit_posts_json", args=[0]), "data-post-select": "id_post"}
        )
        self.fields["post"] = PostChoiceField(
            post_list(user=user).filter(unit_id=self._selected_unit_id()).order_by("id"),
            required=False,
            label=_("岗位"),
            empty_label=_("（不对应具体岗位）"),
            help_text=_("列出现工作单位已设置的岗位。"),
        )
        if editing:
            self.fields["version"].required = True
            self.initial.setdefault("version", instance.version)
            if instance.id_number:
                self.initial["id_number"] = ""
                self.fields["id_number"].widget.attrs["placeholder"] = instance.id_number_masked
                self.fields["id_number"].help_text = _("留空表示不修改；如需更正请填写完整的 18 位号码。")
        else:
            self.fields["code"].required = False
            self.fields["code"].help_text = _("留空则自动生成。")
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def _selected_unit_id(self) -> int | None:
        raw = self.data.get("unit") if self.is_bound else self.initial.get("unit", self.instance.unit_id)
        if isinstance(raw, Unit):
            return raw.pk
        try:
            return int(raw) if raw not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def service_data(self) -> dict:
        data = super().service_data()
        if self.instance.pk and self.instance.id_number and not data.get("id_number"):
            data.pop("id_number", None)  # empty box on edit: keep the stored number
        if not self.instance.pk and not data.get("code"):
            data.pop("code", None)
        return data


class ExperienceForm(ServiceModelForm):
    """One 履历 line. The unit may be any unit in the system (a cadre's history crosses scopes) or free text."""

    class Meta:
        model = Experience
        fields = EXPERIENCE_FIELDS
        widgets = {"start": DateInput(), "end": DateInput()}

    wide_fields = frozenset({"note"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitChoiceField(
            unit_choice_queryset(Unit.objects.all()),
            required=False,
            label=_("单位"),
            help_text=_("本系统内的单位；不在系统内时留空并填写下一项。"),
        )
