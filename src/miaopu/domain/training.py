"""The training class as a race course (练兵场、赛马场): per-class standings of trainees. Pure Python.

Zhanjiang's young-cadre class is "both a drill ground and a race course": performance in class is recorded and
compared, and the comparison feeds selection (精准比选: 看培训平台发挥). A class ranks its trainees on four
components, each on a 0–100 scale:

- attendance (出勤): the share of the class's sessions attended; present counts 1, late 0.5, leave and absent 0
  (:func:`attendance_score`);
- coursework (课程作业), assessment (结业考核), peer rating (学员互评): scores entered by the class staff.

The total is the weighted mean over the components with a positive weight (weights are edited per class; only
their ratios matter). A missing score counts as 0 and is listed in ``missing``, so an unfinished score sheet
is visible rather than silently favouring whoever has fewer scores. Totals are rounded to 0.01 before they
are compared; equal totals share a rank and the next rank is skipped (standard competition ranking, "1, 2, 2,
4"); within a tie rows are listed by key so the order is reproducible. A withdrawn trainee is not ranked.

:func:`rank_share` turns a rank into a 0–1 share (1 = first, 0 = last) used by matching as the
``ranking`` score part, and :func:`class_rank_sort_key` orders batch candidates by their latest class standing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

COMPONENTS: tuple[str, ...] = ("attendance", "coursework", "assessment", "peer")
COMPONENT_LABELS: dict[str, str] = {
    "attendance": "出勤",
    "coursework": "课程作业",
    "assessment": "结业考核",
    "peer": "学员互评",
}
DEFAULT_WEIGHTS: dict[str, float] = {"attendance": 20, "coursework": 30, "assessment": 30, "peer": 20}
MAX_WEIGHT = 100
#: Attendance status → credit.
ATTENDANCE_CREDIT: dict[str, float] = {"present": 1.0, "late": 0.5, "leave": 0.0, "absent": 0.0}


def clean_weights(data: Mapping[str, object] | None) -> tuple[dict[str, float], list[str]]:
    """``data`` completed with the defaults, and the problems found (Chinese, one per bad value)."""
    weights = dict(DEFAULT_WEIGHTS)
    problems: list[str] = []
    for key, value in (data or {}).items():
        if key not in COMPONENT_LABELS:
            problems.append(f"未知的排名项“{key}”（可用：{'、'.join(COMPONENTS)}）")
            continue
        label = COMPONENT_LABELS[key]
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            problems.append(f"“{label}”的权重应为 0 到 {MAX_WEIGHT} 之间的数，而不是 {value!r}")
            continue
        if isinstance(value, bool) or not 0 <= number <= MAX_WEIGHT:
            problems.append(f"“{label}”的权重应为 0 到 {MAX_WEIGHT} 之间的数，而不是 {value!r}")
            continue
        weights[key] = int(number) if number.is_integer() else number
    if not problems and sum(weights.values()) <= 0:
        problems.append("权重不能全部为 0：至少给一项正的权重")
    return weights, problems


def attendance_score(statuses: Iterable[str], sessions: int) -> float | None:
    """Attendance on a 0–100 scale over ``sessions`` held; a session with no record counts as absent."""
    if sessions <= 0:
        return None
    credit = sum(ATTENDANCE_CREDIT.get(s, 0.0) for s in statuses)
    return round(min(credit, sessions) * 100 / sessions, 2)


@dataclass(frozen=True)
class TraineeScores:
    key: str
    attendance: float | None = None
    coursework: float | None = None
    assessment: float | None = None
    peer: float | None = None
    withdrawn: bool = False

    def value(self, component: str) -> float | None:
        return getattr(self, component)


@dataclass(frozen=True)
class Standing:
    key: str
    total: float | None
    rank: int | None
    size: int
    parts: dict[str, float] = field(default_factory=dict)
    missing: tuple[str, ...] = ()

    @property
    def share(self) -> float | None:
        return rank_share(self.rank, self.size)


def _round2(value: float) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))


def rank_trainees(rows: Iterable[TraineeScores], weights: Mapping[str, float]) -> list[Standing]:
    """The class standings, best first; withdrawn trainees last with no rank (see the module docstring)."""
    used = {k: float(weights.get(k, 0) or 0) for k in COMPONENTS}
    if any(w < 0 for w in used.values()):
        raise ValueError("权重不能为负数")
    total_weight = sum(used.values())
    if total_weight <= 0:
        raise ValueError("权重不能全部为 0")
    ranked: list[tuple[float, str, dict[str, float], tuple[str, ...]]] = []
    withdrawn: list[TraineeScores] = []
    for row in rows:
        if row.withdrawn:
            withdrawn.append(row)
            continue
        parts: dict[str, float] = {}
        missing = []
        for component in COMPONENTS:
            weight = used[component]
            if weight == 0:
                continue
            value = row.value(component)
            if value is None:
                missing.append(component)
                value = 0.0
            parts[component] = _round2(float(value) * weight / total_weight)
        total = _round2(sum(float(row.value(c) or 0) * used[c] for c in COMPONENTS) / total_weight)
        ranked.append((total, row.key, parts, tuple(missing)))
    ranked.sort(key=lambda r: (-r[0], r[1]))
    size = len(ranked)
    standings: list[Standing] = []
    previous: float | None = None
    rank = 0
    for position, (total, key, parts, missing) in enumerate(ranked, start=1):
        if previous is None or total != previous:
            rank = position
            previous = total
        standings.append(Standing(key, total, rank, size, parts, missing))
    standings.extend(Standing(w.key, None, None, size) for w in sorted(withdrawn, key=lambda w: w.key))
    return standings


def rank_share(rank: int | None, size: int) -> float | None:
    """1.0 for the first of a class, 0.0 for the last, linear between; None without a rank."""
    if rank is None or size <= 0 or not 1 <= rank <= size:
        return None
    if size == 1:
        return 1.0
    return round((size - rank) / (size - 1), 4)


def describe_rank(rank: int | None, size: int) -> str:
    if rank is None:
        return "未排名"
    return f"第 {rank} 名（共 {size} 人）"


def class_rank_sort_key(share: float | None, then: tuple = ()) -> tuple:
    """Sort key for batch candidates: a class standing first (better share first), then ``then``.

    Candidates with no class ranking come after every ranked candidate, in their ``then`` order.
    """
    if share is None:
        return (1, 0.0, *then)
    return (0, -share, *then)
