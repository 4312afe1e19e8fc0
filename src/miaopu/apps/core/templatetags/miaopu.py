"""Small display helpers for the templates: ages, YYYY.MM dates, month counts, sort links."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from miaopu.domain.dates import age_on

register = template.Library()


@register.filter
def age(birth: dt.date | None) -> int | str:
    """Age in full years today (周岁), the figure every roster shows."""
    if not birth:
        return ""
    return age_on(birth, dt.date.today())


@register.filter
def ym(value: dt.date | None) -> str:
    """``2017.08``: how dates are written in a cadre's 履历."""
    return f"{value.year:04d}.{value.month:02d}" if value else ""


@register.filter
def months(value: int | None) -> str:
    """``27`` → ``27 个月（2 年 3 个月）``; officers think in years, the rules count months."""
    if value is None:
        return _("未填")
    text = _("%(n)s 个月") % {"n": value}
    if value >= 12:
        years, rest = divmod(value, 12)
        if rest:
            text += _("（%(y)s 年 %(m)s 个月）") % {"y": years, "m": rest}
        else:
            text += _("（%(y)s 年）") % {"y": years}
    return text


@register.simple_tag
def html_lang() -> str:
    """BCP 47 tag for ``<html lang>`` (Django's ``zh-hans`` is ``zh-Hans`` there)."""
    code = get_language() or "zh-hans"
    return "zh-Hans" if code.lower().startswith("zh") else code


@register.simple_tag(takes_context=True)
def sort_link(context, key: str, default_desc: bool = False) -> str:
    """The query string that sorts by ``key`` (toggling direction when already sorted by it), filters kept."""
    request = context["request"]
    current = context.get("sort", "")
    if current == key:
        value = f"-{key}"
    elif current == f"-{key}":
        value = key
    else:
        value = f"-{key}" if default_desc else key
    params = request.GET.copy()
    params["sort"] = value
    params.pop("page", None)
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def sort_mark(context, key: str, invert: bool = False) -> str:
    """▲/▼ next to the column the list is sorted by."""
    current = context.get("sort", "")
    if current not in (key, f"-{key}"):
        return ""
    ascending = current == key
    if invert:
        ascending = not ascending
    return "▲" if ascending else "▼"
