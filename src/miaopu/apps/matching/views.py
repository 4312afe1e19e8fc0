"""The matching pages of a batch: solve with weights and rules, read a plan (table, regions, reasons), pin or
forbid a pair and solve again, compare two plans, accept one, export its problem file.

Only 组织部 users who may run the whole batch see these pages (others: 403 for other roles, 404 for a batch
or plan outside their scope, see :mod:`.selectors`). Every change goes through :mod:`.services`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from miaopu.apps.core.audit import Actor, record_access
from miaopu.apps.core.choices import AuditAction
from miaopu.apps.core.forms import apply_service_errors
from miaopu.apps.programmes.choices import BatchStatus, CandidateStatus
from miaopu.apps.programmes.selectors import require_programmes

from . import selectors, services
from .forms import CompareForm, PairForm, SolveForm
from .models import MatchPlan, PlanStatus
from .scoring import WEIGHT_LABELS, default_weights


def matching_view(view: Callable) -> Callable:
    """Signed-in 组织部 users only; everyone else gets 403 before anything is read."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        require_programmes(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@matching_view
def batch_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The batch's matching page: the weights and rules form, and the plans solved so far."""
    batch = selectors.batch_for_matching(user=request.user, pk=pk)
    plans = list(selectors.plan_list(user=request.user, batch=batch).select_related("created_by"))
    latest = plans[0] if plans else None
    if request.method == "POST":
        form = SolveForm(request.POST)
        if form.is_valid() and _as_job(batch):
            return redirect("jobs:job_detail", pk=_submit_solve(request, batch, form).pk)
        if form.is_valid():
            try:
                plan = services.plan_solve(
                    actor=Actor.from_request(request), batch=batch, weights=form.weights,
                    assign_all=form.cleaned_data["assign_all"], quotas=form.cleaned_data["quotas"],
                    fixed=(latest.options.get("fixed") if latest else None),
                    forbidden=(latest.options.get("forbidden") if latest else None),
                    parent=latest, note=form.cleaned_data["note"],
                )  # fmt: skip
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("已求解，生成方案 %(n)s。") % {"n": plan.number})
                return redirect(plan)
    else:
        if latest is not None:
            initial = SolveForm.initial_from(latest.weights, latest.options)
        else:
            options = {"assign_all": not _over_total(batch)}
            initial = SolveForm.initial_from(default_weights(batch.template.kind), options)
        form = SolveForm(initial=initial)
    people = batch.candidates.all()
    context = {
        "batch": batch, "form": form, "plans": plans, "latest": latest,
        "vetted": people.filter(status__in=[CandidateStatus.VETTED, CandidateStatus.ASSIGNED]).count(),
        "rejected": people.filter(status=CandidateStatus.REJECTED).count(),
        "slot_count": batch.slots.count(), "mirrored": batch.spec.mirrored_pairs,
        "quota_text": _batch_quota_text(batch), "can_solve": batch.status in services.SOLVE_STEPS,
        "pins": (latest.options.get("fixed", []) if latest else []),
        "forbids": (latest.options.get("forbidden", []) if latest else []),
    }  # fmt: skip
    return render(request, "matching/batch.html", context)


#: Batches with at least this many candidates are solved as a background job (``MIAOPU_MATCHING_JOB_MIN``).
MATCHING_JOB_MIN = 300


def _as_job(batch) -> bool:
    """Large batches are solved in the background (progress on the job page); small ones at once, on the page."""
    from django.conf import settings

    threshold = int(getattr(settings, "MIAOPU_MATCHING_JOB_MIN", MATCHING_JOB_MIN))
    return batch.candidates.count() >= threshold


def _submit_solve(request: HttpRequest, batch, form: SolveForm):
    from miaopu.apps.jobs.models import JobKind
    from miaopu.apps.jobs.services import job_submit

    job, _created = job_submit(
        actor=Actor.from_request(request),
        kind=JobKind.BATCH_MATCHING,
        params={
            "batch": batch.pk,
            "weights": form.weights,
            "assign_all": form.cleaned_data["assign_all"],
            "quotas": form.cleaned_data["quotas"],
            "note": form.cleaned_data["note"],
        },
    )
    return job


def _over_total(batch) -> bool:
    """Whether a side has more vetted candidates than the batch's total per side (then not everyone goes)."""
    total = (batch.quotas or {}).get("total")
    if not total:
        return False
    sides = batch.candidates.filter(status__in=[CandidateStatus.VETTED, CandidateStatus.ASSIGNED])
    return any(n > total for n in sides.values_list("side").annotate(n=Count("id")).values_list("n", flat=True))


def _batch_quota_text(batch) -> str:
    quotas = batch.quotas or {}
    parts = [_("每方 %(n)s 人") % {"n": quotas["total"]}] if quotas.get("total") else []
    parts += [_("%(r)s 至多 %(n)s 人") % {"r": region, "n": n} for region, n in (quotas.get("regions") or {}).items()]
    return "；".join(parts)


@matching_view
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    batch = plan.batch
    record_access(Actor.from_request(request), AuditAction.VIEW, plan, detail={"page": "matching_plan"})
    explain = plan.explain or {}
    slots = explain.get("slots", {})
    rows = selectors.plan_rows(plan)
    others = [p for p in selectors.plan_list(user=request.user, batch=batch) if p.pk != plan.pk]
    context = {
        "batch": batch, "plan": plan, "rows": rows, "regions": selectors.region_rows(plan),
        "quotas": selectors.quota_rows(plan), "excluded": explain.get("excluded", []),
        "warnings": explain.get("warnings", []), "weights": [(WEIGHT_LABELS[k], v) for k, v in plan.weights.items()],
        "pins": [(c, s, explain.get("candidates", {}).get(c, {}).get("name", c),
                  selectors._slot_label(slots.get(s)) or s) for c, s in plan.options.get("fixed", [])],
        "forbids": [(c, s, explain.get("candidates", {}).get(c, {}).get("name", c),
                     selectors._slot_label(slots.get(s)) or s) for c, s in plan.options.get("forbidden", [])],
        "slot_choices": sorted(((k, selectors._slot_label(v), v.get("side", "")) for k, v in slots.items()),
                               key=lambda x: x[1]),
        "candidate_choices": [(k, v["name"], v.get("side", "")) for k, v in explain.get("candidates", {}).items()],
        "others": others, "can_accept": plan.has_plan and batch.status in services.ACCEPT_STEPS
        and plan.status != PlanStatus.ACCEPTED,
        "can_solve": batch.status in services.SOLVE_STEPS, "accept_open": batch.status in services.ACCEPT_STEPS,
        "in_force": plan.status == PlanStatus.ACCEPTED and services.plan_matches_batch(plan),
        "newly_vetted": services.newly_vetted(plan), "BatchStatus": BatchStatus,
        "quota_text": _batch_quota_text(batch),
    }  # fmt: skip
    return render(request, "matching/plan_detail.html", context)


@matching_view
@require_POST
def plan_pair(request: HttpRequest, pk: int) -> HttpResponse:
    """Pin, forbid or release one pair, and solve again as a new plan."""
    plan = selectors.plan_get(user=request.user, pk=pk)
    form = PairForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择人选和岗位。"))
        return redirect(plan)
    data = form.cleaned_data
    pair = (data["candidate"], data["slot"])
    try:
        new = services.plan_derive(actor=Actor.from_request(request), plan=plan, **{data["action"]: pair})
    except ValidationError as exc:
        _errors(request, exc)
        return redirect(plan)
    messages.success(request, _("已重新求解，生成方案 %(n)s。") % {"n": new.number})
    return redirect(new)


@matching_view
@require_POST
def plan_accept(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    try:
        services.plan_accept(actor=Actor.from_request(request), plan=plan)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect(plan)
    messages.success(
        request, _("已采用方案 %(n)s：%(a)s 人的岗位已写入批次的分配。") % {"n": plan.number, "a": plan.assigned}
    )
    return redirect(reverse("programmes:batch_detail", args=[plan.batch_id]) + "?tab=assignment")


@matching_view
def plan_problem(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's problem file (the ``miaopu match`` contract): ``miaopu match`` on it reproduces the plan."""
    plan = selectors.plan_get(user=request.user, pk=pk)
    record_access(
        Actor.from_request(request), AuditAction.EXPORT, plan,
        detail={"file": "problem", "candidates": plan.candidate_count},
    )  # fmt: skip
    body = json.dumps(plan.problem, ensure_ascii=False, indent=1) + "\n"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"batch{plan.batch_id}-plan{plan.number}-problem.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@matching_view
def plan_compare(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_for_matching(user=request.user, pk=pk)
    form = CompareForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("请选择要比较的两个方案。"))
        return redirect("matching:batch", pk=batch.pk)
    plans = selectors.plan_list(user=request.user, batch=batch)
    try:
        first = plans.get(pk=form.cleaned_data["a"])
        second = plans.get(pk=form.cleaned_data["b"])
    except MatchPlan.DoesNotExist as exc:
        raise Http404 from exc
    for plan in (first, second):
        if not selectors.plan_visible(request.user, plan):
            raise Http404
    record_access(Actor.from_request(request), AuditAction.VIEW, first, detail={"page": "compare", "with": second.pk})
    context = {"batch": batch, "first": first, "second": second, **selectors.compare_plans(first, second)}
    return render(request, "matching/compare.html", context)
