"""The matching engine: optimal, rule-aware, explainable person–post and two-way matching.

Pure Python (OR-Tools underneath), no Django: the app layer builds a :class:`Problem` from a batch and calls
:func:`solve`; ``miaopu match`` does the same from a JSON file (:mod:`.json_io`). See ``docs/matching.md``.
"""

from miaopu.domain.matching.engine import SOLVERS, choose_solver, solve
from miaopu.domain.matching.json_io import load_problem, problem_to_json, result_to_json
from miaopu.domain.matching.problem import (
    Assignment,
    Candidate,
    Pair,
    Problem,
    ProblemError,
    Quota,
    Result,
    Score,
    ScoreMatrix,
    Slot,
    problem_from_json,
)

__all__ = [
    "SOLVERS",
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
    "choose_solver",
    "load_problem",
    "problem_from_json",
    "problem_to_json",
    "result_to_json",
    "solve",
]
