"""Who may match which batch, and the plans they may read.

The stricter of the two possible rules is applied: matching is a decision about *every* candidate of a
batch, so its pages exist only for users who may run the whole batch (组织部 whose scope contains the
batch's selection scope, ``can_run_batch``). Everyone else — including a district officer looking at a
city-wide batch they can otherwise open — gets 404 on the matching pages and the API, exactly as for a
batch outside their scope. A plan is also 404 if any cadre in it is not visible to the user (should their
scope have narrowed since), so a plan never shows a cadre the user could not open on their own.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from miaopu.apps.cadres.selectors import cadre_list
from miaopu.apps.core.access import scope_root
from miaopu.apps.programmes.models import Batch
from miaopu.apps.programmes.selectors import batch_list, can_run_batch, can_use_programmes

from .models import MatchPlan


def can_match(user, batch: Batch) -> bool:
    """Whether the batch's matching page exists for ``user`` (the batch page shows its button then)."""
    return can_run_batch(user, batch) and batch.spec.has_hosts


def matchable_batches(*, user) -> QuerySet[Batch]:
    """Batches whose whole selection scope lies in the user's scope."""
    if not can_use_programmes(user):
        return Batch.objects.none()
    root = scope_root(user)
    qs = batch_list(user=user)
    return qs if root.parent_id is None else qs.filter(scope_unit__path__startswith=root.path)


def batch_for_matching(*, user, pk) -> Batch:
    batch = get_object_or_404(matchable_batches(user=user), pk=pk)
    if not can_match(user, batch):
        raise Http404
    return batch


def plan_list(*, user, batch: Batch | None = None) -> QuerySet[MatchPlan]:
    qs = MatchPlan.objects.select_related("batch", "batch__template", "created_by").filter(
        batch__in=matchable_batches(user=user)
    )
    return qs.filter(batch=batch) if batch is not None else qs


def cadre_ids(plan: MatchPlan) -> set[int]:
    return {info["cadre"] for info in (plan.explain or {}).get("candidates", {}).values()}


def plan_visible(user, plan: MatchPlan) -> bool:
    ids = cadre_ids(plan)
    return not ids or cadre_list(user=user).filter(pk__in=ids).count() == len(ids)


def plan_get(*, user, pk) -> MatchPlan:
    plan = get_object_or_404(plan_list(user=user).select_related("batch__version", "parent"), pk=pk)
    if not plan_visible(user, plan):
        raise Http404
    return plan


# ---------------------------------------------------------------- reading a stored plan


def _slot_label(info: dict | None) -> str:
    return f"{info['unit']}{info['title']}" if info else ""


def _parts_text(parts: dict | None) -> str:
    from .scoring import WEIGHT_LABELS

    if not parts:
        return ""
    shown = [f"{WEIGHT_LABELS.get(k, k)} {v:g}" if k == "base" else f"{WEIGHT_LABELS.get(k, k)} {v:+g}"
             for k, v in parts.items() if v]  # fmt: skip
    return " · ".join(shown)


def plan_rows(plan: MatchPlan) -> list[dict]:
    """One row per candidate of the plan: where they go (or that they are not placed), the score and why.

    Two-way plans list each exchange's two people one after the other, each with the partner's name.
    """
    explain = plan.explain or {}
    candidates, slots = explain.get("candidates", {}), explain.get("slots", {})
    pairs = explain.get("pairs", {})
    options = plan.options or {}
    fixed = {tuple(p) for p in options.get("fixed", [])}
    forbidden = {tuple(p) for p in options.get("forbidden", [])}
    goes = {a["candidate"]: a for a in (plan.result or {}).get("assignments", [])}
    partner: dict[str, str] = {}
    order: list[str] = []
    for a_key, b_key in (plan.result or {}).get("pairs", []):
        partner[a_key], partner[b_key] = b_key, a_key
        order += [a_key, b_key]
    rest = [k for k in candidates if k not in partner]
    if plan.mode != "two-way":
        rest.sort(key=lambda k: (slots.get(goes[k]["slot"], {}).get("region", "") if k in goes else "\uffff",
                                 _slot_label(slots.get(goes[k]["slot"])) if k in goes else "", k))  # fmt: skip
    rows = []
    for key in order + rest:
        info = candidates[key]
        chosen = goes.get(key)
        slot_key = chosen["slot"] if chosen else None
        slot = slots.get(slot_key) if slot_key else None
        why = pairs.get(f"{key}|{slot_key}") if slot_key else None
        rows.append({
            "key": key, "info": info, "slot_key": slot_key, "slot": slot, "slot_label": _slot_label(slot),
            "score": chosen["score"] if chosen else None, "parts": (why or {}).get("parts", {}),
            "parts_text": _parts_text((why or {}).get("parts")), "reasons": (why or {}).get("reasons", []),
            "partner": candidates.get(partner[key], {}).get("name") if key in partner else "",
            "pair_start": plan.mode == "two-way" and key in partner and info.get("side") == "A",
            "pinned": (key, slot_key) in fixed, "current": info.get("current"),
            "current_label": _slot_label(slots.get(info.get("current"))) if info.get("current") else "",
            "removed": [(_slot_label(slots.get(s)), r) for s, r in explain.get("removed", {}).get(key, [])],
            "unfit": explain.get("unfit", {}).get(key, 0),
            "forbidden": [(_slot_label(slots.get(s)), s) for c, s in forbidden if c == key],
        })  # fmt: skip
    return rows


def _counted(plan: MatchPlan, candidate: str) -> bool:
    """Quotas count everyone in assign mode and side A in two-way mode (the engine's rule)."""
    if plan.mode != "two-way":
        return True
    return (plan.explain or {}).get("candidates", {}).get(candidate, {}).get("side") == "A"


def region_counts(plan: MatchPlan) -> dict[str, int]:
    """Region → people placed there (all of them; quotas of two-way plans count side A, see quota_rows)."""
    slots = (plan.explain or {}).get("slots", {})
    counts: dict[str, int] = {}
    for a in (plan.result or {}).get("assignments", []):
        region = slots.get(a["slot"], {}).get("region", "")
        counts[region] = counts.get(region, 0) + 1
    return counts


def quota_rows(plan: MatchPlan) -> list[dict]:
    """Each quota of the problem with the number the plan sends there and whether it holds."""
    slots = (plan.explain or {}).get("slots", {})
    sources = (plan.explain or {}).get("quota_sources", [])
    rows = []
    for i, quota in enumerate((plan.problem or {}).get("quotas", [])):
        regions = set(quota["regions"])
        count = sum(
            1
            for a in (plan.result or {}).get("assignments", [])
            if slots.get(a["slot"], {}).get("region") in regions and _counted(plan, a["candidate"])
        )
        low, high = quota.get("min"), quota.get("max")
        held = (low is None or count >= low) and (high is None or count <= high)
        rows.append({
            "name": quota.get("name") or "、".join(quota["regions"]), "regions": "、".join(quota["regions"]),
            "min": low, "max": high, "count": count, "held": held if plan.has_plan else None,
            "source": sources[i] if i < len(sources) else "plan",
        })  # fmt: skip
    return rows


def region_rows(plan: MatchPlan) -> list[dict]:
    slots = (plan.explain or {}).get("slots", {})
    capacity: dict[str, int] = {}
    for info in slots.values():
        capacity[info["region"]] = capacity.get(info["region"], 0) + info["capacity"]
    counts = region_counts(plan)
    counted: dict[str, int] = {}
    for a in (plan.result or {}).get("assignments", []):
        if _counted(plan, a["candidate"]):
            region = slots.get(a["slot"], {}).get("region", "")
            counted[region] = counted.get(region, 0) + 1
    quotas = quota_rows(plan)
    rows = []
    for region in sorted(capacity, key=lambda r: (-counts.get(r, 0), r)):
        rows.append({
            "region": region, "capacity": capacity[region], "count": counts.get(region, 0),
            "side_a": counted.get(region, 0),
            "quotas": [q for q in quotas if region in q["regions"].split("、")],
        })  # fmt: skip
    return rows


def compare_plans(first: MatchPlan, second: MatchPlan) -> dict:
    """Side by side: who goes elsewhere (or is placed in one plan only), score deltas, per-region counts."""

    def where(plan: MatchPlan) -> dict[str, tuple[str, float]]:
        slots = (plan.explain or {}).get("slots", {})
        return {
            a["candidate"]: (_slot_label(slots.get(a["slot"])), a["score"], slots.get(a["slot"], {}).get("region", ""))
            for a in (plan.result or {}).get("assignments", [])
        }

    a, b = where(first), where(second)
    names = {**(second.explain or {}).get("candidates", {}), **(first.explain or {}).get("candidates", {})}
    rows = []
    for key in dict.fromkeys([*names]):
        left, right = a.get(key), b.get(key)
        if left is None and right is None:
            continue
        moved = (left or ("",))[0] != (right or ("",))[0]
        delta = None
        if left is not None and right is not None:
            delta = round(right[1] - left[1], 2)
        rows.append({
            "name": names[key]["name"], "unit": names[key]["unit"], "side": names[key].get("side", ""),
            "first": left, "second": right, "moved": moved, "delta": delta,
        })  # fmt: skip
    rows.sort(key=lambda r: (not r["moved"], r["name"]))
    first_regions, second_regions = region_counts(first), region_counts(second)
    regions = [
        {"region": r, "first": first_regions.get(r, 0), "second": second_regions.get(r, 0),
         "delta": second_regions.get(r, 0) - first_regions.get(r, 0)}
        for r in sorted(set(first_regions) | set(second_regions))
    ]  # fmt: skip
    return {
        "rows": rows, "moved": sum(1 for r in rows if r["moved"]), "regions": regions,
        "score_delta": round(second.total_score - first.total_score, 2),
        "assigned_delta": second.assigned - first.assigned,
    }  # fmt: skip
