"""Every facility-community pair within walking distance, with its distance (the capacity step's cost matrix)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_array, csr_array
from scipy.sparse.csgraph import dijkstra

from analysis.forked import map_forked
from analysis.network import (
    NetworkEntry,
    WalkNetwork,
    same_edge_min,
    same_edge_pairs,
)
from analysis.walkshed.routing import FloatArray, IntArray, _route

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


# limits within this ratio share their tiles' subgraphs in PairSearch (300 and
# 500 m do, 1000 m does not: a 300 m search on the region of 1000 m sets up
# five times the nodes)
_BAND_RATIO = 2.0


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
    pairs of a whole city cheap. :class:`PairSearch` is the same in steps, for
    running the tiles in a pool shared with other jobs.
    """
    # (searched from the sources, as the tiled search does when they are fewer)
    if 0 < len(sources) <= min(_ALONE_MAX, len(targets)):
        return _pairs_alone(network, sources, targets, limit_m, target_owner)
    search = PairSearch(
        network,
        sources,
        source_xy,
        targets,
        target_xy,
        limit_m,
        target_owner=target_owner,
        workers=workers,
    )
    parts = map_forked(search.run, search.batches, workers=search.workers)
    return search.pairs(search.collect(parts))


#: up to this many sources :func:`cost_pairs` routes each alone (a what-if's new
#: facilities): one bounded Dijkstra on the network per source costs a few ms, where
#: the tiled search sets up its augmented graph and grids over the whole network
#: (~30 ms at city scale) before its first tile
_ALONE_MAX = 8


def _pairs_alone(
    network: WalkNetwork,
    sources: NetworkEntry,
    targets: NetworkEntry,
    limit_m: float | npt.ArrayLike,
    target_owner: npt.ArrayLike | None,
) -> tuple[IntArray, IntArray, FloatArray]:
    """:func:`cost_pairs` for a few sources: each routed alone from its entry
    (:func:`~analysis.walkshed.routing._route`, the walk along a shared edge
    included), then the minimum per owner. The same floats as the search from the
    sources: both sum a path's costs from the source's entry in the same order."""
    lim, owner = _limits_and_owner(len(sources), len(targets), limit_m, target_owner)
    n_src = len(sources)
    n_own = int(owner.max()) + 1
    out_s, out_t, out_d = [], [], []
    for i in range(n_src):
        per = _per_community(
            _route(network, sources.take(np.array([i])), targets, float(lim[i])),
            owner,
            n_own,
        )
        hit = np.flatnonzero(np.isfinite(per))
        out_s.append(np.full(hit.size, i, dtype=np.int64))
        out_t.append(hit.astype(np.int64))
        out_d.append(per[hit])
    return np.concatenate(out_s), np.concatenate(out_t), np.concatenate(out_d)


def _limits_and_owner(
    n_src: int,
    n_tgt: int,
    limit_m: float | npt.ArrayLike,
    target_owner: npt.ArrayLike | None,
) -> tuple[FloatArray, IntArray]:
    """Each source's limit (checked non-negative) and each target's owner (itself
    when none is given), for :func:`cost_pairs`'s two ways."""
    lim = np.broadcast_to(np.asarray(limit_m, dtype=float), (n_src,)).copy()
    if n_src and not np.all(lim >= 0):
        msg = "limit_m must be non-negative."
        raise ValueError(msg)
    owner = (
        np.arange(n_tgt, dtype=np.int64)
        if target_owner is None
        else np.asarray(target_owner, dtype=np.int64).reshape(n_tgt)
    )
    return lim, owner


class PairSearch:
    """:func:`cost_pairs` in steps, so that its tiles can share one pool of
    routing processes with other jobs (the life circle's categories).

    Construct it with the arguments of :func:`cost_pairs` (the plan: the
    augmented graph and the tiles, handed out in :attr:`batches`); call
    :meth:`run` on each batch, in any process and any order; :meth:`collect`
    the parts in batch order; then :meth:`pairs` gives what :func:`cost_pairs`
    returns and :meth:`nearest` the distance from each owner to the nearest of
    some of the sources, the same floats as :func:`_route` gives (the same
    sums in the same order) where those sources are searched from
    (:attr:`from_sources`).
    """

    def __init__(
        self,
        network: WalkNetwork,
        sources: NetworkEntry,
        source_xy: FloatArray,
        targets: NetworkEntry,
        target_xy: FloatArray,
        limit_m: float | npt.ArrayLike,
        *,
        target_owner: npt.ArrayLike | None = None,
        workers: int = 1,
    ) -> None:
        n_src, n_tgt = len(sources), len(targets)
        lim, self.owner = _limits_and_owner(n_src, n_tgt, limit_m, target_owner)
        sxy = np.asarray(source_xy, dtype=float).reshape(n_src, 2)
        txy = np.asarray(target_xy, dtype=float).reshape(n_tgt, 2)
        self.sources, self.targets, self.limit = sources, targets, lim
        #: per source: its limit's group is searched from the sources (else from
        #: the targets, which sums each path in the opposite order)
        self.from_sources = np.zeros(n_src, dtype=bool)
        self._n, self._n_src = network.n_nodes, n_src
        # per tile: origins, each origin's limit, searched from the sources, grids
        self._jobs: list[tuple[IntArray, FloatArray, bool, _Grid, _Grid]] = []
        self.batches: list[range] = []
        self.workers = 1
        if n_src == 0 or n_tgt == 0:
            return
        n = network.n_nodes
        self._graph = _augmented(network, sources, targets)
        self._node_xy = np.concatenate([network.node_xy, sxy, txy])
        self._local = np.full(self._graph.shape[0], -1, dtype=np.int64)
        jobs = self._jobs
        # one grid of the real nodes for every limit: fine cells, so that a region's
        # query reads few nodes outside it
        real_grid = _Grid(np.arange(n), network.node_xy, _REAL_CELL_M)
        groups = []
        for value in np.unique(lim):
            grp = np.flatnonzero(lim == value)
            from_sources = grp.size <= n_tgt
            self.from_sources[grp] = from_sources
            groups.append((float(value), grp, from_sources))
        targets_id = np.arange(n_tgt) + n + n_src
        # limits searched from the sources, in bands of similar limits: a band's tiles
        # share one region's subgraph (of its largest limit) and run one Dijkstra per
        # limit on it; the extra nodes are beyond the smaller limits, so every
        # distance is the same float as on the limit's own region
        for band in _bands([g for g in groups if g[2]]):
            grp = np.concatenate([g[1] for g in band])
            size = max(2.0 * band[-1][0], _TILE_MIN_M)
            dest_grid = _Grid(targets_id, self._node_xy[targets_id], size)
            origin = grp + n
            for tile in _tiles(self._node_xy[origin], size):
                jobs.append((origin[tile], lim[grp[tile]], True, real_grid, dest_grid))
        for value, grp, _ in (g for g in groups if not g[2]):
            dest = grp + n
            size = max(2.0 * value, _TILE_MIN_M)
            dest_grid = _Grid(dest, self._node_xy[dest], size)
            for tile in _tiles(self._node_xy[targets_id], size):
                jobs.append(
                    (
                        targets_id[tile],
                        np.full(tile.size, value),
                        False,
                        real_grid,
                        dest_grid,
                    )
                )
        # largest tiles first: they take longest
        jobs.sort(key=lambda j: -j[0].size)
        small = sum(j[0].size for j in jobs) < 2000
        self.workers = 1 if small else workers
        # a few batches per process, each every m-th tile of the largest-first order
        # (similar work each), instead of one task per tile: hundreds of small tasks
        # cost more in hand-over between processes than they balance
        m = (
            min(len(jobs), self.workers * _BATCHES_PER_PROCESS)
            if self.workers > 1
            else 1
        )
        self.batches = [range(i, len(jobs), m) for i in range(m)] if jobs else []

    def run(self, batch: range) -> tuple[IntArray, IntArray, FloatArray]:
        """The (source, target, distance) pairs through the network of the tiles
        of ``batch`` (not yet the walks along a shared edge)."""
        n, n_src = self._n, self._n_src
        out_s, out_t, out_d = [], [], []
        for k in batch:
            origin, limit, from_sources, real_grid, dest_grid = self._jobs[k]
            a, b, d = _tile_pairs(
                self._graph,
                self._node_xy,
                self._local,
                origin,
                limit,
                real_grid,
                dest_grid,
            )
            s, t = (a, b) if from_sources else (b, a)
            out_s.append(s - n)
            out_t.append(t - n - n_src)
            out_d.append(d)
        return np.concatenate(out_s), np.concatenate(out_t), np.concatenate(out_d)

    def collect(
        self, parts: Sequence[tuple[IntArray, IntArray, FloatArray]]
    ) -> tuple[IntArray, IntArray, FloatArray]:
        """The parts of all batches (results of :meth:`run`) in one."""
        if not parts:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
        return (
            np.concatenate([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]),
        )

    def pairs(
        self, found: tuple[IntArray, IntArray, FloatArray]
    ) -> tuple[IntArray, IntArray, FloatArray]:
        """What :func:`cost_pairs` returns, from the collected parts."""
        same = _same_edge_pairs(self.sources, self.targets, self.limit)
        return _min_pairs(
            np.concatenate([found[0], same[0]]),
            self.owner[np.concatenate([found[1], same[1]])],
            np.concatenate([found[2], same[2]]),
        )

    def nearest(
        self,
        found: tuple[IntArray, IntArray, FloatArray],
        rows: IntArray,
        limit_m: float,
        n_owners: int,
    ) -> FloatArray:
        """Per owner, the distance to the nearest of the sources ``rows`` (``inf``
        beyond ``limit_m``, which must not exceed their limits).

        The floats of ``_per_community(_route(...))`` from those sources when they
        are searched from (:attr:`from_sources`): the same path sums in the same
        order, and the walk along a shared edge summed as :func:`_route` sums it.
        """
        if not (self.from_sources[rows].all() and (self.limit[rows] >= limit_m).all()):
            msg = "nearest() needs sources searched from, within their limits."
            raise ValueError(msg)
        per_target = np.full(len(self.targets), np.inf)
        s, t, d = found
        hit = np.isin(s, rows)
        np.minimum.at(per_target, t[hit], d[hit])
        same = same_edge_min(self.sources.take(rows), self.targets)
        np.minimum(per_target, same, out=per_target)
        per_target[per_target > limit_m] = np.inf
        return _per_community(per_target, self.owner, n_owners)


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
    limit: FloatArray,
    real_grid: _Grid,
    dest_grid: _Grid,
) -> tuple[IntArray, IntArray, FloatArray]:
    """Pairs (origin node, dest node, distance <= the origin's limit) of one tile:
    one subgraph for the tile (the region of its largest limit), one Dijkstra per
    limit on it."""
    pad = float(limit.max()) * (1.0 + _TILE_MARGIN_FRACTION) + _TILE_MARGIN_M
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
    for value in np.unique(limit).tolist():
        rows = np.flatnonzero(limit == value)
        for s0 in range(0, rows.size, step):
            part = rows[s0 : s0 + step]
            dist = dijkstra(sub, directed=True, indices=o_pos[part], limit=value)
            block = dist[:, d_pos]
            r, c = np.nonzero(block <= value)
            out_o.append(origin[part[r]])
            out_d.append(d_in[c])
            out_v.append(block[r, c])
    return np.concatenate(out_o), np.concatenate(out_d), np.concatenate(out_v)


def _bands(
    groups: list[tuple[float, IntArray, bool]],
) -> list[list[tuple[float, IntArray, bool]]]:
    """Groups of sources (in increasing limit) cut into bands whose largest limit
    is at most :data:`_BAND_RATIO` times the smallest: a smaller limit's Dijkstra
    then runs on a region not much larger than its own."""
    out: list[list[tuple[float, IntArray, bool]]] = []
    for g in groups:
        if out and g[0] <= _BAND_RATIO * out[-1][0][0]:
            out[-1].append(g)
        else:
            out.append([g])
    return out


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
