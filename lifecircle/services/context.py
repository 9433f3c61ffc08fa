"""A life-circle run in memory: the layers read once (cached by their stamps), the network, the computation, the context later analyses build on."""

from __future__ import annotations

import datetime as dt
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
from django.conf import settings
from django.utils import timezone

from analysis.capacity import (
    CapacityResult,
    capacity_circle,
    target_shares,
)
from analysis.forked import available_cpus
from analysis.network import (
    MIN_COMPONENT_NODES,
    WalkNetwork,
    network_from_coords,
)
from analysis.population import zonal_sum
from analysis.rules import RuleSet as Rules
from analysis.walkshed import LifeCircleResult, life_circle
from layers import frames
from lifecircle.models import (
    PopulationShares,
)
from lifecircle.rulesets import ruleset_get, ruleset_load
from runs.models import AnalysisRun

ENGINE = "scipy.sparse.csgraph.dijkstra (multi-source, min_only) on the walk network"


ENGINE_STRAIGHT = "straight-line distance (no walk network loaded)"


MAX_CONTEXTS = 4


@dataclass
class RunContext:
    """A finished life-circle run in memory: its network, communities, rules and
    result (with the communities' network entries). The public entry point for the
    analyses that build on a run (what-if, siting, the distance surface)."""

    network: WalkNetwork | None
    communities: gpd.GeoDataFrame
    rules: Rules
    result: LifeCircleResult
    capacity: CapacityResult | None = None
    shares: dict[str, Any] | None = None


_CONTEXTS: OrderedDict[int, RunContext] = OrderedDict()


def _remember(run_id: int, ctx: RunContext) -> None:
    _CONTEXTS[run_id] = ctx
    _CONTEXTS.move_to_end(run_id)
    while len(_CONTEXTS) > MAX_CONTEXTS:
        _CONTEXTS.popitem(last=False)


def residents_fill(communities: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, int]:
    """Fill missing residents from the population raster's zonal sum; returns the count filled."""
    missing = communities["residents"].isna().to_numpy()
    if not missing.any():
        return communities, 0
    raster = frames.population_raster()
    if raster is None:
        return communities, 0
    array, transform = raster
    sums = zonal_sum(array, transform, communities.geometry.to_numpy()[missing])
    out = communities.copy()
    res = out["residents"].astype("Float64")
    res[missing] = np.round(sums)
    out["residents"] = res.round().astype("Int64")
    return out, int(missing.sum())


# In-process caches of what does not change between runs on unchanged data, keyed by
# frames.layer_stamps(): the walk network (whose snap memo then also spares
# re-snapping the same amenities and access points) and the amenity points.
_NETWORKS: OrderedDict[tuple, WalkNetwork | None] = OrderedDict()


_AMENITIES: OrderedDict[tuple, gpd.GeoDataFrame] = OrderedDict()


MAX_CACHED = 2


def _cached(
    cache: OrderedDict, key: tuple, build: Callable[[], Any]
) -> tuple[Any, bool]:
    if key in cache:
        cache.move_to_end(key)
        return cache[key], True
    value = build()
    cache[key] = value
    while len(cache) > MAX_CACHED:
        cache.popitem(last=False)
    return value, False


def cache_clear() -> None:
    """Forget the cached walk networks and amenities (tests, memory)."""
    _NETWORKS.clear()
    _AMENITIES.clear()


def _read_network() -> WalkNetwork | None:
    coords, offsets = frames.walk_segment_arrays()
    if offsets.shape[0] <= 1:
        return None
    return network_from_coords(coords, offsets, crs=f"EPSG:{settings.SRID}")


def population_shares(on: dt.date) -> dict[str, Any] | None:
    """The target-group shares in force on ``on`` (``None`` when none are loaded)."""
    versions = []
    for row in PopulationShares.objects.order_by("effective_from"):
        version = dict(row.data)
        version["id"] = row.version_id
        version["effective_from"] = row.effective_from.isoformat()
        version["effective_to"] = (
            row.effective_to.isoformat() if row.effective_to else None
        )
        versions.append(version)
    if not versions:
        return None
    return target_shares({"versions": versions}, on)


def routing_workers() -> int:
    """``settings.ROUTING_WORKERS``, 0 meaning one per available CPU."""
    n = int(getattr(settings, "ROUTING_WORKERS", 0) or 0)
    return n if n > 0 else available_cpus()


def _load(
    *,
    district: str | None,
    rules: Rules,
    strict: bool,
    speed: float | None,
    snap_limit_m: float,
    categories: Sequence[str] | None,
    stamps: dict[str, tuple] | None = None,
    limit_per_category: bool = False,
    min_component_nodes: int = MIN_COMPONENT_NODES,
    capacity: bool = True,
    on: dt.date | None = None,
) -> tuple[RunContext, dict[str, Any]]:
    timings: dict[str, float] = {}
    t = time.perf_counter()
    if stamps is None:
        stamps = frames.layer_stamps()
    communities = frames.communities_gdf(district=district)
    if communities.empty:
        msg = f"no communities to analyse{f' in district {district!r}' if district else ''}"
        raise ValueError(msg)
    communities, filled = residents_fill(communities)
    amenities, am_hit = _cached(
        _AMENITIES,
        (stamps["amenity"], stamps["amenity_category"]),
        frames.amenities_gdf,
    )
    timings["read_s"] = time.perf_counter() - t
    t = time.perf_counter()
    network, net_hit = _cached(_NETWORKS, (stamps["walk_segment"],), _read_network)
    timings["network_s"] = time.perf_counter() - t
    t = time.perf_counter()
    cap_cats: list[str] | None = None
    shares = None
    if capacity and network is not None and rules.capacity_codes:
        shares = population_shares(on or timezone.localdate())
        # without shares in force only the categories sized on all residents
        # (every category of capacity_codes has a capacity standard)
        cap_cats = [
            c
            for c in rules.capacity_codes
            if shares is not None
            or (
                (cap := rules.rule(c).capacity) is not None and cap.target_group is None
            )
        ]
    result = life_circle(
        network,
        communities,
        amenities,
        rules,
        snap_limit_m=snap_limit_m,
        strict=strict,
        speed_m_per_min=speed,
        categories=categories,
        limit_per_category=limit_per_category,
        workers=routing_workers(),
        min_component_nodes=min_component_nodes,
        # the capacity step's facility-community pairs, found in the routing pass
        pair_categories=cap_cats,
    )
    timings["routing_s"] = time.perf_counter() - t
    cap_result = None
    if cap_cats is not None:
        t = time.perf_counter()
        cap_result = capacity_circle(
            network,
            result,
            amenities,
            rules,
            shares=shares,
            categories=cap_cats,
            workers=routing_workers(),
        )
        timings["capacity_s"] = time.perf_counter() - t
    info = {
        "timings": timings,
        "cache": {"network": net_hit, "amenities": am_hit},
        "residents_from_raster": filled,
        "network": network.summary() if network is not None else None,
        "counts": {
            "communities": len(communities),
            "amenities": len(amenities),
            "walk_segments": network.n_edges if network is not None else 0,
        },
    }
    return RunContext(network, communities, rules, result, cap_result, shares), info


def run_context(run: AnalysisRun) -> RunContext:
    """The in-memory context of ``run``, rebuilt from the stored layers when this
    process has not kept it (a restart, another worker)."""
    ctx = _CONTEXTS.get(run.pk)
    if ctx is not None:
        return ctx
    p = run.parameters
    rs = run.ruleset or ruleset_get(p.get("ruleset"))
    rules = ruleset_load(rs)
    ctx, _info = _load(
        district=p.get("district"),
        rules=rules,
        strict=p.get("strict", False),
        speed=p.get("speed_m_per_min"),
        snap_limit_m=p.get("snap_limit_m", 150.0),
        categories=p.get("categories"),
        # runs stored before the parameter existed routed every category to 1000 m
        limit_per_category=p.get("limit_per_category", False),
        # ... and snapped to every component
        min_component_nodes=p.get("min_component_nodes", 1),
        # and had no capacity-aware result
        capacity=p.get("capacity", False),
        on=dt.date.fromisoformat(p["as_of"]) if p.get("as_of") else None,
    )
    _remember(run.pk, ctx)
    return ctx
