"""Benchmark the matching engine on the issue's reference instances; prints figures, asserts nothing.

    python bench/bench_matching.py                 # all cases
    python bench/bench_matching.py --cases 2k,quotas --repeat 3

Cases (targets from the issue, measured on 2 cores with OR-Tools 9.15; "within 2×" of the reference):

* ``2k``     dense 2,000 × 2,000 plain assignment, integer scores 60–100 with many ties — ref 0.3–0.5 s
* ``5k``     dense 5,000 × 5,000, same kind of scores — ref 2–4 s, peak memory under 2 GB
* ``quotas`` 2,000 candidates × 3,000 slots in 30 towns of 5 districts, nested quotas
             (town ≤ district ≤ two-district group ≥ two thirds) — ref 1.5 s by min-cost flow

Each case runs in a fresh subprocess so its peak RSS (``ru_maxrss``) is its own. The time is the whole
``solve(problem)`` call (validation, canonical ordering, solver, result) on a problem held as a dense
``ScoreMatrix``; building the random instance is not timed. Wall-clock and CPU seconds are both printed with
the load average: the solvers are single-threaded, so on a busy 2-core machine the CPU time is the better
estimate of the quiet wall time — re-run when it is quiet before trusting a miss.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

from miaopu.domain.matching import Candidate, Problem, Quota, ScoreMatrix, Slot, solve

REFERENCE = {"2k": (0.3, 0.5), "5k": (2.0, 4.0), "quotas": (1.5, 1.5)}


def near_tie_scores(rng: np.random.Generator, n_candidates: int, n_slots: int) -> np.ndarray:
    """Integer scores 60–100: a candidate's general level plus a small fit per post, so ties are everywhere.

    Generated row block by row block so the instance itself costs one float64 matrix of memory, no more.
    """
    values = np.empty((n_candidates, n_slots), dtype=np.float64)
    for start in range(0, n_candidates, 500):
        rows = min(500, n_candidates - start)
        level = rng.integers(65, 91, size=(rows, 1))
        fit = rng.integers(-5, 11, size=(rows, n_slots))
        values[start : start + rows] = np.clip(level + fit, 60, 100)
    return values


def plain(n: int, seed: int) -> Problem:
    rng = np.random.default_rng(seed)
    candidates = tuple(Candidate(f"c{i}") for i in range(n))
    slots = tuple(Slot(f"s{j}") for j in range(n))
    return Problem(candidates, slots, ScoreMatrix(near_tie_scores(rng, n, n)))


def with_quotas(seed: int, n_candidates: int = 2000, n_slots: int = 3000) -> Problem:
    rng = np.random.default_rng(seed)
    districts = ["三水区", "高明区", "南海区", "顺德区", "禅城区"]
    towns = [f"{d}{t}镇" for d in districts for t in range(1, 7)]
    # 60 % of the slots are in the 12 towns of 三水区 and 高明区, the rest in the other 18 towns.
    outer = n_slots * 3 // 5
    town_of = [towns[j % 12] if j < outer else towns[12 + j % 18] for j in range(n_slots)]
    slots = tuple(Slot(f"s{j}", 1, town_of[j]) for j in range(n_slots))
    candidates = tuple(Candidate(f"c{i}") for i in range(n_candidates))
    values = near_tie_scores(rng, n_candidates, n_slots)
    # People slightly prefer the central districts, so the two-thirds quota really binds.
    central = np.array([j >= outer for j in range(n_slots)])
    values[:, central] = np.minimum(values[:, central] + 3, 100)
    in_district = {d: tuple(t for t in towns if t.startswith(d)) for d in districts}
    quotas = (
        Quota(in_district["三水区"] + in_district["高明区"], min=(2 * n_candidates + 2) // 3),  # ≥ two thirds
        Quota(in_district["三水区"], min=450, max=800),
        Quota(in_district["高明区"], min=500),
        *(Quota((town,), max=90) for town in in_district["三水区"]),
        Quota(in_district["南海区"] + in_district["顺德区"], max=400),
    )
    return Problem(candidates, slots, ScoreMatrix(values), quotas=quotas)


CASES = {"2k": lambda seed: plain(2000, seed), "5k": lambda seed: plain(5000, seed), "quotas": with_quotas}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_case(name: str, seed: int) -> dict[str, object]:
    problem = CASES[name](seed)
    load = os.getloadavg()[0]
    cpu_before = _cpu()
    started = time.perf_counter()
    result = solve(problem)
    seconds = time.perf_counter() - started
    cpu = _cpu() - cpu_before
    return {
        "case": name,
        "seconds": round(seconds, 3),
        "cpu": round(cpu, 3),
        "solver": result.solver,
        "status": result.status,
        "assigned": result.assigned,
        "total_score": result.total_score,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "load": round(load, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default="2k,5k,quotas", help="comma-separated: " + ", ".join(CASES))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_case(args.child, args.seed), ensure_ascii=False))
        return
    header = f"{'case':8} {'wall s':>7} {'cpu s':>7} {'ref s':>8} {'peak MB':>8} {'load':>5}"
    print(header + "  solver / status / assigned / score")
    for name in args.cases.split(","):
        for rep in range(args.repeat):
            child = subprocess.run(
                [sys.executable, __file__, "--child", name, "--seed", str(args.seed + rep)],
                capture_output=True,
                text=True,
                check=True,
            )
            row = json.loads(child.stdout.strip().splitlines()[-1])
            low, high = REFERENCE[name]
            ref = f"{low:g}–{high:g}" if low != high else f"{low:g}"
            print(
                f"{name:8} {row['seconds']:7.2f} {row['cpu']:7.2f} {ref:>8} {row['peak_mb']:8} {row['load']:5.2f}  "
                f"{row['solver']} / {row['status']} / {row['assigned']} / {row['total_score']:g}",
                flush=True,
            )


if __name__ == "__main__":
    main()
