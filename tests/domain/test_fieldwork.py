"""The field-work rules without Django: certification, capacity, the ledger's states, care levels."""

from __future__ import annotations

import datetime as dt

from miaopu.domain.fieldwork import (
    CRITERIA,
    CertificationRecord,
    CriterionInput,
    capacity_problem,
    care_level,
    certification_gap,
    certification_problems,
    certification_verdict,
    certified_on,
    is_remote_tagged,
    ledger_transition_problems,
    peak_occupancy,
    satisfaction_rate,
)

D = dt.date


def scores(**overrides) -> dict[str, CriterionInput]:
    found = {code: CriterionInput(80, "实地查看") for code in CRITERIA}
    found.update(overrides)
    return found


def test_certified_only_when_all_six_criteria_pass():
    assert certification_verdict(scores()) == (True, [])
    ok, failing = certification_verdict(scores(safety=CriterionInput(59, "消防通道不畅")))
    assert not ok and failing == ["安全保障 59 分（低于 60 分）"]
    assert certification_verdict(scores(lodging=CriterionInput(60, "有")))[0]  # 60 passes
    ok, failing = certification_verdict(scores(mentor=CriterionInput(90, " ")))
    assert not ok and failing == ["帮带导师未评定"]


def test_missing_scores_and_evidence_are_named():
    given = scores()
    del given["industry"]
    given["labour"] = CriterionInput(101, "")
    problems = certification_problems(given)
    assert problems["industry"] == ["请为“特色产业”打分（0—100）", "请填写“特色产业”的评定依据"]
    assert problems["labour"] == ["“劳动基地”的得分应在 0—100 之间，实为 101", "请填写“劳动基地”的评定依据"]
    assert set(problems) == {"industry", "labour"}


def test_latest_assessment_decides_and_validity_is_inclusive():
    passed = CertificationRecord(D(2024, 1, 10), D(2024, 1, 10), D(2026, 12, 31), True, 1)
    failed = CertificationRecord(D(2025, 6, 1), D(2025, 6, 1), D(2028, 6, 1), False, 2)
    assert not certified_on([passed], D(2024, 1, 9))
    assert certified_on([passed], D(2024, 1, 10)) and certified_on([passed], D(2026, 12, 31))
    assert not certified_on([passed], D(2027, 1, 1))
    assert certified_on([passed, failed], D(2025, 5, 31)) and not certified_on([passed, failed], D(2025, 6, 1))
    assert (
        certification_gap([passed], D(2026, 12, 20), D(2027, 1, 4))
        == "认定有效期至 2026-12-31，早于结束日期 2027-01-04"
    )
    assert certification_gap([passed], D(2025, 1, 1), D(2025, 1, 16)) == ""
    assert certification_gap([], D(2025, 1, 1), D(2025, 1, 16)) == "尚未通过“六个好”认定"
    assert certification_gap([passed, failed], D(2025, 5, 25), D(2025, 6, 9)) == "2025-06-01 的复评未通过"


def test_peak_occupancy_counts_the_busiest_day():
    periods = [(D(2025, 1, 1), D(2025, 1, 15)), (D(2025, 1, 10), D(2025, 1, 25)), (D(2025, 1, 16), None)]
    assert peak_occupancy(periods, D(2025, 1, 1), D(2025, 1, 9)) == 1
    assert peak_occupancy(periods, D(2025, 1, 12), D(2025, 1, 20)) == 2  # the 15th ends before the 16th starts
    assert peak_occupancy(periods, D(2025, 2, 1), D(2025, 2, 2)) == 1
    assert peak_occupancy([], D(2025, 1, 1), D(2025, 1, 2)) == 0
    assert capacity_problem(3, 2, 1) == "" and capacity_problem(3, 2, 2).endswith("（已满）")


def test_ledger_transitions():
    assert ledger_transition_problems("accepted", "in_progress") == {}
    assert ledger_transition_problems("in_progress", "impossible", closed_on=D(2025, 1, 2))["status_reason"]
    assert ledger_transition_problems("in_progress", "done", outcome="修好了", closed_on=D(2025, 1, 2)) == {}
    assert "outcome" in ledger_transition_problems("accepted", "done", closed_on=D(2025, 1, 2))
    assert "closed_on" in ledger_transition_problems("accepted", "done", outcome="好")
    assert "status" in ledger_transition_problems("done", "in_progress")
    assert "status" in ledger_transition_problems("in_progress", "accepted")
    early = ledger_transition_problems(
        "accepted", "done", outcome="好", closed_on=D(2025, 1, 1), raised_on=D(2025, 2, 1)
    )
    assert early == {"closed_on": ["办结日期不能早于提出日期 2025-02-01"]}
    assert satisfaction_rate({"satisfied": 7, "basic": 2, "unsatisfied": 1, "": 5}) == (9, 10)


def test_care_levels_at_the_edges():
    today = D(2025, 6, 30)
    assert care_level(None, today) == "red"
    assert care_level(today - dt.timedelta(days=90), today) is None
    assert care_level(today - dt.timedelta(days=91), today) == "yellow"
    assert care_level(today - dt.timedelta(days=180), today) == "yellow"
    assert care_level(today - dt.timedelta(days=181), today) == "red"
    assert is_remote_tagged(["乡村振兴", "偏远山区"]) and not is_remote_tagged(["项目建设"])
