"""What keeps the roster and the cadre API fast at 200,000 cadres (issue 9), kept out of the views.

* :class:`CountCachingPaginator` — a COUNT over a city-wide scope reads ~200,000 index entries (30–60 ms of CPU
  on every page view); a large count (``LARGE_COUNT`` rows or more) is kept ``MIAOPU_ROSTER_COUNT_CACHE_SECONDS``
  (60) seconds, keyed by the exact SQL of the filtered query (scope, filters and today's date included). Small
  counts — a unit, a district's narrow filter, a name search — are always counted afresh, so only a total of
  tens of thousands can be up to a minute old, as the dashboard's figures for such scopes already are.
* :class:`UnitOutlineSelect` — the unit filter lists every unit in scope (750 in the demo city); rendered from
  plain rows instead of model instances and per-option ``format_html``; :class:`FlatSelect` for the other filters.
* :func:`choice_labels` — the display labels of the roster's coded columns, translated once per request:
  ``get_FOO_display()`` rebuilds and hashes the whole choice list (with lazy labels) on every call, 300 times a page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import Select
from django.forms.utils import flatatt
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

#: Counts at least this large are cached (the dashboard caches its figures for scopes of 20,000+ cadres).
LARGE_COUNT = 20_000


def count_cache_seconds() -> int:
    return int(getattr(settings, "MIAOPU_ROSTER_COUNT_CACHE_SECONDS", 60))


def _count_key(queryset: QuerySet) -> str | None:
    try:
        sql, params = queryset.order_by().query.sql_with_params()
    except Exception:  # noqa: BLE001 - an empty result (EmptyResultSet) or anything unusual: just count
        return None
    digest = hashlib.sha256(repr((queryset.db, sql, params)).encode()).hexdigest()
    return f"miaopu:roster-count:{digest}"


def cached_count(queryset: QuerySet) -> int:
    """``queryset.count()``, taken from the cache when it is large (see the module docstring)."""
    seconds = count_cache_seconds()
    key = _count_key(queryset) if seconds > 0 else None
    if key is not None:
        found = cache.get(key)
        if found is not None:
            return found
    count = queryset.count()
    if key is not None and count >= LARGE_COUNT:
        cache.set(key, count, seconds)
    return count


class CountCachingPaginator(Paginator):
    """A Paginator whose count of a large result comes from :func:`cached_count`."""

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            return cached_count(self.object_list)
        return super().count


class UnitOutlineSelect(Select):
    """``<select>`` of units as an indented outline, from ``rows()`` → (id, name, depth) in tree order.

    The first option is ``("", empty_label)``. The form field keeps its queryset for validating the chosen unit;
    only the rendering reads the rows.
    """

    def __init__(self, rows: Callable[[], Iterable[tuple[int, str, int]]], *, base_depth: int, empty_label: str):
        super().__init__()
        self.rows = rows
        self.base_depth = base_depth
        self.empty_label = empty_label

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        chosen = str(value) if value not in (None, "") else ""
        parts = [f'<option value=""{" selected" if not chosen else ""}>{escape(self.empty_label)}</option>']
        base = self.base_depth
        for pk, label, depth in self.rows():
            key = str(pk)
            selected = " selected" if key == chosen else ""
            parts.append(f'<option value="{key}"{selected}>{"　" * max(depth - base, 0)}{escape(label)}</option>')
        return mark_safe(f"<select{flatatt(final_attrs)}>{''.join(parts)}</select>")  # noqa: S308 - escaped above


class FlatSelect(Select):
    """A ``<select>`` of flat choices rendered by string joins (Django's renders one template per option); like
    Django's, the empty choice is the selected one when there is no value."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        values = value if isinstance(value, list | tuple) else [value]
        chosen = {str(v) for v in values if v is not None} or {""}
        parts = []
        for option_value, label in self.choices:
            key = "" if option_value is None else str(option_value)
            selected = " selected" if key in chosen else ""
            parts.append(f'<option value="{escape(key)}"{selected}>{escape(label)}</option>')
        return mark_safe(f"<select{flatatt(final_attrs)}>{''.join(parts)}</select>")  # noqa: S308 - escaped above


def choice_labels(model, fields: Iterable[str]) -> dict[str, dict[str, str]]:
    """{field: {code: label}} with the labels translated now (once per request)."""
    return {name: {str(k): str(v) for k, v in model._meta.get_field(name).flatchoices} for name in fields}
