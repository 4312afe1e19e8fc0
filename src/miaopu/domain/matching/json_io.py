"""The problem and result files of ``miaopu match`` (the contract is documented in ``docs/matching.md``).

Reading goes through :func:`~miaopu.domain.matching.problem.problem_from_json`, so a file and a problem built
by the app layer are validated by the same code. :func:`problem_to_json` writes the same contract, which is
how a batch's problem is exported so that its plan can be reproduced outside the application.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from miaopu.domain.matching.problem import Problem, ProblemError, Result, ScoreMatrix, problem_from_json

__all__ = ["load_problem", "problem_to_json", "result_to_json"]


def load_problem(source: str | Path | bytes) -> Problem:
    """Read a problem file (a path, or the raw bytes); a BOM is tolerated, bad JSON named by line and column."""
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ProblemError([f"(文件): 不是 UTF-8 编码的文本（第 {exc.start} 个字节处）"]) from exc
    except json.JSONDecodeError as exc:
        raise ProblemError([f"(文件): 不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列，{exc.msg}"]) from exc
    return problem_from_json(data)


def _score_value(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


def problem_to_json(problem: Problem) -> dict[str, Any]:
    """The problem as a contract-shaped dict (a dense score matrix becomes a list, NaN entries omitted)."""
    two_way = problem.mode == "two-way"
    candidates = []
    for c in problem.candidates:
        entry: dict[str, Any] = {"id": c.id}
        if two_way:
            entry.update(side=c.side, home=c.home)
        if c.name:
            entry["name"] = c.name
        candidates.append(entry)
    slots = []
    for s in problem.slots:
        entry = {"id": s.id, "capacity": s.capacity, "region": s.region}
        if s.name:
            entry["name"] = s.name
        slots.append(entry)
    if isinstance(problem.scores, ScoreMatrix):
        values = problem.scores.values
        scores = [
            {"candidate": problem.candidates[i].id, "slot": problem.slots[j].id, "score": _score_value(values[i, j])}
            for i, j in zip(*np.nonzero(~np.isnan(values)), strict=True)
        ]
    else:
        scores = [{"candidate": e.candidate, "slot": e.slot, "score": _score_value(e.score)} for e in problem.scores]
    quotas = []
    for q in problem.quotas:
        entry = {"regions": list(q.regions), "min": q.min, "max": q.max}
        if q.name:
            entry["name"] = q.name
        quotas.append(entry)
    return {
        "mode": problem.mode,
        "assign_all": problem.assign_all,
        "candidates": candidates,
        "slots": slots,
        "scores": scores,
        "forbidden": [{"candidate": p.candidate, "slot": p.slot} for p in problem.forbidden],
        "fixed": [{"candidate": p.candidate, "slot": p.slot} for p in problem.fixed],
        "quotas": quotas,
    }


def _number(value: float) -> float | int:
    rounded = round(float(value), 2)
    return int(rounded) if rounded.is_integer() else rounded


def result_to_json(result: Result) -> dict[str, Any]:
    """The result file: the contract's fields plus ``solver`` and ``proven``; no timings (output is reproducible)."""
    data: dict[str, Any] = {
        "status": result.status,
        "assigned": result.assigned,
        "total_score": _number(result.total_score),
        "assignments": [
            {"candidate": a.candidate, "slot": a.slot, "score": _number(a.score)} for a in result.assignments
        ],
    }
    if result.mode == "two-way":
        data["pairs"] = [list(pair) for pair in result.pairs]
    if result.diagnosis:
        data["diagnosis"] = "\n".join(result.diagnosis)
    data["solver"] = result.solver
    data["proven"] = result.proven
    return data
