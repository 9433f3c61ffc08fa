"""15-minute life circle runs: load the layers, run the engine, store results; what-if scenarios.

The engine is :mod:`analysis.walkshed`; this module only moves data between PostGIS and
it. A finished run keeps its network and result in memory (``_CONTEXTS``) so that what-if
questions are answered without re-reading the city; after a restart the first what-if
rebuilds them (same data → same result).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from affine import Affine
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from pyproj import Transformer

from accounts import permissions
from analysis.capacity import (
    CapacityResult,
    capacity_circle,
    capacity_what_if,
    target_shares,
)
from analysis.forked import available_cpus
from analysis.network import (
    MIN_COMPONENT_NODES,
    NetworkEntry,
    WalkNetwork,
    network_from_coords,
)
from analysis.population import zonal_sum
from analysis.rules import RuleSet as Rules
from analysis.surface import distance_surface, surface_bounds
from analysis.walkshed import LifeCircleResult, life_circle, nearest_distance, what_if
from layers import frames
from layers.dbcopy import copy_rows, copy_supported
from layers.io import writers
from layers.models import District, IdleLand, VacantHousing
from lifecircle.models import (
    CoverageResult,
    FacilitySupply,
    NetworkIsland,
    PopulationShares,
    RuleSet,
)
from lifecircle.rulesets import ruleset_get, ruleset_load
from runs.lifecycle import run_recorded
from runs.models import AnalysisRun
from runs.registry import kwargs_of

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
_TO_SRID = Transformer.from_crs(4326, settings.SRID, always_xy=True)


def _remember(run_id: int, ctx: RunContext) -> None:
    _CONTEXTS[run_id] = ctx
    _CONTEXTS.move_to_end(run_id)
    while len(_CONTEXTS) > MAX_CONTEXTS:
        _CONTEXTS.popitem(last=False)


def _finite(v: float, digits: int = 1) -> float | None:
    return None if v is None or not math.isfinite(v) else round(float(v), digits)


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
    )
    timings["routing_s"] = time.perf_counter() - t
    cap_result, shares = None, None
    if capacity and network is not None and rules.capacity_codes:
        t = time.perf_counter()
        shares = population_shares(on or timezone.localdate())
        # without shares in force only the categories sized on all residents
        cap_cats = [
            c
            for c in rules.capacity_codes
            if shares is not None or rules.rule(c).capacity.target_group is None
        ]
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


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    frame = frame.reset_index()
    out = []
    for row in frame.to_dict(orient="records"):
        out.append(
            {
                k: (
                    _finite(v, 4 if k.startswith("share_") else 1)
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


def _json_numbers(values: np.ndarray, digits: int) -> list[str]:
    """``json.dumps(_finite(v, digits))`` of each value, without a call per value."""
    isfinite = math.isfinite
    return [repr(round(v, digits)) if isfinite(v) else "null" for v in values.tolist()]


def _capacity_json(cap: CapacityResult | None, codes: np.ndarray) -> list[str]:
    """One JSON object per community (CoverageResult.capacity).

    The text ``json.dumps`` gives for ``{"score", "tiers_met", "missing",
    "categories": {code: {"demand", "ratio", "shortfall", "adequate"}}}`` (values
    through :func:`_finite`), assembled column by column from whole arrays.
    """
    if cap is None:
        return ["{}"] * len(codes)
    cats = list(cap.categories)
    tiers = cap.tiers_met.reindex(codes)
    missing = cap.missing.reindex(codes)
    score = _json_numbers(cap.score.reindex(codes).to_numpy(float), 1)
    tables = {
        k: getattr(cap, k).reindex(codes).to_numpy(float)
        for k in ("demand", "ratio", "shortfall")
    }
    adequate = cap.adequate.reindex(codes).to_numpy(bool)
    t_keys = [json.dumps(str(k)) for k in tiers.columns]
    tiers_json = [
        "{"
        + ", ".join(
            f"{k}: {'true' if v else 'false'}" for k, v in zip(t_keys, row, strict=True)
        )
        + "}"
        for row in tiers.to_numpy(bool).tolist()
    ]
    m_keys = [str(k) for k in missing.columns]
    dumps = json.dumps
    missing_json = [
        dumps({k: list(v) for k, v in zip(m_keys, row, strict=True)})
        for row in missing.to_numpy(object).tolist()
    ]
    per_category = []
    for j, c in enumerate(cats):
        key = dumps(c)
        per_category.append(
            [
                f'{key}: {{"demand": {d}, "ratio": {r}, "shortfall": {s}, '
                f'"adequate": {"true" if a else "false"}}}'
                for d, r, s, a in zip(
                    _json_numbers(tables["demand"][:, j], 2),
                    _json_numbers(tables["ratio"][:, j], 4),
                    _json_numbers(tables["shortfall"][:, j], 2),
                    adequate[:, j].tolist(),
                    strict=True,
                )
            ]
        )
    categories_json = (
        ["{" + ", ".join(parts) + "}" for parts in zip(*per_category, strict=True)]
        if cats
        else ["{}"] * len(codes)
    )
    return [
        f'{{"score": {s}, "tiers_met": {t}, "missing": {m}, "categories": {c}}}'
        for s, t, m, c in zip(
            score, tiers_json, missing_json, categories_json, strict=True
        )
    ]


def _coverage_rows(run_id: int, ctx: RunContext) -> list[tuple]:
    """One tuple per community (the CoverageResult columns), from whole arrays.

    Same values as building model instances row by row with ``.loc``: distances rounded
    to 0.1 m (``None`` when beyond the routing limit), tiers met, missing categories per
    tier, score and reachability.
    """
    res = ctx.result
    codes = res.distance_m.index.to_numpy()
    comm = ctx.communities
    pos = pd.Index(comm["code"]).get_indexer(codes)
    if (pos < 0).any():
        msg = "result communities do not match the loaded communities"
        raise ValueError(msg)
    pks = comm["pk"].to_numpy()[pos].astype(np.int64).tolist()
    residents = comm["residents"].fillna(0).astype(int).to_numpy()[pos].tolist()
    score = res.score.reindex(codes).to_numpy(float).tolist()
    unreachable = (
        set(res.unreachable_communities["code"])
        if len(res.unreachable_communities)
        else set()
    )
    reachable = [code not in unreachable for code in codes]
    # distances: a JSON object per row (json.dumps of _finite values, as JSONField does)
    cats = [str(c) for c in res.distance_m.columns]
    k = len(cats)
    flat = [
        round(v, 1) if math.isfinite(v) else None
        for v in res.distance_m.reindex(codes).to_numpy(float).ravel().tolist()
    ]
    dumps = json.dumps
    dist_json = (
        [dumps(dict(zip(cats, flat[i : i + k]))) for i in range(0, len(flat), k)]
        if k
        else ["{}"] * len(codes)
    )
    tiers = res.tiers_met.reindex(codes)
    t_keys = [json.dumps(str(k)) for k in tiers.columns]
    t_vals = tiers.to_numpy(bool).tolist()
    tiers_json = [
        "{"
        + ", ".join(
            f"{k}: {'true' if v else 'false'}" for k, v in zip(t_keys, row, strict=True)
        )
        + "}"
        for row in t_vals
    ]
    missing = res.missing.reindex(codes)
    m_keys = [str(k) for k in missing.columns]
    missing_json = [
        json.dumps({k: list(v) for k, v in zip(m_keys, row, strict=True)})
        for row in missing.to_numpy(object).tolist()
    ]
    return list(
        zip(
            [run_id] * len(codes),
            pks,
            residents,
            score,
            tiers_json,
            missing_json,
            dist_json,
            reachable,
            _capacity_json(ctx.capacity, codes),
            strict=True,
        )
    )


_COVERAGE_COLUMNS = (
    "run_id",
    "community_id",
    "residents",
    "score",
    "tiers_met",
    "missing",
    "distances_m",
    "reachable",
    "capacity",
)
_SUPPLY_COLUMNS = (
    "run_id",
    "amenity_code",
    "category",
    "supply",
    "unit",
    "basis",
    "note",
    "ratio",
)


@transaction.atomic
def _store(run: AnalysisRun, ctx: RunContext) -> None:
    """Write one CoverageResult per community with a single ``COPY … FROM STDIN``.

    The rows are built from whole arrays (:func:`_coverage_rows`); the table's
    constraints (unique run+community, foreign keys, residents >= 0) apply to COPY as
    to INSERT. Falls back to ``bulk_create`` on a database without COPY.
    """
    _store_islands(run, ctx.result.islands)
    rows = _coverage_rows(run.pk, ctx)
    if not rows:
        return
    supply = _supply_rows(run.pk, ctx.capacity)
    if copy_supported():
        copy_rows(FacilitySupply._meta.db_table, _SUPPLY_COLUMNS, supply)
        copy_rows(CoverageResult._meta.db_table, _COVERAGE_COLUMNS, rows)
        return
    CoverageResult.objects.bulk_create(
        [
            CoverageResult(
                run_id=r[0],
                community_id=r[1],
                residents=r[2],
                score=r[3],
                tiers_met=json.loads(r[4]),
                missing=json.loads(r[5]),
                distances_m=json.loads(r[6]),
                reachable=r[7],
                capacity=json.loads(r[8]),
            )
            for r in rows
        ],
        batch_size=2000,
    )
    FacilitySupply.objects.bulk_create(
        [FacilitySupply(**dict(zip(_SUPPLY_COLUMNS, r, strict=True))) for r in supply],
        batch_size=2000,
    )


def _supply_rows(run_id: int, cap: CapacityResult | None) -> list[tuple]:
    if cap is None or not len(cap.supply):
        return []
    sup = cap.supply
    return list(
        zip(
            [run_id] * len(sup),
            sup["code"].astype(str).tolist(),
            sup["category"].astype(str).tolist(),
            sup["supply"].fillna(0).astype(float).tolist(),
            sup["unit"].astype(str).tolist(),
            sup["basis"].astype(str).tolist(),
            sup["note"].astype(str).tolist(),
            sup["ratio"].astype(float).tolist(),
            strict=True,
        )
    )


def _store_islands(run: AnalysisRun, islands: gpd.GeoDataFrame) -> None:
    """One NetworkIsland row per component the run left out (caller's transaction)."""
    if islands.empty:
        return
    NetworkIsland.objects.bulk_create(
        [
            NetworkIsland(
                run=run,
                component=int(r.component),
                nodes=int(r.nodes),
                edges=int(r.edges),
                length_m=float(r.length_m),
                amenities_nearest=int(r.amenities_nearest),
                access_points_nearest=int(r.access_points_nearest),
                geom=GEOSGeometry(memoryview(r.geometry.wkb), srid=settings.SRID),
            )
            for r in islands.itertuples()
        ],
        batch_size=1000,
    )


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


def _added_facilities(
    *,
    facilities: Sequence[dict[str, Any]],
    idle_land: Sequence[str],
    vacant_housing: Sequence[str],
    category: str | None,
) -> gpd.GeoDataFrame:
    cats, geoms, codes, caps, areas = [], [], [], [], []
    for i, f in enumerate(facilities):
        lon, lat = float(f["lon"]), float(f["lat"])
        ex = settings.CITY_EXTENT
        if not (
            math.isfinite(lon)
            and math.isfinite(lat)
            and ex[0] <= lon <= ex[2]
            and ex[1] <= lat <= ex[3]
        ):
            msg = f"facility {i}: ({lon}, {lat}) is outside the city extent {ex}"
            raise ValueError(msg)
        x, y = _TO_SRID.transform(lon, lat)
        cats.append(f["category"])
        geoms.append(shapely.Point(x, y))
        codes.append(f.get("code") or f"new-{i + 1}")
        caps.append(f.get("capacity"))
        areas.append(f.get("floor_area_m2"))
    if (idle_land or vacant_housing) and not category:
        msg = "a category is needed for idle plots and vacant housing"
        raise ValueError(msg)
    for model, wanted, rep in (
        (IdleLand, idle_land, True),
        (VacantHousing, vacant_housing, False),
    ):
        if not wanted:
            continue
        found = {o.code: o for o in model.objects.filter(code__in=list(wanted))}
        unknown = sorted(set(wanted) - set(found))
        if unknown:
            msg = f"unknown {model._meta.verbose_name} codes: {', '.join(unknown[:10])}"
            raise ValueError(msg)
        for code in wanted:
            g = shapely.from_wkb(bytes(found[code].geom.wkb))
            cats.append(category)
            geoms.append(shapely.point_on_surface(g) if rep else g)
            codes.append(code)
            # vacant housing brings its floor area; an idle plot the standard's size
            caps.append(None)
            areas.append(None if rep else found[code].floor_area_m2)
    if not geoms:
        msg = "nothing to add: give facilities, idle_land or vacant_housing"
        raise ValueError(msg)
    return gpd.GeoDataFrame(
        {
            "code": codes,
            "category": cats,
            "capacity": pd.array(caps, dtype="Float64").astype(float),
            "floor_area_m2": pd.array(areas, dtype="Float64").astype(float),
        },
        geometry=geoms,
        crs=f"EPSG:{settings.SRID}",
    )


def lifecircle_what_if(
    *,
    run: AnalysisRun,
    facilities: Sequence[dict[str, Any]] = (),
    idle_land: Sequence[str] = (),
    vacant_housing: Sequence[str] = (),
    category: str | None = None,
) -> dict[str, Any]:
    """Coverage with hypothetical facilities added; nothing is stored.

    Only the categories of the added facilities are recomputed, routing from the new
    facilities alone (:func:`analysis.walkshed.what_if`).
    """
    if run.kind != AnalysisRun.Kind.LIFECIRCLE or run.status != AnalysisRun.Status.DONE:
        msg = f"run {run.pk} is not a finished life-circle run"
        raise ValueError(msg)
    t = time.perf_counter()
    ctx = run_context(run)
    added = _added_facilities(
        facilities=facilities,
        idle_land=idle_land,
        vacant_housing=vacant_housing,
        category=category,
    )
    unknown = sorted(set(added["category"]) - set(ctx.rules.codes))
    if unknown:
        msg = f"unknown categories: {', '.join(unknown)}"
        raise ValueError(msg)
    new = what_if(ctx.result, ctx.network, ctx.communities, added, ctx.rules)
    before, after = ctx.result, new
    cats = sorted(set(added["category"]))
    names = dict(zip(ctx.communities["code"], ctx.communities["name"], strict=True))
    residents = dict(
        zip(
            ctx.communities["code"],
            ctx.communities["residents"].fillna(0).astype(int),
            strict=True,
        )
    )
    changed = []
    newly = after.covered[cats] & ~before.covered[cats]
    for code in newly.index[newly.any(axis=1)]:
        changed.append(
            {
                "code": code,
                "name": names[code],
                "residents": int(residents[code]),
                "newly_covered": [c for c in cats if newly.at[code, c]],
                "score_before": _finite(before.score[code]),
                "score_after": _finite(after.score[code]),
                "distance_before_m": {
                    c: _finite(before.distance_m.at[code, c]) for c in cats
                },
                "distance_after_m": {
                    c: _finite(after.distance_m.at[code, c]) for c in cats
                },
            }
        )
    changed.sort(key=lambda r: (-r["residents"], r["code"]))
    capacity = _capacity_what_if(ctx, added, names, residents)
    return {
        "run": run.pk,
        "categories": cats,
        "added": [
            {"code": c, "category": k}
            for c, k in zip(added["code"], added["category"], strict=True)
        ],
        "communities_newly_covered": len(changed),
        "residents_newly_covered": {
            c: int(sum(r["residents"] for r in changed if c in r["newly_covered"]))
            for c in cats
        },
        "mean_score_before": _finite(float(before.score.mean())),
        "mean_score_after": _finite(float(after.score.mean())),
        "changed": changed,
        "capacity": capacity,
        "elapsed_s": round(time.perf_counter() - t, 4),
    }


RESULT_FORMATS = ("csv", "geojson", "gpkg")


def lifecircle_result_rows(run: AnalysisRun) -> gpd.GeoDataFrame:
    """One row per community of a finished run, for files and the command line.

    Columns: ``code``, ``name``, ``district``, ``street``, ``residents``, ``score``,
    ``tiers_met`` (the tiers met, e.g. ``"5;10"``), ``tier_<T>min`` (bool per tier),
    ``reachable``, then ``<category code>_m`` per analysed category: the walking
    distance in metres, NaN (an empty cell) when no facility is within reach; with a
    capacity-aware result also ``capacity_score`` and ``<code>_ratio``,
    ``<code>_shortfall`` and ``<code>_enough`` per category with a standard. The
    geometry is the community polygon in EPSG:4326.
    """
    cats = list((run.summary.get("thresholds_m") or {}).keys())
    results = list(
        CoverageResult.objects.filter(run=run)
        .select_related("community", "community__district", "community__street")
        .order_by("community__code")
    )
    tiers = sorted({int(t) for r in results for t in (r.tiers_met or {})})
    rows, geoms = [], []
    for r in results:
        c = r.community
        met = {int(k): bool(v) for k, v in (r.tiers_met or {}).items()}
        row = {
            "code": c.code,
            "name": c.name,
            "district": c.district.code,
            "street": c.street.code if c.street else "",
            "residents": int(r.residents),
            "score": round(float(r.score), 1),
            "tiers_met": ";".join(str(t) for t in sorted(met) if met[t]),
            **{f"tier_{t}min": met.get(t, False) for t in tiers},
            "reachable": bool(r.reachable),
        }
        for cat in cats:
            d = (r.distances_m or {}).get(cat)
            row[f"{cat}_m"] = float(d) if d is not None else math.nan
        # the capacity-aware result beside it (categories with a capacity standard)
        cap = r.capacity or {}
        if cap:
            row["capacity_score"] = cap.get("score")
        for cat, f in (cap.get("categories") or {}).items():
            row[f"{cat}_ratio"] = f["ratio"]
            row[f"{cat}_shortfall"] = f["shortfall"]
            row[f"{cat}_enough"] = f["adequate"]
        rows.append(row)
        geoms.append(shapely.from_wkb(bytes(c.geom.wkb)))
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=f"EPSG:{settings.SRID}").to_crs(
        settings.API_SRID
    )
    return frame


def lifecircle_result_write(run: AnalysisRun, path) -> Path:
    """Write :func:`lifecircle_result_rows` to ``path`` (.csv, .geojson or .gpkg).

    The file appears whole or not at all: it is written beside ``path`` under a
    temporary name and renamed. CSV is UTF-8 with BOM and a ``wkt`` column.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in RESULT_FORMATS:
        msg = f"{path.name}: the output must end in .csv, .geojson or .gpkg"
        raise ValueError(msg)
    if not path.parent.is_dir():
        msg = f"{path.parent}: no such directory"
        raise ValueError(msg)
    frame = lifecircle_result_rows(run)
    tmp = path.with_name(f".{path.stem}.partial{path.suffix}")
    tmp.unlink(missing_ok=True)
    try:
        kw = {"layer": "lifecircle"} if fmt == "gpkg" else {}
        writers.export(frame, tmp, fmt, **kw)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _capacity_what_if(
    ctx: RunContext,
    added: gpd.GeoDataFrame,
    names: Mapping[str, str],
    residents: Mapping[str, int],
) -> dict[str, Any] | None:
    """The capacity-aware change: shortfalls and ratios before and after."""
    before = ctx.capacity
    if before is None or ctx.network is None:
        return None
    cats = sorted(set(added["category"]) & set(before.categories))
    if not cats:
        return {"categories": [], "changed": []}
    after = capacity_what_if(
        before, ctx.result, ctx.network, added, ctx.rules, shares=ctx.shares
    )
    drop = before.shortfall[cats] - after.shortfall[cats]
    changed = []
    for code in drop.index[(drop > 1e-9).any(axis=1)]:
        changed.append(
            {
                "code": code,
                "name": names[code],
                "residents": int(residents[code]),
                "shortfall_before": {
                    c: _finite(before.shortfall.at[code, c], 2) for c in cats
                },
                "shortfall_after": {
                    c: _finite(after.shortfall.at[code, c], 2) for c in cats
                },
                "ratio_before": {c: _finite(before.ratio.at[code, c], 4) for c in cats},
                "ratio_after": {c: _finite(after.ratio.at[code, c], 4) for c in cats},
                "newly_adequate": [
                    c
                    for c in cats
                    if after.adequate.at[code, c] and not before.adequate.at[code, c]
                ],
            }
        )
    changed.sort(key=lambda r: (-r["residents"], r["code"]))
    res = ctx.communities.set_index("code")["residents"].fillna(0)
    added_sup = after.supply.iloc[len(before.supply) :]
    return {
        "categories": cats,
        "supply_added": [
            {
                "code": str(r.code),
                "category": str(r.category),
                "supply": _finite(r.supply, 2),
                "unit": str(r.unit),
                "basis": str(r.basis),
                "note": str(r.note),
            }
            for r in added_sup.itertuples()
        ],
        "shortfall_reduced": {c: _finite(float(drop[c].sum()), 2) for c in cats},
        "residents_adequate_before": {
            c: int(res.reindex(before.adequate.index)[before.adequate[c]].sum())
            for c in cats
        },
        "residents_adequate_after": {
            c: int(res.reindex(after.adequate.index)[after.adequate[c]].sum())
            for c in cats
        },
        "mean_score_before": _finite(float(before.score.mean())),
        "mean_score_after": _finite(float(after.score.mean())),
        "changed": changed,
    }


def lifecircle_latest() -> AnalysisRun | None:
    return (
        AnalysisRun.objects.filter(
            kind=AnalysisRun.Kind.LIFECIRCLE, status=AnalysisRun.Status.DONE
        )
        .order_by("-finished_at")
        .first()
    )


def lifecircle_distance_tiff(
    *, run: AnalysisRun, category: str, path, cell_m: float = 50.0
):
    """Write a GeoTIFF of walking distance (m) to the nearest facility of ``category``.

    Grid of ``cell_m`` over the analysed communities (+ margin), float32, NaN = beyond the
    routing limit or off the network; EPSG = settings.SRID.
    """
    if not (10 <= cell_m <= 1000):
        msg = f"cell_m must be within 10–1000 m, got {cell_m}"
        raise ValueError(msg)
    ctx = run_context(run)
    if ctx.network is None:
        msg = "this run has no walk network (straight-line mode): no distance surface"
        raise ValueError(msg)
    if category not in ctx.rules.codes:
        msg = f"unknown category {category!r}"
        raise ValueError(msg)
    amenities = frames.amenities_gdf(categories=[category])
    net = ctx.network
    limit = float(ctx.result.limit_m)
    if len(amenities):
        xy = shapely.get_coordinates(amenities.geometry.to_numpy())
        snap = net.snap_points(
            xy,
            max_distance_m=ctx.result.parameters["snap_limit_m"],
            min_component_nodes=ctx.result.parameters["min_component_nodes"],
        )
        nodes, costs = NetworkEntry.from_snap(
            net, snap, np.flatnonzero(snap.reachable)
        ).nodes()
        node_d = nearest_distance(net.csr, nodes, limit, offsets_m=costs)
    else:
        node_d = np.full(net.n_nodes, np.inf)
    bounds = surface_bounds(
        shapely.get_coordinates(ctx.communities.geometry.to_numpy())
    )
    grid, gt = distance_surface(net.node_xy, node_d, bounds, cell_m=cell_m)
    profile = {
        "driver": "GTiff",
        "height": grid.shape[0],
        "width": grid.shape[1],
        "count": 1,
        "dtype": "float32",
        "crs": f"EPSG:{settings.SRID}",
        "nodata": np.nan,
        "transform": Affine.from_gdal(*gt),
        "compress": "deflate",
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(grid, 1)
        dst.update_tags(
            category=category,
            run=str(run.pk),
            units="metres",
            description="walking distance to the nearest facility",
        )
    return path
