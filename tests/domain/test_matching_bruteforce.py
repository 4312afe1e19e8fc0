"""The matching engine against exhaustive search on hundreds of small random problems.

The brute force below is written from the contract alone (docs/matching.md), not from the engine's code: it
tries every plan, keeps those that meet every rule, and ranks them by (number placed, total score). The
engine must find the same optimum value every time, its plan must itself meet every rule, and when no plan
exists it must say so with a diagnosis. Every solver that can handle a case is checked, not only the one the
engine would pick, so a bug in a solver the auto-selection rarely uses still shows.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

import pytest

from miaopu.domain.matching import Candidate, Pair, Problem, Quota, Score, Slot, solve
from miaopu.domain.matching.flow import supports_flow
from miaopu.domain.matching.model import build_model

REGIONS = ("R1", "R2", "R3")
CASES = 400


def hundredths(score: float) -> int:
    return round(score * 100)


def random_problem(rng: random.Random) -> Problem:
    two_way = rng.random() < 0.35
    assign_all = rng.random() < 0.5
    n_slots = rng.randint(1, 5)
    slots = tuple(Slot(id=f"s{j}", capacity=rng.choice((1, 1, 2)), region=rng.choice(REGIONS)) for j in range(n_slots))
    if two_way:
        n_a = rng.randint(1, 4)
        n_b = rng.randint(1, 6 - n_a)
        # Mostly separate home slots per side, often shared within a side (so a home's capacity binds);
        # sometimes a slot that is home to both sides (that forces CP-SAT).
        split = rng.randint(0, min(2, n_slots))
        pool_a = [s.id for s in slots[: max(split, 1)]]
        pool_b = [s.id for s in slots[split:]] or [slots[-1].id]
        if rng.random() < 0.2:
            pool_b = pool_b + pool_a[:1]
        candidates = tuple(
            [Candidate(id=f"a{i}", side="A", home=rng.choice(pool_a)) for i in range(n_a)]
            + [Candidate(id=f"b{i}", side="B", home=rng.choice(pool_b)) for i in range(n_b)]
        )
    else:
        candidates = tuple(Candidate(id=f"c{i}") for i in range(rng.randint(1, 6)))
    scores = []
    for c in candidates:
        for s in slots:
            if rng.random() < (0.85 if two_way else 0.7):
                value = rng.choice((rng.randint(60, 100), rng.randint(60, 100), rng.randint(-20, 100) + 0.5, 87.25))
                scores.append(Score(c.id, s.id, value))
    forbidden = tuple(Pair(c.id, s.id) for c in candidates for s in slots if rng.random() < 0.1)
    fixed: list[Pair] = []
    for _ in range(rng.choice((0, 0, 1, 2))):
        pair = Pair(rng.choice(candidates).id, rng.choice(slots).id)
        if pair not in fixed:
            fixed.append(pair)
    used_regions = sorted({s.region for s in slots})
    quotas = []
    n_quotas = rng.choice((0, 1, 2, 2))
    # Partly overlapping groups ({R1, R2} and {R2, R3}) are what forces CP-SAT; make them common.
    crossing = n_quotas == 2 and len(used_regions) >= 3 and rng.random() < 0.7
    if crossing:
        r1, r2, r3 = rng.sample(used_regions, 3)
    for k in range(n_quotas):
        if crossing:
            regions = (r1, r2) if k == 0 else (r2, r3)
        else:
            regions = tuple(rng.sample(used_regions, rng.randint(1, len(used_regions))))
        low = rng.choice((None, 0, 1, 2, 3))
        high = rng.choice((None, 1, 2, 3, 4))
        if low is None and high is None:
            high = 2
        if low is not None and high is not None and low > high:
            low, high = high, low
        quotas.append(Quota(regions=regions, min=low, max=high))
    rng.shuffle(scores)
    return Problem(
        candidates=candidates,
        slots=slots,
        scores=tuple(scores),
        forbidden=forbidden,
        fixed=tuple(fixed),
        quotas=tuple(quotas),
        mode="two-way" if two_way else "assign",
        assign_all=assign_all,
    )


# ------------------------------------------------------------------------------------ the contract, literally


def allowed_scores(problem: Problem) -> dict[tuple[str, str], int]:
    banned = {(p.candidate, p.slot) for p in problem.forbidden}
    return {(e.candidate, e.slot): hundredths(e.score) for e in problem.scores if (e.candidate, e.slot) not in banned}


def plan_errors(problem: Problem, destinations: dict[str, str], counted: list[str]) -> list[str]:
    """Rule violations of a plan: ``destinations`` maps placed candidates to slots, ``counted`` are quota-counted."""
    errors = []
    allowed = allowed_scores(problem)
    caps = {s.id: s.capacity for s in problem.slots}
    region = {s.id: s.region for s in problem.slots}
    for cand, slot in destinations.items():
        if (cand, slot) not in allowed:
            errors.append(f"{cand}->{slot} not allowed")
    for slot, arrivals in Counter(destinations.values()).items():
        if arrivals > caps[slot]:
            errors.append(f"{slot} over capacity")
    for pair in problem.fixed:
        if destinations.get(pair.candidate) != pair.slot:
            errors.append(f"fixed {pair} broken")
    for q in problem.quotas:
        n = sum(1 for cand in counted if region[destinations[cand]] in q.regions)
        if (q.min is not None and n < q.min) or (q.max is not None and n > q.max):
            errors.append(f"quota {q} broken ({n})")
    if problem.assign_all and len(destinations) < len(problem.candidates):
        errors.append("someone left out")
    return errors


def brute_force(problem: Problem) -> tuple[int, int] | None:
    """Best (number placed, total hundredths) over every plan meeting every rule, or None."""
    allowed = allowed_scores(problem)
    best: tuple[int, int] | None = None
    if problem.mode == "assign":
        cands = [c.id for c in problem.candidates]
        options = {c: [None] + [s.id for s in problem.slots if (c, s.id) in allowed] for c in cands}
        caps = {s.id: s.capacity for s in problem.slots}

        def walk(i: int, dest: dict[str, str], used: Counter) -> None:
            nonlocal best
            if i == len(cands):
                if not plan_errors(problem, dest, list(dest)):
                    value = (len(dest), sum(allowed[(c, s)] for c, s in dest.items()))
                    best = value if best is None or value > best else best
                return
            for slot in options[cands[i]]:
                if slot is None:
                    walk(i + 1, dest, used)
                elif used[slot] < caps[slot]:
                    used[slot] += 1
                    dest[cands[i]] = slot
                    walk(i + 1, dest, used)
                    del dest[cands[i]]
                    used[slot] -= 1

        walk(0, {}, Counter())
        return best
    home = {c.id: c.home for c in problem.candidates}
    side_a = [c.id for c in problem.candidates if c.side == "A"]
    side_b = [c.id for c in problem.candidates if c.side == "B"]

    def walk2(i: int, used_b: set[str], pairs: list[tuple[str, str]]) -> None:
        nonlocal best
        if i == len(side_a):
            dest = {}
            for a, b in pairs:
                dest[a], dest[b] = home[b], home[a]
            if not plan_errors(problem, dest, [a for a, _ in pairs]):
                value = (2 * len(pairs), sum(allowed[(c, s)] for c, s in dest.items()))
                best = value if best is None or value > best else best
            return
        walk2(i + 1, used_b, pairs)
        a = side_a[i]
        for b in side_b:
            if b not in used_b and (a, home[b]) in allowed and (b, home[a]) in allowed:
                walk2(i + 1, used_b | {b}, [*pairs, (a, b)])

    walk2(0, set(), [])
    return best


def applicable_solvers(problem: Problem) -> list[str | None]:
    model = build_model(problem)
    solvers: list[str | None] = [None, "cp_sat"]
    if supports_flow(model):
        solvers.append("min_cost_flow")
    if problem.mode == "assign" and not problem.quotas:
        solvers.append("linear_sum_assignment")
    return solvers


@pytest.mark.parametrize("chunk", range(8))
def test_engine_agrees_with_brute_force(chunk: int) -> None:
    rng = random.Random(20240501 + chunk)
    solvers_seen: Counter = Counter()
    for case in range(CASES // 8):
        problem = random_problem(rng)
        expected = brute_force(problem)
        for solver in applicable_solvers(problem):
            result = solve(problem, solver=solver)
            solvers_seen[result.solver] += 1
            where = f"case {chunk}/{case} solver={solver}: {problem}"
            if expected is None:
                assert result.status == "infeasible", where
                assert result.diagnosis and all(result.diagnosis), where
                continue
            assert result.status == "optimal", f"{where}\n{result}"
            assert (result.assigned, round(result.total_score * 100)) == expected, f"{where}\n{result}"
            destinations = {a.candidate: a.slot for a in result.assignments}
            counted = [a for a, _ in result.pairs] if problem.mode == "two-way" else list(destinations)
            assert plan_errors(problem, destinations, counted) == [], f"{where}\n{result}"
    # The random mix must reach every solver, or the comparison proves less than it claims.
    assert {"linear_sum_assignment", "min_cost_flow", "cp_sat"} <= set(solvers_seen), solvers_seen


def test_random_problems_include_the_hard_cases() -> None:
    """Guard the generator: enough infeasible, two-way, overlapping-quota and fixed-pair cases to matter."""
    rng = random.Random(7)
    problems = [random_problem(rng) for _ in range(CASES)]
    infeasible = sum(1 for p in problems[:150] if brute_force(p) is None)
    overlapping = sum(
        1
        for p in problems
        if any(
            set(q.regions) & set(r.regions)
            and not (set(q.regions) <= set(r.regions) or set(r.regions) <= set(q.regions))
            for q in p.quotas
            for r in p.quotas
        )
    )
    assert infeasible >= 15
    assert sum(p.mode == "two-way" for p in problems) >= 80
    assert overlapping >= 20
    assert sum(bool(p.fixed) for p in problems) >= 100


def test_permuted_input_gives_the_same_plan() -> None:
    rng = random.Random(99)
    for _ in range(60):
        problem = random_problem(rng)
        shuffled = replace(
            problem,
            candidates=tuple(rng.sample(problem.candidates, len(problem.candidates))),
            slots=tuple(rng.sample(problem.slots, len(problem.slots))),
            scores=tuple(rng.sample(problem.scores, len(problem.scores))),
            forbidden=tuple(rng.sample(problem.forbidden, len(problem.forbidden))),
            fixed=tuple(rng.sample(problem.fixed, len(problem.fixed))),
        )
        first, again, permuted = solve(problem), solve(problem), solve(shuffled)
        assert first == again
        assert permuted == first
