"""The run timeout: a run still pending or running ``GEOAPP_RUN_TIMEOUT_S`` seconds
after it was queued is marked failed with a sentence that says so (it can be queued
again). Its worker, if any, stops at its next step and stores nothing
(``runs.lifecycle.RunStopped``).

Checked whenever a run's status is read (the page polls it), when a user queues a run
(overdue runs do not count against their limit) and by every living worker's heartbeat.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from runs.models import AnalysisRun

log = logging.getLogger(__name__)

WAITING = (AnalysisRun.Status.PENDING, AnalysisRun.Status.RUNNING)


def timeout_s() -> float:
    return float(settings.GEOAPP_RUN_TIMEOUT_S)


def timeout_message(run: AnalysisRun) -> str:
    minutes = max(1, round(timeout_s() / 60))
    where = _("排队") if run.status == AnalysisRun.Status.PENDING else _("运行")
    return _(
        "分析 #%(id)s 超时：%(where)s超过 %(min)s 分钟仍未完成，已标记为失败，"
        "未保存结果；可重新排队。"
    ) % {"id": run.pk, "where": where, "min": minutes}


def runs_expire(*, run_id: int | None = None, user_id: int | None = None) -> list[int]:
    """Mark failed the overdue runs (all, one, or one user's); their ids."""
    since = timezone.now() - timedelta(seconds=timeout_s())
    qs = AnalysisRun.objects.filter(status__in=WAITING, created_at__lt=since)
    if run_id is not None:
        qs = qs.filter(pk=run_id)
    if user_id is not None:
        qs = qs.filter(created_by_id=user_id)
    failed = []
    with transaction.atomic():
        for run in qs.select_for_update(skip_locked=True):
            run.error = timeout_message(run)
            run.status = AnalysisRun.Status.FAILED
            run.finished_at = timezone.now()
            run.duration_s = (run.finished_at - run.created_at).total_seconds()
            run.save(update_fields=["status", "error", "finished_at", "duration_s"])
            failed.append(run.pk)
    if failed:
        log.warning("runs %s failed by the timeout (%.0f s)", failed, timeout_s())
    return failed
