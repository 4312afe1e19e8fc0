"""Scale-out check: two application instances and one job worker on one PostgreSQL, driven together.

    .venv/bin/python bench/bench_scaleout.py [--cadres 3000] [--threads 8] [--rounds 25] [--keep]

What it does (everything on loopback, every loop bounded in count and time):

1. creates a scratch database ``miaopu_scaleout`` (dropped first), migrates it and builds a demo city;
2. starts instance A and instance B (``miaopu serve --production``: gunicorn, 2 processes × 4 threads each,
   production settings, sessions and cache in Redis when REDIS_URL/--redis is given, else in PostgreSQL) on two
   ports, and one ``miaopu worker``;
3. drives them together: page and API traffic alternating between A and B with sessions logged in on A only;
   at the same time concurrent edits of the same cadres read on one instance and written on the other (stale
   versions must answer 409, never overwrite); two submissions of the same export with one idempotency key
   through A and B at the same instant; and a roster import started on A and followed on B;
4. checks: no 5xx, no lost update (final version − initial version = successful edits = audit records), one
   job per key, no job run twice, one import audit record, ``miaopu audit verify`` passes; prints the figures.

It prints, never asserts (exit status 1 only if a consistency check fails). The machine is shared: the
load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import psycopg
import requests

BIN = Path(sys.executable).parent
MIAOPU = str(BIN / "miaopu")
PASSWORD = "Miaopu@2026"  # the demo accounts' password (core/demo.py)
DB_NAME = "miaopu_scaleout"
TIME_CAP = 240  # seconds for the whole load phase, whatever the counts


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --- a tiny browser: cookies by hand (the production cookies are Secure, and this talks plain HTTP) -------


class Browser:
    def __init__(self, bases: list[str]) -> None:
        self.bases = bases
        self.cookies: dict[str, str] = {}
        self.http = requests.Session()
        self.http.trust_env = False

    def _headers(self, extra: dict | None = None) -> dict:
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Accept-Language": "zh-hans",
            # As nginx talks to its upstreams by default: one request per connection (no keep-alive race
            # between a server closing an idle connection and a client reusing it).
            "Connection": "close",
        }
        if "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        headers.update(extra or {})
        return headers

    def _keep(self, response: requests.Response) -> None:
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value

    def request(self, method: str, base: str, path: str, **kw) -> requests.Response:
        headers = self._headers(kw.pop("headers", None))
        response = self.http.request(method, base + path, headers=headers, allow_redirects=False, timeout=60, **kw)
        self.http.cookies.clear()
        self._keep(response)
        return response

    def login(self, base: str, username: str) -> None:
        page = self.request("GET", base, "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        answer = self.request(
            "POST", base, "/login/", data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        )
        if answer.status_code != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login failed on {base}: {answer.status_code}")


# --- processes --------------------------------------------------------------------------------------------


class Fleet:
    def __init__(self, env: dict, workdir: Path) -> None:
        self.env = env
        self.workdir = workdir
        self.procs: list[subprocess.Popen] = []

    def start(self, name: str, args: list[str], extra_env: dict | None = None) -> subprocess.Popen:
        out = (self.workdir / f"{name}.log").open("w")
        proc = subprocess.Popen(  # noqa: S603
            args, env={**self.env, **(extra_env or {})}, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs.append(proc)
        log(f"started {name} (pid {proc.pid})")
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)  # the process group this script started, by its id
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def run(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([MIAOPU, *args], env=env, capture_output=True, text=True, timeout=1800)  # noqa: S603
    if check and result.returncode != 0:
        raise RuntimeError(f"miaopu {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def wait_healthy(base: str, seconds: int = 300) -> dict:
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            response = requests.get(base + "/healthz", timeout=5)
            last = response.json()
            if response.status_code == 200:
                return last
        except (requests.RequestException, ValueError):
            pass
        time.sleep(1)
    raise RuntimeError(f"{base} not healthy: {last}")


# --- the phases ---------------------------------------------------------------------------------------------


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.status: Counter = Counter()
        self.errors: list[str] = []

    def add(self, instance: str, kind: str, status: int, seconds: float, path: str) -> None:
        with self.lock:
            self.times[instance].append(seconds)
            self.times[kind].append(seconds)
            self.status[status] += 1
            if status >= 500 or status in (0, 403, 404):
                self.errors.append(f"{instance} {path} → {status}")


def timed(stats: Stats, browser: Browser, label: str, base: str, method: str, path: str, **kw):
    started = time.perf_counter()
    try:
        response = browser.request(method, base, path, **kw)
        status = response.status_code
    except requests.RequestException as exc:
        response, status = None, 0
        stats.errors.append(f"{label} {path}: {exc}")
    page = (path.split("?")[0].strip("/").split("/") or [""])[0] or "home"
    stats.add(label, f"{method} {page}", status, time.perf_counter() - started, path)
    return response


def load_worker(n: int, bases: dict, stats: Stats, cadre_ids: list[int], rounds: int, stop_at: float) -> None:
    browser = Browser(list(bases.values()))
    browser.login(bases["A"], "orgdept")  # logged in on A, used on both: sessions are not in a process
    rng = random.Random(n)
    paths = [
        "/", "/cadres/", "/cadres/?page={p}", "/cadres/{c}/", "/api/cadres/?page={p}", "/api/cadres/{c}/",
        "/jobs/", "/analytics/", "/healthz",
    ]  # fmt: skip
    step = 0
    for _ in range(rounds):
        for template in paths:
            if time.monotonic() > stop_at:
                return
            label = "A" if step % 2 == 0 else "B"
            step += 1
            path = template.format(p=rng.randint(1, 40), c=rng.choice(cadre_ids))
            timed(stats, browser, label, bases[label], "GET", path)


def edit_worker(n: int, bases: dict, targets: list[int], attempts: int, outcome: dict, lock: threading.Lock) -> None:
    browser = Browser(list(bases.values()))
    browser.login(bases["A" if n % 2 else "B"], "orgdept")
    rng = random.Random(1000 + n)
    for i in range(attempts):
        cadre = targets[(n + i) % len(targets)]
        read_on, write_on = ("A", "B") if (n + i) % 2 else ("B", "A")
        current = browser.request("GET", bases[read_on], f"/api/cadres/{cadre}/").json()
        time.sleep(rng.uniform(0, 0.05))
        answer = browser.request(
            "PATCH",
            bases[write_on],
            f"/api/cadres/{cadre}/",
            json={"version": current["version"], "specialties": f"bench {n}-{i}"},
            headers={"Content-Type": "application/json"},
        )
        with lock:
            outcome[cadre][answer.status_code] += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/7"))
    parser.add_argument("--cadres", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--edit-threads", type=int, default=6)
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--ports", default="8101,8102")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database and the work folder")
    parser.add_argument("--reuse", default="", help="a work folder kept by --keep: skip database, demo and static")
    args = parser.parse_args()

    workdir = Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="miaopu-scaleout-"))
    db_url = f"{args.pg}/{DB_NAME}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "miaopu.config.settings.prod",
        "DATABASE_URL": db_url,
        "MIAOPU_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MIAOPU_SSL_REDIRECT": "0",
        "MIAOPU_VAR_DIR": str(workdir / "var"),
        "MIAOPU_STORAGE_DIR": str(workdir / "shared-storage"),
        "MIAOPU_LOG_LEVEL": "WARNING",
        "MIAOPU_WORKERS": "2",
    }
    keys = workdir / "keys.env"  # the run's keys, kept with the work folder so --reuse can read its data
    if not keys.exists():
        keys.write_text(
            f"MIAOPU_SECRET_KEY={secrets.token_urlsafe(50)}\nMIAOPU_AUDIT_KEY={secrets.token_hex(32)}\n"
            f"MIAOPU_BACKUP_KEY={secrets.token_hex(16)}\nMIAOPU_FIELD_KEY={secrets.token_hex(16)}\n"
            f"MIAOPU_INDEX_KEY={secrets.token_hex(32)}\n"
        )
    env.update(line.split("=", 1) for line in keys.read_text().splitlines() if "=" in line)
    if args.redis:
        env["REDIS_URL"] = args.redis
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "MIAOPU_JOBS_BACKEND"):
        env.pop(name, None)

    demo_seconds = 0.0
    if not args.reuse:
        with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{DB_NAME}"')
        log(f"scratch database {DB_NAME}; work folder {workdir}")
        started = time.monotonic()
        run(env, "migrate", "--noinput", "-v", "0")
        log(f"migrated in {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        run(env, "demo", "--cadres", str(args.cadres))
        demo_seconds = time.monotonic() - started
        log(f"demo city of {args.cadres} cadres in {demo_seconds:.1f} s")
        started = time.monotonic()
        run(env, "collectstatic", "--noinput", "-v", "0")  # once: the instances share this var/ here
        log(f"static files collected and compressed in {time.monotonic() - started:.1f} s")

    ports = [int(p) for p in args.ports.split(",")]
    bases = {"A": f"http://127.0.0.1:{ports[0]}", "B": f"http://127.0.0.1:{ports[1]}"}
    fleet = Fleet(env, workdir)
    failures: list[str] = []
    try:
        for label, port in zip(bases, ports, strict=True):
            fleet.start(
                f"instance-{label}",
                [
                    MIAOPU,
                    "serve",
                    "--production",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                    "--threads",
                    "4",
                    "--no-collectstatic",
                ],  # fmt: skip
                {"MIAOPU_INSTANCE": label},
            )
        fleet.start("worker", [MIAOPU, "worker", "--concurrency", "2"])
        health = {label: wait_healthy(base) for label, base in bases.items()}
        log(f"healthy: A {health['A']['queue']}, B {health['B']['queue']}")

        db = psycopg.connect(db_url, autocommit=True)
        cadre_ids = [r[0] for r in db.execute("SELECT id FROM cadres_cadre WHERE status = 'active' ORDER BY id")]
        audit_start = db.execute("SELECT coalesce(max(id), 0) FROM core_auditevent").fetchone()[0]
        targets = random.Random(7).sample(cadre_ids, 4)
        versions_before = dict(db.execute("SELECT id, version FROM cadres_cadre WHERE id = ANY(%s)", [targets]))

        stats = Stats()
        stop_at = time.monotonic() + TIME_CAP
        load_started = time.monotonic()
        pool = cf.ThreadPoolExecutor(max_workers=args.threads + args.edit_threads + 4)
        load = [pool.submit(load_worker, n, bases, stats, cadre_ids, args.rounds, stop_at) for n in range(args.threads)]

        # Concurrent edits of the same four cadres, read on one instance and written on the other.
        outcome: dict = {c: Counter() for c in targets}
        lock = threading.Lock()
        edits = [
            pool.submit(edit_worker, n, bases, targets, args.edits, outcome, lock) for n in range(args.edit_threads)
        ]

        # The jobs come after the edits: importing an export taken before an edit rightly overwrites it.
        for future in edits:
            future.result()
        edits_seconds = time.monotonic() - load_started
        log(f"concurrent edits done in {edits_seconds:.1f} s")

        # The same export submitted through A and B at the same instant with one idempotency key.
        key = secrets.token_urlsafe(12)
        barrier = threading.Barrier(2)

        def submit(label: str) -> str:
            browser = Browser(list(bases.values()))
            browser.login(bases[label], "orgdept")
            browser.request("GET", bases[label], "/jobs/")  # the csrftoken cookie
            barrier.wait()
            answer = browser.request("POST", bases[label], "/jobs/submit/roster_export/", data={"key": key})
            return answer.headers.get("Location", f"status {answer.status_code}")

        locations = list(pool.map(submit, ["A", "B"]))
        same_key_jobs = db.execute("SELECT count(*) FROM jobs_job WHERE idempotency_key LIKE %s", [f"%:{key}"])
        same_key_jobs = same_key_jobs.fetchone()[0]
        export_job = int(re.search(r"/jobs/(\d+)/", locations[0]).group(1))
        log(f"same-key submissions → {locations} ({same_key_jobs} job)")

        def wait_job(job_id: int, browser: Browser, base: str, seconds: int = 600) -> tuple[dict, list]:
            seen = []
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                status = browser.request("GET", base, f"/jobs/{job_id}/status.json").json()
                seen.append((status["stage"], status["percent"]))
                if status["finished"]:
                    return status, seen
                time.sleep(0.3)
            raise RuntimeError(f"job {job_id} did not finish: {status}")

        follower = Browser(list(bases.values()))
        follower.login(bases["B"], "orgdept")
        export_started = time.monotonic()
        export_status, _ = wait_job(export_job, follower, bases["B"])
        export_seconds = time.monotonic() - export_started
        workbook = follower.request("GET", bases["A"], export_status["download_url"]).content
        log(f"export job {export_job}: {export_status['status']} {export_status['message']} ({len(workbook):,} bytes)")

        # A roster import started on A (twice, same form key, through A and B) and followed on B.
        uploader = Browser(list(bases.values()))
        uploader.login(bases["A"], "orgdept")
        page = uploader.request("GET", bases["A"], "/exchange/roster/import/").text
        form_key = re.search(r'name="key" value="([^"]+)"', page).group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        import_barrier = threading.Barrier(2)

        def upload(label: str) -> str:
            import_barrier.wait()
            answer = uploader.request(
                "POST",
                bases[label],
                "/exchange/roster/import/",
                data={"key": form_key, "csrfmiddlewaretoken": token},
                files={"file": ("名册.xlsx", workbook)},
            )
            return answer.headers.get("Location", f"status {answer.status_code}")

        import_locations = list(pool.map(upload, ["A", "B"]))
        import_job = int(re.search(r"/jobs/(\d+)/", import_locations[0]).group(1))
        import_started = time.monotonic()
        import_status, progress_seen = wait_job(import_job, follower, bases["B"])
        import_seconds = time.monotonic() - import_started
        progress_points = len({p for p in progress_seen if p[1] is not None})
        log(f"import job {import_job}: {import_status['status']} {import_status['message']}")

        for future in load:
            future.result()
        load_seconds = time.monotonic() - load_started
        pool.shutdown()

        # --- consistency -------------------------------------------------------------------------------
        versions_after = dict(db.execute("SELECT id, version FROM cadres_cadre WHERE id = ANY(%s)", [targets]))
        audit_counts = dict(
            db.execute(
                "SELECT object_id::bigint, count(*) FROM core_auditevent WHERE id > %s AND category = 'change' "
                "AND action = 'update' AND object_id = ANY(%s) GROUP BY 1",
                [audit_start, [str(t) for t in targets]],
            )
        )
        edit_rows = []
        for cadre in targets:
            ok, conflict = outcome[cadre][200], outcome[cadre][409]
            other = sum(v for k, v in outcome[cadre].items() if k not in (200, 409))
            gained = versions_after[cadre] - versions_before[cadre]
            audited = audit_counts.get(cadre, 0)
            edit_rows.append((cadre, ok, conflict, other, gained, audited))
            if not (gained == ok == audited) or other:
                failures.append(f"cadre {cadre}: {ok} edits succeeded, version +{gained}, {audited} audit records")
        if same_key_jobs != 1 or len(set(locations)) != 1:
            failures.append(f"same key gave {same_key_jobs} jobs: {locations}")
        if len(set(import_locations)) != 1:
            failures.append(f"same import form gave several jobs: {import_locations}")
        twice = db.execute("SELECT count(*) FROM jobs_job WHERE attempts > 1").fetchone()[0]
        queue_dupes = db.execute(
            "SELECT count(*) FROM (SELECT args->>'job_id' FROM procrastinate_jobs WHERE args ? 'job_id' "
            "GROUP BY 1 HAVING count(*) > 1) d"
        ).fetchone()[0]
        imports = db.execute(
            "SELECT count(*) FROM core_auditevent WHERE id > %s AND action = 'import'", [audit_start]
        ).fetchone()[0]
        if twice or queue_dupes:
            failures.append(f"jobs run twice: {twice}, queued twice: {queue_dupes}")
        if imports != 1:
            failures.append(f"{imports} import audit records for one import job")
        five_xx = sum(v for k, v in stats.status.items() if k >= 500 or k == 0)
        if five_xx:
            failures.append(f"{five_xx} server errors: {stats.errors[:5]}")
        verify = run(env, "audit", "verify", check=False)
        if verify.returncode != 0:
            failures.append("audit verify failed")
        events = db.execute("SELECT count(*) FROM core_auditevent WHERE id > %s", [audit_start]).fetchone()[0]
        db.close()

        # --- figures --------------------------------------------------------------------------------------
        def pct(values: list[float], q: float) -> float:
            ordered = sorted(values)
            return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

        total = sum(len(stats.times[k]) for k in ("A", "B"))
        print()
        print(f"## Scale-out run {time.strftime('%Y-%m-%d %H:%M')} UTC — {args.cadres:,} cadres, PostgreSQL + "
              f"{'Redis' if args.redis else 'database'} sessions/cache")  # fmt: skip
        print(f"load average before/after: {LOAD_BEFORE} / {os.getloadavg()[0]:.2f}, {os.getloadavg()[1]:.2f}")
        print()
        print("| figure | value |")
        print("|---|---|")
        print(f"| demo city build | {demo_seconds:.1f} s |")
        print(f"| page/API requests (A + B), {args.threads} threads | {total:,} in {load_seconds:.1f} s "
              f"= {total / load_seconds:.1f} req/s |")  # fmt: skip
        for label in ("A", "B"):
            times = stats.times[label]
            print(f"| instance {label}: requests, median / p95 ms | {len(times):,}, "
                  f"{statistics.median(times) * 1000:.0f} / {pct(times, 0.95):.0f} |")  # fmt: skip
        print(f"| HTTP statuses | {dict(sorted(stats.status.items()))} |")
        print(f"| server errors (5xx or no answer) | {five_xx} |")
        ok_total = sum(r[1] for r in edit_rows)
        conflicts = sum(r[2] for r in edit_rows)
        print(f"| concurrent edits of 4 cadres across A/B | {ok_total} saved, {conflicts} refused 409, "
              f"{sum(r[3] for r in edit_rows)} other |")  # fmt: skip
        print(f"| lost updates (version gain ≠ saved ≠ audit) | "
              f"{sum(1 for r in edit_rows if not (r[4] == r[1] == r[5]))} |")  # fmt: skip
        print(f"| same-key export through A and B at once | {same_key_jobs} job; finished in {export_seconds:.1f} s |")
        print(f"| roster import of {args.cadres:,} cadres (same form twice, A and B) | "
              f"{len(set(import_locations))} job, {imports} import record, {import_seconds:.1f} s, "
              f"{progress_points} progress points seen on B |")  # fmt: skip
        print(f"| jobs run more than once | {twice} |")
        print(f"| audit records written during the run; `miaopu audit verify` | {events:,}; "
              f"{'OK' if verify.returncode == 0 else 'FAILED'} |")  # fmt: skip
        print()
        for cadre, ok, conflict, other, gained, audited in edit_rows:
            print(f"cadre {cadre}: saved {ok}, 409 {conflict}, other {other}; version +{gained}; audit {audited}")
        print(verify.stdout.strip().splitlines()[-1] if verify.stdout.strip() else verify.stderr.strip()[-300:])
        print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")  # noqa: S607
        if failures:
            print("\nCONSISTENCY FAILURES:")
            for line in failures:
                print(" -", line)
    finally:
        fleet.stop()
        if not args.keep:
            with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            log(f"kept {DB_NAME} and {workdir}")
    return 1 if failures else 0


LOAD_BEFORE = ", ".join(f"{x:.2f}" for x in os.getloadavg()[:2])

if __name__ == "__main__":
    sys.exit(main())
