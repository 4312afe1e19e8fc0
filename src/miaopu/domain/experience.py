"""A cadre's facts "as of" a date: age, service, grassroots and rural experience, time in level and rank.

Every eligibility rule (age limits, "基层工作经历满 2 年", "任现职级满 3 年" …) reads these numbers, and
rules are evaluated for arbitrary reference dates (a programme's cut-off date, a what-if date), so the
computation takes the as-of date explicitly and never looks at "today".

Experience entries (履历) are half-open intervals ``[start, end)``; an open entry (``end is None``) runs to
the as-of date. Entries often overlap (a 挂职 during a posting, a duplicated row from an import), so
experience is measured on the *union* of the entries: every day counts once. The union is split into
maximal continuous periods and each period contributes its completed months (:func:`full_months`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from miaopu.domain.dates import age_on, full_months, full_years
from miaopu.domain.vocab import GRASSROOTS_LEVELS, RURAL_LEVELS, ExperienceKind

__all__ = [
    "CadreFacts",
    "CadreFactsInput",
    "Stint",
    "clip_stints",
    "compute_facts",
    "experience_months",
    "merge_intervals",
]


@dataclass(frozen=True)
class Stint:
    """One experience entry (履历): a period spent at a unit of a given level.

    ``end`` is exclusive; ``None`` means the entry is still open and runs to whatever as-of date is asked.
    """

    start: date
    end: date | None
    unit_level: str  # a UnitLevel value
    kind: str = ExperienceKind.POSTING.value  # an ExperienceKind value
    unit_id: int | None = None
    post_title: str = ""


@dataclass(frozen=True)
class CadreFactsInput:
    """The raw dates the facts are derived from (unknown dates are ``None``)."""

    birth_date: date
    work_start: date | None = None
    civil_service_entry: date | None = None
    leadership_level_since: date | None = None
    rank_since: date | None = None
    stints: tuple[Stint, ...] = ()


@dataclass(frozen=True)
class CadreFacts:
    """Derived facts on ``as_of``. ``None`` means the underlying date is unknown, never "not yet"."""

    as_of: date
    age: int
    service_years: int | None  # full years since work_start
    civil_service_months: int | None  # full months since civil_service_entry
    grassroots_months: int  # union of stints at GRASSROOTS_LEVELS (区县 and below)
    rural_months: int  # union of stints at RURAL_LEVELS (镇街, 村社区)
    months_in_level: int | None  # full months since leadership_level_since
    months_in_rank: int | None  # full months since rank_since


def merge_intervals(intervals: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """Union of half-open intervals as sorted, disjoint, non-touching intervals.

    Overlapping intervals merge, and so do adjacent ones (``[a, b)`` and ``[b, c)`` become ``[a, c)``):
    leaving one post on the day the next begins is continuous service, and counting the two halves
    separately would lose the partial months at the seam. Empty or inverted intervals are dropped.
    """
    merged: list[tuple[date, date]] = []
    for start, end in sorted((s, e) for s, e in intervals if s < e):
        if merged and start <= merged[-1][1]:
            last_start, last_end = merged[-1]
            merged[-1] = (last_start, max(last_end, end))
        else:
            merged.append((start, end))
    return merged


def clip_stints(stints: Iterable[Stint], as_of: date) -> list[tuple[date, date]]:
    """The part of each stint that lies before ``as_of``, as ``(start, end)`` pairs in input order.

    Each stint becomes ``[start, min(end or as_of, as_of))``: open entries run to ``as_of`` and nothing after
    ``as_of`` is counted, so facts for a past date ignore later history. Stints starting on or after
    ``as_of`` and empty (or inverted) entries are dropped.
    """
    clipped: list[tuple[date, date]] = []
    for stint in stints:
        end = as_of if stint.end is None else min(stint.end, as_of)
        if stint.start < end:
            clipped.append((stint.start, end))
    return clipped


def experience_months(stints: Iterable[Stint], as_of: date, levels: frozenset[str] | None = None) -> int:
    """Completed months covered by the union of the stints at ``levels`` (all stints if ``None``), up to ``as_of``.

    Overlapping entries are counted once; each continuous period of the union contributes
    ``full_months(start, end)``. The result never decreases when ``as_of`` moves later or a stint is added.
    """
    selected = stints if levels is None else (s for s in stints if s.unit_level in levels)
    return sum(full_months(start, end) for start, end in merge_intervals(clip_stints(selected, as_of)))


def _months_since(since: date | None, as_of: date) -> int | None:
    """Full months from ``since`` to ``as_of``; ``None`` if unknown, 0 if ``since`` is not yet reached."""
    return None if since is None else full_months(since, as_of)


def compute_facts(record: CadreFactsInput, as_of: date) -> CadreFacts:
    """Derive the :class:`CadreFacts` of ``record`` on ``as_of``.

    Dates after ``as_of`` yield 0 (not negative numbers, not ``None``): the fact is known, it is just not
    accrued yet on that date.
    """
    stints = tuple(record.stints)
    return CadreFacts(
        as_of=as_of,
        age=age_on(record.birth_date, as_of),
        service_years=None if record.work_start is None else full_years(record.work_start, as_of),
        civil_service_months=_months_since(record.civil_service_entry, as_of),
        grassroots_months=experience_months(stints, as_of, GRASSROOTS_LEVELS),
        rural_months=experience_months(stints, as_of, RURAL_LEVELS),
        months_in_level=_months_since(record.leadership_level_since, as_of),
        months_in_rank=_months_since(record.rank_since, as_of),
    )
