"""``miaopu crypto status|add-key|rotate``: the keys of the encrypted columns and their rotation.

* ``status`` — per encrypted column, rows per field-key id; per blind index, rows per index-key id; and
  which configured keys are current / still needed.
* ``add-key field|index`` — puts a new random key *first* in the key file (the old ones stay, to read old rows).
  With the key in an environment variable, prints a new key to put first in the variable instead.
* ``rotate [--batch-size N]`` — re-encrypts every value written under an older field key and recomputes every
  blind index written under an older index key, in primary-key batches, each batch in its own transaction;
  prints the counts and records one audit event. Run ``status`` afterwards: when no row names an old key id,
  that key can be removed from the file or variable.

See docs/security.md (字段加密).
"""

from __future__ import annotations

import os
import secrets

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from miaopu.apps.core import recrypt
from miaopu.apps.core.audit import Actor, record
from miaopu.apps.core.choices import AuditAction, AuditCategory
from miaopu.apps.core.crypto import KEY_LENGTHS, DecryptionError, key_file, key_id_of, keyring, reset_key_cache

PURPOSES = ("field", "index")


class Command(BaseCommand):
    help = "Field encryption keys: status, add a key, rotate (re-encrypt and re-index every row)."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("status", help="rows per key id for every encrypted column and blind index")
        add = sub.add_parser("add-key", help="put a new random key first in the key file (old keys are kept)")
        add.add_argument("purpose", choices=PURPOSES)
        rotate = sub.add_parser("rotate", help="re-encrypt and re-index every row under the current keys")
        rotate.add_argument("--batch-size", type=int, default=recrypt.BATCH_SIZE)

    def handle(self, *args, action: str, **options) -> None:
        reset_key_cache()
        if action == "status":
            self.status()
        elif action == "add-key":
            self.add_key(options["purpose"])
        else:
            self.rotate(options["batch_size"])

    # --------------------------------------------------------------------------------------------------------

    def _rings(self):
        try:
            return keyring("field"), keyring("index")
        except Exception as exc:  # ImproperlyConfigured: say which key is missing and how to provide it
            raise CommandError(str(exc)) from exc

    def status(self) -> None:
        field_ring, index_ring = self._rings()
        used: dict[str, set[str]] = {"field": set(), "index": set()}
        for name, ring in (("field", field_ring), ("index", index_ring)):
            ids = [key_id_of(k) for k in ring.keys]
            self.stdout.write(
                _("%(name)s 密钥：当前 %(current)s；旧密钥 %(old)s")
                % {"name": name, "current": ids[0], "old": "、".join(ids[1:]) or "-"}
            )
        for spec in recrypt.registry():
            counts = recrypt.key_counts(spec)
            for column, counter in counts.items():
                purpose = "index" if any(i.column == column for i in spec.indexes) else "field"
                used[purpose].update(k for k in counter if k != "plaintext")
                shown = "，".join(f"{key}: {n}" for key, n in sorted(counter.items())) or "0"
                self.stdout.write(f"{spec.table}.{column}  {shown}")
        for name, ring in (("field", field_ring), ("index", index_ring)):
            for key in ring.keys[1:]:
                kid = key_id_of(key)
                if kid not in used[name]:
                    self.stdout.write(
                        _("%(name)s 旧密钥 %(id)s 已无数据使用，可以从密钥文件或环境变量中删除。")
                        % {"name": name, "id": kid}
                    )
        unknown = {
            name: sorted(used[name] - {key_id_of(k) for k in ring.keys})
            for name, ring in (("field", field_ring), ("index", index_ring))
        }
        for name, ids in unknown.items():
            if ids:
                self.stderr.write(
                    _("有数据使用未配置的 %(name)s 密钥 %(ids)s，这些数据无法读取或检索。")
                    % {"name": name, "ids": "、".join(ids)}
                )

    def add_key(self, purpose: str) -> None:
        new = secrets.token_bytes(KEY_LENGTHS[purpose])
        env_name = f"MIAOPU_{purpose.upper()}_KEY"
        if os.environ.get(env_name, "").strip():
            self.stdout.write(
                _("%(env)s 来自环境变量，本命令不能修改。请把下面的新密钥放在该变量最前面（逗号分隔，旧密钥在后）：")
                % {"env": env_name}
            )
            self.stdout.write(new.hex())
            return
        ring = keyring(purpose)  # creates the file in development; fails loudly in production without one
        path = key_file(purpose)
        text = "\n".join([new.hex(), *(k.hex() for k in ring.keys)]) + "\n"
        temporary = path.with_name(path.name + ".new")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.replace(temporary, path)
        reset_key_cache()
        self.stdout.write(
            _("已在 %(path)s 最前面加入新的 %(name)s 密钥 %(id)s（旧密钥保留）。请运行 miaopu crypto rotate。")
            % {"path": path, "name": purpose, "id": key_id_of(new)}
        )

    def rotate(self, batch_size: int) -> None:
        if batch_size < 1:
            raise CommandError(_("--batch-size 应为正整数。"))
        field_ring, index_ring = self._rings()
        totals: dict[str, dict[str, int]] = {}
        rows = 0
        try:
            for spec in recrypt.registry():
                outcome = recrypt.process(
                    spec, "rotate", batch_size=batch_size, field_ring=field_ring, index_ring=index_ring
                )
                rows += outcome.rows
                table = totals.setdefault(spec.table, {"rows": outcome.rows})
                for (_table, column), n in sorted(outcome.rewritten.items()):
                    table[column] = n
                changed = "，".join(f"{c}: {n}" for c, n in table.items() if c != "rows") or _("无需改写")
                self.stdout.write(
                    _("%(table)s：%(rows)s 行，改写 %(changed)s")
                    % {"table": spec.table, "rows": outcome.rows, "changed": changed}
                )
        except DecryptionError as exc:
            raise CommandError(
                _("有数据无法解密（%(msg)s）。请确认旧密钥仍在密钥文件或环境变量中，再重新运行。") % {"msg": exc}
            ) from exc
        rewritten = sum(n for table in totals.values() for c, n in table.items() if c != "rows")
        record(
            Actor.cli(),
            category=AuditCategory.CHANGE,
            action=AuditAction.UPDATE,
            obj="core.fieldkey",
            object_repr=_("字段加密密钥轮换"),
            detail={
                "field_key": field_ring.current_id,
                "index_key": index_ring.current_id,
                "rows": rows,
                "rewritten": rewritten,
                "tables": totals,
            },
        )
        self.stdout.write(
            _("完成：共检查 %(rows)s 行，改写 %(n)s 个值；当前字段密钥 %(f)s，索引密钥 %(i)s。")
            % {"rows": rows, "n": rewritten, "f": field_ring.current_id, "i": index_ring.current_id}
        )
