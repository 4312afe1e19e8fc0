"""What the attack tests need: every route read from the resolver, what each object argument means, and a world.

``ROUTE_OBJECTS`` is the small reviewed table from a route's object argument to a kind of object; ``build_world``
makes, on top of ``build_city()``, one object of every kind in 东湖区 (scope A) and one in 西山县 (scope B), each
with the roles that may legitimately see it. ``test_attack`` and ``test_api_fuzz`` both use them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver

from miaopu.apps.core.testing import VISIBLE

D = dt.date
ROLES = list(VISIBLE)
#: The roles whose scope is a cadre set, and what build_city gives each scope.
SCOPE_A = frozenset({"orgdept", "orgdept_a", "officer_town_a", "cadre"})  # who sees 李娜 (village_a)
SCOPE_B = frozenset({"orgdept", "officer_b", "mentor"})  # who sees 赵强 (town_b)
ORGDEPT_A = frozenset({"orgdept", "orgdept_a"})  # 组织部 work inside 东湖区
ORGDEPT_B = frozenset({"orgdept"})  # 组织部 work inside 西山县 (no 西山县 组织部 account)
ALL_ORGDEPT = frozenset({"orgdept", "orgdept_a"})
PERSONNEL = frozenset(ROLES) - {"sysadmin", "secadmin", "auditor"}

#: (app, "segment:kwarg|…") → kind of object. The segment is the literal path part just before the argument
#: (``<owner>`` when that part is itself an argument). Review every line: it says what a route's argument means.
ROUTE_OBJECTS: dict[tuple[str, str], str] = {
    ("accounts", "users:pk"): "account",
    ("accounts", "audit:pk"): "audit_event",
    ("units", "units:pk"): "unit",
    ("units", "posts:pk"): "post",
    ("cadres", "cadres:pk"): "cadre",
    ("cadres", "experience:pk"): "experience",
    ("cadres", "experiences:pk"): "experience",
    ("programmes", "templates:code"): "template",
    ("programmes", "templates:code|versions:number"): "template_version",
    ("programmes", "programme-templates:code"): "template",
    ("programmes", "cadres:pk"): "cadre",
    ("programmes", "batches:pk"): "batch",
    ("programmes", "programme-batches:pk"): "batch",
    ("programmes", "slots:pk"): "slot",
    ("programmes", "candidates:pk"): "candidate",
    ("programmes", "programme-candidates:pk"): "candidate",
    ("programmes", "placements:pk"): "placement",
    ("programmes", "programme-placements:pk"): "placement",
    ("growth", "cadres:pk"): "cadre",
    ("growth", "entries:pk"): "growth_entry",
    ("growth", "growth-entries:pk"): "growth_entry",
    ("growth", "talks:pk"): "talk",
    ("growth", "growth-talks:pk"): "talk",
    ("growth", "punishments:pk"): "punishment",
    ("growth", "growth-punishments:pk"): "punishment",
    ("growth", "growth:owner|<owner>:pk"): "growth_record",
    ("growth", "attachments:pk"): "growth_attachment",
    ("assessments", "cycles:pk"): "cycle",
    ("assessments", "assessment-cycles:pk"): "cycle",
    ("assessments", "assessments:pk"): "assessment",
    ("assessments", "reviews:pk"): "review",
    ("assessments", "new:cadre_pk"): "cadre",
    ("pools", "entries:pk"): "pool_entry",
    ("pools", "pool-entries:pk"): "pool_entry",
    ("pools", "pools:pool"): "pool_name",
    ("matching", "batches:pk"): "batch",
    ("matching", "plans:pk"): "match_plan",
    ("matching", "matching-plans:pk"): "match_plan",
    ("exchange", "report:token"): "import_report",
    ("exchange", "cadres:pk"): "cadre",
    ("analytics", "batches:pk"): "batch",
    ("analytics", "cohorts:key"): "cohort",
    ("mentoring", "mentorships:pk"): "mentorship",
    ("mentoring", "records:pk"): "guidance_record",
    ("mentoring", "guidance-records:pk"): "guidance_record",
    ("mentoring", "attachments:pk"): "guidance_attachment",
    ("mentoring", "mentors:pk"): "mentor",
    ("mentoring", "rules:code"): "pairing_policy",
    ("mentoring", "pairing:pk"): "pairing_run",
    ("mentoring", "pairing-runs:pk"): "pairing_run",
    ("mentoring", "proposals:pk"): "proposal",
    ("mentoring", "pairing-proposals:pk"): "proposal",
    # 后台任务 (jobs): a job belongs to the account that submitted it
    ("jobs", "jobs:pk"): "job",
    ("jobs", "submit:kind"): "job_kind",
    # 培训 (training)
    ("training", "courses:pk"): "course",
    ("training", "classes:pk"): "training_class",
    ("training", "sessions:pk"): "class_session",
    ("training", "enrolments:pk"): "enrolment",
    ("training", "orders:pk"): "training_order",
    ("training", "topics:pk"): "research_topic",
    # 四下基层 (fieldwork)
    ("fieldwork", "bases:pk"): "practice_base",
    ("fieldwork", "fieldwork-bases:pk"): "practice_base",
    ("fieldwork", "evidence:pk"): "base_evidence",
    ("fieldwork", "ledger:pk"): "ledger_item",
    ("fieldwork", "fieldwork-ledger:pk"): "ledger_item",
    ("fieldwork", "fieldwork-care:pk"): "care_contact",
    ("fieldwork", "cadres:pk"): "cadre",
}

#: Answers that refuse without revealing anything. A redirect is a refusal only when it goes to the login page.
REFUSALS = {403, 404, 405}
LOGIN = "/login/"


# ---------------------------------------------------------------- the routes, read from the resolver


@dataclass(frozen=True)
class Route:
    path: str  # "cadres/<pk>/edit/"
    app: str
    kwargs: tuple[str, ...]
    key: str  # "pk" → "cadres:pk"

    @property
    def is_api(self) -> bool:
        return self.path.startswith("api/")

    def url(self, values: dict[str, object]) -> str:
        if len(self.kwargs) == 1 and len(values) == 1:  # ``cadre_pk`` of a route ← the cadre's ``pk``
            values = {self.kwargs[0]: next(iter(values.values()))}
        return "/" + re.sub(r"<(\w+)>", lambda m: str(values[m.group(1)]), self.path)


def _normalise(pattern: str) -> str:
    pattern = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", pattern)  # regex groups (DRF routers)
    pattern = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", pattern)  # path converters
    return pattern.replace("^", "").replace("$", "").replace("\\.", ".")


def _app(callback) -> str:
    module = getattr(callback, "__module__", "") or ""
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["miaopu", "apps"] else parts[0]


def _key(path: str) -> tuple[str, ...]:
    segments = [s for s in path.split("/") if s]
    keys = []
    for i, segment in enumerate(segments):
        for name in re.findall(r"<(\w+)>", segment):
            before = segments[i - 1] if i else ""
            before = re.sub(r"<(\w+)>.*", r"<\1>", before)
            keys.append(f"{before}:{name}")
    return tuple(keys)


def all_routes() -> list[Route]:
    found: list[Route] = []

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                path = _normalise(prefix + str(p.pattern))
                kwargs = tuple(re.findall(r"<(\w+)>", path))
                found.append(Route(path, _app(p.callback), kwargs, "|".join(_key(path))))

    walk(get_resolver().url_patterns, "")
    return found


# ---------------------------------------------------------------- the world: one object of every kind per scope


@dataclass
class Target:
    values: dict[str, object]
    visible: frozenset[str]
    label: str
    marker: str = ""  # text of the object that must not appear in a refusal


@dataclass
class World:
    city: object
    targets: dict[str, list[Target]] = field(default_factory=dict)

    def add(self, kind: str, values: dict, visible, label: str, marker: str = "") -> None:
        self.targets.setdefault(kind, []).append(Target(values, frozenset(visible), label, marker))


def build_world(city, media) -> World:
    from miaopu.apps.assessments.models import Assessment, AssessmentCycle, Review
    from miaopu.apps.cadres.models import Experience
    from miaopu.apps.core.audit import Actor, record
    from miaopu.apps.core.choices import AuditAction, AuditCategory, Role
    from miaopu.apps.core.testing import make_user
    from miaopu.apps.exchange import views as exchange_views
    from miaopu.apps.exchange.report import ImportReport, Issue
    from miaopu.apps.growth.models import Attachment, GrowthEntry, Punishment, Talk
    from miaopu.apps.matching.models import MatchPlan
    from miaopu.apps.mentoring.models import (
        GuidanceAttachment,
        GuidanceRecord,
        Mentor,
        Mentorship,
        PairingProposal,
        PairingRun,
    )
    from miaopu.apps.pools.models import PoolEntry
    from miaopu.apps.programmes.models import Batch, Candidate, HostSlot, Placement, ProgrammeTemplate
    from miaopu.apps.units.models import Post

    w = World(city)
    u, c = city.users, city.cadres
    orgdept = u["orgdept"]
    li, zhao = c["village_a"], c["town_b"]  # scope A, scope B
    scopes = {
        "A": (li, city.district_a, city.village_a, SCOPE_A, ORGDEPT_A),
        "B": (zhao, city.district_b, city.town_b, SCOPE_B, ORGDEPT_B),
    }
    # Scope A gets its own mentor (an account outside build_city's roles) so the mentor role sees only scope B.
    mentor_a_user = make_user("mentor_a", Role.MENTOR)
    mentor_a = Mentor.objects.create(user=mentor_a_user, name="导师乙", unit_name="青石镇红旗村")
    Mentorship.objects.create(mentee=li, mentor=mentor_a, role="political", start=D(2024, 1, 1))
    template = ProgrammeTemplate.objects.get(code="dunmiao")

    w.add("account", {"pk": u["mentor"].pk}, {"sysadmin", "secadmin"}, "account mentor")
    w.add("account", {"pk": u["auditor"].pk}, {"secadmin"}, "account auditor")
    event = record(
        Actor.cli(),
        category=AuditCategory.CHANGE,
        action=AuditAction.GENERATE,
        obj="attack",
        object_repr="攻击测试事件",
    )
    w.add("audit_event", {"pk": event.pk}, {"auditor"}, "audit event", "攻击测试事件")
    w.add("template", {"code": template.code}, ALL_ORGDEPT, "template")
    w.add(
        "template_version",
        {"code": template.code, "number": template.current_version.number},
        ALL_ORGDEPT,
        "template version",
    )
    w.add("pool_name", {"pool": "reserve"}, ALL_ORGDEPT, "pool")
    w.add("pairing_policy", {"code": template.code}, ALL_ORGDEPT, "pairing policy")
    from miaopu.apps.analytics.selectors import COHORTS

    w.add("cohort", {"key": next(iter(COHORTS))}, PERSONNEL, "cohort")

    for name, (cadre, district, unit, readers, organisers) in scopes.items():
        tag = f"scope {name}"
        marker = f"攻击标记{name}"
        w.add("cadre", {"pk": cadre.pk}, readers, f"{tag} cadre", cadre.name)
        units_seen = readers - {"mentor", "cadre"}
        # The 安全管理员 browses the whole unit tree (to assign scopes) but sees no personnel on it.
        w.add("unit", {"pk": unit.pk}, units_seen | {"secadmin"}, f"{tag} unit")
        post = Post.objects.create(unit=unit, title=f"{marker}岗位", category="general", leadership_level="staff")
        w.add("post", {"pk": post.pk}, units_seen, f"{tag} post", post.title)
        exp = Experience.objects.create(
            cadre=cadre, start=D(2015, 8, 1), end=D(2016, 8, 1), unit=unit, post_title=f"{marker}科员"
        )
        w.add("experience", {"pk": exp.pk}, readers, f"{tag} experience", exp.post_title)
        # 培养项目: a batch scoped to the district, a host slot, a candidate and a placement
        batch = Batch.objects.create(
            template=template,
            version=template.current_version,
            name=f"{marker}批次",
            year=2025,
            as_of=D(2025, 3, 1),
            scope_unit=district,
            status="placed",
        )
        w.add("batch", {"pk": batch.pk}, organisers, f"{tag} batch", batch.name)
        slot = HostSlot.objects.create(batch=batch, unit=unit, post_title=f"{marker}镇长助理")
        w.add("slot", {"pk": slot.pk}, organisers, f"{tag} slot", slot.post_title)
        cand = Candidate.objects.create(
            batch=batch, cadre=cadre, eligible=True, evaluated_on=D(2025, 3, 1), status="placed"
        )
        w.add("candidate", {"pk": cand.pk}, organisers, f"{tag} candidate", cadre.name)
        placement = Placement.objects.create(
            candidate=cand,
            batch=batch,
            cadre=cadre,
            host_unit=unit,
            post_title=f"{marker}挂职",
            kind="secondment",
            start=D(2025, 4, 1),
            planned_end=D(2027, 3, 31),
            status="active",
        )
        w.add("placement", {"pk": placement.pk}, organisers, f"{tag} placement", cadre.name)
        # ``explain`` in the shape ``matching.problem.Built.explain()`` writes
        plan = MatchPlan.objects.create(
            batch=batch,
            number=1,
            outcome="optimal",
            created_by=orgdept,
            explain={
                "candidates": {
                    f"c{cand.pk}": {
                        "candidate": cand.pk,
                        "cadre": cadre.pk,
                        "name": cadre.name,
                        "code": cadre.code,
                        "unit": unit.name,
                        "side": "",
                    }
                }
            },
        )
        w.add("match_plan", {"pk": plan.pk}, organisers, f"{tag} match plan", cadre.name)
        # 成长档案
        entry = GrowthEntry.objects.create(
            cadre=cadre, kind="achievement", date=D(2024, 7, 1), title=f"{marker}成长记录", author=orgdept
        )
        w.add("growth_entry", {"pk": entry.pk}, readers, f"{tag} growth entry", entry.title)
        w.add("growth_record", {"owner": "entry", "pk": entry.pk}, readers, f"{tag} entry attachments", entry.title)
        talk = Talk.objects.create(
            cadre=cadre,
            date=D(2024, 9, 1),
            talker="干部科",
            thought_state="fluctuating",
            content=f"{marker}谈话机密",
            author=orgdept,
        )
        w.add("talk", {"pk": talk.pk}, organisers, f"{tag} talk", talk.content)
        w.add("growth_record", {"owner": "talk", "pk": talk.pk}, organisers, f"{tag} talk attachments", talk.content)
        punishment = Punishment.objects.create(
            cadre=cadre,
            date=D(2024, 10, 1),
            kind="warning",
            description=f"{marker}处分事由",
            decided_by="纪委",
            author=orgdept,
        )
        w.add("punishment", {"pk": punishment.pk}, organisers, f"{tag} punishment", punishment.description)
        attachment = Attachment(cadre=cadre, entry=entry, name=f"{marker}.pdf", size=4, content_type="application/pdf")
        attachment.file.save(f"{name}.pdf", ContentFile(b"%PDF"), save=True)
        w.add("growth_attachment", {"pk": attachment.pk}, readers, f"{tag} growth attachment", attachment.name)
        # 考核, 分析研判, 人才库
        cycle = AssessmentCycle.objects.create(
            kind="annual", year=2024, name=f"{marker}年度考核", scope_unit=district, end=D(2024, 12, 31)
        )
        w.add("cycle", {"pk": cycle.pk}, readers - {"mentor", "cadre"}, f"{tag} cycle", cycle.name)
        assessment = Assessment.objects.create(
            cycle=cycle,
            cadre=cadre,
            kind="annual",
            year=2024,
            grade="excellent",
            assessed_on=D(2025, 1, 10),
            comment=f"{marker}考核评语",
        )
        w.add("assessment", {"pk": assessment.pk}, readers, f"{tag} assessment", assessment.comment)
        review = Review.objects.create(
            cadre=cadre,
            date=D(2024, 6, 1),
            fitness="excellent",
            ability="strong",
            advice=f"{marker}研判建议",
            recorded_by=orgdept,
        )
        w.add("review", {"pk": review.pk}, organisers, f"{tag} review", review.advice)
        pool = PoolEntry.objects.create(
            pool="reserve",
            cadre=cadre,
            source="annual",
            date=D(2024, 4, 2),
            reason=f"{marker}入库理由",
            tier="county",
            category="grassroots",
        )
        w.add("pool_entry", {"pk": pool.pk}, organisers, f"{tag} pool entry", pool.reason)
        # 导师帮带
        ship = Mentorship.objects.get(mentee=cadre)
        w.add("mentorship", {"pk": ship.pk}, readers, f"{tag} mentorship", ship.mentor.name)
        w.add("mentor", {"pk": ship.mentor_id}, readers, f"{tag} mentor", ship.mentor.name)
        record_ = GuidanceRecord.objects.create(
            mentorship=ship,
            date=D(2024, 5, 6),
            kind="topic",
            hours=2,
            content=f"{marker}帮带内容",
            created_by=ship.mentor.user,
        )
        w.add("guidance_record", {"pk": record_.pk}, readers, f"{tag} guidance record", record_.content)
        g_attachment = GuidanceAttachment(record=record_, name=f"{marker}.pdf", size=4, content_type="application/pdf")
        g_attachment.file.save(f"g{name}.pdf", ContentFile(b"%PDF"), save=True)
        w.add("guidance_attachment", {"pk": g_attachment.pk}, readers, f"{tag} guidance attachment", g_attachment.name)
        run = PairingRun.objects.create(
            title=f"{marker}自动配对",
            roles=["business"],
            policy={},
            as_of=D(2025, 3, 1),
            scope_unit=district,
            created_by=orgdept,
            cohort_size=1,
        )
        w.add("pairing_run", {"pk": run.pk}, organisers, f"{tag} pairing run", run.title)
        proposal = PairingProposal.objects.create(
            run=run, mentee=cadre, role="business", mentor=ship.mentor, mentor_name=ship.mentor.name
        )
        w.add("proposal", {"pk": proposal.pk}, organisers, f"{tag} pairing proposal", cadre.name)

    _jobs(w)
    _training(w, scopes)
    _fieldwork(w, scopes)
    # 导入报告: a report belongs to the account that ran the import, nobody else.
    for owner in ("orgdept_a", "officer_b"):
        report = ImportReport(file_name=f"攻击{owner}.xlsx", issues=[Issue(sheet="干部", row=2, message="攻击报告")])
        token = exchange_views._store_report(u[owner], report)
        w.add("import_report", {"token": token}, {owner}, f"import report of {owner}")
    return w


def object_routes() -> list[Route]:
    return [r for r in all_routes() if r.kwargs]


# ---------------------------------------------------------------- the apps added later (built only when installed)


def _jobs(w: World) -> None:
    from django.apps import apps

    if not apps.is_installed("miaopu.apps.jobs"):
        return
    from miaopu.apps.jobs.models import Job

    for owner in ("orgdept_a", "officer_b"):
        job = Job.objects.create(
            kind="roster_export",
            created_by=w.city.users[owner],
            idempotency_key=f"attack-{owner}",
            message=f"攻击任务{owner}",
        )
        w.add("job", {"pk": job.pk}, {owner}, f"job of {owner}", job.message)
    # Submitting a job is not reading another scope: every role may try; the view decides who may submit what.
    w.add("job_kind", {"kind": "roster_export"}, frozenset(ROLES), "job kind")


def _training(w: World, scopes: dict) -> None:
    from django.apps import apps

    if not apps.is_installed("miaopu.apps.training"):
        return
    from miaopu.apps.core.audit import Actor
    from miaopu.apps.training import services

    city = w.city
    org = Actor(user=city.users["orgdept"], source="system")
    course = services.course_create(
        actor=org,
        data={"topic": "攻击测试课程", "theme": "能力提升", "hours": 3, "form": "sandbox", "scope_unit": city.root},
    )
    w.add("course", {"pk": course.pk}, PERSONNEL, "course (catalogue)")
    for name, (cadre, district, _unit, readers, _organisers) in scopes.items():
        marker = f"攻击标记{name}"
        klass = services.class_create(
            actor=org,
            data={
                "name": f"{marker}培训班",
                "kind": "class",
                "scope_unit": district,
                "start": D(2025, 10, 1),
                "end": D(2025, 10, 20),
            },
        )
        w.add("training_class", {"pk": klass.pk}, readers, f"scope {name} class", klass.name)
        session = services.session_create(
            actor=org, klass=klass, data={"course": course, "date": D(2025, 10, 2), "hours": 3}
        )
        w.add("class_session", {"pk": session.pk}, readers, f"scope {name} session", klass.name)
        enrolment = services.enrol(actor=org, klass=klass, cadres=[cadre])[0]
        w.add("enrolment", {"pk": enrolment.pk}, readers, f"scope {name} enrolment", klass.name)
        topic = services.topic_create(
            actor=org,
            data={"title": f"{marker}调研课题", "scope_unit": district, "start": D(2025, 3, 1), "due": D(2025, 9, 30)},
            owners=[cadre],
        )
        w.add("research_topic", {"pk": topic.pk}, readers, f"scope {name} topic", topic.title)
    own = services.order_create(
        actor=Actor(user=city.users["cadre"], source="system"), data={"course": course, "note": "攻击标记A点单"}
    )
    w.add("training_order", {"pk": own.pk}, SCOPE_A, "scope A order (the cadre's own)", "攻击标记A点单")
    unit_order = services.order_create(
        actor=Actor(user=city.users["officer_b"], source="system"),
        data={"custom_topic": "攻击标记B点单", "headcount": 12, "post_category": "general"},
    )
    w.add("training_order", {"pk": unit_order.pk}, SCOPE_B - {"mentor"}, "scope B order (西山县)", "攻击标记B点单")


def _fieldwork(w: World, scopes: dict) -> None:
    from django.apps import apps

    if not apps.is_installed("miaopu.apps.fieldwork"):
        return
    from miaopu.apps.fieldwork.models import CareContact, CriterionScore, LedgerItem, LedgerTaker, PracticeBase
    from miaopu.apps.fieldwork.testing import make_base

    for name, (cadre, _district, unit, readers, _organisers) in scopes.items():
        marker = f"攻击标记{name}"
        keepers = readers - {"mentor", "cadre"}
        base = PracticeBase.objects.filter(unit=unit).first() or make_base(unit)
        w.add("practice_base", {"pk": base.pk}, keepers, f"scope {name} practice base")
        score = CriterionScore.objects.filter(certification__base=base).first()
        score.attachment_name = f"{marker}佐证.pdf"
        score.attachment.save(f"evidence-{name}.pdf", ContentFile(b"%PDF"), save=True)
        w.add("base_evidence", {"pk": score.pk}, keepers, f"scope {name} evidence")
        item = LedgerItem.objects.create(
            village=unit,
            category="infrastructure",
            description=f"{marker}台账事项",
            raised_on=D(2025, 5, 1),
            created_by=w.city.users["orgdept"],
        )
        LedgerTaker.objects.create(item=item, cadre=cadre, taken_on=D(2025, 5, 2))
        w.add("ledger_item", {"pk": item.pk}, readers, f"scope {name} ledger item", item.description)
        care = CareContact.objects.create(
            cadre=cadre,
            date=D(2025, 6, 1),
            kind="visit",
            contact_by="干部科",
            summary=f"{marker}关心关爱",
            recorded_by=w.city.users["orgdept"],
        )
        w.add("care_contact", {"pk": care.pk}, readers, f"scope {name} care contact", care.summary)
