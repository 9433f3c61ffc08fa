"""Multi-source shortest walks over the csr network, from network entries to network entries."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from analysis.network import (
    NetworkEntry,
    WalkNetwork,
    same_edge_min,
)

FloatArray = npt.NDArray[np.float64]


IntArray = npt.NDArray[np.int64]


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
