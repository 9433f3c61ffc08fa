"""The one run lifecycle (``run_recorded``) and the run-kind registry, on real PostGIS."""

from __future__ import annotations

import pytest
from django.db import connection

from runs.lifecycle import run_recorded
from runs.models import AnalysisRun
from runs.registry import run_kinds

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_analysis_kind_is_registered_and_nothing_else() -> None:
    assert set(run_kinds()) == set(AnalysisRun.Kind.values)
    for kind, spec in run_kinds().items():
        assert spec.kind == kind
        assert callable(spec.validate) and callable(spec.execute)


def test_a_finished_run_is_done_with_its_writes_and_its_duration() -> None:
    with run_recorded(
        kind=AnalysisRun.Kind.SITING, parameters={"k": 1}, offset_s=2.0
    ) as rec:
        assert rec.run.status == AnalysisRun.Status.RUNNING
        with rec.finishing() as run:
            run.summary = {"n": 1}
    run = AnalysisRun.objects.get(pk=rec.run.pk)
    assert run.status == AnalysisRun.Status.DONE
    assert run.progress == 100 and run.summary == {"n": 1}
    assert run.finished_at is not None
    assert (
        2.0 <= run.duration_s < 60
    )  # the offset counts (time spent before the record)


def test_a_failure_while_storing_rolls_back_the_writes_and_fails_the_run() -> None:
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS _run_probe (n int)")
    with (
        pytest.raises(ZeroDivisionError),
        run_recorded(kind=AnalysisRun.Kind.BUNDLING, parameters={}) as rec,
        rec.finishing(),
        connection.cursor() as cur,
    ):
        cur.execute("INSERT INTO _run_probe VALUES (1)")
        _ = 1 / 0
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM _run_probe")
        assert cur.fetchone()[0] == 0  # the partial result is not visible
        cur.execute("DROP TABLE _run_probe")
    run = AnalysisRun.objects.get(pk=rec.run.pk)
    assert run.status == AnalysisRun.Status.FAILED
    assert "内部错误" in run.error and "ZeroDivisionError" in run.error_detail


def test_bad_input_is_reported_in_the_services_own_words() -> None:
    with pytest.raises(ValueError), run_recorded(kind=AnalysisRun.Kind.SITING) as rec:
        raise ValueError("k must be at least 1")
    run = AnalysisRun.objects.get(pk=rec.run.pk)
    assert run.status == AnalysisRun.Status.FAILED
    assert "k must be at least 1" in run.error


def test_a_body_that_never_finishes_is_a_failed_run_not_a_done_one() -> None:
    with (
        pytest.raises(RuntimeError, match="without finishing"),
        run_recorded(kind=AnalysisRun.Kind.LIFECIRCLE) as rec,
    ):
        pass
    assert AnalysisRun.objects.get(pk=rec.run.pk).status == AnalysisRun.Status.FAILED
