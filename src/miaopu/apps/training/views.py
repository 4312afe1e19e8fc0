"""Training pages: catalogue, classes (sessions, trainees, bulk attendance and scores, ranking), on-demand orders
and the demand they add up to, research topics; and the cadre's own "my training".

Access: every page needs a personnel role (403 otherwise); objects come from the scoped selectors (404 outside
the scope); management pages need 组织部干部科 whose scope holds the class/topic (403 otherwise). Views stay
thin: forms parse, services decide.
"""

from __future__ import annotations

import datetime as dt
import functools
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from miaopu.apps.core.audit import Actor, record_access
from miaopu.apps.core.choices import AuditAction, Role
from miaopu.apps.core.forms import apply_service_errors, form_errors_to_messages
from miaopu.apps.units.selectors import unit_list
from miaopu.domain.training import COMPONENT_LABELS, COMPONENTS, describe_rank

from . import selectors, services
from .forms import (
    ClassForm,
    CourseForm,
    EnrolForm,
    MeetingForm,
    OrderForm,
    PeriodForm,
    ReportForm,
    ReviewForm,
    ScheduleForm,
    SessionForm,
    TopicForm,
    WeightsForm,
)
from .models import AttendanceStatus, ClassStatus, EnrolmentStatus, OrderStatus, TeachingForm
from .ranking import class_standings

PAGE_SIZE = 50


def training_view(view):
    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        selectors.require_read(request.user)
        return view(request, *args, **kwargs)

    return wrapped


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


def _page(request: HttpRequest, items) -> dict:
    paginator = Paginator(items, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return {"page_obj": page, "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)}


def _form_page(request, form, title, back, *, extra=None) -> HttpResponse:
    return render(request, "training/form.html", {"form": form, "title": title, "back": back, **(extra or {})})


def _save(request, form, save, success: str, back):
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        record = save(form)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return None
    messages.success(request, success)
    return redirect(back(record))


def _managed(request: HttpRequest, get, pk: int | None, refusal: str):
    """The record ``pk`` (through its scoped selector) if the user manages its unit; None for a new one, which
    needs a manager."""
    if pk is None:
        selectors.require_manager(request.user)
        return None
    record = get(user=request.user, pk=pk)
    if not selectors.can_manage(request.user, record.scope_unit):
        raise PermissionDenied(refusal)
    return record


def _edit(request, form, save, *, title: str, success: str, back: str, after) -> HttpResponse:
    """The create-or-edit page: save and go to ``after(record)``, or show the form (with the service's errors)."""
    return _save(request, form, save, success, after) or _form_page(request, form, title, back)


def _run(request, call, success: str) -> bool:
    """Call a service from a POST-only action; service errors become messages."""
    try:
        result = call()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return False
    messages.success(request, success(result) if callable(success) else success)
    return True


def _period(request: HttpRequest) -> tuple[PeriodForm, dict]:
    form = PeriodForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    unit = None
    if request.GET.get("unit"):
        unit = (
            unit_list(user=request.user).filter(pk=request.GET["unit"]).first()
            if request.GET["unit"].isdigit()
            else None
        )
    return form, {"start": data.get("start"), "end": data.get("end"), "q": (data.get("q") or "").strip(), "unit": unit}


# ---------------------------------------------------------------- home


@training_view
def index(request: HttpRequest) -> HttpResponse:
    if selectors.is_manager(request.user):
        return redirect("training:class_list")
    return redirect("training:mine")


@training_view
def mine(request: HttpRequest) -> HttpResponse:
    """The cadre's own enrolments, orders and topics (others see what their scope holds)."""
    user = request.user
    enrolments = selectors.enrolment_list(user=user).select_related("klass").order_by("-klass__start")
    orders = selectors.order_list(user=user).order_by("-created_at")
    topics = selectors.topic_list(user=user).order_by("-start")
    if user.role != Role.CADRE:
        enrolments, orders, topics = enrolments[:50], orders[:50], topics[:50]
    return render(
        request,
        "training/mine.html",
        {"enrolments": enrolments, "orders": orders, "topics": topics, "can_order": selectors.can_order(user)},
    )


# ---------------------------------------------------------------- catalogue


@training_view
def course_list(request: HttpRequest) -> HttpResponse:
    courses = selectors.course_list(user=request.user).annotate(
        n_orders=Count("orders", distinct=True), n_sessions=Count("sessions", distinct=True)
    )
    theme = request.GET.get("theme", "")
    if theme:
        courses = courses.filter(theme=theme)
    themes = (
        selectors.course_list(user=request.user)
        .order_by("county__path", "theme")
        .values_list("theme", "county__name")
        .distinct()
    )
    return render(
        request,
        "training/course_list.html",
        {
            "courses": courses.order_by("theme", "topic"),
            "themes": list(dict.fromkeys(themes)),
            "theme": theme,
            "is_manager": selectors.is_manager(request.user),
            "can_order": selectors.can_order(request.user),
        },
    )


@training_view
def course_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add a course (``pk`` None) or change one: one form, one page."""
    course = _managed(request, selectors.course_get, pk, _("您无权管理该单位举办的培训。"))
    return _edit(
        request,
        CourseForm(request.POST or None, instance=course, user=request.user, initial=None if course else {"hours": 3}),
        lambda f: (
            services.course_update(actor=_actor(request), course=course, data=f.service_data())
            if course
            else services.course_create(actor=_actor(request), data=f.service_data())
        ),
        title=_("修改课程") if course else _("添加课程"),
        success=_("已保存。") if course else _("已添加课程。"),
        back=reverse("training:course_list"),
        after=lambda r: reverse("training:course_list"),
    )


# ---------------------------------------------------------------- classes


@training_view
def class_list(request: HttpRequest) -> HttpResponse:
    form, p = _period(request)
    classes = selectors.class_list(user=request.user)
    if p["start"]:
        classes = classes.filter(end__gte=p["start"])
    if p["end"]:
        classes = classes.filter(start__lte=p["end"])
    if p["unit"] is not None:
        classes = classes.filter(enrolments__cadre__unit__path__startswith=p["unit"].path).distinct()
    if p["q"]:
        classes = classes.filter(name__contains=p["q"])
    visible = selectors.enrolment_list(user=request.user)
    classes = classes.annotate(
        n_trainees=Count("enrolments", filter=Q(enrolments__in=visible.values("pk")), distinct=True),
        n_sessions=Count("sessions", distinct=True),
    ).order_by("-start", "-id")
    return render(
        request,
        "training/class_list.html",
        {"filter_form": form, "is_manager": selectors.is_manager(request.user), **_page(request, classes)},
    )


@training_view
def class_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a class (``pk`` None) or change one."""
    klass = _managed(request, selectors.class_get, pk, _("您无权管理该单位举办的培训。"))
    return _edit(
        request,
        ClassForm(request.POST or None, instance=klass, user=request.user),
        lambda f: (
            services.class_update(actor=_actor(request), klass=klass, data=f.service_data())
            if klass
            else services.class_create(actor=_actor(request), data=f.service_data())
        ),
        title=_("修改培训班") if klass else _("新建培训班"),
        success=_("已保存。") if klass else _("已创建培训班。"),
        back=reverse("training:class_detail", args=[klass.pk]) if klass else reverse("training:class_list"),
        after=lambda r: reverse("training:class_detail", args=[r.pk]),
    )


def _managed_class(request: HttpRequest, pk: int):
    return _managed(request, selectors.class_get, pk, _("您无权管理该单位举办的培训。"))


def _trainee_rows(user, klass) -> list[dict]:
    trainees = list(selectors.class_trainees(user=user, klass=klass).order_by("cadre__unit__path", "cadre_id"))
    standings = class_standings(klass)
    closed = klass.status == ClassStatus.CLOSED
    rows = []
    for e in trainees:
        s = standings.get(e.pk)
        rank = e.rank if closed else (s.rank if s else None)
        size = e.class_size if closed else (s.size if s else 0)
        total = e.total if closed else (s.total if s else None)
        rows.append(
            {
                "e": e,
                "rank": rank,
                "rank_text": describe_rank(rank, size or 0),
                "total": total,
                "attendance": s.parts.get("attendance") if s else None,
                "missing": [COMPONENT_LABELS[m] for m in (s.missing if s else ())],
            }
        )
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["e"].cadre.name))
    return rows


@training_view
def class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    klass = selectors.class_get(user=user, pk=pk)
    manage = selectors.can_manage(user, klass.scope_unit)
    record_access(_actor(request), AuditAction.VIEW, klass, detail={"page": "training_class"})
    sessions = list(klass.sessions.select_related("course").annotate(n_orders=Count("orders")))
    return render(
        request,
        "training/class_detail.html",
        {
            "klass": klass,
            "manage": manage,
            "open": klass.status != ClassStatus.CLOSED,
            "sessions": sessions,
            "rows": _trainee_rows(user, klass),
            "weights": [(COMPONENT_LABELS[k], klass.weights.get(k, 0)) for k in COMPONENTS],
            "weights_form": WeightsForm(weights=klass.weights) if manage else None,
            "enrol_form": EnrolForm(user=user) if manage else None,
            "session_form": SessionForm(initial={"date": klass.start}) if manage else None,
            "topics": selectors.topic_list(user=user).filter(klass=klass),
        },
    )


@require_POST
@training_view
def class_weights(request: HttpRequest, pk: int) -> HttpResponse:
    klass = _managed_class(request, pk)
    form = WeightsForm(request.POST, weights=klass.weights)
    if form.is_valid():
        _run(
            request,
            lambda: services.class_set_weights(actor=_actor(request), klass=klass, weights=form.weights()),
            _("已更新排名权重，名次已按新权重重新计算。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("training:class_detail", klass.pk)


@require_POST
@training_view
def class_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    klass = _managed_class(request, pk)
    form = EnrolForm(request.POST, user=request.user)
    if form.is_valid():
        _run(
            request,
            lambda: services.enrol(actor=_actor(request), klass=klass, cadres=form.cleaned_data["codes"]),
            lambda created: _("已加入学员 %(n)s 名。") % {"n": len(created)},
        )
    else:
        for error in form.errors.get("codes", []):
            messages.error(request, error)
    return redirect("training:class_detail", klass.pk)


@require_POST
@training_view
def class_session_add(request: HttpRequest, pk: int) -> HttpResponse:
    klass = _managed_class(request, pk)
    form = SessionForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.session_create(actor=_actor(request), klass=klass, data=form.service_data()),
            _("已添加课次。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("training:class_detail", klass.pk)


@require_POST
@training_view
def session_delete(request: HttpRequest, pk: int) -> HttpResponse:
    from .models import ClassSession

    session = get_object_or_404(ClassSession.objects.select_related("klass"), pk=pk)
    klass = _managed_class(request, session.klass_id)
    _run(request, lambda: services.session_delete(actor=_actor(request), session=session), _("已删除课次。"))
    return redirect("training:class_detail", klass.pk)


@require_POST
@training_view
def enrolment_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = get_object_or_404(selectors.enrolment_list(user=request.user), pk=pk)
    klass = _managed_class(request, enrolment.klass_id)
    _run(
        request,
        lambda: services.enrolment_withdraw(
            actor=_actor(request), enrolment=enrolment, note=request.POST.get("note", "")
        ),
        _("已记为中途退出。"),
    )
    return redirect("training:class_detail", klass.pk)


@training_view
def class_scores(request: HttpRequest, pk: int) -> HttpResponse:
    """Bulk score entry: one row per trainee, Tab moves along the row, Enter saves the whole table."""
    klass = _managed_class(request, pk)
    trainees = list(klass.enrolments.select_related("cadre", "cadre__unit").order_by("cadre__unit__path", "cadre_id"))
    errors: list[str] = []
    values: dict[int, dict[str, str]] = {}
    if request.method == "POST":
        rows = {}
        for e in trainees:
            if e.status == EnrolmentStatus.WITHDRAWN:
                continue
            rows[e.pk] = {f: request.POST.get(f"{f}-{e.pk}", "") for f in services.SCORE_FIELDS}
        values = rows
        try:
            changed = services.scores_record(actor=_actor(request), klass=klass, rows=rows)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("已保存成绩，%(n)s 名学员有变动。") % {"n": changed})
            return redirect("training:class_detail", klass.pk)
    table = []
    for e in trainees:
        row_values = values.get(e.pk) or {
            f: "" if getattr(e, f) is None else str(getattr(e, f)) for f in services.SCORE_FIELDS
        }
        table.append({"e": e, "cells": [(f, row_values[f]) for f in services.SCORE_FIELDS]})
    labels = [COMPONENT_LABELS[f] for f in services.SCORE_FIELDS]
    return render(
        request,
        "training/class_scores.html",
        {
            "klass": klass,
            "table": table,
            "labels": labels,
            "errors": errors,
            "open": klass.status != ClassStatus.CLOSED,
        },
    )


@training_view
def class_scores_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The class's score sheet to fill in (its trainees and the scores so far), recorded as an export."""
    from . import sheets

    klass = _managed_class(request, pk)
    enrolments = list(klass.enrolments.select_related("cadre", "cadre__unit").order_by("cadre__unit__path", "cadre_id"))
    record_access(_actor(request), AuditAction.EXPORT, klass, detail={"sheet": "scores", "rows": len(enrolments)})
    response = HttpResponse(
        sheets.template_bytes(klass, enrolments),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{klass.name}-成绩.xlsx')}"
    return response


@require_POST
@training_view
def class_scores_import(request: HttpRequest, pk: int) -> HttpResponse:
    """The filled-in sheet: every line checked, then all scores saved — or none, with every problem listed."""
    from . import sheets

    klass = _managed_class(request, pk)
    upload = request.FILES.get("sheet")
    if upload is None:
        messages.error(request, _("请选择要导入的成绩表（.xlsx）。"))
        return redirect("training:class_scores", klass.pk)
    try:
        rows, problems = sheets.read_scores(data=upload.read(), name=upload.name, klass=klass)
        changed = services.scores_record(actor=_actor(request), klass=klass, rows=rows, problems=problems)
    except ValidationError as exc:
        messages.error(request, _("成绩表有 %(n)s 处问题，没有保存任何成绩：") % {"n": len(exc.messages)})
        for message in exc.messages:
            messages.error(request, message)
        return redirect("training:class_scores", klass.pk)
    messages.success(request, _("已导入成绩表，%(n)s 名学员有变动。") % {"n": changed})
    return redirect("training:class_detail", klass.pk)


@training_view
def session_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    from .models import Attendance, ClassSession

    session = get_object_or_404(ClassSession.objects.select_related("klass", "course"), pk=pk)
    klass = _managed_class(request, session.klass_id)
    trainees = list(klass.enrolments.exclude(status=EnrolmentStatus.WITHDRAWN).select_related("cadre", "cadre__unit"))
    trainees.sort(key=lambda e: (e.cadre.unit.path, e.cadre_id))
    current = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "status"))
    errors: list[str] = []
    if request.method == "POST":
        statuses = {e.pk: request.POST.get(f"a-{e.pk}", AttendanceStatus.PRESENT) for e in trainees}
        try:
            services.attendance_record(actor=_actor(request), session=session, statuses=statuses)
        except ValidationError as exc:
            errors = exc.messages
            current = statuses
        else:
            messages.success(request, _("已保存考勤。"))
            return redirect("training:class_detail", klass.pk)
    return render(
        request,
        "training/attendance.html",
        {
            "klass": klass,
            "session": session,
            "rows": [(e, current.get(e.pk, AttendanceStatus.PRESENT)) for e in trainees],
            "choices": AttendanceStatus.choices,
            "errors": errors,
            "open": klass.status != ClassStatus.CLOSED,
        },
    )


@require_POST
@training_view
def class_close(request: HttpRequest, pk: int) -> HttpResponse:
    klass = _managed_class(request, pk)
    raw = request.POST.get("on", "")
    try:
        on = dt.date.fromisoformat(raw) if raw else klass.end
    except ValueError:
        messages.error(request, _("结业日期格式应为 YYYY-MM-DD。"))
        return redirect("training:class_detail", klass.pk)
    _run(
        request,
        lambda: services.class_close(actor=_actor(request), klass=klass, on=on),
        lambda n: _("已结业：%(n)s 名学员的名次已记入成长档案。") % {"n": n},
    )
    return redirect("training:class_detail", klass.pk)


@require_POST
@training_view
def class_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    klass = _managed_class(request, pk)
    _run(request, lambda: services.class_reopen(actor=_actor(request), klass=klass), _("已重新开放，名次暂时撤回。"))
    return redirect("training:class_detail", klass.pk)


@training_view
def trainee_list(request: HttpRequest) -> HttpResponse:
    """Trainees of classes in a period (the dashboard's 参训干部 figure opens this list)."""
    form, p = _period(request)
    rows = selectors.enrolment_list(user=request.user).exclude(status=EnrolmentStatus.WITHDRAWN)
    if p["start"]:
        rows = rows.filter(klass__end__gte=p["start"])
    if p["end"]:
        rows = rows.filter(klass__start__lte=p["end"])
    if p["unit"] is not None:
        rows = rows.filter(cadre__unit__path__startswith=p["unit"].path)
    if p["q"]:
        rows = rows.filter(Q(cadre__name__contains=p["q"]) | Q(cadre__code=p["q"]))
    rows = rows.order_by("cadre__unit__path", "cadre_id", "-klass__start")
    cadres = rows.values("cadre_id").distinct().count()
    return render(
        request,
        "training/trainee_list.html",
        {"filter_form": form, "cadres": cadres, "unit": p["unit"], **_page(request, rows)},
    )


# ---------------------------------------------------------------- on-demand orders


@training_view
def order_list(request: HttpRequest) -> HttpResponse:
    orders = selectors.order_list(user=request.user)
    status = request.GET.get("status", "")
    if status in OrderStatus.values:
        orders = orders.filter(status=status)
    return render(
        request,
        "training/order_list.html",
        {
            "statuses": OrderStatus.choices,
            "status": status,
            "is_manager": selectors.is_manager(request.user),
            "can_order": selectors.can_order(request.user),
            **_page(request, orders.order_by("-created_at", "-id")),
        },
    )


@training_view
def order_create(request: HttpRequest) -> HttpResponse:
    if not selectors.can_order(request.user):
        raise PermissionDenied(_("您的角色不能点单。"))
    initial = {}
    if request.GET.get("course", "").isdigit():
        initial["course"] = int(request.GET["course"])
    form = OrderForm(request.POST or None, user=request.user, initial=initial)
    done = _save(
        request,
        form,
        lambda f: services.order_create(actor=_actor(request), data=f.service_data()),
        _("已提交点单，组织部将统筹安排。"),
        lambda r: reverse("training:order_list"),
    )
    return done or _form_page(request, form, _("点单"), reverse("training:order_list"))


@training_view
def demand(request: HttpRequest) -> HttpResponse:
    """Demand grouped by topic and post category; staff schedule a session answering a group's open orders."""
    selectors.require_manager(request.user)
    rows = selectors.demand(user=request.user)
    classes = selectors.class_list(user=request.user).exclude(status=ClassStatus.CLOSED)
    classes = classes.filter(pk__in=[c.pk for c in classes if selectors.can_manage(request.user, c.scope_unit)])
    open_orders = selectors.order_list(user=request.user).filter(status=OrderStatus.OPEN).order_by("created_at")
    groups: dict[tuple, list] = {}
    for o in open_orders:
        groups.setdefault((o.course_id, o.topic.strip(), o.post_category), []).append(o)
    for row in rows:
        row.open_orders = groups.get((row.course_id, row.topic, row.post_category), [])
    return render(
        request,
        "training/demand.html",
        {"rows": rows, "schedule_form": ScheduleForm(classes=classes), "has_classes": classes.exists()},
    )


@require_POST
@training_view
def demand_schedule(request: HttpRequest) -> HttpResponse:
    selectors.require_manager(request.user)
    ids = [int(x) for x in request.POST.getlist("orders") if x.isdigit()]
    orders = list(selectors.order_list(user=request.user).filter(pk__in=ids))
    if len(orders) != len(set(ids)):
        raise Http404
    classes = selectors.class_list(user=request.user)
    form = ScheduleForm(request.POST, classes=classes)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("training:demand")
    data = form.cleaned_data
    klass = data["klass"]
    if not selectors.can_manage(request.user, klass.scope_unit):
        raise PermissionDenied(_("您无权管理该单位举办的培训。"))
    course = next((o.course for o in orders if o.course_id), None)
    session_data = {
        "course": course,
        "title": data["title"] or ("" if course else (orders[0].topic if orders else "")),
        "date": data["date"],
        "hours": data["hours"],
        "teacher": data["teacher"],
    }
    if _run(
        request,
        lambda: services.orders_schedule(actor=_actor(request), orders=orders, klass=klass, data=session_data),
        lambda s: (
            _("已在“%(c)s”安排课次（%(d)s），答复点单 %(n)s 条。")
            % {"c": str(klass), "d": s.date.isoformat(), "n": len(orders)}
        ),
    ):
        return redirect("training:class_detail", klass.pk)
    return redirect("training:demand")


@require_POST
@training_view
def order_decline(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.order_get(user=request.user, pk=pk)
    _run(
        request,
        lambda: services.order_decline(actor=_actor(request), order=order, answer=request.POST.get("answer", "")),
        _("已答复不予安排。"),
    )
    return redirect("training:order_list")


# ---------------------------------------------------------------- research topics


@training_view
def topic_list(request: HttpRequest) -> HttpResponse:
    form, p = _period(request)
    topics = selectors.topic_list(user=request.user).prefetch_related("owners")
    awarded = request.GET.get("awarded") == "1"
    if awarded:
        topics = topics.exclude(award="")
        if p["start"]:
            topics = topics.filter(reviewed_on__gte=p["start"])
        if p["end"]:
            topics = topics.filter(reviewed_on__lte=p["end"])
    else:
        if p["start"]:
            topics = topics.filter(due__gte=p["start"])
        if p["end"]:
            topics = topics.filter(start__lte=p["end"])
    if p["unit"] is not None:
        topics = topics.filter(owners__unit__path__startswith=p["unit"].path).distinct()
    if p["q"]:
        topics = topics.filter(title__contains=p["q"])
    return render(
        request,
        "training/topic_list.html",
        {
            "filter_form": form,
            "awarded": awarded,
            "is_manager": selectors.is_manager(request.user),
            "today": dt.date.today(),
            **_page(request, topics.order_by("-start", "-id")),
        },
    )


@training_view
def topic_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Register a research topic (``pk`` None) or change one."""
    topic = _managed(request, selectors.topic_get, pk, _("您无权管理该调研课题。"))

    def save(f):
        owners = f.cleaned_data["owner_codes"]
        if topic:
            return services.topic_update(actor=_actor(request), topic=topic, data=f.service_data(), owners=owners)
        return services.topic_create(actor=_actor(request), data=f.service_data(), owners=owners)

    return _edit(
        request,
        TopicForm(
            request.POST or None,
            instance=topic,
            user=request.user,
            initial=None if topic else {"start": dt.date.today()},
        ),
        save,
        title=_("修改调研课题") if topic else _("新建调研课题"),
        success=_("已保存。") if topic else _("已立项。"),
        back=reverse("training:topic_detail", args=[topic.pk]) if topic else reverse("training:topic_list"),
        after=lambda r: reverse("training:topic_detail", args=[r.pk]),
    )


def _managed_topic(request: HttpRequest, pk: int):
    return _managed(request, selectors.topic_get, pk, _("您无权管理该调研课题。"))


@training_view
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    topic = selectors.topic_get(user=user, pk=pk)
    manage = selectors.can_manage(user, topic.scope_unit)
    record_access(_actor(request), AuditAction.VIEW, topic, detail={"page": "training_topic"})
    return render(
        request,
        "training/topic_detail.html",
        {
            "topic": topic,
            "owners": selectors.topic_owners(user=user, topic=topic),
            "meetings": selectors.meeting_list(topic=topic),
            "manage": manage,
            "can_upload": selectors.can_upload_report(user, topic),
            "meeting_form": MeetingForm(initial={"date": dt.date.today()}) if manage else None,
            "report_form": ReportForm(),
            "review_form": ReviewForm(
                initial={
                    "review_score": topic.review_score,
                    "award": topic.award,
                    "reviewed_on": topic.reviewed_on or dt.date.today(),
                    "note": topic.review_note,
                }
            )
            if manage
            else None,
        },
    )


@require_POST
@training_view
def meeting_add(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _managed_topic(request, pk)
    form = MeetingForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.meeting_add(actor=_actor(request), topic=topic, data=form.service_data()),
            _("已记录推进会。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("training:topic_detail", topic.pk)


@require_POST
@training_view
def report_upload(request: HttpRequest, pk: int) -> HttpResponse:
    topic = selectors.topic_get(user=request.user, pk=pk)
    if not selectors.can_upload_report(request.user, topic):
        raise PermissionDenied(_("只有课题承担人或管理该课题的组织部干部科可以上传报告。"))
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid():
        _run(
            request,
            lambda: services.report_upload(actor=_actor(request), topic=topic, upload=form.cleaned_data["report"]),
            _("已上传调研报告。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("training:topic_detail", topic.pk)


@training_view
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    topic = selectors.topic_get(user=request.user, pk=pk)
    if not topic.report:
        raise Http404
    record_access(_actor(request), AuditAction.EXPORT, topic, detail={"file": topic.report_name})
    response = FileResponse(topic.report.open("rb"), content_type=topic.report_type or "application/octet-stream")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(topic.report_name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@training_view
def topic_review(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _managed_topic(request, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        _run(
            request,
            lambda: services.topic_review(
                actor=_actor(request),
                topic=topic,
                score=d["review_score"],
                award=d["award"],
                reviewed_on=d["reviewed_on"],
                note=d["note"],
            ),
            _("已记录评审结果，并记入承担人的成长档案。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("training:topic_detail", topic.pk)


#: Exposed for templates listing teaching forms.
TEACHING_FORMS = TeachingForm.choices
