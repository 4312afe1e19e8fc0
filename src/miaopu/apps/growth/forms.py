"""Forms of the growth-file pages (parse and type-check; the services decide what is valid)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from miaopu.apps.core.forms import DateInput, ServiceModelForm

from .models import EntryKind, GrowthEntry, Punishment, Talk


class EntryForm(ServiceModelForm):
    wide_fields = frozenset({"title", "details"})

    class Meta:
        model = GrowthEntry
        fields = ["kind", "date", "title", "details", "score", "respondents", "respondent_count", "level", "source"]
        widgets = {"date": DateInput(), "details": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kind = self.initial.get("kind") or getattr(self.instance, "kind", "")
        if kind and kind != EntryKind.MASS_EVALUATION:
            self.fields["respondents"].help_text = _("群众评价时填写")
        if kind == EntryKind.MASS_EVALUATION:
            self.fields["score"].required = True
            self.fields["respondents"].required = True


class TalkForm(ServiceModelForm):
    wide_fields = frozenset({"content", "problems", "follow_up"})

    class Meta:
        model = Talk
        fields = ["date", "talker", "thought_state", "content", "problems", "follow_up", "source"]
        widgets = {
            "date": DateInput(),
            "content": forms.Textarea(attrs={"rows": 5}),
            "problems": forms.Textarea(attrs={"rows": 3}),
            "follow_up": forms.Textarea(attrs={"rows": 3}),
        }


class PunishmentForm(ServiceModelForm):
    wide_fields = frozenset({"description"})

    class Meta:
        model = Punishment
        fields = ["date", "kind", "decided_by", "description", "blocks_until", "source"]
        widgets = {"date": DateInput(), "blocks_until": DateInput(), "description": forms.Textarea(attrs={"rows": 4})}


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件"), help_text=_("PDF、Word（.docx）、Excel（.xlsx）、JPG、PNG，不超过 10 MB"))


class TimelineFilterForm(forms.Form):
    kind = forms.MultipleChoiceField(label=_("类别"), required=False, widget=forms.CheckboxSelectMultiple)
    start = forms.DateField(label=_("从"), required=False, widget=DateInput())
    end = forms.DateField(label=_("到"), required=False, widget=DateInput())
    order = forms.ChoiceField(
        label=_("排序"), required=False, choices=[("asc", _("时间先后")), ("desc", _("最近在前"))]
    )

    def __init__(self, *args, kinds: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list(kinds.items())
