"""The alert registry (预警): each kind is a function yielding :class:`Alert` items with a reason in Chinese.

Every kind reads the whole unit tree through the scoped selectors as :func:`adapters.system_reader` (the
daily ``miaopu alerts`` job has no signed-in user) and only iterates the rows that match its rule — the
rule itself (a birth-date window, a planned end date, a post start) is a database filter, so the 200,000
cadres of a province-sized city are never looped over in Python. :func:`refresh` replaces the stored rows of
each kind inside one transaction (delete + bulk insert), so running it twice changes nothing.

Levels: 红 = overdue or imminent, act now; 黄 = act soon; 绿 = on the horizon, for planning. The rules of
every kind are in ``docs/statistics.md`` and in each function's docstring.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from miaopu.apps.cadres.derived import rural_q
from miaopu.apps.cadres.filtersets import birth_bounds_for_age
from miaopu.apps.cadres.models import Experience
from miaopu.apps.cadres.selectors import cadre_list, experience_list
from miaopu.apps.core.audit import Actor, record
from miaopu.apps.core.choices import AuditAction, AuditCategory
from miaopu.domain.dates import add_months, age_on
from miaopu.domain.retirement import retirement_age_months, retirement_date
from miaopu.domain.vocab import CadreStatus, ExperienceKind

from . import adapters
from .adapters import NotAvailable
from .models import Alert as AlertRecord
from .models import AlertLevel, AlertRun

RED, YELLOW, GREEN = AlertLevel.RED.value, AlertLevel.YELLOW.value, AlertLevel.GREEN.value

#: The practice programme whose coverage the turning-36 alert checks (template code, seed 002).
PRACTICE_TEMPLATE = "sixiaji-practice"
#: Window of the term-ending alert (days before the planned end).
TERM_WINDOW_DAYS = 60
#: Window of the turning-36 alert (months before the birthday) and its red part.
AGE_WINDOW_MONTHS, AGE_RED_MONTHS = 6, 3
#: Rotation: yellow this many days before the cycle is complete, red from the day it is.
ROTATION_WINDOW_DAYS = 90
#: Stage change: red once a due change is this many days late; green this many days before the next stage.
STAGE_LATE_DAYS, STAGE_AHEAD_DAYS = 30, 30
#: Retirement: 绿 within 12 months, 黄 within 6, 红 reached.
RETIREMENT_WINDOW_MONTHS, RETIREMENT_YELLOW_MONTHS = 12, 6
#: Statutory original retirement ages of cadres (干部): men 60, women 55 (the 50 of women workers does not apply).
ORIGINAL_AGES = (("male", 60), ("female", 55))


@dataclass(frozen=True)
class Alert:
    """One thing someone should act on: what, how urgent, about whom, why, who acts, where, by when."""

    kind: str
    level: str
    cadre_id: int | None
    reason: str
    owner: str
    link: str
    due: dt.date | None = None


@dataclass(frozen=True)
class Context:
    as_of: dt.date
    reader: object  # the whole-tree reader (adapters.system_reader)

    def active_cadres(self):
        return cadre_list(user=self.reader).select_related(None).filter(status=CadreStatus.ACTIVE).order_by()


@dataclass(frozen=True)
class AlertKind:
    kind: str
    label: str
    rule: str
    compute: Callable[[Context], Iterable[Alert]]


KINDS: dict[str, AlertKind] = {}


def alert_kind(kind: str, label: str, rule: str) -> Callable:
    """Register ``function(ctx) -> Iterable[Alert]`` as the alert kind ``kind``."""

    def register(function: Callable[[Context], Iterable[Alert]]) -> Callable:
        KINDS[kind] = AlertKind(kind, label, rule, function)
        return function

    return register


def _days(n: int) -> str:
    return _("%(n)s 天") % {"n": n}


ORGDEPT_OWNER = _l("组织部干部科")
UNIT_OWNER = _l("%(unit)s人事专员")


def _batch_owner(batch) -> str:
    return batch.created_by.display_name if batch.created_by_id else str(ORGDEPT_OWNER)


# ---------------------------------------------------------------- programme terms


@alert_kind(
    "term_ending",
    _l("挂职/任职期满"),
    _l("培养项目中在岗人员计划结束日期在 60 天内（黄）或已过（红）；项目外的挂职、借调履历结束日期在 60 天内（黄）。"),
)
def term_ending(ctx: Context) -> Iterable[Alert]:
    """Placements still in post whose planned end is within 60 days (黄) or past (红); secondments outside programmes.

    "Within 60 days" includes the 60th day: planned end ≤ as-of + 60 days. A secondment or loan recorded
    only as an experience entry with a future end date (no placement behind it) gets a 黄 alert in the same
    window; an entry whose end is past has ended, so it cannot be overdue.
    """
    from miaopu.apps.programmes.choices import PlacementStatus
    from miaopu.apps.programmes.models import Placement
    from miaopu.apps.programmes.selectors import placement_list

    horizon = ctx.as_of + dt.timedelta(days=TERM_WINDOW_DAYS)
    placements = (
        placement_list(user=ctx.reader)
        .filter(status=PlacementStatus.ACTIVE, planned_end__isnull=False, planned_end__lte=horizon,
                cadre__status=CadreStatus.ACTIVE)
        .select_related("batch__created_by")
        .order_by("planned_end", "id")
    )  # fmt: skip
    for p in placements:
        left = (p.planned_end - ctx.as_of).days
        where = p.host_unit.name if p.host_unit_id else _("原单位")
        what = p.get_kind_display() or p.batch.template.name
        if left < 0:
            level = RED
            reason = _("%(n)s 在%(w)s的%(k)s（%(b)s）已于 %(d)s 期满，超期 %(late)s，尚未办理期满考核或延期") % {
                "n": p.cadre.name, "w": where, "k": what, "b": p.batch.name, "d": p.planned_end, "late": _days(-left),
            }  # fmt: skip
        else:
            level = YELLOW
            reason = _("%(n)s 在%(w)s的%(k)s（%(b)s）将于 %(d)s 期满，还有 %(left)s，请安排期满考核") % {
                "n": p.cadre.name, "w": where, "k": what, "b": p.batch.name, "d": p.planned_end, "left": _days(left),
            }  # fmt: skip
        yield Alert("term_ending", level, p.cadre_id, reason, _batch_owner(p.batch),
                    reverse("programmes:placement_assess", args=[p.pk]), p.planned_end)  # fmt: skip
    in_programmes = Placement.objects.filter(experience__isnull=False).values("experience_id")
    entries = (
        experience_list(user=ctx.reader)
        .filter(kind__in=[ExperienceKind.SECONDMENT, ExperienceKind.LOAN], end__gte=ctx.as_of, end__lte=horizon,
                cadre__status=CadreStatus.ACTIVE)
        .exclude(pk__in=in_programmes)
        .select_related("cadre__unit")
        .order_by("end", "id")
    )  # fmt: skip
    for e in entries:
        left = (e.end - ctx.as_of).days
        reason = _("%(n)s 在%(w)s的%(k)s将于 %(d)s 到期，还有 %(left)s") % {
            "n": e.cadre.name, "w": e.unit_display, "k": e.get_kind_display(), "d": e.end, "left": _days(left),
        }  # fmt: skip
        yield Alert("term_ending", YELLOW, e.cadre_id, reason, str(UNIT_OWNER) % {"unit": e.cadre.unit.name},
                    e.cadre.get_absolute_url(), e.end)  # fmt: skip


# ---------------------------------------------------------------- age: turning 36 without rural experience


def birthday_on_or_after(birth: dt.date, age: int) -> dt.date:
    """The first day on which someone born on ``birth`` is ``age`` (29 February → 1 March, as ``age_on`` counts)."""
    day = add_months(birth, 12 * age)
    return day if age_on(birth, day) >= age else day + dt.timedelta(days=1)


@alert_kind(
    "turning_36",
    _l("即将超龄未经乡村锻炼"),
    _l("6 个月内年满 36 岁、没有乡村工作经历、也未参加四下基层实践锻炼的在职干部；3 个月内满 36 岁为红，其余为黄。"),
)
def turning_36(ctx: Context) -> Iterable[Alert]:
    """Active cadres who turn 36 (young-cadre limit + 1) within 6 months, with no rural experience and no practice.

    Rural experience = any experience entry at a 镇街 or 村社区 unit that started on or before the as-of date, read
    from the stored ``Cadre.first_rural_start`` exactly as the cadre list's "乡村工作经历：无" filter reads it;
    practice = any placement in a ``sixiaji-practice`` batch.
    Once they turn 36 they leave the practice programme's target group (age ≤ 35) for good.
    """
    from miaopu.apps.programmes.models import Placement, ProgrammeTemplate

    limit = settings.MIAOPU["YOUNG_CADRE_MAX_AGE"] + 1
    horizon = add_months(ctx.as_of, AGE_WINDOW_MONTHS)
    red_until = add_months(ctx.as_of, AGE_RED_MONTHS)
    covered = Exists(Placement.objects.filter(batch__template__code=PRACTICE_TEMPLATE, cadre=OuterRef("pk")))
    template = ProgrammeTemplate.objects.filter(code=PRACTICE_TEMPLATE).only("name").first()
    programme = template.name if template else _("四下基层实践锻炼")
    rows = (
        ctx.active_cadres()
        .filter(**birth_bounds_for_age(None, limit - 1, ctx.as_of), **birth_bounds_for_age(limit, None, horizon))
        .filter(rural_q(False, ctx.as_of))
        .exclude(covered)
        .values_list("pk", "name", "birth_date")
        .order_by("birth_date", "pk")
    )
    for pk, name, birth in rows:
        day = birthday_on_or_after(birth, limit)
        reason = _("%(n)s 将于 %(d)s 年满 %(a)s 岁，尚无乡村工作经历，也未参加%(p)s，超龄后将不再符合条件") % {
            "n": name, "d": day, "a": limit, "p": programme,
        }  # fmt: skip
        yield Alert("turning_36", RED if day <= red_until else YELLOW, pk, reason, str(ORGDEPT_OWNER),
                    reverse("programmes:cadre_why", args=[pk]), day)  # fmt: skip


# ---------------------------------------------------------------- rotation


def _rotation_templates(ctx: Context) -> list[tuple[object, int]]:
    """(template, cycle years) of every active rotation template with a cycle (ningde-rotation: 2 years)."""
    from miaopu.apps.programmes.selectors import template_list

    from .selectors import _latest_versions

    templates = list(template_list(user=ctx.reader).filter(is_active=True, kind="rotation").order_by("id"))
    versions = _latest_versions(templates)
    return [
        (t, versions[t.pk].parsed.cycle_years)
        for t in templates
        if t.pk in versions and versions[t.pk].parsed.cycle_years
    ]


@alert_kind(
    "rotation_due",
    _l("交流任职到期"),
    _l("乡镇党政正职岗位任职满一个交流周期（宁德：2 年），或交流任职到岗满一个周期；已满为红，90 天内将满为黄。"),
)
def rotation_due(ctx: Context) -> Iterable[Alert]:
    """Township party/government heads (``Post.is_township_head``) and rotation placements at the end of a cycle.

    The rotation template's cycle (``cycle_years``, 2 for ``ningde-rotation``) runs from the post start: the
    start of the cadre's open experience entry at their current unit, or, without one, the date of their
    current leadership level (``leadership_level_since``). A cadre with neither date is not flagged. Rotation
    placements (a batch of the template, still in post) count from the placement start.
    """
    from miaopu.apps.programmes.choices import PlacementStatus
    from miaopu.apps.programmes.selectors import placement_list

    horizon = ctx.as_of + dt.timedelta(days=ROTATION_WINDOW_DAYS)
    seen: set[int] = set()
    for template, cycle in _rotation_templates(ctx):
        link = reverse("programmes:batch_list") + f"?template={template.code}"
        placements = (
            placement_list(user=ctx.reader)
            .filter(batch__template=template, status=PlacementStatus.ACTIVE, cadre__status=CadreStatus.ACTIVE,
                    start__lte=add_months(horizon, -12 * cycle))
            .order_by("start", "id")
        )  # fmt: skip
        for p in placements:
            if p.cadre_id in seen:
                continue
            seen.add(p.cadre_id)
            due = add_months(p.start, 12 * cycle)
            where = p.host_unit.name if p.host_unit_id else _("原单位")
            reason = _("%(n)s 于 %(s)s 交流到%(w)s任职，%(state)s %(c)s 年（%(d)s），按“%(t)s”应安排下一轮交流") % {
                "n": p.cadre.name, "s": p.start, "w": where, "c": cycle, "d": due, "t": template.name,
                "state": _("已满") if due <= ctx.as_of else _("将满"),
            }  # fmt: skip
            yield Alert("rotation_due", RED if due <= ctx.as_of else YELLOW, p.cadre_id, reason,
                        _batch_owner(p.batch), link, due)  # fmt: skip
        open_entry = (
            Experience.objects.filter(cadre=OuterRef("pk"), unit=OuterRef("unit_id"), end__isnull=True)
            .order_by("-start")
            .values("start")[:1]
        )
        heads = (
            ctx.active_cadres()
            .filter(post__is_township_head=True)
            .annotate(post_start=Coalesce(Subquery(open_entry), "leadership_level_since"))
            .filter(post_start__lte=add_months(horizon, -12 * cycle))
            .values_list("pk", "name", "unit__name", "post__title", "post_start")
            .order_by("post_start", "pk")
        )
        for pk, name, unit_name, title, start in heads:
            if pk in seen:
                continue
            seen.add(pk)
            due = add_months(start, 12 * cycle)
            reason = _("%(n)s 任%(u)s%(p)s 自 %(s)s 起%(state)s %(c)s 年（%(d)s），按“%(t)s”应列入交流人选") % {
                "n": name, "u": unit_name, "p": title, "s": start, "c": cycle, "d": due, "t": template.name,
                "state": _("已满") if due <= ctx.as_of else _("将满"),
            }  # fmt: skip
            yield Alert("rotation_due", RED if due <= ctx.as_of else YELLOW, pk, reason, str(ORGDEPT_OWNER), link, due)


# ---------------------------------------------------------------- staged programmes (xinmiao)


@alert_kind(
    "stage_due",
    _l("培养阶段转换"),
    _l(
        "分阶段培养（新苗培优）在岗人员按进入公务员队伍月数应进入下一阶段而未记录：迟 30 天以上为红，否则为黄；"
        "30 天内将进入下一阶段为绿。"
    ),
)
def stage_due(ctx: Context) -> Iterable[Alert]:
    """Placements of staged programmes whose stage (by months since civil-service entry) changed but is not recorded.

    The stage on the as-of date comes from the batch's pinned rules (``stage_at``); the recorded one is the
    placement's latest :class:`StageRecord`. Recording is one click on the batch page (记录阶段变化).
    """
    from miaopu.apps.programmes.choices import BatchStatus, PlacementStatus
    from miaopu.apps.programmes.models import StageRecord
    from miaopu.apps.programmes.selectors import batch_list, placement_list

    specs = {
        batch.pk: batch.spec
        for batch in batch_list(user=ctx.reader).filter(status=BatchStatus.PLACED).select_related("version")
        if batch.spec.stages
    }
    if not specs:
        return
    last = StageRecord.objects.filter(placement=OuterRef("pk")).order_by("-since", "-id").values("stage")[:1]
    placements = (
        placement_list(user=ctx.reader)
        .filter(status=PlacementStatus.ACTIVE, cadre__status=CadreStatus.ACTIVE, batch_id__in=list(specs))
        .select_related("batch__created_by")
        .annotate(last_stage=Subquery(last))
        .order_by("batch_id", "id")
    )  # fmt: skip
    for p in placements:
        spec = specs[p.batch_id]
        entry = p.cadre.civil_service_entry_date
        if entry is None:
            continue
        link = reverse("programmes:batch_detail", args=[p.batch_id])
        current = spec.stage_at(entry, ctx.as_of)
        if current is not None and current.name != p.last_stage:
            since = add_months(entry, current.from_month)
            late = (ctx.as_of - since).days
            reason = _("%(n)s 自 %(d)s 起应进入“%(s)s”阶段（%(t)s），尚未记录（目前记录：%(last)s）") % {
                "n": p.cadre.name, "d": since, "s": current.name, "t": current.theme or "—",
                "last": p.last_stage or _("无"),
            }  # fmt: skip
            yield Alert("stage_due", RED if late > STAGE_LATE_DAYS else YELLOW, p.cadre_id, reason,
                        _batch_owner(p.batch), link, since)  # fmt: skip
            continue
        following = [s for s in spec.stages if current is not None and s.from_month > current.to_month]
        if following:
            start = add_months(entry, following[0].from_month)
            if 0 < (start - ctx.as_of).days <= STAGE_AHEAD_DAYS:
                reason = _("%(n)s 将于 %(d)s 进入“%(s)s”阶段（%(t)s）") % {
                    "n": p.cadre.name, "d": start, "s": following[0].name, "t": following[0].theme or "—",
                }  # fmt: skip
                yield Alert("stage_due", GREEN, p.cadre_id, reason, _batch_owner(p.batch), link, start)


# ---------------------------------------------------------------- retirement (2025 rules)


def latest_birth_retiring_by(day: dt.date, gender: str, original_age: int) -> dt.date:
    """The latest birth date whose statutory retirement date is on or before ``day``.

    ``retirement_date`` increases with the birth date (the delay never shrinks as birth months advance), so
    the cadres who reach retirement age by ``day`` are exactly those born on or before this date: one
    birth-date filter in the database, found by bisection over days.
    """
    low = dt.date(day.year - original_age - 10, 1, 1).toordinal()  # retires by day for sure
    high = day.toordinal()  # born on day: retires decades later
    while low < high:
        middle = (low + high + 1) // 2
        if retirement_date(dt.date.fromordinal(middle), gender, original_age) <= day:
            low = middle
        else:
            high = middle - 1
    return dt.date.fromordinal(low)


def _age_text(months: int) -> str:
    years, rest = divmod(months, 12)
    return _("%(y)s 岁 %(m)s 个月") % {"y": years, "m": rest} if rest else _("%(y)s 岁") % {"y": years}


@alert_kind(
    "retirement",
    _l("到龄退休"),
    _l(
        "按 2025 年起渐进式延迟法定退休年龄（男 60→63 岁、女干部 55→58 岁）计算，12 个月内到龄："
        "已到龄为红，6 个月内为黄，其余为绿。"
    ),
)
def retirement(ctx: Context) -> Iterable[Alert]:
    """Active cadres reaching the statutory retirement age within 12 months (or past it and still active).

    Under the 2025 reform (``miaopu.domain.retirement``): men from 60 and women cadres from 55, one month
    later for every 4 birth months from January 2025, capped at 63 and 58.
    """
    horizon = add_months(ctx.as_of, RETIREMENT_WINDOW_MONTHS)
    yellow_until = add_months(ctx.as_of, RETIREMENT_YELLOW_MONTHS)
    for gender, original in ORIGINAL_AGES:
        cutoff = latest_birth_retiring_by(horizon, gender, original)
        rows = (
            ctx.active_cadres()
            .filter(gender=gender, birth_date__lte=cutoff)
            .values_list("pk", "name", "birth_date", "unit__name")
            .order_by("birth_date", "pk")
        )
        for pk, name, birth, unit_name in rows:
            day = retirement_date(birth, gender, original)
            age = _age_text(retirement_age_months(birth, gender, original))
            if day <= ctx.as_of:
                level = RED
                reason = _("%(n)s 法定退休年龄为 %(a)s，已于 %(d)s 到龄，仍为在职状态") % {
                    "n": name,
                    "a": age,
                    "d": day,
                }
            else:
                level = YELLOW if day <= yellow_until else GREEN
                reason = _("%(n)s 法定退休年龄为 %(a)s（2025 年起渐进式延迟退休），将于 %(d)s 到龄") % {
                    "n": name, "a": age, "d": day,
                }  # fmt: skip
            yield Alert("retirement", level, pk, reason, str(UNIT_OWNER) % {"unit": unit_name},
                        reverse("cadres:cadre_detail", args=[pk]), day)  # fmt: skip


# ---------------------------------------------------------------- through the other apps (adapters)


def _foreign(kind: str, found: Iterable[adapters.ForeignAlert]) -> Iterable[Alert]:
    for item in found:
        if item.kind == kind:
            yield Alert(kind, item.level, item.cadre_id, item.reason, item.owner, item.link, item.due)


@alert_kind(
    "mentor_missing",
    _l("缺少导师"),
    _l("项目要求配备的导师类型（如政治导师、业务导师）尚未配齐的在岗或已确定人选，红色。"),
)
def mentor_missing(ctx: Context) -> Iterable[Alert]:
    return _foreign("mentor_missing", adapters.mentoring_alerts(reader=ctx.reader, as_of=ctx.as_of))


@alert_kind(
    "mentoring_overdue",
    _l("帮带联系超期"),
    _l("在带的导师结对超过规定天数（默认 60 天）没有帮带或谈心记录为黄，超过两倍天数为红。"),
)
def mentoring_overdue(ctx: Context) -> Iterable[Alert]:
    return _foreign("mentoring_overdue", adapters.mentoring_alerts(reader=ctx.reader, as_of=ctx.as_of))


@alert_kind(
    "care_overdue",
    _l("关心关爱超期未联系"),
    _l(
        "外地户籍、偏远岗位或长期异地（在原单位所在区县以外挂职、借调或到岗满一年）的在职干部，"
        "超过 90 天没有关心关爱联系为黄，超过 180 天或从未联系为红。"
    ),
)
def care_overdue(ctx: Context) -> Iterable[Alert]:
    return _foreign("care_overdue", adapters.care_contact_alerts(reader=ctx.reader, as_of=ctx.as_of))


@alert_kind("assessment_missing", _l("年度考核缺失"), _l("考核周期结束后仍无年度考核结果（需考核应用接入）。"))
def assessment_missing(ctx: Context) -> Iterable[Alert]:
    return _foreign("assessment_missing", adapters.assessment_missing_alerts(reader=ctx.reader, as_of=ctx.as_of))


@alert_kind("promotion_ready", _l("具备晋升条件"), _l("符合晋升条件规则的干部（需晋升规则接入），绿色。"))
def promotion_ready(ctx: Context) -> Iterable[Alert]:
    return _foreign("promotion_ready", adapters.promotion_ready_alerts(reader=ctx.reader, as_of=ctx.as_of))


# ---------------------------------------------------------------- refresh


@dataclass(frozen=True)
class RunResult:
    kind: str
    label: str
    count: int
    available: bool
    note: str
    levels: dict[str, int]


def compute(kind: str, *, as_of: dt.date, reader=None) -> list[Alert]:
    """The alerts of one kind on ``as_of`` (raises :class:`NotAvailable` if its data does not exist yet)."""
    ctx = Context(as_of=as_of, reader=reader or adapters.system_reader())
    return list(KINDS[kind].compute(ctx))


def _analyze() -> None:
    """Fresh planner statistics for the replaced rows (PostgreSQL), so the list's first page comes off its index
    at once instead of waiting for autovacuum to notice a table that was just rewritten."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {AlertRecord._meta.db_table}")


def refresh(
    *, as_of: dt.date | None = None, kinds: Iterable[str] | None = None, actor: Actor | None = None
) -> list[RunResult]:
    """Recompute and store the alerts of every kind (or of ``kinds``); idempotent.

    Each kind is computed first, then its rows are replaced in one transaction, so readers see either the
    old or the new set, never a half. One audit event records the counts.
    """
    as_of = as_of or dt.date.today()
    reader = adapters.system_reader()
    selected = list(kinds) if kinds else list(KINDS)
    results = []
    for kind in selected:
        spec = KINDS[kind]
        try:
            items = compute(kind, as_of=as_of, reader=reader)
            available, note = True, ""
        except NotAvailable as exc:
            items, available, note = [], False, str(exc)
        now = timezone.now()
        with transaction.atomic():
            AlertRecord.objects.filter(kind=kind).delete()
            AlertRecord.objects.bulk_create(
                [
                    AlertRecord(kind=a.kind, level=a.level, cadre_id=a.cadre_id, reason=a.reason[:500],
                                owner=a.owner[:200], link=a.link[:300], due=a.due, as_of=as_of)
                    for a in items
                ],
                batch_size=2000,
            )  # fmt: skip
            AlertRun.objects.update_or_create(
                kind=kind,
                defaults={"as_of": as_of, "refreshed_at": now, "count": len(items), "available": available,
                          "note": note[:300]},
            )  # fmt: skip
        levels = {level: sum(1 for a in items if a.level == level) for level in (RED, YELLOW, GREEN)}
        results.append(RunResult(kind, str(spec.label), len(items), available, note, levels))
    _analyze()
    record(
        actor or Actor.system(),
        category=AuditCategory.CHANGE,
        action=AuditAction.GENERATE,
        obj="alerts",
        object_repr=_("预警刷新（%(d)s）") % {"d": as_of.isoformat()},
        detail={"as_of": as_of.isoformat(), "counts": {r.kind: r.count for r in results},
                "unavailable": [r.kind for r in results if not r.available]},
    )  # fmt: skip
    return results
