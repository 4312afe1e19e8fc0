"""Settings shared by every environment. Environment variables override the defaults.

- ``DATABASE_URL``: ``postgres://user@host:5432/name`` or ``sqlite:////abs/path.sqlite3``;
  default: the embedded SQLite file ``var/miaopu.sqlite3``.
- ``MIAOPU_VAR_DIR``: where the embedded database, secret key and uploads live (default ``<repo>/var``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("MIAOPU_VAR_DIR") or PACKAGE_DIR.parents[1] / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _dev_secret_key() -> str:
    """A per-installation key kept in var/, so development needs no configuration."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("MIAOPU_SECRET_KEY") or _dev_secret_key()
DEBUG = os.environ.get("MIAOPU_DEBUG", "0") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("MIAOPU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "miaopu.apps.core",
    "miaopu.apps.units",
    "miaopu.apps.cadres",
    "miaopu.apps.mentoring",
    "miaopu.apps.accounts",
    "miaopu.apps.exchange",
    "miaopu.apps.programmes",
    "miaopu.apps.matching",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "miaopu.apps.core.middleware.PersonnelCacheControlMiddleware",
]

ROOT_URLCONF = "miaopu.config.urls"
WSGI_APPLICATION = "miaopu.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "miaopu.apps.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'miaopu.sqlite3'}",
        conn_max_age=int(os.environ.get("MIAOPU_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers go on while the demo loader or an import writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(os.environ.get("MIAOPU_MEDIA_DIR") or VAR_DIR / "media")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "miaopu.apps.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "miaopu.apps.core.api.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Miaopu 苗圃 API",
    "DESCRIPTION": "Units, posts, cadres and experience of the organization department's young-cadre system.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One schema name per vocabulary, even where two fields share it (全日制/在职学历, 岗位类别).
    "ENUM_NAME_OVERRIDES": {
        "EducationEnum": "miaopu.apps.core.api.schema.education_choices",
        "DegreeEnum": "miaopu.apps.core.api.schema.degree_choices",
        "PostCategoryEnum": "miaopu.apps.core.api.schema.post_category_choices",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MIAOPU_LOG_LEVEL", "WARNING")},
}

#: Set to 1 only behind a reverse proxy that overwrites X-Forwarded-For (its last entry is then the client).
MIAOPU_TRUST_X_FORWARDED_FOR = os.environ.get("MIAOPU_TRUST_X_FORWARDED_FOR", "0") == "1"

# Personnel rules that are configuration, not code.
MIAOPU = {
    "YOUNG_CADRE_MAX_AGE": int(os.environ.get("MIAOPU_YOUNG_CADRE_MAX_AGE", "35")),
    "CITY_NAME": os.environ.get("MIAOPU_CITY_NAME", ""),
}

_ = _  # gettext_lazy is imported for settings modules that extend this one
