"""The matching engine's behaviour a user sees: file errors, plans, solver choice, diagnoses, the Foshan batch."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from miaopu.domain.matching import (
    Candidate,
    Pair,
    Problem,
    ProblemError,
    Quota,
    Score,
    ScoreMatrix,
    Slot,
    load_problem,
    problem_from_json,
    problem_to_json,
    result_to_json,
    solve,
)


def small_file(**changes: object) -> dict:
    data = {
        "mode": "assign",
        "candidates": [{"id": "c1"}, {"id": "c2"}, {"id": "c3"}],
        "slots": [
            {"id": "s1", "capacity": 1, "region": "三水区"},
            {"id": "s2", "capacity": 2, "region": "高明区"},
            {"id": "s3", "capacity": 1, "region": "禅城区"},
        ],
        "scores": [
            {"candidate": "c1", "slot": "s1", "score": 90},
            {"candidate": "c1", "slot": "s2", "score": 80},
            {"candidate": "c2", "slot": "s1", "score": 85},
            {"candidate": "c2", "slot": "s3", "score": 70.5},
            {"candidate": "c3", "slot": "s2", "score": 60},
        ],
    }
    data.update(changes)
    return data


def errors_of(data: object) -> list[str]:
    with pytest.raises(ProblemError) as caught:
        problem_from_json(data)
    return caught.value.errors


# ------------------------------------------------------------------------------------------ file errors


def test_unknown_slot_is_named_by_field_and_entry() -> None:
    data = small_file()
    data["scores"].append({"candidate": "c1", "slot": "s99", "score": 1})
    assert errors_of(data) == ['scores[5].slot: 未知的岗位 "s99"']


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"mode": "swap"}, 'mode: 应为 "assign" 或 "two-way"，而不是 "swap"'),
        ({"assign_all": "yes"}, 'assign_all: 应为 true 或 false，而不是 "yes"'),
        (
            {"quota": []},
            "quota: 未知的字段（可用字段：assign_all、candidates、fixed、forbidden、meta、mode、quotas、scores、"
            "slots）",
        ),
        ({"slots": {"id": "s1"}}, "slots: 应为列表，而不是 对象"),
        (
            {"candidates": [{"id": "c1"}, {"id": "c1"}]},
            'candidates[1].id: 候选人编号 "c1" 重复（与 candidates[0] 相同）',
        ),
        ({"candidates": [{"id": 7}]}, "candidates[0].id: 应为非空字符串，而不是 7"),
        ({"candidates": [{"name": "张三"}]}, "candidates[0].id: 缺少此字段"),
        (
            {"candidates": [{"id": "c1", "side": "A"}]},
            "candidates[0].side: 只有 two-way 模式使用 side（当前为 assign 模式）",
        ),
        ({"slots": [{"id": "s1", "capacty": 2}]}, "slots[0].capacty: 未知的字段"),
        ({"slots": [{"id": "s1", "capacity": -1}]}, "slots[0].capacity: 应为不小于 0 的整数，而不是 -1"),
        (
            {"scores": [{"candidate": "c1", "slot": "s1", "score": "高"}]},
            'scores[0].score: 应为有限的数值，而不是 "高"',
        ),
        ({"forbidden": [{"candidate": "c9", "slot": "s1"}]}, 'forbidden[0].candidate: 未知的候选人 "c9"'),
        (
            {"quotas": [{"regions": ["顺德区"], "min": 1}]},
            'quotas[0].regions[0]: 未知的地区 "顺德区"（没有岗位属于该地区）',
        ),
        ({"quotas": [{"regions": ["三水区"], "min": 3, "max": 2}]}, "quotas[0]: min（3）不能大于 max（2）"),
        ({"quotas": [{"regions": ["三水区"]}]}, "quotas[0]: min 和 max 至少要给出一个"),
    ],
)
def test_bad_files_get_messages_naming_the_mistake(change: dict, expected: str) -> None:
    assert expected in errors_of(small_file(**change))


def test_duplicate_scores_name_both_entries() -> None:
    data = small_file()
    data["scores"].append({"candidate": "c2", "slot": "s1", "score": 10})
    assert errors_of(data) == ["scores[5]: 与 scores[2] 重复（c2 → s1），每个配对只能有一个评分"]


def test_two_way_needs_side_and_home() -> None:
    data = small_file(mode="two-way")
    data["candidates"] = [{"id": "a1", "side": "A", "home": "s1"}, {"id": "b1", "side": "X"}]
    data["scores"] = []
    assert errors_of(data) == [
        'candidates[1].side: two-way 模式下应为 "A" 或 "B"，而不是 "X"',
        "candidates[1].home: two-way 模式下必须写明原单位岗位",
    ]


def test_every_mistake_is_reported_at_once() -> None:
    data = small_file()
    data["scores"][0]["slot"] = "s98"
    data["scores"][1]["candidate"] = "c99"
    assert errors_of(data) == ['scores[0].slot: 未知的岗位 "s98"', 'scores[1].candidate: 未知的候选人 "c99"']


def test_invalid_json_names_line_and_column() -> None:
    with pytest.raises(ProblemError) as caught:
        load_problem(b'{"candidates": [\n  {"id": "c1",}\n]}')
    assert caught.value.errors[0].startswith("(文件): 不是有效的 JSON：第 2 行第 15 列")


def test_notes_are_allowed_and_ignored() -> None:
    problem = problem_from_json(small_file(meta={"batch": "2025 第一批"}, _comment="导出自苗圃"))
    assert solve(problem).status == "optimal"


# -------------------------------------------------------------------------------------------------- plans


def test_plan_maximises_the_total_score() -> None:
    result = solve(problem_from_json(small_file()))
    assert result.status == "optimal" and result.proven
    assert result.solver == "linear_sum_assignment"
    assert [(a.candidate, a.slot, a.score) for a in result.assignments] == [
        ("c1", "s2", 80),
        ("c2", "s1", 85),
        ("c3", "s2", 60),
    ]
    assert result.total_score == 225


def test_placing_more_people_beats_a_higher_score() -> None:
    # c1 alone at s1 scores 100; c1 at s2 and c2 at s1 score only 20 together, but place two people.
    data = small_file(assign_all=False)
    data["candidates"] = [{"id": "c1"}, {"id": "c2"}]
    data["scores"] = [
        {"candidate": "c1", "slot": "s1", "score": 100},
        {"candidate": "c1", "slot": "s2", "score": 10},
        {"candidate": "c2", "slot": "s1", "score": 10},
    ]
    result = solve(problem_from_json(data))
    assert result.assigned == 2 and result.total_score == 20


def test_without_assign_all_the_most_people_are_placed() -> None:
    data = small_file(assign_all=False)
    data["candidates"].append({"id": "c4"})
    data["scores"].append({"candidate": "c4", "slot": "s1", "score": 99})
    result = solve(problem_from_json(data))
    assert result.status == "optimal"
    assert result.assigned == 4  # s1 1 + s2 2 + s3 1 seats, all usable
    assert {a.candidate: a.slot for a in result.assignments} == {"c1": "s2", "c2": "s3", "c3": "s2", "c4": "s1"}


def test_fixed_and_forbidden_pairs_are_respected() -> None:
    data = small_file(
        fixed=[{"candidate": "c2", "slot": "s3"}],
        forbidden=[{"candidate": "c1", "slot": "s2"}],
    )
    result = solve(problem_from_json(data))
    plan = {a.candidate: a.slot for a in result.assignments}
    assert plan == {"c1": "s1", "c2": "s3", "c3": "s2"}


def test_scores_count_to_the_hundredth() -> None:
    data = small_file()
    data["scores"][0]["score"] = 90.004  # rounds to 90.00
    result = solve(problem_from_json(data))
    assert result.total_score == 225
    assert result_to_json(result)["total_score"] == 225


def test_a_dense_score_matrix_gives_the_same_plan_as_a_list() -> None:
    listed = problem_from_json(small_file())
    values = np.full((3, 3), np.nan)
    for entry in listed.scores:
        values[int(entry.candidate[1:]) - 1, int(entry.slot[1:]) - 1] = entry.score
    dense = replace(listed, scores=ScoreMatrix(values))
    assert solve(dense) == solve(listed)
    with pytest.raises(ValueError):
        dense.scores.values[0, 0] = 1.0  # a frozen problem stays frozen


def test_nested_quotas_use_min_cost_flow_and_bind() -> None:
    data = small_file(quotas=[{"regions": ["三水区", "高明区"], "min": 3}, {"regions": ["三水区"], "max": 1}])
    result = solve(problem_from_json(data))
    assert result.solver == "min_cost_flow" and result.status == "optimal"
    plan = {a.candidate: a.slot for a in result.assignments}
    assert plan == {"c1": "s2", "c2": "s1", "c3": "s2"}


def test_overlapping_quotas_use_cp_sat() -> None:
    data = small_file(quotas=[{"regions": ["三水区", "高明区"], "min": 2}, {"regions": ["高明区", "禅城区"], "max": 2}])
    result = solve(problem_from_json(data))
    assert result.solver == "cp_sat" and result.status == "optimal"
    assert result.total_score == 225


def test_forcing_a_solver_that_cannot_handle_the_structure_is_refused() -> None:
    problem = problem_from_json(small_file(quotas=[{"regions": ["三水区"], "max": 1}]))
    with pytest.raises(ValueError, match="without quotas"):
        solve(problem, solver="linear_sum_assignment")


def test_equal_plans_are_broken_the_same_way_every_time() -> None:
    candidates = tuple(Candidate(f"c{i}") for i in range(1, 13))
    slots = tuple(Slot(f"s{j}") for j in range(1, 13))
    scores = tuple(Score(c.id, s.id, 80) for c in candidates for s in slots)  # every plan ties
    first = solve(Problem(candidates, slots, scores))
    reordered = solve(Problem(candidates[::-1], slots[::-1], scores[::-1]))
    assert first.assignments == reordered.assignments


# -------------------------------------------------------------------------------------------- diagnoses


def districts_problem(reachable: int) -> Problem:
    """20 candidates, 12 seats in 三水区/高明区; only ``reachable`` candidates may go there."""
    candidates = tuple(Candidate(f"c{i}") for i in range(1, 21))
    slots = (
        Slot("s1", 6, "三水区"),
        Slot("s2", 6, "高明区"),
        Slot("s3", 20, "南海区"),
    )
    scores = [Score(c.id, "s3", 70) for c in candidates]
    scores += [Score(c.id, s, 80) for c in candidates[:reachable] for s in ("s1", "s2")]
    return Problem(candidates, slots, tuple(scores), quotas=(Quota(("三水区", "高明区"), min=10),))


def test_quota_out_of_reach_is_explained_with_regions_and_numbers() -> None:
    result = solve(districts_problem(reachable=8))
    assert result.status == "infeasible"
    assert result.diagnosis == ("三水区、高明区 至少 10 人，但只有 8 名候选人可派往这两个区",)
    assert solve(districts_problem(reachable=10)).status == "optimal"


def test_quota_that_fails_for_a_subtler_reason_names_the_rule() -> None:
    # Ten people may go to the two districts, but all of them only to 三水区, which has six seats.
    problem = districts_problem(reachable=10)
    problem = replace(problem, scores=tuple(e for e in problem.scores if e.slot != "s2"))
    assert solve(problem).diagnosis == ("在岗位容量和可选配对的限制下，无法做到：三水区、高明区 至少 10 人",)


def test_quota_above_capacity_is_explained() -> None:
    problem = districts_problem(reachable=20)
    problem = replace(problem, slots=(Slot("s1", 4, "三水区"), Slot("s2", 4, "高明区"), Slot("s3", 20, "南海区")))
    assert solve(problem).diagnosis == ("三水区、高明区 至少 10 人，但这两个区的岗位容量合计只有 8 个",)


def test_candidate_with_nowhere_to_go() -> None:
    data = small_file(forbidden=[{"candidate": "c3", "slot": "s2"}])
    result = solve(problem_from_json(data))
    assert result.status == "infeasible" and result.solver == "precheck"
    assert result.diagnosis == ("候选人 c3 没有可去的岗位（全部被禁止或无评分）",)
    assert solve(problem_from_json({**data, "assign_all": False})).assigned == 2


def test_capacity_shortfall() -> None:
    data = small_file()
    data["slots"][1]["capacity"] = 0
    data["scores"].append({"candidate": "c3", "slot": "s3", "score": 50})
    assert "共有 3 名候选人都要派出，但岗位容量合计只有 2 个" in solve(problem_from_json(data)).diagnosis


@pytest.mark.parametrize(
    ("fixed", "forbidden", "expected"),
    [
        ([("c1", "s1")], [("c1", "s1")], "候选人 c1 被固定到岗位 s1，但这一配对又被列为禁止"),
        ([("c3", "s1")], [], "候选人 c3 被固定到岗位 s1，但没有这一配对的评分（未列出评分的配对不允许）"),
        ([("c1", "s1"), ("c1", "s2")], [], "候选人 c1 被固定到多个岗位（s1、s2），但一人只能去一个岗位"),
        ([("c1", "s1"), ("c2", "s1")], [], "岗位 s1 容量为 1，但固定到该岗位的有 2 人：c1、c2"),
    ],
)
def test_fixed_pairs_that_contradict_other_rules(fixed: list, forbidden: list, expected: str) -> None:
    data = small_file(
        fixed=[{"candidate": c, "slot": s} for c, s in fixed],
        forbidden=[{"candidate": c, "slot": s} for c, s in forbidden],
    )
    result = solve(problem_from_json(data))
    assert result.status == "infeasible"
    assert expected in result.diagnosis


def test_fixed_pairs_beyond_a_quota_maximum() -> None:
    data = small_file(
        fixed=[{"candidate": "c1", "slot": "s1"}, {"candidate": "c3", "slot": "s2"}],
        quotas=[{"regions": ["三水区", "高明区"], "max": 1}],
    )
    assert solve(problem_from_json(data)).diagnosis == (
        "三水区、高明区 至多 1 人，但固定派往这两个区的已有 2 人：c1、c3",
    )


def test_conflicting_overlapping_quotas_are_named() -> None:
    candidates = (Candidate("c1"), Candidate("c2"))
    slots = (Slot("s1", 1, "三水区"), Slot("s2", 1, "高明区"), Slot("s3", 1, "南海区"))
    scores = tuple(Score(c.id, s.id, 80) for c in candidates for s in slots)
    quotas = (Quota(("三水区", "高明区"), min=2), Quota(("高明区", "南海区"), min=2))
    result = solve(Problem(candidates, slots, scores, quotas=quotas))
    assert result.status == "infeasible" and result.solver == "cp_sat"
    assert result.diagnosis == (
        "在岗位容量和可选配对的限制下，以下规则不能同时满足：三水区、高明区 至少 2 人；高明区、南海区 至少 2 人",
    )


def test_assign_all_that_cannot_be_met_says_how_many_can_be_placed() -> None:
    candidates = (Candidate("c1", name="张三"), Candidate("c2", name="李四"))
    slots = (Slot("s1"), Slot("s2"))
    scores = (Score("c1", "s1", 90), Score("c2", "s1", 80), Score("c1", "s2", -5))
    forbidden = (Pair("c1", "s2"),)
    result = solve(Problem(candidates, slots, scores, forbidden=forbidden))
    assert result.diagnosis == (
        "在岗位容量和可选配对的限制下，无法做到：每名候选人都要派出（assign_all）",
        "不要求全部派出时，满足其余规则最多能安排 1 人（共 2 人），未能安排的例如：c2（李四）",
    )


# ------------------------------------------------------------------------------------- two-way (Foshan)

MUNICIPAL = [f"m{i:02d}" for i in range(1, 16)]
TOWNSHIPS = [f"t{j:02d}" for j in range(1, 16)]
TOWNSHIP_REGION = ["三水区"] * 6 + ["高明区"] * 4 + ["南海区"] * 3 + ["顺德区"] * 2


def foshan(regions: list[str] = TOWNSHIP_REGION) -> Problem:
    """15 municipal (A) and 15 township (B) cadres swap posts; ≥ 2/3 of the A side to 三水区 and 高明区."""
    slots = tuple(Slot(m, 1, "市直") for m in MUNICIPAL) + tuple(
        Slot(t, 1, r) for t, r in zip(TOWNSHIPS, regions, strict=True)
    )
    candidates = tuple(Candidate(f"a{i:02d}", "A", MUNICIPAL[i - 1]) for i in range(1, 16)) + tuple(
        Candidate(f"b{j:02d}", "B", TOWNSHIPS[j - 1]) for j in range(1, 16)
    )
    scores = [
        Score(f"a{i:02d}", t, 60 + (7 * i + 3 * j) % 41) for i in range(1, 16) for j, t in enumerate(TOWNSHIPS, 1)
    ]
    scores += [
        Score(f"b{j:02d}", m, 60 + (5 * i + 11 * j) % 41) for j in range(1, 16) for i, m in enumerate(MUNICIPAL, 1)
    ]
    # 任职回避: a03 is a native of 高明区.
    forbidden = tuple(Pair("a03", t) for t, r in zip(TOWNSHIPS, regions, strict=True) if r == "高明区")
    return Problem(
        candidates=candidates,
        slots=slots,
        scores=tuple(scores),
        forbidden=forbidden,
        quotas=(Quota(("三水区", "高明区"), min=10),),
        mode="two-way",
    )


def test_foshan_exchange_meets_every_rule() -> None:
    problem = foshan()
    result = solve(problem)
    assert result.status == "optimal" and result.solver == "min_cost_flow"
    assert len(result.pairs) == 15 and result.assigned == 30
    home = {c.id: c.home for c in problem.candidates}
    region = {s.id: s.region for s in problem.slots}
    plan = {a.candidate: a.slot for a in result.assignments}
    for a, b in result.pairs:  # mirrored: each goes to the other's post
        assert plan[a] == home[b] and plan[b] == home[a]
    assert sum(region[plan[a]] in ("三水区", "高明区") for a, _ in result.pairs) >= 10
    assert region[plan["a03"]] != "高明区"
    assert solve(problem, solver="cp_sat").total_score == result.total_score


def test_foshan_with_too_few_district_posts_is_explained() -> None:
    regions = ["三水区"] * 5 + ["高明区"] * 3 + ["南海区"] * 5 + ["顺德区"] * 2
    result = solve(foshan(regions))
    assert result.status == "infeasible"
    assert result.diagnosis == (
        "三水区、高明区 至少 10 人，但原单位在这两个区的 B 方人员只有 8 名（两两交流时，每名 B 方人员只换回一人）",
    )


def test_two_way_sides_of_different_sizes() -> None:
    problem = foshan()
    scores = tuple(e for e in problem.scores if e.candidate != "b15")
    problem = replace(problem, candidates=problem.candidates[:-1], scores=scores, quotas=())
    result = solve(problem)
    assert result.diagnosis == ("要求每人都参加两两交流，但 A 方 15 人、B 方 14 人，人数不等",)
    assert len(solve(replace(problem, assign_all=False)).pairs) == 14


def test_a_home_shared_by_two_limits_the_exchanges() -> None:
    candidates = (
        Candidate("a0", "A", "s0"),
        Candidate("a1", "A", "s0"),
        Candidate("b0", "B", "s1"),
        Candidate("b1", "B", "s2"),
    )
    slots = (Slot("s0", 1, "R1"), Slot("s1", 1, "R2"), Slot("s2", 1, "R2"))
    scores = tuple(Score(c.id, s.id, 80) for c in candidates for s in slots)
    problem = Problem(candidates, slots, scores, mode="two-way", assign_all=False)
    assert len(solve(problem).pairs) == 1  # only one person can come into s0
    assert (
        "岗位 s0 容量为 1，但以它为原单位的有 2 人，全部交流时会有 2 名 B 方人员前来"
        in solve(replace(problem, assign_all=True)).diagnosis
    )


# --------------------------------------------------------------------------------------------- contract


def test_problem_survives_a_round_trip_through_json() -> None:
    problem = foshan()
    again = problem_from_json(json.loads(json.dumps(problem_to_json(problem), ensure_ascii=False)))
    assert again == problem


def test_result_file_follows_the_contract() -> None:
    two_way = result_to_json(solve(foshan()))
    assert set(two_way) == {"status", "assigned", "total_score", "assignments", "pairs", "solver", "proven"}
    assert two_way["pairs"][0] == ["a01", two_way["pairs"][0][1]]
    assert set(two_way["assignments"][0]) == {"candidate", "slot", "score"}
    infeasible = result_to_json(solve(districts_problem(reachable=8)))
    assert infeasible["status"] == "infeasible" and infeasible["assignments"] == []
    assert infeasible["diagnosis"] == "三水区、高明区 至少 10 人，但只有 8 名候选人可派往这两个区"
    assert "pairs" not in infeasible
