"""A batch as a matching problem: who may go where, with which score and why, under which rules.

Everything is loaded in a fixed number of queries (candidates with their cadres, family members, slots, all
units) and scored in memory with :mod:`.scoring`. The result is the engine's :class:`Problem` plus the
explanations the plan page shows: names, units, each candidate's home slot (two-way), the pairs the
avoidance rules removed and why, the candidates left out and why.

Ids in the problem are stable across the plans of a batch: ``c<programme candidate id>`` and
``s<host slot id>``, so pins and forbidden pairs carry over from one plan to the next.

Rules taken from the batch:

- candidates: the batch's vetted candidates (考察通过, including those already assigned by hand — an accepted
  plan replaces every assignment); candidates with an objection (考察有异议) are never included;
- slots: the batch's host slots with their capacity and region;
- a pair is allowed only if the programmes app would accept it by hand: the slot takes the candidate's side
  and its unit fits the candidate's group (``unit_levels``/``tags_any`` of the template), and no avoidance
  rule removes it;
- quotas: the batch's region quotas (at most N to a region, as the 分配岗位 check counts them) and its total
  per side, plus the plan's own quotas (e.g. "南岭县、北川县 至少 10");
- two-way (``mirrored_pairs``): side A and B as in the batch; a candidate's home is the slot on the other side
  whose unit is the candidate's unit or above it (the deepest such slot), because that is the slot the
  partner must take for the pair to be a mirrored exchange.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps as django_apps
from django.conf import settings
from django.db.models import F

from miaopu.apps.cadres.models import FamilyMember
from miaopu.apps.programmes.choices import CandidateStatus
from miaopu.apps.programmes.models import Batch, HostSlot
from miaopu.apps.programmes.selectors import candidate_list
from miaopu.apps.programmes.services import _host_problems  # the same host check as assigning by hand
from miaopu.apps.units.models import Unit, split_tags
from miaopu.domain.matching import Candidate, Pair, Problem, Quota, Score, Slot

from .scoring import (
    CadreFacts,
    District,
    PairScore,
    SlotFacts,
    evaluate_pair,
    home_counties,
    is_head_title,
    parse_grades,
)

NO_REGION = "未填地区"
#: Candidates that take part in matching: vetted, or assigned by hand (an accepted plan replaces that).
MATCHABLE = (CandidateStatus.VETTED, CandidateStatus.ASSIGNED)


def candidate_key(pk: int) -> str:
    return f"c{pk}"


def slot_key(pk: int) -> str:
    return f"s{pk}"


@dataclass(frozen=True)
class Options:
    """The plan's own rules: everyone placed or not, extra quotas, pinned and forbidden pairs."""

    assign_all: bool = True
    quotas: tuple[Mapping[str, Any], ...] = ()
    fixed: tuple[tuple[str, str], ...] = ()
    forbidden: tuple[tuple[str, str], ...] = ()

    def to_data(self) -> dict[str, Any]:
        return {
            "assign_all": self.assign_all,
            "quotas": [dict(q) for q in self.quotas],
            "fixed": [list(p) for p in self.fixed],
            "forbidden": [list(p) for p in self.forbidden],
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | None) -> Options:
        data = data or {}
        return cls(
            assign_all=bool(data.get("assign_all", True)),
            quotas=tuple(dict(q) for q in data.get("quotas") or ()),
            fixed=tuple(tuple(p) for p in data.get("fixed") or ()),
            forbidden=tuple(tuple(p) for p in data.get("forbidden") or ()),
        )


@dataclass
class Built:
    """A batch's problem and everything needed to explain it."""

    problem: Problem
    mode: str
    candidates: dict[str, dict[str, Any]]
    slots: dict[str, dict[str, Any]]
    scores: dict[tuple[str, str], PairScore]
    #: candidate key → [(slot key, reason)] for pairs removed by an avoidance rule
    removed: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    #: candidate key → number of same-side slots whose unit does not fit the candidate's group
    unfit: dict[str, int] = field(default_factory=dict)
    excluded: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: quota index in the problem → where it came from ("batch" or "plan")
    quota_sources: list[str] = field(default_factory=list)

    def regions(self) -> set[str]:
        return {s["region"] for s in self.slots.values()}

    def explain(self) -> dict[str, Any]:
        return {
            "candidates": self.candidates,
            "slots": self.slots,
            "removed": {k: [list(x) for x in v] for k, v in self.removed.items()},
            "unfit": self.unfit,
            "excluded": self.excluded,
            "warnings": self.warnings,
            "quota_sources": self.quota_sources,
        }

    def pair_explanation(self, candidate: str, slot: str) -> dict[str, Any] | None:
        found = self.scores.get((candidate, slot))
        if found is None or found.removed:
            return None
        return {"score": found.score, "parts": found.parts, "reasons": list(found.reasons)}


def _unit_aliases(units: list[tuple[int, str, str, int | None, int | None]]) -> dict[int, tuple[str, ...]]:
    """Unit id → the texts that name it in a family member's 工作单位: the full name and unambiguous short forms.

    Short forms are the unit's short name, its name without the district's name (``东湖区青石镇`` → ``青石镇``)
    and, for city organs, ``市`` + the name without the city's name (``示范市财政局`` → ``市财政局``). A
    short form shared by two units (every district has a ``区委组织部``) is dropped: it would name neither.
    """
    names = {pk: name for pk, name, _short, _parent, _district in units}
    root_names = [name for _pk, name, _short, parent, _district in units if parent is None]
    proposed: dict[int, list[str]] = {}
    for pk, name, short, _parent, district in units:
        forms = []
        if len(short or "") >= 2:
            forms.append(short)
        district_name = names.get(district) if district is not None and district != pk else None
        if district_name and name.startswith(district_name) and len(name) - len(district_name) >= 2:
            forms.append(name[len(district_name) :])
        for root in root_names:
            if root.endswith("市") and name.startswith(root) and len(name) - len(root) >= 2:
                forms.append("市" + name[len(root) :])
        proposed[pk] = [f for f in dict.fromkeys(forms) if f != name]
    counts = Counter(f for forms in proposed.values() for f in forms)
    full = set(names.values())
    return {pk: (names[pk], *(f for f in forms if counts[f] == 1 and f not in full)) for pk, forms in proposed.items()}


def _home_slot(unit_path: str, slots: Iterable[tuple[str, str, int]]) -> str | None:
    """The deepest slot whose unit is ``unit_path`` or above it (ties: the lowest id)."""
    best = None
    for key, path, pk in slots:
        if path and unit_path.startswith(path):
            rank = (-len(path), pk)
            if best is None or rank < best[0]:
                best = (rank, key)
    return best[1] if best else None


def build(*, user, batch: Batch, weights: Mapping[str, float], options: Options) -> Built:
    """The batch's problem as ``user`` sees it (callers have checked the user may run the whole batch)."""
    spec = batch.spec
    mode = "two-way" if spec.mirrored_pairs else "assign"
    year = batch.as_of.year

    rows = list(
        candidate_list(user=user, batch=batch)
        .filter(status__in=MATCHABLE)
        .order_by("id")
        .values_list(
            "pk", "cadre_id", "cadre__name", "cadre__code", "cadre__unit__name", "cadre__unit__path", "side",
            "group", "status", "cadre__specialties", "cadre__native_place", "cadre__id_number",
            "cadre__form_info__annual_reviews", "assignment__slot_id",
        )
    )  # fmt: skip
    family: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for cadre_id, relation, work in FamilyMember.objects.filter(cadre_id__in=[r[1] for r in rows]).values_list(
        "cadre_id", "relation", "work"
    ):
        if work:
            family[cadre_id].append((relation, work))
    recorded = recorded_grades([r[1] for r in rows], batch.as_of)
    rankings = recorded_rankings([r[1] for r in rows])
    units = list(Unit.objects.order_by().values_list("pk", "name", "short_name", "parent_id", "district_id"))
    aliases = _unit_aliases(units)
    districts = [
        District(pk, name, short or "")
        for pk, name, short in Unit.objects.filter(district_id=F("pk")).values_list("pk", "name", "short_name")
    ]
    area_codes: Mapping[str, str] = getattr(settings, "MIAOPU_AREA_CODES", {}) or {}

    slot_rows = list(
        HostSlot.objects.filter(batch=batch).select_related("unit", "unit__district", "post").order_by("id")
    )
    slots: dict[str, dict[str, Any]] = {}
    slot_facts: dict[str, SlotFacts] = {}
    for s in slot_rows:
        key = slot_key(s.pk)
        region = (s.region or "").strip() or NO_REGION
        slots[key] = {
            "slot": s.pk, "unit": s.unit.name, "title": s.title, "region": region, "capacity": s.capacity,
            "side": s.side, "district": s.unit.district.name if s.unit.district_id else "",
        }  # fmt: skip
        head = s.post.is_township_head if s.post_id else is_head_title(s.post_title)
        slot_facts[key] = SlotFacts(
            key=key, unit_name=s.unit.name, unit_path=s.unit.path, title=s.title, district_id=s.unit.district_id,
            district_name=s.unit.district.name if s.unit.district_id else "",
            tags=tuple(dict.fromkeys([*s.tag_list, *s.unit.tag_list])), township_head=head,
            aliases=aliases.get(s.unit_id, (s.unit.name,)),
        )  # fmt: skip

    built = Built(problem=Problem(candidates=(), slots=()), mode=mode, candidates={}, slots=slots, scores={})
    slot_by_key = {slot_key(s.pk): s for s in slot_rows}
    homes_for_side = {
        side: [(slot_key(s.pk), s.unit.path, s.pk) for s in slot_rows if s.side == other]
        for side, other in (("A", "B"), ("B", "A"))
    }
    candidates: list[Candidate] = []
    for row in rows:
        (pk, cadre_id, name, code, unit_name, unit_path, side, group, status, specialties, native, id_number,
         reviews, current_slot) = row  # fmt: skip
        key = candidate_key(pk)
        info = {
            "candidate": pk, "cadre": cadre_id, "name": name, "code": code, "unit": unit_name, "side": side,
            "group": group, "current": slot_key(current_slot) if current_slot else None,
        }  # fmt: skip
        home_slot = None
        if mode == "two-way":
            if side not in ("A", "B"):
                built.excluded.append({"candidate": key, "name": name, "reason": "未确定属于 A 方还是 B 方"})
                continue
            home_slot = _home_slot(unit_path or "", homes_for_side[side])
            if home_slot is None:
                other = "B" if side == "A" else "A"
                built.excluded.append({
                    "candidate": key, "name": name,
                    "reason": f"没有代表其原单位（{unit_name}）的接收岗位（接收 {other} 方）。成对互派时对方要到"
                              f"这里来，请在“接收岗位”中为该单位增加一个接收 {other} 方的岗位",
                })  # fmt: skip
                continue
            info["home"] = home_slot
        homes = home_counties(native or "", (id_number or "")[:6], districts, area_codes)
        info["home_county"] = "、".join(d.name for d in districts if d.pk in homes)
        built.candidates[key] = info
        candidates.append(Candidate(key, side if mode == "two-way" else None, home_slot, name=name))
        grades, grades_source = _grades(recorded.get(cadre_id), reviews)
        facts = CadreFacts(
            key=key, name=name, unit_name=unit_name, unit_path=unit_path or "", side=side or "", group=group or "",
            specialties=tuple(split_tags(specialties)), home=homes, native_place=native or "",
            relatives=tuple(family.get(cadre_id, ())), grades=grades, grades_source=grades_source,
            ranking=rankings.get(cadre_id),
        )  # fmt: skip
        for skey, sfacts in slot_facts.items():
            slot = slot_by_key[skey]
            if slot.side and side and slot.side != side:
                continue  # the other side's slot: not a choice, nothing to explain
            if _host_problems(spec, slot.unit, slot.tag_list, group=group or None, side=side or ""):
                built.unfit[key] = built.unfit.get(key, 0) + 1
                continue
            verdict = evaluate_pair(facts, sfacts, weights, year)
            built.scores[(key, skey)] = verdict
            if verdict.removed:
                built.removed.setdefault(key, []).extend((skey, reason) for reason in verdict.removed)

    quotas = _quotas(batch, built, options)
    problem = Problem(
        candidates=tuple(candidates),
        slots=tuple(
            Slot(key, info["capacity"], info["region"], name=f"{info['unit']}{info['title']}")
            for key, info in slots.items()
        ),
        scores=tuple(Score(c, s, verdict.score) for (c, s), verdict in built.scores.items() if not verdict.removed),
        forbidden=tuple(Pair(c, s) for c, s in options.forbidden if c in built.candidates and s in slots),
        fixed=tuple(Pair(c, s) for c, s in options.fixed if c in built.candidates and s in slots),
        quotas=tuple(quotas),
        mode=mode,
        assign_all=options.assign_all,
    )
    built.problem = problem
    return built


#: Grade codes of the assessments app (``domain.promotion.Grade``) → the labels scoring works with.
GRADE_LABELS = {"excellent": "优秀", "competent": "称职", "basic": "基本称职", "incompetent": "不称职"}


def recorded_grades(cadre_ids: list[int], as_of) -> dict[int, tuple[tuple[int, str], ...]]:
    """Annual grades recorded in the assessments app (考核), when it is installed; {} otherwise.

    ``recent_grades`` is unscoped by design: the ids come from the scoped candidate list above.
    """
    if not django_apps.is_installed("miaopu.apps.assessments"):
        return {}
    try:
        from miaopu.apps.assessments.selectors import recent_grades
    except ImportError:  # an older layout of the app: fall back to the form text
        return {}
    found = recent_grades(cadre_ids, years=3, as_of=as_of)
    return {
        cadre_id: tuple(sorted((y, GRADE_LABELS[g]) for y, g in years.items() if g in GRADE_LABELS))
        for cadre_id, years in found.items()
    }


def recorded_rankings(cadre_ids: list[int]) -> dict[int, tuple[float, str]]:
    """Cadre id → (rank share, words) of the latest closed training class, when the training app is installed.

    ``latest_standings`` is unscoped by design: the ids come from the scoped candidate list above.
    """
    if not django_apps.is_installed("miaopu.apps.training"):
        return {}
    from miaopu.apps.training.selectors import latest_standings

    found = latest_standings(cadre_ids)
    return {
        k: (s.share, f"{s.class_name} 第 {s.rank} 名（共 {s.size} 人）")
        for k, s in found.items()
        if s.share is not None
    }


def _grades(recorded: tuple[tuple[int, str], ...] | None, text: str | None) -> tuple[tuple[tuple[int, str], ...], str]:
    """Recorded grades first; else those written in the 任免审批表 (imported LRMX files)."""
    if recorded:
        return recorded, "考核记录"
    parsed = parse_grades(text or "")
    return parsed, "任免审批表" if parsed else ""


def _quotas(batch: Batch, built: Built, options: Options) -> list[Quota]:
    """The batch's quotas (region maxima, total per side) and the plan's own, as the engine's quotas."""
    counted_regions = {info["region"] for info in built.slots.values() if built.mode == "assign" or info["side"] == "A"}
    other_regions = built.regions() - counted_regions
    quotas: list[Quota] = []
    data = batch.quotas or {}
    for region, limit in (data.get("regions") or {}).items():
        if region in counted_regions:
            quotas.append(Quota((region,), max=int(limit), name=f"{region} 名额"))
            built.quota_sources.append("batch")
        elif region in other_regions:
            built.warnings.append(
                f"批次名额“{region} {limit} 人”是 B 方的去向，匹配按 A 方去向计算名额，未计入；采用方案时由分配检查把关"
            )
    total = data.get("total")
    if total and counted_regions:
        quotas.append(Quota(tuple(sorted(counted_regions)), max=int(total), name=f"每方总名额 {total} 人"))
        built.quota_sources.append("batch")
    for quota in options.quotas:
        quotas.append(
            Quota(tuple(quota["regions"]), min=quota.get("min"), max=quota.get("max"), name=quota.get("name") or None)
        )
        built.quota_sources.append("plan")
    return quotas
