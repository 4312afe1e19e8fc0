"""The matching problem and its result as frozen dataclasses, plus the checks that make a problem well formed.

A problem is self-contained: candidates, slots (a post or host unit with a capacity and a region), a score for
every *allowed* candidate–slot pair (pairs without a score are not allowed), forbidden and fixed pairs, and
quotas on groups of regions. The app layer builds it from a batch; ``miaopu match`` reads it from a JSON file
(:func:`problem_from_json`); both paths run the same :meth:`Problem.validate`, so a bad problem is reported
the same way — one message per mistake, naming the field and the entry (``scores[12].slot: 未知的岗位 "s99"``)
— before any solver runs.

Scores are compared at 0.01 precision: every score is rounded to the nearest hundredth (exact integer
arithmetic in the solvers needs whole numbers, so the engine works in hundredths of a point).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "MODES",
    "MAX_ABS_SCORE",
    "Assignment",
    "Candidate",
    "Pair",
    "Problem",
    "ProblemError",
    "Quota",
    "Result",
    "Score",
    "ScoreMatrix",
    "Slot",
    "problem_from_json",
]

MODES = ("assign", "two-way")
SIDES = ("A", "B")
# Scores are held in hundredths in int64 arithmetic; this bound keeps every objective far from overflow.
MAX_ABS_SCORE = 1_000_000
# A file with a thousand mistakes needs the first few named, not all of them.
MAX_REPORTED_ERRORS = 30


class ProblemError(ValueError):
    """A malformed problem: ``errors`` holds one message per mistake, each naming the field and the entry."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True, slots=True)
class Candidate:
    """A person to place. ``side`` ("A"/"B") and ``home`` (the slot they come from) are used in two-way mode only."""

    id: str
    side: str | None = None
    home: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Slot:
    """A post or host unit that can take up to ``capacity`` candidates; ``region`` is what quotas count by."""

    id: str
    capacity: int = 1
    region: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Score:
    """How well ``candidate`` fits ``slot``; listing a pair is what makes it allowed."""

    candidate: str
    slot: str
    score: float


@dataclass(frozen=True, slots=True)
class Pair:
    """A candidate–slot pair named by a rule: forbidden (never chosen) or fixed (always chosen)."""

    candidate: str
    slot: str


@dataclass(frozen=True, slots=True)
class Quota:
    """At least ``min`` / at most ``max`` of the placed candidates go to slots in ``regions``.

    In two-way mode only side-A candidates are counted, by the region of the slot they go to.
    """

    regions: tuple[str, ...]
    min: int | None = None
    max: int | None = None
    name: str | None = None


@dataclass(frozen=True, eq=False)
class ScoreMatrix:
    """Dense scores for large problems: ``values[i, j]`` scores ``candidates[i]`` for ``slots[j]``; NaN = not allowed.

    Twenty-five million ``Score`` objects would need gigabytes; a float64 matrix needs 200 MB. The matrix is
    stored read-only so a frozen problem stays frozen.
    """

    values: np.ndarray

    def __post_init__(self) -> None:
        array = np.asarray(self.values, dtype=np.float64)
        if array.flags.writeable:
            array = array.view()
            array.flags.writeable = False
        object.__setattr__(self, "values", array)

    def __len__(self) -> int:
        return int(np.count_nonzero(~np.isnan(self.values)))


@dataclass(frozen=True)
class Problem:
    """A complete matching problem. Call :meth:`validate` (``solve`` does) before trusting it."""

    candidates: tuple[Candidate, ...]
    slots: tuple[Slot, ...]
    scores: tuple[Score, ...] | ScoreMatrix = ()
    forbidden: tuple[Pair, ...] = ()
    fixed: tuple[Pair, ...] = ()
    quotas: tuple[Quota, ...] = ()
    mode: str = "assign"
    assign_all: bool = True

    def validate(self) -> None:
        """Raise :class:`ProblemError` listing every reference and range mistake; return quietly otherwise."""
        errors = _validate(self)
        if errors:
            raise ProblemError(_cap(errors))


@dataclass(frozen=True, slots=True)
class Assignment:
    """One chosen pair: ``candidate`` goes to ``slot``; ``score`` is the pair's score rounded to 0.01."""

    candidate: str
    slot: str
    score: float


@dataclass(frozen=True)
class Result:
    """What the engine decided, and how sure it is.

    ``status``: ``optimal`` (a plan, proven best), ``infeasible`` (proven: no plan meets every rule;
    ``diagnosis`` says why), ``feasible`` (a plan, but the time limit stopped the proof) or ``unknown`` (time
    limit, neither a plan nor a proof). ``solver`` names the algorithm that decided (``linear_sum_assignment``,
    ``min_cost_flow``, ``cp_sat`` or ``precheck`` for contradictions found before solving).
    """

    status: str
    solver: str
    mode: str = "assign"
    assigned: int = 0
    total_score: float = 0.0
    assignments: tuple[Assignment, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()
    diagnosis: tuple[str, ...] = ()
    seconds: float = field(default=0.0, compare=False)

    @property
    def proven(self) -> bool:
        """True when the answer is certain: the optimum is proven, or infeasibility is."""
        return self.status in ("optimal", "infeasible")


# --------------------------------------------------------------------------------------------- validation


def _cap(errors: list[str]) -> list[str]:
    if len(errors) <= MAX_REPORTED_ERRORS:
        return errors
    return [*errors[:MAX_REPORTED_ERRORS], f"……另有 {len(errors) - MAX_REPORTED_ERRORS} 处错误未列出"]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _nonempty_str(value: object) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _validate(problem: Problem) -> list[str]:
    errors: list[str] = []
    if problem.mode not in MODES:
        errors.append(f'mode: 应为 "assign" 或 "two-way"，而不是 {_show(problem.mode)}')
    if not isinstance(problem.assign_all, bool):
        errors.append(f"assign_all: 应为 true 或 false，而不是 {_show(problem.assign_all)}")
    two_way = problem.mode == "two-way"

    slot_ids: dict[str, int] = {}
    regions: set[str] = set()
    for i, slot in enumerate(problem.slots):
        where = f"slots[{i}]"
        if not _nonempty_str(slot.id):
            errors.append(f"{where}.id: 应为非空字符串，而不是 {_show(slot.id)}")
            continue
        if slot.id in slot_ids:
            errors.append(f'{where}.id: 岗位编号 "{slot.id}" 重复（与 slots[{slot_ids[slot.id]}] 相同）')
            continue
        slot_ids[slot.id] = i
        if not _is_int(slot.capacity) or slot.capacity < 0:
            errors.append(f"{where}.capacity: 应为不小于 0 的整数，而不是 {_show(slot.capacity)}")
        if slot.region is not None:
            if not _nonempty_str(slot.region):
                errors.append(f"{where}.region: 应为非空字符串或 null，而不是 {_show(slot.region)}")
            else:
                regions.add(slot.region)

    cand_ids: dict[str, int] = {}
    for i, cand in enumerate(problem.candidates):
        where = f"candidates[{i}]"
        if not _nonempty_str(cand.id):
            errors.append(f"{where}.id: 应为非空字符串，而不是 {_show(cand.id)}")
            continue
        if cand.id in cand_ids:
            errors.append(f'{where}.id: 候选人编号 "{cand.id}" 重复（与 candidates[{cand_ids[cand.id]}] 相同）')
            continue
        cand_ids[cand.id] = i
        if two_way:
            if cand.side not in SIDES:
                errors.append(f'{where}.side: two-way 模式下应为 "A" 或 "B"，而不是 {_show(cand.side)}')
            if cand.home is None:
                errors.append(f"{where}.home: two-way 模式下必须写明原单位岗位")
            elif cand.home not in slot_ids:
                errors.append(f"{where}.home: 未知的岗位 {_show(cand.home)}")
        else:
            if cand.side is not None:
                errors.append(f"{where}.side: 只有 two-way 模式使用 side（当前为 assign 模式）")
            if cand.home is not None:
                errors.append(f"{where}.home: 只有 two-way 模式使用 home（当前为 assign 模式）")

    if isinstance(problem.scores, ScoreMatrix):
        errors.extend(_validate_matrix(problem.scores, len(problem.candidates), len(problem.slots)))
    else:
        seen: dict[tuple[str, str], int] = {}
        for i, entry in enumerate(problem.scores):
            where = f"scores[{i}]"
            ok = _check_ref(errors, where, entry.candidate, entry.slot, cand_ids, slot_ids)
            value = entry.score
            if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
                errors.append(f"{where}.score: 应为有限的数值，而不是 {_show(value)}")
            elif abs(value) > MAX_ABS_SCORE:
                errors.append(f"{where}.score: 绝对值不能超过 {MAX_ABS_SCORE}（现为 {value}）")
            if ok:
                key = (entry.candidate, entry.slot)
                if key in seen:
                    pair = f"{entry.candidate} → {entry.slot}"
                    errors.append(f"{where}: 与 scores[{seen[key]}] 重复（{pair}），每个配对只能有一个评分")
                else:
                    seen[key] = i

    for name in ("forbidden", "fixed"):
        seen_pairs: dict[tuple[str, str], int] = {}
        for i, pair in enumerate(getattr(problem, name)):
            where = f"{name}[{i}]"
            if _check_ref(errors, where, pair.candidate, pair.slot, cand_ids, slot_ids):
                key = (pair.candidate, pair.slot)
                if key in seen_pairs:
                    errors.append(f"{where}: 与 {name}[{seen_pairs[key]}] 重复（{pair.candidate} → {pair.slot}）")
                else:
                    seen_pairs[key] = i

    for i, quota in enumerate(problem.quotas):
        where = f"quotas[{i}]"
        if not quota.regions:
            errors.append(f"{where}.regions: 至少列出一个地区")
        seen_regions: set[str] = set()
        for j, region in enumerate(quota.regions):
            if not _nonempty_str(region):
                errors.append(f"{where}.regions[{j}]: 应为非空字符串，而不是 {_show(region)}")
            elif region in seen_regions:
                errors.append(f'{where}.regions[{j}]: 地区 "{region}" 重复')
            elif region not in regions:
                errors.append(f'{where}.regions[{j}]: 未知的地区 "{region}"（没有岗位属于该地区）')
            else:
                seen_regions.add(region)
        for bound in ("min", "max"):
            value = getattr(quota, bound)
            if value is not None and (not _is_int(value) or value < 0):
                errors.append(f"{where}.{bound}: 应为不小于 0 的整数或 null，而不是 {_show(value)}")
        if quota.min is None and quota.max is None:
            errors.append(f"{where}: min 和 max 至少要给出一个")
        elif _is_int(quota.min) and _is_int(quota.max) and quota.min > quota.max:
            errors.append(f"{where}: min（{quota.min}）不能大于 max（{quota.max}）")
    return errors


def _validate_matrix(matrix: ScoreMatrix, n_candidates: int, n_slots: int) -> list[str]:
    values = matrix.values
    if values.shape != (n_candidates, n_slots):
        shape = " × ".join(map(str, values.shape))
        return [f"scores: 评分矩阵应为 {n_candidates} × {n_slots}（候选人 × 岗位），而不是 {shape}"]
    if values.size == 0 or np.isnan(values).all():
        return []
    # Two reductions without temporaries; only on failure look for the first bad entry.
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    if -MAX_ABS_SCORE <= low and high <= MAX_ABS_SCORE:
        return []
    bad = np.isinf(values) | (np.abs(np.nan_to_num(values)) > MAX_ABS_SCORE)
    i, j = (int(k) for k in np.argwhere(bad)[0])
    return [f"scores[{i}][{j}]: 应为绝对值不超过 {MAX_ABS_SCORE} 的数值或 NaN，而不是 {values[i, j]}"]


def _check_ref(
    errors: list[str],
    where: str,
    candidate: object,
    slot: object,
    cand_ids: Mapping[str, int],
    slot_ids: Mapping[str, int],
) -> bool:
    ok = True
    if candidate not in cand_ids:
        errors.append(f"{where}.candidate: 未知的候选人 {_show(candidate)}")
        ok = False
    if slot not in slot_ids:
        errors.append(f"{where}.slot: 未知的岗位 {_show(slot)}")
        ok = False
    return ok


def _show(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "对象"
    if isinstance(value, list):
        return "列表"
    return str(value)


# ---------------------------------------------------------------------------------------------- JSON shape

_TOP_KEYS = {"mode", "assign_all", "candidates", "slots", "scores", "forbidden", "fixed", "quotas", "meta"}
_ENTRY_KEYS = {
    "candidates": ({"id"}, {"side", "home", "name"}),
    "slots": ({"id"}, {"capacity", "region", "name"}),
    "scores": ({"candidate", "slot", "score"}, set()),
    "forbidden": ({"candidate", "slot"}, set()),
    "fixed": ({"candidate", "slot"}, set()),
    "quotas": ({"regions"}, {"min", "max", "name"}),
}


def problem_from_json(data: Any) -> Problem:
    """Turn a decoded problem file into a validated :class:`Problem`, or raise :class:`ProblemError`.

    Shape mistakes (wrong types, missing or misspelt keys) are reported first, each with its path
    (``slots[3].capacity``); references and ranges are then checked by :meth:`Problem.validate`. Keys beginning
    with ``_`` and the ``meta`` object are free-form notes (a batch's provenance) and are ignored.
    """
    if not isinstance(data, dict):
        raise ProblemError([f"(文件): 应为 JSON 对象，而不是 {_show(data)}"])
    errors: list[str] = []
    for key in data:
        if key not in _TOP_KEYS and not str(key).startswith("_"):
            errors.append(f"{key}: 未知的字段（可用字段：{'、'.join(sorted(_TOP_KEYS))}）")

    mode = data.get("mode", "assign")
    assign_all = data.get("assign_all", True)
    if not isinstance(assign_all, bool):
        errors.append(f"assign_all: 应为 true 或 false，而不是 {_show(assign_all)}")
        assign_all = True

    lists: dict[str, list[dict[str, Any]]] = {}
    for name, (required, optional) in _ENTRY_KEYS.items():
        raw = data.get(name)
        if raw is None:
            if name in ("candidates", "slots"):
                errors.append(f"{name}: 缺少此字段（应为列表）")
            lists[name] = []
            continue
        if not isinstance(raw, list):
            errors.append(f"{name}: 应为列表，而不是 {_show(raw)}")
            lists[name] = []
            continue
        entries = []
        for i, entry in enumerate(raw):
            where = f"{name}[{i}]"
            if not isinstance(entry, dict):
                errors.append(f"{where}: 应为 JSON 对象，而不是 {_show(entry)}")
                continue
            missing = [key for key in sorted(required) if key not in entry]
            unknown = [key for key in entry if key not in required | optional]
            errors.extend(f"{where}.{key}: 缺少此字段" for key in missing)
            errors.extend(f"{where}.{key}: 未知的字段" for key in unknown)
            if not missing:
                entries.append(entry)
        # Build nothing from a list with broken entries; their errors are already recorded.
        lists[name] = entries if len(entries) == len(raw) else []

    candidates = []
    for i, entry in enumerate(lists["candidates"]):
        candidates.append(
            Candidate(
                id=_string(errors, f"candidates[{i}].id", entry["id"]),
                side=_opt_string(errors, f"candidates[{i}].side", entry.get("side")),
                home=_opt_string(errors, f"candidates[{i}].home", entry.get("home")),
                name=_opt_string(errors, f"candidates[{i}].name", entry.get("name")),
            )
        )
    slots = []
    for i, entry in enumerate(lists["slots"]):
        slots.append(
            Slot(
                id=_string(errors, f"slots[{i}].id", entry["id"]),
                capacity=_integer(errors, f"slots[{i}].capacity", entry.get("capacity", 1), default=1),
                region=_opt_string(errors, f"slots[{i}].region", entry.get("region")),
                name=_opt_string(errors, f"slots[{i}].name", entry.get("name")),
            )
        )
    scores = tuple(
        Score(
            candidate=_string(errors, f"scores[{i}].candidate", e["candidate"]),
            slot=_string(errors, f"scores[{i}].slot", e["slot"]),
            score=_number(errors, f"scores[{i}].score", e["score"]),
        )
        for i, e in enumerate(lists["scores"])
    )
    pairs = {
        name: tuple(
            Pair(
                candidate=_string(errors, f"{name}[{i}].candidate", e["candidate"]),
                slot=_string(errors, f"{name}[{i}].slot", e["slot"]),
            )
            for i, e in enumerate(lists[name])
        )
        for name in ("forbidden", "fixed")
    }
    quotas = []
    for i, entry in enumerate(lists["quotas"]):
        regions = entry["regions"]
        if isinstance(regions, str):
            regions = [regions]
        if not isinstance(regions, list):
            errors.append(f"quotas[{i}].regions: 应为地区名称的列表，而不是 {_show(regions)}")
            regions = []
        quotas.append(
            Quota(
                regions=tuple(_string(errors, f"quotas[{i}].regions[{j}]", r) for j, r in enumerate(regions)),
                min=_integer(errors, f"quotas[{i}].min", entry.get("min")),
                max=_integer(errors, f"quotas[{i}].max", entry.get("max")),
                name=_opt_string(errors, f"quotas[{i}].name", entry.get("name")),
            )
        )
    if errors:
        raise ProblemError(_cap(errors))
    problem = Problem(
        candidates=tuple(candidates),
        slots=tuple(slots),
        scores=scores,
        forbidden=pairs["forbidden"],
        fixed=pairs["fixed"],
        quotas=tuple(quotas),
        mode=mode,
        assign_all=assign_all,
    )
    problem.validate()
    return problem


def _string(errors: list[str], where: str, value: Any) -> str:
    if not _nonempty_str(value):
        errors.append(f"{where}: 应为非空字符串，而不是 {_show(value)}")
        return ""
    return value


def _opt_string(errors: list[str], where: str, value: Any) -> str | None:
    if value is None:
        return None
    return _string(errors, where, value)


def _integer(errors: list[str], where: str, value: Any, default: int | None = None) -> int | None:
    if value is None:
        return default
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not _is_int(value) or value < 0:
        errors.append(f"{where}: 应为不小于 0 的整数，而不是 {_show(value)}")
        return default
    return value


def _number(errors: list[str], where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        errors.append(f"{where}: 应为有限的数值，而不是 {_show(value)}")
        return 0.0
    return float(value)
