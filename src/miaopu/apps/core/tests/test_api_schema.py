"""The OpenAPI schema is clean, and the API docs work on an intranet with no internet access."""

from __future__ import annotations

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


def test_schema_generates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    # --fail-on-warn turns any drf-spectacular warning (unresolvable field, enum name clash …) into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    paths = set(schema["paths"])
    assert {
        "/api/units/", "/api/units/{id}/", "/api/posts/", "/api/posts/{id}/", "/api/cadres/", "/api/cadres/{id}/",
        "/api/experiences/", "/api/experiences/{id}/", "/api/auth/token/", "/api/me/",
    } <= paths  # fmt: skip
    components = schema["components"]["schemas"]
    cadre = components["Cadre"]["properties"]
    assert "id_number" not in cadre and cadre["id_number_masked"]["readOnly"] is True
    assert cadre["version"]["readOnly"] is True
    assert "id_number" in components["CadreRequest"]["properties"]
    assert "version" in components["CadreUpdateRequest"]["required"]
    # The filters the UI offers are documented for the API too.
    params = {p["name"] for p in schema["paths"]["/api/cadres/"]["get"]["parameters"]}
    assert {"age_max", "gender", "unit", "rural", "page", "page_size"} <= params
    assert {p["name"] for p in schema["paths"]["/api/experiences/"]["get"]["parameters"]} >= {"cadre"}


@pytest.fixture
def client(client, django_user_model):
    """The schema and docs are for signed-in users only (the API's shape is not public on the intranet)."""
    client.force_login(django_user_model.objects.create_user("reader", password="x-Reader-2026"))
    return client


def test_schema_and_docs_need_login():
    from django.test import Client

    anonymous = Client()
    for url in ("/api/schema/", "/api/docs/", "/api/redoc/"):
        assert anonymous.get(url).status_code in (401, 403), url


def test_schema_endpoint_serves_json(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/cadres/" in response.json()["paths"]


@pytest.mark.parametrize(("url", "marker"), [("/api/docs/", "swagger-ui"), ("/api/redoc/", "redoc")])
def test_docs_pages_use_only_local_assets(client, url, marker):
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "http://" not in page and "https://" not in page  # no CDN, no web font: the intranet is offline
    assets = ASSET.findall(page)
    assert any(marker in a for a in assets), assets
    for asset in assets:
        assert asset.startswith("/static/drf_spectacular_sidecar/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not shipped with the installed packages"
