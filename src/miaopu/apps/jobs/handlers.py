"""What each kind of job does. Every handler calls the same services, selectors and audit as the pages do,
as the job's owner (their role and scope as of the run), and reports progress.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from miaopu.apps.core.audit import Actor

from .models import Job, JobKind
from .runner import Outcome, media_path, register, storage_dir

#: Issues kept on the job for the page; the downloadable report has all of them.
SHOWN_ISSUES = 500


@register(JobKind.ROSTER_IMPORT, atomic=True)
def roster_import(job: Job, actor: Actor, progress) -> Outcome:
    """The roster workbook, all or nothing: with the job's completion in one transaction (PostgreSQL)."""
    from miaopu.apps.exchange import services
    from miaopu.apps.exchange.files import limits_from_settings

    path = media_path(job.params["input"])
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Outcome(ok=False, message=_("上传的文件已不在共享存储目录中，请重新上传。"))
    report = services.roster_import(
        actor=actor,
        data=data,
        file_name=job.params.get("file_name", ""),
        dry_run=bool(job.params.get("dry_run")),
        limits=limits_from_settings(),
        progress=progress,
    )
    result = {
        "ok": report.ok,
        "written": report.written,
        "dry_run": report.dry_run,
        "summary": report.summary(),
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "audit_id": report.audit_id,
        "seconds": round(report.seconds, 1),
        "counts": [[sheet, vars(c)] for sheet, c in report.counts.items()],  # a list: the sheets' order
        "issues": [
            {"level": i.level, "location": i.location, "header": i.header, "value": i.value, "message": i.message}
            for i in report.issues[:SHOWN_ISSUES]
        ],
    }
    stem = Path(report.file_name).stem or "import"
    outcome = Outcome(ok=report.ok, message=report.summary(), result=result)
    if report.issues:
        outcome.file_bytes = report.workbook_bytes()
        outcome.file_name = f"{stem}-导入报告.xlsx"
    return outcome


def _unit(actor: Actor, unit_id):
    from miaopu.apps.units.selectors import unit_get

    if not unit_id:
        return None
    from django.http import Http404

    try:
        return unit_get(user=actor.user, pk=int(unit_id))
    except Http404 as exc:
        raise PermissionDenied(_("该单位不在您的管理范围内。")) from exc


@register(JobKind.ROSTER_EXPORT)
def roster_export(job: Job, actor: Actor, progress) -> Outcome:
    from miaopu.apps.exchange import services

    unit = _unit(actor, job.params.get("unit"))
    path = storage_dir("results") / f"{job.pk}-roster.xlsx"
    with path.open("wb") as target:
        result = services.roster_export(actor=actor, target=target, unit=unit, progress=progress)
    path.chmod(0o600)
    scope = unit.name if unit else actor.user.scope_unit.name
    name = f"干部名册-{scope}-{dt.date.today():%Y%m%d}.xlsx"
    counts = dict(result.counts)
    return Outcome(
        message=_("已导出 %(n)s 名干部。") % {"n": counts.get(_("干部"), sum(counts.values()))},
        result={"counts": counts},
        file_path=path,
        file_name=name,
    )


@register(JobKind.GROWTH_PDFS)
def growth_pdfs(job: Job, actor: Actor, progress) -> Outcome:
    """One PDF growth file per cadre of a unit (and its subunits), in one .zip."""
    from miaopu.apps.cadres.selectors import cadre_list
    from miaopu.apps.core.audit import record_access
    from miaopu.apps.core.choices import AuditAction
    from miaopu.apps.growth import selectors
    from miaopu.apps.growth.exports import FileData, basic_info, cadre_photo, render_pdf
    from miaopu.apps.growth.readiness import cadre_answer
    from miaopu.apps.growth.timeline import build_timeline
    from miaopu.domain.vocab import CadreStatus

    user = actor.user
    selectors.require_read(user)
    unit = _unit(actor, job.params.get("unit"))
    cadres = cadre_list(user=user).filter(status=CadreStatus.ACTIVE.value)
    if unit is not None:
        cadres = cadres.filter(unit__path__startswith=unit.path)
    cadres = list(cadres.order_by("unit__path", "name", "id"))
    orgdept = selectors.is_orgdept(user)
    stage = _("生成成长档案")
    progress(stage, 0, len(cadres))
    path = storage_dir("results") / f"{job.pk}-growth.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for n, cadre in enumerate(cadres, start=1):
            data = FileData(
                cadre=cadre,
                basic=basic_info(cadre),
                items=build_timeline(user, cadre),
                photo=cadre_photo(cadre),
                readiness=cadre_answer(cadre) if orgdept else None,
                generated_by=user.display_name,
            )
            archive.writestr(f"{cadre.unit.name}/{data.title}-{cadre.code}.pdf", render_pdf(data))
            progress(stage, n, len(cadres))
    path.chmod(0o600)
    record_access(
        actor,
        AuditAction.EXPORT,
        "growth.file",
        object_repr=(unit.name if unit else user.scope_unit.name)[:200],
        detail={"format": "pdf-zip", "cadres": len(cadres), "unit": unit.pk if unit else None},
    )
    scope = unit.name if unit else user.scope_unit.name
    return Outcome(
        message=_("已生成 %(n)s 份成长档案。") % {"n": len(cadres)},
        result={"cadres": len(cadres)},
        file_path=path,
        file_name=f"成长档案-{scope}-{dt.date.today():%Y%m%d}.zip",
    )


@register(JobKind.ALERTS_REFRESH)
def alerts_refresh(job: Job, actor: Actor, progress) -> Outcome:
    from miaopu.apps.analytics.alerts import KINDS, refresh

    as_of = job.params.get("as_of")
    date = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    stage = _("刷新预警")
    progress(stage, 0, len(KINDS))
    results = refresh(as_of=date, actor=actor)
    progress(stage, len(KINDS), len(KINDS))
    if date == dt.date.today():  # count the large scopes' dashboards now, so the morning's first view is instant
        from miaopu.apps.analytics.figcache import warm

        progress(_("预先统计看板"), 0, 1)
        warm(as_of=date)
        progress(_("预先统计看板"), 1, 1)
    total = sum(r.count for r in results)
    return Outcome(
        message=_("预警已刷新（%(d)s），共 %(n)s 条。") % {"d": date, "n": total},
        result={"as_of": date.isoformat(), "counts": {r.kind: r.count for r in results if r.available}},
    )


@register(JobKind.BATCH_MATCHING, atomic=True)
def batch_matching(job: Job, actor: Actor, progress) -> Outcome:
    """Solve a large batch's matching as a job: the same ``plan_solve`` as the page, the new plan linked."""
    from django.core.exceptions import ValidationError
    from django.http import Http404

    from miaopu.apps.matching import selectors, services

    params = job.params
    try:
        batch = selectors.batch_for_matching(user=actor.user, pk=int(params["batch"]))
    except Http404 as exc:
        raise PermissionDenied(_("该批次不在您的管理范围内。")) from exc
    latest = selectors.plan_list(user=actor.user, batch=batch).first()
    stage = _("求解人岗匹配")
    progress(stage, 0, 1)
    try:
        plan = services.plan_solve(
            actor=actor,
            batch=batch,
            weights=params.get("weights"),
            assign_all=params.get("assign_all"),
            quotas=params.get("quotas"),
            fixed=latest.options.get("fixed") if latest else None,
            forbidden=latest.options.get("forbidden") if latest else None,
            parent=latest,
            note=params.get("note", ""),
        )
    except ValidationError as exc:
        return Outcome(ok=False, message="；".join(exc.messages))
    progress(stage, 1, 1)
    return Outcome(
        message=_("已求解，生成方案 %(n)s。") % {"n": plan.number},
        result={"plan": plan.pk, "url": plan.get_absolute_url(), "assigned": plan.assigned},
    )
