"""Experience and cadre facts: hand-computed cases plus the union properties eligibility rules depend on."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from miaopu.domain.dates import full_months
from miaopu.domain.experience import (
    CadreFacts,
    CadreFactsInput,
    Stint,
    clip_stints,
    compute_facts,
    experience_months,
    merge_intervals,
)
from miaopu.domain.vocab import GRASSROOTS_LEVELS, RURAL_LEVELS, ExperienceKind, UnitLevel

CITY, COUNTY, TOWN, VILLAGE = (level.value for level in UnitLevel)
AS_OF = date(2025, 6, 30)


def stint(start: str, end: str | None, level: str = TOWN, **extra: object) -> Stint:
    return Stint(date.fromisoformat(start), None if end is None else date.fromisoformat(end), level, **extra)


# ---------------------------------------------------------------- merge_intervals / clip_stints


def test_merge_overlapping_adjacent_and_separate() -> None:
    d = date
    got = merge_intervals(
        [
            (d(2020, 5, 1), d(2020, 8, 1)),
            (d(2020, 1, 1), d(2020, 3, 1)),
            (d(2020, 2, 1), d(2020, 4, 1)),  # overlaps the previous one
            (d(2020, 4, 1), d(2020, 4, 15)),  # adjacent: touches at 4-01
            (d(2020, 6, 1), d(2020, 7, 1)),  # contained
            (d(2020, 9, 1), d(2020, 9, 1)),  # empty: dropped
            (d(2020, 12, 1), d(2020, 10, 1)),  # inverted: dropped
        ]
    )
    assert got == [(d(2020, 1, 1), d(2020, 4, 15)), (d(2020, 5, 1), d(2020, 8, 1))]


def test_merge_keeps_one_day_gap() -> None:
    a = (date(2020, 1, 1), date(2020, 2, 1))
    b = (date(2020, 2, 2), date(2020, 3, 1))
    assert merge_intervals([b, a]) == [a, b]


def test_clip_stints() -> None:
    stints = [
        stint("2020-01-01", "2021-01-01"),  # wholly before as-of: unchanged
        stint("2024-01-01", None),  # open: runs to as-of
        stint("2025-01-01", "2026-01-01"),  # crosses as-of: clipped
        stint("2025-06-30", None),  # starts on as-of: dropped
        stint("2026-01-01", "2027-01-01"),  # future: dropped
        stint("2022-05-01", "2022-05-01"),  # empty: dropped
    ]
    assert clip_stints(stints, AS_OF) == [
        (date(2020, 1, 1), date(2021, 1, 1)),
        (date(2024, 1, 1), AS_OF),
        (date(2025, 1, 1), AS_OF),
    ]


# ---------------------------------------------------------------- experience_months: hand-computed


def test_overlapping_stints_counted_once() -> None:
    # A 挂职 inside a posting adds nothing; the posting alone is 24 months.
    stints = [
        stint("2020-01-01", "2022-01-01"),
        stint("2020-06-01", "2021-06-01", kind=ExperienceKind.SECONDMENT.value),
        stint("2020-01-01", "2022-01-01"),  # duplicated import row
    ]
    assert experience_months(stints, AS_OF) == 24


def test_partial_overlap() -> None:
    stints = [stint("2020-01-01", "2021-01-01"), stint("2020-07-01", "2021-07-01")]
    assert experience_months(stints, AS_OF) == 18


def test_adjacent_stints_merge_and_keep_partial_months() -> None:
    # Separately 0 + 1 months; as one continuous period 15 Jan → 20 Mar they make 2 full months.
    stints = [stint("2020-01-15", "2020-02-10"), stint("2020-02-10", "2020-03-20")]
    assert [experience_months([s], AS_OF) for s in stints] == [0, 1]
    assert experience_months(stints, AS_OF) == 2


def test_one_day_gap_splits_periods() -> None:
    stints = [stint("2020-01-15", "2020-02-10"), stint("2020-02-11", "2020-03-20")]
    assert experience_months(stints, AS_OF) == 0 + 1


def test_open_stint_runs_to_as_of() -> None:
    assert experience_months([stint("2023-06-30", None)], AS_OF) == 24
    assert experience_months([stint("2023-07-01", None)], AS_OF) == 23


def test_stints_after_as_of_ignored() -> None:
    stints = [stint("2024-06-30", "2030-01-01"), stint("2025-07-01", None), stint("2026-01-01", "2028-01-01")]
    assert experience_months(stints, AS_OF) == 12


def test_as_of_in_the_past_ignores_later_history() -> None:
    stints = [stint("2018-01-01", None)]
    assert experience_months(stints, date(2019, 1, 1)) == 12
    assert experience_months(stints, date(2017, 1, 1)) == 0


def test_level_filters() -> None:
    stints = [
        stint("2015-01-01", "2017-01-01", CITY),  # 24 months, never grassroots
        stint("2017-01-01", "2018-01-01", COUNTY),  # 12 months grassroots, not rural
        stint("2018-01-01", "2019-01-01", TOWN),  # 12 rural
        stint("2019-01-01", "2019-07-01", VILLAGE),  # 6 rural, adjacent to the town stint
    ]
    assert experience_months(stints, AS_OF) == 54
    assert experience_months(stints, AS_OF, GRASSROOTS_LEVELS) == 30
    assert experience_months(stints, AS_OF, RURAL_LEVELS) == 18
    assert experience_months(stints, AS_OF, frozenset({CITY})) == 24
    assert experience_months(stints, AS_OF, frozenset()) == 0


def test_city_secondment_during_grassroots_posting_does_not_add() -> None:
    stints = [stint("2020-01-01", "2022-01-01", TOWN), stint("2021-01-01", "2023-01-01", CITY)]
    assert experience_months(stints, AS_OF, GRASSROOTS_LEVELS) == 24
    assert experience_months(stints, AS_OF) == 36


def test_accepts_enum_levels_and_generators() -> None:
    stints = (stint("2020-01-01", "2021-01-01", UnitLevel.TOWN) for _ in range(3))
    assert experience_months(stints, AS_OF, frozenset({UnitLevel.TOWN})) == 12


# ---------------------------------------------------------------- compute_facts


def test_compute_facts_full_record() -> None:
    record = CadreFactsInput(
        birth_date=date(1995, 6, 30),
        work_start=date(2017, 7, 1),
        civil_service_entry=date(2017, 8, 15),
        leadership_level_since=date(2023, 1, 1),
        rank_since=date(2024, 12, 31),
        stints=(
            stint("2017-07-01", "2019-07-01", TOWN),
            stint("2019-07-01", "2022-01-01", COUNTY),
            stint("2022-01-01", None, CITY),
            stint("2023-03-01", "2023-09-01", VILLAGE, kind=ExperienceKind.SECONDMENT.value),
        ),
    )
    assert compute_facts(record, AS_OF) == CadreFacts(
        as_of=AS_OF,
        age=30,  # birthday on the as-of date
        service_years=7,  # 2017-07-01 → 2025-06-30 is 95 full months
        civil_service_months=94,  # 2017-08-15 + 94 months = 2025-06-15 ≤ as-of; +95 would be 2025-07-15
        grassroots_months=54 + 6,  # town + county continuous 2017-07-01 → 2022-01-01, plus the village 挂职
        rural_months=24 + 6,  # the town posting and the village 挂职; county is not rural, city is neither
        months_in_level=29,
        months_in_rank=6,  # 2024-12-31 + 6 months = 2025-06-30 (clamped) ≤ as-of
    )


def test_compute_facts_unknown_dates_are_none() -> None:
    facts = compute_facts(CadreFactsInput(birth_date=date(2000, 2, 29)), date(2023, 2, 28))
    assert facts == CadreFacts(
        as_of=date(2023, 2, 28),
        age=22,
        service_years=None,
        civil_service_months=None,
        grassroots_months=0,
        rural_months=0,
        months_in_level=None,
        months_in_rank=None,
    )


def test_compute_facts_future_dates_give_zero() -> None:
    as_of = date(2020, 1, 1)
    record = CadreFactsInput(
        birth_date=date(1998, 1, 2),
        work_start=date(2021, 7, 1),
        civil_service_entry=date(2021, 8, 1),
        leadership_level_since=date(2020, 1, 1),  # same day: 0 months
        rank_since=date(2022, 1, 1),
        stints=(stint("2021-07-01", None, VILLAGE),),
    )
    facts = compute_facts(record, as_of)
    assert (facts.age, facts.service_years, facts.civil_service_months) == (21, 0, 0)
    assert (facts.months_in_level, facts.months_in_rank, facts.grassroots_months, facts.rural_months) == (0, 0, 0, 0)


def test_dataclasses_are_frozen() -> None:
    s = stint("2020-01-01", None)
    with pytest.raises(AttributeError):
        s.start = date(2021, 1, 1)  # type: ignore[misc]
    assert s.kind == ExperienceKind.POSTING


# ---------------------------------------------------------------- properties

BASE = date(2000, 1, 1)
levels = st.sampled_from([CITY, COUNTY, TOWN, VILLAGE])


@st.composite
def stints_strategy(draw: st.DrawFn) -> Stint:
    start = BASE + timedelta(days=draw(st.integers(0, 365 * 25)))
    end = draw(st.none() | st.integers(0, 365 * 6).map(lambda n: start + timedelta(days=n)))
    return Stint(start, end, draw(levels))


stint_lists = st.lists(stints_strategy(), max_size=8)
# Each example evaluates several unions; 60 examples per property keep the domain suite well under 5 s.
few = settings(max_examples=60)
as_ofs = st.integers(0, 365 * 30).map(lambda n: BASE + timedelta(days=n))


@few
@given(stint_lists, as_ofs, st.integers(0, 3000))
def test_monotone_in_as_of(stints: list[Stint], as_of: date, extra: int) -> None:
    later = as_of + timedelta(days=extra)
    for lv in (None, GRASSROOTS_LEVELS, RURAL_LEVELS):
        assert experience_months(stints, as_of, lv) <= experience_months(stints, later, lv)


@few
@given(stint_lists, stints_strategy(), as_ofs)
def test_adding_a_stint_never_decreases(stints: list[Stint], extra: Stint, as_of: date) -> None:
    for lv in (None, GRASSROOTS_LEVELS, RURAL_LEVELS):
        assert experience_months(stints, as_of, lv) <= experience_months([*stints, extra], as_of, lv)


@few
@given(stint_lists, as_ofs)
def test_union_invariants(stints: list[Stint], as_of: date) -> None:
    """The union never counts a day twice, but joining periods can complete months that no part completes.

    So "union ≤ sum of the parts" does not hold in general (see
    test_adjacent_stints_merge_and_keep_partial_months); what holds is: at least the largest part, at most
    the sum plus one month per join (each join can complete at most one extra month). Also: order-free, and
    rural ⊆ grassroots ⊆ all.
    """
    parts = [experience_months([s], as_of) for s in stints]
    union = experience_months(stints, as_of)
    assert union >= max(parts, default=0)
    assert union <= sum(parts) + max(len(clip_stints(stints, as_of)) - 1, 0)
    assert union == experience_months(list(reversed(stints)), as_of)  # order of entries does not matter
    rural = experience_months(stints, as_of, RURAL_LEVELS)
    grassroots = experience_months(stints, as_of, GRASSROOTS_LEVELS)
    assert rural <= grassroots <= union


@few
@given(stint_lists, as_ofs)
def test_union_of_separated_stints_is_the_sum(stints: list[Stint], as_of: date) -> None:
    intervals = merge_intervals(clip_stints(stints, as_of))
    separated = [Stint(s, e, TOWN) for s, e in intervals]  # merged periods are disjoint and non-touching
    assert experience_months(separated, as_of) == sum(full_months(s, e) for s, e in intervals)
    assert experience_months(separated, as_of) == sum(experience_months([x], as_of) for x in separated)


@given(stints_strategy(), as_ofs)
def test_union_with_itself(s: Stint, as_of: date) -> None:
    assert experience_months([s, s], as_of) == experience_months([s], as_of)


@few
@given(stint_lists, as_ofs)
def test_merged_intervals_are_sorted_disjoint_and_within_as_of(stints: list[Stint], as_of: date) -> None:
    merged = merge_intervals(clip_stints(stints, as_of))
    for start, end in merged:
        assert start < end <= as_of
    for (_, end), (next_start, _) in zip(merged, merged[1:], strict=False):
        assert end < next_start  # touching periods would have been merged

    def days(intervals: list[tuple[date, date]]) -> set[int]:
        return set().union(*(range(s.toordinal(), e.toordinal()) for s, e in intervals))

    assert days(merged) == days(clip_stints(stints, as_of))  # same days covered, nothing added or lost
