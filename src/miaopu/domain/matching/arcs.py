"""The choices a solver picks from: candidate→slot pairs (assign mode) or A–B exchanges (two-way mode).

Both solvers that can handle a rule-laden problem (min-cost flow and CP-SAT) start from the same arc lists, so
the two agree on what is allowed: a scored, non-forbidden pair; a fixed candidate keeps only the arcs that take
them where they are fixed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from miaopu.domain.matching.model import Model

__all__ = ["Arcs", "assign_arcs", "exchange_arcs", "forced_candidates", "objective_weights", "score_scale"]


@dataclass(frozen=True)
class Arcs:
    """Parallel arrays, one entry per arc.

    Assign mode: ``first`` is the candidate, ``second`` is -1, ``dest`` is the slot. Two-way mode: ``first`` is
    the A candidate, ``second`` the B candidate, ``dest`` the B candidate's home (where the A candidate goes) and
    ``back`` the A candidate's home (where the B candidate goes). ``weight`` is the arc's score in hundredths
    (the sum of both directions for an exchange).
    """

    first: np.ndarray
    second: np.ndarray
    dest: np.ndarray
    back: np.ndarray
    weight: np.ndarray

    def __len__(self) -> int:
        return len(self.first)


def forced_candidates(model: Model) -> np.ndarray:
    """Candidates who must be placed: everyone under ``assign_all``, otherwise those with a fixed pair."""
    forced = np.full(model.n_c, model.assign_all, dtype=bool)
    for c, _ in model.fixed:
        forced[c] = True
    return forced


def assign_arcs(model: Model) -> Arcs:
    """Allowed pairs, with every fixed candidate cut down to the pair they are fixed to."""
    pc, ps, pw = model.pc, model.ps, model.pw
    if model.fixed:
        target = np.full(model.n_c, -1, dtype=np.int64)
        for c, s in model.fixed:
            target[c] = s
        keep = (target[pc] < 0) | (target[pc] == ps)
        pc, ps, pw = pc[keep], ps[keep], pw[keep]
    none = np.broadcast_to(np.int32(-1), (len(pc),))  # "no second candidate": a view, no memory
    return Arcs(first=pc, second=none, dest=ps, back=none, weight=pw)


def exchange_arcs(model: Model) -> Arcs:
    """Every allowed exchange: a (side A, home X) with b (side B, home Y), a→Y and b→X both allowed."""
    side_a = np.flatnonzero(model.side == 0)
    side_b = np.flatnonzero(model.side == 1)
    if len(side_a) == 0 or len(side_b) == 0:
        empty = np.zeros(0, dtype=np.int32)
        return Arcs(empty, empty, empty, empty, np.zeros(0, dtype=np.int64))
    weights = np.zeros((model.n_c, model.n_s), dtype=np.int64)
    allowed = np.zeros((model.n_c, model.n_s), dtype=bool)
    weights[model.pc, model.ps] = model.pw
    allowed[model.pc, model.ps] = True
    home_a, home_b = model.home[side_a], model.home[side_b]
    ok = allowed[np.ix_(side_a, home_b)] & allowed[np.ix_(side_b, home_a)].T
    total = weights[np.ix_(side_a, home_b)] + weights[np.ix_(side_b, home_a)].T
    row = {int(c): k for k, c in enumerate(side_a)}
    col = {int(c): k for k, c in enumerate(side_b)}
    for c, s in model.fixed:
        if model.side[c] == 0:
            ok[row[c], :] &= home_b == s
        else:
            ok[:, col[c]] &= home_a == s
    ia, ib = np.nonzero(ok)
    return Arcs(
        first=side_a[ia].astype(np.int32),
        second=side_b[ib].astype(np.int32),
        dest=home_b[ib].astype(np.int32),
        back=home_a[ia].astype(np.int32),
        weight=total[ia, ib],
    )


_CHUNK = 1 << 22


def score_scale(weight: np.ndarray) -> tuple[int, int, int]:
    """(lowest, highest, common divisor of the differences) of arc scores, in chunks to spare memory."""
    if len(weight) == 0:
        return 0, 0, 1
    low, high = int(weight.min()), int(weight.max())
    divisor = 0
    for start in range(0, len(weight), _CHUNK):
        chunk = weight[start : start + _CHUNK].astype(np.int64)
        chunk -= low
        divisor = math.gcd(divisor, int(np.gcd.reduce(chunk)))
        if divisor == 1:
            break
    return low, high, divisor or 1


def objective_weights(weight: np.ndarray, *, maximise_count: bool, max_chosen: int) -> np.ndarray:
    """Integer weights to *maximise* whose optimum is lexicographic: most arcs chosen, then highest score.

    Without a count to maximise (everyone must be placed, so the count is fixed) the scores alone are used,
    shifted to start at 0 and divided by their common divisor: smaller numbers make the cost-scaling solvers
    faster and change no comparison. With a count to maximise every arc also earns ``big``, larger than any
    difference in score between two plans, so one more placed candidate always outweighs any score.
    """
    low, high, divisor = score_scale(weight)
    shifted = weight.astype(np.int64)
    shifted -= low
    if divisor > 1:
        shifted //= divisor
    if not maximise_count:
        return shifted
    big = max_chosen * ((high - low) // divisor) + 1
    shifted += big
    return shifted
