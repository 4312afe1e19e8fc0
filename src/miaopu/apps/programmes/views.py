"""Programme pages: templates (rules shown in words, YAML editor, versions), eligibility with reasons,
batches walked step by step, placements.

Access: every page is for 组织部干部科 only (other roles: 403). Batches outside the user's scope and cadres
the user may not see answer 404 (the selectors), like a missing id. Every change goes through the services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from miaopu.apps.cadres.roster import CountCachingPaginator, cached_count
from miaopu.apps.cadres.selectors import cadre_get, cadre_list
from miaopu.apps.core.audit import Actor, record_access
from miaopu.apps.core.choices import AuditAction
from miaopu.apps.core.forms import apply_service_errors, form_errors_to_messages
from miaopu.apps.units.selectors import unit_list
from miaopu.domain.rules import describe
from miaopu.domain.vocab import ExperienceKind

from . import selectors, services
from .choices import BatchStatus, CandidateStatus, PlacementStatus
from .forms import (
    AssessForm,
    AssignForm,
    BatchForm,
    EligibleFilterForm,
    EndEarlyForm,
    ExtendForm,
    OverrideForm,
    PlaceForm,
    RulesField,
    SlotForm,
    TemplateForm,
    VettingForm,
)
from .models import Batch, HostSlot, StageRecord
from .spec import ASSESSMENT_KINDS, EFFECTS, GRADES, MENTOR_ROLES, SIDES, ProgrammeSpec, dump_yaml, parse_document

PAGE_SIZE = 100

#: The tabs of a batch page: (key, label, the step from which the tab has anything to show).
TABS = [
    ("overview", _l("概况"), BatchStatus.DRAFT),
    ("slots", _l("接收岗位"), BatchStatus.DRAFT),
    ("candidates", _l("人选"), BatchStatus.CANDIDATES),
    ("vetting", _l("考察"), BatchStatus.NOMINATION),
    ("assignment", _l("分配岗位"), BatchStatus.VETTING),
    ("placements", _l("到岗与期满"), BatchStatus.PLACED),
]


def programmes_view(view: Callable) -> Callable:
    """Signed-in 组织部 users only; everyone else gets 403 before anything is read."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        selectors.require_programmes(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def _run(request: HttpRequest, action: Callable, success: str | Callable, **kwargs):
    """Call a service; its errors become messages on the page the user returns to. Returns the result or None."""
    try:
        result = action(actor=Actor.from_request(request), **kwargs)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result if result is not None else True


def _batch_url(batch: Batch, tab: str = "overview") -> str:
    return reverse("programmes:batch_detail", args=[batch.pk]) + (f"?tab={tab}" if tab != "overview" else "")


# ---------------------------------------------------------------- showing rules


def spec_summary(spec: ProgrammeSpec) -> dict:
    """A template version's rules in words, for the template page (``rules.describe`` for every rule)."""
    rows: list[tuple[str, str]] = []
    rows.append((_("资格条件"), describe(spec.eligibility) if spec.eligibility is not None else _("（无，见分组）")))
    if spec.host is not None:
        rows.append((_("接收单位"), spec.host.describe()))
    elif not spec.has_hosts:
        rows.append((_("接收单位"), _("不派出，在原单位培养")))
    if spec.term is not None:
        rows.append((_("期限"), spec.term.describe()))
    if spec.mentor_roles:
        rows.append((_("须配备导师"), "、".join(MENTOR_ROLES[r] for r in spec.mentor_roles)))
    if spec.assessments:
        rows.append((_("考核"), "、".join(ASSESSMENT_KINDS[a] for a in spec.assessments)))
    if spec.completion:
        rows.append((_("期满效果"), "；".join(f"{GRADES[g]} → {EFFECTS[e]}" for g, e in spec.completion)))
    if spec.quota_total or spec.quota_regions:
        parts = [_("每方 %(n)s 人") % {"n": spec.quota_total}] if spec.quota_total else []
        parts += [f"{region} {n} 人" for region, n in spec.quota_regions]
        rows.append((_("默认名额"), "，".join(parts)))
    if spec.cycle_years:
        rows.append((_("周期"), _("每 %(n)s 年一批") % {"n": spec.cycle_years}))
    if spec.coverage_target is not None:
        rows.append((_("覆盖目标"), f"{spec.coverage_target}%"))
    if spec.mirrored_pairs:
        rows.append((_("派出方式"), _("成对互派（A 方与 B 方对调）")))
    if spec.experience_kind:
        rows.append((_("计入履历"), ExperienceKind(spec.experience_kind).label))
    groups = [
        {
            "name": g.name,
            "theme": g.theme,
            "side": SIDES.get(g.side, ""),
            "rule": describe(g.rule),
            "host": g.host.describe() if g.host is not None else "",
        }
        for g in spec.groups
    ]
    return {"rows": rows, "groups": groups, "stages": spec.stages}


# ---------------------------------------------------------------- templates


@programmes_view
def template_list(request: HttpRequest) -> HttpResponse:
    templates = list(selectors.template_list(user=request.user).prefetch_related("versions"))
    batches = list(selectors.batch_list(user=request.user)[:10])
    return render(
        request,
        "programmes/template_list.html",
        {"templates": templates, "batches": batches, "can_edit": selectors.can_edit_templates(request.user)},
    )


@programmes_view
def template_detail(request: HttpRequest, code: str) -> HttpResponse:
    template = selectors.template_get(user=request.user, code=code)
    version = template.current_version
    versions = list(template.versions.select_related("created_by").order_by("-number"))
    batches = list(selectors.batch_list(user=request.user).filter(template=template))
    return render(
        request,
        "programmes/template_detail.html",
        {
            "template": template,
            "version": version,
            "summary": spec_summary(version.parsed) if version else None,
            "versions": versions,
            "batches": batches,
            "can_edit": selectors.can_edit_templates(request.user),
        },
    )


@programmes_view
def version_detail(request: HttpRequest, code: str, number: int) -> HttpResponse:
    version = selectors.version_get(user=request.user, code=code, number=number)
    return render(
        request,
        "programmes/version_detail.html",
        {
            "template": version.template,
            "version": version,
            "summary": spec_summary(version.parsed),
            "source": version.source_text or dump_yaml(version.spec),
            "batches": list(selectors.batch_list(user=request.user).filter(version=version)),
        },
    )


def _require_editor(request: HttpRequest) -> None:
    from django.core.exceptions import PermissionDenied

    if not selectors.can_edit_templates(request.user):
        raise PermissionDenied(_("只有管理范围为全市的组织部干部科可以新建或修改培养项目模板。"))


@programmes_view
def template_create(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    form = TemplateForm(request.POST or None, initial={"rules": "eligibility:\n  all:\n    - {fact: age, lte: 35}\n"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        document = parse_document(
            {key: data[key] for key in ("code", "name", "kind", "seed", "description")}
            | {"rules": RulesField.data(data["rules"])}
        )
        try:
            template = services.template_create(
                actor=Actor.from_request(request), document=document, source_text=data["rules"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if not data["is_active"]:
                services.template_update(
                    actor=Actor.from_request(request), template=template, data={"is_active": False}
                )
            messages.success(request, _("已新建模板“%(n)s”。") % {"n": template.name})
            return redirect(template)
    return render(request, "programmes/template_form.html", {"form": form, "template": None})


@programmes_view
def template_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Metadata edits in place; a change of rules adds a version (batches keep theirs)."""
    _require_editor(request)
    template = selectors.template_get(user=request.user, code=code)
    current = template.current_version
    initial = {
        "code": template.code, "name": template.name, "kind": template.kind, "seed": template.seed,
        "description": template.description, "is_active": template.is_active,
        "rules": (current.source_text or dump_yaml(current.spec)) if current else "",
    }  # fmt: skip
    form = TemplateForm(request.POST or None, initial=initial, template=template)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actor = Actor.from_request(request)
        meta = {k: data[k] for k in ("name", "kind", "seed", "description", "is_active") if data[k] != initial[k]}
        new_rules = RulesField.data(data["rules"])
        from .spec import parse_spec

        rules_changed = current is None or parse_spec(new_rules).to_data() != current.spec
        try:
            if meta:
                services.template_update(actor=actor, template=template, data=meta)
            version = None
            if rules_changed:
                version = services.template_create_version(
                    actor=actor, template=template, rules=new_rules, source_text=data["rules"], note=data["note"]
                )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if version is not None:
                messages.success(
                    request,
                    _("已保存为第 %(n)s 版。此后新建的批次使用新规则；已建立的批次仍按原版本。")
                    % {"n": version.number},
                )
            elif meta:
                messages.success(request, _("已保存模板信息（规则未变，未生成新版本）。"))
            else:
                messages.info(request, _("没有任何修改。"))
            return redirect(template)
    return render(request, "programmes/template_form.html", {"form": form, "template": template, "version": current})


# ---------------------------------------------------------------- eligibility


def _as_of(value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else dt.date.today()
    except ValueError:
        return dt.date.today()


@programmes_view
def eligible_list(request: HttpRequest, code: str) -> HttpResponse:
    """Every active cadre in scope judged by the template's current rules, with "为什么不符合？" for each."""
    user = request.user
    template = selectors.template_get(user=user, code=code)
    version = template.current_version
    spec = version.parsed
    form = EligibleFilterForm(request.GET or None, user=user, groups=[g.name for g in spec.groups])
    data = form.cleaned_data if form.is_valid() else {}
    as_of = data.get("as_of") or dt.date.today()
    cadres = selectors.active_cadres(user=user)
    if data.get("q"):
        cadres = cadres.filter(Q(name__contains=data["q"].strip()) | Q(code__iexact=data["q"].strip()))
    if data.get("unit"):
        cadres = cadres.filter(unit__path__startswith=data["unit"].path)
    # The counts: the database decides whoever the rules' columns decide, the engine judges the rest (prefilter).
    # The lists: ids in the roster's order, paged; only the page's cadres are judged, for their reasons.
    verdicts = selectors.eligible_rows(user=user, version=version, as_of=as_of, cadres=cadres)
    total, eligible = cached_count(cadres), len(verdicts)
    by_group: dict[str, int] = {}
    for verdict in verdicts:
        if verdict.group:
            by_group[verdict.group] = by_group.get(verdict.group, 0) + 1
    result, group = data.get("result"), data.get("group")
    if result in ("yes", "no") or group:
        if group or result == "yes":
            wanted = [] if result == "no" else [v for v in verdicts if not group or v.group == group]
            pairs = [(v.cadre_id, v.unit_id) for v in wanted]
        else:
            chosen = {v.cadre_id for v in verdicts}
            pairs = [(pk, unit) for pk, unit in cadres.order_by().values_list("pk", "unit_id") if pk not in chosen]
        paths = dict(unit_list(user=user).values_list("pk", "path"))
        pairs.sort(key=lambda pair: (paths.get(pair[1], ""), pair[0]))
        paged = _page(request, [pk for pk, _unit in pairs])
    else:
        paged = _page(request, cadres.order_by("unit__path", "id").values_list("pk", flat=True))
    page = paged["page_obj"]
    shown = page.paginator.count
    ids = list(page.object_list)
    page_rows = selectors.eligibility_list(user=user, version=version, as_of=as_of, cadres=cadres.filter(pk__in=ids))
    page.object_list = sorted(page_rows, key=lambda r: ids.index(r.cadre_id))
    record_access(
        Actor.from_request(request), AuditAction.SEARCH, template,
        detail={"page": "eligible", "as_of": as_of.isoformat(), "version": version.number, "rows": total},
    )  # fmt: skip
    return render(
        request,
        "programmes/eligible_list.html",
        {
            "template": template, "version": version, "form": form, "as_of": as_of, "total": total,
            "eligible": eligible, "by_group": by_group, "shown": shown, **paged,
        },
    )  # fmt: skip


@programmes_view
def cadre_why(request: HttpRequest, pk: int) -> HttpResponse:
    """One cadre against every programme: verdict, group and each reason ("为什么不符合？")."""
    cadre = cadre_get(user=request.user, pk=pk)
    as_of = _as_of(request.GET.get("as_of"))
    results = selectors.cadre_eligibility(user=request.user, cadre=cadre, as_of=as_of)
    record_access(Actor.from_request(request), AuditAction.VIEW, cadre, detail={"page": "eligibility"})
    only = request.GET.get("template")
    if only:
        results = [(t, r) for t, r in results if t.code == only] or results
    return render(request, "programmes/cadre_why.html", {"cadre": cadre, "as_of": as_of, "results": results})


# ---------------------------------------------------------------- batches


@programmes_view
def batch_list(request: HttpRequest) -> HttpResponse:
    batches = selectors.batch_list(user=request.user)
    template = request.GET.get("template")
    if template:
        batches = batches.filter(template__code=template)
    return render(request, "programmes/batch_list.html", {"batches": list(batches)})


@programmes_view
def batch_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    templates = selectors.template_list(user=user).filter(is_active=True)
    today = dt.date.today()
    initial = {"year": today.year, "as_of": today, "scope_unit": user.scope_unit_id}
    code = request.GET.get("template")
    if code:
        initial["template"] = templates.filter(code=code).first()
    form = BatchForm(request.POST or None, initial=initial, user=user, templates=templates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = services.batch_create(
                actor=Actor.from_request(request), template=data["template"], name=data["name"], year=data["year"],
                as_of=data["as_of"], scope_unit=data["scope_unit"], quotas=data["quotas"], note=data["note"],
            )  # fmt: skip
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("已建立批次“%(n)s”。下一步：设置接收岗位，或直接计算符合条件的人选。") % {"n": batch.name}
            )
            return redirect(batch)
    return render(request, "programmes/batch_form.html", {"form": form})


def _steps(batch: Batch) -> list[dict]:
    current = BatchStatus.order(batch.status)
    return [
        {"label": label, "state": "done" if i < current else ("current" if i == current else "todo")}
        for i, (_value, label) in enumerate(BatchStatus.choices)
    ]


def _slots_with_usage(batch: Batch) -> list[HostSlot]:
    usage = selectors.slot_usage(batch)
    slots = list(batch.slots.select_related("unit", "post"))
    for slot in slots:
        slot.used = usage.get(slot.pk, 0)
    return slots


def _page(request: HttpRequest, items, size: int = PAGE_SIZE) -> dict:
    """``page_obj`` and the elided ``page_range`` that ``includes/pagination.html`` expects."""
    paginator = CountCachingPaginator(items, size)
    page = paginator.get_page(request.GET.get("page"))
    return {"page_obj": page, "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)}


def _stage_now(spec: ProgrammeSpec, cadre, on: dt.date) -> tuple[str, str]:
    stage = spec.stage_at(cadre.civil_service_entry_date, on)
    return (stage.name, stage.theme) if stage else ("", "")


@programmes_view
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    batch = selectors.batch_get(user=user, pk=pk)
    spec = batch.spec
    tab = request.GET.get("tab", "overview")
    if tab not in {key for key, _label, _step in TABS}:
        tab = "overview"
    can_run = selectors.can_run_batch(user, batch)
    context: dict = {
        "batch": batch, "spec": spec, "tab": tab, "can_run": can_run, "steps": _steps(batch),
        "tabs": [{"key": k, "label": label, "ready": batch.reached(step)} for k, label, step in TABS],
        "summary": spec_summary(spec), "CandidateStatus": CandidateStatus, "BatchStatus": BatchStatus,
    }  # fmt: skip
    people = selectors.candidate_list(user=user, batch=batch)
    if tab == "overview":
        context["profile"] = selectors.batch_profile(user=user, batch=batch)
        context["place_form"] = PlaceForm(initial={"start": dt.date.today()})
        counts = dict(people.order_by().values_list("status").annotate(n=Count("id")))
        context["counts"] = " · ".join(
            f"{label} {counts[value]}" for value, label in CandidateStatus.choices if counts.get(value)
        )
        quotas = batch.quotas or {}
        parts = [_("每方 %(n)s 人") % {"n": quotas["total"]}] if quotas.get("total") else []
        parts += [f"{region} {n} 人" for region, n in (quotas.get("regions") or {}).items()]
        context["quota_text"] = "；".join(parts)
    elif tab == "slots":
        context["slots"] = _slots_with_usage(batch)
        context["slot_form"] = SlotForm(user=user, mirrored=spec.mirrored_pairs)
        hosts = [spec.host.describe()] if spec.host is not None else []
        hosts += [f"{g.name}：{g.host.describe()}" for g in spec.groups if g.host is not None]
        context["host_text"] = "；".join(hosts)
    elif tab == "candidates":
        status = request.GET.get("status", "")
        group = request.GET.get("group", "")
        side = request.GET.get("side", "")
        q = request.GET.get("q", "").strip()
        shown = people
        if status:
            shown = shown.filter(status=status)
        if group:
            shown = shown.filter(group=group)
        if side:
            shown = shown.filter(side=side)
        if q:
            shown = shown.filter(Q(cadre__name__contains=q) | Q(cadre__code__iexact=q))
        ordered = shown.order_by("cadre__unit__path", "cadre_id")
        sort = request.GET.get("sort", "")
        if sort == "rank":  # 精准比选: the latest training-class ranking first, then unit order (docs/training.md)
            from django.apps import apps as django_apps

            if django_apps.is_installed("miaopu.apps.training"):
                from miaopu.apps.training.selectors import order_by_class_rank

                ordered = order_by_class_rank(ordered)
        context |= _page(request, ordered)
        context["filters"] = {"status": status, "group": group, "side": side, "q": q, "sort": sort}
        context["groups"] = [g.name for g in spec.groups]
        context["can_nominate"] = batch.status in (BatchStatus.CANDIDATES, BatchStatus.NOMINATION, BatchStatus.VETTING)
    elif tab == "vetting":
        context["people"] = list(
            people.filter(status__in=[CandidateStatus.NOMINATED, CandidateStatus.VETTED, CandidateStatus.REJECTED,
                                      CandidateStatus.ASSIGNED, CandidateStatus.PLACED])
            .select_related("vetting").order_by("status", "cadre__unit__path")
        )  # fmt: skip
    elif tab == "assignment":
        shown = list(
            people.filter(status__in=[CandidateStatus.VETTED, CandidateStatus.ASSIGNED, CandidateStatus.PLACED])
            .select_related("assignment__slot__unit", "assignment__partner__candidate__cadre")
            .order_by("side", "cadre__unit__path")
        )  # fmt: skip
        context["people"] = shown
        context["slots"] = _slots_with_usage(batch)
        missing = services.missing_mentors(batch, shown)
        for person in shown:
            person.missing_mentors = missing.get(person.pk, [])
    elif tab == "placements":
        today = dt.date.today()
        placements = list(
            selectors.placement_list(user=user, batch=batch)
            .select_related("partner__cadre")
            .order_by("cadre__unit__path")
        )
        for p in placements:
            p.stage_now, p.theme_now = _stage_now(spec, p.cadre, today) if spec.stages else ("", "")
        context["placements"] = placements
        context["stage_records"] = list(
            StageRecord.objects.filter(placement__in=[p.pk for p in placements]).select_related("placement__cadre")
            .order_by("-recorded_at")[:50]
        )  # fmt: skip
    return render(request, "programmes/batch_detail.html", context)


@require_POST
@programmes_view
def batch_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, pk=pk)
    _run(
        request, services.batch_evaluate_candidates,
        lambda s: _("已按第 %(v)s 版规则计算 %(n)s 人，符合条件 %(e)s 人。") % {"v": s["version"], "n": s["evaluated"],
                                                                      "e": s["eligible"]},
        batch=batch,
    )  # fmt: skip
    return redirect(_batch_url(batch, "candidates"))


@require_POST
@programmes_view
def batch_slot_add(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, pk=pk)
    form = SlotForm(request.POST, user=request.user, mirrored=batch.spec.mirrored_pairs)
    if form.is_valid():
        data = form.cleaned_data
        _run(
            request, services.batch_add_slot, _("已增加接收岗位。"), batch=batch, unit=data["unit"],
            post_title=data["post_title"], capacity=data["capacity"], region=data["region"], tags=data["tags"],
            side=data.get("side", ""),
        )  # fmt: skip
    else:
        form_errors_to_messages(request, form)
    return redirect(_batch_url(batch, "slots"))


@require_POST
@programmes_view
def slot_remove(request: HttpRequest, pk: int) -> HttpResponse:
    slot = get_object_or_404(
        HostSlot.objects.select_related("batch"), pk=pk, batch__in=selectors.batch_list(user=request.user)
    )
    _run(request, services.batch_remove_slot, _("已删除接收岗位。"), slot=slot)
    return redirect(_batch_url(slot.batch, "slots"))


@programmes_view
def candidate_add(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, pk=pk)
    form = OverrideForm(request.POST or None, mirrored=batch.spec.mirrored_pairs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cadre = cadre_list(user=request.user).filter(code=data["code"].strip()).first()
        if cadre is None:
            form.add_error("code", _("找不到该人员编号，或不在您的管理范围内。"))
        else:
            try:
                candidate = services.candidate_add_override(
                    actor=Actor.from_request(request), batch=batch, cadre=cadre, reason=data["reason"],
                    side=data.get("side", ""),
                )  # fmt: skip
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                if candidate.is_override:
                    messages.warning(request, _("已破格加入 %(n)s（不符合条件，已标注）。") % {"n": cadre.name})
                else:
                    messages.success(request, _("已加入 %(n)s（符合条件）。") % {"n": cadre.name})
                return redirect(_batch_url(batch, "candidates"))
    return render(request, "programmes/candidate_add.html", {"batch": batch, "form": form})


@require_POST
@programmes_view
def candidate_nominate(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.candidate_get(user=request.user, pk=pk)
    _run(request, services.candidate_nominate, _("已提名 %(n)s。") % {"n": candidate.cadre.name}, candidate=candidate)
    return redirect(request.POST.get("next") or _batch_url(candidate.batch, "candidates"))


@programmes_view
def vetting_form(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.candidate_get(user=request.user, pk=pk)
    existing = getattr(candidate, "vetting", None) if hasattr(candidate, "vetting") else None
    initial = {}
    if existing is not None:
        initial = {key: getattr(existing, key) for key in ("political", "moral", "achievement", "duty", "integrity")}
        initial["vetted_on"] = existing.vetted_on
        for op in existing.opinions:
            if "纪检" in op["department"]:
                initial |= {"discipline_opinion": op["opinion"], "discipline_objection": op["objection"]}
            else:
                initial |= {"other_department": op["department"], "other_opinion": op["opinion"],
                            "other_objection": op["objection"]}  # fmt: skip
    form = VettingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.vetting_record(
                actor=Actor.from_request(request), candidate=candidate, findings=form.findings(),
                opinions=form.opinions(), vetted_on=form.cleaned_data["vetted_on"],
                objection=form.cleaned_data["objection"],
            )  # fmt: skip
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            candidate.refresh_from_db()
            if candidate.status == CandidateStatus.REJECTED:
                messages.warning(
                    request, _("已记录考察：%(n)s %(s)s") % {"n": candidate.cadre.name, "s": candidate.status_note}
                )
            else:
                messages.success(request, _("已记录考察：%(n)s 考察通过。") % {"n": candidate.cadre.name})
            return redirect(_batch_url(candidate.batch, "vetting"))
    return render(request, "programmes/vetting_form.html", {"candidate": candidate, "form": form, "vetting": existing})


def _slot_label(slot: HostSlot, usage: dict[int, int]) -> str:
    side = f"［{slot.get_side_display()}］" if slot.side else ""
    return f"{side}{slot.unit.name} {slot.title}（{slot.region}，{usage.get(slot.pk, 0)}/{slot.capacity}）"


@programmes_view
def assign_form(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    candidate = selectors.candidate_get(user=user, pk=pk)
    batch = candidate.batch
    spec = batch.spec
    usage = selectors.slot_usage(batch)
    slots = {str(s.pk): s for s in batch.slots.select_related("unit", "post")}
    partners = {}
    if spec.mirrored_pairs:
        for other in selectors.candidate_list(user=user, batch=batch).filter(status=CandidateStatus.VETTED).exclude(
            side=candidate.side
        ):  # fmt: skip
            partners[str(other.pk)] = other
    form = AssignForm(
        request.POST or None,
        slots=[(k, _slot_label(s, usage)) for k, s in slots.items()],
        partners=[(k, f"{c.cadre.name}（{c.cadre.unit.name}，{c.group}）") for k, c in partners.items()],
        mirrored=spec.mirrored_pairs,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assignment_set(
                actor=Actor.from_request(request), candidate=candidate, slot=slots[data["slot"]],
                partner=partners.get(data.get("partner") or ""), partner_slot=slots.get(data.get("partner_slot") or ""),
            )  # fmt: skip
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已分配 %(n)s。") % {"n": candidate.cadre.name})
            return redirect(_batch_url(batch, "assignment"))
    return render(request, "programmes/assign_form.html", {"candidate": candidate, "batch": batch, "form": form})


@require_POST
@programmes_view
def assignment_clear(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.candidate_get(user=request.user, pk=pk)
    _run(request, services.assignment_clear, _("已取消分配。"), candidate=candidate)
    return redirect(_batch_url(candidate.batch, "assignment"))


@require_POST
@programmes_view
def batch_approve(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, pk=pk)
    warnings = _run(request, services.batch_approve, _("批次已审批。"), batch=batch)
    if isinstance(warnings, list) and warnings:
        messages.warning(request, _("提醒（不影响审批）：") + "；".join(warnings[:20]))
    return redirect(_batch_url(batch))


@require_POST
@programmes_view
def batch_place(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, pk=pk)
    form = PlaceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写正确的到岗日期。"))
        return redirect(_batch_url(batch))
    _run(
        request, services.placements_create, lambda ps: _("已安排 %(n)s 人到岗，并写入履历。") % {"n": len(ps)},
        batch=batch, start=form.cleaned_data["start"],
    )  # fmt: skip
    return redirect(_batch_url(batch, "placements"))


@require_POST
@programmes_view
def batch_stages(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, pk=pk)
    _run(
        request,
        services.stage_record_changes,
        lambda rs: _("已记录 %(n)s 人的阶段变化。") % {"n": len(rs)},
        batch=batch,
    )
    return redirect(_batch_url(batch, "placements"))


@require_POST
@programmes_view
def batch_close(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, pk=pk)
    _run(request, services.batch_close, _("批次已结束。"), batch=batch)
    return redirect(_batch_url(batch))


# ---------------------------------------------------------------- placements


@programmes_view
def placement_list(request: HttpRequest) -> HttpResponse:
    placements = selectors.placement_list(user=request.user)
    status = request.GET.get("status", PlacementStatus.ACTIVE)
    if status in PlacementStatus.values:
        placements = placements.filter(status=status)
    return render(
        request,
        "programmes/placement_list.html",
        {
            "status": status,
            "statuses": PlacementStatus.choices,
            **_page(request, placements.order_by("planned_end", "id")),
        },
    )


def _placement_action(request: HttpRequest, pk: int, form_class, title: str, call: Callable) -> HttpResponse:
    placement = selectors.placement_get(user=request.user, pk=pk)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call(Actor.from_request(request), placement, form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已保存：%(t)s（%(n)s）。") % {"t": title, "n": placement.cadre.name})
            return redirect(_batch_url(placement.batch, "placements"))
    return render(request, "programmes/placement_form.html", {"placement": placement, "form": form, "title": title})


def _extend(actor: Actor, placement, data: dict):
    return services.placement_extend(actor=actor, placement=placement, new_end=data["new_end"], reason=data["reason"])


def _end_early(actor: Actor, placement, data: dict):
    return services.placement_end_early(actor=actor, placement=placement, end=data["end"], reason=data["reason"])


def _assess(actor: Actor, placement, data: dict):
    return services.placement_term_end_assess(
        actor=actor, placement=placement, grade=data["grade"], end=data["end"], note=data["note"]
    )


@programmes_view
def placement_extend(request: HttpRequest, pk: int) -> HttpResponse:
    return _placement_action(request, pk, ExtendForm, _("延期"), _extend)


@programmes_view
def placement_end(request: HttpRequest, pk: int) -> HttpResponse:
    return _placement_action(request, pk, EndEarlyForm, _("提前结束"), _end_early)


@programmes_view
def placement_assess(request: HttpRequest, pk: int) -> HttpResponse:
    return _placement_action(request, pk, AssessForm, _("期满考核"), _assess)


@programmes_view
def reserve_pool(request: HttpRequest) -> HttpResponse:
    return render(
        request, "programmes/reserve_pool.html", _page(request, selectors.reserve_pool_list(user=request.user))
    )
