"""The walk network: nodes, edges and their csr graph, and snapping points onto its edges."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS
from scipy.sparse import csr_array
from scipy.spatial import cKDTree

FloatArray = npt.NDArray[np.float64]


IntArray = npt.NDArray[np.int64]


BoolArray = npt.NDArray[np.bool_]


#: Components with fewer nodes than this are islands that snapping ignores (the
#: largest component always counts). Measured on the real extracts in
#: ``../shared/data`` (tests/analysis/test_islands.py prints the figures):
#: the Beijing Haidian OSM export through our importer has 13 components, the main
#: one 425 of 483 nodes (88 %, 52.9 km of 58.7 km), the 12 others 2-11 nodes
#: (≤ 2.8 km: footway and campus fragments cut by the export box); OSMnx's
#: conversion of the same export (the GeoPackage) has the same 13, main 376 of 432
#: nodes, islands 2-10 nodes. The Ningbo facilities extract has no streets. The demo
#: city's network is one component. 20 leaves out every island measured with a
#: margin of ~2x over the largest, and keeps any real separate network (a village,
#: an island in the sea) of more than a few blocks: a 300 m x 300 m grid of 100 m
#: blocks already has 16 nodes, one of 400 m x 400 m 25.
MIN_COMPONENT_NODES = 20


def check_metric_crs(crs: Any, what: str) -> None:
    """Raise ``ValueError`` if ``crs`` is set and geographic (degrees, not metres)."""
    if crs is None:
        return
    if not hasattr(crs, "is_geographic"):  # "EPSG:4549", 4549, WKT…
        crs = CRS.from_user_input(crs)
    is_geographic = crs.is_geographic
    if is_geographic:
        msg = (
            f"{what} is in a geographic CRS ({crs}); project it to a metric CRS "
            "such as EPSG:4549 first."
        )
        raise ValueError(msg)


@dataclass(frozen=True)
class SnapResult:
    """Where points join the network.

    Attributes
    ----------
    edge
        Index of the nearest edge (``-1`` when unreachable).
    along_m
        Distance along that edge from its start node ``edge_u`` (NaN when
        unreachable).
    distance_m
        Straight-line distance from the point to the nearest edge (always
        finite when the network has edges, also for unreachable points, so it
        can be reported).
    reachable
        ``distance_m <= max_distance_m``.
    node_index
        The nearer end node of the snapped edge (``-1`` when unreachable); for
        callers that only need a node.
    """

    edge: IntArray
    along_m: FloatArray
    distance_m: FloatArray
    reachable: BoolArray
    node_index: IntArray

    def __len__(self) -> int:
        """Number of snapped points."""
        return int(self.edge.shape[0])


@dataclass(frozen=True, eq=False)
class WalkNetwork:
    """An undirected walking network.

    Attributes
    ----------
    csr
        Symmetric ``(n_nodes, n_nodes)`` matrix of edge lengths in metres (the
        shortest of parallel edges; self-loops dropped).
    node_xy
        ``(n_nodes, 2)`` node coordinates.
    edge_u, edge_v
        Start and end node of each edge (one edge per line part).
    edge_length_m
        Edge lengths in metres.
    edge_coords, edge_offsets
        The edge lines as flat coordinates: edge ``i`` runs through
        ``edge_coords[edge_offsets[i]:edge_offsets[i + 1]]``. Shapely lines
        (:attr:`edge_geometry`) are only built when something asks for them.
    edge_segment
        Row position of the source segment in the input GeoDataFrame.
    component_labels
        Connected component label per node.
    component_sizes
        Number of nodes per component, indexed by label.
    crs
        CRS of the input segments.
    snap_tolerance_m
        Endpoint merge tolerance used.
    """

    csr: csr_array
    node_xy: FloatArray
    edge_u: IntArray
    edge_v: IntArray
    edge_length_m: FloatArray
    edge_coords: FloatArray
    edge_offsets: IntArray
    edge_segment: IntArray
    component_labels: IntArray
    component_sizes: IntArray
    crs: Any = None
    snap_tolerance_m: float = 0.5
    _cache: dict[Any, Any] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def edge_geometry(self) -> npt.NDArray[np.object_]:
        """The edge lines as shapely LineStrings (built once, on first use)."""
        lines = self._cache.get("edge_geometry")
        if lines is None:
            counts = np.diff(self.edge_offsets)
            lines = shapely.linestrings(
                self.edge_coords,
                indices=np.repeat(np.arange(counts.shape[0]), counts),
            )
            if lines.shape[0] != counts.shape[0]:  # pragma: no cover - shapely contract
                msg = "edge geometry does not match the edges"
                raise AssertionError(msg)
            self._cache["edge_geometry"] = lines
        return lines

    def _strtree(self) -> shapely.STRtree:
        tree = self._cache.get("strtree")
        if tree is None:
            tree = shapely.STRtree(self.edge_geometry)
            self._cache["strtree"] = tree
        return tree

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.node_xy.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of edges (line parts, parallel edges included)."""
        return int(self.edge_u.shape[0])

    @property
    def n_components(self) -> int:
        """Number of connected components."""
        return int(self.component_sizes.shape[0])

    def components(self) -> pd.DataFrame:
        """Components, largest first: ``component``, ``nodes``, ``share``."""
        sizes = self.component_sizes
        order = np.argsort(-sizes, kind="stable")
        total = max(int(sizes.sum()), 1)
        return pd.DataFrame(
            {
                "component": order,
                "nodes": sizes[order],
                "share": sizes[order] / total,
            }
        )

    def summary(self) -> dict[str, Any]:
        """Sizes and components, JSON-friendly, for reports and run parameters."""
        largest = int(self.component_sizes.max()) if self.n_components else 0
        return {
            "nodes": self.n_nodes,
            "edges": self.n_edges,
            "length_m": float(self.edge_length_m.sum()),
            "components": self.n_components,
            "largest_component_nodes": largest,
            "snap_tolerance_m": self.snap_tolerance_m,
        }

    def main_components(
        self, min_component_nodes: int = MIN_COMPONENT_NODES
    ) -> BoolArray:
        """Per component label: ``True`` when it has at least ``min_component_nodes``
        nodes or is (one of) the largest."""
        sizes = self.component_sizes
        if sizes.size == 0:
            return np.zeros(0, dtype=bool)
        return (sizes >= min_component_nodes) | (sizes == sizes.max())

    def main_edges(self, min_component_nodes: int = MIN_COMPONENT_NODES) -> BoolArray:
        """Per edge: ``True`` when its component is not an island (computed once per
        threshold and kept, read-only: every snap asks for it)."""
        if self.n_edges == 0:
            return np.zeros(0, dtype=bool)
        key = ("main_edges", int(min_component_nodes))
        main = self._cache.get(key)
        if main is None:
            keep = self.main_components(min_component_nodes)
            main = keep[self.component_labels[self.edge_u]]
            main.flags.writeable = False
            self._cache[key] = main
        return main

    def islands(
        self, min_component_nodes: int = MIN_COMPONENT_NODES
    ) -> gpd.GeoDataFrame:
        """The components snapping leaves out, largest first.

        Returns
        -------
        geopandas.GeoDataFrame
            ``component`` (label), ``nodes``, ``edges``, ``length_m`` and the
            component's edges as one MultiLineString, in the network CRS.
        """
        isl = np.flatnonzero(~self.main_components(min_component_nodes))
        edges = np.flatnonzero(~self.main_edges(min_component_nodes))
        lab = self.component_labels[self.edge_u[edges]]
        lines = self.edge_geometry[edges] if edges.size else np.zeros(0, object)
        out = gpd.GeoDataFrame(
            {
                "component": isl.astype(np.int64),
                "nodes": self.component_sizes[isl].astype(np.int64),
                "edges": np.array([(lab == c).sum() for c in isl], dtype=np.int64),
                "length_m": np.array(
                    [self.edge_length_m[edges[lab == c]].sum() for c in isl],
                    dtype=float,
                ),
            },
            geometry=gpd.GeoSeries(
                [shapely.MultiLineString(list(lines[lab == c])) for c in isl],
                crs=self.crs,
            ),
            crs=self.crs,
        )
        return out.sort_values(
            ["nodes", "length_m", "component"],
            ascending=[False, False, True],
            kind="stable",
        ).reset_index(drop=True)

    def nearest_island(
        self, xy: npt.ArrayLike, *, min_component_nodes: int = MIN_COMPONENT_NODES
    ) -> tuple[IntArray, FloatArray]:
        """Nearest island component (``-1`` when there are none) and its distance."""
        pts = np.asarray(xy, dtype=float).reshape(-1, 2)
        n = pts.shape[0]
        edges = np.flatnonzero(~self.main_edges(min_component_nodes))
        if n == 0 or edges.size == 0:
            return np.full(n, -1, dtype=np.int64), np.full(n, np.inf)
        e, _along, d = self._nearest_edges(pts, edges)
        return self.component_labels[self.edge_u[e]], d

    def snap_points(
        self,
        xy: npt.ArrayLike,
        *,
        max_distance_m: float = 150.0,
        min_component_nodes: int = MIN_COMPONENT_NODES,
    ) -> SnapResult:
        """Snap points to the nearest point on an edge of the main network.

        Parameters
        ----------
        xy
            ``(n, 2)`` coordinates in the network CRS.
        max_distance_m
            Points farther than this from every edge are unreachable.
        min_component_nodes
            Edges of components with fewer nodes (islands, except the largest
            component) are not snapped to; ``1`` uses every edge.

        Returns
        -------
        SnapResult
            Per point: edge, position along it, offset distance, reachability
            and the nearer end node.

        Raises
        ------
        ValueError
            If ``xy`` is not ``(n, 2)`` finite, or ``max_distance_m`` is not
            positive.
        """
        pts_xy = np.asarray(xy, dtype=float)
        if pts_xy.ndim != 2 or pts_xy.shape[1] != 2:
            msg = f"xy must have shape (n, 2), got {pts_xy.shape}."
            raise ValueError(msg)
        if not np.isfinite(pts_xy).all():
            msg = "xy contains NaN or infinite coordinates."
            raise ValueError(msg)
        if not (np.isfinite(max_distance_m) and max_distance_m > 0):
            msg = f"max_distance_m must be positive, got {max_distance_m!r}."
            raise ValueError(msg)
        if int(min_component_nodes) != min_component_nodes or min_component_nodes < 1:
            msg = f"min_component_nodes must be a positive integer, got {min_component_nodes!r}."
            raise ValueError(msg)
        n = pts_xy.shape[0]
        edge = np.full(n, -1, dtype=np.int64)
        along = np.full(n, np.nan)
        dist = np.full(n, np.inf)
        if n == 0 or self.n_edges == 0:
            return SnapResult(edge, along, dist, np.zeros(n, bool), edge.copy())
        key = (
            hashlib.blake2b(pts_xy.tobytes(), digest_size=16).digest(),
            n,
            float(max_distance_m),
            int(min_component_nodes),
        )
        memo = self._cache.setdefault("snap_memo", OrderedDict())
        hit = memo.get(key)
        if hit is not None:
            memo.move_to_end(key)
            return SnapResult(*(a.copy() for a in hit))
        main = self.main_edges(int(min_component_nodes))
        edge, along, dist = self._nearest_edges(
            pts_xy, None if main.all() else np.flatnonzero(main)
        )
        reachable = dist <= max_distance_m
        edge[~reachable] = -1
        along[~reachable] = np.nan
        node = np.full(n, -1, dtype=np.int64)
        ok = np.flatnonzero(reachable)
        e = edge[ok]
        near_u = along[ok] <= 0.5 * self.edge_length_m[e]
        node[ok] = np.where(near_u, self.edge_u[e], self.edge_v[e])
        out = SnapResult(edge, along, dist, reachable, node)
        if n >= _SNAP_MEMO_MIN_POINTS:
            memo[key] = tuple(a.copy() for a in (edge, along, dist, reachable, node))
            while len(memo) > _SNAP_MEMO_SIZE:
                memo.popitem(last=False)
        return out

    def _segment_index(self, edges: IntArray | None = None) -> _SegmentIndex:
        """The kd-tree index of all edges, or of the subset ``edges`` (cached by it)."""
        key = (
            "segment_index"
            if edges is None
            else ("segment_index", hashlib.blake2b(edges.tobytes()).digest())
        )
        idx = self._cache.get(key)
        if idx is None:
            if edges is None:
                idx = _SegmentIndex.build(self.edge_coords, self.edge_offsets)
            else:
                counts = np.diff(self.edge_offsets)[edges]
                first = np.repeat(self.edge_offsets[:-1][edges], counts)
                step = np.arange(int(counts.sum())) - np.repeat(
                    np.cumsum(counts) - counts, counts
                )
                idx = _SegmentIndex.build(
                    self.edge_coords[first + step], _offsets(counts)
                )
            self._cache[key] = idx
        return idx

    def _nearest_edges(
        self, pts_xy: FloatArray, edges: IntArray | None = None
    ) -> tuple[IntArray, FloatArray, FloatArray]:
        """Nearest edge, position along it and distance for every point (no limit).

        A kd-tree of short pieces (<= ``_PIECE_M``) of the edges' straight parts finds
        candidate edges; the exact point-to-segment distance picks the nearest (ties:
        lowest edge index). Points whose candidate list may be incomplete (far from
        the network) fall back to the STRtree nearest query. ``edges``: search only
        these (edge indices, increasing); the result is in whole-network indices.
        """
        n = pts_xy.shape[0]
        index = self._segment_index(edges)
        edge, along, dist = index.nearest(pts_xy)
        if edges is not None:
            edge = np.where(edge >= 0, edges[np.maximum(edge, 0)], -1)
        todo = np.flatnonzero(edge < 0)
        if todo.size:
            pts = shapely.points(pts_xy[todo])
            lines = self.edge_geometry if edges is None else self.edge_geometry[edges]
            tree = self._strtree() if edges is None else shapely.STRtree(lines)
            (src, hit), d = tree.query_nearest(
                pts, return_distance=True, all_matches=False
            )
            rows = todo[src]
            edge[rows] = hit if edges is None else edges[hit]
            dist[rows] = d
            along[rows] = shapely.line_locate_point(lines[hit], pts[src])
        # rounding can put the kd-tree's position a hair past the end of the edge
        found = edge >= 0
        along[found] = np.clip(along[found], 0.0, self.edge_length_m[edge[found]])
        assert edge.shape[0] == n
        return edge, along, dist


_SNAP_MEMO_SIZE = 4


_SNAP_MEMO_MIN_POINTS = 64


_PIECE_M = 40.0


_K_FIRST = 8


_WORKERS = -1  # kd-tree queries on every core (threads; results do not depend on it)


@dataclass(frozen=True)
class _SegmentIndex:
    """Straight parts of the edges and a kd-tree of their pieces' midpoints."""

    ax: FloatArray
    ay: FloatArray
    dx: FloatArray
    dy: FloatArray
    len2: FloatArray
    sub_len: FloatArray
    start_m: FloatArray
    edge: IntArray
    piece_sub: IntArray
    half_m: float
    tree: cKDTree

    @staticmethod
    def build(coords: FloatArray, offsets: IntArray) -> _SegmentIndex:
        counts = np.diff(offsets)
        n_lines = counts.shape[0]
        ends = offsets[1:]
        starts = offsets[:-1]
        # sub-segment i runs from coords[i] to coords[i + 1], except at each line's end
        is_last = np.zeros(coords.shape[0], dtype=bool)
        is_last[ends - 1] = True
        first = np.flatnonzero(~is_last)
        edge = np.repeat(np.arange(n_lines, dtype=np.int64), counts - 1)
        a = coords[first]
        b = coords[first + 1]
        d = b - a
        sub_len = np.hypot(d[:, 0], d[:, 1])
        cum = np.cumsum(sub_len)
        edge_first_sub = starts - np.arange(n_lines)  # sub index of each line's first
        base = np.where(
            edge_first_sub[edge] > 0, cum[np.maximum(edge_first_sub[edge] - 1, 0)], 0.0
        )
        start_m = cum - sub_len - base
        n_piece = np.maximum(np.ceil(sub_len / _PIECE_M), 1).astype(np.int64)
        piece_sub = np.repeat(np.arange(sub_len.shape[0], dtype=np.int64), n_piece)
        j = np.arange(piece_sub.shape[0]) - np.repeat(
            np.cumsum(n_piece) - n_piece, n_piece
        )
        frac = (j + 0.5) / n_piece[piece_sub]
        mid = a[piece_sub] + frac[:, None] * d[piece_sub]
        half = float((sub_len / n_piece).max() / 2) if sub_len.size else 0.0
        return _SegmentIndex(
            ax=a[:, 0].copy(),
            ay=a[:, 1].copy(),
            dx=d[:, 0].copy(),
            dy=d[:, 1].copy(),
            len2=d[:, 0] ** 2 + d[:, 1] ** 2,
            sub_len=sub_len,
            start_m=start_m,
            edge=edge,
            piece_sub=piece_sub,
            half_m=half,
            tree=cKDTree(mid, balanced_tree=False, compact_nodes=False),
        )

    def nearest(self, pts: FloatArray) -> tuple[IntArray, FloatArray, FloatArray]:
        """Nearest edge/along/distance; ``edge == -1`` where the search was not conclusive."""
        n = pts.shape[0]
        edge = np.full(n, -1, dtype=np.int64)
        along = np.full(n, np.nan)
        dist = np.full(n, np.inf)
        n_pieces = self.piece_sub.shape[0]
        if n == 0 or n_pieces == 0:
            return edge, along, dist
        todo = np.arange(n)
        for k in (_K_FIRST, 4 * _K_FIRST):
            if todo.size == 0:
                break
            k = min(k, n_pieces)
            dm, ip = self.tree.query(pts[todo], k=k, workers=_WORKERS)
            dm = dm.reshape(todo.size, k)
            ip = ip.reshape(todo.size, k)
            # every piece midpoint within (nearest midpoint + half a piece) is listed
            done = (dm[:, -1] > dm[:, 0] + self.half_m) | (k == n_pieces)
            rows = todo[done]
            sub = self.piece_sub[ip[done]]
            e, t, d = self._closest(pts[rows], sub)
            edge[rows], along[rows], dist[rows] = e, t, d
            todo = todo[~done]
        return edge, along, dist

    def _closest(
        self, pts: FloatArray, sub: IntArray
    ) -> tuple[IntArray, FloatArray, FloatArray]:
        px = pts[:, 0:1]
        py = pts[:, 1:2]
        ax, ay, dx, dy = self.ax[sub], self.ay[sub], self.dx[sub], self.dy[sub]
        len2 = self.len2[sub]
        with np.errstate(invalid="ignore", divide="ignore"):
            t = ((px - ax) * dx + (py - ay) * dy) / len2
        t = np.where(len2 > 0, np.clip(t, 0.0, 1.0), 0.0)
        cx = ax + t * dx
        cy = ay + t * dy
        d = np.hypot(px - cx, py - cy)
        e = self.edge[sub]
        best = d.min(axis=1)
        # ties: the lowest edge index, then the first candidate
        big = np.iinfo(np.int64).max
        e_tie = np.where(d == best[:, None], e, big)
        e_best = e_tie.min(axis=1)
        col = np.argmax(e_tie == e_best[:, None], axis=1)
        r = np.arange(pts.shape[0])
        s = sub[r, col]
        along = self.start_m[s] + t[r, col] * self.sub_len[s]
        return e_best, along, best


def _offsets(counts: IntArray) -> IntArray:
    """Start of each line in the flat coordinates, plus the total at the end."""
    out = np.zeros(counts.shape[0] + 1, dtype=np.int64)
    np.cumsum(counts, out=out[1:])
    return out
