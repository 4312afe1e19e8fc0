"""Production: every secret from the environment, DEBUG off, secure cookies."""

import os
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False


def _required(name: str) -> str:
    """``NAME`` or the content of the file named by ``NAME_FILE``; a production server never invents it."""
    value = os.environ.get(name, "")
    if not value and os.environ.get(f"{name}_FILE"):
        value = Path(os.environ[f"{name}_FILE"]).read_text().strip()
    if not value:
        raise RuntimeError(f"{name} (or {name}_FILE) must be set for production (docs/operations.md)")
    return value


SECRET_KEY = _required("MIAOPU_SECRET_KEY")
ALLOWED_HOSTS = [h.strip() for h in _required("MIAOPU_ALLOWED_HOSTS").split(",") if h.strip()]
# Static files: fingerprinted and compressed by `collectstatic` (run by `miaopu serve --production`), served by
# WhiteNoise from the application server with far-future cache headers (or by the reverse proxy from STATIC_ROOT).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}  # noqa: F405
# The load balancer's health check talks plain HTTP to each instance.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = os.environ.get("MIAOPU_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("MIAOPU_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False

# Keys must be provided (MIAOPU_AUDIT_KEY, MIAOPU_BACKUP_KEY, MIAOPU_FIELD_KEY, MIAOPU_INDEX_KEY or their key
# files); never invented on a server.
MIAOPU_GENERATE_MISSING_KEYS = False
# The browsers' HSTS preload list is for public domain names; an intranet host name cannot be on it.
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]  # noqa: F405

# Logs: one line per event on stderr (journald / the container log) and, with MIAOPU_LOG_DIR, in miaopu.log there.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MIAOPU_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "WARNING"}, "procrastinate": {"level": "WARNING"}},
}
if os.environ.get("MIAOPU_LOG_DIR"):
    LOGGING["handlers"]["file"] = {
        "class": "logging.handlers.WatchedFileHandler",
        "filename": str(Path(os.environ["MIAOPU_LOG_DIR"]) / "miaopu.log"),
        "formatter": "line",
    }
    LOGGING["root"]["handlers"].append("file")
