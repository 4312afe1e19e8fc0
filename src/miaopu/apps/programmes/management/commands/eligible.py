"""``miaopu eligible CODE [--as-of YYYY-MM-DD] [--format table|json] --user NAME``.

Every active cadre in the account's scope, judged by the template's current rules on the date, with one
reason per condition. JSON is a list of ``{"code", "name", "eligible", "group", "reasons": [...]}``.
The listing is recorded in the audit trail as an export of personnel data.
"""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from miaopu.apps.core.audit import record_access
from miaopu.apps.core.choices import AuditAction
from miaopu.apps.core.management.base import cli_actor
from miaopu.apps.programmes.models import ProgrammeTemplate
from miaopu.apps.programmes.selectors import can_use_programmes, eligibility_list, template_list


class Command(BaseCommand):
    help = _("列出管理范围内每名在职干部是否符合某培养项目的条件，并逐条说明理由")

    def add_arguments(self, parser) -> None:
        parser.add_argument("code", help=_("模板代码，如 dunmiao、two-way"))
        parser.add_argument("--as-of", dest="as_of", help=_("按哪一天计算（YYYY-MM-DD），默认今天"))
        parser.add_argument("--format", choices=["table", "json"], default="table", help=_("输出格式"))
        parser.add_argument("--user", required=True, help=_("以哪个账号的身份查询（按其管理范围）"))

    def handle(self, *args, code: str, as_of: str | None, format: str, user: str, **options) -> None:
        actor = cli_actor(user)
        if not can_use_programmes(actor.user):
            raise CommandError(_("账号“%(u)s”不是组织部干部科，不能查询培养项目。") % {"u": user})
        try:
            date = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
        except ValueError as exc:
            raise CommandError(_("日期“%(d)s”格式不对，应为 YYYY-MM-DD。") % {"d": as_of}) from exc
        try:
            template = template_list(user=actor.user).get(code=code)
        except ProgrammeTemplate.DoesNotExist as exc:
            codes = "、".join(template_list(user=actor.user).values_list("code", flat=True))
            raise CommandError(_("没有代码为“%(c)s”的模板。可用：%(all)s") % {"c": code, "all": codes}) from exc
        version = template.current_version
        rows = eligibility_list(user=actor.user, version=version, as_of=date)
        record_access(
            actor, AuditAction.EXPORT, template,
            detail={"command": "eligible", "as_of": date.isoformat(), "version": version.number, "rows": len(rows)},
        )  # fmt: skip
        if format == "json":
            self.stdout.write(json.dumps([row.as_json() for row in rows], ensure_ascii=False, indent=2))
            return
        eligible = sum(1 for row in rows if row.eligible)
        self.stdout.write(
            _("%(name)s（%(code)s，第 %(v)s 版），按 %(d)s 计算：%(n)s 人中 %(e)s 人符合条件")
            % {"name": template.name, "code": code, "v": version.number, "d": date, "n": len(rows), "e": eligible}
        )
        for row in rows:
            verdict = ("✓ " + (row.group or _("符合"))) if row.eligible else _("✗ 不符合")
            self.stdout.write(f"{row.code}\t{row.name}\t{row.unit_name}\t{verdict}")
            for reason in row.reasons:
                self.stdout.write(f"\t{'✓' if reason.ok else '✗'} {reason.text}")
