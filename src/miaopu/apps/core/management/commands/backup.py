"""``miaopu backup [--output FILE]``: an SM4-GCM encrypted backup of the database (see core/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from miaopu.apps.core.audit import Actor, record
from miaopu.apps.core.backup import BackupError, backup
from miaopu.apps.core.choices import AuditAction, AuditCategory


class Command(BaseCommand):
    help = "Write an encrypted backup of the database (SQLite online backup or pg_dump, SM4-GCM)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", "-o", type=Path, help="file to write (default var/backups/miaopu-<time>.mpbak)")
        parser.add_argument("--database", default="default", help="database alias (default: default)")

    def handle(self, *args, output: Path | None = None, database: str = "default", **options) -> None:
        try:
            result = backup(output, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        record(
            Actor.cli(),
            category=AuditCategory.CHANGE,
            action=AuditAction.BACKUP,
            obj="core.backup",
            object_repr=result.path.name,
            detail={"file": str(result.path), "vendor": result.vendor, "key_id": result.key_id, "bytes": result.size},
        )
        self.stdout.write(
            _("已备份到 %(path)s（%(vendor)s，%(size)s 字节，SM4-GCM 加密，密钥标识 %(key)s）。")
            % {"path": result.path, "vendor": result.vendor, "size": result.size, "key": result.key_id}
        )
