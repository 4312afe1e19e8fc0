"""Reads of programmes, batches and their people, restricted to what the user may see.

Who sees what:

- Programme work is the organisation department's (组织部干部科): every other role gets 403 on these
  pages and endpoints (:func:`require_programmes`).
- A batch is visible to a 组织部 user whose scope overlaps the batch's selection scope (a district officer
  sees the city's batches and their own district's); it may be *run* only by users whose scope contains the
  batch's whole scope (:func:`can_run_batch`).
- People inside a batch (candidates, placements, reserve-pool entries) are visible only as far as cadre
  scoping allows (``restrict_cadres``): a district officer never sees another district's cadres in a city
  batch, on any page or endpoint.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from miaopu.apps.cadres.models import Cadre
from miaopu.apps.cadres.selectors import cadre_list
from miaopu.apps.core.access import restrict_cadres, scope_root, unit_in_scope
from miaopu.apps.core.choices import Role
from miaopu.domain.profile import facts_as_of
from miaopu.domain.rules import Reason
from miaopu.domain.vocab import PARTY_STATUSES, CadreStatus, Gender

from .choices import CandidateStatus
from .loaders import LoadedCadre, load_profiles
from .models import Batch, Candidate, HostSlot, Placement, ProgrammeTemplate, ReservePoolEntry, TemplateVersion
from .spec import ProgrammeSpec

# ---------------------------------------------------------------- who may do what


def can_use_programmes(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.ORGDEPT and user.scope_unit_id)


def require_programmes(user) -> None:
    if not can_use_programmes(user):
        raise PermissionDenied(_("只有组织部干部科可以使用培养项目。"))


def can_edit_templates(user) -> bool:
    """Templates are the whole city's rules: only 组织部 staff whose scope is the whole tree edit them."""
    root = scope_root(user) if can_use_programmes(user) else None
    return root is not None and root.parent_id is None


def can_run_batch(user, batch: Batch) -> bool:
    return can_use_programmes(user) and unit_in_scope(user, batch.scope_unit)


def require_batch_run(user, batch: Batch) -> None:
    if not can_run_batch(user, batch):
        raise PermissionDenied(_("该批次的选拔范围超出您的管理范围，您只能查看本范围内的人选。"))


def can_act_on_cadre(user, cadre: Cadre) -> bool:
    return can_use_programmes(user) and unit_in_scope(user, cadre.unit)


# ---------------------------------------------------------------- templates and batches


def template_list(*, user) -> QuerySet[ProgrammeTemplate]:
    if not can_use_programmes(user):
        return ProgrammeTemplate.objects.none()
    return ProgrammeTemplate.objects.all()


def template_get(*, user, code: str) -> ProgrammeTemplate:
    return get_object_or_404(template_list(user=user), code=code)


def version_get(*, user, code: str, number: int) -> TemplateVersion:
    return get_object_or_404(TemplateVersion.objects.select_related("template"), template__in=template_list(user=user),
                             template__code=code, number=number)  # fmt: skip


def _overlapping(user) -> Q | None:
    root = scope_root(user)
    if root is None:
        return None
    if root.parent_id is None:
        return Q()
    segments = [p for p in root.path.split("/") if p]
    ancestors = ["".join(f"{s}/" for s in segments[: i + 1]) for i in range(len(segments))]
    return Q(scope_unit__path__startswith=root.path) | Q(scope_unit__path__in=ancestors)


def batch_list(*, user) -> QuerySet[Batch]:
    overlap = _overlapping(user) if can_use_programmes(user) else None
    if overlap is None:
        return Batch.objects.none()
    return Batch.objects.select_related("template", "version", "scope_unit").filter(overlap)


def batch_get(*, user, pk) -> Batch:
    return get_object_or_404(batch_list(user=user), pk=pk)


# ---------------------------------------------------------------- people in batches


def candidate_list(*, user, batch: Batch | None = None) -> QuerySet[Candidate]:
    qs = Candidate.objects.select_related("cadre", "cadre__unit", "batch").filter(batch__in=batch_list(user=user))
    if batch is not None:
        qs = qs.filter(batch=batch)
    return restrict_cadres(qs, user, through="cadre__")


def candidate_get(*, user, pk) -> Candidate:
    return get_object_or_404(candidate_list(user=user).select_related("batch__version", "batch__template"), pk=pk)


def placement_list(*, user, batch: Batch | None = None) -> QuerySet[Placement]:
    qs = Placement.objects.select_related("cadre", "cadre__unit", "batch", "batch__template", "host_unit").filter(
        batch__in=batch_list(user=user)
    )
    if batch is not None:
        qs = qs.filter(batch=batch)
    return restrict_cadres(qs, user, through="cadre__")


def placement_get(*, user, pk) -> Placement:
    return get_object_or_404(placement_list(user=user).select_related("batch__version", "candidate"), pk=pk)


def reserve_pool_list(*, user) -> QuerySet[ReservePoolEntry]:
    if not can_use_programmes(user):
        return ReservePoolEntry.objects.none()
    return restrict_cadres(ReservePoolEntry.objects.select_related("cadre", "source_batch"), user, through="cadre__")


# ---------------------------------------------------------------- eligibility


@dataclass(frozen=True)
class EligibilityRow:
    """One cadre's verdict under one template version on one date, with every reason."""

    cadre_id: int
    code: str
    name: str
    unit_name: str
    eligible: bool
    group: str | None
    reasons: tuple[Reason, ...]
    facts: dict
    unit_id: int | None = None

    def as_json(self) -> dict:
        """The shape ``miaopu eligible --format json`` prints and the API returns."""
        return {
            "code": self.code,
            "name": self.name,
            "eligible": self.eligible,
            "group": self.group,
            "reasons": [reason.text for reason in self.reasons],
        }


#: The facts kept with a stored result (enough for the batch profile and for "why" years later).
SNAPSHOT_FACTS = (
    "age", "gender", "political_status", "source", "unit_level", "unit_kind", "leadership_level",
    "civil_service_months", "grassroots_months", "rural_months",
)  # fmt: skip


def evaluate_loaded(spec: ProgrammeSpec, loaded: list[LoadedCadre], as_of: dt.date) -> list[EligibilityRow]:
    rows = []
    for item in loaded:
        facts = facts_as_of(item.profile, as_of)
        result = spec.classify(facts)
        snapshot = {key: facts.get(key) for key in SNAPSHOT_FACTS}
        snapshot["unit_name"] = item.unit_name
        rows.append(
            EligibilityRow(
                item.pk, item.profile.code, item.profile.name, item.unit_name, result.eligible, result.group,
                result.reasons, snapshot, item.profile.unit_id,
            )
        )  # fmt: skip
    return rows


def active_cadres(*, user) -> QuerySet[Cadre]:
    return cadre_list(user=user).filter(status=CadreStatus.ACTIVE)


def eligibility_list(
    *, user, version: TemplateVersion, as_of: dt.date, cadres: QuerySet[Cadre] | None = None
) -> list[EligibilityRow]:
    """Every active cadre the user may see (or the given subset of them), judged by ``version`` on ``as_of``."""
    qs = active_cadres(user=user) if cadres is None else cadres
    return evaluate_loaded(version.parsed, load_profiles(qs), as_of)


@dataclass(frozen=True)
class Verdict:
    """An eligible cadre, without the reasons (the eligible list judges the cadres of its page for those)."""

    cadre_id: int
    group: str | None
    unit_id: int | None


def eligible_rows(
    *, user, version: TemplateVersion, as_of: dt.date, cadres: QuerySet[Cadre] | None = None
) -> list[Verdict]:
    """The eligible ones among ``eligibility_list``'s cadres, and their groups — the same cadres and groups as judging
    each one, with the database deciding whoever the rules' columns decide (``prefilter``): the engine judges only
    the rest."""
    from .prefilter import decide

    spec = version.parsed
    qs = (active_cadres(user=user) if cadres is None else cadres).order_by()
    decision = decide(spec, as_of)
    if decision.maybe is not None:
        qs = qs.filter(decision.maybe)
    verdicts: list[Verdict] = []
    decided = None
    for group, surely in decision.sure:
        rows = qs.filter(surely).values_list("pk", "unit_id")
        verdicts += [Verdict(pk, group or None, unit) for pk, unit in rows]
        if not surely:  # everyone (an empty Q): nothing is left to judge
            return verdicts
        decided = surely if decided is None else decided | surely
    rest = qs.exclude(decided) if decided is not None else qs
    judged = evaluate_loaded(spec, load_profiles(rest), as_of)
    return verdicts + [Verdict(r.cadre_id, r.group, r.unit_id) for r in judged if r.eligible]


def cadre_eligibility(*, user, cadre: Cadre, as_of: dt.date) -> list[tuple[ProgrammeTemplate, EligibilityRow]]:
    """One cadre against every active template's current rules: the "why not?" page."""
    loaded = load_profiles(cadre_list(user=user).filter(pk=cadre.pk))
    results = []
    for template in template_list(user=user).filter(is_active=True).prefetch_related("versions"):
        version = template.current_version
        if version is not None and loaded:
            results.append((template, evaluate_loaded(version.parsed, loaded, as_of)[0]))
    return results


def slot_usage(batch: Batch) -> dict[int, int]:
    """Slot id → assignments made (for the slot table and the assignment form)."""
    return dict(HostSlot.objects.filter(batch=batch).annotate(n=Count("assignments")).values_list("pk", "n"))


# ---------------------------------------------------------------- the batch profile the seeds report

#: Candidates counted in the profile, from the most to the least advanced selection that exists.
_PROFILE_BASES = [
    ((CandidateStatus.ASSIGNED, CandidateStatus.PLACED), _l("已确定人选")),
    ((CandidateStatus.NOMINATED, CandidateStatus.VETTED), _l("提名人选")),
    ((CandidateStatus.CANDIDATE,), _l("符合条件人员")),
]


def _one_decimal(numerator: int, denominator: int) -> Decimal | None:
    """``numerator / denominator`` to one decimal, halves rounded up (33.85 → 33.9), as reports round."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ProfileLine:
    label: str
    count: int
    average_age: Decimal | None
    women: int
    non_party: int


def _line(label: str, people: list[Candidate]) -> ProfileLine:
    ages = [c.facts.get("age") for c in people if isinstance(c.facts.get("age"), int)]
    return ProfileLine(
        label=label,
        count=len(people),
        average_age=_one_decimal(sum(ages), len(ages)),
        women=sum(1 for c in people if c.facts.get("gender") == Gender.FEMALE),
        non_party=sum(1 for c in people if c.facts.get("political_status") not in PARTY_STATUSES),
    )


def batch_profile(*, user, batch: Batch) -> dict:
    """Counts per side, average age (full years on the batch's date, to 0.1), women, non-party, region shares.

    Counted over the most advanced selection so far (确定人选 → 提名人选 → 符合条件人员), and only over the
    people the user may see. Ages and the rest come from the facts stored when each cadre was evaluated, so
    a past batch reports the same figures years later. Non-party = neither 中共党员 nor 预备党员.
    """
    people = list(candidate_list(user=user, batch=batch).select_related("assignment__slot"))
    basis_label, chosen = _PROFILE_BASES[-1][1], []
    for statuses, label in _PROFILE_BASES:
        chosen = [c for c in people if c.status in statuses]
        if chosen:
            basis_label = label
            break
    spec = batch.spec
    sides = spec.side_names()
    lines = []
    if sides:
        for side, group in sorted(sides.items()):
            lines.append(_line(f"{side} 方（{group}）", [c for c in chosen if c.side == side]))
    total = _line(str(_l("合计")), chosen)
    regions: dict[str, int] = {}
    for c in chosen:
        assignment = getattr(c, "assignment", None)
        region = assignment.slot.region if assignment is not None else ""
        regions[region or str(_l("未分配"))] = regions.get(region or str(_l("未分配")), 0) + 1
    region_rows = [
        {"region": name, "count": n, "share": _one_decimal(n * 100, len(chosen))}
        for name, n in sorted(regions.items(), key=lambda item: (-item[1], item[0]))
    ]
    coverage = None
    if spec.coverage_target is not None and batch.eligible_count:
        covered = (
            Placement.objects.filter(batch__template=batch.template, cadre_id__in=batch.candidates.filter(
                eligible=True).values("cadre_id"))
            .values("cadre_id").distinct().count()
        )  # fmt: skip
        coverage = {
            "covered": covered,
            "eligible": batch.eligible_count,
            "share": _one_decimal(covered * 100, batch.eligible_count),
            "target": spec.coverage_target,
        }
    return {"basis": str(basis_label), "lines": lines, "total": total, "regions": region_rows, "coverage": coverage}
