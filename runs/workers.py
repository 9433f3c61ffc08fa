"""Analysis worker processes: heartbeats, and the runs a dead worker left behind.

Each ``manage.py analysis_worker`` process has a :class:`~runs.models.WorkerHeartbeat`
row that a thread refreshes every ``GEOAPP_WORKER_HEARTBEAT_S`` seconds. A worker is
alive while its row is fresh (younger than ``GEOAPP_WORKER_STALE_S``) and, when it ran
on this host, while its process exists. A task claimed by a worker that is not alive
is stale: :func:`runs_recover_stale` (called whenever a worker starts, and after the
database comes back) marks the task and its run failed, with a message that says the
run can be queued again. Results are stored in one transaction with the run's ``done``
status, so a killed worker leaves none of them behind.

The queue itself (django-tasks-db) claims a task with ``SELECT … FOR UPDATE SKIP
LOCKED`` and sets it running in the same transaction: two workers never take the same
task.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from runs.lifecycle import RunInterrupted, run_fail
from runs.models import AnalysisRun, WorkerHeartbeat

log = logging.getLogger(__name__)

#: the task every analysis run is queued as (runs.queue.analysis_run_execute)
RUN_TASK_PATH = "runs.queue.analysis_run_execute"
HOSTNAME = socket.gethostname()


def heartbeat_s() -> float:
    return float(settings.GEOAPP_WORKER_HEARTBEAT_S)


def stale_s() -> float:
    return float(settings.GEOAPP_WORKER_STALE_S)


def worker_register(worker_id: str) -> WorkerHeartbeat:
    """The row of a worker process that is starting (this process)."""
    now = timezone.now()
    beat, _created = WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": HOSTNAME[:255],
            "pid": os.getpid(),
            "started_at": now,
            "last_seen": now,
            "stopped_at": None,
        },
    )
    return beat


def worker_beat(worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen=timezone.now())


def worker_stop(worker_id: str) -> None:
    """A worker that stops cleanly says so (it is no longer counted as alive)."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(
        stopped_at=timezone.now()
    )


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def _alive(beat: WorkerHeartbeat, now) -> bool:
    if beat.stopped_at is not None:
        return False
    if now - beat.last_seen > timedelta(seconds=stale_s()):
        return False
    return not (beat.hostname == HOSTNAME and not _process_exists(beat.pid))


def workers_alive() -> list[WorkerHeartbeat]:
    """Worker processes that are alive now (fresh heartbeat, process present)."""
    now = timezone.now()
    since = now - timedelta(seconds=stale_s())
    beats = WorkerHeartbeat.objects.filter(stopped_at=None, last_seen__gte=since)
    return [b for b in beats if _alive(b, now)]


def workers_available() -> int | None:
    """Living analysis workers; None when runs execute at once in the request (the
    immediate backend of the tests and of a single-process setup): nothing waits."""
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    if backend.endswith("ImmediateBackend"):
        return None
    return len(workers_alive())


def runs_recover_stale(*, dead: tuple[str, ...] = ()) -> list[int]:
    """Fail the tasks (and their runs) claimed by workers that are no longer alive.

    ``dead`` names worker ids to treat as dead whatever their heartbeat says (a
    worker recovering its own tasks after losing the database). Returns the ids of
    the runs marked failed. Safe to call from several workers at once: each stale
    task is locked (``SKIP LOCKED``) by the one that fails it.
    """
    now = timezone.now()
    alive = {b.worker_id for b in workers_alive()} - set(dead)
    failed: list[int] = []
    with transaction.atomic():
        tasks = list(
            DBTaskResult.objects.select_for_update(skip_locked=True).filter(
                status=TaskResultStatus.RUNNING
            )
        )
        for task in tasks:
            worker = task.worker_ids[-1] if task.worker_ids else ""
            if worker in alive:
                continue
            beat = WorkerHeartbeat.objects.filter(worker_id=worker).first()
            seen = beat.last_seen if beat else task.started_at
            if beat is None and seen and now - seen < timedelta(seconds=stale_s()):
                continue  # a worker of an older version, without heartbeat: wait
            exc = RunInterrupted(
                _(
                    "分析进程在运行中停止（进程 %(w)s，最后心跳 %(t)s），结果未保存；"
                    "可重新排队。"
                )
                % {
                    "w": worker[:12] or "?",
                    "t": timezone.localtime(seen).strftime("%H:%M:%S") if seen else "?",
                }
            )
            task.set_failed(exc)
            if task.task_path != RUN_TASK_PATH:
                continue
            args = (task.args_kwargs or {}).get("args") or [None]
            run = AnalysisRun.objects.filter(
                pk=args[0],
                status__in=(AnalysisRun.Status.PENDING, AnalysisRun.Status.RUNNING),
            ).first()
            if run is None:
                continue
            run_fail(run, exc)
            failed.append(run.pk)
            log.warning(
                "run %s marked failed: its worker %s is gone", run.pk, worker or "?"
            )
    return failed
