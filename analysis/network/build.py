"""Building the walk network from street lines or their coordinate arrays (endpoints merged within a tolerance)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import coo_array, csr_array
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from analysis.network.graph import (
    FloatArray,
    IntArray,
    WalkNetwork,
    _offsets,
    check_metric_crs,
)


def build_network(
    segments: gpd.GeoDataFrame | gpd.GeoSeries, *, snap_tolerance_m: float = 0.5
) -> WalkNetwork:
    """Build a :class:`WalkNetwork` from walk segments.

    Parameters
    ----------
    segments
        Lines (LineString or MultiLineString) in a metric CRS, split at
        junctions. Empty and null geometries are ignored.
    snap_tolerance_m
        Endpoints within this distance are merged into one node.

    Returns
    -------
    WalkNetwork
        Graph, node coordinates, edges and connected components.

    Raises
    ------
    ValueError
        On a geographic CRS, a negative tolerance or non-line geometries.
    """
    if not isinstance(segments, gpd.GeoDataFrame | gpd.GeoSeries):
        msg = "segments must be a GeoDataFrame or GeoSeries."
        raise TypeError(msg)
    geoms = np.asarray(segments.geometry.array, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    kinds = shapely.get_type_id(geoms[present])
    if np.any((kinds != 1) & (kinds != 5)):
        msg = "segments must contain only LineString or MultiLineString geometries."
        raise ValueError(msg)
    if np.all(kinds == 1):  # all LineStrings (the usual case): no need to split
        parts = geoms[present]
        part_of = np.arange(parts.shape[0])
    else:
        parts, part_of = shapely.get_parts(geoms[present], return_index=True)
    coords, offsets = line_arrays(parts)
    return network_from_coords(
        coords,
        offsets,
        segment=np.flatnonzero(present)[part_of],
        crs=segments.crs,
        snap_tolerance_m=snap_tolerance_m,
    )


def line_arrays(lines: npt.NDArray[np.object_]) -> tuple[FloatArray, IntArray]:
    """Shapely LineStrings as the ``(coords, offsets)`` of :func:`network_from_coords`."""
    counts = shapely.get_num_coordinates(lines).astype(np.int64)
    return shapely.get_coordinates(lines), _offsets(counts)


def network_from_coords(
    coords: npt.ArrayLike,
    offsets: npt.ArrayLike,
    *,
    segment: npt.ArrayLike | None = None,
    crs: Any = None,
    snap_tolerance_m: float = 0.5,
) -> WalkNetwork:
    """Build a :class:`WalkNetwork` from lines given as flat coordinate arrays.

    The array form of :func:`build_network`, for readers that never need shapely
    objects (the database adapter parses the segments' WKB straight into arrays).

    Parameters
    ----------
    coords
        ``(m, 2)`` vertices of all lines, line after line.
    offsets
        ``(n_lines + 1,)`` increasing positions: line ``i`` is
        ``coords[offsets[i]:offsets[i + 1]]``.
    segment
        Source row of each line (default ``0 .. n_lines - 1``), kept as
        :attr:`WalkNetwork.edge_segment`.
    crs
        CRS of the coordinates (must be metric when given).
    snap_tolerance_m
        Endpoints within this distance are merged into one node.

    Raises
    ------
    ValueError
        On a geographic CRS, a negative tolerance, non-finite coordinates or
        inconsistent offsets.
    """
    check_metric_crs(crs, "segments")
    if not (np.isfinite(snap_tolerance_m) and snap_tolerance_m >= 0):
        msg = f"snap_tolerance_m must be >= 0, got {snap_tolerance_m!r}."
        raise ValueError(msg)
    xy = np.asarray(coords, dtype=np.float64).reshape(-1, 2)
    off = np.asarray(offsets, dtype=np.int64).reshape(-1)
    if (
        off.size == 0
        or off[0] != 0
        or off[-1] != xy.shape[0]
        or np.any(np.diff(off) < 0)
    ):
        msg = (
            "offsets must start at 0, never decrease and end at the number of vertices."
        )
        raise ValueError(msg)
    if not np.isfinite(xy).all():
        msg = "line coordinates contain NaN or infinite values."
        raise ValueError(msg)
    counts = np.diff(off)
    n_lines = counts.shape[0]
    seg = (
        np.arange(n_lines, dtype=np.int64)
        if segment is None
        else np.asarray(segment, dtype=np.int64).reshape(-1)
    )
    if seg.shape[0] != n_lines:
        msg = f"segment has {seg.shape[0]} values for {n_lines} lines."
        raise ValueError(msg)
    lengths = _line_lengths(xy, off)
    keep = (counts >= 2) & (lengths > 0)
    if not keep.all():
        xy = xy[np.repeat(keep, counts)]
        counts, seg, lengths = counts[keep], seg[keep], lengths[keep]
        off = _offsets(counts)
    n_edges = counts.shape[0]
    endpoints = np.vstack([xy[off[:-1]], xy[off[1:] - 1]])  # (2E, 2)

    node_of_endpoint, node_xy = _merge_points(endpoints, snap_tolerance_m)
    edge_u = node_of_endpoint[:n_edges]
    edge_v = node_of_endpoint[n_edges:]
    n_nodes = node_xy.shape[0]

    csr = _edge_matrix(edge_u, edge_v, lengths, n_nodes)
    if n_nodes:
        n_comp, labels = connected_components(csr, directed=False)
        sizes = np.bincount(labels, minlength=n_comp).astype(np.int64)
    else:
        labels = np.zeros(0, dtype=np.int64)
        sizes = np.zeros(0, dtype=np.int64)
    return WalkNetwork(
        csr=csr,
        node_xy=node_xy,
        edge_u=edge_u.astype(np.int64),
        edge_v=edge_v.astype(np.int64),
        edge_length_m=lengths.astype(float),
        edge_coords=xy,
        edge_offsets=off,
        edge_segment=seg,
        component_labels=labels.astype(np.int64),
        component_sizes=sizes,
        crs=crs,
        snap_tolerance_m=float(snap_tolerance_m),
    )


def _line_lengths(xy: FloatArray, offsets: IntArray) -> FloatArray:
    """Length of each line: the sum of its vertex-to-vertex distances, in order."""
    counts = np.diff(offsets)
    out = np.zeros(counts.shape[0])
    if xy.shape[0] < 2:
        return out
    step = np.hypot(np.diff(xy[:, 0]), np.diff(xy[:, 1]))
    jump = offsets[1:-1] - 1  # from one line's last vertex to the next line's first
    step[jump[(jump >= 0) & (jump < step.shape[0])]] = 0.0
    lines = np.flatnonzero(counts >= 2)
    if lines.size:
        out[lines] = np.add.reduceat(step, offsets[lines])
    return out


def _merge_points(
    points: FloatArray, tolerance_m: float
) -> tuple[IntArray, FloatArray]:
    """Merge points closer than ``tolerance_m``; return (label per point, centroids)."""
    n = points.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 2))
    # Exact duplicates first (every junction repeats its coordinate): cheap and
    # it keeps the kd-tree small.
    # Viewing each (x, y) row as one complex number gives the same lexicographic
    # order as ``np.unique(points, axis=0)`` and is several times faster.
    pts = np.ascontiguousarray(points, dtype=np.float64)
    uc, inverse = np.unique(pts.view(np.complex128).reshape(-1), return_inverse=True)
    inverse = inverse.reshape(-1)
    uniq = np.column_stack([uc.real, uc.imag])
    m = uniq.shape[0]
    if tolerance_m > 0 and m > 1:
        pairs = cKDTree(uniq).query_pairs(tolerance_m, output_type="ndarray")
        if pairs.size:
            adj = coo_array(
                (np.ones(pairs.shape[0]), (pairs[:, 0], pairs[:, 1])), shape=(m, m)
            )
            _, group = connected_components(adj, directed=False)
            k = int(group.max()) + 1
            cnt = np.bincount(group, minlength=k)
            cx = np.bincount(group, weights=uniq[:, 0], minlength=k) / cnt
            cy = np.bincount(group, weights=uniq[:, 1], minlength=k) / cnt
            return group[inverse].astype(np.int64), np.column_stack([cx, cy])
    return inverse.astype(np.int64), uniq


def _edge_matrix(u: IntArray, v: IntArray, w: FloatArray, n: int) -> csr_array:
    """Symmetric csr of the shortest edge per node pair, without self-loops."""
    loop = u == v
    u, v, w = u[~loop], v[~loop], w[~loop]
    rows = np.concatenate([u, v]).astype(np.int64)
    cols = np.concatenate([v, u]).astype(np.int64)
    wts = np.concatenate([w, w])
    # One int64 key per (row, col) in row-major order; parallel edges end up next to
    # each other and keep the shortest (coo->csr would *sum* duplicates).
    key = rows * n + cols
    order = np.argsort(key, kind="stable")
    key, wts = key[order], wts[order]
    first = np.ones(key.shape[0], dtype=bool)
    first[1:] = key[1:] != key[:-1]
    starts = np.flatnonzero(first)
    if starts.size < key.size:
        wts = np.minimum.reduceat(wts, starts) if starts.size else wts[:0]
    else:
        wts = wts.copy()
    key = key[starts]
    rows, cols = key // n, key % n
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return csr_array((wts, cols.astype(np.int32), indptr), shape=(n, n))
