"""``miaopu stats [--unit U] [--as-of DATE] [--user NAME] [--format text|json]``: the structure figures.

JSON is exactly ``{"as_of", "cadres", "average_age", "women", "non_party", "by_age_band": {...},
"by_source": {...}, "by_education": {...}}`` over the active cadres (see docs/statistics.md for every key).

Scope: with ``--user`` the account's scope (组织部干部科 or 单位人事专员), exactly as on the web. Without it the
command is a server operator's: it counts the whole unit tree (someone with shell access to the server can
read the database anyway) and the audit record names no user. ``--unit`` (id or exact name) narrows to a
unit and its subtree, which must lie in the scope. Either way the run is recorded as an export.
"""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from miaopu.apps.core.audit import Actor, record_access
from miaopu.apps.core.choices import AuditAction
from miaopu.apps.core.management.base import cli_actor


class Command(BaseCommand):
    help = _("输出在职干部的结构统计（人数、平均年龄、女性、非中共党员、年龄段、来源、学历）")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--unit", help=_("单位编号或全称（含下级单位）；默认整个管理范围"))
        parser.add_argument("--as-of", dest="as_of", help=_("年龄按哪一天计算（YYYY-MM-DD），默认今天"))
        parser.add_argument("--user", help=_("以哪个账号的身份统计（按其管理范围）；不填则为服务器管理员，统计全市"))
        parser.add_argument("--format", choices=["text", "json"], default="text", help=_("输出格式"))

    def handle(self, *args, unit: str | None, as_of: str | None, user: str | None, format: str, **options) -> None:
        from miaopu.apps.analytics.adapters import system_reader
        from miaopu.apps.analytics.selectors import can_view_analytics, structure
        from miaopu.apps.core.access import unit_in_scope
        from miaopu.apps.units.models import Unit

        if user:
            actor = cli_actor(user)
            reader = actor.user
            if not can_view_analytics(reader):
                raise CommandError(_("账号“%(u)s”不是组织部干部科或单位人事专员，不能统计干部信息。") % {"u": user})
        else:
            actor = Actor.cli(None)
            reader = system_reader()
            if reader.scope_unit is None:
                raise CommandError(_("系统中还没有单位。"))
        try:
            date = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
        except ValueError as exc:
            raise CommandError(_("日期“%(d)s”格式不对，应为 YYYY-MM-DD。") % {"d": as_of}) from exc
        params: dict[str, str] = {}
        target = reader.scope_unit
        if unit:
            found = Unit.objects.filter(pk=int(unit)) if unit.isdigit() else Unit.objects.filter(name=unit.strip())
            target = found.first()
            if target is None or not unit_in_scope(reader, target):
                raise CommandError(_("单位“%(u)s”不存在或不在管理范围内。") % {"u": unit})
            params["unit"] = str(target.pk)
        figures = structure(user=reader, params=params, as_of=date, links=False)
        data = figures.stats_json()
        record_access(
            actor, AuditAction.EXPORT, "analytics.stats", object_repr=_("结构统计：%(u)s") % {"u": target.name},
            detail={"command": "stats", "unit": target.pk, "as_of": date.isoformat(), "cadres": data["cadres"]},
        )  # fmt: skip
        if format == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        average = data["average_age"] if data["average_age"] is not None else "—"
        self.stdout.write(
            _("%(u)s（含下级单位），%(d)s：在职干部 %(n)s 人，平均年龄 %(a)s 岁，女性 %(w)s 人，非中共党员 %(p)s 人")
            % {
                "u": target.name,
                "d": data["as_of"],
                "n": data["cadres"],
                "a": average,
                "w": data["women"],
                "p": data["non_party"],
            }  # fmt: skip
        )
        for title, figures_ in (
            (_("年龄段"), figures.by_age_band),
            (_("干部来源"), figures.dimensions["source"]),
            (_("全日制学历"), figures.dimensions["education"]),
        ):
            self.stdout.write(f"{title}：" + "；".join(f"{f.label} {f.value}" for f in figures_))
