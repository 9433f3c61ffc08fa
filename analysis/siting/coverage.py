"""Which communities each candidate would reach within the walking distance."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy.sparse.csgraph import dijkstra

from analysis.siting.checks import _as_cover, _as_weights
from analysis.siting.results import Coverage, FloatArray, IntArray

# Memory budget for one chunk of dense Dijkstra rows (float64, n_nodes wide).
DEFAULT_CHUNK_BYTES = 64 * 2**20


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
