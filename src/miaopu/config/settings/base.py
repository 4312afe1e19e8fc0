"""Settings shared by every environment. Environment variables override the defaults.

- ``DATABASE_URL``: ``postgres://user@host:5432/name`` or ``sqlite:////abs/path.sqlite3``;
  default: the embedded SQLite file ``var/miaopu.sqlite3``.
- ``MIAOPU_VAR_DIR``: where the embedded database, secret key and uploads live (default ``<repo>/var``).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
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
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "miaopu.apps.core",
    "miaopu.apps.units",
    "miaopu.apps.cadres",
    "miaopu.apps.mentoring",
    "miaopu.apps.accounts",
    "miaopu.apps.exchange",
    "miaopu.apps.programmes",
    "miaopu.apps.assessments",
    "miaopu.apps.pools",
    "miaopu.apps.growth",
    "miaopu.apps.matching",
    "miaopu.apps.analytics",
    "miaopu.apps.training",
    "miaopu.apps.fieldwork",
    "miaopu.apps.jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files from the app server, compressed and cached
    "miaopu.apps.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "miaopu.apps.accounts.middleware.AccountSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "miaopu.apps.core.middleware.PersonnelCacheControlMiddleware",
    "axes.middleware.AxesMiddleware",
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

# --- Stateless instances (docs/operations.md) --------------------------------------------------------------
# Sessions, the cache (axes lockouts use the database), locks and job state live in the database or Redis, never
# in one process's memory, so any instance behind the proxy can answer any request.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "miaopu_cache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

# Background jobs (miaopu.apps.jobs): "procrastinate" (PostgreSQL queue + `miaopu worker`), "thread" (in the web
# process, the embedded SQLite default, so `make run` stays one command) or "sync" (inline, for tests).
_ON_POSTGRESQL = DATABASES["default"]["ENGINE"].endswith("postgresql")
MIAOPU_JOBS_BACKEND = os.environ.get("MIAOPU_JOBS_BACKEND") or ("procrastinate" if _ON_POSTGRESQL else "thread")
if _ON_POSTGRESQL:
    INSTALLED_APPS.insert(INSTALLED_APPS.index("miaopu.apps.jobs"), "procrastinate.contrib.django")
PROCRASTINATE_IMPORT_PATHS = ["miaopu.apps.jobs.tasks"]
PROCRASTINATE_AUTODISCOVER_MODULE_NAME = ""

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# GB/T 22239-2019 §8.1.4.1 (identity): the password rules, lockout, session limits and second factor.
# See docs/security.md for the clause each one answers.
AUTHENTICATION_BACKENDS = [
    "miaopu.apps.accounts.backends.LockoutBackend",  # django-axes: refuses a locked-out user name first
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "miaopu.apps.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "miaopu.apps.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "miaopu.apps.accounts.validators.NotContainingUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Also records every new password's hash (and when it was set): keep it in the list.
    {"NAME": "miaopu.apps.accounts.validators.PasswordHistoryValidator", "OPTIONS": {"history": 5}},
]
#: Days before a password must be changed (accounts whose password was never set through Django never expire).
MIAOPU_PASSWORD_MAX_AGE_DAYS = 90

# django-axes: 5 failures on one user name lock it for 30 minutes, whatever address they come from.
AXES_ENABLED = True
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for the address as well: a lock per address would shut out a whole office behind one NAT
# address; GB/T 22239 §8.1.4.1 b asks for the account to be locked, which a new address does not undo.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lock ends 30 minutes after it began
AXES_LOCKOUT_CALLABLE = "miaopu.apps.accounts.views.lockout_response"
AXES_CLIENT_IP_CALLABLE = "miaopu.apps.accounts.backends.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # successes and failures are in the audit trail already
AXES_VERBOSE = False

# Sessions: 30 minutes idle and 8 hours at most from the login (accounts.middleware, which also renews the
# stored session's expiry once a minute while it is used), a new session id at login (Django's login()).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False  # renewed by the middleware once a minute instead of 3 queries per request
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
MIAOPU_SESSION_IDLE_SECONDS = 30 * 60
MIAOPU_SESSION_MAX_SECONDS = 8 * 60 * 60

# Second factor (TOTP, django-otp), required per role by the security administrator.
OTP_TOTP_ISSUER = "Miaopu"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise serves from here once `collectstatic` has filled it
#: Uploads, import reports and job results: a directory shared by every instance (NFS or the like) in production.
MEDIA_ROOT = Path(os.environ.get("MIAOPU_STORAGE_DIR") or os.environ.get("MIAOPU_MEDIA_DIR") or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content Security Policy (django-csp): only this server's own scripts, styles and images; no inline script,
# no inline style, no framing, forms post only here. The API documentation pages get a relaxed policy
# (core.middleware.ContentSecurityPolicyMiddleware) because the bundled Swagger UI and Redoc need it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Keys (crypto.py): from MIAOPU_AUDIT_KEY / MIAOPU_BACKUP_KEY, else these files. Development creates a
# missing file (mode 0600); production settings refuse to and fail instead.
MIAOPU_KEY_FILES = {
    "audit": Path(os.environ.get("MIAOPU_AUDIT_KEY_FILE") or VAR_DIR / "audit.key"),
    "backup": Path(os.environ.get("MIAOPU_BACKUP_KEY_FILE") or VAR_DIR / "backup.key"),
    # Field encryption (SM4-GCM) and the blind indexes of encrypted columns (HMAC-SM3): core/fields.py.
    "field": Path(os.environ.get("MIAOPU_FIELD_KEY_FILE") or VAR_DIR / "field.key"),
    "index": Path(os.environ.get("MIAOPU_INDEX_KEY_FILE") or VAR_DIR / "index.key"),
}
MIAOPU_GENERATE_MISSING_KEYS = True
MIAOPU_BACKUP_DIR = Path(os.environ.get("MIAOPU_BACKUP_DIR") or VAR_DIR / "backups")

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
        "GrowthEntryKindEnum": "miaopu.apps.growth.models.EntryKind",
        "PunishmentKindEnum": "miaopu.apps.growth.models.PunishmentKind",
        "AssessmentKindEnum": "miaopu.apps.assessments.choices.CycleKind",
        "AssessmentSourceEnum": "miaopu.apps.assessments.choices.EntrySource",
        "PoolEntrySourceEnum": "miaopu.apps.pools.models.EntrySource",
        "LedgerStatusEnum": "miaopu.apps.fieldwork.models.LEDGER_STATUS_CHOICES",
        "CadreStatusEnum": "miaopu.apps.core.api.schema.cadre_status_choices",
        "CadreSourceEnum": "miaopu.apps.core.api.schema.cadre_source_choices",
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
