"""CP-SAT (OR-Tools) for what no network can express: overlapping quotas, or a slot that is home to both sides.

One 0/1 variable per arc (a candidate→slot pair, or an A–B exchange); each candidate in at most one chosen
arc (exactly one when they must be placed); arrivals at a slot within its capacity; each quota's count of
placed candidates (side A only, in two-way mode) within its bounds. CP-SAT works on integers, so scores are
used in hundredths of a point (every score is rounded to 0.01 before solving, in every solver). It runs on
one worker so that the plan is reproducible; it reports whether the optimum is proven, and when the time
limit cuts the search short the engine says so rather than claiming an optimum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from miaopu.domain.matching.arcs import Arcs, forced_candidates, objective_weights
from miaopu.domain.matching.flow import SolverError
from miaopu.domain.matching.model import Model

__all__ = ["MipOutcome", "solve_mip"]


@dataclass(frozen=True)
class MipOutcome:
    """``status``: optimal / feasible (not proven) / infeasible / unknown; ``chosen``: arc indices."""

    status: str
    chosen: np.ndarray


def solve_mip(model: Model, arcs: Arcs, *, time_limit: float, feasibility_only: bool = False) -> MipOutcome:
    n_arcs = len(arcs)
    cp = cp_model.CpModel()
    x = [cp.new_bool_var(f"x{e}") for e in range(n_arcs)]

    by_candidate: list[list[int]] = [[] for _ in range(model.n_c)]
    arrivals: list[list[int]] = [[] for _ in range(model.n_s)]
    first, second = arcs.first.tolist(), arcs.second.tolist()
    dest, back = arcs.dest.tolist(), arcs.back.tolist()
    for e in range(n_arcs):
        by_candidate[first[e]].append(e)
        arrivals[dest[e]].append(e)
        if second[e] >= 0:
            by_candidate[second[e]].append(e)
            arrivals[back[e]].append(e)

    forced = forced_candidates(model)
    for c, options in enumerate(by_candidate):
        if forced[c]:
            cp.add(sum(x[e] for e in options) == 1)
        elif len(options) > 1:
            cp.add_at_most_one(x[e] for e in options)
    for s, incoming in enumerate(arrivals):
        if len(incoming) > model.cap[s]:
            cp.add(sum(x[e] for e in incoming) <= int(model.cap[s]))
    for quota in model.quotas:
        counted = np.flatnonzero(quota.slots[arcs.dest]).tolist()
        total = sum(x[e] for e in counted)
        if quota.min:
            cp.add(total >= quota.min)
        if quota.max is not None and quota.max < len(counted):
            cp.add(total <= quota.max)

    if not feasibility_only and n_arcs:
        max_chosen = model.n_c // 2 if model.two_way else min(model.n_c, int(model.cap.sum()))
        weights = objective_weights(arcs.weight, maximise_count=not model.assign_all, max_chosen=max(max_chosen, 1))
        cp.maximize(sum(int(w) * x[e] for e, w in enumerate(weights.tolist()) if w))

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = time_limit
    status = solver.solve(cp)
    if status == cp_model.MODEL_INVALID:
        raise SolverError(f"CP-SAT rejected the model: {cp.validate()}")
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = np.fromiter((solver.boolean_value(v) for v in x), dtype=bool, count=n_arcs)
        label = "optimal" if status == cp_model.OPTIMAL or feasibility_only else "feasible"
        return MipOutcome(label, np.flatnonzero(values))
    label = "infeasible" if status == cp_model.INFEASIBLE else "unknown"
    return MipOutcome(label, np.zeros(0, dtype=np.int64))
