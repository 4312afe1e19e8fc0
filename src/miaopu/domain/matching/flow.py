"""Min-cost flow (OR-Tools ``SimpleMinCostFlow``) for problems whose quotas nest.

When quota region groups are *laminar* — any two are nested or disjoint, like 镇 inside 区 inside 市 — every
rule is a bound on the flow through one arc of a tree, so the whole problem is a network:

    source → candidate → slot → innermost quota group → … → outer group → sink → source
             (1 each)    (cap)    (min..max of the group)

(two-way mode: source → A's home slot → A candidate → B candidate → B's home slot → groups → sink, an
exchange being one unit of flow from an A to a B; the A side's home capacity limits how many B candidates
come in, the B side's home and its region groups count the A candidates going there.)

At-least bounds are arc *lower* bounds, removed by the standard transformation: send the lower bound up
front, record it as supply at the head and demand at the tail, and keep ``upper - lower`` as capacity. The
sink→source arc closes a circulation, so a flow meeting all supplies exists exactly when the rules can be met
(otherwise the solver reports infeasible, which is then a proof). Integer capacities make the optimal flow
integral, and OR-Tools' cost-scaling algorithm is exact on integer costs: the plan is a proven optimum.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ortools.graph.python import min_cost_flow

from miaopu.domain.matching.arcs import Arcs, forced_candidates, objective_weights, score_scale
from miaopu.domain.matching.model import Model, QuotaRule

__all__ = ["SolverError", "is_laminar", "laminar_tree", "solve_flow", "supports_flow"]


class SolverError(RuntimeError):
    """A solver failed for a reason other than infeasibility (a bug or an arithmetic range problem)."""


class Network:
    """Arcs with lower and upper bounds and integer costs (minimised), solved as a min-cost circulation.

    Bounds and costs may be scalars for a whole block of arcs; they are only expanded when handed to
    OR-Tools, so the six million candidate–slot arcs of a large problem cost no extra copies. An arc whose
    flow is fixed (lower = upper) becomes supply and demand only: OR-Tools never sees it.
    """

    def __init__(self) -> None:
        self.n_nodes = 0
        self.n_arcs = 0
        self._blocks: list[tuple[slice, np.ndarray, np.ndarray, object, object, object]] = []
        self._solver: min_cost_flow.SimpleMinCostFlow | None = None

    def add_nodes(self, count: int) -> int:
        first = self.n_nodes
        self.n_nodes += count
        return first

    def add_arcs(self, tails: object, heads: object, lower: object, upper: object, cost: object = 0) -> slice:
        """A block of arcs; returns its slice of arc indices (for reading the flow on it afterwards)."""
        (size,) = np.broadcast_shapes(*(np.shape(np.atleast_1d(v)) for v in (tails, heads, lower, upper, cost)))
        tails_a = np.ascontiguousarray(np.broadcast_to(np.asarray(tails, dtype=np.int32), (size,)))
        heads_a = np.ascontiguousarray(np.broadcast_to(np.asarray(heads, dtype=np.int32), (size,)))
        block = slice(self.n_arcs, self.n_arcs + size)
        self._blocks.append((block, tails_a, heads_a, lower, upper, cost))
        self.n_arcs += size
        return block

    def solve(self) -> bool:
        """Find a min-cost circulation meeting all bounds; False when none exists."""
        solver = min_cost_flow.SimpleMinCostFlow()
        supply = np.zeros(self.n_nodes, dtype=np.int64)
        self._index: dict[int, np.ndarray | int] = {}
        added = 0
        for block, tails, heads, lower, upper, cost in self._blocks:
            size = block.stop - block.start
            low = np.broadcast_to(np.asarray(lower, dtype=np.int64), (size,))
            capacity = np.broadcast_to(np.asarray(upper, dtype=np.int64) - np.asarray(lower, dtype=np.int64), (size,))
            if (capacity < 0).any():
                return False
            if low.any():
                nz = np.flatnonzero(low)
                np.add.at(supply, heads[nz], low[nz])
                np.subtract.at(supply, tails[nz], low[nz])
            keep = np.flatnonzero(capacity) if not capacity.all() else None
            if keep is None:
                self._index[block.start] = added  # the block maps one to one onto OR-Tools arcs
                solver.add_arcs_with_capacity_and_unit_cost(
                    tails, heads, np.ascontiguousarray(capacity), np.ascontiguousarray(np.broadcast_to(cost, (size,)))
                )
                added += size
            else:
                index = np.full(size, -1, dtype=np.int64)
                index[keep] = np.arange(added, added + len(keep))
                self._index[block.start] = index
                if len(keep):
                    solver.add_arcs_with_capacity_and_unit_cost(
                        tails[keep],
                        heads[keep],
                        np.ascontiguousarray(capacity[keep]),
                        np.ascontiguousarray(np.broadcast_to(np.asarray(cost, dtype=np.int64), (size,))[keep]),
                    )
                added += len(keep)
        solver.set_nodes_supplies(np.arange(self.n_nodes, dtype=np.int32), supply)
        status = solver.solve()
        if status == min_cost_flow.SimpleMinCostFlow.INFEASIBLE:
            return False
        if status != min_cost_flow.SimpleMinCostFlow.OPTIMAL:
            raise SolverError(f"min-cost flow failed: {status}")
        self._solver = solver
        return True

    def flows(self, block: slice) -> np.ndarray:
        """Flow on each arc of a block (lower bound included), after a successful :meth:`solve`."""
        assert self._solver is not None
        size = block.stop - block.start
        lower = np.broadcast_to(np.asarray(next(b[3] for b in self._blocks if b[0] == block), dtype=np.int64), (size,))
        index = self._index[block.start]
        if isinstance(index, int):
            arcs = np.arange(index, index + size, dtype=np.int32)
            return np.asarray(self._solver.flows(arcs), dtype=np.int64) + lower
        flows = lower.copy()
        present = index >= 0
        if present.any():
            flows[present] += np.asarray(self._solver.flows(index[present].astype(np.int32)), dtype=np.int64)
        return flows


# ------------------------------------------------------------------------------------------- quota tree


def is_laminar(quotas: Sequence[QuotaRule]) -> bool:
    """Whether every two quota groups are nested or disjoint (then the quotas fit a flow network)."""
    sets = [q.region_set for q in quotas]
    for i, first in enumerate(sets):
        for second in sets[i + 1 :]:
            if first & second and not (first <= second or second <= first):
                return False
    return True


def laminar_tree(model: Model) -> tuple[list[tuple[frozenset[str], int, int | None]], list[int], list[int]]:
    """Merge quotas on the same regions, then link each group to the smallest group strictly containing it.

    Returns ``(groups, group_parent, slot_parent)``: each group as (regions, min, max) with ``min`` 0 when
    absent and ``max`` None when absent; parents are group indices or -1 for the sink.
    """
    merged: dict[frozenset[str], tuple[int, int | None]] = {}
    for q in model.quotas:
        lo, hi = merged.get(q.region_set, (0, None))
        lo = max(lo, q.min or 0)
        if q.max is not None:
            hi = q.max if hi is None else min(hi, q.max)
        merged[q.region_set] = (lo, hi)
    groups = sorted(merged.items(), key=lambda item: (len(item[0]), sorted(item[0])))
    group_parent = []
    for i, (regions, _) in enumerate(groups):
        parent = next((j for j in range(i + 1, len(groups)) if regions < groups[j][0]), -1)
        group_parent.append(parent)
    slot_parent = []
    for region in model.region:
        slot_parent.append(next((j for j, (regions, _) in enumerate(groups) if region in regions), -1))
    return [(regions, lo, hi) for regions, (lo, hi) in groups], group_parent, slot_parent


# ------------------------------------------------------------------------------------------------ solve


def supports_flow(model: Model) -> bool:
    """Quotas laminar, and in two-way mode no slot is home to both sides (that couples the two halves)."""
    if not is_laminar(model.quotas):
        return False
    if model.two_way:
        homes_a = set(model.home[model.side == 0].tolist())
        homes_b = set(model.home[model.side == 1].tolist())
        if homes_a & homes_b:
            return False
    return True


def solve_flow(model: Model, arcs: Arcs, *, feasibility_only: bool = False) -> np.ndarray | None:
    """Indices of the chosen arcs in an optimal plan, or None when the rules cannot all be met."""
    count_fixed = model.assign_all
    n_arcs = len(arcs)
    if feasibility_only or n_arcs == 0:
        costs = np.zeros(n_arcs, dtype=np.int64)
    elif count_fixed:
        # Everyone is placed, so the flow's size is fixed: non-negative costs (best score costs 0) are
        # equivalent and measurably faster for the cost-scaling algorithm than negative rewards.
        _, top, divisor = score_scale(arcs.weight)
        costs = np.subtract(top, arcs.weight, dtype=np.int64)
        if divisor > 1:
            costs //= divisor
    else:
        max_chosen = min(model.n_c, int(model.cap.sum())) if not model.two_way else model.n_c // 2
        costs = objective_weights(arcs.weight, maximise_count=True, max_chosen=max(max_chosen, 1))
        np.negative(costs, out=costs)

    groups, group_parent, slot_parent = laminar_tree(model)
    net = Network()
    source = net.add_nodes(1)
    sink = net.add_nodes(1)
    forced = forced_candidates(model).astype(np.int64)
    cand0 = net.add_nodes(model.n_c)
    slot0 = net.add_nodes(model.n_s)
    group0 = net.add_nodes(len(groups))
    if model.two_way:
        # The A side's home slots sit between the source and the A candidates; a separate copy of the slots.
        home0 = net.add_nodes(model.n_s)
        side_a = np.flatnonzero(model.side == 0)
        side_b = np.flatnonzero(model.side == 1)
        homes_a = np.unique(model.home[side_a])
        net.add_arcs(source, home0 + homes_a, 0, model.cap[homes_a])
        net.add_arcs(home0 + model.home[side_a], cand0 + side_a, forced[side_a], 1)
        chosen = net.add_arcs(cand0 + arcs.first, cand0 + arcs.second, 0, 1, costs)
        net.add_arcs(cand0 + side_b, slot0 + model.home[side_b], forced[side_b], 1)
        n_units = len(side_a)
    else:
        # A fixed candidate is forced and has only the arc to their fixed slot (see ``assign_arcs``).
        net.add_arcs(source, cand0 + np.arange(model.n_c), forced, 1)
        chosen = net.add_arcs(cand0 + arcs.first, slot0 + arcs.dest, 0, 1, costs)
        n_units = model.n_c
    slot_heads = [sink if p < 0 else group0 + p for p in slot_parent]
    net.add_arcs(slot0 + np.arange(model.n_s), slot_heads, 0, model.cap)
    for g, (_, lo, hi) in enumerate(groups):
        head = sink if group_parent[g] < 0 else group0 + group_parent[g]
        net.add_arcs(group0 + g, head, lo, n_units if hi is None else hi)
    # Under assign_all the total is known (everyone; in two-way mode every A), so this arc's flow is fixed
    # and it turns into plain supply at the sink and demand at the source.
    net.add_arcs(sink, source, n_units if count_fixed else 0, n_units)
    if not net.solve():
        return None
    return np.flatnonzero(net.flows(chosen) > 0)
