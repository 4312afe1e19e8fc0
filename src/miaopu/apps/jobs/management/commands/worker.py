"""``miaopu worker [--concurrency N]``: run background jobs from the PostgreSQL queue (procrastinate).

Start one or more on any host that reaches the database and the shared storage directory; each job runs
once (see ``miaopu.apps.jobs.runner``). Also runs the periodic tasks: the daily alert refresh at 01:15 and the
sweep that re-queues the jobs of a worker that died. With the embedded SQLite database jobs run in the web
process and no worker is needed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _("运行后台任务（PostgreSQL 任务队列）")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--concurrency", type=int, default=2, help=_("同时运行的任务数"))

    def handle(self, *args, concurrency: int, **options) -> None:
        if settings.MIAOPU_JOBS_BACKEND != "procrastinate":
            raise CommandError(
                _("当前配置不使用任务队列（MIAOPU_JOBS_BACKEND=%(b)s）：任务在网站进程中运行，不需要单独的 worker。")
                % {"b": settings.MIAOPU_JOBS_BACKEND}
            )
        call_command("procrastinate", "worker", "--queues", "miaopu", "--concurrency", str(concurrency))
