"""Life-circle runs: validated, recorded by the one run lifecycle, computed and stored, summarised."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
from django.db.models import Q
from django.utils import timezone

from accounts import permissions
from analysis.network import (
    MIN_COMPONENT_NODES,
)
from layers import frames
from layers.models import District
from lifecircle.models import (
    RuleSet,
)
from lifecircle.rulesets import ruleset_get, ruleset_load
from lifecircle.services.context import (
    ENGINE,
    ENGINE_STRAIGHT,
    RunContext,
    _load,
    _remember,
)
from lifecircle.services.store import _finite, _store
from runs.lifecycle import run_recorded
from runs.models import AnalysisRun
from runs.registry import kwargs_of


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    frame = frame.reset_index()
    out = []
    for row in frame.to_dict(orient="records"):
        out.append(
            {
                str(k): (
                    _finite(v, 4 if str(k).startswith("share_") else 1)
                    if isinstance(v, float)
                    else (v.item() if hasattr(v, "item") else v)
                )
                for k, v in row.items()
            }
        )
    return out


def _check_min_component_nodes(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = f"min_component_nodes must be a positive integer, got {value!r}"
        raise ValueError(msg)


def lifecircle_validate(params: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of :func:`lifecircle_run` for a queued run (the API's
    ``ruleset`` is ``ruleset_name``), checked before queuing: unknown rule set, walking
    profile or district and an out-of-range snap limit are refused at once."""
    kw = dict(params)
    if "ruleset" in kw:
        kw["ruleset_name"] = kw.pop("ruleset") or None
    kw = kwargs_of(lifecircle_run, kw)
    rules = ruleset_load(ruleset_get(kw.get("ruleset_name")))
    if kw.get("profile"):
        rules.profile(kw["profile"])
    snap = float(kw.get("snap_limit_m", 150.0))
    if not (0 < snap <= 1000):
        msg = f"snap_limit_m must be in (0, 1000] metres, got {snap}"
        raise ValueError(msg)
    _check_min_component_nodes(kw.get("min_component_nodes", MIN_COMPONENT_NODES))
    district = kw.get("district")
    if (
        district
        and not District.objects.filter(Q(code=district) | Q(name=district)).exists()
    ):
        msg = f"unknown district {district!r}"
        raise ValueError(msg)
    return kw


def lifecircle_run(
    *,
    ruleset: RuleSet | None = None,
    ruleset_name: str | None = None,
    district: str | None = None,
    strict: bool = False,
    profile: str | None = None,
    snap_limit_m: float = 150.0,
    categories: Sequence[str] | None = None,
    limit_per_category: bool = False,
    min_component_nodes: int = MIN_COMPONENT_NODES,
    capacity: bool = True,
    user=None,
    progress: Callable[[int, str], None] | None = None,
    run: AnalysisRun | None = None,
) -> AnalysisRun:
    """Run the life-circle analysis over the stored layers and keep the results as a run.

    ``profile`` (``adult`` / ``elderly``) switches to time thresholds at that walking speed;
    ``strict`` uses 800 m for the 15-minute tier. Raises ``ValueError`` on bad parameters
    (the run is then recorded as failed with the message). ``run``: a queued run record
    to fill in (background worker) instead of creating one.

    ``limit_per_category``: route each category only up to its own threshold (300 m
    for a 5-minute category instead of the 1000 m of the largest tier), which more than
    halves the Dijkstra work at city scale. Coverage, tiers met, missing categories and
    scores are exactly the same; distances *beyond a category's threshold* are then
    stored as ``null``, as distances beyond 1000 m always are. Off by default because
    other consumers of the run read those distances: siting at a larger tier than the
    category's own (``siting.services``, demand = distance > tier distance) would count
    a community 500 m from a kindergarten as unserved at the 15-minute tier. The choice
    is kept in ``parameters`` so what-if answers use the same limits.

    ``min_component_nodes``: walk-network components with fewer nodes are islands
    that nothing snaps to (:data:`analysis.network.MIN_COMPONENT_NODES`, where
    the default is justified on the real extracts); the run keeps them
    (:class:`~lifecircle.models.NetworkIsland`, ``summary["islands"]``) for the map.

    ``capacity`` (default on, network mode only): also the capacity-aware life circle
    (:mod:`analysis.capacity`, E2SFCA) for every category whose rule has a
    capacity standard, with the target-group shares in force on the run's day; each
    community's ratio and shortfall are stored beside its distances, each facility's
    supply and its basis as ``FacilitySupply`` rows.
    """
    permissions.check_analysis(
        user, [district] if district else None, "运行15分钟生活圈分析"
    )
    rs = ruleset or ruleset_get(ruleset_name)
    rules = ruleset_load(rs)
    speed = None
    if profile:
        speed = rules.profile(profile).speed_m_per_min
    if not (0 < snap_limit_m <= 1000):
        msg = f"snap_limit_m must be in (0, 1000] metres, got {snap_limit_m}"
        raise ValueError(msg)
    _check_min_component_nodes(min_component_nodes)
    params = {
        "ruleset": rs.name,
        "ruleset_version": rs.version,
        "district": district,
        "strict": strict,
        "profile": profile,
        "speed_m_per_min": speed,
        "snap_limit_m": snap_limit_m,
        "categories": list(categories) if categories else None,
        "limit_per_category": bool(limit_per_category),
        "min_component_nodes": int(min_component_nodes),
        "capacity": bool(capacity),
        "as_of": timezone.localdate().isoformat(),
    }
    stamps = frames.layer_stamps()
    with run_recorded(
        run=run,
        kind=AnalysisRun.Kind.LIFECIRCLE,
        parameters=params,
        ruleset=rs,
        ruleset_version=rs.version,
        data_time=frames.data_time_from_stamps(stamps),
        created_by=permissions.user_of(user),
    ) as rec:
        if progress:
            progress(5, "reading layers")
        ctx, info = _load(
            district=district,
            rules=rules,
            strict=strict,
            speed=speed,
            snap_limit_m=snap_limit_m,
            categories=categories,
            stamps=stamps,
            limit_per_category=limit_per_category,
            min_component_nodes=int(min_component_nodes),
            capacity=capacity,
        )
        if progress:
            progress(80, "storing results")
        with rec.finishing() as run:
            t = time.perf_counter()
            _store(run, ctx)
            info["timings"]["store_s"] = time.perf_counter() - t
            _summarise(run, ctx, info)
    _remember(run.pk, ctx)
    if progress:
        progress(100, "done")
    return run


def _summarise(run: AnalysisRun, ctx: RunContext, info: dict) -> None:
    """The engine and the summary of a finished run (saved by ``finishing()``)."""
    res = ctx.result
    run.engine = ENGINE if not res.straight_line else ENGINE_STRAIGHT
    run.summary = {
        **info,
        "mode": res.mode,
        "thresholds_m": {k: _finite(v) for k, v in res.thresholds_m.items()},
        "mean_score": _finite(float(res.score.mean())),
        "by_district": _records(res.by_district),
        "by_street": _records(res.by_street),
        "unreachable_amenities": _records(res.unreachable_amenities.head(1000)),
        "unreachable_amenities_total": len(res.unreachable_amenities),
        "unreachable_communities": _records(res.unreachable_communities),
        "islands": _records(
            res.islands.drop(columns="geometry").head(100).set_index("component")
        ),
        "islands_total": len(res.islands),
        "capacity": _capacity_summary(ctx),
        "engine_parameters": {
            k: v
            for k, v in res.parameters.items()
            if isinstance(v, (str, int, float, bool, type(None), list))
        },
    }


def _capacity_summary(ctx: RunContext) -> dict[str, Any] | None:
    """What the run's summary keeps of the capacity-aware result."""
    cap = ctx.capacity
    if cap is None:
        return None
    rows = cap.by_district.reset_index()
    keep = ["district_code", "residents"] + [
        c
        for c in rows.columns
        if c.startswith(("share_adequate_", "shortfall_", "residents_adequate_"))
    ]
    return {
        **{k: v for k, v in cap.parameters.items() if k != "what_if"},
        "mean_score": _finite(float(cap.score.mean())),
        "names": {c: ctx.rules.rule(c).name for c in cap.categories},
        "by_district": _records(rows[keep].set_index("district_code")),
        "idle_facilities": {
            c: int(cap.supply.loc[cap.supply["category"] == c, "idle"].sum())
            for c in cap.categories
        },
    }


def lifecircle_latest() -> AnalysisRun | None:
    return (
        AnalysisRun.objects.filter(
            kind=AnalysisRun.Kind.LIFECIRCLE, status=AnalysisRun.Status.DONE
        )
        .order_by("-finished_at")
        .first()
    )
