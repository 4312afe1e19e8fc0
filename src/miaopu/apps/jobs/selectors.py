"""Reads of jobs. A job belongs to the account that submitted it: nobody else sees it (404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import Job


def job_list(*, user) -> QuerySet[Job]:
    if not (user and user.is_authenticated and user.is_active):
        return Job.objects.none()
    return Job.objects.filter(created_by=user)


def job_get(*, user, pk: int) -> Job:
    return get_object_or_404(job_list(user=user), pk=pk)


def may_download(user, job: Job) -> bool:
    """The owner, while still holding the role and scope the file was made for (a changed scope: no file)."""
    return bool(
        job.result_file
        and job.created_by_id == user.pk
        and job.params.get("_role") == user.role
        and job.params.get("_scope") == user.scope_unit_id
    )
