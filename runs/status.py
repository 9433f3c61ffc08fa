"""What a page shows of a run while it waits or runs: its place in the queue, the time
since it was queued, and whether any analysis worker is there to run it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from runs.models import AnalysisRun
from runs.timeouts import runs_expire, timeout_s
from runs.workers import workers_available


@dataclass(frozen=True)
class RunStatus:
    run: AnalysisRun
    #: 1 for the next run a worker takes; None unless pending
    queue_position: int | None
    elapsed_s: float
    #: living analysis workers (None: runs execute at once, in the request)
    workers: int | None
    timeout_s: float

    @property
    def cancellable(self) -> bool:
        return self.run.status in (
            AnalysisRun.Status.PENDING,
            AnalysisRun.Status.RUNNING,
        )


def run_status(run_id: int) -> RunStatus:
    """The run (failed first if it is past the timeout) with its queue position,
    elapsed time and the number of living workers."""
    runs_expire(run_id=run_id)
    run = AnalysisRun.objects.select_related("ruleset").get(pk=run_id)
    position = None
    if run.status == AnalysisRun.Status.PENDING:
        position = AnalysisRun.objects.filter(
            status=AnalysisRun.Status.PENDING, pk__lte=run.pk
        ).count()
    end = run.finished_at or timezone.now()
    return RunStatus(
        run=run,
        queue_position=position,
        elapsed_s=round(max(0.0, (end - run.created_at).total_seconds()), 1),
        workers=workers_available(),
        timeout_s=timeout_s(),
    )
