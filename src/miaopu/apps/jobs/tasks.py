"""The procrastinate tasks (PostgreSQL backend). Imported by procrastinate's Django app only.

``run_job_task`` runs one ``Job`` row; its retries are the queue's, bounded by ``runner.MAX_ATTEMPTS``, and
``run_job`` makes every retry safe (a finished job is never run again). Two periodic tasks: the daily alert
refresh (01:15) and a sweep that puts jobs of a worker that died (no heartbeat for 10 minutes) back in the
queue.
"""

from __future__ import annotations

import datetime as dt
import logging

from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

log = logging.getLogger("miaopu.jobs")

QUEUE = "miaopu"
STALLED_SECONDS = 600


@app.task(queue=QUEUE, name="miaopu.run_job", retry=RetryStrategy(max_attempts=2, wait=10))
def run_job_task(job_id: int) -> None:
    from django.db import close_old_connections, connections

    from .runner import run_job

    close_old_connections()
    try:
        run_job(job_id)
    finally:
        connections.close_all()  # this worker thread's connections: a job is long, the next one reconnects


@app.periodic(cron="15 1 * * *", periodic_id="daily-alerts")
@app.task(queue=QUEUE, name="miaopu.daily_alerts", queueing_lock="daily-alerts")
def daily_alerts(timestamp: int) -> None:
    from miaopu.apps.core.audit import Actor

    from .models import JobKind
    from .runner import enqueue

    day = dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).date().isoformat()
    enqueue(JobKind.ALERTS_REFRESH, {"as_of": None}, Actor.system(), key=f"daily-alerts-{day}")


@app.periodic(cron="*/5 * * * *", periodic_id="retry-stalled")
@app.task(queue=QUEUE, name="miaopu.retry_stalled", pass_context=True)
async def retry_stalled(context, timestamp: int) -> None:
    stalled = await context.app.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_SECONDS)
    for job in stalled:
        log.warning("job %s of a dead worker goes back to the queue", job.id)
        await context.app.job_manager.retry_job(job)
