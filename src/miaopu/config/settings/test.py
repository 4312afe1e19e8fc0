"""Test settings: fast hashing; DATABASE_URL still chooses SQLite or PostgreSQL."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
ALLOWED_HOSTS = ["*"]
# Jobs run inline so a test sees the finished job; MIAOPU_JOBS_BACKEND=procrastinate tests the queue itself.
MIAOPU_JOBS_BACKEND = os.environ.get("MIAOPU_JOBS_BACKEND", "sync")  # noqa: F405
