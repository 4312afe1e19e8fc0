"""The solvers' view of a problem: canonical order, integer scores, index arrays.

Candidates and slots are put in *canonical order* — their ids sorted naturally ("c2" before "c10") — before
any solver sees them, and every solver is deterministic, so a problem gives the same plan whatever the order
of the entries in its file. Scores become whole hundredths, which is what exact integer solvers need.
Forbidden pairs are removed here; fixed pairs and quotas stay as rules for the solvers and the diagnosis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np

from miaopu.domain.matching.problem import Problem, ScoreMatrix

__all__ = ["Model", "QuotaRule", "build_model", "natural_key", "to_hundredths"]

_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders embedded numbers by value: c2 < c10, 第2组 < 第10组."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in _DIGITS.split(text) if part != "")


_ROWS = 1 << 20


def to_hundredths(values: np.ndarray | list[float]) -> np.ndarray:
    """Scores as whole hundredths of a point (nearest, halves to even), the unit every solver works in.

    int32 holds any valid score (at most ±10⁸ hundredths); sums are taken in int64. Done in chunks so a
    25-million-entry matrix needs no full-size float temporary.
    """
    flat = np.asarray(values, dtype=np.float64).reshape(-1)
    out = np.empty(len(flat), dtype=np.int32)
    for start in range(0, len(flat), _ROWS):
        scaled = np.multiply(flat[start : start + _ROWS], 100.0)
        np.rint(scaled, out=scaled)
        out[start : start + _ROWS] = scaled
    return out


@dataclass(frozen=True)
class QuotaRule:
    """A quota in solver terms: ``slots`` is the boolean mask of slots whose region is in the group."""

    index: int
    regions: tuple[str, ...]
    min: int | None
    max: int | None
    slots: np.ndarray = field(compare=False, repr=False)
    name: str | None = None

    @property
    def region_set(self) -> frozenset[str]:
        return frozenset(self.regions)


@dataclass(frozen=True)
class Model:
    """Index-based problem. Candidates ``0..n_c-1`` and slots ``0..n_s-1`` are in canonical order.

    ``pc``/``ps``/``pw``: the allowed pairs (scored, not forbidden) as candidate index, slot index and score
    in hundredths (all int32), sorted by candidate then slot. ``fixed``: (candidate, slot) index pairs that
    must be chosen.
    In two-way mode ``side`` is 0 for A and 1 for B and ``home`` is the home slot's index.
    """

    problem: Problem
    two_way: bool
    assign_all: bool
    cand_ids: list[str]
    cand_names: list[str | None]
    slot_ids: list[str]
    slot_names: list[str | None]
    region: list[str | None]
    cap: np.ndarray
    pc: np.ndarray
    ps: np.ndarray
    pw: np.ndarray
    fixed: tuple[tuple[int, int], ...]
    quotas: tuple[QuotaRule, ...]
    forbidden: frozenset[tuple[int, int]]
    scored: frozenset[tuple[int, int]] | None  # None for a dense matrix: use ``is_scored``
    side: np.ndarray
    home: np.ndarray
    dense_scored: np.ndarray | None = field(default=None, repr=False)

    @property
    def n_c(self) -> int:
        return len(self.cand_ids)

    @property
    def n_s(self) -> int:
        return len(self.slot_ids)

    def is_scored(self, c: int, s: int) -> bool:
        """Whether the file gives a score for the pair (forbidden or not)."""
        if self.scored is not None:
            return (c, s) in self.scored
        assert self.dense_scored is not None
        return bool(self.dense_scored[c, s])

    def with_rules(
        self,
        *,
        assign_all: bool | None = None,
        fixed: tuple[tuple[int, int], ...] | None = None,
        quotas: tuple[QuotaRule, ...] | None = None,
    ) -> Model:
        """A copy with some rules dropped or relaxed — what the diagnosis tries to find the conflicting rules."""
        return replace(
            self,
            assign_all=self.assign_all if assign_all is None else assign_all,
            fixed=self.fixed if fixed is None else fixed,
            quotas=self.quotas if quotas is None else quotas,
        )

    # ------------------------------------------------------------------ labels for messages and results
    def cand_label(self, c: int) -> str:
        name = self.cand_names[c]
        return f"{self.cand_ids[c]}（{name}）" if name else self.cand_ids[c]

    def slot_label(self, s: int) -> str:
        name = self.slot_names[s]
        return f"{self.slot_ids[s]}（{name}）" if name else self.slot_ids[s]


def build_model(problem: Problem) -> Model:
    """Index a validated problem in canonical order (see the module docstring)."""
    cand_order = sorted(range(len(problem.candidates)), key=lambda i: natural_key(problem.candidates[i].id))
    slot_order = sorted(range(len(problem.slots)), key=lambda j: natural_key(problem.slots[j].id))
    cands = [problem.candidates[i] for i in cand_order]
    slots = [problem.slots[j] for j in slot_order]
    cand_index = {c.id: k for k, c in enumerate(cands)}
    slot_index = {s.id: k for k, s in enumerate(slots)}
    n_c, n_s = len(cands), len(slots)

    forbidden = frozenset((cand_index[p.candidate], slot_index[p.slot]) for p in problem.forbidden)
    scored: frozenset[tuple[int, int]] | None
    dense_scored = None
    if isinstance(problem.scores, ScoreMatrix):
        values = problem.scores.values
        if cand_order != list(range(n_c)):
            values = values[cand_order, :]
        if slot_order != list(range(n_s)):
            values = values[:, slot_order]
        pc, ps, pw, dense_scored = _pairs_from_matrix(values, forbidden)
        scored = None
    else:
        triples = sorted((cand_index[e.candidate], slot_index[e.slot], e.score) for e in problem.scores)
        scored = frozenset((c, s) for c, s, _ in triples)
        kept = [t for t in triples if (t[0], t[1]) not in forbidden]
        pc = np.fromiter((t[0] for t in kept), dtype=np.int32, count=len(kept))
        ps = np.fromiter((t[1] for t in kept), dtype=np.int32, count=len(kept))
        pw = to_hundredths([t[2] for t in kept])

    region = [s.region for s in slots]
    quotas = []
    for k, quota in enumerate(problem.quotas):
        members = set(quota.regions)
        mask = np.fromiter((r in members for r in region), dtype=bool, count=n_s)
        quotas.append(
            QuotaRule(index=k, regions=tuple(quota.regions), min=quota.min, max=quota.max, slots=mask, name=quota.name)
        )

    two_way = problem.mode == "two-way"
    side = np.array([0 if c.side == "A" else 1 for c in cands], dtype=np.int8) if two_way else np.zeros(n_c, np.int8)
    home = (
        np.array([slot_index[c.home] for c in cands], dtype=np.int32)  # type: ignore[index]
        if two_way
        else np.full(n_c, -1, dtype=np.int32)
    )
    fixed = tuple(sorted((cand_index[p.candidate], slot_index[p.slot]) for p in problem.fixed))
    return Model(
        problem=problem,
        two_way=two_way,
        assign_all=problem.assign_all,
        cand_ids=[c.id for c in cands],
        cand_names=[c.name for c in cands],
        slot_ids=[s.id for s in slots],
        slot_names=[s.name for s in slots],
        region=region,
        cap=np.array([s.capacity for s in slots], dtype=np.int64),
        pc=pc,
        ps=ps,
        pw=pw,
        fixed=fixed,
        quotas=tuple(quotas),
        forbidden=forbidden,
        scored=scored,
        side=side,
        home=home,
        dense_scored=dense_scored,
    )


def _pairs_from_matrix(
    values: np.ndarray, forbidden: frozenset[tuple[int, int]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Allowed pairs of a dense matrix, row-major, without materialising more than one matrix-sized temporary."""
    n_c, n_s = values.shape
    allowed = ~np.isnan(values)
    scored = allowed
    if forbidden:
        allowed = allowed.copy()
        for c, s in forbidden:
            allowed[c, s] = False
    if allowed.all():
        pc = np.repeat(np.arange(n_c, dtype=np.int32), n_s)
        ps = np.tile(np.arange(n_s, dtype=np.int32), n_c)
        pw = to_hundredths(values.reshape(-1))
    else:
        flat = np.flatnonzero(allowed)
        pc = (flat // n_s).astype(np.int32)
        ps = (flat % n_s).astype(np.int32)
        pw = to_hundredths(values.reshape(-1)[flat])
        del flat
    return pc, ps, pw, scored
