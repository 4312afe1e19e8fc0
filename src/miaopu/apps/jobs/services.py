"""Submitting jobs from the pages: the checks a page makes before ``runner.enqueue``.

The owner's role and scope are stored with the job, so its result file is served only to the owner while
they still hold that role and scope (``selectors.may_download``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from miaopu.apps.core.audit import Actor

from .models import Job
from .runner import enqueue


def job_submit(*, actor: Actor, kind: str, params: dict[str, Any], key: str | None = None) -> tuple[Job, bool]:
    user = actor.user
    if not (user and user.is_active):
        raise PermissionDenied(_("请先登录。"))
    params = {**params, "_role": user.role, "_scope": user.scope_unit_id}
    return enqueue(kind, params, actor, key=key)
