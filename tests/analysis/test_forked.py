"""Tests for analysis.forked: same answers as a loop, in order, errors raised."""

from __future__ import annotations

import os

import numpy as np
import pytest

from analysis.forked import available_cpus, map_forked


def test_results_in_order_and_equal_to_a_loop() -> None:
    big = np.arange(
        1_000_000, dtype=np.float64
    )  # inherited by the workers, not pickled

    def job(i: int) -> tuple[int, float, int]:
        return i, float(big[i::7].sum()), os.getpid()

    items = [5, 0, 3, 1, 6, 2, 4]
    got = map_forked(job, items, workers=2)
    assert [g[:2] for g in got] == [(i, float(big[i::7].sum())) for i in items]
    # the work really ran in other processes
    assert {g[2] for g in got} - {os.getpid()}


def test_one_worker_or_one_item_runs_here() -> None:
    pid = os.getpid()
    assert map_forked(lambda i: (i, os.getpid()), [1, 2], workers=1) == [
        (1, pid),
        (2, pid),
    ]
    assert map_forked(lambda i: os.getpid(), [1], workers=4) == [pid]
    assert map_forked(lambda i: i, [], workers=4) == []


def test_a_failing_job_raises_here() -> None:
    def job(i: int) -> int:
        if i == 3:
            msg = f"bad item {i}"
            raise ValueError(msg)
        return i

    with pytest.raises(ValueError, match="bad item 3"):
        map_forked(job, [1, 2, 3, 4], workers=2)


def test_bad_worker_count() -> None:
    with pytest.raises(ValueError, match="workers must be >= 1"):
        map_forked(lambda i: i, [1], workers=0)
    assert available_cpus() >= 1
