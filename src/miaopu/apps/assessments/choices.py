"""Vocabularies of assessments and reviews (Chinese labels are the msgids)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from miaopu.domain.promotion import Grade

#: 优秀/称职/基本称职/不称职/不定等次 — the codes of ``domain.promotion.Grade`` (shared with programme templates),
#: labels written out as literals so ``makemessages`` finds them.
GRADE_CHOICES = [
    ("excellent", _("优秀")),
    ("competent", _("称职")),
    ("basic", _("基本称职")),
    ("incompetent", _("不称职")),
    ("ungraded", _("不定等次")),
]
assert [code for code, _label in GRADE_CHOICES] == [g.value for g in Grade]


class CycleKind(models.TextChoices):
    REGULAR = "regular", _("平时考核")
    ANNUAL = "annual", _("年度考核")
    TERM_END = "term_end", _("期满考核")
    FRONTLINE = "frontline", _("一线考核")
    SEPARATE = "separate", _("单列考核")
    SPECIAL = "special", _("专项考核")


class Fitness(models.TextChoices):
    """适岗 judgement of a review."""

    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("较差")


class AbilityLevel(models.TextChoices):
    OUTSTANDING = "outstanding", _("突出")
    STRONG = "strong", _("较强")
    ADEQUATE = "adequate", _("一般")
    WEAK = "weak", _("较弱")


class EntrySource(models.TextChoices):
    """How a result was entered (shown in the growth file as its source)."""

    FORM = "form", _("逐人录入")
    GRID = "grid", _("按单位批量录入")
    IMPORT = "import", _("表格导入")
    API = "api", _("接口")
    DEMO = "demo", _("演示数据")


#: The five dimensions 德能勤绩廉: (score field, label).
DIMENSIONS: list[tuple[str, str]] = [
    ("score_morality", _("德")),
    ("score_ability", _("能")),
    ("score_diligence", _("勤")),
    ("score_achievement", _("绩")),
    ("score_integrity", _("廉")),
]
SCORE_FIELDS = [name for name, _label in DIMENSIONS]
