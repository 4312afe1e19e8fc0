"""Every write of the matching app: solve a batch into a new plan, derive a plan by pinning or forbidding a
pair, accept a plan as the batch's assignment.

Like every service, each is keyword-only, checks who acts, and leaves a change record. Accepting a plan
writes the assignments through the programmes app's own ``assignment_clear`` / ``assignment_set`` inside
one transaction, so every pair passes the same checks (step, vetting, side, host unit, capacity, quotas,
mirrored exchange) as one assigned by hand, each writes its own audit row, and if any pair fails nothing
is written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from miaopu.apps.core.audit import Actor, record_change, snapshot
from miaopu.apps.core.choices import AuditAction
from miaopu.apps.programmes import services as programme_services
from miaopu.apps.programmes.choices import BatchStatus, CandidateStatus
from miaopu.apps.programmes.models import Assignment, Batch, HostSlot
from miaopu.apps.programmes.selectors import can_run_batch, candidate_list, require_programmes
from miaopu.domain.matching import ProblemError, problem_to_json, result_to_json, solve

from .models import MatchPlan, PlanOutcome, PlanStatus
from .problem import NO_REGION, Built, Options, build
from .scoring import clean_weights

#: Steps in which plans may be made (before approval) and accepted (when assigning by hand is possible).
SOLVE_STEPS = [BatchStatus.DRAFT, BatchStatus.CANDIDATES, BatchStatus.NOMINATION, BatchStatus.VETTING,
               BatchStatus.ASSIGNMENT]  # fmt: skip
ACCEPT_STEPS = [BatchStatus.VETTING, BatchStatus.ASSIGNMENT]
PLAN_AUDIT_FIELDS = ["batch", "number", "parent", "mode", "outcome", "solver", "proven", "total_score", "assigned",
                     "candidate_count", "status", "note"]  # fmt: skip
DEFAULT_TIME_LIMIT = 30.0


def _require_matching(user, batch: Batch) -> None:
    require_programmes(user)
    if not can_run_batch(user, batch):
        raise PermissionDenied(_("该批次的选拔范围超出您的管理范围，不能进行人岗匹配。"))
    if not batch.spec.has_hosts:
        raise ValidationError(_("本项目在原单位培养，不派往接收单位，无需人岗匹配。"))


def _require_step(batch: Batch, steps: Sequence[str], doing: str) -> None:
    if batch.status not in steps:
        allowed = "、".join(str(BatchStatus(s).label) for s in steps)
        raise ValidationError(
            _("批次“%(b)s”目前处于“%(now)s”阶段，不能%(doing)s（须在：%(steps)s）。")
            % {"b": batch.name, "now": batch.get_status_display(), "doing": doing, "steps": allowed}
        )


def batch_regions(batch: Batch) -> set[str]:
    """The regions of the batch's host slots (what quotas may name)."""
    regions = HostSlot.objects.filter(batch=batch).values_list("region", flat=True)
    return {(r or "").strip() or NO_REGION for r in regions}


def clean_quotas(data: Iterable[Mapping[str, Any]] | None, regions: set[str]) -> list[dict[str, Any]]:
    """The plan's quotas checked against the batch's regions; every mistake named by its line (第 N 条)."""
    errors: list[str] = []
    cleaned: list[dict[str, Any]] = []
    for i, quota in enumerate(data or (), start=1):
        names = [str(r).strip() for r in quota.get("regions") or () if str(r).strip()]
        low, high = quota.get("min"), quota.get("max")
        where = _("第 %(n)s 条名额") % {"n": i}
        if not names:
            errors.append(_("%(w)s：请写出地区。") % {"w": where})
            continue
        unknown = [r for r in names if r not in regions]
        if unknown:
            errors.append(
                _("%(w)s：本批次的接收岗位中没有地区“%(r)s”（现有：%(all)s）。")
                % {"w": where, "r": "、".join(unknown), "all": "、".join(sorted(regions)) or "—"}
            )
        for value in (low, high):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                errors.append(_("%(w)s：人数应为不小于 0 的整数，而不是 %(v)s。") % {"w": where, "v": value})
        if low is None and high is None:
            errors.append(_("%(w)s：请写出“至少”或“至多”多少人。") % {"w": where})
        elif isinstance(low, int) and isinstance(high, int) and low > high:
            errors.append(_("%(w)s：至少 %(a)s 人大于至多 %(b)s 人。") % {"w": where, "a": low, "b": high})
        name = quota.get("name") or ""
        cleaned.append({"regions": list(dict.fromkeys(names)), "min": low, "max": high, "name": name})
    if errors:
        raise ValidationError({"quotas": errors})
    return cleaned


def _pairs(data: Iterable[Sequence[str]] | None) -> tuple[tuple[str, str], ...]:
    found = []
    for pair in data or ():
        if len(pair) != 2:
            raise ValidationError(_("配对应写成 [候选人编号, 岗位编号]。"))
        item = (str(pair[0]), str(pair[1]))
        if item not in found:
            found.append(item)
    return tuple(found)


def _pair_text(built: Built, candidate: str, slot: str) -> str:
    who = built.candidates.get(candidate, {}).get("name", candidate)
    where = built.slots.get(slot)
    return f"{who} → {where['unit']}{where['title']}" if where else f"{who} → {slot}"


def _check_pins(built: Built, options: Options) -> None:
    """A pinned pair must be allowed: say which rule forbids it instead of the engine's bare 'not scored'."""
    errors = []
    for candidate, slot in options.fixed:
        verdict = built.scores.get((candidate, slot))
        if candidate not in built.candidates or slot not in built.slots:
            continue  # left out (see the warnings); nothing to pin
        pair = _pair_text(built, candidate, slot)
        if verdict is None:
            errors.append(_("不能固定 %(p)s：该岗位不接收此人选（接收方或接收单位的要求不符）。") % {"p": pair})
        elif verdict.removed:
            errors.append(_("不能固定 %(p)s：%(why)s。") % {"p": pair, "why": "；".join(verdict.removed)})
        elif (candidate, slot) in options.forbidden:
            errors.append(_("%(p)s 既被固定又被禁止，请取消其中一项。") % {"p": pair})
    if errors:
        raise ValidationError({"fixed": errors})


def _side_counts(built: Built) -> dict[str, int]:
    counts: dict[str, int] = {}
    for info in built.candidates.values():
        counts[info.get("side") or ""] = counts.get(info.get("side") or "", 0) + 1
    return counts


def plan_solve(
    *,
    actor: Actor,
    batch: Batch,
    weights: Mapping[str, float] | None = None,
    assign_all: bool | None = None,
    quotas: Iterable[Mapping[str, Any]] | None = None,
    fixed: Iterable[Sequence[str]] | None = None,
    forbidden: Iterable[Sequence[str]] | None = None,
    parent: MatchPlan | None = None,
    note: str = "",
    time_limit: float | None = None,
) -> MatchPlan:
    """Build the batch's problem, solve it and store the result as a new plan (a draft).

    ``assign_all`` left as None means: everyone must be placed, unless the batch's total per side is smaller
    than the number of candidates of a side (then as many as the quotas allow are placed).
    """
    _require_matching(actor.user, batch)
    _require_step(batch, SOLVE_STEPS, _("进行人岗匹配"))
    try:
        clean = clean_weights(weights, batch.template.kind)
    except ValueError as exc:
        raise ValidationError({"weights": [str(exc)]}) from exc
    options = Options(
        assign_all=True if assign_all is None else bool(assign_all),
        quotas=tuple(clean_quotas(quotas, batch_regions(batch))),
        fixed=_pairs(fixed),
        forbidden=_pairs(forbidden),
    )
    built = build(user=actor.user, batch=batch, weights=clean, options=options)
    if not built.slots:
        raise ValidationError(_("本批次尚未设置接收岗位，请先在“接收岗位”中增加。"))
    if not built.candidates:
        reasons = [f"{e['name']}：{e['reason']}" for e in built.excluded]
        if reasons:
            raise ValidationError([_("本批次没有可参加匹配的人选（须考察通过）。"), *reasons])
        raise ValidationError(_("本批次尚无考察通过的人选，无法匹配。"))
    total = (batch.quotas or {}).get("total")
    if assign_all is None and total and any(n > total for n in _side_counts(built).values()):
        options = dataclasses.replace(options, assign_all=False)
        built.problem = dataclasses.replace(built.problem, assign_all=False)
        built.warnings.append(f"人选多于每方总名额 {total} 人，不要求每人都安排：在名额内安排尽量多的人")

    def present(pair: tuple[str, str]) -> bool:
        return pair[0] in built.candidates and pair[1] in built.slots

    for candidate, slot in [p for p in (*options.fixed, *options.forbidden) if not present(p)]:
        built.warnings.append(f"{_pair_text(built, candidate, slot)}：人选或岗位已不在本批次的匹配范围内，已忽略")
    options = dataclasses.replace(
        options, fixed=tuple(filter(present, options.fixed)), forbidden=tuple(filter(present, options.forbidden))
    )
    _check_pins(built, options)
    limit = getattr(settings, "MIAOPU_MATCHING_TIME_LIMIT", DEFAULT_TIME_LIMIT) if time_limit is None else time_limit
    try:
        result = solve(built.problem, time_limit=limit)
    except ProblemError as exc:  # a bug in building, not a user mistake; still say what is wrong
        raise ValidationError([_("匹配问题有误："), *exc.errors]) from exc
    explain = built.explain()
    explain["pairs"] = {
        f"{a.candidate}|{a.slot}": built.pair_explanation(a.candidate, a.slot) for a in result.assignments
    }
    problem_data = problem_to_json(built.problem)
    problem_data["meta"] = {
        "source": "miaopu", "batch": batch.pk, "batch_name": batch.name, "template": batch.template.code,
        "template_version": batch.version.number, "as_of": batch.as_of.isoformat(), "weights": clean,
    }  # fmt: skip
    with transaction.atomic():
        Batch.objects.select_for_update().filter(pk=batch.pk).first()
        number = (MatchPlan.objects.filter(batch=batch).aggregate(n=Max("number"))["n"] or 0) + 1
        plan = MatchPlan.objects.create(
            batch=batch, number=number, parent=parent, mode=built.mode, weights=clean, options=options.to_data(),
            problem=problem_data, result=result_to_json(result), explain=explain, outcome=result.status,
            solver=result.solver, proven=result.proven, total_score=result.total_score, assigned=result.assigned,
            candidate_count=len(built.candidates), seconds=round(result.seconds, 3), note=(note or "")[:200],
            created_by=actor.user,
        )  # fmt: skip
        problem_data["meta"]["plan"] = number
        MatchPlan.objects.filter(pk=plan.pk).update(problem=problem_data)
        plan.problem = problem_data
        record_change(
            actor, AuditAction.CREATE, plan, after=snapshot(plan, PLAN_AUDIT_FIELDS),
            detail={"weights": clean, "options": options.to_data(), "seconds": plan.seconds},
        )  # fmt: skip
    return plan


def plan_derive(
    *,
    actor: Actor,
    plan: MatchPlan,
    pin: Sequence[str] | None = None,
    forbid: Sequence[str] | None = None,
    release: Sequence[str] | None = None,
) -> MatchPlan:
    """Solve again with one pair pinned, forbidden, or released from either; the result is a new plan.

    Pinning a candidate replaces an earlier pin of the same candidate (one person goes to one place).
    """
    options = Options.from_data(plan.options)
    fixed, forbidden = list(options.fixed), list(options.forbidden)
    built_names = plan.explain or {}

    def label(pair: Sequence[str]) -> str:
        who = built_names.get("candidates", {}).get(pair[0], {}).get("name", pair[0])
        where = built_names.get("slots", {}).get(pair[1])
        return f"{who} → {where['unit']}{where['title']}" if where else f"{who} → {pair[1]}"

    notes = []
    if pin is not None:
        pair = (str(pin[0]), str(pin[1]))
        fixed = [p for p in fixed if p[0] != pair[0]] + [pair]
        forbidden = [p for p in forbidden if p != pair]
        notes.append(_("固定 %(p)s") % {"p": label(pair)})
    if forbid is not None:
        pair = (str(forbid[0]), str(forbid[1]))
        forbidden = [p for p in forbidden if p != pair] + [pair]
        fixed = [p for p in fixed if p != pair]
        notes.append(_("禁止 %(p)s") % {"p": label(pair)})
    if release is not None:
        pair = (str(release[0]), str(release[1]))
        fixed = [p for p in fixed if p != pair]
        forbidden = [p for p in forbidden if p != pair]
        notes.append(_("取消对 %(p)s 的固定或禁止") % {"p": label(pair)})
    return plan_solve(
        actor=actor, batch=plan.batch, weights=plan.weights, assign_all=options.assign_all,
        quotas=options.quotas, fixed=fixed, forbidden=forbidden, parent=plan,
        note=_("基于方案 %(n)s：%(what)s") % {"n": plan.number, "what": "；".join(notes)},
    )  # fmt: skip


def _people(user, batch: Batch) -> dict[int, Any]:
    return {c.pk: c for c in candidate_list(user=user, batch=batch).select_related("cadre__unit", "batch__version")}


@transaction.atomic
def plan_accept(*, actor: Actor, plan: MatchPlan) -> MatchPlan:
    """Make the plan the batch's assignment: clear every current assignment, then assign every pair.

    Every pair goes through ``programmes.services.assignment_set``; if one is refused (someone was rejected
    since, a slot was removed, a quota changed) nothing is written and the message names the pair.
    """
    batch = Batch.objects.select_related("template", "version", "scope_unit").get(pk=plan.batch_id)
    _require_matching(actor.user, batch)
    _require_step(batch, ACCEPT_STEPS, _("采用匹配方案"))
    if not plan.has_plan:
        raise ValidationError(_("方案 %(n)s 无解，不能采用。") % {"n": plan.number})
    if plan.status == PlanStatus.ACCEPTED:
        raise ValidationError(_("方案 %(n)s 已经采用。") % {"n": plan.number})
    before = snapshot(plan, PLAN_AUDIT_FIELDS)

    assigned = Assignment.objects.filter(candidate__batch=batch).values_list("candidate_id", flat=True)
    people = _people(actor.user, batch)
    cleared = 0
    for candidate_id in list(assigned):
        if not Assignment.objects.filter(candidate_id=candidate_id).exists():
            continue  # cleared with its mirrored partner
        person = people.get(candidate_id)
        if person is None:
            raise PermissionDenied(_("本批次有您管理范围以外的已分配人选，不能整体采用方案。"))
        programme_services.assignment_clear(actor=actor, candidate=person)
        cleared += 1

    people = _people(actor.user, batch)  # statuses changed while clearing
    slots = {s.pk: s for s in HostSlot.objects.filter(batch=batch).select_related("unit", "post")}
    explain = plan.explain or {}

    def candidate_of(key: str):
        info = explain.get("candidates", {}).get(key)
        person = people.get(info["candidate"]) if info else None
        if person is None:
            who = info["name"] if info else key
            raise ValidationError(_("方案中的人选 %(k)s 已不在本批次中，请重新求解。") % {"k": who})
        return person

    def slot_of(key: str) -> HostSlot:
        info = explain.get("slots", {}).get(key)
        slot = slots.get(info["slot"]) if info else None
        if slot is None:
            where = f"{info['unit']}{info['title']}" if info else key
            raise ValidationError(_("方案中的接收岗位 %(k)s 已被删除，请重新求解。") % {"k": where})
        return slot

    def apply(person, slot, **extra) -> None:
        try:
            programme_services.assignment_set(actor=actor, candidate=person, slot=slot, **extra)
        except ValidationError as exc:
            raise ValidationError(
                _("采用方案时 %(n)s → %(s)s 未通过分配检查：%(why)s（未作任何更改，请重新求解）")
                % {"n": person.cadre.name, "s": slot, "why": "；".join(exc.messages)}
            ) from exc

    goes = {a["candidate"]: a["slot"] for a in plan.result.get("assignments", [])}
    if plan.mode == "two-way":
        for a_key, b_key in plan.result.get("pairs", []):
            partner, partner_slot = candidate_of(b_key), slot_of(goes[b_key])
            apply(candidate_of(a_key), slot_of(goes[a_key]), partner=partner, partner_slot=partner_slot)
    else:
        for c_key, s_key in goes.items():
            apply(candidate_of(c_key), slot_of(s_key))

    MatchPlan.objects.filter(batch=batch, status=PlanStatus.ACCEPTED).update(status=PlanStatus.SUPERSEDED)
    plan.status = PlanStatus.ACCEPTED
    plan.accepted_at = timezone.now()
    plan.accepted_by = actor.user
    plan.save(update_fields=["status", "accepted_at", "accepted_by"])
    record_change(
        actor, AuditAction.UPDATE, plan, before=before, after=snapshot(plan, PLAN_AUDIT_FIELDS),
        detail={"accepted": True, "assigned": len(goes), "cleared": cleared},
    )  # fmt: skip
    return plan


def plan_matches_batch(plan: MatchPlan) -> bool:
    """Whether the batch's assignments are exactly the plan's pairs (an accepted plan changed by hand is not)."""
    explain = plan.explain or {}
    wanted = set()
    for a in plan.result.get("assignments", []):
        c = explain.get("candidates", {}).get(a["candidate"])
        s = explain.get("slots", {}).get(a["slot"])
        if c and s:
            wanted.add((c["candidate"], s["slot"]))
    current = set(Assignment.objects.filter(candidate__batch_id=plan.batch_id).values_list("candidate_id", "slot_id"))
    return bool(wanted) and wanted == current


def newly_vetted(plan: MatchPlan) -> int:
    """Vetted candidates of the batch who were not in the plan's problem (vetted after it was solved)."""
    known = {info["candidate"] for info in (plan.explain or {}).get("candidates", {}).values()}
    known |= {int(e["candidate"][1:]) for e in (plan.explain or {}).get("excluded", [])}
    vetted = plan.batch.candidates.filter(status__in=[CandidateStatus.VETTED, CandidateStatus.ASSIGNED])
    return vetted.exclude(pk__in=known).count()


def plan_outcome_label(outcome: str) -> str:
    return str(PlanOutcome(outcome).label) if outcome in PlanOutcome.values else outcome
