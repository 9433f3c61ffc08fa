"""The lifecycle of an analysis run, the same for every kind: started (or the queued
record filled in), finished together with its results, or failed with a message for
the user and the traceback for the log."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from runs.models import AnalysisRun

log = logging.getLogger(__name__)


class RunInterrupted(Exception):
    """The run stopped without finishing (its worker died): the message is for the user."""


class RunStopped(Exception):
    """The run was cancelled, or failed by its timeout, while it waited or ran: the
    worker stops at its next step, stores nothing and leaves the status as it is."""


#: a run in one of these statuses is finished: a worker never starts or completes it
ENDED = (
    AnalysisRun.Status.DONE,
    AnalysisRun.Status.FAILED,
    AnalysisRun.Status.CANCELLED,
)


def run_check_going(run_id: int) -> None:
    """Raise :class:`RunStopped` if run ``run_id`` was cancelled or failed meanwhile
    (by a planner, or by its timeout); called at every step of a running analysis."""
    status = (
        AnalysisRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
    )
    if status in (AnalysisRun.Status.CANCELLED, AnalysisRun.Status.FAILED):
        msg = f"analysis run {run_id} is {status}: stopped"
        raise RunStopped(msg)


#: errors whose message is written for the user (bad input named by the service)
USER_ERRORS = (ValueError, ValidationError, RunInterrupted)


def run_start(*, run: AnalysisRun | None = None, **fields: Any) -> AnalysisRun:
    """Create a run record, or fill in a queued one (the background worker's) with ``fields``."""
    if run is None:
        return AnalysisRun.objects.create(**fields)
    fields.pop("created_by", None)  # the queued run already names who asked for it
    with transaction.atomic():
        # a run cancelled (or timed out) while it waited is never started
        status = (
            AnalysisRun.objects.select_for_update()
            .filter(pk=run.pk)
            .values_list("status", flat=True)
            .first()
        )
        if status in ENDED:
            msg = f"analysis run {run.pk} is {status}: not started"
            raise RunStopped(msg)
        for name, value in fields.items():
            setattr(run, name, value)
        run.save()
    return run


def run_error_message(run_id: int | None, exc: BaseException) -> str:
    """The short message a user sees: the service's own words for bad input, else a
    sentence with the run id (the traceback is in the log and the admin)."""
    if isinstance(exc, ValidationError):
        text = " ".join(exc.messages)
    elif isinstance(exc, ValueError | RunInterrupted):
        text = str(exc)
    else:
        text = ""
    if text:
        return _("分析 #%(id)s 未完成：%(why)s") % {"id": run_id, "why": text[:500]}
    return _("分析 #%(id)s 失败（内部错误，已记录，请联系管理员）。") % {"id": run_id}


def run_fail(
    run: AnalysisRun, exc: BaseException, started: float | None = None
) -> None:
    """Record ``run`` as failed: a short message for the user, the traceback for the
    log and the admin."""
    detail = "".join(traceback.format_exception(exc))
    if not isinstance(exc, USER_ERRORS):
        log.error("analysis run %s failed\n%s", run.pk, detail)
    run.status = AnalysisRun.Status.FAILED
    run.error = run_error_message(run.pk, exc)
    run.error_detail = detail
    run.finished_at = timezone.now()
    if started is not None:
        run.duration_s = time.perf_counter() - started
    run.save()


class RunRecord:
    """The lifecycle of one run inside :func:`run_recorded`: its record, its clock,
    and :meth:`finishing`, the one place a run becomes ``done``."""

    def __init__(self, run: AnalysisRun, started: float) -> None:
        self.run = run
        self.started = started

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    @contextmanager
    def finishing(self) -> Iterator[AnalysisRun]:
        """The body's writes and the run's ``done`` commit together: a worker killed
        in between leaves neither (the next worker then fails the run). The body sets
        the summary (and any other field) on the yielded run."""
        with transaction.atomic():
            yield self.run
            run = self.run
            # cancelled or timed out meanwhile: the body's writes roll back. The row
            # lock makes a concurrent cancel wait for this commit (then it is done)
            status = (
                AnalysisRun.objects.select_for_update()
                .filter(pk=run.pk)
                .values_list("status", flat=True)
                .first()
            )
            if status != AnalysisRun.Status.RUNNING:
                msg = f"analysis run {run.pk} is {status}: results not stored"
                raise RunStopped(msg)
            run.status = AnalysisRun.Status.DONE
            run.progress = 100
            run.duration_s = self.elapsed()
            run.finished_at = timezone.now()
            run.save()


@contextmanager
def run_recorded(
    *, run: AnalysisRun | None = None, offset_s: float = 0.0, **fields: Any
) -> Iterator[RunRecord]:
    """Record one analysis run: start it (or fill in the queued one) as ``running``
    with ``fields``; the body computes and stores inside ``rec.finishing()``; any
    exception marks the run failed (:func:`run_fail`) and propagates. ``offset_s`` is
    time the service spent before the record began (counted in the duration)."""
    fields["status"] = AnalysisRun.Status.RUNNING
    rec = RunRecord(run_start(run=run, **fields), time.perf_counter() - offset_s)
    try:
        yield rec
        if rec.run.status != AnalysisRun.Status.DONE:
            msg = f"analysis run {rec.run.pk} ended without finishing()"
            raise RuntimeError(msg)
    except RunStopped:
        raise  # cancelled or failed by its timeout: the status says so already
    except Exception as exc:
        run_fail(rec.run, exc, rec.started)
        raise
