"""Settings for the server that ``bench_dashboard.py`` starts: the base settings with DEBUG off.

Development settings turn DEBUG on (every query kept in memory, debug templates), and production settings
insist on HTTPS, which a loopback benchmark does not have. ``DATABASE_URL`` chooses the database as usual.
"""

import os

from miaopu.config.settings.base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
#: ``bench_dashboard.py --cache-seconds`` (the dashboard's figure cache; default 60 as in service).
MIAOPU_ANALYTICS_CACHE_SECONDS = int(os.environ.get("MIAOPU_ANALYTICS_CACHE_SECONDS", "60"))
