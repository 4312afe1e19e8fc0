"""A SQL condition every eligible cadre meets, read off a template's rules, so only those cadres are judged.

Judging one cadre (facts from the whole experience history, then the rule tree) costs about 50 µs; a province-sized
scope of 200,000 cadres costs 10–15 s. Most templates, though, start with conditions on plain columns — 年龄 ≤ 35,
单位层级 为 市, 干部来源 为 选调生 — that a database answers from its indexes. :func:`necessary_q` turns the
conditions it can read into a ``Q`` that is **implied by** eligibility: a cadre outside it fails the rules for
certain, so it is never judged; a cadre inside it is judged by the engine as before. The verdicts are therefore
exactly the engine's (a test compares the two on a generated city); only the work shrinks.

What is read (anything else — months of experience, tags, ``不满足``, ordered comparisons — counts as "no
condition"):

* 性别, 干部来源, 政治面貌, 学历, 户籍, 人员状态, 职务层次, 职级, 单位层级, 单位性质, 岗位类别 with ``eq`` / ``in``
  (a blank value fails a condition in the engine, and fails ``IN`` in SQL too);
* 年龄 (from the birth date, one year of slack each way) and 公务员工作时间/年限 (from the entry date, one month of
  slack) with ``eq``, ``lt``, ``lte``, ``gt``, ``gte``, ``between``; the slack keeps the SQL a superset whatever
  the calendar edge (29 February, month ends);
* 有…经历 (``has_experience``): an entry begun before the date at the unit levels, with one of the titles, of the
  kinds (its minimum length and excluded titles are left to the engine).

``全部满足`` becomes AND of what could be read; ``满足其一`` becomes OR, or nothing when one branch could not be read;
with groups, the base rule AND (one of the groups).
"""

from __future__ import annotations

import datetime as dt
import math

from django.db.models import Exists, OuterRef, Q

from miaopu.apps.cadres.models import Experience
from miaopu.domain.dates import add_months
from miaopu.domain.rules import AllOf, AnyOf, Condition, HasExperience, Rule
from miaopu.domain.vocab import ExperienceKind

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


def necessary_q(spec: ProgrammeSpec, as_of: dt.date) -> Q | None:
    """A condition implied by eligibility under ``spec`` on ``as_of`` (None: none could be read)."""
    base = _necessary(spec.eligibility, as_of) if spec.eligibility is not None else None
    if not spec.groups:
        return base
    groups = _any([_necessary(g.rule, as_of) for g in spec.groups])
    return _all([base, groups])


def _all(parts: list[Q | None]) -> Q | None:
    known = [p for p in parts if p is not None]
    if not known:
        return None
    q = known[0]
    for part in known[1:]:
        q &= part
    return q


def _any(parts: list[Q | None]) -> Q | None:
    if not parts or any(p is None for p in parts):
        return None  # one branch could pass on anything
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


def _necessary(rule: Rule, as_of: dt.date) -> Q | None:
    if isinstance(rule, AllOf):
        return _all([_necessary(child, as_of) for child in rule.children])
    if isinstance(rule, AnyOf):
        return _any([_necessary(child, as_of) for child in rule.children])
    if isinstance(rule, Condition):
        return _condition(rule, as_of)
    if isinstance(rule, HasExperience):
        return _experience(rule, as_of)
    return None  # Not: nothing certain in SQL


def _experience(rule: HasExperience, as_of: dt.date) -> Q:
    """Some entry begun before ``as_of`` at one of the unit levels, with one of the titles, of one of the kinds.

    Looser than the engine on purpose: the minimum length and the excluded titles are left to it (SQLite's
    ``LIKE`` ignores ASCII case, so an exclusion in SQL could drop someone the engine keeps)."""
    entries = Experience.objects.filter(cadre=OuterRef("pk"), start__lt=as_of)
    if rule.unit_levels:
        entries = entries.filter(unit__level__in=list(rule.unit_levels))
    if rule.post_titles:
        titles = Q(pk__in=[])
        for title in rule.post_titles:
            titles |= Q(post_title__contains=title)
        entries = entries.filter(titles)
    if rule.kinds:
        kinds = Q(kind__in=list(rule.kinds))
        if ExperienceKind.POSTING.value in rule.kinds:  # the engine reads a blank kind as 任职
            kinds |= Q(kind="") | Q(kind__isnull=True)
        entries = entries.filter(kinds)
    return Q(Exists(entries))


def _bounds(op: str, value: object) -> tuple[float | None, float | None] | None:
    """The interval [low, high] a number must lie in for ``op value`` to hold (None: not a numeric test)."""
    if op == "between":
        low, high = value  # type: ignore[misc]
        return float(low), float(high)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    v = float(value)
    return {
        "eq": (v, v),
        "lt": (None, math.ceil(v) - 1 if v == int(v) else math.floor(v)),
        "lte": (None, v),
        "gt": (math.floor(v) + 1 if v == int(v) else math.ceil(v), None),
        "gte": (v, None),
    }.get(op)


def _condition(rule: Condition, as_of: dt.date) -> Q | None:
    if rule.fact in CHOICE_COLUMNS:
        column = CHOICE_COLUMNS[rule.fact]
        if rule.op == "eq" and isinstance(rule.value, str) and rule.value:
            return Q(**{column: rule.value})
        if rule.op == "in" and rule.value and all(isinstance(v, str) and v for v in rule.value):  # type: ignore[union-attr]
            return Q(**{f"{column}__in": list(rule.value)})  # type: ignore[arg-type]
        return None
    bounds = _bounds(rule.op, rule.value)
    if bounds is None:
        return None
    low, high = bounds
    if rule.fact == "age":
        # age ≤ high ⇒ born after as_of − (high + 1) years; age ≥ low ⇒ born on or before as_of − low years.
        # One more year each way for slack.
        q = Q()
        if high is not None:
            q &= Q(birth_date__gte=add_months(as_of, -12 * (math.floor(high) + 2)))
        if low is not None and low > 0:  # (a birth date after as_of gives age 0, which passes "≥ 0")
            q &= Q(birth_date__lte=add_months(as_of, -12 * (math.ceil(low) - 1)))
        return q
    if rule.fact in ("civil_service_months", "civil_service_years"):
        per = 12 if rule.fact == "civil_service_years" else 1
        # months ≤ M ⇒ entered after as_of − (M + 1) months; months ≥ M ⇒ entered on or before as_of − M months.
        # A missing entry date fails the condition in the engine, and fails both comparisons in SQL.
        q = Q(civil_service_entry_date__isnull=False)
        if high is not None:
            months = math.floor(high) * per + (per - 1)
            q &= Q(civil_service_entry_date__gte=add_months(as_of, -(months + 2)))
        if low is not None and low > 0:  # (an entry date after as_of gives 0 months, which passes "≥ 0")
            months = math.ceil(low) * per
            q &= Q(civil_service_entry_date__lte=add_months(as_of, -(months - 1)))
        return q
    return None
