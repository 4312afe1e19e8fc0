"""Forms of the matching pages: the weights and rules of a solve, a pin or forbid, picking two plans to compare.

Forms only parse; the services check against the batch (regions that exist, pairs that are allowed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .scoring import MAX_WEIGHT, WEIGHT_KEYS, WEIGHT_LABELS

WEIGHT_HELP = {
    "base": _("每个可行配对都有的分数，只为让总分便于阅读"),
    "specialty": _("本人专业特长与接收岗位（及其单位）标签相符时得满分"),
    "assessment": _("近三年年度考核（优秀 1、称职 0.6、基本称职 0.2）的平均乘以此权重；暂无数据计 0"),
    "ranking": _("培训班排名：培训功能上线后计入，目前计 0"),
    "wishes": _("本人志愿与接收单位需求：登记后计入，目前计 0"),
    "home_county": _("接收单位在籍贯所在区县时加上此分；负数表示倾向到籍贯以外历练"),
}

_BOUND = re.compile(r"(至少|不少于|>=|≥|至多|不超过|不多于|<=|≤)\s*(\d+)\s*人?")
_LOW_WORDS = ("至少", "不少于", ">=", "≥")


def parse_quota_lines(text: str) -> list[dict[str, Any]]:
    """``南岭县、北川县 至少 10`` (one quota a line; 至少/不少于/≥ and 至多/不超过/≤) into quota dicts."""
    quotas, errors = [], []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        found = list(_BOUND.finditer(line))
        if not found:
            errors.append(
                _("第 %(n)s 行“%(l)s”：请写成“地区、地区 至少 N”或“地区 至多 N”。") % {"n": number, "l": line}
            )
            continue
        head = line[: found[0].start()]
        regions = [r for r in re.split(r"[、,，;；\s]+", head) if r]
        quota: dict[str, Any] = {"regions": regions, "min": None, "max": None}
        for match in found:
            quota["min" if match.group(1) in _LOW_WORDS else "max"] = int(match.group(2))
        if not regions:
            errors.append(_("第 %(n)s 行“%(l)s”：请在人数前写出地区。") % {"n": number, "l": line})
            continue
        quotas.append(quota)
    if errors:
        raise forms.ValidationError(errors)
    return quotas


def quota_lines(quotas: Iterable[Mapping[str, Any]]) -> str:
    """The inverse of :func:`parse_quota_lines`, to show a plan's quotas in the form again."""
    lines = []
    for quota in quotas:
        parts = ["、".join(quota.get("regions", []))]
        if quota.get("min") is not None:
            parts.append(f"至少 {quota['min']}")
        if quota.get("max") is not None:
            parts.append(f"至多 {quota['max']}")
        lines.append(" ".join(parts))
    return "\n".join(lines)


class SolveForm(forms.Form):
    assign_all = forms.BooleanField(
        label=_("每名人选都要安排"), required=False,
        help_text=_("不勾选时，在名额和规则允许的范围内安排尽量多的人"),
    )  # fmt: skip
    quotas = forms.CharField(
        label=_("本次匹配的地区名额"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一条，如：南岭县、北川县 至少 10。双向挂职按 A 方人员的去向计数。批次设定的名额自动计入"),
    )  # fmt: skip
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key in WEIGHT_KEYS:
            self.fields[f"w_{key}"] = forms.FloatField(
                label=WEIGHT_LABELS[key], min_value=-MAX_WEIGHT, max_value=MAX_WEIGHT, help_text=WEIGHT_HELP[key],
                widget=forms.NumberInput(attrs={"step": "any", "class": "num-input"}),
            )  # fmt: skip
        self.order_fields([f"w_{key}" for key in WEIGHT_KEYS])

    @classmethod
    def initial_from(cls, weights: Mapping[str, float], options: Mapping[str, Any]) -> dict[str, Any]:
        initial = {f"w_{k}": v for k, v in weights.items()}
        initial["assign_all"] = options.get("assign_all", True)
        initial["quotas"] = quota_lines(options.get("quotas", []))
        return initial

    def clean_quotas(self) -> list[dict[str, Any]]:
        return parse_quota_lines(self.cleaned_data.get("quotas", ""))

    @property
    def weights(self) -> dict[str, float]:
        return {key: self.cleaned_data[f"w_{key}"] for key in WEIGHT_KEYS}

    def weight_fields(self) -> list:
        return [self[f"w_{key}"] for key in WEIGHT_KEYS]


class PairForm(forms.Form):
    ACTIONS = [("pin", _("固定")), ("forbid", _("禁止")), ("release", _("取消固定或禁止"))]
    action = forms.ChoiceField(choices=ACTIONS)
    candidate = forms.CharField(max_length=20)
    slot = forms.CharField(max_length=20)


class CompareForm(forms.Form):
    a = forms.IntegerField(label=_("方案"))
    b = forms.IntegerField(label=_("与方案"))
