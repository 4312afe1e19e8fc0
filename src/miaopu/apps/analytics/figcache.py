"""Dashboard figures of province-sized scopes, counted by one request at a time and never waited for twice.

Counting 200,000 cadres (structure, care flags, ledgers, training) costs seconds of database time. A dashboard that
twenty officers keep reopening must not recount it on every view, and must not make every officer who opens it
in the same second count it at once. So, for a scope of at least ``CACHE_MIN_CADRES`` active cadres:

* **Fresh** for ``settings.MIAOPU_ANALYTICS_CACHE_SECONDS`` (default 60; 0 turns the cache off): served as kept.
* **Stale** after that, and kept up to ``STALE_SECONDS`` (a day): the first request to see it stale takes a lock
  and recounts; every other request meanwhile is served the stale figures (each page shows when they were counted).
* **Missing** (first view, or the cache was cleared): one request takes the lock and counts; the others wait for it
  up to ``WAIT_SECONDS``, polling the cache, and count for themselves only if it has not finished by then.
* **Warmed** after every alert refresh (the daily 01:15 job, ``miaopu alerts``, the 立即刷新 button): ``warm()``
  counts the dashboards of every 组织部 scope that is large enough, so the first officer in the morning does not pay.

Small scopes (every town, district and test city) are counted on every view: a marker remembers for a minute that
a key is small, so they pay one cache read and no lock. Reports, exports, the API and ``miaopu stats`` always count
afresh. The cache is Django's (the database table ``miaopu_cache``, or Redis with ``REDIS_URL``), shared by every
server process.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)

#: Scopes with at least this many active cadres keep their dashboard figures (see the module doc).
CACHE_MIN_CADRES = 20_000
#: How long stale figures may still be served while one request recounts them.
STALE_SECONDS = 24 * 3600
#: How long a request waits for another one counting the same missing figures.
WAIT_SECONDS = 15.0
#: A lock outlives a request that died while counting by at most this long.
LOCK_SECONDS = 120
_SMALL = "small"


def _now() -> float:
    return time.time()


def fresh_seconds() -> int:
    return int(getattr(settings, "MIAOPU_ANALYTICS_CACHE_SECONDS", 60))


def cache_key(kind: str, user, *, params: dict[str, str], as_of: dt.date) -> str:
    from django.db import connection
    from django.utils.translation import get_language

    return f"analytics:{kind}:" + ":".join(
        str(part)
        for part in (connection.settings_dict.get("NAME"), user.role, user.scope_unit_id, as_of.isoformat(),
                     get_language(), sorted(params.items()))
    )  # fmt: skip


def scope_cached(
    kind: str,
    user,
    *,
    params: dict[str, str],
    as_of: dt.date,
    compute: Callable[[], Any],
    keep: Callable[[Any], bool],
    force: bool = False,
):
    """``compute()``, kept as the module doc says when ``keep(result)`` says the scope is large.

    ``force``: count now and store the result whatever is kept (``warm``)."""
    seconds = fresh_seconds()
    if not seconds:
        return compute()
    key = cache_key(kind, user, params=params, as_of=as_of)
    lock = key + ":lock"
    entry = None if force else cache.get(key)
    if entry == _SMALL:  # counted on every view, without a lock; kept once the scope has grown large
        return _count(key, compute, keep, seconds, small_marker=False)
    if entry is not None:
        fresh_until, value = entry
        if _now() < fresh_until or not cache.add(lock, 1, LOCK_SECONDS):
            return value  # fresh, or stale while another request recounts it
    elif not force and not cache.add(lock, 1, LOCK_SECONDS):
        value = _wait_for(key)  # another request is counting the missing figures
        if value is not None:
            return value
        lock = None  # waited long enough: count without the lock, leave it to its owner
    try:
        return _count(key, compute, keep, seconds, small_marker=True)
    finally:
        if lock is not None:
            cache.delete(lock)


def _count(key: str, compute, keep, seconds: int, *, small_marker: bool):
    value = compute()
    if value is not None and keep(value):
        cache.set(key, (_now() + seconds, value), STALE_SECONDS)
    elif value is not None and small_marker:
        cache.set(key, _SMALL, seconds)
    return value


def _wait_for(key: str):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.1)
        entry = cache.get(key)
        if entry == _SMALL:
            return None
        if entry is not None:
            return entry[1]
    return None


def warm(*, as_of: dt.date | None = None) -> int:
    """Count the dashboards of every large 组织部 scope now, in the default language (after an alert refresh).

    One user per (role, scope) is enough: the figures depend on nothing else. Returns how many were stored."""
    from django.utils import translation

    from miaopu.apps.core.models import User

    from . import views

    if not fresh_seconds():
        return 0
    as_of = as_of or dt.date.today()
    seen: set[int | None] = set()
    stored = 0
    users = User.objects.filter(is_active=True, role="orgdept").order_by("scope_unit_id", "pk")
    with translation.override(settings.LANGUAGE_CODE):
        for user in users:
            if user.scope_unit_id in seen:
                continue
            seen.add(user.scope_unit_id)
            try:
                context = views.dashboard_context(user, as_of=as_of, force=True)
            except Exception:  # a scope that cannot be counted must not stop the others (nor the alert refresh)
                log.exception("dashboard warm-up failed for scope %s", user.scope_unit_id)
                continue
            stored += context["structure"].total >= CACHE_MIN_CADRES
    return stored
