"""Locust users for ``bench_dashboard.py``: 组织部 staff opening the dashboard, the roster and searches.

Run by ``bench_dashboard.py`` (which starts the server and reads the results); by hand::

    MIAOPU_BENCH_DISTRICT=12 locust -f bench/locustfile.py --headless -u 20 -r 20 -t 60s \
        --host http://127.0.0.1:8765

Environment: ``MIAOPU_BENCH_ACCOUNTS`` (``orgdept:3,orgdept_donghu:1``: accounts and their share of the users),
``MIAOPU_BENCH_PASSWORD`` (the demo password), ``MIAOPU_BENCH_SURNAME`` (searched name), ``MIAOPU_BENCH_NAMES``
(name fragments searched instead, comma-separated, e.g. ``陈文,林晓``), ``MIAOPU_BENCH_DISTRICT``
(a district's unit id for the combined filter), ``MIAOPU_BENCH_MAX_REQUESTS`` (stop after this many requests),
``MIAOPU_BENCH_WAIT`` (think time between requests, seconds, ``min,max``), ``MIAOPU_BENCH_SESSIONS``
(``account=session key`` pairs made beforehand; without them each user signs in with the password).

Every request must answer 200 without a redirect (a redirect means the session was refused): anything else is
counted as a failure.
"""

from __future__ import annotations

import itertools
import os
import random
import re
from urllib.parse import quote

from locust import HttpUser, between, events, task


def _accounts() -> list[str]:
    plan = []
    for part in os.environ.get("MIAOPU_BENCH_ACCOUNTS", "orgdept:3,orgdept_donghu:1").split(","):
        name, _sep, share = part.partition(":")
        plan += [name.strip()] * int(share or 1)
    return plan


_NEXT_ACCOUNT = itertools.cycle(_accounts())
#: ``account=sessionkey`` pairs made by bench_dashboard.py (one per user), used instead of a password login.
_SESSIONS = (
    iter([tuple(pair.split("=", 1)) for pair in os.environ["MIAOPU_BENCH_SESSIONS"].split(",") if "=" in pair])
    if os.environ.get("MIAOPU_BENCH_SESSIONS")
    else None
)
_WAIT = [float(x) for x in os.environ.get("MIAOPU_BENCH_WAIT", "0.2,0.8").split(",")]
_MAX_REQUESTS = int(os.environ.get("MIAOPU_BENCH_MAX_REQUESTS", "0") or 0)
#: Name fragments searched (``MIAOPU_BENCH_NAMES``, comma-separated).
_NAMES = [n for n in os.environ.get("MIAOPU_BENCH_NAMES", "").split(",") if n]
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@events.request.add_listener
def _stop_after_max(context=None, **kwargs) -> None:
    """Bound the run by a request count as well as by time."""
    environment = getattr(_stop_after_max, "environment", None)
    if not _MAX_REQUESTS or environment is None or environment.runner is None:
        return
    if environment.runner.stats.total.num_requests >= _MAX_REQUESTS:
        environment.runner.quit()


@events.init.add_listener
def _remember(environment, **kwargs) -> None:
    _stop_after_max.environment = environment


class Officer(HttpUser):
    wait_time = between(_WAIT[0], _WAIT[-1])

    def on_start(self) -> None:
        self.surname = quote(os.environ.get("MIAOPU_BENCH_SURNAME", "陈"))
        self.district = os.environ.get("MIAOPU_BENCH_DISTRICT", "")
        session = next(_SESSIONS, None) if _SESSIONS is not None else None
        if session is not None:
            # A session made beforehand by bench_dashboard.py (Django's own login, outside the measured run):
            # twenty password hashes at the start would otherwise dominate a short run on two cores.
            self.account, key = session
            self.client.cookies.set("sessionid", key)
            return
        self.account = next(_NEXT_ACCOUNT)
        page = self.client.get("/login/", name="登录页")
        token = _CSRF.search(page.text)
        data = {
            "username": self.account,
            "password": os.environ.get("MIAOPU_BENCH_PASSWORD", "Miaopu@2026"),
            "csrfmiddlewaretoken": token.group(1) if token else "",
        }
        with self.client.post("/login/", data=data, name="登录", headers={"Referer": self.host + "/login/"},
                              allow_redirects=False, catch_response=True) as response:  # fmt: skip
            if response.status_code != 302 or "/login/" in response.headers.get("Location", ""):
                response.failure(f"{self.account}: 登录失败 {response.status_code}")

    def _get(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}")

    # -- the dashboard (target: 1 s)

    @task(2)
    def dashboard(self) -> None:
        self._get("/analytics/", "看板 /analytics/")

    @task(1)
    def home(self) -> None:
        self._get("/", "首页（含看板）/")

    # -- lists and searches (target: 300 ms at the 95th percentile)

    @task(3)
    def roster(self) -> None:
        self._get("/cadres/", "名单 /cadres/")

    @task(2)
    def combined_filter(self) -> None:
        unit = f"&unit={self.district}" if self.district else ""
        self._get(f"/cadres/?age_max=35&gender=female{unit}", "组合筛选 /cadres/?age_max&gender&unit")

    @task(3)
    def search(self) -> None:
        # What a clerk types to find someone: a surname and the first given-name character (``MIAOPU_BENCH_NAMES``,
        # picked from the city's own names by bench_dashboard.py); the bare surname if no list was given.
        query = quote(random.choice(_NAMES)) if _NAMES else self.surname
        self._get(f"/cadres/?q={query}", "姓名检索 /cadres/?q=")

    @task(1)
    def api_page(self) -> None:
        self._get("/api/cadres/?page=1", "接口 /api/cadres/")

    @task(1)
    def no_rural(self) -> None:
        self._get("/cadres/?age_max=35&rural=no", "无乡村经历 /cadres/?age_max=35&rural=no")

    @task(1)
    def alerts(self) -> None:
        self._get("/analytics/alerts/", "预警列表 /analytics/alerts/")
