"""Scoped reads of training data; who may manage what.

Reading, by role (personnel rows are always scoped by the trainee's cadre through ``restrict_cadres``):

=====================  ============================================================================
组织部干部科 orgdept    classes, courses and topics held by a unit in their scope; every enrolment, order
                       and topic of cadres in their scope (a city class seen from a district shows only
                       the district's trainees). Manages (writes) what is held in their scope.
单位人事专员            the enrolments, orders and topics of their unit's cadres, the classes those belong
                       to (only their own trainees shown); orders for their unit. Read only, except ordering.
导师 mentor             their mentees' enrolments and topics, and the topics they guide.
干部本人 cadre          their own enrolments, orders and topics; the course catalogue to order from.
admin roles             nothing (403).
=====================  ============================================================================

An object outside the scope is 404, as everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from miaopu.apps.core.access import restrict_cadres, scope_root, unit_in_scope
from miaopu.apps.core.choices import Role
from miaopu.domain.training import rank_share

from .models import (
    ClassStatus,
    Course,
    Enrolment,
    EnrolmentStatus,
    ResearchTopic,
    TopicMeeting,
    TrainingClass,
    TrainingOrder,
)

READ_ROLES = (Role.ORGDEPT, Role.UNIT_OFFICER, Role.MENTOR, Role.CADRE)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_read(user) -> bool:
    return _active(user) and user.role in READ_ROLES


def require_read(user) -> None:
    if not can_read(user):
        raise PermissionDenied(_("您的角色无权查看教育培训信息。"))


def is_manager(user) -> bool:
    """组织部干部科 with a scope: the only role that runs classes, catalogues and topics."""
    return _active(user) and user.role == Role.ORGDEPT and user.scope_unit_id is not None


def require_manager(user) -> None:
    if not is_manager(user):
        raise PermissionDenied(_("培训班、课程和调研课题由组织部干部科管理。"))


def can_manage(user, unit) -> bool:
    return is_manager(user) and unit is not None and unit_in_scope(user, unit)


def can_order(user) -> bool:
    return _active(user) and (
        (user.role == Role.CADRE and user.cadre_id is not None)
        or (user.role in (Role.UNIT_OFFICER, Role.ORGDEPT) and user.scope_unit_id is not None)
    )


def _unit_subtree(user, field: str) -> Q | None:
    """Q for rows whose ``field`` (a unit) lies in the user's scope; None for roles without a unit scope."""
    root = scope_root(user)
    if root is None:
        return None
    if root.parent_id is None:
        return Q()
    return Q(**{f"{field}__path__startswith": root.path})


# ---------------------------------------------------------------- catalogue


def course_list(*, user) -> QuerySet[Course]:
    """The catalogue: every role that reads training sees the whole catalogue (it is not personnel data)."""
    if not can_read(user):
        return Course.objects.none()
    return Course.objects.select_related("county", "scope_unit")


def course_get(*, user, pk) -> Course:
    return get_object_or_404(course_list(user=user), pk=pk)


# ---------------------------------------------------------------- classes and trainees


def enrolment_list(*, user) -> QuerySet[Enrolment]:
    if not can_read(user):
        return Enrolment.objects.none()
    qs = Enrolment.objects.select_related("cadre", "cadre__unit", "klass")
    return restrict_cadres(qs, user, through="cadre__")


def class_list(*, user) -> QuerySet[TrainingClass]:
    if not can_read(user):
        return TrainingClass.objects.none()
    visible = Q(pk__in=enrolment_list(user=user).values("klass_id"))
    if is_manager(user):
        held = _unit_subtree(user, "scope_unit")
        if held is not None:
            visible |= held
    return TrainingClass.objects.select_related("scope_unit").filter(visible)


def class_get(*, user, pk) -> TrainingClass:
    return get_object_or_404(class_list(user=user), pk=pk)


def class_trainees(*, user, klass: TrainingClass) -> QuerySet[Enrolment]:
    """The trainees of a class the user may see (a manager of the class sees them all)."""
    if can_manage(user, klass.scope_unit):
        return Enrolment.objects.filter(klass=klass).select_related("cadre", "cadre__unit")
    return enrolment_list(user=user).filter(klass=klass)


# ---------------------------------------------------------------- orders


def order_list(*, user) -> QuerySet[TrainingOrder]:
    if not can_read(user):
        return TrainingOrder.objects.none()
    qs = TrainingOrder.objects.select_related("cadre", "unit", "course", "session", "session__klass")
    if user.role == Role.CADRE:
        return qs.filter(cadre_id=user.cadre_id) if user.cadre_id else qs.none()
    if user.role == Role.MENTOR:
        return qs.none()
    unit_q = _unit_subtree(user, "unit")
    if unit_q is None:
        return qs.none()
    return qs.filter(unit_q)


def order_get(*, user, pk) -> TrainingOrder:
    return get_object_or_404(order_list(user=user), pk=pk)


@dataclass
class DemandRow:
    topic: str
    course_id: int | None
    post_category: str
    post_category_label: str
    orders: int
    people: int
    open: int


def demand(*, user) -> list[DemandRow]:
    """Orders grouped by topic and post category, most-wanted first (open orders counted separately)."""
    from miaopu.apps.core.choices import vocab_choices
    from miaopu.domain.vocab import PostCategory

    labels = dict(vocab_choices(PostCategory))
    rows = (
        order_list(user=user)
        .exclude(status="declined")
        .order_by()
        .values("course_id", "course__topic", "custom_topic", "post_category")
        .annotate(n=Count("id"), open=Count("id", filter=Q(status="open")))
    )
    found: dict[tuple, DemandRow] = {}
    headcounts = {}
    for cid, ctopic, custom, cat, hc in (
        order_list(user=user)
        .exclude(status="declined")
        .values_list("course_id", "course__topic", "custom_topic", "post_category", "headcount")
    ):
        key = (cid, (ctopic or custom).strip(), cat)
        headcounts[key] = headcounts.get(key, 0) + (hc or 1)
    for r in rows:
        topic = (r["course__topic"] or r["custom_topic"]).strip()
        key = (r["course_id"], topic, r["post_category"])
        row = found.get(key)
        if row is None:
            label = str(labels.get(r["post_category"], r["post_category"])) if r["post_category"] else _("未分类")
            row = found[key] = DemandRow(topic, r["course_id"], r["post_category"], label, 0, 0, 0)
        row.orders += r["n"]
        row.open += r["open"]
        row.people = headcounts.get(key, 0)
    return sorted(found.values(), key=lambda d: (-d.open, -d.people, d.topic, d.post_category))


# ---------------------------------------------------------------- research topics


def topic_list(*, user) -> QuerySet[ResearchTopic]:
    if not can_read(user):
        return ResearchTopic.objects.none()
    owned = restrict_cadres(ResearchTopic.objects.all(), user, through="owners__").values("pk")
    visible = Q(pk__in=owned)
    if user.role == Role.MENTOR:
        visible |= Q(mentor__user=user)
    if is_manager(user):
        held = _unit_subtree(user, "scope_unit")
        if held is not None:
            visible |= held
    return ResearchTopic.objects.select_related("mentor", "scope_unit", "klass").filter(visible)


def topic_get(*, user, pk) -> ResearchTopic:
    return get_object_or_404(topic_list(user=user), pk=pk)


def topic_owners(*, user, topic: ResearchTopic):
    """The topic's owners the user may see (the manager of the topic sees them all)."""
    if can_manage(user, topic.scope_unit):
        return topic.owners.select_related("unit")
    return restrict_cadres(topic.owners.select_related("unit"), user)


def meeting_list(*, topic: ResearchTopic) -> QuerySet[TopicMeeting]:
    """Meetings of a topic already obtained through ``topic_get``."""
    return topic.meetings.select_related("recorded_by")


def can_upload_report(user, topic: ResearchTopic) -> bool:
    if can_manage(user, topic.scope_unit):
        return True
    return bool(
        _active(user) and user.role == Role.CADRE and user.cadre_id and topic.owners.filter(pk=user.cadre_id).exists()
    )


# ---------------------------------------------------------------- standings for selection and matching


@dataclass(frozen=True)
class ClassStanding:
    """A cadre's latest class ranking (the class closed most recently)."""

    cadre_id: int
    class_id: int
    class_name: str
    closed_on: dt.date
    rank: int
    size: int
    total: float | None

    @property
    def share(self) -> float | None:
        return rank_share(self.rank, self.size)

    @property
    def words(self) -> str:
        return _("%(c)s 第 %(r)s 名（共 %(n)s 人）") % {"c": self.class_name, "r": self.rank, "n": self.size}


def latest_standings(cadre_ids: Iterable[int], as_of: dt.date | None = None) -> dict[int, ClassStanding]:
    """Cadre id → latest ranked class standing (closed classes only, closed on or before ``as_of``).

    Unscoped by design: callers pass ids obtained through a scoped selector (a batch's candidates).
    """
    ids = list(cadre_ids)
    found: dict[int, ClassStanding] = {}
    for start in range(0, len(ids), 5_000):
        qs = Enrolment.objects.filter(
            cadre_id__in=ids[start : start + 5_000],
            klass__status=ClassStatus.CLOSED,
            status=EnrolmentStatus.COMPLETED,
            rank__isnull=False,
            class_size__gt=0,
        )
        if as_of is not None:
            qs = qs.filter(klass__closed_on__lte=as_of)
        rows = qs.order_by("cadre_id", "klass__closed_on", "klass_id").values_list(
            "cadre_id", "klass_id", "klass__name", "klass__closed_on", "rank", "class_size", "total"
        )
        for cadre_id, class_id, name, closed, rank, size, total in rows:
            found[cadre_id] = ClassStanding(
                cadre_id, class_id, name, closed, rank, size, float(total) if total is not None else None
            )
    return found


def order_by_class_rank(candidates: Iterable, as_of: dt.date | None = None) -> list:
    """Batch candidates (anything with ``cadre_id``) ordered by their latest class standing, best first.

    Those without a ranking follow in their given order. Each gets a ``class_standing`` attribute for display.
    """
    from miaopu.domain.training import class_rank_sort_key

    items = list(candidates)
    standings = latest_standings([c.cadre_id for c in items], as_of)
    for position, item in enumerate(items):
        item.class_standing = standings.get(item.cadre_id)
        item._position = position
    items.sort(key=lambda c: class_rank_sort_key(c.class_standing.share if c.class_standing else None, (c._position,)))
    return items


# ---------------------------------------------------------------- dashboard figures


@dataclass
class Figure:
    key: str
    label: str
    value: int
    link: str


def dashboard_figures(*, user, unit=None, as_of: dt.date | None = None) -> list[Figure] | None:
    """Trainees trained this year, classes held, topics awarded — in the user's scope (None: role sees none).

    Period: 1 January of ``as_of``'s year to ``as_of``. Trainees trained = distinct cadres with a non-withdrawn
    enrolment in a class that ran in the period (start ≤ as_of and end ≥ 1 January). Classes = classes the user
    may see that ran in the period. Topics awarded = topics the user may see reviewed with an award in the period.
    """
    from django.urls import reverse

    if not (_active(user) and user.role in (Role.ORGDEPT, Role.UNIT_OFFICER)):
        return None
    as_of = as_of or dt.date.today()
    first = dt.date(as_of.year, 1, 1)
    period = {"start": first.isoformat(), "end": as_of.isoformat()}
    if unit is not None:
        period["unit"] = str(unit.pk)
    unit_q = Q(cadre__unit__path__startswith=unit.path) if unit is not None else Q()
    enrolments = (
        enrolment_list(user=user)
        .filter(unit_q, klass__start__lte=as_of, klass__end__gte=first)
        .exclude(status=EnrolmentStatus.WITHDRAWN)
    )
    trainees = enrolments.values("cadre_id").distinct().count()
    classes = class_list(user=user).filter(start__lte=as_of, end__gte=first)
    if unit is not None:
        classes = classes.filter(pk__in=enrolments.values("klass_id"))
    topics = topic_list(user=user).filter(reviewed_on__gte=first, reviewed_on__lte=as_of).exclude(award="")
    if unit is not None:
        topics = topics.filter(owners__unit__path__startswith=unit.path).distinct()
    query = urlencode(period)
    return [
        Figure("trainees", _("本年度参训干部"), trainees, reverse("training:trainee_list") + f"?{query}"),
        Figure("classes", _("本年度培训班次"), classes.count(), reverse("training:class_list") + f"?{query}"),
        Figure(
            "topics", _("本年度获奖调研课题"), topics.count(), reverse("training:topic_list") + f"?{query}&awarded=1"
        ),
    ]
