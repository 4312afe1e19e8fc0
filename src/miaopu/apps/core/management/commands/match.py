"""``miaopu match PROBLEM.json [-o RESULT.json]``: solve a self-contained matching problem file.

The same engine the batch matching page uses, without the database, so a plan exported from a batch can be
reproduced (or a what-if tried) anywhere. Exit status: 0 proven optimal plan; 1 infeasible (the diagnosis
is printed); 2 bad file (each mistake named by field and entry); 3 time limit reached without a proof.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from miaopu.domain.matching import SOLVERS, ProblemError, load_problem, result_to_json, solve

EXIT_OPTIMAL, EXIT_INFEASIBLE, EXIT_BAD_FILE, EXIT_NOT_PROVEN = 0, 1, 2, 3


class Command(BaseCommand):
    help = _("求解一个人岗匹配问题文件（JSON），输出最优方案或无解原因")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("problem", help=_("问题文件（JSON，格式见 docs/matching.md）"))
        parser.add_argument("-o", "--output", help=_("结果写入此文件；不给则输出到标准输出"))
        parser.add_argument("--time-limit", type=float, default=60.0, help=_("MIP 求解的时限（秒），默认 60"))
        parser.add_argument("--solver", choices=SOLVERS, help=_("指定求解器（默认按问题结构自动选择）"))

    def handle(self, *args, problem, output, time_limit, solver, **options):
        try:
            parsed = load_problem(problem)
        except FileNotFoundError:
            self._fail(EXIT_BAD_FILE, [_("找不到问题文件：%(p)s") % {"p": problem}])
        except OSError as exc:
            self._fail(EXIT_BAD_FILE, [_("无法读取问题文件 %(p)s：%(e)s") % {"p": problem, "e": exc.strerror}])
        except ProblemError as exc:
            self._fail(EXIT_BAD_FILE, [_("问题文件 %(p)s 有误：") % {"p": problem}, *exc.errors])
        try:
            result = solve(parsed, solver=solver, time_limit=time_limit)
        except ValueError as exc:  # a forced solver that cannot handle this structure
            self._fail(EXIT_BAD_FILE, [str(exc)])

        text = json.dumps(result_to_json(result), ensure_ascii=False, indent=2) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
        # The summary goes to stderr when stdout carries the JSON, so a pipe gets clean JSON.
        say = self.stdout.write if output else self.stderr.write
        if result.status == "optimal":
            say(
                _("最优方案（已证明）：安排 %(n)s 人，总分 %(s)s；求解器 %(v)s，用时 %(t).2f 秒")
                % {"n": result.assigned, "s": f"{result.total_score:g}", "v": result.solver, "t": result.seconds}
            )
            return
        if result.status == "infeasible":
            self._fail(EXIT_INFEASIBLE, [_("无解：没有方案能满足全部规则。原因："), *result.diagnosis])
        if result.status == "feasible":
            lines = [
                _("在时限内找到方案（安排 %(n)s 人，总分 %(s)s），但未能证明它最优；可延长 --time-limit 再试")
                % {"n": result.assigned, "s": f"{result.total_score:g}"}
            ]
        else:
            lines = list(result.diagnosis)
        self._fail(EXIT_NOT_PROVEN, lines)

    def _fail(self, status: int, lines: list[str]) -> None:
        for line in lines:
            self.stderr.write(line)
        sys.exit(status)
