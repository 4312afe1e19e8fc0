"""Plain person–post problems by linear-sum assignment (OR-Tools ``SimpleLinearSumAssignment``).

Without quotas and outside two-way mode, a plan is a matching in a bipartite graph: candidates on the left,
*seats* on the right (a slot with capacity k is k identical seats). OR-Tools' cost-scaling assignment solves
it exactly on integer costs and, unlike scipy's ``linear_sum_assignment``, does not slow down on the many
near-ties that real scores (integers 60–100) produce.

The solver needs a perfect matching of a square graph, so surplus seats get dummy candidates that may take
any seat at no cost. If the real candidates cannot all be seated it reports infeasible; the engine then
either diagnoses (``assign_all``) or hands the problem to min-cost flow, which maximises the number placed.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import linear_sum_assignment

from miaopu.domain.matching.arcs import Arcs, score_scale
from miaopu.domain.matching.flow import SolverError
from miaopu.domain.matching.model import Model

__all__ = ["lsa_suitable", "solve_lsa"]

# Small problems always qualify; big ones only if seats and padding do not blow the graph up.
_SMALL = 100_000
_CHUNK = 1 << 22


def _seat_counts(model: Model, arcs: Arcs) -> tuple[int, int, int]:
    seats = int(model.cap.sum())
    if (model.cap == 1).all():
        expanded = len(arcs)
    else:
        expanded = int(np.bincount(arcs.dest, minlength=model.n_s) @ model.cap)
    padding = max(seats - model.n_c, 0) * seats
    return seats, expanded, padding


def lsa_suitable(model: Model, arcs: Arcs) -> bool:
    """Plain structure, enough seats for everyone, and a seat graph not much bigger than the pair graph."""
    if model.two_way or model.quotas or model.n_c == 0:
        return False
    seats, expanded, padding = _seat_counts(model, arcs)
    if seats < model.n_c:
        return False
    limit = max(len(arcs), _SMALL)
    return expanded <= 2 * limit and padding <= limit


def solve_lsa(model: Model, arcs: Arcs) -> np.ndarray | None:
    """Indices of the chosen arcs placing every candidate with the highest total score, or None if impossible."""
    seats, _, _ = _seat_counts(model, arcs)
    if seats < model.n_c or not np.bincount(arcs.first, minlength=model.n_c).all():
        return None  # fewer seats than people, or someone with no allowed slot at all
    seat_slot = np.repeat(np.arange(model.n_s, dtype=np.int32), model.cap)
    seat_start = np.concatenate(([0], np.cumsum(model.cap)[:-1])).astype(np.int32)
    single_seats = bool((model.cap == 1).all())
    # Cost = (best score - score) / common divisor: non-negative, as small as possible, same optimum.
    _, top, divisor = score_scale(arcs.weight)

    solver = linear_sum_assignment.SimpleLinearSumAssignment()
    for start in range(0, len(arcs), _CHUNK):
        stop = min(start + _CHUNK, len(arcs))
        left = arcs.first[start:stop]
        dest = arcs.dest[start:stop]
        cost = np.subtract(top, arcs.weight[start:stop], dtype=np.int64)
        if divisor > 1:
            cost //= divisor
        copies = None if single_seats else model.cap[dest]
        if copies is None:
            right = dest  # every slot is a single seat: seat index = slot index
        else:
            left = np.repeat(left, copies)
            cost = np.repeat(cost, copies)
            first_seat = np.repeat(seat_start[dest], copies)
            offset = np.arange(len(left)) - np.repeat(np.cumsum(copies) - copies, copies)
            right = first_seat + offset
        solver.add_arcs_with_cost(
            np.ascontiguousarray(left, dtype=np.int32),
            np.ascontiguousarray(right, dtype=np.int32),
            np.ascontiguousarray(cost, dtype=np.int64),
        )
    dummies = seats - model.n_c
    if dummies:
        left = np.repeat(np.arange(model.n_c, seats, dtype=np.int32), seats)
        right = np.tile(np.arange(seats, dtype=np.int32), dummies)
        solver.add_arcs_with_cost(left, right, np.zeros(len(left), dtype=np.int64))
    if solver.num_nodes() < seats:
        return None  # a seat nobody may take, and no dummy to fill it: not everyone can be seated
    status = solver.solve()
    if status == linear_sum_assignment.SimpleLinearSumAssignment.INFEASIBLE:
        return None
    if status != linear_sum_assignment.SimpleLinearSumAssignment.OPTIMAL:
        raise SolverError(f"linear-sum assignment failed: {status}")
    slot_of = np.fromiter((seat_slot[solver.right_mate(c)] for c in range(model.n_c)), dtype=np.int64, count=model.n_c)
    # Arcs are sorted by candidate, then slot: find each candidate's row, then the slot within it.
    row_start = np.searchsorted(arcs.first, np.arange(model.n_c + 1))
    chosen = np.empty(model.n_c, dtype=np.int64)
    for c in range(model.n_c):
        lo, hi = int(row_start[c]), int(row_start[c + 1])
        chosen[c] = lo + int(np.searchsorted(arcs.dest[lo:hi], slot_of[c]))
    return chosen
