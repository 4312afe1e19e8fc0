"""One cadre as the eligibility engine sees it, and the flat facts rules are written against.

The app layer loads a :class:`CadreProfile` from the database (no Django types inside) and
:func:`facts_as_of` turns it into a plain ``dict`` for a given as-of date. Rules name facts by the keys of
:data:`FACTS`; each :class:`FactSpec` carries the Chinese label and unit used in reasons and error messages,
and, for choices, the vocabulary that translates between codes and labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from miaopu.domain import vocab
from miaopu.domain.experience import CadreFactsInput, compute_facts

__all__ = ["FACTS", "CadreProfile", "FactKind", "FactSpec", "facts_as_of"]

FactKind = Literal["number", "choice", "ordered_choice", "tags", "bool"]


@dataclass(frozen=True)
class FactSpec:
    """What a fact means: Chinese label, unit, kind and (for choices) its vocabulary.

    ``highest_first`` marks ladders declared from the top down (学历): comparisons always mean "higher" in the
    everyday sense, so ``gte 大学本科`` is "大学本科 or higher" whichever way the vocabulary is declared.
    """

    name: str
    label: str
    unit: str = ""
    kind: FactKind = "number"
    vocab: type[vocab.Vocab] | None = None
    highest_first: bool = False
    help: str = ""

    def choice_label(self, code: object) -> str:
        """The Chinese label of a choice code; unknown codes are shown as they are."""
        if self.vocab is not None and isinstance(code, str):
            return self.vocab.labels().get(str(code), str(code))
        return str(code)

    def height(self, code: object) -> int | None:
        """Position on an ordered ladder, larger = higher; ``None`` for a code not on the ladder."""
        if self.vocab is None or not isinstance(code, str) or code not in self.vocab.labels():
            return None
        members = list(self.vocab)
        position = members.index(self.vocab(code))
        return len(members) - 1 - position if self.highest_first else position

    def show(self, value: object) -> str:
        """A fact value as users read it: ``36 岁``, ``副科``, ``乡村振兴、项目建设``, ``是``."""
        if self.kind == "number":
            number = f"{value:g}" if isinstance(value, float) else str(value)
            return f"{number} {self.unit}" if self.unit else number
        if self.kind == "bool":
            return "是" if value else "否"
        if self.kind == "tags":
            tags = value if isinstance(value, tuple | list) else (value,)
            return "、".join(str(tag) for tag in tags) or "无"
        return self.choice_label(value)


def _facts(*specs: FactSpec) -> dict[str, FactSpec]:
    return {spec.name: spec for spec in specs}


#: Every fact a rule may name, in the order the docs and the rule editor list them.
FACTS: dict[str, FactSpec] = _facts(
    FactSpec("age", "年龄", "岁", help="周岁，出生日当天增长一岁"),
    FactSpec("gender", "性别", kind="choice", vocab=vocab.Gender),
    FactSpec("source", "干部来源", kind="choice", vocab=vocab.Source),
    FactSpec("political_status", "政治面貌", kind="choice", vocab=vocab.PoliticalStatus),
    FactSpec(
        "education", "全日制学历", kind="ordered_choice", vocab=vocab.Education, highest_first=True, help="可比较高低"
    ),
    FactSpec("hukou", "户籍", kind="choice", vocab=vocab.Hukou),
    FactSpec("status", "人员状态", kind="choice", vocab=vocab.CadreStatus),
    FactSpec("leadership_level", "职务层次", kind="ordered_choice", vocab=vocab.LeadershipLevel, help="可比较高低"),
    FactSpec("rank", "职级", kind="ordered_choice", vocab=vocab.Rank, help="可比较高低"),
    FactSpec("unit_level", "单位层级", kind="choice", vocab=vocab.UnitLevel, help="现工作单位"),
    FactSpec("unit_kind", "单位性质", kind="choice", vocab=vocab.UnitKind, help="现工作单位"),
    FactSpec("unit_is_remote", "偏远单位", kind="bool", help="现工作单位是否偏远"),
    FactSpec("unit_tags", "单位标签", kind="tags", help="现工作单位的标签，如 乡村振兴"),
    FactSpec("specialties", "专业特长", kind="tags"),
    FactSpec("post_category", "岗位类别", kind="choice", vocab=vocab.PostCategory),
    FactSpec("service_years", "工作年限", "年", help="参加工作以来的整年数"),
    FactSpec("civil_service_months", "公务员工作时间", "个月", help="进入公务员队伍以来的整月数"),
    FactSpec("civil_service_years", "公务员工作年限", "年", help="进入公务员队伍以来的整年数（整月数 ÷ 12 取整）"),
    FactSpec("grassroots_months", "基层工作经历", "个月", help="区县及以下单位，重叠履历只计一次"),
    FactSpec("rural_months", "乡村工作经历", "个月", help="镇街、村社区单位，重叠履历只计一次"),
    FactSpec("months_in_level", "任现职务层次时间", "个月"),
    FactSpec("months_in_rank", "任现职级时间", "个月"),
)


@dataclass(frozen=True, kw_only=True)
class CadreProfile:
    """Everything the engine needs about one cadre, loaded by the app layer (codes, not labels).

    Blank choices are ``""``. ``unit_names`` maps the unit ids of the stints to unit names so that reasons can
    cite a past post ("2015.03—2018.06 东湖区青石镇"); it is optional.
    """

    code: str
    name: str
    birth_date: date
    facts_input: CadreFactsInput
    gender: str = ""
    source: str = ""
    political_status: str = ""
    education: str = ""
    hukou: str = ""
    status: str = vocab.CadreStatus.ACTIVE.value
    leadership_level: str = ""
    rank: str = ""
    unit_id: int | None = None
    unit_level: str = ""
    unit_kind: str = ""
    unit_is_remote: bool = False
    unit_district_id: int | None = None
    unit_tags: tuple[str, ...] = ()
    specialties: tuple[str, ...] = ()
    post_category: str = ""
    native_place: str = ""
    unit_names: tuple[tuple[int, str], ...] = ()

    def __post_init__(self) -> None:
        if self.facts_input.birth_date != self.birth_date:
            raise ValueError(f"{self.code}: birth_date and facts_input.birth_date differ")


def facts_as_of(profile: CadreProfile, as_of: date) -> dict[str, object]:
    """The flat fact dict rules are evaluated against (keys of :data:`FACTS`, plus the raw experience).

    Besides the named facts it carries ``as_of``, ``stints`` (the :class:`~miaopu.domain.experience.Stint`
    tuple, for ``has_experience``) and ``unit_names`` (unit id → name). Unknown values are ``None`` (dates) or
    ``""`` (blank choices); the engine reports both as 未填写.
    """
    computed = compute_facts(profile.facts_input, as_of)
    months = computed.civil_service_months
    return {
        "age": computed.age,
        "gender": profile.gender,
        "source": profile.source,
        "political_status": profile.political_status,
        "education": profile.education,
        "hukou": profile.hukou,
        "status": profile.status,
        "leadership_level": profile.leadership_level,
        "rank": profile.rank,
        "unit_level": profile.unit_level,
        "unit_kind": profile.unit_kind,
        "unit_is_remote": profile.unit_is_remote,
        "unit_tags": tuple(profile.unit_tags),
        "specialties": tuple(profile.specialties),
        "post_category": profile.post_category,
        "service_years": computed.service_years,
        "civil_service_months": months,
        "civil_service_years": None if months is None else months // 12,
        "grassroots_months": computed.grassroots_months,
        "rural_months": computed.rural_months,
        "months_in_level": computed.months_in_level,
        "months_in_rank": computed.months_in_rank,
        "as_of": as_of,
        "stints": tuple(profile.facts_input.stints),
        "unit_names": dict(profile.unit_names),
    }
