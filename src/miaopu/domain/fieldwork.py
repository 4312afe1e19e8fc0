"""Field work rules (no Django): practice-base certification, base capacity, the ledger's states, care contacts.

Practice bases (实践基地, seed 002 宁德): a village is certified on the six criteria "六个好" — a good village
leadership, featured industry, food and lodging, labour base, mentor and safety. Each criterion is scored
0—100 with written evidence. **Rule:** a certification passes when every one of the six criteria is scored
and has evidence, and every score is at least :data:`PASS_SCORE` (60); one failing criterion fails the whole
certification. A certification is in force from ``valid_from`` to ``valid_until`` (both included). On a given
day the *latest* certification assessed on or before that day decides: a later failing re-assessment
withdraws an earlier pass.

Capacity: a base hosts at most ``capacity`` practice cadres at the same time; a new group fits when, on every
day of its period, the cadres already there plus the newcomers stay within the capacity.

Care (关心关爱, seed 001 巴中): a flagged cadre should be contacted (visit, talk, help, counselling) at least
every :data:`CARE_CONTACT_DAYS` (90) days; no contact for longer is 黄, for twice as long (or never) 红.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: The six criteria 六个好, in the seed's order: code → label.
CRITERIA: dict[str, str] = {
    "leadership": "村级班子",
    "industry": "特色产业",
    "lodging": "食宿条件",
    "labour": "劳动基地",
    "mentor": "帮带导师",
    "safety": "安全保障",
}
#: The lowest passing score of one criterion.
PASS_SCORE = 60
MAX_SCORE = 100

#: Care: contact at least every 90 days; red at twice that (or when the cadre was never contacted).
CARE_CONTACT_DAYS = 90
#: Long separation: posted away from the home county (区县) for more than this many days.
SEPARATION_DAYS = 365
#: Tags that make a town or village a remote post (besides its 偏远 checkbox).
REMOTE_TAG_WORDS = ("偏远", "山区")


# ---------------------------------------------------------------- certification


@dataclass(frozen=True)
class CriterionInput:
    score: int | None
    evidence: str


def certification_problems(scores: Mapping[str, CriterionInput]) -> dict[str, list[str]]:
    """What is missing or malformed (per criterion code) before a certification can be recorded at all."""
    problems: dict[str, list[str]] = {}
    for code, label in CRITERIA.items():
        item = scores.get(code)
        found = []
        if item is None or item.score is None:
            found.append(f"请为“{label}”打分（0—{MAX_SCORE}）")
        elif not 0 <= item.score <= MAX_SCORE:
            found.append(f"“{label}”的得分应在 0—{MAX_SCORE} 之间，实为 {item.score}")
        if item is None or not (item.evidence or "").strip():
            found.append(f"请填写“{label}”的评定依据")
        if found:
            problems[code] = found
    unknown = sorted(set(scores) - set(CRITERIA))
    if unknown:
        problems["__all__"] = [f"未知的评定项：{'、'.join(unknown)}"]
    return problems


def criterion_passes(score: int | None) -> bool:
    return score is not None and score >= PASS_SCORE


def certification_verdict(scores: Mapping[str, CriterionInput]) -> tuple[bool, list[str]]:
    """(certified, the failing criteria in words): certified only when all six are scored ≥ 60 with evidence."""
    failing = []
    for code, label in CRITERIA.items():
        item = scores.get(code)
        if item is None or item.score is None or not (item.evidence or "").strip():
            failing.append(f"{label}未评定")
        elif not criterion_passes(item.score):
            failing.append(f"{label} {item.score} 分（低于 {PASS_SCORE} 分）")
    return not failing, failing


@dataclass(frozen=True)
class CertificationRecord:
    assessed_on: dt.date
    valid_from: dt.date
    valid_until: dt.date
    certified: bool
    pk: int = 0


def deciding_certification(records: Iterable[CertificationRecord], day: dt.date) -> CertificationRecord | None:
    """The latest certification assessed on or before ``day`` (ties: the one recorded last)."""
    found = [r for r in records if r.assessed_on <= day]
    if not found:
        return None
    return max(found, key=lambda r: (r.assessed_on, r.pk))


def certified_on(records: Iterable[CertificationRecord], day: dt.date) -> bool:
    record = deciding_certification(records, day)
    return record is not None and record.certified and record.valid_from <= day <= record.valid_until


def certification_gap(records: Iterable[CertificationRecord], start: dt.date, end: dt.date) -> str:
    """Why the base is not certified for the whole period ``start``–``end`` ("" when it is)."""
    records = list(records)
    record = deciding_certification(records, start)
    if record is None:
        return "尚未通过“六个好”认定"
    if not record.certified:
        return f"{record.assessed_on.isoformat()} 的“六个好”评定未通过"
    if not record.valid_from <= start:
        return f"认定自 {record.valid_from.isoformat()} 起有效，晚于开始日期 {start.isoformat()}"
    if record.valid_until < start:
        return f"认定已于 {record.valid_until.isoformat()} 失效"
    if record.valid_until < end:
        # A renewal assessed in time may take over; the later one decides from its assessment date.
        later = [r for r in records if start < r.assessed_on <= end]
        if not later or not all(r.certified and r.valid_until >= end for r in later):
            return f"认定有效期至 {record.valid_until.isoformat()}，早于结束日期 {end.isoformat()}"
    later_fail = [r for r in records if start < r.assessed_on <= end and not r.certified]
    if later_fail:
        return f"{later_fail[0].assessed_on.isoformat()} 的复评未通过"
    return ""


# ---------------------------------------------------------------- capacity


def peak_occupancy(periods: Iterable[tuple[dt.date, dt.date | None]], start: dt.date, end: dt.date) -> int:
    """The most periods (each inclusive; ``None`` = still open) running on one day within ``start``–``end``."""
    events: list[tuple[dt.date, int]] = []
    for a, b in periods:
        b = b or dt.date.max
        lo, hi = max(a, start), min(b, end)
        if lo > hi:
            continue
        events.append((lo, 1))
        if hi < dt.date.max:
            events.append((hi + dt.timedelta(days=1), -1))
    peak = current = 0
    for _day, delta in sorted(events, key=lambda e: (e[0], e[1])):
        current += delta
        peak = max(peak, current)
    return peak


def capacity_problem(capacity: int, occupied: int, adding: int) -> str:
    if occupied + adding <= capacity:
        return ""
    return f"可接待 {capacity} 人，同期已安排 {occupied} 人，再安排 {adding} 人将超出（已满）"


# ---------------------------------------------------------------- practical-affairs ledger

#: Status code → label; ``done`` and ``impossible`` are final.
LEDGER_STATUSES = {"accepted": "受理", "in_progress": "办理中", "done": "已办结", "impossible": "无法办理"}
FINAL_STATUSES = frozenset({"done", "impossible"})
SATISFACTION = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}
SATISFIED = frozenset({"satisfied", "basic"})


def ledger_transition_problems(
    old: str,
    new: str,
    *,
    reason: str = "",
    outcome: str = "",
    closed_on: dt.date | None = None,
    raised_on: dt.date | None = None,
) -> dict[str, list[str]]:
    """Whether a ledger item may move from ``old`` to ``new`` with these details (field → problems)."""
    problems: dict[str, list[str]] = {}
    if new not in LEDGER_STATUSES:
        problems["status"] = [f"状态应为：{'、'.join(LEDGER_STATUSES.values())}"]
        return problems
    if old in FINAL_STATUSES and new != old:
        problems["status"] = [f"该事项已是“{LEDGER_STATUSES[old]}”，不能再改为“{LEDGER_STATUSES[new]}”"]
        return problems
    if old == "in_progress" and new == "accepted":
        problems["status"] = ["办理中的事项不能退回“受理”"]
    if new == "impossible" and not reason.strip():
        problems["status_reason"] = ["标记为“无法办理”须写明原因"]
    if new == "done" and not outcome.strip():
        problems["outcome"] = ["办结须填写办理结果"]
    if new in FINAL_STATUSES:
        if closed_on is None:
            problems["closed_on"] = ["请填写办结日期"]
        elif raised_on is not None and closed_on < raised_on:
            problems["closed_on"] = [f"办结日期不能早于提出日期 {raised_on.isoformat()}"]
    return problems


def satisfaction_rate(counts: Mapping[str, int]) -> tuple[int, int]:
    """(satisfied or basically satisfied, rated) from counts by satisfaction code."""
    rated = sum(n for code, n in counts.items() if code in SATISFACTION)
    good = sum(n for code, n in counts.items() if code in SATISFIED)
    return good, rated


# ---------------------------------------------------------------- care


def care_level(last_contact: dt.date | None, as_of: dt.date, days: int = CARE_CONTACT_DAYS) -> str | None:
    """ "red" / "yellow" / None for a flagged cadre whose last care contact was ``last_contact``.

    None: contacted within ``days`` days (the 90th day still counts). Yellow: the last contact is more than
    ``days`` days old. Red: more than twice ``days``, or never contacted.
    """
    if last_contact is None:
        return "red"
    gap = (as_of - last_contact).days
    if gap <= days:
        return None
    return "red" if gap > 2 * days else "yellow"


def is_remote_tagged(tags: Iterable[str]) -> bool:
    return any(word in tag for tag in tags for word in REMOTE_TAG_WORDS)
