"""Analysis run records shared by every analysis service."""

from __future__ import annotations

from typing import Any

from geoapp.models import AnalysisRun


def run_start(*, run: AnalysisRun | None = None, **fields: Any) -> AnalysisRun:
    """Create a run record, or fill in a queued one (the background worker's) with ``fields``."""
    if run is None:
        return AnalysisRun.objects.create(**fields)
    fields.pop("created_by", None)  # the queued run already names who asked for it
    for name, value in fields.items():
        setattr(run, name, value)
    run.save()
    return run
