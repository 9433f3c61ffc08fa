"""The record of every analysis run (life circle, bundling, siting) and of the workers
that execute them. The tables keep their first names (``geoapp_…``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AnalysisRun(models.Model):
    """分析运行记录 — parameters, rule-set version, data time, engine, duration and a summary."""

    class Kind(models.TextChoices):
        LIFECIRCLE = "lifecircle", _("15分钟生活圈")
        BUNDLING = "bundling", _("连片改造分区")
        SITING = "siting", _("闲置用地选址")

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("运行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        CANCELLED = "cancelled", _("已取消")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    parameters = models.JSONField(_("参数"), default=dict)
    #: the queued request as given (the service's keyword arguments); ``parameters``
    #: is what the service resolved from it. Re-queuing repeats the request.
    #: None on runs recorded before the field existed
    request = models.JSONField(_("请求参数"), null=True, blank=True, default=None)
    ruleset = models.ForeignKey(
        "lifecircle.RuleSet",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("规则集"),
    )
    ruleset_version = models.PositiveIntegerField(
        _("规则集版本"), null=True, blank=True
    )
    data_time = models.DateTimeField(_("数据时间"), null=True, blank=True)
    engine = models.CharField(_("计算引擎"), max_length=128, blank=True)
    duration_s = models.FloatField(_("耗时（秒）"), null=True, blank=True)
    summary = models.JSONField(_("汇总"), default=dict, blank=True)
    #: what the user sees: a short message naming the run (never a traceback)
    error = models.TextField(_("错误"), blank=True)
    #: the traceback of a failed run, for the log and the admin only
    error_detail = models.TextField(_("错误详情（仅管理员）"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("发起人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    #: the failed run this one repeats (re-queued from the page or the API)
    retry_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retries",
        verbose_name=_("重新排队自"),
    )

    class Meta:
        db_table = "geoapp_analysisrun"
        verbose_name = _("分析运行")
        verbose_name_plural = _("分析运行")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"


class WorkerHeartbeat(models.Model):
    """分析进程心跳 — one row per analysis worker process, refreshed while it lives.

    A run whose worker has not beaten for ``GEOAPP_WORKER_STALE_S`` seconds (or whose
    process is gone, on the same host) is stale: the next worker to start marks it
    failed (``runs.workers.runs_recover_stale``).
    """

    worker_id = models.CharField(_("进程标识"), max_length=64, unique=True)
    hostname = models.CharField(_("主机"), max_length=255)
    pid = models.PositiveIntegerField(_("进程号"))
    started_at = models.DateTimeField(_("启动时间"))
    last_seen = models.DateTimeField(_("最近心跳"), db_index=True)
    stopped_at = models.DateTimeField(_("停止时间"), null=True, blank=True)

    class Meta:
        db_table = "geoapp_workerheartbeat"
        verbose_name = _("分析进程心跳")
        verbose_name_plural = _("分析进程心跳")
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
