"""Every write of the programmes app: templates and versions, batches from evaluation to term end.

Each function is keyword-only, checks the actor's role and scope and the batch's step, writes inside one
transaction and leaves a change record, so the web pages, the API and the CLI behave the same. Errors are
``ValidationError`` (with a field dict where a field is to blame) or ``PermissionDenied``, in Chinese.

The workflow of a batch, and which step each service needs (a batch only moves forward)::

    draft ─evaluate→ candidates ─nominate→ nomination ─vet→ vetting ─assign→ assignment
          ─approve→ approved ─place→ placed ─close→ closed
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from miaopu.apps.cadres import services as cadre_services
from miaopu.apps.cadres.models import Cadre
from miaopu.apps.core.access import unit_in_scope
from miaopu.apps.core.audit import Actor, record_change, snapshot
from miaopu.apps.core.choices import AuditAction, AuditSource
from miaopu.apps.units.models import Post, Unit, split_tags
from miaopu.domain.dates import add_months
from miaopu.domain.rules import evaluate

from .choices import DISCIPLINE_DEPARTMENT, VETTING_DIMENSIONS, BatchStatus, CandidateStatus, PlacementStatus, Side
from .loaders import load_profiles
from .models import (
    Assignment,
    Batch,
    Candidate,
    HostSlot,
    Placement,
    ProgrammeTemplate,
    ReservePoolEntry,
    StageRecord,
    TemplateVersion,
    Vetting,
)
from .selectors import (
    active_cadres,
    can_act_on_cadre,
    can_edit_templates,
    evaluate_loaded,
    require_batch_run,
    require_programmes,
)
from .spec import GRADES, PROGRAMME_KINDS, ProgrammeSpec, SpecError, TemplateDocument, parse_spec

TEMPLATE_FIELDS = ["name", "kind", "seed", "description", "is_active"]
BATCH_FIELDS = ["name", "note", "quotas"]
CANDIDATE_AUDIT_FIELDS = ["batch", "cadre", "eligible", "group", "side", "is_override", "override_reason", "status",
                          "status_note"]  # fmt: skip
PLACEMENT_AUDIT_FIELDS = ["batch", "cadre", "host_unit", "post_title", "kind", "start", "planned_end", "actual_end",
                          "status", "grade", "assessed_on"]  # fmt: skip


# ---------------------------------------------------------------- helpers


def _require_template_editor(actor: Actor) -> None:
    """Template files are loaded by the system (migration, ``load-templates`` without --user) or by 组织部."""
    if actor.user is None and actor.source in (AuditSource.SYSTEM, AuditSource.CLI):
        return
    if not can_edit_templates(actor.user):
        raise PermissionDenied(_("只有管理范围为全市的组织部干部科可以新建或修改培养项目模板。"))


def _require_cadre(actor: Actor, cadre: Cadre) -> None:
    if not can_act_on_cadre(actor.user, cadre):
        raise PermissionDenied(_("干部“%(name)s”不在您的管理范围内。") % {"name": cadre.name})


def _require_step(batch: Batch, allowed: Iterable[str], doing: str) -> None:
    allowed = list(allowed)
    if batch.status not in allowed:
        steps = "、".join(str(BatchStatus(s).label) for s in allowed)
        raise ValidationError(
            _("批次“%(batch)s”目前处于“%(now)s”阶段，不能%(doing)s（须在：%(steps)s）。")
            % {"batch": batch.name, "now": batch.get_status_display(), "doing": doing, "steps": steps}
        )


def _advance(batch: Batch, status: str) -> None:
    """Move the batch forward to ``status`` (never back)."""
    if BatchStatus.order(status) > BatchStatus.order(batch.status):
        batch.status = status
        Batch.objects.filter(pk=batch.pk).update(status=status)


def _text(value: Any) -> str:
    return str(value or "").strip()


def _spec_or_error(rules: object, field: str = "rules") -> ProgrammeSpec:
    try:
        return parse_spec(rules)
    except SpecError as exc:
        raise ValidationError({field: [str(exc)]}) from exc


def _reasons_data(reasons) -> list[dict[str, Any]]:
    return [{"ok": r.ok, "text": r.text} for r in reasons]


def _quotas(data: object) -> dict[str, Any]:
    """``{"total": 15, "regions": {"三水区": 7}}`` checked (total per side; regions count host slots' regions)."""
    if data in (None, ""):
        return {"total": None, "regions": {}}
    if not isinstance(data, Mapping):
        raise ValidationError({"quotas": [_("名额应为 {total: 总数, regions: {地区: 名额}} 的形式。")]})
    unknown = set(data) - {"total", "regions"}
    if unknown:
        raise ValidationError(
            {"quotas": [_("名额中未知的项：%(k)s（可用 total、regions）") % {"k": "、".join(unknown)}]}
        )
    total = data.get("total")
    if total is not None and (isinstance(total, bool) or not isinstance(total, int) or total < 1):
        raise ValidationError({"quotas": [_("每方总名额应为正整数，实为 %(v)s。") % {"v": total}]})
    regions = data.get("regions") or {}
    if not isinstance(regions, Mapping) or any(
        isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in regions.values()
    ):
        raise ValidationError({"quotas": [_("地区名额应为 地区: 非负整数，如 三水区: 7。")]})
    return {"total": total, "regions": {str(k).strip(): v for k, v in regions.items() if str(k).strip()}}


def _candidate_snapshot(candidate: Candidate) -> dict:
    return snapshot(candidate, CANDIDATE_AUDIT_FIELDS)


def _placement_snapshot(placement: Placement) -> dict:
    return snapshot(placement, PLACEMENT_AUDIT_FIELDS)


# ---------------------------------------------------------------- templates


@transaction.atomic
def template_create(*, actor: Actor, document: TemplateDocument, source_text: str = "") -> ProgrammeTemplate:
    """A new template and its first version (from a parsed template file, see ``spec.parse_document``)."""
    _require_template_editor(actor)
    if ProgrammeTemplate.objects.filter(code=document.code).exists():
        raise ValidationError({"code": [_("模板代码“%(c)s”已被使用。") % {"c": document.code}]})
    template = ProgrammeTemplate(
        code=document.code, name=document.name, kind=document.kind, seed=document.seed,
        description=document.description,
    )  # fmt: skip
    template.full_clean()
    template.save()
    TemplateVersion.objects.create(
        template=template, number=1, spec=document.spec.to_data(), source_text=source_text, created_by=actor.user
    )
    record_change(actor, AuditAction.CREATE, template, after=snapshot(template), detail={"version": 1})
    return template


@transaction.atomic
def template_update(*, actor: Actor, template: ProgrammeTemplate, data: dict[str, Any]) -> ProgrammeTemplate:
    """The template's own fields (name, kind, source, description, active); the rules are versioned apart."""
    _require_template_editor(actor)
    unknown = sorted(set(data) - set(TEMPLATE_FIELDS))
    if unknown:
        raise ValidationError(_("不能修改这些字段：%(f)s") % {"f": "、".join(unknown)})
    if "kind" in data and data["kind"] not in PROGRAMME_KINDS:
        raise ValidationError({"kind": [_("项目类型不正确。")]})
    before = snapshot(template)
    for name, value in data.items():
        setattr(template, name, value)
    template.full_clean()
    template.save()
    record_change(actor, AuditAction.UPDATE, template, before=before, after=snapshot(template))
    return template


@transaction.atomic
def template_create_version(
    *, actor: Actor, template: ProgrammeTemplate, rules: object, source_text: str = "", note: str = ""
) -> TemplateVersion:
    """Editing a template's rules adds a version; batches already created keep the version they pinned."""
    _require_template_editor(actor)
    spec = _spec_or_error(rules)
    data = spec.to_data()
    current = template.versions.order_by("-number").first()
    if current is not None and current.spec == data:
        raise ValidationError({"rules": [_("规则与当前第 %(n)s 版相同，未生成新版本。") % {"n": current.number}]})
    number = (current.number if current else 0) + 1
    version = TemplateVersion.objects.create(
        template=template, number=number, spec=data, source_text=source_text, note=_text(note)[:200],
        created_by=actor.user,
    )  # fmt: skip
    template.__dict__.pop("current_version", None)
    record_change(
        actor, AuditAction.CREATE, version, after={"number": number, "spec": data, "note": version.note},
        detail={"template": template.code, "previous": current.number if current else None},
    )  # fmt: skip
    return version


@transaction.atomic
def template_import(
    *, actor: Actor, document: TemplateDocument, source_text: str = "", update: bool = False
) -> tuple[ProgrammeTemplate, str]:
    """Load one template file idempotently: create it, leave it, or (``update``) add a version if it differs.

    Returns the template and what happened: ``created``, ``unchanged``, ``differs`` or ``updated``.
    """
    _require_template_editor(actor)
    template = ProgrammeTemplate.objects.filter(code=document.code).first()
    if template is None:
        return template_create(actor=actor, document=document, source_text=source_text), "created"
    current = template.versions.order_by("-number").first()
    if current is not None and current.spec == document.spec.to_data():
        return template, "unchanged"
    if not update:
        return template, "differs"
    template_create_version(
        actor=actor, template=template, rules=document.rules, source_text=source_text, note=_("由模板文件更新")
    )
    return template, "updated"


# ---------------------------------------------------------------- batches


@transaction.atomic
def batch_create(
    *,
    actor: Actor,
    template: ProgrammeTemplate,
    name: str,
    year: int,
    as_of: dt.date,
    scope_unit: Unit | None = None,
    quotas: object = None,
    note: str = "",
) -> Batch:
    """A batch pinned to the template's current version; quotas default to the template's."""
    require_programmes(actor.user)
    errors: dict[str, list[str]] = {}
    version = template.versions.order_by("-number").first()
    if version is None or not template.is_active:
        errors.setdefault("template", []).append(_("该模板未启用或没有规则，不能新建批次。"))
    scope_unit = scope_unit or actor.user.scope_unit
    if not unit_in_scope(actor.user, scope_unit):
        raise PermissionDenied(_("选拔范围“%(u)s”超出您的管理范围。") % {"u": scope_unit.name})
    if not _text(name):
        errors.setdefault("name", []).append(_("请填写批次名称。"))
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.setdefault("year", []).append(_("年度应为 2000—2100 之间的年份。"))
    if as_of is None:
        errors.setdefault("as_of", []).append(_("请填写资格计算日期。"))
    if quotas is None and version is not None:
        spec = version.parsed
        quotas = {"total": spec.quota_total, "regions": dict(spec.quota_regions)}
    try:
        quotas = _quotas(quotas)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    batch = Batch.objects.create(
        template=template, version=version, name=_text(name), year=year, as_of=as_of, scope_unit=scope_unit,
        quotas=quotas, note=note or "", created_by=actor.user,
    )  # fmt: skip
    record_change(actor, AuditAction.CREATE, batch, after=snapshot(batch))
    return batch


@transaction.atomic
def batch_update(*, actor: Actor, batch: Batch, data: dict[str, Any]) -> Batch:
    """Name, note and quotas (before approval). The as-of date and the rules version never change."""
    require_batch_run(actor.user, batch)
    unknown = sorted(set(data) - set(BATCH_FIELDS))
    if unknown:
        raise ValidationError(
            _("不能修改这些字段：%(f)s（资格计算日期和规则版本在批次建立后不能更改）") % {"f": "、".join(unknown)}
        )
    if "quotas" in data:
        _require_step(batch, list(BatchStatus.values)[:5], _("修改名额"))
        data = {**data, "quotas": _quotas(data["quotas"])}
    if "name" in data and not _text(data["name"]):
        raise ValidationError({"name": [_("请填写批次名称。")]})
    before = snapshot(batch)
    for key, value in data.items():
        setattr(batch, key, value)
    batch.save()
    record_change(actor, AuditAction.UPDATE, batch, before=before, after=snapshot(batch))
    return batch


def _host_problems(spec: ProgrammeSpec, unit: Unit, tags: list[str], *, group: str | None = None,
                   side: str = "") -> list[str]:  # fmt: skip
    """Why ``unit`` (with the slot's ``tags``) cannot host this group/side; empty when it can."""
    all_tags = list(dict.fromkeys([*tags, *unit.tag_list]))
    if group:
        host = spec.host_for(group)
    elif side:
        host = spec.host_for_side(side)
    else:
        host = spec.host
        if host is None:  # only the groups say: the unit must suit at least one of them
            problems = [h.problems(unit.level, all_tags) for g in spec.groups if (h := spec.host_for(g.name))]
            return [] if not problems or any(not p for p in problems) else problems[0]
    return [] if host is None else host.problems(unit.level, all_tags)


def _practice_base_problems(batch: Batch, unit: Unit, *, start: dt.date, end: dt.date, adding: int = 1,
                            pending: int = 0, capacity: bool = True) -> list[str]:  # fmt: skip
    """四下基层: a practice batch (template kind 实践锻炼) goes only to a certified practice base with room.

    The rule lives in the fieldwork app (``fieldwork.services.practice_base_problems``, docs/fieldwork.md).
    """
    from django.apps import apps

    if batch.template.kind != "practice" or not apps.is_installed("miaopu.apps.fieldwork"):
        return []
    from miaopu.apps.fieldwork.services import practice_base_problems

    return practice_base_problems(unit, start=start, end=end, adding=adding, pending=pending,
                                  exclude_batch_id=batch.pk, check_capacity=capacity)  # fmt: skip


@transaction.atomic
def batch_add_slot(
    *,
    actor: Actor,
    batch: Batch,
    unit: Unit,
    post: Post | None = None,
    post_title: str = "",
    capacity: int = 1,
    region: str = "",
    tags: str = "",
    side: str = "",
) -> HostSlot:
    """A host slot; its unit must be in the user's scope and fit the template's host constraints."""
    require_batch_run(actor.user, batch)
    _require_step(batch, list(BatchStatus.values)[:5], _("增加接收岗位"))
    spec = batch.spec
    if not spec.has_hosts:
        raise ValidationError(_("本项目在原单位培养，不派往接收单位，无需设置接收岗位。"))
    if not unit_in_scope(actor.user, unit):
        raise PermissionDenied(_("单位“%(unit)s”不在您的管理范围内。") % {"unit": unit.name})
    errors: dict[str, list[str]] = {}
    if post is not None and post.unit_id != unit.pk:
        errors["post"] = [_("所选岗位不属于该单位。")]
    if spec.mirrored_pairs and side not in Side.values:
        errors["side"] = [_("双向挂职的接收岗位须注明接收哪一方（A 方或 B 方）。")]
    elif side and side not in Side.values:
        errors["side"] = [_("接收方只能是 A 或 B。")]
    if not isinstance(capacity, int) or capacity < 1:
        errors["capacity"] = [_("名额至少为 1。")]
    if not post and not _text(post_title):
        errors["post_title"] = [_("请选择岗位或填写职务名称。")]
    tag_list = split_tags(tags)
    problems = _host_problems(spec, unit, tag_list, side=side)
    if problems:
        errors.setdefault("unit", []).append(
            _("“%(unit)s”不符合本项目对接收单位的要求：%(why)s。") % {"unit": unit.name, "why": "；".join(problems)}
        )
    today = dt.date.today()
    base_problems = _practice_base_problems(batch, unit, start=today, end=spec.planned_end(today) or today,
                                            capacity=False)  # fmt: skip
    if base_problems:
        errors.setdefault("unit", []).extend(base_problems)
    if errors:
        raise ValidationError(errors)
    if not _text(region):
        region = unit.district.name if unit.district_id else _("市直")
    slot = HostSlot.objects.create(
        batch=batch, unit=unit, post=post, post_title=_text(post_title), capacity=capacity, region=_text(region),
        tags="、".join(tag_list), side=side,
    )  # fmt: skip
    record_change(actor, AuditAction.CREATE, slot, after=snapshot(slot))
    return slot


@transaction.atomic
def batch_remove_slot(*, actor: Actor, slot: HostSlot) -> None:
    require_batch_run(actor.user, slot.batch)
    if slot.assignments.exists():
        raise ValidationError(_("该接收岗位已分配人选，请先取消分配。"))
    record_change(actor, AuditAction.DELETE, slot, before=snapshot(slot))
    slot.delete()


@transaction.atomic
def batch_evaluate_candidates(*, actor: Actor, batch: Batch) -> dict[str, int]:
    """Judge every active cadre in the batch's scope by the pinned rules on the batch's date; keep the eligible.

    Each eligible cadre becomes a candidate with the verdict, group, reasons and facts stored as they are now,
    so the batch keeps its results whatever later happens to the template or the cadre's record. Running it
    again (before nomination) replaces the plain candidates and keeps those added by hand.
    """
    require_batch_run(actor.user, batch)
    _require_step(batch, [BatchStatus.DRAFT, BatchStatus.CANDIDATES], _("重新计算人选"))
    from .prefilter import necessary_q

    spec = batch.spec
    cadres = active_cadres(user=actor.user).filter(unit__path__startswith=batch.scope_unit.path)
    # Cadres the rules' columns already rule out are not judged (prefilter): the same candidates, less work.
    maybe = necessary_q(spec, batch.as_of)
    rows = evaluate_loaded(spec, load_profiles(cadres if maybe is None else cadres.filter(maybe)), batch.as_of)
    evaluated = cadres.count()
    kept = set(batch.candidates.filter(is_override=True).values_list("cadre_id", flat=True))
    batch.candidates.filter(is_override=False).delete()
    # In cadre order, whatever order the database returned them in: candidates are numbered the same every run.
    eligible = sorted((row for row in rows if row.eligible), key=lambda row: row.cadre_id)
    Candidate.objects.bulk_create(
        [
            Candidate(
                batch=batch,
                cadre_id=row.cadre_id,
                eligible=True,
                group=row.group or "",
                side=spec.side_of(row.group),
                reasons=_reasons_data(row.reasons),
                facts=row.facts,
                evaluated_on=batch.as_of,
            )  # fmt: skip
            for row in eligible
            if row.cadre_id not in kept
        ],
        batch_size=1000,
    )
    batch.evaluated_at = timezone.now()
    batch.evaluated_count = evaluated
    batch.eligible_count = len(eligible)
    batch.save(update_fields=["evaluated_at", "evaluated_count", "eligible_count"])
    _advance(batch, BatchStatus.CANDIDATES)
    summary = {"evaluated": evaluated, "eligible": len(eligible), "version": batch.version.number}
    record_change(actor, AuditAction.GENERATE, batch, after={"status": batch.status}, detail=summary)
    return summary


def _side_for(spec: ProgrammeSpec, facts: Mapping[str, object]) -> str:
    """The side whose group rule the cadre meets, ignoring the base rule (for a cadre added by exception)."""
    for group in spec.groups:
        if group.side and evaluate(group.rule, facts).ok:
            return group.side
    return ""


@transaction.atomic
def candidate_add_override(*, actor: Actor, batch: Batch, cadre: Cadre, reason: str = "", side: str = "") -> Candidate:
    """Add a cadre by hand. An ineligible cadre needs a written reason and stays flagged as 破格 for good."""
    from miaopu.domain.profile import facts_as_of

    _require_cadre(actor, cadre)
    _require_step(batch, [BatchStatus.CANDIDATES, BatchStatus.NOMINATION], _("增加人选"))
    if not (cadre.unit.path or "").startswith(batch.scope_unit.path):
        raise ValidationError({"cadre": [_("%(name)s 不在本批次的选拔范围（%(scope)s）内。")
                                         % {"name": cadre.name, "scope": batch.scope_unit.name}]})  # fmt: skip
    if batch.candidates.filter(cadre=cadre).exists():
        raise ValidationError({"cadre": [_("%(name)s 已在本批次中。") % {"name": cadre.name}]})
    spec = batch.spec
    loaded = load_profiles(Cadre.objects.filter(pk=cadre.pk))
    row = evaluate_loaded(spec, loaded, batch.as_of)[0]
    reason = _text(reason)
    if not row.eligible and len(reason) < 4:
        failing = "；".join(r.text for r in row.reasons if not r.ok)
        raise ValidationError(
            {
                "reason": [
                    _("%(name)s 不符合条件（%(why)s），破格加入须写明理由。") % {"name": cadre.name, "why": failing}
                ]
            }
        )
    if spec.mirrored_pairs:
        side = side or spec.side_of(row.group) or _side_for(spec, facts_as_of(loaded[0].profile, batch.as_of))
        if side not in Side.values:
            raise ValidationError(
                {"side": [_("无法判断 %(name)s 属于哪一方，请指定 A 方或 B 方。") % {"name": cadre.name}]}
            )
    else:
        side = ""
    candidate = Candidate(
        batch=batch, cadre=cadre, eligible=row.eligible, group=row.group or "", side=side,
        reasons=_reasons_data(row.reasons), facts=row.facts, evaluated_on=batch.as_of,
        is_override=not row.eligible, override_reason="" if row.eligible else reason,
    )  # fmt: skip
    candidate.save()
    record_change(actor, AuditAction.CREATE, candidate, after=_candidate_snapshot(candidate))
    return candidate


@transaction.atomic
def candidate_nominate(*, actor: Actor, candidate: Candidate, note: str = "") -> Candidate:
    _require_cadre(actor, candidate.cadre)
    batch = candidate.batch
    _require_step(batch, [BatchStatus.CANDIDATES, BatchStatus.NOMINATION, BatchStatus.VETTING], _("提名"))
    if candidate.status != CandidateStatus.CANDIDATE:
        raise ValidationError(_("%(name)s 目前为“%(s)s”，不能再提名。")
                              % {"name": candidate.cadre.name, "s": candidate.get_status_display()})  # fmt: skip
    before = _candidate_snapshot(candidate)
    candidate.status = CandidateStatus.NOMINATED
    candidate.status_note = _text(note)[:300]
    candidate.save(update_fields=["status", "status_note"])
    _advance(batch, BatchStatus.NOMINATION)
    record_change(actor, AuditAction.UPDATE, candidate, before=before, after=_candidate_snapshot(candidate))
    return candidate


@transaction.atomic
def vetting_record(
    *,
    actor: Actor,
    candidate: Candidate,
    findings: Mapping[str, str],
    opinions: list[Mapping[str, Any]],
    vetted_on: dt.date,
    objection: bool = False,
) -> Vetting:
    """考察: the five findings and the consulted departments' opinions (纪检监察 always). An objection blocks."""
    _require_cadre(actor, candidate.cadre)
    _require_step(candidate.batch, [BatchStatus.NOMINATION, BatchStatus.VETTING, BatchStatus.ASSIGNMENT], _("记录考察"))
    if candidate.status not in (CandidateStatus.NOMINATED, CandidateStatus.VETTED, CandidateStatus.REJECTED):
        raise ValidationError(_("%(name)s 目前为“%(s)s”：只有已提名、尚未分配岗位的人选可以记录考察。")
                              % {"name": candidate.cadre.name, "s": candidate.get_status_display()})  # fmt: skip
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    for key, label in VETTING_DIMENSIONS:
        clean[key] = _text(findings.get(key))
        if not clean[key]:
            errors[key] = [_("请填写%(d)s方面的考察情况。") % {"d": label}]
    cleaned_opinions = []
    for i, item in enumerate(opinions):
        department, opinion = _text(item.get("department")), _text(item.get("opinion"))
        if not department and not opinion:
            continue
        if not department or not opinion:
            errors.setdefault("opinions", []).append(_("第 %(n)s 条意见须同时填写部门和意见。") % {"n": i + 1})
            continue
        cleaned_opinions.append(
            {"department": department, "opinion": opinion, "objection": bool(item.get("objection"))}
        )
    if not any(DISCIPLINE_DEPARTMENT in op["department"] for op in cleaned_opinions):
        errors.setdefault("opinions", []).append(_("须征求纪检监察机关的意见。"))
    if vetted_on is None:
        errors["vetted_on"] = [_("请填写考察日期。")]
    if errors:
        raise ValidationError(errors)
    objecting = [op["department"] for op in cleaned_opinions if op["objection"]]
    blocked = bool(objection or objecting)
    vetting, _created = Vetting.objects.update_or_create(
        candidate=candidate,
        defaults={**clean, "opinions": cleaned_opinions, "objection": blocked, "vetted_on": vetted_on,
                  "recorded_by": actor.user},
    )  # fmt: skip
    before = _candidate_snapshot(candidate)
    if blocked:
        candidate.status = CandidateStatus.REJECTED
        who = "、".join(objecting) or _("考察组")
        candidate.status_note = _("考察有异议（%(who)s），暂缓使用。") % {"who": who}
    else:
        candidate.status = CandidateStatus.VETTED
        candidate.status_note = ""
    candidate.save(update_fields=["status", "status_note"])
    _advance(candidate.batch, BatchStatus.VETTING)
    record_change(
        actor, AuditAction.UPDATE, candidate, before=before, after=_candidate_snapshot(candidate),
        detail={"vetting": {**clean, "opinions": cleaned_opinions, "objection": blocked,
                            "vetted_on": vetted_on.isoformat()}},
    )  # fmt: skip
    return vetting


def _assignment_problems(batch: Batch, candidate: Candidate, slot: HostSlot, pending: list[HostSlot]) -> list[str]:
    name = candidate.cadre.name
    problems = []
    if slot.batch_id != batch.pk:
        return [_("接收岗位不属于本批次。")]
    if candidate.status != CandidateStatus.VETTED:
        if candidate.status == CandidateStatus.REJECTED:
            problems.append(_("%(n)s 考察有异议，不能分配岗位。") % {"n": name})
        elif candidate.status == CandidateStatus.ASSIGNED:
            problems.append(_("%(n)s 已分配岗位，请先取消原分配。") % {"n": name})
        else:
            problems.append(_("%(n)s 尚未通过考察，不能分配岗位。") % {"n": name})
    if slot.side and candidate.side and slot.side != candidate.side:
        problems.append(
            _("“%(s)s”只接收%(side)s人选，%(n)s 属于%(other)s。")
            % {"s": slot, "side": slot.get_side_display(), "n": name, "other": candidate.get_side_display()}
        )
    host = _host_problems(batch.spec, slot.unit, slot.tag_list, group=candidate.group or None, side=candidate.side)
    if host:
        problems.append(
            _("“%(s)s”不符合%(n)s所在分组对接收单位的要求：%(why)s。") % {"s": slot, "n": name, "why": "；".join(host)}
        )
    used = slot.assignments.count() + pending.count(slot)
    if used >= slot.capacity:
        problems.append(_("“%(s)s”的 %(c)s 个名额已满。") % {"s": slot, "c": slot.capacity})
    if batch.template.kind == "practice":
        today = dt.date.today()
        waiting = Assignment.objects.filter(
            slot__unit=slot.unit, slot__batch__template__kind="practice", candidate__status=CandidateStatus.ASSIGNED
        ).count() + sum(1 for s in pending if s.unit_id == slot.unit_id)
        problems += _practice_base_problems(batch, slot.unit, start=today, end=batch.spec.planned_end(today) or today,
                                            pending=waiting)  # fmt: skip
    quotas = batch.quotas or {}
    region_quota = (quotas.get("regions") or {}).get(slot.region)
    if region_quota is not None:
        taken = Assignment.objects.filter(candidate__batch=batch, slot__region=slot.region).count()
        taken += sum(1 for s in pending if s.region == slot.region)
        if taken >= region_quota:
            problems.append(_("%(r)s 的名额（%(q)s 人）已用完。") % {"r": slot.region, "q": region_quota})
    total = quotas.get("total")
    if total:
        taken = Assignment.objects.filter(candidate__batch=batch, candidate__side=candidate.side).count()
        if taken >= total:
            problems.append(_("每方总名额 %(q)s 人已用完。") % {"q": total})
    return problems


@transaction.atomic
def assignment_set(
    *,
    actor: Actor,
    candidate: Candidate,
    slot: HostSlot,
    partner: Candidate | None = None,
    partner_slot: HostSlot | None = None,
) -> Assignment:
    """Assign a vetted candidate to a host slot, checking host constraints, capacity and quotas.

    In a mirrored (two-way) exchange the pair is assigned together: A from organ X goes to T while B from T
    comes to X, so ``partner`` (the other side) and ``partner_slot`` are required and checked the same way.
    """
    batch = candidate.batch
    _require_cadre(actor, candidate.cadre)
    _require_step(batch, [BatchStatus.VETTING, BatchStatus.ASSIGNMENT], _("分配岗位"))
    spec = batch.spec
    if not spec.has_hosts:
        raise ValidationError(_("本项目在原单位培养，不分配接收岗位；考察通过后即可审批。"))
    problems = _assignment_problems(batch, candidate, slot, [])
    if spec.mirrored_pairs:
        if partner is None or partner_slot is None:
            raise ValidationError({"partner": [_("双向挂职须成对互派：请同时选择对方人选及其接收岗位。")]})
        _require_cadre(actor, partner.cadre)
        if partner.batch_id != batch.pk or partner.pk == candidate.pk:
            raise ValidationError({"partner": [_("对方人选须是本批次中的另一人。")]})
        if {candidate.side, partner.side} != {Side.A, Side.B}:
            raise ValidationError({"partner": [_("对调的两人须分属 A、B 两方。")]})
        problems += _assignment_problems(batch, partner, partner_slot, [slot])
        mine, theirs = candidate.cadre.unit, partner.cadre.unit
        if not (mine.path.startswith(partner_slot.unit.path) and theirs.path.startswith(slot.unit.path)):
            problems.append(
                _("双向挂职须对调：%(a)s（%(au)s）到“%(at)s”，%(b)s 应来自“%(at)s”并到“%(au)s”（现为 %(b)s 在“%(bu)s”、"
                  "去“%(bt)s”）。")
                % {"a": candidate.cadre.name, "au": mine.name, "at": slot.unit.name, "b": partner.cadre.name,
                   "bu": theirs.name, "bt": partner_slot.unit.name}
            )  # fmt: skip
    elif partner is not None:
        raise ValidationError({"partner": [_("本项目不是双向挂职，不需要对方人选。")]})
    if problems:
        raise ValidationError({"slot": problems})
    assignment = Assignment.objects.create(candidate=candidate, slot=slot)
    pairs = [(candidate, assignment)]
    if partner is not None:
        other = Assignment.objects.create(candidate=partner, slot=partner_slot, partner=assignment)
        assignment.partner = other
        assignment.save(update_fields=["partner"])
        pairs.append((partner, other))
    for person, row in pairs:
        before = _candidate_snapshot(person)
        person.status = CandidateStatus.ASSIGNED
        person.save(update_fields=["status"])
        record_change(actor, AuditAction.UPDATE, person, before=before, after=_candidate_snapshot(person),
                      detail={"slot": str(row.slot), "slot_id": row.slot_id,
                              "partner": row.partner.candidate.cadre.name if row.partner_id else None})  # fmt: skip
    _advance(batch, BatchStatus.ASSIGNMENT)
    return assignment


@transaction.atomic
def assignment_clear(*, actor: Actor, candidate: Candidate) -> None:
    """Undo an assignment (and its mirrored partner's) before the batch is approved."""
    _require_cadre(actor, candidate.cadre)
    _require_step(candidate.batch, [BatchStatus.VETTING, BatchStatus.ASSIGNMENT], _("取消分配"))
    assignment = Assignment.objects.filter(candidate=candidate).select_related("partner__candidate").first()
    if assignment is None:
        raise ValidationError(_("%(n)s 尚未分配岗位。") % {"n": candidate.cadre.name})
    people = [candidate]
    if assignment.partner_id:
        _require_cadre(actor, assignment.partner.candidate.cadre)
        people.append(assignment.partner.candidate)
    Assignment.objects.filter(candidate__in=people).update(partner=None)
    Assignment.objects.filter(candidate__in=people).delete()
    for person in people:
        before = _candidate_snapshot(person)
        person.status = CandidateStatus.VETTED
        person.save(update_fields=["status"])
        record_change(actor, AuditAction.UPDATE, person, before=before, after=_candidate_snapshot(person))


def missing_mentors(batch: Batch, candidates: Iterable[Candidate]) -> dict[int, list[str]]:
    """Candidate id → the required mentor roles (labels) they have no active mentor for."""
    from miaopu.apps.mentoring.models import Mentorship

    from .spec import MENTOR_ROLES

    required = batch.spec.mentor_roles
    people = list(candidates)
    if not required or not people:
        return {}
    have: dict[int, set[str]] = {}
    for cadre_id, role in Mentorship.objects.filter(
        mentee_id__in=[c.cadre_id for c in people], is_active=True
    ).values_list("mentee_id", "role"):
        have.setdefault(cadre_id, set()).add(role)
    return {
        c.pk: [MENTOR_ROLES[r] for r in required if r not in have.get(c.cadre_id, set())]
        for c in people
        if any(r not in have.get(c.cadre_id, set()) for r in required)
    }


@transaction.atomic
def batch_approve(*, actor: Actor, batch: Batch) -> list[str]:
    """Approve the selection. Returns warnings (e.g. required mentors not yet paired) that do not block."""
    require_batch_run(actor.user, batch)
    _require_step(batch, [BatchStatus.VETTING, BatchStatus.ASSIGNMENT], _("审批"))
    if batch.spec.has_hosts:
        selected = list(batch.candidates.filter(status=CandidateStatus.ASSIGNED))
        if not selected:
            raise ValidationError(_("尚未给任何人选分配接收岗位，不能审批。"))
    else:
        vetted = list(batch.candidates.filter(status=CandidateStatus.VETTED))
        if not vetted:
            raise ValidationError(_("没有考察通过的人选，不能审批。"))
        for candidate in vetted:
            candidate.status = CandidateStatus.ASSIGNED
        Candidate.objects.bulk_update(vetted, ["status"])
        selected = vetted
    before = snapshot(batch)
    _advance(batch, BatchStatus.APPROVED)
    record_change(actor, AuditAction.UPDATE, batch, before=before, after=snapshot(batch),
                  detail={"approved": len(selected)})  # fmt: skip
    missing = missing_mentors(batch, selected)
    return [
        _("%(n)s 尚未配备：%(roles)s") % {"n": c.cadre.name, "roles": "、".join(missing[c.pk])}
        for c in selected
        if c.pk in missing
    ]


def _record_stage(actor: Actor, placement: Placement, spec: ProgrammeSpec, on: dt.date) -> StageRecord | None:
    entry = placement.cadre.civil_service_entry_date
    stage = spec.stage_at(entry, on)
    if stage is None or entry is None:
        return None
    last = placement.stages.order_by("-since", "-id").first()
    if last is not None and last.stage == stage.name:
        return None
    record = StageRecord.objects.create(
        placement=placement, stage=stage.name, theme=stage.theme, since=add_months(entry, stage.from_month)
    )
    record_change(actor, AuditAction.CREATE, record, after=snapshot(record),
                  detail={"cadre": placement.cadre.name, "from": last.stage if last else None})  # fmt: skip
    return record


@transaction.atomic
def placements_create(*, actor: Actor, batch: Batch, start: dt.date, post_title: str = "") -> list[Placement]:
    """Put every selected candidate in post from ``start``; each placement writes the cadre's experience entry.

    A village secondment thus becomes rural experience in the cadre's facts; mirrored pairs are linked.
    """
    require_batch_run(actor.user, batch)
    _require_step(batch, [BatchStatus.APPROVED], _("安排到岗"))
    if start is None:
        raise ValidationError({"start": [_("请填写到岗日期。")]})
    spec = batch.spec
    selected = list(
        batch.candidates.filter(status=CandidateStatus.ASSIGNED).select_related(
            "cadre", "cadre__unit", "assignment__slot__unit", "assignment__slot__post"
        )
    )
    if batch.template.kind == "practice":
        going: dict[int, list] = {}
        for candidate in selected:
            assignment = getattr(candidate, "assignment", None)
            if assignment is not None:
                going.setdefault(assignment.slot.unit_id, [assignment.slot.unit, 0])[1] += 1
        base_problems = []
        for unit, n in going.values():
            base_problems += _practice_base_problems(batch, unit, start=start, end=spec.planned_end(start) or start,
                                                     adding=n)  # fmt: skip
        if base_problems:
            raise ValidationError({"start": base_problems})
    placements: dict[int, Placement] = {}
    for candidate in selected:
        assignment = getattr(candidate, "assignment", None)
        slot = assignment.slot if assignment is not None else None
        host = slot.unit if slot is not None else None
        title = (slot.title if slot is not None else "") or _text(post_title) or batch.template.name
        kind = spec.experience_kind if host is not None and spec.experience_kind else ""
        placement = Placement.objects.create(
            candidate=candidate, batch=batch, cadre=candidate.cadre, host_unit=host, post_title=title, kind=kind,
            start=start, planned_end=spec.planned_end(start),
        )  # fmt: skip
        if kind:
            entry = cadre_services.experience_create(
                actor=actor, cadre=candidate.cadre,
                data={"start": start, "end": None, "unit": host, "post_title": title, "kind": kind,
                      "note": _("%(p)s · %(b)s") % {"p": batch.template.name, "b": batch.name}},
            )  # fmt: skip
            placement.experience = entry
            placement.save(update_fields=["experience"])
        candidate.status = CandidateStatus.PLACED
        candidate.save(update_fields=["status"])
        placements[candidate.pk] = placement
        record_change(actor, AuditAction.CREATE, placement, after=_placement_snapshot(placement))
        if spec.stages:
            _record_stage(actor, placement, spec, start)
    for candidate in selected:
        assignment = getattr(candidate, "assignment", None)
        if assignment is not None and assignment.partner_id:
            mine = placements[candidate.pk]
            mine.partner = placements.get(assignment.partner.candidate_id)
            mine.save(update_fields=["partner"])
    _advance(batch, BatchStatus.PLACED)
    return list(placements.values())


def _event(actor: Actor, action: str, reason: str, **extra) -> dict[str, Any]:
    return {"action": action, "reason": reason, "by": actor.user.get_username() if actor.user else "system",
            "at": timezone.now().isoformat(timespec="seconds"), **extra}  # fmt: skip


def _require_active(placement: Placement) -> None:
    if placement.status != PlacementStatus.ACTIVE:
        raise ValidationError(
            _("%(n)s 的这次%(k)s已结束。") % {"n": placement.cadre.name, "k": placement.batch.template.name}
        )


@transaction.atomic
def placement_extend(*, actor: Actor, placement: Placement, new_end: dt.date, reason: str) -> Placement:
    _require_cadre(actor, placement.cadre)
    _require_active(placement)
    errors: dict[str, list[str]] = {}
    if not _text(reason):
        errors["reason"] = [_("延期须写明理由。")]
    current = placement.planned_end or placement.start
    if new_end is None or new_end <= current:
        errors["new_end"] = [_("新的结束日期应晚于 %(d)s。") % {"d": current.isoformat()}]
    if errors:
        raise ValidationError(errors)
    before = _placement_snapshot(placement)
    placement.events = [*placement.events, _event(actor, "extend", _text(reason), date_from=current.isoformat(),
                                                  date_to=new_end.isoformat())]  # fmt: skip
    placement.planned_end = new_end
    placement.save(update_fields=["planned_end", "events"])
    record_change(actor, AuditAction.UPDATE, placement, before=before, after=_placement_snapshot(placement),
                  detail={"reason": _text(reason)})  # fmt: skip
    return placement


def _close(actor: Actor, placement: Placement, end: dt.date) -> None:
    if placement.experience_id:
        entry = placement.experience
        cadre_services.experience_update(actor=actor, entry=entry, data={"end": end})


@transaction.atomic
def placement_end_early(*, actor: Actor, placement: Placement, end: dt.date, reason: str) -> Placement:
    """End before the planned date (reason required); the experience entry closes on ``end``."""
    _require_cadre(actor, placement.cadre)
    _require_active(placement)
    errors: dict[str, list[str]] = {}
    if not _text(reason):
        errors["reason"] = [_("提前结束须写明理由。")]
    if end is None or end < placement.start:
        errors["end"] = [_("结束日期不能早于开始日期 %(d)s。") % {"d": placement.start.isoformat()}]
    elif placement.planned_end and end >= placement.planned_end:
        errors["end"] = [
            _("结束日期不早于计划结束日期 %(d)s，请进行期满考核。") % {"d": placement.planned_end.isoformat()}
        ]
    if errors:
        raise ValidationError(errors)
    before = _placement_snapshot(placement)
    _close(actor, placement, end)
    placement.actual_end = end
    placement.status = PlacementStatus.ENDED_EARLY
    placement.events = [*placement.events, _event(actor, "end_early", _text(reason), date=end.isoformat())]
    placement.save(update_fields=["actual_end", "status", "events"])
    record_change(actor, AuditAction.UPDATE, placement, before=before, after=_placement_snapshot(placement),
                  detail={"reason": _text(reason)})  # fmt: skip
    return placement


@transaction.atomic
def placement_term_end_assess(
    *, actor: Actor, placement: Placement, grade: str, end: dt.date | None = None, note: str = ""
) -> Placement:
    """期满考核: record the grade, end the placement if still running, and apply the template's effects.

    E.g. 优秀 → an entry in the reserve pool (后备干部库) citing the batch.
    """
    _require_cadre(actor, placement.cadre)
    if grade not in GRADES:
        raise ValidationError({"grade": [_("考核等次应为：%(g)s。") % {"g": "、".join(GRADES.values())}]})
    if placement.grade:
        raise ValidationError(_("%(n)s 已有期满考核结果（%(g)s）。") % {"n": placement.cadre.name,
                                                                 "g": placement.get_grade_display()})  # fmt: skip
    before = _placement_snapshot(placement)
    if placement.status == PlacementStatus.ACTIVE:
        end = end or placement.planned_end or dt.date.today()
        if end < placement.start:
            raise ValidationError({"end": [_("结束日期不能早于开始日期 %(d)s。") % {"d": placement.start.isoformat()}]})
        spec = placement.batch.spec
        if placement.batch.template.kind == "practice" and spec.term_too_short(placement.start, end):
            days = (end - placement.start).days
            raise ValidationError({"end": [
                _("本项目规定实践锻炼%(t)s，%(n)s 自 %(s)s 至 %(e)s 仅 %(d)s 天，不能按期满考核结束；"
                  "如确需提前结束，请使用“提前结束”并写明理由。")
                % {"t": spec.term.describe(), "n": placement.cadre.name, "s": placement.start.isoformat(),
                   "e": end.isoformat(), "d": days}
            ]})  # fmt: skip
        _close(actor, placement, end)
        placement.actual_end = end
        placement.status = PlacementStatus.ENDED
    on = placement.actual_end or end or dt.date.today()
    placement.grade = grade
    placement.assessed_on = on
    placement.assessment_note = _text(note)
    placement.save(update_fields=["actual_end", "status", "grade", "assessed_on", "assessment_note"])
    record_change(actor, AuditAction.UPDATE, placement, before=before, after=_placement_snapshot(placement))
    batch = placement.batch
    for effect in batch.spec.effects_for(grade):
        if effect == "reserve_pool":
            reason = _("%(b)s（%(t)s）期满考核%(g)s") % {"b": batch.name, "t": batch.template.name, "g": GRADES[grade]}
            entry = ReservePoolEntry.objects.create(
                cadre=placement.cadre, source_batch=batch, placement=placement, date=on, reason=reason
            )
            record_change(actor, AuditAction.CREATE, entry, after=snapshot(entry))
            from miaopu.apps.pools.services import reserve_from_programme  # the reserve pool of record

            reserve_from_programme(actor=actor, programme_entry=entry)
    return placement


@transaction.atomic
def stage_record_changes(*, actor: Actor, batch: Batch, on: dt.date | None = None) -> list[StageRecord]:
    """Record every placed cadre whose stage (by months since civil-service entry) has changed by ``on``."""
    require_batch_run(actor.user, batch)
    spec = batch.spec
    if not spec.stages:
        raise ValidationError(_("本项目没有分阶段培养。"))
    on = on or dt.date.today()
    records = []
    for placement in batch.placements.filter(status=PlacementStatus.ACTIVE).select_related("cadre"):
        record = _record_stage(actor, placement, spec, on)
        if record is not None:
            records.append(record)
    return records


@transaction.atomic
def batch_close(*, actor: Actor, batch: Batch) -> Batch:
    require_batch_run(actor.user, batch)
    _require_step(batch, [BatchStatus.PLACED], _("结束批次"))
    running = batch.placements.filter(status=PlacementStatus.ACTIVE).count()
    if running:
        raise ValidationError(_("还有 %(n)s 人在岗，全部结束或完成期满考核后才能结束批次。") % {"n": running})
    before = snapshot(batch)
    _advance(batch, BatchStatus.CLOSED)
    record_change(actor, AuditAction.UPDATE, batch, before=before, after=snapshot(batch))
    return batch
