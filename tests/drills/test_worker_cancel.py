"""Cancel drill with a real analysis worker: a run cancelled while it waits in the
queue is never started when a worker takes its task; a run cancelled while the worker
stores its results (the test holds a SHARE lock on the result table, so the worker
blocks at its first write) commits nothing and stays cancelled; the worker goes on
serving the queue."""

from __future__ import annotations

import contextlib

import pytest

from .conftest import base_env, shell, wait_for
from .test_worker_killed import enqueue, lock_waiters, run_row

pytestmark = pytest.mark.drill

COUNT = "SELECT count(*) FROM geoapp_coverageresult WHERE run_id = %s"


def cancel(env, run_id: int) -> None:
    shell(
        env,
        "from accounts.permissions import SYSTEM\n"
        "from runs.queue import analysis_run_cancel\n"
        f"analysis_run_cancel(run_id={run_id}, user=SYSTEM)",
    )


def task_status(cluster, db, run_id):
    rows = cluster.sql(
        "SELECT status FROM django_tasks_database_dbtaskresult "
        "WHERE args_kwargs->'args'->>0 = %s",
        [str(run_id)],
        db=db,
    )
    return rows[0][0] if rows else None


def test_the_worker_honours_cancellation(cluster, db_copy, drill_dir, worker_factory):
    env = base_env(cluster, db_copy, drill_dir)
    # 1. cancelled while pending, before any worker runs
    waiting = enqueue(env, "lifecircle", {})
    cancel(env, waiting)
    worker = worker_factory(env, "w-cancel")
    wait_for(
        lambda: task_status(cluster, db_copy, waiting) == "SUCCESSFUL",
        timeout=60,
        what="the worker to take the cancelled task",
    )
    status, error, _ = run_row(cluster, db_copy, waiting)
    assert status == "cancelled" and "取消" in error
    assert cluster.sql(COUNT, [waiting], db=db_copy)[0][0] == 0

    # 2. cancelled while the worker stores the results
    blocker = cluster.connect(db_copy, user="geoapp")
    blocker.autocommit = False
    with contextlib.closing(blocker):
        blocker.cursor().execute("LOCK TABLE geoapp_coverageresult IN SHARE MODE")
        running = enqueue(env, "lifecircle", {})
        wait_for(lambda: lock_waiters(cluster, db_copy), what="the store to block")
        assert run_row(cluster, db_copy, running)[0] == "running"
        cancel(env, running)
        blocker.rollback()
    wait_for(
        lambda: task_status(cluster, db_copy, running) in ("SUCCESSFUL", "FAILED"),
        timeout=60,
        what="the worker to stop the cancelled run",
    )
    assert run_row(cluster, db_copy, running)[0] == "cancelled"
    assert cluster.sql(COUNT, [running], db=db_copy)[0][0] == 0

    # the worker still serves the queue: the next run completes
    again = enqueue(env, "lifecircle", {})
    wait_for(
        lambda: run_row(cluster, db_copy, again)[0] in ("done", "failed"),
        timeout=120,
        what="the next run",
    )
    assert run_row(cluster, db_copy, again)[0] == "done"
    assert cluster.sql(COUNT, [again], db=db_copy)[0][0] > 0
    assert worker.proc.poll() is None
