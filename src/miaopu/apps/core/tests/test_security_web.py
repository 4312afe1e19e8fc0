"""Web hardening: CSP, no-store on personnel pages, generic error pages, ``check --deploy`` with production settings."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.views import defaults

import miaopu

pytestmark = pytest.mark.django_db

PACKAGE = Path(miaopu.__file__).parent
TEMPLATES = sorted(p for p in PACKAGE.rglob("templates/**/*.html"))


def csp_of(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def test_pages_carry_a_strict_content_security_policy(city, client_for):
    client = client_for("orgdept")
    for url in ("/", "/cadres/", f"/cadres/{city.cadres['town_a'].pk}/", "/login/"):
        policy = csp_of(client.get(url, follow=True))
        assert policy["default-src"] == "default-src 'self'", url
        assert policy["script-src"] == "script-src 'self'" and policy["style-src"] == "style-src 'self'", url
        assert policy["frame-ancestors"] == "frame-ancestors 'none'" and policy["object-src"] == "object-src 'none'"


def test_only_the_api_docs_get_the_inline_allowance_they_need(city, client_for):
    client = client_for("orgdept")
    docs = csp_of(client.get("/api/docs/"))
    assert "'unsafe-inline'" in docs["script-src"]
    assert "'unsafe-inline'" not in csp_of(client.get("/api/cadres/"))["script-src"]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_templates_have_no_inline_script_style_or_handlers(path):
    """The CSP forbids them; a page that used one would silently break in the browser."""
    if path.name in {"api_redoc.html"}:  # served under the API docs allowance
        return
    text = path.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text, re.I), "inline <script>: move it to a static .js file"
    assert not re.search(r"\son[a-z]+\s*=", text, re.I), "inline event handler: use addEventListener in static JS"
    assert not re.search(r"\sstyle\s*=", text, re.I), "style attribute: use a class in the stylesheet"
    assert "<style" not in text and "javascript:" not in text


def test_personnel_pages_and_api_answers_are_never_cached(city, client_for):
    client = client_for("orgdept")
    cadre = city.cadres["town_a"]
    for url in ("/cadres/", f"/cadres/{cadre.pk}/", "/api/cadres/", f"/api/cadres/{cadre.pk}/", "/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


def test_error_pages_are_generic_and_in_chinese():
    request = RequestFactory().get("/x")
    server_error = defaults.server_error(request)
    body = server_error.content.decode()
    assert server_error.status_code == 500 and "系统出错" in body and "Traceback" not in body
    bad = defaults.bad_request(request, Exception("secret detail"))
    assert bad.status_code == 400 and "请求无效" in bad.content.decode() and "secret detail" not in bad.content.decode()


def test_deploy_check_passes_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "miaopu.config.settings.prod",
        "MIAOPU_SECRET_KEY": secrets.token_urlsafe(60),
        "MIAOPU_ALLOWED_HOSTS": "example.gov",
        "MIAOPU_AUDIT_KEY": secrets.token_hex(32),
        "MIAOPU_BACKUP_KEY": secrets.token_hex(16),
        "MIAOPU_FIELD_KEY": secrets.token_hex(16),
        "MIAOPU_INDEX_KEY": secrets.token_hex(32),
        "MIAOPU_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by conftest.py for Playwright; never in deployment
    command = [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603
    assert result.returncode == 0, result.stdout + result.stderr
    # Without its keys a production server refuses to start (it would otherwise invent keys nobody kept).
    del env["MIAOPU_AUDIT_KEY"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603
    assert result.returncode != 0 and "miaopu.E002" in result.stderr + result.stdout
