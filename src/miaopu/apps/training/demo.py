"""Training data for the demo city (``miaopu demo`` calls :func:`populate` after the growth files).

From one ``random.Random(seed)`` walking cadres in code order (never database ids), so the same seed gives the
same data on SQLite and PostgreSQL:

* a course catalogue: city-wide themes plus one theme per county (宁德 一县一主题), every teaching form;
* three classes: last year's 中青年干部培训班 (湛江, closed and ranked), this year's 进港扬帆青训营 一年级
  (泉港, closed and ranked) and 二年级 (running, scores partly entered), each with sessions and attendance;
  the demo cadre account and trainees from the demo unit officer's town are always enrolled;
* on-demand orders (青竹培优): from young cadres and from units, some answered by a session of the running camp;
* research topics (国情调研): owners, a mentor (the demo mentor account's mentee among them), progress meetings,
  reports (a small PDF each) and review scores with 一等奖/二等奖/三等奖.

Rows are written directly (no per-row services); the caller records one audit event for the whole demo.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

THEMES_CITY = (
    ("理论武装", (("学习贯彻党的创新理论专题", "classroom"), ("党史学习教育现场教学", "onsite"))),
    (
        "能力提升",
        (("突发事件应急处置沙盘推演", "sandbox"), ("招商引资实务", "classroom"), ("团队协作户外拓展", "outdoor")),
    ),
    ("基层一线", (("基层基础基本功访谈式教学", "interview"), ("群众工作方法专家笔谈", "written"))),
)
COUNTY_THEMES = ("城市更新", "产业升级", "乡村振兴", "生态保护", "海洋经济", "文旅融合", "基层治理")
COUNTY_COURSES = ("{t}政策解读", "{t}现场教学点观摩", "{t}典型案例研讨")
TEACHERS = (
    "市委党校 陈教授",
    "市委党校 林副教授",
    "市发改委 王处长",
    "县委书记 张同志",
    "镇党委书记 李同志",
    "高校 周教授",
)
CUSTOM_TOPICS = ("信访矛盾化解技巧", "短视频宣传与舆情应对", "项目申报书写作", "基层财务与审计常识")
TOPICS = (
    "关于{unit}乡村振兴产业发展的调研报告",
    "基层治理“网格化”运行情况调研",
    "年轻干部到基层一线锻炼成效的调查与思考",
    "{unit}营商环境改革成效调研",
    "县域海洋经济高质量发展路径研究",
    "村级集体经济发展壮大的调查",
)
AWARDS = ("first", "second", "second", "third", "third", "")
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def wipe() -> dict[str, int]:
    from .models import Course, ResearchTopic, TrainingClass, TrainingOrder

    counts = {"classes": TrainingClass.objects.count(), "topics": ResearchTopic.objects.count()}
    for topic in ResearchTopic.objects.exclude(report=""):
        topic.report.delete(save=False)
    TrainingOrder.objects.all().delete()
    ResearchTopic.objects.all().delete()
    TrainingClass.objects.all().delete()
    Course.objects.all().delete()
    return counts


def populate(seed: int, today: dt.date) -> dict[str, int]:
    with transaction.atomic():
        return _populate(seed, today)


def _score(rng: random.Random, base: float) -> Decimal:
    return Decimal(str(round(min(100.0, max(40.0, rng.gauss(base, 7))), 1)))


def _populate(seed: int, today: dt.date) -> dict[str, int]:
    from django.core.files.base import ContentFile

    from miaopu.apps.cadres.models import Cadre
    from miaopu.apps.core.models import User
    from miaopu.apps.mentoring.models import Mentor, Mentorship
    from miaopu.apps.units.models import Unit
    from miaopu.domain.dates import age_on

    from .models import (
        Attendance,
        ClassSession,
        Course,
        Enrolment,
        ResearchTopic,
        TopicMeeting,
        TrainingClass,
        TrainingOrder,
    )
    from .ranking import class_standings

    rng = random.Random(seed * 104_729 + 8)
    root = Unit.objects.filter(parent=None).order_by("path").first()
    if root is None:
        return {}
    counts = dict.fromkeys(("courses", "classes", "sessions", "enrolments", "orders", "topics", "meetings"), 0)

    # ---- catalogue
    courses: list[Course] = []
    for theme, items in THEMES_CITY:
        for topic, form in items:
            courses.append(
                Course(topic=topic, theme=theme, teacher=rng.choice(TEACHERS), hours=Decimal(rng.choice((3, 3, 6))),
                       form=form, scope_unit=root, description=f"{theme}专题课程")
            )  # fmt: skip
    counties = list(Unit.objects.filter(parent=root, level="county").order_by("path"))
    for i, county in enumerate(counties):
        theme = COUNTY_THEMES[i % len(COUNTY_THEMES)]
        for j, pattern in enumerate(COUNTY_COURSES):
            courses.append(
                Course(topic=pattern.format(t=theme), theme=theme, county=county, teacher=rng.choice(TEACHERS),
                       hours=Decimal(3), form=("classroom", "onsite", "written")[j], scope_unit=root,
                       description=f"{county.name}一县一主题：{theme}")
            )  # fmt: skip
    Course.objects.bulk_create(courses)
    courses = list(Course.objects.order_by("id"))
    counts["courses"] = len(courses)

    # ---- who trains
    young = [
        c
        for c in Cadre.objects.filter(status="active").select_related("unit").order_by("code")
        if age_on(c.birth_date, today) <= 35
    ]
    if not young:
        return counts
    demo_cadre = User.objects.filter(username="cadre").values_list("cadre_id", flat=True).first()
    officer_scope = User.objects.filter(username="officer").values_list("scope_unit__path", flat=True).first()
    must = [c for c in young if c.pk == demo_cadre]
    if officer_scope:
        must += [c for c in young if c.unit.path.startswith(officer_scope) and c.pk != demo_cadre][:2]

    def pick(n: int, exclude: set[int], with_must: bool) -> list:
        pool = [c for c in young if c.pk not in exclude and c not in must]
        chosen = {c.pk: c for c in must} if with_must else {}
        extra = rng.sample(pool, min(len(pool), max(0, n - len(chosen))))
        for c in extra:
            chosen.setdefault(c.pk, c)
        return sorted(chosen.values(), key=lambda c: c.code)[:n] if len(chosen) > n else list(chosen.values())

    last_year = today.year - 1
    plans = [
        # name, kind, grade, start, days, closed, trainees
        (f"{last_year}年中青年干部培训班", "class", "", dt.date(last_year, 10, 16), 25, True, 30),
        ("进港扬帆青训营", "camp", "一年级", today - dt.timedelta(days=90), 14, True, 20),
        ("进港扬帆青训营", "camp", "二年级", today - dt.timedelta(days=10), 30, False, 20),
    ]
    running_sessions: list[ClassSession] = []
    used: set[int] = set()
    for name, kind, grade, start, days, closed, size in plans:
        end = start + dt.timedelta(days=days)
        klass = TrainingClass.objects.create(
            name=name, kind=kind, grade=grade, scope_unit=root, start=start, end=end, location="市委党校",
            status="closed" if closed else "running", closed_on=end if closed else None,
            note="演示数据：学中比、比中学，表现记入成长档案" if kind == "class" else "演示数据：按工作年限分年级",
        )  # fmt: skip
        counts["classes"] += 1
        held = 6 if closed else 3
        sessions = []
        for k in range(held):
            course = courses[rng.randrange(len(courses))]
            when = start + dt.timedelta(days=min(days, k * max(1, days // held)))
            sessions.append(
                ClassSession.objects.create(klass=klass, course=course, date=when, hours=course.hours,
                                            teacher=course.teacher, form=course.form)
            )  # fmt: skip
        counts["sessions"] += len(sessions)
        if not closed:
            running_sessions = sessions
        # the demo cadre and the demo officer's town are in last year's class and this year's running camp
        trainees = pick(size, used if kind == "camp" else set(), with_must=not closed or kind == "class")
        used.update(c.pk for c in trainees)
        enrolments = []
        for cadre in trainees:
            talent = rng.gauss(82, 6)
            withdrawn = closed and rng.random() < 0.03
            enrolments.append(
                Enrolment.objects.create(
                    klass=klass, cadre=cadre, status="withdrawn" if withdrawn else "enrolled",
                    coursework=_score(rng, talent) if closed or rng.random() < 0.6 else None,
                    assessment=_score(rng, talent) if closed else None,
                    peer=_score(rng, talent + 2) if closed else None,
                    note="因工作调动中途退出" if withdrawn else "",
                )
            )  # fmt: skip
        counts["enrolments"] += len(enrolments)
        rows = []
        for session in sessions:
            for e in enrolments:
                r = rng.random()
                status = "present" if r < 0.88 else "late" if r < 0.94 else "leave" if r < 0.98 else "absent"
                rows.append(Attendance(session=session, enrolment=e, status=status))
        Attendance.objects.bulk_create(rows)
        if closed:
            standings = class_standings(klass)
            for e in enrolments:
                s = standings[e.pk]
                if e.status != "withdrawn":
                    e.status = "completed"
                    e.total = Decimal(str(s.total)).quantize(Decimal("0.01"))
                    e.rank = s.rank
                e.class_size = s.size
                e.save(update_fields=["status", "total", "rank", "class_size"])

    # ---- on-demand orders (点单)
    orders = []
    order_cadres = rng.sample(young, min(len(young), 18))
    for n, cadre in enumerate(sorted(order_cadres, key=lambda c: c.code)):
        custom = n % 5 == 4
        course = None if custom else courses[rng.randrange(len(courses))]
        orders.append(
            TrainingOrder(cadre=cadre, unit=cadre.unit, course=course,
                          custom_topic=rng.choice(CUSTOM_TOPICS) if custom else "",
                          post_category=cadre.post_category or "", headcount=1, note="")
        )  # fmt: skip
    towns = list(Unit.objects.filter(level="town").order_by("path")[:4])
    for town in towns:
        orders.append(
            TrainingOrder(unit=town, course=courses[rng.randrange(len(courses))], post_category="general",
                          headcount=rng.randint(5, 20), note="本单位年轻干部集中点单")
        )  # fmt: skip
    TrainingOrder.objects.bulk_create(orders)
    counts["orders"] = len(orders)
    if running_sessions:
        by_course = {s.course_id: s for s in running_sessions}
        for order in TrainingOrder.objects.filter(course_id__in=list(by_course)).order_by("id"):
            session = by_course[order.course_id]
            order.status = "scheduled"
            order.session = session
            order.answer = f"已安排：{session.klass} {session.date.isoformat()}"
            order.save(update_fields=["status", "session", "answer"])

    # ---- research topics (国情调研)
    mentor = Mentor.objects.filter(user__username="mentor").first()
    mentees = []
    if mentor is not None:
        mentees = [
            m.mentee
            for m in Mentorship.objects.filter(mentor=mentor, is_active=True)
            .select_related("mentee__unit")
            .order_by("mentee__code")
        ]
    other_mentors = list(Mentor.objects.order_by("name", "id")[:10])
    demo = next((c for c in young if c.pk == demo_cadre), None)
    for n, pattern in enumerate(TOPICS):
        owners = rng.sample(young, min(len(young), 2 if n % 2 else 1))
        if n == 0 and demo is not None and demo not in owners:
            owners = [demo, *owners[:1]]
        if n == 1 and mentees:
            owners = [mentees[0]]
        start = today - dt.timedelta(days=300 - n * 30)
        due = start + dt.timedelta(days=180)
        topic_mentor = mentor if n == 1 and mentor else (rng.choice(other_mentors) if other_mentors else None)
        reviewed = due < today - dt.timedelta(days=20) and n < 5
        topic = ResearchTopic.objects.create(
            title=pattern.format(unit=owners[0].unit.name), description="演示数据：问题导向，深入基层蹲点调研。",
            mentor=topic_mentor, scope_unit=root, start=start, due=due,
            status="reviewed" if reviewed else "ongoing",
        )  # fmt: skip
        topic.owners.set(owners)
        counts["topics"] += 1
        for k in range(2 if reviewed else 1):
            TopicMeeting.objects.create(
                topic=topic, date=start + dt.timedelta(days=45 + 60 * k), progress=40 + 40 * k,
                notes=("完成问卷设计和首轮走访。", "形成初稿，导师提出修改意见。")[k],
            )  # fmt: skip
            counts["meetings"] += 1
        if reviewed:
            topic.report.save(f"{topic.pk}.pdf", ContentFile(TINY_PDF), save=False)
            topic.report_name = f"{topic.title[:60]}.pdf"
            topic.report_size = len(TINY_PDF)
            topic.report_type = "application/pdf"
            topic.submitted_on = due - dt.timedelta(days=3)
            topic.review_score = Decimal(str(95 - n * 4))
            topic.award = AWARDS[n]
            topic.reviewed_on = due + dt.timedelta(days=10)
            topic.review_note = "选题紧扣中心工作，对策建议可操作。"
            topic.save()
    return counts
