"""Benchmark: import and export of a large roster workbook (the issue's target: 100,000 cadres with
300,000 experience rows imported in under 60 s on the 2-core reference machine, SQLite and PostgreSQL).

Usage (a database of its own, migrated by the script)::

    MIAOPU_VAR_DIR=/tmp/import-sqlite python bench/bench_import.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/miaopu_import python bench/bench_import.py
    python bench/bench_import.py --cadres 20000      # a quicker run

The workbook is synthesised deterministically (fixed seed, no database ids involved): a city with
10 districts, 100 towns, 1,000 villages and 50 municipal organs, N cadres with valid ID numbers and
consistent dates, and 3 experience rows each, written with the exporter's own writer. The script then
times, with the same orgdept account:

1. the first import (reading, checking every row, writing everything),
2. the same import again (must change nothing: the idempotent re-import),
3. an import of the same workbook with every post title changed (100,000 cadre updates, 300,000
   experience rows replaced),
4. an export of the whole scope.

It prints figures and never asserts times (house rule: benchmarks print, tests assert). It also prints
the load average, because the machine may be shared. Bench data: cadre codes start with ``BN``; units
with ``基准``; both are removed at the start of each run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miaopu.config.settings.dev")
os.environ.setdefault("MIAOPU_AUDIT_SOURCE", "cli")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from miaopu.apps.cadres.models import Cadre, Experience  # noqa: E402
from miaopu.apps.core.audit import Actor  # noqa: E402
from miaopu.apps.core.choices import Role  # noqa: E402
from miaopu.apps.core.models import User  # noqa: E402
from miaopu.apps.exchange.roster_export import write_roster  # noqa: E402
from miaopu.apps.exchange.services import roster_export, roster_import  # noqa: E402
from miaopu.apps.units.models import Unit  # noqa: E402
from miaopu.domain.idcard import make_id_number  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国海波宁斌晨思远文博欣怡佳琪子轩浩然"
POSTS = ["科员", "副主任科员", "党政办主任", "副镇长", "副局长", "科长", "副科长", "综合办主任", "驻村第一书记"]
POLITICAL = ["中共党员"] * 7 + ["群众", "预备党员", "民主党派"]
EDUCATION = ["大学本科"] * 6 + ["硕士研究生"] * 3 + ["大学专科"]
KINDS = ["任职"] * 6 + ["挂职", "借调", "交流", "实践"]


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def synthesise(root_name: str, cadres: int, per_cadre: int, seed: int = 2026, variant: str = "") -> bytes:
    """The benchmark workbook, the same bytes for the same arguments (``variant`` changes every post title)."""
    rng = random.Random(seed)
    units: list[list] = [[root_name, None, "市", "党政机关", "否", None, None, 0]]
    places: list[str] = []
    for o in range(50):
        name = f"基准市第{o + 1}局"
        units.append([name, root_name, "市", "党政机关", "否", None, None, o])
        places.append(name)
    for d in range(10):
        district = f"基准{d + 1}区"
        units.append([district, root_name, "区县", "党政机关", "否", None, None, d])
        places.append(district)
        for t in range(10):
            town = f"{district}第{t + 1}镇"
            units.append([town, district, "镇街", "党政机关", "是" if t % 4 == 0 else "否", None, "乡村振兴", t])
            places.append(town)
            for v in range(10):
                village = f"{town}第{v + 1}村"
                units.append([village, town, "村社区", "其他", "否", None, None, v])
                places.append(village)

    births = [dt.date(1975 + rng.randrange(26), 1 + rng.randrange(12), 1 + rng.randrange(28)) for _ in range(cadres)]

    def cadre_rows():
        for n in range(cadres):
            birth = births[n]
            male = rng.random() < 0.6
            area = f"{440801 + n // 900:06d}"
            seq = (n % 900) + 100
            seq = seq if (seq % 2 == 1) == male else seq - 1
            work = dt.date(birth.year + 22, 7, 1)
            status = rng.choice(POLITICAL)
            party = dt.date(birth.year + 21, 6, 1) if status in ("中共党员", "预备党员") else None
            yield [
                f"BN{n:08d}", rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), "男" if male else "女",
                "汉族", birth, "广东湛江", "本地" if rng.random() < 0.8 else "外地", make_id_number(area, birth, seq),
                status, party, work, work if rng.random() < 0.7 else None, rng.choice(EDUCATION), "学士",
                "华南农业大学", "公共管理", None, None, None, None, "公务员招录", places[n % len(places)],
                rng.choice(POSTS) + variant, "综合管理", "科员", dt.date(work.year + 2, 1, 1), "一级科员",
                dt.date(work.year + 3, 1, 1), "调研写作、乡村振兴" if n % 3 == 0 else None, "在职",
            ]  # fmt: skip

    def experience_rows():
        rng2 = random.Random(seed + 1)
        for n in range(cadres):
            start = dt.date(births[n].year + 22, 7, 1)  # from the day they started work
            for k in range(per_cadre):
                end = dt.date(start.year + 2, start.month, 1) if k < per_cadre - 1 else None
                yield [f"BN{n:08d}", None, start, end, places[(n + k * 7) % len(places)], None,
                       rng2.choice(POSTS) + variant, rng2.choice(KINDS), None]  # fmt: skip
                if end:
                    start = end

    buffer = io.BytesIO()
    write_roster(buffer, units, cadre_rows(), experience_rows())
    return buffer.getvalue()


def reset() -> tuple[Unit, User]:
    """Remove earlier bench data; make sure a root unit and an orgdept account scoped to it exist."""
    with transaction.atomic():
        # Raw deletes: the ORM's cascade collector would put 300,000 ids in one statement.
        bench = Cadre.objects.filter(code__startswith="BN").values("pk")
        Experience.objects.filter(cadre__in=bench)._raw_delete(Experience.objects.db)
        Cadre.objects.filter(code__startswith="BN")._raw_delete(Cadre.objects.db)
        bench_units = list(Unit.objects.filter(name__startswith="基准").order_by("-depth"))
        for unit in bench_units:
            unit.delete()
    root = Unit.objects.filter(parent__isnull=True).first()
    if root is None:
        root = Unit.objects.create(name="示范市", level="city")
        Unit.objects.filter(pk=root.pk).update(path=f"{root.pk:07d}/", depth=0)
        root.refresh_from_db()
    user, _created = User.objects.get_or_create(username="bench-orgdept", defaults={"role": Role.ORGDEPT})
    user.role, user.scope_unit, user.is_active = Role.ORGDEPT, root, True
    user.save()
    return root, user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cadres", type=int, default=100_000)
    parser.add_argument("--experience-per-cadre", type=int, default=3)
    parser.add_argument("--keep", help="save the generated workbook to this path")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    print(f"database: {vendor} ({connection.settings_dict['NAME']}); cpus: {os.cpu_count()}; load: {_load()}")
    root, user = reset()
    actor = Actor(user=user, source="cli")

    began = time.monotonic()
    data = synthesise(root.name, args.cadres, args.experience_per_cadre)
    made = time.monotonic() - began
    if args.keep:
        Path(args.keep).write_bytes(data)
    rows = args.cadres * args.experience_per_cadre
    print(f"workbook: {args.cadres:,} cadres, {rows:,} experience rows, {len(data) / 1e6:.1f} MB, made in {made:.1f} s")

    changed = synthesise(root.name, args.cadres, args.experience_per_cadre, variant="（新）")
    figures = {}
    runs = (("first import", data), ("re-import (idempotent)", data), ("every row changed", changed))
    for label, payload in runs:
        began = time.monotonic()
        report = roster_import(actor=actor, data=payload, file_name="bench.xlsx")
        seconds = time.monotonic() - began
        figures[label] = seconds
        if not report.ok:
            print("\n".join(report.lines()[:20]))
            raise SystemExit(f"{label}: {len(report.errors)} errors")
        counts = "; ".join(
            f"{s} +{c.created} ~{c.updated} ={c.unchanged} -{c.deleted}" for s, c in report.counts.items()
        )
        print(f"{label}: {seconds:.1f} s ({args.cadres / seconds:,.0f} cadres/s) — {counts}; load: {_load()}")
        print("    stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in report.timings.items()))

    began = time.monotonic()
    out = io.BytesIO()
    result = roster_export(actor=actor, target=out)
    figures["export"] = time.monotonic() - began
    print(f"export: {figures['export']:.1f} s — {result.counts}, {len(out.getvalue()) / 1e6:.1f} MB; load: {_load()}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:,.0f} MB")
    print(
        f"SUMMARY {vendor}: first import {figures['first import']:.1f} s, "
        f"re-import {figures['re-import (idempotent)']:.1f} s, every row changed {figures['every row changed']:.1f} s, "
        f"export {figures['export']:.1f} s "
        f"({args.cadres:,} cadres / {rows:,} experience rows)"
    )


if __name__ == "__main__":
    main()
