"""The dashboard figure cache: fresh, stale-while-recounting, one counter for missing figures, warmed after alerts."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.cache import cache

from miaopu.apps.analytics import figcache
from miaopu.apps.core.testing import make_cadre
from miaopu.domain.dates import add_months

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_cache(settings):
    settings.MIAOPU_ANALYTICS_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


class Counter:
    def __init__(self, value="figures"):
        self.calls = 0
        self.value = value

    def __call__(self):
        self.calls += 1
        return f"{self.value}-{self.calls}"


def _cached(user, compute, *, keep=lambda _v: True, force=False):
    return figcache.scope_cached(
        "test", user, params={}, as_of=dt.date(2026, 12, 1), compute=compute, keep=keep, force=force
    )


def test_fresh_figures_are_served_as_kept(city):
    count = Counter()
    user = city.users["orgdept"]
    assert _cached(user, count) == "figures-1"
    assert _cached(user, count) == "figures-1"
    assert count.calls == 1


def test_stale_figures_are_recounted_by_one_request_while_others_get_the_stale_ones(city, monkeypatch):
    count = Counter()
    user = city.users["orgdept"]
    now = [1_000_000.0]
    monkeypatch.setattr(figcache, "_now", lambda: now[0])
    assert _cached(user, count) == "figures-1"
    now[0] += 61  # past the fresh minute
    key = figcache.cache_key("test", user, params={}, as_of=dt.date(2026, 12, 1))
    assert cache.add(key + ":lock", 1, 60)  # another request is recounting
    assert _cached(user, count) == "figures-1"  # stale, served without counting
    assert count.calls == 1
    cache.delete(key + ":lock")  # it died without storing; the next request recounts
    assert _cached(user, count) == "figures-2"
    assert _cached(user, count) == "figures-2"  # fresh again
    assert count.calls == 2
    assert cache.get(key + ":lock") is None  # the lock is released


def test_missing_figures_are_counted_once_by_concurrent_requests(city, monkeypatch, settings):
    """Eight requests open the dashboard at the same moment: one counts, seven wait for its result.

    (Threads stand in for server processes; they share an in-memory cache here, as processes share the database
    table or Redis, because the test database cannot be shared between threads.)"""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    user = city.users["orgdept"]
    started = threading.Event()
    release = threading.Event()
    calls = []

    def slow():
        calls.append(1)
        started.set()
        release.wait(5)
        return "counted"

    monkeypatch.setattr(figcache, "WAIT_SECONDS", 10.0)
    results = []
    first = threading.Thread(target=lambda: results.append(_cached(user, slow)))
    first.start()
    assert started.wait(5)
    others = [threading.Thread(target=lambda: results.append(_cached(user, slow))) for _ in range(7)]
    for t in others:
        t.start()
    release.set()
    for t in [first, *others]:
        t.join(10)
    assert results == ["counted"] * 8
    assert len(calls) == 1


def test_a_waiter_counts_itself_when_the_counter_takes_too_long(city, monkeypatch):
    user = city.users["orgdept"]
    key = figcache.cache_key("test", user, params={}, as_of=dt.date(2026, 12, 1))
    cache.add(key + ":lock", 1, 60)  # a counter that never finishes
    monkeypatch.setattr(figcache, "WAIT_SECONDS", 0.3)
    count = Counter()
    assert _cached(user, count) == "figures-1"
    assert cache.get(key + ":lock") == 1  # not ours to release


def test_small_scopes_are_counted_every_time_without_a_lock(city, monkeypatch):
    count = Counter()
    user = city.users["orgdept"]
    added = []
    real_add = cache.add
    monkeypatch.setattr(cache, "add", lambda *a, **k: added.append(a[0]) or real_add(*a, **k))
    assert _cached(user, count, keep=lambda _v: False) == "figures-1"
    assert _cached(user, count, keep=lambda _v: False) == "figures-2"
    assert _cached(user, count, keep=lambda _v: False) == "figures-3"
    assert len(added) == 1  # the first miss only; then the "small" marker skips the lock


def test_turned_off_counts_every_time(city, settings):
    settings.MIAOPU_ANALYTICS_CACHE_SECONDS = 0
    count = Counter()
    user = city.users["orgdept"]
    _cached(user, count)
    _cached(user, count)
    assert count.calls == 2


def test_force_recounts_even_fresh_figures(city):
    count = Counter()
    user = city.users["orgdept"]
    _cached(user, count)
    assert _cached(user, count, force=True) == "figures-2"
    assert _cached(user, count) == "figures-2"


def test_warm_counts_each_large_orgdept_scope_once_and_alerts_command_warms(stats_city, monkeypatch):
    from django.core.management import call_command

    from miaopu.apps.analytics import views

    monkeypatch.setattr(figcache, "CACHE_MIN_CADRES", 1)  # pretend the city is province-sized
    seen = []
    real = views.dashboard_context

    def spy(user, **kwargs):
        seen.append((user.scope_unit_id, kwargs.get("force")))
        return real(user, **kwargs)

    monkeypatch.setattr(views, "dashboard_context", spy)
    call_command("alerts", stdout=open("/dev/null", "w"))  # noqa: SIM115 - closed with the process
    scopes = {u.scope_unit_id for u in stats_city.users.values() if u.role == "orgdept" and u.is_active}
    assert sorted(s for s, _f in seen) == sorted(scopes)  # one count per scope, not per user
    assert all(force for _s, force in seen)
    # The warmed figures are what the page then shows, without counting again.
    user = stats_city.users["orgdept"]
    today = dt.date.today()
    warmed = views.cached_structure(user, params={}, as_of=today)
    make_cadre(stats_city.organ, "预热后来的", add_months(today, -12 * 30))
    assert views.cached_structure(user, params={}, as_of=today).total == warmed.total
    assert views.cached_structure(user, params={}, as_of=today, force=True).total == warmed.total + 1
