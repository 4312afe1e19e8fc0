"""``miaopu audit verify`` and ``miaopu audit purge --before DATE``: the hash-chained audit trail.

``verify`` walks the whole chain (HMAC-SM3) and names the first row that was changed, inserted or deleted
(exit status 1), or prints OK, the number of rows and the chain head — note the head somewhere outside the
database (a paper log, another system) to be able to notice later that rows were cut off the end.
``purge`` removes records older than a date that is at least 183 days back, and records that it did.
"""

from __future__ import annotations

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from miaopu.apps.core import audit_chain
from miaopu.apps.core.audit import Actor


class Command(BaseCommand):
    help = "Verify the audit hash chain, or purge audit records older than 183 days."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="check every audit record against the HMAC-SM3 chain")
        purge = sub.add_parser("purge", help="delete records written before DATE (at least 183 days ago)")
        purge.add_argument("--before", required=True, type=dt.date.fromisoformat, metavar="YYYY-MM-DD")

    def handle(self, *args, action: str, **options) -> None:
        if action == "verify":
            self.verify()
        else:
            self.purge(options["before"])

    def verify(self) -> None:
        result = audit_chain.verify()
        if result.ok:
            self.stdout.write(
                _("OK：审计记录 %(n)s 条，校验链完整（序号 %(first)s–%(last)s，链头 %(head)s）。")
                % {
                    "n": result.checked,
                    "first": result.first_seq or "-",
                    "last": result.last_seq or "-",
                    "head": result.head_hmac or "-",
                }
            )
            return
        first = result.problems[0]
        self.stderr.write(_("审计记录校验失败：%(msg)s") % {"msg": first.message})
        for other in result.problems[1:]:
            self.stderr.write("  " + other.message)
        self.stderr.write(_("共检查 %(n)s 条记录。") % {"n": result.checked})
        sys.exit(1)

    def purge(self, before: dt.date) -> None:
        moment = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
        try:
            deleted = audit_chain.purge(before=moment, actor=Actor.cli())
        except audit_chain.PurgeRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("已清理 %(date)s 之前的审计记录 %(n)s 条。") % {"date": before.isoformat(), "n": deleted})
