"""``{% mentoring_panel cadre %}``: the mentors and guidance records on a cadre's file (growth file).

Usage in ``cadres/cadre_detail.html``::

    {% load mentoring %}
    {% mentoring_panel cadre %}

The panel reads through the mentoring selectors with the requesting user, so it shows exactly what that user
may see: all mentorships of a cadre in scope for 组织部 and unit officers, only their own mentorship for a
mentor, everything for the cadre themselves.
"""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("mentoring/_cadre_panel.html", takes_context=True)
def mentoring_panel(context, cadre) -> dict:
    from miaopu.apps.mentoring.selectors import can_manage, guidance_list, mentorship_list

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not cadre:
        return {"ships": [], "records": [], "cadre": cadre}
    ships = list(mentorship_list(user=user).filter(mentee=cadre).order_by("-is_active", "-start", "-id"))
    records = list(guidance_list(user=user).filter(mentorship__mentee=cadre).order_by("-date", "-id")[:20])
    return {"ships": ships, "records": records, "cadre": cadre, "can_pair": can_manage(user)}
