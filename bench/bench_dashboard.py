"""Time the dashboard, reports and alert pages, then load the server with 20 concurrent users (locust).

Prepare a big city first (see bench/README.md)::

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/miaopu_bench
    miaopu migrate && miaopu demo --cadres 200000 && miaopu alerts
    python bench/bench_dashboard.py

Part 1 (in process, like ``bench_cadre_list.py``): each page through Django's test client as a demo account,
warmed up, then timed ``--runs`` times: median, p95, max, SQL count, size.

Part 2 (load): starts a server on 127.0.0.1 (gunicorn if installed, else ``runserver --noreload``) with
``bench/settings_bench.py`` (DEBUG off), runs locust headless (``bench/locustfile.py``: ``--users`` concurrent
users, default 20, logged in as ``orgdept`` and ``orgdept_donghu``) for at most ``--time`` seconds and
``--max-requests`` requests, stops the server and prints p50/p95/max and error counts per page, against the
targets: dashboard ≤ 1 s, lists and searches ≤ 300 ms at p95. Figures only: nothing here asserts a time.
Traffic goes to the loopback address only.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, unquote

HERE = Path(__file__).resolve().parent
DASHBOARD_PAGES = ("看板", "首页")
#: Targets of the issue (ms): the dashboard in 1 s; lists and searches in 300 ms at the 95th percentile.
TARGETS = {"dashboard": 1000, "list": 300}


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miaopu.config.settings.dev")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(_width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    for n, row in enumerate([headers, *rows]):
        print("  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def _district():
    from miaopu.apps.units.models import Unit

    return Unit.objects.filter(level="county", parent__parent=None).order_by("name").first()


# ---------------------------------------------------------------- part 1: in process


def name_fragments(count: int = 20, seed: int = 9) -> list[str]:
    """What a clerk types to find someone: the surname and the first given-name character of ``count`` cadres
    picked at random (fixed seed) from the city itself, so every search finds its person and a few namesakes."""
    import random

    from miaopu.apps.cadres.models import Cadre

    ids = list(Cadre.objects.filter(status="active").order_by("pk").values_list("pk", flat=True))
    if not ids:
        return []
    picked = random.Random(seed).sample(ids, min(count, len(ids)))
    names = Cadre.objects.filter(pk__in=picked).order_by("pk").values_list("name", flat=True)
    return [name[:2] for name in names if name]


def in_process(runs: int, warmup: int, surname: str = "陈", names: list[str] | None = None) -> None:
    """Every page counted afresh (the dashboard's figure cache off): what one view costs."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from miaopu.apps.core.models import User

    settings.MIAOPU_ANALYTICS_CACHE_SECONDS = 0
    settings.MIAOPU_ROSTER_COUNT_CACHE_SECONDS = 0  # the roster's large counts too: the cost of a cold page
    district = _district()
    unit = f"&unit={district.pk}" if district else ""
    fragment = quote(names[0]) if names else quote(surname)
    cases = [
        ("首页（含看板）", "orgdept", "/"),
        ("看板 /analytics/", "orgdept", "/analytics/"),
        ("看板（区县账号）", "orgdept_donghu", "/analytics/"),
        ("报表 35岁以下女干部", "orgdept", "/analytics/report/?age_max=35&gender=female"),
        ("预警列表", "orgdept", "/analytics/alerts/"),
        ("预警列表 红色", "orgdept", "/analytics/alerts/?level=red"),
        ("接口 /api/analytics/stats/", "orgdept", "/api/analytics/stats/"),
        ("Excel 报表", "orgdept", "/analytics/report/?format=xlsx"),
        # Lists and searches (target 300 ms at p95 under load); here each one cold, alone.
        ("名单 /cadres/", "orgdept", "/cadres/"),
        (f"姓名检索 q={unquote(fragment)}", "orgdept", f"/cadres/?q={fragment}"),
        (f"姓名检索（仅姓）q={surname}", "orgdept", f"/cadres/?q={quote(surname)}"),
        ("组合筛选 35岁以下女干部+区县", "orgdept", f"/cadres/?age_max=35&gender=female{unit}"),
        ("单位筛选（区县）", "orgdept", f"/cadres/?unit={district.pk}" if district else "/cadres/"),
        ("35岁以下无乡村经历", "orgdept", "/cadres/?age_max=35&rural=no"),
        ("区县账号的名单", "orgdept_donghu", "/cadres/"),
        ("接口 /api/cadres/", "orgdept", "/api/cadres/?page=1"),
        ("接口 35岁以下无乡村经历", "orgdept", "/api/cadres/?age_max=35&rural=no"),
    ]
    clients: dict[str, Client] = {}
    rows = []
    for label, account, url in cases:
        client = clients.get(account)
        if client is None:
            client = clients[account] = Client()
            client.force_login(User.objects.get(username=account))
        for _ in range(warmup):
            response = client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        queries = len(ctx.captured_queries)  # read now: the next request resets the connection's query log
        times = []
        for _ in range(runs):
            began = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - began) * 1000)
        rows.append((label, str(response.status_code), f"{statistics.median(times):.0f}",
                     f"{_percentile(times, 95):.0f}", f"{max(times):.0f}", str(queries),
                     f"{len(response.content) / 1024:.0f}"))  # fmt: skip
    load_now = os.getloadavg()[0]
    print(f"\n第一部分：进程内单用户，每次重新统计（每项 {runs} 次，预热 {warmup} 次），负载 {load_now:.1f}\n")
    _table(("页面", "状态", "中位数ms", "p95 ms", "最慢ms", "SQL数", "KB"), rows)


# ---------------------------------------------------------------- part 2: load


def _start_server(port: int, workers: int, database_url: str, cache_seconds: int) -> tuple[subprocess.Popen, str]:
    env = {
        **os.environ,
        "MIAOPU_ANALYTICS_CACHE_SECONDS": str(cache_seconds),
        "DJANGO_SETTINGS_MODULE": "settings_bench",
        "PYTHONPATH": os.pathsep.join(p for p in (str(HERE), os.environ.get("PYTHONPATH", "")) if p),
        "DATABASE_URL": database_url,
    }
    env.pop("MIAOPU_DEBUG", None)
    try:
        import gunicorn  # noqa: F401

        cmd = [sys.executable, "-m", "gunicorn", "miaopu.config.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--timeout", "120", "--log-level", "warning"]  # fmt: skip
        kind = f"gunicorn（{workers} 个工作进程）"
    except ImportError:
        cmd = [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"]
        kind = "runserver --noreload（多线程）"
    import socket

    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"端口 {port} 已被占用：请用 --port 换一个，或先停止占用它的进程")
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError("服务器未能启动：" + log.read().decode(errors="replace")[-2000:])
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return proc, kind
        except OSError:
            time.sleep(0.5)
    _stop(proc)
    raise RuntimeError("服务器 60 秒内没有响应")


def _run_locust(
    locustfile: Path, *, users: int, spawn_rate: int, seconds: int, port: int, env: dict, out: Path, grace: int
) -> tuple[list[dict], list[dict], float]:
    """Run locust headless against the loopback server for ``seconds``; (stats rows, failure rows, seconds taken).

    The CSV files and locust's log go to ``out``; without results the log's tail is printed and it raises."""
    cmd = [sys.executable, "-m", "locust", "-f", str(locustfile), "--headless", "-u", str(users), "-r", str(spawn_rate),
           "-t", f"{seconds}s", "--host", f"http://127.0.0.1:{port}", "--csv", str(out / "run"), "--only-summary",
           "--loglevel", "ERROR", "--stop-timeout", "10"]  # fmt: skip
    began = time.monotonic()
    with (out / "locust.log").open("wb") as log:
        done = subprocess.run(cmd, env=env, timeout=seconds + grace, check=False, stdout=log, stderr=log)  # noqa: S603
    elapsed = time.monotonic() - began
    if not (out / "run_stats.csv").exists():
        print((out / "locust.log").read_text(errors="replace")[-3000:], file=sys.stderr)
        raise RuntimeError(f"locust 没有输出结果（退出码 {done.returncode}）")
    stats = list(csv.DictReader((out / "run_stats.csv").open(encoding="utf-8")))
    failures = list(csv.DictReader((out / "run_failures.csv").open(encoding="utf-8")))
    return stats, failures, elapsed


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server this script started (its own process group: the gunicorn master and its workers)."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def load(
    users: int,
    seconds: int,
    max_requests: int,
    workers: int,
    port: int,
    wait: str,
    surname: str,
    cache_seconds: int,
    names: list[str] | None = None,
) -> None:
    from django.db import connection

    if shutil.which("locust") is None and not _has_module("locust"):
        print("\n第二部分跳过：未安装 locust（pip install -e '.[test]'）", file=sys.stderr)
        return
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url:
        print("\n第二部分跳过：请用 DATABASE_URL 指定数据库（服务器进程需要同一个数据库）", file=sys.stderr)
        return
    district = _district()
    names = names or []
    sessions = _sessions(users)
    proc, kind = _start_server(port, workers, database_url, cache_seconds)
    out = Path(tempfile.mkdtemp(prefix="miaopu-bench-"))
    try:
        _warm_up(port, sessions, district, workers)
        env = {
            **os.environ,
            "MIAOPU_BENCH_DISTRICT": str(district.pk) if district else "",
            "MIAOPU_BENCH_MAX_REQUESTS": str(max_requests),
            "MIAOPU_BENCH_WAIT": wait,
            "MIAOPU_BENCH_SURNAME": surname,
            "MIAOPU_BENCH_NAMES": ",".join(names),
            "MIAOPU_BENCH_SESSIONS": ",".join(f"{account}={key}" for account, key in sessions),
        }
        stats, failures, elapsed = _run_locust(
            HERE / "locustfile.py", users=users, spawn_rate=users, seconds=seconds, port=port, env=env, out=out,
            grace=120,
        )  # fmt: skip
    finally:
        _stop(proc)
    cache_note = f"看板统计缓存 {cache_seconds} 秒" if cache_seconds else "看板统计不缓存"
    print(f"\n第二部分：{users} 个并发用户（locust），服务器 {kind}，数据库 {connection.vendor}，{cache_note}")
    print(
        f"用时 {elapsed:.0f} 秒（上限 {seconds} 秒、{max_requests} 个请求），思考时间 {wait} 秒，"
        f"负载 {os.getloadavg()[0]:.1f}\n"
    )
    rows = []
    verdicts = []
    for row in stats:
        name = row["Name"]
        if name in ("Aggregated",) or name.startswith("登录"):
            continue
        count, errors = int(row["Request Count"]), int(row["Failure Count"])
        p50, p95, top = (float(row[k] or 0) for k in ("50%", "95%", "Max Response Time"))
        target = TARGETS["dashboard"] if name.startswith(DASHBOARD_PAGES) else TARGETS["list"]
        meets = "达标" if p95 <= target and not errors else "未达标"
        verdicts.append(meets == "达标")
        rows.append((name, str(count), str(errors), f"{p50:.0f}", f"{p95:.0f}", f"{top:.0f}", f"≤{target}", meets))
    _table(("页面", "请求数", "错误", "p50 ms", "p95 ms", "最慢ms", "p95目标", "结果"), rows)
    total = next((r for r in stats if r["Name"] == "Aggregated"), None)
    if total:
        print(f"\n合计 {total['Request Count']} 个请求，错误 {total['Failure Count']} 个，"
              f"吞吐 {float(total['Requests/s']):.1f} 次/秒")  # fmt: skip
    for row in failures[:10]:
        print(f"错误：{row['Name']} × {row['Occurrences']}：{row['Error']}")
    print(f"\n{sum(verdicts)}/{len(verdicts)} 项达标")


#: Accounts of the simulated users: three city-wide 组织部 users for every district one.
ACCOUNTS = ("orgdept", "orgdept", "orgdept", "orgdept_donghu")
WARM_UP_URLS = ("/", "/analytics/", "/cadres/", "/cadres/?q=%E9%99%88", "/api/cadres/?page=1", "/analytics/alerts/")


def _sessions(users: int) -> list[tuple[str, str]]:
    """One signed-in session per simulated user, made with Django's own login (no password hashing in the run)."""
    from django.test import Client

    from miaopu.apps.core.models import User

    found = []
    for i in range(users):
        account = ACCOUNTS[i % len(ACCOUNTS)]
        client = Client()
        client.force_login(User.objects.get(username=account))
        found.append((account, client.cookies["sessionid"].value))
    return found


def _warm_up(port: int, sessions: list[tuple[str, str]], district, workers: int) -> None:
    """Unmeasured requests from ``workers`` threads at once, so every worker process is warm (templates, message
    catalogues, database connection), as a server in service is."""
    from concurrent.futures import ThreadPoolExecutor

    keys = list(dict(sessions).values())
    unit = f"&unit={district.pk}" if district else ""
    urls = [*WARM_UP_URLS, f"/cadres/?age_max=35&gender=female{unit}", "/cadres/?age_max=35&rural=no"]

    def walk(_worker: int) -> list[str]:
        problems = []
        for key in keys:
            for url in urls:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}{url}", headers={"Cookie": f"sessionid={key}"}
                )
                try:
                    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - loopback only
                        response.read()
                except urllib.error.HTTPError as exc:
                    problems.append(f"{url} → {exc.code}")
        return problems

    with ThreadPoolExecutor(max_workers=workers) as pool:
        problems = sorted({p for found in pool.map(walk, range(workers)) for p in found})
    if problems:
        print("预热时出错：" + "；".join(problems), file=sys.stderr)


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="part 1: timed requests per page (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="part 1: untimed requests first (default 2)")
    parser.add_argument("--users", type=int, default=20, help="part 2: concurrent users (default 20)")
    parser.add_argument("--time", type=int, default=60, help="part 2: at most this many seconds (default 60)")
    parser.add_argument("--max-requests", type=int, default=5000, help="part 2: at most this many requests")
    parser.add_argument("--workers", type=int, default=4, help="part 2: gunicorn worker processes (default 4)")
    parser.add_argument("--port", type=int, default=8765, help="part 2: loopback port (default 8765)")
    parser.add_argument("--wait", default="1,3", help="part 2: think time per user, min,max seconds (default 1,3)")
    parser.add_argument("--surname", default="陈", help="the name searched")
    parser.add_argument("--cache-seconds", type=int, default=60, help="part 2: dashboard figure cache (0 = off)")
    parser.add_argument("--skip-load", action="store_true", help="only part 1")
    parser.add_argument("--skip-pages", action="store_true", help="only part 2")
    args = parser.parse_args(argv)
    _setup()

    from django.db import connection

    from miaopu.apps.analytics.models import AlertRun
    from miaopu.apps.cadres.models import Cadre

    cadres = Cadre.objects.count()
    print(
        f"数据库 {connection.vendor} {connection.settings_dict.get('NAME')}，干部 {cadres} 名，"
        f"负载 {os.getloadavg()[0]:.1f}"
    )
    if not cadres:
        print("数据库中没有干部：请先运行 miaopu demo --cadres 200000", file=sys.stderr)
        return 1
    if not AlertRun.objects.exists():
        print("提示：预警尚未生成，看板上的预警数为 0；请先运行 miaopu alerts", file=sys.stderr)
    names = name_fragments()
    print("检索的姓名片段（姓+名首字）：" + "、".join(names))
    if not args.skip_pages:
        in_process(args.runs, args.warmup, args.surname, names)
    if not args.skip_load:
        connection.close()
        load(args.users, args.time, args.max_requests, args.workers, args.port, args.wait, args.surname,
             args.cache_seconds, names)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
