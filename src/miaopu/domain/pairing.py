"""Automatic mentor pairing (结对帮带) for a whole cohort, with a score and Chinese reasons for every proposal.

The seeds pair young cadres with mentors by fixed rules: Bazhong gives every recent recruit a political and a
business mentor and chooses the business mentor by post type (grassroots posts 以老带新, technical posts
以精带疏, business posts 以强带弱); Quangang makes the unit head the political mentor and the village party
secretary the mass-work mentor (青蓝结对). This module turns those rules into, for each mentee and role, the
list of people who may mentor them (each with a score and the reasons), and then chooses one mentor per
mentee and role **optimally across the cohort**: one assignment problem per role, mentors as slots whose
capacity is what is left of their quota (default 3 mentees per role), solved by the matching engine
(:mod:`miaopu.domain.matching`; the OR-Tools min-cost-flow fallback below is used if it cannot be imported).
"Most mentees covered first, then the best total score" — never greedy first-come, which would hand the only
possible mentor of one cadre to another cadre who had other choices.

Pure Python, no Django: the app layer loads :class:`Person` rows and stores the :class:`Proposal` list.

Hard rules (never broken): no self-mentoring; no mentor from a recorded conflicting relation (a relative on
either person's family list; when no family data exists at all the check is skipped and every proposal says
so); nobody in the cohort mentors another member of it; one person does not hold two roles for the same
mentee; a mentor's capacity per role (existing active mentorships included).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from miaopu.domain.dates import add_months, full_years
from miaopu.domain.vocab import GRASSROOTS_LEVELS, LeadershipLevel, PostCategory, UnitLevel

__all__ = [
    "ROLE_LABELS",
    "STRATEGY_LABELS",
    "Option",
    "PairingInput",
    "PairingResult",
    "Person",
    "Policy",
    "Proposal",
    "Relative",
    "RoleSummary",
    "UnitInfo",
    "business_strategy",
    "is_party_secretary",
    "options_for",
    "pair",
    "parse_annual_reviews",
    "solve_assignment",
    "title_grade",
]

#: The mentor roles (codes shared with ``mentoring.models.MentorRole`` and the programme templates).
ROLE_LABELS = {"political": "政治导师", "business": "业务导师", "mass_work": "群众工作导师", "shadowing": "跟岗导师"}

#: How a mentor was chosen (stored on each mentorship).
STRATEGY_LABELS = {
    "team": "班子成员帮带",
    "secretary": "村党组织书记帮带",
    "veteran": "以老带新",
    "expert": "以精带疏",
    "strong": "以强带弱",
    "host_team": "接收单位班子成员帮带",
    "manual": "手工指定",
}

#: Post titles of a party secretary (村/社区党组织书记); deputies and assistants are not secretaries.
SECRETARY_WORDS = ("党支部书记", "党委书记", "党总支书记", "村党组织书记", "党组织书记")
NOT_SECRETARY_WORDS = ("副", "助理", "委员")
GRADE_POINTS = {"优秀": 4, "称职": 3, "基本称职": 2, "不称职": 0}
#: Points a veteran loses when offered to a grassroots technical post whose experts may all be taken: 以老带新
#: scores 45–90, every 以精带疏 option at least 45, so the veteran always ranks below the experts.
EXPERT_TO_VETERAN = 46.0
_GRADE_RE = re.compile(r"((?:19|20)\d{2})\s*年?\s*度?[^0-9优称基不]{0,12}?(优秀|基本称职|不称职|称职)")


# ------------------------------------------------------------------------------------------------ input


@dataclass(frozen=True)
class UnitInfo:
    id: int
    name: str
    level: str
    parent_id: int | None = None
    district_id: int | None = None


@dataclass(frozen=True)
class Relative:
    """One entry of a person's family list (家庭主要成员及重要社会关系)."""

    name: str
    work: str = ""


@dataclass(frozen=True)
class Person:
    """A mentee, or someone who may mentor: a cadre (key ``c<id>``) or an external mentor (key ``m<id>``).

    ``stations`` are the units where the person is stationed by an open placement (驻村, 挂职, 跟岗);
    ``relatives`` is ``None`` when no family list is recorded; ``assessments`` are (year, grade) pairs of the
    annual assessment (优秀/称职/基本称职/不称职).
    """

    key: str
    name: str
    unit_id: int | None
    cadre_id: int | None = None
    mentor_id: int | None = None
    post_title: str = ""
    post_category: str = ""
    leadership_level: str = ""
    work_start: dt.date | None = None
    specialties: tuple[str, ...] = ()
    professional_title: str = ""
    political_status: str = ""
    assessments: tuple[tuple[int, str], ...] = ()
    stations: tuple[int, ...] = ()
    relatives: tuple[Relative, ...] | None = None
    external: bool = False


@dataclass(frozen=True)
class Policy:
    """The pairing rules a programme may change (defaults: the seeds' rules).

    ``political``: ``team`` (a leadership-team member or the unit head) or ``head`` (the unit head only).
    ``business``: ``by_post`` (by the mentee's post type) or one strategy for everyone (``veteran``,
    ``expert``, ``strong``). ``parent_fallback``: when the mentee's own unit has nobody suitable (a village
    with no cadre above the mentee), look in the unit directly above it and say so.
    """

    capacity: int = 3
    service_gap_years: int = 10
    parent_fallback: bool = True
    political: str = "team"
    business: str = "by_post"
    assessment_years: int = 3
    #: Options per mentee handed to the solver (best first); enough for capacity to bite, small enough to scale.
    max_options: int = 100
    #: Options kept with each proposal for staff to swap to.
    shown_options: int = 8


@dataclass(frozen=True)
class PairingInput:
    mentees: tuple[Person, ...]
    pool: tuple[Person, ...]
    units: Mapping[int, UnitInfo]
    roles: tuple[str, ...]
    as_of: dt.date
    policy: Policy = field(default_factory=Policy)
    #: (mentee key, role) → mentor key of an active mentorship: these mentees are skipped for that role.
    existing: Mapping[tuple[str, str], str] = field(default_factory=dict)
    #: (mentor key, role) → active mentees they already have (counted against capacity).
    load: Mapping[tuple[str, str], int] = field(default_factory=dict)


# ----------------------------------------------------------------------------------------------- output


class Option:
    """Someone who may mentor a mentee in a role: the score now, the reasons when first asked for.

    A big town gives every new recruit hundreds of qualified veterans; only the chosen and the shown few ever
    need their sentences, so the text is built lazily (``explain``) instead of for every pair.
    """

    __slots__ = ("mentor", "score", "strategy", "_reasons", "_explain")

    def __init__(
        self,
        mentor: str,
        score: float,
        strategy: str,
        reasons: tuple[str, ...] | None = None,
        explain: Callable[[], tuple[str, ...]] | None = None,
    ) -> None:
        self.mentor, self.score, self.strategy = mentor, score, strategy
        self._reasons, self._explain = reasons, explain

    @property
    def reasons(self) -> tuple[str, ...]:
        if self._reasons is None:
            self._reasons = tuple(self._explain()) if self._explain else ()
            self._explain = None
        return self._reasons

    def __repr__(self) -> str:
        return f"Option({self.mentor!r}, {self.score!r}, {self.strategy!r})"


@dataclass(frozen=True)
class Proposal:
    """One mentee × role: the chosen mentor (``None``: nobody could be proposed; ``reasons`` say why)."""

    mentee: str
    role: str
    mentor: str | None
    strategy: str
    score: float | None
    reasons: tuple[str, ...]
    options: tuple[Option, ...] = ()


@dataclass(frozen=True)
class RoleSummary:
    role: str
    mentees: int
    already: int
    proposed: int
    unmatched: int
    total_score: float
    solver: str
    seconds: float


@dataclass(frozen=True)
class PairingResult:
    proposals: tuple[Proposal, ...]
    summaries: tuple[RoleSummary, ...]
    notes: tuple[str, ...] = ()


# ------------------------------------------------------------------------------------------ vocabulary


_LEVEL_RANK = {member.value: i for i, member in enumerate(LeadershipLevel)}


def _level_rank(level: str) -> int:
    """Position on the 职务层次 ladder (-1: none); a dict lookup, called millions of times on a big cohort."""
    return _LEVEL_RANK.get(level, -1)


def _level_label(level: str) -> str:
    try:
        return LeadershipLevel(level).label
    except ValueError:
        return "无职务层次"


def _category_label(category: str) -> str:
    try:
        return PostCategory(category).label
    except ValueError:
        return "未填"


def title_grade(text: str) -> int:
    """专业技术职务 as a grade: 4 正高级, 3 副高级, 2 中级, 1 初级, 0 none or not recognised."""
    t = (text or "").strip()
    if not t:
        return 0
    if "正高" in t or (("教授" in t or "研究员" in t or "主任医师" in t) and not re.search(r"副|助理", t)):
        return 4
    if "副高" in t or re.search(r"副(教授|研究员|主任医师)", t) or t.startswith("高级") or "高级" in t:
        return 3
    if "初级" in t or "助理" in t or t.endswith(("技术员", "医士", "护士", "管理员")):
        return 1
    if "中级" in t or t.endswith(("师", "馆员", "编辑", "记者", "讲师")):
        return 2
    return 0


_TITLE_GRADE_LABELS = {0: "无职称", 1: "初级职称", 2: "中级职称", 3: "副高级职称", 4: "正高级职称"}


def parse_annual_reviews(text: str) -> tuple[tuple[int, str], ...]:
    """(year, grade) pairs from the 年度考核结果 text of a 任免审批表 (``2022年度优秀；2023年度称职``)."""
    found: dict[int, str] = {}
    for year, grade in _GRADE_RE.findall(text or ""):
        found[int(year)] = grade
    return tuple(sorted(found.items()))


def is_party_secretary(title: str) -> bool:
    """村/社区党组织书记 (not a deputy, an assistant or a committee member)."""
    t = title or ""
    return any(w in t for w in SECRETARY_WORDS) and not any(w in t for w in NOT_SECRETARY_WORDS)


def business_strategy(mentee: Person, unit: UnitInfo | None, policy: Policy = Policy()) -> tuple[str, str]:
    """The business-mentor strategy for ``mentee`` and the sentence that says why (Bazhong's rule by post type).

    Technical posts (专业技术) → 以精带疏; otherwise posts in grassroots units (区县, 镇街, 村社区) → 以老带新;
    otherwise (municipal organs' business posts) → 以强带弱. A policy may force one strategy for everyone.
    """
    if policy.business in ("veteran", "expert", "strong"):
        label = STRATEGY_LABELS[policy.business]
        return policy.business, f"本项目规定业务导师一律按“{label}”配备"
    if mentee.post_category == PostCategory.TECHNICAL:
        return "expert", "专业技术岗位，按“以精带疏”配备业务导师"
    if unit is not None and unit.level in GRASSROOTS_LEVELS:
        level = UnitLevel(unit.level).label
        return "veteran", f"基层岗位（{level}），按“以老带新”配备业务导师"
    category = _category_label(mentee.post_category)
    return "strong", f"机关业务岗位（{category}），按“以强带弱”配备业务导师"


# --------------------------------------------------------------------------------------------- context


class _Context:
    """Indexes over the pool built once per run (by unit, by specialty), and the leadership facts per unit."""

    def __init__(self, data: PairingInput) -> None:
        self.data = data
        self.policy = data.policy
        self.units = data.units
        self.cohort = {p.key for p in data.mentees}
        self.by_unit: dict[int, list[Person]] = defaultdict(list)
        self.by_specialty: dict[str, list[Person]] = defaultdict(list)
        for person in data.pool:
            if person.key in self.cohort:
                continue
            if person.unit_id is not None:
                self.by_unit[person.unit_id].append(person)
            for s in person.specialties:
                self.by_specialty[s].append(person)
        self.head_rank: dict[int, int] = {}
        for unit_id, people in self.by_unit.items():
            ranks = [_level_rank(p.leadership_level) for p in people if p.post_category == PostCategory.LEADERSHIP]
            self.head_rank[unit_id] = max(ranks) if ranks else -1
        #: unit → its leadership team as (person, is head), CPC members only (the political mentor's pool).
        self.team: dict[int, list[tuple[Person, bool]]] = {}
        for unit_id, people in self.by_unit.items():
            members = [(p, self.is_head(p)) for p in people if p.political_status == "cpc"]
            self.team[unit_id] = [(p, head) for p, head in members if head or self.is_team(p)]
        #: unit → (work starts, people) sorted most senior first, for "以老带新" by bisection.
        self.seniority: dict[int, tuple[list[dt.date], list[Person]]] = {}
        for unit_id, people in self.by_unit.items():
            dated = sorted(
                (p for p in people if p.work_start is not None and not p.external),
                key=lambda p: (p.work_start, _natural(p.key)),
            )
            self.seniority[unit_id] = ([p.work_start for p in dated], dated)
        #: (unit, post category) → people, for "以强带弱" and the expert fallbacks.
        self.by_unit_category: dict[tuple[int, str], list[Person]] = defaultdict(list)
        for unit_id, people in self.by_unit.items():
            for p in people:
                if not p.external:
                    self.by_unit_category[(unit_id, p.post_category)].append(p)
        self.records: dict[str, tuple[int, int, str]] = {}
        self.family_data = any(p.relatives is not None for p in (*data.mentees, *data.pool))
        #: mentee key → why qualified people were left out (conflicting relations), for "nobody" reasons.
        self.excluded: dict[str, list[str]] = defaultdict(list)

    def unit(self, unit_id: int | None) -> UnitInfo | None:
        return self.units.get(unit_id) if unit_id is not None else None

    def record(self, person: Person) -> tuple[int, int, str]:
        found = self.records.get(person.key)
        if found is None:
            found = self.records[person.key] = _record(person, self.data.as_of, self.policy.assessment_years)
        return found

    def unit_name(self, unit_id: int | None) -> str:
        unit = self.unit(unit_id)
        return unit.name if unit else "（未知单位）"

    # ---- leadership team (班子成员) and unit head
    def is_head(self, person: Person) -> bool:
        if person.external or person.post_category != PostCategory.LEADERSHIP or "副" in person.post_title:
            return False
        rank = self.head_rank.get(person.unit_id or -1, -1)
        return rank >= 0 and _level_rank(person.leadership_level) == rank

    def is_team(self, person: Person) -> bool:
        if person.external:
            return False
        if person.post_category == PostCategory.LEADERSHIP:
            return True
        rank = self.head_rank.get(person.unit_id or -1, -1)
        return rank >= 0 and _level_rank(person.leadership_level) >= rank

    # ---- hard rules
    def allowed(self, mentee: Person, mentor: Person) -> bool:
        """False (and the reason noted) when ``mentor`` may not mentor ``mentee`` whatever the role."""
        why = self.conflict(mentee, mentor)
        if why is not None:
            if why not in self.excluded[mentee.key]:
                self.excluded[mentee.key].append(why)
            return False
        return True

    def conflict(self, mentee: Person, mentor: Person) -> str | None:
        if mentor.key == mentee.key or (mentor.cadre_id is not None and mentor.cadre_id == mentee.cadre_id):
            return "不能自己带自己"
        for a, b in ((mentee, mentor), (mentor, mentee)):
            for rel in a.relatives or ():
                if rel.name == b.name and (not rel.work or self._mentions_unit(rel.work, b.unit_id)):
                    return f"{b.name}是{a.name}登记的家庭成员或社会关系，须回避"
        return None

    def _mentions_unit(self, text: str, unit_id: int | None) -> bool:
        unit = self.unit(unit_id)
        return unit is not None and (unit.name in text or text in unit.name)


# ------------------------------------------------------------------------------------------ strategies


def _years_between(earlier: dt.date, later: dt.date) -> int:
    """Completed years from ``earlier`` to ``later`` (``full_years`` without its month-end clamping: fast)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)
    return max(months, 0) // 12


def _record(person: Person, as_of: dt.date, years: int) -> tuple[int, int, str]:
    """(points, excellent count, text) over the last ``years`` complete assessment years before ``as_of``."""
    window = range(as_of.year - years, as_of.year)
    grades = [g for y, g in person.assessments if y in window]
    if not grades:
        return 0, 0, ""
    counts = {g: grades.count(g) for g in GRADE_POINTS if g in grades}
    text = "、".join(f"{g} {n} 次" for g, n in counts.items())
    return sum(GRADE_POINTS[g] for g in grades), counts.get("优秀", 0), text


def _nearby(ctx: _Context, unit_id: int | None) -> list[tuple[int, str]]:
    """Units to look in: the mentee's own unit, then (fallback) the unit above it with the sentence saying so."""
    if unit_id is None:
        return []
    places = [(unit_id, "")]
    unit = ctx.unit(unit_id)
    if ctx.policy.parent_fallback and unit is not None and unit.parent_id is not None:
        parent = ctx.unit_name(unit.parent_id)
        places.append((unit.parent_id, f"{unit.name}没有合适人选或名额已满，改由上级单位{parent}"))
    return places


def _where(ctx: _Context, unit_id: int | None) -> str:
    return ctx.unit_name(unit_id) + ("及其上级单位" if ctx.policy.parent_fallback else "")


def _team_options(
    ctx: _Context, mentee: Person, unit_id: int | None, strategy: str, what: str
) -> tuple[list[Option], str]:
    """Leadership-team members (or only the head) of ``unit_id`` (or of its parent, as fallback)."""
    head_only = ctx.policy.political == "head" and strategy == "team"
    mentee_rank = _level_rank(mentee.leadership_level)
    options: list[Option] = []
    for place, fallback in _nearby(ctx, unit_id):
        for person, head in ctx.team.get(place, ()):
            if (head_only and not head) or _level_rank(person.leadership_level) <= mentee_rank:
                continue
            if not ctx.allowed(mentee, person):
                continue
            level = _level_label(person.leadership_level)
            who = "主要负责人" if head else "班子成员"
            score = 95.0 if head else 85.0
            if head and _is_party_head(person.post_title):
                score += 3  # the party committee's head before the government head: it is the *political* mentor
                who = "党组织主要负责人"
            reasons = [f"{what}：{ctx.unit_name(place)}{who}（{person.post_title}，{level}）", "中共党员"]
            if fallback:
                score -= 20
                reasons.append(f"{fallback}的班子成员担任")
            options.append(Option(person.key, score, strategy, tuple(reasons)))
    if options:
        return options, ""
    who = "主要负责人" if head_only else "班子成员或主要负责人"
    return [], f"{_where(ctx, unit_id)}没有可任{what}的{who}（须为中共党员、职务层次高于帮带对象）"


def _is_party_head(title: str) -> bool:
    return "书记" in title and not any(w in title for w in ("副", "纪委", "纪工委", "助理"))


def _political(ctx: _Context, mentee: Person) -> tuple[list[Option], str]:
    return _team_options(ctx, mentee, mentee.unit_id, "team", "政治导师")


def _shadowing(ctx: _Context, mentee: Person) -> tuple[list[Option], str]:
    hosts = [u for u in dict.fromkeys(mentee.stations) if u != mentee.unit_id]
    if not hosts:
        return [], "没有进行中的跟岗、挂职安排，无法确定接收单位的跟岗导师"
    options: list[Option] = []
    why = []
    for host in hosts:
        found, reason = _team_options(ctx, mentee, host, "host_team", "跟岗导师")
        options.extend(found)
        why.append(reason)
    return options, "；".join(r for r in why if r)


def _mass_work(ctx: _Context, mentee: Person) -> tuple[list[Option], str]:
    villages = [
        u
        for u in dict.fromkeys((mentee.unit_id, *mentee.stations))
        if (unit := ctx.unit(u)) and unit.level == "village"
    ]
    if not villages:
        return [], "未在村（社区）任职或驻村，无法按规则确定所驻村的党组织书记"
    options: list[Option] = []
    for village in villages:
        how = "所在村（社区）" if village == mentee.unit_id else "驻村所在村（社区）"
        for person in ctx.by_unit.get(village, ()):
            if not is_party_secretary(person.post_title) or not ctx.allowed(mentee, person):
                continue
            kind = "系统外导师" if person.external else "干部"
            reasons = (
                f"群众工作导师：{how}{ctx.unit_name(village)}党组织书记（{person.post_title}，{kind}）",
                "按“青蓝结对”由所驻村党组织书记任群众工作导师",
            )
            options.append(Option(person.key, 100.0, "secretary", reasons))
    if options:
        return options, ""
    names = "、".join(ctx.unit_name(v) for v in villages)
    return [], f"{names}的党组织书记未登记（既不是系统内干部，也未录入为系统外导师）"


def _veteran(ctx: _Context, mentee: Person, lead: str) -> tuple[list[Option], str]:
    need = ctx.policy.service_gap_years
    if mentee.work_start is None:
        return [], "帮带对象未填写参加工作时间，无法按“以老带新”比较工作年限"
    latest = add_months(mentee.work_start, -12 * need)
    limit = ctx.policy.max_options
    options: list[Option] = []
    for place, fallback in _nearby(ctx, mentee.unit_id):
        starts, people = ctx.seniority.get(place, ([], []))
        # Everyone before ``latest`` qualifies; most senior first, so within "same kind of post" and "other
        # posts" the first ``limit`` allowed are the best-scored: stop there (a big town has hundreds).
        taken = {True: 0, False: 0}
        for person in people[: bisect.bisect_right(starts, latest)]:
            same = bool(person.post_category) and person.post_category == mentee.post_category
            if taken[same] >= limit:
                if taken[not same] >= limit:
                    break
                continue
            if not ctx.allowed(mentee, person):
                continue
            taken[same] += 1
            gap = _years_between(person.work_start, mentee.work_start)
            score = 70.0 + min(gap - need, 10) + (10 if same else 0) - (25 if fallback else 0)
            # fallback: below every own-unit veteran (≥ 70), so used only when they are taken

            def explain(person=person, gap=gap, same=same, place=place, fallback=fallback) -> list[str]:
                who = "同单位同事" if not fallback else f"{ctx.unit_name(place)}干部"
                title = person.post_title or "职务未填"
                reasons = [lead, f"{who}（{title}），工作年限多 {gap} 年（至少 {need} 年）"]
                if same:
                    reasons.append(f"同为{_category_label(person.post_category)}岗位")
                if fallback:
                    reasons.append(f"{fallback}的干部担任")
                return reasons

            options.append(Option(person.key, score, "veteran", explain=explain))
    if options:
        return options, ""
    return [], f"{_where(ctx, mentee.unit_id)}没有工作年限比帮带对象多 {need} 年以上的干部（按“以老带新”）"


def _expert(ctx: _Context, mentee: Person, lead: str) -> tuple[list[Option], str]:
    own_grade = title_grade(mentee.professional_title)
    own_rank = _level_rank(mentee.leadership_level)
    own_unit = ctx.unit(mentee.unit_id)

    def better(person: Person) -> str | None:
        grade = title_grade(person.professional_title)
        if grade > own_grade:
            return f"职称更高（{person.professional_title}，{_TITLE_GRADE_LABELS[grade]}）"
        if _level_rank(person.leadership_level) > own_rank:
            return f"职务层次更高（{_level_label(person.leadership_level)}）"
        return None

    if mentee.specialties:
        seen: dict[str, Option] = {}
        for specialty in mentee.specialties:
            for person in ctx.by_specialty.get(specialty, ()):
                if person.external or person.key in seen:
                    continue
                why = better(person)
                if why is None or not ctx.allowed(mentee, person):
                    continue
                shared = [s for s in mentee.specialties if s in person.specialties]
                score = 70.0 + 5 * (len(shared) - 1) + (5 if title_grade(person.professional_title) > own_grade else 0)
                reasons = [lead, f"专业特长相同（{'、'.join(shared)}）", why]
                unit = ctx.unit(person.unit_id)
                if person.unit_id == mentee.unit_id:
                    score += 10
                    reasons.append("同单位")
                elif unit and own_unit and unit.district_id is not None and unit.district_id == own_unit.district_id:
                    score += 5
                    reasons.append(f"同一区县（{unit.name}）")
                else:
                    reasons.append(f"在{ctx.unit_name(person.unit_id)}")
                seen[person.key] = Option(person.key, score, "expert", tuple(reasons))
        if seen:
            return list(seen.values()), ""
    # Fallbacks, said in the reasons: the same kind of post nearby with a higher title or level; failing that (no
    # titles recorded), a colleague in the same kind of post with the veteran gap of service.
    if mentee.specialties:
        first = f"没有专业特长相同（{'、'.join(mentee.specialties)}）且职称或职务层次更高的干部"
    else:
        first = "帮带对象未登记专业特长"
    category = _category_label(mentee.post_category)
    need = ctx.policy.service_gap_years
    latest = add_months(mentee.work_start, -12 * need) if mentee.work_start else None
    options: list[Option] = []
    for place, fallback in _nearby(ctx, mentee.unit_id):
        for person in ctx.by_unit_category.get((place, mentee.post_category), ()):
            why, score = better(person), 60.0
            if why is None and latest is not None and person.work_start is not None and person.work_start <= latest:
                gap = full_years(person.work_start, mentee.work_start)
                why, score = (
                    f"未登记更高职称，改按同类岗位中工作年限多 {gap} 年（至少 {need} 年）者",
                    55.0 + min(gap - need, 5),
                )
            if why is None or not ctx.allowed(mentee, person):
                continue
            where = "同单位" if not fallback else ctx.unit_name(place)
            reasons = [lead, f"{first}，改按{where}{category}岗位（{person.post_title or '职务未填'}）", why]
            if fallback:
                score -= 10
                reasons.append(f"{fallback}的干部担任")
            options.append(Option(person.key, score, "expert", tuple(reasons)))
    if options:
        return options, ""
    where = _where(ctx, mentee.unit_id)
    return (
        [],
        f"{first}；{where}{category}岗位中也没有职称、职务层次更高或工作年限多 {need} 年以上的干部（按“以精带疏”）",
    )


def _strong(ctx: _Context, mentee: Person, lead: str) -> tuple[list[Option], str]:
    years = ctx.policy.assessment_years
    own_points, _own_excellent, own_text = ctx.record(mentee)
    own_rank = _level_rank(mentee.leadership_level)
    category = _category_label(mentee.post_category)
    options: list[Option] = []
    for place, fallback in _nearby(ctx, mentee.unit_id):
        for person in ctx.by_unit_category.get((place, mentee.post_category), ()):
            points, excellent, text = ctx.record(person)
            rank = _level_rank(person.leadership_level)
            if text and (points > own_points if own_text else excellent > 0):
                compare = f"，优于帮带对象（{own_text}）" if own_text else "，帮带对象尚无考核记录"
                score = 75.0 + 4 * excellent + 2 * min(max(rank - own_rank, 0), 3)
                why = f"近 {years} 年年度考核 {text}{compare}"
            elif not text and rank > own_rank:
                score = 65.0 + 3 * min(rank - own_rank, 3)
                why = (
                    f"暂无年度考核记录，改按职务层次较高者（{_level_label(person.leadership_level)}，"
                    f"高于帮带对象的{_level_label(mentee.leadership_level)}）"
                )
            else:
                continue
            if not ctx.allowed(mentee, person):
                continue
            reasons = [lead, f"同为{category}岗位（{person.post_title or '职务未填'}）", why]
            if fallback:
                score -= 30  # below every own-unit colleague (≥ 65)
                reasons.append(f"{fallback}的干部担任")
            options.append(Option(person.key, score, "strong", tuple(reasons)))
    if options:
        return options, ""
    return [], f"{_where(ctx, mentee.unit_id)}没有同为{category}岗位、考核更优或职务层次更高的干部（按“以强带弱”）"


def _business(ctx: _Context, mentee: Person) -> tuple[list[Option], str]:
    unit = ctx.unit(mentee.unit_id)
    strategy, lead = business_strategy(mentee, unit, ctx.policy)
    options, why = {"veteran": _veteran, "expert": _expert, "strong": _strong}[strategy](ctx, mentee, lead)
    if strategy != "expert" or ctx.policy.business != "by_post" or unit is None:
        return options, why
    if unit.level not in GRASSROOTS_LEVELS:
        return options, why
    # A technical post in a grassroots unit is a grassroots post too: without an expert, a veteran of the unit.
    level = UnitLevel(unit.level).label
    if options:
        # Experts there are, but each takes only ``capacity`` mentees: the unit's veterans follow as a fallback,
        # scored below every expert (≥ 45), so the solver uses them only when the experts are taken.
        lead = (
            f"专业技术岗位符合“以精带疏”的 {len(options)} 名人选名额已满或已由全局最优方案安排给他人；"
            f"岗位在基层（{level}），改按“以老带新”配备业务导师"
        )
        experts = {o.mentor for o in options}
        veterans, _why = _veteran(ctx, mentee, lead)
        for option in veterans:
            if option.mentor not in experts:
                option.score = max(option.score - EXPERT_TO_VETERAN, 1.0)
                options.append(option)
        return options, why
    lead = f"专业技术岗位没有合适的“以精带疏”人选；岗位在基层（{level}），改按“以老带新”配备业务导师"
    options, second = _veteran(ctx, mentee, lead)
    return options, "" if options else f"{why}；{second}"


_ROLE_RULES = {"political": _political, "business": _business, "mass_work": _mass_work, "shadowing": _shadowing}


def options_for(data: PairingInput, mentee: Person, role: str) -> tuple[list[Option], str]:
    """Everyone who may mentor ``mentee`` in ``role`` (best first), or ``([], why nobody)``."""
    return _options(_Context(data), mentee, role)


def _options(ctx: _Context, mentee: Person, role: str) -> tuple[list[Option], str]:
    rule = _ROLE_RULES.get(role)
    if rule is None:
        return [], f"“{ROLE_LABELS.get(role, role)}”没有自动配对规则，请手工指定"
    options, why = rule(ctx, mentee)
    options.sort(key=lambda o: (-o.score, _natural(o.mentor)))
    if not options and ctx.excluded.get(mentee.key):
        why = f"{why}；已回避：{'；'.join(ctx.excluded[mentee.key])}"
    return options, why


# ---------------------------------------------------------------------------------------------- solving


@functools.lru_cache(maxsize=1 << 18)
def _natural(key: str) -> tuple[str, int]:
    digits = "".join(ch for ch in key if ch.isdigit())
    return key.rstrip("0123456789"), int(digits) if digits else -1


def solve_assignment(
    mentees: list[str], capacity: Mapping[str, int], scores: Mapping[tuple[str, str], float]
) -> tuple[dict[str, str], str]:
    """Most mentees covered, then the highest total score: mentee → mentor, and the solver's name.

    Uses the matching engine; if it cannot be imported, OR-Tools' min-cost flow directly (max flow first,
    then min cost — the same lexicographic objective).
    """
    if not mentees or not scores:
        return {}, "none"
    try:
        from miaopu.domain.matching import Candidate, Problem, Score, Slot, solve
    except ImportError:  # pragma: no cover - the engine ships with the project; kept for partial installs
        return solve_with_ortools(mentees, capacity, scores), "ortools_min_cost_flow"
    slots = tuple(Slot(key, capacity=cap) for key, cap in capacity.items())
    problem = Problem(
        candidates=tuple(Candidate(m) for m in mentees),
        slots=slots,
        scores=tuple(Score(m, s, round(v, 2)) for (m, s), v in scores.items()),
        assign_all=False,
    )
    result = solve(problem)
    return {a.candidate: a.slot for a in result.assignments}, result.solver


def solve_with_ortools(
    mentees: list[str], capacity: Mapping[str, int], scores: Mapping[tuple[str, str], float]
) -> dict[str, str]:
    """The fallback solver: source → mentee (1) → mentor (1) → sink (capacity), max flow with min cost."""
    from ortools.graph.python import min_cost_flow

    flow = min_cost_flow.SimpleMinCostFlow()
    mentee_ids = sorted(mentees, key=_natural)
    mentor_ids = sorted(capacity, key=_natural)
    index = {key: i + 1 for i, key in enumerate(mentee_ids)}
    offset = len(mentee_ids) + 1
    mentor_index = {key: offset + i for i, key in enumerate(mentor_ids)}
    source, sink = 0, offset + len(mentor_ids)
    cents = {pair: round(value * 100) for pair, value in scores.items()}
    top = max(cents.values())
    flow.set_node_supply(source, len(mentee_ids))
    flow.set_node_supply(sink, -len(mentee_ids))
    for key in mentee_ids:
        flow.add_arc_with_capacity_and_unit_cost(source, index[key], 1, 0)
    arcs = {}
    for (mentee, mentor), value in sorted(cents.items(), key=lambda kv: (_natural(kv[0][0]), _natural(kv[0][1]))):
        if mentee in index and mentor in mentor_index:
            arcs[flow.add_arc_with_capacity_and_unit_cost(index[mentee], mentor_index[mentor], 1, top - value)] = (
                mentee,
                mentor,
            )
    for key in mentor_ids:
        flow.add_arc_with_capacity_and_unit_cost(mentor_index[key], sink, max(capacity[key], 0), 0)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    return {pair[0]: pair[1] for arc, pair in arcs.items() if flow.flow(arc) > 0}


def pair(data: PairingInput) -> PairingResult:
    """Propose one mentor per mentee and role, optimally across the cohort; see the module docstring."""
    ctx = _Context(data)
    policy = data.policy
    people = {p.key: p for p in (*data.pool, *data.mentees)}
    # Mentors already serving a mentee (any role): one person does not hold two roles for the same mentee.
    taken: dict[str, set[str]] = defaultdict(set)
    for (mentee_key, _role), mentor_key in data.existing.items():
        taken[mentee_key].add(mentor_key)
    notes = []
    if not ctx.family_data:
        notes.append("系统中没有任何家庭成员登记，未做亲属回避检查")
    proposals: list[Proposal] = []
    summaries: list[RoleSummary] = []
    for role in data.roles:
        began = time.perf_counter()
        label = ROLE_LABELS.get(role, role)
        todo = [m for m in data.mentees if (m.key, role) not in data.existing]
        already = len(data.mentees) - len(todo)
        found: dict[str, list[Option]] = {}
        why_none: dict[str, str] = {}
        for mentee in todo:
            options, why = _options(ctx, mentee, role)
            kept = [o for o in options if o.mentor not in taken[mentee.key]]
            if options and not kept:
                why = f"符合条件的人选已是该干部的其他导师，一人不兼任两类导师（{label}）"
            found[mentee.key], why_none[mentee.key] = kept[: policy.max_options], why
        capacity: dict[str, int] = {}
        full: set[str] = set()
        for options in found.values():
            for o in options:
                if o.mentor not in capacity and o.mentor not in full:
                    left = policy.capacity - data.load.get((o.mentor, role), 0)
                    if left > 0:
                        capacity[o.mentor] = left
                    else:
                        full.add(o.mentor)
        scores = {(m, o.mentor): o.score for m, options in found.items() for o in options if o.mentor in capacity}
        chosen, solver = solve_assignment([m for m in found if found[m]], capacity, scores)
        total = 0.0
        for mentee in todo:
            options = found[mentee.key]
            shown = tuple(options[: policy.shown_options])
            mentor = chosen.get(mentee.key)
            if mentor is None:
                if not options:
                    reasons = (why_none[mentee.key] or f"没有符合条件的{label}",)
                else:
                    n = len(options)
                    reasons = (
                        f"有 {n} 名符合条件的{label}，但名额均已用满（每人每类最多带 {policy.capacity} 名，"
                        "全局最优方案已优先保证更多人配上导师）",
                    )
                proposals.append(Proposal(mentee.key, role, None, "", None, reasons, shown))
                continue
            option = next(o for o in options if o.mentor == mentor)
            reasons = list(option.reasons)
            best = options[0]
            if best.score > option.score:
                reasons.append(
                    f"得分更高的{people[best.mentor].name}名额已满或已由全局最优方案安排给他人"
                    f"（本人选得分 {option.score:g}，最高 {best.score:g}）"
                )
            reasons.append(_relative_note(ctx, mentee, people[mentor]))
            if not shown or all(o.mentor != mentor for o in shown):
                shown = (option, *shown[: max(policy.shown_options - 1, 0)])
            proposals.append(Proposal(mentee.key, role, mentor, option.strategy, option.score, tuple(reasons), shown))
            taken[mentee.key].add(mentor)
            total += option.score
        summaries.append(
            RoleSummary(
                role=role,
                mentees=len(data.mentees),
                already=already,
                proposed=len(chosen),
                unmatched=len(todo) - len(chosen),
                total_score=round(total, 2),
                solver=solver,
                seconds=round(time.perf_counter() - began, 3),
            )
        )
    return PairingResult(tuple(proposals), tuple(summaries), tuple(notes))


def _relative_note(ctx: _Context, mentee: Person, mentor: Person) -> str:
    if not ctx.family_data:
        return "系统中没有家庭成员登记，未做亲属回避检查"
    if mentee.relatives is None and mentor.relatives is None:
        return "双方均未登记家庭成员，未做亲属回避检查"
    return "已做亲属回避检查"
