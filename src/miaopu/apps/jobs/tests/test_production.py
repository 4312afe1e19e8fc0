"""Production settings: DEBUG off, settings from the environment, nothing kept in one process (sessions, cache,
lockouts), static files from WhiteNoise, and `miaopu serve --production` starting gunicorn, not runserver."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest

SHOW = (
    "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({"
    "'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, 'cache': s.CACHES['default']['BACKEND'], "
    "'session': s.SESSION_ENGINE, 'axes': s.AXES_HANDLER, 'static': s.STORAGES['staticfiles']['BACKEND'], "
    "'db': s.DATABASES['default']['ENGINE'], 'jobs': s.MIAOPU_JOBS_BACKEND, 'media': str(s.MEDIA_ROOT), "
    "'apps': s.INSTALLED_APPS, 'middleware': s.MIDDLEWARE, 'secret': s.SECRET_KEY}))"
)


def _env(tmp_path, **extra) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "miaopu.config.settings.prod",
        "MIAOPU_ALLOWED_HOSTS": "miaopu.example.gov,10.1.2.3",
        "MIAOPU_AUDIT_KEY": secrets.token_hex(32),
        "MIAOPU_BACKUP_KEY": secrets.token_hex(16),
        "MIAOPU_FIELD_KEY": secrets.token_hex(16),
        "MIAOPU_INDEX_KEY": secrets.token_hex(32),
        "MIAOPU_VAR_DIR": str(tmp_path / "var"),
        **extra,
    }
    for name in ("DATABASE_URL", "REDIS_URL", "MIAOPU_JOBS_BACKEND", "MIAOPU_SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        if name not in extra:
            env.pop(name, None)
    return env


def _settings(env: dict) -> dict:
    result = subprocess.run([sys.executable, "-c", SHOW], env=env, capture_output=True, text=True, timeout=120)  # noqa: S603
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_settings_come_from_the_environment(tmp_path):
    key_file = tmp_path / "secret"
    key_file.write_text("k" * 60 + "\n")
    env = _env(
        tmp_path,
        MIAOPU_SECRET_KEY_FILE=str(key_file),
        DATABASE_URL="postgres://miaopu@db.example:5432/miaopu",
        REDIS_URL="redis://127.0.0.1:6379/3",
        MIAOPU_STORAGE_DIR=str(tmp_path / "shared"),
    )
    s = _settings(env)
    assert s["debug"] is False and s["hosts"] == ["miaopu.example.gov", "10.1.2.3"] and s["secret"] == "k" * 60
    assert s["db"] == "django.db.backends.postgresql" and s["jobs"] == "procrastinate"
    assert "procrastinate.contrib.django" in s["apps"] and s["media"] == str(tmp_path / "shared")
    assert s["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert s["session"] == "django.contrib.sessions.backends.cached_db"
    assert s["axes"] == "axes.handlers.database.AxesDatabaseHandler"
    assert s["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert s["middleware"][1] == "whitenoise.middleware.WhiteNoiseMiddleware"
    # Without Redis: the database holds the cache and the sessions (never local memory or files).
    s = _settings(_env(tmp_path, MIAOPU_SECRET_KEY="x" * 60))
    assert s["cache"] == "django.core.cache.backends.db.DatabaseCache"
    assert s["session"] == "django.contrib.sessions.backends.db" and s["jobs"] == "thread"


@pytest.mark.parametrize("missing", ["MIAOPU_SECRET_KEY", "MIAOPU_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secret_or_hosts(tmp_path, missing):
    env = _env(tmp_path, MIAOPU_SECRET_KEY="x" * 60)
    env.pop(missing)
    result = subprocess.run([sys.executable, "-c", SHOW], env=env, capture_output=True, text=True, timeout=120)  # noqa: S603
    assert result.returncode != 0 and missing in result.stderr


def test_serve_production_runs_gunicorn_with_several_workers(tmp_path):
    env = _env(tmp_path, MIAOPU_SECRET_KEY="x" * 60)
    env["DJANGO_SETTINGS_MODULE"] = "miaopu.config.settings.dev"  # what the `miaopu` script defaults to
    command = [sys.executable, "-m", "miaopu.cli", "serve", "--production", "--workers", "3", "--dry-run"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    gunicorn = next(line for line in lines if "gunicorn" in line)
    assert "miaopu.config.wsgi:application" in gunicorn and "--workers 3" in gunicorn and "runserver" not in gunicorn
    assert any("collectstatic" in line for line in lines) and any("check --deploy" in line for line in lines)
    assert lines[-1] == "DJANGO_SETTINGS_MODULE=miaopu.config.settings.prod"
