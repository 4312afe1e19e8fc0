"""Reads of mentoring data, restricted to what the user may see, and the computed lists built on them.

Who sees what:

- 组织部干部科 and 单位人事专员: mentorships and guidance records of the cadres in their scope (the cadre
  selectors' rule); only 组织部干部科 pairs mentors, runs automatic pairing and maintains the mentor list.
- 导师 (mentor accounts): only their own active mentorships and those records — never another mentor's
  records of the same mentee.
- 干部本人: their own mentorships and records (they confirm the records and evaluate their mentors).
- The three admin roles: nothing.

``alerts(user)`` and ``due_contacts(user)`` are computed on every call (no stored state), so they are never
stale; the dashboard aggregates ``alerts``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from miaopu.apps.core.access import restrict_cadres, scope_root, unit_in_scope
from miaopu.apps.core.choices import Role

from .models import (
    GuidanceAttachment,
    GuidanceRecord,
    Mentor,
    MentorRole,
    Mentorship,
    PairingPolicy,
    PairingProposal,
    PairingRun,
)

# ---------------------------------------------------------------- who may do what


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_manage(user) -> bool:
    """Pairing, automatic pairing and the mentor list are 组织部干部科's work, within their scope."""
    return _active(user) and user.role == Role.ORGDEPT and user.scope_unit_id is not None


def require_manage(user) -> None:
    if not can_manage(user):
        raise PermissionDenied(_("只有组织部干部科可以进行导师结对和维护导师库。"))


def can_read(user) -> bool:
    return _active(user) and user.role in (Role.ORGDEPT, Role.UNIT_OFFICER, Role.MENTOR, Role.CADRE)


def require_read(user) -> None:
    if not can_read(user):
        raise PermissionDenied(_("您的角色无权查看导师帮带信息。"))


def is_mentor_of(user, mentorship: Mentorship) -> bool:
    return _active(user) and user.role == Role.MENTOR and mentorship.is_active and mentorship.mentor.user_id == user.pk


def is_mentee_of(user, mentorship: Mentorship) -> bool:
    return (
        _active(user)
        and user.role == Role.CADRE
        and user.cadre_id is not None
        and mentorship.mentee_id == user.cadre_id
    )


def can_manage_mentorship(user, mentorship: Mentorship) -> bool:
    return can_manage(user) and unit_in_scope(user, mentorship.mentee.unit)


# ---------------------------------------------------------------- rows


def mentorship_list(*, user) -> QuerySet[Mentorship]:
    qs = Mentorship.objects.select_related("mentor", "mentee", "mentee__unit", "template", "batch")
    if not _active(user):
        return qs.none()
    if user.role == Role.MENTOR:
        return qs.filter(mentor__user=user, is_active=True)
    return restrict_cadres(qs, user, through="mentee__")


def mentorship_get(*, user, pk) -> Mentorship:
    return get_object_or_404(mentorship_list(user=user), pk=pk)


def guidance_list(*, user) -> QuerySet[GuidanceRecord]:
    qs = GuidanceRecord.objects.select_related(
        "mentorship", "mentorship__mentor", "mentorship__mentee", "created_by", "confirmed_by"
    )
    if not _active(user):
        return qs.none()
    if user.role == Role.MENTOR:
        return qs.filter(mentorship__mentor__user=user, mentorship__is_active=True)
    return restrict_cadres(qs, user, through="mentorship__mentee__")


def guidance_get(*, user, pk) -> GuidanceRecord:
    return get_object_or_404(guidance_list(user=user), pk=pk)


def attachment_get(*, user, pk) -> GuidanceAttachment:
    return get_object_or_404(
        GuidanceAttachment.objects.select_related("record").filter(record__in=guidance_list(user=user)), pk=pk
    )


def mentor_list(*, user) -> QuerySet[Mentor]:
    """Mentors the user may see: in scope (their cadre, their unit or a mentee in scope), own profile, own mentors."""
    qs = Mentor.objects.select_related("cadre", "cadre__unit", "unit", "user")
    if not _active(user):
        return qs.none()
    if user.role == Role.MENTOR:
        return qs.filter(user=user)
    if user.role == Role.CADRE:
        if user.cadre_id is None:
            return qs.none()
        return qs.filter(mentorships__mentee_id=user.cadre_id).distinct()
    root = scope_root(user)
    if root is None:
        return qs.none()
    if root.parent_id is None:
        return qs
    ids = Mentorship.objects.filter(mentee__unit__path__startswith=root.path).values("mentor_id")
    return qs.filter(
        Q(cadre__unit__path__startswith=root.path)
        | Q(cadre__isnull=True, unit__path__startswith=root.path)
        | Q(pk__in=ids)
    )


def mentor_get(*, user, pk) -> Mentor:
    return get_object_or_404(mentor_list(user=user), pk=pk)


def pairing_run_list(*, user) -> QuerySet[PairingRun]:
    """Runs started by the user, or covering a scope inside theirs (组织部 only)."""
    if not can_manage(user):
        return PairingRun.objects.none()
    root = user.scope_unit
    qs = PairingRun.objects.select_related("template", "batch", "scope_unit", "created_by")
    if root.parent_id is None:
        return qs
    return qs.filter(Q(scope_unit__path__startswith=root.path) | Q(created_by=user))


def pairing_run_get(*, user, pk) -> PairingRun:
    return get_object_or_404(pairing_run_list(user=user), pk=pk)


def proposal_list(*, user, run: PairingRun | None = None) -> QuerySet[PairingProposal]:
    qs = PairingProposal.objects.select_related("mentee", "mentee__unit", "mentor", "mentor_cadre", "mentorship")
    qs = qs.filter(run__in=pairing_run_list(user=user))
    if run is not None:
        qs = qs.filter(run=run)
    return restrict_cadres(qs, user, through="mentee__")


def proposal_get(*, user, pk) -> PairingProposal:
    return get_object_or_404(proposal_list(user=user).select_related("run"), pk=pk)


# ---------------------------------------------------------------- policy


def policy_for(template=None) -> PairingPolicy:
    """The programme's pairing rules, else the defaults saved for every programme, else the built-in defaults."""
    if template is not None:
        found = PairingPolicy.objects.filter(template=template).first()
        if found is not None:
            return found
    return PairingPolicy.objects.filter(template__isnull=True).first() or PairingPolicy()


# ---------------------------------------------------------------- computed lists


def mentor_loads(mentor_ids=None) -> dict[tuple[int, str], int]:
    """(mentor id, role) → active mentees (all of them, whoever is asking: capacity is about the mentor)."""
    qs = Mentorship.objects.filter(is_active=True)
    if mentor_ids is not None:
        qs = qs.filter(mentor_id__in=mentor_ids)
    return {(m, r): n for m, r, n in qs.values_list("mentor_id", "role").annotate(n=Count("id")).order_by()}


@dataclass(frozen=True)
class DueContact:
    mentorship: Mentorship
    last: dt.date | None
    days: int


def due_contacts(*, user, today: dt.date | None = None, days: int | None = None) -> list[DueContact]:
    """Active mentorships with no guidance record for ``days`` — who is due a contact.

    Without ``days``, each mentorship uses its programme's pairing rules (``contact_days``, default 60). A
    mentorship younger than that is not due yet.
    """
    today = today or dt.date.today()
    default = policy_for().contact_days if days is None else days
    per_template: dict[int, int] = {}
    if days is None:
        per_template = dict(
            PairingPolicy.objects.filter(template__isnull=False).values_list("template_id", "contact_days")
        )
    limit = today - dt.timedelta(days=min([default, *per_template.values()]))
    qs = (
        mentorship_list(user=user)
        .filter(is_active=True, start__lte=limit)
        .annotate(last=Max("records__date"))
        .filter(Q(last__isnull=True) | Q(last__lt=limit))
        .order_by("last", "start", "id")
    )
    due = []
    for ship in qs:
        cutoff = today - dt.timedelta(days=per_template.get(ship.template_id, default))
        if (ship.last is not None and ship.last < cutoff) or (ship.last is None and ship.start <= cutoff):
            due.append(DueContact(ship, ship.last, (today - (ship.last or ship.start)).days))
    return due


@dataclass(frozen=True)
class Alert:
    """One thing someone should act on: what (``kind``), why in Chinese, who should act, and where."""

    kind: str
    reason: str
    owner: str
    link: str
    cadre_id: int | None = None
    mentor_id: int | None = None
    mentorship_id: int | None = None


ALERT_KINDS = {
    "missing_role": _l("缺少导师"),
    "no_contact": _l("长期无帮带记录"),
    "over_capacity": _l("导师超额"),
}


def alerts(user, today: dt.date | None = None) -> list[Alert]:
    """Computed alerts for ``user``'s scope (组织部 and unit officers; a mentor gets their own contact alerts).

    - a cadre in a programme (a batch not closed, selected or placed, placement not ended) whose template
      requires a mentor role with no active mentorship of that role;
    - an active mentorship with no guidance record in the policy's contact days (60);
    - a mentor with more active mentees of one role than the capacity (3).
    """
    if not _active(user) or user.role not in (Role.ORGDEPT, Role.UNIT_OFFICER, Role.MENTOR):
        return []
    today = today or dt.date.today()
    found: list[Alert] = []
    if user.role == Role.ORGDEPT:
        found.extend(_missing_role_alerts(user))
    policy = policy_for()
    for due in due_contacts(user=user, today=today):
        ship = due.mentorship
        names = {"mentee": ship.mentee.name, "role": ship.get_role_display(), "mentor": ship.mentor.name, "n": due.days}
        if due.last:
            reason = _("%(mentee)s 的%(role)s %(mentor)s 已 %(n)s 天没有帮带记录（最近一次：%(last)s）") % {
                **names, "last": due.last.isoformat(),
            }  # fmt: skip
        else:
            reason = _("%(mentee)s 的%(role)s %(mentor)s 自结对（%(start)s）以来 %(n)s 天没有帮带记录") % {
                **names, "start": ship.start.isoformat(),
            }  # fmt: skip
        found.append(
            Alert(
                kind="no_contact",
                reason=reason,
                owner=ship.mentor.name,
                link=ship.get_absolute_url(),
                cadre_id=ship.mentee_id,
                mentor_id=ship.mentor_id,
                mentorship_id=ship.pk,
            )
        )
    found.extend(_capacity_alerts(user, policy.capacity))
    return found


def _missing_role_alerts(user) -> list[Alert]:
    from miaopu.apps.programmes.choices import BatchStatus, CandidateStatus, PlacementStatus
    from miaopu.apps.programmes.models import Candidate
    from miaopu.apps.programmes.selectors import batch_list

    batches = {
        b.pk: b
        for b in batch_list(user=user).exclude(status=BatchStatus.CLOSED).select_related("version", "created_by")
        if b.spec.mentor_roles
    }
    if not batches:
        return []
    qs = Candidate.objects.filter(
        batch_id__in=list(batches), status__in=[CandidateStatus.ASSIGNED, CandidateStatus.PLACED]
    ).exclude(placement__status__in=[PlacementStatus.ENDED, PlacementStatus.ENDED_EARLY])
    rows = list(restrict_cadres(qs, user, through="cadre__").values_list("cadre_id", "cadre__name", "batch_id"))
    have: dict[int, set[str]] = {}
    for cadre_id, role in Mentorship.objects.filter(is_active=True, mentee_id__in=[r[0] for r in rows]).values_list(
        "mentee_id", "role"
    ):
        have.setdefault(cadre_id, set()).add(role)
    labels = dict(MentorRole.choices)
    found = []
    for cadre_id, name, batch_id in rows:
        batch = batches[batch_id]
        missing = [r for r in batch.spec.mentor_roles if r not in have.get(cadre_id, set())]
        if not missing:
            continue
        roles = "、".join(str(labels.get(r, r)) for r in missing)
        owner = batch.created_by.display_name if batch.created_by else str(_("组织部干部科"))
        found.append(
            Alert(
                kind="missing_role",
                reason=_("%(name)s 在“%(batch)s”中，项目要求配备%(roles)s，目前没有")
                % {
                    "name": name,
                    "batch": batch.name,
                    "roles": roles,
                },  # fmt: skip
                owner=owner,
                link=reverse("mentoring:pairing_new") + f"?batch={batch.pk}",
                cadre_id=cadre_id,
            )
        )
    return found


def _capacity_alerts(user, capacity: int) -> list[Alert]:
    """Mentors with more active mentees of one role than allowed.

    The limit is the default capacity, or a larger one set for a programme that one of those mentorships serves
    (a programme may allow 7 per mentor where its units have few leaders).
    """
    per_template = dict(PairingPolicy.objects.filter(template__isnull=False).values_list("template_id", "capacity"))
    lowest = min([capacity, *per_template.values()])
    rows = (
        Mentorship.objects.filter(is_active=True, mentor__in=mentor_list(user=user))
        .values("mentor_id", "role")
        .annotate(n=Count("id"))
        .filter(n__gt=lowest)
    )
    loads = {(r["mentor_id"], r["role"]): r["n"] for r in rows}
    if not loads:
        return []
    limits: dict[tuple[int, str], int] = {}
    names: dict[int, str] = {}
    for mentor_id, name, role, template_id in Mentorship.objects.filter(
        is_active=True, mentor_id__in={m for m, _r in loads}
    ).values_list("mentor_id", "mentor__name", "role", "template_id"):
        key = (mentor_id, role)
        limits[key] = max(limits.get(key, capacity), per_template.get(template_id, capacity))
        names[mentor_id] = name
    labels = dict(MentorRole.choices)
    found = []
    for (mentor_id, role), n in sorted(loads.items(), key=lambda item: (names.get(item[0][0], ""), item[0])):
        limit = limits.get((mentor_id, role), capacity)
        if n <= limit:
            continue
        found.append(
            Alert(
                kind="over_capacity",
                reason=_("%(mentor)s 同时担任 %(n)s 人的%(role)s，超过每人 %(cap)s 名的上限")
                % {"mentor": names[mentor_id], "n": n, "role": labels.get(role, role), "cap": limit},
                owner=str(_("组织部干部科")),
                link=reverse("mentoring:mentor_detail", args=[mentor_id]),
                mentor_id=mentor_id,
            )
        )
    return found
