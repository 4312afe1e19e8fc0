"""Field work on the growth file (``growth.timeline`` calls :func:`timeline_items`).

- ``practical_affair``: a ledger item the cadre took on (on the day they took it on) and its end (办结 or 无法办理,
  with the outcome and the villager's satisfaction) — merged with the growth entries of the same kind;
- ``care``: care contacts (visits, talks, help);
- ``counselling``: counselling contacts — 组织部 only (``growth.selectors.CONFIDENTIAL_KINDS``; the care selector
  also leaves them out for every other role).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _

from . import selectors
from .models import CareKind, LedgerTaker


def timeline_items(user, cadre, Item) -> Iterable:  # noqa: N803 (the growth app's Item class)
    items = []
    visible = selectors.ledger_list(user=user).values("pk")
    takers = LedgerTaker.objects.filter(cadre=cadre, item__in=visible).select_related("item", "item__village")
    for t in takers:
        item = t.item
        url = reverse("fieldwork:ledger_detail", args=[item.pk])
        title = _("领办：%(v)s %(c)s") % {
            "v": item.village.short_name or item.village.name,
            "c": item.get_category_display(),
        }
        items.append(
            Item(
                t.taken_on,
                "practical_affair",
                title,
                detail=item.description[:500],
                source=_("办实事台账"),
                badge=_("牵头") if t.is_lead else "",
                url=url,
                order=48,
                pk=item.pk,
            )
        )
        if item.is_closed and item.closed_on:
            detail = item.outcome if item.status == "done" else item.status_reason
            if item.satisfaction:
                detail = "；".join(
                    x for x in (detail, _("群众满意度：%(s)s") % {"s": item.get_satisfaction_display()}) if x
                )
            items.append(
                Item(
                    item.closed_on,
                    "practical_affair",
                    _("%(s)s：%(d)s") % {"s": item.get_status_display(), "d": item.description[:40]},
                    detail=detail,
                    source=_("办实事台账"),
                    badge=item.get_satisfaction_display() or "",
                    url=url,
                    order=82,
                    pk=item.pk,
                )
            )
    for c in selectors.care_list(user=user).filter(cadre=cadre):
        kind = "counselling" if c.kind == CareKind.COUNSELLING else "care"
        parts = [c.summary, _("帮扶措施：%(h)s") % {"h": c.help_given} if c.help_given else ""]
        if kind == "counselling":
            parts.append(c.counselling_note)
        if c.follow_up_on or c.follow_up:
            parts.append(_("跟进：%(d)s %(f)s") % {"d": c.follow_up_on or "", "f": c.follow_up})
        items.append(
            Item(
                c.date,
                kind,
                _("%(k)s（%(w)s）") % {"k": c.get_kind_display(), "w": c.contact_by},
                detail="\n".join(p for p in parts if p),
                source=_("关心关爱"),
                author=c.recorded_by.display_name if c.recorded_by_id else "",
                order=56,
                pk=c.pk,
            )
        )
    return items
