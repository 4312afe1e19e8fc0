"""The controlled vocabularies of the domain (codes in English, labels in Chinese).

The codes are what the database, the API and the rules engine store; the labels are
what users read and type (the roster workbook uses the labels). Ordered ladders keep
their order here because rules compare positions ("正科 or above").
"""

from __future__ import annotations

from enum import StrEnum


class Vocab(StrEnum):
    """A StrEnum whose members carry a Chinese label (``LABELS`` on the class)."""

    @property
    def label(self) -> str:
        return type(self).labels()[self.value]

    @classmethod
    def labels(cls) -> dict[str, str]:
        return cls._labels  # type: ignore[attr-defined]

    @classmethod
    def from_label(cls, label: str) -> Vocab:
        """Find a member by its Chinese label or its code; KeyError when unknown."""
        text = label.strip()
        for value, lab in cls.labels().items():
            if text in (lab, value):
                return cls(value)
        for value, aliases in getattr(cls, "_aliases", {}).items():
            if text in aliases:
                return cls(value)
        raise KeyError(text)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return list(cls.labels().items())

    def rank(self) -> int:
        """Position in declaration order (meaningful for ladders)."""
        return list(type(self)).index(self)


def _label(cls: type[Vocab], mapping: dict[str, str], aliases: dict[str, tuple[str, ...]] | None = None) -> None:
    cls._labels = mapping  # type: ignore[attr-defined]
    cls._aliases = aliases or {}  # type: ignore[attr-defined]
    assert set(mapping) == {m.value for m in cls}, cls


class UnitLevel(Vocab):
    CITY = "city"
    COUNTY = "county"
    TOWN = "town"
    VILLAGE = "village"


_label(
    UnitLevel,
    {"city": "市", "county": "区县", "town": "镇街", "village": "村社区"},
    {
        "city": ("市级", "市直"),
        "county": ("区", "县", "县区", "区/县"),
        "town": ("镇", "乡", "街道", "乡镇"),
        "village": ("村", "社区"),
    },
)

#: Units at these levels are grassroots (基层): 区县 and below.
GRASSROOTS_LEVELS = frozenset({UnitLevel.COUNTY, UnitLevel.TOWN, UnitLevel.VILLAGE})
#: Units at these levels count as rural work experience (乡村工作经历): 镇街 and 村社区.
RURAL_LEVELS = frozenset({UnitLevel.TOWN, UnitLevel.VILLAGE})


class UnitKind(Vocab):
    PARTY_GOV = "party_gov"
    INSTITUTION = "institution"
    SOE = "soe"
    MASS_ORG = "mass_org"
    OTHER = "other"


_label(
    UnitKind,
    {"party_gov": "党政机关", "institution": "事业单位", "soe": "国有企业", "mass_org": "群团组织", "other": "其他"},
)


class PostCategory(Vocab):
    LEADERSHIP = "leadership"
    GENERAL = "general"
    TECHNICAL = "technical"
    ENFORCEMENT = "enforcement"
    OTHER = "other"


_label(
    PostCategory,
    {
        "leadership": "党政领导",
        "general": "综合管理",
        "technical": "专业技术",
        "enforcement": "行政执法",
        "other": "其他",
    },
)


class LeadershipLevel(Vocab):
    """职务层次, lowest first."""

    CLERK = "clerk"
    STAFF = "staff"
    DEPUTY_SECTION = "deputy_section"
    SECTION = "section"
    DEPUTY_DIVISION = "deputy_division"
    DIVISION = "division"
    DEPUTY_BUREAU = "deputy_bureau"
    BUREAU = "bureau"


_label(
    LeadershipLevel,
    {
        "clerk": "办事员",
        "staff": "科员",
        "deputy_section": "副科",
        "section": "正科",
        "deputy_division": "副处",
        "division": "正处",
        "deputy_bureau": "副厅",
        "bureau": "正厅",
    },
    {
        "staff": ("科员级",),
        "deputy_section": ("副科级", "乡科级副职"),
        "section": ("正科级", "乡科级正职"),
        "deputy_division": ("副处级", "县处级副职"),
        "division": ("正处级", "县处级正职"),
        "deputy_bureau": ("副厅级", "厅局级副职"),
        "bureau": ("正厅级", "厅局级正职"),
    },
)


class Rank(Vocab):
    """职级 (the parallel rank ladder), lowest first."""

    CLERK_2 = "clerk_2"
    CLERK_1 = "clerk_1"
    PRINCIPAL_4 = "principal_4"
    PRINCIPAL_3 = "principal_3"
    PRINCIPAL_2 = "principal_2"
    PRINCIPAL_1 = "principal_1"
    RESEARCHER_4 = "researcher_4"
    RESEARCHER_3 = "researcher_3"
    RESEARCHER_2 = "researcher_2"
    RESEARCHER_1 = "researcher_1"
    INSPECTOR_2 = "inspector_2"
    INSPECTOR_1 = "inspector_1"


_label(
    Rank,
    {
        "clerk_2": "二级科员",
        "clerk_1": "一级科员",
        "principal_4": "四级主任科员",
        "principal_3": "三级主任科员",
        "principal_2": "二级主任科员",
        "principal_1": "一级主任科员",
        "researcher_4": "四级调研员",
        "researcher_3": "三级调研员",
        "researcher_2": "二级调研员",
        "researcher_1": "一级调研员",
        "inspector_2": "二级巡视员",
        "inspector_1": "一级巡视员",
    },
)


class Gender(Vocab):
    MALE = "male"
    FEMALE = "female"


_label(Gender, {"male": "男", "female": "女"})


class Hukou(Vocab):
    LOCAL = "local"
    NONLOCAL = "nonlocal"


_label(Hukou, {"local": "本地", "nonlocal": "外地"}, {"nonlocal": ("非本地", "外地户籍")})


class PoliticalStatus(Vocab):
    CPC = "cpc"
    PROBATIONARY = "probationary"
    DEMOCRATIC = "democratic"
    INDEPENDENT = "independent"
    MASSES = "masses"


_label(
    PoliticalStatus,
    {
        "cpc": "中共党员",
        "probationary": "预备党员",
        "democratic": "民主党派",
        "independent": "无党派",
        "masses": "群众",
    },
    {"cpc": ("党员", "中国共产党党员"), "probationary": ("中共预备党员",), "independent": ("无党派人士",)},
)

#: Party members; everyone else counts as non-party (非中共党员) in statistics.
PARTY_STATUSES = frozenset({PoliticalStatus.CPC, PoliticalStatus.PROBATIONARY})


class Education(Vocab):
    """学历, highest first."""

    DOCTORATE = "doctorate"
    MASTER = "master"
    BACHELOR = "bachelor"
    COLLEGE = "college"
    SECONDARY = "secondary"
    HIGH_SCHOOL = "high_school"


_label(
    Education,
    {
        "doctorate": "博士研究生",
        "master": "硕士研究生",
        "bachelor": "大学本科",
        "college": "大学专科",
        "secondary": "中专",
        "high_school": "高中及以下",
    },
    {
        "doctorate": ("博士", "研究生(博士)", "研究生（博士）"),
        "master": ("硕士", "研究生", "研究生(硕士)", "研究生（硕士）"),
        "bachelor": ("本科", "大学"),
        "college": ("专科", "大专"),
        "high_school": ("高中", "初中", "初中及以下"),
    },
)


class Degree(Vocab):
    DOCTOR = "doctor"
    MASTER = "master"
    BACHELOR = "bachelor"
    NONE = "none"


_label(
    Degree,
    {"doctor": "博士", "master": "硕士", "bachelor": "学士", "none": "无"},
    {"doctor": ("博士学位",), "master": ("硕士学位",), "bachelor": ("学士学位",)},
)


class Source(Vocab):
    """干部来源."""

    SELECTED_GRADUATE = "selected_graduate"
    RECRUITED_TALENT = "recruited_talent"
    CIVIL_EXAM = "civil_exam"
    INSTITUTION_HIRE = "institution_hire"
    MILITARY = "military"
    OTHER = "other"


_label(
    Source,
    {
        "selected_graduate": "选调生",
        "recruited_talent": "引进生",
        "civil_exam": "公务员招录",
        "institution_hire": "事业单位招聘",
        "military": "军转",
        "other": "其他",
    },
    {"civil_exam": ("考录", "公务员考录"), "military": ("军队转业", "军转干部"), "recruited_talent": ("引进人才",)},
)


class CadreStatus(Vocab):
    ACTIVE = "active"
    TRANSFERRED = "transferred"
    RETIRED = "retired"


_label(CadreStatus, {"active": "在职", "transferred": "调出", "retired": "退休"})


class ExperienceKind(Vocab):
    POSTING = "posting"
    SECONDMENT = "secondment"
    LOAN = "loan"
    ROTATION = "rotation"
    PRACTICE = "practice"
    SHADOWING = "shadowing"
    STUDY = "study"


_label(
    ExperienceKind,
    {
        "posting": "任职",
        "secondment": "挂职",
        "loan": "借调",
        "rotation": "交流",
        "practice": "实践",
        "shadowing": "跟岗",
        "study": "学习",
    },
)
