"""Field-work pages: practice bases and their "六个好" certification, the practical-affairs ledger, care.

Access: bases and care lists are for 组织部干部科 and 单位人事专员 in their scope (403 for other roles); ledger
items are readable by every personnel role as far as their cadres are visible; counselling contacts only by
组织部. An object outside the scope answers 404 (the selectors), like a missing id. Writes go through services.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from miaopu.apps.cadres.roster import CountCachingPaginator
from miaopu.apps.cadres.selectors import cadre_get, cadre_list
from miaopu.apps.core.audit import Actor, record_access
from miaopu.apps.core.choices import AuditAction
from miaopu.apps.core.forms import apply_service_errors, form_errors_to_messages
from miaopu.apps.units.models import Unit
from miaopu.apps.units.selectors import unit_list
from miaopu.domain.fieldwork import LEDGER_STATUSES
from miaopu.domain.vocab import CadreStatus, UnitLevel

from . import figures, selectors, services
from .forms import BaseForm, CareForm, CertificationForm, LedgerForm, LedgerProgressForm, LedgerTakerForm
from .models import CriterionScore, LedgerCategory, LedgerTaker

PAGE_SIZE = 50


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


def _page(request: HttpRequest, qs):
    # The care list of a province-sized scope has tens of thousands of rows: its count is kept a minute, as the
    # roster's is (cadres.roster); small lists are counted afresh.
    page = CountCachingPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.elided = page.paginator.get_elided_page_range(page.number)
    return page


@login_required
def home(request: HttpRequest) -> HttpResponse:
    selectors.require_read(request.user)
    if selectors.can_manage(request.user):
        return redirect("fieldwork:base_list")
    return redirect("fieldwork:ledger_list")


# ---------------------------------------------------------------- practice bases


@login_required
def base_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    selectors.require_manage(user)
    today = dt.date.today()
    qs = selectors.base_list(user=user)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(unit__name__contains=q)
    if request.GET.get("unit", "").isdigit():
        unit = Unit.objects.filter(pk=int(request.GET["unit"])).first()
        if unit is not None and selectors.unit_in_user_scope(user, unit):
            qs = qs.filter(unit__path__startswith=unit.path)
    rows = selectors.base_rows(qs, today)
    state = request.GET.get("state", "")
    if state == "certified":
        rows = [r for r in rows if r.certified]
    elif state == "uncertified":
        rows = [r for r in rows if not r.certified]
    elif state == "in_use":
        rows = [r for r in rows if r.in_use]
    elif state == "full":
        rows = [r for r in rows if r.certified and r.free == 0]
    totals = {
        "bases": len(rows),
        "certified": sum(1 for r in rows if r.certified),
        "capacity": sum(r.base.capacity for r in rows if r.certified),
        "in_use": sum(r.in_use for r in rows),
    }
    return render(
        request, "fieldwork/base_list.html", {"rows": rows, "q": q, "state": state, "totals": totals, "today": today}
    )


@login_required
def base_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    selectors.require_manage(user)
    base = selectors.base_get(user=user, pk=pk)
    today = dt.date.today()
    (row,) = selectors.base_rows([base], today)
    certifications = base.certifications.prefetch_related("scores").select_related("recorded_by")
    from miaopu.apps.core.access import restrict_cadres
    from miaopu.apps.programmes.models import Placement

    placements = restrict_cadres(
        Placement.objects.filter(host_unit=base.unit, batch__template__kind="practice").select_related(
            "cadre", "batch"
        ),
        user,
        through="cadre__",
    ).order_by("-start", "id")[:100]
    return render(
        request,
        "fieldwork/base_detail.html",
        {"base": base, "row": row, "certifications": certifications, "placements": placements, "today": today},
    )


def _villages(user):
    return unit_list(user=user).filter(level=UnitLevel.VILLAGE).order_by("path")


@login_required
def base_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    selectors.require_manage(user)
    villages = _villages(user).filter(practice_base__isnull=True)
    form = BaseForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        try:
            base = services.base_create(
                actor=_actor(request), unit=form.cleaned_data["village"], data=form.service_data()
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已登记实践基地“%(b)s”，请录入“六个好”认定。") % {"b": base})
            return redirect("fieldwork:base_certify", base.pk)
    return render(request, "fieldwork/form.html", {"form": form, "title": _("登记实践基地")})


@login_required
def base_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    selectors.require_manage(user)
    base = selectors.base_get(user=user, pk=pk)
    initial = {k: getattr(base, k) for k in services.BASE_FIELDS}
    form = BaseForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.base_update(actor=_actor(request), base=base, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(base.get_absolute_url())
    return render(
        request,
        "fieldwork/form.html",
        {"form": form, "title": _("修改实践基地：%(b)s") % {"b": base}, "back": base.get_absolute_url()},
    )


@login_required
def base_certify(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    selectors.require_manage(user)
    base = selectors.base_get(user=user, pk=pk)
    today = dt.date.today()
    initial = {"assessed_on": today, "valid_from": today, "valid_until": dt.date(today.year + 3, today.month, 1)}
    form = CertificationForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cert = services.certification_record(
                actor=_actor(request),
                base=base,
                assessed_on=data["assessed_on"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                scores=form.scores(),
                assessors=data["assessors"],
                note=data["note"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, msgs in exc.message_dict.items():
                    target = (
                        f"{field}_score"
                        if f"{field}_score" in form.fields
                        else (field if field in form.fields else None)
                    )
                    for m in msgs:
                        form.add_error(target, m)
            else:
                apply_service_errors(form, exc)
        else:
            if cert.certified:
                messages.success(request, _("“六个好”认定通过，有效期至 %(d)s。") % {"d": cert.valid_until})
            else:
                messages.warning(request, _("已记录评定结果：未通过（有评定项低于 60 分），该基地不能安排实践锻炼。"))
            return redirect(base.get_absolute_url())
    return render(request, "fieldwork/certify.html", {"form": form, "base": base})


@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    selectors.require_manage(user)
    score = CriterionScore.objects.select_related("certification__base__unit").filter(pk=pk).first()
    if (
        score is None
        or not score.attachment
        or not selectors.base_list(user=user).filter(pk=score.certification.base_id).exists()
    ):
        raise Http404
    record_access(_actor(request), AuditAction.VIEW, score, detail={"file": score.attachment_name})
    response = FileResponse(
        score.attachment.open("rb"), content_type=score.attachment_type or "application/octet-stream"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(score.attachment_name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- ledger


def _ledger_filtered(request: HttpRequest):
    user = request.user
    qs = selectors.ledger_list(user=user)
    params = {}
    for name in ("status", "category", "town", "batch", "cadre", "q", "satisfaction"):
        value = request.GET.get(name, "").strip()
        if value:
            params[name] = value
    if "status" in params:
        qs = qs.filter(status=params["status"])
    if "category" in params:
        qs = qs.filter(category=params["category"])
    if params.get("town", "").isdigit():
        qs = qs.filter(village__parent_id=int(params["town"]))
    if params.get("batch", "").isdigit():
        qs = qs.filter(batch_id=int(params["batch"]))
    if params.get("cadre", "").isdigit():
        qs = qs.filter(takers__cadre_id=int(params["cadre"]))
    if params.get("satisfaction") == "rated":
        qs = qs.exclude(satisfaction="")
    elif "satisfaction" in params:
        qs = qs.filter(satisfaction=params["satisfaction"])
    if "q" in params:
        qs = qs.filter(
            Q(description__contains=params["q"])
            | Q(village__name__contains=params["q"])
            | Q(household__contains=params["q"])
        )
    if request.GET.get("unit", "").isdigit():
        unit = Unit.objects.filter(pk=int(request.GET["unit"])).first()
        if unit is not None and selectors.unit_in_user_scope(user, unit):
            visible = cadre_list(user=user).filter(unit__path__startswith=unit.path).values("pk")
            qs = qs.filter(takers__cadre__in=visible)
    return qs.distinct(), params


@login_required
def ledger_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    selectors.require_read(user)
    qs, params = _ledger_filtered(request)
    summary = figures.ledger_breakdown(qs, user)
    page = _page(request, qs.prefetch_related("takers__cadre").order_by("-raised_on", "-id"))
    return render(
        request,
        "fieldwork/ledger_list.html",
        {
            "page": page,
            "params": params,
            "summary": summary,
            "statuses": list(LEDGER_STATUSES.items()),
            "categories": LedgerCategory.choices,
            "can_manage": selectors.can_manage(user),
        },
    )


@login_required
def ledger_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    selectors.require_read(user)
    item = selectors.ledger_get(user=user, pk=pk)
    visible = set(cadre_list(user=user).filter(pk__in=item.takers.values("cadre_id")).values_list("pk", flat=True))
    takers = [
        t for t in LedgerTaker.objects.filter(item=item).select_related("cadre", "cadre__unit") if t.cadre_id in visible
    ]
    can_manage = selectors.can_manage(user)
    form = None
    if can_manage and not item.is_closed:
        form = LedgerProgressForm(
            request.POST or None,
            initial={
                "status": item.status,
                "status_reason": item.status_reason,
                "closed_on": item.closed_on or dt.date.today(),
                "outcome": item.outcome,
                "satisfaction": item.satisfaction,
            },
        )
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            if data["status"] not in ("done", "impossible"):
                data["closed_on"] = None
                data["satisfaction"] = ""
            try:
                services.ledger_update(actor=_actor(request), item=item, data=data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("已更新办理情况。"))
                return redirect(item.get_absolute_url())
    elif request.method == "POST":
        raise Http404
    taker_form = (
        LedgerTakerForm(initial={"taken_on": dt.date.today()}, cadres=_active_cadres(user))
        if can_manage and not item.is_closed
        else None
    )
    return render(
        request,
        "fieldwork/ledger_detail.html",
        {"item": item, "takers": takers, "form": form, "taker_form": taker_form},
    )


def _active_cadres(user):
    return cadre_list(user=user).filter(status=CadreStatus.ACTIVE)


@require_POST
@login_required
def ledger_takers(request: HttpRequest, pk: int) -> HttpResponse:
    """Add takers to an open item: all of them or none (one service call each, in one transaction)."""
    user = request.user
    selectors.require_manage(user)
    item = selectors.ledger_get(user=user, pk=pk)
    form = LedgerTakerForm(request.POST, cadres=_active_cadres(user))
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect(item.get_absolute_url())
    try:
        with transaction.atomic():
            for cadre in form.cleaned_data["cadres"]:
                services.ledger_add_taker(
                    actor=_actor(request), item=item, cadre=cadre, taken_on=form.cleaned_data["taken_on"]
                )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        names = "、".join(c.name for c in form.cleaned_data["cadres"])
        messages.success(request, _("已增加领办干部：%(n)s。") % {"n": names})
    return redirect(item.get_absolute_url())


@login_required
def ledger_create(request: HttpRequest) -> HttpResponse:
    from miaopu.apps.programmes.selectors import batch_list

    user = request.user
    selectors.require_manage(user)
    villages = unit_list(user=user).filter(level__in=[UnitLevel.VILLAGE, UnitLevel.TOWN]).order_by("path")
    cadres = _active_cadres(user)
    batches = batch_list(user=user).filter(template__kind="practice")
    form = LedgerForm(
        request.POST or None, villages=villages, cadres=cadres, batches=batches, initial={"raised_on": dt.date.today()}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        people = list(data.pop("cadres"))
        taken_on = data.pop("taken_on")
        try:
            item = services.ledger_create(actor=_actor(request), data=data, cadres=people, taken_on=taken_on)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已登记办实事事项。"))
            return redirect(item.get_absolute_url())
    return render(request, "fieldwork/form.html", {"form": form, "title": _("登记办实事事项")})


# ---------------------------------------------------------------- care


@login_required
def care_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    selectors.require_manage(user)
    today = dt.date.today()
    flag = request.GET.get("flag", "")
    qs = selectors.flagged_cadres(user=user, as_of=today, flag=flag if flag in selectors.FLAGS else "")
    contact = request.GET.get("contact", "")
    if contact == "overdue":
        qs = qs.filter(selectors.overdue_q(today))
    elif contact == "recent":
        qs = qs.filter(selectors.contacted_q(today))
    if request.GET.get("unit", "").isdigit():
        unit = Unit.objects.filter(pk=int(request.GET["unit"])).first()
        if unit is not None and selectors.unit_in_user_scope(user, unit):
            qs = qs.filter(unit__path__startswith=unit.path)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(name__contains=q)
    page = _page(request, qs.order_by("unit__path", "id"))
    page.rows = selectors.care_rows(page.object_list, today)
    return render(
        request,
        "fieldwork/care_list.html",
        {
            "page": page,
            "flag": flag,
            "contact": contact,
            "q": q,
            "flags": list(selectors.FLAGS.items()),
            "days": selectors.CARE_CONTACT_DAYS,
        },
    )


@login_required
def care_cadre(request: HttpRequest, pk: int) -> HttpResponse:
    """One cadre's care record: why flagged, the contacts (counselling for 组织部 only) and a new contact."""
    user = request.user
    selectors.require_read(user)
    cadre = cadre_get(user=user, pk=pk)
    record_access(_actor(request), AuditAction.VIEW, cadre, detail={"page": "care"})
    contacts = selectors.care_list(user=user).filter(cadre=cadre)
    today = dt.date.today()
    flagged = None
    if selectors.can_manage(user):
        found = selectors.flagged_cadres(user=user, as_of=today).filter(pk=cadre.pk).first()
        flagged = selectors.care_rows([found], today)[0] if found else None
    form = None
    if selectors.can_manage(user) and selectors.unit_in_user_scope(user, cadre.unit):
        form = CareForm(request.POST or None, counselling=selectors.may_see_counselling(user), initial={"date": today})
        if request.method == "POST" and form.is_valid():
            try:
                services.care_create(
                    actor=_actor(request),
                    cadre=cadre,
                    data=form.service_data(),
                    counselling_note=form.cleaned_data.get("counselling_note", ""),
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("已记录关心关爱情况。"))
                return redirect("fieldwork:care_cadre", cadre.pk)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "fieldwork/care_cadre.html",
        {
            "cadre": cadre,
            "contacts": contacts,
            "flagged": flagged,
            "form": form,
            "show_counselling": selectors.may_see_counselling(user),
        },
    )
