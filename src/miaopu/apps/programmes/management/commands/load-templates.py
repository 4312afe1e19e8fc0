"""``miaopu load-templates [FILE …] [--update] [--user NAME]``: load programme templates from YAML files.

Without files, loads the eight templates shipped with the system (``fixtures/templates``); the data
migration has already done so on every installation, so this is idempotent: a template whose rules are
unchanged is left alone, one whose file differs is reported, and ``--update`` adds a new version (batches
keep the version they were created with). Without ``--user`` the change is recorded as the system's.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from miaopu.apps.core.audit import Actor
from miaopu.apps.core.management.base import cli_actor
from miaopu.apps.programmes.fixtures import read_template_file, shipped_template_files
from miaopu.apps.programmes.services import template_import
from miaopu.apps.programmes.spec import SpecError


class Command(BaseCommand):
    help = _("从 YAML 文件载入培养项目模板（默认载入系统自带的八个模板；已存在且未变化的跳过）")

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="*", help=_("模板文件（YAML）；省略则载入系统自带模板"))
        parser.add_argument("--update", action="store_true", help=_("文件与现有规则不同时，生成新版本"))
        parser.add_argument("--user", help=_("以哪个账号的身份载入（默认记为系统操作）"))

    def handle(self, *args, files: list[str], update: bool, user: str | None, **options) -> None:
        actor = cli_actor(user) if user else Actor.cli(None)
        paths = [Path(f) for f in files] if files else shipped_template_files()
        words = {
            "created": _("已新建"),
            "unchanged": _("无变化"),
            "updated": _("已生成新版本"),
            "differs": _("文件与现有规则不同（加 --update 生成新版本）"),
        }
        for path in paths:
            try:
                document, source = read_template_file(path)
                template, outcome = template_import(actor=actor, document=document, source_text=source, update=update)
            except (SpecError, OSError) as exc:
                raise CommandError(str(exc)) from exc
            except ValidationError as exc:
                raise CommandError(f"{path.name}：{'；'.join(exc.messages)}") from exc
            except PermissionDenied as exc:
                raise CommandError(str(exc)) from exc
            version = template.versions.order_by("-number").first()
            self.stdout.write(f"{template.code}\t{template.name}\t{_('第 %(n)s 版') % {'n': version.number}}\t"
                              f"{words[outcome]}")  # fmt: skip
