"""Background analyses: a run is recorded as pending, then a worker (django-tasks-db,
PostgreSQL-backed: `manage.py db_worker`) executes it and fills in status and progress.

Every kind of analysis registers itself (``runs.registry.run_kind_register``,
in its app's ``ready``): how its request is checked, which service executes it and
which districts it covers.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from accounts import permissions
from runs.lifecycle import RunStopped, run_check_going, run_fail
from runs.models import AnalysisRun
from runs.registry import run_kind_get
from runs.timeouts import runs_expire

#: queued or running analyses one user may have at a time (issue: bounds)
MAX_PENDING_PER_USER = 5


def _progress(run_id: int):
    """The service's ``progress(pct, label)``: records the step, and stops a run that
    was cancelled or failed by its timeout meanwhile (:class:`RunStopped`)."""

    def report(pct: int, label: str) -> None:
        run_check_going(run_id)
        AnalysisRun.objects.filter(pk=run_id, status=AnalysisRun.Status.RUNNING).update(
            progress=int(pct)
        )

    return report


@task()
def analysis_run_execute(run_id: int) -> int:
    """Execute a queued run; failures are recorded on the run (status failed + message)."""
    run = AnalysisRun.objects.select_related("created_by").get(pk=run_id)
    if run.status != AnalysisRun.Status.PENDING:
        return run_id  # cancelled (or failed by its timeout) while it waited
    # the service checks again, as whoever asked (a command's runs: the system)
    user = run.created_by or permissions.SYSTEM
    try:
        spec = run_kind_get(run.kind)
        extra = {"progress": _progress(run_id)} if spec.reports_progress else {}
        spec.execute(
            run=run,
            user=user,
            **(run.parameters if run.request is None else run.request),
            **extra,
        )
    except RunStopped:
        pass  # cancelled or timed out: the run says so, nothing was stored
    except Exception as exc:  # recorded for the page; the worker keeps running
        run.refresh_from_db()
        if run.status != AnalysisRun.Status.FAILED:
            run_fail(run, exc)
    return run_id


def analysis_run_enqueue(
    *, kind: str, parameters: dict[str, Any], user=None, retry_of=None
) -> AnalysisRun:
    """Queue an analysis for the worker, as ``user``: checked at once (bad input raises
    ValueError/ValidationError, nothing is queued), planners only (a district planner
    for their own district), at most :data:`MAX_PENDING_PER_USER` pending per user."""
    spec = run_kind_get(kind)
    kwargs = spec.validate(parameters)
    actor = permissions.check_analysis(user, spec.scope(kwargs), _("运行分析"))
    with transaction.atomic():
        if actor.user_id is not None:
            runs_expire(user_id=actor.user_id)  # overdue runs do not count
            # the user's row lock serialises two requests of the same user
            get_user_model().objects.select_for_update().filter(
                pk=actor.user_id
            ).first()
            pending = AnalysisRun.objects.filter(
                created_by_id=actor.user_id,
                status__in=(AnalysisRun.Status.PENDING, AnalysisRun.Status.RUNNING),
            ).count()
            if pending >= MAX_PENDING_PER_USER:
                raise permissions.LimitExceeded(
                    _("您已有 %(n)d 个分析在排队或运行，请等待完成后再提交。")
                    % {"n": pending},
                    retry_after=30,
                )
        run = AnalysisRun.objects.create(
            kind=kind,
            status=AnalysisRun.Status.PENDING,
            parameters=kwargs,
            request=kwargs,
            created_by=permissions.user_of(user),
            retry_of=retry_of,
        )
    analysis_run_execute.enqueue(run.pk)
    run.refresh_from_db()
    return run


def analysis_run_requeue(*, run_id: int, user=None) -> AnalysisRun:
    """Queue a failed run again (same kind and parameters), as ``user``, with the same
    checks as a new request; the failed run stays in the record (``retry_of``)."""
    run = AnalysisRun.objects.get(pk=run_id)
    if run.status != AnalysisRun.Status.FAILED:
        raise ValueError(
            _("只能重新排队失败的分析（分析 #%(id)s 的状态：%(s)s）。")
            % {"id": run.pk, "s": run.get_status_display()}
        )
    return analysis_run_enqueue(
        kind=run.kind,
        parameters=dict(run.parameters if run.request is None else run.request),
        user=user,
        retry_of=run,
    )


def analysis_run_cancel(*, run_id: int, user=None) -> AnalysisRun:
    """Cancel a pending or running analysis, as ``user``: planners, a district planner
    only for a run of their district (the same rule as queuing it). A pending run is
    never started; a running one stops at its next step and stores nothing."""
    with transaction.atomic():
        run = AnalysisRun.objects.select_for_update().get(pk=run_id)
        spec = run_kind_get(run.kind)
        request = run.parameters if run.request is None else run.request
        actor = permissions.check_analysis(user, spec.scope(request), _("取消分析"))
        if run.status not in (
            AnalysisRun.Status.PENDING,
            AnalysisRun.Status.RUNNING,
        ):
            raise ValueError(
                _("只能取消排队中或运行中的分析（分析 #%(id)s 的状态：%(s)s）。")
                % {"id": run.pk, "s": run.get_status_display()}
            )
        run.status = AnalysisRun.Status.CANCELLED
        run.error = _("分析 #%(id)s 已由 %(who)s 取消，未保存结果。") % {
            "id": run.pk,
            "who": actor.username or actor.label(),
        }
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
    return run
