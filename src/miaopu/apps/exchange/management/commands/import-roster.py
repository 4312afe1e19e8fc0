"""``miaopu import-roster FILE [--dry-run] --user NAME``: import a roster workbook (or CSV folder/zip).

Everything is checked first; the report lists every problem (sheet!cell, column, value, what to do)
and the command exits with status 1 without writing anything when there is any error.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from miaopu.apps.core.management.base import cli_actor
from miaopu.apps.exchange.files import UnsafeFile, limits_from_settings, read_csv_folder
from miaopu.apps.exchange.management.progress import ProgressBar, print_report
from miaopu.apps.exchange.report import ImportReport
from miaopu.apps.exchange.services import roster_import


class Command(BaseCommand):
    help = _("导入干部名册（.xlsx，或含 单位.csv、干部.csv、履历.csv 的文件夹/压缩包）；有任何错误则不写入")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("名册文件或 CSV 文件夹"))
        parser.add_argument("--user", required=True, help=_("以哪个账号的身份导入（须为组织部干部科）"))
        parser.add_argument("--dry-run", action="store_true", help=_("只检查，不写入"))
        parser.add_argument("--report", help=_("把报告另存为 .xlsx"))
        parser.add_argument("--no-progress", action="store_true", help=_("不显示进度条"))

    def handle(self, *args, file, user, dry_run, report, no_progress, **options):
        actor = cli_actor(user)
        path = Path(file)
        if not path.exists():
            raise CommandError(_("找不到文件：%(p)s") % {"p": file})
        bar = ProgressBar(self.stderr._out, enabled=not no_progress)
        try:
            if path.is_dir():
                limits = limits_from_settings()
                try:
                    workbook, digest = read_csv_folder(path, limits)
                except UnsafeFile as exc:
                    result = ImportReport(file_name=path.name, dry_run=dry_run)
                    result.error(_("文件"), str(exc))
                else:
                    result = roster_import(
                        actor=actor, workbook=workbook, digest_source=digest, file_name=path.name,
                        dry_run=dry_run, progress=bar,
                    )  # fmt: skip
            else:
                result = roster_import(
                    actor=actor, data=path.read_bytes(), file_name=path.name, dry_run=dry_run, progress=bar
                )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        print_report(self, result, report)
