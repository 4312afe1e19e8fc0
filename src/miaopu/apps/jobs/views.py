"""我的任务: the owner's jobs, one job's page with its live progress bar, its status as JSON, its result file;
the submit endpoint for whole-unit exports; and ``/healthz`` for the load balancer and monitoring.

A job's page polls ``status.json`` (static/jobs/jobs.js); closing the page does not stop the job, which runs
in the worker (or the web process's thread on SQLite), and the user can come back through 我的任务.
"""

from __future__ import annotations

import logging
import os
import socket

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connections
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from miaopu.apps.core import access
from miaopu.apps.core.audit import Actor, record_access
from miaopu.apps.core.choices import AuditAction, Role
from miaopu.apps.units.selectors import unit_get

from . import selectors, services
from .models import Job, JobKind, JobStatus
from .runner import backend, media_path, reap_orphans

log = logging.getLogger("miaopu.jobs")


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    return response


def status_data(job: Job, user) -> dict:
    return {
        "id": job.pk,
        "kind": job.kind,
        "kind_label": job.get_kind_display(),
        "status": job.status,
        "status_label": job.get_status_display(),
        "stage": job.stage,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "message": job.message,
        "finished": job.finished,
        "attempts": job.attempts,
        "download_url": reverse("jobs:job_download", args=[job.pk]) if selectors.may_download(user, job) else None,
        "detail_url": reverse("jobs:job_detail", args=[job.pk]),
    }


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    reap_orphans()
    jobs = selectors.job_list(user=request.user).defer("params", "result")
    page = Paginator(jobs, 50).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "jobs": page.object_list,
        "page_range": page.paginator.get_elided_page_range(page.number),
    }
    return _no_store(render(request, "jobs/job_list.html", context))


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reap_orphans()
    job = selectors.job_get(user=request.user, pk=pk)
    context = {"job": job, "status": status_data(job, request.user), "issues": job.result.get("issues", [])}
    return _no_store(render(request, "jobs/job_detail.html", context))


@login_required
@require_GET
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    reap_orphans()
    job = selectors.job_get(user=request.user, pk=pk)
    return _no_store(JsonResponse(status_data(job, request.user)))


@login_required
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_get(user=request.user, pk=pk)
    if not selectors.may_download(request.user, job):
        raise Http404
    try:
        handle = media_path(job.result_file).open("rb")
    except (FileNotFoundError, PermissionDenied) as exc:
        raise Http404 from exc
    record_access(
        Actor.from_request(request),
        AuditAction.EXPORT,
        "jobs.job",
        object_id=job.pk,
        object_repr=job.result_name[:200],
        detail={"kind": job.kind, "file": job.result_name},
    )
    response = FileResponse(handle, as_attachment=True, filename=job.result_name or f"job-{job.pk}")
    return _no_store(response)


#: Kinds a page may submit here, with who may submit them. Imports are submitted by the exchange page.
_SUBMITTABLE = {
    JobKind.ROSTER_EXPORT: lambda user: access.can_export_personnel(user),
    JobKind.GROWTH_PDFS: lambda user: user.role == Role.ORGDEPT and bool(user.scope_unit_id),
    JobKind.ALERTS_REFRESH: lambda user: user.role == Role.ORGDEPT and user.scope_unit and user.scope_unit.depth == 0,
}


@login_required
@require_POST
def job_submit(request: HttpRequest, kind: str) -> HttpResponse:
    user = request.user
    allowed = _SUBMITTABLE.get(kind)
    if allowed is None:
        raise Http404
    if not allowed(user):
        raise PermissionDenied(_("您的角色不能提交这类任务。"))
    params: dict = {}
    if kind in (JobKind.ROSTER_EXPORT, JobKind.GROWTH_PDFS) and request.POST.get("unit"):
        try:
            params["unit"] = unit_get(user=user, pk=int(request.POST["unit"])).pk
        except ValueError as exc:
            raise Http404 from exc
    job, _created = services.job_submit(
        actor=Actor.from_request(request), kind=kind, params=params, key=request.POST.get("key") or None
    )
    return redirect("jobs:job_detail", pk=job.pk)


# --- health -------------------------------------------------------------------------------------------------

#: A worker whose heartbeat is older than this is not counted as alive.
WORKER_HEARTBEAT_SECONDS = 60


def _queue_health() -> dict:
    mode = backend()
    info: dict = {"backend": mode, "ok": True}
    info["queued"] = Job.objects.filter(status=JobStatus.QUEUED).count()
    info["running"] = Job.objects.filter(status=JobStatus.RUNNING).count()
    if mode == "procrastinate":
        with connections["default"].cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM procrastinate_workers WHERE last_heartbeat > now() - make_interval(secs => %s)",
                [WORKER_HEARTBEAT_SECONDS],
            )
            info["workers"] = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'")
            info["waiting"] = cursor.fetchone()[0]
        info["ok"] = info["workers"] > 0
    return info


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """``{"status": "ok"|"fail", "database": …, "queue": …}``; 503 when the database or the queue is down.

    No authentication and no personnel data: counts of jobs and workers only.
    """
    body: dict = {"status": "ok", "time": timezone.localtime().isoformat(timespec="seconds")}
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        body["database"] = {"ok": True, "vendor": connections["default"].vendor}
    except Exception as exc:  # the database is down: say so, do not crash
        log.warning("healthz: database check failed: %s", exc)
        body["database"] = {"ok": False, "error": exc.__class__.__name__}
        body["status"] = "fail"
        return _no_store(JsonResponse(body, status=503))
    try:
        body["queue"] = _queue_health()
    except Exception as exc:
        log.warning("healthz: queue check failed: %s", exc)
        body["queue"] = {"backend": backend(), "ok": False, "error": exc.__class__.__name__}
    if not body["queue"]["ok"]:
        body["status"] = "fail"
    body["instance"] = os.environ.get("MIAOPU_INSTANCE") or socket.gethostname()
    return _no_store(JsonResponse(body, status=200 if body["status"] == "ok" else 503))
