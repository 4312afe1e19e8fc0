"""Adapters to the apps whose data some figures and alerts need, each answering "not available" until it exists.

Analytics reads other apps only through the small functions here, so when an app lands (or changes its
interface) one function changes. A function that cannot get its data raises :class:`NotAvailable` with a
Chinese note; the alert refresh records the kind as 暂不可用 with that note and the dashboard shows it —
no figure is ever made up.

Status when this module was written (see the report of the analytics work and ``docs/statistics.md``):

- ``mentoring_alerts``: wired to ``mentoring.selectors.alerts(user)`` (missing required mentor roles, no
  guidance record for the policy's contact days).
- ``assessment_missing_alerts``: reads the assessments app's annual cycles and grades once that app is
  installed (it was being built: not in INSTALLED_APPS yet) — "not available" until then.
- ``promotion_ready_alerts``: ``growth.readiness.readiness_rows`` (which calls ``domain.promotion.assess``) once
  the growth and assessments apps are installed — "not available" until then.
- ``talent_pool_summary``: the pools app's open entries (talent pool by tier, reserve pool) once it is
  installed — "not available" until then (the reserve pool then comes from the programmes app's records).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from miaopu.apps.core.choices import Role


class NotAvailable(Exception):
    """The data a figure or an alert needs does not exist (yet); ``str(exc)`` says why, in Chinese."""


def system_reader(root=None):
    """An unsaved 组织部 account scoped to the whole tree, used only by the daily alert refresh.

    The refresh is an operator's job with no signed-in user, yet every personnel read goes through the scoped
    selectors; reading "as the whole city" keeps that rule (pages then scope the stored alerts per user).
    It is never saved, so it can neither sign in nor appear anywhere.
    """
    from miaopu.apps.core.models import User
    from miaopu.apps.units.models import Unit

    root = root or Unit.objects.filter(parent__isnull=True).order_by("path").first()
    return User(username="miaopu-alerts", first_name=_("预警刷新"), role=Role.ORGDEPT, scope_unit=root, is_active=True)


def _module(name: str):
    """The module, or None when it (or its package, or its Django app) does not exist yet."""
    parts = name.split(".")
    if parts[:2] == ["miaopu", "apps"] and not apps.is_installed(".".join(parts[:3])):
        return None
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            return None
        raise


@dataclass(frozen=True)
class ForeignAlert:
    """An alert computed by another app, in this app's terms."""

    kind: str
    level: str
    cadre_id: int | None
    reason: str
    owner: str
    link: str
    due: dt.date | None = None


def mentoring_alerts(*, reader, as_of: dt.date) -> list[ForeignAlert]:
    """``mentoring.selectors.alerts``: missing mentor roles (红), overdue contacts (黄; 红 at twice the days)."""
    selectors = _module("miaopu.apps.mentoring.selectors")
    if selectors is None or not hasattr(selectors, "alerts"):
        raise NotAvailable(_("导师帮带应用尚未提供预警接口（mentoring.selectors.alerts）。"))
    try:
        found = selectors.alerts(reader, as_of)
        days = {}
        limit = None
        if hasattr(selectors, "due_contacts") and hasattr(selectors, "policy_for"):
            limit = selectors.policy_for().contact_days
            days = {due.mentorship.pk: due.days for due in selectors.due_contacts(user=reader, today=as_of)}
    except NoReverseMatch as exc:
        raise NotAvailable(_("导师帮带页面尚未接入网址（%(e)s）。") % {"e": exc}) from exc
    converted = []
    for alert in found:
        if alert.kind == "missing_role":
            converted.append(
                ForeignAlert("mentor_missing", "red", alert.cadre_id, alert.reason, alert.owner, alert.link)
            )
        elif alert.kind == "no_contact":
            n = days.get(alert.mentorship_id)
            level = "red" if (limit and n is not None and n >= 2 * limit) else "yellow"
            converted.append(
                ForeignAlert("mentoring_overdue", level, alert.cadre_id, alert.reason, alert.owner, alert.link)
            )
    return converted


def care_contact_alerts(*, reader, as_of: dt.date) -> Iterable[ForeignAlert]:
    """关心关爱: flagged cadres (外地户籍, 偏远岗位, 长期异地) with no care contact in 90 days (fieldwork app)."""
    if not _installed("fieldwork"):
        raise NotAvailable(_("基层实践（fieldwork）应用尚未安装。"))
    from miaopu.apps.fieldwork.alerts import care_contact_alerts as compute

    return [ForeignAlert("care_overdue", a.level, a.cadre_id, a.reason, a.owner, a.link, a.due)
            for a in compute(reader=reader, as_of=as_of)]  # fmt: skip


def _installed(*labels: str) -> bool:
    return all(apps.is_installed(f"miaopu.apps.{label}") for label in labels)


def assessment_missing_alerts(*, reader, as_of: dt.date) -> Iterable[ForeignAlert]:
    """Annual assessment (年度考核) missing after the cycle closes, from the assessments app's annual cycles.

    For every annual cycle of the last two years that has closed — its 考核期结束 date, or, without one,
    31 March of the next year (when ``domain.promotion`` considers a year's grade due) — each active cadre in
    the cycle's unit subtree with no annual grade for that year: 黄 for 30 days after the close, then 红.
    No cycle opened, no alert: the system does not guess which assessments were expected.
    """
    if not _installed("assessments"):
        raise NotAvailable(_("考核应用尚未安装。"))
    from django.db.models import Exists, OuterRef

    from miaopu.apps.assessments.choices import CycleKind
    from miaopu.apps.assessments.models import Assessment
    from miaopu.apps.assessments.selectors import cycle_list
    from miaopu.apps.cadres.selectors import cadre_list
    from miaopu.domain.vocab import CadreStatus

    cycles = (
        cycle_list(user=reader)
        .filter(kind=CycleKind.ANNUAL, year__gte=as_of.year - 2)
        .select_related("scope_unit", "created_by")
        .order_by("-year", "id")
    )
    seen: set[tuple[int, int]] = set()
    found = []
    for cycle in cycles:
        closes = cycle.end or dt.date(cycle.year + 1, 3, 31)
        if closes >= as_of:
            continue
        graded = Exists(Assessment.objects.filter(cadre_id=OuterRef("pk"), kind=CycleKind.ANNUAL, year=cycle.year))
        rows = (
            cadre_list(user=reader)
            .select_related(None)
            .filter(status=CadreStatus.ACTIVE, unit__path__startswith=cycle.scope_unit.path)
            .exclude(graded)
            .order_by("pk")
            .values_list("pk", "name")
        )
        late = (as_of - closes).days
        owner = cycle.created_by.display_name if cycle.created_by_id else str(_("组织部干部科"))
        link = reverse("assessments:cycle_grid", args=[cycle.pk]) if _has_url("assessments:cycle_grid") else ""
        for pk, name in rows:
            if (pk, cycle.year) in seen:
                continue
            seen.add((pk, cycle.year))
            reason = _("%(n)s 没有 %(y)s 年度考核结果（“%(c)s”已于 %(d)s 结束）") % {
                "n": name, "y": cycle.year, "c": cycle.name, "d": closes,
            }  # fmt: skip
            found.append(ForeignAlert("assessment_missing", "red" if late > 30 else "yellow", pk, reason, owner,
                                      link, closes))  # fmt: skip
    return found


def _has_url(name: str) -> bool:
    try:
        reverse(name, args=[1])
    except NoReverseMatch:
        return False
    return True


#: Promotion readiness is computed for young cadres only (the programmes' population), in chunks.
PROMOTION_CHUNK = 20_000


def promotion_ready_alerts(*, reader, as_of: dt.date) -> Iterable[ForeignAlert]:
    """Young cadres who meet a promotion rule today (``domain.promotion`` via ``growth.readiness``), 绿.

    Computed for active cadres up to the young-cadre age (35 by default) — 成熟一个、使用一个 is about the young
    cadres the programmes cultivate — in chunks of 20,000 (the loader's bulk size).
    """
    if not _installed("growth", "assessments"):
        raise NotAvailable(_("晋升条件需要成长档案（growth）和考核（assessments）应用，尚未安装。"))
    readiness = _module("miaopu.apps.growth.readiness")
    if readiness is None or not hasattr(readiness, "readiness_rows"):
        raise NotAvailable(_("成长档案应用尚未提供晋升条件计算（growth.readiness.readiness_rows）。"))
    from django.conf import settings

    from miaopu.apps.cadres.filtersets import birth_bounds_for_age
    from miaopu.apps.cadres.selectors import cadre_list
    from miaopu.domain.vocab import CadreStatus

    young = birth_bounds_for_age(None, settings.MIAOPU["YOUNG_CADRE_MAX_AGE"], as_of)
    base = cadre_list(user=reader).select_related(None).filter(status=CadreStatus.ACTIVE, **young).order_by("pk")
    ids = list(base.values_list("pk", flat=True))
    found = []
    for start in range(0, len(ids), PROMOTION_CHUNK):
        chunk = base.filter(pk__in=ids[start : start + PROMOTION_CHUNK])
        for row in readiness.readiness_rows(chunk, as_of):
            for track in row.ready_tracks:
                reason = _("%(n)s 已具备晋升条件：%(s)s") % {"n": row.name, "s": track.summary}
                found.append(ForeignAlert("promotion_ready", "green", row.cadre_id, reason, str(_("组织部干部科")),
                                          reverse("cadres:cadre_detail", args=[row.cadre_id])))  # fmt: skip
    return found


def talent_pool_summary(*, user, unit=None) -> dict:
    """Open entries of the talent pool (优秀年轻干部信息库, by tier) and the reserve pool, from the pools app.

    ``{"available": False, "note": …}`` until the pools app is installed; then ``{"available": True,
    "talent": n, "reserve": n, "tiers": [(label, n)], "talent_link", "reserve_link"}``.
    """
    if not _installed("pools"):
        return {"available": False, "note": _("人才库应用尚未安装。")}
    from django.db.models import Count

    from miaopu.apps.pools.models import PoolKind, Tier
    from miaopu.apps.pools.selectors import pool_entry_list

    qs = pool_entry_list(user=user).filter(exit_date__isnull=True)
    if unit is not None:
        qs = qs.filter(cadre__unit__path__startswith=unit.path)
    counts: dict[str, int] = {}
    tiers: dict[str, int] = {}
    for row in qs.order_by().values("pool", "tier").annotate(n=Count("id")):
        counts[row["pool"]] = counts.get(row["pool"], 0) + row["n"]
        if row["pool"] == PoolKind.TALENT:
            tiers[row["tier"]] = tiers.get(row["tier"], 0) + row["n"]
    tier_labels = dict(Tier.choices)

    def link(pool: str) -> str:
        try:
            return reverse("pools:pool_list", args=[pool])
        except NoReverseMatch:
            return ""

    return {
        "available": True,
        "talent": counts.get(PoolKind.TALENT, 0),
        "reserve": counts.get(PoolKind.RESERVE, 0),
        "tiers": [(str(tier_labels.get(k, _("未分级"))), n) for k, n in sorted(tiers.items())],
        "talent_link": link(PoolKind.TALENT),
        "reserve_link": link(PoolKind.RESERVE),
    }
