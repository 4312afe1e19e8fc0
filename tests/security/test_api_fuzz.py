"""Schemathesis against the live OpenAPI schema: no API operation answers 500, whatever the input.

The schema is read from ``/api/schema/`` of the running Django app (drf-spectacular) and every operation is
called in-process through WSGI, authenticated with the API token of the city-wide 组织部干部科 account of
``build_city()`` (the role that reaches the most endpoints), on the two-scope world of ``scopes.build_world``.
Each operation gets a small, bounded number of generated requests; every other one is aimed at an object that
exists (its id taken from the world through ``ROUTE_OBJECTS``) so that generated bodies reach the validation of
real rows, not only the 404 of a random id. The whole run stays around a minute on the CI machine. The only
check is ``not_a_server_error``: a validation error (400), a refusal (403/404) or a conflict (409) are all fine.
"""

from __future__ import annotations

import re
import time

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup

from .scopes import ROUTE_OBJECTS, World, all_routes

pytestmark = pytest.mark.django_db

#: Generated requests per operation, and the whole run's budget in seconds (a safety net for a slow machine).
EXAMPLES = 6
BUDGET_SECONDS = 150
#: Not data endpoints: the schema and documentation pages, and the password-taking token endpoint (axes lockout).
SKIP_PATHS = {"/api/schema/", "/api/docs/", "/api/redoc/", "/api/auth/token/"}


def existing_objects(world: World) -> dict[str, dict[str, object]]:
    """Schema path ("/api/cadres/{id}/") → path parameters of an object the city-wide 组织部 account can see."""
    known: dict[str, dict[str, object]] = {}
    for route in all_routes():
        kind = ROUTE_OBJECTS.get((route.app, route.key))
        if not route.is_api or kind is None:
            continue
        target = next((t for t in world.targets[kind] if "orgdept" in t.visible), None)
        if target is None:
            continue
        values = dict(zip(route.kwargs, target.values.values(), strict=True))
        # drf-spectacular names a router's ``pk`` "id"; a plain path() keeps its own name.
        for name in ("id", "pk"):
            path = "/" + re.sub(r"<pk>", "{" + name + "}", re.sub(r"<(?!pk>)(\w+)>", r"{\1}", route.path))
            known[path] = {(name if k == "pk" else k): v for k, v in values.items()}
    return known


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Django closes a connection that is not in autocommit at each request's start and end; inside a test's
    transaction that is every request. Django's own test client unhooks that for its requests (a WSGI client like
    schemathesis' does not), so on PostgreSQL the first request would close the test's connection."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_no_api_operation_answers_500(world):
    token = Token.objects.create(user=world.city.users["orgdept"]).key
    headers = {"Authorization": f"Token {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application(), headers=headers)
    operations = [op.ok() for op in schema.get_all_operations() if op.ok().path not in SKIP_PATHS]
    assert len(operations) >= 60, "the schema lost its operations"
    known = existing_objects(world)
    with_objects = [op for op in operations if "{" in op.path]
    assert all(op.path in known for op in with_objects), [op.path for op in with_objects if op.path not in known]
    failures: list[str] = []
    calls = {"n": 0}
    began = time.monotonic()

    def fuzz(operation):
        counter = {"n": 0}
        real = known.get(operation.path)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            counter["n"] += 1
            if real and counter["n"] % 2:
                case.path_parameters = {**(case.path_parameters or {}), **real}
            response = case.call(headers=headers)
            calls["n"] += 1
            try:
                case.validate_response(response, checks=[not_a_server_error], headers=headers)
            except (AssertionError, FailureGroup):  # one ServerError, or a group of them
                sent = f"path={case.path_parameters or {}} query={case.query or {}} body={case.body!r:.300}"
                failures.append(f"{operation.label} {sent} → {response.status_code}")

        return run

    for operation in operations:
        fuzz(operation)()
        if time.monotonic() - began > BUDGET_SECONDS:
            break
    assert not failures, f"{len(failures)} of {calls['n']} generated requests answered 500:\n" + "\n".join(failures)
    assert calls["n"] >= len(operations), calls
