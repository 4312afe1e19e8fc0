"""``miaopu pair-mentors BATCH_OR_TEMPLATE --user NAME [--roles political,business] [--as-of DATE]
[--confirm [--start DATE]] [--format table|json]``.

Proposes mentors for a batch's people (a batch id) or for everyone eligible for a programme template (a
template code) in the account's scope, with the reasons of every proposal, and stores the run so staff can
review it on the web (``/mentoring/pairing/<id>/``). ``--confirm`` accepts every proposal and creates the
mentorships at once (the same services as the web page). Exit status 0 when everyone got every role, 1 when
some could not be paired (the reasons are printed), 2 on bad input.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from miaopu.apps.core.management.base import cli_actor
from miaopu.apps.mentoring import services
from miaopu.apps.mentoring.models import MentorRole, ProposalStatus
from miaopu.apps.mentoring.selectors import can_manage


class Command(BaseCommand):
    help = _("按规则为一个批次或某项目全部符合条件人员自动配对导师（全局最优，逐条说明理由）")

    def add_arguments(self, parser) -> None:
        parser.add_argument("target", help=_("批次编号，或项目模板代码（如 xinmiao）"))
        parser.add_argument("--user", required=True, help=_("以哪个账号的身份配对（按其管理范围）"))
        parser.add_argument(
            "--roles", help=_("导师类型代码，逗号分隔（默认按项目规定）：political,business,mass_work,shadowing")
        )
        parser.add_argument("--as-of", dest="as_of", help=_("按哪一天计算资格（YYYY-MM-DD），默认今天"))
        parser.add_argument("--confirm", action="store_true", help=_("接受全部建议并立即建立结对"))
        parser.add_argument("--start", help=_("结对开始时间（YYYY-MM-DD），默认今天"))
        parser.add_argument("--format", choices=["table", "json"], default="table", help=_("输出格式"))

    def _date(self, text: str | None) -> dt.date | None:
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError as exc:
            raise CommandError(_("日期“%(d)s”格式不对，应为 YYYY-MM-DD。") % {"d": text}, returncode=2) from exc

    def handle(self, *args, target: str, user: str, roles: str | None, as_of: str | None, confirm: bool,
               start: str | None, format: str, **options) -> None:  # fmt: skip
        from miaopu.apps.programmes.models import Batch, ProgrammeTemplate
        from miaopu.apps.programmes.selectors import batch_list, template_list

        actor = cli_actor(user)
        if not can_manage(actor.user):
            raise CommandError(_("账号“%(u)s”不是组织部干部科，不能配对导师。") % {"u": user}, returncode=2)
        chosen = [r.strip() for r in (roles or "").split(",") if r.strip()]
        unknown = [r for r in chosen if r not in MentorRole.values]
        if unknown:
            raise CommandError(
                _("未知的导师类型：%(r)s。可用：%(all)s")
                % {"r": "、".join(unknown), "all": ",".join(MentorRole.values)},
                returncode=2,
            )
        batch = template = None
        if target.isdigit():
            try:
                batch = batch_list(user=actor.user).get(pk=int(target))
            except Batch.DoesNotExist as exc:
                raise CommandError(
                    _("没有编号为 %(b)s 的批次（或不在您的管理范围内）。") % {"b": target}, returncode=2
                ) from exc
        else:
            try:
                template = template_list(user=actor.user).get(code=target)
            except ProgrammeTemplate.DoesNotExist as exc:
                codes = "、".join(template_list(user=actor.user).values_list("code", flat=True))
                raise CommandError(
                    _("没有代码为“%(c)s”的模板。可用：%(all)s") % {"c": target, "all": codes}, returncode=2
                ) from exc
        began = time.perf_counter()
        try:
            run = services.pairing_run_create(
                actor=actor, template=template, batch=batch, roles=chosen or None, as_of=self._date(as_of)
            )
            created = None
            if confirm:
                services.proposals_decide(actor=actor, run=run, accept="all")
                created = len(services.pairing_confirm(actor=actor, run=run, start=self._date(start)))
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError("\n".join(messages), returncode=2) from exc
        seconds = time.perf_counter() - began
        proposals = list(run.proposals.select_related("mentee", "mentee__unit").order_by("id"))
        unmatched = [p for p in proposals if p.status == ProposalStatus.UNMATCHED]
        if format == "json":
            payload = {
                "run": run.pk, "title": run.title, "cohort": run.cohort_size, "summary": run.summary,
                "created": created, "seconds": round(seconds, 2),
                "proposals": [
                    {"code": p.mentee.code, "name": p.mentee.name, "role": p.role, "mentor": p.mentor_name or None,
                     "strategy": p.strategy or None, "score": p.score, "reasons": p.reasons, "status": p.status}
                    for p in proposals
                ],
            }  # fmt: skip
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1))
        else:
            self._table(run, proposals, unmatched, created, seconds)
        if unmatched:
            sys.exit(1)

    def _table(self, run, proposals, unmatched, created, seconds: float) -> None:
        self.stdout.write(
            _("%(t)s：%(n)s 人，用时 %(s).1f 秒（读取 %(l)s 秒，求解 %(v)s 秒）；配对记录 %(id)s")
            % {"t": run.title, "n": run.cohort_size, "s": seconds, "l": run.summary["seconds"]["load"],
               "v": run.summary["seconds"]["solve"], "id": run.pk}
        )  # fmt: skip
        for r in run.summary["roles"]:
            self.stdout.write(
                _("  %(label)s：已有 %(a)s，建议 %(p)s，无合适人选 %(u)s（求解器 %(solver)s）")
                % {
                    "label": r["label"],
                    "a": r["already"],
                    "p": r["proposed"],
                    "u": r["unmatched"],
                    "solver": r["solver"],
                }
            )
        strategies = Counter(p.get_strategy_display() for p in proposals if p.strategy)
        if strategies:
            self.stdout.write(_("  配对方式：") + "，".join(f"{k} {v}" for k, v in strategies.most_common()))
        for note in run.summary.get("notes", []):
            self.stdout.write(_("  注意：") + note)
        if created is not None:
            self.stdout.write(_("已建立结对 %(n)s 对。") % {"n": created})
        else:
            self.stdout.write(
                _("请在网页上查看并确认：/mentoring/pairing/%(id)s/（或加 --confirm 全部接受）") % {"id": run.pk}
            )
        if unmatched:
            why = Counter(p.reasons[0] if p.reasons else "" for p in unmatched)
            self.stdout.write(_("未能配对 %(n)s 项，原因：") % {"n": len(unmatched)})
            for reason, n in why.most_common(20):
                self.stdout.write(f"  {n} × {reason}")
            for p in unmatched[:50]:
                self.stdout.write(f"  {p.mentee.code}\t{p.mentee.name}\t{p.mentee.unit.name}\t{p.get_role_display()}")
