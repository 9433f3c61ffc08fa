"""Siting runs: rank idle plots and vacant public housing for a missing amenity, choose the best set.

The optimisation lives in :mod:`analysis.siting` (pure array core); this module only
moves data between PostGIS, the finished life-circle run it builds on and that core.

Distances are the life-circle engine's (:mod:`analysis.walkshed`): a candidate is
snapped to the walk network like a facility (point on surface of a plot, the point of a
vacant house), enters the graph through both end nodes of its edge with the snap offset
plus the partial edge length, and reaches each community access point stored in the
life-circle result; a candidate on the same edge as an access point also walks straight
along the edge. So a site proposed here covers exactly the communities that
:func:`lifecircle.services.lifecircle_what_if` later reports as newly covered.

Demand: residents (and communities) whose current walk distance to the category, from the
life-circle run, exceeds the tier distance; or, with ``gaps="capacity"``, residents of the
communities whose capacity-aware shortfall (:mod:`analysis.capacity`) a new site
within the catchment would reduce (any site with a positive capacity does). Existing facilities stay fixed and a community
they already serve is never counted as a gain (LIFECIRCLE.md, expansion planning).
Candidates: status ``available`` only, consent ``refused`` never (POLICY.md 四(四)3);
by default only plots whose owners agreed (and vacant public housing), the plots still
to be asked ranked apart (``consent_scope="pending"``), both together marked (``"all"``).
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from django.conf import settings
from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction

from accounts import permissions
from analysis import siting as core
from analysis.network import (
    MIN_COMPONENT_NODES,
    NetworkEntry,
    WalkNetwork,
    same_edge_pairs,
)
from layers import frames
from layers.io.writers import table_xlsx_bytes
from layers.models import IdleLand
from lifecircle import services as lc
from lifecircle.rulesets import ruleset_load
from runs.lifecycle import run_recorded
from runs.models import AnalysisRun
from runs.registry import kwargs_of

from .models import CandidateKind, SitingCandidateResult, SitingScenario

ENGINE = (
    "scipy.sparse.csgraph.dijkstra coverage + lazy greedy / scipy.optimize.milp (HiGHS)"
)
MAX_K = 200
METHODS = ("both", "greedy", "exact")
KINDS = (*IdleLand.Kind.values, "vacant_housing")
DEFAULT_TIME_LIMIT_S = 30.0
DEFAULT_EMBEDDED_BONUS = 500.0
EXPORT_FORMATS = ("geojson", "gpkg", "xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------------------
# input checks
# ---------------------------------------------------------------------------
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
        try:
            run = AnalysisRun.objects.get(pk=int(run))
        except (AnalysisRun.DoesNotExist, TypeError, ValueError):
            msg = f"life-circle run {run!r} does not exist"
            raise ValueError(msg) from None
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


def siting_execute(*, run: AnalysisRun, user: Any, **kwargs: Any) -> AnalysisRun:
    """A queued siting run: several categories (``categories``) or one."""
    fn = siting_multi_run if kwargs.get("categories") else siting_run
    return fn(run=run, user=user, **kwargs)


def siting_validate(params: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of :func:`siting_run` (or, with ``categories``,
    :func:`siting_multi_run`) for a queued run, checked before queuing without
    routing: bounds, method, kinds, the life-circle run and that it analysed every
    category asked for."""
    kw = {k: v for k, v in params.items() if v is not None}
    cats = list(kw.get("categories") or ())
    multi = len(cats) > 1 or (bool(cats) and bool(kw.get("embedded")))
    if multi:
        if kw.pop("tier", None) is not None:
            msg = "tier applies to one category; several use their own"
            raise ValueError(msg)
    else:
        kw["category"] = kw.get("category") or (cats[0] if cats else None)
        for key in ("categories", "embedded", "embedded_bonus"):
            kw.pop(key, None)
        cats = [kw["category"]]
    kw = kwargs_of(siting_multi_run if multi else siting_run, kw)
    k = kw.get("k", 5)
    if isinstance(k, Mapping) and multi:
        for c in cats:
            _check_k(k.get(c, 0), f"k[{c}]", low=0)
    else:
        _check_k(k)
    _check_common(
        method=kw.get("method", "both"),
        kinds=kw.get("kinds"),
        districts=kw.get("districts"),
        min_area_m2=kw.get("min_area_m2"),
        time_limit_s=kw.get("time_limit_s", DEFAULT_TIME_LIMIT_S),
        consent_scope=kw.get("consent_scope", "granted"),
    )
    if multi and kw.get("embedded"):
        _check_embedded(cats)
    lc_run = _lifecircle_run(kw.get("lifecircle_run"))
    analysed = set(lc_run.summary.get("thresholds_m") or {})
    for c in cats:
        if not isinstance(c, str) or c not in analysed:
            msg = f"unknown category {c!r}; known: {', '.join(sorted(analysed))}"
            raise ValueError(msg)
    tier = kw.get("tier")
    tiers = ruleset_load(lc_run.ruleset).tier_minutes if lc_run.ruleset else ()
    if tier is not None and (isinstance(tier, bool) or tier not in tiers):
        msg = f"tier must be one of {list(tiers)} minutes, got {tier!r}"
        raise ValueError(msg)
    return kw


# ---------------------------------------------------------------------------
# network plumbing (array level)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Sites:
    """Where the candidates enter the walk network (reachable ones only)."""

    rows: np.ndarray  # candidate row of each entry
    entry: NetworkEntry
    snap_m: np.ndarray  # per candidate, distance to the network (inf: no edge)
    reachable: np.ndarray  # per candidate


def _candidate_points(cand: gpd.GeoDataFrame) -> np.ndarray:
    geom = cand.geometry.to_numpy()
    if len(geom) == 0:
        return np.zeros((0, 2))
    pts = np.where(
        shapely.get_type_id(geom) == shapely.GeometryType.POINT,
        geom,
        shapely.point_on_surface(geom),
    )
    return shapely.get_coordinates(pts)


def _snap_sites(
    net: WalkNetwork,
    cand: gpd.GeoDataFrame,
    snap_limit_m: float,
    min_component_nodes: int = MIN_COMPONENT_NODES,
) -> _Sites:
    """Candidates join the network as the life circle's facilities did (same snap
    limit, same islands left out)."""
    xy = _candidate_points(cand)
    snap = net.snap_points(
        xy, max_distance_m=snap_limit_m, min_component_nodes=min_component_nodes
    )
    rows = np.flatnonzero(snap.reachable)
    return _Sites(
        rows=rows,
        entry=NetworkEntry.from_snap(net, snap, rows),
        snap_m=snap.distance_m,
        reachable=snap.reachable,
    )


def _coverage(
    net: WalkNetwork,
    sites: _Sites,
    n_cand: int,
    ap_entry: Any,
    ap_owner: np.ndarray,
    weights: np.ndarray,
    distance_m: float,
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Candidate × community walk coverage within ``distance_m`` for demand communities."""
    n_comm = weights.size
    keep = np.flatnonzero(weights[ap_owner] > 0)
    parts_c, parts_i, parts_d = [], [], []
    m = sites.rows.size
    if keep.size and m:
        access = ap_entry.take(keep)
        a_nodes, a_off = access.nodes()
        s_nodes, s_off = sites.entry.nodes()
        cov = core.coverage_matrix(
            net.csr,
            s_nodes,
            a_nodes,
            distance_m,
            candidate_offsets_m=s_off,
            access_community=np.concatenate([ap_owner[keep], ap_owner[keep]]),
            access_offsets_m=a_off,
        )
        dm = cov.distance_m
        r = np.repeat(np.arange(dm.shape[0]), np.diff(dm.indptr))
        parts_c.append(sites.rows[r % m])
        parts_i.append(dm.indices.astype(np.int64))
        parts_d.append(np.asarray(dm.data, dtype=float))
        # the direct walk along an edge shared by a site and an access point
        s_idx, a_idx, d = same_edge_pairs(sites.entry, access)
        ok = d <= distance_m
        parts_c.append(sites.rows[s_idx[ok]])
        parts_i.append(ap_owner[keep[a_idx[ok]]])
        parts_d.append(d[ok])
    if parts_c:
        c = np.concatenate(parts_c)
        i = np.concatenate(parts_i)
        d = np.concatenate(parts_d)
    else:
        c = i = np.zeros(0, np.int64)
        d = np.zeros(0)
    return core.pairs_to_coverage(c, i, d, n_cand, n_comm)


# ---------------------------------------------------------------------------
# runs
# ---------------------------------------------------------------------------
@dataclass
class _Problem:
    category: str
    distance_m: float
    weights: np.ndarray
    cover: sp.csr_matrix
    dist: sp.csr_matrix
    eligible: np.ndarray


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        return None if not math.isfinite(v) else round(v, 4)
    return v


def _objective(sol: Any, weights: Mapping[str, np.ndarray] | np.ndarray) -> dict:
    if isinstance(sol, core.MultiSolution):
        n_comm = {c: int(v.sum()) for c, v in sol.covered.items()}
        chosen = int(sum(v.size for v in sol.chosen.values()))
        extra = {
            "category_objective": sol.category_objective,
            "embedded_complexes": int(sol.embedded.size),
        }
    else:
        w = np.asarray(weights)
        n_comm = int((sol.covered & (w > 0)).sum())
        chosen = int(sol.chosen.size)
        extra = {}
    return _jsonable(
        {
            "method": sol.method,
            "status": sol.status,
            "objective_residents": sol.objective,
            "communities_covered": n_comm,
            "sites": chosen,
            "mip_gap": sol.mip_gap,
            "dual_bound": sol.dual_bound,
            "greedy_objective": sol.greedy_objective,
            "gap_to_greedy": sol.gap_to_greedy,
            "time_s": sol.time_s,
            **extra,
        }
    )


def _explain(
    chosen: np.ndarray,
    prob: _Problem,
    cand: gpd.GeoDataFrame,
    comm: pd.DataFrame,
    names: Mapping[str, str],
) -> list[dict]:
    if chosen.size == 0:
        return []
    sol = core.Solution(
        chosen=chosen,
        objective=0.0,
        covered=np.zeros(prob.weights.size, bool),
        method="",
        status="",
    )
    table = core.explain(sol, cand, comm, prob.cover, prob.dist, weights=prob.weights)
    out = []
    for rec in table.to_dict(orient="records"):
        gains = sorted(
            (
                {
                    "community": g["community"],
                    "name": names.get(g["community"], ""),
                    "residents": int(g["residents"]),
                    "walk_m": round(float(g["walk_m"]), 1),
                }
                for g in rec.pop("gains")
            ),
            key=lambda g: (-g["residents"], g["community"]),
        )
        row = cand.iloc[int(rec["candidate"])]
        rec.update(
            category=prob.category,
            candidate_kind=row["source"],
            district_code=row["district_code"],
            walk_distance_limit_m=prob.distance_m,
            snap_to_network_m=None,
            gains=gains,
        )
        rec["residents_gained"] = int(rec["residents_gained"])
        for name in PRIVATE_FIELDS:  # kept with the candidates, not in the run record
            rec.pop(name, None)
        out.append(_jsonable(rec))
    return out


def siting_run(
    *,
    category: str,
    tier: int | None = None,
    k: int = 5,
    method: str = "both",
    kinds: Sequence[str] | None = None,
    districts: Sequence[str] | None = None,
    min_area_m2: float | None = None,
    consent_scope: str = "granted",
    lifecircle_run: AnalysisRun | int | None = None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    gaps: str = "distance",
    user=None,
    run: AnalysisRun | None = None,
) -> AnalysisRun:
    """Rank the idle plots / vacant housing for one category and choose up to ``k`` sites.

    ``gaps``: ``distance`` counts residents newly within reach; ``capacity`` counts the
    residents whose shortfall a site within the catchment reduces (the category needs a
    capacity standard and the life-circle run its capacity-aware result).

    ``tier`` (minutes) sets the walking distance (default: the category's own threshold in
    the life-circle run); ``method`` is ``greedy``, ``exact`` (HiGHS) or ``both``;
    ``kinds`` / ``districts`` (codes) / ``min_area_m2`` narrow the candidates on top of
    the rule's minimum site area (plots) or floor area (housing). ``consent_scope``: plots
    whose owners agreed (``granted``, with vacant public housing, the default), the
    ones still to ask (``pending``, ranked on their own) or ``all`` (each marked). Builds on a finished
    life-circle run (default: the latest). Returns the stored ``AnalysisRun``
    (``kind=siting``); raises ``ValueError`` on bad input.
    """
    permissions.check_analysis(user, districts, "运行闲置用地选址")
    k = _check_k(k)
    _check_common(
        method=method,
        kinds=kinds,
        districts=districts,
        min_area_m2=min_area_m2,
        time_limit_s=time_limit_s,
        consent_scope=consent_scope,
    )
    lc_run = _lifecircle_run(lifecircle_run)
    t0 = time.perf_counter()
    ctx = lc.run_context(lc_run)
    _check_category(ctx, category)
    rule = ctx.rules.rule(category)
    if tier is None:
        tier_min = int(rule.tier_minutes)
        distance = float(ctx.result.thresholds_m[category])
    else:
        if isinstance(tier, bool) or tier not in ctx.rules.tier_minutes:
            msg = f"tier must be one of {list(ctx.rules.tier_minutes)} minutes, got {tier!r}"
            raise ValueError(msg)
        tier_min = int(tier)
        p = ctx.result.parameters
        distance = float(
            ctx.rules.distance_for(
                tier_min,
                strict=bool(p.get("strict", False)),
                speed_m_per_min=p.get("speed_m_per_min"),
            )
        )
    params = {
        "category": category,
        "categories": [category],
        "tier_minutes": tier_min,
        "distance_m": distance,
        "k": k,
        "method": method,
        "kinds": list(kinds) if kinds else None,
        "districts": list(districts) if districts else None,
        "min_area_m2": min_area_m2,
        "consent_scope": consent_scope,
        "time_limit_s": float(time_limit_s),
        "multi": False,
        "gaps": _check_gaps(ctx, [category], gaps),
    }
    return _execute(
        params=params,
        ctx=ctx,
        lc_run=lc_run,
        rules={category: rule},
        distances={category: distance},
        k=k,
        user=user,
        t_context=time.perf_counter() - t0,
        run=run,
    )


def siting_multi_run(
    *,
    categories: Sequence[str],
    k: int | Mapping[str, int],
    embedded: bool = False,
    embedded_bonus: float | None = None,
    method: str = "both",
    kinds: Sequence[str] | None = None,
    districts: Sequence[str] | None = None,
    min_area_m2: float | None = None,
    consent_scope: str = "granted",
    lifecircle_run: AnalysisRun | int | None = None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    gaps: str = "distance",
    user=None,
    run: AnalysisRun | None = None,
) -> AnalysisRun:
    """Site several categories at once on one inventory of idle plots and vacant housing.

    ``k`` is a total number of new facilities or a number per category. A candidate hosts
    one facility unless its area fits more (capacity = area // the smallest minimum of the
    categories it fits); plots are measured by site area (the rule's minimum site area,
    else its minimum floor area: a single-storey new building), housing by floor area.
    ``embedded=True`` rewards each 社区嵌入式服务综合体 (≥ 600 m², ≥ 3 functions, ≥ 2 of
    elderly_daycare / nursery / after_school_care / community_canteen) with
    ``embedded_bonus`` residents (default 500); complexes are reported either way.
    Each category uses its own threshold from the life-circle run.
    """
    permissions.check_analysis(user, districts, "运行闲置用地选址")
    if isinstance(categories, str) or not categories:
        msg = "categories must be a non-empty list of category codes"
        raise ValueError(msg)
    cats = list(dict.fromkeys(categories))
    if isinstance(k, Mapping):
        unknown = sorted(set(k) - set(cats))
        if unknown:
            msg = f"k names categories not in the run: {unknown}"
            raise ValueError(msg)
        k_val: int | dict[str, int] = {
            c: _check_k(k.get(c, 0), f"k[{c}]", low=0) for c in cats
        }
        if sum(k_val.values()) < 1:
            msg = "k must allow at least one new facility"
            raise ValueError(msg)
    else:
        k_val = _check_k(k)
    _check_common(
        method=method,
        kinds=kinds,
        districts=districts,
        min_area_m2=min_area_m2,
        time_limit_s=time_limit_s,
        consent_scope=consent_scope,
    )
    if embedded:
        _check_embedded(cats)
    bonus = 0.0
    if embedded:
        bonus = DEFAULT_EMBEDDED_BONUS if embedded_bonus is None else embedded_bonus
        if not (math.isfinite(float(bonus)) and float(bonus) >= 0):
            msg = f"embedded_bonus must be a non-negative number, got {bonus!r}"
            raise ValueError(msg)
    lc_run = _lifecircle_run(lifecircle_run)
    t0 = time.perf_counter()
    ctx = lc.run_context(lc_run)
    for c in cats:
        _check_category(ctx, c)
    rules = {c: ctx.rules.rule(c) for c in cats}
    distances = {c: float(ctx.result.thresholds_m[c]) for c in cats}
    params = {
        "category": None,
        "categories": cats,
        "tier_minutes": {c: int(rules[c].tier_minutes) for c in cats},
        "distance_m": distances,
        "k": k_val,
        "method": method,
        "embedded": bool(embedded),
        "embedded_bonus": float(bonus),
        "kinds": list(kinds) if kinds else None,
        "districts": list(districts) if districts else None,
        "min_area_m2": min_area_m2,
        "consent_scope": consent_scope,
        "time_limit_s": float(time_limit_s),
        "multi": True,
        "gaps": _check_gaps(ctx, cats, gaps),
    }
    return _execute(
        params=params,
        ctx=ctx,
        lc_run=lc_run,
        rules=rules,
        distances=distances,
        k=k_val,
        user=user,
        run=run,
        t_context=time.perf_counter() - t0,
    )


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


def _demand(ctx: lc.RunContext, category: str, residents, distance: float, gaps: str):
    """Residents per community that a new site can gain (see the module docstring)."""
    if gaps == "capacity" and ctx.capacity is not None:
        short = ctx.capacity.shortfall[category].reindex(ctx.communities["code"])
        return np.where(short.to_numpy(float) > 1e-9, residents, 0.0)
    current = ctx.result.distance_m[category].to_numpy(dtype=float)
    return core.demand_weights(current, residents, distance)


def _needs(cand: gpd.GeoDataFrame, rule: Any) -> np.ndarray:
    """Minimum area one facility of ``rule`` takes on each candidate (0: no minimum)."""
    is_land = (cand["source"] == "idle_land").to_numpy()
    site = rule.min_site_area_m2 or rule.min_floor_area_m2 or 0.0
    floor = rule.min_floor_area_m2 or 0.0
    return np.where(is_land, float(site), float(floor))


def _execute(
    *,
    params: dict,
    ctx: lc.RunContext,
    lc_run: AnalysisRun,
    rules: dict[str, Any],
    distances: dict[str, float],
    k: int | dict[str, int],
    user,
    t_context: float,
    run: AnalysisRun | None = None,
) -> AnalysisRun:
    with (
        run_recorded(
            run=run,
            kind=AnalysisRun.Kind.SITING,
            parameters=_jsonable({**params, "lifecircle_run": lc_run.pk}),
            ruleset=lc_run.ruleset,
            ruleset_version=lc_run.ruleset_version,
            data_time=frames.data_time(),
            engine=ENGINE,
            created_by=permissions.user_of(user),
            offset_s=t_context,
        ) as rec,
        rec.finishing() as run,
    ):
        summary = _compute_and_store(
            run=run,
            params=params,
            ctx=ctx,
            rules=rules,
            distances=distances,
            k=k,
        )
        timings = summary["timings"]
        timings["context_s"] = round(t_context, 4)
        timings["total_s"] = round(rec.elapsed(), 4)
        run.summary = _jsonable(summary)
    return run


def _compute_and_store(
    *,
    run: AnalysisRun,
    params: dict,
    ctx: lc.RunContext,
    rules: dict[str, Any],
    distances: dict[str, float],
    k: int | dict[str, int],
) -> dict:
    multi = bool(params["multi"])
    cats = list(rules)
    timings: dict[str, float] = {}
    net = ctx.network
    if net is None or ctx.result.straight_line:
        msg = (
            "the life-circle run has no walk network (straight-line mode); load walk "
            "segments and rerun the life-circle analysis before siting"
        )
        raise ValueError(msg)
    t = time.perf_counter()
    cand = core.siting_candidates(
        frames.idle_land_gdf(),
        frames.vacant_housing_gdf(),
        None if multi else rules[cats[0]],
        kinds=params["kinds"],
        districts=params["districts"],
        min_area_m2=params["min_area_m2"],
        consent=params.get("consent_scope", "granted"),
    )
    timings["read_s"] = time.perf_counter() - t
    n_cand = len(cand)
    comm = ctx.communities
    codes = comm["code"].to_numpy()
    names = dict(zip(comm["code"], comm["name"], strict=True))
    residents = core.community_residents(comm)
    comm_df = pd.DataFrame({"code": codes, "residents": residents})
    st = ctx.result.access
    t = time.perf_counter()
    lc = ctx.result.parameters
    sites = _snap_sites(
        net,
        cand,
        float(lc["snap_limit_m"]),
        int(lc.get("min_component_nodes", MIN_COMPONENT_NODES)),
    )
    timings["snap_s"] = time.perf_counter() - t

    area = cand["area_m2"].to_numpy(dtype=float) if n_cand else np.zeros(0)
    problems: dict[str, _Problem] = {}
    t = time.perf_counter()
    for c in cats:
        w = _demand(ctx, c, residents, distances[c], params.get("gaps", "distance"))
        if multi:
            need = _needs(cand, rules[c]) if n_cand else np.zeros(0)
            eligible = np.nan_to_num(area, nan=0.0) >= need
        else:
            eligible = np.ones(n_cand, dtype=bool)
        cover, dist = _coverage(
            net, sites, n_cand, st.ap_entry, st.ap_owner, w, distances[c]
        )
        if not eligible.all():
            cover, dist = _keep_rows(cover, eligible), _keep_rows(dist, eligible)
        problems[c] = _Problem(c, distances[c], w, cover, dist, eligible)
    timings["coverage_s"] = time.perf_counter() - t

    chosen: dict[str, dict[str, np.ndarray]] = {"greedy": {}, "exact": {}}
    objectives: dict[str, dict] = {}
    embedded: dict[str, list] = {}
    method = params["method"]
    tl = float(params["time_limit_s"])
    if not multi:
        p = problems[cats[0]]
        if method in ("greedy", "both"):
            t = time.perf_counter()
            g = core.greedy_mclp(p.cover, p.weights, int(k))  # type: ignore[arg-type]
            timings["greedy_s"] = time.perf_counter() - t
            chosen["greedy"][p.category] = g.chosen
            objectives["greedy"] = _objective(g, p.weights)
        if method in ("exact", "both"):
            t = time.perf_counter()
            e = core.exact_mclp(p.cover, p.weights, int(k), time_limit_s=tl)  # type: ignore[arg-type]
            timings["exact_s"] = time.perf_counter() - t
            chosen["exact"][p.category] = e.chosen
            objectives["exact"] = _objective(e, p.weights)
    else:
        cap, fits = _capacity(cand, rules)
        floor = (
            np.where(
                (cand["source"] == "idle_land").to_numpy(), area, cand["floor_area_m2"]
            ).astype(float)
            if n_cand
            else np.zeros(0)
        )
        for m in ("greedy", "exact"):
            if method not in (m, "both"):
                continue
            t = time.perf_counter()
            sol = core.multi_category_siting(
                {c: problems[c].cover for c in cats},
                {c: problems[c].weights for c in cats},
                k,
                cap,
                eligible=fits,
                floor_area_m2=floor,
                embedded_bonus=float(params["embedded_bonus"]),
                method=m,
                time_limit_s=tl,
            )
            timings[f"{m}_s"] = time.perf_counter() - t
            chosen[m] = dict(sol.chosen)
            objectives[m] = _objective(sol, {})
            embedded[m] = [
                {
                    "candidate_kind": cand.at[int(j), "source"],
                    "candidate_code": cand.at[int(j), "code"],
                    "categories": [c for c in cats if int(j) in set(sol.chosen[c])],
                }
                for j in sol.embedded
            ]
    if "greedy" in objectives and "exact" in objectives:
        ge = objectives["greedy"]["objective_residents"] or 0.0
        ee = objectives["exact"]["objective_residents"] or 0.0
        objectives["exact"]["gap_to_greedy"] = _jsonable(
            0.0 if ee <= 0 else (ee - ge) / ee
        )

    explanation = {
        m: [
            rec
            for c in cats
            if c in chosen[m]
            for rec in _explain(
                np.sort(chosen[m][c]), problems[c], cand, comm_df, names
            )
        ]
        for m in ("greedy", "exact")
        if chosen[m]
    }
    for recs in explanation.values():
        for rec in recs:
            j = int(rec["candidate"])
            rec["snap_to_network_m"] = _jsonable(float(sites.snap_m[j]))
            rec.pop("candidate", None)

    t = time.perf_counter()
    ranking = _store(
        run, cand, problems, chosen, sites, codes, names, residents, _lonlat(comm)
    )
    timings["store_s"] = time.perf_counter() - t
    demand = {
        c: {
            "communities_lacking": int((p.weights > 0).sum()),
            "residents_lacking": int(p.weights.sum()),
            "distance_m": p.distance_m,
        }
        for c, p in problems.items()
    }
    return {
        "categories": cats,
        "category_names": {c: rules[c].name for c in cats},
        "lifecircle_run": run.parameters["lifecircle_run"],
        "counts": {
            "candidates": n_cand,
            "unreachable_candidates": int((~sites.reachable).sum()),
            "idle_land": int((cand["source"] == "idle_land").sum()) if n_cand else 0,
            "vacant_housing": int((cand["source"] == "vacant_housing").sum())
            if n_cand
            else 0,
            "communities": len(comm),
        },
        "demand": demand,
        "objectives": objectives,
        "chosen": {
            m: [
                {
                    "category": c,
                    "candidate_kind": cand.at[int(j), "source"],
                    "candidate_code": cand.at[int(j), "code"],
                }
                for c in cats
                for j in np.sort(chosen[m].get(c, np.zeros(0, np.int64)))
            ]
            for m in ("greedy", "exact")
            if chosen[m]
        },
        "embedded_complexes": embedded,
        "explanation": explanation,
        "top": ranking,
        "timings": {key: round(v, 4) for key, v in timings.items()},
    }


def _keep_rows(m: sp.csr_matrix, keep: np.ndarray) -> sp.csr_matrix:
    """``m`` with the rows where ``keep`` is False emptied (structure otherwise unchanged)."""
    r = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    ok = keep[r]
    counts = np.bincount(r[ok], minlength=m.shape[0])
    indptr = np.concatenate([[0], np.cumsum(counts)])
    return sp.csr_matrix((m.data[ok], m.indices[ok], indptr), shape=m.shape)


def _capacity(
    cand: gpd.GeoDataFrame, rules: dict[str, Any]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """How many facilities each candidate hosts, and which categories fit it."""
    area = cand["area_m2"].to_numpy(dtype=float) if len(cand) else np.zeros(0)
    needs = {
        c: _needs(cand, rule) if len(cand) else np.zeros(0) for c, rule in rules.items()
    }
    return core.hosting_capacity(area, needs)


def _lonlat(comm: gpd.GeoDataFrame) -> np.ndarray:
    """A point inside each community in EPSG:4326 (for drawing who a site serves)."""
    if len(comm) == 0:
        return np.zeros((0, 2))
    pts = gpd.GeoSeries(
        shapely.point_on_surface(comm.geometry.to_numpy()), crs=comm.crs
    ).to_crs(4326)
    return shapely.get_coordinates(pts.to_numpy())


@transaction.atomic
def _store(
    run: AnalysisRun,
    cand: gpd.GeoDataFrame,
    problems: dict[str, _Problem],
    chosen: dict[str, dict[str, np.ndarray]],
    sites: _Sites,
    codes: np.ndarray,
    names: Mapping[str, str],
    residents: np.ndarray,
    lonlat: np.ndarray,
) -> dict[str, list]:
    n = len(cand)
    srid = settings.SRID
    geoms = (
        [
            GEOSGeometry(memoryview(b), srid=srid)
            for b in shapely.to_wkb(cand.geometry.to_numpy())
        ]
        if n
        else []
    )
    rows: list[SitingCandidateResult] = []
    top: dict[str, list] = {}
    # plain per-column lists: a GeoDataFrame row lookup per candidate is slow
    attrs = {
        col: cand[col].tolist() if n else []
        for col in (
            "source",
            "code",
            "name",
            "kind",
            "owner",
            "consent",
            "area_m2",
            "area_basis",
            "district_code",
        )
    }
    for c, p in problems.items():
        w = p.weights
        gain = core.coverage_gain(p.cover, w) if n else np.zeros(0)
        order = core.rank_order(gain, p.eligible)
        g_set = set(chosen["greedy"].get(c, np.zeros(0)).tolist())
        e_set = set(chosen["exact"].get(c, np.zeros(0)).tolist())
        top[c] = []
        for rank, j in enumerate(order, start=1):
            lo, hi = p.cover.indptr[j], p.cover.indptr[j + 1]
            cols = p.cover.indices[lo:hi]
            dd = p.dist.data[lo:hi]
            served = sorted(
                (
                    {
                        "code": str(codes[i]),
                        "name": names.get(codes[i], ""),
                        "residents": int(residents[i]),
                        "walk_m": round(float(d), 1),
                        "lon": round(float(lonlat[i, 0]), 6),
                        "lat": round(float(lonlat[i, 1]), 6),
                    }
                    for i, d in zip(cols, dd, strict=True)
                    if w[i] > 0
                ),
                key=lambda s: (s["walk_m"], s["code"]),
            )
            rec = {col: vals[j] for col, vals in attrs.items()}
            area = rec["area_m2"]
            rows.append(
                SitingCandidateResult(
                    run=run,
                    category=c,
                    candidate_kind=rec["source"],
                    candidate_code=str(rec["code"]),
                    name=str(rec["name"] or "")[:128],
                    kind=str(rec["kind"] or ""),
                    owner=str(rec["owner"] or "")[:128],
                    consent=str(rec["consent"] or ""),
                    area_m2=None
                    if area is None or not math.isfinite(area)
                    else float(area),
                    area_basis=str(rec["area_basis"] or ""),
                    district_code=str(rec["district_code"] or ""),
                    rank=rank,
                    gain_residents=int(round(gain[j])),
                    gain_communities=len(served),
                    chosen_greedy=int(j) in g_set,
                    chosen_exact=int(j) in e_set,
                    reachable=bool(sites.reachable[j]),
                    served=served,
                    geom=geoms[int(j)],
                )
            )
            if rank <= 10:
                top[c].append(
                    {
                        "rank": rank,
                        "candidate_kind": rec["source"],
                        "candidate_code": str(rec["code"]),
                        "gain_residents": int(round(gain[j])),
                        "gain_communities": len(served),
                    }
                )
    SitingCandidateResult.objects.bulk_create(rows, batch_size=2000)
    return top


# ---------------------------------------------------------------------------
# reads
# ---------------------------------------------------------------------------
def siting_run_get(pk: int) -> AnalysisRun:
    """The siting run ``pk`` (``AnalysisRun.DoesNotExist`` when there is none)."""
    return AnalysisRun.objects.get(pk=pk, kind=AnalysisRun.Kind.SITING)


def siting_run_list(limit: int = 50):
    return AnalysisRun.objects.filter(kind=AnalysisRun.Kind.SITING).order_by(
        "-created_at"
    )[:limit]


def siting_results(
    *,
    run: AnalysisRun,
    category: str | None = None,
    chosen: str | None = None,
    limit: int | None = None,
):
    """Candidate results of a run, best first; ``chosen`` = ``greedy`` / ``exact`` filters."""
    qs = SitingCandidateResult.objects.filter(run=run).order_by("category", "rank")
    if category:
        qs = qs.filter(category=category)
    if chosen == "greedy":
        qs = qs.filter(chosen_greedy=True)
    elif chosen == "exact":
        qs = qs.filter(chosen_exact=True)
    elif chosen not in (None, ""):
        msg = f"chosen must be 'greedy' or 'exact', got {chosen!r}"
        raise ValueError(msg)
    if limit is not None:
        if not (1 <= int(limit) <= 100000):
            msg = "limit must be a positive integer"
            raise ValueError(msg)
        qs = qs[: int(limit)]
    return qs


PROPERTY_FIELDS = (
    "category",
    "rank",
    "candidate_kind",
    "candidate_code",
    "name",
    "kind",
    "owner",
    "consent",
    "area_m2",
    "area_basis",
    "district_code",
    "gain_residents",
    "gain_communities",
    "chosen_greedy",
    "chosen_exact",
    "reachable",
)
#: shown to roles that see private columns only (accounts.permissions)
PRIVATE_FIELDS = ("owner", "consent")


def siting_candidates_geojson(
    *,
    run: AnalysisRun,
    category: str | None = None,
    chosen: str | None = None,
    limit: int | None = None,
    private: bool = True,
) -> dict:
    """Ranked candidates as a GeoJSON FeatureCollection in EPSG:4326 (served lists
    included); ``private=False`` leaves out :data:`PRIVATE_FIELDS` (owner, consent)."""
    fields = _visible(PROPERTY_FIELDS, private)
    qs = siting_results(run=run, category=category, chosen=chosen, limit=limit)
    qs = qs.annotate(api_geom=Transform("geom", settings.API_SRID)).defer("geom")
    features = []
    for r in qs:
        props = {f: getattr(r, f) for f in fields}
        props["served"] = r.served
        props["id"] = r.pk
        features.append(
            {
                "type": "Feature",
                "id": r.pk,
                "geometry": json.loads(r.api_geom.geojson),
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "run": run.pk, "features": features}


def _visible(fields: Sequence[str], private: bool) -> list[str]:
    return [f for f in fields if private or f not in PRIVATE_FIELDS]


def _frame(run: AnalysisRun, *, private: bool = True) -> gpd.GeoDataFrame:
    fields = _visible(PROPERTY_FIELDS, private)
    rows = list(
        SitingCandidateResult.objects.filter(run=run)
        .order_by("category", "rank")
        .values(*fields, "served", "geom")
    )
    geoms = [shapely.from_wkb(bytes(r.pop("geom").wkb)) for r in rows]
    for r in rows:
        served = r.pop("served")
        r["served"] = "; ".join(
            f"{s['code']} {s['name']} ({s['residents']}人, {s['walk_m']:.0f} m)"
            for s in served
        )
    cols = [*fields, "served"]
    df = pd.DataFrame(rows, columns=cols)
    return gpd.GeoDataFrame(df, geometry=geoms, crs=f"EPSG:{settings.SRID}")


def siting_export(
    *, run: AnalysisRun, fmt: str, private: bool = True
) -> tuple[bytes, str, str]:
    """A run's candidates and chosen sites as GeoJSON (EPSG:4326), GPKG or XLSX
    (``private=False``: without owner and consent).

    Returns ``(body, content type, file name)``. GPKG has layers ``candidates``,
    ``chosen_greedy`` and ``chosen_exact`` in EPSG:4326; XLSX has the same sheets (WKT
    geometry) plus ``summary`` (objectives, gaps and times) and ``explanation``.
    """
    if fmt not in EXPORT_FORMATS:
        msg = f"format must be one of {', '.join(EXPORT_FORMATS)}, got {fmt!r}"
        raise ValueError(msg)
    gdf = _frame(run, private=private).to_crs(4326)
    name = f"siting_run{run.pk}.{fmt}"
    layers = {
        "candidates": gdf,
        "chosen_greedy": gdf[gdf["chosen_greedy"]],
        "chosen_exact": gdf[gdf["chosen_exact"]],
    }
    if fmt == "geojson":
        return gdf.to_json(drop_id=True).encode(), "application/geo+json", name
    if fmt == "gpkg":
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            for layer, frame in layers.items():
                if len(frame) or layer == "candidates":
                    frame.to_file(path, driver="GPKG", layer=layer)
            return path.read_bytes(), "application/geopackage+sqlite3", name
    summary = run.summary or {}
    meta = [
        ("run", run.pk),
        ("categories", ", ".join(summary.get("categories", []))),
        ("lifecircle_run", run.parameters.get("lifecircle_run")),
        ("k", str(run.parameters.get("k"))),
        ("method", run.parameters.get("method")),
    ]
    for m, obj in (summary.get("objectives") or {}).items():
        for key, v in obj.items():
            meta.append((f"{m}.{key}", str(v) if isinstance(v, dict) else v))
    for key, v in (summary.get("timings") or {}).items():
        meta.append((f"time.{key}", v))
    sheets = {"summary": pd.DataFrame(meta, columns=["item", "value"])}
    for layer, frame in layers.items():
        out = pd.DataFrame(frame.drop(columns="geometry"))
        out["wkt"] = frame.geometry.to_wkt().to_numpy()
        sheets[layer] = out
    expl = []
    for m, recs in (summary.get("explanation") or {}).items():
        for rec in recs:
            for g in rec.get("gains", []):
                expl.append(
                    {
                        "method": m,
                        "category": rec.get("category"),
                        "candidate_code": rec.get("code"),
                        "candidate_name": rec.get("name"),
                        "community": g["community"],
                        "community_name": g["name"],
                        "residents": g["residents"],
                        "walk_m": g["walk_m"],
                    }
                )
    sheets["explanation"] = pd.DataFrame(
        expl,
        columns=[
            "method",
            "category",
            "candidate_code",
            "candidate_name",
            "community",
            "community_name",
            "residents",
            "walk_m",
        ],
    )
    return table_xlsx_bytes(sheets), XLSX, name


# ---------------------------------------------------------------------------
# scenarios
# ---------------------------------------------------------------------------
def scenario_create(
    *,
    run: AnalysisRun,
    method: str = "exact",
    name: str = "",
    notes: str = "",
    user=None,
) -> SitingScenario:
    """Save the greedy or exact recommendation of a finished siting run as a scenario."""
    permissions.check_analysis(user, run.parameters.get("districts"), "保存选址方案")
    if run.kind != AnalysisRun.Kind.SITING or run.status != AnalysisRun.Status.DONE:
        msg = f"run {run.pk} is not a finished siting run"
        raise ValueError(msg)
    if method not in SitingScenario.Method.values:
        msg = f"method must be 'greedy' or 'exact', got {method!r}"
        raise ValueError(msg)
    flag = {"greedy": "chosen_greedy", "exact": "chosen_exact"}[method]
    chosen = [
        {"category": c, "candidate_kind": kind, "candidate_code": code}
        for c, kind, code in SitingCandidateResult.objects.filter(
            run=run, **{flag: True}
        )
        .order_by("category", "rank")
        .values_list("category", "candidate_kind", "candidate_code")
    ]
    if not chosen:
        msg = (
            f"run {run.pk} has no {method} recommendation (method not run, or no site "
            "adds coverage)"
        )
        raise ValueError(msg)
    cats = ", ".join(dict.fromkeys(c["category"] for c in chosen))
    return SitingScenario.objects.create(
        name=(name or f"选址方案 #{run.pk} {cats} ({method})")[:128],
        run=run,
        method=method,
        chosen=chosen,
        notes=notes,
        created_by=permissions.user_of(user),
    )


def scenario_what_if(scenario: SitingScenario) -> dict[str, Any]:
    """Coverage before/after the scenario's sites, per category, via ``lifecircle_what_if``."""
    lc_pk = scenario.run.parameters.get("lifecircle_run")
    try:
        lc_run = AnalysisRun.objects.get(pk=lc_pk)
    except AnalysisRun.DoesNotExist:
        msg = f"the life-circle run {lc_pk} of this scenario no longer exists"
        raise ValueError(msg) from None
    by_cat: dict[str, dict[str, list[str]]] = {}
    for c in scenario.chosen:
        d = by_cat.setdefault(c["category"], {"idle_land": [], "vacant_housing": []})
        d[c["candidate_kind"]].append(c["candidate_code"])
    results = []
    for cat, d in by_cat.items():
        results.append(
            lc.lifecircle_what_if(
                run=lc_run,
                idle_land=d["idle_land"],
                vacant_housing=d["vacant_housing"],
                category=cat,
            )
        )
    newly: dict[str, int] = {}
    changed: dict[str, dict] = {}
    for r in results:
        newly.update(r["residents_newly_covered"])
        for row in r["changed"]:
            changed.setdefault(row["code"], row)
    return {
        "scenario": scenario.pk,
        "run": scenario.run.pk,
        "lifecircle_run": lc_run.pk,
        "method": scenario.method,
        "categories": list(by_cat),
        "communities_newly_covered": len(changed),
        "residents_newly_covered": newly,
        "by_category": results,
    }


def candidate_kind_label(kind: str) -> str:
    return str(CandidateKind(kind).label)
