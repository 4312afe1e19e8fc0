"""Promotion readiness: hand-worked cases with the expected answer and the reasons an officer would read."""

from __future__ import annotations

from datetime import date

import pytest

from miaopu.domain.promotion import (
    RANK_LADDER,
    Grade,
    GradeRecord,
    PromotionInput,
    PunishmentRecord,
    Status,
    assess,
    level_readiness,
    rank_readiness,
)
from miaopu.domain.vocab import LeadershipLevel, Rank

E, C, B, INC, U = (g.value for g in (Grade.EXCELLENT, Grade.COMPETENT, Grade.BASIC, Grade.INCOMPETENT, Grade.UNGRADED))


def grades(**by_year: str) -> tuple[GradeRecord, ...]:
    return tuple(GradeRecord(int(y[1:]), g) for y, g in by_year.items())


def texts(readiness) -> str:
    return "\n".join(r.text for r in readiness.reasons)


# ---------------------------------------------------------------- the ladder itself


@pytest.mark.parametrize(
    ("target", "from_rank", "years"),
    [
        ("clerk_1", "clerk_2", 2),
        ("principal_4", "clerk_1", 2),
        ("principal_3", "principal_4", 2),
        ("principal_2", "principal_3", 2),
        ("principal_1", "principal_2", 2),
        ("researcher_4", "principal_1", 2),
        ("researcher_3", "researcher_4", 2),
        ("researcher_2", "researcher_3", 2),
        ("researcher_1", "researcher_2", 3),
        ("inspector_2", "researcher_1", 4),
        ("inspector_1", "inspector_2", 4),
    ],
)
def test_rank_ladder_minimum_years(target: str, from_rank: str, years: int) -> None:
    step = RANK_LADDER[Rank(target)]
    assert (step.from_rank.value, step.years) == (from_rank, years)
    # And the computation uses it: exactly `years` of 称职 in the rank below is enough, a month less is not.
    since = date(2010, 1, 1)
    record = PromotionInput(rank=from_rank, rank_since=since, grades=grades(**{f"y{y}": C for y in range(2010, 2016)}))
    enough = rank_readiness(record, date(2010 + years, 1, 1))
    assert (enough.target, enough.status) == (target, Status.READY)
    short = rank_readiness(record, date(2010 + years - 1, 12, 1))
    assert short.status == Status.SOON and short.ready_on == date(2010 + years, 1, 1)


def test_every_rank_but_the_top_has_a_next_step() -> None:
    assert {s.from_rank for s in RANK_LADDER.values()} == set(Rank) - {Rank.INSPECTOR_1}


# ---------------------------------------------------------------- rank: tenure and grades


def test_two_competent_years_make_a_clerk_ready_with_reasons() -> None:
    record = PromotionInput(rank="clerk_1", rank_since=date(2022, 7, 1), grades=grades(y2022=C, y2023=C))
    got = rank_readiness(record, date(2024, 7, 1))
    assert got.status == Status.READY
    assert (got.current, got.target, got.required_months, got.counted_months) == ("clerk_1", "principal_4", 24, 24)
    assert "晋升四级主任科员，应当任一级科员 2 年以上" in texts(got)
    assert "2024 年度考核尚未进行，暂按称职计算" in texts(got)
    assert got.summary == "一级科员 → 四级主任科员：已具备"


def test_four_months_short_is_ready_within_six_months() -> None:
    record = PromotionInput(rank="clerk_1", rank_since=date(2022, 7, 1), grades=grades(y2022=C, y2023=C))
    got = rank_readiness(record, date(2024, 3, 1))
    assert got.status == Status.SOON
    assert got.ready_on == date(2024, 7, 1)
    assert "尚差 4 个月" in texts(got)


def test_each_excellent_year_shortens_the_wait_by_half_a_year() -> None:
    since, on = date(2022, 1, 1), date(2023, 7, 1)
    plain = rank_readiness(PromotionInput(rank="principal_4", rank_since=since, grades=grades(y2022=C)), on)
    assert plain.status == Status.SOON and plain.ready_on == date(2024, 1, 1)
    bonus = rank_readiness(PromotionInput(rank="principal_4", rank_since=since, grades=grades(y2022=E)), on)
    assert bonus.status == Status.READY
    assert bonus.required_months == 18
    assert "2022 年度考核优秀，任职年限缩短半年" in texts(bonus)
    assert "1 次优秀，最低任职年限由 2 年缩短为 1 年 6 个月" in texts(bonus)


def test_two_excellent_years_halve_a_two_year_wait() -> None:
    record = PromotionInput(rank="principal_2", rank_since=date(2022, 1, 1), grades=grades(y2022=E, y2023=E))
    got = rank_readiness(record, date(2024, 1, 10))
    assert got.required_months == 12 and got.status == Status.READY


def test_a_basic_year_does_not_count() -> None:
    record = PromotionInput(rank="clerk_2", rank_since=date(2021, 1, 1), grades=grades(y2021=B, y2022=C))
    got = rank_readiness(record, date(2023, 1, 10))
    assert got.counted_months == 12
    assert got.status == Status.WAITING and got.ready_on == date(2024, 1, 1)
    assert "2021 年度考核基本称职，该年（1 年）不计入任职年限（须称职以上）" in texts(got)


def test_an_ungraded_year_does_not_count_either() -> None:
    record = PromotionInput(rank="clerk_2", rank_since=date(2021, 1, 1), grades=grades(y2021=U, y2022=C))
    got = rank_readiness(record, date(2023, 1, 10))
    assert got.counted_months == 12
    assert "2021 年度考核不定等次" in texts(got)


def test_an_incompetent_year_blocks() -> None:
    record = PromotionInput(rank="clerk_1", rank_since=date(2020, 1, 1), grades=grades(y2020=C, y2021=INC, y2022=C))
    got = rank_readiness(record, date(2023, 6, 1))
    assert got.status == Status.BLOCKED and got.ready_on is None
    assert "2021 年度考核不称职，不能晋升职级" in texts(got)


def test_a_missing_past_grade_does_not_count_and_asks_for_it() -> None:
    record = PromotionInput(rank="clerk_1", rank_since=date(2022, 1, 1), grades=grades(y2023=C))
    got = rank_readiness(record, date(2024, 6, 1))
    assert got.counted_months == 29 - 12
    assert "缺少 2022 年度考核结果，该年（1 年）不计入任职年限，请补录" in texts(got)


def test_last_years_grade_is_provisional_until_the_end_of_march() -> None:
    record = PromotionInput(rank="clerk_1", rank_since=date(2022, 1, 1), grades=grades(y2022=C))
    early = rank_readiness(record, date(2024, 3, 1))
    assert early.status == Status.READY and "2023 年度考核尚未进行" in texts(early)
    late = rank_readiness(record, date(2024, 4, 2))
    assert late.status != Status.READY and "缺少 2023 年度考核结果" in texts(late)


def test_time_in_the_equivalent_leadership_post_counts() -> None:
    record = PromotionInput(
        rank="principal_4",
        rank_since=date(2023, 6, 1),
        leadership_level="deputy_section",
        leadership_level_since=date(2021, 6, 1),
        grades=grades(y2021=C, y2022=C, y2023=C),
    )
    got = rank_readiness(record, date(2024, 1, 2))
    assert got.target == "principal_3" and got.status == Status.READY
    assert "应当任四级主任科员或副科职务 2 年以上" in texts(got)
    assert "自 2021-06-01 任副科职务" in texts(got)


def test_top_of_the_ladder_and_missing_data() -> None:
    assert rank_readiness(PromotionInput(rank="inspector_1", rank_since=date(2010, 1, 1)), date(2024, 1, 1)).status == (
        Status.TOP
    )
    no_rank = rank_readiness(PromotionInput(), date(2024, 1, 1))
    assert no_rank.status == Status.UNKNOWN and "未填写职级" in texts(no_rank)
    no_date = rank_readiness(PromotionInput(rank="clerk_1"), date(2024, 1, 1))
    assert no_date.status == Status.UNKNOWN and "未填写任现职级时间" in texts(no_date)


# ---------------------------------------------------------------- punishments


def _ready_record(**extra) -> PromotionInput:
    return PromotionInput(
        rank="clerk_1", rank_since=date(2021, 1, 1), grades=grades(y2021=C, y2022=C, y2023=C), **extra
    )


def test_no_promotion_while_a_punishment_is_in_effect() -> None:
    on = date(2024, 6, 1)
    assert rank_readiness(_ready_record(), on).status == Status.READY
    soon = rank_readiness(
        _ready_record(punishments=(PunishmentRecord(date(2024, 4, 1), date(2024, 10, 1), "警告"),)), on
    )
    assert soon.status == Status.SOON and soon.ready_on == date(2024, 10, 1)
    assert "2024-04-01 受警告，影响期至 2024-10-01，期间不得晋升" in texts(soon)
    later = rank_readiness(
        _ready_record(punishments=(PunishmentRecord(date(2024, 1, 1), date(2025, 7, 1), "记过"),)), on
    )
    assert later.status == Status.WAITING and later.ready_on == date(2025, 7, 1)
    open_ended = rank_readiness(_ready_record(punishments=(PunishmentRecord(date(2024, 5, 1), None, "组织处理"),)), on)
    assert open_ended.status == Status.BLOCKED and "影响期未定" in texts(open_ended)


def test_an_expired_punishment_no_longer_blocks() -> None:
    record = _ready_record(punishments=(PunishmentRecord(date(2022, 1, 1), date(2023, 1, 1), "警告"),))
    got = rank_readiness(record, date(2024, 6, 1))
    assert got.status == Status.READY and "无影响晋升的处分" in texts(got)


# ---------------------------------------------------------------- leadership levels


def test_deputy_to_principal_needs_two_years() -> None:
    record = PromotionInput(leadership_level="deputy_section", leadership_level_since=date(2022, 1, 1))
    assert level_readiness(record, date(2024, 1, 1)).status == Status.READY
    waiting = level_readiness(record, date(2023, 1, 1))
    assert waiting.status == Status.WAITING and waiting.ready_on == date(2024, 1, 1)
    assert "由副职提任正职，应当在副职岗位工作 2 年以上" in texts(waiting)


def test_lower_principal_to_upper_deputy_needs_three_years_and_the_county_conditions() -> None:
    base = dict(leadership_level="section", leadership_level_since=date(2020, 1, 1), work_start=date(2012, 8, 1))
    ready = level_readiness(PromotionInput(**base, grassroots_months=30), date(2023, 1, 1))
    assert (ready.target, ready.status) == (LeadershipLevel.DEPUTY_DIVISION, Status.READY)
    assert "由下级正职提任上级副职，应当在下级正职岗位工作 3 年以上" in texts(ready)
    assert "基层工作经历 2 年 6 个月，满两年" in texts(ready)
    two_years = level_readiness(PromotionInput(**base, grassroots_months=30), date(2022, 1, 1))
    assert two_years.status == Status.WAITING and two_years.ready_on == date(2023, 1, 1)


def test_county_posts_need_grassroots_experience() -> None:
    base = dict(leadership_level="section", leadership_level_since=date(2018, 1, 1), work_start=date(2010, 8, 1))
    away = level_readiness(PromotionInput(**base, grassroots_months=10), date(2023, 1, 1))
    assert away.status == Status.WAITING and away.ready_on is None
    assert "须先到基层工作" in texts(away)
    there = level_readiness(PromotionInput(**base, grassroots_months=20, in_grassroots_now=True), date(2023, 1, 1))
    assert there.status == Status.SOON and there.ready_on == date(2023, 5, 1)


def test_county_posts_need_five_years_of_service() -> None:
    record = PromotionInput(
        leadership_level="deputy_division",
        leadership_level_since=date(2020, 1, 1),
        work_start=date(2019, 8, 1),
        grassroots_months=48,
    )
    got = level_readiness(record, date(2023, 1, 1))
    assert got.status == Status.WAITING and got.ready_on == date(2024, 8, 1)
    assert "工龄 3 年，提任县处级领导职务须五年以上" in texts(got)


def test_no_leadership_answer_below_deputy_section() -> None:
    assert (
        level_readiness(
            PromotionInput(leadership_level="staff", leadership_level_since=date(2020, 1, 1)), date(2024, 1, 1)
        )
        is None
    )


def test_incompetent_blocks_leadership_promotion_too() -> None:
    record = PromotionInput(
        leadership_level="deputy_section", leadership_level_since=date(2020, 1, 1), grades=grades(y2022=INC)
    )
    assert level_readiness(record, date(2024, 1, 1)).status == Status.BLOCKED


def test_assess_reports_the_track_ready_soonest() -> None:
    record = PromotionInput(
        rank="principal_4",
        rank_since=date(2023, 9, 1),
        grades=grades(y2022=C, y2023=C),
        leadership_level="deputy_section",
        leadership_level_since=date(2022, 3, 1),
    )
    answer = assess(record, date(2024, 1, 5))
    assert answer.rank.status == Status.SOON  # 三级主任科员 counts the deputy-section years (from 2022-03)
    assert answer.level is not None and answer.level.status == Status.SOON
    assert answer.best.ready_on == date(2024, 3, 1)
