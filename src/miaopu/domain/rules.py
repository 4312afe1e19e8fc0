"""Eligibility rules: plain data in, a verdict with one plain-Chinese reason per condition out.

Programme templates store their rules as data (YAML/JSON: dicts and lists). :func:`parse_rule` checks such
data once, up front, and turns it into immutable nodes; a mistake raises :class:`RuleError` whose message
says where it is and how to fix it, in Chinese, because the people editing templates are organisation
department staff, not programmers. :func:`evaluate` and :func:`classify` then run against the fact dict of
:func:`miaopu.domain.profile.facts_as_of`.

Reasons state the *truth* about the cadre ("年龄 36 岁，超过 35 岁"), so they read correctly whichever way a
condition is used. ``not`` is pushed down to the leaves (De Morgan): ``not all`` behaves as ``any`` of the
negated children, and a leaf under an odd number of ``not`` s passes when its relation does not hold. A
missing fact (未填写) fails its leaf whether or not it is negated: unknown data never makes anyone eligible.

See docs/rules.md for the language, with examples.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NoReturn

from miaopu.domain.dates import full_months
from miaopu.domain.experience import Stint
from miaopu.domain.profile import FACTS, FactSpec
from miaopu.domain.vocab import ExperienceKind, UnitLevel, Vocab

__all__ = [
    "OPERATORS",
    "AllOf",
    "AnyOf",
    "Condition",
    "Eligibility",
    "Evaluation",
    "HasExperience",
    "Not",
    "Reason",
    "Rule",
    "RuleError",
    "classify",
    "describe",
    "evaluate",
    "parse_rule",
    "to_data",
]

#: Comparison operators allowed for each kind of fact.
OPERATORS: dict[str, tuple[str, ...]] = {
    "number": ("eq", "ne", "in", "not_in", "lt", "lte", "gt", "gte", "between"),
    "choice": ("eq", "ne", "in", "not_in"),
    "ordered_choice": ("eq", "ne", "in", "not_in", "lt", "lte", "gt", "gte", "between"),
    "tags": ("contains", "contains_any"),
    "bool": ("is",),
}
_ALL_OPERATORS = ("eq", "ne", "in", "not_in", "lt", "lte", "gt", "gte", "between", "contains", "contains_any", "is")
_LIST_OPERATORS = ("in", "not_in", "contains_any")
_EXPERIENCE_KEYS = ("unit_level", "post_title_contains", "post_title_excludes", "kind", "min_months")
_NODE_KEYS = ("all", "any", "not", "has_experience")


class RuleError(ValueError):
    """A rule that cannot be used. ``str(error)`` is the whole Chinese message, e.g.
    ``规则 all[2]：未知的条件项 “agee”，可用：age、gender…``; ``path`` is the ``all[2]`` part."""

    def __init__(self, message: str, path: str = "", where: str = "规则") -> None:
        self.path = path
        self.detail = message
        super().__init__(f"{where} {path}：{message}" if path else f"{where}：{message}")


# ---------------------------------------------------------------- nodes


@dataclass(frozen=True)
class Rule:
    """Base of the parsed nodes: immutable, comparable and hashable."""


@dataclass(frozen=True)
class AllOf(Rule):
    children: tuple[Rule, ...]


@dataclass(frozen=True)
class AnyOf(Rule):
    children: tuple[Rule, ...]


@dataclass(frozen=True)
class Not(Rule):
    child: Rule


@dataclass(frozen=True)
class Condition(Rule):
    """``{"fact": fact, op: value}``; ``value`` is normalised (choice codes, tuples for lists)."""

    fact: str
    op: str
    value: object


@dataclass(frozen=True)
class HasExperience(Rule):
    """A stint (up to the as-of date) meeting every given condition; empty tuples mean "any".

    ``excluded_titles`` exists because titles nest: "副镇长" contains "镇长", so "曾任镇长" needs
    ``post_title_excludes: ["副"]`` to leave out the deputies.
    """

    unit_levels: tuple[str, ...] = ()
    post_titles: tuple[str, ...] = ()
    excluded_titles: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    min_months: int | None = None


@dataclass(frozen=True)
class Reason:
    ok: bool
    text: str
    fact: str | None = None


@dataclass(frozen=True)
class Evaluation:
    ok: bool
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    group: str | None
    reasons: tuple[Reason, ...]


# ---------------------------------------------------------------- parsing


def parse_rule(data: object, *, where: str = "规则") -> Rule:
    """Check rule data and build its nodes; ``where`` names the rule in errors (e.g. ``分组“育苗”``)."""
    if isinstance(data, Rule):
        return data
    return _Parser(where).node(data, "")


def _show(value: object) -> str:
    if isinstance(value, str):
        return f"“{value}”"
    return json.dumps(value, ensure_ascii=False, default=str)


def _join(path: str, step: str) -> str:
    return f"{path}.{step}" if path else step


class _Parser:
    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, path: str, message: str) -> NoReturn:
        raise RuleError(message, path, self.where)

    def node(self, data: object, path: str) -> Rule:
        if not isinstance(data, Mapping):
            self.fail(path, f'每条规则应为一个对象，如 {{"fact": "age", "lte": 35}}，实为 {_show(data)}')
        for key in _NODE_KEYS:
            if key in data:
                others = [str(k) for k in data if k != key]
                if others:
                    self.fail(path, f"“{key}” 不能与 {'、'.join(others)} 写在同一个对象里，请拆开放进 all")
                return self.compound(key, data[key], path)
        if "fact" in data:
            return self.condition(data, path)
        self.fail(path, f"无法识别的规则 {_show(data)}：应以 all、any、not、has_experience 或 fact 开头")

    def compound(self, key: str, body: object, path: str) -> Rule:
        if key == "not":
            return Not(self.node(body, _join(path, "not")))
        if key == "has_experience":
            return self.experience(body, _join(path, "has_experience"))
        if not isinstance(body, list | tuple) or not body:
            self.fail(path, f"“{key}” 后应为非空的规则列表，实为 {_show(body)}")
        children = tuple(self.node(item, _join(path, f"{key}[{i}]")) for i, item in enumerate(body))
        return AllOf(children) if key == "all" else AnyOf(children)

    def fact(self, name: object, path: str) -> FactSpec:
        if isinstance(name, str):
            if name in FACTS:
                return FACTS[name]
            for spec in FACTS.values():
                if spec.label == name.strip():
                    return spec
        close = difflib.get_close_matches(str(name), list(FACTS), n=1)
        hint = f"（是否想用 {close[0]}？）" if close else ""
        known = "、".join(f"{spec.name}（{spec.label}）" for spec in FACTS.values())
        self.fail(path, f"未知的条件项 {_show(name)}{hint}，可用：{known}")

    def condition(self, data: Mapping[object, object], path: str) -> Condition:
        spec = self.fact(data["fact"], path)
        allowed = OPERATORS[spec.kind]
        ops = [key for key in data if key != "fact"]
        if not ops:
            self.fail(path, f"条件 {spec.label} 缺少比较运算，可用：{'、'.join(allowed)}")
        if len(ops) > 1:
            self.fail(path, f"一个条件只能有一个比较运算，实有 {'、'.join(map(str, ops))}；请拆成多条放进 all")
        op = ops[0]
        if op not in _ALL_OPERATORS:
            self.fail(path, f"未知的比较运算 {_show(op)}，{spec.label} 可用：{'、'.join(allowed)}")
        if op not in allowed:
            self.fail(path, f"{spec.label} 不支持比较运算 {_show(op)}，可用：{'、'.join(allowed)}")
        return Condition(spec.name, str(op), self.operand(spec, str(op), data[op], path))

    def operand(self, spec: FactSpec, op: str, raw: object, path: str) -> object:
        if op in _LIST_OPERATORS:
            if not isinstance(raw, list | tuple) or not raw:
                self.fail(path, f"{spec.label} 的 {op} 后应为非空列表，如 [a, b]，实为 {_show(raw)}")
            return tuple(self.scalar(spec, item, path) for item in raw)
        if op == "between":
            if not isinstance(raw, list | tuple) or len(raw) != 2:
                self.fail(path, f"{spec.label} 的 between 后应为 [下限, 上限]，实为 {_show(raw)}")
            low, high = (self.scalar(spec, item, path) for item in raw)
            key = spec.height if spec.kind == "ordered_choice" else (lambda v: v)
            if key(low) > key(high):  # type: ignore[operator]
                self.fail(path, f"{spec.label} 的 between 下限 {spec.show(low)} 高于上限 {spec.show(high)}，请对调")
            return (low, high)
        return self.scalar(spec, raw, path)

    def scalar(self, spec: FactSpec, raw: object, path: str) -> object:
        if spec.kind == "number":
            if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
                self.fail(path, f"{spec.label} 的比较值应为数字，实为 {_show(raw)}")
            return raw
        if spec.kind == "bool":
            if not isinstance(raw, bool):
                self.fail(path, f"{spec.label} 的比较值应为 true 或 false，实为 {_show(raw)}")
            return raw
        if spec.kind == "tags":
            if not isinstance(raw, str) or not raw.strip():
                self.fail(path, f"{spec.label} 的比较值应为文字标签，实为 {_show(raw)}")
            return raw.strip()
        assert spec.vocab is not None
        return self.choice(spec.vocab, spec.label, raw, path)

    def choice(self, vocabulary: type[Vocab], label: str, raw: object, path: str) -> str:
        try:
            if isinstance(raw, str):
                return vocabulary.from_label(raw).value
        except KeyError:
            pass
        options = "、".join(vocabulary.labels().values())
        self.fail(path, f"{label} 没有 {_show(raw)} 这一选项，可选：{options}")

    def texts(self, raw: object, path: str) -> tuple[object, ...]:
        """One value or a non-empty list of values (``"镇街"`` or ``["镇街", "村社区"]``)."""
        items = (raw,) if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple) or not items:
            self.fail(path, f'has_experience 中的条件应为一个或几个值，如 ["镇街"]，实为 {_show(raw)}')
        return tuple(items)

    def experience(self, body: object, path: str) -> HasExperience:
        if not isinstance(body, Mapping):
            self.fail(path, f'has_experience 后应为一个对象，如 {{"unit_level": ["镇街"]}}，实为 {_show(body)}')
        unknown = [str(key) for key in body if key not in _EXPERIENCE_KEYS]
        if unknown:
            self.fail(path, f"has_experience 中未知的条件 {'、'.join(unknown)}，可用：{'、'.join(_EXPERIENCE_KEYS)}")
        levels = kinds = ()
        if "unit_level" in body:
            levels = tuple(self.choice(UnitLevel, "单位层级", v, path) for v in self.texts(body["unit_level"], path))
        if "kind" in body:
            kinds = tuple(self.choice(ExperienceKind, "履历类型", v, path) for v in self.texts(body["kind"], path))
        titles, excluded = (self.titles(body, key, path) for key in ("post_title_contains", "post_title_excludes"))
        min_months = body.get("min_months")
        if "min_months" in body and (isinstance(min_months, bool) or not isinstance(min_months, int) or min_months < 0):
            self.fail(path, f"min_months 应为不小于 0 的整数（月数），实为 {_show(min_months)}")
        return HasExperience(levels, titles, excluded, kinds, min_months)

    def titles(self, body: Mapping[object, object], key: str, path: str) -> tuple[str, ...]:
        if key not in body:
            return ()
        raw = self.texts(body[key], path)
        if not all(isinstance(t, str) and t.strip() for t in raw):
            self.fail(path, f"{key} 应为职务名称文字，实为 {_show(list(raw))}")
        return tuple(str(t).strip() for t in raw)


def to_data(rule: Rule) -> dict[str, object]:
    """The data form of a parsed rule (codes, lists): ``parse_rule(to_data(r)) == r``."""
    if isinstance(rule, AllOf | AnyOf):
        return {"all" if isinstance(rule, AllOf) else "any": [to_data(child) for child in rule.children]}
    if isinstance(rule, Not):
        return {"not": to_data(rule.child)}
    if isinstance(rule, Condition):
        return {"fact": rule.fact, rule.op: list(rule.value) if isinstance(rule.value, tuple) else rule.value}
    if isinstance(rule, HasExperience):
        body: dict[str, object] = {}
        if rule.unit_levels:
            body["unit_level"] = list(rule.unit_levels)
        if rule.post_titles:
            body["post_title_contains"] = list(rule.post_titles)
        if rule.excluded_titles:
            body["post_title_excludes"] = list(rule.excluded_titles)
        if rule.kinds:
            body["kind"] = list(rule.kinds)
        if rule.min_months is not None:
            body["min_months"] = rule.min_months
        return {"has_experience": body}
    raise TypeError(rule)


# ---------------------------------------------------------------- evaluation

_Outcome = tuple[bool, tuple[Reason, ...]]


def evaluate(rule: Rule, facts: Mapping[str, object]) -> Evaluation:
    """Evaluate ``rule`` against a fact dict (missing facts fail the conditions that read them)."""
    return Evaluation(*_evaluate(rule, facts, negated=False))


def _evaluate(rule: Rule, facts: Mapping[str, object], negated: bool) -> _Outcome:
    if isinstance(rule, Not):
        return _evaluate(rule.child, facts, not negated)
    if isinstance(rule, AllOf | AnyOf):
        outcomes = [_evaluate(child, facts, negated) for child in rule.children]
        return _combine(outcomes, conjunction=isinstance(rule, AllOf) != negated)
    if isinstance(rule, Condition):
        return _condition(rule, facts, negated)
    if isinstance(rule, HasExperience):
        return _experience(rule, facts, negated)
    raise TypeError(rule)


def _combine(outcomes: list[_Outcome], conjunction: bool) -> _Outcome:
    """AND/OR. A passing OR keeps only its passing children's reasons; everything else keeps all of them."""
    everything = tuple(reason for _, reasons in outcomes for reason in reasons)
    if conjunction:
        return all(ok for ok, _ in outcomes), everything
    if any(ok for ok, _ in outcomes):
        return True, tuple(reason for ok, reasons in outcomes if ok for reason in reasons)
    return False, everything


def _listing(spec: FactSpec, values: Sequence[object]) -> str:
    if spec.kind == "number":
        return "、".join(map(_number, values)) + (f" {spec.unit}" if spec.unit else "")
    return "、".join(spec.choice_label(v) for v in values)


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _span(spec: FactSpec, bounds: Sequence[object]) -> str:
    low, high = bounds
    if spec.kind == "number":
        return f"{_number(low)}—{spec.show(high)}"
    return f"{spec.choice_label(low)} 至 {spec.choice_label(high)}"


# op -> (operator whose relation is tested, whether the op holds when the relation holds)
_RELATION = {
    "eq": ("eq", True),
    "ne": ("eq", False),
    "in": ("in", True),
    "not_in": ("in", False),
    "lt": ("lt", True),
    "gte": ("lt", False),
    "lte": ("lte", True),
    "gt": ("lte", False),
    "between": ("between", True),
    "contains": ("contains", True),
    "contains_any": ("contains_any", True),
    "is": ("is", True),
}


def _condition(rule: Condition, facts: Mapping[str, object], negated: bool) -> _Outcome:
    spec = FACTS[rule.fact]
    value = facts.get(rule.fact)
    if value is None or value == "":
        return False, (Reason(False, f"{spec.label} 未填写", spec.name),)
    relation, positive = _RELATION[rule.op]
    holds, text = _relation(spec, relation, rule.value, value)
    if holds is None:  # a value the engine cannot read counts as missing
        return False, (Reason(False, text, spec.name),)
    ok = (holds == positive) != negated
    if spec.kind == "bool":
        want = bool(rule.value) != negated
        text += "，符合要求" if ok else f"，要求为 {spec.show(want)}"
    return ok, (Reason(ok, text, spec.name),)


def _relation(spec: FactSpec, relation: str, bound: object, value: object) -> tuple[bool | None, str]:
    """Whether ``value`` stands in ``relation`` to ``bound``, and the sentence that says so either way."""
    if spec.kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, f"{spec.label} 的值 {_show(value)} 无法识别"
        head, key = f"{spec.label} {spec.show(value)}", value
    elif spec.kind == "bool":
        if not isinstance(value, bool):
            return None, f"{spec.label} 的值 {_show(value)} 无法识别"
        return value == bound, f"{spec.label} 为 {spec.show(value)}"
    elif spec.kind == "tags":
        if not isinstance(value, tuple | list):
            return None, f"{spec.label} 的值 {_show(value)} 无法识别"
        head = f"{spec.label} 为 {spec.show(value)}"
        if relation == "contains":
            holds = bound in value
            return holds, f"{head}，{'含' if holds else '不含'} {bound}"
        matched = [tag for tag in bound if tag in value]  # type: ignore[attr-defined]
        if matched:
            return True, f"{head}，含 {'、'.join(matched)}"
        return False, f"{head}，不含 {'、'.join(bound)} 中任何一项"  # type: ignore[arg-type]
    else:
        head, key = f"{spec.label} 为 {spec.choice_label(value)}", value
        if relation in ("lt", "lte", "between"):
            key = spec.height(value)
            if key is None:
                return None, f"{spec.label} 的值 {_show(value)} 无法识别"
    if relation == "eq":
        holds = value == bound
        if spec.kind == "number":
            return holds, f"{head}，{'等于' if holds else '不等于'} {spec.show(bound)}"
        return holds, f"{head}，{'符合' if holds else '不是'} {spec.choice_label(bound)}"
    if relation == "in":
        bounds: Sequence[object] = bound  # type: ignore[assignment]
        holds = value in bounds
        if not holds:
            return False, f"{head}，不属于 {_listing(spec, bounds)}"
        tail = " 之一" if len(bounds) > 1 else ""
        return True, f"{head}，{'属于' if spec.kind == 'number' else '符合'} {_listing(spec, bounds)}{tail}"
    if relation == "between":
        low, high = bound  # type: ignore[misc]
        if spec.kind == "ordered_choice":
            low, high = spec.height(low), spec.height(high)
        holds = low <= key <= high  # type: ignore[operator]
        return holds, f"{head}，{'在' if holds else '不在'} {_span(spec, bound)} 之间"  # type: ignore[arg-type]
    target = bound if spec.kind == "number" else spec.height(bound)
    shown = spec.show(bound)
    if relation == "lt":
        holds = key < target  # type: ignore[operator]
        word = ("少于" if holds else "不少于") if spec.kind == "number" else ("低于" if holds else "不低于")
    else:  # lte
        holds = key <= target  # type: ignore[operator]
        word = ("不超过" if holds else "超过") if spec.kind == "number" else ("不高于" if holds else "高于")
    return holds, f"{head}，{word} {shown}"


def _experience_requirement(rule: HasExperience) -> str:
    """``镇街 单位 党委书记/镇长 任职经历`` (without 有/无)."""
    parts = []
    if rule.unit_levels:
        parts.append("、".join(UnitLevel(level).label for level in rule.unit_levels) + " 单位")
    titles = "/".join(rule.post_titles)
    kind = "/".join(ExperienceKind(k).label for k in rule.kinds) if rule.kinds else "任职"
    tail = (f"满 {rule.min_months} 个月的" if rule.min_months else "") + f"{kind}经历"
    if rule.excluded_titles:  # the closing bracket needs no space before the tail
        parts.append(titles + "（职务名称不含" + "、".join(f"“{t}”" for t in rule.excluded_titles) + "）" + tail)
    else:
        parts += [titles, tail] if titles else [tail]
    return " ".join(parts)


def _experience(rule: HasExperience, facts: Mapping[str, object], negated: bool) -> _Outcome:
    stints, as_of = facts.get("stints"), facts.get("as_of")
    if stints is None or not isinstance(as_of, date):
        return False, (Reason(False, "履历 未填写", "stints"),)
    found: tuple[Stint, int] | None = None
    for stint in stints:  # type: ignore[attr-defined]
        end = as_of if stint.end is None else min(stint.end, as_of)
        if stint.start >= end:
            continue
        months = full_months(stint.start, end)
        if (
            (not rule.unit_levels or stint.unit_level in rule.unit_levels)
            and (not rule.post_titles or any(title in (stint.post_title or "") for title in rule.post_titles))
            and not any(title in (stint.post_title or "") for title in rule.excluded_titles)
            and (not rule.kinds or stint.kind in rule.kinds)
            and (rule.min_months is None or months >= rule.min_months)
            and (found is None or stint.start >= found[0].start)
        ):
            found = (stint, months)
    if found is None:
        text = f"无 {_experience_requirement(rule)}"
    else:
        text = "有 " + _experience_found(rule, *found, facts.get("unit_names"))
    ok = (found is not None) != negated
    return ok, (Reason(ok, text, "stints"),)


def _experience_found(rule: HasExperience, stint: Stint, months: int, unit_names: object) -> str:
    """``镇街 单位“党委书记”任职经历（2015.03—2018.06 东湖区青石镇）``."""
    level = _label_or(UnitLevel, stint.unit_level)
    head = f"{level} 单位" if rule.unit_levels and level else ""
    title = f"“{stint.post_title}”" if stint.post_title else (" " if head else "")
    period = f"{stint.start:%Y.%m}—" + (f"{stint.end:%Y.%m}" if stint.end else "至今")
    name = unit_names.get(stint.unit_id, "") if isinstance(unit_names, Mapping) else ""
    detail = " ".join(part for part in (period, name) if part)
    if rule.min_months is not None:
        detail += f"，{months} 个月"
    return f"{head}{title}{_label_or(ExperienceKind, stint.kind) or '任职'}经历（{detail}）"


def _label_or(vocabulary: type[Vocab], code: object) -> str:
    return vocabulary.labels().get(str(code), str(code or "")) if code else ""


# ---------------------------------------------------------------- groups and summaries


def classify(base: Rule | None, groups: Sequence[tuple[str, Rule]], facts: Mapping[str, object]) -> Eligibility:
    """Eligibility with groups (tracks, grades, stages): the base rule and the first group whose rule passes.

    Reasons: the base rule's, then the chosen group's prefixed ``【组名】``; when no group fits, one reason
    ``不符合任何分组：…`` followed by each group's failing reasons. ``group`` is set only for eligible cadres.
    """
    base_result = evaluate(base, facts) if base is not None else Evaluation(True, ())
    reasons = list(base_result.reasons)
    if not groups:
        return Eligibility(base_result.ok, None, tuple(reasons))
    results = [(name, evaluate(rule, facts)) for name, rule in groups]
    for name, result in results:
        if result.ok:
            reasons += [_in_group(name, reason) for reason in result.reasons]
            return Eligibility(base_result.ok, name if base_result.ok else None, tuple(reasons))
    reasons.append(Reason(False, f"不符合任何分组：{'、'.join(name for name, _ in groups)}"))
    for name, result in results:
        reasons += [_in_group(name, reason) for reason in result.reasons if not reason.ok]
    return Eligibility(False, None, tuple(reasons))


def _in_group(name: str, reason: Reason) -> Reason:
    return Reason(reason.ok, f"【{name}】{reason.text}", reason.fact)


_SYMBOLS = {"eq": "=", "ne": "≠", "lt": "<", "lte": "≤", "gt": ">", "gte": "≥"}
_ORDERED_WORDS = {"lt": "低于 {}", "lte": "{}及以下", "gt": "高于 {}", "gte": "{}及以上"}


def describe(rule: Rule) -> str:
    """A one-line Chinese summary, e.g. ``单位层级 为 市 且 职务层次 为 副科、正科 且 年龄 ≤ 35 岁``."""
    if isinstance(rule, AllOf | AnyOf):
        inner, joiner = (AnyOf, " 且 ") if isinstance(rule, AllOf) else (AllOf, " 或 ")
        return joiner.join(
            f"（{describe(child)}）" if isinstance(child, inner) and len(child.children) > 1 else describe(child)
            for child in rule.children
        )
    if isinstance(rule, Not):
        if isinstance(rule.child, HasExperience):
            return f"无 {_experience_requirement(rule.child)}"
        return f"不满足（{describe(rule.child)}）"
    if isinstance(rule, HasExperience):
        return f"有 {_experience_requirement(rule)}"
    if not isinstance(rule, Condition):
        raise TypeError(rule)
    spec, op, value = FACTS[rule.fact], rule.op, rule.value
    if op in ("in", "not_in"):
        return f"{spec.label} {'为' if op == 'in' else '不为'} {_listing(spec, value)}"  # type: ignore[arg-type]
    if op == "between":
        return f"{spec.label} {_span(spec, value)}"  # type: ignore[arg-type]
    if op in ("contains", "contains_any"):
        tail = f"{'、'.join(value)} 之一" if op == "contains_any" else value  # type: ignore[arg-type]
        return f"{spec.label} 含 {tail}"
    if spec.kind == "number":
        return f"{spec.label} {_SYMBOLS[op]} {spec.show(value)}"
    if spec.kind == "ordered_choice" and op in _ORDERED_WORDS:
        return f"{spec.label} {_ORDERED_WORDS[op].format(spec.choice_label(value))}"
    return f"{spec.label} {'不为' if op == 'ne' else '为'} {spec.show(value)}"
