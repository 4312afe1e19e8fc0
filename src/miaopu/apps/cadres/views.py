"""The cadre roster, the cadre file and its edit forms.

Access, in the order it is checked:

1. Pages for roles that read personnel data (the roster, "new cadre") answer 403 to the three admin roles.
2. A cadre or experience line the user may not see answers 404 (the selectors), the same as a missing id,
   so probing ids reveals nothing.
3. Edit pages of a visible record answer 403 when the user may not write it (a mentor, the cadre
   themselves): they know the record exists, so 404 would only confuse them.

Every view of a cadre file writes an access record; every change goes through the services, which
write the change record.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from miaopu.apps.core import access
from miaopu.apps.core.audit import Actor, record_access
from miaopu.apps.core.choices import UNIT_SCOPED_ROLES, AuditAction, Role
from miaopu.apps.core.forms import apply_service_errors, unit_choice_queryset
from miaopu.apps.core.services import ConflictError
from miaopu.apps.units.selectors import unit_list
from miaopu.domain.vocab import CadreStatus

from . import services
from .filtersets import CadreFilterSet
from .forms import CadreForm, ExperienceForm
from .models import Cadre
from .roster import CountCachingPaginator, FlatSelect, UnitOutlineSelect, choice_labels
from .selectors import cadre_facts, cadre_get, cadre_list, cadre_timeline, experience_get

PAGE_SIZE = 50

#: ?sort= values → ORDER BY (a unique tie-breaker keeps pages stable).
SORTS = {
    "name": ["name", "id"],
    "birth_date": ["birth_date", "id"],
    "unit": ["unit__path", "unit__sort_order", "id"],
}

#: The columns the roster shows; nothing else is loaded (no ID numbers in lists).
LIST_COLUMNS = [
    "id", "code", "name", "gender", "birth_date", "unit_id", "unit__name", "post_title", "leadership_level",
    "political_status", "fulltime_education", "source", "status",
]  # fmt: skip


#: Coded columns shown with their labels (looked up once per page, see ``roster.choice_labels``).
LABELLED_COLUMNS = ["gender", "leadership_level", "political_status", "fulltime_education", "source", "status"]


def _require_reader(user) -> None:
    if not access.can_read_personnel(user):
        raise PermissionDenied(_("您的角色无权查看干部信息。"))


def _require_writer(user, cadre: Cadre) -> None:
    if not (access.can_write_personnel(user) and access.unit_in_scope(user, cadre.unit)):
        raise PermissionDenied(_("您无权修改该干部的信息。"))


def _ordering(sort: str) -> tuple[str, list[str]]:
    key = sort.lstrip("-")
    if key not in SORTS:
        return "", ["unit__path", "id"]
    fields = SORTS[key]
    if sort.startswith("-"):
        fields = [f"-{f}" for f in fields]
    return sort, fields


def _tidy_filter_form(filterset: CadreFilterSet, user) -> None:
    """Readable empty choices ("全部") and the unit outline for the filter bar.

    Every select is rendered by string joins (``FlatSelect``, ``UnitOutlineSelect``), not one template per option.
    """
    form = filterset.form
    for name, field in form.fields.items():
        if name == "unit":
            root = access.scope_root(user)
            units = unit_choice_queryset(unit_list(user=user)).order_by("path")
            field.queryset = units  # validates the chosen unit; the outline below is read as plain rows
            field.widget = UnitOutlineSelect(
                lambda units=units: units.values_list("id", "name", "depth"),
                base_depth=root.depth if root else 0,
                empty_label=_("全部单位"),
            )
        elif hasattr(field, "empty_label"):
            # django-filter's widget iterates a copy bound to the class-level field, so relabel the widget's list.
            choices = [("", _("全部"))] + [c for c in field.widget.choices if c[0] != ""]
            field.widget = FlatSelect(attrs=field.widget.attrs, choices=choices)


def _active_filters(filterset: CadreFilterSet, request: HttpRequest) -> list[dict]:
    """The filters in effect, each with a link that removes it (shown as chips above the table)."""
    form = filterset.form
    chips = []
    if not form.is_valid():
        return chips
    for name, value in form.cleaned_data.items():
        if value in (None, "") or name not in request.GET:
            continue
        field = form.fields[name]
        if name == "unit":
            shown = value.name
        elif hasattr(field, "choices"):
            shown = dict(field.choices).get(value, value)
        else:
            shown = value if not isinstance(value, float) else int(value)
        params = request.GET.copy()
        params.pop(name, None)
        params.pop("page", None)
        chips.append({"label": field.label, "value": shown, "remove": "?" + params.urlencode()})
    return chips


@login_required
def cadre_list_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_reader(user)
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = CadreStatus.ACTIVE.value  # the roster is of people in post unless asked otherwise
    base = cadre_list(user=user).select_related(None).select_related("unit").only(*LIST_COLUMNS)
    filterset = CadreFilterSet(data, queryset=base, user=user)
    _tidy_filter_form(filterset, user)
    sort, ordering = _ordering(request.GET.get("sort", ""))
    paginator = CountCachingPaginator(filterset.qs.order_by(*ordering), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    labels = choice_labels(Cadre, LABELLED_COLUMNS)
    for cadre in page.object_list:
        cadre.labels = {name: labels[name].get(getattr(cadre, name), "") for name in LABELLED_COLUMNS}
    return render(
        request,
        "cadres/cadre_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "sort": sort,
            "chips": _active_filters(filterset, request),
            "can_write": access.can_write_personnel(user),
            "can_export": access.can_export_personnel(user),
            "full_filters": user.role in UNIT_SCOPED_ROLES,
            "is_mentor": user.role == Role.MENTOR,
        },
    )


@login_required
def cadre_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    cadre = cadre_get(user=user, pk=pk)
    record_access(Actor.from_request(request), AuditAction.VIEW, cadre)
    timeline = cadre_timeline(cadre)
    facts = cadre_facts(cadre, experiences=timeline)
    can_write = access.can_write_personnel(user) and access.unit_in_scope(user, cadre.unit)
    return render(
        request,
        "cadres/cadre_detail.html",
        {
            "cadre": cadre,
            "timeline": list(reversed(timeline)),
            "facts": facts,
            "can_write": can_write,
            "can_export": access.can_export_personnel(user),
            "unit_link": user.role in UNIT_SCOPED_ROLES,
        },
    )


def _conflict_changes(form: CadreForm, current: Cadre) -> list[dict]:
    """Fields whose latest stored value differs from what the user typed, for the conflict message."""
    changes = []
    for name in form.Meta.fields:
        if name not in form.cleaned_data or name == "id_number":
            continue
        field = current._meta.get_field(name)
        mine = form.cleaned_data[name]
        theirs = getattr(current, name)
        if field.is_relation:
            mine = getattr(mine, "pk", mine)
            theirs_key = getattr(current, field.attname)
            if mine == theirs_key:
                continue
            shown = str(theirs) if theirs is not None else "—"
        else:
            if (mine or None) == (theirs or None):
                continue
            shown = getattr(current, f"get_{name}_display")() if field.choices else theirs
        changes.append({"label": field.verbose_name, "value": shown if shown not in (None, "") else "—"})
    return changes


def _cadre_form_page(request, form: CadreForm, cadre: Cadre | None, conflict: dict | None = None) -> HttpResponse:
    return render(request, "cadres/cadre_form.html", {"form": form, "cadre": cadre, "conflict": conflict})


@login_required
def cadre_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.can_write_personnel(user):
        raise PermissionDenied(_("您的角色无权新增干部。"))
    if request.method == "POST":
        form = CadreForm(request.POST, user=user)
        if form.is_valid():
            try:
                cadre = services.cadre_create(actor=Actor.from_request(request), data=form.service_data())
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error("unit", str(exc))
            else:
                messages.success(
                    request, _("已新增干部 %(name)s（%(code)s）。") % {"name": cadre.name, "code": cadre.code}
                )
                return redirect(cadre)
    else:
        initial = {}
        unit_id = request.GET.get("unit", "")
        if unit_id.isdigit() and unit_list(user=user).filter(pk=unit_id).exists():
            initial["unit"] = int(unit_id)
        form = CadreForm(initial=initial, user=user)
    return _cadre_form_page(request, form, None)


@login_required
def cadre_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    cadre = cadre_get(user=user, pk=pk)
    _require_writer(user, cadre)
    conflict = None
    if request.method == "POST":
        form = CadreForm(request.POST.copy(), instance=cadre, user=user)
        if form.is_valid():
            try:
                services.cadre_update(
                    actor=Actor.from_request(request),
                    cadre=cadre,
                    data=form.service_data(),
                    expected_version=form.cleaned_data["version"],
                )
            except ConflictError as exc:
                current = cadre_get(user=user, pk=pk)
                conflict = {"message": exc.messages[0], "changes": _conflict_changes(form, current)}
                # Saving again is now a deliberate overwrite of the version the user has just been shown.
                form.data["version"] = str(current.version)
                cadre = current
            except ValidationError as exc:
                apply_service_errors(form, exc)
                cadre = cadre_get(user=user, pk=pk)
            except PermissionDenied as exc:
                form.add_error("unit", str(exc))
                cadre = cadre_get(user=user, pk=pk)
            else:
                messages.success(request, _("已保存 %(name)s 的信息。") % {"name": cadre.name})
                return redirect(cadre)
    else:
        form = CadreForm(instance=cadre, user=user)
    return _cadre_form_page(request, form, cadre, conflict)


def _experience_page(request, form: ExperienceForm, cadre: Cadre, entry=None) -> HttpResponse:
    context = {"form": form, "cadre": cadre, "entry": entry, "timeline": cadre_timeline(cadre)}
    return render(request, "cadres/experience_form.html", context)


@login_required
def experience_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    cadre = cadre_get(user=user, pk=pk)
    _require_writer(user, cadre)
    if request.method == "POST":
        form = ExperienceForm(request.POST)
        if form.is_valid():
            try:
                services.experience_create(actor=Actor.from_request(request), cadre=cadre, data=form.service_data())
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("已添加一条履历。"))
                if "save_add" in request.POST:
                    return redirect("cadres:experience_create", pk=cadre.pk)
                return redirect(cadre.get_absolute_url() + "#timeline")
    else:
        form = ExperienceForm()
    return _experience_page(request, form, cadre)


@login_required
def experience_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    entry = experience_get(user=user, pk=pk)
    cadre = entry.cadre
    _require_writer(user, cadre)
    if request.method == "POST":
        form = ExperienceForm(request.POST, instance=entry)
        if form.is_valid():
            try:
                services.experience_update(actor=Actor.from_request(request), entry=entry, data=form.service_data())
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("已保存履历。"))
                return redirect(cadre.get_absolute_url() + "#timeline")
    else:
        form = ExperienceForm(instance=entry)
    return _experience_page(request, form, cadre, entry)


@require_POST
@login_required
def experience_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    entry = experience_get(user=user, pk=pk)
    cadre = entry.cadre
    _require_writer(user, cadre)
    services.experience_delete(actor=Actor.from_request(request), entry=entry)
    messages.success(request, _("已删除履历：%(entry)s") % {"entry": str(entry)})
    return redirect(cadre.get_absolute_url() + "#timeline")
