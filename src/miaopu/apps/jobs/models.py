"""A background job: one long piece of work (a roster import, a 100k-row export, a unit's growth-file PDFs,
the daily alert refresh) with its owner, its progress and its result.

The row is the single truth about the job for every instance: the page polls it, the worker updates it, and
its unique ``idempotency_key`` makes a second submission of the same work (a double click, a retried request,
two instances racing) find the first job instead of creating another.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobKind(models.TextChoices):
    ROSTER_IMPORT = "roster_import", _("导入干部名册")
    ROSTER_EXPORT = "roster_export", _("导出干部名册")
    GROWTH_PDFS = "growth_pdfs", _("导出单位成长档案（PDF）")
    ALERTS_REFRESH = "alerts_refresh", _("刷新预警")
    BATCH_MATCHING = "batch_matching", _("批次人岗匹配")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED)


class Job(models.Model):
    kind = models.CharField(_("类型"), max_length=40, choices=JobKind.choices)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    stage = models.CharField(_("阶段"), max_length=100, blank=True)
    done = models.BigIntegerField(_("已处理"), default=0)
    total = models.BigIntegerField(_("总数"), default=0)
    message = models.TextField(_("说明"), blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    #: Path of the result file relative to MEDIA_ROOT (the shared storage directory); empty when none.
    result_file = models.CharField(_("结果文件"), max_length=300, blank=True)
    result_name = models.CharField(_("下载文件名"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    idempotency_key = models.CharField(_("幂等键"), max_length=100, unique=True)
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=0)
    backend = models.CharField(_("执行方式"), max_length=20, blank=True)
    queue_id = models.BigIntegerField(_("队列编号"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="jobs_owner_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int | None:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.total:
            return None
        return max(0, min(100, int(self.done * 100 / self.total)))
