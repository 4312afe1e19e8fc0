"""Every write of the mentoring app: mentors, mentorships, guidance records, automatic pairing.

Each function is keyword-only, checks who is acting (role, scope, and for records: *this* mentor or *this*
mentee), writes inside one transaction and leaves a change record, so the web pages, the API and
``miaopu pair-mentors`` behave the same. Errors are ``ValidationError`` (with a field dict where a field is to
blame) or ``PermissionDenied``, in Chinese.

The pairing workflow: :func:`pairing_run_create` computes proposals for a cohort (one per mentee and required
role, each with its reasons and the alternatives); staff accept all or some (:func:`proposals_decide`), swap a
proposal to another qualified mentor (:func:`proposal_swap`) or exchange the mentors of two proposals
(:func:`proposals_exchange`), then confirm the accepted ones in bulk (:func:`pairing_confirm`), which creates
the mentorships after re-checking capacity.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from miaopu.apps.cadres.models import Cadre
from miaopu.apps.core.access import require_unit_target, scope_root, unit_in_scope
from miaopu.apps.core.audit import Actor, record_change, snapshot
from miaopu.apps.core.choices import AuditAction, Role
from miaopu.apps.core.services import apply_fields, full_clean
from miaopu.domain import pairing as engine

from . import files
from .models import (
    GuidanceAttachment,
    GuidanceRecord,
    Mentor,
    MentorRole,
    Mentorship,
    MentorshipStatus,
    PairingPolicy,
    PairingProposal,
    PairingRun,
    PairingRunStatus,
    ProposalStatus,
    Strategy,
)
from .selectors import (
    can_manage,
    is_mentee_of,
    is_mentor_of,
    mentor_loads,
    policy_for,
    require_manage,
)

MENTOR_FIELDS = ["cadre", "name", "unit", "unit_name", "title", "contact", "note", "is_available", "user"]
RECORD_FIELDS = ["date", "kind", "content", "hours"]
POLICY_FIELDS = ["capacity", "service_gap_years", "political", "business", "parent_fallback", "contact_days"]
ROLE_LABELS = {value: str(label) for value, label in MentorRole.choices}


def _require_cadre_in_scope(actor: Actor, cadre: Cadre) -> None:
    require_manage(actor.user)
    if not unit_in_scope(actor.user, cadre.unit):
        raise PermissionDenied(_("干部“%(n)s”不在您的管理范围内。") % {"n": cadre.name})


def _require_ship_manager(actor: Actor, ship: Mentorship) -> None:
    _require_cadre_in_scope(actor, ship.mentee)


# ---------------------------------------------------------------- mentors


def _mentor_errors(mentor: Mentor) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not mentor.cadre_id and not (mentor.name or "").strip():
        errors["name"] = [_("请填写导师姓名（系统外导师），或选择对应干部。")]
    if mentor.user_id and mentor.user.role != Role.MENTOR:
        errors["user"] = [_("只能关联角色为“导师”的账号。")]
    return errors


def _sync_from_cadre(mentor: Mentor) -> None:
    """A cadre mentor's name, unit and title follow the cadre file (one source of truth)."""
    if mentor.cadre_id:
        cadre = mentor.cadre
        mentor.name = cadre.name
        mentor.unit = cadre.unit
        mentor.unit_name = cadre.unit.name
        mentor.title = cadre.post_title


@transaction.atomic
def mentor_create(*, actor: Actor, data: dict[str, Any]) -> Mentor:
    """Add a mentor: a cadre of the user's scope, or an external person (a district user must give a unit)."""
    require_manage(actor.user)
    mentor = Mentor()
    apply_fields(mentor, data, MENTOR_FIELDS)
    if mentor.cadre_id:
        _require_cadre_in_scope(actor, mentor.cadre)
        if Mentor.objects.filter(cadre_id=mentor.cadre_id).exists():
            raise ValidationError({"cadre": [_("该干部已在导师库中。")]})
        _sync_from_cadre(mentor)
    else:
        root = scope_root(actor.user)
        if mentor.unit_id:
            require_unit_target(actor.user, mentor.unit)
            mentor.unit_name = mentor.unit_name or mentor.unit.name
        elif root is not None and root.parent_id is not None:
            raise ValidationError({"unit": [_("请选择导师所在单位（须在您的管理范围内）。")]})
    full_clean(mentor, _mentor_errors(mentor))
    mentor.save()
    record_change(actor, AuditAction.CREATE, mentor, after=snapshot(mentor))
    return mentor


@transaction.atomic
def mentor_update(*, actor: Actor, mentor: Mentor, data: dict[str, Any]) -> Mentor:
    require_manage(actor.user)
    if "cadre" in data and (data["cadre"].pk if data["cadre"] else None) != mentor.cadre_id:
        raise ValidationError({"cadre": [_("不能更改导师对应的干部，请另建导师。")]})
    if mentor.cadre_id:
        _require_cadre_in_scope(actor, mentor.cadre)
    elif data.get("unit") is not None:
        require_unit_target(actor.user, data["unit"])
    before = snapshot(mentor)
    apply_fields(mentor, data, MENTOR_FIELDS)
    _sync_from_cadre(mentor)
    full_clean(mentor, _mentor_errors(mentor))
    mentor.save()
    record_change(actor, AuditAction.UPDATE, mentor, before=before, after=snapshot(mentor))
    return mentor


def mentor_for_cadre(*, actor: Actor, cadre: Cadre) -> Mentor:
    """The ``Mentor`` row of a cadre, created (and audited) the first time they are paired."""
    found = Mentor.objects.filter(cadre=cadre).first()
    if found is not None:
        return found
    mentor = Mentor(cadre=cadre)
    _sync_from_cadre(mentor)
    mentor.save()
    record_change(actor, AuditAction.CREATE, mentor, after=snapshot(mentor))
    return mentor


# ---------------------------------------------------------------- mentorships


def _capacity_check(mentor: Mentor, role: str, capacity: int, adding: int = 1) -> None:
    current = mentor_loads([mentor.pk]).get((mentor.pk, role), 0)
    if current + adding > capacity:
        raise ValidationError(
            {
                "mentor": [
                    _("%(m)s 已担任 %(n)s 人的%(r)s，每人最多 %(c)s 名。确需超额请勾选“超出名额仍结对”。")
                    % {"m": mentor.name, "n": current, "r": ROLE_LABELS[role], "c": capacity}
                ]
            }
        )


@transaction.atomic
def mentorship_create(
    *,
    actor: Actor,
    mentee: Cadre,
    mentor: Mentor,
    role: str,
    start: dt.date,
    template=None,
    batch=None,
    strategy: str = Strategy.MANUAL,
    reasons: list[str] | None = None,
    allow_over_capacity: bool = False,
) -> Mentorship:
    """Pair a mentee with a mentor by hand (or from a confirmed proposal)."""
    _require_cadre_in_scope(actor, mentee)
    errors: dict[str, list[str]] = {}
    if role not in ROLE_LABELS:
        errors["role"] = [_("未知的导师类型。")]
    if mentor.cadre_id and mentor.cadre_id == mentee.pk:
        errors.setdefault("mentor", []).append(_("不能自己带自己。"))
    if Mentorship.objects.filter(mentee=mentee, role=role, is_active=True).exists():
        errors.setdefault("role", []).append(
            _("%(n)s 已有在带的%(r)s，请先结束原结对。") % {"n": mentee.name, "r": ROLE_LABELS.get(role, role)}
        )
    if Mentorship.objects.filter(mentee=mentee, mentor=mentor, is_active=True).exists():
        errors.setdefault("mentor", []).append(_("此人已是该干部的导师，一人不兼任两类导师。"))
    if errors:
        raise ValidationError(errors)
    if not allow_over_capacity:
        _capacity_check(mentor, role, policy_for(template).capacity)
    ship = Mentorship(
        mentee=mentee, mentor=mentor, role=role, start=start, template=template, batch=batch,
        strategy=strategy, reasons=list(reasons or []),
    )  # fmt: skip
    full_clean(ship)
    ship.save()
    record_change(actor, AuditAction.CREATE, ship, after=snapshot(ship))
    return ship


@transaction.atomic
def mentorship_end(
    *, actor: Actor, mentorship: Mentorship, end: dt.date, status: str = MentorshipStatus.COMPLETED, reason: str = ""
) -> Mentorship:
    """End a mentorship at term end (期满) or early (解除, a reason is required)."""
    _require_ship_manager(actor, mentorship)
    if not mentorship.is_active:
        raise ValidationError(_("该结对已结束。"))
    errors: dict[str, list[str]] = {}
    if status not in (MentorshipStatus.COMPLETED, MentorshipStatus.ENDED):
        errors["status"] = [_("请选择期满结束或提前解除。")]
    if status == MentorshipStatus.ENDED and not reason.strip():
        errors["end_reason"] = [_("提前解除须写明理由。")]
    if end < mentorship.start:
        errors["end"] = [_("结束时间不能早于开始时间（%(d)s）。") % {"d": mentorship.start.isoformat()}]
    if errors:
        raise ValidationError(errors)
    before = snapshot(mentorship)
    mentorship.end, mentorship.status, mentorship.is_active = end, status, False
    mentorship.end_reason = reason.strip()
    mentorship.save()
    record_change(actor, AuditAction.UPDATE, mentorship, before=before, after=snapshot(mentorship))
    return mentorship


@transaction.atomic
def mentorship_rate_mentee(*, actor: Actor, mentorship: Mentorship, grade: str, comment: str) -> Mentorship:
    """The mentor's end-of-term evaluation of the mentee (only this mentorship's mentor, while it runs)."""
    if not is_mentor_of(actor.user, mentorship):
        raise PermissionDenied(_("只有该结对的导师本人可以评价帮带对象。"))
    before = snapshot(mentorship)
    mentorship.mentee_grade, mentorship.mentee_comment = grade, (comment or "").strip()
    mentorship.mentee_rated_at = timezone.now()
    errors = {} if grade else {"mentee_grade": [_("请选择评价等次。")]}
    full_clean(mentorship, errors)
    mentorship.save()
    record_change(actor, AuditAction.UPDATE, mentorship, before=before, after=snapshot(mentorship))
    return mentorship


@transaction.atomic
def mentorship_rate_mentor(*, actor: Actor, mentorship: Mentorship, grade: str, comment: str) -> Mentorship:
    """The mentee's evaluation of the mentor, from their own 干部本人 account."""
    if not is_mentee_of(actor.user, mentorship):
        raise PermissionDenied(_("只有帮带对象本人可以评价导师。"))
    before = snapshot(mentorship)
    mentorship.mentor_grade, mentorship.mentor_comment = grade, (comment or "").strip()
    mentorship.mentor_rated_at = timezone.now()
    errors = {} if grade else {"mentor_grade": [_("请选择评价等次。")]}
    full_clean(mentorship, errors)
    mentorship.save()
    record_change(actor, AuditAction.UPDATE, mentorship, before=before, after=snapshot(mentorship))
    return mentorship


# ---------------------------------------------------------------- guidance records


def _record_errors(record: GuidanceRecord, today: dt.date | None = None) -> dict[str, list[str]]:
    today = today or dt.date.today()
    errors: dict[str, list[str]] = {}
    ship = record.mentorship
    if record.date:
        if record.date > today:
            errors["date"] = [_("日期不能晚于今天。")]
        elif record.date < ship.start:
            errors["date"] = [_("日期早于结对开始时间（%(d)s）。") % {"d": ship.start.isoformat()}]
    if record.hours is not None and not (Decimal("0") < Decimal(record.hours) <= Decimal("24")):
        errors["hours"] = [_("时长应大于 0、不超过 24 小时。")]
    if not (record.content or "").strip():
        errors["content"] = [_("请填写帮带内容。")]
    return errors


def _require_writer(actor: Actor, ship: Mentorship) -> None:
    if not is_mentor_of(actor.user, ship):
        raise PermissionDenied(_("帮带记录由该结对的导师本人填写。"))


@transaction.atomic
def guidance_create(
    *, actor: Actor, mentorship: Mentorship, data: dict[str, Any], uploads: Iterable = ()
) -> GuidanceRecord:
    """The mentor records a session (date, kind, content, hours) with optional attachments."""
    _require_writer(actor, mentorship)
    record = GuidanceRecord(mentorship=mentorship, created_by=actor.user)
    apply_fields(record, data, RECORD_FIELDS)
    full_clean(record, _record_errors(record), exclude=["created_by", "confirmed_by"])
    checked = [(upload, _checked(upload)) for upload in uploads]
    record.save()
    record_change(actor, AuditAction.CREATE, record, after=snapshot(record))
    for upload, check in checked:
        _store(actor, record, upload, check)
    return record


def _checked(upload) -> files.CheckedFile:
    try:
        return files.check_attachment(upload)
    except ValidationError as exc:
        raise ValidationError({"attachments": exc.messages}) from exc


def _store(actor: Actor, record: GuidanceRecord, upload, check: files.CheckedFile) -> GuidanceAttachment:
    attachment = GuidanceAttachment(record=record, name=check.name, size=check.size, content_type=check.content_type)
    upload.seek(0)
    attachment.file.save(check.name, upload, save=False)
    attachment.save()
    record_change(actor, AuditAction.CREATE, attachment, after=snapshot(attachment, ["record", "name", "size"]))
    return attachment


def _require_editable(actor: Actor, record: GuidanceRecord) -> None:
    _require_writer(actor, record.mentorship)
    if record.is_confirmed:
        raise ValidationError(_("帮带对象已确认这条记录，不能再修改或删除。"))


@transaction.atomic
def guidance_update(*, actor: Actor, record: GuidanceRecord, data: dict[str, Any]) -> GuidanceRecord:
    _require_editable(actor, record)
    before = snapshot(record)
    apply_fields(record, data, RECORD_FIELDS)
    full_clean(record, _record_errors(record), exclude=["created_by", "confirmed_by"])
    record.save()
    record_change(actor, AuditAction.UPDATE, record, before=before, after=snapshot(record))
    return record


@transaction.atomic
def guidance_delete(*, actor: Actor, record: GuidanceRecord) -> None:
    _require_editable(actor, record)
    record_change(actor, AuditAction.DELETE, record, before=snapshot(record))
    for attachment in record.attachments.all():
        attachment.file.delete(save=False)
    record.delete()


@transaction.atomic
def attachment_add(*, actor: Actor, record: GuidanceRecord, upload) -> GuidanceAttachment:
    _require_editable(actor, record)
    return _store(actor, record, upload, _checked(upload))


@transaction.atomic
def attachment_delete(*, actor: Actor, attachment: GuidanceAttachment) -> None:
    _require_editable(actor, attachment.record)
    record_change(actor, AuditAction.DELETE, attachment, before=snapshot(attachment, ["record", "name", "size"]))
    attachment.file.delete(save=False)
    attachment.delete()


@transaction.atomic
def guidance_confirm(*, actor: Actor, record: GuidanceRecord, note: str = "") -> GuidanceRecord:
    """The mentee confirms a record from their own account; it is locked from then on."""
    if not is_mentee_of(actor.user, record.mentorship):
        raise PermissionDenied(_("只有帮带对象本人可以确认帮带记录。"))
    if record.is_confirmed:
        raise ValidationError(_("这条记录已经确认过了。"))
    before = snapshot(record)
    record.confirmed_at, record.confirmed_by = timezone.now(), actor.user
    record.mentee_note = (note or "").strip()[:300]
    record.save()
    record_change(actor, AuditAction.UPDATE, record, before=before, after=snapshot(record))
    return record


# ---------------------------------------------------------------- pairing policy


@transaction.atomic
def policy_update(*, actor: Actor, template=None, data: dict[str, Any]) -> PairingPolicy:
    """Change a programme's pairing rules (or, without a template, the defaults). City-wide 组织部 only."""
    require_manage(actor.user)
    if actor.user.scope_unit.parent_id is not None:
        raise PermissionDenied(_("配对规则全市统一，只有管理范围为全市的组织部账号可以修改。"))
    policy = PairingPolicy.objects.filter(template=template).first() or PairingPolicy(template=template)
    before = snapshot(policy) if policy.pk else None
    apply_fields(policy, data, POLICY_FIELDS)
    errors = {}
    if policy.capacity < 1:
        errors["capacity"] = [_("名额至少为 1。")]
    if not 1 <= policy.contact_days <= 366:
        errors["contact_days"] = [_("应在 1 到 366 天之间。")]
    full_clean(policy, errors)
    policy.save()
    if before is None:
        record_change(actor, AuditAction.CREATE, policy, after=snapshot(policy))
    else:
        record_change(actor, AuditAction.UPDATE, policy, before=before, after=snapshot(policy))
    return policy


# ---------------------------------------------------------------- automatic pairing


def _cohort_for(actor: Actor, *, template, batch, as_of: dt.date):
    """The cadres to pair, as a scoped queryset, and the template whose rules apply."""
    from miaopu.apps.cadres.selectors import cadre_list
    from miaopu.apps.programmes.choices import CandidateStatus
    from miaopu.apps.programmes.selectors import eligibility_list

    visible = cadre_list(user=actor.user)
    if batch is not None:
        ids = batch.candidates.exclude(status=CandidateStatus.REJECTED).values("cadre_id")
        return visible.filter(pk__in=ids), batch.template, batch.version.parsed
    if template is not None:
        version = template.current_version
        rows = eligibility_list(user=actor.user, version=version, as_of=as_of)
        return visible.filter(pk__in=[r.cadre_id for r in rows if r.eligible]), template, version.parsed
    raise ValidationError(_("请选择项目模板或批次。"))


@transaction.atomic
def pairing_run_create(
    *,
    actor: Actor,
    template=None,
    batch=None,
    roles: Iterable[str] | None = None,
    as_of: dt.date | None = None,
) -> PairingRun:
    """Propose mentors for a batch's people, or everyone eligible for a template, and store the proposals."""
    require_manage(actor.user)
    began = time.perf_counter()
    as_of = as_of or dt.date.today()
    if batch is not None:
        from miaopu.apps.programmes.selectors import batch_list

        if not batch_list(user=actor.user).filter(pk=batch.pk).exists():
            raise PermissionDenied(_("该批次不在您的管理范围内。"))
    cohort, template, spec = _cohort_for(actor, template=template, batch=batch, as_of=as_of)
    chosen = list(dict.fromkeys(roles or spec.mentor_roles))
    if not chosen:
        raise ValidationError({"roles": [_("该项目没有规定须配备的导师类型，请选择要配对的导师类型。")]})
    unknown = [r for r in chosen if r not in ROLE_LABELS]
    if unknown:
        raise ValidationError({"roles": [_("未知的导师类型：%(r)s") % {"r": "、".join(unknown)}]})
    policy = policy_for(template)
    from .pairing import load, policy_snapshot

    loaded = load(user=actor.user, cohort=cohort, roles=tuple(chosen), policy=policy, as_of=as_of)
    loaded_at = time.perf_counter()
    result = engine.pair(loaded.data)
    solved_at = time.perf_counter()
    what = batch.name if batch is not None else _("%(t)s 全部符合条件人员") % {"t": template.name}
    run = PairingRun.objects.create(
        template=template, batch=batch, scope_unit=actor.user.scope_unit, as_of=as_of, roles=chosen,
        title=_("%(what)s · %(roles)s") % {"what": what, "roles": "、".join(ROLE_LABELS[r] for r in chosen)},
        policy=policy_snapshot(policy), cohort_size=len(loaded.data.mentees), created_by=actor.user,
    )  # fmt: skip
    proposals = [_proposal(run, p, loaded) for p in result.proposals]
    PairingProposal.objects.bulk_create(proposals, batch_size=2000)
    run.summary = {
        "roles": [
            {
                "role": s.role, "label": ROLE_LABELS[s.role], "mentees": s.mentees, "already": s.already,
                "proposed": s.proposed, "unmatched": s.unmatched, "total_score": s.total_score, "solver": s.solver,
                "seconds": s.seconds,
            }
            for s in result.summaries
        ],
        "notes": list(result.notes),
        "seconds": {
            "load": round(loaded_at - began, 2), "solve": round(solved_at - loaded_at, 2),
            "total": round(time.perf_counter() - began, 2),
        },
    }  # fmt: skip
    run.save(update_fields=["summary"])
    record_change(
        actor, AuditAction.GENERATE, run, after=snapshot(run, ["title", "template", "batch", "roles", "cohort_size"]),
        detail={"proposals": len(proposals), "summary": run.summary["roles"]},
    )  # fmt: skip
    return run


def _option_json(option: engine.Option, loaded) -> dict[str, Any]:
    name, unit, title = loaded.names.get(option.mentor, ("", "", ""))
    return {
        "key": option.mentor, "name": name, "unit": unit, "title": title, "score": option.score,
        "strategy": option.strategy, "reasons": list(option.reasons),
    }  # fmt: skip


def _apply_key(proposal: PairingProposal, key: str, loaded_names=None, mentor_of_cadre=None) -> None:
    """Point a proposal at the mentor named by ``key`` (``c<cadre>`` or ``m<mentor>``)."""
    proposal.mentor_cadre_id = None
    proposal.mentor_id = None
    if key.startswith("c"):
        cadre_id = int(key[1:])
        proposal.mentor_cadre_id = cadre_id
        if mentor_of_cadre is not None:
            proposal.mentor_id = mentor_of_cadre.get(cadre_id)
        else:
            proposal.mentor_id = Mentor.objects.filter(cadre_id=cadre_id).values_list("pk", flat=True).first()
    elif key.startswith("m"):
        proposal.mentor_id = int(key[1:])


def _proposal(run: PairingRun, p: engine.Proposal, loaded) -> PairingProposal:
    proposal = PairingProposal(
        run=run, mentee_id=int(p.mentee[1:]), role=p.role, strategy=p.strategy or "", score=p.score,
        reasons=list(p.reasons), options=[_option_json(o, loaded) for o in p.options],
        status=ProposalStatus.PROPOSED if p.mentor else ProposalStatus.UNMATCHED,
    )  # fmt: skip
    if p.mentor:
        _apply_key(proposal, p.mentor, mentor_of_cadre=loaded.mentor_of_cadre)
        proposal.mentor_name = loaded.names.get(p.mentor, ("",))[0]
    return proposal


def _require_open(run: PairingRun, actor: Actor) -> None:
    require_manage(actor.user)
    if run.status != PairingRunStatus.PROPOSED:
        raise ValidationError(_("这次配对已%(s)s，不能再修改。") % {"s": run.get_status_display()})


@transaction.atomic
def proposals_decide(
    *,
    actor: Actor,
    run: PairingRun,
    accept: Iterable[int] | str = (),
    reject: Iterable[int] = (),
) -> dict[str, int]:
    """Accept all (``accept="all"``) or some proposals, and/or set some aside. Returns the counts changed."""
    _require_open(run, actor)
    from .selectors import proposal_list

    mine = proposal_list(user=actor.user, run=run).exclude(
        status__in=[ProposalStatus.UNMATCHED, ProposalStatus.CONFIRMED]
    )
    if accept == "all":
        to_accept = mine.exclude(status=ProposalStatus.REJECTED)
    else:
        to_accept = mine.filter(pk__in=list(accept))
    reject_ids = [int(x) for x in reject]
    accepted = to_accept.exclude(pk__in=reject_ids).update(status=ProposalStatus.ACCEPTED)
    rejected = mine.filter(pk__in=reject_ids).update(status=ProposalStatus.REJECTED)
    record_change(actor, AuditAction.UPDATE, run, detail={"accepted": accepted, "rejected": rejected})
    return {"accepted": accepted, "rejected": rejected}


def _option(proposal: PairingProposal, key: str) -> dict[str, Any] | None:
    return next((o for o in proposal.options if o["key"] == key), None)


def _set_option(proposal: PairingProposal, option: dict[str, Any]) -> None:
    _apply_key(proposal, option["key"])
    proposal.mentor_name = option["name"]
    proposal.score = option["score"]
    proposal.strategy = option["strategy"]
    proposal.reasons = [*option["reasons"], _("（由工作人员调整）")]
    proposal.swapped = True
    proposal.status = ProposalStatus.ACCEPTED


def _load_in_run(run: PairingRun, role: str, exclude: Iterable[int] = ()) -> Counter:
    keys = Counter()
    for p in run.proposals.filter(role=role, status__in=[ProposalStatus.PROPOSED, ProposalStatus.ACCEPTED]).exclude(
        pk__in=list(exclude)
    ):
        keys[p.mentor_key] += 1
    return keys


def _existing_load(key: str, role: str) -> int:
    if key.startswith("c"):
        return Mentorship.objects.filter(is_active=True, role=role, mentor__cadre_id=int(key[1:])).count()
    return Mentorship.objects.filter(is_active=True, role=role, mentor_id=int(key[1:])).count()


@transaction.atomic
def proposal_swap(*, actor: Actor, proposal: PairingProposal, mentor_key: str) -> PairingProposal:
    """Give a proposal another of its qualified mentors (one listed in its options), within capacity."""
    run = proposal.run
    _require_open(run, actor)
    if proposal.status == ProposalStatus.CONFIRMED:
        raise ValidationError(_("已确认的结对不能再调整。"))
    option = _option(proposal, mentor_key)
    if option is None:
        raise ValidationError({"mentor": [_("只能换成该干部的可选人选之一（均符合配对规则）。")]})
    other_roles = run.proposals.filter(mentee_id=proposal.mentee_id).exclude(pk=proposal.pk)
    if any(p.mentor_key == mentor_key for p in other_roles):
        raise ValidationError({"mentor": [_("此人已是该干部另一类导师的人选，一人不兼任两类导师。")]})
    capacity = run.policy.get("capacity", 3)
    used = _load_in_run(run, proposal.role, exclude=[proposal.pk])[mentor_key] + _existing_load(
        mentor_key, proposal.role
    )
    if used + 1 > capacity:
        raise ValidationError(
            {
                "mentor": [
                    _("%(m)s 的名额已满（已安排 %(n)s 人，每人最多 %(c)s 名）。")
                    % {"m": option["name"], "n": used, "c": capacity}
                ]
            }
        )
    before = {"mentor": proposal.mentor_key, "status": proposal.status}
    _set_option(proposal, option)
    proposal.save()
    record_change(
        actor,
        AuditAction.UPDATE,
        proposal,
        before=before,
        after={"mentor": proposal.mentor_key, "status": proposal.status},
    )
    return proposal


@transaction.atomic
def proposals_exchange(*, actor: Actor, first: PairingProposal, second: PairingProposal) -> None:
    """Swap the mentors of two proposals of the same role (each mentor must qualify for the other mentee)."""
    run = first.run
    _require_open(run, actor)
    if second.run_id != run.pk or second.role != first.role:
        raise ValidationError(_("只能对调同一次配对中同类导师的两条建议。"))
    if not first.mentor_key or not second.mentor_key:
        raise ValidationError(_("两条建议都须已有导师人选。"))
    a = _option(first, second.mentor_key)
    b = _option(second, first.mentor_key)
    if a is None or b is None:
        who = first if a is None else second
        raise ValidationError(
            _("%(n)s 不符合对方导师的配对规则（不在其可选人选中），不能对调。") % {"n": who.mentee.name}
        )
    for proposal, option in ((first, a), (second, b)):
        others = run.proposals.filter(mentee_id=proposal.mentee_id).exclude(pk=proposal.pk)
        if any(p.mentor_key == option["key"] for p in others):
            raise ValidationError(_("对调后 %(n)s 的两类导师将是同一人，不能对调。") % {"n": proposal.mentee.name})
    before = {"first": first.mentor_key, "second": second.mentor_key}
    _set_option(first, a)
    _set_option(second, b)
    first.save()
    second.save()
    record_change(
        actor, AuditAction.UPDATE, run, before=before, after={"first": first.mentor_key, "second": second.mentor_key}
    )


@transaction.atomic
def pairing_confirm(*, actor: Actor, run: PairingRun, start: dt.date | None = None) -> list[Mentorship]:
    """Create the mentorships of every accepted proposal (capacity re-checked), in one transaction."""
    _require_open(run, actor)
    from .selectors import proposal_list

    start = start or dt.date.today()
    accepted = list(
        proposal_list(user=actor.user, run=run).filter(status=ProposalStatus.ACCEPTED).select_related("mentee__unit")
    )
    if not accepted:
        raise ValidationError(_("没有已接受的配对建议。请先接受全部或部分建议。"))
    capacity = run.policy.get("capacity", 3)
    wanted = Counter((p.mentor_key, p.role) for p in accepted)
    over = []
    for (key, role), n in wanted.items():
        have = _existing_load(key, role)
        if have + n > capacity:
            name = next(p.mentor_name for p in accepted if p.mentor_key == key)
            over.append(
                _("%(m)s（%(r)s）：已带 %(h)s 人，本次又接受 %(n)s 人，超过 %(c)s 名")
                % {
                    "m": name,
                    "r": ROLE_LABELS[role],
                    "h": have,
                    "n": n,
                    "c": capacity,
                }  # fmt: skip
            )
    if over:
        raise ValidationError(_("以下导师超出名额，请调整后再确认：") + "；".join(over))
    taken = set(
        Mentorship.objects.filter(is_active=True, mentee_id__in=[p.mentee_id for p in accepted]).values_list(
            "mentee_id", "role"
        )
    )
    clash = [p for p in accepted if (p.mentee_id, p.role) in taken]
    if clash:
        names = "、".join(f"{p.mentee.name}（{p.get_role_display()}）" for p in clash[:10])
        raise ValidationError(_("这些干部在此期间已配上同类导师，请将相应建议设为不采用：%(n)s") % {"n": names})
    for p in accepted:
        _require_cadre_in_scope(actor, p.mentee)
    # Mentor rows for cadres paired for the first time, then the mentorships, in bulk: a cohort of a thousand
    # is two thousand rows. The audit trail gets one record for the confirmation listing every pair created.
    need = {p.mentor_cadre_id for p in accepted if p.mentor_cadre_id}
    have = dict(Mentor.objects.filter(cadre_id__in=need).values_list("cadre_id", "pk"))
    new = [Mentor(cadre=p.mentor_cadre) for p in {p.mentor_cadre_id: p for p in accepted if p.mentor_cadre_id}.values()
           if p.mentor_cadre_id not in have]  # fmt: skip
    for mentor in new:
        _sync_from_cadre(mentor)
    Mentor.objects.bulk_create(new, batch_size=500)
    have.update({m.cadre_id: m.pk for m in new})
    ships = [
        Mentorship(
            mentee_id=p.mentee_id, mentor_id=have[p.mentor_cadre_id] if p.mentor_cadre_id else p.mentor_id,
            role=p.role, start=start, template=run.template, batch=run.batch, strategy=p.strategy or Strategy.MANUAL,
            reasons=p.reasons,
        )
        for p in accepted
    ]  # fmt: skip
    Mentorship.objects.bulk_create(ships, batch_size=500)
    active = Mentorship.objects.filter(mentee_id=OuterRef("mentee_id"), role=OuterRef("role"), is_active=True)
    PairingProposal.objects.filter(pk__in=[p.pk for p in accepted]).update(
        status=ProposalStatus.CONFIRMED,
        mentorship_id=Subquery(active.values("pk")[:1]),
        mentor_id=Subquery(active.values("mentor_id")[:1]),
    )
    if not run.proposals.filter(status__in=[ProposalStatus.PROPOSED, ProposalStatus.ACCEPTED]).exists():
        run.status = PairingRunStatus.CONFIRMED
    run.confirmed_at = timezone.now()
    run.save(update_fields=["status", "confirmed_at"])
    record_change(
        actor, AuditAction.CREATE, run,
        after={"status": run.status, "confirmed": len(ships)},
        detail={
            "mentors_created": [{"id": m.pk, "cadre": m.cadre_id, "name": m.name} for m in new],
            "mentorships": [
                {"id": ship.pk, "mentee": ship.mentee_id, "mentor": ship.mentor_id, "role": ship.role,
                 "start": start.isoformat(), "strategy": ship.strategy}
                for ship in ships
            ],
        },
    )  # fmt: skip
    return ships


@transaction.atomic
def pairing_discard(*, actor: Actor, run: PairingRun) -> PairingRun:
    _require_open(run, actor)
    run.status = PairingRunStatus.DISCARDED
    run.save(update_fields=["status"])
    record_change(actor, AuditAction.UPDATE, run, after={"status": run.status})
    return run


def can_pair(user) -> bool:
    return can_manage(user)
