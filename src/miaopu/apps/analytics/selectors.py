"""The figures of the dashboard, the reports and ``miaopu stats``, each computed in the user's scope.

Reads go through the scoped selectors of the other apps (``cadre_list``, ``batch_list``, ``placement_list``,
``candidate_list``, ``reserve_pool_list``), so a district officer's figures are their district's and nothing
else. The structure of the cadre corps is three aggregate queries whatever the number of cadres (grouped by
birth date, by the categorical columns, and the mentored young), never a loop over cadres; age bands use the
birth-date bounds of the cadre list's own age filter (``birth_bounds_for_age``), so each figure and the roster
its link opens count the same rows. Definitions of every figure: ``docs/statistics.md``.

Who may see the figures: 组织部干部科 and 单位人事专员 (within their scope). Programme figures are
组织部's (the programmes app refuses every other role). Mentors, cadres and the three admin roles get 403.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from miaopu.apps.cadres.filtersets import CadreFilterSet, birth_bounds_for_age
from miaopu.apps.cadres.models import Cadre
from miaopu.apps.cadres.selectors import cadre_list
from miaopu.apps.core.access import restrict_cadres, scope_root, unit_in_scope
from miaopu.apps.core.choices import Role
from miaopu.apps.mentoring.models import Mentorship
from miaopu.apps.units.models import Unit
from miaopu.domain.dates import age_on
from miaopu.domain.vocab import (
    PARTY_STATUSES,
    CadreStatus,
    Education,
    Gender,
    LeadershipLevel,
    PoliticalStatus,
    Source,
)

from .models import LEVEL_ORDER, Alert, AlertLevel, AlertRun

# ---------------------------------------------------------------- who may see the figures

ANALYTICS_ROLES = (Role.ORGDEPT, Role.UNIT_OFFICER)


def can_view_analytics(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.role in ANALYTICS_ROLES
        and getattr(user, "scope_unit_id", None)
    )


def require_analytics(user) -> None:
    if not can_view_analytics(user):
        raise PermissionDenied(_("只有组织部干部科和单位人事专员可以查看统计分析和预警。"))


# ---------------------------------------------------------------- small helpers


def one_decimal(numerator: int | Decimal, denominator: int) -> Decimal | None:
    """``numerator / denominator`` to one decimal, halves rounded up, as reports round (33.85 → 33.9)."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def share(part: int, total: int) -> Decimal | None:
    """Percentage to one decimal."""
    return one_decimal(part * 100, total)


# ---------------------------------------------------------------- dimensions of the structure


@dataclass(frozen=True)
class AgeBand:
    key: str
    label: str
    low: int | None
    high: int | None

    def bounds(self, as_of: dt.date) -> dict[str, dt.date]:
        return birth_bounds_for_age(self.low, self.high, as_of)

    def params(self) -> dict[str, str]:
        found = {}
        if self.low is not None:
            found["age_min"] = str(self.low)
        if self.high is not None:
            found["age_max"] = str(self.high)
        return found


#: Age bands in full years (周岁) on the as-of date; the keys are those of ``miaopu stats``.
AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand("<=30", "30 岁及以下", None, 30),
    AgeBand("31-35", "31—35 岁", 31, 35),
    AgeBand("36-40", "36—40 岁", 36, 40),
    AgeBand("41-45", "41—45 岁", 41, 45),
    AgeBand("46-50", "46—50 岁", 46, 50),
    AgeBand("51-55", "51—55 岁", 51, 55),
    AgeBand(">=56", "56 岁及以上", 56, None),
)


@dataclass(frozen=True)
class Dimension:
    """One categorical column counted value by value (``blank`` names the empty value, if it can occur)."""

    key: str
    title: str
    column: str
    param: str
    labels: Mapping[str, str]
    blank: tuple[str, str] | None = None

    def values(self) -> list[tuple[str, str, str | None]]:
        """(stored value, key, label) for every value, the blank last."""
        found = [(code, code, label) for code, label in self.labels.items()]
        if self.blank is not None:
            found.append(("", self.blank[0], self.blank[1]))
        return found


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("gender", "性别", "gender", "gender", Gender.labels()),
    Dimension("political_status", "政治面貌", "political_status", "political_status", PoliticalStatus.labels()),
    Dimension("education", "全日制学历", "fulltime_education", "education", Education.labels(), ("unknown", "未填写")),
    Dimension("source", "干部来源", "source", "source", Source.labels()),
    Dimension(
        "leadership_level",
        "职务层次",
        "leadership_level",
        "leadership_level",
        LeadershipLevel.labels(),
        ("none", "未定职务层次"),
    ),  # fmt: skip
)
DIMENSION_BY_KEY = {d.key: d for d in DIMENSIONS}


@dataclass(frozen=True)
class Figure:
    """One number on a page: what it counts, how many, its share of the whole, and the list behind it."""

    key: str
    label: str
    value: int
    link: str | None = None
    share: Decimal | None = None


@dataclass
class Structure:
    """The structure of the active cadres in a scope on a date (see ``docs/statistics.md``)."""

    as_of: dt.date
    total: int
    average_age: Decimal | None
    women: int
    non_party: int
    young: int
    young_age: int
    mentored_young: int
    by_age_band: list[Figure]
    dimensions: dict[str, list[Figure]]
    links: dict[str, str | None] = field(default_factory=dict)
    computed_at: dt.datetime | None = None

    def stats_json(self) -> dict:
        """Exactly the shape ``miaopu stats --format json`` prints."""
        return {
            "as_of": self.as_of.isoformat(),
            "cadres": self.total,
            "average_age": float(self.average_age) if self.average_age is not None else None,
            "women": self.women,
            "non_party": self.non_party,
            "by_age_band": {f.key: f.value for f in self.by_age_band},
            "by_source": {f.key: f.value for f in self.dimensions["source"]},
            "by_education": {f.key: f.value for f in self.dimensions["education"]},
        }

    @property
    def headline(self) -> list[Figure]:
        return [
            Figure("total", _("在职干部"), self.total, self.links.get("total")),
            Figure(
                "young",
                _("%(n)s 岁及以下") % {"n": self.young_age},
                self.young,
                self.links.get("young"),
                share(self.young, self.total),
            ),  # fmt: skip
            Figure("women", _("女性"), self.women, self.links.get("women"), share(self.women, self.total)),
            Figure(
                "non_party",
                _("非中共党员"),
                self.non_party,
                self.links.get("non_party"),
                share(self.non_party, self.total),
            ),  # fmt: skip
        ]


# ---------------------------------------------------------------- filters and links

#: The cadre list's filters that a report may carry (the same names as ``CadreFilterSet``).
FILTER_PARAMS = tuple(CadreFilterSet.Meta.fields)


def filter_params(data: Mapping[str, str] | None) -> dict[str, str]:
    """The cadre-list filters in ``data`` (a QueryDict or a dict), empty ones dropped, ``status`` defaulting to 在职."""
    found: dict[str, str] = {}
    for name in FILTER_PARAMS:
        value = (data or {}).get(name)
        if value not in (None, ""):
            found[name] = str(value).strip()
    found.setdefault("status", CadreStatus.ACTIVE.value)
    return found


def _merge(base: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str] | None:
    """``base`` narrowed by ``extra``; None when they contradict (then the figure is 0 and has no list)."""
    merged = dict(base)
    for name, value in extra.items():
        if name in ("age_min", "age_max"):
            continue
        if name in merged and merged[name] != value:
            return None
        merged[name] = value
    lows = [int(float(v)) for v in (base.get("age_min"), extra.get("age_min")) if v not in (None, "")]
    highs = [int(float(v)) for v in (base.get("age_max"), extra.get("age_max")) if v not in (None, "")]
    if lows:
        merged["age_min"] = str(max(lows))
    if highs:
        merged["age_max"] = str(min(highs))
    if lows and highs and max(lows) > min(highs):
        return None
    return merged


def roster_link(base: Mapping[str, str], extra: Mapping[str, str] | None = None) -> str | None:
    """The cadre list URL showing ``base`` narrowed by ``extra`` (None if they contradict)."""
    merged = _merge(base, extra or {})
    if merged is None:
        return None
    ordered = [(name, merged[name]) for name in FILTER_PARAMS if name in merged]
    return reverse("cadres:cadre_list") + "?" + urlencode(ordered)


def filtered_cadres(*, user, params: Mapping[str, str]) -> tuple[QuerySet[Cadre], CadreFilterSet]:
    """The user's cadres narrowed by the cadre-list filters in ``params`` (invalid values show as form errors)."""
    base = cadre_list(user=user).select_related(None)
    filterset = CadreFilterSet(params, queryset=base, user=user)
    return filterset.qs.order_by(), filterset


def filter_errors(*, user, params: Mapping[str, str]) -> dict | None:
    """The cadre-list filters in ``params`` that are invalid (a unit outside the scope, a bad age), or None."""
    _qs, filterset = filtered_cadres(user=user, params=filter_params(params))
    return None if filterset.is_valid() else dict(filterset.errors)


def _mentee_ids() -> QuerySet:
    """Cadres with an active mentorship, as a subquery (PostgreSQL hashes it once: a semi-join, not a probe per row)."""
    return Mentorship.objects.filter(is_active=True).values("mentee_id")


def _band_index(age: int) -> int:
    """The age band of an age in full years (the bands are contiguous, youngest first)."""
    for i, band in enumerate(AGE_BANDS):
        if (band.low is None or age >= band.low) and (band.high is None or age <= band.high):
            return i
    return len(AGE_BANDS) - 1


def structure(
    *, user, params: Mapping[str, str] | None = None, as_of: dt.date | None = None, links: bool | None = None
) -> Structure:
    """Headline figures, age bands and each dimension over the filtered cadres: three aggregate queries.

    1. ``GROUP BY birth_date``: at most one row per distinct birth date (about 15,000 for a whole city, an
       index-only scan), from which the bands — by the roster filter's own birth-date bounds — the young
       count and the exact average age in full years are summed;
    2. ``GROUP BY`` the five categorical columns together (a few hundred groups), summed per dimension;
    3. the young cadres with an active mentorship (a semi-join on the mentorship table).

    ``links`` (default: only when ``as_of`` is today) adds to each figure the cadre list URL that shows
    exactly those cadres; the list computes ages on today's date, so a past or future date gets none.
    """
    today = dt.date.today()
    as_of = as_of or today
    params = filter_params(params)
    qs, _filterset = filtered_cadres(user=user, params=params)
    young_age = settings.MIAOPU["YOUNG_CADRE_MAX_AGE"]
    young_bounds = birth_bounds_for_age(None, young_age, as_of)
    # Full-year ages agree with the roster's birth-date bounds (``birth_bounds_for_age``), 29 February included.
    by_age: dict[int, int] = {}
    for day, n in qs.values_list("birth_date").annotate(n=Count("*")).order_by():
        age = age_on(day, as_of)
        by_age[age] = by_age.get(age, 0) + n
    total = sum(by_age.values())
    age_sum = sum(age * n for age, n in by_age.items())
    young = sum(n for age, n in by_age.items() if age <= young_age)
    band_counts = [0] * len(AGE_BANDS)
    for age, n in by_age.items():
        band_counts[_band_index(age)] += n
    columns = [dim.column for dim in DIMENSIONS]
    counts: dict[str, dict[str, int]] = {dim.key: {} for dim in DIMENSIONS}
    women = non_party = 0
    for row in qs.values(*columns).annotate(n=Count("*")).order_by():
        n = row["n"]
        for dim in DIMENSIONS:
            value = row[dim.column] or ""
            counts[dim.key][value] = counts[dim.key].get(value, 0) + n
        women += n if row["gender"] == Gender.FEMALE else 0
        non_party += n if row["political_status"] not in PARTY_STATUSES else 0
    mentored_young = qs.filter(**young_bounds).filter(pk__in=_mentee_ids()).count()
    average = one_decimal(age_sum, total)
    with_links = (as_of == today) if links is None else links

    def link(extra: dict[str, str] | None) -> str | None:
        if not with_links or extra is None:
            return None
        return roster_link(params, extra)

    bands = [
        Figure(band.key, str(_l(band.label)), band_counts[i], link(band.params()), share(band_counts[i], total))
        for i, band in enumerate(AGE_BANDS)
    ]
    dimensions: dict[str, list[Figure]] = {}
    for dim in DIMENSIONS:
        figures = []
        for stored, key, label in dim.values():
            value = counts[dim.key].get(stored, 0)
            figures.append(
                Figure(key, str(_l(label)), value, link({dim.param: stored} if stored else None), share(value, total))
            )
        dimensions[dim.key] = figures
    return Structure(
        computed_at=timezone.now(),
        as_of=as_of,
        total=total,
        average_age=average,
        women=women,
        non_party=non_party,
        young=young,
        young_age=young_age,
        mentored_young=mentored_young,
        by_age_band=bands,
        dimensions=dimensions,
        links={
            "total": link({}),
            "young": link({"age_max": str(young_age)}),
            "women": link({"gender": Gender.FEMALE.value}),
            "non_party": link({"party": "no"}),
        },
    )


# ---------------------------------------------------------------- cohorts: the lists behind programme figures


def scope_unit_param(*, user, data: Mapping[str, str] | None) -> Unit | None:
    """The unit a page is narrowed to (``?unit=``), if it lies in the user's scope; None for the whole scope."""
    raw = (data or {}).get("unit")
    if not raw:
        return None
    try:
        unit = Unit.objects.get(pk=int(raw))
    except (ValueError, TypeError, Unit.DoesNotExist):
        return None
    return unit if unit_in_scope(user, unit) else None


def _in_unit(qs: QuerySet, unit: Unit | None, through: str = "") -> QuerySet:
    return qs if unit is None else qs.filter(**{f"{through}unit__path__startswith": unit.path})


def _programme_access(user) -> bool:
    from miaopu.apps.programmes.selectors import can_use_programmes

    return can_use_programmes(user)


def _region_q(region: str, through: str = "") -> Q:
    """A region of the tree: a district's id, or ``city`` for the municipal units (no district)."""
    if region == "city":
        return Q(**{f"{through}district__isnull": True})
    try:
        return Q(**{f"{through}district_id": int(region)})
    except ValueError:
        return Q(pk__in=[])


def _latest_versions(templates) -> dict[int, object]:
    from miaopu.apps.programmes.models import TemplateVersion

    latest: dict[int, object] = {}
    for version in TemplateVersion.objects.filter(template__in=templates).order_by("template_id", "-number"):
        latest.setdefault(version.template_id, version)
    return latest


def coverage_templates(*, user) -> list[tuple[object, object]]:
    """(template, its latest version) for every active template with a coverage target (e.g. sixiaji-practice)."""
    from miaopu.apps.programmes.selectors import template_list

    templates = list(template_list(user=user).filter(is_active=True).order_by("id"))
    versions = _latest_versions(templates)
    return [
        (t, versions[t.pk]) for t in templates if t.pk in versions and versions[t.pk].parsed.coverage_target is not None
    ]


def latest_evaluated_batch(*, user, template):
    from miaopu.apps.programmes.selectors import batch_list

    return (
        batch_list(user=user)
        .filter(template=template, evaluated_at__isnull=False)
        .order_by("-evaluated_at", "-id")
        .first()
    )


def _covered_exists(template) -> Exists:
    from miaopu.apps.programmes.models import Placement

    return Exists(Placement.objects.filter(batch__template=template, cadre_id=OuterRef("cadre_id")))


@dataclass(frozen=True)
class Cohort:
    key: str
    title: str
    description: str


COHORTS = {
    c.key: c
    for c in (
        Cohort("mentored", _l("有导师的年轻干部"), _l("在职、不超过年轻干部年龄上限、至少有一名在带导师")),
        Cohort("unmentored", _l("没有导师的年轻干部"), _l("在职、不超过年轻干部年龄上限、没有在带导师")),
        Cohort("promoted", _l("参加培养项目后晋升职务层次的干部"), _l("任现职务层次时间不早于某次到岗开始日期")),
        Cohort("placed", _l("在岗的培养对象"), _l("培养项目中在岗（未结束）的干部，按接收单位所在地区")),
        Cohort("covered", _l("已覆盖"), _l("最近一次资格计算中符合条件、且已参加该项目的干部")),
        Cohort("uncovered", _l("未覆盖"), _l("最近一次资格计算中符合条件、尚未参加该项目的干部")),
        Cohort("mentor_missing", _l("缺少导师的培养对象"), _l("项目要求配备导师、尚未配齐的在岗或已确定人选")),
        Cohort("mentor_need", _l("需配备导师的培养对象"), _l("项目要求配备导师的在岗或已确定人选")),
    )
}


def cohort_cadres(*, user, key: str, data: Mapping[str, str] | None = None, as_of: dt.date | None = None):
    """The cadres behind a programme or mentoring figure; the figure is ``.count()`` of exactly this queryset."""
    from miaopu.apps.programmes.models import Placement, ProgrammeTemplate

    data = data or {}
    as_of = as_of or dt.date.today()
    if key in ("mentored", "unmentored"):
        qs, _filterset = filtered_cadres(user=user, params=filter_params(data))
        young = Q(**birth_bounds_for_age(None, settings.MIAOPU["YOUNG_CADRE_MAX_AGE"], as_of))
        mentored = Q(pk__in=_mentee_ids())
        return qs.filter(young).filter(mentored if key == "mentored" else ~mentored)
    if not _programme_access(user):
        return Cadre.objects.none()
    from miaopu.apps.programmes.selectors import candidate_list, placement_list

    unit = scope_unit_param(user=user, data=data)
    base = _in_unit(cadre_list(user=user).select_related(None), unit)
    if key == "promoted":
        placements = placement_list(user=user).filter(
            cadre_id=OuterRef("pk"), start__lte=OuterRef("leadership_level_since")
        )
        if data.get("template"):
            placements = placements.filter(batch__template__code=data["template"])
        return base.filter(Exists(placements))
    if key == "placed":
        from miaopu.apps.programmes.choices import PlacementStatus

        placements = placement_list(user=user).filter(cadre_id=OuterRef("pk"), status=PlacementStatus.ACTIVE)
        region = data.get("region")
        if region == "home":
            placements = placements.filter(host_unit__isnull=True)
        elif region:
            placements = placements.filter(_region_q(region, "host_unit__"))
        if data.get("kind"):
            placements = placements.filter(kind="" if data["kind"] == "home" else data["kind"])
        return base.filter(Exists(placements))
    if key in ("covered", "uncovered"):
        template = ProgrammeTemplate.objects.filter(code=data.get("template", "")).first()
        batch = latest_evaluated_batch(user=user, template=template) if template else None
        if batch is None:
            return Cadre.objects.none()
        eligible = candidate_list(user=user, batch=batch).filter(eligible=True, cadre_id=OuterRef("pk"))
        qs = base.filter(Exists(eligible))
        if data.get("region"):
            qs = qs.filter(_region_q(data["region"], "unit__"))
        covered = Exists(Placement.objects.filter(batch__template=template, cadre_id=OuterRef("pk")))
        return qs.filter(covered if key == "covered" else ~covered)
    if key in ("mentor_missing", "mentor_need"):
        groups = _mentor_groups(user=user)
        if not groups:
            return Cadre.objects.none()
        q = Q(pk__in=[])
        for roles, batch_ids in groups.items():
            people = _needing(user, batch_ids).filter(cadre_id=OuterRef("pk"))
            if key == "mentor_need":
                q |= Q(Exists(people))
                continue
            lacking = Q()
            for role in roles:
                lacking |= ~Exists(Mentorship.objects.filter(mentee=OuterRef("pk"), is_active=True, role=role))
            q |= Q(Exists(people)) & lacking
        return base.filter(q)
    return Cadre.objects.none()


def cohort_link(key: str, **params: str) -> str:
    query = urlencode([(k, v) for k, v in params.items() if v not in (None, "")])
    return reverse("analytics:cohort", args=[key]) + (f"?{query}" if query else "")


# ---------------------------------------------------------------- programmes, pools, coverage, mentoring


def _mentor_groups(*, user) -> dict[tuple[str, ...], list[int]]:
    """Required mentor roles → the ids of the running (not closed) batches that require exactly those roles."""
    from miaopu.apps.programmes.choices import BatchStatus
    from miaopu.apps.programmes.selectors import batch_list

    groups: dict[tuple[str, ...], list[int]] = {}
    for batch in (
        batch_list(user=user).exclude(status=BatchStatus.CLOSED).select_related(None).select_related("version")
    ):
        roles = tuple(batch.spec.mentor_roles)
        if roles:
            groups.setdefault(roles, []).append(batch.pk)
    return groups


def _needing(user, batch_ids: list[int]):
    """Selected or placed candidates of these batches whose placement has not ended (those who need mentors now)."""
    from miaopu.apps.programmes.choices import CandidateStatus, PlacementStatus
    from miaopu.apps.programmes.selectors import candidate_list

    return (
        candidate_list(user=user)
        .filter(batch_id__in=batch_ids, status__in=[CandidateStatus.ASSIGNED, CandidateStatus.PLACED])
        .exclude(placement__status__in=[PlacementStatus.ENDED, PlacementStatus.ENDED_EARLY])
    )


@dataclass
class ProgrammeFigures:
    batches_by_template: list[dict]
    batch_statuses: list[tuple[str, str]]
    placements_active: int
    placements_link: str
    placements_by_kind: list[Figure]
    placements_by_region: list[Figure]
    reserve_pool: int
    reserve_link: str
    promoted: Figure
    coverage: list[dict]
    mentor_need: Figure
    mentor_missing: Figure
    talent_pool: dict


def programme_figures(*, user, unit: Unit | None = None, as_of: dt.date | None = None) -> ProgrammeFigures | None:
    """Batches, placements, pools, coverage, promotions and mentoring of programmes (组织部 only, else None)."""
    if not _programme_access(user):
        return None
    from miaopu.apps.programmes.choices import BatchStatus, PlacementStatus
    from miaopu.apps.programmes.models import Placement
    from miaopu.apps.programmes.selectors import batch_list, candidate_list, placement_list, reserve_pool_list

    from . import adapters

    as_of = as_of or dt.date.today()
    unit_param = {"unit": str(unit.pk)} if unit is not None else {}
    # Batch progress: template × status.
    statuses = [(value, str(label)) for value, label in BatchStatus.choices]
    by_template: dict[str, dict] = {}
    rows = batch_list(user=user).order_by().values("template__code", "template__name", "status").annotate(n=Count("id"))
    for row in rows:
        entry = by_template.setdefault(
            row["template__code"],
            {"code": row["template__code"], "name": row["template__name"], "counts": {}, "total": 0,
             "link": reverse("programmes:batch_list") + "?" + urlencode({"template": row["template__code"]})},
        )  # fmt: skip
        entry["counts"][row["status"]] = row["n"]
        entry["total"] += row["n"]
    for entry in by_template.values():
        entry["cells"] = [entry["counts"].get(value, 0) for value, _label in statuses]
    # Placements in post, by kind and by the host unit's region.
    active = _in_unit(placement_list(user=user).filter(status=PlacementStatus.ACTIVE), unit, "cadre__").order_by()
    kind_labels = dict(Placement._meta.get_field("kind").choices)
    total_active = 0
    kinds = []
    for row in active.values("kind").annotate(n=Count("id")).order_by("-n", "kind"):
        total_active += row["n"]
        kinds.append(
            Figure(row["kind"] or "home", str(kind_labels.get(row["kind"], _("原单位培养"))), row["n"],
                   cohort_link("placed", kind=row["kind"] or "home", **unit_param))
        )  # fmt: skip
    regions = []
    region_rows = active.values("host_unit__district_id", "host_unit__district__name", "host_unit_id")
    counted: dict[str, list] = {}
    for row in region_rows.annotate(n=Count("id")):
        if row["host_unit_id"] is None:
            key, label = "", _("原单位培养")
        elif row["host_unit__district_id"] is None:
            key, label = "city", _("市直")
        else:
            key, label = str(row["host_unit__district_id"]), row["host_unit__district__name"]
        counted.setdefault(key, [label, 0])[1] += row["n"]
    for key, (label, n) in sorted(counted.items(), key=lambda item: (-item[1][1], item[1][0])):
        link = cohort_link("placed", region=key or "home", **unit_param)
        regions.append(Figure(key or "home", str(label), n, link, share(n, total_active)))
    pools = adapters.talent_pool_summary(user=user, unit=unit)
    if pools.get("available"):
        reserve, reserve_link = pools["reserve"], pools["reserve_link"]
    else:  # the programmes app's term-end records (后备干部库 entries from batches)
        reserve = (
            _in_unit(reserve_pool_list(user=user), unit, "cadre__").order_by().values("cadre_id").distinct().count()
        )
        reserve_link = reverse("programmes:reserve_pool")
    promoted_n = cohort_cadres(user=user, key="promoted", data=unit_param, as_of=as_of).count()
    promoted = Figure("promoted", _("培养后晋升职务层次"), promoted_n, cohort_link("promoted", **unit_param))
    # Coverage of programmes with a target, over each one's latest evaluated batch, by district.
    coverage = []
    for template, version in coverage_templates(user=user):
        batch = latest_evaluated_batch(user=user, template=template)
        if batch is None:
            coverage.append({"template": template, "target": version.parsed.coverage_target, "batch": None,
                             "rows": [], "eligible": 0, "covered": 0, "share": None})  # fmt: skip
            continue
        eligible = _in_unit(candidate_list(user=user, batch=batch).filter(eligible=True), unit, "cadre__").order_by()
        grouped = eligible.values("cadre__unit__district_id", "cadre__unit__district__name").annotate(
            n=Count("cadre_id", distinct=True),
            covered=Count("cadre_id", distinct=True, filter=Q(_covered_exists(template))),
        )
        district_rows = []
        for row in grouped:
            region = str(row["cadre__unit__district_id"]) if row["cadre__unit__district_id"] else "city"
            label = row["cadre__unit__district__name"] or _("市直")
            params = {"template": template.code, "region": region, **unit_param}
            district_rows.append({
                "region": region, "label": label, "eligible": row["n"], "covered": row["covered"],
                "uncovered": row["n"] - row["covered"], "share": share(row["covered"], row["n"]),
                "covered_link": cohort_link("covered", **params), "uncovered_link": cohort_link("uncovered", **params),
            })  # fmt: skip
        district_rows.sort(key=lambda r: (r["region"] != "city", r["label"]))
        n_eligible = sum(r["eligible"] for r in district_rows)
        n_covered = sum(r["covered"] for r in district_rows)
        coverage.append({
            "template": template, "target": version.parsed.coverage_target, "batch": batch, "rows": district_rows,
            "eligible": n_eligible, "covered": n_covered, "share": share(n_covered, n_eligible),
            "covered_link": cohort_link("covered", template=template.code, **unit_param),
            "uncovered_link": cohort_link("uncovered", template=template.code, **unit_param),
        })  # fmt: skip
    # Mentoring of programme participants: required roles all in place?
    need_n = cohort_cadres(user=user, key="mentor_need", data=unit_param, as_of=as_of).count()
    missing_n = cohort_cadres(user=user, key="mentor_missing", data=unit_param, as_of=as_of).count()
    return ProgrammeFigures(
        batches_by_template=sorted(by_template.values(), key=lambda e: e["code"]),
        batch_statuses=statuses,
        placements_active=total_active,
        placements_link=cohort_link("placed", **unit_param),
        placements_by_kind=kinds,
        placements_by_region=regions,
        reserve_pool=reserve,
        reserve_link=reserve_link,
        promoted=promoted,
        coverage=coverage,
        mentor_need=Figure("mentor_need", _("需配备导师"), need_n, cohort_link("mentor_need", **unit_param)),
        mentor_missing=Figure("mentor_missing", _("缺少导师"), missing_n, cohort_link("mentor_missing", **unit_param)),
        talent_pool=pools,
    )


# ---------------------------------------------------------------- alerts


def alert_list(*, user) -> QuerySet[Alert]:
    """Materialised alerts about the cadres in the user's scope (city-wide ones only for a city-wide scope)."""
    if not can_view_analytics(user):
        return Alert.objects.none()
    return restrict_cadres(Alert.objects.select_related("cadre", "cadre__unit"), user, through="cadre__")


@dataclass
class AlertSummary:
    levels: list[Figure]
    kinds: list[dict]
    runs: list[AlertRun]
    refreshed_at: dt.datetime | None
    unavailable: list[AlertRun]
    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def count(self, *, kind: str = "", level: str = "") -> int:
        """Alerts of this kind and level ("" = any): the alert list's row count, without counting again."""
        return sum(n for (k, lv), n in self.counts.items() if kind in ("", k) and level in ("", lv))


def alert_summary(*, user, unit: Unit | None = None) -> AlertSummary:
    """Red/yellow/green counts, and per kind, of the alerts in scope (one grouped query plus the run log)."""
    from .alerts import KINDS

    qs = _in_unit(alert_list(user=user).select_related(None), unit, "cadre__").order_by()
    counts: dict[tuple[str, str], int] = {}
    for row in qs.values("kind", "level").annotate(n=Count("id")):
        counts[(row["kind"], row["level"])] = row["n"]
    runs = {run.kind: run for run in AlertRun.objects.all()}
    unit_param = {"unit": str(unit.pk)} if unit is not None else {}
    base = reverse("analytics:alert_list")

    def link(**params: str) -> str:
        return base + "?" + urlencode({**params, **unit_param}) if (params or unit_param) else base

    levels = [
        Figure(level, str(label), sum(n for (_k, lv), n in counts.items() if lv == level), link(level=level))
        for level, label in sorted(AlertLevel.choices, key=lambda c: LEVEL_ORDER[c[0]])
    ]
    kinds = []
    for spec in KINDS.values():
        run = runs.get(spec.kind)
        kinds.append({
            "kind": spec.kind, "label": str(spec.label), "link": link(kind=spec.kind),
            "available": run.available if run else None, "note": run.note if run else "",
            "levels": [{"level": lv, "n": counts.get((spec.kind, lv), 0), "link": link(kind=spec.kind, level=lv)}
                       for lv, _label in sorted(AlertLevel.choices, key=lambda c: LEVEL_ORDER[c[0]])],
            "total": sum(n for (k, _lv), n in counts.items() if k == spec.kind),
        })  # fmt: skip
    refreshed = max((run.refreshed_at for run in runs.values()), default=None)
    return AlertSummary(
        levels=levels,
        kinds=kinds,
        runs=list(runs.values()),
        refreshed_at=refreshed,
        unavailable=[run for run in runs.values() if not run.available],
        counts=counts,
    )


# ---------------------------------------------------------------- batch report


def batch_side_regions(*, user, batch) -> list[dict]:
    """Per side (A/B), how the selected cadres are spread over the host regions (seed 004: 7 + 4 of 15)."""
    from miaopu.apps.programmes.choices import CandidateStatus
    from miaopu.apps.programmes.selectors import candidate_list

    rows = (
        candidate_list(user=user, batch=batch)
        .filter(status__in=[CandidateStatus.ASSIGNED, CandidateStatus.PLACED], assignment__isnull=False)
        .order_by()
        .values("side", "assignment__slot__region")
        .annotate(n=Count("id"))
    )
    sides: dict[str, dict] = {}
    for row in rows:
        entry = sides.setdefault(row["side"] or "", {"side": row["side"] or "", "total": 0, "regions": {}})
        region = row["assignment__slot__region"] or _("未填地区")
        entry["regions"][region] = entry["regions"].get(region, 0) + row["n"]
        entry["total"] += row["n"]
    names = batch.spec.side_names()
    found = []
    for side in sorted(sides):
        entry = sides[side]
        found.append({
            "side": side,
            "label": f"{side} 方（{names[side]}）" if side in names else (side or _("全部")),
            "total": entry["total"],
            "regions": [{"region": r, "count": n, "share": share(n, entry["total"])}
                        for r, n in sorted(entry["regions"].items(), key=lambda item: (-item[1], item[0]))],
        })  # fmt: skip
    return found


def scope_label(user, unit: Unit | None = None) -> str:
    root = unit or scope_root(user)
    return root.name if root is not None else ""
