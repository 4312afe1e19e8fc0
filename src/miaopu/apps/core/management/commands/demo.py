"""``miaopu demo [--cadres N] [--seed S] [--if-empty] [--force]``: build the demo city 示范市.

``make run`` calls it with ``--if-empty`` so a fresh installation opens on a populated city. Without
``--force`` it never touches a database that already holds units or cadres.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from miaopu.apps.core import demo


class Command(BaseCommand):
    help = _("生成演示数据：虚构的地级市“示范市”（单位、岗位、干部及履历、导师、各角色演示账号）。")

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--cadres", type=int, default=demo.DEFAULT_CADRES, help=_("干部人数（默认 %(default)s，最多 200000）")
        )
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help=_("随机种子：相同种子生成相同的城市"))
        parser.add_argument(
            "--if-empty", action="store_true", help=_("数据库中已有单位或干部时什么也不做（供 make run 使用）")
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("先删除全部单位、岗位、干部、履历和导师数据，再重新生成（仅用于演示环境）"),
        )

    def handle(self, *args, cadres: int, seed: int, if_empty: bool, force: bool, **options) -> None:
        if not 1 <= cadres <= demo.MAX_CADRES:
            raise CommandError(_("干部人数应在 1 到 %(max)d 之间。") % {"max": demo.MAX_CADRES})
        empty = demo.database_is_empty()
        if not empty and if_empty:
            self.stdout.write(_("数据库中已有数据，未生成演示数据。"))
            accounts = demo.existing_accounts()
            if accounts:
                self._accounts_table(accounts)
            return
        if not empty and not force:
            raise CommandError(
                _(
                    "数据库中已有单位或干部数据，为避免生成第二个城市，已停止。"
                    "如确需清空现有数据并重新生成演示城市，请加 --force（将删除全部单位、岗位、干部、履历和导师数据）。"
                )
            )
        progress = self._progress if cadres >= 20_000 else None
        try:
            result = demo.generate(
                cadres=cadres, seed=seed, replace=force and not empty, progress=progress, history=True
            )
        except ProtectedError as exc:
            raise CommandError(
                _("无法清空现有数据：仍有其他数据（如培养批次、成长档案）引用单位或干部，请先删除这些数据。（%(e)s）")
                % {"e": exc.args[0] if exc.args else exc}
            ) from exc
        self._report(result)
        if apps.is_installed("miaopu.apps.analytics"):
            # A new city opens with its early warnings already counted (in production `miaopu alerts` runs daily).
            call_command("alerts", stdout=self.stdout, stderr=self.stderr)

    def _progress(self, done: int, total: int) -> None:
        """A percentage on stderr: one updating line on a terminal, a line per tenth in a log file."""
        percent = done * 100 // total
        text = _("生成干部 %(p)3d%%（%(done)d/%(total)d）") % {"p": percent, "done": done, "total": total}
        self.stderr.style_func = None  # progress is not an error: no red
        if self.stderr.isatty():
            self.stderr.write("\r" + text, ending="\n" if done >= total else "")
        elif done >= total or percent // 10 != (done - demo.BATCH) * 100 // total // 10:
            self.stderr.write(text)
        self.stderr.flush()

    def _report(self, result: demo.DemoResult) -> None:
        c = result.counts
        self.stdout.write(
            _("已生成演示城市“%(city)s”（种子 %(seed)d，用时 %(sec).1f 秒）：")
            % {"city": demo.CITY_NAME, "seed": result.seed, "sec": result.seconds}
        )
        self.stdout.write(
            _(
                "  单位 %(units)d 个（市直机关 %(organs)d、区县 %(districts)d、镇街 %(towns)d、村社区 %(villages)d），"
                "岗位 %(posts)d 个，干部 %(cadres)d 名，履历 %(exp)d 条，导师 %(mentors)d 名，结对 %(ships)d 对。"
            )
            % {
                "units": c["units"],
                "organs": c["municipal_organs"],
                "districts": c["districts"],
                "towns": c["towns"],
                "villages": c["villages"],
                "posts": c["posts"],
                "cadres": c["cadres"],
                "exp": c["experiences"],
                "mentors": c["mentors"],
                "ships": c["mentorships"],
            }
        )
        self._accounts_table(result.accounts)

    def _accounts_table(self, accounts: list[tuple[str, str, str, str]]) -> None:
        self.stdout.write("")
        self.stdout.write(_("演示账号（仅用于演示环境，正式使用前请删除或修改密码）："))
        headers = (_("用户名"), _("角色"), _("管理范围"), _("密码"))
        rows = [headers, *accounts]
        widths = [max(_width(r[i]) for r in rows) for i in range(4)]
        for n, row in enumerate(rows):
            self.stdout.write("  " + "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)))
            if n == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
