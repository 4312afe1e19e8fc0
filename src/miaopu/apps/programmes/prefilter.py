"""What a database can decide of a template's rules, so the engine judges only the cadres it cannot.

Judging one cadre (facts from the whole experience history, then the rule tree) costs about 50 µs; a province-sized
scope of 200,000 cadres costs 10–15 s. Most rules, though, test plain columns — 年龄 ≤ 35, 单位层级 为 市, 干部来源
为 选调生 — that a database answers from its indexes. Each rule is read two ways:

* **may hold** (:func:`necessary_q`): a ``Q`` implied by the rule — a cadre outside it fails for certain and is
  never judged;
* **surely holds**: a ``Q`` that implies the rule — a cadre inside it passes for certain, without being judged.

Cadres between the two are judged by the engine as before. The verdicts are therefore exactly the engine's (a test
compares both ways on a generated city, over every seeded template and a list of hand-made rules); only the work
shrinks. Reasons (为什么不符合？) always come from the engine: the eligible list judges the cadres of the page it
shows.

What is read (anything else — grassroots months, tags, ``不满足`` — may hold for anyone and surely holds for no one):

* 性别, 干部来源, 政治面貌, 学历, 户籍, 人员状态, 职务层次, 职级, 单位层级, 单位性质, 岗位类别 with ``eq`` / ``in``, and
  the ladders (学历, 职务层次, 职级) compared with ``lt`` … ``between``, as the list of codes that pass: exact both
  ways (a blank or unknown value fails a condition in the engine, and fails ``IN`` in SQL too);
* 年龄 (from the birth date) and 公务员工作时间/年限 (from the entry date) with ``eq``, ``lt``, ``lte``, ``gt``,
  ``gte``, ``between``: "may" loosened by a year (a month), "surely" tightened by a year (exact for the months, by
  ``add_months``'s own arithmetic), so no calendar edge (29 February, month ends) can tip a verdict;
* 乡村工作经历 (``rural_months``): "surely" at most N months when no entry at a 镇街/村社区 unit began before the
  date (the stored ``Cadre.first_rural_start``), and "may" be at most N only without such an entry still running
  that began N + 1 months before; "may" be at least N (≥ 1) months only when one began before the date;
* 有…经历 (``has_experience``): "may" when an entry begun before the date has the unit level, a title and the kind
  and none of the excluded titles (its minimum length is left to the engine, and so are excluded titles with Latin
  letters: SQLite's ``LIKE`` ignores their case).

``全部满足`` is AND both ways, ``满足其一`` OR. With groups (the engine takes the first group whose rule holds), a
cadre is surely in group k when the base rule and group k surely hold and no earlier group may hold.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import operator
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from miaopu.apps.cadres.models import Experience
from miaopu.domain.dates import add_months
from miaopu.domain.profile import FACTS
from miaopu.domain.rules import AllOf, AnyOf, Condition, HasExperience, Rule
from miaopu.domain.vocab import RURAL_LEVELS, ExperienceKind

from .spec import ProgrammeSpec

#: Choice facts and the cadre column each is loaded from (``loaders._CADRE_COLUMNS``).
CHOICE_COLUMNS = {
    "gender": "gender",
    "source": "source",
    "political_status": "political_status",
    "education": "fulltime_education",
    "hukou": "hukou",
    "status": "status",
    "leadership_level": "leadership_level",
    "rank": "rank",
    "unit_level": "unit__level",
    "unit_kind": "unit__kind",
    "post_category": "post_category",
}

#: "Everyone" and "no one" (a ``Q`` cannot say either in a way that negates cleanly).
ALL = "all"
NONE = "none"
Set = Q | str


@dataclass(frozen=True)
class Decision:
    """``maybe``: who may be eligible (None: anyone); ``sure``: (group or None, who surely is, in that group)."""

    maybe: Q | None
    sure: tuple[tuple[str | None, Q], ...]


def necessary_q(spec: ProgrammeSpec, as_of: dt.date) -> Q | None:
    """A condition implied by eligibility under ``spec`` on ``as_of`` (None: none could be read)."""
    return decide(spec, as_of).maybe


def decide(spec: ProgrammeSpec, as_of: dt.date) -> Decision:
    base = _read(spec.eligibility, as_of) if spec.eligibility is not None else (ALL, ALL)
    if not spec.groups:
        maybe, sure = base
        return Decision(_q(maybe), ((None, sure),) if isinstance(sure, Q) else ((None, Q()),) if sure == ALL else ())
    groups = [(g.name, _read(g.rule, as_of)) for g in spec.groups]
    maybe = _and([base[0], _or([m for _n, (m, _s) in groups])])
    sure = []
    earlier: list[Set] = []
    for name, (may, surely) in groups:
        decided = _and([base[1], surely, *[_not(m) for m in earlier]])
        if decided != NONE:
            sure.append((name, Q() if decided == ALL else decided))
        earlier.append(may)
    return Decision(_q(maybe), tuple(sure))


def _q(value: Set) -> Q | None:
    return None if value == ALL else Q(pk__in=[]) if value == NONE else value


def _combine(parts: list[Set], absorbing: str, neutral: str, join) -> Set:
    if any(p == absorbing for p in parts):
        return absorbing
    known = [p for p in parts if p != neutral]
    return functools.reduce(join, known) if known else neutral


def _and(parts: list[Set]) -> Set:
    return _combine(parts, NONE, ALL, operator.and_)


def _or(parts: list[Set]) -> Set:
    return _combine(parts, ALL, NONE, operator.or_)


def _not(value: Set) -> Set:
    return NONE if value == ALL else ALL if value == NONE else ~value


def _read(rule: Rule, as_of: dt.date) -> tuple[Set, Set]:
    """(may hold, surely holds) of ``rule`` as SQL."""
    if isinstance(rule, AllOf):
        parts = [_read(child, as_of) for child in rule.children]
        return _and([m for m, _s in parts]), _and([s for _m, s in parts])
    if isinstance(rule, AnyOf):
        parts = [_read(child, as_of) for child in rule.children]
        return _or([m for m, _s in parts]), _or([s for _m, s in parts])
    if isinstance(rule, Condition):
        return _condition(rule, as_of)
    if isinstance(rule, HasExperience):
        return _experience(rule, as_of), NONE
    return ALL, NONE  # Not: a blank value fails a negated condition in the engine but passes NOT in SQL


def _experience(rule: HasExperience, as_of: dt.date) -> Q:
    entries = Experience.objects.filter(cadre=OuterRef("pk"), start__lt=as_of)
    if rule.unit_levels:
        entries = entries.filter(unit__level__in=list(rule.unit_levels))
    if rule.post_titles:
        titles = Q(pk__in=[])
        for title in rule.post_titles:
            titles |= Q(post_title__contains=title)
        entries = entries.filter(titles)
    for title in rule.excluded_titles:
        if not any("A" <= ch <= "Z" or "a" <= ch <= "z" for ch in title):  # no letter whose case SQLite ignores
            entries = entries.exclude(post_title__contains=title)
    if rule.kinds:
        kinds = Q(kind__in=list(rule.kinds))
        if ExperienceKind.POSTING.value in rule.kinds:  # the engine reads a blank kind as 任职
            kinds |= Q(kind="") | Q(kind__isnull=True)
        entries = entries.filter(kinds)
    return Q(Exists(entries))


def _choices(rule: Condition) -> list[str] | None:
    """The codes for which a choice condition holds (blank and unknown codes fail in the engine too); None: the
    operator is not one of these."""
    spec = FACTS[rule.fact]
    if rule.op in ("eq", "in"):
        values = [rule.value] if rule.op == "eq" else list(rule.value)  # type: ignore[call-overload]
        return values if values and all(isinstance(v, str) and v for v in values) else None
    if spec.kind != "ordered_choice" or spec.vocab is None or rule.op not in ("lt", "lte", "gt", "gte", "between"):
        return None
    if rule.op == "between":
        low, high = (spec.height(v) for v in rule.value)  # type: ignore[union-attr]
        if low is None or high is None:
            return []
    else:
        bound = spec.height(rule.value)
        if bound is None:
            return []
        low, high = {"lt": (None, bound - 1), "lte": (None, bound), "gt": (bound + 1, None), "gte": (bound, None)}[
            rule.op
        ]
    passing = []
    for code in spec.vocab.labels():
        height = spec.height(code)
        if height is not None and (low is None or height >= low) and (high is None or height <= high):
            passing.append(code)
    return passing


def _bounds(op: str, value: object) -> tuple[int | None, int | None] | None:
    """The whole numbers [low, high] a whole-number fact must lie in for ``op value`` to hold (None: not numeric)."""
    if op == "between":
        low, high = value  # type: ignore[misc]
        return math.ceil(float(low)), math.floor(float(high))
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    v = float(value)
    return {
        "eq": (math.ceil(v), math.floor(v)),
        "lt": (None, math.ceil(v) - 1),
        "lte": (None, math.floor(v)),
        "gt": (math.floor(v) + 1, None),
        "gte": (math.ceil(v), None),
    }.get(op)


def _condition(rule: Condition, as_of: dt.date) -> tuple[Set, Set]:
    if rule.fact in CHOICE_COLUMNS:
        column = CHOICE_COLUMNS[rule.fact]
        values = _choices(rule)
        if values is None:
            return ALL, NONE
        exact = Q(**{f"{column}__in": values})
        return exact, exact
    bounds = _bounds(rule.op, rule.value)
    if bounds is None:
        return ALL, NONE
    low, high = bounds
    if low is not None and high is not None and low > high:
        return NONE, NONE
    if rule.fact == "age":
        return _age(low, high, as_of)
    if rule.fact in ("civil_service_months", "civil_service_years"):
        per = 12 if rule.fact == "civil_service_years" else 1
        return _months(
            "civil_service_entry_date",
            None if low is None else low * per,
            None if high is None else high * per + per - 1,
            as_of,
        )
    if rule.fact == "rural_months":
        return _rural(low, high, as_of)
    return ALL, NONE


def _age(low: int | None, high: int | None, as_of: dt.date) -> tuple[Set, Set]:
    """Age in full years (``age_on``; 0 for a birth date after ``as_of``) within [low, high]."""
    maybe, sure = [], []
    if high is not None:
        if high < 0:
            return NONE, NONE
        # age ≤ high ⇒ born after as_of − (high + 1) years; born after as_of − high years ⇒ age ≤ high − 1.
        maybe.append(Q(birth_date__gte=add_months(as_of, -12 * (high + 2))))
        sure.append(Q(birth_date__gt=add_months(as_of, -12 * high)))
    if low is not None and low > 0:
        maybe.append(Q(birth_date__lte=add_months(as_of, -12 * (low - 1))))  # age ≥ low ⇒ born by as_of − low y
        sure.append(Q(birth_date__lte=add_months(as_of, -12 * (low + 1))))  # born by as_of − (low+1)y ⇒ age ≥ low+1
    return _and(maybe or [ALL]), _and(sure or [ALL])


def _months(column: str, low: int | None, high: int | None, as_of: dt.date) -> tuple[Set, Set]:
    """Full months since the date in ``column`` (``full_months``; 0 for a date after ``as_of``, missing for none)
    within [low, high]. ``add_months(add_months(as_of, −k), k) ≤ as_of`` makes "on or before as_of − k months"
    exactly "at least k months"; the "may" side is loosened by a month."""
    known = Q(**{f"{column}__isnull": False})
    maybe, sure = [known], [known]
    if high is not None:
        if high < 0:
            return NONE, NONE
        maybe.append(Q(**{f"{column}__gte": add_months(as_of, -(high + 2))}))
        sure.append(Q(**{f"{column}__gt": add_months(as_of, -high)}))  # not even "may be high + 1 months"
    if low is not None and low > 0:
        maybe.append(Q(**{f"{column}__lte": add_months(as_of, -(low - 1))}))
        sure.append(Q(**{f"{column}__lte": add_months(as_of, -low)}))
    return _and(maybe), _and(sure)


def _rural(low: int | None, high: int | None, as_of: dt.date) -> tuple[Set, Set]:
    """Months at 镇街/村社区 units up to ``as_of``: none began before the date ⇒ 0 months; at least ``low`` ⇒ one
    began ``low`` − 1 months before (the stored ``first_rural_start``, kept by every write of experience)."""
    none_yet = Q(first_rural_start__isnull=True) | Q(first_rural_start__gte=as_of)
    maybe: list[Set] = []
    sure: list[Set] = []
    if high is not None:
        if high < 0:
            return NONE, NONE
        sure.append(none_yet)  # 0 ≤ high
        # A rural entry still running on the date and begun high + 1 months before holds that many months by itself.
        running = Experience.objects.filter(
            cadre=OuterRef("pk"), unit__level__in=sorted(RURAL_LEVELS), start__lte=add_months(as_of, -(high + 1))
        ).filter(Q(end__isnull=True) | Q(end__gte=as_of))
        maybe.append(~Q(Exists(running)))
    if low is not None and low > 0:
        # Only "one began before the date": full months of several short entries can add up to more than the
        # full months of their whole span (31 Jan–28 Feb and 28 Feb–28 Mar are a month each, together one).
        maybe.append(Q(first_rural_start__lt=as_of))
        sure.append(NONE)
    return _and(maybe or [ALL]), _and(sure or [ALL])
