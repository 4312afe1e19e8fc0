"""Why a problem has no plan, in plain Chinese that names regions, people and numbers.

Two stages. :func:`precheck` tests cheap necessary conditions before any solver runs — a fixed pair that is
also forbidden, a candidate with nowhere to go, a quota asking for more people than can reach its regions —
and every message it returns is a proof of infeasibility on its own. When a solver finds the problem
infeasible but no precheck fired, :func:`conflicting_rules` finds a *minimal* set of rules that cannot hold
together (a deletion filter: drop each rule in turn and keep it only if the rest become feasible), so the
user learns which two or three rules to relax, not just "no solution".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from miaopu.domain.matching.arcs import Arcs, assign_arcs, exchange_arcs
from miaopu.domain.matching.model import Model, QuotaRule

__all__ = ["conflicting_rules", "precheck", "region_phrase"]

# Listing more than this many people in one message helps nobody.
_MAX_LISTED = 10
# Above this many rules the fixed pairs are tried as one block (each try is a full feasibility solve).
_MAX_RULES = 40


def _names(labels: Sequence[str]) -> str:
    labels = list(labels)
    if len(labels) > _MAX_LISTED:
        return "、".join(labels[:_MAX_LISTED]) + f" 等 {len(labels)} 人"
    return "、".join(labels)


def region_phrase(regions: Sequence[str], name: str | None = None) -> tuple[str, str]:
    """("三水区、高明区", "这两个区"): how a quota's group is named, and how to refer back to it.

    A named quota is called by its name ("「下沉两区」"), which reads better than a list of twelve towns.
    """
    noun = "区" if all(r.endswith("区") for r in regions) else "地区"
    listed = f"「{name}」" if name else "、".join(regions)
    if len(regions) == 1:
        return listed, regions[0]
    if len(regions) == 2:
        return listed, f"这两个{noun}"
    return listed, f"这 {len(regions)} 个{noun}"


def _quota_text(quota: QuotaRule, bound: str, two_way: bool) -> str:
    listed, _ = region_phrase(quota.regions, quota.name)
    who = "A 方" if two_way else ""
    if bound == "min":
        return f"{listed} 至少 {quota.min} 人{'（' + who + '）' if who else ''}"
    return f"{listed} 至多 {quota.max} 人{'（' + who + '）' if who else ''}"


def _arcs(model: Model) -> Arcs:
    return exchange_arcs(model) if model.two_way else assign_arcs(model)


# ------------------------------------------------------------------------------------------------ precheck


def precheck(model: Model) -> list[str]:
    """Messages for every contradiction found without solving; an empty list proves nothing."""
    reasons: list[str] = []
    reasons += _fixed_contradictions(model)
    if reasons:
        return reasons  # the later checks assume the fixed pairs make sense
    arcs = _arcs(model)
    reasons += _quota_contradictions(model, arcs)
    if model.assign_all:
        reasons += _two_way_all(model, arcs) if model.two_way else _assign_all(model, arcs)
    return reasons


def _fixed_contradictions(model: Model) -> list[str]:
    reasons = []
    by_candidate: dict[int, list[int]] = defaultdict(list)
    for c, s in model.fixed:
        by_candidate[c].append(s)
    for c, slots in by_candidate.items():
        if len(slots) > 1:
            listed = "、".join(model.slot_label(s) for s in slots)
            reasons.append(f"候选人 {model.cand_label(c)} 被固定到多个岗位（{listed}），但一人只能去一个岗位")
    homes_a = set(model.home[model.side == 0].tolist()) if model.two_way else set()
    homes_b = set(model.home[model.side == 1].tolist()) if model.two_way else set()
    for c, s in model.fixed:
        who, where = model.cand_label(c), model.slot_label(s)
        if (c, s) in model.forbidden:
            reasons.append(f"候选人 {who} 被固定到岗位 {where}，但这一配对又被列为禁止")
        elif not model.is_scored(c, s):
            reasons.append(f"候选人 {who} 被固定到岗位 {where}，但没有这一配对的评分（未列出评分的配对不允许）")
        elif model.two_way:
            side, other_homes, other = ("A", homes_b, "B") if model.side[c] == 0 else ("B", homes_a, "A")
            if s not in other_homes:
                reasons.append(
                    f"候选人 {who}（{side} 方）被固定到岗位 {where}，但没有 {other} 方人员以该岗位为原单位，"
                    "两两交流时去不了那里"
                )
    if reasons:
        return reasons
    arrivals: dict[int, list[int]] = defaultdict(list)
    for c, s in model.fixed:
        arrivals[s].append(c)
    for s, people in sorted(arrivals.items()):
        if len(people) > model.cap[s]:
            reasons.append(
                f"岗位 {model.slot_label(s)} 容量为 {model.cap[s]}，但固定到该岗位的有 {len(people)} 人："
                f"{_names([model.cand_label(c) for c in people])}"
            )
    for quota in model.quotas:
        if quota.max is None:
            continue
        people = [c for c, s in model.fixed if quota.slots[s] and not (model.two_way and model.side[c] == 1)]
        if len(people) > quota.max:
            listed, there = region_phrase(quota.regions, quota.name)
            reasons.append(
                f"{listed} 至多 {quota.max} 人，但固定派往{there}的已有 {len(people)} 人："
                f"{_names([model.cand_label(c) for c in people])}"
            )
    return reasons


def _region_reach(model: Model, arcs: Arcs) -> tuple[np.ndarray, dict[str | None, int]]:
    """reach[c, r]: candidate c has an arc into region r (one pass over the arcs, not one per quota)."""
    codes: dict[str | None, int] = {}
    slot_code = np.array([codes.setdefault(r, len(codes)) for r in model.region], dtype=np.int32)
    reach = np.zeros((model.n_c, max(len(codes), 1)), dtype=bool)
    if len(arcs):
        reach[arcs.first, slot_code[arcs.dest]] = True
    return reach, codes


def _quota_contradictions(model: Model, arcs: Arcs) -> list[str]:
    reasons = []
    reach, codes = _region_reach(model, arcs) if model.quotas else (np.zeros((model.n_c, 1), bool), {})
    has_any = reach.any(axis=1)
    for quota in model.quotas:
        listed, there = region_phrase(quota.regions, quota.name)
        inside = np.zeros(reach.shape[1], dtype=bool)
        inside[[codes[r] for r in quota.regions if r in codes]] = True
        if quota.min:
            reaching = int(reach[:, inside].any(axis=1).sum())
            who = "名 A 方人员" if model.two_way else "名候选人"
            if reaching < quota.min:
                reasons.append(f"{listed} 至少 {quota.min} 人，但只有 {reaching} {who}可派往{there}")
                continue
            if model.two_way:
                hosts = np.flatnonzero((model.side == 1) & quota.slots[model.home])
                if len(hosts) < quota.min:
                    reasons.append(
                        f"{listed} 至少 {quota.min} 人，但原单位在{there}的 B 方人员只有 {len(hosts)} 名"
                        "（两两交流时，每名 B 方人员只换回一人）"
                    )
                    continue
            room = (
                int(model.cap[quota.slots].sum())
                if not model.two_way
                else int(model.cap[np.unique(model.home[(model.side == 1) & quota.slots[model.home]])].sum())
            )
            if room < quota.min:
                reasons.append(f"{listed} 至少 {quota.min} 人，但{there}的岗位容量合计只有 {room} 个")
                continue
        if model.assign_all and quota.max is not None:
            trapped = np.flatnonzero(has_any & ~reach[:, ~inside].any(axis=1))
            if model.two_way:
                trapped = trapped[model.side[trapped] == 0]
            if len(trapped) > quota.max:
                reasons.append(
                    f"{listed} 至多 {quota.max} 人，但有 {len(trapped)} 人只能派往{there}（其他岗位都被禁止或无评分）："
                    f"{_names([model.cand_label(c) for c in trapped])}"
                )
    # Nested groups whose bounds contradict each other: the inner group alone needs more than the outer allows.
    for inner in model.quotas:
        for outer in model.quotas:
            if inner is outer or not inner.min or outer.max is None:
                continue
            if inner.region_set <= outer.region_set and inner.min > outer.max:
                inner_listed, _ = region_phrase(inner.regions, inner.name)
                outer_listed, _ = region_phrase(outer.regions, outer.name)
                if inner.region_set == outer.region_set:
                    reasons.append(f"{inner_listed} 既要至少 {inner.min} 人，又要至多 {outer.max} 人")
                else:
                    reasons.append(
                        f"{inner_listed} 至少 {inner.min} 人，但包含它们的 {outer_listed} 至多 {outer.max} 人"
                    )
    return reasons


def _assign_all(model: Model, arcs: Arcs) -> list[str]:
    reasons = []
    has_any = np.zeros(model.n_c, dtype=bool)
    has_any[arcs.first] = True
    for c in np.flatnonzero(~has_any).tolist():
        reasons.append(f"候选人 {model.cand_label(c)} 没有可去的岗位（全部被禁止或无评分）")
    seats = int(model.cap.sum())
    if seats < model.n_c:
        reasons.append(f"共有 {model.n_c} 名候选人都要派出，但岗位容量合计只有 {seats} 个")
    return reasons


def _two_way_all(model: Model, arcs: Arcs) -> list[str]:
    reasons = []
    n_a = int((model.side == 0).sum())
    n_b = model.n_c - n_a
    if n_a != n_b:
        reasons.append(f"要求每人都参加两两交流，但 A 方 {n_a} 人、B 方 {n_b} 人，人数不等")
    partnered = np.zeros(model.n_c, dtype=bool)
    partnered[arcs.first] = True
    partnered[arcs.second] = True
    fixed_of = dict(model.fixed)
    for c in np.flatnonzero(~partnered).tolist():
        if c in fixed_of:
            reasons.append(
                f"候选人 {model.cand_label(c)} 被固定到岗位 {model.slot_label(fixed_of[c])}，"
                "但与以该岗位为原单位的人员互派都被禁止或缺少评分"
            )
        else:
            other = "B" if model.side[c] == 0 else "A"
            reasons.append(
                f"候选人 {model.cand_label(c)} 没有可交流的对象（与每名 {other} 方人员的互派都被禁止或缺少评分）"
            )
    for side, other in ((0, "B"), (1, "A")):
        people = model.home[model.side == side]
        slots, counts = np.unique(people, return_counts=True)
        for s, k in zip(slots.tolist(), counts.tolist(), strict=True):
            if k > model.cap[s]:
                reasons.append(
                    f"岗位 {model.slot_label(s)} 容量为 {model.cap[s]}，但以它为原单位的有 {k} 人，"
                    f"全部交流时会有 {k} 名 {other} 方人员前来"
                )
    return reasons


# ------------------------------------------------------------------------------------- conflicting rules

Rule = tuple[str, int]


def _apply(model: Model, rules: Sequence[Rule], fixed_block: bool) -> Model:
    kept = set(rules)
    if fixed_block:
        fixed = model.fixed if ("fixed", -1) in kept else ()
    else:
        fixed = tuple(pair for i, pair in enumerate(model.fixed) if ("fixed", i) in kept)
    quotas = []
    for q in model.quotas:
        low = q.min if ("min", q.index) in kept else None
        high = q.max if ("max", q.index) in kept else None
        if low or high is not None:
            quotas.append(replace(q, min=low, max=high))
    return model.with_rules(assign_all=("assign_all", 0) in kept, fixed=fixed, quotas=tuple(quotas))


def conflicting_rules(
    model: Model,
    feasible: Callable[[Model], bool],
    best_count: Callable[[Model], tuple[int, list[int]] | None],
) -> list[str]:
    """A minimal set of rules that cannot all hold, described so a person can decide which to relax.

    ``feasible`` answers whether a variant of the model has any plan; ``best_count`` returns the most
    candidates a variant can place and who is left out (None if even that variant is infeasible).
    """
    fixed_block = len(model.fixed) + 2 * len(model.quotas) + 1 > _MAX_RULES
    rules: list[Rule] = []
    if model.assign_all:
        rules.append(("assign_all", 0))
    if fixed_block and model.fixed:
        rules.append(("fixed", -1))
    elif not fixed_block:
        rules.extend(("fixed", i) for i in range(len(model.fixed)))
    for q in model.quotas:
        if q.min:
            rules.append(("min", q.index))
        if q.max is not None:
            rules.append(("max", q.index))

    active = list(rules)
    for rule in rules:
        trial = [r for r in active if r != rule]
        if not feasible(_apply(model, trial, fixed_block)):
            active = trial
    quotas = {q.index: q for q in model.quotas}
    texts = []
    for kind, i in active:
        if kind == "assign_all":
            texts.append("每人都要参加两两交流（assign_all）" if model.two_way else "每名候选人都要派出（assign_all）")
        elif kind == "fixed" and i < 0:
            texts.append(f"全部 {len(model.fixed)} 个固定配对")
        elif kind == "fixed":
            c, s = model.fixed[i]
            texts.append(f"{model.cand_label(c)} 固定到 {model.slot_label(s)}")
        else:
            texts.append(_quota_text(quotas[i], kind, model.two_way))
    if not texts:
        return ["在岗位容量和可选配对的限制下找不到任何方案"]
    if len(texts) == 1:
        reasons = [f"在岗位容量和可选配对的限制下，无法做到：{texts[0]}"]
    else:
        reasons = ["在岗位容量和可选配对的限制下，以下规则不能同时满足：" + "；".join(texts)]
    if ("assign_all", 0) in active:
        best = best_count(model.with_rules(assign_all=False))
        if best is not None:
            placed, left_out = best
            unit = "人参加交流" if model.two_way else "人"
            reasons.append(
                f"不要求全部派出时，满足其余规则最多能安排 {placed} {unit}（共 {model.n_c} 人），"
                f"未能安排的例如：{_names([model.cand_label(c) for c in left_out])}"
            )
    return reasons
