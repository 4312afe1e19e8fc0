"""``miaopu export-roster FILE [--unit U] --user NAME``: the roster workbook of the account's scope."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from miaopu.apps.core.management.base import cli_actor
from miaopu.apps.exchange.management.progress import ProgressBar
from miaopu.apps.exchange.services import roster_export
from miaopu.apps.units.selectors import unit_list


class Command(BaseCommand):
    help = _("导出干部名册（单位、干部、履历三张表，可直接再导入），限于账号的管理范围，记入访问日志")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("输出的 .xlsx 文件"))
        parser.add_argument("--user", required=True, help=_("以哪个账号的身份导出"))
        parser.add_argument("--unit", help=_("只导出该单位（含下级单位），填单位名称"))
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, file, user, unit, no_progress, **options):
        actor = cli_actor(user)
        target_unit = None
        if unit:
            target_unit = unit_list(user=actor.user).filter(name=unit).first()
            if target_unit is None:
                raise CommandError(_("找不到单位“%(u)s”，或不在您的管理范围内。") % {"u": unit})
        bar = ProgressBar(self.stderr._out, enabled=not no_progress)
        try:
            with open(file, "wb") as out:
                result = roster_export(actor=actor, target=out, unit=target_unit, progress=bar)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        counts = "，".join(f"{sheet} {n:,} 行" for sheet, n in result.counts.items())
        self.stdout.write(_("已导出到 %(f)s：%(c)s") % {"f": file, "c": counts})
