"""``solve(problem)``: pick the solver the problem's structure allows, and explain a failure.

Objective, lexicographic: place as many candidates as possible, then maximise the total score (scores in
hundredths). Under ``assign_all`` a plan that leaves anyone out is infeasible, so only the score is optimised.

Solver by structure, fastest first:

* assign mode, no quotas → linear-sum assignment; if it cannot seat everyone and ``assign_all`` is off,
  min-cost flow takes over to place as many as possible;
* quotas that nest (laminar) or two-way mode where no slot is home to both sides → min-cost flow;
* anything else (overlapping quotas, a slot home to both sides) → CP-SAT.

Ties (plans with the same count and total score) are broken deterministically: candidates and slots are put
in canonical order (ids sorted naturally, see :mod:`~miaopu.domain.matching.model`) and every solver is
deterministic, so the same problem always gives the same plan, whatever the order of entries in its file.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from miaopu.domain.matching.arcs import Arcs, assign_arcs, exchange_arcs
from miaopu.domain.matching.assignment import lsa_suitable, solve_lsa
from miaopu.domain.matching.diagnose import conflicting_rules, precheck
from miaopu.domain.matching.flow import solve_flow, supports_flow
from miaopu.domain.matching.mip import solve_mip
from miaopu.domain.matching.model import Model, build_model
from miaopu.domain.matching.problem import Assignment, Problem, Result

__all__ = ["SOLVERS", "choose_solver", "solve"]

SOLVERS = ("linear_sum_assignment", "min_cost_flow", "cp_sat")
DEFAULT_TIME_LIMIT = 60.0


def _arcs(model: Model) -> Arcs:
    return exchange_arcs(model) if model.two_way else assign_arcs(model)


def choose_solver(model: Model, arcs: Arcs) -> str:
    """The fastest solver that can handle the model's structure exactly."""
    if lsa_suitable(model, arcs):
        return "linear_sum_assignment"
    if supports_flow(model):
        return "min_cost_flow"
    return "cp_sat"


def solve(problem: Problem, *, solver: str | None = None, time_limit: float = DEFAULT_TIME_LIMIT) -> Result:
    """Solve a problem (validated first: raises ``ProblemError`` when malformed).

    ``solver`` forces a particular algorithm (tests cross-check them); it must be able to handle the
    structure. ``time_limit`` bounds CP-SAT; the network solvers always finish with a proof.
    """
    started = time.perf_counter()
    problem.validate()
    model = build_model(problem)
    reasons = precheck(model)
    if reasons:
        return Result(
            status="infeasible", solver="precheck", mode=problem.mode, diagnosis=tuple(reasons), seconds=_since(started)
        )
    arcs = _arcs(model)
    kind = solver or choose_solver(model, arcs)
    if kind not in SOLVERS:
        raise ValueError(f"unknown solver {kind!r}; choose one of {', '.join(SOLVERS)}")
    if kind == "linear_sum_assignment" and (model.two_way or model.quotas):
        raise ValueError("linear_sum_assignment handles assign mode without quotas only")
    if kind == "min_cost_flow" and not supports_flow(model):
        raise ValueError("min_cost_flow needs laminar quotas and, in two-way mode, no slot home to both sides")

    status, chosen = _run(kind, model, arcs, time_limit)
    if status == "infeasible_lsa":  # not everyone can be seated; without assign_all, flow places the most
        if not model.assign_all:
            kind = "min_cost_flow"
            status, chosen = _run(kind, model, arcs, time_limit)
        else:
            status = "infeasible"
    if status == "infeasible":
        diagnosis = _diagnose(model, time_limit)
        return Result(
            status="infeasible", solver=kind, mode=problem.mode, diagnosis=tuple(diagnosis), seconds=_since(started)
        )
    if status == "unknown":
        note = f"在 {time_limit:g} 秒的时限内既没有找到方案，也没能证明无解；可放宽规则或延长时限后再试"
        return Result(status="unknown", solver=kind, mode=problem.mode, diagnosis=(note,), seconds=_since(started))
    return _result(model, arcs, chosen, status, kind, started)


def _run(kind: str, model: Model, arcs: Arcs, time_limit: float) -> tuple[str, np.ndarray]:
    if kind == "linear_sum_assignment":
        chosen = solve_lsa(model, arcs)
        return ("infeasible_lsa", np.zeros(0, np.int64)) if chosen is None else ("optimal", chosen)
    if kind == "min_cost_flow":
        chosen = solve_flow(model, arcs)
        return ("infeasible", np.zeros(0, np.int64)) if chosen is None else ("optimal", chosen)
    outcome = solve_mip(model, arcs, time_limit=time_limit)
    return outcome.status, outcome.chosen


def _diagnose(model: Model, time_limit: float) -> list[str]:
    use_flow = supports_flow(model)

    def feasible(variant: Model) -> bool:
        arcs = _arcs(variant)
        if use_flow:
            return solve_flow(variant, arcs, feasibility_only=True) is not None
        # A time-out counts as feasible: a rule is only dropped from the conflict when that is proven.
        return solve_mip(variant, arcs, time_limit=time_limit, feasibility_only=True).status != "infeasible"

    def best_count(variant: Model) -> tuple[int, list[int]] | None:
        arcs = _arcs(variant)
        if use_flow:
            chosen = solve_flow(variant, arcs)
        else:
            outcome = solve_mip(variant, arcs, time_limit=time_limit)
            chosen = outcome.chosen if outcome.status in ("optimal", "feasible") else None
        if chosen is None:
            return None
        placed = set(arcs.first[chosen].tolist()) | set(arcs.second[chosen].tolist())
        placed.discard(-1)
        return len(placed), [c for c in range(variant.n_c) if c not in placed]

    return conflicting_rules(model, feasible, best_count)


def _result(model: Model, arcs: Arcs, chosen: np.ndarray, status: str, kind: str, started: float) -> Result:
    chosen = np.sort(chosen)
    assignments: list[Assignment] = []
    pairs: list[tuple[str, str]] = []
    if model.two_way:
        weight_of = _pair_weights(model)
        for e in chosen.tolist():
            a, b, dest, back = (int(arcs.first[e]), int(arcs.second[e]), int(arcs.dest[e]), int(arcs.back[e]))
            assignments.append(Assignment(model.cand_ids[a], model.slot_ids[dest], weight_of(a, dest) / 100))
            assignments.append(Assignment(model.cand_ids[b], model.slot_ids[back], weight_of(b, back) / 100))
            pairs.append((model.cand_ids[a], model.cand_ids[b]))
        cand_rank = {cid: k for k, cid in enumerate(model.cand_ids)}
        assignments.sort(key=lambda item: cand_rank[item.candidate])
    else:  # arcs are sorted by candidate, so the plan comes out in canonical order
        picked = zip(arcs.first[chosen].tolist(), arcs.dest[chosen].tolist(), arcs.weight[chosen].tolist(), strict=True)
        for c, s, w in picked:
            assignments.append(Assignment(model.cand_ids[c], model.slot_ids[s], w / 100))
    total = int(arcs.weight[chosen].sum()) if len(chosen) else 0
    return Result(
        status=status,
        solver=kind,
        mode=model.problem.mode,
        assigned=len(assignments),
        total_score=total / 100,
        assignments=tuple(assignments),
        pairs=tuple(pairs),
        seconds=_since(started),
    )


def _pair_weights(model: Model) -> Callable[[int, int], int]:
    """Score (hundredths) of one direction of an exchange; pairs are sorted by candidate then slot."""
    keys = model.pc.astype(np.int64) * model.n_s + model.ps

    def weight_of(c: int, s: int) -> int:
        return int(model.pw[int(np.searchsorted(keys, c * model.n_s + s))])

    return weight_of


def _since(started: float) -> float:
    return time.perf_counter() - started
