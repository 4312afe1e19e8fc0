"""``miaopu export-lrmx CODE… --user NAME [--out DIR] [--docx]``: 任免审批表 files of cadres."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from miaopu.apps.cadres.selectors import cadre_list
from miaopu.apps.core.management.base import cli_actor
from miaopu.apps.exchange.lrmx_exchange import lrmx_file_name
from miaopu.apps.exchange.services import cadre_docx, cadre_lrmx


class Command(BaseCommand):
    help = _("导出干部的任免审批表（.lrmx，可再导入；加 --docx 同时生成 Word 版），记入访问日志")

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="+", metavar="CODE", help=_("人员编号"))
        parser.add_argument("--user", required=True)
        parser.add_argument("--out", default=".", help=_("输出文件夹"))
        parser.add_argument("--docx", action="store_true", help=_("同时生成 Word 版任免审批表"))
        parser.add_argument("--no-extension", action="store_true", help=_("不写苗圃扩展元素（仅标准内容）"))

    def handle(self, *args, codes, user, out, docx, no_extension, **options):
        actor = cli_actor(user)
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        visible = cadre_list(user=actor.user).select_related("unit")
        for code in codes:
            cadre = visible.filter(code=code).first()
            if cadre is None:
                raise CommandError(_("找不到人员编号为“%(c)s”的干部，或不在您的管理范围内。") % {"c": code})
            try:
                path = folder / lrmx_file_name(cadre, "lrmx")
                path.write_bytes(cadre_lrmx(actor=actor, cadre=cadre, extension=not no_extension))
                self.stdout.write(str(path))
                if docx:
                    path = folder / lrmx_file_name(cadre, "docx")
                    path.write_bytes(cadre_docx(actor=actor, cadre=cadre))
                    self.stdout.write(str(path))
            except PermissionDenied as exc:
                raise CommandError(str(exc)) from exc
