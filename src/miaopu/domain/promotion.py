"""Promotion readiness (成熟一个、使用一个): when may a cadre move up a rank (职级) or a leadership level (职务)?

Pure functions over dataclasses; every answer carries its reasons in plain Chinese, so an officer can check
the arithmetic against the paper file.

Sources
-------
* Rank ladder (晋升职级的基本资格): 《公务员职务与职级并行规定》（中共中央办公厅 2019 年印发）, the clause listing
  the minimum time in the rank below — 一级科员 ← 二级科员 2 年; 四级主任科员 ← 一级科员 2 年; 三级主任科员 ← 乡科级
  副职或四级主任科员 2 年; 二级主任科员 ← 三级主任科员 2 年; 一级主任科员 ← 乡科级正职或二级主任科员 2 年; 四级调研员 ←
  一级主任科员 2 年; 三级调研员 ← 县处级副职或四级调研员 2 年; 二级调研员 ← 三级调研员 2 年; 一级调研员 ← 县处级正职或
  二级调研员 3 年; 二级巡视员 ← 一级调研员 4 年; 一级巡视员 ← 厅局级副职或二级巡视员 4 年 — and the rule that each
  优秀 annual grade within that time shortens it by half a year. The "or a leadership post" alternatives are encoded
  (:data:`RANK_LADDER`): time in the equivalent 职务层次 counts when it started earlier.
* Leadership levels: 《党政领导干部选拔任用工作条例》（2019） article 9 — 提任县处级领导职务 needs ≥ 5 years of
  service (工龄) and ≥ 2 years of grassroots experience; 由副职提任正职 ≥ 2 years in the deputy post; 由下级正职提任上级
  副职 ≥ 3 years in the lower principal post. The issue asks for the two tenure rules at every level, so they
  are applied from 乡科级 up (科员 → 副科 has no minimum in these texts and is not answered).
* The grade rules as the issue states them: only years graded 称职 or better count towards the rank tenure
  (基本称职 and 不定等次 years are deducted), a 不称职 year in the current rank or level blocks, and no promotion
  while a punishment (处分、组织处理、诫勉) is in effect.

Choices made where the texts are silent (and said in the reasons):

* Years are calendar years; a year's grade applies to the months of that year spent in the current rank. The
  year of appointment counts (its assessment is made in the new rank).
* A year whose annual assessment is not yet due (due by 31 March of the next year) counts provisionally; a past
  year with no grade recorded does not count, and the reason asks for the grade to be entered.
* 优秀 shortens only the rank tenure (the regulation's wording); leadership levels count actual months.
* "Within 6 months" projects forward assuming the coming months count (称职 or better) and nothing else changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from .dates import add_months, full_months, full_years
from .rules import Reason
from .vocab import LeadershipLevel, Rank, Vocab, _label

__all__ = [
    "LEVEL_STEPS",
    "RANK_LADDER",
    "SOON_MONTHS",
    "Grade",
    "GradeRecord",
    "LevelStep",
    "PromotionAnswer",
    "PromotionInput",
    "PunishmentRecord",
    "RankStep",
    "Readiness",
    "Status",
    "assess",
    "level_readiness",
    "rank_readiness",
]

#: "Ready within this many months" (the issue's 6 months).
SOON_MONTHS = 6
#: Months an 优秀 year shortens the rank tenure by (半年).
EXCELLENT_BONUS_MONTHS = 6
#: An annual assessment of year Y is due by this (month, day) of year Y + 1; until then Y counts provisionally.
GRADE_DUE = (3, 31)


class Grade(Vocab):
    """年度考核等次 (annual and other assessment grades); codes shared with programme templates."""

    EXCELLENT = "excellent"
    COMPETENT = "competent"
    BASIC = "basic"
    INCOMPETENT = "incompetent"
    UNGRADED = "ungraded"


_label(
    Grade,
    {"excellent": "优秀", "competent": "称职", "basic": "基本称职", "incompetent": "不称职", "ungraded": "不定等次"},
    {"competent": ("合格",), "basic": ("基本合格",), "incompetent": ("不合格",), "ungraded": ("不确定等次",)},
)

#: Grades whose year counts towards a rank tenure.
COUNTING_GRADES = frozenset({Grade.EXCELLENT, Grade.COMPETENT})


class Status(Vocab):
    READY = "ready"
    SOON = "soon"
    WAITING = "waiting"
    BLOCKED = "blocked"
    UNKNOWN = "unknown"
    TOP = "top"


_label(
    Status,
    {
        "ready": "已具备",
        "soon": "6 个月内具备",
        "waiting": "尚需等待",
        "blocked": "不能晋升",
        "unknown": "信息不全",
        "top": "无上一级",
    },
)


@dataclass(frozen=True)
class RankStep:
    """The requirement to reach ``target``: ``years`` in ``from_rank`` (or in the equivalent leadership level)."""

    target: Rank
    from_rank: Rank
    years: int
    equivalent_level: LeadershipLevel | None = None


R, L = Rank, LeadershipLevel
#: target rank → requirement, per 《公务员职务与职级并行规定》.
RANK_LADDER: dict[Rank, RankStep] = {
    s.target: s
    for s in (
        RankStep(R.CLERK_1, R.CLERK_2, 2),
        RankStep(R.PRINCIPAL_4, R.CLERK_1, 2),
        RankStep(R.PRINCIPAL_3, R.PRINCIPAL_4, 2, L.DEPUTY_SECTION),
        RankStep(R.PRINCIPAL_2, R.PRINCIPAL_3, 2),
        RankStep(R.PRINCIPAL_1, R.PRINCIPAL_2, 2, L.SECTION),
        RankStep(R.RESEARCHER_4, R.PRINCIPAL_1, 2),
        RankStep(R.RESEARCHER_3, R.RESEARCHER_4, 2, L.DEPUTY_DIVISION),
        RankStep(R.RESEARCHER_2, R.RESEARCHER_3, 2),
        RankStep(R.RESEARCHER_1, R.RESEARCHER_2, 3, L.DIVISION),
        RankStep(R.INSPECTOR_2, R.RESEARCHER_1, 4),
        RankStep(R.INSPECTOR_1, R.INSPECTOR_2, 4, L.DEPUTY_BUREAU),
    )
}
_NEXT_RANK: dict[Rank, RankStep] = {s.from_rank: s for s in RANK_LADDER.values()}


@dataclass(frozen=True)
class LevelStep:
    """From ``from_level`` to ``target``: ``years`` in the current level; ``county_rules``: 县处级 conditions apply."""

    from_level: LeadershipLevel
    target: LeadershipLevel
    years: int
    kind: str  # "deputy_to_principal" | "principal_to_upper_deputy"
    county_rules: bool = False


LEVEL_STEPS: dict[LeadershipLevel, LevelStep] = {
    s.from_level: s
    for s in (
        LevelStep(L.DEPUTY_SECTION, L.SECTION, 2, "deputy_to_principal"),
        LevelStep(L.SECTION, L.DEPUTY_DIVISION, 3, "principal_to_upper_deputy", county_rules=True),
        LevelStep(L.DEPUTY_DIVISION, L.DIVISION, 2, "deputy_to_principal", county_rules=True),
        LevelStep(L.DIVISION, L.DEPUTY_BUREAU, 3, "principal_to_upper_deputy"),
        LevelStep(L.DEPUTY_BUREAU, L.BUREAU, 2, "deputy_to_principal"),
    )
}
#: 县处级: ≥ 5 years of service and ≥ 2 years (24 months) of grassroots experience.
COUNTY_SERVICE_YEARS = 5
COUNTY_GRASSROOTS_MONTHS = 24


@dataclass(frozen=True)
class GradeRecord:
    """One annual grade (年度考核) of a calendar year."""

    year: int
    grade: str  # a Grade value


@dataclass(frozen=True)
class PunishmentRecord:
    """A punishment or organisational measure: promotion is barred from ``start`` until ``blocks_until``.

    ``blocks_until=None`` means the period is open (not yet decided): promotion stays barred.
    """

    start: date
    blocks_until: date | None
    title: str = ""


@dataclass(frozen=True)
class PromotionInput:
    rank: str = ""
    rank_since: date | None = None
    leadership_level: str = ""
    leadership_level_since: date | None = None
    work_start: date | None = None
    grassroots_months: int = 0
    #: Whether the cadre works at the grassroots now (so the grassroots months keep growing).
    in_grassroots_now: bool = False
    grades: tuple[GradeRecord, ...] = ()
    punishments: tuple[PunishmentRecord, ...] = ()


@dataclass(frozen=True)
class Readiness:
    track: str  # "rank" | "level"
    current: str
    target: str | None
    status: str  # a Status value
    ready_on: date | None = None
    required_months: int | None = None
    counted_months: int | None = None
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def current_label(self) -> str:
        return _ladder_label(self.track, self.current)

    @property
    def target_label(self) -> str:
        return _ladder_label(self.track, self.target) if self.target else ""

    @property
    def summary(self) -> str:
        """One line: "四级主任科员 → 三级主任科员：已具备" / "…：2026-03-01 具备"."""
        track = "职级晋升" if self.track == "rank" else "职务晋升"
        head = f"{self.current_label} → {self.target_label}" if self.target else self.current_label or track
        if self.status in (Status.WAITING, Status.SOON) and self.ready_on:
            return f"{head}：预计 {self.ready_on.isoformat()} 具备"
        return f"{head}：{self.status_label}"

    @property
    def is_ready(self) -> bool:
        return self.status == Status.READY

    @property
    def is_soon(self) -> bool:
        return self.status == Status.SOON


@dataclass(frozen=True)
class PromotionAnswer:
    as_of: date
    rank: Readiness
    level: Readiness | None

    @property
    def tracks(self) -> tuple[Readiness, ...]:
        return (self.rank,) if self.level is None else (self.rank, self.level)

    @property
    def best(self) -> Readiness:
        """The track that is ready soonest (ready, then soon, then the earliest date)."""
        order = {
            Status.READY: 0,
            Status.SOON: 1,
            Status.WAITING: 2,
            Status.BLOCKED: 3,
            Status.UNKNOWN: 4,
            Status.TOP: 5,
        }
        return min(self.tracks, key=lambda r: (order[Status(r.status)], r.ready_on or date.max))


def _ladder_label(track: str, code: str | None) -> str:
    if not code:
        return ""
    vocab = Rank if track == "rank" else LeadershipLevel
    try:
        return vocab(code).label
    except ValueError:
        return code


def _ok(text: str, fact: str | None = None) -> Reason:
    return Reason(True, text, fact)


def _no(text: str, fact: str | None = None) -> Reason:
    return Reason(False, text, fact)


def _ym(months: int) -> str:
    years, rest = divmod(max(months, 0), 12)
    if years and rest:
        return f"{years} 年 {rest} 个月"
    if years:
        return f"{years} 年"
    return f"{rest} 个月"


def _grade_due(year: int) -> date:
    return date(year + 1, *GRADE_DUE)


def _grades_by_year(grades: Iterable[GradeRecord]) -> dict[int, str]:
    return {g.year: g.grade for g in grades}


def _punishment_bar(punishments: Iterable[PunishmentRecord], as_of: date) -> tuple[bool, date | None, list[Reason]]:
    """(barred now, barred until — None if open-ended, reasons)."""
    active = [p for p in punishments if p.start <= as_of and (p.blocks_until is None or p.blocks_until > as_of)]
    if not active:
        return False, None, [_ok("无影响晋升的处分或组织处理。")]
    reasons = []
    until: date | None = date.min
    for p in sorted(active, key=lambda p: p.start):
        what = p.title or "处分"
        if p.blocks_until is None:
            reasons.append(_no(f"{p.start.isoformat()} 受{what}，影响期未定，期间不得晋升。"))
            until = None
        else:
            reasons.append(
                _no(f"{p.start.isoformat()} 受{what}，影响期至 {p.blocks_until.isoformat()}，期间不得晋升。")
            )
            if until is not None:
                until = max(until, p.blocks_until)
    return True, until, reasons


def _finish(
    *,
    track: str,
    current: str,
    target: str,
    required: int,
    counted: int,
    tenure_ready_on: date,
    as_of: date,
    reasons: list[Reason],
    punished: tuple[bool, date | None, list[Reason]],
    extra_dates: Iterable[date | None] = (),
) -> Readiness:
    """Combine the tenure arithmetic with the punishment bar and other dated conditions into one status.

    ``tenure_ready_on`` is the day the tenure is complete if every coming month counts; each of ``extra_dates``
    is another condition's day (``None``: cannot be projected).
    """
    barred, barred_until, bar_reasons = punished
    reasons = reasons + bar_reasons
    dates = [tenure_ready_on]
    open_ended = False
    for d in extra_dates:
        if d is None:
            open_ended = True
        else:
            dates.append(d)
    if barred:
        if barred_until is None:
            open_ended = True
        else:
            dates.append(barred_until)
    common = {
        "track": track,
        "current": current,
        "target": target,
        "required_months": required,
        "counted_months": counted,
        "reasons": tuple(reasons),
    }
    if open_ended:
        status = Status.BLOCKED if barred and barred_until is None else Status.WAITING
        return Readiness(status=status, ready_on=None, **common)
    ready_on = max(dates)
    if ready_on <= as_of:
        return Readiness(status=Status.READY, ready_on=as_of, **common)
    status = Status.SOON if ready_on <= add_months(as_of, SOON_MONTHS) else Status.WAITING
    return Readiness(status=status, ready_on=ready_on, **common)


def rank_readiness(record: PromotionInput, as_of: date) -> Readiness:
    """Readiness for the next rank (职级晋升), with the grade rules and the punishment bar."""
    rank = record.rank or ""
    if not rank:
        return Readiness("rank", "", None, Status.UNKNOWN, reasons=(_no("未填写职级，无法计算职级晋升。"),))
    try:
        current = Rank(rank)
    except ValueError:
        return Readiness("rank", rank, None, Status.UNKNOWN, reasons=(_no(f"职级“{rank}”不在职级序列中。"),))
    step = _NEXT_RANK.get(current)
    if step is None:
        return Readiness("rank", current, None, Status.TOP, reasons=(_ok(f"{current.label}已是职级序列的最高一级。"),))
    target = step.target
    reasons: list[Reason] = [
        _ok(
            f"晋升{target.label}，应当任{step.from_rank.label}"
            + (f"或{step.equivalent_level.label}职务" if step.equivalent_level else "")
            + f" {step.years} 年以上（《公务员职务与职级并行规定》）。"
        )
    ]
    start = record.rank_since
    basis = f"任{current.label}"
    if (
        step.equivalent_level is not None
        and record.leadership_level == step.equivalent_level
        and record.leadership_level_since is not None
        and (start is None or record.leadership_level_since < start)
    ):
        start = record.leadership_level_since
        basis = f"任{step.equivalent_level.label}职务"
    if start is None:
        return Readiness(
            "rank", current, target, Status.UNKNOWN, reasons=(*reasons, _no("未填写任现职级时间，无法计算任职年限。"))
        )
    if start > as_of:
        start = as_of
    served = full_months(start, as_of)
    reasons.append(_ok(f"自 {start.isoformat()} {basis}，至 {as_of.isoformat()} 满 {_ym(served)}。"))

    grades = _grades_by_year(record.grades)
    deducted = 0
    excellent = 0
    blocked_years: list[int] = []
    for year in range(start.year, as_of.year + 1):
        seg_start = max(start, date(year, 1, 1))
        seg_end = min(as_of, date(year + 1, 1, 1))
        months = full_months(seg_start, seg_end)
        grade = grades.get(year)
        if grade is None:
            if as_of <= _grade_due(year):
                if months:
                    reasons.append(_ok(f"{year} 年度考核尚未进行，暂按称职计算。"))
                continue
            deducted += months
            reasons.append(_no(f"缺少 {year} 年度考核结果，该年（{_ym(months)}）不计入任职年限，请补录。"))
            continue
        label = Grade(grade).label if grade in Grade._value2member_map_ else grade
        if grade == Grade.INCOMPETENT:
            blocked_years.append(year)
        elif grade == Grade.EXCELLENT:
            excellent += 1
            reasons.append(_ok(f"{year} 年度考核优秀，任职年限缩短半年。"))
        elif grade not in COUNTING_GRADES:
            deducted += months
            reasons.append(_no(f"{year} 年度考核{label}，该年（{_ym(months)}）不计入任职年限（须称职以上）。"))
    if blocked_years:
        years = "、".join(str(y) for y in blocked_years)
        reasons.append(_no(f"{years} 年度考核不称职，不能晋升职级。"))
        return Readiness("rank", current, target, Status.BLOCKED, None, None, None, tuple(reasons))
    required = max(step.years * 12 - EXCELLENT_BONUS_MONTHS * excellent, 0)
    counted = max(served - deducted, 0)
    if excellent:
        reasons.append(_ok(f"{excellent} 次优秀，最低任职年限由 {step.years} 年缩短为 {_ym(required)}。"))
    if counted >= required:
        reasons.append(_ok(f"计入任职年限 {_ym(counted)}，已满 {_ym(required)}。"))
    else:
        reasons.append(_no(f"计入任职年限 {_ym(counted)}，尚差 {_ym(required - counted)}（满 {_ym(required)}）。"))
    return _finish(
        track="rank",
        current=current,
        target=target,
        required=required,
        counted=counted,
        as_of=as_of,
        tenure_ready_on=add_months(start, required + deducted),
        reasons=reasons,
        punished=_punishment_bar(record.punishments, as_of),
    )


def level_readiness(record: PromotionInput, as_of: date) -> Readiness | None:
    """Readiness for the next leadership level (职务晋升) from 副科 up; None where no rule applies (科员 and below)."""
    level = record.leadership_level or ""
    if not level:
        return None
    try:
        current = LeadershipLevel(level)
    except ValueError:
        return None
    if current == LeadershipLevel.BUREAU:
        return Readiness("level", current, None, Status.TOP, reasons=(_ok("正厅已是本系统管理的最高职务层次。"),))
    step = LEVEL_STEPS.get(current)
    if step is None:
        return None
    target = step.target
    if step.kind == "deputy_to_principal":
        rule = f"由副职提任正职，应当在副职岗位工作 {step.years} 年以上。"
    else:
        rule = f"由下级正职提任上级副职，应当在下级正职岗位工作 {step.years} 年以上。"
    reasons: list[Reason] = [_ok(f"提任{target.label}：{rule}（《党政领导干部选拔任用工作条例》）")]
    since = record.leadership_level_since
    if since is None:
        return Readiness(
            "level",
            current,
            target,
            Status.UNKNOWN,
            reasons=(*reasons, _no("未填写任现职务层次时间，无法计算任职年限。")),
        )
    since = min(since, as_of)
    served = full_months(since, as_of)
    required = step.years * 12
    if served >= required:
        reasons.append(_ok(f"自 {since.isoformat()} 任{current.label}，已满 {_ym(served)}。"))
    else:
        reasons.append(
            _no(f"自 {since.isoformat()} 任{current.label}，满 {_ym(served)}，尚差 {_ym(required - served)}。")
        )
    grades = _grades_by_year(record.grades)
    bad = [y for y in range(since.year, as_of.year + 1) if grades.get(y) == Grade.INCOMPETENT]
    if bad:
        reasons.append(_no(f"{'、'.join(map(str, bad))} 年度考核不称职，不能提任。"))
        return Readiness("level", current, target, Status.BLOCKED, None, required, served, tuple(reasons))
    extra: list[date | None] = []
    if step.county_rules:
        if record.work_start is None:
            reasons.append(_no("提任县处级领导职务须有五年以上工龄；未填写参加工作时间。"))
            return Readiness("level", current, target, Status.UNKNOWN, None, required, served, tuple(reasons))
        years = full_years(record.work_start, as_of)
        if years >= COUNTY_SERVICE_YEARS:
            reasons.append(_ok(f"工龄 {years} 年，满五年。"))
        else:
            reasons.append(_no(f"工龄 {years} 年，提任县处级领导职务须五年以上。"))
            extra.append(add_months(record.work_start, COUNTY_SERVICE_YEARS * 12))
        grassroots = record.grassroots_months
        if grassroots >= COUNTY_GRASSROOTS_MONTHS:
            reasons.append(_ok(f"基层工作经历 {_ym(grassroots)}，满两年。"))
        else:
            short = COUNTY_GRASSROOTS_MONTHS - grassroots
            if record.in_grassroots_now:
                reasons.append(_no(f"基层工作经历 {_ym(grassroots)}，须两年以上，现在基层工作，还需 {_ym(short)}。"))
                extra.append(add_months(as_of, short))
            else:
                reasons.append(
                    _no(f"基层工作经历 {_ym(grassroots)}，须两年以上（还差 {_ym(short)}），须先到基层工作。")
                )
                extra.append(None)
    return _finish(
        track="level",
        current=current,
        target=target,
        required=required,
        counted=served,
        as_of=as_of,
        tenure_ready_on=add_months(since, required),
        reasons=reasons,
        punished=_punishment_bar(record.punishments, as_of),
        extra_dates=extra,
    )


def assess(record: PromotionInput, as_of: date) -> PromotionAnswer:
    """Both tracks on ``as_of``: the next rank and (from 副科 up) the next leadership level."""
    return PromotionAnswer(as_of=as_of, rank=rank_readiness(record, as_of), level=level_readiness(record, as_of))
