"""Growth-file pages: the file (timeline with filters, print, PDF/DOCX), its hand-entered records and their
attachments, and the promotion-readiness list (成熟一个、使用一个).

Access: the cadre is found through ``cadre_get`` (404 outside the user's scope); talks, punishments, reviews
and pool entries appear only for 组织部干部科 (see ``selectors``); edit pages of a visible record answer 403
when the user may not write it. Every view of a file and every export leaves an access record.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from miaopu.apps.cadres.selectors import cadre_get, cadre_list
from miaopu.apps.core.audit import Actor, record_access
from miaopu.apps.core.choices import AuditAction, Role
from miaopu.apps.core.forms import apply_service_errors
from miaopu.apps.units.selectors import unit_get, unit_list
from miaopu.domain.promotion import Status
from miaopu.domain.vocab import CadreStatus

from . import selectors, services
from .exports import FileData, basic_info, cadre_photo, render_docx, render_pdf
from .forms import AttachmentForm, EntryForm, PunishmentForm, TalkForm, TimelineFilterForm
from .models import EntryKind
from .readiness import MAX_CADRES, cadre_answer, readiness_rows
from .timeline import build_timeline, visible_kinds


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


# ---------------------------------------------------------------- the file


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    selectors.require_read(user)
    if user.role == Role.CADRE:
        if not user.cadre_id:
            raise Http404
        return redirect("growth:file", user.cadre_id)
    q = request.GET.get("q", "").strip()
    cadres = cadre_list(user=user).filter(status=CadreStatus.ACTIVE)
    if q:
        cadres = cadres.filter(name__contains=q) | cadres.filter(code=q)
    elif user.role != Role.MENTOR:
        cadres = cadres.none()
    return render(
        request,
        "growth/index.html",
        {
            "q": q,
            "cadres": cadres.order_by("unit__path", "id")[:100],
            "is_orgdept": selectors.is_orgdept(user),
        },
    )


def _filters(request: HttpRequest, kinds: dict[str, str]) -> tuple[TimelineFilterForm, dict]:
    form = TimelineFilterForm(request.GET or None, kinds=kinds)
    data = form.cleaned_data if form.is_valid() else {}
    return form, {
        "kinds": data.get("kind") or None,
        "start": data.get("start"),
        "end": data.get("end"),
        "newest_first": data.get("order") == "desc",
    }


def _filter_text(options: dict, kinds: dict[str, str]) -> str:
    parts = []
    if options["kinds"]:
        parts.append(_("类别：") + "、".join(str(kinds[k]) for k in options["kinds"]))
    if options["start"] or options["end"]:
        parts.append(_("期间：%(a)s 至 %(b)s") % {"a": options["start"] or "…", "b": options["end"] or "…"})
    return "；".join(parts)


@login_required
def file(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    selectors.require_read(user)
    cadre = cadre_get(user=user, pk=pk)
    record_access(_actor(request), AuditAction.VIEW, cadre, detail={"page": "growth_file"})
    kinds = visible_kinds(user)
    form, options = _filters(request, kinds)
    items = build_timeline(user, cadre, **options)
    orgdept = selectors.is_orgdept(user) and selectors.can_write_confidential(user, cadre)
    query = request.GET.urlencode()
    return render(
        request,
        "growth/file.html",
        {
            "cadre": cadre,
            "items": items,
            "filter_form": form,
            "query": query,
            "has_photo": bool(cadre_photo(cadre)),
            "readiness": cadre_answer(cadre) if orgdept else None,
            "can_write": selectors.can_write_entries(user, cadre),
            "can_confidential": orgdept,
            "entry_kinds": EntryKind.choices,
        },
    )


def _file_data(request: HttpRequest, pk: int) -> FileData:
    user = request.user
    selectors.require_read(user)
    cadre = cadre_get(user=user, pk=pk)
    kinds = visible_kinds(user)
    _form, options = _filters(request, kinds)
    orgdept = selectors.is_orgdept(user)
    return FileData(
        cadre=cadre,
        basic=basic_info(cadre),
        items=build_timeline(user, cadre, **options),
        photo=cadre_photo(cadre),
        readiness=cadre_answer(cadre) if orgdept else None,
        filters=_filter_text(options, kinds),
        generated_by=user.display_name,
    )


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def file_print(request: HttpRequest, pk: int) -> HttpResponse:
    data = _file_data(request, pk)
    record_access(_actor(request), AuditAction.EXPORT, data.cadre, detail={"format": "print", "items": len(data.items)})
    return render(request, "growth/file_print.html", {"data": data, "cadre": data.cadre, "has_photo": bool(data.photo)})


@login_required
def file_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    data = _file_data(request, pk)
    record_access(_actor(request), AuditAction.EXPORT, data.cadre, detail={"format": "pdf", "items": len(data.items)})
    return _download(render_pdf(data), f"{data.title}.pdf", "application/pdf")


@login_required
def file_docx(request: HttpRequest, pk: int) -> HttpResponse:
    data = _file_data(request, pk)
    record_access(_actor(request), AuditAction.EXPORT, data.cadre, detail={"format": "docx", "items": len(data.items)})
    return _download(
        render_docx(data),
        f"{data.title}.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@login_required
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_read(request.user)
    cadre = cadre_get(user=request.user, pk=pk)
    data = cadre_photo(cadre)
    if not data:
        raise Http404
    kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return HttpResponse(data, content_type=kind)


# ---------------------------------------------------------------- records


def _record_page(request, *, cadre, form, title, record=None, owner_kind="entry", delete_url="") -> HttpResponse:
    return render(
        request,
        "growth/record_form.html",
        {
            "cadre": cadre,
            "form": form,
            "title": title,
            "record": record,
            "owner_kind": owner_kind,
            "attachments": record.attachments.all() if record is not None else [],
            "attachment_form": AttachmentForm(),
            "delete_url": delete_url,
        },
    )


def _save(request, form, save, success: str, back):
    """Call ``save(data)`` when the form is valid; service errors land on the form. Returns a redirect or None."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        record = save(form.service_data())
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return None
    messages.success(request, success)
    return redirect(back(record))


def _file_url(cadre_id: int) -> str:
    return reverse("growth:file", args=[cadre_id])


@login_required
def entry_create(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_read(request.user)
    cadre = cadre_get(user=request.user, pk=pk)
    if not selectors.can_write_entries(request.user, cadre):
        raise PermissionDenied(_("您无权修改该干部的成长档案。"))
    kind = request.GET.get("kind") if request.GET.get("kind") in EntryKind.values else EntryKind.ACHIEVEMENT
    form = EntryForm(request.POST or None, initial={"kind": kind, "date": dt.date.today()})
    done = _save(
        request,
        form,
        lambda d: services.entry_create(actor=_actor(request), cadre=cadre, data=d),
        _("已添加记录。"),
        lambda r: reverse("growth:entry_edit", args=[r.pk]) + "#attachments",
    )
    return done or _record_page(request, cadre=cadre, form=form, title=_("添加成长记录"))


@login_required
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_read(request.user)
    entry = selectors.entry_get(user=request.user, pk=pk)
    if not selectors.can_write_entries(request.user, entry.cadre):
        raise PermissionDenied(_("您无权修改该干部的成长档案。"))
    form = EntryForm(request.POST or None, instance=entry)
    done = _save(
        request,
        form,
        lambda d: services.entry_update(actor=_actor(request), entry=entry, data=d),
        _("已保存。"),
        lambda r: _file_url(r.cadre_id),
    )
    return done or _record_page(
        request,
        cadre=entry.cadre,
        form=form,
        title=_("修改成长记录"),
        record=entry,
        delete_url=reverse("growth:entry_delete", args=[entry.pk]),
    )


@login_required
@require_POST
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.entry_get(user=request.user, pk=pk)
    cadre_id = entry.cadre_id
    services.entry_delete(actor=_actor(request), entry=entry)
    messages.success(request, _("已删除。"))
    return redirect("growth:file", cadre_id)


def _confidential_cadre(request: HttpRequest, pk: int):
    selectors.require_orgdept(request.user)
    cadre = cadre_get(user=request.user, pk=pk)
    if not selectors.can_write_confidential(request.user, cadre):
        raise PermissionDenied(_("谈心谈话和惩戒记录仅限管理范围内的组织部干部科录入。"))
    return cadre


@login_required
def talk_create(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = _confidential_cadre(request, pk)
    form = TalkForm(request.POST or None, initial={"date": dt.date.today(), "talker": request.user.display_name})
    done = _save(
        request,
        form,
        lambda d: services.talk_create(actor=_actor(request), cadre=cadre, data=d),
        _("已记录谈心谈话。"),
        lambda r: _file_url(r.cadre_id),
    )
    return done or _record_page(request, cadre=cadre, form=form, title=_("记录谈心谈话"))


@login_required
def talk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_orgdept(request.user)
    talk = selectors.talk_get(user=request.user, pk=pk)
    form = TalkForm(request.POST or None, instance=talk)
    done = _save(
        request,
        form,
        lambda d: services.talk_update(actor=_actor(request), talk=talk, data=d),
        _("已保存。"),
        lambda r: _file_url(r.cadre_id),
    )
    return done or _record_page(
        request,
        cadre=talk.cadre,
        form=form,
        title=_("修改谈心谈话"),
        record=talk,
        owner_kind="talk",
        delete_url=reverse("growth:talk_delete", args=[talk.pk]),
    )


@login_required
@require_POST
def talk_delete(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_orgdept(request.user)
    talk = selectors.talk_get(user=request.user, pk=pk)
    cadre_id = talk.cadre_id
    services.talk_delete(actor=_actor(request), talk=talk)
    messages.success(request, _("已删除。"))
    return redirect("growth:file", cadre_id)


@login_required
def punishment_create(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = _confidential_cadre(request, pk)
    form = PunishmentForm(request.POST or None, initial={"date": dt.date.today()})
    done = _save(
        request,
        form,
        lambda d: services.punishment_create(actor=_actor(request), cadre=cadre, data=d),
        _("已记录。"),
        lambda r: _file_url(r.cadre_id),
    )
    return done or _record_page(request, cadre=cadre, form=form, title=_("记录惩戒"))


@login_required
def punishment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_orgdept(request.user)
    punishment = selectors.punishment_get(user=request.user, pk=pk)
    form = PunishmentForm(request.POST or None, instance=punishment)
    done = _save(
        request,
        form,
        lambda d: services.punishment_update(actor=_actor(request), punishment=punishment, data=d),
        _("已保存。"),
        lambda r: _file_url(r.cadre_id),
    )
    return done or _record_page(
        request,
        cadre=punishment.cadre,
        form=form,
        title=_("修改惩戒记录"),
        record=punishment,
        owner_kind="punishment",
        delete_url=reverse("growth:punishment_delete", args=[punishment.pk]),
    )


@login_required
@require_POST
def punishment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_orgdept(request.user)
    punishment = selectors.punishment_get(user=request.user, pk=pk)
    cadre_id = punishment.cadre_id
    services.punishment_delete(actor=_actor(request), punishment=punishment)
    messages.success(request, _("已删除。"))
    return redirect("growth:file", cadre_id)


# ---------------------------------------------------------------- attachments

_OWNERS = {
    "entry": (selectors.entry_get, "growth:entry_edit"),
    "talk": (selectors.talk_get, "growth:talk_edit"),
    "punishment": (selectors.punishment_get, "growth:punishment_edit"),
}


@login_required
@require_POST
def attachment_add(request: HttpRequest, owner: str, pk: int) -> HttpResponse:
    if owner not in _OWNERS:
        raise Http404
    getter, edit_name = _OWNERS[owner]
    record = getter(user=request.user, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    back = reverse(edit_name, args=[record.pk]) + "#attachments"
    if not form.is_valid():
        messages.error(request, _("请选择要上传的文件。"))
        return redirect(back)
    try:
        services.attachment_add(actor=_actor(request), owner=record, upload=form.cleaned_data["file"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已上传附件。"))
    return redirect(back)


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = selectors.attachment_get(user=request.user, pk=pk)
    record_access(_actor(request), AuditAction.VIEW, attachment, detail={"cadre": attachment.cadre_id})
    response = FileResponse(
        attachment.file.open("rb"), content_type=attachment.content_type, as_attachment=True, filename=attachment.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = selectors.attachment_get(user=request.user, pk=pk)
    owner = attachment.owner
    kind = "entry" if attachment.entry_id else "talk" if attachment.talk_id else "punishment"
    services.attachment_delete(actor=_actor(request), attachment=attachment)
    messages.success(request, _("已删除附件。"))
    return redirect(reverse(_OWNERS[kind][1], args=[owner.pk]) + "#attachments")


# ---------------------------------------------------------------- promotion readiness


@login_required
def readiness(request: HttpRequest) -> HttpResponse:
    """成熟一个、使用一个: who in a unit is ready for promotion now, and who within six months, with reasons."""
    user = request.user
    selectors.require_orgdept(user)
    units = unit_list(user=user).select_related(None).only("id", "name", "depth", "path")
    unit_pk = request.GET.get("unit", "")
    unit = unit_get(user=user, pk=int(unit_pk)) if unit_pk.isdigit() else None
    context = {"units": units[:3000], "unit": unit, "limit": MAX_CADRES}
    if unit is not None:
        cadres = cadre_list(user=user).filter(status=CadreStatus.ACTIVE, unit__path__startswith=unit.path)
        count = cadres.count()
        context["count"] = count
        if count <= MAX_CADRES:
            rows = readiness_rows(cadres)
            paths = dict(cadres.values_list("pk", "unit__path"))
            rows.sort(key=lambda r: (paths.get(r.cadre_id, ""), r.cadre_id))
            context["ready"] = [r for r in rows if any(t.status == Status.READY for t in r.answer.tracks)]
            ready_ids = {r.cadre_id for r in context["ready"]}
            context["soon"] = [
                r for r in rows if r.cadre_id not in ready_ids and any(t.status == Status.SOON for t in r.answer.tracks)
            ]
            record_access(
                _actor(request),
                AuditAction.SEARCH,
                "growth.readiness",
                object_repr=unit.name,
                detail={"cadres": count, "ready": len(context["ready"]), "soon": len(context["soon"])},
            )
    return render(request, "growth/readiness.html", context)
