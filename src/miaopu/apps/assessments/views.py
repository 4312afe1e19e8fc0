"""Assessment pages: cycles, the unit grid, sheet import, and the review (分析研判) form with its facts.

Access: cycle pages are for 组织部干部科 and 单位人事专员 (others 403); a cycle or cadre outside the user's
scope answers 404 (the selectors). Reviews are 组织部干部科 only. Every change goes through the services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from miaopu.apps.cadres.selectors import cadre_get, cadre_list
from miaopu.apps.core.audit import Actor, record_access
from miaopu.apps.core.choices import AuditAction
from miaopu.apps.core.forms import apply_service_errors
from miaopu.apps.units.selectors import unit_get, unit_list
from miaopu.domain.vocab import CadreStatus

from . import selectors, services, sheets
from .choices import SCORE_FIELDS, EntrySource
from .facts import review_facts
from .forms import CycleForm, ImportForm, ResultFormSet, ReviewForm
from .models import Assessment

PAGE_SIZE = 100
#: The grid shows at most this many cadres (a bigger unit is entered by sub-unit or by sheet).
GRID_LIMIT = 300


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def _cycle_units(user, cycle):
    """Units the user may enter results for in ``cycle``: in both the user's scope and the cycle's."""
    return unit_list(user=user).filter(path__startswith=cycle.scope_unit.path)


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    selectors.require_results_access(request.user)
    cycles = selectors.cycle_list(user=request.user).order_by("-year", "-quarter", "-id")
    page = Paginator(cycles, PAGE_SIZE).get_page(request.GET.get("page"))
    # Results recorded, of the cadres in the user's scope, for the cycles on this page only (one grouped query).
    counts = dict(
        selectors.assessment_list(user=request.user)
        .filter(cycle__in=[c.pk for c in page])
        .select_related(None)
        .order_by()
        .values_list("cycle")
        .annotate(n=Count("id"))
    )
    for c in page:
        c.n = counts.get(c.pk, 0)
    return render(
        request,
        "assessments/cycle_list.html",
        {"page_obj": page, "can_create": selectors.can_manage_cycles(request.user)},
    )


@login_required
def cycle_create(request: HttpRequest) -> HttpResponse:
    selectors.require_results_access(request.user)
    if not selectors.can_manage_cycles(request.user):
        raise PermissionDenied(_("只有组织部干部科可以发起考核。"))
    units = unit_list(user=request.user)
    form = CycleForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.cycle_create(actor=Actor.from_request(request), data=form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已发起“%(n)s”。") % {"n": cycle.name})
            return redirect(cycle)
    return render(request, "assessments/cycle_form.html", {"form": form})


@login_required
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_results_access(request.user)
    cycle = selectors.cycle_get(user=request.user, pk=pk)
    results = selectors.assessment_list(user=request.user).filter(cycle=cycle).order_by("cadre__unit__path", "cadre_id")
    counts = dict(results.order_by().values_list("grade").annotate(n=Count("id")))
    from .choices import GRADE_CHOICES

    distribution = [(label, counts.get(code, 0)) for code, label in GRADE_CHOICES]
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    units = _cycle_units(request.user, cycle).select_related(None).only("id", "name", "depth", "path")[:2000]
    return render(
        request,
        "assessments/cycle_detail.html",
        {
            "cycle": cycle,
            "page_obj": page,
            "distribution": distribution,
            "total": sum(counts.values()),
            "units": units,
            "import_form": ImportForm(),
        },
    )


def _grid_cadres(request: HttpRequest, cycle, unit, include_sub: bool):
    qs = cadre_list(user=request.user).filter(status=CadreStatus.ACTIVE, unit__path__startswith=cycle.scope_unit.path)
    qs = qs.filter(unit__path__startswith=unit.path) if include_sub else qs.filter(unit=unit)
    return list(qs.order_by("unit__path", "id")[: GRID_LIMIT + 1])


@login_required
def cycle_grid(request: HttpRequest, pk: int) -> HttpResponse:
    """按单位批量录入: one row per cadre of the unit; saved all together or not at all."""
    selectors.require_results_access(request.user)
    cycle = selectors.cycle_get(user=request.user, pk=pk)
    unit = unit_get(user=request.user, pk=_int(request.GET.get("unit")))
    if not unit.path.startswith(cycle.scope_unit.path):
        messages.error(request, _("“%(u)s”不在本次考核范围内。") % {"u": unit.name})
        return redirect(cycle)
    include_sub = request.GET.get("sub") == "1"
    cadres = _grid_cadres(request, cycle, unit, include_sub)
    too_many = len(cadres) > GRID_LIMIT
    cadres = cadres[:GRID_LIMIT]
    existing = {a.cadre_id: a for a in Assessment.objects.filter(cycle=cycle, cadre__in=cadres)}
    initial = []
    for c in cadres:
        a = existing.get(c.pk)
        row = {"cadre": c.pk}
        if a is not None:
            row.update({"grade": a.grade, "comment": a.comment, **{f: getattr(a, f) for f in SCORE_FIELDS}})
        initial.append(row)
    formset = ResultFormSet(request.POST or None, initial=initial, prefix="r")
    problems: list = []
    if request.method == "POST":
        by_pk = {c.pk: c for c in cadres}
        if formset.is_valid():
            rows = []
            for number, form in enumerate(formset.forms, start=1):
                data = form.cleaned_data
                cadre = by_pk.get(data.get("cadre"))
                if form.is_blank or cadre is None:
                    continue
                rows.append(
                    services.ResultRow(
                        row=number,
                        cadre=cadre,
                        grade=data.get("grade") or "",
                        scores={f: data.get(f) for f in SCORE_FIELDS},
                        comment=data.get("comment") or "",
                    )
                )
            try:
                saved = services.assessment_bulk_save(
                    actor=Actor.from_request(request), cycle=cycle, rows=rows, source=EntrySource.GRID
                )
            except services.BulkError as exc:
                problems = exc.problems
                for p in problems:
                    if p.row is not None and 0 < p.row <= len(formset.forms):
                        formset.forms[p.row - 1].add_error(None, f"{p.column}：{p.message}" if p.column else p.message)
            except ValidationError as exc:
                problems = [services.Problem(None, "", "", m) for m in exc.messages]
            else:
                messages.success(request, _("已保存 %(n)s 人的考核结果。") % {"n": len(saved)})
                return redirect(request.get_full_path())
        else:
            problems = [
                services.Problem(n, "", "", _("请按提示修改本行。"))
                for n, f in enumerate(formset.forms, start=1)
                if f.errors
            ]
    rows = list(zip(cadres, formset.forms, strict=False))
    return render(
        request,
        "assessments/cycle_grid.html",
        {
            "cycle": cycle,
            "unit": unit,
            "formset": formset,
            "rows": rows,
            "problems": problems,
            "too_many": too_many,
            "include_sub": include_sub,
            "limit": GRID_LIMIT,
        },
    )


@login_required
def cycle_import(request: HttpRequest, pk: int) -> HttpResponse:
    """导入考核结果表: every row checked first; any problem → nothing written and a full report."""
    selectors.require_results_access(request.user)
    cycle = selectors.cycle_get(user=request.user, pk=pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            rows = sheets.read_rows(data=data, name=upload.name, cadres=cadre_list(user=request.user))
            saved = services.assessment_bulk_save(
                actor=Actor.from_request(request), cycle=cycle, rows=rows, source=EntrySource.IMPORT
            )
        except services.BulkError as exc:
            problems = exc.problems
        except ValidationError as exc:
            problems = [services.Problem(None, "", "", m) for m in exc.messages]
        else:
            messages.success(request, _("已导入 %(n)s 人的考核结果。") % {"n": len(saved)})
            return redirect(cycle)
    return render(
        request,
        "assessments/cycle_import.html",
        {"cycle": cycle, "form": form, "problems": problems},
        status=400 if problems else 200,
    )


@login_required
def cycle_template(request: HttpRequest, pk: int) -> HttpResponse:
    """The sheet to fill in for one unit (and its sub-units), with results already entered."""
    selectors.require_results_access(request.user)
    cycle = selectors.cycle_get(user=request.user, pk=pk)
    unit = unit_get(user=request.user, pk=_int(request.GET.get("unit")))
    cadres = _grid_cadres(request, cycle, unit, include_sub=True)[:5000]
    record_access(
        Actor.from_request(request), AuditAction.EXPORT, cycle, detail={"unit": unit.name, "rows": len(cadres)}
    )
    response = HttpResponse(
        sheets.template_bytes(cycle, cadres),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    from urllib.parse import quote

    filename = f"{cycle.name}-{unit.name}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# ---------------------------------------------------------------- reviews


@login_required
def review_create(request: HttpRequest, cadre_pk: int) -> HttpResponse:
    selectors.require_review(request.user)
    cadre = cadre_get(user=request.user, pk=cadre_pk)
    facts = review_facts(cadre)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_create(actor=Actor.from_request(request), cadre=cadre, data=form.cleaned_data, facts=facts)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已记录对 %(n)s 的分析研判。") % {"n": cadre.name})
            return redirect("growth:file", cadre.pk)
    reviews = selectors.review_list(user=request.user).filter(cadre=cadre)[:5]
    return render(
        request, "assessments/review_form.html", {"cadre": cadre, "form": form, "facts": facts, "reviews": reviews}
    )


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    selectors.require_review(request.user)
    page = Paginator(selectors.review_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessments/review_list.html", {"page_obj": page})
