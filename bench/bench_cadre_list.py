"""Time the cadre roster and the cadre API against whatever database ``DATABASE_URL`` points at.

Prepare a big city first (see bench/README.md), e.g.::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/miaopu_bench miaopu demo --cadres 200000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/miaopu_bench python bench/bench_cadre_list.py

Each case is requested through Django's test client as a demo account (the full stack: middleware,
session, access scoping, filters, template or serializer), warmed up, then timed ``--runs`` times; the
table shows median and p95 wall time, the number of SQL queries and the response size. ``--explain``
prints the plan of the slowest SQL statement of each case (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY
PLAN on SQLite). Figures only: this script never asserts a time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miaopu.config.settings.dev")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # measure what production runs: no query log, no debug templates


def _cases(common_surname: str) -> list[tuple[str, str, str]]:
    """(label, account, URL)."""
    from miaopu.apps.units.models import Unit

    district = Unit.objects.filter(level="county", parent__parent=None).order_by("name").first()
    unit = f"&unit={district.pk}" if district else ""
    return [
        ("(a) 干部名单首页", "orgdept", "/cadres/"),
        ("(b) 组合筛选 35岁以下女干部+区县", "orgdept", f"/cadres/?age_max=35&gender=female{unit}"),
        (f"(c) 姓名检索 q={common_surname}", "orgdept", f"/cadres/?q={common_surname}"),
        ("(d) 接口 /api/cadres/?page=1", "orgdept", "/api/cadres/?page=1"),
        ("(e) 35岁以下无乡村经历", "orgdept", "/cadres/?age_max=35&rural=no"),
        ("(f) 区县账号的名单首页", "orgdept_donghu", "/cadres/"),
        ("(g) 名单末页附近 page=100", "orgdept", "/cadres/?page=100"),
    ]


def _client(username: str):
    from django.test import Client

    from miaopu.apps.core.demo import DEMO_PASSWORD
    from miaopu.apps.core.models import User

    client = Client()
    if not client.login(username=username, password=DEMO_PASSWORD):
        client.force_login(User.objects.get(username=username))
    return client


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def _explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join("    " + " ".join(str(c) for c in row) for row in cursor.fetchall())


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed requests per case (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per case first (default 3)")
    parser.add_argument("--surname", default="陈", help="the surname searched in case (c)")
    parser.add_argument("--explain", action="store_true", help="print the plan of each case's slowest query")
    args = parser.parse_args(argv)
    _setup()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from miaopu.apps.cadres.models import Cadre

    cadres = Cadre.objects.count()
    engine = connection.vendor
    name = connection.settings_dict.get("NAME")
    print(f"数据库 {engine} {name}，干部 {cadres} 名，每项 {args.runs} 次（预热 {args.warmup} 次）")
    if not cadres:
        print("数据库中没有干部：请先运行 miaopu demo --cadres 200000", file=sys.stderr)
        return 1
    rows = []
    plans = []
    clients: dict[str, object] = {}
    for label, account, url in _cases(args.surname):
        client = clients.get(account) or _client(account)
        clients[account] = client
        for _ in range(args.warmup):
            response = client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        queries = list(ctx.captured_queries)
        times = []
        for _ in range(args.runs):
            began = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - began) * 1000)
        rows.append(
            (
                label,
                str(response.status_code),
                f"{statistics.median(times):.0f}",
                f"{_percentile(times, 95):.0f}",
                f"{min(times):.0f}",
                str(len(queries)),
                f"{len(response.content) / 1024:.0f}",
            )
        )
        if args.explain and queries:
            slowest = max(queries, key=lambda q: float(q.get("time") or 0))
            plans.append((label, url, slowest["time"], slowest["sql"]))
    headers = ("用例", "状态", "中位数ms", "p95 ms", "最快ms", "SQL数", "KB")
    widths = [max(_width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    print()
    for n, row in enumerate([headers, *rows]):
        print("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    for label, url, seconds, sql in plans:
        print(f"\n== {label}  {url}\n   最慢的 SQL（{float(seconds) * 1000:.0f} ms）：\n    {sql}\n   执行计划：")
        print(_explain(sql))
    return 0


if __name__ == "__main__":
    sys.exit(main())
