"""``miaopu alerts [--as-of DATE] [--kind K ...] [--list]``: refresh the stored early warnings (run daily).

Recomputes every alert kind over the whole unit tree and replaces its stored rows (delete + insert in one
transaction per kind), so running it twice gives the same rows. Kinds whose data does not exist yet (an app
not installed) are stored as 暂不可用 with the reason. ``--list`` prints the kinds and their rules only.
Schedule it once a day, e.g. ``15 1 * * * miaopu alerts`` (cron) or a systemd timer. When run for today it then
counts the dashboards of the large 组织部 scopes (``analytics.figcache.warm``), so nobody waits for them.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from miaopu.apps.core.audit import Actor


class Command(BaseCommand):
    help = _("刷新预警（每日运行一次）：任期将满、即将超龄未经乡村锻炼、交流到期、阶段转换、到龄退休等")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--as-of", dest="as_of", help=_("按哪一天计算（YYYY-MM-DD），默认今天"))
        parser.add_argument("--kind", action="append", dest="kinds", help=_("只刷新这一类（可重复）"))
        parser.add_argument("--list", action="store_true", dest="list_only", help=_("只列出预警类型及其规则"))

    def handle(self, *args, as_of: str | None, kinds: list[str] | None, list_only: bool, **options) -> None:
        from miaopu.apps.analytics.alerts import KINDS, refresh

        if list_only:
            for spec in KINDS.values():
                self.stdout.write(f"{spec.kind}\t{spec.label}\t{spec.rule}")
            return
        unknown = [k for k in kinds or [] if k not in KINDS]
        if unknown:
            raise CommandError(
                _("没有这类预警：%(k)s。可用：%(all)s") % {"k": "、".join(unknown), "all": "、".join(KINDS)}
            )
        try:
            date = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
        except ValueError as exc:
            raise CommandError(_("日期“%(d)s”格式不对，应为 YYYY-MM-DD。") % {"d": as_of}) from exc
        results = refresh(as_of=date, kinds=kinds, actor=Actor.cli(None))
        for r in results:
            if r.available:
                self.stdout.write(
                    _("%(label)s：%(n)s 条（红 %(red)s，黄 %(yellow)s，绿 %(green)s）")
                    % {"label": r.label, "n": r.count, **r.levels}
                )
            else:
                self.stdout.write(_("%(label)s：暂不可用（%(note)s）") % {"label": r.label, "note": r.note})
        self.stdout.write(_("预警已刷新（%(d)s），共 %(n)s 条。") % {"d": date, "n": sum(r.count for r in results)})
        if date == dt.date.today():
            from miaopu.apps.analytics.figcache import warm

            self.stdout.write(_("已预先统计 %(n)s 个大范围的看板。") % {"n": warm(as_of=date)})
