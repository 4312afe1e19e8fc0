"""Submit and run background jobs: ``enqueue(kind, params, actor)`` and ``run_job(job_id)``.

Three ways to run a job, chosen by ``settings.MIAOPU_JOBS_BACKEND``:

``procrastinate`` (PostgreSQL, the production default)
    The job row and the queue entry (procrastinate's ``procrastinate_jobs`` table, through Django's own
    connection) are written in one transaction, so a job exists in the queue exactly when its row exists.
    ``miaopu worker`` (any number, on any host) runs it; a failed attempt is retried by the queue.
``thread`` (the embedded SQLite default)
    The web process runs the job in a background thread after the commit, so ``make run`` stays one command
    and the page still returns at once and shows the progress bar. One process only: this is the
    development and single-server fallback, not the scale-out path.
``sync``
    Inline, before ``enqueue`` returns (tests, management commands).

Never twice: ``run_job`` first claims the row; a finished job is never run again. An import writes its data
and marks its job succeeded in one PostgreSQL transaction, so a retry after a crash either finds the job
finished or finds nothing written — an import is never applied twice. A second submission with the same
idempotency key returns the first job.

Progress: handlers call ``progress(stage, done, total)``. On PostgreSQL the reporter writes through a
connection of its own in autocommit, so the page sees the numbers while the import's transaction is still
open; on SQLite (one writer at a time) the numbers written inside the final write transaction are skipped
and the bar jumps to the end when it commits.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, close_old_connections, connections, models, transaction
from django.db.utils import load_backend
from django.utils import timezone
from django.utils.translation import gettext as _

from miaopu.apps.core.audit import Actor

from .models import Job, JobStatus

log = logging.getLogger("miaopu.jobs")

#: Attempts before a job that raised is marked failed (procrastinate retries in between).
MAX_ATTEMPTS = 3
#: Seconds between two progress writes (a stage change or the last row always writes).
PROGRESS_INTERVAL = 0.5


@dataclass
class Outcome:
    """What a handler hands back: success or not, a message for the page, data, an optional result file."""

    ok: bool = True
    message: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    file_bytes: bytes | None = None
    file_path: Path | None = None  # a file already written under storage_dir() (large exports)
    file_name: str = ""


@dataclass(frozen=True)
class JobSpec:
    handler: Callable[[Job, Actor, Callable[[str, int, int], None]], Outcome]
    #: Run the handler and the job's completion in one transaction (PostgreSQL): for jobs that write data.
    atomic: bool = False


HANDLERS: dict[str, JobSpec] = {}


def register(kind: str, *, atomic: bool = False):
    def wrap(func):
        HANDLERS[kind] = JobSpec(handler=func, atomic=atomic)
        return func

    return wrap


def backend() -> str:
    return getattr(settings, "MIAOPU_JOBS_BACKEND", "sync")


# --- storage ------------------------------------------------------------------------------------------


def storage_dir(*parts: str) -> Path:
    """``MEDIA_ROOT/jobs/…``: the storage directory every instance and worker shares."""
    folder = Path(settings.MEDIA_ROOT, "jobs", *parts)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_input(data: bytes, suffix: str = ".bin") -> str:
    """Keep an uploaded file for a job; returns its path relative to MEDIA_ROOT."""
    name = f"{uuid.uuid4().hex}{suffix}"
    path = storage_dir("input") / name
    path.write_bytes(data)
    path.chmod(0o600)
    return str(path.relative_to(settings.MEDIA_ROOT))


def media_path(relative: str) -> Path:
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise PermissionDenied
    return path


# --- submitting -------------------------------------------------------------------------------------------


def new_key() -> str:
    return secrets.token_urlsafe(18)


def enqueue(kind: str, params: dict[str, Any], actor: Actor, *, key: str | None = None) -> tuple[Job, bool]:
    """Create the job (or find the one already submitted with ``key``) and hand it to the backend.

    Returns ``(job, created)``. ``key`` is the client's idempotency key (the upload form carries one); it is
    namespaced by the user, so two users can never collide. The queue entry is written in the same
    transaction as the row (procrastinate), after the commit (thread) or run at once (sync).
    """
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    owner = actor.user.pk if actor.user else 0
    full_key = f"{owner}:{key or new_key()}"[:100]
    params = {**params, "_source": str(actor.source), "_ip": actor.ip}
    mode = backend()
    if mode == "thread":
        params["_runner"] = PROCESS_TOKEN
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind, params=params, created_by=actor.user, idempotency_key=full_key, backend=mode
            )
            if mode == "procrastinate":
                from .tasks import run_job_task

                job.queue_id = run_job_task.configure(queueing_lock=f"job-{job.pk}").defer(job_id=job.pk)
                job.save(update_fields=["queue_id"])
    except IntegrityError:
        existing = Job.objects.filter(idempotency_key=full_key).first()
        if existing is None:
            raise
        return existing, False
    if mode == "thread":
        transaction.on_commit(lambda: _start_thread(job.pk))
    elif mode == "sync":
        run_job(job.pk)
        job.refresh_from_db()
    return job, True


#: Who runs a ``thread`` job: this host, this process, and a nonce (a reused process id is not this process).
PROCESS_TOKEN = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def _runner_alive(token: str) -> bool | None:
    """Whether the process that took a thread job still runs (None: another host, cannot tell)."""
    if token == PROCESS_TOKEN:
        return True
    host, _sep, rest = token.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return None
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def reap_orphans() -> int:
    """Fail the ``thread`` jobs whose web process has gone (stopped or restarted mid-job), with the reason.

    A thread job lives in its web process; if that process ends, nobody will finish the job, and without this it
    would show 执行中 for ever. Imports write everything in one transaction at the end, so such a job wrote nothing.
    Called when the task pages are read (the progress bar polls them every second), so with any other backend it
    does nothing at all: only this installation's own thread jobs can be orphaned this way."""
    if backend() != "thread":
        return 0
    stale = Job.objects.filter(backend="thread", status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).only("params")
    dead = [job.pk for job in stale if _runner_alive(str(job.params.get("_runner", ""))) is False]
    if dead:
        Job.objects.filter(pk__in=dead, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
            status=JobStatus.FAILED,
            message=_("执行该任务的服务进程已停止（重启或退出），任务没有完成，也未写入数据。请重新提交。"),
            finished_at=timezone.now(),
        )
    return len(dead)


def _start_thread(job_id: int) -> None:
    def main() -> None:
        try:
            run_job(job_id)
        finally:
            close_old_connections()
            for conn in connections.all(initialized_only=True):
                conn.close()

    threading.Thread(target=main, name=f"miaopu-job-{job_id}", daemon=True).start()


# --- running ----------------------------------------------------------------------------------------------


def _claim(job_id: int) -> Job | None:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.finished:
            return None
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or timezone.now()
        job.message = ""
        job.save(update_fields=["status", "attempts", "started_at", "message", "updated_at"])
        return job


def _actor(job: Job) -> Actor:
    return Actor(user=job.created_by, source=job.params.get("_source") or "web", ip=job.params.get("_ip"))


def run_job(job_id: int, *, final_attempt: bool | None = None) -> Job | None:
    """Run one job if it is not finished; returns it, or None when there was nothing to do.

    An exception in the handler is retried by the queue (the job goes back to 排队中) until ``MAX_ATTEMPTS``;
    then, or at once outside procrastinate, the job is marked failed with the reason.
    """
    job = _claim(job_id)
    if job is None:
        return None
    spec = HANDLERS[job.kind]
    reporter = ProgressReporter(job.pk)
    on_postgresql = connections["default"].vendor == "postgresql"
    outer = transaction.atomic() if spec.atomic and on_postgresql else contextlib.nullcontext()
    last = backend() != "procrastinate" or job.attempts >= MAX_ATTEMPTS
    if final_attempt is not None:
        last = final_attempt
    try:
        with outer:
            outcome = spec.handler(job, _actor(job), reporter)
            _finish(job, outcome)
    except PermissionDenied as exc:
        _finish(job, Outcome(ok=False, message=str(exc) or _("您没有权限执行此任务。")))
    except Exception as exc:
        log.exception("job %s (%s) failed on attempt %s", job.pk, job.kind, job.attempts)
        if not last:
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.QUEUED,
                message=_("第 %(n)s 次执行出错（%(why)s），稍后自动重试。") % {"n": job.attempts, "why": exc},
            )
            raise
        _finish(job, Outcome(ok=False, message=_("任务出错：%(why)s。未写入任何数据，请重新提交。") % {"why": exc}))
    finally:
        reporter.close()
    job.refresh_from_db()
    return job


def _finish(job: Job, outcome: Outcome) -> None:
    if outcome.file_bytes is not None or outcome.file_path is not None:
        if outcome.file_path is None:
            path = storage_dir("results") / f"{job.pk}-{secrets.token_hex(8)}"
            path.write_bytes(outcome.file_bytes or b"")
            path.chmod(0o600)
        else:
            path = outcome.file_path
        job.result_file = str(path.relative_to(settings.MEDIA_ROOT))
        job.result_name = outcome.file_name[:200]
    if job.params.get("input"):
        # The upload is not needed once the job has finished (for good: after the commit).
        stored = media_path(job.params["input"])
        transaction.on_commit(lambda: stored.unlink(missing_ok=True))
    job.status = JobStatus.SUCCEEDED if outcome.ok else JobStatus.FAILED
    job.message = outcome.message
    job.result = outcome.result
    job.finished_at = timezone.now()
    # Not the progress fields: the reporter may have written them through its own connection since.
    job.save(update_fields=["result_file", "result_name", "status", "message", "result", "finished_at", "updated_at"])
    if outcome.ok:
        Job.objects.filter(pk=job.pk, total__gt=0).update(done=models.F("total"))


# --- progress ---------------------------------------------------------------------------------------------


def _in_transaction(conn) -> bool:
    """True inside a transaction the application opened (a test case's wrapping transaction does not count)."""
    return conn.in_atomic_block and any(not getattr(a, "_from_testcase", False) for a in conn.atomic_blocks)


class ProgressReporter:
    """``reporter(stage, done, total)``: throttled writes of the job's progress where other requests see them."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.stage = None
        self.last = 0.0
        self.side = None  # PostgreSQL: a connection of our own, in autocommit

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage == self.stage and now - self.last < PROGRESS_INTERVAL and not (total and done >= total):
            return
        self.stage, self.last = stage, now
        self.write(str(stage)[:100], int(done), int(total))

    def write(self, stage: str, done: int, total: int) -> None:
        conn = connections["default"]
        if not _in_transaction(conn):
            Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(
                stage=stage, done=done, total=total, updated_at=timezone.now()
            )
            return
        if conn.vendor != "postgresql":
            return  # SQLite inside the write transaction: another writer would wait for the lock
        try:
            if self.side is None:
                settings_dict = copy.deepcopy(conn.settings_dict)
                self.side = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "jobs-progress")
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {Job._meta.db_table} SET stage = %s, done = %s, total = %s, updated_at = %s "  # noqa: S608
                    "WHERE id = %s AND status = %s",
                    [stage, done, total, timezone.now(), self.job_id, JobStatus.RUNNING],
                )
        except Exception:  # progress is a courtesy: never let it break the job
            log.warning("progress of job %s not written", self.job_id, exc_info=True)

    def close(self) -> None:
        if self.side is not None:
            with contextlib.suppress(Exception):
                self.side.close()
            self.side = None
