"""Background jobs: inline on the test settings, never run twice, progress, owner-only pages and files, /healthz."""

from __future__ import annotations

import io
import json

import pytest
from django.db import connection
from django.urls import reverse
from python_calamine import CalamineWorkbook

from miaopu.apps.core.audit import Actor
from miaopu.apps.core.models import AuditEvent
from miaopu.apps.jobs import runner
from miaopu.apps.jobs.models import Job, JobKind, JobStatus
from miaopu.apps.jobs.runner import Outcome, ProgressReporter, enqueue, run_job
from miaopu.apps.jobs.services import job_submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _export(city, role="orgdept", key=None, **params):
    user = city.users[role]
    return job_submit(actor=Actor(user=user, source="web"), kind=JobKind.ROSTER_EXPORT, params=params, key=key)


def _rows(content: bytes, sheet: str) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_name(sheet).to_python()


def test_enqueue_on_the_test_settings_runs_at_once_and_keeps_the_file(city, client_for):
    job, created = _export(city)
    assert created and job.status == JobStatus.SUCCEEDED and job.backend == "sync"
    assert job.attempts == 1 and job.finished_at is not None and job.percent == 100
    client = client_for("orgdept")
    response = client.get(reverse("jobs:job_download", args=[job.pk]))
    assert response.status_code == 200 and response["Cache-Control"].startswith("no-store")
    codes = {row[0] for row in _rows(b"".join(response.streaming_content), "干部")[1:]}
    # Exactly the cadres the city account sees (the roster export's scope), no more.
    assert len(codes) == job.result["counts"]["干部"] == 6
    assert AuditEvent.objects.filter(object_type="jobs.job", object_id=str(job.pk), action="export").count() == 1


def test_a_district_export_holds_the_district_only(city, client_for):
    job, _ = _export(city, role="orgdept_a")
    response = client_for("orgdept_a").get(reverse("jobs:job_download", args=[job.pk]))
    assert job.result["counts"]["干部"] == 2 and response.status_code == 200


def test_same_key_gives_one_job_and_a_finished_job_never_runs_again(city):
    first, created_first = _export(city, key="k1")
    second, created_second = _export(city, key="k1")
    assert created_first and not created_second and first.pk == second.pk
    assert Job.objects.count() == 1
    # The same key from another user is another job (keys are per user).
    other, created_other = _export(city, role="orgdept_a", key="k1")
    assert created_other and other.pk != first.pk
    events = AuditEvent.objects.count()
    assert run_job(first.pk) is None  # finished: a retry of the queue does nothing
    assert AuditEvent.objects.count() == events and Job.objects.get(pk=first.pk).attempts == 1


def test_job_pages_and_files_belong_to_the_owner(city, client_for):
    job, _ = _export(city)
    urls = [reverse(name, args=[job.pk]) for name in ("jobs:job_detail", "jobs:job_status", "jobs:job_download")]
    owner = client_for("orgdept")
    assert [owner.get(u).status_code for u in urls] == [200, 200, 200]
    for role in ("orgdept_a", "officer_b", "officer_town_a", "mentor", "cadre", "sysadmin", "auditor"):
        assert [client_for(role).get(u).status_code for u in urls] == [404, 404, 404], role
    assert job.pk not in [j.pk for j in client_for("orgdept_a").get(reverse("jobs:job_list")).context["jobs"]]
    assert [j.pk for j in owner.get(reverse("jobs:job_list")).context["jobs"]] == [job.pk]
    # Moved to another scope: the file (made for the old scope) is no longer served, the page still is.
    user = city.users["orgdept"]
    user.scope_unit = city.district_a
    user.save()
    assert owner.get(urls[2]).status_code == 404
    status = owner.get(urls[1]).json()
    assert status["download_url"] is None and status["status"] == "succeeded"


def test_submit_endpoint_checks_role_and_unit(city, client_for):
    url = reverse("jobs:job_submit", args=[JobKind.ROSTER_EXPORT])
    response = client_for("orgdept_a").post(url, {"unit": city.district_b.pk})
    assert response.status_code == 404 and not Job.objects.exists()
    assert client_for("mentor").post(url).status_code == 403
    assert client_for("orgdept").post(reverse("jobs:job_submit", args=["nope"])).status_code == 404
    response = client_for("orgdept_a").post(url, {"unit": city.town_a.pk, "key": "x"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:job_detail", args=[job.pk])
    assert job.params["unit"] == city.town_a.pk and job.status == JobStatus.SUCCEEDED
    assert job.result["counts"]["干部"] == 2  # town_a and its village
    assert client_for("officer_b").post(reverse("jobs:job_submit", args=[JobKind.GROWTH_PDFS])).status_code == 403


def test_growth_pdfs_of_a_unit(city, client_for):
    import zipfile

    client = client_for("orgdept_a")
    response = client.post(reverse("jobs:job_submit", args=[JobKind.GROWTH_PDFS]), {"unit": city.town_a.pk})
    job = Job.objects.get()
    assert response.status_code == 302 and job.status == JobStatus.SUCCEEDED, job.message
    data = b"".join(client.get(reverse("jobs:job_download", args=[job.pk])).streaming_content)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert len(names) == job.result["cadres"] == 2 and all(n.endswith(".pdf") for n in names)


@pytest.mark.django_db(transaction=True)
def test_progress_is_written_and_shown(city, client_for):
    job = Job.objects.create(kind=JobKind.ROSTER_EXPORT, idempotency_key="p", created_by=city.users["orgdept"])
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    report = ProgressReporter(job.pk)
    report("写入干部", 10, 400)
    report("写入干部", 20, 400)  # within the interval: skipped
    job.refresh_from_db()
    assert (job.stage, job.done, job.total, job.percent) == ("写入干部", 10, 400, 2)
    report("写入干部", 400, 400)  # the last row always writes
    status = client_for("orgdept").get(reverse("jobs:job_status", args=[job.pk])).json()
    assert status["done"] == 400 and status["percent"] == 100 and status["finished"] is False
    report.close()


def test_progress_inside_a_transaction_on_sqlite_is_skipped_not_blocking(city):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite behaviour")
    job = Job.objects.create(
        kind=JobKind.ROSTER_EXPORT, idempotency_key="q", created_by=city.users["orgdept"], status=JobStatus.RUNNING
    )
    from django.db import transaction

    with transaction.atomic():
        ProgressReporter(job.pk)("写入", 5, 10)
    job.refresh_from_db()
    assert job.done == 0


def test_a_failing_job_is_retried_then_marked_failed(city, settings, monkeypatch):
    calls = []

    def boom(job, actor, progress):
        calls.append(job.attempts)
        raise RuntimeError("磁盘已满")

    monkeypatch.setitem(runner.HANDLERS, "boom", runner.JobSpec(handler=boom))
    settings.MIAOPU_JOBS_BACKEND = "procrastinate"
    job = Job.objects.create(kind="boom", idempotency_key="b", created_by=city.users["orgdept"])
    for _attempt in range(runner.MAX_ATTEMPTS - 1):
        with pytest.raises(RuntimeError):
            run_job(job.pk)
        job.refresh_from_db()
        assert job.status == JobStatus.QUEUED and "稍后自动重试" in job.message
    finished = run_job(job.pk)
    assert finished.status == JobStatus.FAILED and "磁盘已满" in finished.message
    assert calls == [1, 2, 3]
    assert run_job(job.pk) is None


def test_permission_lost_before_the_run_fails_the_job(city, monkeypatch):
    user = city.users["orgdept"]
    monkeypatch.setattr(runner, "backend", lambda: "queue-later")  # created, not run
    job, _ = enqueue(JobKind.ROSTER_EXPORT, {}, Actor(user=user))
    assert job.status == JobStatus.QUEUED
    user.is_active = False
    user.save()
    done = run_job(job.pk)
    assert done.status == JobStatus.FAILED and done.message and not done.result_file


def test_healthz_reports_database_and_queue_without_login(client, monkeypatch):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"
    assert body["database"]["ok"] is True and body["queue"]["backend"] == "sync" and body["queue"]["queued"] == 0
    assert response["Cache-Control"].startswith("no-store")
    assert "cadre" not in json.dumps(body)

    def down(*args, **kwargs):
        raise RuntimeError("connection refused")

    monkeypatch.setattr(connection, "cursor", down)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["database"]["ok"] is False


def test_healthz_fails_when_the_queue_has_no_worker(client, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the procrastinate queue needs PostgreSQL")
    settings.MIAOPU_JOBS_BACKEND = "procrastinate"
    body = client.get("/healthz").json()
    assert body["status"] == "fail" and body["queue"]["workers"] == 0


def test_outcome_file_lands_in_the_shared_storage(city, settings, monkeypatch):
    monkeypatch.setitem(
        runner.HANDLERS, "file", runner.JobSpec(handler=lambda j, a, p: Outcome(file_bytes=b"abc", file_name="a.txt"))
    )
    job = Job.objects.create(kind="file", idempotency_key="f", created_by=city.users["orgdept"])
    job = run_job(job.pk)
    path = runner.media_path(job.result_file)
    assert path.read_bytes() == b"abc" and str(path).startswith(str(settings.MEDIA_ROOT))
    assert oct(path.stat().st_mode & 0o777) == "0o600"


@pytest.mark.django_db(transaction=True)
def test_the_thread_backend_runs_the_job_after_the_request(city, settings):
    """The embedded-SQLite default: the request returns at once, a thread of the web process runs the job."""
    import threading
    import time

    settings.MIAOPU_JOBS_BACKEND = "thread"
    job, created = _export(city, role="orgdept_a", key="t")
    assert created and job.backend == "thread"
    # Wait for the job's thread without reading meanwhile: the test database is SQLite's shared-cache in-memory
    # database, where a read during the thread's write transaction fails with "table is locked" (a file database
    # in WAL mode, as `make run` uses, lets readers through).
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        running = [t for t in threading.enumerate() if t.name == f"miaopu-job-{job.pk}"]
        if not running:
            break
        running[0].join(timeout=0.5)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.result["counts"]["干部"] == 2 and runner.media_path(job.result_file).exists()


def test_the_exchange_page_offers_the_background_jobs(client_for):
    html = client_for("orgdept").get(reverse("exchange:index")).content.decode()
    assert reverse("jobs:job_submit", args=[JobKind.ROSTER_EXPORT]) in html
    assert reverse("jobs:job_submit", args=[JobKind.GROWTH_PDFS]) in html
    html = client_for("officer_b").get(reverse("exchange:index")).content.decode()
    assert reverse("jobs:job_submit", args=[JobKind.GROWTH_PDFS]) not in html
    menu = client_for("officer_b").get(reverse("jobs:job_list")).content.decode()
    assert "我的任务" in menu


@pytest.mark.django_db(transaction=True)
def test_an_import_job_reports_progress_and_keeps_it(city, client_for):
    """The importer's progress callback reaches the job row (on PostgreSQL through the reporter's own connection,
    while the import's transaction is open) and the finished job keeps its last stage with done = total."""
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile

    from miaopu.apps.cadres.models import Cadre
    from miaopu.apps.exchange.tests.helpers import roster
    from miaopu.domain.idcard import make_id_number

    birth = dt.date(1995, 3, 2)
    rows = [
        {"人员编号": f"JOB{n:03d}", "姓名": f"任务{n}", "性别": "女", "出生日期": birth, "政治面貌": "群众",
         "身份证号": make_id_number("440802", birth, 20 + 2 * n), "现工作单位": "东湖区青石镇"}
        for n in range(3)
    ]  # fmt: skip
    client = client_for("orgdept")
    upload = SimpleUploadedFile("三人.xlsx", roster(cadres=rows), content_type="application/octet-stream")
    response = client.post(reverse("exchange:roster_import"), {"file": upload}, follow=True)
    job = Job.objects.get(kind=JobKind.ROSTER_IMPORT)
    assert job.status == JobStatus.SUCCEEDED, job.result.get("issues")
    assert Cadre.objects.filter(code__startswith="JOB").count() == 3
    assert job.stage and job.done == job.total and job.percent == 100
    assert dict(job.result["counts"])["干部"]["created"] == 3
    html = response.content.decode()
    assert "导入完成" in html and "任务在后台运行" not in html
    assert not list(runner.storage_dir("input").iterdir())  # the upload is removed once the job has finished


def test_a_thread_job_whose_web_process_died_is_failed_not_left_running(city, client_for, settings):
    """``make run`` stopped mid-import: its job would show 执行中 for ever; the task pages now fail it with why."""
    import subprocess
    import sys

    settings.MIAOPU_JOBS_BACKEND = "thread"  # the embedded-SQLite installation, where jobs run in web threads

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process id that no longer runs
    user = city.users["orgdept"]

    def job(token, status=JobStatus.RUNNING):
        return Job.objects.create(
            kind=JobKind.ROSTER_EXPORT, created_by=user, idempotency_key=f"orphan-{token}-{status}",
            backend="thread", status=status, params={"_runner": token},
        )  # fmt: skip

    import socket

    dead = job(f"{socket.gethostname()}:{gone.pid}:abcd1234")
    queued_dead = job(f"{socket.gethostname()}:{gone.pid}:abcd1234", JobStatus.QUEUED)
    ours = job(runner.PROCESS_TOKEN)
    elsewhere = job(f"another-host:{gone.pid}:abcd1234")
    done = job(f"{socket.gethostname()}:{gone.pid}:abcd1234", JobStatus.SUCCEEDED)
    page = client_for("orgdept").get(f"/jobs/{dead.pk}/")
    assert page.status_code == 200
    for record in (dead, queued_dead, ours, elsewhere, done):
        record.refresh_from_db()
    assert dead.status == queued_dead.status == JobStatus.FAILED
    assert "服务进程已停止" in dead.message and dead.finished_at is not None
    assert "服务进程已停止" in page.content.decode()
    assert ours.status == JobStatus.RUNNING  # this process runs it
    assert elsewhere.status == JobStatus.RUNNING  # another host: cannot tell, left alone
    assert done.status == JobStatus.SUCCEEDED
    assert runner.reap_orphans() == 0  # nothing left to reap


def test_thread_jobs_carry_their_process(city, settings, monkeypatch):
    settings.MIAOPU_JOBS_BACKEND = "thread"
    monkeypatch.setattr(runner, "_start_thread", lambda job_id: None)  # not run here: only the row is checked
    job, _created = _export(city, key="who")
    assert job.params["_runner"] == runner.PROCESS_TOKEN


def test_a_failed_import_job_lists_its_issues_on_its_page(city, client_for):
    issue = {"level": "error", "location": "干部 第 3 行", "header": "出生日期", "value": "1990-13-01",
             "message": "日期不存在，请按 YYYY-MM-DD 填写"}  # fmt: skip
    job = Job.objects.create(
        kind=JobKind.ROSTER_IMPORT, created_by=city.users["orgdept"], idempotency_key="issues-page",
        status=JobStatus.FAILED, result={"issues": [issue], "errors": 1, "warnings": 0},
    )  # fmt: skip
    page = client_for("orgdept").get(f"/jobs/{job.pk}/").content.decode()
    assert "data-issues" in page and "问题及修改方法" in page
    for text in ("干部 第 3 行", "出生日期", "1990-13-01", "日期不存在，请按 YYYY-MM-DD 填写"):
        assert text in page, text


def test_other_backends_never_reap(city, settings):
    """A PostgreSQL installation's worker jobs are the queue's business: the polled pages touch nothing."""
    import socket
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process id on this host that no longer runs: under the thread backend it would be reaped
    settings.MIAOPU_JOBS_BACKEND = "procrastinate"
    job = Job.objects.create(
        kind=JobKind.ROSTER_EXPORT, created_by=city.users["orgdept"], idempotency_key="not-ours",
        backend="thread", status=JobStatus.RUNNING, params={"_runner": f"{socket.gethostname()}:{gone.pid}:x"},
    )  # fmt: skip
    assert runner.reap_orphans() == 0
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
