"""Worker drills: an analysis worker SIGKILLed in the middle of storing a life-circle,
bundling or siting run leaves no partial result; the run is marked failed by another
worker (stale: its worker's heartbeat stopped) and can be queued again; a living
worker's run is never taken for stale; two workers never run one task twice.

The kill lands inside the results transaction for sure: the test holds a SHARE lock on
the result table, so the worker blocks at its first write; it is killed while waiting
(pg_stat_activity shows it), then the lock is released.
"""

from __future__ import annotations

import contextlib
import time

import pytest

from .conftest import base_env, shell, wait_for

pytestmark = pytest.mark.drill

KINDS = {
    "lifecircle": ({}, "geoapp_coverageresult"),
    "bundling": ({}, "blocks_renovationblock"),
    "siting": ({"category": "elderly_daycare", "k": 3}, "siting_sitingcandidateresult"),
}
RESULTS = {
    "lifecircle": "SELECT count(*) FROM geoapp_coverageresult WHERE run_id = %s",
    "bundling": "SELECT count(*) FROM blocks_renovationblock WHERE run_id = %s",
    "siting": "SELECT count(*) FROM siting_sitingcandidateresult WHERE run_id = %s",
}


def enqueue(env, kind: str, params: dict) -> int:
    return int(
        shell(
            env,
            "from accounts.permissions import SYSTEM\n"
            "from runs.queue import analysis_run_enqueue\n"
            f"print(analysis_run_enqueue(kind={kind!r}, parameters={params!r}, "
            "user=SYSTEM).pk)",
        ).splitlines()[-1]
    )


def run_row(cluster, db, run_id):
    rows = cluster.sql(
        "SELECT status, error, retry_of_id FROM geoapp_analysisrun WHERE id = %s",
        [run_id],
        db=db,
    )
    return rows[0]


def lock_waiters(cluster, db) -> int:
    return cluster.sql(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
        "AND wait_event_type = 'Lock'",
        [db],
    )[0][0]


@pytest.mark.parametrize("kind", list(KINDS))
def test_killed_worker_leaves_no_results_and_its_run_is_failed_then_requeued(
    cluster, db_copy, drill_dir, worker_factory, kind
):
    params, table = KINDS[kind]
    env = base_env(cluster, db_copy, drill_dir)
    a = worker_factory(env, f"a-{kind}")
    wait_for(
        lambda: cluster.sql("SELECT count(*) FROM geoapp_workerheartbeat", db=db_copy)[
            0
        ][0],
        what="worker a's heartbeat",
    )
    blocker = cluster.connect(db_copy, user="geoapp")
    blocker.autocommit = False
    with contextlib.closing(blocker):
        blocker.cursor().execute(f"LOCK TABLE {table} IN SHARE MODE")
        run_id = enqueue(env, kind, params)
        wait_for(lambda: lock_waiters(cluster, db_copy), what="the store to block")
        assert run_row(cluster, db_copy, run_id)[0] == "running"

        # a second worker, alive meanwhile, must not take a's run for stale
        b = worker_factory(env, f"b-{kind}")
        time.sleep(6)  # longer than GEOAPP_WORKER_STALE_S (4 s)
        assert run_row(cluster, db_copy, run_id)[0] == "running"

        a.kill()  # SIGKILL, in the middle of the results transaction
        blocker.rollback()  # release the table

    # the dead client's transaction is rolled back: no result of the run, ever
    wait_for(lambda: not lock_waiters(cluster, db_copy), what="a's backend to end")
    assert cluster.sql(RESULTS[kind], [run_id], db=db_copy)[0][0] == 0

    # b notices the silence of a's heartbeat and fails the run, with a message
    status, error, _ = wait_for(
        lambda: (r := run_row(cluster, db_copy, run_id))[0] == "failed" and r,
        timeout=30,
        what="the stale run to be failed",
    )
    assert "可重新排队" in error
    task = cluster.sql(
        "SELECT status FROM django_tasks_database_dbtaskresult "
        "WHERE args_kwargs->'args'->>0 = %s",
        [str(run_id)],
        db=db_copy,
    )
    assert task == [("FAILED",)]
    assert cluster.sql(RESULTS[kind], [run_id], db=db_copy)[0][0] == 0

    # queued again with the same parameters; b runs it to the end
    again = int(
        shell(
            env,
            "from accounts.permissions import SYSTEM\n"
            "from runs.queue import analysis_run_requeue\n"
            f"print(analysis_run_requeue(run_id={run_id}, user=SYSTEM).pk)",
        ).splitlines()[-1]
    )
    status, _error, retry_of = wait_for(
        lambda: (r := run_row(cluster, db_copy, again))[0] in ("done", "failed") and r,
        timeout=120,
        what="the re-queued run",
    )
    assert (status, retry_of) == ("done", run_id)
    assert cluster.sql(RESULTS[kind], [again], db=db_copy)[0][0] > 0
    assert b.proc.poll() is None  # b is still serving the queue


def test_two_workers_never_run_the_same_task_twice(
    cluster, db_copy, drill_dir, worker_factory
):
    # routing forked into 2 processes while the heartbeat thread beats all the time:
    # the forks must neither inherit a held lock nor the worker's SIGTERM handler
    # (which made the pool wait forever for its children)
    env = base_env(
        cluster,
        db_copy,
        drill_dir,
        GEOAPP_ROUTING_WORKERS="2",
        GEOAPP_WORKER_HEARTBEAT_S="0.02",
    )
    ids = [enqueue(env, "lifecircle", {}) for _ in range(6)]
    worker_factory(env, "w1")
    worker_factory(env, "w2")
    wait_for(
        lambda: (
            cluster.sql(
                "SELECT count(*) FROM geoapp_analysisrun WHERE id = ANY(%s) "
                "AND status IN ('done', 'failed')",
                [ids],
                db=db_copy,
            )[0][0]
            == len(ids)
        ),
        timeout=240,
        what="six runs",
    )
    statuses = cluster.sql(
        "SELECT status, count(*) FROM geoapp_analysisrun WHERE id = ANY(%s) "
        "GROUP BY status",
        [ids],
        db=db_copy,
    )
    assert statuses == [("done", len(ids))]

    # the task is marked finished after its run is (the run commits inside the task,
    # and the worker then warms the public cache): wait for the task rows too
    def claims():
        return cluster.sql(
            "SELECT jsonb_array_length(worker_ids), status FROM "
            "django_tasks_database_dbtaskresult "
            "WHERE (args_kwargs->'args'->>0)::int = ANY(%s)",
            [ids],
            db=db_copy,
        )

    wait_for(
        lambda: all(status != "RUNNING" for _n, status in claims()),
        timeout=60,
        what="the six tasks to be marked finished",
    )
    assert sorted(claims()) == [(1, "SUCCESSFUL")] * len(ids)
    communities = cluster.sql("SELECT count(*) FROM layers_community", db=db_copy)[0][0]
    per_run = cluster.sql(
        "SELECT run_id, count(*) FROM geoapp_coverageresult WHERE run_id = ANY(%s) "
        "GROUP BY run_id",
        [ids],
        db=db_copy,
    )
    assert sorted(n for _r, n in per_run) == [communities] * len(ids)
