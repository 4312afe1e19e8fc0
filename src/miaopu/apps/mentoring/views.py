"""Mentoring pages: mentorships and their guidance records, the mentor list, automatic pairing, alerts.

Access: 组织部干部科 pairs and manages; 单位人事专员 read their scope; a mentor account sees only its own active
mentorships and writes their records; a cadre sees their own, confirms records and evaluates mentors; the
admin roles get 403. Rows outside what the user may see answer 404 (the selectors), like a missing id;
actions on a visible row the user may not take answer 403 (the services). Every change goes through a service.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from miaopu.apps.core.audit import Actor, record_access
from miaopu.apps.core.choices import AuditAction, Role
from miaopu.apps.core.forms import apply_service_errors

from . import selectors, services
from .forms import (
    AttachmentForm,
    ConfirmForm,
    EndForm,
    GuidanceForm,
    MentorForm,
    MentorshipForm,
    PairingForm,
    PolicyForm,
    RateMenteeForm,
    RateMentorForm,
)
from .models import MentorRole, MentorshipStatus, PairingRunStatus, ProposalStatus

PAGE_SIZE = 100


def reader_view(view: Callable) -> Callable:
    """Signed-in personnel roles only; the admin roles get 403 before anything is read."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        selectors.require_read(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def manager_view(view: Callable) -> Callable:
    """组织部干部科 only."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        selectors.require_manage(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def _run(request: HttpRequest, action: Callable, success: str | Callable, **kwargs):
    """Call a service; its errors become messages. Returns the result (or True), None on a validation error."""
    try:
        result = action(actor=Actor.from_request(request), **kwargs)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result if result is not None else True


def _page(request: HttpRequest, qs, size: int = PAGE_SIZE):
    page = Paginator(qs, size).get_page(request.GET.get("page"))
    page.elided = list(page.paginator.get_elided_page_range(page.number))
    return page


# ---------------------------------------------------------------- overview


@reader_view
def home(request: HttpRequest) -> HttpResponse:
    """What each role needs first: staff get figures and links, a mentor their mentees, a cadre their mentors."""
    user = request.user
    context: dict = {"role": user.role}
    ships = selectors.mentorship_list(user=user)
    if user.role in (Role.MENTOR, Role.CADRE):
        context["ships"] = list(ships.filter(is_active=True) if user.role == Role.MENTOR else ships)
        last = dict(ships.annotate(last=Max("records__date")).values_list("pk", "last"))
        for ship in context["ships"]:
            ship.last_record = last.get(ship.pk)
        context["due"] = selectors.due_contacts(user=user)
        if user.role == Role.CADRE:
            context["to_confirm"] = list(
                selectors.guidance_list(user=user).filter(confirmed_at__isnull=True).order_by("date", "id")
            )
    else:
        active = ships.filter(is_active=True)
        context["counts"] = {
            "active": active.count(),
            "mentors": active.values("mentor_id").distinct().count(),
            "due": len(selectors.due_contacts(user=user)),
        }
        context["by_role"] = list(active.values("role").annotate(n=Count("id")).order_by("role"))
        labels = dict(MentorRole.choices)
        for row in context["by_role"]:
            row["label"] = labels.get(row["role"], row["role"])
        context["can_manage"] = selectors.can_manage(user)
    return render(request, "mentoring/home.html", context)


@reader_view
def due_list(request: HttpRequest) -> HttpResponse:
    return render(request, "mentoring/due_list.html", {"due": selectors.due_contacts(user=request.user)})


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    if request.user.role not in (Role.ORGDEPT, Role.UNIT_OFFICER, Role.MENTOR):
        raise PermissionDenied(_("您的角色无权查看导师帮带预警。"))
    found = selectors.alerts(request.user)
    kind = request.GET.get("kind", "")
    counts = {k: sum(1 for a in found if a.kind == k) for k in selectors.ALERT_KINDS}
    shown = [a for a in found if not kind or a.kind == kind]
    return render(
        request,
        "mentoring/alert_list.html",
        {"alerts": _page(request, shown), "kinds": selectors.ALERT_KINDS, "kind": kind, "counts": counts,
         "total": len(found)},
    )  # fmt: skip


# ---------------------------------------------------------------- mentorships


@reader_view
def mentorship_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.mentorship_list(user=request.user).annotate(last=Max("records__date"), n_records=Count("records"))
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    status = request.GET.get("status", "active")
    if q:
        qs = qs.filter(Q(mentee__name__contains=q) | Q(mentee__code=q) | Q(mentor__name__contains=q))
    if role in MentorRole.values:
        qs = qs.filter(role=role)
    if status in MentorshipStatus.values:
        qs = qs.filter(status=status)
    context = {
        "page": _page(request, qs.order_by("mentee__unit__path", "mentee_id", "role")),
        "q": q, "role": role, "status": status, "roles": MentorRole.choices, "statuses": MentorshipStatus.choices,
        "can_manage": selectors.can_manage(request.user),
    }  # fmt: skip
    return render(request, "mentoring/mentorship_list.html", context)


@reader_view
def mentorship_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    ship = selectors.mentorship_get(user=user, pk=pk)
    record_access(Actor.from_request(request), AuditAction.VIEW, ship)
    records = list(
        selectors.guidance_list(user=user)
        .filter(mentorship=ship)
        .prefetch_related("attachments")
        .order_by("-date", "-id")
    )
    context = {
        "ship": ship,
        "records": records,
        "hours": sum((r.hours for r in records), 0),
        "is_mentor": selectors.is_mentor_of(user, ship),
        "is_mentee": selectors.is_mentee_of(user, ship),
        "can_manage": selectors.can_manage_mentorship(user, ship),
    }
    return render(request, "mentoring/mentorship_detail.html", context)


def _templates():
    from miaopu.apps.programmes.models import ProgrammeTemplate

    return ProgrammeTemplate.objects.filter(is_active=True).order_by("id")


@manager_view
def mentorship_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    mentors = selectors.mentor_list(user=user).filter(is_available=True)
    form = MentorshipForm(request.POST or None, user=user, mentors=mentors, templates=_templates())
    if request.method == "GET" and request.GET.get("mentee"):
        form.initial["mentee"] = request.GET["mentee"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ship = services.mentorship_create(
                actor=Actor.from_request(request), mentee=data["mentee"], mentor=data["mentor"], role=data["role"],
                start=data["start"], template=data["template"], allow_over_capacity=data["allow_over_capacity"],
            )  # fmt: skip
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已结对：%(s)s") % {"s": ship})
            return redirect(ship)
    return render(
        request,
        "mentoring/form.html",
        {"form": form, "title": _("新建结对"), "back": reverse("mentoring:mentorship_list")},
    )


@reader_view
def mentorship_end(request: HttpRequest, pk: int) -> HttpResponse:
    ship = selectors.mentorship_get(user=request.user, pk=pk)
    if not selectors.can_manage_mentorship(request.user, ship):
        raise PermissionDenied(_("只有组织部干部科可以结束结对。"))
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.mentorship_end(
                actor=Actor.from_request(request), mentorship=ship, end=data["end"], status=data["status"],
                reason=data["reason"],
            )  # fmt: skip
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("结对已结束。"))
            return redirect(ship)
    return render(
        request,
        "mentoring/form.html",
        {"form": form, "title": _("结束结对"), "ship": ship, "back": ship.get_absolute_url()},
    )


def _rate(request: HttpRequest, pk: int, form_class, service, title: str) -> HttpResponse:
    ship = selectors.mentorship_get(user=request.user, pk=pk)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=Actor.from_request(request), mentorship=ship, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("评价已保存。"))
            return redirect(ship)
    return render(
        request, "mentoring/form.html", {"form": form, "title": title, "ship": ship, "back": ship.get_absolute_url()}
    )


@reader_view
def rate_mentee(request: HttpRequest, pk: int) -> HttpResponse:
    ship = selectors.mentorship_get(user=request.user, pk=pk)
    if not selectors.is_mentor_of(request.user, ship):
        raise PermissionDenied(_("只有该结对的导师本人可以评价帮带对象。"))
    return _rate(request, pk, RateMenteeForm, services.mentorship_rate_mentee, _("期满评价帮带对象"))


@reader_view
def rate_mentor(request: HttpRequest, pk: int) -> HttpResponse:
    ship = selectors.mentorship_get(user=request.user, pk=pk)
    if not selectors.is_mentee_of(request.user, ship):
        raise PermissionDenied(_("只有帮带对象本人可以评价导师。"))
    return _rate(request, pk, RateMentorForm, services.mentorship_rate_mentor, _("评价导师"))


# ---------------------------------------------------------------- guidance records


@reader_view
def record_create(request: HttpRequest, pk: int) -> HttpResponse:
    ship = selectors.mentorship_get(user=request.user, pk=pk)
    if not selectors.is_mentor_of(request.user, ship):
        raise PermissionDenied(_("帮带记录由该结对的导师本人填写。"))
    form = GuidanceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.guidance_create(
                actor=Actor.from_request(request), mentorship=ship, data=form.service_data(),
                uploads=form.cleaned_data.get("attachments") or [],
            )  # fmt: skip
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("帮带记录已保存，等待帮带对象确认。"))
            return redirect(ship)
    return render(
        request, "mentoring/form.html",
        {"form": form, "title": _("填写帮带记录"), "ship": ship, "back": ship.get_absolute_url(), "multipart": True},
    )  # fmt: skip


@reader_view
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.guidance_get(user=request.user, pk=pk)
    ship = record.mentorship
    if not selectors.is_mentor_of(request.user, ship):
        raise PermissionDenied(_("帮带记录由该结对的导师本人填写。"))
    form = GuidanceForm(request.POST or None, instance=record, with_files=False)
    attach = AttachmentForm()
    if request.method == "POST" and form.is_valid():
        try:
            services.guidance_update(actor=Actor.from_request(request), record=record, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("帮带记录已修改。"))
            return redirect(ship)
    return render(
        request, "mentoring/record_edit.html", {"form": form, "attach": attach, "record": record, "ship": ship}
    )


@require_POST
@reader_view
def record_delete(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.guidance_get(user=request.user, pk=pk)
    ship = record.mentorship
    _run(request, services.guidance_delete, _("帮带记录已删除。"), record=record)
    return redirect(ship)


@require_POST
@reader_view
def record_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.guidance_get(user=request.user, pk=pk)
    form = ConfirmForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    _run(request, services.guidance_confirm, _("已确认这条帮带记录。"), record=record, note=note)
    return redirect(request.POST.get("next") or record.mentorship.get_absolute_url())


@require_POST
@reader_view
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.guidance_get(user=request.user, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        _run(request, services.attachment_add, _("附件已上传。"), record=record, upload=form.cleaned_data["file"])
    else:
        messages.error(request, _("请选择要上传的文件。"))
    return redirect("mentoring:record_edit", pk=record.pk)


@require_POST
@reader_view
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = selectors.attachment_get(user=request.user, pk=pk)
    record = attachment.record
    _run(request, services.attachment_delete, _("附件已删除。"), attachment=attachment)
    return redirect("mentoring:record_edit", pk=record.pk)


@reader_view
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """Attachments are personnel data: served only through the selectors, as a download, never inline HTML."""
    attachment = selectors.attachment_get(user=request.user, pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("附件文件已不存在。")) from exc
    record_access(Actor.from_request(request), AuditAction.EXPORT, attachment)
    response = FileResponse(handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- mentors


@reader_view
def mentor_list(request: HttpRequest) -> HttpResponse:
    if request.user.role not in (Role.ORGDEPT, Role.UNIT_OFFICER):
        raise PermissionDenied(_("您的角色无权查看导师库。"))
    qs = selectors.mentor_list(user=request.user).annotate(
        n_active=Count("mentorships", filter=Q(mentorships__is_active=True))
    )
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(unit_name__contains=q) | Q(title__contains=q))
    if kind == "cadre":
        qs = qs.filter(cadre__isnull=False)
    elif kind == "external":
        qs = qs.filter(cadre__isnull=True)
    context = {
        "page": _page(request, qs.order_by("-n_active", "name", "id")), "q": q, "kind": kind,
        "can_manage": selectors.can_manage(request.user), "capacity": selectors.policy_for().capacity,
    }  # fmt: skip
    return render(request, "mentoring/mentor_list.html", context)


@reader_view
def mentor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mentor = selectors.mentor_get(user=request.user, pk=pk)
    ships = selectors.mentorship_list(user=request.user).filter(mentor=mentor).annotate(last=Max("records__date"))
    loads = selectors.mentor_loads([mentor.pk])
    labels = dict(MentorRole.choices)
    load_rows = [(labels[r], loads.get((mentor.pk, r), 0)) for r in MentorRole.values if loads.get((mentor.pk, r))]
    context = {
        "mentor": mentor, "ships": ships, "loads": load_rows, "capacity": selectors.policy_for().capacity,
        "can_manage": selectors.can_manage(request.user) and request.user.role == Role.ORGDEPT,
    }  # fmt: skip
    return render(request, "mentoring/mentor_detail.html", context)


def _mentor_form(request: HttpRequest, mentor=None) -> HttpResponse:
    form = MentorForm(request.POST or None, instance=mentor, user=request.user)
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request)
        try:
            if mentor is None:
                mentor = services.mentor_create(actor=actor, data=form.service_data())
            else:
                mentor = services.mentor_update(actor=actor, mentor=mentor, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("导师信息已保存。"))
            return redirect(mentor)
    title = _("新增导师") if mentor is None else _("编辑导师：%(n)s") % {"n": mentor.name}
    back = mentor.get_absolute_url() if mentor else reverse("mentoring:mentor_list")
    return render(request, "mentoring/form.html", {"form": form, "title": title, "back": back})


@manager_view
def mentor_create(request: HttpRequest) -> HttpResponse:
    return _mentor_form(request)


@manager_view
def mentor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _mentor_form(request, selectors.mentor_get(user=request.user, pk=pk))


# ---------------------------------------------------------------- automatic pairing


@manager_view
def pairing_list(request: HttpRequest) -> HttpResponse:
    runs = selectors.pairing_run_list(user=request.user)
    return render(request, "mentoring/pairing_list.html", {"page": _page(request, runs, 50)})


@manager_view
def pairing_new(request: HttpRequest) -> HttpResponse:
    from miaopu.apps.programmes.selectors import batch_list

    batches = batch_list(user=request.user).exclude(status="closed")
    form = PairingForm(request.POST or None, templates=_templates(), batches=batches)
    if request.method == "GET" and request.GET.get("batch"):
        form.initial["batch"] = request.GET["batch"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = services.pairing_run_create(
                actor=Actor.from_request(request), template=data["template"], batch=data["batch"],
                roles=data["roles"] or None, as_of=data["as_of"],
            )  # fmt: skip
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已生成配对建议，请逐条查看理由后接受或调整。"))
            return redirect(run)
    return render(request, "mentoring/pairing_new.html", {"form": form})


@manager_view
def pairing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.pairing_run_get(user=request.user, pk=pk)
    qs = selectors.proposal_list(user=request.user, run=run)
    counts = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    role = request.GET.get("role", "")
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    shown = qs
    if role in MentorRole.values:
        shown = shown.filter(role=role)
    if status in ProposalStatus.values:
        shown = shown.filter(status=status)
    if q:
        shown = shown.filter(
            Q(mentee__name__contains=q) | Q(mentor_name__contains=q) | Q(mentee__unit__name__contains=q)
        )
    context = {
        "run": run, "page": _page(request, shown.order_by("mentee__unit__path", "mentee_id", "role")),
        "counts": [(value, label, counts.get(value, 0)) for value, label in ProposalStatus.choices],
        "role": role, "status": status, "q": q, "roles": [(r, dict(MentorRole.choices)[r]) for r in run.roles],
        "open": run.status == PairingRunStatus.PROPOSED,
    }  # fmt: skip
    return render(request, "mentoring/pairing_detail.html", context)


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


@require_POST
@manager_view
def pairing_decide(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.pairing_run_get(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    selected = _ids(request.POST.getlist("selected"))
    if action == "accept_all":
        kwargs = {"accept": "all"}
    elif action == "accept":
        kwargs = {"accept": selected}
    elif action == "reject":
        kwargs = {"reject": selected}
    elif action == "exchange":
        if len(selected) != 2:
            messages.error(request, _("对调导师须恰好勾选两条同类建议。"))
            return redirect(run)
        first, second = (selectors.proposal_get(user=request.user, pk=i) for i in selected)
        _run(request, services.proposals_exchange, _("已对调两人的导师。"), first=first, second=second)
        return redirect(request.POST.get("next") or run.get_absolute_url())
    else:
        messages.error(request, _("未知的操作。"))
        return redirect(run)
    if action != "accept_all" and not selected:
        messages.error(request, _("请先勾选建议。"))
        return redirect(run)
    _run(
        request, services.proposals_decide,
        lambda r: _("已接受 %(a)s 条，不采用 %(r)s 条。") % {"a": r["accepted"], "r": r["rejected"]}, run=run, **kwargs,
    )  # fmt: skip
    return redirect(request.POST.get("next") or run.get_absolute_url())


@require_POST
@manager_view
def proposal_swap(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    _run(
        request,
        services.proposal_swap,
        _("已更换导师人选。"),
        proposal=proposal,
        mentor_key=request.POST.get("mentor", ""),
    )
    return redirect(request.POST.get("next") or proposal.run.get_absolute_url())


@require_POST
@manager_view
def pairing_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.pairing_run_get(user=request.user, pk=pk)
    _run(request, services.pairing_confirm, lambda ships: _("已确认 %(n)s 对结对。") % {"n": len(ships)}, run=run)
    return redirect(run)


@require_POST
@manager_view
def pairing_discard(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.pairing_run_get(user=request.user, pk=pk)
    _run(request, services.pairing_discard, _("这次配对已作废。"), run=run)
    return redirect(run)


@manager_view
def policy_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """A programme's pairing rules (or the defaults); unsaved rules start from what applies today."""
    from .models import PairingPolicy

    template = None
    if code:
        from miaopu.apps.programmes.selectors import template_get

        template = template_get(user=request.user, code=code)
    instance = PairingPolicy.objects.filter(template=template).first()
    if instance is None:
        applies = selectors.policy_for(template)
        instance = PairingPolicy(template=template, **{f: getattr(applies, f) for f in services.POLICY_FIELDS})
    form = PolicyForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_update(actor=Actor.from_request(request), template=template, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("配对规则已保存。"))
            return redirect("mentoring:pairing_list")
    title = _("配对规则：%(t)s") % {"t": template.name} if template else _("默认配对规则")
    back = reverse("mentoring:pairing_list")
    return render(request, "mentoring/form.html", {"form": form, "title": title, "back": back})
