"""The checks of a siting request and the limits they enforce."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from analysis import siting as core
from layers.models import IdleLand
from lifecircle import services as lc
from runs.models import AnalysisRun

ENGINE = (
    "scipy.sparse.csgraph.dijkstra coverage + lazy greedy / scipy.optimize.milp (HiGHS)"
)


MAX_K = 200


METHODS = ("both", "greedy", "exact")


KINDS = (*IdleLand.Kind.values, "vacant_housing")


DEFAULT_TIME_LIMIT_S = 30.0


DEFAULT_EMBEDDED_BONUS = 500.0


# ---------------------------------------------------------------------------
# input checks
# ---------------------------------------------------------------------------
def _run_by_pk(pk: Any) -> AnalysisRun:
    try:
        return AnalysisRun.objects.get(pk=int(pk))
    except (AnalysisRun.DoesNotExist, TypeError, ValueError):
        msg = f"life-circle run {pk!r} does not exist"
        raise ValueError(msg) from None


def _lifecircle_run(run: AnalysisRun | int | None) -> AnalysisRun:
    if run is None:
        found = lc.lifecircle_latest()
        if found is None:
            msg = (
                "no finished life-circle run yet: run the life-circle analysis first "
                "(`manage.py lifecircle` or POST /api/lifecircle/runs/)"
            )
            raise ValueError(msg)
        return found
    if not isinstance(run, AnalysisRun):
        run = _run_by_pk(run)
    if run.kind != AnalysisRun.Kind.LIFECIRCLE or run.status != AnalysisRun.Status.DONE:
        msg = f"run {run.pk} is not a finished life-circle run"
        raise ValueError(msg)
    return run


def _check_k(k: Any, what: str = "k", *, low: int = 1) -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        msg = f"{what} must be an integer between {low} and {MAX_K}, got {k!r}"
        raise ValueError(msg)
    if not (low <= int(k) <= MAX_K):
        msg = f"{what} must be between {low} and {MAX_K}, got {k}"
        raise ValueError(msg)
    return int(k)


def _check_common(
    *,
    method: str,
    kinds: Sequence[str] | None,
    districts: Sequence[str] | None,
    min_area_m2: float | None,
    time_limit_s: float,
    consent_scope: str = "granted",
) -> None:
    if consent_scope not in core.CONSENT_SCOPES:
        msg = (
            f"consent_scope must be one of {', '.join(core.CONSENT_SCOPES)}, got "
            f"{consent_scope!r}"
        )
        raise ValueError(msg)
    if method not in METHODS:
        msg = f"method must be one of {', '.join(METHODS)}, got {method!r}"
        raise ValueError(msg)
    if kinds is not None:
        if isinstance(kinds, str):
            msg = "kinds must be a list of kinds"
            raise ValueError(msg)
        bad = sorted(set(kinds) - set(KINDS))
        if bad or not kinds:
            msg = f"unknown candidate kinds {bad}; use {', '.join(KINDS)}"
            raise ValueError(msg)
    if districts is not None and (isinstance(districts, str) or not districts):
        msg = "districts must be a non-empty list of district codes"
        raise ValueError(msg)
    if min_area_m2 is not None and not (
        math.isfinite(float(min_area_m2)) and float(min_area_m2) >= 0
    ):
        msg = f"min_area_m2 must be a non-negative number, got {min_area_m2!r}"
        raise ValueError(msg)
    if not (0 < float(time_limit_s) <= 600):
        msg = f"time_limit_s must be in (0, 600], got {time_limit_s!r}"
        raise ValueError(msg)


#: the largest parking weight: residents per space of parking shortage removed
MAX_PARKING_WEIGHT = 100.0


def _check_parking_weight(weight: Any) -> float:
    if isinstance(weight, bool) or not isinstance(weight, int | float):
        msg = f"parking_weight must be a number, got {weight!r}"
        raise ValueError(msg)
    if not (math.isfinite(float(weight)) and 0 <= float(weight) <= MAX_PARKING_WEIGHT):
        msg = f"parking_weight must be in [0, {MAX_PARKING_WEIGHT:g}], got {weight!r}"
        raise ValueError(msg)
    return float(weight)


def _check_embedded(cats: Sequence[str]) -> None:
    core_cats = [c for c in cats if c in core.EMBEDDED_CORE_FUNCTIONS]
    if (
        len(cats) < core.EMBEDDED_MIN_FUNCTIONS
        or len(core_cats) < core.EMBEDDED_MIN_CORE_FUNCTIONS
    ):
        msg = (
            "an embedded service complex needs at least 3 categories, at least 2 of "
            f"{', '.join(sorted(core.EMBEDDED_CORE_FUNCTIONS))}"
        )
        raise ValueError(msg)


def _check_category(ctx: lc.RunContext, category: Any) -> None:
    if not isinstance(category, str) or category not in ctx.rules.codes:
        msg = f"unknown category {category!r}; known: {', '.join(ctx.rules.codes)}"
        raise ValueError(msg)
    if category not in ctx.result.distance_m.columns:
        msg = (
            f"category {category!r} was not analysed in the life-circle run; "
            "run the life-circle analysis for it first"
        )
        raise ValueError(msg)


def _check_gaps(ctx: lc.RunContext, categories: Sequence[str], gaps: str) -> str:
    if gaps not in ("distance", "capacity"):
        msg = f"gaps must be 'distance' or 'capacity', got {gaps!r}"
        raise ValueError(msg)
    if gaps == "capacity":
        have = set(ctx.capacity.categories) if ctx.capacity is not None else set()
        missing = [c for c in categories if c not in have]
        if missing:
            msg = (
                f"no capacity-aware result for {', '.join(missing)} in the life-circle "
                "run (a capacity standard and a walk network are needed)"
            )
            raise ValueError(msg)
    return gaps
