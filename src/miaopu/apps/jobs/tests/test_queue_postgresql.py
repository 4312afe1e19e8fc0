"""The PostgreSQL queue itself (procrastinate): a job row and its queue entry commit together, a worker runs the
job once, and a second submission with the same key adds nothing to the queue. Skipped on SQLite."""

from __future__ import annotations

import pytest
from django.db import connection

from miaopu.apps.core.audit import Actor
from miaopu.apps.jobs.models import Job, JobKind, JobStatus
from miaopu.apps.jobs.services import job_submit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_queue(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the job queue runs on PostgreSQL; SQLite runs jobs in the web process")
    settings.MIAOPU_JOBS_BACKEND = "procrastinate"
    settings.MEDIA_ROOT = tmp_path / "media"


def _queue_rows(job_id: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT status FROM procrastinate_jobs WHERE (args->>'job_id')::bigint = %s", [job_id])
        return [row[0] for row in cursor.fetchall()]


def _run_worker() -> None:
    """One worker pass, in a thread of its own, as ``miaopu worker`` runs it: the worker starts its own asyncio
    loop, which it cannot do in this thread when an earlier test (Playwright's sync API) left one running."""
    import threading

    from django.db import connections
    from procrastinate.contrib.django import app

    errors: list[BaseException] = []

    def main() -> None:
        try:
            with app.replace_connector(app.connector.get_worker_connector()):
                app.run_worker(queues=["miaopu"], wait=False, install_signal_handlers=False, listen_notify=False)
        except BaseException as exc:  # handed to the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=main, name="test-worker")
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the worker did not finish its pass"
    if errors:
        raise errors[0]


def test_a_worker_runs_the_queued_job_once(city):
    actor = Actor(user=city.users["orgdept_a"], source="web")
    job, created = job_submit(actor=actor, kind=JobKind.ROSTER_EXPORT, params={}, key="once")
    again, created_again = job_submit(actor=actor, kind=JobKind.ROSTER_EXPORT, params={}, key="once")
    assert created and not created_again and again.pk == job.pk
    assert job.status == JobStatus.QUEUED and job.queue_id and _queue_rows(job.pk) == ["todo"]
    _run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.attempts == 1 and job.result["counts"]["干部"] == 2 and job.result_file
    assert _queue_rows(job.pk) == ["succeeded"]
    # The queue delivering it again (a retry) finds the job finished and runs nothing.
    from miaopu.apps.jobs.runner import run_job

    assert run_job(job.pk) is None and Job.objects.get(pk=job.pk).attempts == 1


def test_a_rolled_back_submission_leaves_nothing_in_the_queue(city):
    from django.db import transaction

    actor = Actor(user=city.users["orgdept"], source="web")
    with pytest.raises(RuntimeError), transaction.atomic():
        job, _ = job_submit(actor=actor, kind=JobKind.ROSTER_EXPORT, params={}, key="gone")
        raise RuntimeError("the request failed after submitting")
    assert not Job.objects.exists() and _queue_rows(job.pk) == []
