"""Field work for the demo city (``core.demo.generate`` calls :func:`populate`; ``--force`` calls :func:`wipe`).

From one ``random.Random(seed)``, walking units and cadres in path/code order (never database ids):

* **practice bases**: the villages tagged 实践基地 plus about one village in twenty (at least eight); most are
  certified on the six criteria "六个好", some have an expired certification, some failed one criterion (scored
  below 60) and a few were never assessed;
* **two 四下基层 practice batches** (template ``sixiaji-practice``): last year's, closed, and one running now
  (placed a week ago, 15 days), whose young municipal and county cadres without rural experience live at the
  certified bases within their capacity (the demo writes no 实践 experience entry for them, so every demo
  cadre's history stays one consecutive chain ending at the current post);
* **the practical-affairs ledger**: one to three problems per practice cadre, raised in their base village,
  some shared with a fellow cadre, most solved (with outcome and satisfaction), some 无法办理 with a reason;
* **care contacts** for the cadres the care rules flag (外地户籍, 偏远岗位, 长期异地): visits, talks, help and
  counselling, the latest one recent for most and overdue (or missing) for some.

Everything is written in bulk (no per-row audit rows: the caller records one ``generate`` event). The programme
rows it writes carry :data:`DEMO_NOTE` so :func:`wipe` removes exactly them.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from miaopu.domain.dates import add_months
from miaopu.domain.fieldwork import CRITERIA, PASS_SCORE

DEMO_NOTE = "演示数据：四下基层实践锻炼（fieldwork）"

LEDGER_PROBLEMS = (
    ("infrastructure", "村道坑洼，雨天群众出行困难", "协调交通部门列入年度硬化计划，已完成 1.2 公里路面修补。"),
    ("infrastructure", "自然村饮用水水压不足", "联系水务公司更换老旧管网，供水恢复正常。"),
    ("industry", "茶叶加工设备老化，产量上不去", "对接农业农村局技改补助，引进揉捻机 2 台。"),
    ("industry", "果农缺少销售渠道，脐橙滞销", "联系商超和电商平台直播带货，售出 15 吨。"),
    ("income", "留守妇女希望就近就业", "引进手工编织订单，20 余人在家门口增收。"),
    ("welfare", "独居老人医保报销不清楚", "上门讲解政策并代办手续，落实慢病报销。"),
    ("education_health", "村小缺少课外读物", "联系团市委募集图书 800 册，建成农家书屋。"),
    ("dispute", "两户宅基地边界纠纷", "会同司法所现场调解，双方签订协议。"),
    ("environment", "村口垃圾堆放点臭味大", "增设分类垃圾桶，落实保洁员每日清运。"),
    ("other", "村部缺少便民服务点", "协调设立代办服务窗口，群众办事不出村。"),
)
IMPOSSIBLE_REASONS = (
    "涉及跨县土地权属，须由上级统一规划，已向县自然资源局反映。",
    "项目资金需列入下年度财政预算，已登记待办。",
    "群众诉求超出现行政策范围，已做好解释工作。",
)
CARE_VISITS = ("春节前走访慰问，了解家庭和生活情况", "到岗位走访，了解工作适应情况", "了解住宿和通勤情况")
CARE_TALKS = ("谈心谈话，了解思想动态，工作安心", "谈工作压力和个人发展打算", "了解子女入学和家属安置困难")
CARE_HELP = ("协调解决宿舍热水器更换", "协调子女就近入学", "协调配偶工作调动意向登记")
COUNSELLING = ("工作压力较大，睡眠不好，进行心理疏导并建议规律作息", "远离家人感到孤独，疏导后情绪好转，约定每月回访")
HOUSEHOLDS = "张 李 王 陈 林 黄 吴 郑 刘 杨".split()


def wipe() -> dict[str, int]:
    """Delete every field-work row and the demo's own practice batches (before cadres and units go)."""
    from miaopu.apps.programmes.demo import delete_batches

    from .models import CareContact, Certification, CriterionScore, LedgerItem, LedgerTaker, PracticeBase

    counts = {
        "bases": PracticeBase.objects.count(),
        "ledger": LedgerItem.objects.count(),
        "care": CareContact.objects.count(),
    }
    for score in CriterionScore.objects.exclude(attachment=""):
        score.attachment.delete(save=False)
    for model in (CareContact, LedgerTaker, LedgerItem, CriterionScore, Certification, PracticeBase):
        model.objects.all().delete()
    delete_batches(DEMO_NOTE)
    return counts


def populate(seed: int, today: dt.date) -> dict[str, int]:
    """Write the demo's bases, batches, ledger and care contacts; returns the counts.."""
    with transaction.atomic():
        return _populate(seed, today)


def _populate(seed: int, today: dt.date) -> dict[str, int]:
    from miaopu.apps.units.models import Unit

    rng = random.Random(seed * 104_729 + 31)
    root = Unit.objects.filter(parent=None).order_by("path").first()
    if root is None:
        return {}
    bases = _bases(rng, today)
    placements = _batches(rng, today, root, bases)
    ledger = _ledger(rng, today, placements)
    care = _care(rng, today, root)
    return {
        "practice_bases": len(bases),
        "certified_bases": sum(1 for _b, ok in bases if ok),
        "practice_placements": len(placements),
        "ledger_items": ledger,
        "care_contacts": care,
    }


def _bases(rng: random.Random, today: dt.date) -> list[tuple[object, bool]]:
    """(base, certified today) for the chosen villages."""
    from miaopu.apps.units.models import Unit

    from .models import Certification, CriterionScore, PracticeBase

    villages = list(Unit.objects.filter(level="village", name__endswith="村").order_by("path"))
    chosen = [v for v in villages if "实践基地" in (v.tags or "")]
    others = [v for v in villages if v not in chosen]
    want = max(8, len(villages) // 20)
    rng.shuffle(others)
    chosen = sorted(chosen + others[: max(0, want - len(chosen))], key=lambda u: u.path)
    themes = ("茶产业振兴", "红色文化传承", "生态旅游", "乡村治理", "特色种养", "非遗手工")
    found = []
    for i, village in enumerate(chosen):
        capacity = rng.randint(6, 14)
        base = PracticeBase.objects.create(
            unit=village,
            capacity=capacity,
            host_families=capacity // 2 + rng.randint(0, 3),
            theme=rng.choice(themes),
            contact=f"{village.short_name or village.name}党支部书记",
        )
        roll = rng.random() if i >= 3 else 0.0  # the first three are certified for sure
        if roll < 0.1 or roll >= 0.3:
            kind = "ok"
        elif roll < 0.2:
            kind = "expired"
        elif roll < 0.27:
            kind = "failed"
        else:
            kind = "none"
        if kind == "none":
            found.append((base, False))
            continue
        assessed = today - dt.timedelta(days=rng.randint(1500, 1700) if kind == "expired" else rng.randint(60, 700))
        failing = rng.choice(list(CRITERIA)) if kind == "failed" else None
        cert = Certification.objects.create(
            base=base,
            assessed_on=assessed,
            valid_from=assessed,
            valid_until=add_months(assessed, 36),
            certified=failing is None,
            assessors="县委组织部、乡镇党委联合评定组",
            note="六项均达标，同意认定。" if failing is None else "有评定项未达标，整改后复评。",
        )
        CriterionScore.objects.bulk_create(
            [
                CriterionScore(
                    certification=cert,
                    criterion=code,
                    score=(s := (rng.randint(35, 55) if code == failing else rng.randint(68, 96))),
                    passed=s >= PASS_SCORE,
                    evidence=f"{label}：实地查看、座谈了解，{'达标' if s >= PASS_SCORE else '未达标'}",
                )
                for code, label in CRITERIA.items()
            ]
        )
        found.append((base, kind == "ok"))
    return found


def _batches(rng: random.Random, today: dt.date, root, bases) -> list:
    """Two practice batches placed at the certified bases; returns the placements (with ``base`` attached)."""
    from miaopu.apps.cadres.models import Cadre, Experience
    from miaopu.apps.core.models import User
    from miaopu.apps.programmes.models import (
        Assignment,
        Batch,
        Candidate,
        HostSlot,
        Placement,
        ProgrammeTemplate,
    )
    from miaopu.domain.vocab import RURAL_LEVELS

    template = ProgrammeTemplate.objects.filter(code="sixiaji-practice").first()
    certified = [b for b, ok in bases if ok]
    if template is None or not certified:
        return []
    version = template.versions.order_by("-number").first()
    creator = User.objects.filter(username="orgdept").first()
    rural = set(Experience.objects.filter(unit__level__in=RURAL_LEVELS).values_list("cadre_id", flat=True))
    young_after = add_months(today, -12 * 35)
    pool = [
        c
        for c in Cadre.objects.filter(status="active", unit__level__in=["city", "county"], birth_date__gt=young_after)
        .select_related("unit")
        .order_by("code")
        if c.pk not in rural
    ]
    rng.shuffle(pool)
    placements = []
    plans = [
        ("第一批（上年度）", today.year - 1, today - dt.timedelta(days=rng.randint(280, 330)), True),
        ("第二批", today.year, today - dt.timedelta(days=7), False),
    ]
    halves = [pool[: len(pool) // 2], pool[len(pool) // 2 :]]
    for (label, year, start, closed), pool in zip(plans, halves, strict=True):
        end = start + dt.timedelta(days=15)
        batch = Batch.objects.create(
            template=template,
            version=version,
            name=f"{year} 年四下基层实践锻炼{label}",
            year=year,
            as_of=start,
            scope_unit=root,
            status="closed" if closed else "placed",
            quotas={"total": None, "regions": {}},
            note=DEMO_NOTE,
            created_by=creator,
        )
        for base in certified:
            take = min(len(pool), max(1, base.capacity - rng.randint(0, base.capacity // 2)))
            if take <= 0:
                break
            people, pool = pool[:take], pool[take:]
            slot = HostSlot.objects.create(
                batch=batch,
                unit=base.unit,
                post_title="实践锻炼",
                capacity=take,
                region=base.unit.district.name if base.unit.district_id else "市直",
            )
            for cadre in people:
                candidate = Candidate.objects.create(
                    batch=batch,
                    cadre=cadre,
                    eligible=True,
                    reasons=[{"ok": True, "text": "年龄 ≤ 35 岁，无乡村工作经历"}],
                    facts={},
                    evaluated_on=start,
                    status="placed",
                )
                Assignment.objects.create(candidate=candidate, slot=slot)
                placement = Placement.objects.create(
                    candidate=candidate,
                    batch=batch,
                    cadre=cadre,
                    host_unit=base.unit,
                    post_title="实践锻炼",
                    kind="practice",
                    start=start,
                    planned_end=end,
                    actual_end=end if closed else None,
                    status="ended" if closed else "active",
                    grade="competent" if closed else "",
                    assessed_on=end if closed else None,
                )
                placement.base = base
                placements.append(placement)
    return placements


def _ledger(rng: random.Random, today: dt.date, placements) -> int:
    from .models import LedgerItem, LedgerTaker

    written = 0
    by_base: dict[int, list] = {}
    for p in placements:
        by_base.setdefault((p.batch_id, p.host_unit_id), []).append(p)
    n = 0
    for p in placements:
        for _i in range(rng.choice((1, 1, 2, 2, 3))):
            n += 1
            category, problem, outcome = rng.choice(LEDGER_PROBLEMS)
            raised = p.start + dt.timedelta(days=rng.randint(0, 10))
            if raised > today:
                raised = today
            running = p.status == "active"
            roll = rng.random()
            if running:
                status = "accepted" if roll < 0.3 else ("in_progress" if roll < 0.65 else "done")
            else:
                status = "done" if roll < 0.85 else ("impossible" if roll < 0.93 else "in_progress")
            closed_on = None
            if status in ("done", "impossible"):
                closed_on = min(today, raised + dt.timedelta(days=rng.randint(3, 60)))
            sat = ""
            if status == "done":
                r = rng.random()
                sat = "satisfied" if r < 0.7 else ("basic" if r < 0.92 else "unsatisfied")
            item = LedgerItem.objects.create(
                village=p.host_unit,
                household=f"{rng.choice(HOUSEHOLDS)}某某户",
                category=category,
                description=problem,
                raised_on=raised,
                status=status,
                status_reason=rng.choice(IMPOSSIBLE_REASONS) if status == "impossible" else "",
                closed_on=closed_on,
                outcome=outcome if status == "done" else "",
                satisfaction=sat,
                batch=p.batch,
            )
            LedgerTaker.objects.create(item=item, cadre=p.cadre, taken_on=raised, is_lead=True)
            mates = [q for q in by_base[(p.batch_id, p.host_unit_id)] if q.cadre_id != p.cadre_id]
            if mates and rng.random() < 0.25:
                LedgerTaker.objects.create(item=item, cadre=rng.choice(mates).cadre, taken_on=raised, is_lead=False)
            written += 1
    return written


def _care(rng: random.Random, today: dt.date, root) -> int:
    from miaopu.apps.analytics.adapters import system_reader

    from .models import CareContact
    from .selectors import flagged_cadres

    reader = system_reader(root)
    flagged = list(flagged_cadres(user=reader, as_of=today).order_by("code").values_list("pk", "unit__name"))
    rows = []
    for pk, unit_name in flagged:
        roll = rng.random()
        if roll < 0.12:
            continue  # never contacted: a red alert
        if roll < 0.72:
            last_gap = rng.randint(0, 85)
        elif roll < 0.9:
            last_gap = rng.randint(95, 175)
        else:
            last_gap = rng.randint(190, 400)
        dates = sorted(
            {today - dt.timedelta(days=last_gap + 120 * k + rng.randint(0, 30)) for k in range(rng.randint(1, 4))}
            | {today - dt.timedelta(days=last_gap)}
        )
        for day in dates:
            kind = rng.choices(("visit", "talk", "help", "counselling"), (40, 35, 15, 10))[0]
            by = rng.choice(("组织部干部科", f"{unit_name}党组织", "联系领导"))
            rows.append(
                CareContact(
                    cadre_id=pk,
                    date=day,
                    kind=kind,
                    contact_by=by,
                    summary={
                        "visit": rng.choice(CARE_VISITS),
                        "talk": rng.choice(CARE_TALKS),
                        "help": "反映生活困难",
                        "counselling": "",
                    }[kind],
                    help_given=rng.choice(CARE_HELP) if kind == "help" else "",
                    counselling_note=rng.choice(COUNSELLING) if kind == "counselling" else "",
                    follow_up_on=day + dt.timedelta(days=90) if rng.random() < 0.4 else None,
                    follow_up="回访了解落实情况" if rng.random() < 0.4 else "",
                )
            )
    CareContact.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
