"""Development: the embedded SQLite database and Django's development server."""

from .base import *  # noqa: F403

DEBUG = True
