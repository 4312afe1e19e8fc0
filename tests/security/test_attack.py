"""Proof by attack: every role tries every object of another scope through every UI route and API endpoint.

The routes are not listed here: they are read from the root URL resolver, so a new page or endpoint is attacked
the day it is added. A route that takes an object (``pk``, ``code``, ``cadre_pk`` …) is mapped, through the small
reviewed table ``ROUTE_OBJECTS``, to a *kind* of object; ``world()`` builds, on top of ``build_city()``, one object
of every kind in 东湖区 (scope A, around 李娜 of 青石镇红旗村) and one in 西山县 (scope B, around 赵强 of 白沙镇),
each with the set of roles that may legitimately see it. Then, for every role:

- every object route is called with every object that role may **not** see — GET and POST (with an empty body),
  and PATCH and DELETE on the API — and must answer 403, 404, 405 or a redirect to the login page, with none of
  the object's identifying text in the body; never 200 with another scope's data, never 500;
- the objects the role may see are fetched once (GET) and must not answer 500;
- every route without an object (lists, dashboards, exports) is fetched and must not answer 500 nor show the
  name of a cadre the role may not see.

A route whose object argument is not in ``ROUTE_OBJECTS`` fails ``test_every_object_route_is_mapped``: the
mapping must be extended (and reviewed) before the route ships.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client

from miaopu.apps.core.testing import VISIBLE

from .scopes import LOGIN, REFUSALS, ROLES, ROUTE_OBJECTS, World, all_routes, object_routes

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- helpers


def _refused(response) -> bool:
    if response.status_code in REFUSALS:
        return True
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return ""  # a file download: its status already says whether it was served
    return response.content.decode("utf-8", "replace")


# ---------------------------------------------------------------- the tests


def test_every_object_route_is_mapped():
    """A route with an object argument the table does not know fails here, naming the route and its key."""
    unknown = sorted(
        {f"{r.app} {r.key!r}  ← /{r.path}" for r in object_routes() if (r.app, r.key) not in ROUTE_OBJECTS}
    )
    assert not unknown, "map these routes in ROUTE_OBJECTS:\n" + "\n".join(unknown)
    used = {(r.app, r.key) for r in object_routes()}
    installed = {config.label for config in apps.get_app_configs()}
    stale = sorted(key for key in set(ROUTE_OBJECTS) - used if key[0] in installed)
    assert not stale, f"ROUTE_OBJECTS lists routes that no longer exist: {stale}"


def test_the_enumeration_finds_the_known_routes():
    """The resolver walk sees UI pages and API endpoints alike (guards the walker itself)."""
    paths = {r.path for r in all_routes()}
    assert {"cadres/<pk>/", "api/cadres/<pk>/", "growth/<owner>/<pk>/attachments/", "audit/<pk>/"} <= paths
    assert len(object_routes()) >= 100


def test_every_kind_has_objects_in_both_scopes(world):
    kinds = {kind for route in object_routes() if (kind := ROUTE_OBJECTS.get((route.app, route.key)))}
    for kind in kinds:
        assert world.targets.get(kind), f"build_world makes no {kind}"


@pytest.mark.parametrize("role", ROLES)
def test_no_role_reaches_an_object_outside_its_scope(world: World, role):
    client = Client(raise_request_exception=False)  # a crash is reported as its 500, not raised
    client.force_login(world.city.users[role])
    problems: list[str] = []
    attacks = 0
    for route in object_routes():
        kind = ROUTE_OBJECTS[(route.app, route.key)]
        for target in world.targets[kind]:
            url = route.url(target.values)
            if role in target.visible:
                response = client.get(url)
                if response.status_code >= 500:
                    problems.append(f"GET {url} ({target.label}, visible) → {response.status_code}")
                continue
            methods = ["get", "post"] + (["patch", "delete"] if route.is_api else [])
            for method in methods:
                response = getattr(client, method)(url)
                attacks += 1
                if not _refused(response):
                    problems.append(f"{method.upper()} {url} ({target.label}) → {response.status_code}")
                elif target.marker and target.marker in _body(response):
                    problems.append(f"{method.upper()} {url} ({target.label}) refused but shows {target.marker!r}")
    assert not problems, f"{role}: {len(problems)} of {attacks} attacks got through:\n" + "\n".join(problems)
    assert attacks > 0  # even the city-wide 组织部 account has objects it must not reach (accounts, audit, reports)


@pytest.mark.parametrize("role", ROLES)
def test_pages_without_an_object_show_no_other_scope(world, role):
    """Lists, dashboards, exports and API lists: no 500, and no name of a cadre the role may not see."""
    client = Client(raise_request_exception=False)  # a crash is reported as its 500, not raised
    client.force_login(world.city.users[role])
    hidden = [c.name for key, c in world.city.cadres.items() if key not in VISIBLE[role]]
    if role == "auditor":
        # The audit trail names the record each event is about (its whole purpose); the auditor reads nothing else.
        hidden_exempt = {"audit/"}
    else:
        hidden_exempt = set()
    problems: list[str] = []
    for route in all_routes():
        if route.kwargs or route.path in ("logout/",):
            continue
        url = route.url({})
        response = client.get(url)
        if response.status_code >= 500:
            problems.append(f"GET {url} → {response.status_code}")
            continue
        body = _body(response) if route.path not in hidden_exempt else ""
        shown = [name for name in hidden if name in body]
        if shown:
            problems.append(f"GET {url} → {response.status_code} shows {shown}")
    assert not problems, f"{role}:\n" + "\n".join(problems)
