"""Reads of field work, each restricted to what the user may see.

- **Practice bases** are places, not people: scoped like units (``restrict_units``) — 组织部 and unit officers see
  the bases in their subtree; mentors, cadres and the admin roles see none (403 on the pages).
- **Ledger items** are scoped by cadre: an item is visible when at least one cadre who took it on is visible
  (``restrict_cadres`` through the takers), so a mentor sees their mentees' items and a cadre their own.
- **Care contacts** are scoped by cadre like the growth file; **counselling (心理疏导) is 组织部 only** — never
  shown to unit officers, mentors or the cadre themself (:data:`CONFIDENTIAL_CARE_KINDS`).
- **Care flags** (who needs care) are computed, not stored: see :func:`flagged_cadres` and ``docs/fieldwork.md``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, Count, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from miaopu.apps.cadres.selectors import cadre_list
from miaopu.apps.core.access import can_write_personnel, restrict_cadres, restrict_units, unit_in_scope
from miaopu.apps.core.choices import Role
from miaopu.apps.units.models import Unit
from miaopu.domain.fieldwork import (
    CARE_CONTACT_DAYS,
    REMOTE_TAG_WORDS,
    SEPARATION_DAYS,
    CertificationRecord,
    certified_on,
)
from miaopu.domain.vocab import CadreStatus, ExperienceKind, Hukou, UnitLevel

from .models import CareContact, CareKind, Certification, LedgerItem, PracticeBase

CONFIDENTIAL_CARE_KINDS = frozenset({CareKind.COUNSELLING.value})
#: Care flags: code → label.
FLAGS = {"nonlocal": _l("外地户籍"), "remote": _l("偏远岗位"), "separated": _l("长期异地")}


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_orgdept(user) -> bool:
    return _active(user) and user.role == Role.ORGDEPT and user.scope_unit_id is not None


def can_manage(user) -> bool:
    """组织部 and unit officers (in scope) keep bases, ledgers and care records."""
    return can_write_personnel(user)


def require_manage(user) -> None:
    if not can_manage(user):
        raise PermissionDenied(_("只有组织部干部科和单位人事专员可以使用此功能。"))


def can_read(user) -> bool:
    return _active(user) and user.role in (Role.ORGDEPT, Role.UNIT_OFFICER, Role.MENTOR, Role.CADRE)


def require_read(user) -> None:
    if not can_read(user):
        raise PermissionDenied(_("您的角色无权查看基层实践记录。"))


def may_see_counselling(user) -> bool:
    return is_orgdept(user)


# ---------------------------------------------------------------- practice bases


def base_list(*, user) -> QuerySet[PracticeBase]:
    if not can_manage(user):
        return PracticeBase.objects.none()
    units = restrict_units(Unit.objects.all(), user)
    return PracticeBase.objects.select_related("unit", "unit__parent", "unit__district").filter(unit__in=units)


def base_get(*, user, pk) -> PracticeBase:
    return get_object_or_404(base_list(user=user), pk=pk)


def certification_records(base_ids) -> dict[int, list[CertificationRecord]]:
    found: dict[int, list[CertificationRecord]] = {}
    rows = Certification.objects.filter(base_id__in=list(base_ids)).values_list(
        "base_id", "assessed_on", "valid_from", "valid_until", "certified", "pk"
    )
    for base_id, assessed, start, end, ok, pk in rows:
        found.setdefault(base_id, []).append(CertificationRecord(assessed, start, end, ok, pk))
    return found


def practice_periods(unit_ids, *, exclude_batch_id: int | None = None) -> dict[int, list[tuple[dt.date, dt.date]]]:
    """Host unit → (start, end) of every practice placement there that is not over (ended ones use their end)."""
    from miaopu.apps.programmes.models import Placement

    qs = Placement.objects.filter(host_unit_id__in=list(unit_ids), batch__template__kind="practice")
    if exclude_batch_id is not None:
        qs = qs.exclude(batch_id=exclude_batch_id)
    found: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for unit_id, start, planned, actual in qs.values_list("host_unit_id", "start", "planned_end", "actual_end"):
        end = actual or planned or dt.date.max
        found.setdefault(unit_id, []).append((start, end))
    return found


@dataclass
class BaseRow:
    base: PracticeBase
    certified: bool
    in_use: int
    latest: CertificationRecord | None

    @property
    def free(self) -> int:
        return max(self.base.capacity - self.in_use, 0)


def base_rows(bases, on: dt.date) -> list[BaseRow]:
    """Each base with whether it is certified on ``on`` and how many practice cadres it hosts that day."""
    bases = list(bases)
    records = certification_records(b.pk for b in bases)
    periods = practice_periods(b.unit_id for b in bases)
    rows = []
    for b in bases:
        mine = records.get(b.pk, [])
        latest = max(mine, key=lambda r: (r.assessed_on, r.pk)) if mine else None
        in_use = sum(1 for s, e in periods.get(b.unit_id, []) if s <= on <= e)
        rows.append(BaseRow(b, certified_on(mine, on), in_use, latest))
    return rows


def certified_base_ids(*, user, on: dt.date) -> list[int]:
    return [r.base.pk for r in base_rows(base_list(user=user), on) if r.certified]


# ---------------------------------------------------------------- ledger


def ledger_list(*, user) -> QuerySet[LedgerItem]:
    if not can_read(user):
        return LedgerItem.objects.none()
    visible = restrict_cadres(LedgerItem.objects.all(), user, through="cadres__").values("pk")
    return LedgerItem.objects.filter(pk__in=visible).select_related("village", "village__parent", "batch")


def ledger_get(*, user, pk) -> LedgerItem:
    return get_object_or_404(ledger_list(user=user), pk=pk)


# ---------------------------------------------------------------- care


def care_list(*, user) -> QuerySet[CareContact]:
    if not can_read(user):
        return CareContact.objects.none()
    qs = restrict_cadres(
        CareContact.objects.select_related("cadre", "cadre__unit", "recorded_by"), user, through="cadre__"
    )
    if not may_see_counselling(user):
        qs = qs.exclude(kind__in=CONFIDENTIAL_CARE_KINDS)
    return qs


def care_get(*, user, pk) -> CareContact:
    return get_object_or_404(care_list(user=user), pk=pk)


def remote_units_q(prefix: str = "unit__") -> Q:
    """Units that are, or lie under, a town/village marked 偏远 or tagged 偏远/山区 (see docs/fieldwork.md)."""
    tagged = Q()
    for word in REMOTE_TAG_WORDS:
        tagged |= Q(tags__contains=word)
    roots = Unit.objects.filter(Q(is_remote=True) | tagged, level__in=[UnitLevel.TOWN, UnitLevel.VILLAGE])
    paths = sorted(roots.values_list("path", flat=True))
    kept: list[str] = []
    for path in paths:  # a village under a remote town is covered by the town's prefix
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    under = Q(pk__in=[])
    for path in kept:
        under |= Q(path__startswith=path)
    # One uncorrelated IN over the unit table (hashed once), so the test is on the cadre row itself and the planner
    # can filter cadres before joining their units (a path test per joined row made the care list slow at 200k).
    return Q(**{f"{prefix}id__in": Unit.objects.filter(under).values("id")}) if kept else Q(pk__in=[])


def _separated_exists(as_of: dt.date) -> Q:
    """Away from the home county for more than a year: a placement or an open secondment/loan in another 区县.

    Two uncorrelated ``IN`` subqueries over the placements and secondment entries (each a small part of its table),
    which PostgreSQL hashes once, instead of an ``EXISTS`` probed for every cadre of the scope."""
    from miaopu.apps.cadres.models import Experience
    from miaopu.apps.programmes.models import Placement

    since = as_of - dt.timedelta(days=SEPARATION_DAYS)

    def away(qs, host_district: str):
        return (
            qs.annotate(
                host=Coalesce(F(host_district), Value(0)), home=Coalesce(F("cadre__unit__district_id"), Value(0))
            )
            .exclude(host=F("home"))
            .values("cadre_id")
        )

    placements = away(
        Placement.objects.filter(status="active", start__lte=since, host_unit__isnull=False), "host_unit__district_id"
    )
    entries = away(
        Experience.objects.filter(
            kind__in=[ExperienceKind.SECONDMENT, ExperienceKind.LOAN], start__lte=since, unit__isnull=False
        ).filter(Q(end__isnull=True) | Q(end__gte=as_of)),
        "unit__district_id",
    )
    return Q(pk__in=placements) | Q(pk__in=entries)


def flagged_cadres(*, user, as_of: dt.date | None = None, flag: str = "") -> QuerySet:
    """Active cadres in scope who need care, annotated with ``flag_nonlocal``/``flag_remote``/``flag_separated``
    and ``last_care`` (the date of their latest care contact of any kind, counselling included)."""
    as_of = as_of or dt.date.today()
    if not can_manage(user):
        return cadre_list(user=user).none()
    nonlocal_q = Q(hukou=Hukou.NONLOCAL)
    remote_q = remote_units_q()
    separated_q = _separated_exists(as_of)
    wanted = {"nonlocal": nonlocal_q, "remote": remote_q, "separated": separated_q}.get(flag)
    qs = cadre_list(user=user).filter(status=CadreStatus.ACTIVE)
    qs = qs.filter(wanted) if wanted is not None else qs.filter(nonlocal_q | remote_q | separated_q)
    # The latest contact as a correlated subquery (one probe of the (cadre, date) index per row that is read), not a
    # grouped join: the queryset stays ungrouped, so counts can be grouped on top of it (``care_counts``).
    latest = CareContact.objects.filter(cadre=OuterRef("pk"), date__lte=as_of).order_by("-date").values("date")[:1]
    return qs.annotate(
        flag_nonlocal=as_bool(nonlocal_q),
        flag_remote=as_bool(remote_q),
        flag_separated=as_bool(separated_q),
        last_care=Subquery(latest),
    )


def as_bool(q: Q) -> Case:
    return Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())


def care_counts(flagged: QuerySet, as_of: dt.date) -> dict[tuple[bool, bool, bool, bool], int]:
    """(nonlocal, remote, separated, contacted in the last 90 days) → cadres, over a ``flagged_cadres`` queryset:
    one grouped query returning at most 16 rows (the dashboard's care figures)."""
    rows = (
        flagged.annotate(contacted=as_bool(contacted_q(as_of)))
        .values_list("flag_nonlocal", "flag_remote", "flag_separated", "contacted")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {tuple(row[:4]): row[4] for row in rows}


@dataclass
class CareRow:
    cadre: object
    flags: list[str] = field(default_factory=list)
    last_care: dt.date | None = None
    level: str | None = None
    days: int | None = None


def care_rows(qs, as_of: dt.date) -> list[CareRow]:
    from miaopu.domain.fieldwork import care_level

    rows = []
    for c in qs:
        flags = [str(FLAGS[k]) for k in FLAGS if getattr(c, f"flag_{k}", False)]
        days = (as_of - c.last_care).days if c.last_care else None
        rows.append(CareRow(c, flags, c.last_care, care_level(c.last_care, as_of), days))
    return rows


def contacted_q(as_of: dt.date) -> Q:
    """Cadres with a care contact (any kind) in the 90 days up to ``as_of``: the same cadres as ``last_care >= as_of −
    90 days`` on an annotated ``flagged_cadres`` queryset, as one uncorrelated ``IN`` (hashed once by PostgreSQL)
    instead of a probe per cadre."""
    since = as_of - dt.timedelta(days=CARE_CONTACT_DAYS)
    return Q(pk__in=CareContact.objects.filter(date__gte=since, date__lte=as_of).values("cadre_id"))


def overdue_q(as_of: dt.date) -> Q:
    """No care contact in the last 90 days (or never)."""
    return ~contacted_q(as_of)


def unit_in_user_scope(user, unit) -> bool:
    return unit_in_scope(user, unit)
