"""``miaopu import-lrmx FILE… [--unit U] [--dry-run] --user NAME``: import 任免审批表 (.lrmx files or zips)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from miaopu.apps.core.management.base import cli_actor
from miaopu.apps.exchange.management.progress import ProgressBar, print_report
from miaopu.apps.exchange.services import lrmx_import
from miaopu.apps.units.selectors import unit_list


class Command(BaseCommand):
    help = _("导入任免审批表（.lrmx 文件或其压缩包）；有任何错误则不写入")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help=_(".lrmx 文件、压缩包或文件夹"))
        parser.add_argument("--user", required=True)
        parser.add_argument("--unit", help=_("新干部的现工作单位（表中无法确定时使用），填单位名称"))
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--report", help=_("把报告另存为 .xlsx"))
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, files, user, unit, dry_run, report, no_progress, **options):
        actor = cli_actor(user)
        default_unit = None
        if unit:
            default_unit = unit_list(user=actor.user).filter(name=unit).first()
            if default_unit is None:
                raise CommandError(_("找不到单位“%(u)s”，或不在您的管理范围内。") % {"u": unit})
        items = []
        for name in files:
            path = Path(name)
            if path.is_dir():
                items.extend((p.name, p.read_bytes()) for p in sorted(path.glob("*.lrmx")))
            elif path.exists():
                items.append((path.name, path.read_bytes()))
            else:
                raise CommandError(_("找不到文件：%(p)s") % {"p": name})
        bar = ProgressBar(self.stderr._out, enabled=not no_progress)
        try:
            result = lrmx_import(actor=actor, files=items, default_unit=default_unit, dry_run=dry_run, progress=bar)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        print_report(self, result, report)
