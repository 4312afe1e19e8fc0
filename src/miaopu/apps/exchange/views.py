"""Pages of the exchange app: roster upload with its report, template and exports, 任免审批表 in and out.

Imports are for 组织部 staff (403 for everyone else); exports for the unit-scoped roles, always limited to
their scope by the selectors and written to the access log. A roster upload becomes a background job
(``miaopu.apps.jobs``): the file goes to the shared storage directory, the page shows the upload bar
(static/exchange/upload.js) and then the job's page with its live progress bar; the job goes on when the
page is closed. The form carries an idempotency key, so sending the same form twice gives one job.
任免审批表 files are small and are still checked and imported in the request.

A report may hold personal data (the values of wrong cells), so it is kept only on the server, for its
owner, for one day, and every page here is marked no-store.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from miaopu.apps.cadres.filtersets import CadreFilterSet
from miaopu.apps.cadres.selectors import cadre_get, cadre_list
from miaopu.apps.core import access
from miaopu.apps.core.audit import Actor
from miaopu.apps.core.choices import Role
from miaopu.apps.units.selectors import unit_get, unit_list
from miaopu.domain.vocab import CadreStatus

from . import services
from .files import limits_from_settings
from .forms import LrmxUploadForm, RosterUploadForm
from .lrmx_exchange import lrmx_file_name
from .report import ImportReport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: Issues shown on the page; the downloadable report always has all of them.
SHOWN_ISSUES = 500
REPORT_TTL = dt.timedelta(days=1)


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    return response


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = _disposition(filename)
    return _no_store(response)


def _disposition(filename: str) -> str:
    from urllib.parse import quote

    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def _can_import(user) -> bool:
    return bool(user.is_active and user.role == Role.ORGDEPT and user.scope_unit_id)


def _can_export(user) -> bool:
    return access.can_export_personnel(user)


def _require_export(user) -> None:
    if not _can_export(user):
        raise PermissionDenied(_("您的角色不能导出干部信息。"))


# --- report storage -------------------------------------------------------------------------------------


def _report_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "exchange-reports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _store_report(user, report: ImportReport) -> str:
    folder = _report_dir()
    cutoff = time.time() - REPORT_TTL.total_seconds()
    for old in folder.glob("*.json"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(16)
    path = folder / f"{token}.json"
    path.write_text(json.dumps({"user": user.pk, "report": report.to_dict()}, ensure_ascii=False), "utf-8")
    path.chmod(0o600)
    return token


def _load_report(user, token: str) -> ImportReport:
    if not token.replace("-", "").replace("_", "").isalnum():
        raise Http404
    path = _report_dir() / f"{token}.json"
    if not path.exists() or path.stat().st_mtime < time.time() - REPORT_TTL.total_seconds():
        raise Http404
    stored = json.loads(path.read_text("utf-8"))
    if stored.get("user") != user.pk:
        raise Http404
    return ImportReport.from_dict(stored["report"])


def _report_page(request: HttpRequest, template: str, form, report: ImportReport | None) -> HttpResponse:
    token = _store_report(request.user, report) if report is not None and report.issues else None
    context = {
        "form": form,
        "report": report,
        "issues": report.issues[:SHOWN_ISSUES] if report else [],
        "hidden_issues": max(len(report.issues) - SHOWN_ISSUES, 0) if report else 0,
        "report_token": token,
        "max_mb": limits_from_settings().max_file_bytes // (1024 * 1024),
    }
    status = 200 if report is None or report.ok else 422
    return _no_store(render(request, template, context, status=status))


# --- pages ----------------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not _can_export(user):
        raise PermissionDenied(_("您的角色不能使用数据交换。"))
    units = unit_list(user=user).select_related(None).only("id", "name", "depth", "path").order_by("path")
    base = user.scope_unit.depth if user.scope_unit else 0
    context = {
        "can_import": _can_import(user),
        "job_key": secrets.token_urlsafe(12),
        "units": [(u.pk, "\u3000" * max(u.depth - base, 0) + u.name) for u in units],
    }
    return _no_store(render(request, "exchange/index.html", context))


@login_required
@require_http_methods(["GET", "POST"])
def roster_import(request: HttpRequest) -> HttpResponse:
    if not _can_import(request.user):
        raise PermissionDenied(_("只有组织部干部科的账号可以导入干部名册。"))
    if request.method == "GET":
        return _report_page(request, "exchange/roster_import.html", RosterUploadForm(), None)
    form = RosterUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _report_page(request, "exchange/roster_import.html", form, None)
    upload = form.cleaned_data["file"]
    limits = limits_from_settings()
    if upload.size > limits.max_file_bytes:
        report = ImportReport(file_name=upload.name)
        report.error(
            _("文件"),
            _("文件太大（%(size)s MB），上限为 %(cap)s MB。请拆分后分批导入。")
            % {"size": upload.size // (1024 * 1024), "cap": limits.max_file_bytes // (1024 * 1024)},
        )
        return _report_page(request, "exchange/roster_import.html", RosterUploadForm(), report)
    job = _submit_import(request, upload, dry_run=form.cleaned_data["dry_run"], key=form.cleaned_data["key"])
    return redirect("jobs:job_detail", pk=job.pk)


def _submit_import(request: HttpRequest, upload, *, dry_run: bool, key: str):
    """Keep the file in the shared storage and hand it to a job (one job per form key)."""
    from miaopu.apps.jobs.models import JobKind
    from miaopu.apps.jobs.runner import media_path, store_input
    from miaopu.apps.jobs.services import job_submit

    suffix = Path(upload.name).suffix.lower()[:10] or ".bin"
    stored = store_input(upload.read(), suffix)
    job, created = job_submit(
        actor=Actor.from_request(request),
        kind=JobKind.ROSTER_IMPORT,
        params={"input": stored, "file_name": upload.name, "dry_run": dry_run},
        key=f"roster-import:{key}" if key else None,
    )
    if not created:
        media_path(stored).unlink(missing_ok=True)
    return job


@login_required
def report_download(request: HttpRequest, token: str) -> HttpResponse:
    report = _load_report(request.user, token)
    stem = Path(report.file_name).stem or "import"
    return _download(report.workbook_bytes(), f"{stem}-导入报告.xlsx", XLSX)


@login_required
def roster_template(request: HttpRequest) -> HttpResponse:
    _require_export(request.user)
    return _download(services.template_bytes(), "干部名册模板.xlsx", XLSX)


@login_required
def roster_export(request: HttpRequest) -> HttpResponse:
    """The roster workbook of the user's scope, of one unit (``?unit=ID``), or of the cadre list's filter.

    ``?from=list&…`` takes the cadre list's query string and applies the same filters and the same
    default (在职 only unless 状态 is given), so the file holds the list the user was looking at.
    """
    user = request.user
    _require_export(user)
    actor = Actor.from_request(request)
    unit = None
    cadres = None
    filters: dict = {}
    if request.GET.get("from") == "list":
        data = request.GET.copy()
        data.pop("from", None)
        if "status" not in data:
            data["status"] = CadreStatus.ACTIVE.value
        filterset = CadreFilterSet(data, queryset=cadre_list(user=user), user=user)
        if not filterset.is_valid():
            raise Http404
        cadres = filterset.qs
        filters = {k: v for k, v in data.items() if k not in ("page", "sort")}
    elif request.GET.get("unit"):
        try:
            unit = unit_get(user=user, pk=int(request.GET["unit"]))
        except ValueError as exc:
            raise Http404 from exc
    buffer = io.BytesIO()
    services.roster_export(actor=actor, target=buffer, unit=unit, cadres=cadres, filters=filters)
    stamp = dt.date.today().strftime("%Y%m%d")
    name = f"干部名册-{unit.name if unit else user.scope_unit.name}-{stamp}.xlsx"
    return _download(buffer.getvalue(), name, XLSX)


@login_required
@require_http_methods(["GET", "POST"])
def lrmx_import(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not _can_import(user):
        raise PermissionDenied(_("只有组织部干部科的账号可以导入任免审批表。"))
    units = unit_list(user=user)
    if request.method == "GET":
        return _report_page(request, "exchange/lrmx_import.html", LrmxUploadForm(units=units), None)
    form = LrmxUploadForm(request.POST, request.FILES, units=units)
    if not form.is_valid():
        return _report_page(request, "exchange/lrmx_import.html", form, None)
    limits = limits_from_settings()
    uploads = form.cleaned_data["files"]
    if sum(f.size for f in uploads) > limits.max_file_bytes:
        report = ImportReport(file_name=uploads[0].name, kind="lrmx")
        report.error(_("文件"), _("文件太大，上限为 %(cap)s MB。") % {"cap": limits.max_file_bytes // (1024 * 1024)})
    else:
        report = services.lrmx_import(
            actor=Actor.from_request(request),
            files=[(f.name, f.read()) for f in uploads],
            default_unit=form.cleaned_data["unit"],
            dry_run=form.cleaned_data["dry_run"],
            limits=limits,
        )
    return _report_page(request, "exchange/lrmx_import.html", LrmxUploadForm(units=units), report)


@login_required
def cadre_lrmx(request: HttpRequest, pk: int) -> HttpResponse:
    _require_export(request.user)
    cadre = cadre_get(user=request.user, pk=pk)
    data = services.cadre_lrmx(actor=Actor.from_request(request), cadre=cadre)
    return _download(data, lrmx_file_name(cadre, "lrmx"), "application/xml")


@login_required
def cadre_docx(request: HttpRequest, pk: int) -> HttpResponse:
    _require_export(request.user)
    cadre = cadre_get(user=request.user, pk=pk)
    data = services.cadre_docx(actor=Actor.from_request(request), cadre=cadre)
    return _download(data, lrmx_file_name(cadre, "docx"), DOCX)
