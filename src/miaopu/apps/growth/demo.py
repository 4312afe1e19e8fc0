"""A few years of growth-file history for the demo city (``miaopu demo`` calls :func:`populate`).

What it writes, from one ``random.Random(seed)`` walking the cadres in code order (never database ids), so
the same seed gives the same files on SQLite and PostgreSQL:

* annual assessments (年度考核) for the last three years for every cadre already working that year: about
  15 % 优秀, 80 % 称职, a few 基本称职 and 不称职, 不定等次 for recruits of less than half a year; scores on
  德能勤绩廉 and comments for part of them; two quarterly assessments (平时考核) for the young cadres; a
  frontline assessment (一线考核) for some young cadres at the grassroots;
* growth entries: achievements, mass evaluations (score, who was asked, how many), rewards, research reports
  with awards, practical affairs, care contacts (non-local and remote-post cadres), training scores, and the
  promotions the roster implies (任现职务层次时间 within the window);
* talks for young cadres, a few punishments with their promotion bar;
* the talent pool (young cadres with an 优秀 year, tiered and categorised) and the reserve pool (two 优秀 in
  three years), some entries exited; the programmes' own reserve-pool records are copied in.

Everything is written in bulk (``executemany`` for the big tables, see :class:`_Rows`; no per-row services or
audit rows, one ``generate`` audit event with the counts), so 200,000 cadres add about a minute.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.db import reset_queries, transaction

from miaopu.domain.dates import add_months, age_on
from miaopu.domain.vocab import LeadershipLevel

BATCH = 5_000
YEARS = 3

ProgressFn = Callable[[str], None]

ACHIEVEMENTS = (
    ("牵头完成{unit}年度重点项目征地拆迁工作", "按期完成签约，未发生信访事件。"),
    ("推动{unit}营商环境改革事项落地", "办理时限压缩三分之一，企业满意度提升。"),
    ("组织{unit}防汛抢险", "连续值守 72 小时，转移群众 300 余人，无人员伤亡。"),
    ("完成{unit}人居环境整治任务", "整治房前屋后杂物堆放 120 处，村容村貌明显改善。"),
    ("协调解决{unit}企业用工难题", "对接高校 5 所，帮助企业招聘 80 余人。"),
    ("负责{unit}数字化改革试点", "上线便民服务事项 36 项，群众办事少跑腿。"),
)
PRACTICAL = (
    ("为群众修通一条通组路", "协调资金 40 万元，解决 86 户群众出行难。"),
    ("推动村里安装路灯 60 盏", "群众夜间出行更安全。"),
    ("帮助农户销售滞销农产品", "联系商超和电商平台，售出柑橘 20 余吨。"),
    ("解决小区长期停水问题", "协调供水公司更换管网，惠及 400 余户。"),
)
RESEARCH = (
    ("关于{unit}乡村振兴产业发展的调研报告", ("一等奖", "二等奖", "三等奖", "优秀奖")),
    ("基层治理“网格化”运行情况调研", ("一等奖", "二等奖", "三等奖")),
    ("年轻干部到基层一线锻炼成效的调查与思考", ("二等奖", "三等奖", "优秀奖")),
)
REWARDS = (
    ("获评市级优秀共产党员", "市级"),
    ("获评年度优秀公务员", "市级"),
    ("嘉奖", "县级"),
    ("记三等功", "市级"),
    ("获评乡村振兴工作先进个人", "县级"),
)
TRAININGS = (
    "年轻干部培训班（第{n}期）",
    "青训营专题培训",
    "点单式培训：招商引资实务",
    "点单式培训：群众工作方法",
)
CARE = (
    ("走访慰问", "了解生活和工作情况，帮助解决住宿问题。"),
    ("心理疏导", "安排心理咨询师谈心，缓解工作压力。"),
    ("家庭困难帮扶", "协调解决子女入学问题。"),
)
TALK_PROBLEMS = ("", "", "希望多参加业务培训。", "远离家庭，照顾老人有困难。", "工作任务重，感到压力较大。")
PUNISHMENTS = (
    ("admonition", 6, "工作作风不实，被诫勉谈话。"),
    ("warning", 6, "违反工作纪律，受到警告处分。"),
    ("demerit", 12, "履职不力造成不良影响，受到记过处分。"),
)
MASS_WHO = (("驻点村村民", 30, 60), ("镇机关同事", 15, 40), ("服务对象", 20, 50), ("单位干部职工", 20, 45))
GRADES = (("excellent", 0.15), ("competent", 0.805), ("basic", 0.035), ("incompetent", 0.01))
COMMENTS = {
    "excellent": ("政治素质好，工作实绩突出，群众评价高。", "敢于担当，善于攻坚，圆满完成急难险重任务。"),
    "competent": ("能够较好完成本职工作。", "工作认真负责，遵守纪律。"),
    "basic": ("工作主动性不足，个别任务完成不及时。",),
    "incompetent": ("未能完成年度主要工作任务。",),
}


class _Rows:
    """Rows for one table written with ``executemany`` (no model instances, no per-value field preparation).

    ``bulk_create`` spends most of its time building SQL and preparing each value through its field; for the
    three-quarters of a million assessment rows of a 200,000-cadre city that was about two minutes. Values
    given here are already database-ready (ints, strings, dates, Decimals — the SQLite backend registers
    adapters for dates and Decimals; psycopg adapts them itself); timestamps are adapted once.
    """

    def __init__(self, model) -> None:
        from django.db import connection
        from django.utils import timezone

        from miaopu.apps.core.fields import encrypted_fields

        self.model = model
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.columns = [f.attname for f in fields]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.defaults = {}
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = now
            elif f.has_default():
                self.defaults[f.attname] = f.get_default()
            else:
                self.defaults[f.attname] = None if f.null else ""
        self.rows: list[tuple] = []
        # Encrypted columns (core.fields) are the one exception to "database-ready": each value goes through its
        # field, which returns the SM4-GCM envelope, so the raw INSERT never writes clear text.
        encrypted = {f.attname: f for f in encrypted_fields(model)}
        self.encrypt = {
            self.columns.index(name): (lambda v, f=f: f.get_db_prep_save(v, connection))
            for name, f in encrypted.items()
        }

    def add(self, **values) -> None:
        defaults = self.defaults
        row = [values[c] if c in values else defaults[c] for c in self.columns]
        for i, encrypt in self.encrypt.items():
            row[i] = encrypt(row[i])
        self.rows.append(tuple(row))

    def __len__(self) -> int:
        return len(self.rows)

    def write(self) -> int:
        from django.db import connection

        if not self.rows:
            return 0
        quote = connection.ops.quote_name
        sql = (
            f"INSERT INTO {quote(self.model._meta.db_table)} ({', '.join(quote(c) for c in self.columns)}) "
            f"VALUES ({', '.join(['%s'] * len(self.columns))})"
        )
        with connection.cursor() as cursor:
            for start in range(0, len(self.rows), BATCH):
                cursor.executemany(sql, self.rows[start : start + BATCH])
        written = len(self.rows)
        self.rows.clear()
        return written


def _grade(rng: random.Random) -> str:
    r = rng.random()
    for code, p in GRADES:
        if r < p:
            return code
        r -= p
    return "competent"


def _score(rng: random.Random, grade: str) -> Decimal:
    base = {"excellent": 92, "competent": 85, "basic": 74, "incompetent": 62}.get(grade, 80)
    return Decimal(str(round(min(99.5, max(55, rng.gauss(base, 3))), 1)))


def _day_in(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def wipe() -> dict[str, int]:
    """Delete every growth-file, assessment and pool row (for ``miaopu demo --force`` before cadres go)."""
    from miaopu.apps.assessments.models import Assessment, AssessmentCycle, Review
    from miaopu.apps.pools.models import PoolEntry

    from .models import Attachment, GrowthEntry, Punishment, Talk

    counts = {"assessments": Assessment.objects.count(), "growth_entries": GrowthEntry.objects.count()}
    for attachment in Attachment.objects.all():
        attachment.file.delete(save=False)
    for model in (Attachment, GrowthEntry, Talk, Punishment, Review, Assessment, AssessmentCycle, PoolEntry):
        model.objects.all().delete()
    return counts


def populate(seed: int, today: dt.date, progress: ProgressFn | None = None, audit: bool = True) -> dict[str, int]:
    """Write the demo history; returns the counts. Runs inside the caller's transaction if there is one.

    ``audit=False`` when the caller (``core.demo.generate``) records the whole generation as one event.
    """
    with transaction.atomic():
        return _populate(seed, today, progress, audit)


def _populate(seed: int, today: dt.date, progress: ProgressFn | None, audit: bool = True) -> dict[str, int]:
    from miaopu.apps.assessments.models import Assessment, AssessmentCycle
    from miaopu.apps.cadres.models import Cadre
    from miaopu.apps.core.audit import Actor, record
    from miaopu.apps.core.choices import AuditAction, AuditCategory
    from miaopu.apps.core.models import User
    from miaopu.apps.pools.models import PoolEntry
    from miaopu.apps.units.models import Unit

    from .models import GrowthEntry, Punishment, Talk

    rng = random.Random(seed * 7919 + 17)
    root = Unit.objects.filter(parent=None).order_by("path").first()
    if root is None:
        return {}
    columns = (
        "pk",
        "code",
        "birth_date",
        "work_start_date",
        "unit__name",
        "unit__level",
        "unit__kind",
        "unit__is_remote",
        "hukou",
        "leadership_level",
        "leadership_level_since",
        "post_category",
        "status",
    )
    cadres = list(Cadre.objects.order_by("code").values_list(*columns))
    demo_cadre = User.objects.filter(username="cadre").values_list("cadre_id", flat=True).first()
    counts = dict.fromkeys(("cycles", "assessments", "entries", "talks", "punishments", "pool_entries"), 0)

    # ---- cycles
    years = [today.year - YEARS + i for i in range(YEARS)]
    annual = {}
    for year in years:
        annual[year] = AssessmentCycle.objects.create(
            kind="annual",
            year=year,
            name=f"{year} 年年度考核（{root.name}）",
            scope_unit=root,
            start=dt.date(year, 1, 1),
            end=dt.date(year, 12, 31),
            note="演示数据",
        )
    quarters = []
    q_now = (today.month - 1) // 3  # completed quarters this year
    for back in (2, 1):
        index = today.year * 4 + q_now - back
        year, q0 = divmod(index, 4)
        start = dt.date(year, q0 * 3 + 1, 1)
        quarters.append(
            AssessmentCycle.objects.create(
                kind="regular",
                year=year,
                quarter=q0 + 1,
                name=f"{year} 年第 {q0 + 1} 季度平时考核（{root.name}）",
                scope_unit=root,
                start=start,
                end=add_months(start, 3) - dt.timedelta(days=1),
                note="演示数据：年轻干部",
            )
        )
    frontline_year = today.year - 1
    frontline = AssessmentCycle.objects.create(
        kind="frontline",
        year=frontline_year,
        name=f"{frontline_year} 年一线考核（{root.name}）",
        scope_unit=root,
        start=dt.date(frontline_year, 3, 1),
        end=dt.date(frontline_year, 11, 30),
        note="演示数据：基层一线",
    )
    counts["cycles"] = len(annual) + len(quarters) + 1

    results = _Rows(Assessment)
    entries = _Rows(GrowthEntry)
    talks: list[Talk] = []
    punishments: list[Punishment] = []
    pools: list[PoolEntry] = []
    window_start = dt.date(years[0], 1, 1)

    def flush(final: bool = False) -> None:
        for rows, key in ((results, "assessments"), (entries, "entries")):
            if final or len(rows) >= BATCH:
                counts[key] += rows.write()
        for rows, model, key in (
            (talks, Talk, "talks"),
            (punishments, Punishment, "punishments"),
            (pools, PoolEntry, "pool_entries"),
        ):
            if rows and (final or len(rows) >= BATCH):
                model.objects.bulk_create(rows, batch_size=BATCH)
                counts[key] += len(rows)
                rows.clear()
        reset_queries()

    for n, row in enumerate(cadres):
        (
            pk,
            code,
            birth,
            work_start,
            unit_name,
            level,
            unit_kind,
            remote,
            hukou,
            lead_level,
            lead_since,
            post_cat,
            status,
        ) = row
        rich = pk == demo_cadre
        work_start = work_start or dt.date(birth.year + 22, 8, 1)
        age = age_on(birth, today)
        young = age < 36
        grassroots = level in ("town", "village", "county")
        grades: dict[int, str] = {}
        for year in years:
            if work_start > dt.date(year, 12, 31) or (status != "active" and rng.random() < 0.5):
                continue
            grade = "ungraded" if work_start > dt.date(year, 6, 30) else _grade(rng)
            if rich and grade != "ungraded":  # the demo account's own file: a promising young cadre
                grade = "excellent" if year >= years[-2] else "competent"
            grades[year] = grade
            scored = rich or rng.random() < 0.3
            scores = {
                f: _score(rng, grade) if scored else None
                for f in ("score_morality", "score_ability", "score_diligence", "score_achievement", "score_integrity")
            }
            comment = rng.choice(COMMENTS[grade]) if grade in COMMENTS and (scored or grade != "competent") else ""
            results.add(
                cycle_id=annual[year].pk,
                cadre_id=pk,
                kind="annual",
                year=year,
                grade=grade,
                assessed_on=dt.date(year + 1, 1, 15),
                source="demo",
                comment=comment,
                **scores,
            )
        if young and status == "active":
            for cycle in quarters:
                if work_start <= cycle.start:
                    g = "excellent" if rng.random() < 0.2 else "competent"
                    results.add(
                        cycle_id=cycle.pk,
                        cadre_id=pk,
                        kind="regular",
                        year=cycle.year,
                        grade=g,
                        assessed_on=cycle.end,
                        source="demo",
                    )
            if grassroots and (rich or rng.random() < 0.12) and work_start < frontline.start:
                g = "excellent" if rng.random() < 0.3 else "competent"
                results.add(
                    cycle_id=frontline.pk,
                    cadre_id=pk,
                    kind="frontline",
                    year=frontline_year,
                    grade=g,
                    assessed_on=frontline.end,
                    source="demo",
                    comment="一线表现突出，群众认可度高。" if g == "excellent" else "",
                )
                if g == "excellent":
                    grades.setdefault(-1, "frontline_excellent")

        # ---- growth entries (dated inside the window and after the cadre started work)
        start = max(window_start, work_start)
        if start >= today:
            continue

        last = today - dt.timedelta(days=1)

        def day(first: dt.date = start, last: dt.date = last) -> dt.date:
            return _day_in(rng, first, last)

        def entry(kind: str, title: str, details: str = "", source: str = "", cadre_id: int = pk, **extra) -> None:
            entries.add(
                cadre_id=cadre_id, kind=kind, date=day(), title=title[:200], details=details, source=source, **extra
            )

        if rich or rng.random() < 0.12:
            title, details = rng.choice(ACHIEVEMENTS)
            entry("achievement", title.format(unit=unit_name), details, "所在单位报送")
        if rich or (grassroots and rng.random() < 0.08):
            who, low, high = rng.choice(MASS_WHO)
            entry(
                "mass_evaluation",
                "群众满意度测评",
                "满意度测评结果良好。",
                "组织部测评组",
                score=Decimal(str(round(rng.uniform(86, 99), 1))),
                respondents=who,
                respondent_count=rng.randint(low, high),
            )
        if rich or rng.random() < 0.025:
            title, level_label = rng.choice(REWARDS)
            entry("reward", title, "", "表彰文件", level=level_label)
        if young and (rich or rng.random() < 0.04):
            title, awards = rng.choice(RESEARCH)
            entry(
                "research", title.format(unit=unit_name), "国情调研课题成果。", "市委组织部", level=rng.choice(awards)
            )
        if grassroots and (rich or rng.random() < 0.05):
            title, details = rng.choice(PRACTICAL)
            entry("practical_affair", title, details, "办实事台账")
        if (hukou == "nonlocal" or remote) and (rich or rng.random() < 0.25):
            title, details = rng.choice(CARE)
            entry("care", title, details, "组织部关心关爱")
        if young and (rich or rng.random() < 0.08):
            entry(
                "training",
                rng.choice(TRAININGS).format(n=rng.randint(1, 12)),
                "结业考核合格。",
                "市委党校",
                score=Decimal(str(round(rng.uniform(78, 98), 1))),
            )
        if lead_level not in ("", "clerk", "staff") and lead_since and window_start <= lead_since < today:
            label = (
                LeadershipLevel(lead_level).label if lead_level in LeadershipLevel._value2member_map_ else lead_level
            )
            entries.add(
                cadre_id=pk,
                kind="promotion",
                date=lead_since,
                title=f"提任{label}职务",
                details=f"任{unit_name}{label}职务。",
                source="任免文件",
            )
        if young and (rich or rng.random() < 0.06):
            for _i in range(2 if rich else 1):
                problems = rng.choice(TALK_PROBLEMS)
                talks.append(
                    Talk(
                        cadre_id=pk,
                        date=day(),
                        talker="组织部干部科",
                        source="谈心谈话记录",
                        thought_state="stable" if not problems or rng.random() < 0.7 else "fluctuating",
                        content="围绕工作适应、思想状况和成长打算进行谈话。",
                        problems=problems,
                        follow_up="已向所在单位反馈，协调解决。" if problems else "",
                    )
                )
        if not rich and rng.random() < 0.003:
            kind, months, text = rng.choice(PUNISHMENTS)
            when = day()
            punishments.append(
                Punishment(
                    cadre_id=pk,
                    date=when,
                    kind=kind,
                    description=text,
                    decided_by="县纪委监委",
                    blocks_until=add_months(when, months),
                    source="处分决定",
                )
            )

        # ---- pools: young cadres with an 优秀 year (or an excellent frontline result)
        excellent = [y for y, g in grades.items() if g == "excellent" and y > 0]
        front = -1 in grades
        if young and status == "active" and (excellent or front) and (rich or rng.random() < 0.35):
            tier = "city" if lead_level in ("section", "deputy_division", "division") else "county"
            category = (
                "grassroots"
                if grassroots and level != "county"
                else "economic"
                if unit_kind == "soe"
                else "professional"
                if post_cat == "technical"
                else "party_gov"
            )
            source = "frontline" if front and not excellent else rng.choice(("annual", "annual", "squat", "special"))
            first = min(excellent) if excellent else frontline_year
            entered = min(dt.date(first + 1, 3, 1) + dt.timedelta(days=rng.randrange(60)), today)
            reason = {
                "annual": f"{first} 年度考核优秀",
                "frontline": f"{frontline_year} 年一线考核表现突出",
                "squat": "组织部蹲点调研中发现，群众口碑好",
                "special": "所在单位党组织专项推荐",
            }[source]
            exited = not rich and rng.random() < 0.08
            pools.append(
                PoolEntry(
                    pool="talent",
                    cadre_id=pk,
                    tier=tier,
                    category=category,
                    source=source,
                    date=entered,
                    reason=reason,
                    exit_date=_day_in(rng, entered, today) if exited else None,
                    exit_reason="已提拔任用" if exited else "",
                )
            )
            if len(excellent) >= 2 and (rich or rng.random() < 0.6):
                pools.append(
                    PoolEntry(
                        pool="reserve",
                        cadre_id=pk,
                        tier=tier,
                        category=category,
                        source="annual",
                        date=min(dt.date(max(excellent) + 1, 4, 1), today),
                        reason=f"近三年 {len(excellent)} 次年度考核优秀",
                    )
                )
        if len(results) >= BATCH or len(entries) >= BATCH:
            flush()
        if progress and (n + 1) % 50_000 == 0:
            progress(f"成长档案 {n + 1}/{len(cadres)}")
    flush(final=True)
    counts["pool_entries"] += _copy_programme_reserve()
    if not audit:
        return counts
    record(
        Actor.cli(),
        category=AuditCategory.CHANGE,
        action=AuditAction.GENERATE,
        obj="demo",
        object_repr=f"演示数据：成长档案、考核、人才库（{len(cadres)} 名干部）",
        detail={"seed": seed, "counts": counts},
    )
    return counts


def _copy_programme_reserve() -> int:
    """Programme term-end results already in ``programmes.ReservePoolEntry`` without a pool entry yet."""
    from miaopu.apps.pools.models import PoolEntry
    from miaopu.apps.programmes.models import ReservePoolEntry

    taken = set(PoolEntry.objects.filter(pool="reserve", exit_date__isnull=True).values_list("cadre_id", flat=True))
    rows = []
    for e in ReservePoolEntry.objects.filter(pool_entry__isnull=True).order_by("date", "id"):
        if e.cadre_id in taken:
            continue
        taken.add(e.cadre_id)
        rows.append(
            PoolEntry(
                pool="reserve",
                cadre_id=e.cadre_id,
                source="batch",
                date=e.date,
                reason=e.reason[:300],
                source_batch_id=e.source_batch_id,
                source_placement_id=e.placement_id,
                programme_entry_id=e.pk,
            )
        )
    PoolEntry.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)
