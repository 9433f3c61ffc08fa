"""Background analyses: a run is recorded as pending, then a worker (django-tasks-db,
PostgreSQL-backed: `manage.py db_worker`) executes it and fills in status and progress."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks import task

from geoapp.models import AnalysisRun

BUNDLING_PARAMS = {
    "district",
    "street",
    "selected",
    "group_by",
    "gap_m",
    "min_households",
    "max_households",
    "max_communities",
    "use_barriers",
    "use_gaps",
    "seed",
}
SITING_PARAMS = {"category", "tier", "k", "method", "districts", "kinds", "min_area_m2"}


def _progress(run_id: int):
    def report(pct: int, label: str) -> None:
        AnalysisRun.objects.filter(pk=run_id).update(progress=int(pct))

    return report


@task()
def analysis_run_execute(run_id: int) -> int:
    """Execute a queued run; failures are recorded on the run (status failed + message)."""
    run = AnalysisRun.objects.get(pk=run_id)
    p: dict[str, Any] = run.parameters
    try:
        if run.kind == AnalysisRun.Kind.LIFECIRCLE:
            from geoapp.services.lifecircle import lifecircle_run

            lifecircle_run(
                run=run,
                ruleset_name=p.get("ruleset"),
                district=p.get("district"),
                strict=bool(p.get("strict", False)),
                profile=p.get("profile"),
                snap_limit_m=float(p.get("snap_limit_m", 150.0)),
                progress=_progress(run_id),
            )
        elif run.kind == AnalysisRun.Kind.BUNDLING:
            from blocks.services import bundle_run

            bundle_run(run=run, **{k: v for k, v in p.items() if k in BUNDLING_PARAMS})
        elif run.kind == AnalysisRun.Kind.SITING:
            from siting.services import siting_run

            siting_run(run=run, **{k: v for k, v in p.items() if k in SITING_PARAMS})
        else:
            msg = f"analysis kind {run.kind!r} cannot be queued"
            raise ValueError(msg)
    except Exception as exc:  # recorded for the page; the worker keeps running
        AnalysisRun.objects.filter(pk=run_id).update(
            status=AnalysisRun.Status.FAILED, error=str(exc), finished_at=timezone.now()
        )
    return run_id


def analysis_run_enqueue(
    *, kind: str, parameters: dict[str, Any], user=None
) -> AnalysisRun:
    run = AnalysisRun.objects.create(
        kind=kind,
        status=AnalysisRun.Status.PENDING,
        parameters=parameters,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    analysis_run_execute.enqueue(run.pk)
    run.refresh_from_db()
    return run
