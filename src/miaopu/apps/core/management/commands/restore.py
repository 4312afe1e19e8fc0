"""``miaopu restore FILE [--database-url URL] [--replace]``: restore an encrypted backup.

Without ``--database-url`` the backup replaces the system's own database, which needs ``--replace``
(a restore drill restores into a scratch database instead and compares it with the source).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from miaopu.apps.core.audit import Actor, record
from miaopu.apps.core.backup import BackupError, Target, restore
from miaopu.apps.core.choices import AuditAction, AuditCategory
from miaopu.apps.core.crypto import DecryptionError


class Command(BaseCommand):
    help = "Restore an encrypted Miaopu backup into the database (or into --database-url)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--database-url", help="restore into this database instead (sqlite:////path or postgres://…)"
        )
        parser.add_argument("--replace", action="store_true", help="replace the system's own database")

    def handle(self, *args, file: Path, database_url: str | None = None, replace: bool = False, **options) -> None:
        if not file.exists():
            raise CommandError(_("找不到备份文件 %(path)s。") % {"path": file})
        own = database_url is None
        if own and not replace:
            raise CommandError(
                _("恢复将覆盖本系统当前的全部数据：确认无误请加 --replace，或用 --database-url 恢复到其他数据库。")
            )
        try:
            target = Target.from_connection() if own else Target.from_url(database_url)
            if own:
                connections.close_all()
            meta = restore(file, target)
        except (BackupError, DecryptionError) as exc:
            raise CommandError(_("恢复失败：%(why)s") % {"why": exc}) from exc
        detail = {"file": str(file), "target": target.display, "created": meta.get("created"), "key_id": meta["key_id"]}
        # Recorded in the system's own database: after a --replace that is the restored one, so the restore
        # is the first thing its audit trail says after the backup's last record.
        record(
            Actor.cli(),
            category=AuditCategory.CHANGE,
            action=AuditAction.RESTORE,
            obj="core.backup",
            object_repr=file.name,
            detail=detail,
        )
        self.stdout.write(
            _("已将 %(file)s（备份于 %(created)s）恢复到 %(target)s。")
            % {"file": file, "created": meta.get("created"), "target": target.display}
        )
