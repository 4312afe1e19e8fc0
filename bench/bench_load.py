"""Load run: 50 concurrent users on the demo city (5,000 cadres), the main pages, on loopback.

    python bench/bench_load.py                       # builds /tmp/load.sqlite3 on first use, then runs
    python bench/bench_load.py --users 50 --time 60 --fresh
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/miaopu_load python bench/bench_load.py

1. The database: ``DATABASE_URL`` (default ``sqlite:////tmp/load.sqlite3``, a scratch file). The script runs
   ``miaopu migrate`` and, if it has no cadres (or with ``--fresh``), ``miaopu demo --cadres 5000`` into it.
2. It signs each simulated user in beforehand with Django's own login (so the minute measured is not spent on
   50 password hashes at once) and picks, for each account, cadres that account may see (through the same
   selectors as the pages).
3. It starts the app on 127.0.0.1 — gunicorn (``bench/settings_bench.py``: DEBUG off) if installed, else
   ``runserver --noreload`` — and runs locust headless with the users defined below for ``--time`` seconds.
   Each user, with ``--wait`` seconds of think time, opens: the login page and signs in with the password (the
   real thing, password hash included), the home page, the dashboard, the roster filtered, a cadre's record,
   a cadre's growth file and the cadre API list. Anything but 200 (or, for the sign-in, a redirect away from
   the login page) counts as an error.
4. It stops the server and prints, per page: requests, failures, median and p95 (ms), and the totals and the
   load average. Figures only: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATABASE = "sqlite:////tmp/load.sqlite3"
#: Simulated users' accounts (demo city): three city-wide 组织部 users for every district one and every officer.
ACCOUNTS = ("orgdept", "orgdept", "orgdept", "orgdept_donghu", "officer")
DEMO_PASSWORD = "Miaopu@2026"


# ---------------------------------------------------------------- the simulated user (read by locust, not by main)

if __name__ != "__main__" and "locust" in sys.modules:  # imported by ``locust -f bench/bench_load.py``
    import itertools
    import re

    from locust import HttpUser, between, task
    from locust.clients import HttpSession

    _PLAN = json.loads(Path(os.environ["MIAOPU_LOAD_PLAN"]).read_text("utf-8"))
    _SESSIONS = iter(_PLAN["sessions"])
    _WAIT = [float(x) for x in _PLAN["wait"].split(",")]
    _CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    _LOGINS = itertools.cycle(_PLAN["logins"])

    class CadreOfficeUser(HttpUser):
        """One 组织部 or unit officer at work: mostly reading rosters, records and growth files."""

        wait_time = between(_WAIT[0], _WAIT[-1])

        def on_start(self) -> None:
            self.account, key = next(_SESSIONS)
            self.cadres = _PLAN["cadres"][self.account]
            self.client.cookies.set("sessionid", key)

        def _get(self, url: str, name: str) -> None:
            with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
                if response.status_code != 200:
                    response.failure(f"{response.status_code} {response.headers.get('Location', '')}")

        @task(1)
        def login(self) -> None:
            """The login page, then a real password sign-in, in a fresh session (this user stays signed in)."""
            account = next(_LOGINS)
            browser = HttpSession(base_url=self.host, request_event=self.environment.events.request, user=self)
            with browser.get("/login/", name="登录页 /login/", catch_response=True) as page:
                token = _CSRF.search(page.text)
                if page.status_code != 200 or token is None:
                    page.failure(f"{page.status_code} 无登录表单")
                    return
            data = {"username": account, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token.group(1)}
            with browser.post(
                "/login/",
                data=data,
                name="登录 POST /login/",
                headers={"Referer": self.host + "/login/"},
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code != 302 or "/login/" in response.headers.get("Location", ""):
                    response.failure(f"{account}: 登录失败 {response.status_code}")
            browser.close()

        @task(2)
        def home(self) -> None:
            self._get("/", "首页 /")

        @task(2)
        def dashboard(self) -> None:
            self._get("/analytics/", "看板 /analytics/")

        @task(3)
        def roster_filtered(self) -> None:
            self._get("/cadres/?age_max=35&gender=female", "名单筛选 /cadres/?age_max=35&gender=female")

        @task(3)
        def cadre_detail(self) -> None:
            self._get(f"/cadres/{random.choice(self.cadres)}/", "干部信息 /cadres/<id>/")  # noqa: S311

        @task(2)
        def growth_file(self) -> None:
            self._get(f"/growth/cadres/{random.choice(self.cadres)}/", "成长档案 /growth/cadres/<id>/")  # noqa: S311

        @task(2)
        def api_list(self) -> None:
            self._get("/api/cadres/?page=1", "接口 /api/cadres/")


# ---------------------------------------------------------------- the driver


def _miaopu(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "-m", "miaopu.cli", *args], env=env, check=True)  # noqa: S603


def prepare_database(database_url: str, cadres: int, fresh: bool) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "miaopu.config.settings.dev"}
    if fresh and database_url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(database_url.removeprefix("sqlite://") + suffix).unlink(missing_ok=True)
    _miaopu("migrate", "--noinput", "-v", "0", env=env)
    began = time.monotonic()
    _miaopu("demo", "--if-empty", "--cadres", str(cadres), env=env)
    print(f"演示数据就绪（{time.monotonic() - began:.0f} 秒）")


def make_plan(users: int, wait: str) -> dict:
    """Sessions for the simulated users and, per account, cadres it may see (through the pages' selectors)."""
    from django.test import Client

    from miaopu.apps.cadres.selectors import cadre_list
    from miaopu.apps.core.models import User

    rng = random.Random(2026)  # noqa: S311 - choosing pages, not secrets
    sessions, cadres = [], {}
    for i in range(users):
        account = ACCOUNTS[i % len(ACCOUNTS)]
        user = User.objects.get(username=account)
        if account not in cadres:
            ids = list(cadre_list(user=user).order_by("pk").values_list("pk", flat=True))
            cadres[account] = rng.sample(ids, min(200, len(ids)))
        client = Client()
        client.force_login(user)
        sessions.append((account, client.cookies["sessionid"].value))
    return {"sessions": sessions, "cadres": cadres, "wait": wait, "logins": sorted(set(ACCOUNTS))}


def _percentile_row(row: dict) -> tuple[str, str]:
    return f"{float(row['50%'] or 0):.0f}", f"{float(row['95%'] or 0):.0f}"


def run(args) -> int:
    sys.path.insert(0, str(HERE))
    from bench_dashboard import _has_module, _run_locust, _start_server, _stop, _table

    os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miaopu.config.settings.dev")
    if not _has_module("locust"):
        print("未安装 locust：pip install -e '.[test]'", file=sys.stderr)
        return 1
    import django

    django.setup()
    from django.db import connection

    from miaopu.apps.cadres.models import Cadre

    connection.close()
    prepare_database(args.database, args.cadres, args.fresh)  # migrate; the demo city only if it is empty
    cadre_count = Cadre.objects.count()
    out = Path(tempfile.mkdtemp(prefix="miaopu-load-"))
    plan_file = out / "plan.json"
    plan_file.write_text(json.dumps(make_plan(args.users, args.wait), ensure_ascii=False), "utf-8")
    connection.close()
    load_before = os.getloadavg()
    proc, kind = _start_server(args.port, args.workers, args.database, 60)
    try:
        env = {**os.environ, "MIAOPU_LOAD_PLAN": str(plan_file)}
        stats, failures, elapsed = _run_locust(
            Path(__file__).resolve(), users=args.users, spawn_rate=args.spawn_rate, seconds=args.time,
            port=args.port, env=env, out=out, grace=180,
        )  # fmt: skip
        load_during = os.getloadavg()
    finally:
        _stop(proc)
    print(
        f"\n{args.users} 个并发用户（locust，每秒新增 {args.spawn_rate} 个），思考时间 {args.wait} 秒，"
        f"用时 {elapsed:.0f} 秒（上限 {args.time} 秒）"
    )
    print(f"服务器 {kind}，数据库 {connection.vendor}（{args.database}），干部 {cadre_count} 名")
    print(
        f"负载（1/5/15 分钟）：开始前 {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}，"
        f"结束时 {load_during[0]:.2f} {load_during[1]:.2f} {load_during[2]:.2f}（{os.cpu_count()} 核）\n"
    )
    rows = []
    for row in stats:
        if row["Name"] == "Aggregated":
            continue
        p50, p95 = _percentile_row(row)
        slowest = f"{float(row['Max Response Time'] or 0):.0f}"
        rows.append((row["Name"], row["Request Count"], row["Failure Count"], p50, p95, slowest))
    _table(("页面", "请求数", "失败", "中位数 ms", "p95 ms", "最慢 ms"), rows)
    total = next((r for r in stats if r["Name"] == "Aggregated"), None)
    if total:
        p50, p95 = _percentile_row(total)
        print(
            f"\n合计 {total['Request Count']} 个请求，失败 {total['Failure Count']} 个，"
            f"吞吐 {float(total['Requests/s']):.1f} 次/秒，中位数 {p50} ms，p95 {p95} ms"
        )
    for row in failures[:10]:
        print(f"失败：{row['Method']} {row['Name']} × {row['Occurrences']}：{row['Error']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE)
    parser.add_argument("--cadres", type=int, default=5000, help="demo city size when it is built (default 5000)")
    parser.add_argument("--fresh", action="store_true", help="rebuild the demo database first")
    parser.add_argument("--users", type=int, default=50, help="concurrent users (default 50)")
    parser.add_argument("--spawn-rate", type=int, default=10, help="users started per second (default 10)")
    parser.add_argument("--time", type=int, default=60, help="seconds of load (default 60)")
    parser.add_argument("--wait", default="3,8", help="think time per user, min,max seconds (default 3,8)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--port", type=int, default=8766, help="loopback port (default 8766)")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
