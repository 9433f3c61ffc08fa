"""Rank idle plots and vacant public housing for a missing amenity and choose the best k.

The module follows the array-core / GeoDataFrame-adapter split of STYLE.md §4.2
rule 3 and §4.3 #5 (spopt's ``from_cost_matrix`` / ``from_geodataframe``):

Array core (no geometry, no pandas)
    :func:`coverage_matrix` (candidate x community walk coverage from a scipy
    csr walk graph), :func:`demand_weights`, :func:`coverage_gain`,
    :func:`rank_order`, :func:`greedy_mclp`, :func:`exact_mclp`,
    :func:`multi_category_siting`, :func:`hosting_capacity`.

GeoDataFrame adapters
    :func:`siting_candidates` (idle_land + vacant_housing -> candidate sites),
    :func:`community_residents` and :func:`explain` (which community each chosen
    site serves).

Network interface
-----------------
The walk network and the nearest-facility distances are computed elsewhere
(``network.py`` / ``walkshed.py``).  This module depends only on this minimal
interface, passed as plain keyword arguments:

``graph``
    ``scipy.sparse.csr_matrix`` (n_nodes x n_nodes) of the walk graph, edge
    weights in metres.  Two-way unless ``directed=True``.
``candidate_nodes``
    int array, the graph node each candidate site is snapped to;
    ``candidate_offsets_m`` (optional) is the snap distance in metres, added to
    every walk from that candidate.
``community_nodes``
    the access node(s) of each community: either a 1-D int array with one
    node per community, or a ragged sequence (one sequence of nodes per
    community, e.g. its entrances), or a 1-D array of access-point nodes with
    ``access_community`` giving the community index of each access point.
    A community is covered when *any* of its access points is within reach.
``current_distance_m``
    float array, per community, the walk distance to the nearest *existing*
    facility of the category (``inf`` or ``NaN`` when there is none).

Policy
------
四(四)3: idle land (空地、荒地、闲置地、边角地、拆违腾退) and public green, *with owners'
consent*, go first to service facilities, and idle public housing is reused for
elderly care, childcare, meals and neighbourhood centres; 三(二): social capital
operates these services on idle land and idle public housing.  A plot whose
consent is ``refused`` is therefore never a candidate.  Distances follow the
GB 50180-2018 tiers (5-min = 300 m, 10-min = 500 m, 15-min = 1000 m), see
LIFECIRCLE.md.  Existing facilities stay fixed ("expansion planning",
LIFECIRCLE.md, location-allocation lessons): only communities that currently
*lack* the category within the tier distance count as demand.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import dijkstra

__all__ = [
    "EMBEDDED_CORE_FUNCTIONS",
    "EMBEDDED_MIN_FLOOR_AREA_M2",
    "EMBEDDED_MIN_FUNCTIONS",
    "EMBEDDED_MIN_CORE_FUNCTIONS",
    "Coverage",
    "MultiSolution",
    "Solution",
    "community_residents",
    "coverage_gain",
    "coverage_matrix",
    "demand_weights",
    "exact_mclp",
    "explain",
    "greedy_mclp",
    "hosting_capacity",
    "multi_category_siting",
    "rank_order",
    "siting_candidates",
]

# 《城市社区嵌入式服务设施建设导则（试行）》: a 社区嵌入式服务综合体 is normally
# >= 600 m2, with >= 3 service functions of which >= 2 from 养老、托育、儿童托管、助餐
# (LIFECIRCLE.md §1.4).  "after_school_care" (儿童托管) has no category in the default
# GB 50180 rule set; a city rule set may add it under this code.
EMBEDDED_CORE_FUNCTIONS: frozenset[str] = frozenset(
    {"elderly_daycare", "nursery", "after_school_care", "community_canteen"}
)
EMBEDDED_MIN_FLOOR_AREA_M2 = 600.0
EMBEDDED_MIN_FUNCTIONS = 3
EMBEDDED_MIN_CORE_FUNCTIONS = 2

# Persons per household when a community has no resident count (Zhejiang's
# 2020 census average is about 2.4; 2.5 is a round default) [C].
DEFAULT_PERSONS_PER_HOUSEHOLD = 2.5

# Memory budget for one chunk of dense Dijkstra rows (float64, n_nodes wide).
DEFAULT_CHUNK_BYTES = 64 * 2**20

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


# ---------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Coverage:
    """
    Walk coverage of communities by candidate sites.

    Attributes
    ----------
    cover
        Boolean csr matrix (n_candidates x n_communities); ``True`` when the
        community is within ``distance_m`` of the candidate.
    distance_m
        Float csr matrix with exactly the sparsity structure of ``cover``
        (explicit zeros are kept): the walk distance in metres, including the
        snap offsets, from the community's nearest access point.
    distance_limit_m
        The coverage distance used.
    direction
        Which side the limited Dijkstra runs started from
        (``"candidates"`` or ``"communities"``).
    time_s
        Wall-clock seconds spent.
    """

    cover: sp.csr_matrix
    distance_m: sp.csr_matrix
    distance_limit_m: float
    direction: str
    time_s: float


@dataclass(frozen=True)
class Solution:
    """
    A chosen set of sites for one category (maximal covering location problem).

    Attributes
    ----------
    chosen
        Candidate indices; greedy order for the greedy method, ascending
        otherwise.
    objective
        Weight (residents) newly covered: Σ w_i over communities covered by at
        least one chosen site.
    covered
        Boolean array, per community, covered by the chosen sites.
    method
        ``"greedy"``, ``"exact"`` or ``"greedy (exact hit the time limit)"``.
    status
        Solver status text (``"optimal"``, ``"time_limit"``, ...).
    mip_gap
        Relative MIP gap reported by HiGHS (``None`` for greedy).
    dual_bound
        Upper bound on the optimum proved by HiGHS (``None`` for greedy).
    greedy_objective
        Objective of the greedy solution on the same instance.
    gap_to_greedy
        ``(objective - greedy_objective) / objective`` (0 when objective is 0).
    time_s
        Wall-clock seconds spent (exact includes the greedy run).
    parameters
        The parameters that produced the solution (for ``AnalysisRun``).
    """

    chosen: IntArray
    objective: float
    covered: BoolArray
    method: str
    status: str
    mip_gap: float | None = None
    dual_bound: float | None = None
    greedy_objective: float | None = None
    gap_to_greedy: float | None = None
    time_s: float = 0.0
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MultiSolution:
    """
    Sites chosen for several categories at once.

    Attributes
    ----------
    chosen
        Per category, the candidate indices hosting a new facility of it.
    objective
        Σ over categories of the newly covered weight, plus
        ``embedded_bonus`` per embedded service complex formed.
    category_objective
        Per category, the newly covered weight.
    covered
        Per category, boolean array of communities covered.
    embedded
        Candidate indices that form a 社区嵌入式服务综合体 (floor area ≥ 600 m²,
        ≥ 3 functions, ≥ 2 of them core functions).
    method, status, mip_gap, dual_bound, greedy_objective, gap_to_greedy, time_s,
    parameters
        As in :class:`Solution`.
    """

    chosen: dict[str, IntArray]
    objective: float
    category_objective: dict[str, float]
    covered: dict[str, BoolArray]
    embedded: IntArray
    method: str
    status: str
    mip_gap: float | None = None
    dual_bound: float | None = None
    greedy_objective: float | None = None
    gap_to_greedy: float | None = None
    time_s: float = 0.0
    parameters: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------
def _as_cover(cover: Any, name: str = "cover") -> sp.csr_matrix:
    if not sp.issparse(cover):
        cover = sp.csr_matrix(np.asarray(cover))
    cover = sp.csr_matrix(cover, dtype=bool)
    cover.sum_duplicates()
    cover.eliminate_zeros()
    if cover.ndim != 2:  # pragma: no cover - scipy sparse is always 2-D
        msg = f"{name} must be a 2-D matrix (candidates x communities)."
        raise ValueError(msg)
    return cover


def _as_weights(weights: ArrayLike, n: int, name: str = "weights") -> FloatArray:
    w = np.asarray(weights, dtype=np.float64).ravel()
    if w.shape[0] != n:
        msg = f"{name} has {w.shape[0]} entries but cover has {n} communities."
        raise ValueError(msg)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        msg = f"{name} must be finite and non-negative."
        raise ValueError(msg)
    return w


def _check_k(k: int, name: str = "k") -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 0:
        msg = f"{name} must be a non-negative integer, got {k!r}."
        raise ValueError(msg)
    return int(k)


def _rule_get(rule: Any, key: str) -> Any:
    if rule is None:
        return None
    if isinstance(rule, Mapping):
        return rule.get(key)
    return getattr(rule, key, None)


def _positive_or_none(value: Any, name: str) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    v = float(value)
    if v < 0:
        msg = f"{name} must be non-negative, got {v}."
        raise ValueError(msg)
    return v


# ---------------------------------------------------------------------------
# candidates (adapter)
# ---------------------------------------------------------------------------
CANDIDATE_COLUMNS = [
    "source",
    "code",
    "name",
    "kind",
    "owner",
    "consent",
    "status",
    "area_m2",
    "area_basis",
    "site_area_m2",
    "floor_area_m2",
    "district_code",
]


#: Which owners' consent a candidate plot needs to be ranked (四(四)3 "征得业主同意"):
#: ``granted`` (and vacant public housing, which needs none) is what can be proposed;
#: ``pending`` (not asked yet, or being asked) is ranked separately, as the plots worth
#: asking about; ``all`` ranks both together, each marked. Refused plots never.
CONSENT_SCOPES: dict[str, frozenset[str]] = {
    "granted": frozenset({"granted", "not_required"}),
    "pending": frozenset({"unknown", "asked"}),
    "all": frozenset({"granted", "not_required", "unknown", "asked"}),
}


def _check_metric(gdf: gpd.GeoDataFrame, name: str) -> None:
    if gdf.crs is not None and gdf.crs.is_geographic:
        msg = f"{name} must be in a metric CRS (e.g. EPSG:4549), got {gdf.crs}."
        raise ValueError(msg)


def siting_candidates(
    idle_land: gpd.GeoDataFrame | None,
    vacant_housing: gpd.GeoDataFrame | None,
    rule: Mapping[str, Any] | Any | None,
    *,
    kinds: Collection[str] | None = None,
    districts: Collection[str] | gpd.GeoDataFrame | None = None,
    min_area_m2: float | None = None,
    consent: str = "granted",
) -> gpd.GeoDataFrame:
    """
    Collect the idle plots and vacant public housing that can host a facility.

    Parameters
    ----------
    idle_land
        ``idle_land`` layer (DATA_MODEL.md): code, name, kind, owner, tenure,
        consent, status, polygon geometry; ``area_m2`` is used when present,
        otherwise the geometry area.  ``None`` for none.
    vacant_housing
        ``vacant_housing`` layer: code, name, address, floor_area_m2, floors,
        owner_kind, status.  ``None`` for none.
    rule
        The category's rule (a dict of ``fixtures/rulesets/*.json``
        ``categories`` or an object with the same attributes):
        ``min_site_area_m2`` applies to plots and ``min_floor_area_m2`` to
        housing; ``None`` (or no rule) means no minimum.
    kinds
        Keep only these kinds.  Plot kinds are the idle_land kinds
        (``vacant``, ``wasteland``, ``idle``, ``corner``, ``demolition``,
        ``green``); vacant housing has kind ``"vacant_housing"``.
    districts
        Keep only candidates in these districts: either district codes
        (matched against a ``district_code`` column of the inputs) or a
        GeoDataFrame of district polygons (a candidate is kept when its
        representative point is inside one of them).
    min_area_m2
        An extra minimum on the candidate's usable area (site area for plots,
        floor area for housing), on top of the rule.
    consent
        ``granted`` (default: plots whose owners agreed, and vacant public
        housing), ``pending`` (plots not asked yet or being asked: ranked on
        their own, as the ones worth asking about) or ``all``; see
        :data:`CONSENT_SCOPES`.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per candidate, columns ``source`` (``"idle_land"`` /
        ``"vacant_housing"``), ``code``, ``name``, ``kind``, ``owner``,
        ``consent``, ``status``, ``area_m2`` (the area tested against the
        rule), ``area_basis`` (``"site"``/``"floor"``), ``site_area_m2``,
        ``floor_area_m2``, ``district_code`` and ``geometry``, with a fresh
        ``RangeIndex`` (row ``j`` is candidate ``j`` for the array core).

    Notes
    -----
    Only status ``available``; consent ``refused`` is never a candidate
    (POLICY.md 四(四)3: idle land is used *with owners' consent*).  Missing
    or null consent counts as ``unknown`` (to be asked: a ``pending``
    candidate).  Vacant public housing has no consent field (``not_required``).
    """
    if consent not in CONSENT_SCOPES:
        msg = f"consent must be one of {sorted(CONSENT_SCOPES)}, got {consent!r}."
        raise ValueError(msg)
    admitted = CONSENT_SCOPES[consent]
    min_site = _positive_or_none(
        _rule_get(rule, "min_site_area_m2"), "min_site_area_m2"
    )
    min_floor = _positive_or_none(
        _rule_get(rule, "min_floor_area_m2"), "min_floor_area_m2"
    )
    extra = _positive_or_none(min_area_m2, "min_area_m2")
    frames: list[gpd.GeoDataFrame] = []
    crs = None

    if idle_land is not None and len(idle_land):
        _check_metric(idle_land, "idle_land")
        crs = idle_land.crs
        land = idle_land
        if "area_m2" in land.columns:
            area = np.array(
                pd.to_numeric(land["area_m2"], errors="coerce"), dtype=float
            )
            missing = np.isnan(area)
            if missing.any():
                area[missing] = land.geometry.area.to_numpy()[missing]
        else:
            area = land.geometry.area.to_numpy(dtype=float)
        land_consent = (
            land["consent"].fillna("unknown").astype(str)
            if "consent" in land.columns
            else pd.Series("unknown", index=land.index)
        )
        frames.append(
            gpd.GeoDataFrame(
                {
                    "source": "idle_land",
                    "code": _col(land, "code"),
                    "name": _col(land, "name"),
                    "kind": _col(land, "kind"),
                    "owner": _col(land, "owner"),
                    "consent": land_consent.to_numpy(),
                    "status": _col(land, "status"),
                    "area_m2": area,
                    "area_basis": "site",
                    "site_area_m2": area,
                    "floor_area_m2": np.nan,
                    "district_code": _col(land, "district_code"),
                },
                geometry=land.geometry.to_numpy(),
                crs=land.crs,
            )
        )
    if vacant_housing is not None and len(vacant_housing):
        _check_metric(vacant_housing, "vacant_housing")
        crs = crs if crs is not None else vacant_housing.crs
        house = vacant_housing
        if "floor_area_m2" not in house.columns:
            msg = "vacant_housing needs a 'floor_area_m2' column."
            raise ValueError(msg)
        floor = pd.to_numeric(house["floor_area_m2"], errors="coerce").to_numpy(float)
        geom = house.geometry
        site = np.where(
            geom.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy(),
            geom.area.to_numpy(),
            np.nan,
        )
        if "footprint" in house.columns:
            # the optional footprint polygon (DATA_MODEL.md) gives the site area
            fp = gpd.GeoSeries(house["footprint"].to_numpy(), crs=house.crs)
            site = np.where(fp.isna().to_numpy(), site, fp.area.to_numpy())
        owner = _col(house, "owner") if "owner" in house.columns else None
        if owner is None:
            owner = _col(house, "owner_kind")
        frames.append(
            gpd.GeoDataFrame(
                {
                    "source": "vacant_housing",
                    "code": _col(house, "code"),
                    "name": _col(house, "name"),
                    "kind": "vacant_housing",
                    "owner": owner,
                    # no consent field on vacant public housing: allowed
                    "consent": "not_required",
                    "status": _col(house, "status"),
                    "area_m2": floor,
                    "area_basis": "floor",
                    "site_area_m2": site,
                    "floor_area_m2": floor,
                    "district_code": _col(house, "district_code"),
                },
                geometry=geom.to_numpy(),
                crs=house.crs,
            )
        )
    if not frames:
        return gpd.GeoDataFrame(
            {c: pd.Series(dtype=object) for c in CANDIDATE_COLUMNS},
            geometry=gpd.GeoSeries([], crs=crs),
            crs=crs,
        )
    cand = pd.concat(frames, ignore_index=True)
    cand = gpd.GeoDataFrame(cand, geometry="geometry", crs=crs)

    keep = np.array(cand["status"].astype(str) == "available", dtype=bool)
    keep &= cand["consent"].astype(str).isin(admitted).to_numpy()
    area = cand["area_m2"].to_numpy(dtype=float)
    is_land = (cand["source"] == "idle_land").to_numpy()
    # a NaN area cannot be shown to meet a minimum
    if min_site is not None:
        keep &= ~is_land | (area >= min_site)
    if min_floor is not None:
        keep &= is_land | (area >= min_floor)
    if extra is not None:
        keep &= area >= extra
    if kinds is not None:
        keep &= cand["kind"].isin(list(kinds)).to_numpy()
    if districts is not None:
        if isinstance(districts, gpd.GeoDataFrame):
            _check_metric(districts, "districts")
            shapes = districts.to_crs(crs) if crs is not None else districts
            union = shapes.geometry.union_all()
            pts = cand.geometry.representative_point()
            keep &= pts.within(union).to_numpy()
        else:
            if cand["district_code"].isna().all():
                msg = (
                    "districts given as codes but the inputs have no "
                    "'district_code' column; pass district polygons instead."
                )
                raise ValueError(msg)
            keep &= cand["district_code"].isin(list(districts)).to_numpy()
    out = cand.loc[keep].reset_index(drop=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=crs)


def _col(df: pd.DataFrame, name: str) -> NDArray[Any]:
    if name in df.columns:
        return df[name].to_numpy()
    return np.full(len(df), None, dtype=object)


# ---------------------------------------------------------------------------
# coverage matrix (core)
# ---------------------------------------------------------------------------
def _symmetrise(graph: sp.csr_matrix) -> sp.csr_matrix:
    """Two-way graph with the shorter weight where both directions exist."""
    gt = sp.csr_matrix(graph.T)
    if graph.nnz == gt.nnz:
        diff = graph - gt
        if diff.nnz == 0 or not np.any(diff.data):
            return graph  # already symmetric: the usual walk network
    coo = graph.tocoo()
    n = graph.shape[0]
    rows = np.concatenate([coo.row, coo.col]).astype(np.int64)
    cols = np.concatenate([coo.col, coo.row]).astype(np.int64)
    data = np.concatenate([coo.data, coo.data]).astype(np.float64)
    key = rows * n + cols
    order = np.argsort(key, kind="stable")
    key, data = key[order], data[order]
    first = np.ones(key.size, dtype=bool)
    first[1:] = key[1:] != key[:-1]
    starts = np.flatnonzero(first)
    data = np.minimum.reduceat(data, starts) if starts.size else data
    key = key[starts]
    rows, cols = key // n, key % n
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, rows + 1, 1)
    return sp.csr_matrix((data, cols, np.cumsum(indptr)), shape=graph.shape)


def _normalise_access(
    community_nodes: Any, access_community: ArrayLike | None, n_nodes: int
) -> tuple[IntArray, IntArray, int]:
    """Return (access node, community index, n_communities)."""
    if access_community is not None:
        nodes = np.asarray(community_nodes, dtype=np.int64).ravel()
        comm = np.asarray(access_community, dtype=np.int64).ravel()
        if nodes.shape != comm.shape:
            msg = "access_community must have one entry per access node."
            raise ValueError(msg)
        if comm.size and comm.min() < 0:
            msg = "access_community must be non-negative community indices."
            raise ValueError(msg)
        n_comm = int(comm.max()) + 1 if comm.size else 0
    elif (
        isinstance(community_nodes, np.ndarray)
        and community_nodes.ndim == 1
        and (community_nodes.dtype != object)
    ):
        nodes = community_nodes.astype(np.int64)
        comm = np.arange(nodes.size, dtype=np.int64)
        n_comm = nodes.size
    else:
        seqs = list(community_nodes)
        parts = [np.atleast_1d(np.asarray(s, dtype=np.int64)).ravel() for s in seqs]
        n_comm = len(parts)
        lengths = np.array([p.size for p in parts], dtype=np.int64)
        nodes = (
            np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        ).astype(np.int64)
        comm = np.repeat(np.arange(n_comm, dtype=np.int64), lengths)
    if nodes.size and (nodes.min() < 0 or nodes.max() >= n_nodes):
        msg = f"community node indices must be in [0, {n_nodes})."
        raise ValueError(msg)
    return nodes, comm, n_comm


def _expand_groups(
    group_of_pair: IntArray, n_groups: int, group_of_item: IntArray
) -> tuple[IntArray, IntArray]:
    """
    Join items to pairs through a shared group id.

    ``group_of_pair`` must be sorted.  Returns (item index, pair index) for
    every (item, pair) with the same group.
    """
    starts = np.searchsorted(group_of_pair, np.arange(n_groups + 1))
    lo = starts[group_of_item]
    lengths = starts[group_of_item + 1] - lo
    total = int(lengths.sum())
    item = np.repeat(np.arange(group_of_item.size, dtype=np.int64), lengths)
    offsets = np.cumsum(lengths) - lengths
    pair = np.arange(total, dtype=np.int64) - np.repeat(offsets, lengths)
    pair += np.repeat(lo, lengths)
    return item, pair


def _limited_runs(
    graph: sp.csr_matrix,
    sources: IntArray,
    targets: IntArray,
    limit: float,
    chunk_bytes: int,
    *,
    subgraph: bool = True,
) -> tuple[IntArray, IntArray, FloatArray]:
    """
    Limited Dijkstra from each source; keep only the target columns.

    Returns (source position, target position, distance) for every pair within
    ``limit``.  With ``subgraph=True`` each chunk of sources first finds the
    nodes within ``limit`` of any of them (one multi-source run,
    ``min_only=True``) and runs the per-source Dijkstras on that induced
    subgraph: every node on a shortest path of length <= limit from a source is
    itself within limit of that source, so distances are unchanged, and the
    O(n_nodes) per-source initialisation inside scipy shrinks to O(|ball union|).
    """
    n_nodes = graph.shape[0]
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    dists: list[FloatArray] = []
    target_id = np.full(n_nodes, -1, dtype=np.int64)
    target_id[targets] = np.arange(targets.size)
    if not subgraph:
        chunk = max(1, int(chunk_bytes // (8 * max(n_nodes, 1))))
        for start in range(0, sources.size, chunk):
            src = sources[start : start + chunk]
            d = dijkstra(graph, directed=True, indices=src, limit=limit)
            sub = d[:, targets]
            r, c = np.nonzero(sub <= limit)
            rows.append(r.astype(np.int64) + start)
            cols.append(c.astype(np.int64))
            dists.append(sub[r, c])
    else:
        # chunk size c balances (n/c) multi-source runs of O(n_nodes) against
        # n * c * ball per-source work: c ~ sqrt(n_nodes / ball); the ball size
        # is learnt from the chunks already done.
        chunk = 32
        start = 0
        while start < sources.size:
            src = sources[start : start + chunk]
            reach = dijkstra(
                graph, directed=True, indices=src, limit=limit, min_only=True
            )
            keep = np.flatnonzero(reach <= limit)
            sub_g = graph[keep][:, keep]
            pos = np.searchsorted(keep, src)
            tpos = np.flatnonzero(target_id[keep] >= 0)
            tids = target_id[keep[tpos]]
            step = max(1, int(chunk_bytes // (8 * max(keep.size, 1))))
            for s0 in range(0, src.size, step):
                d = dijkstra(
                    sub_g, directed=True, indices=pos[s0 : s0 + step], limit=limit
                )
                sub = d[:, tpos]
                r, c = np.nonzero(sub <= limit)
                rows.append(r.astype(np.int64) + start + s0)
                cols.append(tids[c])
                dists.append(sub[r, c])
            ball = max(keep.size / max(src.size, 1), 1.0)
            start += src.size
            chunk = int(np.clip(np.sqrt(n_nodes / ball), 4, 1024))
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(dists)


def coverage_matrix(
    graph: sp.spmatrix | sp.sparray,
    candidate_nodes: ArrayLike,
    community_nodes: ArrayLike | Sequence[ArrayLike],
    distance_m: float,
    *,
    candidate_offsets_m: ArrayLike | None = None,
    access_community: ArrayLike | None = None,
    access_offsets_m: ArrayLike | None = None,
    directed: bool = False,
    direction: Literal["auto", "candidates", "communities"] = "auto",
    only_communities: ArrayLike | None = None,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    subgraph: bool = True,
) -> Coverage:
    """
    Which communities each candidate site reaches within a walk distance.

    Parameters
    ----------
    graph
        Walk graph, csr (n_nodes x n_nodes), edge weights in metres.
    candidate_nodes
        Graph node of each candidate (n_candidates).
    community_nodes
        Access node(s) of each community: a 1-D int array (one per community),
        a ragged sequence of node sequences (one per community), or a 1-D array
        of access-point nodes together with ``access_community``.
    distance_m
        Coverage distance in metres (the tier distance, e.g. 300 m).
    candidate_offsets_m
        Snap distance in metres from each candidate to its node (default 0).
    access_community
        Community index of each access point, when ``community_nodes`` is a
        flat list of access points.
    access_offsets_m
        Snap distance in metres from each access point to its node.
    directed
        ``False`` (default) treats every edge as two-way (the graph is
        symmetrised once, keeping the shorter weight).  ``True`` uses the
        edges as given; distances are walks *from the community to the site*.
    direction
        Run the limited Dijkstra from the candidate nodes, from the community
        access nodes, or (``"auto"``) from whichever side has fewer distinct
        nodes.
    only_communities
        Boolean mask (or indices) of the communities worth computing, usually
        ``weights > 0`` (those lacking the category): the other columns stay
        empty.  Demand is often a minority of communities, so this is the
        biggest saving at the 10- and 15-min tiers.
    chunk_bytes
        Memory budget in bytes for one block of dense Dijkstra rows; bounds
        peak memory.
    subgraph
        Run each chunk of sources on the subgraph induced by the union of their
        balls (default; same distances, much less per-source initialisation)
        instead of the whole graph.

    Returns
    -------
    Coverage
        ``cover`` (bool csr, candidates x communities) and ``distance_m``
        (same structure) with the walk distance from the community's nearest
        access point, snap offsets included.

    Notes
    -----
    Each chunk of sources first finds the union of their balls with one
    multi-source run (``dijkstra(indices=chunk, limit=..., min_only=True)``),
    then calls ``dijkstra(indices=chunk, limit=distance_m - min offsets)`` on
    the induced subgraph and keeps only the target columns, so peak memory is
    about ``chunk_bytes`` plus the sparse result.  The chunk size adapts to the
    ball size (about sqrt(n_nodes / ball)).  Without the subgraph
    (``subgraph=False``) scipy's O(n_nodes) per-source initialisation
    dominates.  The cost is roughly proportional to the number of distinct
    source nodes, so ``"auto"`` starts from the side with fewer distinct nodes.
    Measured on the benchmark grid (≈200k nodes, 2,000 candidates, 3,000
    communities with 6,000 entrances; ``benchmarks/siting_core.py``; a loaded
    2-core machine, so figures are approximate): from candidates 0.5 s at
    300 m, from communities about 1.5x-2x that; the plain per-source runs are
    2x-4x slower.  With ``only_communities`` set to the demand, the 1000 m tier
    (few communities lack a 15-min facility) runs from the communities side.
    """
    t0 = time.perf_counter()
    g = sp.csr_matrix(graph, dtype=np.float64)
    n_nodes = g.shape[0]
    if g.shape[0] != g.shape[1]:
        msg = f"graph must be square, got shape {g.shape}."
        raise ValueError(msg)
    if g.nnz and np.any(g.data < 0):
        msg = "graph edge weights (metres) must be non-negative."
        raise ValueError(msg)
    limit = float(distance_m)
    if not np.isfinite(limit) or limit < 0:
        msg = f"distance_m must be a finite non-negative number, got {distance_m!r}."
        raise ValueError(msg)
    cnodes = np.asarray(candidate_nodes, dtype=np.int64).ravel()
    if cnodes.size and (cnodes.min() < 0 or cnodes.max() >= n_nodes):
        msg = f"candidate_nodes must be in [0, {n_nodes})."
        raise ValueError(msg)
    coff = _offsets(candidate_offsets_m, cnodes.size, "candidate_offsets_m")
    anodes, acomm, n_comm = _normalise_access(
        community_nodes, access_community, n_nodes
    )
    aoff = _offsets(access_offsets_m, anodes.size, "access_offsets_m")
    if only_communities is not None:
        sel = np.asarray(only_communities).ravel()
        if sel.dtype == bool:
            if sel.size != n_comm:
                msg = (
                    f"only_communities mask has {sel.size} entries but "
                    f"community_nodes describe {n_comm} communities."
                )
                raise ValueError(msg)
            mask = sel
        else:
            mask = np.zeros(n_comm, dtype=bool)
            mask[sel.astype(np.int64)] = True
        keep_access = mask[acomm]
        anodes, acomm, aoff = anodes[keep_access], acomm[keep_access], aoff[keep_access]
    if direction not in ("auto", "candidates", "communities"):
        msg = f"direction must be 'auto', 'candidates' or 'communities', got {direction!r}."
        raise ValueError(msg)
    if chunk_bytes <= 0:
        msg = "chunk_bytes must be positive."
        raise ValueError(msg)

    n_cand = cnodes.size
    ucand, cinv = np.unique(cnodes, return_inverse=True)
    uacc, ainv = np.unique(anodes, return_inverse=True)
    if direction == "auto":
        direction = "candidates" if ucand.size <= uacc.size else "communities"
    run_limit = (
        limit - (coff.min() if coff.size else 0.0) - (aoff.min() if aoff.size else 0.0)
    )
    if n_cand == 0 or n_comm == 0 or anodes.size == 0 or run_limit < 0:
        pairs = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    else:
        if directed:
            # walks go community -> site: from the candidate side use the reverse graph
            g_cand = sp.csr_matrix(g.T)
            g_comm = g
        else:
            g_cand = g_comm = _symmetrise(g)
        if direction == "candidates":
            su, tu, d = _limited_runs(
                g_cand, ucand, uacc, run_limit, chunk_bytes, subgraph=subgraph
            )
        else:
            tu, su, d = _limited_runs(
                g_comm, uacc, ucand, run_limit, chunk_bytes, subgraph=subgraph
            )
        pairs = (su, tu, d)
    su, tu, d = pairs
    # unique-candidate-node pairs -> candidate pairs
    order = np.argsort(su, kind="stable")
    su, tu, d = su[order], tu[order], d[order]
    item, pair = _expand_groups(su, ucand.size, cinv.astype(np.int64))
    cj, tu, d = item, tu[pair], d[pair] + coff[item]
    # unique-access-node pairs -> access point pairs
    order = np.argsort(tu, kind="stable")
    cj, tu, d = cj[order], tu[order], d[order]
    item, pair = _expand_groups(tu, uacc.size, ainv.astype(np.int64))
    cj, comm, d = cj[pair], acomm[item], d[pair] + aoff[item]
    ok = d <= limit
    cj, comm, d = cj[ok], comm[ok], d[ok]
    # nearest access point per (candidate, community)
    cover, dist = pairs_to_coverage(cj, comm, d, n_cand, n_comm)
    return Coverage(
        cover=cover,
        distance_m=dist,
        distance_limit_m=limit,
        direction=direction,
        time_s=time.perf_counter() - t0,
    )


def pairs_to_coverage(
    candidates: IntArray,
    communities: IntArray,
    distances_m: FloatArray,
    n_candidates: int,
    n_communities: int,
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Reachable (candidate, community, distance) triples → coverage and distance matrices.

    Parameters
    ----------
    candidates, communities, distances_m
        One entry per reachable pair, duplicates allowed (several access points of a
        community): the shortest distance of each pair is kept.
    n_candidates, n_communities
        Matrix shape.

    Returns
    -------
    tuple
        ``cover`` (bool csr, candidates × communities) and ``distance_m`` (float csr with
        the same structure, explicit zeros kept).
    """
    order = np.lexsort((distances_m, communities, candidates))
    c, i, d = candidates[order], communities[order], distances_m[order]
    first = np.ones(c.size, dtype=bool)
    first[1:] = (c[1:] != c[:-1]) | (i[1:] != i[:-1])
    c, i, d = c[first], i[first], d[first]
    indptr = np.zeros(n_candidates + 1, dtype=np.int64)
    np.add.at(indptr, c + 1, 1)
    indptr = np.cumsum(indptr)
    shape = (n_candidates, n_communities)
    cover = sp.csr_matrix((np.ones(c.size, dtype=bool), i, indptr), shape=shape)
    dist = sp.csr_matrix((d.astype(np.float64), i.copy(), indptr.copy()), shape=shape)
    return cover, dist


def _offsets(values: ArrayLike | None, n: int, name: str) -> FloatArray:
    if values is None:
        return np.zeros(n, dtype=np.float64)
    out = np.asarray(values, dtype=np.float64).ravel()
    if out.size != n:
        msg = f"{name} has {out.size} entries, expected {n}."
        raise ValueError(msg)
    if not np.all(np.isfinite(out)) or np.any(out < 0):
        msg = f"{name} must be finite and non-negative metres."
        raise ValueError(msg)
    return out


# ---------------------------------------------------------------------------
# demand and gain (core)
# ---------------------------------------------------------------------------
def demand_weights(
    current_distance_m: ArrayLike, residents: ArrayLike, distance_m: float
) -> FloatArray:
    """
    Demand weight per community: residents where the category is missing.

    Parameters
    ----------
    current_distance_m
        Walk distance from each community to its nearest existing facility of
        the category; ``inf`` or ``NaN`` when none is reachable.
    residents
        Residents per community (NaN counts as 0).
    distance_m
        The tier distance in metres.

    Returns
    -------
    numpy.ndarray
        ``residents`` where ``current_distance_m > distance_m`` (or unknown),
        else 0: existing facilities stay fixed, and a community they already
        serve is never counted as a gain.
    """
    cur = np.asarray(current_distance_m, dtype=np.float64).ravel()
    pop = np.asarray(residents, dtype=np.float64).ravel()
    if cur.shape != pop.shape:
        msg = (
            f"current_distance_m ({cur.size}) and residents ({pop.size}) "
            "must have one entry per community."
        )
        raise ValueError(msg)
    pop = np.nan_to_num(pop, nan=0.0)
    if np.any(pop < 0) or not np.all(np.isfinite(pop)):
        msg = "residents must be finite and non-negative."
        raise ValueError(msg)
    lacking = ~(cur <= float(distance_m))  # NaN -> lacking
    return np.where(lacking, pop, 0.0)


def coverage_gain(cover: sp.spmatrix | sp.sparray, weights: ArrayLike) -> FloatArray:
    """
    Stand-alone gain of each candidate: Σ weights of the communities it covers.

    Parameters
    ----------
    cover
        Boolean candidates x communities matrix.
    weights
        Demand weight per community (see :func:`demand_weights`).

    Returns
    -------
    numpy.ndarray
        One gain per candidate.
    """
    a = _as_cover(cover)
    w = _as_weights(weights, a.shape[1])
    return np.asarray(a.astype(np.float64) @ w, dtype=np.float64).ravel()


def rank_order(gain: ArrayLike, eligible: ArrayLike | None = None) -> IntArray:
    """The candidates by gain, best first, ties by candidate order; only the
    ``eligible`` ones (all when None)."""
    g = np.asarray(gain, dtype=np.float64).ravel()
    idx = np.arange(g.size) if eligible is None else np.flatnonzero(eligible)
    return idx[np.lexsort((idx, -g[idx]))].astype(np.int64)


# ---------------------------------------------------------------------------
# single category: greedy and exact MCLP (core)
# ---------------------------------------------------------------------------
def _covered_by(a: sp.csr_matrix, chosen: IntArray) -> BoolArray:
    covered = np.zeros(a.shape[1], dtype=bool)
    if chosen.size:
        covered[a[chosen].indices] = True
    return covered


def greedy_mclp(
    cover: sp.spmatrix | sp.sparray, weights: ArrayLike, k: int
) -> Solution:
    """
    Maximal covering location: choose up to ``k`` sites greedily.

    Parameters
    ----------
    cover
        Boolean candidates x communities matrix (:func:`coverage_matrix`).
    weights
        Demand weight per community (:func:`demand_weights`).
    k
        Maximum number of new sites.

    Returns
    -------
    Solution
        Chosen sites in pick order.  Fewer than ``k`` are returned when no
        remaining site adds weight.

    Notes
    -----
    Lazy greedy (a max-heap of stale upper bounds; submodularity makes a
    re-evaluated gain that still tops the heap the true best).  Ties are
    broken by the lowest candidate index.  Greedy is a (1 - 1/e)
    approximation; :func:`exact_mclp` solves the MILP.
    """
    t0 = time.perf_counter()
    a = _as_cover(cover)
    w = _as_weights(weights, a.shape[1])
    k = _check_k(k)
    n_cand = a.shape[0]
    indptr, indices = a.indptr, a.indices
    remaining = w.copy()
    gains = np.asarray(a.astype(np.float64) @ w).ravel()
    heap = [(-float(g), j) for j, g in enumerate(gains) if g > 0]
    heapq.heapify(heap)
    chosen: list[int] = []
    objective = 0.0
    while heap and len(chosen) < k:
        _, j = heapq.heappop(heap)
        g = float(remaining[indices[indptr[j] : indptr[j + 1]]].sum())
        if g <= 0:
            continue
        if heap and (-g, j) > heap[0]:
            heapq.heappush(heap, (-g, j))
            continue
        chosen.append(j)
        objective += g
        remaining[indices[indptr[j] : indptr[j + 1]]] = 0.0
    chosen_arr = np.asarray(chosen, dtype=np.int64)
    covered = _covered_by(a, chosen_arr)
    return Solution(
        chosen=chosen_arr,
        objective=float(w[covered].sum()),
        covered=covered,
        method="greedy",
        status="heuristic",
        greedy_objective=float(w[covered].sum()),
        gap_to_greedy=0.0,
        time_s=time.perf_counter() - t0,
        parameters={"k": k, "n_candidates": n_cand, "method": "greedy"},
    )


def _prune_useless(a: sp.csr_matrix, w: FloatArray, chosen: IntArray) -> IntArray:
    """Drop chosen sites whose removal loses no weight (the MILP may pick spares)."""
    keep = list(chosen)
    count = np.zeros(a.shape[1], dtype=np.int64)
    for j in keep:
        count[a.indices[a.indptr[j] : a.indptr[j + 1]]] += 1
    for j in sorted(keep, reverse=True):
        cols = a.indices[a.indptr[j] : a.indptr[j + 1]]
        if not np.any((count[cols] == 1) & (w[cols] > 0)):
            keep.remove(j)
            count[cols] -= 1
    return np.asarray(sorted(keep), dtype=np.int64)


def _gap(objective: float, other: float) -> float:
    return 0.0 if objective <= 0 else (objective - other) / objective


_STATUS = {
    0: "optimal",
    1: "time_limit",
    2: "infeasible",
    3: "unbounded",
    4: "error",
}


def exact_mclp(
    cover: sp.spmatrix | sp.sparray,
    weights: ArrayLike,
    k: int,
    *,
    time_limit_s: float = 30.0,
    mip_rel_gap: float = 1e-6,
) -> Solution:
    r"""
    Maximal covering location solved exactly with ``scipy.optimize.milp`` (HiGHS).

    Parameters
    ----------
    cover
        Boolean candidates x communities matrix (:func:`coverage_matrix`).
    weights
        Demand weight per community (:func:`demand_weights`).
    k
        Maximum number of new sites.
    time_limit_s
        HiGHS time limit in seconds.
    mip_rel_gap
        Relative MIP gap at which HiGHS stops.

    Returns
    -------
    Solution
        Chosen sites (ascending), objective, HiGHS status and MIP gap, the
        greedy objective on the same instance and the gap between the two.
        Never worse than greedy: if HiGHS stops early (time limit) with a worse
        incumbent or none, the greedy solution is returned and ``method`` says so.

    Notes
    -----
    Church & ReVelle (1974) MCLP with existing facilities fixed (their
    communities carry weight 0):

    .. math::

        \max \sum_i w_i y_i \quad\text{s.t.}\quad
        y_i \le \sum_{j \in N_i} x_j \;\forall i, \qquad
        \sum_j x_j \le k, \qquad x_j \in \{0, 1\}, \; 0 \le y_i \le 1.

    ``y`` may be continuous: for binary ``x`` and ``w_i > 0`` the optimum sets
    ``y_i = \min(1, \sum_{j \in N_i} x_j) \in \{0, 1\}``.  Communities with
    ``w_i = 0`` or no covering candidate are dropped from the model, and so are
    candidates that cover no demand.  Sites that add nothing are pruned.
    """
    t0 = time.perf_counter()
    a = _as_cover(cover)
    w = _as_weights(weights, a.shape[1])
    k = _check_k(k)
    if time_limit_s <= 0:
        msg = "time_limit_s must be positive."
        raise ValueError(msg)
    greedy = greedy_mclp(a, w, k)
    params = {
        "k": k,
        "n_candidates": a.shape[0],
        "method": "exact",
        "time_limit_s": time_limit_s,
        "mip_rel_gap": mip_rel_gap,
    }
    demand = np.flatnonzero((w > 0) & (np.asarray(a.sum(axis=0)).ravel() > 0))
    sub = a[:, demand].tocsr() if demand.size else a[:, :0].tocsr()
    cand = np.flatnonzero(np.diff(sub.indptr) > 0)
    if k == 0 or cand.size == 0 or demand.size == 0:
        return _replace_solution(
            greedy,
            "exact",
            "optimal",
            0.0,
            greedy.objective,
            greedy.objective,
            time.perf_counter() - t0,
            params,
        )
    sub = sub[cand]
    nx, ny = cand.size, demand.size
    wd = w[demand]
    c = np.concatenate([np.zeros(nx), -wd])
    # y_i - Σ_j a_ij x_j <= 0
    link = sp.hstack([-sub.T.astype(np.float64), sp.identity(ny, format="csr")])
    budget = sp.csr_matrix(np.concatenate([np.ones(nx), np.zeros(ny)])[None, :])
    cons = [
        LinearConstraint(link.tocsr(), -np.inf, 0.0),
        LinearConstraint(budget, -np.inf, float(k)),
    ]
    integrality = np.concatenate([np.ones(nx), np.zeros(ny)])
    res = milp(
        c,
        constraints=cons,
        integrality=integrality,
        bounds=Bounds(0.0, 1.0),
        options={"time_limit": float(time_limit_s), "mip_rel_gap": mip_rel_gap},
    )
    status = _STATUS.get(int(res.status), "error")
    dual = (
        float(-res.mip_dual_bound)
        if getattr(res, "mip_dual_bound", None) is not None
        else None
    )
    gap = float(res.mip_gap) if getattr(res, "mip_gap", None) is not None else None
    if res.x is not None:
        chosen = cand[np.flatnonzero(res.x[:nx] > 0.5)]
        chosen = _prune_useless(a, w, chosen)
        covered = _covered_by(a, chosen)
        obj = float(w[covered].sum())
    else:
        chosen, covered, obj = greedy.chosen, greedy.covered, -np.inf
    if obj >= greedy.objective:
        return Solution(
            chosen=chosen,
            objective=obj,
            covered=covered,
            method="exact",
            status=status,
            mip_gap=gap,
            dual_bound=dual,
            greedy_objective=greedy.objective,
            gap_to_greedy=_gap(obj, greedy.objective),
            time_s=time.perf_counter() - t0,
            parameters=params,
        )
    # HiGHS stopped early with a worse (or no) incumbent: keep greedy
    return _replace_solution(
        greedy,
        "greedy (exact hit the time limit)"
        if status == "time_limit"
        else f"greedy (exact status {status})",
        status,
        gap,
        greedy.objective,
        dual,
        time.perf_counter() - t0,
        params,
    )


def _replace_solution(
    base: Solution,
    method: str,
    status: str,
    gap: float | None,
    greedy_objective: float,
    dual: float | None,
    time_s: float,
    params: dict[str, Any],
) -> Solution:
    return Solution(
        chosen=base.chosen,
        objective=base.objective,
        covered=base.covered,
        method=method,
        status=status,
        mip_gap=gap,
        dual_bound=dual,
        greedy_objective=greedy_objective,
        gap_to_greedy=_gap(base.objective, greedy_objective),
        time_s=time_s,
        parameters=params,
    )


# ---------------------------------------------------------------------------
# several categories, capacity and 嵌入式服务综合体 (core)
# ---------------------------------------------------------------------------
def _minimum_per_candidate(value: Any, n: int, category: str) -> FloatArray:
    """A category's minimum area as one figure per candidate (0 = no minimum)."""
    if value is None or np.ndim(value) == 0:
        m = _positive_or_none(value, f"min_area_m2[{category}]")
        return np.full(n, 0.0 if m is None else m)
    arr = np.nan_to_num(np.asarray(value, dtype=np.float64).ravel(), nan=0.0)
    if arr.size != n or (arr < 0).any():
        msg = f"min_area_m2[{category}] needs {n} non-negative areas, got {arr.size}"
        raise ValueError(msg)
    return arr


def hosting_capacity(
    area_m2: ArrayLike,
    min_area_m2: Mapping[str, float | ArrayLike | None],
) -> tuple[IntArray, dict[str, BoolArray]]:
    """
    How many facilities each candidate can host, and which categories fit.

    Parameters
    ----------
    area_m2
        Usable area of each candidate (site area for plots, floor area for
        housing; see :func:`siting_candidates`).
    min_area_m2
        Per category, the minimum area of one facility (``None`` = no minimum),
        one figure or one per candidate (a plot is measured by the rule's site
        area, vacant housing by its floor area).

    Returns
    -------
    capacity
        ``max(1, floor(area / smallest positive minimum))`` for a candidate
        that fits at least one category, else 0.  With no positive minimum at
        all the capacity is 1 (one facility per plot).
    eligible
        Per category, ``area >= minimum`` (all ``True`` when no minimum).

    Notes
    -----
    The count is an upper bound; :func:`multi_category_siting` additionally
    checks Σ minimum areas ≤ area when it is given ``area_m2`` and
    ``min_area_m2``.
    """
    area = np.nan_to_num(np.asarray(area_m2, dtype=np.float64).ravel(), nan=0.0)
    mins = {c: _minimum_per_candidate(m, area.size, c) for c, m in min_area_m2.items()}
    eligible = {c: area >= m for c, m in mins.items()}
    smallest = np.full(area.size, np.inf)
    for m in mins.values():
        smallest = np.where(m > 0, np.minimum(smallest, m), smallest)
    with np.errstate(divide="ignore", invalid="ignore"):
        cap = np.where(np.isfinite(smallest), np.floor(area / smallest), 1.0)
    cap = np.maximum(cap, 1).astype(np.int64)
    fits_any = np.zeros(area.size, dtype=bool)
    for e in eligible.values():
        fits_any |= e
    cap[~fits_any] = 0
    return cap, eligible


def multi_category_siting(
    covers: Mapping[str, sp.spmatrix | sp.sparray],
    weights: Mapping[str, ArrayLike],
    k: int | Mapping[str, int],
    capacity: ArrayLike,
    *,
    eligible: Mapping[str, ArrayLike] | None = None,
    area_m2: ArrayLike | None = None,
    min_area_m2: Mapping[str, float | None] | None = None,
    floor_area_m2: ArrayLike | None = None,
    embedded_bonus: float = 0.0,
    method: Literal["exact", "greedy"] = "exact",
    time_limit_s: float = 30.0,
    mip_rel_gap: float = 1e-6,
) -> MultiSolution:
    r"""
    Site several categories at once on one candidate inventory.

    Parameters
    ----------
    covers
        Per category, boolean candidates x communities matrix; every matrix
        has the same candidate rows (communities may differ per category).
    weights
        Per category, demand weight per community (:func:`demand_weights`).
    k
        Either one total number of new facilities over all categories, or a
        number per category (a missing category gets 0).
    capacity
        Number of facilities each candidate can host (:func:`hosting_capacity`);
        a plot hosts one facility unless its area fits more.
    eligible
        Per category, whether each candidate may host it (default: all).
    area_m2, min_area_m2
        If both are given, the minimum areas of the facilities put on one
        candidate must also fit its area (Σ_c m_c x_cj ≤ area_j).
    floor_area_m2
        Floor area of each candidate for the embedded-complex rule (NaN: not
        a complex).  Defaults to ``area_m2``.
    embedded_bonus
        Objective bonus (in weight units, e.g. residents) per 社区嵌入式服务综合体
        formed.  0 only reports complexes.
    method
        ``"exact"`` (MILP; never worse than greedy) or ``"greedy"``.
    time_limit_s, mip_rel_gap
        HiGHS options.

    Returns
    -------
    MultiSolution

    Notes
    -----
    With ``x_cj`` binary (candidate ``j`` hosts category ``c``), ``y_ci`` in
    [0, 1] and ``z_j`` binary (``j`` is an embedded complex):

    .. math::

        \max \sum_c \sum_i w_{ci} y_{ci} + b \sum_j z_j \quad\text{s.t.}\quad
        y_{ci} \le \sum_{j \in N_{ci}} x_{cj}, \quad
        \sum_c x_{cj} \le \mathrm{cap}_j, \quad
        \sum_j x_{cj} \le k_c \;(\text{or } \sum_{c,j} x_{cj} \le k),

        \sum_c m_c x_{cj} \le A_j, \quad
        3 z_j \le \sum_c x_{cj}, \quad
        2 z_j \le \sum_{c \in \mathrm{core}} x_{cj}, \quad
        z_j = 0 \text{ if } F_j < 600.

    Embedded complex (《城市社区嵌入式服务设施建设导则》, LIFECIRCLE.md §1.4): a
    candidate with floor area ≥ 600 m² hosting ≥ 3 of the sited categories,
    ≥ 2 of them in :data:`EMBEDDED_CORE_FUNCTIONS`.  Only categories sited in
    this run count as functions.  The greedy method ignores the bonus while
    choosing, but its objective includes the bonus of any complex it forms.
    """
    t0 = time.perf_counter()
    cats = list(covers)
    if not cats:
        msg = "covers must name at least one category."
        raise ValueError(msg)
    if set(weights) != set(cats):
        msg = "weights must have exactly the categories of covers."
        raise ValueError(msg)
    mats = {c: _as_cover(covers[c], f"covers[{c}]") for c in cats}
    n_cand = mats[cats[0]].shape[0]
    for c in cats:
        if mats[c].shape[0] != n_cand:
            msg = f"covers[{c}] has {mats[c].shape[0]} candidates, expected {n_cand}."
            raise ValueError(msg)
    ws = {c: _as_weights(weights[c], mats[c].shape[1], f"weights[{c}]") for c in cats}
    if isinstance(k, Mapping):
        unknown = set(k) - set(cats)
        if unknown:
            msg = f"k names unknown categories: {sorted(unknown)}."
            raise ValueError(msg)
        k_cat: dict[str, int] | None = {
            c: _check_k(k.get(c, 0), f"k[{c}]") for c in cats
        }
        k_total = None
    else:
        k_cat, k_total = None, _check_k(k)
    cap = np.asarray(capacity).ravel()
    if cap.size != n_cand or np.any(cap < 0):
        msg = f"capacity must have {n_cand} non-negative entries."
        raise ValueError(msg)
    cap = np.floor(cap).astype(np.int64)
    elig = {}
    for c in cats:
        if eligible is not None and c in eligible:
            e = np.asarray(eligible[c], dtype=bool).ravel()
            if e.size != n_cand:
                msg = f"eligible[{c}] must have {n_cand} entries."
                raise ValueError(msg)
        else:
            e = np.ones(n_cand, dtype=bool)
        elig[c] = e & (cap > 0)
    if (area_m2 is None) != (min_area_m2 is None):
        msg = "area_m2 and min_area_m2 must be given together."
        raise ValueError(msg)
    area = None
    mins = np.zeros(len(cats))
    if area_m2 is not None and min_area_m2 is not None:
        area = np.nan_to_num(np.asarray(area_m2, dtype=np.float64).ravel(), nan=0.0)
        if area.size != n_cand:
            msg = f"area_m2 must have {n_cand} entries."
            raise ValueError(msg)
        mins = np.array(
            [
                _positive_or_none(min_area_m2.get(c), f"min_area_m2[{c}]") or 0.0
                for c in cats
            ]
        )
        for i, c in enumerate(cats):
            elig[c] &= area >= mins[i]
    floor = floor_area_m2 if floor_area_m2 is not None else area_m2
    if floor is None:
        floor_arr = np.full(n_cand, np.nan)
    else:
        floor_arr = np.asarray(floor, dtype=np.float64).ravel()
        if floor_arr.size != n_cand:
            msg = f"floor_area_m2 must have {n_cand} entries."
            raise ValueError(msg)
    if embedded_bonus < 0 or not np.isfinite(embedded_bonus):
        msg = "embedded_bonus must be finite and non-negative."
        raise ValueError(msg)
    if method not in ("exact", "greedy"):
        msg = f"method must be 'exact' or 'greedy', got {method!r}."
        raise ValueError(msg)
    core = np.array([c in EMBEDDED_CORE_FUNCTIONS for c in cats])
    complex_ok = floor_arr >= EMBEDDED_MIN_FLOOR_AREA_M2
    params: dict[str, Any] = {
        "categories": cats,
        "k": dict(k_cat) if k_cat is not None else k_total,
        "embedded_bonus": embedded_bonus,
        "method": method,
        "n_candidates": n_cand,
    }

    def evaluate(
        x: BoolArray,
    ) -> tuple[float, dict[str, float], dict[str, BoolArray], IntArray]:
        cat_obj: dict[str, float] = {}
        covered: dict[str, BoolArray] = {}
        for i, c in enumerate(cats):
            cv = _covered_by(mats[c], np.flatnonzero(x[i]))
            covered[c] = cv
            cat_obj[c] = float(ws[c][cv].sum())
        n_fun = x.sum(axis=0)
        n_core = x[core].sum(axis=0) if core.any() else np.zeros(n_cand, np.int64)
        emb = np.flatnonzero(
            complex_ok
            & (n_fun >= EMBEDDED_MIN_FUNCTIONS)
            & (n_core >= EMBEDDED_MIN_CORE_FUNCTIONS)
        )
        total = sum(cat_obj.values()) + embedded_bonus * emb.size
        return total, cat_obj, covered, emb

    # --- greedy over (category, candidate) pairs --------------------------
    x_g = np.zeros((len(cats), n_cand), dtype=bool)
    remaining = {c: ws[c].copy() for c in cats}
    cap_left = cap.copy()
    area_left = area.copy() if area is not None else None
    k_left = dict(k_cat) if k_cat is not None else None
    total_left = k_total
    heap: list[tuple[float, int, int]] = []
    for i, c in enumerate(cats):
        gains = np.asarray(mats[c].astype(np.float64) @ ws[c]).ravel()
        heap.extend(
            (-float(gains[j]), i, int(j)) for j in np.flatnonzero((gains > 0) & elig[c])
        )
    heapq.heapify(heap)

    def feasible(i: int, j: int) -> bool:
        c = cats[i]
        if cap_left[j] <= 0 or x_g[i, j]:
            return False
        if k_left is not None and k_left[c] <= 0:
            return False
        return area_left is None or area_left[j] >= mins[i]

    while heap:
        if total_left is not None and total_left <= 0:
            break
        if k_left is not None and all(v <= 0 for v in k_left.values()):
            break
        _, i, j = heapq.heappop(heap)
        if not feasible(i, j):
            continue
        c = cats[i]
        cols = mats[c].indices[mats[c].indptr[j] : mats[c].indptr[j + 1]]
        g = float(remaining[c][cols].sum())
        if g <= 0:
            continue
        if heap and (-g, i, j) > heap[0]:
            heapq.heappush(heap, (-g, i, j))
            continue
        x_g[i, j] = True
        remaining[c][cols] = 0.0
        cap_left[j] -= 1
        if area_left is not None:
            area_left[j] -= mins[i]
        if k_left is not None:
            k_left[c] -= 1
        if total_left is not None:
            total_left -= 1
    g_total, g_cat, g_cov, g_emb = evaluate(x_g)

    def pack(
        x: BoolArray,
        method_name: str,
        status: str,
        gap: float | None,
        dual: float | None,
    ) -> MultiSolution:
        total, cat_obj, covered, emb = evaluate(x)
        return MultiSolution(
            chosen={
                c: np.flatnonzero(x[i]).astype(np.int64) for i, c in enumerate(cats)
            },
            objective=total,
            category_objective=cat_obj,
            covered=covered,
            embedded=emb.astype(np.int64),
            method=method_name,
            status=status,
            mip_gap=gap,
            dual_bound=dual,
            greedy_objective=g_total,
            gap_to_greedy=_gap(total, g_total),
            time_s=time.perf_counter() - t0,
            parameters=params,
        )

    if method == "greedy":
        return pack(x_g, "greedy", "heuristic", None, None)

    # --- MILP -------------------------------------------------------------
    nc = len(cats)
    nx = nc * n_cand
    demand_idx = {}
    subs = {}
    for c in cats:
        a = mats[c]
        d = np.flatnonzero((ws[c] > 0) & (np.asarray(a.sum(axis=0)).ravel() > 0))
        demand_idx[c] = d
        subs[c] = a[:, d].tocsc()
    ny = int(sum(d.size for d in demand_idx.values()))
    use_z = embedded_bonus > 0
    nz = n_cand if use_z else 0
    nvar = nx + ny + nz
    cost = np.zeros(nvar)
    ub = np.zeros(nvar)
    for i, c in enumerate(cats):
        ub[i * n_cand : (i + 1) * n_cand] = elig[c].astype(float)
    ub[nx : nx + ny] = 1.0
    if use_z:
        ub[nx + ny :] = complex_ok.astype(float)
        cost[nx + ny :] = -embedded_bonus
    rows_list: list[sp.csr_matrix] = []
    lo_list: list[FloatArray] = []
    hi_list: list[FloatArray] = []
    # linking rows: y_ci - Σ_j a_cij x_cj <= 0
    off = nx
    for i, c in enumerate(cats):
        d = demand_idx[c]
        if d.size == 0:
            continue
        cost[off : off + d.size] = -ws[c][d]
        at = subs[c].T.tocoo()  # demand x candidates
        r = np.concatenate([at.row, np.arange(d.size)])
        col = np.concatenate([at.col + i * n_cand, off + np.arange(d.size)])
        val = np.concatenate([-np.ones(at.nnz), np.ones(d.size)])
        rows_list.append(sp.csr_matrix((val, (r, col)), shape=(d.size, nvar)))
        lo_list.append(np.full(d.size, -np.inf))
        hi_list.append(np.zeros(d.size))
        off += d.size
    cand_ids = np.arange(n_cand)
    # capacity: Σ_c x_cj <= cap_j
    r = np.tile(cand_ids, nc)
    col = np.arange(nx)
    rows_list.append(sp.csr_matrix((np.ones(nx), (r, col)), shape=(n_cand, nvar)))
    lo_list.append(np.full(n_cand, -np.inf))
    hi_list.append(cap.astype(float))
    # area: Σ_c m_c x_cj <= A_j
    if area is not None and np.any(mins > 0):
        rows_list.append(
            sp.csr_matrix((np.repeat(mins, n_cand), (r, col)), shape=(n_cand, nvar))
        )
        lo_list.append(np.full(n_cand, -np.inf))
        hi_list.append(area)
    # budget
    if k_cat is not None:
        r = np.repeat(np.arange(nc), n_cand)
        rows_list.append(sp.csr_matrix((np.ones(nx), (r, col)), shape=(nc, nvar)))
        lo_list.append(np.full(nc, -np.inf))
        hi_list.append(np.array([float(k_cat[c]) for c in cats]))
    else:
        rows_list.append(
            sp.csr_matrix((np.ones(nx), (np.zeros(nx, int), col)), shape=(1, nvar))
        )
        lo_list.append(np.array([-np.inf]))
        hi_list.append(np.array([float(k_total or 0)]))
    # embedded complex: 3 z_j <= Σ_c x_cj ; 2 z_j <= Σ_core x_cj
    if use_z:
        zcol = nx + ny + cand_ids
        r = np.concatenate([np.tile(cand_ids, nc), cand_ids])
        c_ = np.concatenate([np.arange(nx), zcol])
        v = np.concatenate([-np.ones(nx), np.full(n_cand, EMBEDDED_MIN_FUNCTIONS)])
        rows_list.append(sp.csr_matrix((v, (r, c_)), shape=(n_cand, nvar)))
        core_cols = np.concatenate(
            [np.arange(i * n_cand, (i + 1) * n_cand) for i in range(nc) if core[i]]
            or [np.zeros(0, np.int64)]
        )
        r = np.concatenate([np.tile(cand_ids, int(core.sum())), cand_ids])
        c_ = np.concatenate([core_cols, zcol])
        v = np.concatenate(
            [-np.ones(core_cols.size), np.full(n_cand, EMBEDDED_MIN_CORE_FUNCTIONS)]
        )
        rows_list.append(sp.csr_matrix((v, (r, c_)), shape=(n_cand, nvar)))
        lo_list += [np.full(n_cand, -np.inf)] * 2
        hi_list += [np.zeros(n_cand)] * 2
    a_all = sp.vstack(rows_list).tocsr()
    integrality = np.zeros(nvar)
    integrality[:nx] = 1
    integrality[nx + ny :] = 1
    res = milp(
        cost,
        constraints=[
            LinearConstraint(a_all, np.concatenate(lo_list), np.concatenate(hi_list))
        ],
        integrality=integrality,
        bounds=Bounds(np.zeros(nvar), ub),
        options={"time_limit": float(time_limit_s), "mip_rel_gap": mip_rel_gap},
    )
    status = _STATUS.get(int(res.status), "error")
    dual = (
        float(-res.mip_dual_bound)
        if getattr(res, "mip_dual_bound", None) is not None
        else None
    )
    gap = float(res.mip_gap) if getattr(res, "mip_gap", None) is not None else None
    if res.x is not None:
        x_e = (res.x[:nx] > 0.5).reshape(nc, n_cand)
        e_total = evaluate(x_e)[0]
        if e_total >= g_total:
            return pack(x_e, "exact", status, gap, dual)
    label = (
        "greedy (exact hit the time limit)"
        if status == "time_limit"
        else f"greedy (exact status {status})"
    )
    return pack(x_g, label, status, gap, dual)


# ---------------------------------------------------------------------------
# adapters: ranking, choosing, explaining
# ---------------------------------------------------------------------------
def community_residents(
    communities: pd.DataFrame,
    weight_col: str = "residents",
    persons_per_household: float = DEFAULT_PERSONS_PER_HOUSEHOLD,
) -> FloatArray:
    """Residents per community, whole persons: ``weight_col``, else households x
    ``persons_per_household`` where it is missing, else 0."""
    return np.round(_community_weights(communities, weight_col, persons_per_household))


def _community_weights(
    communities: pd.DataFrame, weight_col: str, persons_per_household: float
) -> FloatArray:
    if weight_col in communities.columns:
        w = pd.to_numeric(communities[weight_col], errors="coerce").to_numpy(float)
    else:
        w = np.full(len(communities), np.nan)
    if np.isnan(w).any() and "households" in communities.columns:
        hh = pd.to_numeric(communities["households"], errors="coerce").to_numpy(float)
        w = np.where(np.isnan(w), hh * persons_per_household, w)
    return np.nan_to_num(w, nan=0.0)


def _codes(df: pd.DataFrame) -> NDArray[Any]:
    return df["code"].to_numpy() if "code" in df.columns else df.index.to_numpy()


def explain(
    solution: Solution,
    candidates: pd.DataFrame,
    communities: pd.DataFrame,
    cover: sp.spmatrix | sp.sparray,
    distances: sp.spmatrix | sp.sparray,
    *,
    weights: ArrayLike | None = None,
    weight_col: str = "residents",
    persons_per_household: float = DEFAULT_PERSONS_PER_HOUSEHOLD,
) -> pd.DataFrame:
    """
    Say, for every chosen site, which communities gain and by how much.

    Parameters
    ----------
    solution
        From :func:`greedy_mclp` or :func:`exact_mclp`.
    candidates
        Candidate table (row ``j`` = candidate ``j``), as from
        :func:`siting_candidates`.
    communities
        Community table (row ``i`` = community ``i``).
    cover
        The boolean coverage matrix the solution was computed on.
    distances
        Walk distances in metres with the structure of ``cover``
        (``Coverage.distance_m``).
    weights
        Demand weight per community (default: residents of every community;
        pass :func:`demand_weights` to count only communities that lacked the
        category).
    weight_col, persons_per_household
        Residents column and household-size fallback.

    Returns
    -------
    pandas.DataFrame
        One row per chosen site: ``candidate``, ``code``, ``name``, ``source``,
        ``kind``, ``owner``, ``consent``, ``area_m2``, ``area_basis``,
        ``residents_gained``, ``n_communities``, ``max_walk_m``,
        ``mean_walk_m`` and ``gains`` (a list of dicts ``{community,
        residents, walk_m}``).  Each gaining community is attributed to its
        nearest chosen site, so ``residents_gained`` sums to the objective.
    """
    a = _as_cover(cover)
    dist = sp.csr_matrix(distances)
    if dist.shape != a.shape:
        msg = "distances must have the shape of cover."
        raise ValueError(msg)
    if len(candidates) != a.shape[0] or len(communities) != a.shape[1]:
        msg = "candidates and communities must match the rows and columns of cover."
        raise ValueError(msg)
    if weights is None:
        w = _community_weights(communities, weight_col, persons_per_household)
    else:
        w = _as_weights(weights, a.shape[1])
    codes = _codes(communities)
    pop = _community_weights(communities, weight_col, persons_per_household)
    chosen = np.asarray(solution.chosen, dtype=np.int64)
    best_site = np.full(a.shape[1], -1, dtype=np.int64)
    best_d = np.full(a.shape[1], np.inf)
    for j in chosen:
        lo, hi = a.indptr[j], a.indptr[j + 1]
        cols = a.indices[lo:hi]
        # distances share cover's structure: look the values up per column
        drow = _row_lookup(dist, j, cols)
        better = (drow < best_d[cols]) | (
            (drow == best_d[cols]) & (j < best_site[cols])
        )
        best_d[cols[better]] = drow[better]
        best_site[cols[better]] = j
    rows = []
    for j in chosen:
        mine = np.flatnonzero((best_site == j) & (w > 0))
        gains = [
            {
                "community": codes[i],
                "residents": float(pop[i]),
                "walk_m": float(best_d[i]),
            }
            for i in mine
        ]
        walks = best_d[mine]
        rec = candidates.iloc[int(j)]
        rows.append(
            {
                "candidate": int(j),
                "code": rec.get("code"),
                "name": rec.get("name"),
                "source": rec.get("source"),
                "kind": rec.get("kind"),
                "owner": rec.get("owner"),
                "consent": rec.get("consent"),
                "area_m2": rec.get("area_m2"),
                "area_basis": rec.get("area_basis"),
                "residents_gained": float(w[mine].sum()),
                "n_communities": int(mine.size),
                "max_walk_m": float(walks.max()) if mine.size else np.nan,
                "mean_walk_m": float(walks.mean()) if mine.size else np.nan,
                "gains": gains,
            }
        )
    return pd.DataFrame(rows)


def _row_lookup(m: sp.csr_matrix, j: int, cols: IntArray) -> FloatArray:
    lo, hi = m.indptr[j], m.indptr[j + 1]
    idx = m.indices[lo:hi]
    data = m.data[lo:hi]
    order = np.argsort(idx)
    pos = np.searchsorted(idx[order], cols)
    pos = np.clip(pos, 0, max(idx.size - 1, 0))
    out = np.full(cols.size, np.inf)
    if idx.size:
        hit = idx[order][pos] == cols
        out[hit] = data[order][pos[hit]]
    return out
