"""The care alert (关心关爱超期未联系), computed here and registered by ``analytics.alerts`` as ``care_overdue``.

Rule: an active cadre flagged for care (外地户籍, 偏远岗位, 长期异地 — see ``selectors.flagged_cadres``) whose latest
care contact of any kind (counselling included) is more than 90 days before the as-of date is 黄; more than 180
days, or never contacted, is 红 (``domain.fieldwork.care_level``). One database query over the flagged cadres.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from miaopu.domain.fieldwork import CARE_CONTACT_DAYS, care_level

from . import selectors


@dataclass(frozen=True)
class CareAlert:
    level: str
    cadre_id: int
    reason: str
    owner: str
    link: str
    due: dt.date | None


def care_contact_alerts(*, reader, as_of: dt.date) -> list[CareAlert]:
    rows = (
        selectors.flagged_cadres(user=reader, as_of=as_of)
        .filter(selectors.overdue_q(as_of))
        .order_by("unit__path", "pk")
        .values_list("pk", "name", "unit__name", "flag_nonlocal", "flag_remote", "flag_separated", "last_care")
    )
    found = []
    for pk, name, unit_name, nonlocal_, remote, separated, last in rows:
        level = care_level(last, as_of)
        if level is None:
            continue
        flags = "、".join(
            str(label)
            for code, label in selectors.FLAGS.items()
            if {"nonlocal": nonlocal_, "remote": remote, "separated": separated}[code]
        )
        if last is None:
            reason = _("%(n)s（%(f)s）还没有任何关心关爱联系记录") % {"n": name, "f": flags}
            due = as_of
        else:
            reason = _("%(n)s（%(f)s）最近一次关心关爱联系是 %(d)s，已 %(k)s 天未联系") % {
                "n": name,
                "f": flags,
                "d": last,
                "k": (as_of - last).days,
            }
            due = last + dt.timedelta(days=CARE_CONTACT_DAYS)
        owner = _("%(unit)s人事专员、组织部干部科") % {"unit": unit_name}
        found.append(CareAlert(level, pk, reason, owner, reverse("fieldwork:care_cadre", args=[pk]), due))
    return found
