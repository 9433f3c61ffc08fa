"""Run independent jobs in forked worker processes that share the caller's memory.

The life circle routes one multi-source Dijkstra per facility category over the
same graph. scipy's ``dijkstra`` holds the GIL, so threads do not help; forked
processes do, and with ``fork`` the graph is not copied or pickled: each worker
sees the parent's arrays (copy-on-write) and only the job index goes in and the
(small) result comes back.

Workers only compute on arrays. They never touch the parent's database
connection, files or locks: a forked child ends with ``os._exit`` (multiprocessing
does that), so the connection objects it inherited are never closed from the
child's side.

A worker takes the default handlers of SIGTERM and SIGINT: the pool stops its
workers with SIGTERM when it closes, and a handler inherited from the caller (the
analysis worker's graceful shutdown, which only notes the signal while a task runs)
would make them ignore it and leave the caller waiting for them forever.

Falls back to a plain loop in the calling process when there is one worker or
one job, when the platform has no ``fork`` (Windows, macOS default), or when the
caller is itself a daemonic worker (which may not have children).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["available_cpus", "map_forked"]

_JOB: Callable[[Any], Any] | None = None


def available_cpus() -> int:
    """CPUs this process may run on (the affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _run(item: Any) -> Any:
    assert _JOB is not None
    return _JOB(item)


def _child_init() -> None:
    """In each forked worker: the default signal handlers (see the module docstring)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _can_fork() -> bool:
    return "fork" in mp.get_all_start_methods() and not mp.current_process().daemon


def map_forked(
    job: Callable[[Any], Any], items: Sequence[Any], *, workers: int
) -> list[Any]:
    """``[job(item) for item in items]``, spread over up to ``workers`` processes.

    Items are handed out one at a time in the given order (put the longest jobs
    first for the best balance); results come back in the same order. An
    exception raised by a job is raised here. ``job`` may be a closure: it is
    inherited through ``fork``, never pickled; items and results are pickled.
    """
    global _JOB
    if workers < 1:
        msg = f"workers must be >= 1, got {workers}"
        raise ValueError(msg)
    n = min(workers, len(items))
    if n <= 1 or not _can_fork():
        return [job(item) for item in items]
    _JOB = job
    try:
        with mp.get_context("fork").Pool(n, initializer=_child_init) as pool:
            return pool.map(_run, items, chunksize=1)
    finally:
        _JOB = None
