"""``miaopu serve --production``: the production server — gunicorn with several worker processes.

Sets ``DJANGO_SETTINGS_MODULE=miaopu.config.settings.prod`` (unless another non-development module is set),
collects the static files (fingerprinted and compressed; WhiteNoise serves them from each instance), checks
the deployment (``check --deploy``) and replaces itself with gunicorn. Without ``--production`` it serves the
same way with the current (development) settings, which is for trying the production path locally only.
``miaopu runserver`` is the development server and never the production path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

PROD_SETTINGS = "miaopu.config.settings.prod"


def default_workers() -> int:
    return int(os.environ.get("MIAOPU_WORKERS") or 2 * (os.cpu_count() or 1) + 1)


class Command(BaseCommand):
    help = _("生产环境服务：gunicorn 多进程（--production 使用生产配置）")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--production", action="store_true", help=_("使用生产配置（miaopu.config.settings.prod）"))
        parser.add_argument("--bind", default=os.environ.get("MIAOPU_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=default_workers())
        parser.add_argument("--threads", type=int, default=int(os.environ.get("MIAOPU_THREADS", "4")))
        parser.add_argument("--timeout", type=int, default=int(os.environ.get("MIAOPU_REQUEST_TIMEOUT", "120")))
        parser.add_argument("--no-collectstatic", action="store_true", dest="no_collectstatic")
        parser.add_argument("--dry-run", action="store_true", dest="dry_run", help=_("只打印将要执行的命令"))

    def handle(self, *args, production: bool, bind: str, workers: int, threads: int, timeout: int, **options):
        env = dict(os.environ)
        current = env.get("DJANGO_SETTINGS_MODULE", "")
        if production and (not current or current.endswith((".dev", ".test"))):
            env["DJANGO_SETTINGS_MODULE"] = PROD_SETTINGS
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which("gunicorn")
        if not gunicorn:
            raise CommandError(_("找不到 gunicorn，请先安装（pip install gunicorn）。"))
        manage = [sys.executable, "-m", "django"]
        command = [
            gunicorn,
            "miaopu.config.wsgi:application",
            "--bind", bind,
            "--workers", str(workers),
            "--threads", str(threads),
            "--worker-class", "gthread",
            "--timeout", str(timeout),
            "--graceful-timeout", "30",
            "--max-requests", "2000",
            "--max-requests-jitter", "200",
            "--access-logfile", os.environ.get("MIAOPU_ACCESS_LOG", "-"),
            "--error-logfile", "-",
            "--forwarded-allow-ips", os.environ.get("MIAOPU_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]  # fmt: skip
        steps = []
        if not options["no_collectstatic"]:
            steps.append([*manage, "collectstatic", "--noinput", "-v", "0"])
        if production:
            steps.append([*manage, "check", "--deploy", "--fail-level", "ERROR"])
        if options["dry_run"]:
            for step in [*steps, command]:
                self.stdout.write(" ".join(step))
            self.stdout.write(f"DJANGO_SETTINGS_MODULE={env.get('DJANGO_SETTINGS_MODULE', '')}")
            return
        for step in steps:
            if subprocess.run(step, env=env, check=False).returncode != 0:  # noqa: S603
                raise CommandError(_("启动前检查未通过：%(cmd)s") % {"cmd": " ".join(step[2:])})
        self.stdout.write(
            _("苗圃生产服务：%(bind)s，%(w)s 个进程 × %(t)s 个线程") % {"bind": bind, "w": workers, "t": threads}
        )
        sys.stdout.flush()
        os.execve(gunicorn, command, env)  # noqa: S606
