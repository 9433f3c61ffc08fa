"""The 15-minute life-circle engine: walking distance from communities to facilities.

Array core
    :func:`nearest_distance` runs **one** multi-source Dijkstra per facility
    category (``scipy.sparse.csgraph.dijkstra`` with ``min_only=True`` and a
    distance ``limit``) and returns the distance from every node to the nearest
    facility. No per-community loops over Dijkstra: the search runs from the
    facilities outwards, and communities read the distance at the nodes of the
    edges they are snapped to.

Adapters
    :func:`life_circle` (GeoDataFrames + :class:`~geoapp.analysis.rules.RuleSet`
    in, :class:`LifeCircleResult` out) and :func:`what_if` (add facilities to a
    stored result and recompute only the affected categories).

Distance definition (network mode). For a facility ``f`` snapped to edge ``e``
at ``along`` metres from ``e``'s start node with offset ``o_f`` (straight line
from the facility to the edge) and a community access point ``a`` snapped to
edge ``e'`` at ``t`` with offset ``o_a``::

    d(a, f) = o_f + network path between the two snapped points + o_a

The snapped facility enters the graph through both end nodes of its edge with
initial costs ``o_f + along`` and ``o_f + (length - along)``; these *source
offsets* are handled by a virtual super-source row appended to the csr matrix
(one extra node joined to every seed node by an edge of weight = offset), so a
single Dijkstra from that row gives the offset-aware minimum. An access point
reads ``min(D[u'] + t, D[v'] + length' - t) + o_a``; when facility and access
point share an edge, the direct ``|along - t|`` along the edge is also taken.
A community's distance is the minimum over its access points. Distances above
the routing limit (the largest tier distance, 1000 m by default) are ``inf``.

Straight-line mode (``network=None``) uses Euclidean distance from access
points to facilities (cKDTree); the result says so (``mode``), because
straight lines over-claim coverage across rivers and barriers (LIFECIRCLE.md,
"Euclidean buffers over-claim coverage").

Tiers, thresholds and the score follow :mod:`geoapp.analysis.rules`: a
category is *covered* when its distance is within its own threshold, and a
community meets tier T when every required category of tier ``<= T`` is covered
(GB 50180-2018, facility sets are cumulative; LIFECIRCLE.md §1.1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from geoapp.analysis.forked import map_forked
from geoapp.analysis.network import (
    MIN_COMPONENT_NODES,
    SnapResult,
    WalkNetwork,
    check_metric_crs,
    community_access_points,
)
from geoapp.analysis.rules import RuleSet

__all__ = [
    "LifeCircleResult",
    "life_circle",
    "nearest_distance",
    "what_if",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# below this many node × category visits one process is faster than forking
_PARALLEL_MIN_WORK = 1_000_000

MODE_NETWORK = "network"
MODE_STRAIGHT = "straight_line"


# --------------------------------------------------------------------------- core
def nearest_distance(
    csr: Any,
    sources: npt.ArrayLike,
    limit_m: float = math.inf,
    *,
    offsets_m: npt.ArrayLike | None = None,
) -> FloatArray:
    """Distance from every node to the nearest source node.

    Parameters
    ----------
    csr
        Square sparse matrix of non-negative edge lengths (symmetric for an
        undirected network), e.g. :attr:`WalkNetwork.csr`.
    sources
        Source node ids (duplicates allowed).
    limit_m
        Search radius: nodes farther than this get ``inf``.
    offsets_m
        Optional initial cost per source (e.g. the walk from a facility to its
        snapped point and along the edge to the node). ``None`` means all zero.

    Returns
    -------
    numpy.ndarray
        ``(n_nodes,)`` distances in metres, ``inf`` beyond ``limit_m``.

    Raises
    ------
    ValueError
        On a non-square matrix, out-of-range sources, negative or misaligned
        offsets, or a negative limit.

    Notes
    -----
    Without offsets this is one call to ``dijkstra(csr, indices=sources,
    min_only=True, limit=limit_m)``. With offsets, one virtual node is appended
    whose out-edges go to the source nodes with weight = offset (the shortest
    offset per node), and Dijkstra runs once from it. scipy treats explicit
    zero entries of a sparse matrix as edges, so zero offsets are valid.
    """
    n = _check_square(csr)
    src = np.asarray(sources, dtype=np.int64).reshape(-1)
    if not (limit_m >= 0):
        msg = f"limit_m must be >= 0, got {limit_m!r}."
        raise ValueError(msg)
    if src.size and (src.min() < 0 or src.max() >= n):
        msg = f"sources must be node ids in [0, {n}), got range [{src.min()}, {src.max()}]."
        raise ValueError(msg)
    out = np.full(n, np.inf)
    if src.size == 0 or n == 0:
        return out
    if offsets_m is None:
        d = dijkstra(
            csr, directed=True, indices=np.unique(src), min_only=True, limit=limit_m
        )
        return np.asarray(d, dtype=float)
    off = np.asarray(offsets_m, dtype=float).reshape(-1)
    if off.shape != src.shape:
        msg = f"offsets_m has {off.size} values for {src.size} sources."
        raise ValueError(msg)
    if not np.all(off >= 0):
        msg = "offsets_m must be non-negative (and not NaN)."
        raise ValueError(msg)
    inside = off <= limit_m
    src, off = src[inside], off[inside]
    if src.size == 0:
        return out
    order = np.lexsort((off, src))
    src, off = src[order], off[order]
    first = np.ones(src.size, dtype=bool)
    first[1:] = src[1:] != src[:-1]
    src, off = src[first], off[first]
    if not np.any(off):
        d = dijkstra(csr, directed=True, indices=src, min_only=True, limit=limit_m)
        return np.asarray(d, dtype=float)
    graph = csr if isinstance(csr, csr_array) else csr_array(csr)
    indptr = np.concatenate([graph.indptr, [graph.indptr[-1] + src.size]])
    indices = np.concatenate([graph.indices, src.astype(graph.indices.dtype)])
    data = np.concatenate([np.asarray(graph.data, dtype=float), off])
    aug = csr_array((data, indices, indptr), shape=(n + 1, n + 1))
    d = dijkstra(aug, directed=True, indices=n, limit=limit_m)
    return np.asarray(d[:n], dtype=float)


def _check_square(csr: Any) -> int:
    shape = getattr(csr, "shape", None)
    if shape is None or len(shape) != 2 or shape[0] != shape[1]:
        msg = f"csr must be a square sparse matrix, got shape {shape}."
        raise ValueError(msg)
    return int(shape[0])


@dataclass(frozen=True)
class _Entry:
    """Where a set of points enters the network (see module docstring).

    ``cost_u``/``cost_v`` already include the point's offset and the partial
    edge length to node ``u``/``v``; ``offset`` is the straight-line part only.
    """

    u: IntArray
    v: IntArray
    cost_u: FloatArray
    cost_v: FloatArray
    edge: IntArray
    along: FloatArray
    offset: FloatArray

    @staticmethod
    def from_snap(net: WalkNetwork, snap: SnapResult, rows: IntArray) -> _Entry:
        e = snap.edge[rows]
        along = snap.along_m[rows]
        off = snap.distance_m[rows]
        length = net.edge_length_m[e]
        return _Entry(
            u=net.edge_u[e],
            v=net.edge_v[e],
            cost_u=off + along,
            cost_v=off + (length - along),
            edge=e,
            along=along,
            offset=off,
        )

    def take(self, rows: IntArray) -> _Entry:
        return _Entry(
            self.u[rows],
            self.v[rows],
            self.cost_u[rows],
            self.cost_v[rows],
            self.edge[rows],
            self.along[rows],
            self.offset[rows],
        )

    def __len__(self) -> int:
        return int(self.u.shape[0])


def _route(
    net: WalkNetwork, sources: _Entry, targets: _Entry, limit_m: float
) -> FloatArray:
    """Distance from each target entry to the nearest source entry (inf > limit)."""
    out = np.full(len(targets), np.inf)
    if len(sources) == 0 or len(targets) == 0:
        return out
    d = nearest_distance(
        net.csr,
        np.concatenate([sources.u, sources.v]),
        limit_m,
        offsets_m=np.concatenate([sources.cost_u, sources.cost_v]),
    )
    out = np.minimum(d[targets.u] + targets.cost_u, d[targets.v] + targets.cost_v)
    same = _same_edge_min(sources, targets)
    np.minimum(out, same, out=out)
    out[out > limit_m] = np.inf
    return out


def _same_edge_min(sources: _Entry, targets: _Entry) -> FloatArray:
    """Direct along-edge distance for targets that share an edge with a source."""
    out = np.full(len(targets), np.inf)
    order = np.argsort(sources.edge, kind="stable")
    s_edge = sources.edge[order]
    lo = np.searchsorted(s_edge, targets.edge, side="left")
    hi = np.searchsorted(s_edge, targets.edge, side="right")
    cnt = hi - lo
    total = int(cnt.sum())
    if total == 0:
        return out
    tgt = np.repeat(np.arange(len(targets)), cnt)
    start = np.repeat(np.cumsum(cnt) - cnt, cnt)
    pos = order[np.repeat(lo, cnt) + (np.arange(total) - start)]
    val = (
        sources.offset[pos]
        + np.abs(sources.along[pos] - targets.along[tgt])
        + targets.offset[tgt]
    )
    np.minimum.at(out, tgt, val)
    return out


def _per_community(values: FloatArray, owner: IntArray, n: int) -> FloatArray:
    out = np.full(n, np.inf)
    if values.size:
        np.minimum.at(out, owner, values)
    return out


# ------------------------------------------------------------------------ result
@dataclass(frozen=True)
class _State:
    """What :func:`what_if` needs to avoid re-snapping the communities."""

    ap_owner: IntArray
    ap_xy: FloatArray
    ap_entry: _Entry | None
    community_attrs: pd.DataFrame


@dataclass(frozen=True, eq=False)
class LifeCircleResult:
    """Result of :func:`life_circle` / :func:`what_if`.

    Attributes
    ----------
    distance_m
        Community × category walking distance in metres (index: community code;
        ``inf`` beyond the routing limit or when unreachable).
    covered
        Community × category: distance within the category's threshold.
    walk_tier
        Community × category: smallest tier (minutes) whose distance covers
        the facility, NaN beyond the largest tier ("the market is within a
        10-minute walk").
    tiers_met
        Community × tier minutes (bool): every required category of tier
        ``<= T`` is covered (cumulative, see :mod:`geoapp.analysis.rules`).
    missing
        Community × tier minutes: tuple of the required category codes of tier
        ``<= T`` that are not covered.
    score
        Coverage score 0-100 per community: share of the required categories
        (of those analysed) that are covered, each weighted equally.
    by_street, by_district
        Residents-weighted aggregates: ``communities``, ``residents``,
        ``residents_tier_<T>min`` (residents of communities meeting tier T),
        ``share_tier_<T>min``, ``residents_lacking_<code>`` (residents of
        communities where the category is not covered) and ``mean_score``
        (residents-weighted).
    unreachable_amenities
        Amenities farther than the snap limit from the network: ``code``,
        ``category``, ``distance_to_network_m``.
    unreachable_communities
        Communities with no access point within the snap limit: ``code``,
        ``distance_to_network_m`` (of the closest access point).
    islands
        The network components left out of snapping (fewer than
        ``min_component_nodes`` nodes), largest first: ``component``, ``nodes``,
        ``edges``, ``length_m``, ``amenities_nearest`` and ``access_points_nearest``
        (points whose nearest edge was on that island and that snapped to the main
        network, or stayed unreachable, instead) and the island's lines
        (``geometry``, network CRS). Empty in straight-line mode.
    thresholds_m
        Category → threshold in metres used for ``covered``.
    limit_m
        Routing limit in metres.
    mode
        ``"network"`` or ``"straight_line"``.
    parameters
        JSON-friendly parameters that produced the result.
    """

    distance_m: pd.DataFrame
    covered: pd.DataFrame
    walk_tier: pd.DataFrame
    tiers_met: pd.DataFrame
    missing: pd.DataFrame
    score: pd.Series
    by_street: pd.DataFrame
    by_district: pd.DataFrame
    unreachable_amenities: pd.DataFrame
    unreachable_communities: pd.DataFrame
    islands: gpd.GeoDataFrame
    thresholds_m: pd.Series
    limit_m: float
    mode: str
    parameters: dict[str, Any]
    _state: _State = field(repr=False)

    @property
    def straight_line(self) -> bool:
        """``True`` when distances are Euclidean, not network distances."""
        return self.mode == MODE_STRAIGHT


# ---------------------------------------------------------------------- adapters
def life_circle(
    network: WalkNetwork | None,
    communities: gpd.GeoDataFrame,
    amenities: gpd.GeoDataFrame,
    ruleset: RuleSet,
    *,
    snap_limit_m: float = 150.0,
    strict: bool = False,
    speed_m_per_min: float | None = None,
    categories: Sequence[str] | None = None,
    access_spacing_m: float = 50.0,
    persons_per_household: float = 2.5,
    limit_per_category: bool = False,
    workers: int = 1,
    min_component_nodes: int = MIN_COMPONENT_NODES,
) -> LifeCircleResult:
    """Evaluate the life circle of every community.

    Parameters
    ----------
    network
        The walking network, or ``None`` for the straight-line fallback.
    communities
        Community polygons (DATA_MODEL.md ``community``): ``code`` (else the
        index is used), optional ``entrances``, ``street_code``,
        ``district_code``, ``residents`` and ``households``.
    amenities
        Facility points with ``category`` (rule-set codes) and ``code`` (else
        the index). Categories not in the rule set are ignored and listed in
        ``parameters["ignored_categories"]``.
    ruleset
        The rule set giving tiers, thresholds and required categories.
    snap_limit_m
        Points farther than this from the network are unreachable.
    strict
        Use the strict tier distances (800 m at 15 min).
    speed_m_per_min
        Time-based thresholds (``minutes × speed``), see
        :meth:`RuleSet.threshold_m`.
    categories
        Restrict the analysis to these category codes (default: all).
    access_spacing_m
        Boundary point spacing where entrances are unknown
        (:func:`~geoapp.analysis.network.community_access_points`).
    persons_per_household
        Used for residents where ``residents`` is null and ``households`` is
        known (an assumption, counted in ``parameters["residents_imputed"]``).
    limit_per_category
        Route each category only up to its own threshold instead of the
        largest tier distance: faster (5-min categories explore 300 m instead of
        1000 m) but ``distance_m`` and ``walk_tier`` are then ``inf``/NaN beyond
        each category's threshold. Coverage, tiers and score are unchanged.
    workers
        Processes for routing the categories (:func:`~geoapp.analysis.forked.map_forked`;
        small problems stay in this process). The result does not depend on it.
    min_component_nodes
        Network components with fewer nodes are islands: nothing snaps to them
        (:meth:`~geoapp.analysis.network.WalkNetwork.snap_points`); they are listed
        in ``islands``.

    Returns
    -------
    LifeCircleResult
        Distances, coverage, tiers, score, aggregates and unreachable items.

    Raises
    ------
    ValueError
        On a geographic CRS, CRS mismatch, missing ``category`` column, unknown
        categories, duplicate community codes or bad parameters.

    Notes
    -----
    GB 50180-2018 tiers 5/10/15 min = 300/500/1000 m (800 m strict), facility
    sets cumulative (LIFECIRCLE.md §1.1, §1.6). The coverage score counts only
    required (▲) categories; optional (△) categories appear in ``distance_m``,
    ``covered`` and the ``residents_lacking_*`` aggregates but not in the score
    or in ``tiers_met``.
    """
    cats = _check_inputs(network, communities, amenities, ruleset, categories)
    if not (np.isfinite(snap_limit_m) and snap_limit_m > 0):
        msg = f"snap_limit_m must be positive, got {snap_limit_m!r}."
        raise ValueError(msg)
    if not (np.isfinite(persons_per_household) and persons_per_household >= 0):
        msg = f"persons_per_household must be >= 0, got {persons_per_household!r}."
        raise ValueError(msg)
    thresholds = pd.Series(
        {
            c: ruleset.threshold_m(c, strict=strict, speed_m_per_min=speed_m_per_min)
            for c in cats
        },
        dtype=float,
    )
    limit = ruleset.max_distance_m(strict=strict, speed_m_per_min=speed_m_per_min)
    route_limit = {
        c: float(thresholds[c]) if limit_per_category else limit for c in cats
    }

    comm_codes = _codes(communities, "communities")
    attrs, n_imputed = _community_attrs(communities, comm_codes, persons_per_household)
    entrances = communities["entrances"] if "entrances" in communities.columns else None
    if entrances is not None and not isinstance(entrances, gpd.GeoSeries):
        entrances = gpd.GeoSeries(entrances, crs=communities.crs)
    aps = community_access_points(
        communities.geometry, entrances, spacing_m=access_spacing_m
    )
    ap_owner = aps["community"].to_numpy(np.int64)
    ap_xy = aps[["x", "y"]].to_numpy(float)
    n_comm = len(communities)

    am_codes = _codes(amenities, "amenities")
    am_cat = amenities["category"].astype(str).to_numpy()
    use = np.isin(am_cat, np.asarray(cats, dtype=object))
    ignored = sorted(set(am_cat[~np.isin(am_cat, np.asarray(ruleset.codes))]))
    am_xy = _point_xy(amenities, "amenities")

    dist = np.full((n_comm, len(cats)), np.inf)
    if network is None:
        mode = MODE_STRAIGHT
        entry = None
        islands = _no_islands(communities.crs)
        unreachable_am = _empty_unreachable_amenities()
        unreachable_comm = pd.DataFrame(
            {
                "code": comm_codes[np.setdiff1d(np.arange(n_comm), ap_owner)],
                "distance_to_network_m": np.nan,
            }
        )
        for j, c in enumerate(cats):
            pts = am_xy[use & (am_cat == c)]
            dist[:, j] = _straight(pts, ap_xy, ap_owner, n_comm, route_limit[c])
    else:
        mode = MODE_NETWORK
        snap_kw = {
            "max_distance_m": snap_limit_m,
            "min_component_nodes": min_component_nodes,
        }
        ap_snap = network.snap_points(ap_xy, **snap_kw)
        ok_ap = np.flatnonzero(ap_snap.reachable)
        entry = _Entry.from_snap(network, ap_snap, ok_ap)
        ap_owner_ok = ap_owner[ok_ap]
        unreachable_comm = _unreachable_communities(
            comm_codes, ap_owner, ap_snap, n_comm
        )
        rows = np.flatnonzero(use)
        am_snap = network.snap_points(am_xy[rows], **snap_kw)
        islands = _islands_nearest(
            network,
            min_component_nodes,
            (am_xy[rows], am_snap, "amenities_nearest"),
            (ap_xy, ap_snap, "access_points_nearest"),
        )
        bad = ~am_snap.reachable
        unreachable_am = pd.DataFrame(
            {
                "code": am_codes[rows[bad]],
                "category": am_cat[rows[bad]],
                "distance_to_network_m": am_snap.distance_m[bad],
            }
        )
        src_all = _Entry.from_snap(network, am_snap, np.flatnonzero(am_snap.reachable))
        src_cat = am_cat[rows][am_snap.reachable]
        src_rows = [np.flatnonzero(src_cat == c) for c in cats]

        def route_category(j: int) -> FloatArray:
            src = src_all.take(src_rows[j])
            ap_d = _route(network, src, entry, route_limit[cats[j]])
            return _per_community(ap_d, ap_owner_ok, n_comm)

        # biggest categories first: they take longest, the rest fill in around them
        order = sorted(range(len(cats)), key=lambda j: -src_rows[j].size)
        small = network.n_nodes * len(cats) < _PARALLEL_MIN_WORK
        done = map_forked(route_category, order, workers=1 if small else workers)
        for j, col in zip(order, done, strict=True):
            dist[:, j] = col
        ap_owner = ap_owner_ok
        ap_xy = ap_xy[ok_ap]

    params: dict[str, Any] = {
        "mode": mode,
        "ruleset": {"name": ruleset.name, "version": ruleset.version},
        "categories": list(cats),
        "snap_limit_m": float(snap_limit_m),
        "strict": bool(strict),
        "speed_m_per_min": speed_m_per_min,
        "access_spacing_m": float(access_spacing_m),
        "limit_m": float(limit),
        "limit_per_category": bool(limit_per_category),
        "route_limit_m": route_limit,
        "thresholds_m": {c: float(v) for c, v in thresholds.items()},
        "persons_per_household": float(persons_per_household),
        "residents_imputed": int(n_imputed),
        "ignored_categories": ignored,
        "communities": int(n_comm),
        "amenities": int(use.sum()),
        "access_points": int(len(aps)),
        "network": network.summary() if network is not None else None,
        "min_component_nodes": int(min_component_nodes),
        "islands": int(len(islands)),
    }
    state = _State(ap_owner, ap_xy, entry, attrs)
    distance = pd.DataFrame(dist, index=pd.Index(comm_codes, name="community"))
    distance.columns = pd.Index(list(cats), name="category")
    return _derive(
        distance,
        thresholds,
        ruleset,
        limit=limit,
        mode=mode,
        params=params,
        strict=strict,
        speed_m_per_min=speed_m_per_min,
        unreachable_amenities=unreachable_am,
        unreachable_communities=unreachable_comm,
        islands=islands,
        state=state,
    )


def what_if(
    base: LifeCircleResult,
    network: WalkNetwork | None,
    communities: gpd.GeoDataFrame,
    added_facilities: gpd.GeoDataFrame,
    ruleset: RuleSet,
) -> LifeCircleResult:
    """Re-evaluate after adding facilities, routing only from the new ones.

    Parameters
    ----------
    base
        A result of :func:`life_circle` (or of an earlier :func:`what_if`).
    network
        The network used for ``base`` (``None`` for a straight-line base).
    communities
        The communities of ``base`` (same codes, same order); their access
        points are taken from ``base`` and not recomputed.
    added_facilities
        New facility points with a ``category`` column (and optional ``code``).
    ruleset
        The rule set of ``base``.

    Returns
    -------
    LifeCircleResult
        The new result; its ``parameters["what_if"]`` lists what was added.

    Raises
    ------
    ValueError
        On a mode mismatch, communities that differ from ``base``, or a
        category that ``base`` did not analyse.

    Notes
    -----
    For each affected category one Dijkstra runs from the new facilities only,
    with the base routing limit, and the community distance becomes
    ``min(base, new)``. Since the nearest-facility distance is a minimum over
    facilities, this equals a full recomputation with the facilities added.
    """
    if (network is None) != base.straight_line:
        msg = f"base was computed in {base.mode!r} mode; pass the matching network."
        raise ValueError(msg)
    comm_codes = _codes(communities, "communities")
    if len(comm_codes) != len(base.distance_m) or not np.array_equal(
        comm_codes.astype(str), base.distance_m.index.to_numpy().astype(str)
    ):
        msg = "communities do not match the communities of the base result."
        raise ValueError(msg)
    if not isinstance(added_facilities, gpd.GeoDataFrame):
        msg = "added_facilities must be a GeoDataFrame."
        raise TypeError(msg)
    if "category" not in added_facilities.columns:
        msg = "added_facilities needs a 'category' column."
        raise ValueError(msg)
    check_metric_crs(added_facilities.crs, "added_facilities")
    cat = added_facilities["category"].astype(str).to_numpy()
    unknown = sorted(set(cat) - set(base.distance_m.columns))
    if unknown:
        msg = f"added_facilities has categories not analysed in base: {unknown}."
        raise ValueError(msg)
    xy = _point_xy(added_facilities, "added_facilities")
    codes = _codes(added_facilities, "added_facilities")
    st = base._state
    n_comm = len(comm_codes)
    dist = base.distance_m.to_numpy(copy=True)
    route_limit = base.parameters["route_limit_m"]
    affected = sorted(set(cat))
    unreachable_am = base.unreachable_amenities
    if network is None:
        for c in affected:
            j = base.distance_m.columns.get_loc(c)
            new = _straight(xy[cat == c], st.ap_xy, st.ap_owner, n_comm, route_limit[c])
            np.minimum(dist[:, j], new, out=dist[:, j])
    else:
        if st.ap_entry is None:
            msg = "base has no network state; recompute it with life_circle()."
            raise ValueError(msg)
        snap = network.snap_points(
            xy,
            max_distance_m=base.parameters["snap_limit_m"],
            min_component_nodes=base.parameters.get(
                "min_component_nodes", MIN_COMPONENT_NODES
            ),
        )
        bad = ~snap.reachable
        if bad.any():
            extra = pd.DataFrame(
                {
                    "code": codes[bad],
                    "category": cat[bad],
                    "distance_to_network_m": snap.distance_m[bad],
                }
            )
            unreachable_am = pd.concat([unreachable_am, extra], ignore_index=True)
        src_all = _Entry.from_snap(network, snap, np.flatnonzero(snap.reachable))
        src_cat = cat[snap.reachable]
        for c in affected:
            j = base.distance_m.columns.get_loc(c)
            src = src_all.take(np.flatnonzero(src_cat == c))
            ap_d = _route(network, src, st.ap_entry, route_limit[c])
            new = _per_community(ap_d, st.ap_owner, n_comm)
            np.minimum(dist[:, j], new, out=dist[:, j])
    params = dict(base.parameters)
    previous = list(params.get("what_if", []))
    previous.append({"added": int(len(added_facilities)), "categories": affected})
    params["what_if"] = previous
    distance = pd.DataFrame(
        dist, index=base.distance_m.index, columns=base.distance_m.columns
    )
    return _derive(
        distance,
        base.thresholds_m,
        ruleset,
        limit=base.limit_m,
        mode=base.mode,
        params=params,
        strict=bool(params.get("strict", False)),
        speed_m_per_min=params.get("speed_m_per_min"),
        unreachable_amenities=unreachable_am,
        unreachable_communities=base.unreachable_communities,
        islands=base.islands,
        state=st,
    )


# ----------------------------------------------------------------------- helpers
def _check_inputs(
    network: WalkNetwork | None,
    communities: gpd.GeoDataFrame,
    amenities: gpd.GeoDataFrame,
    ruleset: RuleSet,
    categories: Sequence[str] | None,
) -> tuple[str, ...]:
    if not isinstance(communities, gpd.GeoDataFrame):
        msg = "communities must be a GeoDataFrame."
        raise TypeError(msg)
    if not isinstance(amenities, gpd.GeoDataFrame):
        msg = "amenities must be a GeoDataFrame."
        raise TypeError(msg)
    if "category" not in amenities.columns:
        msg = "amenities needs a 'category' column (a rule-set category code)."
        raise ValueError(msg)
    check_metric_crs(communities.crs, "communities")
    check_metric_crs(amenities.crs, "amenities")
    crs_set = {str(c) for c in (communities.crs, amenities.crs) if c is not None}
    if network is not None and network.crs is not None:
        crs_set.add(str(network.crs))
    if len(crs_set) > 1:
        msg = f"CRS mismatch between network, communities and amenities: {crs_set}."
        raise ValueError(msg)
    if categories is None:
        return ruleset.codes
    cats = tuple(dict.fromkeys(str(c) for c in categories))
    unknown = [c for c in cats if c not in ruleset.codes]
    if unknown:
        msg = f"Unknown categories {unknown}; the rule set has {list(ruleset.codes)}."
        raise ValueError(msg)
    if not cats:
        msg = "categories must not be empty."
        raise ValueError(msg)
    return cats


def _codes(frame: pd.DataFrame, what: str) -> npt.NDArray[np.object_]:
    raw = frame["code"] if "code" in frame.columns else frame.index.to_series()
    codes = np.asarray(raw.to_numpy(), dtype=object)
    if pd.Series(codes).duplicated().any():
        msg = f"{what} has duplicate codes."
        raise ValueError(msg)
    return codes


def _point_xy(frame: gpd.GeoDataFrame, what: str) -> FloatArray:
    geom = frame.geometry
    if len(geom) == 0:
        return np.zeros((0, 2))
    if geom.isna().any() or geom.is_empty.any():
        msg = f"{what} has null or empty geometries."
        raise ValueError(msg)
    if not (geom.geom_type == "Point").all():
        msg = f"{what} must be Point geometries."
        raise ValueError(msg)
    return np.column_stack([geom.x.to_numpy(float), geom.y.to_numpy(float)])


def _community_attrs(
    communities: gpd.GeoDataFrame,
    codes: npt.NDArray[np.object_],
    persons_per_household: float,
) -> tuple[pd.DataFrame, int]:
    n = len(communities)
    residents = (
        pd.to_numeric(communities["residents"], errors="coerce").to_numpy(float)
        if "residents" in communities.columns
        else np.full(n, np.nan)
    )
    imputed = 0
    if "households" in communities.columns:
        hh = pd.to_numeric(communities["households"], errors="coerce").to_numpy(float)
        fill = np.isnan(residents) & ~np.isnan(hh)
        residents = np.where(fill, hh * persons_per_household, residents)
        imputed = int(fill.sum())
    residents = np.nan_to_num(residents, nan=0.0)

    def col(name: str) -> npt.NDArray[np.object_]:
        if name in communities.columns:
            return communities[name].astype(object).fillna("").to_numpy()
        return np.full(n, "", dtype=object)

    attrs = pd.DataFrame(
        {
            "street_code": col("street_code"),
            "district_code": col("district_code"),
            "residents": residents,
        },
        index=pd.Index(codes, name="community"),
    )
    return attrs, imputed


def _straight(
    pts: FloatArray,
    ap_xy: FloatArray,
    ap_owner: IntArray,
    n_comm: int,
    limit: float,
) -> FloatArray:
    if pts.shape[0] == 0 or ap_xy.shape[0] == 0:
        return np.full(n_comm, np.inf)
    d, _ = cKDTree(pts).query(ap_xy, k=1, distance_upper_bound=limit)
    d = np.asarray(d, dtype=float)
    d[d > limit] = np.inf
    return _per_community(d, ap_owner, n_comm)


def _unreachable_communities(
    codes: npt.NDArray[np.object_],
    ap_owner: IntArray,
    snap: SnapResult,
    n_comm: int,
) -> pd.DataFrame:
    reach = np.zeros(n_comm, dtype=bool)
    reach[ap_owner[snap.reachable]] = True
    gap = np.full(n_comm, np.nan)
    if ap_owner.size:
        tmp = np.full(n_comm, np.inf)
        np.minimum.at(tmp, ap_owner, snap.distance_m)
        has = np.isfinite(tmp)
        gap[has] = tmp[has]
    rows = np.flatnonzero(~reach)
    return pd.DataFrame({"code": codes[rows], "distance_to_network_m": gap[rows]})


_ISLAND_COUNTS = ("amenities_nearest", "access_points_nearest")


def _no_islands(crs: Any) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(
        {
            "component": np.zeros(0, np.int64),
            "nodes": np.zeros(0, np.int64),
            "edges": np.zeros(0, np.int64),
            "length_m": np.zeros(0),
            **{k: np.zeros(0, np.int64) for k in _ISLAND_COUNTS},
        }
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def _islands_nearest(
    network: WalkNetwork,
    min_component_nodes: int,
    *groups: tuple[FloatArray, SnapResult, str],
) -> gpd.GeoDataFrame:
    """The islands left out, with how many points of each group had one nearest.

    A point counts for an island when that island is nearer than the main-network
    edge it snapped to (or than every main edge, for an unreachable point).
    """
    islands = network.islands(min_component_nodes)
    if islands.empty:
        return _no_islands(network.crs)
    out = islands.copy()
    for xy, snap, column in groups:
        comp, d = network.nearest_island(xy, min_component_nodes=min_component_nodes)
        hit = (comp >= 0) & (d < snap.distance_m)
        counts = np.bincount(comp[hit], minlength=network.n_components)
        out[column] = counts[out["component"].to_numpy()].astype(np.int64)
    cols = ["component", "nodes", "edges", "length_m", *_ISLAND_COUNTS, "geometry"]
    return out[cols]


def _empty_unreachable_amenities() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": pd.Series(dtype=object),
            "category": pd.Series(dtype=object),
            "distance_to_network_m": pd.Series(dtype=float),
        }
    )


def _derive(
    distance: pd.DataFrame,
    thresholds: pd.Series,
    ruleset: RuleSet,
    *,
    limit: float,
    mode: str,
    params: dict[str, Any],
    strict: bool,
    speed_m_per_min: float | None,
    unreachable_amenities: pd.DataFrame,
    unreachable_communities: pd.DataFrame,
    islands: gpd.GeoDataFrame,
    state: _State,
) -> LifeCircleResult:
    """Coverage, tiers, score and aggregates from the distance table."""
    cats = list(distance.columns)
    d = distance.to_numpy()
    thr = thresholds.reindex(cats).to_numpy(float)
    cov = d <= thr[None, :]
    covered = pd.DataFrame(cov, index=distance.index, columns=distance.columns)

    tiers = ruleset.tier_minutes
    tier_d = np.array(
        [
            ruleset.distance_for(t, strict=strict, speed_m_per_min=speed_m_per_min)
            for t in tiers
        ]
    )
    # Smallest tier whose distance covers d (tier distances increase with minutes).
    k = np.searchsorted(tier_d, d, side="left")
    tier_arr = np.asarray(tiers, dtype=float)
    walk = np.where(k < len(tiers), tier_arr[np.minimum(k, len(tiers) - 1)], np.nan)
    walk_tier = pd.DataFrame(walk, index=distance.index, columns=distance.columns)

    rules = [ruleset.rule(c) for c in cats]
    req = np.array([r.required for r in rules], dtype=bool)
    cat_tier = np.array([r.tier_minutes for r in rules])
    met_cols: dict[int, npt.NDArray[np.bool_]] = {}
    miss_cols: dict[int, list[tuple[str, ...]]] = {}
    cats_arr = np.asarray(cats, dtype=object)
    for t in tiers:
        sel = req & (cat_tier <= t)
        lacking = ~cov[:, sel]
        met_cols[t] = ~lacking.any(axis=1)
        names = cats_arr[sel]
        miss_cols[t] = [tuple(names[row]) for row in lacking]
    tiers_met = pd.DataFrame(met_cols, index=distance.index)
    tiers_met.columns.name = "tier_minutes"
    missing = pd.DataFrame(miss_cols, index=distance.index)
    missing.columns.name = "tier_minutes"

    n_req = int(req.sum())
    score_arr = (
        100.0 * cov[:, req].sum(axis=1) / n_req if n_req else np.full(len(d), np.nan)
    )
    score = pd.Series(score_arr, index=distance.index, name="score")

    attrs = state.community_attrs
    by_street = _aggregate(attrs, "street_code", tiers_met, covered, score)
    by_district = _aggregate(attrs, "district_code", tiers_met, covered, score)
    return LifeCircleResult(
        distance_m=distance,
        covered=covered,
        walk_tier=walk_tier,
        tiers_met=tiers_met,
        missing=missing,
        score=score,
        by_street=by_street,
        by_district=by_district,
        unreachable_amenities=unreachable_amenities.reset_index(drop=True),
        unreachable_communities=unreachable_communities.reset_index(drop=True),
        islands=islands,
        thresholds_m=thresholds.reindex(cats),
        limit_m=float(limit),
        mode=mode,
        parameters=params,
        _state=state,
    )


def _aggregate(
    attrs: pd.DataFrame,
    key: str,
    tiers_met: pd.DataFrame,
    covered: pd.DataFrame,
    score: pd.Series,
) -> pd.DataFrame:
    res = attrs["residents"].to_numpy(float)
    cols: dict[str, Any] = {
        key: attrs[key].to_numpy(),
        "communities": np.ones(len(attrs), dtype=np.int64),
        "residents": res,
    }
    for t in tiers_met.columns:
        cols[f"residents_tier_{t}min"] = res * tiers_met[t].to_numpy()
    for c in covered.columns:
        cols[f"residents_lacking_{c}"] = res * ~covered[c].to_numpy()
    s = score.to_numpy(float)
    cols["_score_w"] = np.where(np.isnan(s), 0.0, s) * res
    frame = pd.DataFrame(cols)
    out = frame.groupby(key, sort=True).sum()
    for t in tiers_met.columns:
        out[f"share_tier_{t}min"] = _safe_div(
            out[f"residents_tier_{t}min"].to_numpy(float),
            out["residents"].to_numpy(float),
        )
    out["mean_score"] = _safe_div(
        out.pop("_score_w").to_numpy(float), out["residents"].to_numpy(float)
    )
    return out


def _safe_div(a: FloatArray, b: FloatArray) -> FloatArray:
    out = np.full(a.shape, np.nan)
    np.divide(a, b, out=out, where=b > 0)
    return out
