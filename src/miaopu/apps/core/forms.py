"""Form plumbing shared by the web UI: service errors onto fields, date inputs, indented unit choices.

Forms here only parse and type-check input. The rules live in the services, which raise a
``ValidationError`` with a field dict; :func:`apply_service_errors` puts those messages next to the
fields the user has to fix, so the service stays the single place that decides what is valid.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from miaopu.apps.units.models import Unit


class DateInput(forms.DateInput):
    """A native date picker (``<input type=date>`` sends ISO dates)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ServiceModelForm(forms.ModelForm):
    """A ModelForm that leaves model validation to the service.

    ``ModelForm`` would copy the input onto the instance and run ``full_clean`` itself; the service does
    both (with the cross-field rules the model does not know), so doing it twice would show some errors
    twice and mutate the instance before the service sees it.
    """

    #: Fields that get a whole row (long free text).
    wide_fields: frozenset[str] = frozenset()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            choices = getattr(field, "choices", None)
            if (
                isinstance(field, forms.TypedChoiceField | forms.ChoiceField)
                and not isinstance(field, forms.ModelChoiceField)
                and choices
                and choices[0] == ("", "---------")
            ):
                field.choices = [("", "——")] + list(choices[1:])

    def _post_clean(self) -> None:
        return None

    def service_data(self) -> dict:
        """The cleaned values of the model fields, as the service's ``data`` dict."""
        names = [f for f in self._meta.fields if f in self.cleaned_data]
        return {name: self.cleaned_data[name] for name in names}


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service ``ValidationError`` on the form: field messages on fields, the rest at the top."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            target = field if field in form.fields else None
            if target is None and field != "__all__":
                label = _field_label(form, field)
                messages = [f"{label}：{m}" if label else m for m in messages]
            for message in messages:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def form_errors_to_messages(request, form: forms.Form) -> None:
    """A form posted from another page (a panel's inline form) that failed: each error as a message for the page
    it redirects back to, prefixed with its field's label."""
    from django.contrib import messages

    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


def _field_label(form: forms.Form, field: str) -> str:
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is None:
        return ""
    try:
        return str(model._meta.get_field(field).verbose_name)
    except Exception:  # noqa: BLE001 - any unknown name just gets no label
        return ""


class FastSelect(forms.Select):
    """A ``<select>`` rendered by string joins instead of one template call per option.

    A city has about 700 units; Django's per-option templates spend ~70 ms on such a list, on every
    roster page. Only flat (ungrouped) choices are supported, which is all the unit outline needs.
    """

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        values = value if isinstance(value, list | tuple) else [value]
        selected = {str(v) for v in values if v not in (None, "")}
        options = [
            format_html(
                '<option value="{}"{}>{}</option>',
                "" if option_value is None else option_value,
                mark_safe(" selected") if str(option_value) in selected else "",
                label,
            )
            for option_value, label in self.choices
        ]
        return format_html("<select{}>{}</select>", flatatt(final_attrs), mark_safe("".join(options)))


class UnitChoiceField(forms.ModelChoiceField):
    """Units as an indented outline (depth shown by leading full-width spaces), in tree order."""

    widget = FastSelect

    def __init__(self, queryset, *, base_depth: int | None = None, **kwargs):
        kwargs.setdefault("empty_label", "——")
        super().__init__(queryset.order_by("path"), **kwargs)
        self.base_depth = base_depth

    def label_from_instance(self, obj: Unit) -> str:
        base = self.base_depth if self.base_depth is not None else 0
        return "\u3000" * max(obj.depth - base, 0) + obj.name


def unit_choice_queryset(queryset):
    """Only what an outline option needs (700 units render in one cheap query)."""
    return queryset.select_related(None).only("id", "name", "depth", "path")


class GroupedFormMixin:
    """Fields shown in titled groups (``groups = [(title, [field names])]``); leftovers go in a last group.

    Long personnel forms are easier to fill and to check against a paper form when they follow its
    sections (基本信息, 学历学位, 职务职级 …).
    """

    groups: list[tuple[str, list[str]]] = []

    def grouped(self) -> list[tuple[str, list]]:
        seen: set[str] = set()
        result = []
        for title, names in self.groups:
            fields = [self[name] for name in names if name in self.fields]
            seen.update(names)
            if fields:
                result.append((title, fields))
        rest = [bf for bf in self.visible_fields() if bf.name not in seen]
        if rest:
            result.append((_("其他") if result else "", rest))
        return result
