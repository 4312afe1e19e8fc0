"""Scores from facts, and the avoidance rules (任职回避) that remove pairs, for one candidate–slot pair.

Pure functions over small frozen dataclasses (no database access here): :mod:`.problem` loads the facts of a
batch in bulk and calls :func:`evaluate_pair` for every candidate–slot pair. Each score is a sum of *parts*
(weight × how well the fact fits), and each part carries a sentence saying why, so the plan can explain
every pair it chose. The reasons are stored with the plan when it is solved (like eligibility reasons), so
they are plain Chinese text here rather than translatable strings.

The parts and their facts:

- 基础分 (``base``): the same for every allowed pair; it only keeps totals readable (60–100 rather than 0–40).
- 专业相符 (``specialty``): the cadre's 专业特长 against what the host slot asks for (the slot's tags and its
  unit's tags): the full weight when at least one of them matches.
- 近年考核 (``assessment``): the annual grades of the last three years (优秀 1, 称职 0.6, 基本称职 0.2,
  不称职 0, averaged): the assessment records (考核) when the assessments app has them, otherwise the
  任免审批表's 年度考核结果 text; without either 0 (暂无考核数据).
- 培训班排名 (``ranking``): the cadre's latest closed training class (the training app's 练兵场、赛马场 ranking):
  weight × rank share (1 for the first of the class, 0 for the last, ``domain.training.rank_share``); without a
  ranking 0 with a note.
- 本人志愿与接收单位需求 (``wishes``): no data yet (wishes are not recorded in the system), so 0 with a note; the
  weight is kept so plans show what will count.
- 到籍贯所在区县 (``home_county``): the weight when the host unit lies in the cadre's native county (籍贯);
  negative weights steer cadres away from home (墩苗: toughen up somewhere new), positive ones towards it.

Avoidance rules (the pair is removed, with the reason):

- never to the cadre's own unit or a unit below it (派回本单位);
- no township party/government head post (乡镇党政正职) in the cadre's native county;
- never to a unit where a listed family member works (亲属在该单位工作).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

#: The parts of a score, in display order, with their labels.
WEIGHT_LABELS: dict[str, str] = {
    "base": "基础分",
    "specialty": "专业相符",
    "assessment": "近年考核",
    "ranking": "培训班排名",
    "wishes": "本人志愿与接收单位需求",
    "home_county": "到籍贯所在区县",
}
WEIGHT_KEYS = tuple(WEIGHT_LABELS)
#: Programme kinds whose cadres go somewhere to be toughened (墩苗, 挂职, 交流): home is avoided by default.
AWAY_FROM_HOME_KINDS = frozenset({"posting", "secondment", "two_way", "rotation"})
MAX_WEIGHT = 1000

GRADE_VALUES = {"优秀": 1.0, "称职": 0.6, "基本称职": 0.2, "不称职": 0.0}
_GRADE_RE = re.compile(r"(\d{4})\s*年?度?\s*(?:年度考核)?(?:考核)?(?:结果)?(?:为|：|:)?\s*(基本称职|不称职|优秀|称职)")
#: Titles of township party/government heads, for a slot without a post record (a deputy is never one).
_HEAD_WORDS = ("党委书记", "镇长", "乡长", "党工委书记", "办事处主任")
_NOT_HEAD_WORDS = ("副", "助理", "委员")


def default_weights(kind: str) -> dict[str, float]:
    """The starting weights for a programme of ``kind``; officers change them per plan on the page."""
    return {
        "base": 60,
        "specialty": 30,
        "assessment": 20,
        "ranking": 10,
        "wishes": 10,
        "home_county": -10 if kind in AWAY_FROM_HOME_KINDS else 5,
    }


def clean_weights(data: Mapping[str, object] | None, kind: str) -> dict[str, float]:
    """``data`` completed with the defaults of ``kind``; raises ``ValueError`` naming a bad weight."""
    weights = default_weights(kind)
    for key, value in (data or {}).items():
        if key not in WEIGHT_LABELS:
            raise ValueError(f"未知的评分项“{key}”（可用：{'、'.join(WEIGHT_KEYS)}）")
        if isinstance(value, bool) or not isinstance(value, int | float) or not -MAX_WEIGHT <= value <= MAX_WEIGHT:
            label = WEIGHT_LABELS[key]
            raise ValueError(f"“{label}”的权重应为 -{MAX_WEIGHT} 到 {MAX_WEIGHT} 之间的数，而不是 {value!r}")
        weights[key] = int(value) if float(value).is_integer() else float(value)
    return weights


def parse_grades(text: str) -> tuple[tuple[int, str], ...]:
    """(year, grade) from a 年度考核结果 text such as ``2022年度优秀；2023年度称职``, sorted by year."""
    found: dict[int, str] = {}
    for year, grade in _GRADE_RE.findall(text or ""):
        found[int(year)] = grade
    return tuple(sorted(found.items()))


def is_head_title(title: str) -> bool:
    """A township head's title (党委书记, 镇长 …) — not a deputy's (副镇长) nor an assistant's (镇长助理)."""
    text = title or ""
    return any(word in text for word in _HEAD_WORDS) and not any(word in text for word in _NOT_HEAD_WORDS)


@dataclass(frozen=True)
class District:
    """A district or county of the city, with the words a 籍贯 text may use for it."""

    pk: int
    name: str
    short_name: str = ""

    def words(self) -> tuple[str, ...]:
        found = [self.name]
        if len(self.short_name) >= 2:
            found.append(self.short_name)
        stem = self.name[:-1] if self.name[-1:] in ("县", "区", "市") else ""
        if len(stem) >= 2:
            found.append(stem)
        return tuple(dict.fromkeys(found))


def home_counties(
    native_place: str, id_area: str, districts: Iterable[District], area_codes: Mapping[str, str]
) -> dict[int, str]:
    """District id → why it is the cadre's native county (籍贯所在县).

    Two approximations, documented in docs/matching.md: the 籍贯 text contains the district's name, short name
    or the name without 县/区 (``福建南岭`` → 南岭县); or the ID number's 6-digit area code is listed for that
    district in ``MIAOPU_AREA_CODES`` (the code → district name table of the city, a setting).
    """
    found: dict[int, str] = {}
    native = native_place or ""
    by_name = {d.name: d for d in districts}
    for district in by_name.values():
        word = next((w for w in district.words() if w in native), None)
        if word:
            found[district.pk] = f"籍贯“{native}”"
    named = area_codes.get(id_area or "")
    if named and named in by_name and by_name[named].pk not in found:
        found[by_name[named].pk] = "身份证号码的地区码"
    return found


@dataclass(frozen=True)
class CadreFacts:
    key: str
    name: str
    unit_name: str
    unit_path: str
    side: str = ""
    group: str = ""
    specialties: tuple[str, ...] = ()
    #: district id → why it is the native county
    home: Mapping[int, str] = field(default_factory=dict)
    native_place: str = ""
    #: (relation, work) of each listed family member
    relatives: tuple[tuple[str, str], ...] = ()
    grades: tuple[tuple[int, str], ...] = ()
    #: where the grades come from, for the reason (考核记录 or 任免审批表)
    grades_source: str = ""
    #: (rank share 0–1, words) of the latest training-class ranking, None without one
    ranking: tuple[float, str] | None = None


@dataclass(frozen=True)
class SlotFacts:
    key: str
    unit_name: str
    unit_path: str
    title: str = ""
    district_id: int | None = None
    district_name: str = ""
    tags: tuple[str, ...] = ()
    township_head: bool = False
    #: the texts that name the unit in a family member's 工作单位 (name, unique short forms)
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.unit_name}{self.title}"


@dataclass(frozen=True)
class PairScore:
    """A pair's verdict: ``removed`` (avoidance reasons; the pair is not allowed) or the score with its parts."""

    removed: tuple[str, ...] = ()
    parts: dict[str, float] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()

    @property
    def score(self) -> float:
        return round(sum(self.parts.values()), 2)


def _points(weight: float, share: float) -> float:
    return round(weight * share, 2)


def _signed(points: float) -> str:
    text = f"{points:g}"
    return text if points < 0 else f"+{text}"


def avoidance(cadre: CadreFacts, slot: SlotFacts) -> list[str]:
    """Why the cadre may not go to the slot at all (任职回避); empty when nothing forbids it."""
    found = []
    if slot.unit_path and cadre.unit_path and slot.unit_path.startswith(cadre.unit_path):
        where = "本人所在单位" if slot.unit_path == cadre.unit_path else f"本人所在单位“{cadre.unit_name}”的下级单位"
        found.append(f"回避：“{slot.unit_name}”是{where}，不能派回本单位")
    if slot.township_head and slot.district_id is not None and slot.district_id in cadre.home:
        found.append(
            f"回避：乡镇党政正职不得在籍贯所在县任职（“{slot.label}”在{slot.district_name}，"
            f"按{cadre.home[slot.district_id]}）"
        )
    for relation, work in cadre.relatives:
        alias = next((a for a in slot.aliases if a and a in work), None)
        if alias:
            found.append(f"回避：亲属（{relation or '家庭成员'}）在“{slot.unit_name}”工作（工作单位及职务：{work}）")
            break
    return found


def assessment_share(grades: tuple[tuple[int, str], ...], year: int, source: str = "") -> tuple[float | None, str]:
    """The average grade value of the last three years up to ``year`` and the words for it (None: no data)."""
    recent = [(y, g) for y, g in grades if year - 3 <= y <= year and g in GRADE_VALUES][-3:]
    if not recent:
        return None, "暂无考核数据"
    share = sum(GRADE_VALUES[g] for _y, g in recent) / len(recent)
    listed = "、".join(f"{y} 年{g}" for y, g in recent)
    where = f"（{source}）" if source else ""
    return share, f"近年年度考核{where}：{listed}（折合 {share:.2f}）"


def evaluate_pair(cadre: CadreFacts, slot: SlotFacts, weights: Mapping[str, float], year: int) -> PairScore:
    """The score of sending ``cadre`` to ``slot`` as parts with reasons, or the avoidance reasons removing it."""
    removed = avoidance(cadre, slot)
    if removed:
        return PairScore(removed=tuple(removed))
    parts: dict[str, float] = {}
    reasons: list[str] = []

    parts["base"] = _points(weights["base"], 1)
    reasons.append(f"基础分：{parts['base']:g}")

    wanted = tuple(dict.fromkeys(slot.tags))
    matched = [s for s in cadre.specialties if s in wanted]
    parts["specialty"] = _points(weights["specialty"], 1) if matched else 0.0
    if matched:
        reasons.append(f"专业特长“{'、'.join(matched)}”与岗位需要相符：{_signed(parts['specialty'])}")
    elif not cadre.specialties:
        reasons.append("本人未填写专业特长：0")
    elif not wanted:
        reasons.append("接收岗位未注明需要的专业：0")
    else:
        reasons.append(f"专业特长（{'、'.join(cadre.specialties)}）与岗位需要（{'、'.join(wanted)}）不符：0")

    share, words = assessment_share(cadre.grades, year, cadre.grades_source)
    parts["assessment"] = _points(weights["assessment"], share) if share is not None else 0.0
    reasons.append(f"{words}：{_signed(parts['assessment']) if share is not None else '0'}")

    if cadre.ranking is not None:
        ranking_share, ranking_words = cadre.ranking
        parts["ranking"] = _points(weights["ranking"], ranking_share)
        reasons.append(f"培训班排名：{ranking_words}（折合 {ranking_share:.2f}）：{_signed(parts['ranking'])}")
    else:
        parts["ranking"] = 0.0
        reasons.append("培训班排名：暂无数据（未参加已结业排名的培训班），0")
    parts["wishes"] = 0.0
    reasons.append("本人志愿与接收单位需求：暂未登记，0")

    if not cadre.home:
        parts["home_county"] = 0.0
        if cadre.native_place:
            reasons.append(f"籍贯（{cadre.native_place}）不在本市各区县，不计离家远近：0")
        else:
            reasons.append("未填写籍贯，不计离家远近：0")
    elif slot.district_id is not None and slot.district_id in cadre.home:
        parts["home_county"] = _points(weights["home_county"], 1)
        leaning = "本项目倾向到籍贯以外历练" if weights["home_county"] < 0 else "本项目倾向就近安排"
        reasons.append(f"接收单位在籍贯所在的{slot.district_name}（{leaning}）：{_signed(parts['home_county'])}")
    else:
        parts["home_county"] = 0.0
        reasons.append("接收单位不在籍贯所在区县：0")
    return PairScore(parts=parts, reasons=tuple(reasons))
