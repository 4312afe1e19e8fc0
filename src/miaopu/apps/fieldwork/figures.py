"""Field-work figures for the dashboard and the ledger page, each in the user's scope, each with the list behind it.

Definitions (also in ``docs/fieldwork.md``):

- **实践基地**: registered bases in scope; *已认定* = certified today (the deciding "六个好" certification passed and
  is in force); *可接待* = the summed capacity of the certified bases; *在用* = practice placements (四下基层
  batches) running today at any base (start ≤ today ≤ actual or planned end).
- **办实事台账**: items visible to the user (a taker in scope), by status; *已解决* = 已办结;
  *满意率* = (满意 + 基本满意) ÷ items rated.
- **关心关爱**: active cadres in scope flagged for care (外地户籍, 偏远岗位, 长期异地 — one cadre counts once);
  *90 天内已联系* = flagged cadres with a care contact (any kind) in the last 90 days; *超期未联系* = the others.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from miaopu.apps.cadres.selectors import cadre_list
from miaopu.domain.fieldwork import CARE_CONTACT_DAYS, LEDGER_STATUSES, SATISFACTION, satisfaction_rate

from . import selectors
from .models import LedgerItem, LedgerTaker


def _share(part: int, whole: int):
    from miaopu.apps.analytics.selectors import share

    return share(part, whole)


def _link(name: str, **params) -> str:
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return reverse(name) + ("?" + urlencode(params) if params else "")


def _status_satisfaction(items) -> tuple[dict[str, int], dict[str, int]]:
    """Item counts of ``items`` by status (every status present, 0 if none) and by satisfaction rating (rated only)."""
    by_status = dict.fromkeys(LEDGER_STATUSES, 0)
    sat: dict[str, int] = {}
    for row in items.values("status", "satisfaction").annotate(n=Count("id")):
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        if row["satisfaction"]:
            sat[row["satisfaction"]] = sat.get(row["satisfaction"], 0) + row["n"]
    return by_status, sat


def ledger_breakdown(qs, user=None) -> dict:
    """Counts of the ledger items in ``qs``: by status, solved, satisfaction, by cadre, batch and town."""
    items = LedgerItem.objects.filter(pk__in=qs.values("pk")).order_by()
    by_status, sat = _status_satisfaction(items)
    good, rated = satisfaction_rate(sat)
    towns = list(
        items.values("village__parent_id", "village__parent__name")
        .annotate(n=Count("id"), done=Count("id", filter=Q(status="done")))
        .order_by("-n", "village__parent__name")[:30]
    )
    batches = list(
        items.exclude(batch=None)
        .values("batch_id", "batch__name")
        .annotate(n=Count("id"), done=Count("id", filter=Q(status="done")))
        .order_by("-n", "batch__name")[:30]
    )
    takers = LedgerTaker.objects.filter(item__in=items.values("pk"))
    if user is not None:
        takers = takers.filter(cadre__in=cadre_list(user=user).values("pk"))
    cadres = list(
        takers.values("cadre_id", "cadre__name", "cadre__unit__name")
        .annotate(n=Count("item", distinct=True), done=Count("item", distinct=True, filter=Q(item__status="done")))
        .order_by("-n", "cadre__name")[:30]
    )
    return {
        "total": sum(by_status.values()),
        "by_status": [(code, _(label), by_status.get(code, 0)) for code, label in LEDGER_STATUSES.items()],
        "solved": by_status.get("done", 0),
        "satisfaction": [(code, _(label), sat.get(code, 0)) for code, label in SATISFACTION.items()],
        "satisfied": good,
        "rated": rated,
        "satisfaction_share": _share(good, rated),
        "towns": towns,
        "batches": batches,
        "cadres": cadres,
    }


def dashboard_figures(*, user, unit=None, as_of: dt.date | None = None) -> dict | None:
    """The dashboard panel: practice bases, the ledger and care, each figure linking to its list (None: no access)."""
    if not selectors.can_manage(user):
        return None
    as_of = as_of or dt.date.today()
    unit_param = str(unit.pk) if unit is not None else ""
    # Practice bases.
    bases = selectors.base_list(user=user)
    if unit is not None:
        bases = bases.filter(unit__path__startswith=unit.path)
    rows = selectors.base_rows(bases.select_related(None).select_related("unit"), as_of)
    base_figures = {
        "total": len(rows),
        "certified": sum(1 for r in rows if r.certified),
        "capacity": sum(r.base.capacity for r in rows if r.certified),
        "in_use": sum(r.in_use for r in rows),
        "total_link": _link("fieldwork:base_list"),
        "certified_link": _link("fieldwork:base_list", state="certified"),
        "uncertified_link": _link("fieldwork:base_list", state="uncertified"),
        "in_use_link": _link("fieldwork:base_list", state="in_use"),
    }
    # Ledger.
    ledger = selectors.ledger_list(user=user)
    if unit is not None:
        ledger = ledger.filter(takers__cadre__unit__path__startswith=unit.path)
    counts, sat = _status_satisfaction(LedgerItem.objects.filter(pk__in=ledger.values("pk")).order_by())
    good, rated = satisfaction_rate(sat)
    ledger_figures = {
        "total": sum(counts.values()),
        "total_link": _link("fieldwork:ledger_list", unit=unit_param),
        "by_status": [
            {
                "code": code,
                "label": _(label),
                "n": counts[code],
                "link": _link("fieldwork:ledger_list", status=code, unit=unit_param),
            }
            for code, label in LEDGER_STATUSES.items()
        ],
        "solved": counts["done"],
        "satisfied": good,
        "rated": rated,
        "satisfaction_share": _share(good, rated),
        "rated_link": _link("fieldwork:ledger_list", satisfaction="rated", unit=unit_param),
    }
    # Care.
    flagged = selectors.flagged_cadres(user=user, as_of=as_of)
    if unit is not None:
        flagged = flagged.filter(unit__path__startswith=unit.path)
    n = contacted = 0
    by_flag = dict.fromkeys(selectors.FLAGS, 0)
    for (nonlocal_, remote, separated, recent), count in selectors.care_counts(flagged, as_of).items():
        n += count
        contacted += count if recent else 0
        by_flag["nonlocal"] += count if nonlocal_ else 0
        by_flag["remote"] += count if remote else 0
        by_flag["separated"] += count if separated else 0
    care_figures = {
        "flagged": n,
        "flagged_link": _link("fieldwork:care_list", unit=unit_param),
        "contacted": contacted,
        "contacted_share": _share(contacted, n),
        "contacted_link": _link("fieldwork:care_list", contact="recent", unit=unit_param),
        "overdue": n - contacted,
        "overdue_link": _link("fieldwork:care_list", contact="overdue", unit=unit_param),
        "by_flag": [
            {
                "code": code,
                "label": str(label),
                "n": by_flag[code],
                "link": _link("fieldwork:care_list", flag=code, unit=unit_param),
            }
            for code, label in selectors.FLAGS.items()
        ],
        "days": CARE_CONTACT_DAYS,
    }
    return {"bases": base_figures, "ledger": ledger_figures, "care": care_figures}
