"""The 15-minute life-circle engine: walking distance from communities to facilities.

Array core
    :func:`nearest_distance` runs **one** multi-source Dijkstra per facility
    category (``scipy.sparse.csgraph.dijkstra`` with ``min_only=True`` and a
    distance ``limit``) and returns the distance from every node to the nearest
    facility. No per-community loops over Dijkstra: the search runs from the
    facilities outwards, and communities read the distance at the nodes of the
    edges they are snapped to.

Adapters
    :func:`life_circle` (GeoDataFrames + :class:`~analysis.rules.RuleSet`
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

Tiers, thresholds and the score follow :mod:`analysis.rules`: a
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
from scipy.sparse import coo_array, csr_array
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from analysis.forked import map_forked
from analysis.network import (
    MIN_COMPONENT_NODES,
    NetworkEntry,
    SnapResult,
    WalkNetwork,
    check_metric_crs,
    community_access_points,
    same_edge_min,
    same_edge_pairs,
)
from analysis.rules import RuleSet

__all__ = [
    "CommunityAccess",
    "LifeCircleResult",
    "cost_pairs",
    "coverage_tables",
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


def _route(
    net: WalkNetwork, sources: NetworkEntry, targets: NetworkEntry, limit_m: float
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
    same = same_edge_min(sources, targets)
    np.minimum(out, same, out=out)
    out[out > limit_m] = np.inf
    return out


# memory budget of one block of dense Dijkstra rows in :func:`cost_pairs`
_PAIRS_CHUNK_BYTES = 32 * 2**20
# margin added to the Euclidean bound of a tile's region: endpoint merging moves a
# node by up to the snap tolerance (0.5 m), which a path can meet at every node
_TILE_MARGIN_M = 5.0
_TILE_MARGIN_FRACTION = 0.05
# smallest tile side: below it the per-tile set-up outweighs the smaller searches
_TILE_MIN_M = 2000.0
# cell of the grid of real nodes queried per tile
_REAL_CELL_M = 500.0
# tasks per routing process in cost_pairs
_BATCHES_PER_PROCESS = 4


def cost_pairs(
    network: WalkNetwork,
    sources: NetworkEntry,
    source_xy: FloatArray,
    targets: NetworkEntry,
    target_xy: FloatArray,
    limit_m: float | npt.ArrayLike,
    *,
    target_owner: npt.ArrayLike | None = None,
    workers: int = 1,
) -> tuple[IntArray, IntArray, FloatArray]:
    """Every (source, target) pair within walking distance, with the distance.

    The facility-level cost matrix behind the capacity-aware life circle: the
    same distance as :func:`_route` (the snap offsets, both end nodes of each
    snapped edge, the direct walk along a shared edge), but kept per pair instead
    of the minimum over the sources.

    Parameters
    ----------
    network
        The walk network the entries were snapped to.
    sources, targets
        Where the points enter the network (:meth:`NetworkEntry.from_snap`).
    source_xy, target_xy
        ``(n, 2)`` coordinates of the points themselves (metres), used only to
        bound each search region: a walk of length ``L`` from a point stays
        within Euclidean distance ``L`` of it.
    limit_m
        Walking distance limit, one for all sources or one per source (each
        facility's category threshold).
    target_owner
        Optional owner of each target (the community of an access point): the
        pairs are then (source, owner) with the minimum over the owner's targets.
    workers
        Processes for the tiles (:func:`~analysis.forked.map_forked`).

    Returns
    -------
    tuple
        ``(source index, target or owner index, distance_m)``, one entry per pair
        within the source's limit, sorted by source then target.

    Notes
    -----
    Each source and each target becomes a virtual node joined to its edge's end
    nodes by its entry costs (``offset + along`` and ``offset + length - along``).
    A path through a virtual node is never shorter than the edge it sits on, so
    distances between real nodes are unchanged and the distance between two
    virtual nodes is ``min`` over the four end-node combinations, as in
    :func:`_route`. Sources are grouped by limit; for each group the side with
    fewer points is searched from (the graph is undirected), in square tiles of
    ``2 L``: a tile's Dijkstra (``scipy.sparse.csgraph.dijkstra`` with ``limit``)
    runs on the subgraph of the nodes within ``L`` (Euclidean, plus a margin) of
    the tile, which holds every node such a walk can reach. scipy's per-source
    set-up is then O(tile region) instead of O(n_nodes), which is what makes the
    pairs of a whole city cheap.
    """
    n_src, n_tgt = len(sources), len(targets)
    lim = np.broadcast_to(np.asarray(limit_m, dtype=float), (n_src,)).copy()
    if n_src and not np.all(lim >= 0):
        msg = "limit_m must be non-negative."
        raise ValueError(msg)
    sxy = np.asarray(source_xy, dtype=float).reshape(n_src, 2)
    txy = np.asarray(target_xy, dtype=float).reshape(n_tgt, 2)
    owner = (
        np.arange(n_tgt, dtype=np.int64)
        if target_owner is None
        else np.asarray(target_owner, dtype=np.int64).reshape(n_tgt)
    )
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    if n_src == 0 or n_tgt == 0:
        return empty
    n = network.n_nodes
    graph = _augmented(network, sources, targets)
    node_xy = np.concatenate([network.node_xy, sxy, txy])
    local = np.full(graph.shape[0], -1, dtype=np.int64)
    jobs: list[tuple[IntArray, float, bool, _Grid, _Grid]] = []
    # one grid of the real nodes for every limit: fine cells, so that a region's
    # query reads few nodes outside it
    real_grid = _Grid(np.arange(n), network.node_xy, _REAL_CELL_M)
    for value in np.unique(lim):
        grp = np.flatnonzero(lim == value)
        from_sources = grp.size <= n_tgt
        origin = grp + n if from_sources else np.arange(n_tgt) + n + n_src
        dest = np.arange(n_tgt) + n + n_src if from_sources else grp + n
        size = max(2.0 * float(value), _TILE_MIN_M)
        dest_grid = _Grid(dest, node_xy[dest], size)
        for tile in _tiles(node_xy[origin], size):
            jobs.append(
                (origin[tile], float(value), from_sources, real_grid, dest_grid)
            )
    # largest tiles first: they take longest
    jobs.sort(key=lambda j: -j[0].size)

    def run(batch: range) -> tuple[IntArray, IntArray, FloatArray]:
        out_s, out_t, out_d = [], [], []
        for k in batch:
            origin, value, from_sources, real_grid, dest_grid = jobs[k]
            a, b, d = _tile_pairs(
                graph, node_xy, local, origin, value, real_grid, dest_grid
            )
            s, t = (a, b) if from_sources else (b, a)
            out_s.append(s - n)
            out_t.append(t - n - n_src)
            out_d.append(d)
        return np.concatenate(out_s), np.concatenate(out_t), np.concatenate(out_d)

    small = sum(j[0].size for j in jobs) < 2000
    n_proc = 1 if small else workers
    # a few batches per process, each every m-th tile of the largest-first order
    # (similar work each), instead of one task per tile: hundreds of small tasks
    # cost more in hand-over between processes than they balance
    m = min(len(jobs), n_proc * _BATCHES_PER_PROCESS) if n_proc > 1 else 1
    batches = [range(i, len(jobs), m) for i in range(m)] if jobs else []
    parts = map_forked(run, batches, workers=n_proc)
    same = _same_edge_pairs(sources, targets, lim)
    s_all = np.concatenate([p[0] for p in parts] + [same[0]])
    t_all = np.concatenate([p[1] for p in parts] + [same[1]])
    d_all = np.concatenate([p[2] for p in parts] + [same[2]])
    return _min_pairs(s_all, owner[t_all], d_all)


class _Grid:
    """Points binned in square cells, for the points inside a box in O(box)."""

    def __init__(self, ids: IntArray, xy: FloatArray, cell_m: float) -> None:
        self.cell = float(cell_m)
        self.origin = xy.min(axis=0) if xy.shape[0] else np.zeros(2)
        c = np.floor((xy - self.origin) / self.cell).astype(np.int64)
        self.ny = int(c[:, 1].max()) + 1 if xy.shape[0] else 1
        key = c[:, 0] * self.ny + c[:, 1]
        order = np.argsort(key, kind="stable")
        self.key = key[order]
        self.ids = ids[order]
        self.xy = xy[order]

    def query(self, lo: FloatArray, hi: FloatArray) -> IntArray:
        """Ids of the points with ``lo <= xy <= hi``."""
        if self.key.size == 0:
            return self.ids[:0]
        c0 = np.floor((lo - self.origin) / self.cell).astype(np.int64)
        c1 = np.floor((hi - self.origin) / self.cell).astype(np.int64)
        y0, y1 = max(int(c0[1]), 0), min(int(c1[1]), self.ny - 1)
        if y1 < y0:
            return self.ids[:0]
        xs = np.arange(max(int(c0[0]), 0), int(c1[0]) + 1)
        a = np.searchsorted(self.key, xs * self.ny + y0, side="left")
        b = np.searchsorted(self.key, xs * self.ny + y1, side="right")
        cnt = b - a
        total = int(cnt.sum())
        if total == 0:
            return self.ids[:0]
        idx = np.repeat(a - np.cumsum(cnt) + cnt, cnt) + np.arange(total)
        inside = np.all((self.xy[idx] >= lo) & (self.xy[idx] <= hi), axis=1)
        return self.ids[idx[inside]]


def _augmented(
    network: WalkNetwork, sources: NetworkEntry, targets: NetworkEntry
) -> csr_array:
    """The walk graph with one virtual node per source, then per target."""
    n = network.n_nodes
    base = network.csr.tocoo()
    rows, cols, vals = [base.row], [base.col], [np.asarray(base.data, float)]
    start = n
    for ent in (sources, targets):
        ids = np.arange(len(ent), dtype=np.int64) + start
        start += len(ent)
        loop = ent.u == ent.v  # a closed ring: one edge, the cheaper way round
        cu = np.where(loop, np.minimum(ent.cost_u, ent.cost_v), ent.cost_u)
        keep_v = ~loop
        for a, b, w in (
            (ids, ent.u, cu),
            (ids[keep_v], ent.v[keep_v], ent.cost_v[keep_v]),
        ):
            rows += [a, b]
            cols += [b, a]
            vals += [w, w]
    m = start
    coo = coo_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(m, m),
    )
    # virtual edges are unique per (virtual node, end node), so no duplicates are
    # summed; explicit zeros (a point on a node) stay edges for scipy's Dijkstra
    return csr_array(coo)


def _tiles(xy: FloatArray, size_m: float) -> list[IntArray]:
    """Indices of the points in each non-empty square tile of ``size_m``."""
    if xy.shape[0] == 0:
        return []
    cell = np.floor((xy - xy.min(axis=0)) / size_m).astype(np.int64)
    key = cell[:, 0] * (int(cell[:, 1].max()) + 1) + cell[:, 1]
    order = np.argsort(key, kind="stable")
    cuts = np.flatnonzero(np.diff(key[order])) + 1
    return np.split(order, cuts)


def _tile_pairs(
    graph: csr_array,
    node_xy: FloatArray,
    local: IntArray,
    origin: IntArray,
    limit: float,
    real_grid: _Grid,
    dest_grid: _Grid,
) -> tuple[IntArray, IntArray, FloatArray]:
    """Pairs (origin node, dest node, distance <= limit) of one tile."""
    pad = limit * (1.0 + _TILE_MARGIN_FRACTION) + _TILE_MARGIN_M
    lo = node_xy[origin].min(axis=0) - pad
    hi = node_xy[origin].max(axis=0) + pad
    d_in = dest_grid.query(lo, hi)
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    if d_in.size == 0:
        return empty
    real = real_grid.query(lo, hi)
    # real nodes, origins and destinations are disjoint id ranges: no duplicates
    keep = np.concatenate([real, origin, d_in])
    sub = _induced(graph, keep, local)
    o_pos = np.arange(origin.size) + real.size
    d_pos = np.arange(d_in.size) + real.size + origin.size
    step = max(1, int(_PAIRS_CHUNK_BYTES // (8 * keep.size)))
    out_o, out_d, out_v = [], [], []
    for s0 in range(0, origin.size, step):
        dist = dijkstra(sub, directed=True, indices=o_pos[s0 : s0 + step], limit=limit)
        block = dist[:, d_pos]
        r, c = np.nonzero(block <= limit)
        out_o.append(origin[s0 + r])
        out_d.append(d_in[c])
        out_v.append(block[r, c])
    return np.concatenate(out_o), np.concatenate(out_d), np.concatenate(out_v)


def _induced(graph: csr_array, keep: IntArray, local: IntArray) -> csr_array:
    """The subgraph on the distinct node ids ``keep`` (O(its edges), not O(n)).

    ``local`` is a scratch array of ``-1`` (one per node of ``graph``), left as
    it was found.
    """
    local[keep] = np.arange(keep.size)
    start = graph.indptr[keep]
    count = graph.indptr[keep + 1] - start
    total = int(count.sum())
    row = np.repeat(np.arange(keep.size), count)
    idx = np.repeat(start - np.cumsum(count) + count, count) + np.arange(total)
    col = local[graph.indices[idx]]
    local[keep] = -1
    ok = col >= 0
    counts = np.bincount(row[ok], minlength=keep.size)
    indptr = np.concatenate([[0], np.cumsum(counts)])
    return csr_array(
        (np.asarray(graph.data, float)[idx[ok]], col[ok], indptr),
        shape=(keep.size, keep.size),
    )


def _same_edge_pairs(
    sources: NetworkEntry, targets: NetworkEntry, limit: FloatArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """Direct along-edge walks between sources and targets sharing an edge, within
    each source's limit."""
    tgt, src, d = same_edge_pairs(targets, sources)
    ok = d <= limit[src]
    return src[ok].astype(np.int64), tgt[ok].astype(np.int64), d[ok]


def _min_pairs(
    a: IntArray, b: IntArray, d: FloatArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """Keep the smallest distance of each (a, b), sorted by a then b."""
    if a.size == 0:
        return a.astype(np.int64), b.astype(np.int64), d
    # one int64 key per pair (a and b are indices, far below 2**31) and one sort
    nb = int(b.max()) + 1
    key = a.astype(np.int64) * nb + b
    order = np.argsort(key)
    key = key[order]
    first = np.flatnonzero(np.diff(key, prepend=-1))
    key = key[first]
    return key // nb, key % nb, np.minimum.reduceat(d[order], first)


def _per_community(values: FloatArray, owner: IntArray, n: int) -> FloatArray:
    out = np.full(n, np.inf)
    if values.size:
        np.minimum.at(out, owner, values)
    return out


# ------------------------------------------------------------------------ result
@dataclass(frozen=True)
class CommunityAccess:
    """Where the communities enter the network (their access points), kept with the
    result so that a what-if, the capacity step and siting route from the same
    entries without re-snapping."""

    ap_owner: IntArray
    ap_xy: FloatArray
    ap_entry: NetworkEntry | None
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
        ``<= T`` is covered (cumulative, see :mod:`analysis.rules`).
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
    access: CommunityAccess = field(repr=False)

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
        (:func:`~analysis.network.community_access_points`).
    persons_per_household
        Used for residents where ``residents`` is null and ``households`` is
        known (an assumption, counted in ``parameters["residents_imputed"]``).
    limit_per_category
        Route each category only up to its own threshold instead of the
        largest tier distance: faster (5-min categories explore 300 m instead of
        1000 m) but ``distance_m`` and ``walk_tier`` are then ``inf``/NaN beyond
        each category's threshold. Coverage, tiers and score are unchanged.
    workers
        Processes for routing the categories (:func:`~analysis.forked.map_forked`;
        small problems stay in this process). The result does not depend on it.
    min_component_nodes
        Network components with fewer nodes are islands: nothing snaps to them
        (:meth:`~analysis.network.WalkNetwork.snap_points`); they are listed
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
        snap_kw: dict[str, Any] = {
            "max_distance_m": snap_limit_m,
            "min_component_nodes": min_component_nodes,
        }
        ap_snap = network.snap_points(ap_xy, **snap_kw)
        ok_ap = np.flatnonzero(ap_snap.reachable)
        entry = NetworkEntry.from_snap(network, ap_snap, ok_ap)
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
        src_all = NetworkEntry.from_snap(
            network, am_snap, np.flatnonzero(am_snap.reachable)
        )
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
    state = CommunityAccess(ap_owner, ap_xy, entry, attrs)
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
    st = base.access
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
        src_all = NetworkEntry.from_snap(network, snap, np.flatnonzero(snap.reachable))
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
    state: CommunityAccess,
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

    tiers_met, missing, score, by_street, by_district = coverage_tables(
        covered, ruleset, state.community_attrs
    )
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
        access=state,
    )


def coverage_tables(
    covered: pd.DataFrame, ruleset: RuleSet, community_attrs: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.DataFrame, pd.DataFrame]:
    """Tiers met, missing categories, score and aggregates from a coverage table.

    Parameters
    ----------
    covered
        Community × category booleans: the category counts as provided (within
        reach, or for the capacity-aware life circle, enough for the residents).
    ruleset
        Gives each category's tier and whether it is required.
    community_attrs
        ``street_code``, ``district_code`` and ``residents`` per community, in the
        order of ``covered``.

    Returns
    -------
    tuple
        ``(tiers_met, missing, score, by_street, by_district)`` as in
        :class:`LifeCircleResult`.
    """
    cats = list(covered.columns)
    cov = covered.to_numpy(bool)
    tiers = ruleset.tier_minutes
    attrs = community_attrs
    rules = [ruleset.rule(c) for c in cats]
    req = np.array([r.required for r in rules], dtype=bool)
    cat_tier = np.array([r.tier_minutes for r in rules])
    met_cols: dict[int, npt.NDArray[np.bool_]] = {}
    miss_cols: dict[int, list[tuple[str, ...]]] = {}
    cats_arr = np.asarray(cats, dtype=object)
    for t in tiers:
        sel = req & (cat_tier <= t)
        lacking = ~cov[:, sel]
        met_cols[t] = np.asarray(~lacking.any(axis=1), dtype=bool)
        names = cats_arr[sel]
        miss_cols[t] = [tuple(names[row]) for row in lacking]
    tiers_met = pd.DataFrame(met_cols, index=covered.index)
    tiers_met.columns.name = "tier_minutes"
    missing = pd.DataFrame(miss_cols, index=covered.index)
    missing.columns.name = "tier_minutes"

    n_req = int(req.sum())
    score_arr = (
        100.0 * cov[:, req].sum(axis=1) / n_req if n_req else np.full(len(cov), np.nan)
    )
    score = pd.Series(score_arr, index=covered.index, name="score")

    by_street = _aggregate(attrs, "street_code", tiers_met, covered, score)
    by_district = _aggregate(attrs, "district_code", tiers_met, covered, score)
    return tiers_met, missing, score, by_street, by_district


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
