"""Pool pages: the list of a pool (filter, export as a workbook), add an entry, correct it, record the exit.

组织部干部科 only (others 403); entries of cadres outside the user's scope answer 404. Writes go through
the services.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from miaopu.apps.cadres.selectors import cadre_list
from miaopu.apps.core.audit import Actor, record_access
from miaopu.apps.core.choices import AuditAction
from miaopu.apps.core.forms import apply_service_errors

from . import selectors, services
from .exports import pool_workbook
from .forms import PoolEditForm, PoolEntryForm, PoolExitForm, PoolFilterForm
from .models import PoolEntry, PoolKind

PAGE_SIZE = 100


def _pool(code: str) -> str:
    if code not in PoolKind.values:
        raise Http404
    return code


def _filtered(request: HttpRequest, pool: str):
    form = PoolFilterForm(request.GET or None)
    qs = selectors.pool_entry_list(user=request.user, pool=pool)
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status") or "open"
    if status == "open":
        qs = qs.filter(exit_date__isnull=True)
    elif status == "exited":
        qs = qs.filter(exit_date__isnull=False)
    for name in ("tier", "category"):
        value = data.get(name)
        if value == "none":
            qs = qs.filter(**{name: ""})
        elif value:
            qs = qs.filter(**{name: value})
    if data.get("source"):
        qs = qs.filter(source=data["source"])
    if data.get("q"):
        qs = qs.filter(cadre__name__contains=data["q"].strip())
    return form, qs.order_by("-date", "-id")


@login_required
def pool_index(request: HttpRequest) -> HttpResponse:
    selectors.require_pools(request.user)
    return redirect("pools:pool_list", PoolKind.TALENT)


@login_required
def pool_list(request: HttpRequest, pool: str) -> HttpResponse:
    selectors.require_pools(request.user)
    pool = _pool(pool)
    form, qs = _filtered(request, pool)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "pools/pool_list.html",
        {
            "pool": pool,
            "pool_label": PoolKind(pool).label,
            "pools": PoolKind.choices,
            "filter_form": form,
            "page_obj": page,
            "query": params.urlencode(),
        },
    )


@login_required
def pool_export(request: HttpRequest, pool: str) -> HttpResponse:
    selectors.require_pools(request.user)
    pool = _pool(pool)
    _form, qs = _filtered(request, pool)
    label = str(PoolKind(pool).label)
    record_access(
        Actor.from_request(request),
        AuditAction.EXPORT,
        PoolEntry,
        object_repr=label,
        detail={"pool": pool, "filters": request.GET.dict(), "rows": qs.count()},
    )
    response = HttpResponse(
        pool_workbook(qs, label), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(label + '.xlsx')}"
    return response


@login_required
def pool_entry_add(request: HttpRequest) -> HttpResponse:
    selectors.require_pools(request.user)
    initial = {"pool": request.GET.get("pool") or PoolKind.TALENT}
    if request.GET.get("cadre"):
        cadre = cadre_list(user=request.user).filter(pk=request.GET["cadre"]).first()
        if cadre is not None:
            initial["code"] = cadre.code
    form = PoolEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        cadre = cadre_list(user=request.user).filter(code=data.pop("code").strip()).first()
        if cadre is None:
            form.add_error("code", _("找不到该人员编号，或该干部不在您的管理范围内。"))
        else:
            try:
                entry = services.pool_entry_add(actor=Actor.from_request(request), cadre=cadre, data=data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, _("已将 %(n)s 纳入%(p)s。") % {"n": cadre.name, "p": entry.get_pool_display()}
                )
                return redirect("pools:pool_list", entry.pool)
    return render(request, "pools/entry_form.html", {"form": form, "title": _("入库")})


@login_required
def pool_entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_pools(request.user)
    entry = selectors.pool_entry_get(user=request.user, pk=pk)
    form = PoolEditForm(
        request.POST or None, initial={"tier": entry.tier, "category": entry.category, "reason": entry.reason}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.pool_entry_update(actor=Actor.from_request(request), entry=entry, data=form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("pools:pool_list", entry.pool)
    return render(request, "pools/entry_form.html", {"form": form, "entry": entry, "title": _("修改入库信息")})


@login_required
def pool_entry_exit(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_pools(request.user)
    entry = selectors.pool_entry_get(user=request.user, pk=pk)
    form = PoolExitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pool_entry_exit(
                actor=Actor.from_request(request),
                entry=entry,
                date=form.cleaned_data["exit_date"],
                reason=form.cleaned_data["exit_reason"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("%(n)s 已出库。") % {"n": entry.cadre.name})
            return redirect("pools:pool_list", entry.pool)
    return render(request, "pools/entry_form.html", {"form": form, "entry": entry, "title": _("出库")})
