"""Class standings (练兵场、赛马场): weights, ties, missing scores, withdrawn trainees, shares and ordering."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from miaopu.domain.training import (
    TraineeScores,
    attendance_score,
    class_rank_sort_key,
    clean_weights,
    describe_rank,
    rank_share,
    rank_trainees,
)

W = {"attendance": 20, "coursework": 30, "assessment": 30, "peer": 20}


def test_weighted_totals_and_order():
    rows = [
        TraineeScores("a", attendance=100, coursework=80, assessment=90, peer=70),  # 20+24+27+14 = 85
        TraineeScores("b", attendance=50, coursework=90, assessment=95, peer=90),  # 10+27+28.5+18 = 83.5
        TraineeScores("c", attendance=100, coursework=100, assessment=60, peer=100),  # 20+30+18+20 = 88
    ]
    result = rank_trainees(rows, W)
    assert [(s.key, s.total, s.rank, s.size) for s in result] == [
        ("c", 88.0, 1, 3),
        ("a", 85.0, 2, 3),
        ("b", 83.5, 3, 3),
    ]
    assert result[1].parts == {"attendance": 20.0, "coursework": 24.0, "assessment": 27.0, "peer": 14.0}


def test_weights_change_the_order():
    rows = [TraineeScores("a", 100, 60, 60, 60), TraineeScores("b", 0, 90, 90, 90)]
    assert [s.key for s in rank_trainees(rows, W)] == ["b", "a"]
    assert [s.key for s in rank_trainees(rows, {"attendance": 1})] == ["a", "b"]
    # a zero weight leaves the component out entirely (not even listed as missing)
    only = rank_trainees([TraineeScores("x", attendance=None, coursework=70)], {"coursework": 1, "attendance": 0})
    assert only[0].total == 70.0 and only[0].missing == ()


def test_ties_share_a_rank_and_skip_the_next():
    rows = [
        TraineeScores("d", 80, 80, 80, 80),
        TraineeScores("b", 90, 90, 90, 90),
        TraineeScores("c", 80, 80, 80, 80),
        TraineeScores("a", 70, 70, 70, 70),
    ]
    result = rank_trainees(rows, W)
    assert [(s.key, s.rank) for s in result] == [("b", 1), ("c", 2), ("d", 2), ("a", 4)]


def test_ties_after_rounding_to_hundredths():
    # 1/3 weights: 80.004 and 80.001 both round to 80.00 → the same rank
    w = {"attendance": 0, "coursework": 1, "assessment": 0, "peer": 0}
    result = rank_trainees([TraineeScores("a", coursework=80.004), TraineeScores("b", coursework=80.001)], w)
    assert [s.rank for s in result] == [1, 1]


def test_missing_scores_count_zero_and_are_listed():
    result = rank_trainees([TraineeScores("a", 100, 100, None, 100), TraineeScores("b", 100, 100, 100, 100)], W)
    assert result[0].key == "b"
    assert result[1].total == 70.0 and result[1].missing == ("assessment",)


def test_withdrawn_are_not_ranked_and_do_not_count_in_size():
    result = rank_trainees(
        [TraineeScores("a", 90, 90, 90, 90), TraineeScores("w", 100, 100, 100, 100, withdrawn=True)], W
    )
    assert [(s.key, s.rank, s.size) for s in result] == [("a", 1, 1), ("w", None, 1)]


def test_bad_weights():
    with pytest.raises(ValueError):
        rank_trainees([TraineeScores("a", 1, 1, 1, 1)], {"attendance": 0, "coursework": 0})
    weights, problems = clean_weights({"attendance": "x", "bogus": 1, "peer": 101})
    assert len(problems) == 3 and "出勤" in problems[0]
    weights, problems = clean_weights({"attendance": 0, "coursework": 0, "assessment": 0, "peer": 0})
    assert problems == ["权重不能全部为 0：至少给一项正的权重"]
    weights, problems = clean_weights({"peer": "40"})
    assert problems == [] and weights["peer"] == 40 and weights["coursework"] == 30


def test_attendance_score():
    assert attendance_score(["present", "late", "absent", "leave"], 4) == 37.5
    assert attendance_score(["present"], 3) == 33.33  # sessions without a record count as absent
    assert attendance_score([], 0) is None


def test_rank_share_and_sort_key():
    assert rank_share(1, 5) == 1.0 and rank_share(5, 5) == 0.0 and rank_share(2, 5) == 0.75
    assert rank_share(1, 1) == 1.0 and rank_share(None, 3) is None and rank_share(4, 3) is None
    keys = {
        "x": class_rank_sort_key(0.5, ("p",)),
        "y": class_rank_sort_key(None, ("a",)),
        "z": class_rank_sort_key(1.0, ("q",)),
    }
    assert sorted(keys, key=keys.get) == ["z", "x", "y"]
    assert describe_rank(2, 10) == "第 2 名（共 10 人）"


@given(st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100)), min_size=1, max_size=30))
def test_ranks_are_competition_ranks(scores):
    rows = [TraineeScores(f"k{i:02d}", coursework=a, assessment=b) for i, (a, b) in enumerate(scores)]
    result = rank_trainees(rows, {"coursework": 1, "assessment": 1})
    totals = [s.total for s in result]
    assert totals == sorted(totals, reverse=True)
    for s in result:
        assert s.rank == 1 + sum(1 for t in totals if t > s.total)
