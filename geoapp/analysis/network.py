"""Walking network: build a routable graph from ``walk_segment`` lines and snap points.

The network is an undirected graph stored as a symmetric
:class:`scipy.sparse.csr_array` of edge lengths in metres, ready for
:func:`scipy.sparse.csgraph.dijkstra`.

* **Nodes** are segment *endpoints*. Endpoints closer than ``snap_tolerance_m``
  are merged (cKDTree pairs + connected components, so a cluster of nearly
  coincident endpoints becomes one node at its centroid). Interior vertices of a
  segment are not nodes: segments must be split at junctions, as in the
  ``walk_segment`` layer (DATA_MODEL.md). Two lines that merely cross (a bridge
  over a road) are therefore not connected, which is what we want.
* **Edges** keep their full geometry: the weight is the line's length, and
  snapping projects onto the real line, not onto the chord.
* **Snapping** (:meth:`WalkNetwork.snap_points`) projects a point onto the
  nearest edge (shapely ``STRtree.query_nearest``) and records the edge, the
  position along it (``along_m`` from the edge's start node ``edge_u``) and the
  perpendicular offset. The routing code then enters the graph through *both*
  end nodes with the partial lengths ``along_m`` and ``length - along_m`` (a
  virtual node on the edge, without changing the graph). Points farther than
  ``max_distance_m`` from every edge are flagged unreachable, never dropped.

All inputs must be in a projected metric CRS (EPSG:4549 by DATA_MODEL.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy.sparse import coo_array, csr_array
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

__all__ = [
    "SnapResult",
    "WalkNetwork",
    "build_network",
    "community_access_points",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def check_metric_crs(crs: Any, what: str) -> None:
    """Raise ``ValueError`` if ``crs`` is set and geographic (degrees, not metres)."""
    if crs is None:
        return
    is_geographic = getattr(crs, "is_geographic", False)
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
    edge_geometry
        The edge lines (numpy array of shapely LineStrings).
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
    edge_geometry: npt.NDArray[np.object_]
    edge_segment: IntArray
    component_labels: IntArray
    component_sizes: IntArray
    crs: Any = None
    snap_tolerance_m: float = 0.5
    _tree: shapely.STRtree | None = field(default=None, repr=False, compare=False)

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

    def snap_points(
        self, xy: npt.ArrayLike, *, max_distance_m: float = 150.0
    ) -> SnapResult:
        """Snap points to the nearest point on an edge.

        Parameters
        ----------
        xy
            ``(n, 2)`` coordinates in the network CRS.
        max_distance_m
            Points farther than this from every edge are unreachable.

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
        n = pts_xy.shape[0]
        edge = np.full(n, -1, dtype=np.int64)
        along = np.full(n, np.nan)
        dist = np.full(n, np.inf)
        if n == 0 or self.n_edges == 0 or self._tree is None:
            return SnapResult(edge, along, dist, np.zeros(n, bool), edge.copy())
        pts = shapely.points(pts_xy)
        # One unbounded nearest query, then the limit: faster than passing
        # max_distance (which widens every envelope search) and it gives the
        # true distance of unreachable points for the report.
        (src, hit), d = self._tree.query_nearest(
            pts, return_distance=True, all_matches=False
        )
        dist[src] = d
        reachable = np.zeros(n, dtype=bool)
        reachable[src] = d <= max_distance_m
        edge[src[reachable[src]]] = hit[reachable[src]]
        ok = np.flatnonzero(reachable)
        along[ok] = shapely.line_locate_point(self.edge_geometry[edge[ok]], pts[ok])
        node = np.full(n, -1, dtype=np.int64)
        e = edge[ok]
        near_u = along[ok] <= 0.5 * self.edge_length_m[e]
        node[ok] = np.where(near_u, self.edge_u[e], self.edge_v[e])
        return SnapResult(edge, along, dist, reachable, node)


def build_network(
    segments: gpd.GeoDataFrame, *, snap_tolerance_m: float = 0.5
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
    check_metric_crs(segments.crs, "segments")
    if not (np.isfinite(snap_tolerance_m) and snap_tolerance_m >= 0):
        msg = f"snap_tolerance_m must be >= 0, got {snap_tolerance_m!r}."
        raise ValueError(msg)
    geoms = np.asarray(segments.geometry.array, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    kinds = shapely.get_type_id(geoms[present])
    if np.any((kinds != 1) & (kinds != 5)):
        msg = "segments must contain only LineString or MultiLineString geometries."
        raise ValueError(msg)
    parts, part_of = shapely.get_parts(geoms[present], return_index=True)
    seg_rows = np.flatnonzero(present)[part_of]
    lengths = shapely.length(parts)
    keep = (shapely.get_num_coordinates(parts) >= 2) & (lengths > 0)
    parts, seg_rows, lengths = parts[keep], seg_rows[keep], lengths[keep]
    n_edges = parts.shape[0]

    counts = shapely.get_num_coordinates(parts)
    coords = shapely.get_coordinates(parts)
    ends = np.cumsum(counts)
    starts = ends - counts
    endpoints = np.vstack([coords[starts], coords[ends - 1]])  # (2E, 2)

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
    tree = shapely.STRtree(parts) if n_edges else None
    return WalkNetwork(
        csr=csr,
        node_xy=node_xy,
        edge_u=edge_u.astype(np.int64),
        edge_v=edge_v.astype(np.int64),
        edge_length_m=lengths.astype(float),
        edge_geometry=parts,
        edge_segment=seg_rows.astype(np.int64),
        component_labels=labels.astype(np.int64),
        component_sizes=sizes,
        crs=segments.crs,
        snap_tolerance_m=float(snap_tolerance_m),
        _tree=tree,
    )


def _merge_points(
    points: FloatArray, tolerance_m: float
) -> tuple[IntArray, FloatArray]:
    """Merge points closer than ``tolerance_m``; return (label per point, centroids)."""
    n = points.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 2))
    # Exact duplicates first (every junction repeats its coordinate): cheap and
    # it keeps the kd-tree small.
    uniq, inverse = np.unique(points, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
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
    rows = np.concatenate([u, v])
    cols = np.concatenate([v, u])
    wts = np.concatenate([w, w])
    # Keep the shortest of parallel edges (coo->csr would *sum* duplicates).
    order = np.lexsort((wts, cols, rows))
    rows, cols, wts = rows[order], cols[order], wts[order]
    first = np.ones(rows.shape[0], dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    rows, cols, wts = rows[first], cols[first], wts[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return csr_array((wts, cols.astype(np.int32), indptr), shape=(n, n))


def community_access_points(
    polygons: gpd.GeoSeries | gpd.GeoDataFrame,
    entrances: gpd.GeoSeries | None = None,
    *,
    spacing_m: float = 50.0,
) -> pd.DataFrame:
    """Points where residents leave each community.

    Parameters
    ----------
    polygons
        Community (Multi)Polygons, metric CRS.
    entrances
        Optional Point/MultiPoint per community, aligned by position with
        ``polygons``; null or empty where unknown.
    spacing_m
        Spacing of the boundary points used where entrances are unknown.

    Returns
    -------
    pandas.DataFrame
        Columns ``community`` (row position in ``polygons``), ``x``, ``y`` and
        ``source`` (``"entrance"`` or ``"boundary"``).

    Raises
    ------
    ValueError
        On a geographic CRS, a non-positive spacing or misaligned entrances.

    Notes
    -----
    Known gates are the authority (LIFECIRCLE.md, "support a curated local walk
    network (gated-community gates …)"). Without them, points every
    ``spacing_m`` along each exterior ring (starting at its first vertex, at
    least one per ring) stand in for gates, which is optimistic for walled
    estates: the nearest boundary point is used as if it were a gate.
    """
    geom = polygons.geometry if isinstance(polygons, gpd.GeoDataFrame) else polygons
    check_metric_crs(geom.crs, "communities")
    if not (np.isfinite(spacing_m) and spacing_m > 0):
        msg = f"spacing_m must be positive, got {spacing_m!r}."
        raise ValueError(msg)
    g = np.asarray(geom.array, dtype=object)
    n = g.shape[0]
    use_entrance = np.zeros(n, dtype=bool)
    frames: list[pd.DataFrame] = []
    if entrances is not None:
        e = np.asarray(
            entrances.array if hasattr(entrances, "array") else entrances, dtype=object
        )
        if e.shape[0] != n:
            msg = f"entrances has {e.shape[0]} rows, polygons has {n}."
            raise ValueError(msg)
        ok = ~(shapely.is_missing(e) | shapely.is_empty(e))
        if ok.any():
            pts, idx = shapely.get_parts(e[ok], return_index=True)
            pxy = shapely.get_coordinates(pts)
            owners = np.flatnonzero(ok)[idx]
            use_entrance[owners] = True
            frames.append(
                pd.DataFrame(
                    {
                        "community": owners,
                        "x": pxy[:, 0],
                        "y": pxy[:, 1],
                        "source": "entrance",
                    }
                )
            )
    rest = np.flatnonzero(
        ~use_entrance & ~(shapely.is_missing(g) | shapely.is_empty(g))
    )
    if rest.size:
        polys, pidx = shapely.get_parts(g[rest], return_index=True)
        rings = shapely.get_exterior_ring(polys)
        ring_len = shapely.length(rings)
        count = np.maximum(np.ceil(ring_len / spacing_m), 1).astype(np.int64)
        rep = np.repeat(np.arange(rings.shape[0]), count)
        first = np.repeat(np.cumsum(count) - count, count)
        along = (np.arange(rep.shape[0]) - first) * spacing_m
        bxy = shapely.get_coordinates(shapely.line_interpolate_point(rings[rep], along))
        frames.append(
            pd.DataFrame(
                {
                    "community": rest[pidx][rep],
                    "x": bxy[:, 0],
                    "y": bxy[:, 1],
                    "source": "boundary",
                }
            )
        )
    if not frames:
        return pd.DataFrame(
            {
                "community": np.zeros(0, np.int64),
                "x": np.zeros(0),
                "y": np.zeros(0),
                "source": np.zeros(0, object),
            }
        )
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values("community", kind="stable").reset_index(drop=True)
