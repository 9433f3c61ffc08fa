"""The analysis worker: django-tasks-db's ``db_worker`` with a heartbeat and stale-run
recovery, and one that outlives a database restart.

    python manage.py analysis_worker [--interval 1] [--worker-id NAME] [db_worker options]

On start it records its heartbeat and fails the runs of workers that died
(``runs.workers``). A thread refreshes the heartbeat and, every
``GEOAPP_WORKER_STALE_S``, looks for such runs again; when the database goes
away the worker waits and retries instead of exiting, then fails whatever task it was
running at that moment (the run can be queued again).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import threading
import time

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker

from runs import timeouts, workers

log = logging.getLogger("geoapp.worker")

#: seconds to wait before retrying after the database went away
RETRY_S = 2.0


class Worker(db_worker.Worker):
    """``db_worker``'s loop, restarted after a lost database connection."""

    def run(self) -> None:
        while self.running:
            try:
                workers.runs_recover_stale(dead=(self.worker_id,))
                super().run()
                return
            except (OperationalError, InterfaceError) as exc:
                self.running_task = False
                log.warning(
                    "database unavailable (%s); retrying in %.0f s", exc, RETRY_S
                )
                connections.close_all()
                time.sleep(RETRY_S)
            self.startup_delay = False


#: held by the heartbeat thread while it talks to the database or logs: a fork (the
#: life circle's routing processes) waits for it, so no child inherits a lock held
#: in the middle of libpq or logging
_BEATING = threading.Lock()


def _fork_safe() -> None:
    os.register_at_fork(
        before=_BEATING.acquire,
        after_in_parent=_BEATING.release,
        after_in_child=_BEATING.release,
    )


class _Heartbeat(threading.Thread):
    def __init__(self, worker_id: str) -> None:
        super().__init__(name="heartbeat", daemon=True)
        self.worker_id = worker_id
        self.stopping = threading.Event()

    def run(self) -> None:
        # every so often a living worker also looks for runs of dead ones, so a
        # stale run is failed within about GEOAPP_WORKER_STALE_S even when no
        # worker (re)starts
        every = max(1, math.ceil(workers.stale_s() / workers.heartbeat_s()))
        beats = 0
        while not self.stopping.wait(workers.heartbeat_s()):
            beats += 1
            with _BEATING:
                self._beat(recover=beats % every == 0)

    def _beat(self, *, recover: bool) -> None:
        try:
            workers.worker_beat(self.worker_id)
            if recover:
                failed = workers.runs_recover_stale()
                if failed:
                    log.warning("marked stale runs failed: %s", failed)
                timeouts.runs_expire()
        except DatabaseError as exc:
            log.warning("heartbeat not recorded: %s", exc)
            connections.close_all()
        connections.close_all()


class Command(db_worker.Command):
    help = (
        "Run the analysis worker (heartbeat, stale-run recovery, survives DB restarts)"
    )

    def handle(self, *args, **options):
        worker_id = options["worker_id"]
        self._register(worker_id)
        _fork_safe()
        beat = _Heartbeat(worker_id)
        beat.start()
        original = db_worker.Worker
        db_worker.Worker = Worker  # the parent's handle() builds its Worker by name
        try:
            return super().handle(*args, **options)
        finally:
            db_worker.Worker = original
            beat.stopping.set()
            beat.join(timeout=5)
            with contextlib.suppress(DatabaseError):
                workers.worker_stop(worker_id)

    def _register(self, worker_id: str) -> None:
        while True:
            try:
                workers.worker_register(worker_id)
                failed = workers.runs_recover_stale()
                if failed:
                    log.warning("marked stale runs failed: %s", failed)
                return
            except (OperationalError, InterfaceError) as exc:
                log.warning("database unavailable at start (%s); retrying", exc)
                connections.close_all()
                time.sleep(RETRY_S)
