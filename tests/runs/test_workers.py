"""Stale runs: a task claimed by a worker that is gone is failed with its run; a living
worker's is left alone; a failed run is queued again with its request."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from accounts.models import Role
from accounts.permissions import SYSTEM
from runs import workers
from runs.models import AnalysisRun, WorkerHeartbeat
from runs.queue import analysis_run_requeue
from tests import factories

pytestmark = pytest.mark.django_db


def claimed(run: AnalysisRun, worker_id: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": [run.pk], "kwargs": {}},
        task_path=workers.RUN_TASK_PATH,
        backend_name="default",
        run_after=get_date_max(),
        worker_ids=[worker_id],
        started_at=timezone.now(),
    )


def heartbeat(worker_id: str, **kw) -> WorkerHeartbeat:
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        hostname=kw.pop("hostname", socket.gethostname()),
        pid=kw.pop("pid", os.getpid()),
        started_at=now,
        last_seen=kw.pop("last_seen", now),
        **kw,
    )


def test_only_the_dead_workers_runs_are_failed(settings):
    settings.GEOAPP_WORKER_STALE_S = 30
    alive = AnalysisRun.objects.create(kind="lifecircle", status="running")
    silent = AnalysisRun.objects.create(kind="bundling", status="running")
    vanished = AnalysisRun.objects.create(kind="siting", status="running")
    heartbeat("alive")
    heartbeat("silent", last_seen=timezone.now() - timedelta(seconds=90))
    heartbeat("vanished", pid=2**22 + 4321)  # fresh, but no such process here
    tasks = {
        r.pk: claimed(r, w)
        for r, w in ((alive, "alive"), (silent, "silent"), (vanished, "vanished"))
    }
    failed = workers.runs_recover_stale()
    assert sorted(failed) == sorted([silent.pk, vanished.pk])
    for run in (silent, vanished):
        run.refresh_from_db()
        assert run.status == "failed"
        assert "可重新排队" in run.error
        assert run.finished_at is not None
        tasks[run.pk].refresh_from_db()
        assert tasks[run.pk].status == "FAILED"
    alive.refresh_from_db()
    assert alive.status == "running"
    # a second pass finds nothing more to do
    assert workers.runs_recover_stale() == []
    # a worker that lost the database names itself: its own tasks are failed too
    assert workers.runs_recover_stale(dead=("alive",)) == [alive.pk]


def test_requeue_repeats_the_request_of_a_failed_run():
    run = AnalysisRun.objects.create(
        kind="bundling",
        status="failed",
        request={"gap_m": 40.0},
        parameters={"gap_m": 40.0, "nearby_m": 300, "seed": 0},
    )
    again = analysis_run_requeue(run_id=run.pk, user=SYSTEM)
    assert again.pk != run.pk
    assert again.retry_of_id == run.pk
    assert again.kind == "bundling"
    assert again.request == {"gap_m": 40.0}
    done = AnalysisRun.objects.create(kind="bundling", status="done")
    with pytest.raises(ValueError, match="失败"):
        analysis_run_requeue(run_id=done.pk, user=SYSTEM)


def test_requeue_through_the_api_is_for_planners(client):
    run = AnalysisRun.objects.create(kind="bundling", status="failed", request={})
    url = f"/api/runs/{run.pk}/requeue/"
    assert client.post(url).status_code == 403
    client.force_login(factories.user("v", Role.VIEWER))
    assert client.post(url).status_code == 403
    client.force_login(factories.user("a", Role.CITY_ADMIN))
    r = client.post(url)
    assert r.status_code == 202, r.content
    assert AnalysisRun.objects.get(pk=r.json()["id"]).retry_of_id == run.pk
