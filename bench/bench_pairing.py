"""Benchmark: automatic mentor pairing of a whole programme cohort (issue 6: the demo city's ``xinmiao`` cohort
gets both required mentors, within capacity, in seconds, with reasons).

Usage (on a demo city; nothing is kept — the run and the mentorships are rolled back)::

    MIAOPU_VAR_DIR=/tmp/mentor-demo miaopu migrate && MIAOPU_VAR_DIR=/tmp/mentor-demo miaopu demo
    MIAOPU_VAR_DIR=/tmp/mentor-demo python bench/bench_pairing.py [--template xinmiao] [--capacity N]

Prints, for the orgdept account: the cohort size, the seconds to compute the proposals (eligibility, loading,
solving, storing) and to confirm them all, the coverage per role, the largest load per mentor, and the reasons
of those left without a mentor, grouped. ``--capacity`` sets the programme's capacity for the run (the
default rules allow 3 mentees per mentor and role). Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miaopu.config.settings.dev")
os.environ.setdefault("MIAOPU_AUDIT_SOURCE", "cli")


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", default="xinmiao")
    parser.add_argument("--user", default="orgdept")
    parser.add_argument("--capacity", type=int)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import transaction
    from django.db.models import Count

    from miaopu.apps.cadres.models import Cadre
    from miaopu.apps.core.audit import Actor
    from miaopu.apps.core.models import User
    from miaopu.apps.mentoring import services
    from miaopu.apps.mentoring.models import Mentorship, ProposalStatus
    from miaopu.apps.programmes.models import ProgrammeTemplate

    actor = Actor.cli(User.objects.get(username=args.user))
    template = ProgrammeTemplate.objects.get(code=args.template)
    print(f"干部 {Cadre.objects.count():,} 名；负载 {os.getloadavg()[0]:.2f}")
    try:
        with transaction.atomic():
            if args.capacity:
                services.policy_update(actor=actor, template=template, data={"capacity": args.capacity})
            began = time.perf_counter()
            run = services.pairing_run_create(actor=actor, template=template)
            proposed = time.perf_counter()
            services.proposals_decide(actor=actor, run=run, accept="all")
            ships = services.pairing_confirm(actor=actor, run=run)
            confirmed = time.perf_counter()
            print(f"{run.title}：{run.cohort_size} 人，规则：每人每类最多 {run.policy['capacity']} 名")
            print(
                f"生成建议 {proposed - began:.1f} 秒（读取 {run.summary['seconds']['load']} 秒，"
                f"求解 {run.summary['seconds']['solve']} 秒）；确认 {len(ships)} 对 {confirmed - proposed:.1f} 秒"
            )
            for r in run.summary["roles"]:
                print(f"  {r['label']}：已有 {r['already']}，建议 {r['proposed']}，无合适人选 {r['unmatched']}")
            heaviest = (
                Mentorship.objects.filter(is_active=True)
                .values("mentor", "role")
                .annotate(n=Count("id"))
                .order_by("-n")
            ).first()
            most_new = max(Counter((s.mentor_id, s.role) for s in ships).values(), default=0)
            most_all = heaviest["n"] if heaviest else 0
            print(f"  新结对中每名导师每类最多 {most_new} 名；全部在带结对中最多 {most_all} 名（含演示数据原有结对）")
            why = Counter(p.reasons[0] for p in run.proposals.filter(status=ProposalStatus.UNMATCHED))
            for reason, n in why.most_common(10):
                print(f"  {n} × {reason}")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
