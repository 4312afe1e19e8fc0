"""``{% growth_preview cadre %}``: the latest entries of a cadre's growth file, for the cadre page.

Include ``growth/includes/cadre_growth.html`` (which loads this tag) on any page whose context has ``cadre``
and ``request``; it shows what the signed-in user may see of the file (scoped like the file itself) and a
link to the full file.
"""

from __future__ import annotations

from django import template

from ..selectors import can_read_files
from ..timeline import build_timeline

register = template.Library()

PREVIEW_ITEMS = 5


@register.inclusion_tag("growth/includes/preview.html", takes_context=True)
def growth_preview(context, cadre, count: int = PREVIEW_ITEMS) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if cadre is None or not can_read_files(user):
        return {"show": False}
    items = build_timeline(user, cadre, newest_first=True)
    return {"show": True, "cadre": cadre, "items": items[:count], "total": len(items)}
