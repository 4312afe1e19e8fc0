"""A programme template's rules as data: parse, check and normalise them, with errors users can act on.

A template version stores one *spec* (a dict): the eligibility rule, groups (tracks, grades, stages),
host-unit constraints, term, stages with themes, mentor roles, assessment schedule, quotas, completion
effects, the rotation cycle and the coverage target. Organisation-department staff write it in YAML with
Chinese labels (``unit_levels: [镇街]``, ``grade: 优秀``); :func:`parse_spec` checks it once and
returns a :class:`ProgrammeSpec` whose :meth:`ProgrammeSpec.to_data` is the normalised form (codes) that
is stored. Every mistake raises :class:`SpecError` naming the place (``groups[1].rule all[0]``) and the fix.

No Django here (like ``miaopu.domain``): the parser is used by migrations, services, the CLI and tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import yaml

from miaopu.domain.dates import add_months, full_months
from miaopu.domain.rules import Eligibility, Rule, RuleError, classify, parse_rule, to_data
from miaopu.domain.vocab import ExperienceKind, UnitLevel

__all__ = [
    "ASSESSMENT_KINDS",
    "EFFECTS",
    "GRADES",
    "MENTOR_ROLES",
    "PROGRAMME_KINDS",
    "TERM_UNITS",
    "GroupSpec",
    "HostSpec",
    "ProgrammeSpec",
    "SpecError",
    "StageSpec",
    "TermSpec",
    "dump_yaml",
    "load_yaml",
    "parse_document",
    "parse_spec",
]

#: code → Chinese label. The codes are stored; users may type either.
PROGRAMME_KINDS = {
    "posting": "任职",
    "secondment": "挂职",
    "two_way": "双向挂职",
    "rotation": "交流任职",
    "practice": "实践锻炼",
    "shadowing": "跟岗研修",
    "cultivation": "培养计划",
    "training": "培训",
}
TERM_UNITS = {"days": "天", "months": "个月"}
ASSESSMENT_KINDS = {"regular": "平时考核", "annual": "年度考核", "term_end": "期满考核", "separate": "单列考核"}
GRADES = {"excellent": "优秀", "competent": "称职", "basic": "基本称职", "incompetent": "不称职"}
EFFECTS = {"reserve_pool": "纳入后备干部库"}
#: The mentoring app's roles (``MentorRole``); a test keeps the two in step.
MENTOR_ROLES = {"political": "政治导师", "business": "业务导师", "mass_work": "群众工作导师", "shadowing": "跟岗导师"}
SIDES = {"A": "A 方", "B": "B 方"}

#: Other words users write for the same codes.
_ALIASES = {
    "term_unit": {"天": "days", "日": "days", "月": "months", "个月": "months"},
    "assessment": {"平时": "regular", "年度": "annual", "期满": "term_end", "期满考察": "term_end", "单列": "separate"},
    "effect": {"后备干部库": "reserve_pool", "后备库": "reserve_pool"},
    "side": {"甲": "A", "乙": "B", "a": "A", "b": "B"},
}

SPEC_KEYS = (
    "eligibility", "groups", "host", "term", "stages", "mentor_roles", "assessments", "quotas", "completion",
    "cycle_years", "coverage_target", "mirrored_pairs", "experience_kind",
)  # fmt: skip
DOCUMENT_KEYS = ("code", "name", "kind", "seed", "description", "rules")
_GROUP_KEYS = ("name", "rule", "theme", "side", "host")
_HOST_KEYS = ("unit_levels", "tags_any")
_TERM_KEYS = ("min", "max", "unit")
_STAGE_KEYS = ("name", "theme", "from_month", "to_month")
_QUOTA_KEYS = ("total", "regions")
_COMPLETION_KEYS = ("grade", "effect")


class SpecError(ValueError):
    """A template that cannot be used; ``str(error)`` is the whole Chinese message, ``path`` where it is."""

    def __init__(self, message: str, path: str = "") -> None:
        self.path = path
        self.detail = message
        super().__init__(f"{path}：{message}" if path else message)


# ---------------------------------------------------------------- parsed form


@dataclass(frozen=True)
class HostSpec:
    """Which host units fit: unit level one of ``unit_levels`` and (if given) a tag among ``tags_any``."""

    unit_levels: tuple[str, ...] = ()
    tags_any: tuple[str, ...] = ()

    def problems(self, level: str, tags: Sequence[str]) -> list[str]:
        """Why a unit of ``level`` tagged ``tags`` is not a fitting host (empty when it is)."""
        found = []
        if self.unit_levels and level not in self.unit_levels:
            wanted = "、".join(UnitLevel(v).label for v in self.unit_levels)
            shown = UnitLevel(level).label if level in UnitLevel.labels() else (level or "未填写")
            found.append(f"单位层级为 {shown}，应为 {wanted}")
        if self.tags_any and not set(tags) & set(self.tags_any):
            found.append(f"标签为 {'、'.join(tags) or '无'}，应含 {'、'.join(self.tags_any)} 之一")
        return found

    def describe(self) -> str:
        parts = []
        if self.unit_levels:
            parts.append("单位层级 " + "、".join(UnitLevel(v).label for v in self.unit_levels))
        if self.tags_any:
            parts.append("标签含 " + "、".join(self.tags_any) + " 之一")
        return "；".join(parts) or "不限"


@dataclass(frozen=True)
class GroupSpec:
    name: str
    rule: Rule
    theme: str = ""
    side: str = ""
    host: HostSpec | None = None


@dataclass(frozen=True)
class TermSpec:
    min: int | None
    max: int | None
    unit: str = "months"

    def describe(self) -> str:
        unit = TERM_UNITS[self.unit]
        if self.min is not None and self.min == self.max:
            return f"{self.min} {unit}"
        if self.min is not None and self.max is not None:
            return f"{self.min}—{self.max} {unit}"
        if self.min is not None:
            return f"不少于 {self.min} {unit}"
        return f"不超过 {self.max} {unit}"

    def add(self, start: dt.date, amount: int) -> dt.date:
        return add_months(start, amount) if self.unit == "months" else start + dt.timedelta(days=amount)


@dataclass(frozen=True)
class StageSpec:
    """A stage by full months since civil-service entry, ``from_month``–``to_month`` inclusive."""

    name: str
    theme: str
    from_month: int
    to_month: int


@dataclass(frozen=True)
class ProgrammeSpec:
    eligibility: Rule | None = None
    groups: tuple[GroupSpec, ...] = ()
    host: HostSpec | None = None
    term: TermSpec | None = None
    stages: tuple[StageSpec, ...] = ()
    mentor_roles: tuple[str, ...] = ()
    assessments: tuple[str, ...] = ()
    quota_total: int | None = None
    quota_regions: tuple[tuple[str, int], ...] = ()
    completion: tuple[tuple[str, str], ...] = ()
    cycle_years: int | None = None
    coverage_target: int | None = None
    mirrored_pairs: bool = False
    experience_kind: str | None = None

    # -- eligibility

    def classify(self, facts: Mapping[str, object]) -> Eligibility:
        return classify(self.eligibility, [(g.name, g.rule) for g in self.groups], facts)

    def group(self, name: str) -> GroupSpec | None:
        return next((g for g in self.groups if g.name == name), None)

    def side_of(self, group: str | None) -> str:
        found = self.group(group) if group else None
        return found.side if found else ""

    def side_names(self) -> dict[str, str]:
        """``{"A": "市直", "B": "基层"}``: the group that makes up each side of a mirrored exchange."""
        return {g.side: g.name for g in self.groups if g.side}

    # -- hosts, terms, stages

    @property
    def has_hosts(self) -> bool:
        """Whether cadres go to host units (slots and assignment) or stay where they are (a cohort)."""
        return self.host is not None or any(g.host is not None for g in self.groups)

    def host_for(self, group: str | None) -> HostSpec | None:
        found = self.group(group) if group else None
        if found is not None and found.host is not None:
            return found.host
        return self.host

    def host_for_side(self, side: str) -> HostSpec | None:
        found = next((g for g in self.groups if side and g.side == side), None)
        return found.host if found is not None and found.host is not None else self.host

    def planned_end(self, start: dt.date) -> dt.date | None:
        """The end of a term starting on ``start`` (the longest allowed; ``None`` when the term is open)."""
        if self.term is None:
            return None
        amount = self.term.max if self.term.max is not None else self.term.min
        return None if amount is None else self.term.add(start, amount)

    def term_too_short(self, start: dt.date, end: dt.date) -> bool:
        if self.term is None or self.term.min is None:
            return False
        return end < self.term.add(start, self.term.min)

    def stage_at(self, entry: dt.date | None, on: dt.date) -> StageSpec | None:
        if entry is None or not self.stages:
            return None
        months = full_months(entry, on)
        return next((s for s in self.stages if s.from_month <= months <= s.to_month), None)

    def effects_for(self, grade: str) -> list[str]:
        return [effect for g, effect in self.completion if g == grade]

    # -- storage

    def to_data(self) -> dict[str, Any]:
        def host(h: HostSpec | None) -> dict | None:
            return None if h is None else {"unit_levels": list(h.unit_levels), "tags_any": list(h.tags_any)}

        return {
            "eligibility": None if self.eligibility is None else to_data(self.eligibility),
            "groups": [
                {"name": g.name, "rule": to_data(g.rule), "theme": g.theme, "side": g.side, "host": host(g.host)}
                for g in self.groups
            ],
            "host": host(self.host),
            "term": None if self.term is None else {"min": self.term.min, "max": self.term.max, "unit": self.term.unit},
            "stages": [
                {"name": s.name, "theme": s.theme, "from_month": s.from_month, "to_month": s.to_month}
                for s in self.stages
            ],
            "mentor_roles": list(self.mentor_roles),
            "assessments": list(self.assessments),
            "quotas": {"total": self.quota_total, "regions": dict(self.quota_regions)},
            "completion": [{"grade": g, "effect": e} for g, e in self.completion],
            "cycle_years": self.cycle_years,
            "coverage_target": self.coverage_target,
            "mirrored_pairs": self.mirrored_pairs,
            "experience_kind": self.experience_kind,
        }


# ---------------------------------------------------------------- parsing


def _fail(path: str, message: str) -> NoReturn:
    raise SpecError(message, path)


def _join(path: str, step: str) -> str:
    if not path:
        return step
    return f"{path}{step}" if step.startswith("[") else f"{path}.{step}"


def _mapping(data: object, path: str, keys: Sequence[str], example: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        _fail(path, f"应为一个对象（键: 值），如 {example}，实为 {data!r}")
    unknown = [str(k) for k in data if k not in keys]
    if unknown:
        _fail(path, f"未知的项 {'、'.join(unknown)}，可用：{'、'.join(keys)}")
    return data


def _list(data: object, path: str) -> list:
    if data is None:
        return []
    if isinstance(data, str):
        return [data]
    if not isinstance(data, list | tuple):
        _fail(path, f"应为列表，如 [甲, 乙]，实为 {data!r}")
    return list(data)


def _text(data: object, path: str, *, required: bool = False) -> str:
    if data is None:
        if required:
            _fail(path, "不能为空")
        return ""
    if not isinstance(data, str | int) or isinstance(data, bool):
        _fail(path, f"应为文字，实为 {data!r}")
    text = str(data).strip()
    if required and not text:
        _fail(path, "不能为空")
    return text


def _int(data: object, path: str, *, minimum: int = 0, allow_none: bool = True) -> int | None:
    if data is None and allow_none:
        return None
    if isinstance(data, bool) or not isinstance(data, int) or data < minimum:
        _fail(path, f"应为不小于 {minimum} 的整数，实为 {data!r}")
    return data


def _code(vocabulary: Mapping[str, str], value: object, path: str, what: str, aliases: str = "") -> str:
    text = _text(value, path, required=True)
    if text in vocabulary:
        return text
    for code, label in vocabulary.items():
        if text == label:
            return code
    alias = _ALIASES.get(aliases, {}).get(text)
    if alias:
        return alias
    _fail(path, f"{what} 没有 “{text}” 这一选项，可选：{'、'.join(vocabulary.values())}")


def _vocab_code(vocabulary: type, value: object, path: str, what: str) -> str:
    text = _text(value, path, required=True)
    try:
        return vocabulary.from_label(text).value
    except KeyError:
        _fail(path, f"{what} 没有 “{text}” 这一选项，可选：{'、'.join(vocabulary.labels().values())}")


def _rule(data: object, path: str) -> Rule:
    try:
        return parse_rule(data, where=path)
    except RuleError as exc:
        raise SpecError(str(exc)) from exc


def _host(data: object, path: str) -> HostSpec | None:
    if data is None:
        return None
    body = _mapping(data, path, _HOST_KEYS, "{unit_levels: [镇街]}")
    levels = tuple(
        _vocab_code(UnitLevel, v, _join(path, f"unit_levels[{i}]"), "单位层级")
        for i, v in enumerate(_list(body.get("unit_levels"), _join(path, "unit_levels")))
    )
    tags = tuple(
        _text(v, _join(path, f"tags_any[{i}]"), required=True)
        for i, v in enumerate(_list(body.get("tags_any"), _join(path, "tags_any")))
    )
    return HostSpec(levels, tags)


def _term(data: object, path: str) -> TermSpec | None:
    if data is None:
        return None
    body = _mapping(data, path, _TERM_KEYS, "{min: 12, unit: 个月}")
    low = _int(body.get("min"), _join(path, "min"), minimum=1)
    high = _int(body.get("max"), _join(path, "max"), minimum=1)
    if low is None and high is None:
        _fail(path, "请至少填写 min（最短）或 max（最长）之一")
    if low is not None and high is not None and low > high:
        _fail(path, f"最短 {low} 大于最长 {high}，请对调")
    unit = _code(TERM_UNITS, body.get("unit", "months"), _join(path, "unit"), "期限单位", "term_unit")
    return TermSpec(low, high, unit)


def _groups(data: object) -> tuple[GroupSpec, ...]:
    groups: list[GroupSpec] = []
    for i, item in enumerate(_list(data, "groups")):
        path = f"groups[{i}]"
        body = _mapping(item, path, _GROUP_KEYS, "{name: 育苗, rule: {fact: civil_service_months, lt: 12}}")
        name = _text(body.get("name"), _join(path, "name"), required=True)
        if any(g.name == name for g in groups):
            _fail(_join(path, "name"), f"分组名称 “{name}” 重复")
        if "rule" not in body:
            _fail(path, f"分组 “{name}” 缺少 rule（该组的条件）")
        rule = _rule(body["rule"], f"分组“{name}”")
        side = _code(SIDES, body["side"], _join(path, "side"), "双向挂职的一方", "side") if body.get("side") else ""
        host = _host(body.get("host"), _join(path, "host"))
        groups.append(GroupSpec(name, rule, _text(body.get("theme"), _join(path, "theme")), side, host))
    return tuple(groups)


def _stages(data: object) -> tuple[StageSpec, ...]:
    stages: list[StageSpec] = []
    for i, item in enumerate(_list(data, "stages")):
        path = f"stages[{i}]"
        body = _mapping(item, path, _STAGE_KEYS, "{name: 育苗, theme: 一年跟着干, from_month: 0, to_month: 11}")
        low = _int(body.get("from_month"), _join(path, "from_month"), allow_none=False)
        high = _int(body.get("to_month"), _join(path, "to_month"), allow_none=False)
        assert low is not None and high is not None
        if low > high:
            _fail(path, f"from_month {low} 大于 to_month {high}，请对调")
        if stages and low <= stages[-1].to_month:
            _fail(path, f"与上一阶段重叠：上一阶段到第 {stages[-1].to_month} 个月，本阶段应从其后开始")
        name = _text(body.get("name"), _join(path, "name"), required=True)
        stages.append(StageSpec(name, _text(body.get("theme"), _join(path, "theme")), low, high))
    return tuple(stages)


def parse_spec(data: object) -> ProgrammeSpec:
    """Check a template version's rules (as typed or as stored) and build the :class:`ProgrammeSpec`."""
    if data is None:
        data = {}
    body = _mapping(data, "", SPEC_KEYS, "{eligibility: {fact: age, lte: 35}}")
    eligibility = None if body.get("eligibility") is None else _rule(body["eligibility"], "eligibility")
    groups = _groups(body.get("groups"))
    mirrored = body.get("mirrored_pairs", False)
    if not isinstance(mirrored, bool):
        _fail("mirrored_pairs", f"应为 true 或 false，实为 {mirrored!r}")
    if mirrored and sorted(g.side for g in groups if g.side) != ["A", "B"]:
        _fail("groups", "双向挂职（mirrored_pairs: true）需要恰好两个分组，分别标明 side: A 与 side: B")
    if not mirrored and any(g.side for g in groups):
        _fail("groups", "只有双向挂职（mirrored_pairs: true）的分组才需要 side")
    quotas = _mapping(body.get("quotas") or {}, "quotas", _QUOTA_KEYS, "{total: 15, regions: {三水区: 7}}")
    regions = quotas.get("regions") or {}
    if not isinstance(regions, Mapping):
        _fail("quotas.regions", f"应为 地区: 名额 的对象，如 {{三水区: 7}}，实为 {regions!r}")
    region_quotas = tuple(
        (_text(k, "quotas.regions", required=True), _int(v, f"quotas.regions.{k}", allow_none=False))
        for k, v in regions.items()
    )
    completion = []
    for i, item in enumerate(_list(body.get("completion"), "completion")):
        path = f"completion[{i}]"
        rule = _mapping(item, path, _COMPLETION_KEYS, "{grade: 优秀, effect: 后备干部库}")
        completion.append(
            (
                _code(GRADES, rule.get("grade"), _join(path, "grade"), "考核等次"),
                _code(EFFECTS, rule.get("effect"), _join(path, "effect"), "期满效果", "effect"),
            )
        )
    coverage = _int(body.get("coverage_target"), "coverage_target")
    if coverage is not None and coverage > 100:
        _fail("coverage_target", f"覆盖率目标是百分数，应在 0—100 之间，实为 {coverage}")
    kind = body.get("experience_kind")
    return ProgrammeSpec(
        eligibility=eligibility,
        groups=groups,
        host=_host(body.get("host"), "host"),
        term=_term(body.get("term"), "term"),
        stages=_stages(body.get("stages")),
        mentor_roles=tuple(
            _code(MENTOR_ROLES, v, f"mentor_roles[{i}]", "导师类型")
            for i, v in enumerate(_list(body.get("mentor_roles"), "mentor_roles"))
        ),
        assessments=tuple(
            _code(ASSESSMENT_KINDS, v, f"assessments[{i}]", "考核方式", "assessment")
            for i, v in enumerate(_list(body.get("assessments"), "assessments"))
        ),
        quota_total=_int(quotas.get("total"), "quotas.total", minimum=1),
        quota_regions=region_quotas,  # type: ignore[arg-type]
        completion=tuple(completion),
        cycle_years=_int(body.get("cycle_years"), "cycle_years", minimum=1),
        coverage_target=coverage,
        mirrored_pairs=mirrored,
        experience_kind=None
        if kind in (None, "")
        else _vocab_code(ExperienceKind, kind, "experience_kind", "履历类型"),
    )


@dataclass(frozen=True)
class TemplateDocument:
    """One shipped or uploaded template file: the template's own fields plus its (versioned) rules."""

    code: str
    name: str
    kind: str
    seed: str
    description: str
    rules: dict[str, Any]
    spec: ProgrammeSpec


def parse_document(data: object) -> TemplateDocument:
    body = _mapping(data, "", DOCUMENT_KEYS, "{code: dunmiao, name: 墩苗, kind: 任职, rules: {…}}")
    code = _text(body.get("code"), "code", required=True)
    if not code.replace("-", "").replace("_", "").isalnum() or not code.isascii() or code != code.lower():
        _fail("code", f"模板代码只能用小写英文字母、数字和连字符，如 two-way，实为 “{code}”")
    spec = parse_spec(body.get("rules"))
    return TemplateDocument(
        code=code,
        name=_text(body.get("name"), "name", required=True),
        kind=_code(PROGRAMME_KINDS, body.get("kind"), "kind", "项目类型"),
        seed=_text(body.get("seed"), "seed"),
        description=_text(body.get("description"), "description"),
        rules=dict(body.get("rules") or {}),
        spec=spec,
    )


# ---------------------------------------------------------------- YAML


def load_yaml(text: str) -> Any:
    """YAML (or JSON, which is YAML) → data; a syntax error names the line and column."""
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark is not None else ""
        raise SpecError(f"YAML 格式错误（{where}）：{exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise SpecError(f"YAML 格式错误：{exc}") from exc


def dump_yaml(data: Any) -> str:
    """Readable YAML: Chinese as is, keys in the order given, small lists and rules on one line."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None, width=110)
