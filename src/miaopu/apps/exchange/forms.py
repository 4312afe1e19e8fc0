"""Upload forms of the exchange pages. They only carry the files; all checking is the importers' job."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from miaopu.apps.core.forms import unit_choice_queryset


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".lrmx,.zip"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("名册文件"),
        help_text=_("Excel 工作簿（.xlsx），或含 单位.csv、干部.csv、履历.csv 三个 UTF-8 文件的 .zip 压缩包"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.zip"}),
    )
    dry_run = forms.BooleanField(label=_("只检查，不导入"), required=False)
    #: Idempotency key of this form: sending it twice (a double click, a retry) gives the same job.
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            import secrets

            self.initial.setdefault("key", secrets.token_urlsafe(18))


class LrmxUploadForm(forms.Form):
    files = MultipleFileField(
        label=_("任免审批表文件"), help_text=_("可多选 .lrmx 文件，或上传含 .lrmx 文件的 .zip 压缩包")
    )
    unit = forms.ModelChoiceField(
        label=_("新干部的现工作单位"),
        queryset=None,
        required=False,
        help_text=_("表中不含单位信息时使用；已在系统中的干部单位不变"),
    )
    dry_run = forms.BooleanField(label=_("只检查，不导入"), required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_choice_queryset(units).order_by("path")
        self.fields["unit"].empty_label = _("（按表中现任职务判断）")
