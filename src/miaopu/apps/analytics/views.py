"""The dashboard (also the home page content of 组织部 and unit officers), reports, alert lists and drill-downs.

Access: 组织部干部科 and 单位人事专员 only, in their scope (403 for every other role); programme panels
only for 组织部 (the programmes app's own rule). Every figure links to the list of the cadres it counts:
the cadre roster with the matching filters for the structure, a cohort page for programme figures, the
alert list for alert counts. Workbook downloads are recorded in the audit trail as exports.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from miaopu.apps.core.access import scope_root
from miaopu.apps.core.audit import Actor, record_access
from miaopu.apps.core.choices import AuditAction
from miaopu.apps.units.selectors import unit_list

from . import charts, figcache, selectors
from .models import AlertLevel

PAGE_SIZE = 50
DIMENSION_CHARTS = {"gender": "donut", "political_status": "donut"}


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    return response


def _download(data: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return _no_store(response)


def _as_of(request: HttpRequest) -> dt.date:
    raw = request.GET.get("as_of", "")
    if not raw:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return dt.date.today()


# ---------------------------------------------------------------- charts of the figures


def structure_charts(structure: selectors.Structure) -> list[dict]:
    """One chart per dimension (age bands first), each mark linking to the roster behind it."""
    found = [
        {
            "key": "age",
            "title": _("年龄结构"),
            "svg": charts.bar_chart(
                [charts.Datum(f.label, f.value, f.link) for f in structure.by_age_band],
                title=_("年龄结构"),
            ),
        }
    ]
    for dim in selectors.DIMENSIONS:
        figures = structure.dimensions[dim.key]
        title = _(dim.title)
        if DIMENSION_CHARTS.get(dim.key) == "donut":
            svg = charts.donut_chart([charts.Datum(f.label, f.value, f.link) for f in figures], title=title)
        else:
            shown = [f for f in figures if f.value or f.key not in ("unknown", "none")]
            svg = charts.bar_chart([charts.Datum(f.label, f.value, f.link) for f in shown], title=title)
        found.append({"key": dim.key, "title": title, "svg": svg})
    return found


def programme_charts(programmes: selectors.ProgrammeFigures | None) -> dict:
    if programmes is None:
        return {}
    series = [label for _v, label in programmes.batch_statuses]
    rows = [
        charts.StackedRow(
            e["name"],
            [charts.Datum(label, e["counts"].get(value, 0), e["link"]) for value, label in programmes.batch_statuses],
            e["link"],
        )
        for e in programmes.batches_by_template
    ]
    found = {
        "batches": charts.stacked_bar_chart(rows, series, title=_("各项目批次进度")) if rows else None,
        "regions": charts.bar_chart(
            [charts.Datum(f.label, f.value, f.link) for f in programmes.placements_by_region],
            title=_("在岗培养对象地区分布"),
        ),  # fmt: skip
    }
    for cov in programmes.coverage:
        if not cov["rows"]:
            continue
        cov_rows = [
            charts.StackedRow(
                r["label"],
                [
                    charts.Datum(_("已覆盖"), r["covered"], r["covered_link"], charts.PALETTE[3]),
                    charts.Datum(_("未覆盖"), r["uncovered"], r["uncovered_link"], "#c9ced6"),
                ],
            )  # fmt: skip
            for r in cov["rows"]
        ]
        cov["chart"] = charts.stacked_bar_chart(
            cov_rows, [_("已覆盖"), _("未覆盖")], title=cov["template"].name, colours=[charts.PALETTE[3], "#c9ced6"]
        )
    return found


def alert_chart(summary: selectors.AlertSummary):
    return charts.donut_chart(
        [charts.Datum(f.label, f.value, f.link, charts.LEVEL_COLOURS[f.key]) for f in summary.levels],
        title=_("预警"),
    )


def cached_structure(user, *, params: dict[str, str], as_of: dt.date, force: bool = False) -> selectors.Structure:
    """The dashboard's structure figures, kept for province-sized scopes as ``figcache`` says (each page shows when
    they were counted). Reports, exports, the API and ``miaopu stats`` always count afresh."""
    return figcache.scope_cached(
        "structure",
        user,
        params=params,
        as_of=as_of,
        compute=lambda: selectors.structure(user=user, params=params, as_of=as_of),
        keep=lambda structure: structure.total >= figcache.CACHE_MIN_CADRES,
        force=force,
    )


def dashboard_context(user, *, unit=None, as_of: dt.date | None = None, force: bool = False) -> dict:
    """Everything the dashboard partial shows, for ``user`` (narrowed to ``unit`` inside their scope).

    ``force``: recount the kept figures of a large scope now (``figcache.warm``)."""
    selectors.require_analytics(user)
    as_of = as_of or dt.date.today()
    params = {"unit": str(unit.pk)} if unit is not None else {}
    structure = cached_structure(user, params=params, as_of=as_of, force=force)
    large = structure.total >= figcache.CACHE_MIN_CADRES
    programmes = selectors.programme_figures(user=user, unit=unit, as_of=as_of)
    alerts = selectors.alert_summary(user=user, unit=unit)
    young_link = structure.links.get("young")
    summary = {
        # The keys of ``core.views.scope_summary``: the home page shows these on top of the dashboard.
        "total": structure.total,
        "young": structure.young,
        "young_age": structure.young_age,
        "women": structure.women,
        "non_party": structure.non_party,
        "average_age": structure.average_age,
        "links": structure.links,
    }
    return {
        "summary": summary,
        "as_of": as_of,
        "scope_name": selectors.scope_label(user, unit),
        "unit": unit,
        "structure": structure,
        "structure_charts": structure_charts(structure),
        "programmes": programmes,
        "programme_charts": programme_charts(programmes),
        "alerts": alerts,
        "alert_chart": alert_chart(alerts),
        "mentoring": {
            "young": structure.young,
            "mentored": structure.mentored_young,
            "share": selectors.share(structure.mentored_young, structure.young),
            "young_link": young_link,
            "mentored_link": selectors.cohort_link("mentored", **params),
            "unmentored_link": selectors.cohort_link("unmentored", **params),
        },
        "report_query": urlencode(params),
        "can_refresh": _can_refresh(user),
        # The training and field-work panels scan the whole scope too (care flags, ledgers): kept as long as the
        # structure figures when the scope is province-sized, counted on every view otherwise.
        "training": _panel(
            "training",
            user,
            params=params,
            as_of=as_of,
            large=large,
            force=force,
            compute=lambda: _training_figures(user, unit=unit, as_of=as_of),
        ),
        "fieldwork": _panel(
            "fieldwork",
            user,
            params=params,
            as_of=as_of,
            large=large,
            force=force,
            compute=lambda: _fieldwork_figures(user, unit=unit, as_of=as_of),
        ),
    }


def _panel(kind: str, user, *, params: dict[str, str], as_of: dt.date, large: bool, force: bool, compute):
    if not large:
        return compute()
    return figcache.scope_cached(
        kind, user, params=params, as_of=as_of, compute=compute, keep=lambda _: True, force=force
    )


def _fieldwork_figures(user, *, unit, as_of):
    """Practice bases, the practical-affairs ledger and care (the fieldwork app's scoped figures)."""
    from django.apps import apps

    if not apps.is_installed("miaopu.apps.fieldwork"):
        return None
    from miaopu.apps.fieldwork.figures import dashboard_figures

    return dashboard_figures(user=user, unit=unit, as_of=as_of)


def _training_figures(user, *, unit, as_of):
    """Trainees trained this year, classes, awarded research topics (the training app's scoped figures)."""
    from django.apps import apps

    if not apps.is_installed("miaopu.apps.training"):
        return None
    from miaopu.apps.training.selectors import dashboard_figures

    return dashboard_figures(user=user, unit=unit, as_of=as_of)


def home_context(request: HttpRequest) -> dict | None:
    """The dashboard for the home page of 组织部 and unit officers (None for everyone else)."""
    if not selectors.can_view_analytics(request.user):
        return None
    return dashboard_context(request.user)


def _can_refresh(user) -> bool:
    """Alerts are recomputed for the whole city: only a 组织部 account scoped to the whole tree may trigger it."""
    root = scope_root(user)
    return user.role == "orgdept" and root is not None and root.parent_id is None


def _unit_choices(user):
    return (
        unit_list(user=user)
        .select_related(None)
        .filter(level__in=["city", "county", "town"])
        .only("pk", "name", "depth", "path")
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    selectors.require_analytics(user)
    unit = selectors.scope_unit_param(user=user, data=request.GET)
    root = scope_root(user)
    context = {"d": dashboard_context(user, unit=unit), "units": _unit_choices(user).filter(depth__lte=root.depth + 1)}
    return _no_store(render(request, "analytics/dashboard.html", context))


# ---------------------------------------------------------------- reports


def _filter_description(filterset) -> list[tuple[str, str]]:
    form = filterset.form
    found = []
    if not form.is_valid():
        return found
    for name, value in form.cleaned_data.items():
        if value in (None, ""):
            continue
        field = form.fields[name]
        if name == "unit":
            shown = value.name
        elif hasattr(field, "choices"):
            shown = str(dict(field.choices).get(value, value))
        else:
            shown = str(int(value) if isinstance(value, float) else value)
        found.append((str(field.label), shown))
    return found


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """The figures for any cadre-list filter, as a printable page or (``?format=xlsx``) a workbook."""
    user = request.user
    selectors.require_analytics(user)
    as_of = _as_of(request)
    params = selectors.filter_params(request.GET)
    structure = selectors.structure(user=user, params=params, as_of=as_of)
    _qs, filterset = selectors.filtered_cadres(user=user, params=params)
    unit = selectors.scope_unit_param(user=user, data=request.GET)
    programmes = selectors.programme_figures(user=user, unit=unit, as_of=as_of)
    alerts = selectors.alert_summary(user=user, unit=unit)
    described = _filter_description(filterset)
    scope_name = selectors.scope_label(user, unit)
    if request.GET.get("format") == "xlsx":
        from .reports import structure_workbook

        data = structure_workbook(
            title=_("年轻干部统计报表"), scope=scope_name, filters=described, structure=structure,
            programmes=programmes, alerts=alerts,
        )  # fmt: skip
        record_access(Actor.from_request(request), AuditAction.EXPORT, "analytics.report",
                      object_repr=_("统计报表：%(s)s") % {"s": scope_name},
                      detail={"filters": params, "as_of": as_of.isoformat(), "cadres": structure.total})  # fmt: skip
        return _download(data, f"统计报表-{scope_name}-{as_of:%Y%m%d}.xlsx")
    query = {k: v for k, v in params.items()}
    return _no_store(
        render(
            request,
            "analytics/report.html",
            {
                "as_of": as_of,
                "scope_name": scope_name,
                "filters": described,
                "filter_errors": filterset.form.errors if not filterset.form.is_valid() else None,
                "structure": structure,
                "structure_charts": structure_charts(structure),
                "programmes": programmes,
                "programme_charts": programme_charts(programmes),
                "alerts": alerts,
                "xlsx_query": urlencode({**query, "as_of": as_of.isoformat(), "format": "xlsx"}),
                "roster_query": urlencode(query),
                "generated_at": timezone.localtime(),
            },
        )
    )


@login_required
def batch_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch's profile as one table (counts per side, average age, women, non-party, regional shares)."""
    from miaopu.apps.programmes.selectors import batch_get, batch_profile, require_programmes

    user = request.user
    selectors.require_analytics(user)
    require_programmes(user)
    batch = batch_get(user=user, pk=pk)
    profile = batch_profile(user=user, batch=batch)
    side_regions = selectors.batch_side_regions(user=user, batch=batch)
    if request.GET.get("format") == "xlsx":
        from .reports import batch_workbook

        record_access(Actor.from_request(request), AuditAction.EXPORT, batch,
                      detail={"report": "batch_profile", "people": profile["total"].count})  # fmt: skip
        return _download(batch_workbook(batch=batch, profile=profile, side_regions=side_regions),
                         f"批次概况-{batch.name}.xlsx")  # fmt: skip
    region_chart = charts.bar_chart(
        [charts.Datum(r["region"], r["count"]) for r in profile["regions"]], title=_("地区分布")
    )
    return _no_store(
        render(
            request,
            "analytics/batch_report.html",
            {
                "batch": batch,
                "profile": profile,
                "side_regions": side_regions,
                "region_chart": region_chart,
                "generated_at": timezone.localtime(),
            },
        )  # fmt: skip
    )


# ---------------------------------------------------------------- alerts and drill-downs


@login_required
def alert_list_view(request: HttpRequest) -> HttpResponse:
    from .alerts import KINDS

    user = request.user
    selectors.require_analytics(user)
    qs = selectors.alert_list(user=user)
    kind = request.GET.get("kind", "")
    kind = kind if kind in KINDS else ""
    level = request.GET.get("level", "")
    level = level if level in AlertLevel.values else ""
    unit = selectors.scope_unit_param(user=user, data=request.GET)
    if kind:
        qs = qs.filter(kind=kind)
    if level:
        qs = qs.filter(level=level)
    if unit is not None:
        qs = qs.filter(cadre__unit__path__startswith=unit.path)
    summary = selectors.alert_summary(user=user, unit=unit)
    paginator = Paginator(qs.order_by("kind", "due", "id"), PAGE_SIZE)
    # The summary has already counted these rows (same scope and unit, grouped by kind and level).
    paginator.count = summary.count(kind=kind, level=level)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return _no_store(
        render(
            request,
            "analytics/alert_list.html",
            {
                "page_obj": page,
                "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
                "kinds": [(k, str(v.label)) for k, v in KINDS.items()],
                "levels": AlertLevel.choices,
                "kind": kind,
                "level": level,
                "kind_labels": {k: str(v.label) for k, v in KINDS.items()},
                "query": params.urlencode(),
                "unit": unit,
                "summary": summary,
            },
        )
    )


@require_POST
@login_required
def alert_refresh(request: HttpRequest) -> HttpResponse:
    from .alerts import refresh

    user = request.user
    selectors.require_analytics(user)
    if not _can_refresh(user):
        raise PermissionDenied(_("预警按全市计算，只有管理范围为全市的组织部账号可以立即刷新。"))
    results = refresh(actor=Actor.from_request(request))
    total = sum(r.count for r in results)
    messages.success(request, _("预警已刷新：共 %(n)s 条。") % {"n": total})
    return redirect("analytics:alert_list")


@login_required
def cohort(request: HttpRequest, key: str) -> HttpResponse:
    """The cadres behind a programme or mentoring figure (the figure is the count of this very list)."""
    user = request.user
    selectors.require_analytics(user)
    spec = selectors.COHORTS.get(key)
    if spec is None:
        raise Http404
    qs = (
        selectors.cohort_cadres(user=user, key=key, data=request.GET)
        .select_related(None)
        .select_related("unit")
        .only("id", "code", "name", "gender", "birth_date", "unit__name", "post_title", "political_status", "source")
        .order_by("unit__path", "id")
    )
    paginator = Paginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return _no_store(
        render(
            request,
            "analytics/cohort.html",
            {
                "cohort": spec,
                "page_obj": page,
                "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
                "query": params.urlencode(),
            },
        )
    )
